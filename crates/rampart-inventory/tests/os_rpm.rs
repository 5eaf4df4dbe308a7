//! rpm databases from the corpus (BerkeleyDB, NDB, SQLite) against `rpm -qa` and the
//! expected lists shipped beside them.

use rampart_core::{OsInfo, Package};
use rampart_inventory::os::{RpmDbFormat, parse_rpmdb, rpmdb_format};
use std::path::{Path, PathBuf};
use std::process::Command;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// A corpus file, or `None` (after a note) when the corpus is absent outside CI.
fn corpus(rel: &str) -> Option<PathBuf> {
    let p = Path::new(CORPUS).join("os-pkgdb-fixtures").join(rel);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("corpus file {} is missing (CI=true)", p.display());
    }
    eprintln!("note: {} missing; test skipped", p.display());
    None
}

/// Whether Debian's `rpm` is installed (required in CI: `apt-get install -y rpm`).
fn have_rpm() -> bool {
    let ok = Command::new("rpm")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("`rpm` is not installed (CI=true): apt-get install -y rpm");
    }
    if !ok {
        eprintln!("note: rpm not installed; oracle comparison skipped");
    }
    ok
}

/// `rpm -qa` over a copy of the database, as sorted `NAME\tEPOCHNUM\tVERSION\tRELEASE\tARCH\tSOURCERPM` lines.
fn rpm_qa(db: &Path, tag: &str) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("rampart-rpmdb-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let name = db.file_name().unwrap();
    std::fs::copy(db, dir.join(name)).unwrap();
    let mut perms = std::fs::metadata(dir.join(name)).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(dir.join(name), perms).unwrap();
    let out = Command::new("rpm")
        .arg("--dbpath")
        .arg(&dir)
        .args([
            "-qa",
            "--qf",
            "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n",
        ])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "rpm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// The same line for a rampart package.
fn line(p: &Package) -> String {
    let (epoch, vr) = match p.version.split_once(':') {
        Some((e, vr)) => (e.to_string(), vr.to_string()),
        None => ("0".to_string(), p.version.clone()),
    };
    let (v, r) = vr.rsplit_once('-').unwrap_or((&vr, ""));
    let src_vr = p
        .source_version
        .as_deref()
        .map(|s| s.split_once(':').map_or(s, |(_, x)| x))
        .unwrap_or("");
    let src = if p.name == "gpg-pubkey" {
        "(none)".to_string()
    } else {
        format!("{}-{}.src.rpm", p.source_or_name(), src_vr)
    };
    format!(
        "{}\t{epoch}\t{v}\t{r}\t{}\t{src}",
        p.name,
        p.arch.as_deref().unwrap_or("(none)")
    )
}

fn rampart(db: &Path, rel: &str, os: &OsInfo) -> Vec<Package> {
    let data = std::fs::read(db).unwrap();
    let (pkgs, diags) = parse_rpmdb(rel, &data, os).unwrap();
    assert!(diags.is_empty(), "{rel}: {diags:?}");
    pkgs
}

fn sorted_lines(pkgs: &[Package]) -> Vec<String> {
    let mut l: Vec<String> = pkgs.iter().map(line).collect();
    l.sort();
    l
}

#[test]
fn sqlite_cbl_mariner_matches_rpm() {
    let Some(db) = corpus("go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite") else {
        return;
    };
    let data = std::fs::read(&db).unwrap();
    assert_eq!(rpmdb_format(&data), Some(RpmDbFormat::Sqlite));
    let os = OsInfo {
        family: "cbl-mariner".into(),
        version: "2.0".into(),
        name: None,
    };
    let pkgs = rampart(&db, "var/lib/rpm/rpmdb.sqlite", &os);
    assert_eq!(pkgs.len(), 129);
    if have_rpm() {
        assert_eq!(sorted_lines(&pkgs), rpm_qa(&db, "mariner"));
    }
    let ossl = pkgs.iter().find(|p| p.name == "openssl-libs").unwrap();
    assert_eq!(ossl.version, "1.1.1k-7.cm2");
    assert_eq!(ossl.source_name.as_deref(), Some("openssl"));
    assert_eq!(
        ossl.purl,
        "pkg:rpm/cbl-mariner/openssl-libs@1.1.1k-7.cm2?arch=x86_64&distro=cbl-mariner-2.0"
    );
    assert_eq!(ossl.locations, vec!["var/lib/rpm/rpmdb.sqlite".to_string()]);
    // Epoch 1: in the version, in the source version and in the purl's `epoch` qualifier.
    let ca = pkgs
        .iter()
        .find(|p| p.name == "ca-certificates-base")
        .unwrap();
    assert!(ca.version.starts_with("1:"), "{}", ca.version);
    assert!(
        ca.source_version.as_deref().unwrap().starts_with("1:"),
        "{:?}",
        ca.source_version
    );
    assert_eq!(
        ca.purl,
        "pkg:rpm/cbl-mariner/ca-certificates-base@2.0.0-1.cm2?arch=noarch&distro=cbl-mariner-2.0&epoch=1"
    );
    assert_eq!(ca.version, "1:2.0.0-1.cm2");
    assert_eq!(pkgs.iter().filter(|p| p.version.contains(':')).count(), 3);
}

#[test]
fn berkeleydb_libuuid_matches_rpm() {
    let Some(db) = corpus("go-rpmdb/libuuid/Packages") else {
        return;
    };
    let data = std::fs::read(&db).unwrap();
    assert_eq!(rpmdb_format(&data), Some(RpmDbFormat::BerkeleyDb));
    let os = OsInfo {
        family: "rhel".into(),
        version: "8.8".into(),
        name: None,
    };
    let pkgs = rampart(&db, "var/lib/rpm/Packages", &os);
    assert_eq!(
        sorted_lines(&pkgs),
        vec![
            "libuuid\t0\t2.32.1\t42.el8_8\tx86_64\tutil-linux-2.32.1-42.el8_8.src.rpm".to_string()
        ]
    );
    if have_rpm() {
        assert_eq!(sorted_lines(&pkgs), rpm_qa(&db, "libuuid"));
    }
    assert_eq!(
        pkgs[0].purl,
        "pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=rhel-8.8"
    );
}

#[test]
fn berkeleydb_syft_dive_matches_rpm() {
    let Some(db) = corpus("syft/redhat/Packages") else {
        return;
    };
    let pkgs = rampart(&db, "var/lib/rpm/Packages", &OsInfo::default());
    assert_eq!(
        sorted_lines(&pkgs),
        vec!["dive\t0\t0.9.2\t1\tx86_64\tdive-0.9.2-1.src.rpm".to_string()]
    );
    if have_rpm() {
        assert_eq!(sorted_lines(&pkgs), rpm_qa(&db, "dive"));
    }
    assert_eq!(pkgs[0].purl, "pkg:rpm/dive@0.9.2-1?arch=x86_64");
}

/// Debian's rpm is built without NDB support, so the SLE 15 database is checked against the
/// expected list shipped with it (epoch, name, version, release, arch, sourcerpm, size,
/// license, vendor).
#[test]
fn ndb_sle15_matches_expected_list() {
    let Some(db) = corpus("go-rpmdb/sle15-bci/Packages.db") else {
        return;
    };
    let Some(tsv) = corpus("go-rpmdb/sle15-bci/expected-packages.tsv") else {
        return;
    };
    let data = std::fs::read(&db).unwrap();
    assert_eq!(rpmdb_format(&data), Some(RpmDbFormat::Ndb));
    let os = OsInfo {
        family: "sles".into(),
        version: "15.3".into(),
        name: None,
    };
    let pkgs = rampart(&db, "usr/lib/sysimage/rpm/Packages.db", &os);
    let mut expected: Vec<String> = std::fs::read_to_string(tsv)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let epoch = if f[0].is_empty() { "0" } else { f[0] };
            format!(
                "{}\t{epoch}\t{}\t{}\t{}\t{}\t{}",
                f[1], f[2], f[3], f[4], f[5], f[7]
            )
        })
        .collect();
    expected.sort();
    let mut got: Vec<String> = pkgs
        .iter()
        .map(|p| format!("{}\t{}", line(p), p.licenses.join(" ")))
        .collect();
    got.sort();
    assert_eq!(expected.len(), 35);
    assert_eq!(got, expected);
    let glibc = pkgs.iter().find(|p| p.name == "glibc").unwrap();
    assert_eq!(
        glibc.purl,
        "pkg:rpm/suse/glibc@2.31-9.3.2?arch=x86_64&distro=sles-15.3"
    );
}

/// Debian's bookworm release key (package debian-archive-keyring), one OpenPGP key.
const DEBIAN_KEY: &str = "/usr/share/keyrings/debian-archive-bookworm-stable.gpg";

/// ASCII armour (RFC 4880 section 6) for `rpm --import`.
fn armor(key: &[u8]) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b64 = |data: &[u8]| -> String {
        let mut out = String::new();
        for chunk in data.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    };
    let mut crc: u32 = 0xB7_04CE;
    for &b in key {
        crc ^= u32::from(b) << 16;
        for _ in 0..8 {
            crc <<= 1;
            if crc & 0x100_0000 != 0 {
                crc ^= 0x186_4CFB;
            }
        }
    }
    let crc = crc & 0xFF_FFFF;
    let body = b64(key);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{}\n={}\n-----END PGP PUBLIC KEY BLOCK-----\n",
        lines.join("\n"),
        b64(&crc.to_be_bytes()[1..])
    )
}

/// A SQLite rpmdb written by rpm itself on this machine: 41 packages built with rpmbuild
/// (epochs 0–3, `~` versions, headers large enough to need overflow pages, enough rows for
/// interior b-tree pages), installed with `--justdb`, then two erased (freed cells) and a
/// signing key imported.
#[test]
fn rpm_written_sqlite_matches_rpm() {
    if !have_rpm() {
        return;
    }
    if !Path::new(DEBIAN_KEY).exists() {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "{DEBIAN_KEY} missing (CI=true): apt-get install -y debian-archive-keyring"
        );
        return;
    }
    let ok = Command::new("rpmbuild")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "rpmbuild missing (CI=true): apt-get install -y rpm"
        );
        return;
    }
    let top = std::env::temp_dir().join(format!("rampart-rpmbuild-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&top);
    std::fs::create_dir_all(top.join("SPECS")).unwrap();
    std::fs::create_dir_all(top.join("db")).unwrap();
    let mut spec = String::from(
        "Name: rampart-fx\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n%description\nd\n%files\n",
    );
    for i in 0..40 {
        let text = "lorem ipsum ".repeat(if i % 5 == 0 { 600 } else { 3 });
        spec.push_str(&format!(
            "%package -n rampart-fx-{i:02}\nSummary: s\nVersion: {i}.{}~rc{i}\nRelease: {}.el9\nEpoch: {}\nLicense: L{i} AND MIT\n%description -n rampart-fx-{i:02}\n{text}\n%files -n rampart-fx-{i:02}\n",
            i % 7,
            i % 3,
            i % 4
        ));
    }
    std::fs::write(top.join("SPECS/fx.spec"), spec).unwrap();
    let run = |cmd: &mut Command| {
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(Command::new("rpmbuild")
        .arg("--define")
        .arg(format!("_topdir {}", top.display()))
        .args(["-bb", "--quiet"])
        .arg(top.join("SPECS/fx.spec")));
    let db = top.join("db");
    let mut rpms: Vec<PathBuf> = std::fs::read_dir(top.join("RPMS/noarch"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    rpms.sort();
    assert_eq!(rpms.len(), 41);
    run(Command::new("rpm").arg("--dbpath").arg(&db).arg("--initdb"));
    run(Command::new("rpm")
        .arg("--dbpath")
        .arg(&db)
        .args(["-i", "--justdb", "--nodeps", "--noscripts"])
        .args(&rpms));
    run(Command::new("rpm").arg("--dbpath").arg(&db).args([
        "-e",
        "--justdb",
        "--nodeps",
        "rampart-fx-03",
        "rampart-fx-10",
    ]));
    // An imported signing key appears in `rpm -qa` as gpg-pubkey (no arch, no source rpm).
    let key = armor(&std::fs::read(DEBIAN_KEY).unwrap());
    std::fs::write(top.join("key.asc"), key).unwrap();
    run(Command::new("rpm")
        .arg("--dbpath")
        .arg(&db)
        .arg("--import")
        .arg(top.join("key.asc")));
    let file = db.join("rpmdb.sqlite");
    let pkgs = rampart(&file, "var/lib/rpm/rpmdb.sqlite", &OsInfo::default());
    assert_eq!(pkgs.len(), 40);
    let key = pkgs.iter().find(|p| p.name == "gpg-pubkey").unwrap();
    assert_eq!(key.version, "8783d481-63ceb953");
    assert_eq!(key.arch, None);
    let oracle = rpm_qa(&file, "rpmbuild");
    let _ = std::fs::remove_dir_all(&top);
    assert_eq!(sorted_lines(&pkgs), oracle);
    let p = pkgs.iter().find(|p| p.name == "rampart-fx-07").unwrap();
    assert_eq!(p.version, "3:7.0~rc7-1.el9");
    assert_eq!(
        p.purl,
        "pkg:rpm/rampart-fx-07@7.0~rc7-1.el9?arch=noarch&epoch=3"
    );
    assert_eq!(p.licenses, vec!["L7 AND MIT".to_string()]);
    assert_eq!(p.source_name.as_deref(), Some("rampart-fx"));
    assert_eq!(p.source_version.as_deref(), Some("3:1.0-1"));
}

/// The CBL-Mariner distroless manifest, which replaces the rpm database in those images.
#[test]
fn mariner_distroless_manifest() {
    let Some(p) = corpus("syft/redhat/container-manifest-2") else {
        return;
    };
    let data = std::fs::read(p).unwrap();
    let os = OsInfo {
        family: "cbl-mariner".into(),
        version: "2.0".into(),
        name: None,
    };
    let path = "var/lib/rpmmanifest/container-manifest-2";
    let (pkgs, diags) = rampart_inventory::os::parse_rpm_manifest(path, &data, &os).unwrap();
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        sorted_lines(&pkgs),
        vec![
            "filesystem\t0\t1.1\t9.cm2\tx86_64\tfilesystem-1.1-9.cm2.src.rpm",
            "glibc\t0\t2.35\t2.cm2\tx86_64\tglibc-2.35-2.cm2.src.rpm",
            "mariner-release\t0\t2.0\t12.cm2\tnoarch\tmariner-release-2.0-12.cm2.src.rpm",
            "openssl-libs\t0\t1.1.1k\t15.cm2\tx86_64\topenssl-1.1.1k-15.cm2.src.rpm",
            "vim\t2\t9.0\t1.cm2\tx86_64\tvim-9.0-1.cm2.src.rpm",
        ]
    );
    let vim = pkgs.iter().find(|p| p.name == "vim").unwrap();
    assert_eq!(vim.version, "2:9.0-1.cm2");
    assert_eq!(
        vim.purl,
        "pkg:rpm/cbl-mariner/vim@9.0-1.cm2?arch=x86_64&distro=cbl-mariner-2.0&epoch=2"
    );
    assert_eq!(vim.locations, vec![path.to_string()]);
}
