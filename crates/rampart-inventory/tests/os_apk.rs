//! apk installed databases from the corpus, with their exact package lists.

use rampart_core::OsInfo;
use rampart_inventory::os::parse_apk_installed;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// A corpus file, or `None` (after a note) when the corpus is absent outside CI.
fn corpus(rel: &str) -> Option<PathBuf> {
    let p = Path::new(CORPUS).join("os-pkgdb-fixtures").join(rel);
    if p.exists() {
        return Some(p);
    }
    assert!(
        !std::env::var("CI").is_ok_and(|v| v == "true"),
        "corpus file {} is missing (CI=true)",
        p.display()
    );
    eprintln!("note: {} missing; test skipped", p.display());
    None
}

fn alpine(v: &str) -> OsInfo {
    OsInfo {
        family: "alpine".into(),
        version: v.into(),
        name: None,
    }
}

/// `name version arch origin license` per package, in file order.
fn parse(rel: &str, os: &OsInfo) -> Option<(Vec<String>, Vec<String>)> {
    let p = corpus(rel)?;
    let data = std::fs::read(p).unwrap();
    let (pkgs, diags) = parse_apk_installed("lib/apk/db/installed", &data, os).unwrap();
    for p in &pkgs {
        assert_eq!(p.locations, vec!["lib/apk/db/installed".to_string()]);
        assert_eq!(p.source_version.as_deref(), Some(p.version.as_str()));
    }
    let rows = pkgs
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {} {}",
                p.name,
                p.version,
                p.arch.as_deref().unwrap_or("-"),
                p.source_name.as_deref().unwrap_or("-"),
                p.licenses.join("|")
            )
        })
        .collect();
    Some((rows, diags.iter().map(ToString::to_string).collect()))
}

#[test]
fn trivy_apk_database() {
    let Some((rows, diags)) = parse("trivy/apk/apk", &alpine("3.4.0")) else {
        return;
    };
    assert_eq!(
        rows,
        vec![
            "musl 1.1.14-r10 x86_64 musl MIT",
            "busybox 1.24.2-r9 x86_64 busybox GPL2",
            "alpine-baselayout 3.0.3-r0 x86_64 alpine-baselayout GPL2",
            "alpine-keys 1.1-r0 x86_64 alpine-keys GPL",
            "zlib 1.2.8-r2 x86_64 zlib zlib",
            "libcrypto1.0 1.0.2h-r1 x86_64 openssl openssl",
            "libssl1.0 1.0.2h-r1 x86_64 openssl openssl",
            "apk-tools 2.6.7-r0 x86_64 apk-tools GPL2",
            "scanelf 1.1.6-r0 x86_64 pax-utils GPL2",
            "musl-utils 1.1.14-r10 x86_64 musl MIT BSD GPL2+",
            "libc-utils 0.7-r0 x86_64 libc-dev GPL",
            "pkgconf 1.6.0-r0 x86_64 pkgconf ISC",
            "sqlite-libs 3.26.0-r3 x86_64 sqlite Public-Domain",
            "test 2.9.11_pre20061021-r2 x86_64 test-parent Public-Domain",
            "ada-libs 2.7.4-r0 x86_64 ada ( Apache-2.0 OR MIT ) AND MPL-2.0",
        ]
    );
    assert_eq!(
        diags,
        vec![
            "lib/apk/db/installed: line 23: package invalidPackageWithoutAVersion has no version (V:); skipped"
        ]
    );
}

#[test]
fn trivy_apk_purls() {
    let Some(p) = corpus("trivy/apk/apk") else {
        return;
    };
    let data = std::fs::read(p).unwrap();
    let (pkgs, _) = parse_apk_installed("lib/apk/db/installed", &data, &alpine("3.4.0")).unwrap();
    assert_eq!(
        pkgs[5].purl,
        "pkg:apk/alpine/libcrypto1.0@1.0.2h-r1?arch=x86_64&distro=3.4.0"
    );
    // Unknown OS: namespace alpine, no distro qualifier.
    let (pkgs, _) = parse_apk_installed("lib/apk/db/installed", &data, &OsInfo::default()).unwrap();
    assert_eq!(pkgs[0].purl, "pkg:apk/alpine/musl@1.1.14-r10?arch=x86_64");
}

#[test]
fn syft_apk_databases() {
    let os = alpine("3.16.0");
    let cases: &[(&str, &[&str])] = &[
        (
            "syft/alpine/multiple-1/lib/apk/db/installed",
            &[
                "bash 5.2.21-r0 x86_64 bash GPL-3.0-or-later",
                "busybox-binsh 1.36.1-r15 x86_64 busybox GPL-2.0-only",
                "musl 1.2.4_git20230717-r4 x86_64 musl MIT",
                "readline 8.2.1-r2 x86_64 readline GPL-2.0-or-later",
            ],
        ),
        (
            "syft/alpine/multiple-2/lib/apk/db/installed",
            &[
                "alpine-baselayout-data 3.2.0-r22 x86_64 alpine-baselayout GPL-2.0-only",
                "musl 1.2.3-r0 x86_64 musl MIT",
                "busybox 1.35.0-r17 x86_64 busybox GPL-2.0-only",
                "alpine-baselayout 3.2.0-r22 x86_64 alpine-baselayout GPL-2.0-only",
                "alpine-keys 2.4-r1 x86_64 alpine-keys MIT",
            ],
        ),
        (
            "syft/alpine/base",
            &["alpine-baselayout 3.2.0-r6 x86_64 alpine-baselayout GPL-2.0-only"],
        ),
        (
            "syft/alpine/empty-deps-and-provides",
            &["alpine-baselayout-data 3.4.0-r0 x86_64 alpine-baselayout GPL-2.0-only"],
        ),
        (
            "syft/alpine/extra-file-attributes",
            &["openjdk8-jre 8.212.04-r0 x86_64 openjdk8 custom"],
        ),
    ];
    for (rel, want) in cases {
        let Some((rows, diags)) = parse(rel, &os) else {
            return;
        };
        assert_eq!(rows, *want, "{rel}");
        assert!(diags.is_empty(), "{rel}: {diags:?}");
    }
}

/// A placeholder file holding only `bogus db contents`: no packages, one diagnostic.
#[test]
fn syft_placeholder_apk_database() {
    let Some((rows, diags)) = parse(
        "syft/alpine/glob-paths/lib/apk/db/installed",
        &alpine("3.16.0"),
    ) else {
        return;
    };
    assert!(rows.is_empty());
    assert_eq!(
        diags,
        vec!["lib/apk/db/installed: line 1: line is not a `X:value` field"]
    );
}

#[test]
fn syft_corrupt_apk_database() {
    let Some((rows, diags)) = parse(
        "syft/alpine/corrupt/lib/apk/db/installed",
        &alpine("3.16.0"),
    ) else {
        return;
    };
    assert_eq!(
        rows,
        vec!["alpine-baselayout-data 3.2.0-r22 x86_64 alpine-baselayout "]
    );
    assert_eq!(
        diags,
        vec!["lib/apk/db/installed: line 1: line is not a `X:value` field",]
    );
}
