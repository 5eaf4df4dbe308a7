//! NVD CVE JSON, for CVSS ratings and descriptions of CVEs: the CVE API 2.0 shape
//! (`{"vulnerabilities": [{"cve": {...}}]}`) and the older 1.1 feeds (`{"CVE_Items": [...]}`).

use super::Sink;
use crate::cvss;
use crate::model::{CveInfo, CvssScore};
use serde_json::Value;

fn metric(source: &str, vector: Option<&str>, score: Option<f64>) -> Option<CvssScore> {
    let vector = vector?.to_string();
    let score = cvss::base_score(&vector).or(score).unwrap_or(0.0);
    Some(CvssScore {
        source: source.to_string(),
        vector,
        score,
    })
}

/// Import one NVD document.
pub fn import_text(origin: &str, text: &[u8], sink: &mut Sink) {
    let doc: Value = match serde_json::from_slice(text) {
        Ok(d) => d,
        Err(e) => {
            sink.warn(origin, format!("not NVD JSON: {e}"));
            return;
        }
    };
    if let Some(items) = doc.get("vulnerabilities").and_then(Value::as_array) {
        for item in items {
            let Some(cve) = item.get("cve") else { continue };
            let Some(id) = cve.get("id").and_then(Value::as_str) else {
                sink.warn(origin, "a CVE without an id");
                continue;
            };
            let description = cve
                .get("descriptions")
                .and_then(Value::as_array)
                .and_then(|d| {
                    d.iter()
                        .find(|x| x.get("lang").and_then(Value::as_str) == Some("en"))
                })
                .and_then(|d| d.get("value"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let mut scores = Vec::new();
            for key in ["cvssMetricV40", "cvssMetricV31", "cvssMetricV30"] {
                for m in cve
                    .pointer(&format!("/metrics/{key}"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let data = m.get("cvssData");
                    let vector = data
                        .and_then(|d| d.get("vectorString"))
                        .and_then(Value::as_str);
                    let score = data
                        .and_then(|d| d.get("baseScore"))
                        .and_then(Value::as_f64);
                    let src = if m.get("type").and_then(Value::as_str) == Some("Primary") {
                        "nvd"
                    } else {
                        "nvd-secondary"
                    };
                    scores.extend(metric(src, vector, score));
                }
            }
            sink.cve_info.insert(
                id.to_string(),
                CveInfo {
                    description,
                    cvss: scores,
                },
            );
        }
        return;
    }
    if let Some(items) = doc.get("CVE_Items").and_then(Value::as_array) {
        for item in items {
            let Some(id) = item
                .pointer("/cve/CVE_data_meta/ID")
                .and_then(Value::as_str)
            else {
                sink.warn(origin, "a CVE item without an id");
                continue;
            };
            let description = item
                .pointer("/cve/description/description_data/0/value")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let v3 = item.pointer("/impact/baseMetricV3/cvssV3");
            let scores: Vec<CvssScore> = metric(
                "nvd",
                v3.and_then(|d| d.get("vectorString"))
                    .and_then(Value::as_str),
                v3.and_then(|d| d.get("baseScore")).and_then(Value::as_f64),
            )
            .into_iter()
            .collect();
            sink.cve_info.insert(
                id.to_string(),
                CveInfo {
                    description,
                    cvss: scores,
                },
            );
        }
        return;
    }
    sink.warn(origin, "neither an NVD CVE API 2.0 nor a 1.1 feed document");
}
