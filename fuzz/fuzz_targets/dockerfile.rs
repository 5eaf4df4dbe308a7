//! The Dockerfile parser and checks over arbitrary text: continuations, heredocs, parser
//! directives, JSON and shell forms, multi-stage builds.
#![no_main]
use rampart_misconfig::{Config, scan_dockerfile};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = scan_dockerfile("Dockerfile", &text, &Config::default());
});
