//! An `rpmdb.sqlite` whose latest transactions live only in its write-ahead log: rows of
//! the real CBL-Mariner database deleted and copied by SQLite itself (Python's `sqlite3`),
//! the files copied before the log was checkpointed, then compared with `rpm -qa` reading
//! the same pair.

use rampart_core::{OsInfo, Package};
use rampart_inventory::os::{parse_rpmdb, parse_rpmdb_with_wal};
use std::path::Path;
use std::process::Command;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn tool(name: &str, install: &str) -> bool {
    let ok = Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok || !ci(), "{name} is not installed (CI=true): {install}");
    if !ok {
        eprintln!("note: {name} missing; test skipped");
    }
    ok
}

const SCRIPT: &str = r#"
import shutil, sqlite3, sys
src, work, out = sys.argv[1:4]
shutil.copy(src, work + "/rpmdb.sqlite")
c = sqlite3.connect(work + "/rpmdb.sqlite", isolation_level=None)
c.execute("PRAGMA journal_mode=WAL")
c.execute("PRAGMA wal_autocheckpoint=0")
c.execute("BEGIN")
c.execute("DELETE FROM Packages WHERE hnum IN (SELECT hnum FROM Packages ORDER BY hnum LIMIT 5)")
c.execute("COMMIT")
c.execute("BEGIN")
c.execute("INSERT INTO Packages(blob) SELECT blob FROM Packages ORDER BY hnum DESC LIMIT 3")
c.execute("COMMIT")
shutil.copy(work + "/rpmdb.sqlite", out + "/rpmdb.sqlite")
shutil.copy(work + "/rpmdb.sqlite-wal", out + "/rpmdb.sqlite-wal")
c.close()
"#;

fn lines(pkgs: &[Package]) -> Vec<String> {
    let mut l: Vec<String> = pkgs
        .iter()
        .map(|p| {
            format!(
                "{}-{}.{}",
                p.name,
                p.version
                    .split_once(':')
                    .map_or(p.version.as_str(), |(_, v)| v),
                p.arch.as_deref().unwrap_or("")
            )
        })
        .collect();
    l.sort();
    l
}

#[test]
fn committed_wal_pages_are_read() {
    let src = Path::new(CORPUS).join("os-pkgdb-fixtures/go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite");
    if !src.exists() {
        assert!(!ci(), "{} missing (CI=true)", src.display());
        return;
    }
    if !tool("python3", "apt-get install -y python3") || !tool("rpm", "apt-get install -y rpm") {
        return;
    }
    let top = std::env::temp_dir().join(format!("rampart-wal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&top);
    let (work, out) = (top.join("work"), top.join("out"));
    std::fs::create_dir_all(&work).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let st = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(&src)
        .arg(&work)
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let main = std::fs::read(out.join("rpmdb.sqlite")).unwrap();
    let wal = std::fs::read(out.join("rpmdb.sqlite-wal")).unwrap();
    assert!(!wal.is_empty());
    let os = OsInfo::default();

    // The main file alone still holds the original 129 packages.
    let (old, _) = parse_rpmdb("rpmdb.sqlite", &main, &os).unwrap();
    assert_eq!(old.len(), 129);
    let (pkgs, diags) = parse_rpmdb_with_wal("rpmdb.sqlite", &main, Some(&wal), &os).unwrap();
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(pkgs.len(), 129 - 5 + 3);

    // rpm reads the same pair (and checkpoints it, so it runs last).
    let q = Command::new("rpm")
        .arg("--dbpath")
        .arg(&out)
        .args(["-qa", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n"])
        .output()
        .unwrap();
    assert!(q.status.success(), "{}", String::from_utf8_lossy(&q.stderr));
    let mut oracle: Vec<String> = String::from_utf8(q.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    oracle.sort();
    let _ = std::fs::remove_dir_all(&top);
    assert_eq!(lines(&pkgs), oracle);

    // Truncated or bit-flipped logs: never a panic; a cut log keeps its complete commits.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..150 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut w = wal.clone();
        if i % 2 == 0 {
            w.truncate((seed as usize) % wal.len());
        } else {
            let at = (seed as usize) % w.len();
            w[at] ^= (seed >> 32) as u8 | 1;
        }
        if let Ok((pkgs, _)) = parse_rpmdb_with_wal("rpmdb.sqlite", &main, Some(&w), &os) {
            assert!(pkgs.len() <= 129 + 3, "{}", pkgs.len());
        }
    }

    // A damaged log is reported and the main file is read alone.
    let mut bad = wal.clone();
    bad[24] ^= 0xff;
    let (pkgs, diags) = parse_rpmdb_with_wal("rpmdb.sqlite", &main, Some(&bad), &os).unwrap();
    assert_eq!(pkgs.len(), 129);
    let msgs: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(
        msgs,
        vec!["rpmdb.sqlite: rpmdb.sqlite-wal: header checksum mismatch; read the main file alone"]
    );
}
