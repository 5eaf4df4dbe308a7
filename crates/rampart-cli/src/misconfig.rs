//! Misconfiguration scanning in the CLI: which files are configuration, turning the engine's
//! findings into report entries, and `--compliance` verdicts per control.

use anyhow::{Result, bail};
use rampart_core::Diagnostic;
use rampart_misconfig::{Config, PssVersion};
use rampart_report::{Compliance, ControlResult, Misconfiguration};
use std::collections::BTreeMap;

/// Frameworks `--compliance` accepts, and the prefix of their controls in rule declarations.
pub const FRAMEWORKS: &[&str] = &[
    "k8s-pss-baseline",
    "k8s-pss-restricted",
    "k8s-nsa",
    "k8s-cis",
    "docker-cis",
    "aws-cis",
    "gcp-cis",
    "azure-cis",
];

/// What kind of configuration file `path` is, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKind {
    /// YAML or JSON that may hold Kubernetes objects.
    Kubernetes,
    /// A Dockerfile / Containerfile.
    Dockerfile,
    /// Terraform HCL (`.tf`, `.tfvars`).
    Terraform,
    /// A Terraform plan as `terraform show -json` writes it.
    TerraformPlan,
}

/// Classify a path as a configuration file.
pub fn classify(path: &str) -> Option<ConfigKind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
    {
        return Some(ConfigKind::Dockerfile);
    }
    if lower.ends_with(".tf") || lower.ends_with(".tfvars") {
        return Some(ConfigKind::Terraform);
    }
    if lower.ends_with(".tfplan.json") || lower == "plan.json" || lower == "tfplan.json" {
        return Some(ConfigKind::TerraformPlan);
    }
    if lower.ends_with(".yaml")
        || lower.ends_with(".yml")
        || (lower.ends_with(".json") && !is_lockfile_json(&lower))
    {
        return Some(ConfigKind::Kubernetes);
    }
    None
}

fn is_lockfile_json(name: &str) -> bool {
    matches!(
        name,
        "package-lock.json"
            | "package.json"
            | "composer.lock"
            | "pipfile.lock"
            | "packages.lock.json"
            | "tsconfig.json"
    )
}

/// Scan configuration files (path, text).
pub fn scan(
    files: &[(String, String)],
    pss_version: &str,
) -> Result<(Vec<Misconfiguration>, Vec<Diagnostic>)> {
    let version =
        PssVersion::parse(pss_version).map_err(|e| anyhow::anyhow!("--pss-version: {e}"))?;
    let cfg = Config {
        pss_version: version,
        ..Config::default()
    };
    let mut out = Vec::new();
    let mut diags = Vec::new();
    let k8s: Vec<(&str, &str)> = files
        .iter()
        .filter(|(p, _)| classify(p) == Some(ConfigKind::Kubernetes))
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (found, d) = rampart_misconfig::scan_k8s_files(&k8s, &cfg);
    out.extend(found);
    diags.extend(d);
    for (p, t) in files
        .iter()
        .filter(|(p, _)| classify(p) == Some(ConfigKind::Dockerfile))
    {
        match rampart_misconfig::scan_dockerfile(p, t, &cfg) {
            Ok((found, d)) => {
                out.extend(found);
                diags.extend(d);
            }
            Err(e) => diags.push(Diagnostic::warning(p.as_str(), e.to_string())),
        }
    }
    let tf: Vec<(&str, &str)> = files
        .iter()
        .filter(|(p, _)| classify(p) == Some(ConfigKind::Terraform))
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    if !tf.is_empty() {
        let (found, d) = rampart_misconfig::scan_terraform_files(&tf, &cfg);
        out.extend(found);
        diags.extend(d);
    }
    for (p, t) in files
        .iter()
        .filter(|(p, _)| classify(p) == Some(ConfigKind::TerraformPlan))
    {
        match rampart_misconfig::scan_terraform_plan(p, t, &cfg) {
            Ok((found, d)) => {
                out.extend(found);
                diags.extend(d);
            }
            Err(e) => diags.push(Diagnostic::warning(p.as_str(), e.to_string())),
        }
    }
    // Files that are not Kubernetes objects are expected in a tree; keep only real problems.
    diags.retain(|d| d.level == rampart_core::Level::Warning);
    let report = out
        .into_iter()
        .map(|m| Misconfiguration {
            rule_id: m.rule_id,
            title: m.title,
            severity: m.severity,
            resource: m.resource,
            file: m.file,
            line: m.line,
            frameworks: m.frameworks,
            remediation: m.remediation,
            message: m.message,
        })
        .collect();
    Ok((report, diags))
}

/// Keep only findings of `framework` and judge each of its controls.
pub fn compliance(framework: &str, findings: &mut Vec<Misconfiguration>) -> Result<Compliance> {
    if !FRAMEWORKS.contains(&framework) {
        bail!(
            "--compliance {framework}: unknown framework (known: {})",
            FRAMEWORKS.join(", ")
        );
    }
    // The restricted profile is the baseline profile plus its own controls.
    let prefixes: Vec<String> = if framework == "k8s-pss-restricted" {
        vec!["k8s-pss-baseline:".into(), "k8s-pss-restricted:".into()]
    } else {
        vec![format!("{framework}:")]
    };
    let control_of = |f: &str| {
        prefixes
            .iter()
            .find_map(|p| f.strip_prefix(p.as_str()))
            .map(str::to_string)
    };
    let mut controls: BTreeMap<String, ControlResult> = BTreeMap::new();
    for r in rampart_misconfig::rules() {
        for f in &r.frameworks {
            if let Some(id) = control_of(f) {
                let c = controls.entry(id.clone()).or_insert_with(|| ControlResult {
                    id: id.clone(),
                    status: "PASS".into(),
                    findings: 0,
                    rules: Vec::new(),
                });
                c.rules.push(r.id.clone());
            }
        }
    }
    findings.retain(|m| m.frameworks.iter().any(|f| control_of(f).is_some()));
    for m in findings.iter() {
        for f in &m.frameworks {
            if let Some(c) = control_of(f).and_then(|id| controls.get_mut(&id)) {
                c.findings += 1;
                c.status = "FAIL".into();
            }
        }
    }
    Ok(Compliance {
        framework: framework.to_string(),
        controls: controls.into_values().collect(),
    })
}
