//! Falco rule files and conditions: loading arbitrary text never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = rampart_detect::falco::condition::parse(text);
        let (_, report) =
            rampart_detect::falco::load_falco(&[(std::path::Path::new("fuzz.yaml"), text)]);
        let _ = report.has_errors();
    }
});
