//! Java archives: `pom.properties`, `MANIFEST.MF` and file-name evidence, nested archives
//! with bounded depth and size. Fixtures are built by `tests/fixtures/lang/jar/make.py`;
//! real jars come from Debian (`libguava-java`, `libcommons-lang3-java`), checked against the
//! versions in Debian's own versioned file names.

#[path = "lang_common.rs"]
mod common;

use rampart_inventory::lang::{LockfileKind, parse};
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lang/jar");

fn check(file: &str, want: &[&str], want_diags: &[&str]) {
    let path = Path::new(FIXTURES).join(file);
    let (pkgs, diags) =
        common::parse_file(LockfileKind::Jar, &path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(common::ids(&pkgs), want, "{file}");
    let msgs: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(msgs, want_diags, "{file}");
    for p in &pkgs {
        assert!(p.purl.starts_with("pkg:maven/"), "{}", p.purl);
        let loc = p.locations.first().expect("location");
        assert!(loc.starts_with(&path.display().to_string()), "{loc}");
    }
}

#[test]
fn war_with_libraries() {
    check(
        "app.war",
        &[
            "com.example:fat@1.0.0",
            "com.fasterxml.jackson.core:jackson-databind@2.9.1",
            "legacy-util@2.4.1",
            "org.example:widgets@2.0.1",
            "org.springframework:spring-core@5.3.20",
        ],
        &[],
    );
    let path = Path::new(FIXTURES).join("app.war");
    let (pkgs, _) = common::parse_file(LockfileKind::Jar, &path).expect("parse");
    let jackson = pkgs
        .iter()
        .find(|p| p.name.ends_with("jackson-databind"))
        .expect("jackson");
    assert_eq!(
        jackson.purl,
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.1"
    );
    assert!(
        jackson.locations[0]
            .ends_with("app.war!/WEB-INF/lib/fat-1.0.0.jar!/lib/jackson-databind-2.9.1.jar"),
        "{:?}",
        jackson.locations
    );
}

#[test]
fn nesting_is_bounded() {
    check(
        "deep.jar",
        &[
            "org.deep:level1@1.0",
            "org.deep:level2@2.0",
            "org.deep:level3@3.0",
            "org.deep:level4@4.0",
            "org.deep:level5@5.0",
        ],
        &["lib/level6.jar: archives nested deeper than 4 are not read"],
    );
}

#[test]
fn oversized_nested_archive_is_skipped() {
    check(
        "bomb.jar",
        &["org.bomb:outer@1.0"],
        &["lib/big.jar: nested archive larger than 67108864 bytes is not read"],
    );
}

#[test]
fn not_a_zip() {
    for data in [
        &b""[..],
        b"PK\x03\x04 truncated",
        b"\x00\x01\x02 random bytes \xff\xfe",
    ] {
        let err = parse(LockfileKind::Jar, "lib/x.jar", data).expect_err("not a zip");
        assert!(
            err.to_string()
                .starts_with("lib/x.jar: not a readable zip archive"),
            "{err}"
        );
    }
    // Every truncation of a real archive: an error or packages, never a panic.
    let data = std::fs::read(Path::new(FIXTURES).join("app.war")).expect("fixture");
    for len in 0..data.len() {
        let _ = parse(
            LockfileKind::Jar,
            "app.war",
            data.get(..len).unwrap_or_default(),
        );
    }
}

/// Debian jars: the version read from the archive equals the one in Debian's versioned
/// file name (`guava-31.1-jre.jar` → `31.1-jre`).
#[test]
fn debian_jars() {
    let dir = Path::new("/usr/share/java");
    for (jar, name, prefix) in [
        ("guava.jar", "com.google.guava:guava", "guava-"),
        (
            "commons-lang3.jar",
            "org.apache.commons:commons-lang3",
            "commons-lang3-",
        ),
    ] {
        let path = dir.join(jar);
        if !path.exists() {
            assert!(
                std::env::var("CI").is_err(),
                "{} missing: apt-get install -y libguava-java libcommons-lang3-java",
                path.display()
            );
            eprintln!("note: {} missing; skipped", path.display());
            continue;
        }
        let versioned: Vec<String> = std::fs::read_dir(dir)
            .expect("/usr/share/java")
            .filter_map(|e| e.ok())
            .filter(|e| {
                std::fs::read_link(e.path()).is_ok_and(|t| t.file_name() == Some(jar.as_ref()))
            })
            .filter_map(|e| {
                let f = e.file_name().to_string_lossy().into_owned();
                let v = f.strip_prefix(prefix)?.strip_suffix(".jar")?.to_string();
                v.starts_with(|c: char| c.is_ascii_digit()).then_some(v)
            })
            .collect();
        assert_eq!(versioned.len(), 1, "{jar}: versioned names {versioned:?}");
        let (pkgs, _) =
            common::parse_file(LockfileKind::Jar, &path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            common::ids(&pkgs),
            [format!("{name}@{}", versioned[0])],
            "{jar}"
        );
    }
}
