//! A Debian 11 root filesystem made of real bullseye source packages, installed at versions
//! just below, at and above the fixed versions in the corpus's Debian advisories, scanned
//! with that data. The expected findings come from `dpkg --compare-versions`, the reference
//! implementation, applied to every Debian 11 advisory of each source package: none may be
//! missed, none invented.

mod common;

use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::process::Command;

/// Real binary packages whose names differ from their source package.
const BINARIES: &[(&str, &str)] = &[
    ("openssl", "libssl1.1"),
    ("glibc", "libc6"),
    ("curl", "libcurl4"),
    ("xorg-server", "xserver-xorg-core"),
    ("linux", "linux-image-5.10.0-21-amd64"),
    ("python3.9", "libpython3.9-minimal"),
    ("systemd", "libsystemd0"),
    ("tiff", "libtiff5"),
    ("libxml2", "libxml2"),
    ("nss", "libnss3"),
    ("expat", "libexpat1"),
    ("git", "git-man"),
    ("sudo", "sudo"),
    ("postgresql-13", "postgresql-client-13"),
    ("imagemagick", "libmagickcore-6.q16-6"),
];

fn dpkg_lt(a: &str, b: &str) -> bool {
    Command::new("dpkg")
        .args(["--compare-versions", a, "lt", b])
        .status()
        .expect("dpkg")
        .success()
}

#[test]
fn debian11_below_at_and_above_fixed_versions() {
    let Some(zip) = corpus("debian-osv/Debian-all.zip") else {
        return;
    };
    // source package -> [(advisory id, CVEs, fixed version)]
    let mut advisories: BTreeMap<String, Vec<(String, Vec<String>, String)>> = BTreeMap::new();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        let rec: serde_json::Value = serde_json::from_str(&text).unwrap();
        let cves: Vec<String> = rec["upstream"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        for aff in rec["affected"].as_array().unwrap() {
            if aff["package"]["ecosystem"] != "Debian:11" {
                continue;
            }
            for ev in aff["ranges"][0]["events"].as_array().unwrap() {
                if let Some(fixed) = ev["fixed"].as_str() {
                    advisories
                        .entry(aff["package"]["name"].as_str().unwrap().to_string())
                        .or_default()
                        .push((
                            rec["id"].as_str().unwrap().to_string(),
                            cves.clone(),
                            fixed.to_string(),
                        ));
                }
            }
        }
    }
    // 45 source packages: the named ones, then others in name order.
    let mut chosen: Vec<String> = BINARIES
        .iter()
        .map(|(s, _)| s.to_string())
        .filter(|s| advisories.contains_key(s))
        .collect();
    for s in advisories.keys() {
        if chosen.len() >= 45 {
            break;
        }
        if !chosen.contains(s) {
            chosen.push(s.clone());
        }
    }
    assert!(chosen.len() >= 40);

    let mut status = String::new();
    // installed (binary name, binary version, source, source version)
    let mut installed: Vec<(String, String, String, String)> = Vec::new();
    for (i, src) in chosen.iter().enumerate() {
        let fixes = &advisories[src];
        let newest = fixes
            .iter()
            .map(|f| f.2.clone())
            .reduce(|a, b| if dpkg_lt(&a, &b) { b } else { a })
            .unwrap();
        let binary = BINARIES
            .iter()
            .find(|(s, _)| s == src)
            .map(|(_, b)| b.to_string())
            .unwrap_or_else(|| src.clone());
        // below: just under the newest fix; at: the fix itself; above: a binNMU of it.
        let (src_version, bin_version) = match i % 4 {
            0 => (format!("{newest}~pre1"), format!("{newest}~pre1")),
            1 => (newest.clone(), newest.clone()),
            2 => (newest.clone(), format!("{newest}+b1")),
            // An epoch on the binary only: the source version is what advisories compare.
            _ => {
                let below = format!("{newest}~pre1");
                let bare = below
                    .split_once(':')
                    .map(|(_, v)| v.to_string())
                    .unwrap_or(below.clone());
                (below, format!("5:{bare}"))
            }
        };
        status.push_str(&format!(
            "Package: {binary}\nStatus: install ok installed\nArchitecture: amd64\nSource: {src} ({src_version})\nVersion: {bin_version}\n\n"
        ));
        installed.push((binary, bin_version, src.clone(), src_version));
    }
    // Removed with its configuration left: not installed, never reported.
    let (gone, gone_fixes) = advisories
        .iter()
        .find(|(s, _)| !chosen.contains(s))
        .unwrap();
    status.push_str(&format!(
        "Package: {gone}\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: {}~old\n\n",
        gone_fixes[0].2
    ));

    // The oracle: every advisory whose fix is newer than the installed source version.
    let mut expected: BTreeSet<(String, String)> = BTreeSet::new();
    for (binary, _, src, src_version) in &installed {
        for (id, _, fixed) in &advisories[src] {
            if dpkg_lt(src_version, fixed) {
                expected.insert((binary.clone(), id.clone()));
            }
        }
    }
    assert!(
        expected.len() > 20,
        "only {} expected findings",
        expected.len()
    );

    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("rootfs");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    std::fs::write(root.join("etc/os-release"), "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nID=debian\nVERSION_ID=\"11\"\nVERSION_CODENAME=bullseye\n").unwrap();
    std::fs::write(root.join("var/lib/dpkg/status"), &status).unwrap();
    let db = tmp.path().join("rampart.db");
    let (code, _, err) = run(&[
        "db",
        "import",
        zip.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&[
        "scan",
        "rootfs",
        root.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let names: BTreeMap<String, String> = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["purl"].as_str().unwrap().to_string(),
                p["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        names.len(),
        installed.len(),
        "the config-files package must not be listed"
    );
    let mut got: BTreeSet<(String, String)> = BTreeSet::new();
    for v in report["vulnerabilities"].as_array().unwrap() {
        let name = names[v["purl"].as_str().unwrap()].clone();
        // Both ids must be there: the DSA either as the id or as an alias.
        let ids: Vec<&str> = std::iter::once(v["id"].as_str().unwrap())
            .chain(
                v["aliases"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap()),
            )
            .collect();
        let dsa: Vec<&&str> = ids
            .iter()
            .filter(|i| i.starts_with("DSA-") || i.starts_with("DLA-"))
            .collect();
        assert!(!dsa.is_empty(), "{v}");
        for d in dsa {
            got.insert((name.clone(), d.to_string()));
        }
        assert_eq!(v["status"], "fixed");
        assert!(v["fixed_version"].is_string());
    }
    // Vulnerabilities in every format: SARIF, CycloneDX and the JSON report validate.
    for (fmt, kind, file) in [
        ("sarif", "sarif", "r.sarif"),
        ("cyclonedx", "cyclonedx", "r.cdx.json"),
        ("json", "report", "r.json"),
    ] {
        let out = tmp.path().join(file);
        let (code, _, err) = run(&[
            "scan",
            "rootfs",
            root.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--format",
            fmt,
            "--output",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        validate(kind, &out);
    }
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("r.sarif")).unwrap()).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        report["vulnerabilities"].as_array().unwrap().len()
    );
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "var/lib/dpkg/status"
    );
    // The gate: findings and --exit-code.
    let (code, _, _) = run(&[
        "scan",
        "rootfs",
        root.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--exit-code",
        "4",
        "--quiet",
    ]);
    assert_eq!(code, 4);
    let (code, _, _) = run(&[
        "scan",
        "rootfs",
        root.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--exit-code",
        "4",
        "--severity",
        "CRITICAL",
        "--quiet",
    ]);
    assert_eq!(code, 0, "no CRITICAL rating in the DSA data");

    let missed: Vec<_> = expected.difference(&got).collect();
    let invented: Vec<_> = got.difference(&expected).collect();
    assert!(
        missed.is_empty() && invented.is_empty(),
        "missed {missed:#?}\ninvented {invented:#?}"
    );
}
