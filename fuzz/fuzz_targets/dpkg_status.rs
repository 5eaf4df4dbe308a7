//! The OS package database reader for `var/lib/dpkg/status` over arbitrary bytes (with an os-release
//! beside it so purls are built too).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let files: [(&str, &[u8]); 2] = [
        ("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n"),
        ("var/lib/dpkg/status", data),
    ];
    let _ = rampart_inventory::os::inventory(&files);
});
