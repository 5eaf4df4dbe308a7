//! Helm charts in `scan config` and `scan fs`: every chart directory (a `Chart.yaml`) and
//! packaged chart (`.tgz` holding one) under the target is rendered in process with
//! `rampart-helm`, and the rendered manifests are checked instead of the raw templates,
//! under the template's own path (`chart/templates/deployment.yaml`;
//! `chart.tgz:templates/pod.yaml` inside an archive).

use anyhow::{Context, Result};
use rampart_core::Diagnostic;
use rampart_helm::{Chart, RenderOptions};
use std::path::{Path, PathBuf};

/// Rendered manifests and the chart directories they replace.
#[derive(Debug, Default)]
pub struct Charts {
    /// (path relative to the scan root, rendered text).
    pub rendered: Vec<(String, String)>,
    /// Chart directories (relative to the scan root, `""` for the root itself, else ending in
    /// `/`): their raw files are not scanned as plain YAML.
    pub chart_dirs: Vec<String>,
    /// Charts that could not be read or rendered (file and line in the message).
    pub diagnostics: Vec<Diagnostic>,
}

impl Charts {
    /// True when `rel` (a path relative to the scan root) is a file of a rendered chart.
    pub fn covers(&self, rel: &str) -> bool {
        let rel = rel.trim_start_matches("./");
        self.chart_dirs.iter().any(|d| rel.starts_with(d.as_str()))
    }
}

/// `--helm-*` options as read from the command line.
#[derive(Debug, Clone, Default)]
pub struct HelmOptions {
    pub values: Vec<PathBuf>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub kube_version: Option<String>,
    pub api_versions: Vec<String>,
}

impl HelmOptions {
    fn render_options(&self) -> Result<RenderOptions> {
        let mut o = RenderOptions::default();
        for v in &self.values {
            let text = std::fs::read_to_string(v)
                .with_context(|| format!("--helm-values {}", v.display()))?;
            o.values_files.push((v.display().to_string(), text));
        }
        o.set = self.set.clone();
        o.set_string = self.set_string.clone();
        if let Some(k) = &self.kube_version {
            o.kube_version = if k.starts_with('v') {
                k.clone()
            } else {
                format!("v{k}")
            };
        }
        o.api_versions = self.api_versions.clone();
        Ok(o)
    }
}

/// Finds and renders the charts under `root` (a directory, or one `.tgz`).
pub fn render_under(
    root: &Path,
    opts: &HelmOptions,
    skip: &dyn Fn(&Path) -> bool,
) -> Result<Charts> {
    let ropts = opts.render_options()?;
    let mut charts = Charts::default();
    let mut found: Vec<(String, PathBuf, bool)> = Vec::new();
    if root.is_file() {
        if rampart_helm::is_chart_archive(root) {
            let name = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            found.push((name, root.to_path_buf(), true));
        }
    } else {
        let mut walk = walkdir::WalkDir::new(root).sort_by_file_name().into_iter();
        while let Some(e) = walk.next() {
            let Ok(e) = e else { continue };
            if e.depth() > 0 && skip(e.path()) {
                if e.file_type().is_dir() {
                    walk.skip_current_dir();
                }
                continue;
            }
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap_or(e.path())
                .to_string_lossy()
                .replace('\\', "/");
            if e.file_type().is_dir() && rampart_helm::is_chart_dir(e.path()) {
                // A chart's own subcharts render with it.
                walk.skip_current_dir();
                let dir = if rel.is_empty() {
                    String::new()
                } else {
                    format!("{rel}/")
                };
                found.push((dir, e.path().to_path_buf(), false));
            } else if e.file_type().is_file() && rampart_helm::is_chart_archive(e.path()) {
                found.push((rel, e.path().to_path_buf(), true));
            }
        }
    }
    for (rel, path, archive) in found {
        let chart = if archive {
            Chart::from_archive(&path)
        } else {
            Chart::from_dir(&path)
        };
        let prefix = if archive {
            format!("{rel}:")
        } else {
            rel.clone()
        };
        if !archive {
            charts.chart_dirs.push(rel.clone());
        }
        let rendered = chart.and_then(|c| rampart_helm::render(&c, &ropts));
        match rendered {
            Ok(files) => {
                for f in files {
                    charts
                        .rendered
                        .push((format!("{prefix}{}", f.path), f.text));
                }
            }
            Err(e) => {
                let shown = if rel.is_empty() {
                    ".".to_string()
                } else {
                    rel.clone()
                };
                let mut d = Diagnostic::warning(&shown, format!("Helm chart not rendered: {e}"));
                if let Some(line) = e.line() {
                    d = d.at_line(line);
                }
                charts.diagnostics.push(d);
            }
        }
    }
    Ok(charts)
}
