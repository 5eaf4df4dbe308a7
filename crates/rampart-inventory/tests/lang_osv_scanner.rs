//! Package counts per lockfile against OSV-Scanner's recorded outputs
//! (`osv-scanner-source-scan/snapshots/command_test.snap`: "Scanned …/X file and found N
//! packages").

#[path = "lang_common.rs"]
mod common;

use rampart_inventory::lang::{LockfileKind, classify};

/// Files OSV-Scanner was pointed at under names rampart does not recognise by itself
/// (`--lockfile type:path`), with the kind they hold.
const RENAMED: &[(&str, LockfileKind)] = &[
    (
        "locks-insecure/my-package-lock.json",
        LockfileKind::PackageLockJson,
    ),
    ("locks-insecure/my-yarn.lock", LockfileKind::YarnLock),
    ("locks-many/replace-local.mod", LockfileKind::GoMod),
];

/// Files the corpus does not carry (see its SOURCE.md).
const ABSENT: &[&str] = &["artifact/javareach_test.jar"];

/// Where rampart's count differs from OSV-Scanner's on purpose: (file, rampart, reason).
const DISAGREE: &[(&str, usize, &str)] = &[
    (
        "locks-requirements/requirements-transitive.txt",
        1,
        "OSV-Scanner follows `-r requirements.txt` (+3); rampart never opens other files and \
         reports the include as a diagnostic",
    ),
    (
        "locks-scalibr/gems.locked",
        25,
        "nokogiri 1.18.2 is locked for two platforms: OSV-Scanner counts it twice, rampart \
         reports the gem version once",
    ),
    (
        "locks-many/replace-local.mod",
        0,
        "the only requirement is replaced by a local directory: OSV-Scanner reports the \
         directory `./fork/net` as a package without version; rampart reports no package",
    ),
];

fn expected_counts(snap: &str) -> Vec<(String, usize)> {
    const PREFIX: &str = "Scanned <rootdir>/testdata/";
    let mut out: Vec<(String, usize)> = Vec::new();
    for line in snap.lines() {
        let Some(rest) = line.trim().strip_prefix(PREFIX) else {
            continue;
        };
        let Some((file, tail)) = rest.split_once(" file and found ") else {
            continue;
        };
        let Some(n) = tail.split_whitespace().next().and_then(|n| n.parse().ok()) else {
            continue;
        };
        if !out.iter().any(|(f, _)| f == file) {
            out.push((file.to_string(), n));
        }
    }
    out
}

#[test]
fn package_counts_match_osv_scanner() {
    let Some(root) = common::corpus("osv-scanner-source-scan") else {
        return;
    };
    let snap = std::fs::read_to_string(root.join("snapshots/command_test.snap")).expect("snapshot");
    let expected = expected_counts(&snap);
    assert_eq!(expected.len(), 77, "distinct files in the snapshot");
    let mut checked = 0;
    let mut failures = Vec::new();
    for (file, want) in &expected {
        let kind =
            classify(file).or_else(|| RENAMED.iter().find(|(f, _)| f == file).map(|(_, k)| *k));
        let Some(kind) = kind else { continue }; // SBOMs, OS databases, other ecosystems
        if ABSENT.contains(&file.as_str()) {
            continue;
        }
        let path = root.join("testdata").join(file);
        let got = match common::parse_file(kind, &path) {
            Ok((pkgs, _)) => pkgs.len(),
            Err(e) => {
                failures.push(format!("{file}: {e}"));
                continue;
            }
        };
        checked += 1;
        let want = DISAGREE
            .iter()
            .find(|(f, _, _)| f == file)
            .map_or(*want, |(_, n, _)| *n);
        if got != want {
            failures.push(format!("{file}: rampart {got}, expected {want}"));
        }
    }
    assert!(
        failures.is_empty(),
        "disagreements:\n{}",
        failures.join("\n")
    );
    assert_eq!(checked, 47, "lockfiles compared");
}

#[test]
fn invalid_lockfile_is_an_error_naming_the_file() {
    let Some(root) = common::corpus("osv-scanner-source-scan") else {
        return;
    };
    let path = root.join("testdata/locks-many-with-invalid/composer.lock");
    let err =
        common::parse_file(LockfileKind::ComposerLock, &path).expect_err("invalid composer.lock");
    let msg = err.to_string();
    assert!(
        msg.contains("locks-many-with-invalid/composer.lock") && msg.contains("invalid JSON"),
        "{msg}"
    );
}

/// The snapshot's blocks: `[TestName - 1]` → its text (stdout of that test case).
fn snapshot_blocks(snap: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in snap.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(" - 1]")) {
            out.push((name.to_string(), String::new()));
        } else if line.starts_with('[') && line.ends_with(']') && line.contains(" - ") {
            out.push((String::new(), String::new())); // stderr and later blocks: not used
        } else if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    out.retain(|(n, _)| !n.is_empty());
    out
}

/// `(test name, ecosystem, name@version)` of every package OSV-Scanner queried OSV.dev for.
fn cassette_queries(dir: &std::path::Path) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("cassettes") {
        let path = e.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("cassette");
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("cassette YAML");
        for i in doc["interactions"].as_sequence().into_iter().flatten() {
            let req = &i["request"];
            if !req["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("/v1/querybatch"))
            {
                continue;
            }
            let test = req["headers"]["X-Test-Name"][0]
                .as_str()
                .unwrap_or("")
                .to_string();
            let body: serde_json::Value =
                serde_json::from_str(req["body"].as_str().unwrap_or("{}")).expect("body");
            for q in body["queries"].as_array().into_iter().flatten() {
                let (eco, name) = (&q["package"]["ecosystem"], &q["package"]["name"]);
                let (Some(eco), Some(name), Some(version)) =
                    (eco.as_str(), name.as_str(), q["version"].as_str())
                else {
                    continue;
                };
                out.push((test.clone(), eco.to_string(), format!("{name}@{version}")));
            }
        }
    }
    out
}

/// Where a test case scanned exactly one lockfile rampart reads, the packages OSV-Scanner
/// sent to OSV.dev (the recorded `querybatch` bodies) are exactly rampart's packages.
#[test]
fn package_lists_match_osv_queries() {
    let Some(root) = common::corpus("osv-scanner-source-scan") else {
        return;
    };
    let snap = std::fs::read_to_string(root.join("snapshots/command_test.snap")).expect("snapshot");
    let queries = cassette_queries(&root.join("testdata/cassettes"));
    let mut compared = 0;
    let mut failures = Vec::new();
    for (test, text) in snapshot_blocks(&snap) {
        let scanned: Vec<(String, usize)> = expected_counts(&text);
        let [(file, _)] = scanned.as_slice() else {
            continue;
        };
        let kind =
            classify(file).or_else(|| RENAMED.iter().find(|(f, _)| f == file).map(|(_, k)| *k));
        let Some(kind) = kind else { continue };
        if ABSENT.contains(&file.as_str()) || DISAGREE.iter().any(|(f, _, _)| f == file) {
            continue;
        }
        // Transitive runs resolve dependencies through package registries: their queries hold
        // packages no lockfile lists.
        // Call-analysis runs leave `stdlib` to govulncheck instead of querying it.
        if test.starts_with("TestCommand_Transitive/")
            || test.starts_with("TestCommand_CallAnalysis/")
        {
            continue;
        }
        let eco = kind.ecosystem().osv_name();
        let want: std::collections::BTreeSet<String> = queries
            .iter()
            .filter(|(t, e, _)| *t == test && e == eco)
            .map(|(_, _, id)| id.clone())
            .collect();
        if want.is_empty() {
            continue; // not queried (offline runs, or nothing to query)
        }
        let (pkgs, _) = common::parse_file(kind, &root.join("testdata").join(file))
            .unwrap_or_else(|e| panic!("{e}"));
        // OSV-Scanner queries Go modules without the `v` prefix.
        let got: std::collections::BTreeSet<String> = pkgs
            .iter()
            .map(|p| match p.version.strip_prefix('v') {
                Some(v) if p.ecosystem == rampart_core::Ecosystem::Go => format!("{}@{v}", p.name),
                _ => format!("{}@{}", p.name, p.version),
            })
            .collect();
        if got != want {
            failures.push(format!(
                "{test} ({file}): rampart {got:?}, OSV-Scanner {want:?}"
            ));
        }
        compared += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{compared} test cases compared");
    assert_eq!(compared, 28, "test cases compared");
}
