//! Links Hyperscan (`libhs`, Debian's `libhyperscan-dev`, installed by `scripts/setup`)
//! statically when it is present, for the keyword prefilter; without it the crate builds
//! with its own DFA prefilter and says so in a build warning.
//!
//! `RAMPART_NO_HYPERSCAN=1` forces the DFA (for comparing the two).

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(hyperscan)");
    println!("cargo::rerun-if-env-changed=RAMPART_NO_HYPERSCAN");
    println!("cargo::rerun-if-env-changed=PKG_CONFIG_PATH");
    if std::env::var_os("RAMPART_NO_HYPERSCAN").is_some_and(|v| v != "0") {
        println!(
            "cargo::warning=RAMPART_NO_HYPERSCAN set: the keyword prefilter uses the built-in DFA"
        );
        return;
    }
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if arch != "x86_64" || os != "linux" {
        return;
    }
    let libdir = Command::new("pkg-config")
        .args(["--variable=libdir", "libhs"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|d| !d.is_empty());
    let Some(libdir) = libdir else {
        // Rerun once the library appears (a missing path always counts as changed).
        println!("cargo::rerun-if-changed=/usr/lib/x86_64-linux-gnu/pkgconfig/libhs.pc");
        println!(
            "cargo::warning=libhs (libhyperscan-dev) not found: the keyword prefilter uses the \
             built-in DFA, about half as fast; run scripts/setup"
        );
        return;
    };
    let archive = Path::new(&libdir).join("libhs.a");
    println!("cargo::rerun-if-changed={}", archive.display());
    if !archive.is_file() {
        println!(
            "cargo::warning={} missing: the keyword prefilter uses the built-in DFA",
            archive.display()
        );
        return;
    }
    println!("cargo::rustc-link-search=native={libdir}");
    println!("cargo::rustc-link-lib=static=hs");
    println!("cargo::rustc-link-lib=dylib=stdc++");
    println!("cargo::rustc-cfg=hyperscan");
}
