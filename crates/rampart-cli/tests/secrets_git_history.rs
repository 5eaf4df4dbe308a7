//! `scan fs --git-history`: secrets committed and later removed are still found in the
//! repository's history, reported with the commit that added them; so are secrets that
//! live only on another branch or behind a tag. The repository is made here with `git`.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

// Built here from the providers' formats; not real credentials.
const GITHUB: &str = "ghp_Zx9Qv2Lm7Tn4Rb8Kc1Wd6Hs3Jf5Gp0Ya2Xe7";
const SLACK: &str = "xoxb-2750165332-1384763525913-QeKfZt0bX7cVn4mL8pRs2Wd9";

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .output()
        .expect("git (run scripts/setup)");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn commit(dir: &Path, msg: &str, date: &str) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(["-c", "commit.gpgsign=false", "commit", "-q", "-m", msg])
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    git(dir, &["rev-parse", "HEAD"])
}

#[test]
fn removed_and_branch_only_secrets_are_reported_with_their_commits() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join("config")).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("README.md"), "# service\n").unwrap();
    std::fs::write(
        repo.join("config/settings.env"),
        format!("LOG_LEVEL=info\nGITHUB_TOKEN={GITHUB}\n"),
    )
    .unwrap();
    git(&repo, &["add", "-A"]);
    let added = commit(&repo, "add settings", "2026-01-01T00:00:00Z");

    // The token is removed; an unrelated change and a rename follow.
    std::fs::write(repo.join("config/settings.env"), "LOG_LEVEL=info\n").unwrap();
    git(&repo, &["add", "-A"]);
    let removed = commit(&repo, "remove token", "2026-01-02T00:00:00Z");
    std::fs::write(repo.join("README.md"), "# service\n\nmore docs\n").unwrap();
    git(&repo, &["add", "-A"]);
    commit(&repo, "docs", "2026-01-03T00:00:00Z");

    // A secret that lives only on a side branch, tagged, then the branch is deleted.
    git(&repo, &["checkout", "-q", "-b", "experiment", &removed]);
    std::fs::write(
        repo.join("notify.sh"),
        format!("#!/bin/sh\ncurl -H 'Authorization: Bearer {SLACK}' https://slack.com/api/chat.postMessage\n"),
    )
    .unwrap();
    git(&repo, &["add", "-A"]);
    let side = commit(&repo, "notify", "2026-01-04T00:00:00Z");
    git(&repo, &["tag", "-a", "-m", "keep", "v0-experiment"]);
    git(&repo, &["checkout", "-q", "main"]);
    git(&repo, &["branch", "-q", "-D", "experiment"]);

    // The working tree holds no secret: without history nothing is found.
    let (code, out, err) = run(&[
        "scan",
        "fs",
        repo.to_str().unwrap(),
        "--scanners",
        "secret",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let r = parse_json(&out);
    assert!(r["secrets"].as_array().unwrap().is_empty(), "{out}");

    let (code, out, err) = run(&[
        "scan",
        "fs",
        repo.to_str().unwrap(),
        "--scanners",
        "secret",
        "--git-history",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let r = parse_json(&out);
    let secrets = r["secrets"].as_array().unwrap();
    let gh = secrets
        .iter()
        .find(|s| s["file"] == "config/settings.env")
        .unwrap_or_else(|| panic!("{secrets:#?}"));
    assert!(
        gh["rule_id"].as_str().unwrap().starts_with("secret-github"),
        "{gh}"
    );
    assert_eq!(gh["commit"], added.as_str());
    assert_eq!(gh["line"], 2);
    let slack = secrets
        .iter()
        .find(|s| s["file"] == "notify.sh")
        .unwrap_or_else(|| panic!("{secrets:#?}"));
    assert_eq!(slack["commit"], side.as_str());
    assert_eq!(secrets.len(), 2, "{secrets:#?}");
    assert!(!out.contains(GITHUB) && !out.contains(SLACK));
    validate_report_json(&out);

    // A secret still in the working tree is reported once, with the commit that added it.
    std::fs::write(repo.join("deploy.env"), format!("TOKEN={GITHUB}\n")).unwrap();
    git(&repo, &["add", "-A"]);
    let again = commit(&repo, "re-add", "2026-01-05T00:00:00Z");
    let (_, out, _) = run(&[
        "scan",
        "fs",
        repo.to_str().unwrap(),
        "--scanners",
        "secret",
        "--git-history",
        "--format",
        "json",
    ]);
    let r = parse_json(&out);
    let deploy: Vec<&serde_json::Value> = r["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["file"] == "deploy.env")
        .collect();
    assert_eq!(deploy.len(), 1, "{deploy:#?}");
    assert_eq!(deploy[0]["commit"], again.as_str());
}

#[test]
fn git_history_needs_a_repository_and_fs() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&["scan", "fs", tmp.path().to_str().unwrap(), "--git-history"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--git-history needs a git repository"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "scan",
        "fs",
        tmp.path().to_str().unwrap(),
        "--git-history",
        "--scanners",
        "malware",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--git-history applies to `scan fs`"), "{err}");
}
