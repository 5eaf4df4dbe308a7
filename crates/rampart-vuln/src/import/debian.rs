//! The Debian Security Tracker JSON (`security-tracker.debian.org/tracker/data/json`):
//! source package → CVE → release codename → status, fixed version, urgency.
//!
//! Normalization per release, the way the tracker means it:
//! - `resolved` with `fixed_version` `0`: the release never had the vulnerable code
//!   (not affected — stored, never reported, explainable with `--show-suppressed`);
//! - `resolved` with a version: affected below it, fixed from it on;
//! - `open` or `undetermined`: affected with no fix (also on end-of-life releases); with a
//!   `nodsa` mark it is a minor issue that gets no security update (`ignored` when the
//!   tracker says so);
//! - `urgency` (`low`, `medium`, `high`, `unimportant`, `not yet assigned`, with `*` marks
//!   for the level of certainty) becomes the severity, `unimportant` counting as LOW.

use super::Sink;
use crate::model::{Advisory, Affected, AffectedStatus, Event, Range};
use rampart_core::Severity;
use std::collections::BTreeMap;

/// The Debian release number of a codename (`bookworm` → `12`, `sid` → `unstable`).
pub fn release_of(codename: &str) -> Option<&'static str> {
    Some(match codename {
        "wheezy" => "7",
        "jessie" => "8",
        "stretch" => "9",
        "buster" => "10",
        "bullseye" => "11",
        "bookworm" => "12",
        "trixie" => "13",
        "forky" => "14",
        "duke" => "15",
        "sid" => "unstable",
        _ => return None,
    })
}

/// The severity a tracker urgency stands for.
pub fn urgency_severity(urgency: &str) -> Severity {
    match urgency.trim_end_matches('*').trim() {
        "unimportant" | "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        _ => Severity::Unknown,
    }
}

/// Import the tracker JSON document `text`.
pub fn import_text(origin: &str, text: &[u8], sink: &mut Sink) {
    let doc: BTreeMap<String, BTreeMap<String, serde_json::Value>> =
        match serde_json::from_slice(text) {
            Ok(d) => d,
            Err(e) => {
                sink.warn(origin, format!("not Debian tracker JSON: {e}"));
                return;
            }
        };
    let mut by_cve: BTreeMap<String, Advisory> = BTreeMap::new();
    for (package, cves) in doc {
        for (cve, entry) in cves {
            let Some(releases) = entry.get("releases").and_then(|r| r.as_object()) else {
                sink.warn(origin, format!("{package}/{cve}: no releases"));
                continue;
            };
            let description = entry
                .get("description")
                .and_then(|d| d.as_str())
                .unwrap_or_default();
            let adv = by_cve.entry(cve.clone()).or_insert_with(|| Advisory {
                id: cve.clone(),
                aliases: Vec::new(),
                summary: description.lines().next().unwrap_or_default().to_string(),
                severity: None,
                cvss: Vec::new(),
                source: "debian-security-tracker".into(),
                affected: Vec::new(),
            });
            for (codename, rel) in releases {
                let Some(release) = release_of(codename) else {
                    sink.unknown_ecosystems.insert(format!("debian:{codename}"));
                    continue;
                };
                let status = rel
                    .get("status")
                    .and_then(|s| s.as_str())
                    .unwrap_or_default();
                let fixed = rel.get("fixed_version").and_then(|s| s.as_str());
                let urgency = rel
                    .get("urgency")
                    .and_then(|s| s.as_str())
                    .unwrap_or_default();
                let nodsa = rel.get("nodsa").is_some();
                let nodsa_reason = rel
                    .get("nodsa_reason")
                    .and_then(|s| s.as_str())
                    .unwrap_or_default();
                let (status, ranges) = match (status, fixed) {
                    ("resolved", Some("0")) => (AffectedStatus::NotAffected, Vec::new()),
                    ("resolved", Some(v)) => (
                        AffectedStatus::Ranges,
                        vec![Range {
                            events: vec![
                                Event::Introduced("0".into()),
                                Event::Fixed(v.to_string()),
                            ],
                        }],
                    ),
                    ("open" | "undetermined", _) if nodsa && nodsa_reason == "ignored" => {
                        (AffectedStatus::Ignored, Vec::new())
                    }
                    ("open" | "undetermined", _) if nodsa => (AffectedStatus::NoDsa, Vec::new()),
                    ("open" | "undetermined", _) => (AffectedStatus::Unfixed, Vec::new()),
                    _ => {
                        sink.warn(origin, format!("{package}/{cve}/{codename}: status {status:?} without a fixed version"));
                        continue;
                    }
                };
                adv.affected.push(Affected {
                    ecosystem: format!("debian:{release}"),
                    package: package.clone(),
                    status,
                    ranges,
                    versions: Vec::new(),
                    severity: Some(urgency_severity(urgency)),
                });
            }
        }
    }
    for (_, adv) in by_cve {
        if adv.affected.is_empty() {
            sink.skipped += 1;
        } else {
            sink.push(adv);
        }
    }
}
