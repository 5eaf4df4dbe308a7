//! The rpm database readers (SQLite, BerkeleyDB hash, NDB) over arbitrary bytes: each backend
//! is told apart by magic, so the same input reaches whichever one it resembles.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    for path in ["var/lib/rpm/rpmdb.sqlite", "var/lib/rpm/Packages", "var/lib/rpm/Packages.db"] {
        let files: [(&str, &[u8]); 2] = [("etc/os-release", b"ID=rhel\nVERSION_ID=\"9.4\"\n"), (path, data)];
        let _ = rampart_inventory::os::inventory(&files);
    }
});
