//! Misconfiguration scanning in the CLI: which files are configuration, turning the engine's
//! findings into report entries, and `--compliance` verdicts per control.

use crate::cli::ScanArgs;
use anyhow::{Context, Result, bail};
use rampart_core::Diagnostic;
use rampart_misconfig::policy::{self, DataFile, Policies, PolicyConfig};
use rampart_misconfig::{Config, PssVersion};
use rampart_report::{Compliance, ControlResult, Misconfiguration};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

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
    /// A docker-compose file.
    Compose,
}

/// `--file-patterns TYPE:REGEX`: files whose path matches REGEX are configuration of TYPE.
#[derive(Debug, Clone)]
pub struct FilePattern {
    /// The type the matching files are read as.
    pub kind: ConfigKind,
    regex: regex::Regex,
}

impl FilePattern {
    /// Parse `TYPE:REGEX` (Trivy's form; the type names are Trivy's where it has them).
    pub fn parse(s: &str) -> Result<FilePattern, String> {
        let (ty, re) = s
            .split_once(':')
            .ok_or_else(|| format!("{s:?}: expected TYPE:REGEX"))?;
        let kind = match ty.to_ascii_lowercase().as_str() {
            "dockerfile" => ConfigKind::Dockerfile,
            "kubernetes" | "yaml" | "json" => ConfigKind::Kubernetes,
            "terraform" => ConfigKind::Terraform,
            "terraformplan-json" | "terraform-plan" => ConfigKind::TerraformPlan,
            "compose" | "docker-compose" => ConfigKind::Compose,
            other => {
                return Err(format!(
                    "{other:?}: unknown file type (known: dockerfile, kubernetes, yaml, json, terraform, terraformplan-json, compose)"
                ));
            }
        };
        // RE2 syntax, as Trivy's Go patterns; matching is linear in the path for any pattern.
        let regex = regex::RegexBuilder::new(re)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| format!("{re:?}: invalid regex: {e}"))?;
        Ok(FilePattern { kind, regex })
    }

    /// Whether `path` (relative to the scanned target, `/` separated) matches.
    pub fn matches(&self, path: &str) -> bool {
        self.regex.is_match(path)
    }
}

/// The `--file-patterns` of this run, set once before the target is read.
static FILE_PATTERNS: std::sync::OnceLock<Vec<FilePattern>> = std::sync::OnceLock::new();

/// Set the `--file-patterns` every later [`classify`] consults (once per process; the
/// binary runs one scan).
pub fn set_file_patterns(patterns: &[FilePattern]) {
    let _ = FILE_PATTERNS.set(patterns.to_vec());
}

/// Classify a path as a configuration file: by `--file-patterns` first (the first that
/// matches wins), else by name.
pub fn classify(path: &str) -> Option<ConfigKind> {
    if let Some(patterns) = FILE_PATTERNS.get()
        && !patterns.is_empty()
    {
        let rel = path.trim_start_matches("./").trim_start_matches('/');
        if let Some(p) = patterns.iter().find(|p| p.matches(rel)) {
            return Some(p.kind);
        }
    }
    classify_by_name(path)
}

/// Classify a configuration file by its name, then by its content where the name is
/// ambiguous: a `.json` file holding `terraform show -json` output (a top-level
/// `format_version` and `planned_values`) is a Terraform plan whatever it is called.
pub fn classify_text(path: &str, text: &str) -> Option<ConfigKind> {
    match classify(path)? {
        ConfigKind::Kubernetes if path.to_ascii_lowercase().ends_with(".json") => {
            let plan = text.trim_start().starts_with('{')
                && text.contains("\"format_version\"")
                && text.contains("\"planned_values\"");
            Some(if plan {
                ConfigKind::TerraformPlan
            } else {
                ConfigKind::Kubernetes
            })
        }
        kind => Some(kind),
    }
}

/// Classify a path as a configuration file by its name alone.
fn classify_by_name(path: &str) -> Option<ConfigKind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
    {
        return Some(ConfigKind::Dockerfile);
    }
    if is_compose(&lower) {
        return Some(ConfigKind::Compose);
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

/// `compose.yaml`, `docker-compose.yml`, `docker-compose.prod.yml`, `app.compose.yaml`.
fn is_compose(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return false;
    };
    stem == "compose"
        || stem == "docker-compose"
        || stem.starts_with("docker-compose.")
        || stem.starts_with("compose.")
        || stem.ends_with(".compose")
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

/// How configuration files are checked: the PSS version, custom policies, and whether
/// suppressed findings stay in the report.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--pss-version`.
    pub pss_version: String,
    /// `--show-suppressed`: keep inline-suppressed findings, marked.
    pub show_suppressed: bool,
    /// Custom Rego policies (`--policy`), loaded and parsed.
    pub policies: Option<Policies>,
    /// How Helm charts are rendered (`--helm-*`).
    pub helm: crate::helm::HelmOptions,
}

impl Options {
    /// Read the flags; `--policy` files are loaded and parsed here, so a broken policy stops
    /// the scan before anything is read.
    pub fn from_args(args: &ScanArgs) -> Result<Options> {
        let policies = if args.policy.is_empty() {
            if !args.data.is_empty() || !args.namespace.is_empty() || args.all_namespaces {
                bail!("--data, --namespace and --all-namespaces need --policy");
            }
            None
        } else {
            Some(load_policies(
                &args.policy,
                &args.data,
                &args.namespace,
                args.all_namespaces,
            )?)
        };
        Ok(Options {
            pss_version: args.pss_version.clone(),
            show_suppressed: args.show_suppressed,
            policies,
            helm: crate::helm::HelmOptions {
                values: args.helm_values.clone(),
                set: args.helm_set.clone(),
                set_string: args.helm_set_string.clone(),
                kube_version: args.helm_kube_version.clone(),
                api_versions: args.helm_api_versions.clone(),
            },
        })
    }
}

/// Every file under `root` (or `root` itself) whose name passes `keep`, sorted.
fn files_under(root: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>> {
    if !root.exists() {
        bail!("{}: no such file or directory", root.display());
    }
    if root.is_file() {
        return Ok(vec![root.to_path_buf()]);
    }
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(root).sort_by_file_name() {
        let e = e.with_context(|| root.display().to_string())?;
        if e.file_type().is_file() && keep(&e.file_name().to_string_lossy()) {
            out.push(e.into_path());
        }
    }
    Ok(out)
}

fn read(p: &Path) -> Result<String> {
    std::fs::read_to_string(p).with_context(|| p.display().to_string())
}

/// Load `--policy` paths (`.rego` files, directories searched recursively) and `--data`
/// paths (JSON/YAML files; a file in a subdirectory of a `--data` directory lands under
/// `data.<subdir>...`, as conftest and OPA do).
fn load_policies(
    policy: &[PathBuf],
    data: &[PathBuf],
    namespaces: &[String],
    all_namespaces: bool,
) -> Result<Policies> {
    let mut sources = Vec::new();
    for root in policy {
        let found = files_under(root, |n| n.ends_with(".rego"))?;
        if found.is_empty() {
            bail!("{}: no .rego files", root.display());
        }
        for p in found {
            let text = read(&p)?;
            sources.push((p.display().to_string(), text));
        }
    }
    let mut data_files = Vec::new();
    for root in data {
        let is_data = |n: &str| n.ends_with(".json") || n.ends_with(".yaml") || n.ends_with(".yml");
        for p in files_under(root, is_data)? {
            let prefix: Vec<String> = if root.is_dir() {
                p.strip_prefix(root)
                    .ok()
                    .and_then(Path::parent)
                    .map(|d| {
                        d.components()
                            .map(|c| c.as_os_str().to_string_lossy().into_owned())
                            .collect()
                    })
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            let text = read(&p)?;
            data_files.push((p.display().to_string(), prefix, text));
        }
    }
    let cfg = PolicyConfig {
        namespaces: if namespaces.is_empty() {
            PolicyConfig::default().namespaces
        } else {
            namespaces.to_vec()
        },
        all_namespaces,
        ..PolicyConfig::default()
    };
    let files: Vec<(&str, &str)> = sources
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let data: Vec<DataFile<'_>> = data_files
        .iter()
        .map(|(p, prefix, t)| DataFile {
            path: p,
            prefix: prefix.clone(),
            text: t,
        })
        .collect();
    Ok(policy::load_policies(&files, &data, &cfg)?)
}

/// Scan configuration files (path, text): the built-in checks, then custom policies, then
/// inline `rampart:ignore` comments.
pub fn scan(
    files: &[(String, String)],
    opts: &Options,
) -> Result<(Vec<Misconfiguration>, Vec<Diagnostic>)> {
    let version =
        PssVersion::parse(&opts.pss_version).map_err(|e| anyhow::anyhow!("--pss-version: {e}"))?;
    let cfg = Config {
        pss_version: version,
        ..Config::default()
    };
    let mut out = Vec::new();
    let mut diags = Vec::new();
    let of_kind = |k: ConfigKind| {
        files
            .iter()
            .filter(move |(p, t)| classify_text(p, t) == Some(k))
            .map(|(p, t)| (p.as_str(), t.as_str()))
    };
    let k8s: Vec<(&str, &str)> = of_kind(ConfigKind::Kubernetes).collect();
    let (found, d) = rampart_misconfig::scan_k8s_files(&k8s, &cfg);
    out.extend(found);
    diags.extend(d);
    type ScanOne = fn(
        &str,
        &str,
        &Config,
    ) -> Result<
        (Vec<rampart_misconfig::Misconfiguration>, Vec<Diagnostic>),
        rampart_misconfig::MisconfigError,
    >;
    let single: [(ConfigKind, ScanOne); 3] = [
        (ConfigKind::Dockerfile, rampart_misconfig::scan_dockerfile),
        (
            ConfigKind::TerraformPlan,
            rampart_misconfig::scan_terraform_plan,
        ),
        (ConfigKind::Compose, rampart_misconfig::scan_compose),
    ];
    for (kind, scan_one) in single {
        for (p, t) in of_kind(kind) {
            match scan_one(p, t, &cfg) {
                Ok((found, d)) => {
                    out.extend(found);
                    diags.extend(d);
                }
                Err(e) => diags.push(Diagnostic::warning(p, e.to_string())),
            }
        }
    }
    let tf: Vec<(&str, &str)> = of_kind(ConfigKind::Terraform).collect();
    if !tf.is_empty() {
        let (found, d) = rampart_misconfig::scan_terraform_files(&tf, &cfg);
        out.extend(found);
        diags.extend(d);
    }
    if let Some(p) = &opts.policies {
        let mut p = p.clone();
        for (path, text) in files {
            let Some(kind) = classify(path) else { continue };
            let inputs = match kind {
                ConfigKind::Dockerfile => Ok(vec![policy::input::dockerfile_input(path, text)]),
                ConfigKind::Terraform => {
                    policy::input::hcl_input(path, text, cfg.limits.max_bytes).map(|i| vec![i])
                }
                ConfigKind::Kubernetes | ConfigKind::TerraformPlan | ConfigKind::Compose => {
                    policy::input::yaml_inputs(path, text, cfg.limits)
                }
            };
            match inputs {
                Ok(inputs) => {
                    for i in &inputs {
                        let (found, d) = p.eval(i)?;
                        out.extend(found);
                        diags.extend(d);
                    }
                }
                Err(e) => diags.push(Diagnostic::warning(path.as_str(), e.to_string())),
            }
        }
    }
    // Files that are not Kubernetes objects are expected in a tree; keep only real problems.
    diags.retain(|d| d.level == rampart_core::Level::Warning);
    diags.sort_by(|a, b| (&a.path, a.line, &a.message).cmp(&(&b.path, b.line, &b.message)));
    diags.dedup();
    let report: Vec<Misconfiguration> = out.into_iter().map(to_report).collect();
    Ok((
        apply_inline_ignores(report, files, opts.show_suppressed),
        diags,
    ))
}

fn to_report(m: rampart_misconfig::Misconfiguration) -> Misconfiguration {
    Misconfiguration {
        rule_id: m.rule_id,
        title: m.title,
        severity: m.severity,
        resource: m.resource,
        file: m.file,
        line: m.line,
        frameworks: m.frameworks,
        remediation: m.remediation,
        message: m.message,
        suppressed: None,
    }
}

/// Misconfigurations of an image's own configuration (user, exposed ports, environment).
pub fn image_config(c: &rampart_artifact::ImageConfig) -> Vec<Misconfiguration> {
    let cfg = rampart_misconfig::ImageConfig {
        user: c.user.as_deref(),
        exposed_ports: &c.exposed_ports,
        env: &c.env,
    };
    rampart_misconfig::scan_image_config(&cfg)
        .into_iter()
        .map(to_report)
        .collect()
}

/// Drop (or, with `keep`, mark as suppressed) findings a `rampart:ignore` comment covers.
fn apply_inline_ignores(
    found: Vec<Misconfiguration>,
    files: &[(String, String)],
    keep: bool,
) -> Vec<Misconfiguration> {
    let ignores: HashMap<&str, Vec<rampart_misconfig::InlineIgnore>> = files
        .iter()
        .map(|(p, t)| (p.as_str(), rampart_misconfig::inline_ignores(t)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let mut out = Vec::with_capacity(found.len());
    for mut m in found {
        let hit = ignores
            .get(m.file.as_str())
            .and_then(|list| list.iter().find(|i| i.covers(&m.rule_id, m.line)));
        match hit {
            None => out.push(m),
            Some(i) if keep => {
                m.suppressed = Some(match &i.reason {
                    Some(r) => format!("inline: {r}"),
                    None => "inline".to_string(),
                });
                out.push(m);
            }
            Some(_) => {}
        }
    }
    out
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
    for m in findings.iter().filter(|m| m.suppressed.is_none()) {
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

#[cfg(test)]
mod pattern_tests {
    use super::FilePattern;

    fn m(re: &str, s: &str) -> bool {
        FilePattern::parse(&format!("dockerfile:{re}"))
            .unwrap()
            .matches(s)
    }

    #[test]
    fn file_patterns_match_like_go() {
        assert!(m("Customfile", "Customfile"));
        assert!(m("Customfile", "sub/Customfile"));
        assert!(!m("^Customfile$", "sub/Customfile"));
        assert!(m(r".*\.dockerfile$", "build/app.dockerfile"));
        assert!(!m(r".*\.dockerfile$", "build/app.dockerfile.bak"));
        assert!(m(r"(?i)^containerfile(\.\w+)?$", "ContainerFile.prod"));
        assert!(m("a|b(c|d){2}", "xbdc"));
        assert!(!m("^x{2,3}$", "xxxx"));
    }

    #[test]
    fn pathological_patterns_stay_linear() {
        let p = FilePattern::parse("dockerfile:^(a*)*(a|b)*c$").unwrap();
        let s = "a".repeat(100_000);
        let t = std::time::Instant::now();
        assert!(!p.matches(&s));
        assert!(t.elapsed().as_secs() < 5);
    }

    #[test]
    fn bad_patterns_are_errors() {
        for bad in ["(", "a)", "[a", "*a", "a{5,2}"] {
            let e = FilePattern::parse(&format!("dockerfile:{bad}")).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
        assert!(FilePattern::parse("nosuchtype:x").is_err());
    }
}
