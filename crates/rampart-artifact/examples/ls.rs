//! Lists an artifact's final view, its deleted files and what was skipped.
//!
//! `cargo run -p rampart-artifact --example ls -- image.tar`

use rampart_artifact::{ArtifactError, Entry, Limits, Visitor, open, walk};
use std::io::Read;

/// Counts file bytes without keeping them.
struct Count(u64);

impl Visitor for Count {
    fn file(&mut self, _: &Entry<'_>, data: &mut dyn Read) -> Result<(), ArtifactError> {
        self.0 += std::io::copy(data, &mut std::io::sink()).unwrap_or(0);
        Ok(())
    }
}

fn main() {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: ls ARTIFACT");
        std::process::exit(2);
    };
    let artifact = match open(std::path::Path::new(&path)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("ls: error: {e}");
            std::process::exit(2);
        }
    };
    println!(
        "{:?} {} {}",
        artifact.kind,
        artifact.name,
        artifact.digest.as_deref().unwrap_or("-")
    );
    for l in &artifact.layers {
        println!(
            "layer {} {} {}",
            l.index,
            l.digest,
            l.created_by.as_deref().unwrap_or("")
        );
    }
    let mut count = Count(0);
    let w = match walk(&artifact, &Limits::default(), &mut count) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("ls: error: {e}");
            std::process::exit(2);
        }
    };
    for (path, rec) in w.index.visible() {
        println!(
            "{:>2} {:o} {:>10} {path} {:?}",
            rec.layer, rec.mode, rec.size, rec.kind
        );
    }
    for d in w.index.deleted() {
        println!(
            "deleted {} (layer {}) by layer {} ({:?})",
            d.path, d.layer, d.deleted_by, d.reason
        );
    }
    for d in &w.diagnostics {
        eprintln!("warning: {d}");
    }
    println!(
        "{} files, {} bytes of file data, {} bytes read",
        w.files_seen, count.0, w.bytes_read
    );
}
