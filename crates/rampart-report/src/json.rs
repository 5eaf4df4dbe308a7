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

    /// A suppressed secret keeps `suppressed` with its reason next to its redacted value; an
    /// open one has no such key.
    #[test]
    fn suppressed_secrets_keep_the_reason() {
        let mut r = Report::new(Artifact::new("filesystem", "."), "2026-01-01T00:00:00Z");
        let s =
            |file: &str, suppressed: Option<&str>| crate::model::test_secret(file, 4, suppressed);
        r.secrets = vec![
            s("a.env", Some("ignore-file: revoked test token")),
            s("b.env", None),
        ];
        r.finish();
        let text = to_string(&r).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let list = v["secrets"].as_array().unwrap();
        assert_eq!(list[0]["suppressed"], "ignore-file: revoked test token");
        assert_eq!(list[0]["redacted"], "ghp_…sha256:0123456789ab");
        assert!(list[1].get("suppressed").is_none());
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, r);
    }
}
