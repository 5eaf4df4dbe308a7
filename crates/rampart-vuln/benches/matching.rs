//! Matching throughput: 100,000 installed packages (half of them named in advisories, at
//! versions spread below and above their fixes) against every feed in the corpus.
//! Figures go to BENCHMARKS.md as package lookups per second on one core.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_core::{Ecosystem, OsInfo, Package};
use rampart_vuln::db::Db;
use rampart_vuln::import::{Sink, import_path};
use rampart_vuln::matcher::{MatchConfig, match_packages};
use std::path::Path;

fn corpus_db() -> Db {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let mut sink = Sink::default();
    for p in [
        "debian-osv",
        "almalinux-osv",
        "rustsec-osv",
        "pypa-osv",
        "go-osv",
        "ghsa-npm-sample",
        "alpine-secdb-2020",
        "alpine-secdb-v3.20-subset",
    ] {
        import_path(&root.join(p), &mut sink).expect("corpus feed");
    }
    Db::from_sink(sink, vec![], 0)
}

fn packages(db: &Db) -> Vec<Package> {
    // Names advisories mention, per ecosystem, then as many names no advisory mentions.
    let mut named: Vec<(Ecosystem, String, String)> = Vec::new();
    for a in db.advisories() {
        for aff in &a.affected {
            let eco = match aff.ecosystem.split(':').next().unwrap_or_default() {
                "debian" => Ecosystem::Deb,
                "crates.io" => Ecosystem::Cargo,
                "pypi" => Ecosystem::PyPI,
                "go" => Ecosystem::Go,
                _ => continue,
            };
            let fixed = aff
                .ranges
                .iter()
                .flat_map(|r| &r.events)
                .find_map(|e| match e {
                    rampart_vuln::Event::Fixed(v) => Some(v.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| "1.0.0".into());
            named.push((eco, aff.package.clone(), fixed));
        }
    }
    let mut out = Vec::with_capacity(100_000);
    let mut i = 0usize;
    while out.len() < 100_000 {
        let (eco, name, fixed) = &named[i % named.len()];
        let version = if i.is_multiple_of(2) {
            fixed.clone()
        } else {
            format!("{fixed}~1")
        };
        let (name, version) = if i % 4 == 3 {
            (format!("unknown-{i}"), "1.0.0".to_string())
        } else {
            (name.clone(), version)
        };
        let mut p = Package::new(name, version, *eco);
        if *eco == Ecosystem::Deb {
            p.source_name = Some(p.name.clone());
        }
        out.push(p);
        i += 7;
    }
    out
}

fn bench(c: &mut Criterion) {
    let db = corpus_db();
    let pkgs = packages(&db);
    let os = OsInfo {
        family: "debian".into(),
        version: "11.6".into(),
        name: None,
    };
    let mut g = c.benchmark_group("match");
    g.throughput(Throughput::Elements(pkgs.len() as u64));
    g.sample_size(10);
    g.bench_function("100k packages, corpus feeds", |b| {
        b.iter(|| match_packages(&db, &pkgs, Some(&os), &MatchConfig::default()).len())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
