//! Dockerfile checks: rampart's own fixture (exact findings and an insta snapshot) and
//! Checkov's labelled Dockerfile fixtures (`success*` folders no finding of the mapped rule,
//! `failure*` folders at least one).

use rampart_misconfig::{Config, Misconfiguration, scan_dockerfile};
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");
const FIXTURE: &str = include_str!("fixtures/docker/Dockerfile");

fn render(found: &[Misconfiguration]) -> String {
    let mut v: Vec<&Misconfiguration> = found.iter().collect();
    v.sort_by(|a, b| (a.line, &a.rule_id).cmp(&(b.line, &b.rule_id)));
    v.iter()
        .map(|m| {
            format!(
                "{} {}:{} {}: {}",
                m.rule_id, m.file, m.line, m.resource, m.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn own_fixture_findings() {
    let (found, diags) = scan_dockerfile("Dockerfile", FIXTURE, &Config::default()).expect("scan");
    assert!(diags.is_empty(), "{diags:?}");
    let mut got: Vec<(&str, u32)> = found.iter().map(|m| (m.rule_id.as_str(), m.line)).collect();
    got.sort();
    let mut want = vec![
        ("docker-image-latest", 4),
        ("docker-secret-env", 5),
        ("docker-secret-env", 6),
        ("docker-add-remote", 9),
        ("docker-update-alone", 10),
        ("docker-apt-unpinned", 11),
        ("docker-apt-no-clean", 10),
        ("docker-curl-pipe-shell", 11),
        ("docker-root-user", 19),
        ("docker-expose-ssh", 20),
        ("docker-workdir-relative", 21),
        ("docker-no-healthcheck", 18),
    ];
    want.sort();
    assert_eq!(got, want, "\n{}", render(&found));
    insta::assert_snapshot!("dockerfile_fixture", render(&found));
}

#[test]
fn hostile_dockerfiles_do_not_panic() {
    for text in [
        "",
        "\\",
        "FROM",
        "RUN \\\n",
        "FROM a\nRUN <<",
        "FROM a\nRUN <<EOF\n",
        "FROM ${",
        "FROM $",
        "ENV",
        "ADD",
        "USER",
        "# escape=`\nRUN a `\n",
        "FROM a AS\nFROM a as b c",
        "ARG =x\nFROM ${:-}",
    ] {
        let r = scan_dockerfile("D", text, &Config::default());
        assert!(r.is_ok(), "{text:?}");
    }
    let cfg = Config {
        limits: rampart_misconfig::yaml::Limits {
            max_bytes: 10,
            ..Default::default()
        },
        ..Config::default()
    };
    let err = scan_dockerfile("big/Dockerfile", FIXTURE, &cfg).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("big/Dockerfile: line 1: file is "),
        "{err}"
    );
}

/// Checkov fixture folder -> rampart rule.
const FAMILIES: &[(&str, &str)] = &[
    ("AddExists", "docker-add-remote"),
    ("AliasIsUnique", "docker-duplicate-alias"),
    ("ExposePort22", "docker-expose-ssh"),
    ("HealthcheckExists", "docker-no-healthcheck"),
    ("MaintainerExists", "docker-maintainer"),
    ("ReferenceLatestTag", "docker-image-latest"),
    ("RootUser", "docker-root-user"),
    ("RunUsingAPT", "docker-apt-command"),
    ("UpdateNotAlone", "docker-update-alone"),
    ("UserExists", "docker-no-user"),
    ("WorkdirIsAbsolute", "docker-workdir-relative"),
];

#[test]
fn checkov_dockerfile_families_agree() {
    let root = Path::new(CORPUS).join("checkov-test-fixtures/dockerfile/checks");
    if !root.is_dir() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("corpus folder {} is missing (CI=true)", root.display());
        }
        eprintln!("note: {} missing; skipping", root.display());
        return;
    }
    let (mut total, mut agree, mut bad) = (0, 0, Vec::new());
    for (family, rule_id) in FAMILIES {
        let dir = root.join(format!("example_{family}"));
        let mut cases: Vec<PathBuf> = Vec::new();
        for verdict_dir in
            std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        {
            let verdict_dir = verdict_dir.expect("entry").path();
            for f in std::fs::read_dir(&verdict_dir).expect("read verdict dir") {
                cases.push(f.expect("entry").path());
            }
        }
        cases.sort();
        let (mut fam_total, mut fam_agree) = (0, 0);
        for f in cases {
            let verdict = f
                .parent()
                .and_then(|p| p.file_name())
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let expect_pass = if verdict.starts_with("success") {
                true
            } else if verdict.starts_with("failure") {
                false
            } else {
                continue;
            };
            let text = std::fs::read_to_string(&f).expect("read");
            let name = format!(
                "{family}/{verdict}/{}",
                f.file_name().unwrap_or_default().to_string_lossy()
            );
            let (found, _) = scan_dockerfile(&name, &text, &Config::default()).expect("scan");
            let hits: Vec<String> = found
                .iter()
                .filter(|m| m.rule_id == *rule_id)
                .map(|m| format!("{}: {}", m.line, m.message))
                .collect();
            fam_total += 1;
            if hits.is_empty() == expect_pass {
                fam_agree += 1;
            } else {
                bad.push(format!(
                    "{name} ({rule_id}): expected {verdict}, findings {hits:?}"
                ));
            }
        }
        println!("{family:<20} -> {rule_id:<26} {fam_agree}/{fam_total} agree");
        total += fam_total;
        agree += fam_agree;
    }
    println!(
        "checkov Dockerfile: {agree}/{total} labelled files agree over {} families",
        FAMILIES.len()
    );
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert_eq!(total, 34);
}

/// `cd /var/lib && rm -rf apt` deletes the apt lists as surely as
/// `rm -rf /var/lib/apt/lists/*`; a non-recursive rm or another directory does not.
#[test]
fn apt_lists_removed_after_cd() {
    let no_clean = |run: &str| {
        let text = format!("FROM debian:12\nUSER app\nHEALTHCHECK CMD true\nRUN {run}\n");
        let (found, _) = scan_dockerfile("Dockerfile", &text, &Config::default()).unwrap();
        found.iter().any(|m| m.rule_id == "docker-apt-no-clean")
    };
    let install = "apt-get update && apt-get install -y git=1:2.39.2-1";
    assert!(!no_clean(&format!(
        "{install} && cd /var/lib && rm -rf apt dpkg cache log"
    )));
    assert!(!no_clean(&format!(
        "{install} && cd /var/lib/apt && rm -r lists"
    )));
    assert!(!no_clean(&format!(
        "{install} && cd /tmp && rm -rf ../var/lib/apt/lists"
    )));
    assert!(!no_clean(&format!(
        "{install} && rm -rf /var/lib/apt/lists/*"
    )));
    assert!(no_clean(&format!("{install} && cd /var/lib && rm apt")));
    assert!(no_clean(&format!(
        "{install} && cd /var/cache && rm -rf apt"
    )));
    assert!(no_clean(install));
}
