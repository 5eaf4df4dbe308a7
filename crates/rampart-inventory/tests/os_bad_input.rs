//! Damaged and hostile input: every parser returns an error or diagnostics, never panics.
//! Truncations and byte flips are applied to the real corpus databases of each format.

use rampart_core::OsInfo;
use rampart_inventory::os::{
    inventory, parse_apk_installed, parse_dpkg_copyright, parse_dpkg_status, parse_dpkg_status_d,
    parse_rpm_manifest, parse_rpmdb, parse_rpmdb_with_wal,
};
use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn corpus(rel: &str) -> Option<Vec<u8>> {
    let p = Path::new(CORPUS).join("os-pkgdb-fixtures").join(rel);
    match std::fs::read(&p) {
        Ok(d) => Some(d),
        Err(e) => {
            assert!(
                !std::env::var("CI").is_ok_and(|v| v == "true"),
                "{}: {e} (CI=true)",
                p.display()
            );
            eprintln!("note: {} missing; test skipped", p.display());
            None
        }
    }
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn os() -> OsInfo {
    OsInfo {
        family: "rhel".into(),
        version: "9".into(),
        name: None,
    }
}

/// Every parser over the same bytes; none may panic.
fn all_parsers(data: &[u8]) {
    let _ = parse_rpmdb("x", data, &os());
    let _ = parse_dpkg_status("x", data, &os());
    let _ = parse_dpkg_status_d(&[("x", data)], &os());
    let _ = parse_apk_installed("x", data, &os());
    let _ = parse_rpm_manifest("x", data, &os());
    let _ = parse_dpkg_copyright(data);
    let _ = parse_rpmdb_with_wal("x", data, Some(data), &os());
}

/// Truncate at `cuts` points and flip bytes `flips` times; parse each variant.
fn mangle(name: &str, data: &[u8], cuts: usize, flips: usize, seed: u64) -> (usize, usize) {
    let mut rng = Rng(seed);
    let mut errors = 0;
    let mut oks = 0;
    for i in 0..cuts {
        let cut = data.len() * i / cuts;
        match parse_rpmdb(name, &data[..cut], &os()) {
            Ok(_) => oks += 1,
            Err(e) => {
                assert!(e.to_string().starts_with(&format!("{name}: ")), "{e}");
                errors += 1;
            }
        }
    }
    for _ in 0..flips {
        let mut d = data.to_vec();
        for _ in 0..1 + rng.below(8) {
            let at = rng.below(d.len());
            d[at] = rng.next() as u8;
        }
        match parse_rpmdb(name, &d, &os()) {
            Ok(_) => oks += 1,
            Err(_) => errors += 1,
        }
    }
    (oks, errors)
}

#[test]
fn damaged_sqlite_rpmdb() {
    let Some(data) = corpus("go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite") else {
        return;
    };
    let (_, errors) = mangle("rpmdb.sqlite", &data, 120, 300, 1);
    assert!(
        errors >= 100,
        "truncations must be reported as errors ({errors})"
    );
    // Below the 100-byte header: a clear error.
    let e = parse_rpmdb("var/lib/rpm/rpmdb.sqlite", &data[..50], &os()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "var/lib/rpm/rpmdb.sqlite: rpmdb.sqlite: truncated: 50 bytes, shorter than the 100-byte header"
    );
    let e = parse_rpmdb("var/lib/rpm/rpmdb.sqlite", &data[..200], &os()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "var/lib/rpm/rpmdb.sqlite: rpmdb.sqlite: truncated: the header counts 880 pages of 4096 bytes, the file holds 0"
    );
    // A page size that is not a power of two.
    let mut bad = data.clone();
    bad[16] = 0x03;
    bad[17] = 0x00;
    let e = parse_rpmdb("db", &bad, &os()).unwrap_err();
    assert_eq!(e.to_string(), "db: rpmdb.sqlite: invalid page size 768");
}

#[test]
fn damaged_berkeleydb_rpmdb() {
    let Some(data) = corpus("go-rpmdb/libuuid/Packages") else {
        return;
    };
    let (_, errors) = mangle("Packages", &data, 120, 300, 2);
    assert!(errors >= 1);
    // Truncated after the hash pages: the record's overflow chain is cut, so the package
    // is skipped with a diagnostic rather than the whole file failing.
    let cut = &data[..data.len() / 2];
    match parse_rpmdb("Packages", cut, &os()) {
        Ok((pkgs, diags)) => {
            assert!(pkgs.is_empty());
            assert!(!diags.is_empty());
        }
        Err(e) => assert!(e.to_string().starts_with("Packages: BerkeleyDB: "), "{e}"),
    }
    let mut bad = data.clone();
    bad[20..24].copy_from_slice(&1000u32.to_le_bytes());
    let e = parse_rpmdb("Packages", &bad, &os()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Packages: BerkeleyDB: invalid page size 1000"
    );
}

#[test]
fn damaged_ndb_rpmdb() {
    let Some(data) = corpus("go-rpmdb/sle15-bci/Packages.db") else {
        return;
    };
    let (_, errors) = mangle("Packages.db", &data, 120, 300, 3);
    assert!(errors >= 1);
    let mut bad = data.clone();
    bad[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = parse_rpmdb("Packages.db", &bad, &os()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Packages.db: NDB: 4294967295 slot pages do not fit in the file"
    );
    // Cut in the middle of the blobs: earlier packages survive, later ones are reported.
    let (pkgs, diags) = parse_rpmdb("Packages.db", &data[..data.len() / 2], &os()).unwrap();
    assert!(!pkgs.is_empty() && pkgs.len() < 35, "{}", pkgs.len());
    assert!(
        diags.iter().all(|d| d.message.starts_with("NDB: package ")),
        "{diags:?}"
    );
    assert_eq!(pkgs.len() + diags.len(), 35);
}

#[test]
fn random_bytes_and_magic_prefixes() {
    let mut rng = Rng(42);
    for round in 0..300 {
        let len = rng.below(9000);
        let mut d: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Give a third of them a valid magic so the deeper readers run.
        match round % 4 {
            0 if d.len() >= 16 => d[..16].copy_from_slice(b"SQLite format 3\0"),
            1 if d.len() >= 4 => d[..4].copy_from_slice(b"RpmP"),
            2 if d.len() >= 16 => d[12..16].copy_from_slice(&0x0006_1561u32.to_le_bytes()),
            _ => {}
        }
        all_parsers(&d);
        let files: Vec<(&str, &[u8])> = vec![
            ("etc/os-release", &d),
            ("var/lib/dpkg/status", &d),
            ("var/lib/rpm/Packages", &d),
            ("lib/apk/db/installed", &d),
            ("var/lib/rpmmanifest/container-manifest-2", &d),
            ("usr/share/doc/x/copyright", &d),
        ];
        let _ = inventory(&files);
    }
    let e = parse_rpmdb("var/lib/rpm/Packages", b"", &os()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "var/lib/rpm/Packages: not an rpm database (no SQLite, NDB or BerkeleyDB Hash magic)"
    );
}

#[test]
fn syft_bad_rpm_file_is_not_a_database() {
    let Some(data) = corpus("syft/redhat/bad/bad.rpm") else {
        return;
    };
    assert!(parse_rpmdb("bad.rpm", &data, &os()).is_err());
    // The placeholder databases under glob-paths are text, not databases.
    let Some(data) = corpus("syft/redhat/glob-paths/var/lib/rpm/Packages") else {
        return;
    };
    let e = parse_rpmdb("var/lib/rpm/Packages", &data, &os()).unwrap_err();
    assert!(e.to_string().contains("not an rpm database"), "{e}");
}
