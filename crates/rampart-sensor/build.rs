//! Compiles the BPF programs (`src/bpf/sensor.bpf.c`) with clang and generates their Rust
//! skeleton. `vmlinux.h` (the kernel's types, for CO-RE) is generated here from the build
//! machine's BTF with bpftool; CO-RE relocates field offsets against the running kernel when
//! the programs load, so the object runs on any kernel with BTF that has the fields it reads.
//! Needs clang, bpftool and libelf (`scripts/setup` installs them).

use libbpf_cargo::SkeletonBuilder;
use std::path::{Path, PathBuf};
use std::process::Command;

const BTF: &str = "/sys/kernel/btf/vmlinux";

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let src = Path::new("src/bpf/sensor.bpf.c");
    println!("cargo:rerun-if-changed={}", src.display());
    println!("cargo:rerun-if-changed=src/bpf/sensor.h");
    println!("cargo:rerun-if-env-changed=RAMPART_VMLINUX_BTF");

    let btf = std::env::var("RAMPART_VMLINUX_BTF").unwrap_or_else(|_| BTF.to_string());
    let vmlinux = out.join("vmlinux.h");
    let dump = Command::new("bpftool")
        .args(["btf", "dump", "file", &btf, "format", "c"])
        .output();
    match dump {
        Ok(o) if o.status.success() => {
            std::fs::write(&vmlinux, &o.stdout).expect("write vmlinux.h to OUT_DIR");
        }
        Ok(o) => panic!(
            "bpftool btf dump {btf} failed: {} (the build needs kernel BTF; set \
             RAMPART_VMLINUX_BTF to a vmlinux file with BTF)",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => {
            panic!("cannot run bpftool ({e}): run scripts/setup to install the BPF build tools")
        }
    }

    let arch = match std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() {
        Ok("x86_64") => "x86",
        Ok("aarch64") => "arm64",
        Ok(other) => panic!("the sensor's BPF programs do not support {other}"),
        Err(_) => "x86",
    };
    let skel = out.join("sensor.skel.rs");
    SkeletonBuilder::new()
        .source(src)
        .clang_args([
            "-I".to_string(),
            out.display().to_string(),
            "-I".to_string(),
            "src/bpf".to_string(),
            format!("-D__TARGET_ARCH_{arch}"),
            "-Wall".to_string(),
        ])
        .build_and_generate(&skel)
        .unwrap_or_else(|e| panic!("compiling {}: {e:#}", src.display()));
}
