//! CycloneDX 1.6 JSON (`--format cyclonedx`): every package a component, vulnerabilities
//! with their ratings and the components they affect.

use crate::{Report, ReportError};
use rampart_core::Severity;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Serial number of a BOM: a UUID derived from the report's content, so the same scan of the
/// same input gives the same document.
fn serial_number(report: &Report) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(report.artifact.name.as_bytes());
    h.update(report.created_at.as_bytes());
    for p in &report.packages {
        h.update(p.purl.as_bytes());
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    format!(
        "urn:uuid:{}",
        uuid::Builder::from_random_bytes(b).into_uuid()
    )
}

fn cdx_severity(s: Severity) -> &'static str {
    match s {
        Severity::Unknown => "unknown",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

fn artifact_component_type(kind: &str) -> &'static str {
    match kind {
        "container_image" => "container",
        "archive" => "file",
        _ => "application",
    }
}

/// The report as a CycloneDX 1.6 JSON document.
pub fn to_string(report: &Report) -> Result<String, ReportError> {
    let mut components = Vec::with_capacity(report.packages.len() + 1);
    let mut refs: HashMap<&str, String> = HashMap::new();
    let mut used: HashMap<String, usize> = HashMap::new();
    if let Some(os) = &report.artifact.os {
        components.push(json!({
            "bom-ref": format!("os:{}-{}", os.family, os.version),
            "type": "operating-system",
            "name": os.family,
            "version": os.version,
        }));
    }
    for p in &report.packages {
        let n = used.entry(p.purl.clone()).or_insert(0);
        *n += 1;
        let bom_ref = if *n == 1 {
            p.purl.clone()
        } else {
            format!("{}#{}", p.purl, n)
        };
        refs.entry(p.purl.as_str())
            .or_insert_with(|| bom_ref.clone());
        let mut c = json!({
            "bom-ref": bom_ref,
            "type": "library",
            "name": p.name,
            "version": p.version,
            "purl": p.purl,
        });
        let mut props = vec![json!({"name": "rampart:ecosystem", "value": p.ecosystem.as_str()})];
        if let Some(s) = &p.source_name {
            props.push(json!({"name": "rampart:source_name", "value": s}));
        }
        if let Some(s) = &p.source_version {
            props.push(json!({"name": "rampart:source_version", "value": s}));
        }
        for l in &p.locations {
            props.push(json!({"name": "rampart:location", "value": l}));
        }
        if let Some(l) = &p.layer {
            props.push(json!({"name": "rampart:layer", "value": l}));
        }
        if let Some(s) = p.scope {
            let v = serde_json::to_value(s)?;
            props.push(json!({"name": "rampart:scope", "value": v}));
        }
        c["properties"] = Value::Array(props);
        if !p.licenses.is_empty() {
            c["licenses"] = Value::Array(
                p.licenses
                    .iter()
                    .map(|l| json!({"license": {"name": l}}))
                    .collect(),
            );
        }
        components.push(c);
    }
    let vulns: Vec<Value> = report
        .vulnerabilities
        .iter()
        .map(|v| {
            let mut ratings = vec![json!({"severity": cdx_severity(v.severity), "source": {"name": v.data_source}})];
            for c in &v.cvss {
                let method = if c.vector.starts_with("CVSS:4") {
                    "CVSSv4"
                } else if c.vector.starts_with("CVSS:3") {
                    "CVSSv31"
                } else {
                    "CVSSv2"
                };
                ratings.push(json!({"source": {"name": c.source}, "score": c.score, "method": method, "vector": c.vector}));
            }
            let target = refs.get(v.purl.as_str()).cloned().unwrap_or_else(|| v.purl.clone());
            let mut o = json!({
                "bom-ref": format!("{}@{}", v.id, target),
                "id": v.id,
                "source": {"name": v.data_source},
                "ratings": ratings,
                "affects": [{"ref": target}],
            });
            if !v.aliases.is_empty() {
                o["references"] = Value::Array(
                    v.aliases
                        .iter()
                        .map(|a| json!({"id": a, "source": {"name": v.data_source}}))
                        .collect(),
                );
            }
            if let Some(t) = &v.title {
                o["description"] = json!(t);
            }
            if let Some(f) = &v.fixed_version {
                o["recommendation"] = json!(format!("Upgrade to {f}"));
            }
            o
        })
        .collect();
    let mut doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial_number(report),
        "version": 1,
        "metadata": {
            "timestamp": report.created_at,
            "tools": {"components": [{"type": "application", "name": "rampart", "version": report.tool.version}]},
            "component": {
                "bom-ref": "rampart:artifact",
                "type": artifact_component_type(&report.artifact.kind),
                "name": report.artifact.name,
            },
        },
        "components": components,
    });
    if let Some(d) = &report.artifact.digest {
        doc["metadata"]["component"]["version"] = json!(d);
    }
    if !vulns.is_empty() {
        doc["vulnerabilities"] = Value::Array(vulns);
    }
    let mut s = serde_json::to_string_pretty(&doc)?;
    s.push('\n');
    Ok(s)
}
