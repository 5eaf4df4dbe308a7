//! Helpers the Terraform tests share: reading a fixture tree and scanning it in one call.

use rampart_misconfig::{Config, Misconfiguration, scan_terraform_files};
use std::path::Path;

/// Every `.tf` and `.tfvars` file below `dir` with its text, named by its path relative to
/// `base`, sorted by name.
pub fn tf_files(dir: &Path, base: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("fixture directory").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "tf" || e == "tfvars") {
                let rel = p
                    .strip_prefix(base)
                    .expect("below base")
                    .display()
                    .to_string();
                out.push((rel, std::fs::read_to_string(&p).expect("fixture file")));
            }
        }
    }
    out.sort();
    out
}

/// The findings of `files` scanned together; any diagnostic fails the test.
pub fn scan_tf(files: &[(String, String)]) -> Vec<Misconfiguration> {
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (found, diags) = scan_terraform_files(&refs, &Config::default());
    assert!(diags.is_empty(), "{diags:?}");
    found
}
