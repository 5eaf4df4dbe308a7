//! The docker-compose reader and its checks over arbitrary text: YAML documents of any
//! shape, services with lists or maps where strings are expected, anchors and merges.
#![no_main]
use rampart_misconfig::{Config, scan_compose};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = scan_compose("compose.yaml", &text, &Config::default());
});
