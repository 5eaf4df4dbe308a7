//! Matching throughput against every feed in the corpus, 100,000 installed packages per
//! run, in three mixes:
//!
//! - *hit-heavy*: 3 in 4 packages named in advisories (many with hundreds of records: Go
//!   `stdlib`, Debian `chromium`, PyPI `django`), at versions at and just below their fixes;
//! - *realistic*: 1 in 10 named in advisories, the rest names no advisory mentions (most
//!   packages of an image or lockfile have none), spread over Debian, crates.io, PyPI and Go,
//!   some PyPI names needing normalization;
//! - *misses*: no package named in any advisory — the cost of one lookup.
//!
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

/// (ecosystem, name, a fixed version) for every affected entry of the ecosystems benched.
fn named(db: &Db) -> Vec<(Ecosystem, String, String)> {
    let mut named = Vec::new();
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
    named
}

/// 100,000 packages, of which `hit_in` in every `out_of` are named in advisories.
fn packages(named: &[(Ecosystem, String, String)], hit_in: usize, out_of: usize) -> Vec<Package> {
    let mut out = Vec::with_capacity(100_000);
    let mut i = 0usize;
    while out.len() < 100_000 {
        let (eco, name, fixed) = &named[i % named.len()];
        let version = if i.is_multiple_of(2) {
            fixed.clone()
        } else {
            format!("{fixed}~1")
        };
        let (name, version) = if i % out_of >= hit_in {
            // A name no advisory mentions; one in four PyPI names as people spell them.
            let name = if *eco == Ecosystem::PyPI && i.is_multiple_of(4) {
                format!("Unknown_Package.{i}")
            } else {
                format!("unknown-{i}")
            };
            (name, "1.0.0".to_string())
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
    let named = named(&db);
    let os = OsInfo {
        family: "debian".into(),
        version: "11.6".into(),
        name: None,
    };
    let mut g = c.benchmark_group("match");
    g.throughput(Throughput::Elements(100_000));
    g.sample_size(10);
    for (label, hit_in, out_of) in [
        ("100k packages, corpus feeds", 3, 4),
        ("100k packages, realistic mix", 1, 10),
        ("100k packages, misses", 0, 1),
    ] {
        let pkgs = packages(&named, hit_in, out_of);
        let findings = match_packages(&db, &pkgs, Some(&os), &MatchConfig::default()).len();
        eprintln!("{label}: {findings} findings per run");
        g.bench_function(label, |b| {
            b.iter(|| match_packages(&db, &pkgs, Some(&os), &MatchConfig::default()).len())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
