//! NVD CVE JSON (API 2.0) adds descriptions and CVSS to matches of other feeds: a RustSec
//! record with no rating of its own gets NVD's vector, its score recomputed from the vector,
//! and the severity that score gives.

use rampart_core::{Ecosystem, Package, Severity};
use rampart_vuln::db::Db;
use rampart_vuln::import::{Sink, import_bytes, import_path};
use rampart_vuln::matcher::{MatchConfig, match_packages};
use std::path::Path;

#[test]
fn nvd_ratings_enrich_matches() {
    let mut sink = Sink::default();
    import_path(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nvd-cve-2.0.json"),
        &mut sink,
    )
    .unwrap();
    import_bytes(
        "RUSTSEC-2021-0003.json",
        br#"{"id": "RUSTSEC-2021-0003", "modified": "2021-01-01T00:00:00Z", "aliases": ["CVE-2021-25900"],
            "affected": [{"package": {"ecosystem": "crates.io", "name": "smallvec"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.6.1"}]}]}]}"#,
        &mut sink,
    );
    assert!(sink.diagnostics.is_empty(), "{:?}", sink.diagnostics);
    assert_eq!(sink.cve_info.len(), 1);
    let db = Db::from_sink(sink, vec![], 0);
    let info = db.cve("CVE-2021-25900").unwrap();
    assert!(
        info.description
            .starts_with("An issue was discovered in the smallvec crate")
    );
    assert_eq!(info.cvss[0].score, 9.8);
    let found = match_packages(
        &db,
        &[Package::new("smallvec", "1.6.0", Ecosystem::Cargo)],
        None,
        &MatchConfig::default(),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "CVE-2021-25900");
    assert_eq!(found[0].severity, Severity::Critical);
    assert_eq!(found[0].fixed_version.as_deref(), Some("1.6.1"));
    assert_eq!(
        found[0].cvss[0].vector,
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    );
}

#[test]
fn legacy_feed_and_bad_documents() {
    let mut sink = Sink::default();
    import_bytes(
        "nvdcve-1.1-2021.json",
        br#"{"CVE_data_type": "CVE", "CVE_Items": [{"cve": {"CVE_data_meta": {"ID": "CVE-2021-1"},
            "description": {"description_data": [{"lang": "en", "value": "x"}]}},
            "impact": {"baseMetricV3": {"cvssV3": {"vectorString": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", "baseScore": 7.8}}}},
            {"cve": {}}]}"#,
        &mut sink,
    );
    assert_eq!(sink.cve_info["CVE-2021-1"].cvss[0].score, 7.8);
    assert_eq!(sink.diagnostics.len(), 1, "{:?}", sink.diagnostics);
    assert!(sink.diagnostics[0].message.contains("without an id"));
}
