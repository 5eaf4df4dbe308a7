//! The JSON report (`--format json`), rampart's own schema.

use crate::{Report, ReportError};

/// The report as pretty-printed JSON.
pub fn to_string(report: &Report) -> Result<String, ReportError> {
    let mut s = serde_json::to_string_pretty(report)?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Artifact, Misconfiguration};
    use rampart_core::Severity;

    /// A suppressed misconfiguration keeps `suppressed` with its reason; an open one has no
    /// such key.
    #[test]
    fn suppressed_misconfigurations_keep_the_reason() {
        let mut r = Report::new(Artifact::new("config", "deploy"), "2026-01-01T00:00:00Z");
        let m = |rule: &str, suppressed: Option<&str>| Misconfiguration {
            rule_id: rule.into(),
            title: "t".into(),
            severity: Severity::Medium,
            resource: "Pod/default/web".into(),
            file: "pod.yaml".into(),
            line: 3,
            frameworks: Vec::new(),
            remediation: "r".into(),
            message: String::new(),
            suppressed: suppressed.map(str::to_string),
        };
        r.misconfigurations = vec![
            m("k8s-a", Some("ignore-file: accepted risk, ticket SEC-1")),
            m("k8s-b", None),
        ];
        r.finish();
        let text = to_string(&r).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let list = v["misconfigurations"].as_array().unwrap();
        assert_eq!(
            list[0]["suppressed"],
            "ignore-file: accepted risk, ticket SEC-1"
        );
        assert!(list[1].get("suppressed").is_none());
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, r);
    }
}
