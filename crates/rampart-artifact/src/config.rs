//! The image configuration (OCI image config / Docker image JSON): how the image runs and
//! how it was built.
//!
//! Parsing is lenient: a field of an unexpected type is left empty rather than failing the
//! image, since the layers are still worth scanning.

use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One step of the image's build history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// The command that made the step, e.g. `/bin/sh -c apt-get install -y curl`.
    pub created_by: Option<String>,
    /// Whether the step made no layer (`ENV`, `CMD`, ...).
    pub empty_layer: bool,
    /// When the step ran (RFC 3339), as recorded.
    pub created: Option<String>,
    /// The builder's comment.
    pub comment: Option<String>,
}

/// The parts of an image configuration that scanners and policies look at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageConfig {
    /// Environment, `NAME=value` each.
    pub env: Vec<String>,
    /// The user the container runs as, when set and not empty.
    pub user: Option<String>,
    /// The entrypoint, argument by argument.
    pub entrypoint: Vec<String>,
    /// The default command, argument by argument.
    pub cmd: Vec<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Exposed ports as written, e.g. `80/tcp`, sorted.
    pub exposed_ports: Vec<String>,
    /// The working directory, when set and not empty.
    pub working_dir: Option<String>,
    /// Operating system, e.g. `linux`.
    pub os: Option<String>,
    /// CPU architecture, e.g. `amd64`.
    pub architecture: Option<String>,
    /// CPU variant, e.g. `v8`.
    pub variant: Option<String>,
    /// Build history, oldest first; entries with `empty_layer` made no layer.
    pub history: Vec<HistoryEntry>,
    /// Uncompressed layer digests (`rootfs.diff_ids`), lowest layer first.
    pub diff_ids: Vec<String>,
}

fn string(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

fn non_empty(v: Option<&Value>) -> Option<String> {
    string(v).filter(|s| !s.is_empty())
}

/// A list of strings; a lone string becomes a list of one.
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

impl ImageConfig {
    /// Reads a configuration document. Fails only when `bytes` is not a JSON object.
    pub fn from_json(bytes: &[u8]) -> Result<ImageConfig, String> {
        let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("bad JSON: {e}"))?;
        let Value::Object(top) = &doc else {
            return Err("image config is not a JSON object".into());
        };
        // Docker writes `config`; very old images only `container_config`.
        let run = top
            .get("config")
            .filter(|v| v.is_object())
            .or_else(|| top.get("container_config"));
        let get = |k: &str| run.and_then(|r| r.get(k));
        let labels = match get("Labels") {
            Some(Value::Object(m)) => m
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect(),
            _ => BTreeMap::new(),
        };
        let mut exposed_ports: Vec<String> = match get("ExposedPorts") {
            Some(Value::Object(m)) => m.keys().cloned().collect(),
            _ => Vec::new(),
        };
        exposed_ports.sort();
        let history = match top.get("history") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|h| HistoryEntry {
                    created_by: string(h.get("created_by")),
                    empty_layer: h.get("empty_layer").and_then(Value::as_bool) == Some(true),
                    created: string(h.get("created")),
                    comment: string(h.get("comment")),
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(ImageConfig {
            env: strings(get("Env")),
            user: non_empty(get("User")),
            entrypoint: strings(get("Entrypoint")),
            cmd: strings(get("Cmd")),
            labels,
            exposed_ports,
            working_dir: non_empty(get("WorkingDir")),
            os: non_empty(top.get("os")),
            architecture: non_empty(top.get("architecture")),
            variant: non_empty(top.get("variant")),
            history,
            diff_ids: strings(top.get("rootfs").and_then(|r| r.get("diff_ids"))),
        })
    }

    /// The history entry that made each layer: the `n`-th entry without `empty_layer`
    /// belongs to layer `n`.
    pub fn layer_history(&self) -> Vec<&HistoryEntry> {
        self.history.iter().filter(|h| !h.empty_layer).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_docker_config() {
        let json = br#"{"architecture":"amd64","os":"linux",
          "config":{"Env":["PATH=/usr/bin"],"User":"","Entrypoint":null,"Cmd":["sh"],
            "Labels":{"a":"b"},"ExposedPorts":{"80/tcp":{},"443/tcp":{}},"WorkingDir":"/app"},
          "rootfs":{"type":"layers","diff_ids":["sha256:aa","sha256:bb"]},
          "history":[{"created_by":"ADD x","created":"2024-01-01T00:00:00Z"},
                     {"created_by":"CMD sh","empty_layer":true},{"created_by":"RUN y"}]}"#;
        let c = ImageConfig::from_json(json).unwrap();
        assert_eq!(c.env, vec!["PATH=/usr/bin"]);
        assert_eq!(c.user, None);
        assert!(c.entrypoint.is_empty());
        assert_eq!(c.cmd, vec!["sh"]);
        assert_eq!(c.exposed_ports, vec!["443/tcp", "80/tcp"]);
        assert_eq!(c.working_dir.as_deref(), Some("/app"));
        assert_eq!(c.diff_ids, vec!["sha256:aa", "sha256:bb"]);
        let made: Vec<_> = c
            .layer_history()
            .iter()
            .map(|h| h.created_by.clone())
            .collect();
        assert_eq!(made, vec![Some("ADD x".into()), Some("RUN y".into())]);
    }

    #[test]
    fn rejects_non_objects() {
        assert!(ImageConfig::from_json(b"[1]").is_err());
        assert!(ImageConfig::from_json(b"{").is_err());
    }
}
