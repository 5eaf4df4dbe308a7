//! OSV-Scanner's recorded OSV.dev answers (package@version → ids, in its test cassettes)
//! reproduced from the OSV data in the corpus, for the ecosystems the corpus holds
//! (Go, PyPI, crates.io).

mod common;
use common::corpus;

use rampart_core::{Ecosystem, Package};
use rampart_vuln::db::Db;
use rampart_vuln::import::{Sink, import_path};
use rampart_vuln::matcher::{MatchConfig, match_packages};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// (ecosystem, name, version) → ids OSV.dev answered.
fn recorded() -> BTreeMap<(String, String, String), BTreeSet<String>> {
    let dir = corpus("osv-scanner-source-scan/testdata/cassettes").unwrap();
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        for it in doc["interactions"].as_sequence().unwrap() {
            if !it["request"]["url"]
                .as_str()
                .unwrap_or_default()
                .ends_with("/v1/querybatch")
            {
                continue;
            }
            let req: serde_json::Value =
                serde_json::from_str(it["request"]["body"].as_str().unwrap()).unwrap();
            let Ok(resp) = serde_json::from_str::<serde_json::Value>(
                it["response"]["body"].as_str().unwrap_or("{}"),
            ) else {
                continue;
            };
            let (Some(queries), Some(results)) =
                (req["queries"].as_array(), resp["results"].as_array())
            else {
                continue;
            };
            for (q, r) in queries.iter().zip(results) {
                let eco = q["package"]["ecosystem"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if !["Go", "PyPI", "crates.io"].contains(&eco.as_str()) {
                    continue;
                }
                let (Some(name), Some(version)) =
                    (q["package"]["name"].as_str(), q["version"].as_str())
                else {
                    continue;
                };
                let ids: BTreeSet<String> = r["vulns"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v["id"].as_str().map(str::to_string))
                    .collect();
                out.insert((eco, name.to_string(), version.to_string()), ids);
            }
        }
    }
    out
}

/// When the cassettes were recorded (osv-scanner at 2026-08-07).
const RECORDED: &str = "2026-08-07";

/// Record id → `published`, and alias → `published` of its record, for every OSV record of
/// the three ecosystems in the corpus.
fn corpus_ids(root: &Path) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut ids = BTreeMap::new();
    let mut aliases = BTreeMap::new();
    let mut add = |text: &[u8]| {
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(text) else {
            return;
        };
        let published = v["published"].as_str().unwrap_or_default().to_string();
        if let Some(id) = v["id"].as_str() {
            ids.insert(id.to_string(), published.clone());
        }
        for a in v["aliases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str())
        {
            aliases.insert(a.to_string(), published.clone());
        }
    };
    for z in ["go-osv/Go-all.zip", "pypa-osv/PyPI-all.zip"] {
        let mut a = zip::ZipArchive::new(std::fs::File::open(root.join(z)).unwrap()).unwrap();
        for i in 0..a.len() {
            let mut f = a.by_index(i).unwrap();
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut buf).unwrap();
            add(&buf);
        }
    }
    for e in walk(&root.join("rustsec-osv/crates")) {
        add(&std::fs::read(e).unwrap());
    }
    (ids, aliases)
}

/// Differences where the corpus's record and OSV.dev's record of the time disagree.
const EXCEPTIONS: &[(&str, &str, &str)] = &[(
    "urllib3@1.24.3",
    "CVE-2021-33503",
    "the corpus's PYSEC-2021-108 says `introduced: 0`; OSV.dev's answer follows the GHSA advisory \
     (GHSA-q2q7-5pp4-w6pg), which starts the range at 1.25.4, where the vulnerable code appeared",
)];

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn recorded_osv_answers_reproduce() {
    let Some(root) = corpus("") else { return };
    let mut sink = Sink::default();
    for p in ["go-osv", "pypa-osv", "rustsec-osv"] {
        import_path(&root.join(p), &mut sink).unwrap();
    }
    // Every id the corpus knows, with its record's publication date.
    let (record_ids, alias_ids) = corpus_ids(&root);
    let db = Db::from_sink(sink, vec![], 0);
    let answers = recorded();
    let mut agree = 0;
    let mut explained = 0;
    let mut report = Vec::new();
    for ((eco, name, version), want) in &answers {
        let e = match eco.as_str() {
            "Go" => Ecosystem::Go,
            "PyPI" => Ecosystem::PyPI,
            _ => Ecosystem::Cargo,
        };
        let pkgs = [Package::new(name.clone(), version.clone(), e)];
        let found = match_packages(&db, &pkgs, None, &MatchConfig::default());
        let mut got_ids: BTreeSet<String> = BTreeSet::new();
        for f in &found {
            let all: BTreeSet<String> = std::iter::once(f.id.clone())
                .chain(f.aliases.iter().cloned())
                .collect();
            // OSV.dev answers every alias record separately (PYSEC and GHSA of one CVE);
            // rampart merges them into one finding that carries all their ids.
            let recorded: Vec<&String> = all.iter().filter(|i| want.contains(*i)).collect();
            if recorded.is_empty() {
                got_ids.insert(f.id.clone());
            }
            got_ids.extend(recorded.into_iter().cloned());
        }
        if &got_ids == want {
            agree += 1;
            continue;
        }
        // A recorded id that is no record of the corpus snapshot cannot be reproduced from it
        // (the GHSA records of PyPI are not in the corpus; their PYSEC twins may have other ranges).
        let missed: Vec<_> = want
            .difference(&got_ids)
            .filter(|i| record_ids.contains_key(*i))
            .collect();
        // An id OSV.dev did not answer is explained when its record was published after the
        // recording, or carries no publication date (Go's `0001-01-01`, records still in review).
        let key = format!("{name}@{version}");
        let extra: Vec<_> = got_ids
            .difference(want)
            .filter(|i| {
                let published = record_ids.get(*i).or_else(|| alias_ids.get(*i));
                let newer =
                    published.is_some_and(|p| p.as_str() >= RECORDED || p.starts_with("0001-"));
                let excepted = EXCEPTIONS.iter().any(|(k, id, _)| *k == key && id == i);
                !newer && !excepted
            })
            .collect();
        if missed.is_empty() && extra.is_empty() {
            explained += 1;
        } else {
            report.push(format!(
                "{eco} {name}@{version}: missed {missed:?} extra {extra:?}"
            ));
        }
    }
    println!(
        "{agree}/{} recorded answers agree exactly, {explained} differ only by records absent from or newer than the corpus",
        answers.len()
    );
    assert!(
        report.is_empty(),
        "unexplained differences:\n{}",
        report.join("\n")
    );
    assert_eq!((agree, explained), (19, 15));
}
