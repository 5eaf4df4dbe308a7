//! The rpm manifest of CBL-Mariner / Azure Linux distroless images,
//! `var/lib/rpmmanifest/container-manifest-2`, which replaces the rpm database there.
//!
//! One package per line, tab-separated: name, `version-release`, install time, build time,
//! vendor, epoch (`(none)` or a number), size, arch, epoch number, source rpm.

use super::header::RpmHeader;
use rampart_core::Diagnostic;

/// Headers for each well-formed line; bad lines become diagnostics.
pub(crate) fn parse(path: &str, data: &[u8], diags: &mut Vec<Diagnostic>) -> Vec<RpmHeader> {
    let mut out = Vec::new();
    for (no, line) in super::super::numbered_lines(data) {
        if line.trim_ascii().is_empty() {
            continue;
        }
        let line = String::from_utf8_lossy(line);
        let f: Vec<&str> = line.split('\t').collect();
        let (Some(name), Some(vr), Some(arch)) = (f.first(), f.get(1), f.get(7)) else {
            diags.push(
                Diagnostic::warning(path, "not a tab-separated manifest line; skipped").at_line(no),
            );
            continue;
        };
        let Some((version, release)) = vr.rsplit_once('-').filter(|_| !name.is_empty()) else {
            diags.push(
                Diagnostic::warning(path, format!("no version-release in {vr:?}; skipped"))
                    .at_line(no),
            );
            continue;
        };
        let epoch = f.get(5).and_then(|e| e.parse::<u32>().ok());
        out.push(RpmHeader {
            name: name.to_string(),
            epoch,
            version: version.to_string(),
            release: release.to_string(),
            arch: Some(arch.to_string()),
            source_rpm: f.get(9).map(|s| s.to_string()),
            license: None,
            vendor: f.get(4).map(|s| s.to_string()),
        });
    }
    out
}
