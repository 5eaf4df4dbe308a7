//! A real Debian 12 root filesystem (debootstrap minbase): rampart's dpkg inventory must equal
//! `dpkg-query`'s, whether the tree is scanned as a rootfs, a docker-archive or an OCI layout;
//! and every output format must validate against its official schema.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::process::Command;

type Row = (String, String, String, String, String);

/// The oracle: dpkg's own view of the installed packages.
fn dpkg_query(root: &std::path::Path) -> BTreeSet<Row> {
    let out = Command::new("dpkg-query")
        .arg(format!("--admindir={}", root.join("var/lib/dpkg").display()))
        .args([
            "-W",
            "-f",
            "${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n",
        ])
        .output()
        .expect("dpkg-query");
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0] == "installed").then(|| {
                (
                    f[1].into(),
                    f[2].into(),
                    f[3].into(),
                    f[4].into(),
                    f[5].into(),
                )
            })
        })
        .collect()
}

fn rampart_rows(report: &serde_json::Value) -> BTreeSet<Row> {
    report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["ecosystem"] == "deb")
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
            let src = p["source_name"]
                .as_str()
                .unwrap_or(p["name"].as_str().unwrap())
                .to_string();
            let srcv = p["source_version"]
                .as_str()
                .unwrap_or(p["version"].as_str().unwrap())
                .to_string();
            (s("name"), s("version"), s("arch"), src, srcv)
        })
        .collect()
}

fn scan_json(args: &[&str]) -> serde_json::Value {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 0, "rampart {args:?} failed: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout:.300}"))
}

#[test]
fn debootstrap_rootfs_docker_archive_and_oci_layout_agree_with_dpkg() {
    let Some(root) = debootstrap_rootfs() else {
        return;
    };
    let expected = dpkg_query(&root);
    assert!(
        expected.len() > 80,
        "minbase has ~90 packages, dpkg-query saw {}",
        expected.len()
    );

    let rootfs = scan_json(&["scan", "rootfs", root.to_str().unwrap(), "--format", "json"]);
    assert_eq!(rootfs["artifact"]["os"]["family"], "debian");
    assert_eq!(
        rootfs["artifact"]["os"]["version"]
            .as_str()
            .unwrap()
            .split('.')
            .next(),
        Some("12")
    );
    let got = rampart_rows(&rootfs);
    let missing: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
    for p in rootfs["packages"].as_array().unwrap() {
        let purl = p["purl"].as_str().unwrap();
        assert!(purl.starts_with("pkg:deb/debian/"), "{purl}");
        assert!(purl.contains("distro=debian-12"), "{purl}");
    }

    let tmp = tempfile::tempdir().unwrap();
    let layer = layer_from_dir(&root);
    let docker = tmp.path().join("image.tar");
    write_docker_archive(std::slice::from_ref(&layer), &docker);
    let oci = tmp.path().join("oci");
    write_oci_layout(&[layer], &oci);
    for target in [&docker, &oci] {
        let image = scan_json(&[
            "scan",
            "image",
            target.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert_eq!(image["artifact"]["type"], "container_image");
        assert_eq!(rampart_rows(&image), expected, "image {}", target.display());
        assert!(
            image["packages"][0]["layer"]
                .as_str()
                .unwrap()
                .starts_with("sha256:")
        );
    }

    // Every output format validates against its official schema.
    for (fmt, kind, file) in [
        ("json", "report", "out.json"),
        ("cyclonedx", "cyclonedx", "out.cdx.json"),
        ("spdx-json", "spdx", "out.spdx.json"),
    ] {
        let out = tmp.path().join(file);
        let (code, _, stderr) = run(&[
            "sbom",
            docker.to_str().unwrap(),
            "--format",
            fmt,
            "--output",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        validate(kind, &out);
    }
}
