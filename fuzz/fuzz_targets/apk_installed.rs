//! The OS package database reader for `lib/apk/db/installed` over arbitrary bytes (with an os-release
//! beside it so purls are built too).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let files: [(&str, &[u8]); 2] = [
        ("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n"),
        ("lib/apk/db/installed", data),
    ];
    let _ = rampart_inventory::os::inventory(&files);
});
