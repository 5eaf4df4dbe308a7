//! Hostile input: random bytes, truncated and damaged lockfiles, wrong formats. Every kind
//! must return packages or an error that names the file, and never panic.

#[path = "lang_common.rs"]
mod common;

use rampart_inventory::lang::{
    LockfileKind::{self, *},
    parse,
};

const ALL: [LockfileKind; 19] = [
    CargoLock,
    PackageLockJson,
    YarnLock,
    PnpmLock,
    NodeModulesPackageJson,
    RequirementsTxt,
    PoetryLock,
    PipfileLock,
    UvLock,
    PythonMetadata,
    GoMod,
    GoBinary,
    RustBinary,
    GemfileLock,
    Gemspec,
    ComposerLock,
    Jar,
    PomXml,
    NugetLock,
];

/// Parse and check the no-panic / error-names-the-file contract.
fn probe(kind: LockfileKind, path: &str, data: &[u8]) -> bool {
    match parse(kind, path, data) {
        Ok((pkgs, diags)) => {
            for p in &pkgs {
                assert_eq!(
                    p.locations
                        .first()
                        .map(String::as_str)
                        .map(|l| l.starts_with(path)),
                    Some(true),
                    "{kind:?}"
                );
            }
            for d in &diags {
                assert!(d.path.starts_with(path), "{kind:?}: {d}");
            }
            true
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.starts_with(&format!("{path}: ")), "{kind:?}: {msg}");
            assert!(!msg.contains('\n'), "{kind:?}: one-line error: {msg}");
            false
        }
    }
}

/// A small deterministic byte generator (xorshift).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn garbage_for_every_kind() {
    let samples: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"{".to_vec(),
        b"[1,".to_vec(),
        b"null".to_vec(),
        b"{\"packages\": {\"node_modules/x\": 5}, \"dependencies\": []}".to_vec(),
        b"{\"packages\": {\"node_modules/x\": {\"version\": 5}}}".to_vec(),
        b"a: [b\n  - c: {".to_vec(),
        b"packages:\n  /x/1.0.0: 7\nlockfileVersion: {}\n".to_vec(),
        b"[[package]]\nname = 5\n".to_vec(),
        b"<project><dependencies><dependency><version>${a}".to_vec(),
        b"require (\n x\n".to_vec(),
        b"\xff\xfe\x00\x00 not utf-8 \xc3\x28".to_vec(),
        b"\x7fELF\x02\x01\x01\x00".to_vec(),
        b"MZ\x90\x00\x03".to_vec(),
        b"PK\x03\x04\x14\x00".to_vec(),
        noise(1, 4096),
        noise(2, 100),
    ];
    for kind in ALL {
        for (i, data) in samples.iter().enumerate() {
            probe(kind, &format!("input/{kind:?}-{i}"), data);
        }
    }
    // Named errors for the obvious cases.
    let err =
        parse(PackageLockJson, "app/package-lock.json", b"{\"packages\": ").expect_err("truncated");
    assert!(
        err.to_string()
            .starts_with("app/package-lock.json: invalid JSON: EOF"),
        "{err}"
    );
    let err = parse(PnpmLock, "app/pnpm-lock.yaml", b"packages: [unclosed").expect_err("bad YAML");
    assert!(
        err.to_string()
            .starts_with("app/pnpm-lock.yaml: invalid YAML"),
        "{err}"
    );
    let err = parse(CargoLock, "Cargo.lock", b"[[package]\n").expect_err("bad TOML");
    assert!(
        err.to_string().starts_with("Cargo.lock: invalid TOML"),
        "{err}"
    );
}

/// Every corpus lockfile cut short at many points, and with damaged bytes.
#[test]
fn truncated_and_damaged_corpus_files() {
    let Some(root) = common::corpus("lockfile-fixtures-osv-scalibr") else {
        return;
    };
    let dirs = [
        ("javascript/packagelockjson", PackageLockJson),
        ("javascript/yarnlock", YarnLock),
        ("javascript/pnpmlock", PnpmLock),
        ("python/requirements", RequirementsTxt),
        ("python/poetrylock", PoetryLock),
        ("python/pipfilelock", PipfileLock),
        ("python/uvlock", UvLock),
        ("rust/cargolock", CargoLock),
        ("golang/gomod", GoMod),
        ("php/composerlock", ComposerLock),
        ("ruby/gemfilelock", GemfileLock),
        ("java/pomxml", PomXml),
    ];
    let mut parses = 0usize;
    for (dir, kind) in dirs {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let data = std::fs::read(&p).expect("read");
                let name = p.display().to_string();
                let step = (data.len() / 40).max(1);
                for len in (0..data.len()).step_by(step) {
                    probe(kind, &name, data.get(..len).unwrap_or_default());
                    parses += 1;
                }
                let mut bad = data.clone();
                for i in (0..bad.len()).step_by(31) {
                    if let Some(b) = bad.get_mut(i) {
                        *b = b.wrapping_add(0x41);
                    }
                }
                probe(kind, &name, &bad);
                parses += 1;
            }
        }
    }
    assert!(parses > 5000, "{parses}");
}

/// Inputs that once took time in proportion to their nesting depth squared (found by
/// fuzzing, `fuzz/regressions/lockfiles/`): now refused at once with a clear error.
#[test]
fn deep_nesting_is_refused_quickly() {
    use rampart_inventory::lang::{LockfileKind, parse};
    let n = 200_000;
    let pom = format!("<project>{}{}</project>", "<a>".repeat(n), "</a>".repeat(n));
    let start = std::time::Instant::now();
    let e = parse(LockfileKind::PomXml, "deep/pom.xml", pom.as_bytes())
        .unwrap_err()
        .to_string();
    assert_eq!(e, "deep/pom.xml: elements nested deeper than 64");
    let pnpm = "[".repeat(1 << 20);
    let e = parse(
        LockfileKind::PnpmLock,
        "deep/pnpm-lock.yaml",
        pnpm.as_bytes(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("deep/pnpm-lock.yaml: invalid YAML: flow collections nested"),
        "{e}"
    );
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}
