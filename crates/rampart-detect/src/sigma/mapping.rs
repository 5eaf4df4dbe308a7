//! Field mapping: which event field a Sigma taxonomy field name reads, per log source.
//!
//! Sigma rules name fields in Sigma's taxonomy (`Image`, `CommandLine`) or in the log's own
//! vocabulary (CloudTrail's `eventName`, auditd's `a0`). A [`FieldMapping`] says, for each
//! log source, what to ask the event for. Names without a mapping are looked up as
//! written (the identity mapping), optionally under a list of path prefixes. The default
//! mapping ([`FieldMapping::default`]) covers rampart's event names for Linux processes,
//! files and connections, identity for CloudTrail, GCP and Azure, the audit event's own paths
//! for Kubernetes (plus Sigma's flattened `hostPath`, `capabilities`, `apiGroup`), and
//! EVTX records rendered as JSON (`Event.EventData.*`, `Event.System.*`) for Windows.
//!
//! A mapping loads from YAML:
//!
//! ```yaml
//! sources:
//!   - product: linux
//!     category: process_creation
//!     fields:
//!       Image: proc.exepath
//!       CommandLine: [proc.cmdline, proc.args]
//!     prefixes: []
//!     keywords: ['*']
//! ```

use super::SigmaError;
use super::json::KEYWORDS_FIELD;
use super::yaml::{self, Node, Value};
use std::collections::BTreeMap;

/// The log-source triple a Sigma rule declares or an event comes from. Empty parts are
/// wildcards on the rule side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LogSource<'a> {
    /// `product` (`linux`, `aws`, `kubernetes`, `windows`...).
    pub product: Option<&'a str>,
    /// `category` (`process_creation`, `file_event`...).
    pub category: Option<&'a str>,
    /// `service` (`auditd`, `cloudtrail`, `audit`...).
    pub service: Option<&'a str>,
}

impl<'a> LogSource<'a> {
    /// A source from its three parts.
    pub const fn new(
        product: Option<&'a str>,
        category: Option<&'a str>,
        service: Option<&'a str>,
    ) -> Self {
        LogSource {
            product,
            category,
            service,
        }
    }
}

impl LogSource<'static> {
    /// Linux auditd records (`product: linux, service: auditd`).
    pub const LINUX_AUDITD: Self = Self::new(Some("linux"), None, Some("auditd"));
    /// Linux process starts (`product: linux, category: process_creation`).
    pub const LINUX_PROCESS_CREATION: Self =
        Self::new(Some("linux"), Some("process_creation"), None);
    /// Linux file writes (`product: linux, category: file_event`).
    pub const LINUX_FILE_EVENT: Self = Self::new(Some("linux"), Some("file_event"), None);
    /// Linux connections (`product: linux, category: network_connection`).
    pub const LINUX_NETWORK_CONNECTION: Self =
        Self::new(Some("linux"), Some("network_connection"), None);
    /// Kubernetes audit events (`product: kubernetes, category: application, service:
    /// audit`; SigmaHQ's rules name the category or leave it out).
    pub const KUBERNETES_AUDIT: Self =
        Self::new(Some("kubernetes"), Some("application"), Some("audit"));
    /// AWS CloudTrail records (`product: aws, service: cloudtrail`).
    pub const AWS_CLOUDTRAIL: Self = Self::new(Some("aws"), None, Some("cloudtrail"));
    /// GCP audit logs (`product: gcp, service: gcp.audit`).
    pub const GCP_AUDIT: Self = Self::new(Some("gcp"), None, Some("gcp.audit"));
    /// Azure activity logs (`product: azure, service: activitylogs`).
    pub const AZURE_ACTIVITYLOGS: Self = Self::new(Some("azure"), None, Some("activitylogs"));
    /// Azure AD audit logs (`product: azure, service: auditlogs`).
    pub const AZURE_AUDITLOGS: Self = Self::new(Some("azure"), None, Some("auditlogs"));
    /// Azure sign-in logs (`product: azure, service: signinlogs`).
    pub const AZURE_SIGNINLOGS: Self = Self::new(Some("azure"), None, Some("signinlogs"));
}

/// True when an event from `event` is in the scope of a rule (or mapping) declaring
/// `rule`: every part the rule names equals the event's, ignoring ASCII case.
pub(crate) fn covers(rule: &LogSource<'_>, event: &LogSource<'_>) -> bool {
    fn part(r: Option<&str>, e: Option<&str>) -> bool {
        match (r, e) {
            (None, _) => true,
            (Some(r), Some(e)) => r.eq_ignore_ascii_case(e),
            (Some(_), None) => false,
        }
    }
    part(rule.product, event.product)
        && part(rule.category, event.category)
        && part(rule.service, event.service)
}

/// How fields are named for one log source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceMapping {
    /// Product this mapping applies to (`None`: any).
    pub product: Option<String>,
    /// Category this mapping applies to (`None`: any).
    pub category: Option<String>,
    /// Service this mapping applies to (`None`: any).
    pub service: Option<String>,
    /// Sigma field name → event field names, tried in order until the event has one.
    pub fields: BTreeMap<String, Vec<String>>,
    /// For names not in `fields`: the prefixes to try (`Event.EventData.`); empty means the
    /// name is used as written.
    pub prefixes: Vec<String>,
    /// The event fields keyword (field-less) searches read.
    pub keywords: Vec<String>,
}

impl SourceMapping {
    fn logsource(&self) -> LogSource<'_> {
        LogSource::new(
            self.product.as_deref(),
            self.category.as_deref(),
            self.service.as_deref(),
        )
    }

    /// The event field names to try for Sigma field `name`.
    pub fn resolve(&self, name: &str) -> Vec<String> {
        if let Some(targets) = self.fields.get(name) {
            return targets.clone();
        }
        if self.prefixes.is_empty() {
            return vec![name.to_string()];
        }
        self.prefixes.iter().map(|p| format!("{p}{name}")).collect()
    }
}

/// The field mapping of every log source, first match wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMapping {
    /// Per-source mappings, most specific first.
    pub sources: Vec<SourceMapping>,
}

impl FieldMapping {
    /// Every name as written, keywords read from [`KEYWORDS_FIELD`].
    pub fn identity() -> Self {
        FieldMapping {
            sources: Vec::new(),
        }
    }

    /// The mapping that applies to rules of `rule`'s log source, if any.
    pub fn for_source(&self, rule: &LogSource<'_>) -> Option<&SourceMapping> {
        self.sources.iter().find(|m| covers(&m.logsource(), rule))
    }

    /// The event field names to try for Sigma field `name` of a rule of log source `rule`.
    pub fn resolve(&self, rule: &LogSource<'_>, name: &str) -> Vec<String> {
        match self.for_source(rule) {
            Some(m) => m.resolve(name),
            None => vec![name.to_string()],
        }
    }

    /// The event fields keyword searches of a rule of log source `rule` read.
    pub fn keywords(&self, rule: &LogSource<'_>) -> Vec<String> {
        match self.for_source(rule) {
            Some(m) if !m.keywords.is_empty() => m.keywords.clone(),
            _ => vec![KEYWORDS_FIELD.to_string()],
        }
    }

    /// Reads a mapping from YAML text (format in the module docs); `path` names the file in
    /// errors.
    pub fn from_yaml(path: &str, text: &str) -> Result<Self, SigmaError> {
        let err = |line: u32, reason: String| SigmaError::Mapping {
            path: path.to_string(),
            line,
            reason,
        };
        let docs = yaml::load(text).map_err(|e| err(e.line, e.reason))?;
        let Some(doc) = docs.first() else {
            return Ok(FieldMapping::identity());
        };
        let Some(sources) = doc.get("sources") else {
            return Err(err(doc.line, "missing `sources` list".to_string()));
        };
        let Value::Seq(items) = &sources.value else {
            return Err(err(sources.line, "`sources` must be a list".to_string()));
        };
        let mut out = Vec::new();
        for item in items {
            if !matches!(item.value, Value::Map(_)) {
                return Err(err(item.line, "each source must be a mapping".to_string()));
            }
            let text_of = |key: &str| item.get(key).and_then(Node::as_str).map(str::to_string);
            let mut fields = BTreeMap::new();
            if let Some(f) = item.get("fields") {
                let Value::Map(entries) = &f.value else {
                    return Err(err(f.line, "`fields` must be a mapping".to_string()));
                };
                for (k, v) in entries {
                    let Some(name) = k.as_str() else {
                        return Err(err(k.line, "field names must be strings".to_string()));
                    };
                    let targets = v.strings();
                    if targets.is_empty() {
                        return Err(err(
                            v.line,
                            format!("field `{name}` maps to no event field"),
                        ));
                    }
                    fields.insert(name.to_string(), targets);
                }
            }
            out.push(SourceMapping {
                product: text_of("product"),
                category: text_of("category"),
                service: text_of("service"),
                fields,
                prefixes: item.get("prefixes").map(Node::strings).unwrap_or_default(),
                keywords: item.get("keywords").map(Node::strings).unwrap_or_default(),
            });
        }
        Ok(FieldMapping { sources: out })
    }
}

fn source(
    product: &str,
    category: Option<&str>,
    service: Option<&str>,
    fields: &[(&str, &[&str])],
    prefixes: &[&str],
) -> SourceMapping {
    SourceMapping {
        product: Some(product.to_string()),
        category: category.map(str::to_string),
        service: service.map(str::to_string),
        fields: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect(),
        prefixes: prefixes.iter().map(|s| s.to_string()).collect(),
        keywords: Vec::new(),
    }
}

impl Default for FieldMapping {
    /// rampart's event names for Linux runtime events; identity for cloud and Kubernetes
    /// audit logs (their own JSON paths); EVTX-as-JSON paths for Windows.
    fn default() -> Self {
        const PROC: &[(&str, &[&str])] = &[
            ("Image", &["proc.exepath"]),
            ("CommandLine", &["proc.cmdline"]),
            ("ParentImage", &["proc.pexepath"]),
            ("ParentCommandLine", &["proc.pcmdline"]),
            ("CurrentDirectory", &["proc.cwd"]),
            ("User", &["user.name"]),
            ("LogonId", &["user.loginuid"]),
            ("ProcessId", &["proc.pid"]),
            ("ParentProcessId", &["proc.ppid"]),
        ];
        const FILE: &[(&str, &[&str])] = &[
            ("TargetFilename", &["fd.name"]),
            ("Image", &["proc.exepath"]),
            ("User", &["user.name"]),
        ];
        const NET: &[(&str, &[&str])] = &[
            ("Image", &["proc.exepath"]),
            ("DestinationIp", &["fd.rip"]),
            ("DestinationPort", &["fd.rport"]),
            ("SourceIp", &["fd.lip"]),
            ("SourcePort", &["fd.lport"]),
            ("User", &["user.name"]),
        ];
        const WINDOWS: &[(&str, &[&str])] = &[
            ("Provider_Name", &["Event.System.Provider.#attributes.Name"]),
            ("EventID", &["Event.System.EventID"]),
            ("Channel", &["Event.System.Channel"]),
            ("Computer", &["Event.System.Computer"]),
        ];
        // Sigma's flattened names for parts of the request object.
        const K8S: &[(&str, &[&str])] = &[
            ("apiGroup", &["objectRef.apiGroup"]),
            ("hostPath", &["requestObject.spec.volumes.hostPath"]),
            (
                "capabilities",
                &["requestObject.spec.containers.securityContext.capabilities"],
            ),
        ];
        // Defender's rendered event data names its fields with spaces.
        const DEFENDER: &[(&str, &[&str])] = &[
            ("Provider_Name", &["Event.System.Provider.#attributes.Name"]),
            ("EventID", &["Event.System.EventID"]),
            ("SourceName", &["Event.EventData.Source Name"]),
            ("ThreatName", &["Event.EventData.Threat Name"]),
            ("ProcessName", &["Event.EventData.Process Name"]),
            ("Path", &["Event.EventData.Path"]),
        ];
        const EVTX: &[&str] = &["Event.EventData.", "Event.System.", "Event.UserData.*."];
        FieldMapping {
            sources: vec![
                source("linux", Some("process_creation"), None, PROC, &[]),
                source("linux", Some("file_event"), None, FILE, &[]),
                source("linux", Some("network_connection"), None, NET, &[]),
                source("kubernetes", None, Some("audit"), K8S, &[]),
                source("windows", None, Some("windefend"), DEFENDER, EVTX),
                source("windows", None, None, WINDOWS, EVTX),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_resolves_per_source() {
        let m = FieldMapping::default();
        assert_eq!(
            m.resolve(&LogSource::LINUX_PROCESS_CREATION, "CommandLine"),
            vec!["proc.cmdline"]
        );
        assert_eq!(
            m.resolve(&LogSource::AWS_CLOUDTRAIL, "eventName"),
            vec!["eventName"]
        );
        assert_eq!(
            m.resolve(
                &LogSource::new(Some("windows"), Some("process_creation"), None),
                "Image"
            ),
            vec![
                "Event.EventData.Image",
                "Event.System.Image",
                "Event.UserData.*.Image"
            ]
        );
        assert_eq!(m.keywords(&LogSource::LINUX_AUDITD), vec!["*"]);
    }

    #[test]
    fn loads_yaml_and_reports_errors() {
        let m = FieldMapping::from_yaml(
            "map.yml",
            "sources:\n  - product: linux\n    service: auditd\n    fields:\n      exe: [raw.exe, exe]\n    keywords: raw\n",
        )
        .unwrap();
        assert_eq!(
            m.resolve(&LogSource::LINUX_AUDITD, "exe"),
            vec!["raw.exe", "exe"]
        );
        assert_eq!(m.keywords(&LogSource::LINUX_AUDITD), vec!["raw"]);
        let e = FieldMapping::from_yaml("map.yml", "sources:\n  - product: x\n    fields: 3\n")
            .unwrap_err();
        assert_eq!(e.to_string(), "map.yml: line 3: `fields` must be a mapping");
        assert!(FieldMapping::from_yaml("map.yml", "sources: [").is_err());
    }
}
