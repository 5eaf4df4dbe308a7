//! The layer reader over arbitrary bytes: tar, gzip and zstd framing, whiteouts, paths.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    rampart_artifact::fuzz_tar_layer(data);
});
