//! Prints how often each keyword occurs in a file and how long a scan takes.
use rampart_secrets::{Config, Scanner, Stats, rules};
use std::collections::BTreeMap;
fn main() {
    let path = std::env::args().nth(1).expect("file");
    let data = std::fs::read(&path).expect("read");
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let lower = data.to_ascii_lowercase();
    for r in rules() {
        for k in r.keywords {
            counts.entry(k).or_insert_with(|| memchr::memmem::find_iter(&lower, k.as_bytes()).count());
        }
    }
    let mut v: Vec<_> = counts.into_iter().filter(|(_, c)| *c > 0).collect();
    v.sort_by_key(|(_, c)| std::cmp::Reverse(*c));
    for (k, c) in v.iter().take(25) { println!("{c:>9} {k}"); }
    let mut kws: Vec<&str> = rules().iter().flat_map(|r| r.keywords.iter().copied()).collect();
    kws.sort();
    kws.dedup();
    let ac = aho_corasick::AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&kws)
        .unwrap();
    for _ in 0..2 {
        let t = std::time::Instant::now();
        let n = ac.find_overlapping_iter(&data).count();
        let e = t.elapsed();
        println!("ac overlapping {:?} {:.0} MB/s hits {n}", e, data.len() as f64 / e.as_secs_f64() / 1e6);
        let t = std::time::Instant::now();
        let n = ac.find_iter(&data).count();
        let e = t.elapsed();
        println!("ac standard {:?} {:.0} MB/s hits {n}", e, data.len() as f64 / e.as_secs_f64() / 1e6);
    }
    let scanner = Scanner::new(&Config { max_file_size: 1 << 30, ..Config::default() }).unwrap();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let mut out = Vec::new();
        let mut st = Stats::default();
        scanner.scan("x", &data, &mut out, &mut st);
        let e = t.elapsed();
        println!("scan {:?} {:.0} MB/s findings {}", e, data.len() as f64 / e.as_secs_f64() / 1e6, out.len());
    }
}
