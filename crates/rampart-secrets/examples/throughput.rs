//! Single-thread throughput of the secret scanner on a directory tree, side by side with
//! the floor of reading the same files in the same loop.
//!
//! ```text
//! cargo run --release -p rampart-secrets --example throughput -- DIR [RUNS]
//! ```
//!
//! The file list is collected first (not timed). Each run reads every file with one
//! `read` into a reused buffer; "read" stops there, "scan" also runs
//! [`Scanner::scan`]. Files over the scanner's size limit are counted but not read.
//! Prints MB/s (10^6 bytes per second) per mode, best of RUNS, and the ratio. RUNS=0
//! runs one scan pass and nothing else, for timing the whole process from outside.

use rampart_secrets::{Config, Scanner, Stats};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The allocator the `rampart` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        // Follows symbolic links, so a tree of links to chosen folders can be scanned.
        let Ok(ft) = std::fs::metadata(e.path()) else {
            continue;
        };
        if ft.is_dir() {
            walk(&e.path(), out);
        } else if ft.is_file() {
            out.push(e.path());
        }
    }
}

fn pass(
    files: &[PathBuf],
    scanner: Option<&Scanner>,
    buf: &mut Vec<u8>,
) -> (u64, f64, Stats, usize) {
    let mut stats = Stats::default();
    let mut findings = Vec::new();
    let mut bytes = 0u64;
    let t = Instant::now();
    for f in files {
        buf.clear();
        let Ok(mut file) = std::fs::File::open(f) else {
            continue;
        };
        if file.read_to_end(buf).is_err() {
            continue;
        }
        bytes += buf.len() as u64;
        if let Some(s) = scanner {
            s.scan(&f.to_string_lossy(), buf, &mut findings, &mut stats);
        }
    }
    (bytes, t.elapsed().as_secs_f64(), stats, findings.len())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: throughput DIR [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let mut files = Vec::new();
    walk(Path::new(&dir), &mut files);
    let scanner = match Scanner::new(&Config::default()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("throughput: error: {e}");
            std::process::exit(2);
        }
    };
    let mut buf = Vec::new();
    if runs == 0 {
        // One scan pass only (for whole-process timing with hyperfine).
        let (b, t, stats, n) = pass(&files, Some(&scanner), &mut buf);
        println!(
            "scan {b} bytes in {t:.3} s, {n} findings, {} binary",
            stats.skipped_binary
        );
        return;
    }
    let (mut best_read, mut best_scan) = (f64::MAX, f64::MAX);
    let mut total = 0;
    let mut last = None;
    for _ in 0..runs.max(1) {
        let (b, t, _, _) = pass(&files, None, &mut buf);
        best_read = best_read.min(t);
        total = b;
        let (_, t, stats, n) = pass(&files, Some(&scanner), &mut buf);
        best_scan = best_scan.min(t);
        last = Some((stats, n));
    }
    let mb = total as f64 / 1e6;
    println!("keyword prefilter: {}", scanner.prefilter());
    println!("files {} bytes {} ({:.1} MB)", files.len(), total, mb);
    println!("read  {:.3} s  {:.0} MB/s", best_read, mb / best_read);
    println!(
        "scan  {:.3} s  {:.0} MB/s  ({:.2}x the read floor)",
        best_scan,
        mb / best_scan,
        best_scan / best_read
    );
    if let Some((stats, n)) = last {
        println!(
            "findings {n}; text files {} ({} bytes), binary {}, oversize {}",
            stats.files_scanned, stats.bytes_scanned, stats.skipped_binary, stats.skipped_oversize
        );
    }
}
