//! Every version comparator over arbitrary pairs of strings.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    rampart_version::fuzz_compare(data);
});
