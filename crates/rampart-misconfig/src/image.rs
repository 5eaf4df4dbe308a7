//! Checks of a container image's own configuration (the `config` object of the image
//! config JSON): who the process runs as, which ports it exposes, and secret-looking
//! environment variables baked into it. Reading the image is rampart-artifact's business;
//! this module gets the plain values. Rule metadata (ids `image-*`) is declared in
//! [`crate::rules`].

use crate::{Misconfiguration, rule};

/// The parts of an image configuration the checks read.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImageConfig<'a> {
    /// `User` (`None` or empty when unset).
    pub user: Option<&'a str>,
    /// `ExposedPorts` keys (`22/tcp`).
    pub exposed_ports: &'a [String],
    /// `Env` entries (`NAME=value`).
    pub env: &'a [String],
}

/// Where image-config findings point: there is no file or line.
pub const IMAGE_CONFIG_FILE: &str = "image-config";

/// Check an image configuration.
pub fn scan_image_config(c: &ImageConfig<'_>) -> Vec<Misconfiguration> {
    let mut out = Vec::new();
    let mut add = |id: &str, message: String| {
        if let Some(meta) = rule(id) {
            out.push(Misconfiguration {
                rule_id: meta.id.clone(),
                title: meta.title.clone(),
                severity: meta.severity,
                resource: "Image".to_string(),
                file: IMAGE_CONFIG_FILE.to_string(),
                line: 0,
                frameworks: meta.frameworks.clone(),
                remediation: meta.remediation.clone(),
                message,
            });
        }
    };
    match c.user.map(str::trim).filter(|u| !u.is_empty()) {
        None => add(
            "image-no-user",
            "the image sets no User: it runs as root unless the runtime overrides it".into(),
        ),
        Some(u) => {
            let who = u.split(':').next().unwrap_or("");
            if who == "root" || who == "0" {
                add("image-root-user", format!("the image runs as User {u:?}"));
            }
        }
    }
    for p in c.exposed_ports {
        let (port, proto) = p.split_once('/').unwrap_or((p.as_str(), "tcp"));
        if port == "22" && proto.eq_ignore_ascii_case("tcp") {
            add("image-expose-ssh", format!("the image exposes {p}"));
        }
    }
    for e in c.env {
        let Some((name, value)) = e.split_once('=') else {
            continue;
        };
        if crate::dockerfile::rules::secret_like(name) && !value.trim().is_empty() {
            add(
                "image-secret-env",
                format!("environment variable {name} holds a value in the image configuration"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(c: &ImageConfig<'_>) -> Vec<String> {
        scan_image_config(c)
            .into_iter()
            .map(|m| m.rule_id)
            .collect()
    }

    #[test]
    fn user_ports_and_env() {
        let ports = ["22/tcp".to_string(), "8080/tcp".to_string()];
        let env = [
            "PATH=/usr/bin".to_string(),
            "DB_PASSWORD=hunter2".to_string(),
            "API_TOKEN=".to_string(),
        ];
        let c = ImageConfig {
            user: Some("0:0"),
            exposed_ports: &ports,
            env: &env,
        };
        assert_eq!(
            ids(&c),
            ["image-root-user", "image-expose-ssh", "image-secret-env"]
        );
        assert_eq!(ids(&ImageConfig::default()), ["image-no-user"]);
        let c = ImageConfig {
            user: Some("app"),
            ..ImageConfig::default()
        };
        assert!(ids(&c).is_empty());
    }
}
