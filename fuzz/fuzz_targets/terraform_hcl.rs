//! The Terraform HCL reader and checks over arbitrary text: blocks, expressions, variables,
//! locals, `count`/`for_each` and module calls, split into a module file and a variables file.
#![no_main]
use rampart_misconfig::{Config, scan_terraform_files};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (main, vars) = text.split_once("\n#--\n").unwrap_or((&text, ""));
    let _ = scan_terraform_files(
        &[("main.tf", main), ("variables.tf", vars)],
        &Config::default(),
    );
});
