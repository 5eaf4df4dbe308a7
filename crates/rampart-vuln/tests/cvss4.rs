//! CVSS v4.0 scores against Red Hat's `cvss` library (FIRST's reference algorithm), run over
//! every CVSS_V4 vector in the corpus, the calculator's examples and 3,000 random vectors
//! (`fixtures/cvss4/generate.py` wrote `scores.tsv`); and what a v4 score does to severity.

mod common;
use common::corpus;

use rampart_core::{Ecosystem, Package, Severity};
use rampart_vuln::cvss::{base_score, v4_score};
use rampart_vuln::db::Db;
use rampart_vuln::import::{Sink, import_bytes, import_path};
use rampart_vuln::matcher::{MatchConfig, match_packages};
use std::collections::BTreeMap;

fn oracle() -> BTreeMap<String, f64> {
    let text = include_str!("fixtures/cvss4/scores.tsv");
    text.lines()
        .map(|l| {
            let (v, s) = l.split_once('\t').expect("vector<TAB>score");
            (v.to_string(), s.parse().expect("score"))
        })
        .collect()
}

#[test]
fn scores_agree_with_the_reference_implementation() {
    let oracle = oracle();
    assert!(oracle.len() > 3000);
    let wrong: Vec<String> = oracle
        .iter()
        .filter(|(v, s)| v4_score(v) != Some(**s))
        .map(|(v, s)| format!("{v}: expected {s}, got {:?}", v4_score(v)))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn known_scores() {
    for (v, s) in [
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            9.3,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
            10.0,
        ),
        (
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
            0.0,
        ),
        // Threat metrics lower it; supplemental metrics do not change it.
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",
            8.1,
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/AU:Y/R:I",
            9.3,
        ),
    ] {
        assert_eq!(v4_score(v), Some(s), "{v}");
        assert_eq!(base_score(v), Some(s), "{v}");
    }
    assert_eq!(
        base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        Some(9.8)
    );
    for bad in [
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
        "CVSS:4.0/AV:X/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "CVSS:4.0/AV:N/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/ZZ:1",
        "CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "",
    ] {
        assert_eq!(v4_score(bad), None, "{bad}");
    }
}

#[test]
fn every_corpus_v4_vector_is_scored() {
    let Some(dir) = corpus("rustsec-osv") else {
        return;
    };
    let oracle = oracle();
    let mut sink = Sink::default();
    import_path(&dir, &mut sink).unwrap();
    let mut seen = 0;
    for a in &sink.advisories {
        for c in a.cvss.iter().filter(|c| c.vector.starts_with("CVSS:4.0/")) {
            let expected = oracle
                .get(&c.vector)
                .unwrap_or_else(|| panic!("{}: {} not in scores.tsv", a.id, c.vector));
            assert_eq!(c.score, *expected, "{}: {}", a.id, c.vector);
            seen += 1;
        }
    }
    assert!(seen >= 50, "only {seen} CVSS v4 ratings in the corpus");
}

fn record(id: &str, severity: &str) -> String {
    format!(
        r#"{{"id":"{id}","affected":[{{"package":{{"ecosystem":"crates.io","name":"{id}"}},
        "ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"2.0.0"}}]}}]}}],
        "severity":[{severity}]}}"#
    )
}

/// Severity: the CVSS v3 score when there is one, else the v4 score computed from the vector.
#[test]
fn severity_prefers_v3_then_v4() {
    let v3 = r#"{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"}"#;
    let v4 = r#"{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}"#;
    let mut sink = Sink::default();
    import_bytes(
        "both.json",
        record("both", &format!("{v3},{v4}")).as_bytes(),
        &mut sink,
    );
    import_bytes("v4.json", record("only-v4", v4).as_bytes(), &mut sink);
    let db = Db::from_sink(sink, vec![], 0);
    let pkgs = [
        Package::new("both", "1.0.0", Ecosystem::Cargo),
        Package::new("only-v4", "1.0.0", Ecosystem::Cargo),
    ];
    let found = match_packages(&db, &pkgs, None, &MatchConfig::default());
    let by_id: BTreeMap<&str, &rampart_vuln::matcher::Finding> =
        found.iter().map(|f| (f.id.as_str(), f)).collect();
    // v3.1 5.9 (medium) wins over v4.0 9.3 (critical); both stay in the finding.
    assert_eq!(by_id["both"].severity, Severity::Medium);
    let scores: Vec<f64> = by_id["both"].cvss.iter().map(|c| c.score).collect();
    assert_eq!(scores, [5.9, 9.3]);
    assert_eq!(by_id["only-v4"].severity, Severity::Critical);
    assert_eq!(by_id["only-v4"].cvss[0].score, 9.3);
}
