//! OS detection over small root trees under `tests/fixtures/os/release/` and the corpus.

use rampart_inventory::os::detect_os;
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/os/release");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// Detect the OS of a directory tree: (family, version, name).
fn detect(root: &Path) -> Option<(String, String, Option<String>)> {
    let read = |p: &str| std::fs::read(root.join(p)).ok();
    detect_os(&read).map(|o| (o.family, o.version, o.name))
}

fn fixture(name: &str) -> Option<(String, String, Option<String>)> {
    let root = Path::new(FIXTURES).join(name);
    assert!(root.is_dir(), "fixture {} missing", root.display());
    detect(&root)
}

#[test]
fn os_release_families() {
    for (dir, family, version, name) in [
        ("ubuntu-22.04", "ubuntu", "22.04", "Ubuntu 22.04.4 LTS"),
        ("alpine-3.20", "alpine", "3.20.1", "Alpine Linux v3.20"),
        (
            "rhel-9.4",
            "rhel",
            "9.4",
            "Red Hat Enterprise Linux 9.4 (Plow)",
        ),
        ("centos-7", "centos", "7", "CentOS Linux 7 (Core)"),
        ("rocky-9.3", "rocky", "9.3", "Rocky Linux 9.3 (Blue Onyx)"),
        (
            "alma-8.9",
            "almalinux",
            "8.9",
            "AlmaLinux 8.9 (Midnight Oncilla)",
        ),
        ("amazon-2", "amazon", "2", "Amazon Linux 2"),
        (
            "amazon-2023",
            "amazon",
            "2023",
            "Amazon Linux 2023.4.20240611",
        ),
        (
            "fedora-40",
            "fedora",
            "40",
            "Fedora Linux 40 (Container Image)",
        ),
        (
            "opensuse-leap-15.5",
            "opensuse-leap",
            "15.5",
            "openSUSE Leap 15.5",
        ),
        (
            "sles-15.3",
            "sles",
            "15.3",
            "SUSE Linux Enterprise Server 15 SP3",
        ),
        ("distroless-12", "debian", "12", "Distroless"),
        ("distroless-noid", "debian", "9", "Distroless"),
        (
            "debian-sid",
            "debian",
            "trixie/sid",
            "Debian GNU/Linux trixie/sid",
        ),
    ] {
        assert_eq!(
            fixture(dir),
            Some((
                family.to_string(),
                version.to_string(),
                Some(name.to_string())
            )),
            "{dir}"
        );
    }
}

#[test]
fn fallback_release_files() {
    for (dir, family, version, name) in [
        ("fallback-debian", "debian", "10", None),
        ("fallback-alpine", "alpine", "3.18.4", None),
        (
            "fallback-centos",
            "centos",
            "7.9.2009",
            Some("CentOS Linux release 7.9.2009 (Core)"),
        ),
        (
            "fallback-rhel",
            "rhel",
            "8.9",
            Some("Red Hat Enterprise Linux release 8.9 (Ootpa)"),
        ),
        (
            "fallback-amazon",
            "amazon",
            "2",
            Some("Amazon Linux release 2 (Karoo)"),
        ),
        (
            "fallback-ubuntu",
            "ubuntu",
            "20.04",
            Some("Ubuntu 20.04.6 LTS"),
        ),
        (
            "fallback-sles",
            "sles",
            "12.3",
            Some("SUSE Linux Enterprise Server 12 (x86_64)"),
        ),
    ] {
        assert_eq!(
            fixture(dir),
            Some((
                family.to_string(),
                version.to_string(),
                name.map(str::to_string)
            )),
            "{dir}"
        );
    }
    assert_eq!(fixture("empty"), None);
}

#[test]
fn corpus_debian_image() {
    let root = Path::new(CORPUS).join("os-pkgdb-fixtures/syft/debian/image-dpkg");
    if !root.is_dir() {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "{} missing (CI=true)",
            root.display()
        );
        return;
    }
    assert_eq!(
        detect(&root),
        Some((
            "debian".into(),
            "12".into(),
            Some("Debian GNU/Linux 12 (bookworm)".into())
        ))
    );
}

#[test]
fn garbage_release_files_detect_nothing() {
    let read = |p: &str| match p {
        "etc/os-release" => Some(b"\xff\xfe\0garbage\n=\n==\nID\n".to_vec()),
        "etc/redhat-release" => Some(b"Something release".to_vec()),
        "etc/alpine-release" => Some(b"\n".to_vec()),
        _ => None,
    };
    assert_eq!(detect_os(&read), None);
}
