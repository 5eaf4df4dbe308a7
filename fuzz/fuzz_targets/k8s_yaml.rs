//! The Kubernetes manifest reader and checks over arbitrary text: YAML and JSON documents,
//! anchors and aliases, `List` kinds, every workload's pod spec.
#![no_main]
use rampart_misconfig::{Config, scan_k8s};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = scan_k8s("fuzz.yaml", &text, &Config::default());
});
