//! Event readers: arbitrary bytes (plain or gzip) never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_detect::input::{InputFormat, read_events};

fuzz_target!(|data: &[u8]| {
    for format in [
        InputFormat::Auto,
        InputFormat::K8sAudit,
        InputFormat::Cloudtrail,
    ] {
        for ev in read_events(data, format).flatten() {
            let _ = ev.evt_type.as_str().len();
        }
    }
});
