//! Suppressions: OpenVEX statements and `.rampartignore` entries hide what they cover, with
//! `--show-suppressed` they stay marked, and an expired entry stops suppressing and says so.

mod common;

use common::*;
use std::path::Path;

const LOCK: &str = "version = 3\n\n[[package]]\nname = \"smallvec\"\nversion = \"1.6.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

fn ids(dir: &Path, db: &Path, extra: &[&str]) -> (Vec<(String, Option<String>)>, String) {
    let mut args = vec![
        "scan",
        "fs",
        dir.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let v = r["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_string(),
                v["suppressed"].as_str().map(str::to_string),
            )
        })
        .collect();
    let diags = r["diagnostics"].to_string();
    (v, diags)
}

#[test]
fn vex_and_ignore_file() {
    let Some(rustsec) = corpus("rustsec-osv") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("r.db");
    let (code, _, err) = run(&[
        "db",
        "import",
        rustsec.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    let app = tmp.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("Cargo.lock"), LOCK).unwrap();

    let (found, _) = ids(&app, &db, &[]);
    let all: Vec<&str> = found.iter().map(|(i, _)| i.as_str()).collect();
    assert!(all.contains(&"CVE-2021-25900"), "{all:?}");

    // OpenVEX: not_affected for this package (no version: every version).
    let vex = tmp.path().join("vex.json");
    std::fs::write(
        &vex,
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "GHSA-43w2-9j62-hq99"},
            "products": [{"@id": "pkg:cargo/smallvec"}], "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    let (found, _) = ids(&app, &db, &["--vex", vex.to_str().unwrap()]);
    assert!(
        !found.iter().any(|(i, _)| i == "CVE-2021-25900"),
        "{found:?}"
    );
    let (found, _) = ids(
        &app,
        &db,
        &["--vex", vex.to_str().unwrap(), "--show-suppressed"],
    );
    let hit = found.iter().find(|(i, _)| i == "CVE-2021-25900").unwrap();
    assert_eq!(
        hit.1.as_deref(),
        Some("vex:not_affected: vulnerable_code_not_in_execute_path")
    );

    // .rampartignore in the scanned directory: live, then expired.
    std::fs::write(app.join(".rampartignore"), "- id: CVE-2021-25900\n  purl: pkg:cargo/smallvec\n  reason: tested safe\n  expires: 2999-01-01\n").unwrap();
    let (found, _) = ids(&app, &db, &[]);
    assert!(
        !found.iter().any(|(i, _)| i == "CVE-2021-25900"),
        "{found:?}"
    );
    std::fs::write(
        app.join(".rampartignore"),
        "- id: CVE-2021-25900\n  reason: tested safe\n  expires: 2020-01-01\n",
    )
    .unwrap();
    let (found, diags) = ids(&app, &db, &[]);
    assert!(
        found.iter().any(|(i, _)| i == "CVE-2021-25900"),
        "{found:?}"
    );
    assert!(
        diags.contains("suppression of CVE-2021-25900 expired on 2020-01-01"),
        "{diags}"
    );

    // A broken ignore file is an error naming it.
    std::fs::write(app.join(".rampartignore"), "- id: X\n  expires: tomorrow\n").unwrap();
    let (code, _, err) = run(&[
        "scan",
        "fs",
        app.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains(".rampartignore: entry X: expires \"tomorrow\""),
        "{err}"
    );
}
