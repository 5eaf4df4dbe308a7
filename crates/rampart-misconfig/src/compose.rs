//! docker-compose files (`compose.yaml`, `docker-compose.yml`, `*.compose.yaml`): every
//! service of `services:` checked for host access (privileged, capabilities, host network,
//! PID and IPC namespaces, the Docker socket and sensitive host paths, disabled confinement),
//! secrets written into `environment`, unpinned images and root users. Rule metadata (ids
//! `compose-*`) is declared in [`crate::rules`]; which file names are compose files is the
//! caller's business.

use crate::yaml::{self, Node, Value};
use crate::{Config, MisconfigError, Misconfiguration, rule};
use rampart_core::Diagnostic;

/// Capabilities whose grant amounts to host root or breaks isolation.
const DANGEROUS_CAPS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "DAC_READ_SEARCH",
    "NET_ADMIN",
    "BPF",
];

/// Host paths whose mount gives a container control of, or secrets from, the host.
const SENSITIVE_PATHS: &[&str] = &[
    "/",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/proc",
    "/root",
    "/sys",
    "/usr",
    "/var/lib/docker",
    "/var/lib/kubelet",
    "/var/log",
    "/home",
];

const DOCKER_SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/podman/podman.sock",
];

struct Out<'a> {
    file: &'a str,
    found: Vec<Misconfiguration>,
}

impl Out<'_> {
    fn add(&mut self, rule_id: &str, service: &str, line: u32, message: String) {
        let Some(meta) = rule(rule_id) else { return };
        self.found.push(Misconfiguration {
            rule_id: meta.id.clone(),
            title: meta.title.clone(),
            severity: meta.severity,
            resource: format!("Service/{service}"),
            file: self.file.to_string(),
            line,
            frameworks: meta.frameworks.clone(),
            remediation: meta.remediation.clone(),
            message,
        });
    }
}

/// Check one compose file. Invalid YAML and inputs past the limits are errors naming the
/// file and line; a document without `services` gets an info diagnostic.
pub fn scan_compose(
    path: &str,
    text: &str,
    cfg: &Config,
) -> Result<(Vec<Misconfiguration>, Vec<Diagnostic>), MisconfigError> {
    let docs = yaml::parse_documents(path, text, cfg.limits)?;
    let mut out = Out {
        file: path,
        found: Vec::new(),
    };
    let mut diags = Vec::new();
    for d in &docs {
        let Some(services) = d.root.get("services") else {
            let mut diag = Diagnostic::warning(path, "no services: not a compose file");
            diag.level = rampart_core::Level::Info;
            diags.push(diag.at_line(d.root.line));
            continue;
        };
        for (name, svc) in services.entries() {
            check_service(&mut out, name, svc);
        }
    }
    Ok((out.found, diags))
}

/// Scalar text of a node, numbers and booleans included.
fn text(n: &Node) -> Option<&str> {
    n.as_str()
}

fn check_service(out: &mut Out<'_>, name: &str, svc: &Node) {
    if let Some(p) = svc.get("privileged")
        && p.as_bool() == Some(true)
    {
        out.add(
            "compose-privileged",
            name,
            p.line,
            format!("service {name:?} runs privileged"),
        );
    }
    for cap in svc.get("cap_add").map(Node::items).unwrap_or_default() {
        let Some(c) = text(cap) else { continue };
        let norm = c.trim().to_ascii_uppercase();
        let norm = norm.strip_prefix("CAP_").unwrap_or(&norm);
        if DANGEROUS_CAPS.contains(&norm) {
            out.add(
                "compose-dangerous-capability",
                name,
                cap.line,
                format!("service {name:?} adds capability {c}"),
            );
        }
    }
    for (key, rule_id, what) in [
        ("network_mode", "compose-host-network", "network"),
        ("pid", "compose-host-pid", "process"),
        ("ipc", "compose-host-ipc", "IPC"),
    ] {
        if let Some(v) = svc.get(key)
            && text(v) == Some("host")
        {
            out.add(
                rule_id,
                name,
                v.line,
                format!("service {name:?} shares the host's {what} namespace ({key}: host)"),
            );
        }
    }
    for v in svc.get("volumes").map(Node::items).unwrap_or_default() {
        let source = match &v.value {
            Value::Scalar { text, .. } => {
                let src = text.split(':').next().unwrap_or("");
                // A named volume has no slash; only bind mounts reach the host.
                if !src.starts_with('/') {
                    continue;
                }
                src.to_string()
            }
            Value::Map(_) => {
                let bind = v
                    .get("type")
                    .and_then(Node::as_str)
                    .is_none_or(|t| t == "bind");
                match v.get("source").and_then(Node::as_str) {
                    Some(s) if bind && s.starts_with('/') => s.to_string(),
                    _ => continue,
                }
            }
            _ => continue,
        };
        let path = normalize(&source);
        if DOCKER_SOCKETS.contains(&path.as_str()) {
            out.add(
                "compose-docker-socket",
                name,
                v.line,
                format!("service {name:?} mounts the container runtime socket {path}"),
            );
        } else if SENSITIVE_PATHS
            .iter()
            .any(|p| path == *p || (*p != "/" && path.starts_with(&format!("{p}/"))))
        {
            out.add(
                "compose-sensitive-host-path",
                name,
                v.line,
                format!("service {name:?} mounts host path {path}"),
            );
        }
    }
    check_environment(out, name, svc);
    if let Some(img) = svc.get("image")
        && let Some(image) = text(img)
        && !image.contains("${")
    {
        let (tag, digest) = crate::checks::image_parts(image);
        if !digest && (tag.is_none() || tag == Some("latest")) {
            out.add(
                "compose-image-latest",
                name,
                img.line,
                format!("service {name:?} uses image {image:?} without a version tag"),
            );
        }
    }
    if let Some(u) = svc.get("user")
        && let Some(user) = text(u)
    {
        let who = user.split(':').next().unwrap_or("").trim();
        if who == "root" || who == "0" {
            out.add(
                "compose-user-root",
                name,
                u.line,
                format!("service {name:?} runs as {user:?}"),
            );
        }
    }
    for opt in svc.get("security_opt").map(Node::items).unwrap_or_default() {
        let Some(o) = text(opt) else { continue };
        let o = o.replace('=', ":");
        if matches!(
            o.as_str(),
            "seccomp:unconfined" | "apparmor:unconfined" | "label:disable"
        ) {
            out.add(
                "compose-unconfined",
                name,
                opt.line,
                format!("service {name:?} sets security_opt {o}"),
            );
        }
    }
}

/// `environment:` as a map (`KEY: value`) or a list (`KEY=value`): a secret-looking name with
/// a literal value (not `${VAR}` interpolation, not empty) is a secret written into the file.
fn check_environment(out: &mut Out<'_>, name: &str, svc: &Node) {
    let Some(env) = svc.get("environment") else {
        return;
    };
    let mut pairs: Vec<(String, String, u32)> = Vec::new();
    match &env.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                pairs.push((k.clone(), v.as_str().unwrap_or("").to_string(), v.line));
            }
        }
        Value::Seq(items) => {
            for it in items {
                if let Some((k, v)) = it.as_str().and_then(|s| s.split_once('=')) {
                    pairs.push((k.to_string(), v.to_string(), it.line));
                }
            }
        }
        _ => {}
    }
    for (k, v, line) in pairs {
        let v = v.trim();
        if crate::dockerfile::rules::secret_like(&k) && !v.is_empty() && !v.contains('$') {
            out.add(
                "compose-secret-env",
                name,
                line,
                format!("service {name:?} sets {k} to a literal value"),
            );
        }
    }
}

/// Collapse `//`, `/./` and a trailing slash.
fn normalize(p: &str) -> String {
    let parts: Vec<&str> = p
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<(String, u32)> {
        let (found, _) = scan_compose("compose.yaml", text, &Config::default()).unwrap();
        found.into_iter().map(|m| (m.rule_id, m.line)).collect()
    }

    #[test]
    fn safe_service_has_no_findings() {
        let text = "services:\n  web:\n    image: nginx:1.27\n    user: \"1000:1000\"\n    volumes:\n      - data:/var/lib/data\n      - ./site:/usr/share/nginx/html:ro\n    environment:\n      DB_PASSWORD: ${DB_PASSWORD}\n      LOG_LEVEL: info\nvolumes:\n  data: {}\n";
        assert_eq!(ids(text), vec![]);
    }

    #[test]
    fn long_syntax_volumes_and_list_environment() {
        let text = "services:\n  monitor:\n    image: monitor@sha256:abc\n    volumes:\n      - type: bind\n        source: /var/run//docker.sock\n        target: /var/run/docker.sock\n      - type: volume\n        source: /etc\n        target: /x\n    environment:\n      - API_TOKEN=abc123\n      - PORT=80\n";
        assert_eq!(
            ids(text),
            vec![
                ("compose-docker-socket".to_string(), 5),
                ("compose-secret-env".to_string(), 12),
            ]
        );
    }

    #[test]
    fn paths_normalize() {
        assert_eq!(
            normalize("/var//run/./docker.sock/"),
            "/var/run/docker.sock"
        );
        assert_eq!(normalize("/"), "/");
    }
}
