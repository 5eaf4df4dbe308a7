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
