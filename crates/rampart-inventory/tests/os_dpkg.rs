//! dpkg status files from the corpus against `dpkg-query`, plus hand-written edge cases.

use rampart_core::{OsInfo, Package};
use rampart_inventory::os::{parse_dpkg_status, parse_dpkg_status_d};
use std::path::{Path, PathBuf};
use std::process::Command;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/os");

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// A corpus file, or `None` (after a note) when the corpus is absent outside CI.
fn corpus(rel: &str) -> Option<PathBuf> {
    let p = Path::new(CORPUS).join("os-pkgdb-fixtures").join(rel);
    if p.exists() {
        return Some(p);
    }
    assert!(!ci(), "corpus file {} is missing (CI=true)", p.display());
    eprintln!("note: {} missing; test skipped", p.display());
    None
}

/// The `var/lib/dpkg/status` member of a txtar archive.
fn txtar_status(path: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("-- ") && line.trim_end().ends_with(" --") {
            inside = line.trim_end() == "-- var/lib/dpkg/status --";
            continue;
        }
        if inside {
            out.push_str(line);
        }
    }
    assert!(!out.is_empty(), "{}: no status member", path.display());
    out.into_bytes()
}

fn ubuntu() -> OsInfo {
    OsInfo {
        family: "ubuntu".into(),
        version: "18.04".into(),
        name: None,
    }
}

/// `Package\tVersion\tArchitecture\tsource:Package\tsource:Version` lines of a package list.
fn lines(pkgs: &[Package]) -> Vec<String> {
    let mut l: Vec<String> = pkgs
        .iter()
        .map(|p| {
            format!(
                "{}\t{}\t{}\t{}\t{}",
                p.name,
                p.version,
                p.arch.as_deref().unwrap_or(""),
                p.source_name.as_deref().unwrap_or(""),
                p.source_version.as_deref().unwrap_or("")
            )
        })
        .collect();
    l.sort();
    l
}

/// dpkg-query's list of packages whose files are installed, or `None` when dpkg-query is
/// missing (outside CI) or rejects the file.
fn dpkg_query(status: &[u8], tag: &str) -> Option<Vec<String>> {
    let ok = Command::new("dpkg-query")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !ci(),
            "dpkg-query is not installed (CI=true): apt-get install -y dpkg"
        );
        eprintln!("note: dpkg-query missing; oracle comparison skipped");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("rampart-dpkg-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("info")).unwrap();
    std::fs::create_dir_all(dir.join("updates")).unwrap();
    std::fs::write(dir.join("status"), status).unwrap();
    let out = Command::new("dpkg-query")
        .arg(format!("--admindir={}", dir.display()))
        .args([
            "-W",
            "-f",
            "${db:Status-Status}\\t${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\n",
        ])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return None;
    }
    let installed = [
        "installed",
        "half-configured",
        "unpacked",
        "triggers-awaiting",
        "triggers-pending",
    ];
    let mut l: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .filter(|(st, _)| installed.contains(st))
        .map(|(_, rest)| rest.to_string())
        .collect();
    l.sort();
    Some(l)
}

/// Parse with rampart and compare with dpkg-query; returns rampart's packages.
fn check_against_dpkg(status: &[u8], tag: &str, expect_count: usize) -> Vec<Package> {
    let (pkgs, diags) = parse_dpkg_status("var/lib/dpkg/status", status, &ubuntu()).unwrap();
    assert!(diags.is_empty(), "{tag}: {diags:?}");
    assert_eq!(pkgs.len(), expect_count, "{tag}");
    let oracle = dpkg_query(status, tag);
    if let Some(oracle) = oracle {
        assert_eq!(lines(&pkgs), oracle, "{tag}: rampart vs dpkg-query");
    }
    pkgs
}

#[test]
fn trivy_valid_status_matches_dpkg_query() {
    let Some(p) = corpus("trivy/dpkg/valid.txtar") else {
        return;
    };
    let status = txtar_status(&p);
    let pkgs = check_against_dpkg(&status, "valid", 90);
    let bsdutils = pkgs.iter().find(|p| p.name == "bsdutils").unwrap();
    assert_eq!(bsdutils.version, "1:2.31.1-0.4ubuntu3.1");
    assert_eq!(bsdutils.source_name.as_deref(), Some("util-linux"));
    assert_eq!(
        bsdutils.source_version.as_deref(),
        Some("2.31.1-0.4ubuntu3.1")
    );
    assert_eq!(
        bsdutils.purl,
        "pkg:deb/ubuntu/bsdutils@1:2.31.1-0.4ubuntu3.1?arch=amd64&distro=ubuntu-18.04"
    );
    assert_eq!(bsdutils.locations, vec!["var/lib/dpkg/status".to_string()]);
    // The one `deinstall ok config-files` package is left out.
    assert_eq!(
        status
            .windows(30)
            .filter(|w| w == b"Status: deinstall ok config-fi")
            .count(),
        1
    );
}

#[test]
fn trivy_small_status_files_match_dpkg_query() {
    for (name, count) in [
        ("only-apt", 1),
        ("third-party", 2),
        ("digest", 2),
        ("md5sums", 1),
    ] {
        let Some(p) = corpus(&format!("trivy/dpkg/{name}.txtar")) else {
            return;
        };
        check_against_dpkg(&txtar_status(&p), name, count);
    }
}

/// dpkg-query keeps the package whose version `1:5.#` it calls invalid; rampart reads the
/// version as written (comparing it is the version comparator's job), so both list it.
#[test]
fn trivy_corrupt_status_matches_dpkg_query() {
    let Some(p) = corpus("trivy/dpkg/corrupsed.txtar") else {
        return;
    };
    let status = txtar_status(&p);
    let (pkgs, _) = parse_dpkg_status("var/lib/dpkg/status", &status, &ubuntu()).unwrap();
    if let Some(oracle) = dpkg_query(&status, "corrupsed") {
        assert_eq!(lines(&pkgs), oracle);
    }
}

#[test]
fn syft_status_d_files_match_dpkg_query() {
    for (name, count) in [
        ("coreutils-relationships", 9),
        ("deinstall", 1),
        ("installed-size-4KB", 1),
        ("single", 1),
    ] {
        let Some(p) = corpus(&format!("syft/debian/var/lib/dpkg/status.d/{name}")) else {
            return;
        };
        check_against_dpkg(&std::fs::read(p).unwrap(), name, count);
    }
}

/// Hand-written edge cases: multi-arch twins, `deinstall ok config-files`, half-installed,
/// `Source: name (version)` with a binNMU `+b1`, `hold`, `triggers-pending`, purged.
#[test]
fn edge_cases_match_dpkg_query() {
    let status = std::fs::read(Path::new(FIXTURES).join("edge-status")).unwrap();
    let os = OsInfo {
        family: "debian".into(),
        version: "12".into(),
        name: None,
    };
    let (pkgs, diags) = parse_dpkg_status("var/lib/dpkg/status", &status, &os).unwrap();
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        lines(&pkgs),
        vec![
            "libc6\t2.36-9+deb12u4\tamd64\tglibc\t2.36-9+deb12u4",
            "libc6\t2.36-9+deb12u4\ti386\tglibc\t2.36-9+deb12u4",
            "libgcrypt20\t1.10.1-3\tamd64\tlibgcrypt20\t1.10.1-3",
            "libtiff6\t4.5.0-6+b1\tamd64\ttiff\t4.5.0-6",
            "perl-base\t5.36.0-7+deb12u1\tamd64\tperl\t5.36.0-7+deb12u1",
            "tzdata\t2024a-0+deb12u1\tall\ttzdata\t2024a-0+deb12u1",
        ]
    );
    let purls: Vec<&str> = pkgs.iter().take(2).map(|p| p.purl.as_str()).collect();
    assert_eq!(
        purls,
        vec![
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=i386&distro=debian-12",
        ]
    );
    if let Some(oracle) = dpkg_query(&status, "edge") {
        assert_eq!(lines(&pkgs), oracle);
    }
}

/// status.d files dpkg-query refuses to read: rampart keeps what it can and says what it
/// skipped.
#[test]
fn syft_broken_status_d_files() {
    let os = OsInfo {
        family: "debian".into(),
        version: "12".into(),
        name: None,
    };
    let dir = "syft/debian/var/lib/dpkg/status.d";
    let mut files = Vec::new();
    for name in [
        "corrupt",
        "doc-examples",
        "empty",
        "multiple",
        "libpam-runtime",
        "deinstall",
    ] {
        let Some(p) = corpus(&format!("{dir}/{name}")) else {
            return;
        };
        files.push((
            format!("var/lib/dpkg/status.d/{name}"),
            std::fs::read(p).unwrap(),
        ));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_slice()))
        .collect();
    let (pkgs, diags) = parse_dpkg_status_d(&refs, &os).unwrap();
    let got: Vec<String> = pkgs
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {}",
                p.locations[0].rsplit('/').next().unwrap(),
                p.name,
                p.version,
                p.source_or_name()
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            "doc-examples mutt 1.3.17-1 mutt",
            "doc-examples made-up-package-1 1.0.0 glibc",
            "doc-examples made-up-package-2 2.0.0 made-up-package-2",
            "doc-examples made-up-package-3 3.0.0 made-up-package-3",
            "doc-examples made-up-package-4 3.0.0 made-up-package-4",
            "multiple tzdata 2020a-0+deb10u1 tzdata-dev",
            "multiple util-linux 2.33.1-0.1 util-linux",
            "libpam-runtime libpam-runtime 1.5.2-6+deb12u1 pam",
            "deinstall linux-image-6.14.0-1012-aws 6.14.0-1012.12~24.04.1 linux-signed-aws-6.14",
        ]
    );
    let diags: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(
        diags,
        vec![
            "var/lib/dpkg/status.d/corrupt: line 5: line is neither a field nor a continuation",
            "var/lib/dpkg/status.d/empty: line 1: paragraph has no Package name; skipped",
            "var/lib/dpkg/status.d/multiple: line 1: paragraph has no Package name; skipped",
        ]
    );
}
