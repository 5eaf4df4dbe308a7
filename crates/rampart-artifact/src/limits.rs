//! Bounds on what a walk reads, so that no input can exhaust memory, disk or time.

/// Bounds applied while walking an artifact.
///
/// The defaults suit real images: a 10 GiB image walks with room to spare, while a
/// decompression bomb stops after a few MiB of output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of one file handed to a [`crate::Visitor`] (and kept by [`crate::collect`]);
    /// the rest of a bigger file is not read. [`crate::Entry::size`] still gives the full
    /// size. Default 64 MiB.
    pub max_file_size: u64,
    /// Uncompressed bytes read over the whole walk, all layers together. When reached the
    /// walk stops, keeps what it has, and says so in a diagnostic. Default 64 GiB.
    pub max_total_uncompressed: u64,
    /// Archive entries (files, directories, links) over the whole walk. Default 10 million.
    pub max_entries: u64,
    /// Largest ratio of uncompressed to compressed bytes in one stream (a layer or a zip
    /// member) once [`Limits::ratio_grace`] bytes have come out. Deflate cannot pass about
    /// 1032:1, so the default 1100 only stops crafted zstd (or broken) streams.
    pub max_ratio: u64,
    /// Uncompressed bytes a stream may produce before [`Limits::max_ratio`] is enforced, so
    /// that small, highly compressible layers pass. Default 16 MiB.
    pub ratio_grace: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 64 << 20,
            max_total_uncompressed: 64 << 30,
            max_entries: 10_000_000,
            max_ratio: 1100,
            ratio_grace: 16 << 20,
        }
    }
}
