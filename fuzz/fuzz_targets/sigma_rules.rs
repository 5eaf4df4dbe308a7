//! Sigma rule files: loading arbitrary text never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (rules, statuses) = rampart_detect::sigma::load_sigma(&[("fuzz.yml", text)]);
        let _ = (rules.len(), statuses.len());
    }
});
