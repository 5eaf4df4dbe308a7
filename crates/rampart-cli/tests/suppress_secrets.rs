//! Secrets under a `.rampartignore` (or `--ignorefile`) entry: gone without
//! `--show-suppressed`, kept and marked with the entry's reason with it (JSON `suppressed`,
//! SARIF `suppressions[]`, the table's own section), never failing `--exit-code`, and never
//! printed whole in any case.

mod common;

use common::*;
use std::path::Path;

/// A GitHub classic token built at run time (no literal credential in the sources): `ghp_`
/// and 36 alphanumerics from a fixed pseudo-random sequence.
fn planted_token() -> String {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let body: String = (0..36)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ALNUM[(x % ALNUM.len() as u64) as usize] as char
        })
        .collect();
    format!("ghp_{body}")
}

const REASON: &str = "revoked test token, ticket SEC-9";

/// A tree with the token in `src/settings.env`, and (with `ignore`) a `.rampartignore`
/// entry for `secret-github-pat` scoped to `src/*`.
fn tree(token: &str, ignore: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/settings.env"),
        format!("APP_NAME=web\nGITHUB_TOKEN={token}\n"),
    )
    .unwrap();
    if let Some(entry) = ignore {
        std::fs::write(dir.path().join(".rampartignore"), entry).unwrap();
    }
    dir
}

fn live_entry() -> String {
    format!("- id: secret-github-pat\n  path: src/*\n  reason: {REASON}\n")
}

/// Run a secret scan of `dir` with `extra` arguments; returns (exit code, stdout), failing
/// on an error exit or when the full token (or a slice of it) shows up anywhere.
fn scan(dir: &Path, token: &str, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["scan", "fs", dir.to_str().unwrap(), "--scanners", "secret"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    assert_ne!(code, 2, "rampart {args:?} failed: {err}");
    for leak in [token, &token[8..24]] {
        assert!(
            !out.contains(leak) && !err.contains(leak),
            "rampart {args:?} prints the planted token"
        );
    }
    (code, out)
}

/// (rule_id, file, suppressed) of every secret in a JSON report.
fn secrets(out: &str) -> Vec<(String, String, Option<String>)> {
    parse_json(out)["secrets"]
        .as_array()
        .unwrap_or_else(|| panic!("no secrets[] in {out}"))
        .iter()
        .map(|s| {
            (
                text(s, "rule_id").to_string(),
                text(s, "file").to_string(),
                s["suppressed"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn ignored_secrets_are_dropped_or_kept_marked() {
    let token = planted_token();
    let gate = ["--exit-code", "1"];

    // Without an ignore file the secret is found and fails the gate.
    let open = tree(&token, None);
    let (code, out) = scan(
        open.path(),
        &token,
        &[&gate[..], &["--format", "json"]].concat(),
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        secrets(&out),
        vec![(
            "secret-github-pat".to_string(),
            "src/settings.env".to_string(),
            None
        )]
    );

    // With the entry: gone, and the gate passes.
    let dir = tree(&token, Some(&live_entry()));
    let (code, out) = scan(
        dir.path(),
        &token,
        &[&gate[..], &["--format", "json"]].concat(),
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(secrets(&out), vec![]);

    // With `--show-suppressed`: listed with the reason, still redacted, gate still passes.
    let (code, out) = scan(
        dir.path(),
        &token,
        &[&gate[..], &["--format", "json", "--show-suppressed"]].concat(),
    );
    assert_eq!(code, 0, "{out}");
    validate_report_json(&out);
    assert_eq!(
        secrets(&out),
        vec![(
            "secret-github-pat".to_string(),
            "src/settings.env".to_string(),
            Some(format!("ignore-file: {REASON}"))
        )]
    );
    let redacted = parse_json(&out)["secrets"][0]["redacted"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(redacted.starts_with("ghp_"), "{out}");
}

#[test]
fn show_suppressed_marks_secrets_in_sarif_and_table() {
    let token = planted_token();
    let dir = tree(&token, Some(&live_entry()));

    let (code, out) = scan(
        dir.path(),
        &token,
        &["--format", "sarif", "--show-suppressed", "--exit-code", "1"],
    );
    assert_eq!(code, 0, "{out}");
    let sarif = parse_json(&out);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let hit = results
        .iter()
        .find(|x| x["ruleId"] == "secret-github-pat")
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        hit["suppressions"],
        serde_json::json!([{
            "kind": "external",
            "status": "accepted",
            "justification": REASON,
            "properties": {"origin": "ignore-file"},
        }])
    );
    let (_, out) = scan(dir.path(), &token, &["--format", "sarif"]);
    assert!(
        parse_json(&out)["runs"][0]["results"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{out}"
    );

    let (code, table) = scan(
        dir.path(),
        &token,
        &["--format", "table", "--show-suppressed", "--exit-code", "1"],
    );
    assert_eq!(code, 0, "{table}");
    assert!(table.contains("1 secrets (1 suppressed)"), "{table}");
    let (before, suppressed) = table
        .split_once("Suppressed secrets (1, not counted by --exit-code)")
        .unwrap_or_else(|| panic!("{table}"));
    assert!(!before.contains("src/settings.env"), "{table}");
    assert!(suppressed.contains("src/settings.env:2"), "{table}");
    assert!(
        suppressed.contains(&format!("ignore-file: {REASON}")),
        "{table}"
    );
    let (_, plain) = scan(dir.path(), &token, &["--format", "table"]);
    assert!(!plain.contains("uppressed"), "{plain}");
}

#[test]
fn ignorefile_flag_path_globs_and_expiry_apply_to_secrets() {
    let token = planted_token();
    let dir = tree(&token, None);
    let elsewhere = tempfile::tempdir().unwrap();
    let ignore = elsewhere.path().join("ignore.yaml");
    let ignore_arg = ignore.to_str().unwrap();
    let json = |extra: &[&str]| {
        let mut args = vec![
            "--ignorefile",
            ignore_arg,
            "--format",
            "json",
            "--exit-code",
            "1",
            "--show-suppressed",
        ];
        args.extend_from_slice(extra);
        let (code, out) = scan(dir.path(), &token, &args);
        (code, secrets(&out))
    };

    // `--ignorefile` outside the tree works like `.rampartignore`.
    std::fs::write(&ignore, live_entry()).unwrap();
    let (code, found) = json(&[]);
    assert_eq!(code, 0, "{found:?}");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].2.as_deref(),
        Some(format!("ignore-file: {REASON}").as_str())
    );

    // A path glob that does not cover the file, or another rule id, suppresses nothing.
    for entry in [
        "- id: secret-github-pat\n  path: test/**\n",
        "- id: secret-slack-token\n",
    ] {
        std::fs::write(&ignore, entry).unwrap();
        let (code, found) = json(&[]);
        assert_eq!(code, 1, "{entry}: {found:?}");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].2, None, "{entry}");
    }

    // An expired entry stops suppressing: the secret is open and fails the gate again.
    std::fs::write(
        &ignore,
        "- id: secret-github-pat\n  reason: old\n  expires: 2020-01-01\n",
    )
    .unwrap();
    let (code, found) = json(&[]);
    assert_eq!(code, 1, "{found:?}");
    assert_eq!(found[0].2, None, "{found:?}");
}
