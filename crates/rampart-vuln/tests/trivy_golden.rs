//! Trivy's integration goldens (expected reports) reproduced from Trivy's test vulnerability
//! DB (`fixtures/db/*.yaml`): for every golden with an OS or lockfile result in an ecosystem
//! rampart matches, the golden's packages are matched and the vulnerability set — id,
//! package, installed version, fixed version — must agree exactly; status and severity are
//! compared too. Every difference is listed in [`EXPLAINED`] with its cause.

mod common;
use common::corpus;

use rampart_core::Severity;
use rampart_core::{Ecosystem, OsInfo, Package};
use rampart_version::compare;
use rampart_vuln::db::{Db, scheme_of};
use rampart_vuln::import::Sink;
use rampart_vuln::import::trivy_fixture::{import_dir, os_info};
use rampart_vuln::matcher::{MatchConfig, Suppression, match_packages};
use rampart_vuln::model::{AffectedStatus, Event, package_ecosystem_key};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What the Trivy run behind a golden filtered (its name says which CLI flag it tests).
#[derive(Clone, Copy)]
enum Filter {
    None,
    /// `--ignore-unfixed`.
    IgnoreUnfixed,
    /// `--severity` with these.
    Severities(&'static [&'static str]),
}

/// Goldens reproduced.
const GOLDENS: &[(&str, Filter)] = &[
    ("almalinux-8.json.golden", Filter::None),
    ("mariner-1.0.json.golden", Filter::None),
    ("oraclelinux-8.json.golden", Filter::None),
    ("photon-30.json.golden", Filter::None),
    ("alpine-310.json.golden", Filter::None),
    ("alpine-39.json.golden", Filter::None),
    (
        "alpine-39-high-critical.json.golden",
        Filter::Severities(&["HIGH", "CRITICAL"]),
    ),
    ("alpine-distroless.json.golden", Filter::None),
    ("amazon-1.json.golden", Filter::None),
    ("amazon-2.json.golden", Filter::None),
    ("amazonlinux2-gp2-x86-vm.json.golden", Filter::None),
    ("bun.json.golden", Filter::None),
    ("busybox-with-lockfile.json.golden", Filter::None),
    ("cargo.lock.json.golden", Filter::None),
    ("centos-6.json.golden", Filter::None),
    ("centos-7.json.golden", Filter::None),
    ("centos-7-ignore-unfixed.json.golden", Filter::IgnoreUnfixed),
    (
        "centos-7-medium.json.golden",
        Filter::Severities(&["MEDIUM"]),
    ),
    ("composer.lock.json.golden", Filter::None),
    ("composer.vendor.json.golden", Filter::None),
    ("debian-buster.json.golden", Filter::None),
    (
        "debian-buster-ignore-unfixed.json.golden",
        Filter::IgnoreUnfixed,
    ),
    ("debian-stretch.json.golden", Filter::None),
    ("distroless-base.json.golden", Filter::None),
    ("distroless-python27.json.golden", Filter::None),
    ("dotnet.json.golden", Filter::None),
    ("fluentd-gems.json.golden", Filter::None),
    ("fluentd-multiple-lockfiles.json.golden", Filter::None),
    ("gomod.json.golden", Filter::None),
    ("gomod-skip.json.golden", Filter::None),
    ("gradle.json.golden", Filter::None),
    ("npm.json.golden", Filter::None),
    ("npm-ubuntu-severity.json.golden", Filter::None),
    ("npm-with-dev.json.golden", Filter::None),
    ("nuget.json.golden", Filter::None),
    ("opensuse-leap-151.json.golden", Filter::None),
    ("opensuse-tumbleweed.json.golden", Filter::None),
    ("packagesprops.json.golden", Filter::None),
    ("pip.json.golden", Filter::None),
    ("pipenv.json.golden", Filter::None),
    ("pnpm.json.golden", Filter::None),
    ("poetry.json.golden", Filter::None),
    ("pom.json.golden", Filter::None),
    ("pylock.json.golden", Filter::None),
    ("rockylinux-8.json.golden", Filter::None),
    ("sbt.json.golden", Filter::None),
    ("spring4shell-jre11.json.golden", Filter::None),
    ("spring4shell-jre8.json.golden", Filter::None),
    ("test-repo.json.golden", Filter::None),
    ("ubi-7.json.golden", Filter::None),
    ("ubi-7-comprehensive.json.golden", Filter::None),
    ("ubuntu-1804.json.golden", Filter::None),
    (
        "ubuntu-1804-ignore-unfixed.json.golden",
        Filter::IgnoreUnfixed,
    ),
    ("ubuntu-gp2-x86-vm.json.golden", Filter::None),
    ("uv.json.golden", Filter::None),
    ("yarn.json.golden", Filter::None),
];

/// Goldens with package results that are not reproduced, and why.
const NOT_REPRODUCED: &[(&str, &str)] = &[
    (
        "alpine-39-ignore-cveids.json.golden",
        "the run's ignore file is Trivy test code, not in the corpus",
    ),
    (
        "gomod-vex.json.golden",
        "VEX filtering is applied after matching, not by the matcher",
    ),
    (
        "cocoapods.json.golden",
        "CocoaPods is not a rampart_core::Ecosystem",
    ),
    (
        "conan.json.golden",
        "Conan is not a rampart_core::Ecosystem",
    ),
    (
        "mix.lock.json.golden",
        "Hex is not a rampart_core::Ecosystem",
    ),
    (
        "pubspec.lock.json.golden",
        "Pub is not a rampart_core::Ecosystem",
    ),
    (
        "swift.json.golden",
        "SwiftPM is not a rampart_core::Ecosystem",
    ),
    (
        "minikube-kbom.json.golden",
        "Kubernetes components are not a rampart_core::Ecosystem",
    ),
];

/// Binary → source package of the OS packages in the goldens, which carry only binary
/// names (advisories are filed by source package). From the distros' package metadata
/// (dpkg `Source:`, apk `o:`); `source_names_agree_with_package_databases` checks them
/// against the package databases in the corpus where those list the package.
const SOURCE_NAMES: &[(Ecosystem, &str, &str)] = &[
    (Ecosystem::Apk, "libcrypto1.1", "openssl"),
    (Ecosystem::Apk, "libssl1.1", "openssl"),
    (Ecosystem::Apk, "musl-utils", "musl"),
    (Ecosystem::Deb, "e2fslibs", "e2fsprogs"),
    (Ecosystem::Deb, "libcomerr2", "e2fsprogs"),
    (Ecosystem::Deb, "libss2", "e2fsprogs"),
    (Ecosystem::Deb, "libcom-err2", "e2fsprogs"),
    (Ecosystem::Deb, "libext2fs2", "e2fsprogs"),
    (Ecosystem::Deb, "libidn2-0", "libidn2"),
    (Ecosystem::Deb, "libssl1.1", "openssl"),
    // Photon's curl.spec builds the curl-libs subpackage.
    (Ecosystem::Rpm, "curl-libs", "curl"),
];

/// Where rampart and a golden differ: (golden, kind, id, package, cause). Kinds: `missing`
/// (only in the golden), `extra` (only rampart), `status`, `severity`.
const EXPLAINED: &[(&str, &str, &str, &str, &str)] = &[
    (
        "alpine-distroless.json.golden",
        "missing",
        "CVE-2022-24765",
        "git",
        "the only record is in the fixture's `alpine edge` bucket (no data source, as the \
         golden's finding has none): Trivy's Alpine scan takes the release from the image's \
         /etc/apk/repositories (edge), while rampart files the package under Metadata.OS's \
         release, alpine:3.16",
    ),
    (
        "debian-buster.json.golden",
        "status",
        "CVE-2019-18276",
        "bash",
        "no fix in `debian 10` (debian.yaml); Debian 10 reached end of life on 2024-06-30, so \
         rampart says end_of_life; Trivy judges end of life by the run's date, and Metadata.OS \
         has no EOSL flag (the run predates it), so it says affected",
    ),
    (
        "fluentd-multiple-lockfiles.json.golden",
        "status",
        "CVE-2019-18276",
        "bash",
        "same `debian 10` record as debian-buster: end_of_life for rampart since 2024-06-30",
    ),
    (
        "distroless-base.json.golden",
        "status",
        "CVE-2019-1551",
        "libssl1.1",
        "debian.yaml gives `State: postponed` (no Status); rampart reads it as Trivy's \
         fix_deferred (will not be fixed in a security update: will_not_fix); Trivy's advisory \
         has no `State` field, so it reports affected",
    ),
    (
        "distroless-base.json.golden",
        "status",
        "CVE-2019-1551",
        "openssl",
        "debian.yaml `State: postponed`, as for libssl1.1",
    ),
    (
        "distroless-python27.json.golden",
        "status",
        "CVE-2019-1551",
        "libssl1.1",
        "debian.yaml `State: postponed`, as in distroless-base",
    ),
    (
        "distroless-python27.json.golden",
        "status",
        "CVE-2019-1551",
        "openssl",
        "debian.yaml `State: postponed`, as in distroless-base",
    ),
    (
        "npm-ubuntu-severity.json.golden",
        "severity",
        "CVE-2019-11358",
        "jquery",
        "the run chose Ubuntu's rating over the data source's (SeveritySource `ubuntu` in the \
         golden, VendorSeverity ubuntu: 1 in vulnerability.yaml); rampart uses the data \
         source's (ghsa: MEDIUM)",
    ),
    (
        "spring4shell-jre8.json.golden",
        "severity",
        "CVE-2022-22965",
        "org.springframework:spring-beans",
        "Trivy lowers Spring4Shell to LOW when the image's JRE is older than 9 (its \
         spring4shell post-scan step); rampart reports ghsa's CRITICAL",
    ),
];

/// One vulnerability of one package, as compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    id: String,
    package: String,
    installed: String,
    fixed: String,
}

fn result_ecosystem(class: &str, ty: &str) -> Option<Ecosystem> {
    if class == "os-pkgs" {
        return Some(match ty {
            "alpine" => Ecosystem::Apk,
            "debian" | "ubuntu" => Ecosystem::Deb,
            _ => Ecosystem::Rpm,
        });
    }
    Some(match ty {
        "npm" | "yarn" | "pnpm" | "bun" | "node-pkg" => Ecosystem::Npm,
        "pip" | "pipenv" | "poetry" | "pylock" | "uv" | "python-pkg" => Ecosystem::PyPI,
        "cargo" | "rustbinary" => Ecosystem::Cargo,
        "gomod" | "gobinary" => Ecosystem::Go,
        "composer" | "composer-vendor" => Ecosystem::Packagist,
        "gemspec" | "bundler" => Ecosystem::RubyGems,
        "pom" | "gradle" | "sbt" | "jar" => Ecosystem::Maven,
        "nuget" | "dotnet-core" | "packages-props" => Ecosystem::NuGet,
        _ => return None,
    })
}

/// Trivy prints every patched version of a language advisory, comma-joined (`6.0.3.1,
/// 5.2.4.3`, or constraints: `>= 3.1.0, >= 2.1.3, < 3.0.0`); the fix for the installed
/// version is the lowest of them above it.
fn golden_fix(fixed: &str, installed: &str, eco_key: &str) -> String {
    if !fixed.contains(',') && !fixed.starts_with(">=") {
        return fixed.to_string();
    }
    let Some(scheme) = scheme_of(eco_key) else {
        return fixed.to_string();
    };
    let mut candidates: Vec<&str> = fixed
        .split(',')
        .map(str::trim)
        .filter(|c| !c.starts_with('<'))
        .map(|c| c.trim_start_matches(">=").trim())
        .filter(|c| compare(scheme, c, installed) == Ordering::Greater)
        .collect();
    candidates.sort_by(|a, b| compare(scheme, a, b));
    candidates
        .first()
        .map_or_else(|| fixed.to_string(), |c| c.to_string())
}

struct Outcome {
    keys: usize,
    agree: usize,
    status_agree: usize,
    severity_agree: usize,
    differences: Vec<(String, String, String, String)>,
}

fn check(db: &Db, dir: &Path, file: &str, filter: Filter) -> Outcome {
    let golden: Value = serde_json::from_slice(&std::fs::read(dir.join(file)).unwrap()).unwrap();
    let os: Option<OsInfo> = golden["Metadata"]["OS"]["Family"].as_str().map(|f| {
        os_info(
            f,
            golden["Metadata"]["OS"]["Name"]
                .as_str()
                .unwrap_or_default(),
        )
    });
    // key → (status, severity)
    let mut want: BTreeMap<Key, (String, String)> = BTreeMap::new();
    let mut got: BTreeMap<Key, (String, String)> = BTreeMap::new();
    for result in golden["Results"].as_array().into_iter().flatten() {
        let vulns: &[Value] = result["Vulnerabilities"]
            .as_array()
            .map_or(&[], Vec::as_slice);
        let listed: &[Value] = result["Packages"].as_array().map_or(&[], Vec::as_slice);
        if vulns.is_empty() && listed.is_empty() {
            continue;
        }
        let class = result["Class"].as_str().unwrap_or_default();
        let eco = result_ecosystem(class, result["Type"].as_str().unwrap_or_default())
            .unwrap_or_else(|| panic!("{file}: result type {} is not matched", result["Type"]));
        let mut seen = BTreeSet::new();
        let mut packages = Vec::new();
        let entries = if listed.is_empty() {
            vulns
                .iter()
                .map(|v| (v["PkgName"].as_str(), v["InstalledVersion"].as_str()))
                .collect::<Vec<_>>()
        } else {
            listed
                .iter()
                .map(|p| (p["Name"].as_str(), p["Version"].as_str()))
                .collect()
        };
        for (name, version) in entries {
            let (name, version) = (name.unwrap().to_string(), version.unwrap().to_string());
            if !seen.insert((name.clone(), version.clone())) {
                continue;
            }
            let mut p = Package::new(name.clone(), version.clone(), eco);
            if eco.is_os() {
                p.source_name = SOURCE_NAMES
                    .iter()
                    .find(|(e, b, _)| *e == eco && *b == name)
                    .map(|(_, _, s)| s.to_string());
                p.source_version = Some(version);
            }
            packages.push(p);
        }
        let eco_key = packages
            .first()
            .and_then(|p| package_ecosystem_key(p, os.as_ref()))
            .unwrap_or_default();
        for v in vulns {
            let installed = v["InstalledVersion"].as_str().unwrap().to_string();
            let fixed = golden_fix(
                v["FixedVersion"].as_str().unwrap_or_default(),
                &installed,
                &eco_key,
            );
            want.insert(
                Key {
                    id: v["VulnerabilityID"].as_str().unwrap().to_string(),
                    package: v["PkgName"].as_str().unwrap().to_string(),
                    installed,
                    fixed,
                },
                (
                    v["Status"].as_str().unwrap().to_string(),
                    v["Severity"].as_str().unwrap().to_string(),
                ),
            );
        }
        // Trivy shows will_not_fix and fix_deferred findings by default, not not_affected.
        let cfg = MatchConfig {
            show_suppressed: true,
        };
        for f in match_packages(db, &packages, os.as_ref(), &cfg) {
            if f.suppressed == Some(Suppression::NotAffected) {
                continue;
            }
            let keep = match filter {
                Filter::None => true,
                Filter::IgnoreUnfixed => f.fixed_version.is_some(),
                Filter::Severities(s) => s.contains(&f.severity.as_str()),
            };
            if !keep {
                continue;
            }
            let p = &packages[f.package];
            got.insert(
                Key {
                    id: f.id.clone(),
                    package: p.name.clone(),
                    installed: p.version.clone(),
                    fixed: f.fixed_version.clone().unwrap_or_default(),
                },
                (
                    f.status.as_str().to_string(),
                    f.severity.as_str().to_string(),
                ),
            );
        }
    }
    let all: BTreeSet<&Key> = want.keys().chain(got.keys()).collect();
    let mut out = Outcome {
        keys: all.len(),
        agree: 0,
        status_agree: 0,
        severity_agree: 0,
        differences: Vec::new(),
    };
    for k in all {
        let fixed = if k.fixed.is_empty() { "-" } else { &k.fixed };
        let what = format!("{} {}@{} fixed {fixed}", k.id, k.package, k.installed);
        match (want.get(k), got.get(k)) {
            (Some(w), Some(g)) => {
                out.agree += 1;
                if w.0 == g.0 {
                    out.status_agree += 1;
                } else {
                    let d = format!("{what}: golden {} rampart {}", w.0, g.0);
                    out.differences
                        .push(("status".into(), k.id.clone(), k.package.clone(), d));
                }
                if w.1 == g.1 {
                    out.severity_agree += 1;
                } else {
                    let d = format!("{what}: golden {} rampart {}", w.1, g.1);
                    out.differences
                        .push(("severity".into(), k.id.clone(), k.package.clone(), d));
                }
            }
            (Some(_), None) => {
                out.differences
                    .push(("missing".into(), k.id.clone(), k.package.clone(), what))
            }
            (None, _) => {
                out.differences
                    .push(("extra".into(), k.id.clone(), k.package.clone(), what))
            }
        }
    }
    out
}

fn import_fixture_db(dir: &Path) -> Db {
    let mut sink = Sink::default();
    import_dir(&dir.join("fixtures/db"), &mut sink).unwrap();
    assert!(sink.diagnostics.is_empty(), "{:?}", sink.diagnostics);
    let per_source: Vec<(&str, usize)> = sink
        .per_source
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        per_source,
        [
            ("trivy:Red Hat", 4),
            ("trivy:SUSE Linux Enterprise 15-SP3", 1),
            ("trivy:SUSE Linux Enterprise Micro 5.3", 1),
            ("trivy:alma", 2),
            ("trivy:alpine", 3),
            ("trivy:alpine edge", 1),
            ("trivy:amazon", 3),
            ("trivy:cargo::Open Source Vulnerability", 2),
            ("trivy:cbl-mariner", 2),
            ("trivy:debian", 5),
            ("trivy:ghsa", 17),
            ("trivy:glad", 1),
            ("trivy:openSUSE Tumbleweed", 1),
            ("trivy:oracle-oval", 2),
            ("trivy:photon", 2),
            ("trivy:rocky", 1),
            ("trivy:suse-cvrf", 1),
            ("trivy:ubuntu", 3),
            ("trivy:ubuntu 22.04", 1),
        ]
    );
    // Ecosystems rampart does not match (no rampart_core::Ecosystem or no version ordering).
    let unknown: Vec<&str> = sink.unknown_ecosystems.iter().map(String::as_str).collect();
    assert_eq!(
        unknown,
        ["cocoapods", "conan", "erlang", "k8s", "pub", "swift"]
    );
    Db::from_sink(sink, vec![], 0)
}

#[test]
fn trivy_goldens_reproduce() {
    let Some(dir) = corpus("trivy-integration-golden") else {
        return;
    };
    let db = import_fixture_db(&dir);

    // Every golden with package results is either reproduced or said why not.
    let mut with_packages = BTreeSet::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        if !name.ends_with(".json.golden") {
            continue;
        }
        let Ok(v) = serde_json::from_slice::<Value>(&std::fs::read(dir.join(&name)).unwrap())
        else {
            continue;
        };
        let has = v["Results"].as_array().into_iter().flatten().any(|r| {
            ["os-pkgs", "lang-pkgs"].contains(&r["Class"].as_str().unwrap_or_default())
                && (r["Vulnerabilities"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty())
                    || r["Packages"].as_array().is_some_and(|a| !a.is_empty()))
        });
        if has {
            with_packages.insert(name);
        }
    }
    let covered: BTreeSet<String> = GOLDENS
        .iter()
        .map(|g| g.0)
        .chain(NOT_REPRODUCED.iter().map(|g| g.0))
        .map(str::to_string)
        .collect();
    assert_eq!(with_packages, covered);

    let (mut keys, mut agree, mut status, mut severity) = (0, 0, 0, 0);
    let mut unexplained = Vec::new();
    let mut used = BTreeSet::new();
    for (file, filter) in GOLDENS {
        let o = check(&db, &dir, file, *filter);
        println!(
            "{file}: {}/{} agree (status {}/{}, severity {}/{})",
            o.agree, o.keys, o.status_agree, o.agree, o.severity_agree, o.agree
        );
        keys += o.keys;
        agree += o.agree;
        status += o.status_agree;
        severity += o.severity_agree;
        for (kind, id, pkg, detail) in o.differences {
            match EXPLAINED
                .iter()
                .position(|e| e.0 == *file && e.1 == kind && e.2 == id && e.3 == pkg)
            {
                Some(i) => {
                    println!("  explained {kind}: {detail} — {}", EXPLAINED[i].4);
                    used.insert(i);
                }
                None => unexplained.push(format!("{file}: {kind}: {detail}")),
            }
        }
    }
    for (_, (file, kind, id, pkg, _)) in EXPLAINED
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
    {
        unexplained.push(format!(
            "{file}: {kind} {id} {pkg} is explained but did not occur"
        ));
    }
    println!(
        "{} goldens: {agree}/{keys} findings agree on (id, package, installed, fixed); status {status}/{agree}, severity {severity}/{agree}",
        GOLDENS.len()
    );
    assert!(
        unexplained.is_empty(),
        "unexplained differences:\n{}",
        unexplained.join("\n")
    );
    assert_eq!(
        (GOLDENS.len(), keys, agree, status, severity),
        (56, 110, 109, 103, 107)
    );
}

/// Constraint strings, statuses and Red Hat CPEs become the records they mean.
#[test]
fn fixture_records_normalize() {
    let Some(dir) = corpus("trivy-integration-golden") else {
        return;
    };
    let db = import_fixture_db(&dir);
    let events = |eco: &str, pkg: &str, id: &str| -> Vec<Vec<Event>> {
        let (_, aff) = db.lookup(eco, pkg).find(|(a, _)| a.id == id).unwrap();
        aff.ranges.iter().map(|r| r.events.clone()).collect()
    };
    let ev = |pairs: &[(&str, &str)]| -> Vec<Event> {
        pairs
            .iter()
            .map(|(k, v)| match *k {
                "i" => Event::Introduced(v.to_string()),
                "f" => Event::Fixed(v.to_string()),
                _ => Event::LastAffected(v.to_string()),
            })
            .collect()
    };
    // PatchedVersions only: the complement, fixed where each patched range starts.
    assert_eq!(
        events("crates.io", "ammonia", "CVE-2021-38193"),
        [
            ev(&[("i", "0"), ("f", "2.1.3")]),
            ev(&[("i", "3.0.0"), ("f", "3.1.0")])
        ]
    );
    // `<= X` is fixed by the next patched version (ranges in the fixture's order).
    assert_eq!(
        events("rubygems", "activesupport", "CVE-2020-8165"),
        [
            ev(&[("i", "6.0.0"), ("f", "6.0.3.1")]),
            ev(&[("i", "5.0.0"), ("f", "5.2.4.3")])
        ]
    );
    // Maven interval notation.
    assert_eq!(
        events(
            "maven",
            "com.fasterxml.jackson.core:jackson-databind",
            "CVE-2021-20190"
        ),
        [ev(&[("i", "2.9.0"), ("f", "2.9.10.7")])]
    );
    // The rpm default epoch `0:` is dropped.
    assert_eq!(
        events("centos:6", "openssl", "CVE-2019-1559"),
        [ev(&[("i", "0"), ("f", "1.0.1e-58.el6_10")])]
    );
    let status = |eco: &str, pkg: &str, id: &str| {
        db.lookup(eco, pkg)
            .find(|(a, _)| a.id == id)
            .map(|(_, aff)| (aff.status, aff.severity))
    };
    // Trivy's status 5 (will_not_fix), Red Hat CPE 869 = RHEL 7, filed for RHEL and CentOS.
    for eco in ["rhel:7", "centos:7"] {
        assert_eq!(
            status(eco, "bash", "CVE-2019-18276"),
            Some((AffectedStatus::Ignored, Some(Severity::Low)))
        );
    }
    assert_eq!(status("rhel:6", "bash", "CVE-2019-18276"), None);
    // Status 7 (end_of_life, "changed for test") is unfixed; the release decides end of life.
    assert_eq!(
        status("debian:9", "bash", "CVE-2019-18276"),
        Some((AffectedStatus::Unfixed, Some(Severity::Low)))
    );
    assert_eq!(
        status("debian:9", "openssl", "CVE-2019-1551"),
        Some((AffectedStatus::NoDsa, None))
    );
    // A single-CVE vendor advisory is an alias; one naming several CVEs is not.
    let aliases = |id: &str| {
        db.advisories()
            .iter()
            .find(|a| a.id == id && a.source == "trivy:Red Hat")
            .unwrap()
            .aliases
            .clone()
    };
    assert_eq!(aliases("CVE-2019-1559"), ["RHSA-2019:2471"]);
    assert!(aliases("CVE-2018-0734").is_empty());
}

/// The binary → source names of [`SOURCE_NAMES`] agree with the package databases in the
/// corpus (Trivy's dpkg status and apk installed fixtures) wherever those list the binary.
#[test]
fn source_names_agree_with_package_databases() {
    let Some(dir) = corpus("os-pkgdb-fixtures/trivy") else {
        return;
    };
    let mut known: BTreeMap<(Ecosystem, String), String> = BTreeMap::new();
    let dpkg = std::fs::read_to_string(dir.join("dpkg/valid.txtar")).unwrap();
    for stanza in dpkg.split("\n\n") {
        let field = |f: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(f))
                .map(|v| v.trim().to_string())
        };
        if let (Some(p), Some(s)) = (field("Package:"), field("Source:")) {
            let s = s.split_whitespace().next().unwrap_or_default().to_string();
            known.insert((Ecosystem::Deb, p), s);
        }
    }
    let apk = std::fs::read_to_string(dir.join("apk/apk")).unwrap();
    for stanza in apk.split("\n\n") {
        let field = |f: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(f))
                .map(str::to_string)
        };
        if let (Some(p), Some(o)) = (field("P:"), field("o:")) {
            known.insert((Ecosystem::Apk, p), o);
        }
    }
    let mut checked = BTreeSet::new();
    for (eco, bin, src) in SOURCE_NAMES {
        if let Some(s) = known.get(&(*eco, bin.to_string())) {
            assert_eq!(s, src, "{bin}");
            checked.insert(*bin);
        }
    }
    assert_eq!(
        checked,
        BTreeSet::from([
            "libcom-err2",
            "libext2fs2",
            "libidn2-0",
            "libss2",
            "musl-utils"
        ])
    );
}

/// `rampart db import fixtures/db` reads Trivy's fixtures by their content: the directory
/// gives the same records as reading the fixtures explicitly, and one fixture file alone is
/// recognised too.
#[test]
fn fixtures_import_by_content() {
    let Some(dir) = corpus("trivy-integration-golden") else {
        return;
    };
    let db_dir = dir.join("fixtures/db");
    let mut explicit = Sink::default();
    import_dir(&db_dir, &mut explicit).unwrap();
    let mut sniffed = Sink::default();
    rampart_vuln::import::import_path(&db_dir, &mut sniffed).unwrap();
    assert!(explicit.advisories.len() >= 50);
    assert_eq!(sniffed.advisories, explicit.advisories);
    assert_eq!(sniffed.diagnostics, explicit.diagnostics);

    let alpine = db_dir.join("alpine.yaml");
    assert_eq!(
        rampart_vuln::import::sniff(&std::fs::read(&alpine).unwrap()),
        Some(rampart_vuln::import::FeedKind::TrivyFixture)
    );
    let mut one = Sink::default();
    rampart_vuln::import::import_path(&alpine, &mut one).unwrap();
    assert!(one.diagnostics.is_empty(), "{:?}", one.diagnostics);
    assert!(
        one.advisories
            .iter()
            .flat_map(|a| &a.affected)
            .any(|aff| aff.ecosystem == "alpine:3.10" && aff.package == "openssl")
    );
}
