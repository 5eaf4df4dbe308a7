//! OSV records (the OSV schema 1.x): one JSON file, a directory of them, or the
//! per-ecosystem `all.zip` as OSV publishes it.

use super::Sink;
use crate::cvss;
use crate::model::{
    Advisory, Affected, AffectedStatus, CvssScore, Event, Range, ecosystem_key, normalize_name,
};
use rampart_core::Severity;
use serde::Deserialize;

#[derive(Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    upstream: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    severity: Vec<SeverityEntry>,
    #[serde(default)]
    affected: Vec<AffectedEntry>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct SeverityEntry {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct AffectedEntry {
    package: Option<PackageEntry>,
    #[serde(default)]
    ranges: Vec<RangeEntry>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    severity: Vec<SeverityEntry>,
    #[serde(default)]
    ecosystem_specific: Option<serde_json::Value>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct PackageEntry {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct RangeEntry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<serde_json::Map<String, serde_json::Value>>,
}

fn severity_word(v: Option<&serde_json::Value>) -> Option<Severity> {
    let s = v?.as_str()?;
    s.parse().ok()
}

fn scores(entries: &[SeverityEntry], source: &str) -> Vec<CvssScore> {
    entries
        .iter()
        .filter(|e| e.kind.starts_with("CVSS"))
        .map(|e| CvssScore {
            source: source.to_string(),
            vector: e.score.clone(),
            score: cvss::base_score(&e.score).unwrap_or(0.0),
        })
        .collect()
}

/// Import one OSV document (a record, or an array of records) from `text`; `origin` names
/// the file for messages.
pub fn import_text(origin: &str, text: &[u8], sink: &mut Sink) {
    let value: serde_json::Value = match serde_json::from_slice(text) {
        Ok(v) => v,
        Err(e) => {
            sink.warn(origin, format!("not JSON: {e}"));
            return;
        }
    };
    let records = match value {
        serde_json::Value::Array(a) => a,
        v => vec![v],
    };
    for v in records {
        match serde_json::from_value::<Record>(v) {
            Ok(r) => import_record(origin, r, sink),
            Err(e) => sink.warn(origin, format!("not an OSV record: {e}")),
        }
    }
}

fn import_record(origin: &str, r: Record, sink: &mut Sink) {
    if r.withdrawn.is_some() {
        sink.withdrawn += 1;
        return;
    }
    let mut aliases = r.aliases;
    aliases.extend(r.upstream);
    aliases.retain(|a| a != &r.id);
    aliases.sort();
    aliases.dedup();
    let record_severity =
        severity_word(r.database_specific.as_ref().and_then(|d| d.get("severity")));
    let mut source = None;
    let mut affected = Vec::new();
    for a in r.affected {
        let Some(pkg) = a.package else { continue };
        let Some(eco) = ecosystem_key(&pkg.ecosystem) else {
            sink.unknown_ecosystems.insert(pkg.ecosystem.clone());
            continue;
        };
        source.get_or_insert_with(|| {
            format!(
                "osv:{}",
                pkg.ecosystem.split(':').next().unwrap_or_default()
            )
        });
        let mut ranges = Vec::new();
        for range in a.ranges {
            if range.kind == "GIT" {
                continue;
            }
            let mut events = Vec::new();
            for e in range.events {
                for (k, v) in e {
                    let Some(v) = v.as_str().map(str::to_string) else {
                        continue;
                    };
                    events.push(match k.as_str() {
                        "introduced" => Event::Introduced(v),
                        "fixed" => Event::Fixed(v),
                        "last_affected" => Event::LastAffected(v),
                        "limit" => Event::Limit(v),
                        _ => continue,
                    });
                }
            }
            if !events.is_empty() {
                ranges.push(Range { events });
            }
        }
        let severity = severity_word(
            a.ecosystem_specific
                .as_ref()
                .and_then(|d| d.get("severity").or_else(|| d.get("urgency"))),
        )
        .or_else(|| severity_word(a.database_specific.as_ref().and_then(|d| d.get("severity"))));
        let _ = &a.severity;
        if ranges.is_empty() && a.versions.is_empty() {
            sink.warn(
                origin,
                format!("{}: {} has neither ranges nor versions", r.id, pkg.name),
            );
            continue;
        }
        affected.push(Affected {
            package: normalize_name(&eco, &pkg.name),
            ecosystem: eco,
            status: AffectedStatus::Ranges,
            ranges,
            versions: a.versions,
            severity,
        });
    }
    if affected.is_empty() {
        sink.skipped += 1;
        return;
    }
    let source = source.unwrap_or_else(|| "osv".into());
    let summary = r
        .summary
        .or_else(|| {
            r.details
                .map(|d| d.lines().next().unwrap_or_default().to_string())
        })
        .unwrap_or_default();
    sink.push(Advisory {
        cvss: scores(&r.severity, &source),
        id: r.id,
        aliases,
        summary,
        severity: record_severity,
        source,
        affected,
    });
}
