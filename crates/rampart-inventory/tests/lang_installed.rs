//! Installed packages: `node_modules/**/package.json`, Python `*.dist-info/METADATA` and
//! `*.egg-info` (checked against the name and version in every folder name Debian installed),
//! and gem specifications.

#[path = "lang_common.rs"]
mod common;

use rampart_inventory::lang::{LockfileKind, classify, parse};
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lang");

/// The installed npm packages Trivy's fixtures carry, and what they hold.
#[test]
fn node_modules_package_json() {
    let Some(root) = common::corpus("trivy-integration-golden") else {
        return;
    };
    let cases = [
        ("npm/node_modules/jquery/package.json", "jquery@3.3.9"),
        ("npm/node_modules/promise/package.json", "promise@8.0.3"),
        ("npm/node_modules/react/package.json", "react@16.8.6"),
        ("npm/node_modules/react-is/package.json", "react-is@16.8.6"),
        ("npm/node_modules/redux/package.json", "redux@4.0.1"),
        ("npm/node_modules/z-lock/package.json", "z-lock@1.0.0"),
        ("yarn/node_modules/jquery/package.json", "jquery@3.2.1"),
        (
            "pnpm/node_modules/.pnpm/lodash@4.17.4/node_modules/lodash/package.json",
            "lodash@4.17.4",
        ),
        (
            "pnpm/node_modules/.pnpm/jquery@3.3.9/node_modules/jquery/package.json",
            "jquery@3.3.9",
        ),
    ];
    for (file, want) in cases {
        let rel = format!("fixtures/repo/{file}");
        assert_eq!(
            classify(&rel),
            Some(LockfileKind::NodeModulesPackageJson),
            "{rel}"
        );
        let (pkgs, diags) =
            common::parse_file(LockfileKind::NodeModulesPackageJson, &root.join(&rel))
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(common::ids(&pkgs), [want], "{file}");
        assert!(diags.is_empty(), "{file}: {diags:?}");
    }
    // A project's own package.json is not an installed package.
    assert_eq!(classify("fixtures/repo/yarn/package.json"), None);
}

/// PEP 503 normalisation, for comparing folder names with metadata names.
fn normalise(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

/// Every `Name-Version.dist-info` / `Name-Version.egg-info` Debian installed: the metadata
/// inside names the same package and version as the folder.
#[test]
fn python_metadata_matches_folder_names() {
    let dir = Path::new("/usr/lib/python3/dist-packages");
    let Ok(entries) = std::fs::read_dir(dir) else {
        assert!(
            std::env::var("CI").is_err(),
            "{} missing: apt-get install -y python3-yaml",
            dir.display()
        );
        return;
    };
    let mut compared = 0;
    for e in entries.filter_map(Result::ok) {
        let folder = e.file_name().to_string_lossy().into_owned();
        let Some(stem) = folder
            .strip_suffix(".dist-info")
            .or_else(|| folder.strip_suffix(".egg-info"))
        else {
            continue;
        };
        // Folder names without a version (`cryptography.egg-info`) give no oracle.
        let Some((name, version)) = stem.split_once('-') else {
            continue;
        };
        let version = version.split("-py").next().unwrap_or(version);
        let file = if folder.ends_with(".dist-info") {
            e.path().join("METADATA")
        } else if e.path().is_dir() {
            e.path().join("PKG-INFO")
        } else {
            e.path()
        };
        let rel = file.display().to_string();
        assert_eq!(classify(&rel), Some(LockfileKind::PythonMetadata), "{rel}");
        let (pkgs, _) = common::parse_file(LockfileKind::PythonMetadata, &file)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pkgs.len(), 1, "{rel}");
        assert_eq!(normalise(&pkgs[0].name), normalise(name), "{rel}");
        assert_eq!(pkgs[0].version, version, "{rel}");
        // The purl spec lower-cases and turns `_` into `-` (dots stay).
        let purl_name = pkgs[0].name.to_ascii_lowercase().replace('_', "-");
        assert_eq!(
            pkgs[0].purl,
            format!("pkg:pypi/{purl_name}@{version}"),
            "{rel}"
        );
        compared += 1;
    }
    eprintln!("python metadata: {compared} installed distributions agree with their folder names");
    assert!(
        compared >= 1,
        "no Python distributions under {}",
        dir.display()
    );
}

#[test]
fn gemspecs() {
    for (file, want) in [
        ("rake-13.0.6.gemspec", "rake@13.0.6"),
        ("nokogiri-1.15.4-x86_64-linux.gemspec", "nokogiri@1.15.4"),
    ] {
        let rel = format!("gems/specifications/{file}");
        assert_eq!(classify(&rel), Some(LockfileKind::Gemspec), "{rel}");
        let (pkgs, _) = common::parse_file(LockfileKind::Gemspec, &Path::new(FIXTURES).join(&rel))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(common::ids(&pkgs), [want], "{file}");
        assert_eq!(pkgs[0].purl, format!("pkg:gem/{}", want));
    }
    let err = parse(
        LockfileKind::Gemspec,
        "specifications/x.gemspec",
        b"# nothing here\n",
    )
    .expect_err("no name");
    assert_eq!(
        err.to_string(),
        "specifications/x.gemspec: no gem name and version found"
    );
}
