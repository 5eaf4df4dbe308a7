//! Every feed in the corpus imports, with exactly the records it holds; bad feeds are
//! skipped with counted warnings; a database round-trips through its file, and a file of
//! another schema or none at all is refused with a clear message.

mod common;
use common::corpus;

use rampart_vuln::db::{Db, SCHEMA_VERSION};
use rampart_vuln::import::{Sink, import_bytes, import_path};

fn import(sub: &str, file: &str) -> Option<Sink> {
    let p = corpus(sub)?.join(file);
    let mut sink = Sink::default();
    import_path(&p, &mut sink).unwrap_or_else(|e| panic!("{e}"));
    Some(sink)
}

#[test]
fn every_corpus_feed_imports() {
    // (folder, file, advisories, withdrawn, warnings). Counts were checked independently:
    // records in each zip/directory minus the withdrawn ones; distinct ids for the secdbs.
    let cases: &[(&str, &str, usize, usize, usize)] = &[
        ("debian-osv", "Debian-all.zip", 2652, 0, 0),
        ("almalinux-osv", "AlmaLinux9-all.zip", 1783, 0, 0),
        ("rustsec-osv", "crates", 1193, 13, 0),
        ("pypa-osv", "PyPI-all.zip", 2651, 10, 0),
        ("go-osv", "Go-all.zip", 4274, 17, 0),
        ("ghsa-npm-sample", "advisories", 6, 0, 0),
        ("alpine-secdb-2020", "", 2582, 0, 0),
        ("alpine-secdb-v3.20-subset", "", 293, 0, 0),
        // One CVE of the excerpt has no `releases` at all: a counted warning.
        (
            "debian-tracker-json-samples",
            "vunnel/input/debian.json",
            6,
            0,
            1,
        ),
        ("debian-tracker-json-samples", "osv.dev", 3, 0, 0),
    ];
    for &(sub, file, advisories, withdrawn, warnings) in cases {
        let Some(sink) = import(sub, file) else {
            return;
        };
        assert_eq!(
            (
                sink.advisories.len(),
                sink.withdrawn,
                sink.diagnostics.len()
            ),
            (advisories, withdrawn, warnings),
            "{sub}/{file}: {:?}",
            sink.diagnostics
        );
        assert!(
            sink.unknown_ecosystems.is_empty(),
            "{sub}: {:?}",
            sink.unknown_ecosystems
        );
    }
}

#[test]
fn full_corpus_database_round_trips() {
    let Some(root) = corpus("") else { return };
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
        import_path(&root.join(p), &mut sink).unwrap();
    }
    let n = sink.advisories.len();
    let db = Db::from_sink(sink, vec!["corpus".into()], 1_700_000_000);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("rampart.db");
    db.write(&path).unwrap();
    let meta = Db::read_meta(&path).unwrap();
    assert_eq!(meta.schema_version, SCHEMA_VERSION);
    assert_eq!(meta.advisories, n);
    assert_eq!(meta.built_at, 1_700_000_000);
    let back = Db::open(&path).unwrap();
    assert_eq!(back.advisories(), db.advisories());
    assert_eq!(
        back.lookup("crates.io", "smallvec").count(),
        db.lookup("crates.io", "smallvec").count()
    );
    assert_eq!(db.lookup("debian:11", "openssl").count(), 5);
    assert_eq!(db.lookup("debian:11", "chromium").count(), 39);
}

#[test]
fn foreign_and_future_files_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("x.db");
    std::fs::write(&p, b"hello, not a database").unwrap();
    assert_eq!(
        Db::open(&p).unwrap_err().to_string(),
        format!("{}: not a rampart database", p.display())
    );
    let mut future = b"RAMPARTDB\0".to_vec();
    future.extend_from_slice(&(SCHEMA_VERSION + 1).to_le_bytes());
    future.extend_from_slice(&0u32.to_le_bytes());
    std::fs::write(&p, &future).unwrap();
    let e = Db::open(&p).unwrap_err().to_string();
    assert!(
        e.contains(&format!("schema version {}", SCHEMA_VERSION + 1))
            && e.contains("rampart db import"),
        "{e}"
    );
    std::fs::write(&p, b"RAMP").unwrap();
    assert!(Db::open(&p).unwrap_err().to_string().contains("too short"));
}

#[test]
fn bad_records_are_skipped_and_counted() {
    let mut sink = Sink::default();
    import_bytes("garbage.json", b"{not json", &mut sink);
    import_bytes("array.json", br#"[{"id": 5}, {"id": "OK-1", "affected": [{"package": {"ecosystem": "crates.io", "name": "a"}, "versions": ["1.0.0"]}]}]"#, &mut sink);
    import_bytes("unknown.json", br#"{"id": "X-1", "modified": "", "affected": [{"package": {"ecosystem": "Hackage", "name": "a"}, "versions": ["1"]}]}"#, &mut sink);
    import_bytes("dup.json", br#"{"id": "OK-1", "modified": "", "affected": [{"package": {"ecosystem": "crates.io", "name": "a"}, "versions": ["1.0.0"]}]}"#, &mut sink);
    import_bytes("empty.json", br#"{"id": "E-1", "modified": "", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}}]}"#, &mut sink);
    assert_eq!(sink.advisories.len(), 1);
    assert_eq!(sink.duplicates, 1);
    assert_eq!(
        sink.unknown_ecosystems.iter().collect::<Vec<_>>(),
        ["Hackage"]
    );
    let msgs: Vec<String> = sink.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        msgs[0].starts_with("garbage.json: not a feed")
            || msgs[0].starts_with("garbage.json: not JSON"),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("array.json: not an OSV record")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("duplicate record OK-1")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("neither ranges nor versions")),
        "{msgs:?}"
    );

    // A truncated zip is an error naming the file; nothing is imported from it.
    let Some(zip) = corpus("debian-osv/Debian-all.zip") else {
        return;
    };
    let bytes = std::fs::read(zip).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let cut = tmp.path().join("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let mut sink = Sink::default();
    let e = import_path(&cut, &mut sink).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{}: not a readable zip", cut.display())),
        "{e}"
    );
}
