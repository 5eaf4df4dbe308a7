//! Renders Helm charts to Kubernetes manifests, offline and in process, so their
//! misconfigurations can be checked as `helm template` would produce them.
//!
//! A chart is a directory with a `Chart.yaml` or a packaged `.tgz` of one. Rendering follows
//! Helm's engine: every file under `templates/` is parsed into one template set (so
//! `define`s are shared), files whose name starts with `_` and `NOTES.txt` only contribute
//! definitions, values are the chart's `values.yaml` merged with `--values` files and `--set`
//! entries, subcharts under `charts/` render with their own values (the parent's
//! `<subchart>:` section and `global:`), and the built-in objects `.Values`, `.Chart`,
//! `.Release`, `.Capabilities`, `.Template` and `.Files` are provided.
//!
//! What is not rendered: functions that need a cluster (`lookup` returns an empty map), real
//! randomness and time (`randAlphaNum`, `now` return fixed values), and the cryptographic
//! generators (`genCA` and friends are unknown functions, an error naming the template).
//! Archives are read in memory with size limits; nothing is written to disk.

mod exec;
pub mod template;
mod value;

pub use exec::{MAX_DEPTH, MAX_OUTPUT, to_yaml};
pub use value::Value;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

/// Key under which `.Files` keeps the chart's files (not a valid template identifier, so no
/// chart can reach it as a field).
pub(crate) const FILES_KEY: &str = "<files>";

/// Largest chart (all files, decompressed) read.
pub const MAX_CHART_BYTES: u64 = 64 << 20;
/// Most files read from one chart.
pub const MAX_CHART_FILES: usize = 10_000;
/// Deepest subchart nesting followed.
pub const MAX_SUBCHART_DEPTH: usize = 5;

/// Why a chart could not be read or rendered. Each names the file and, for templates, the line.
#[derive(Debug, thiserror::Error)]
pub enum HelmError {
    #[error("{file}: {reason}")]
    Read { file: String, reason: String },
    #[error("{file}: invalid YAML: {reason}")]
    Yaml { file: String, reason: String },
    #[error("{file}:{line}: template syntax error: {reason}")]
    Parse {
        file: String,
        line: u32,
        reason: String,
    },
    #[error("{file}:{line}: rendering failed: {reason}")]
    Render {
        file: String,
        line: u32,
        reason: String,
    },
    #[error("--set {entry}: {reason}")]
    Set { entry: String, reason: String },
}

impl HelmError {
    pub(crate) fn parse(file: &str, line: u32, reason: &str) -> Self {
        HelmError::Parse {
            file: file.to_string(),
            line,
            reason: reason.to_string(),
        }
    }

    pub(crate) fn render(file: &str, line: u32, reason: String) -> Self {
        HelmError::Render {
            file: file.to_string(),
            line,
            reason,
        }
    }

    fn read(file: &str, reason: impl std::fmt::Display) -> Self {
        HelmError::Read {
            file: file.to_string(),
            reason: reason.to_string(),
        }
    }

    /// The line the error points at, when it has one.
    pub fn line(&self) -> Option<u32> {
        match self {
            HelmError::Parse { line, .. } | HelmError::Render { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// A chart read into memory.
#[derive(Debug, Clone)]
pub struct Chart {
    /// The chart's name (from `Chart.yaml`).
    pub name: String,
    /// Where it was read from (for messages).
    pub origin: String,
    /// `Chart.yaml` as data.
    pub metadata: Value,
    /// Files by path relative to the chart root (`templates/deployment.yaml`).
    pub files: BTreeMap<String, Vec<u8>>,
    /// Subcharts found under `charts/`, with the directory name they were found under.
    pub subcharts: Vec<(String, Chart)>,
}

/// True when `dir` holds a `Chart.yaml`.
pub fn is_chart_dir(dir: &Path) -> bool {
    dir.join("Chart.yaml").is_file()
}

/// True when `file` looks like a packaged chart (a `.tgz`/`.tar.gz` holding `*/Chart.yaml`).
pub fn is_chart_archive(file: &Path) -> bool {
    let name = file.to_string_lossy();
    if !(name.ends_with(".tgz") || name.ends_with(".tar.gz")) {
        return false;
    }
    read_archive_files(file)
        .map(|f| f.contains_key("Chart.yaml"))
        .unwrap_or(false)
}

impl Chart {
    /// Reads a chart directory.
    pub fn from_dir(dir: &Path) -> Result<Chart, HelmError> {
        let origin = dir.display().to_string();
        let mut files = BTreeMap::new();
        let mut total = 0u64;
        read_dir_files(dir, dir, &mut files, &mut total, &origin)?;
        Chart::from_files(origin, files, 0)
    }

    /// Reads a packaged chart (`helm package` output: a gzipped tar with one top directory).
    pub fn from_archive(file: &Path) -> Result<Chart, HelmError> {
        let files = read_archive_files(file)?;
        Chart::from_files(file.display().to_string(), files, 0)
    }

    fn from_files(
        origin: String,
        mut files: BTreeMap<String, Vec<u8>>,
        depth: usize,
    ) -> Result<Chart, HelmError> {
        let chart_yaml = files
            .get("Chart.yaml")
            .ok_or_else(|| HelmError::read(&origin, "no Chart.yaml: not a Helm chart"))?;
        let meta_file = format!("{origin}/Chart.yaml");
        let meta_yaml = parse_yaml(&meta_file, chart_yaml)?;
        let metadata = Value::from_yaml(&meta_yaml);
        let name = metadata.field("name").to_go_string();
        if name.is_empty() {
            return Err(HelmError::read(&meta_file, "Chart.yaml has no name"));
        }
        // Subcharts: charts/<dir>/… and charts/<name>.tgz.
        let mut subcharts = Vec::new();
        let sub_paths: Vec<String> = files
            .keys()
            .filter(|k| k.starts_with("charts/"))
            .cloned()
            .collect();
        let mut dirs: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
        for k in sub_paths {
            let data = files.remove(&k).unwrap_or_default();
            let rest = &k["charts/".len()..];
            match rest.split_once('/') {
                Some((dir, inner)) => {
                    dirs.entry(dir.to_string())
                        .or_default()
                        .insert(inner.to_string(), data);
                }
                None if (rest.ends_with(".tgz") || rest.ends_with(".tar.gz"))
                    && depth < MAX_SUBCHART_DEPTH =>
                {
                    let inner = read_tgz(&format!("{origin}/{k}"), &data)?;
                    let sub = Chart::from_files(format!("{origin}/{k}"), inner, depth + 1)?;
                    subcharts.push((sub.name.clone(), sub));
                }
                None => {}
            }
        }
        for (dir, inner) in dirs {
            if depth < MAX_SUBCHART_DEPTH && inner.contains_key("Chart.yaml") {
                let sub = Chart::from_files(format!("{origin}/charts/{dir}"), inner, depth + 1)?;
                subcharts.push((dir, sub));
            }
        }
        Ok(Chart {
            name,
            origin,
            metadata,
            files,
            subcharts,
        })
    }

    /// The chart's own `values.yaml`.
    pub fn default_values(&self) -> Result<Value, HelmError> {
        match self.files.get("values.yaml") {
            Some(b) => {
                let y = parse_yaml(&format!("{}/values.yaml", self.origin), b)?;
                Ok(match Value::from_yaml(&y) {
                    Value::Nil => Value::Map(BTreeMap::new()),
                    v => v,
                })
            }
            None => Ok(Value::Map(BTreeMap::new())),
        }
    }
}

fn parse_yaml(file: &str, bytes: &[u8]) -> Result<serde_yaml::Value, HelmError> {
    let text = std::str::from_utf8(bytes).map_err(|_| HelmError::Yaml {
        file: file.to_string(),
        reason: "not UTF-8".into(),
    })?;
    serde_yaml::from_str(text).map_err(|e| HelmError::Yaml {
        file: file.to_string(),
        reason: e.to_string(),
    })
}

fn read_dir_files(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, Vec<u8>>,
    total: &mut u64,
    origin: &str,
) -> Result<(), HelmError> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| HelmError::read(&dir.display().to_string(), e))?;
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if name == ".git" {
            continue;
        }
        // Symlinks are not followed: a chart must not read outside itself.
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            read_dir_files(root, &path, files, total, origin)?;
        } else if ft.is_file() {
            let size = e.metadata().map(|m| m.len()).unwrap_or(0);
            *total += size;
            if *total > MAX_CHART_BYTES || files.len() >= MAX_CHART_FILES {
                return Err(HelmError::read(
                    origin,
                    format!("chart larger than {MAX_CHART_BYTES} bytes or {MAX_CHART_FILES} files"),
                ));
            }
            let data = std::fs::read(&path)
                .map_err(|e| HelmError::read(&path.display().to_string(), e))?;
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(rel, data);
        }
    }
    Ok(())
}

fn read_archive_files(file: &Path) -> Result<BTreeMap<String, Vec<u8>>, HelmError> {
    let name = file.display().to_string();
    let meta = std::fs::metadata(file).map_err(|e| HelmError::read(&name, e))?;
    if meta.len() > MAX_CHART_BYTES {
        return Err(HelmError::read(&name, "archive too large"));
    }
    let data = std::fs::read(file).map_err(|e| HelmError::read(&name, e))?;
    read_tgz(&name, &data)
}

/// Reads a chart archive in memory: the first path component (the chart's directory) is
/// dropped; entries with `..` or absolute paths, links and devices are refused or skipped;
/// the decompressed total is capped.
fn read_tgz(name: &str, data: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, HelmError> {
    let gz = flate2::read::GzDecoder::new(data);
    let mut ar = tar::Archive::new(gz.take(MAX_CHART_BYTES + 1));
    let mut files = BTreeMap::new();
    let mut total = 0u64;
    let entries = ar.entries().map_err(|e| HelmError::read(name, e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| HelmError::read(name, format!("bad archive: {e}")))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| HelmError::read(name, e))?
            .to_string_lossy()
            .replace('\\', "/");
        if path.starts_with('/') || path.split('/').any(|c| c == "..") {
            return Err(HelmError::read(
                name,
                format!("entry {path:?} escapes the chart"),
            ));
        }
        let Some((_, rel)) = path.split_once('/') else {
            continue;
        };
        total += entry.size();
        if total > MAX_CHART_BYTES || files.len() >= MAX_CHART_FILES {
            return Err(HelmError::read(
                name,
                format!("chart larger than {MAX_CHART_BYTES} bytes or {MAX_CHART_FILES} files"),
            ));
        }
        let mut buf = Vec::new();
        entry
            .read_to_end(&mut buf)
            .map_err(|e| HelmError::read(name, format!("bad archive: {e}")))?;
        files.insert(rel.to_string(), buf);
    }
    if total > MAX_CHART_BYTES {
        return Err(HelmError::read(
            name,
            "archive decompresses past the size limit",
        ));
    }
    Ok(files)
}

/// How to render.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Extra values files, in order (`--values`): (name for messages, contents).
    pub values_files: Vec<(String, String)>,
    /// `--set a.b=c,d=e` entries (types guessed as Helm does).
    pub set: Vec<String>,
    /// `--set-string` entries (always strings).
    pub set_string: Vec<String>,
    /// `.Release.Name`.
    pub release_name: String,
    /// `.Release.Namespace`.
    pub namespace: String,
    /// `.Capabilities.KubeVersion` (`v1.31.0`).
    pub kube_version: String,
    /// Extra `.Capabilities.APIVersions`.
    pub api_versions: Vec<String>,
    /// Leave out `templates/tests/` (the chart's `helm test` pods, not part of a release;
    /// `helm template --skip-tests`, and what Trivy checks).
    pub skip_tests: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            values_files: Vec::new(),
            set: Vec::new(),
            set_string: Vec::new(),
            release_name: "release-name".into(),
            namespace: "default".into(),
            kube_version: "v1.31.0".into(),
            api_versions: Vec::new(),
            skip_tests: true,
        }
    }
}

/// The API versions a current cluster serves, as Helm's built-in default capabilities list.
const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
];

/// One rendered template.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// Path relative to the top chart (`templates/deployment.yaml`,
    /// `charts/redis/templates/master.yaml`).
    pub path: String,
    /// The manifest text (may hold several YAML documents).
    pub text: String,
}

/// Stack for rendering: `include` nesting up to [`MAX_DEPTH`] recurses through the
/// evaluator, which needs more than a default thread's stack in unoptimised builds.
pub const RENDER_STACK: usize = 256 << 20;

/// Renders every manifest of `chart` (and its enabled subcharts).
///
/// Runs on its own thread with a [`RENDER_STACK`] stack (reserved, not committed), so deep
/// but bounded template nesting never overflows the caller's stack.
pub fn render(chart: &Chart, opts: &RenderOptions) -> Result<Vec<Rendered>, HelmError> {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("helm-render".into())
            .stack_size(RENDER_STACK)
            .spawn_scoped(s, || render_on_this_thread(chart, opts))
            .map_err(|e| HelmError::read(&chart.origin, format!("cannot start renderer: {e}")))?
            .join()
            .unwrap_or_else(|_| Err(HelmError::read(&chart.origin, "renderer panicked")))
    })
}

fn render_on_this_thread(chart: &Chart, opts: &RenderOptions) -> Result<Vec<Rendered>, HelmError> {
    let mut values = chart.default_values()?;
    for (name, text) in &opts.values_files {
        let y = parse_yaml(name, text.as_bytes())?;
        values = merge_values(&values, &Value::from_yaml(&y));
    }
    for entry in &opts.set {
        apply_set(&mut values, entry, false)?;
    }
    for entry in &opts.set_string {
        apply_set(&mut values, entry, true)?;
    }
    let mut out = Vec::new();
    render_chart(chart, values, opts, "", &mut out, 0)?;
    Ok(out)
}

fn render_chart(
    chart: &Chart,
    values: Value,
    opts: &RenderOptions,
    prefix: &str,
    out: &mut Vec<Rendered>,
    depth: usize,
) -> Result<(), HelmError> {
    // Parse every template; all `define`s go into one set.
    let mut defines = HashMap::new();
    let mut trees = Vec::new();
    for (path, bytes) in &chart.files {
        if !path.starts_with("templates/") {
            continue;
        }
        let shown = format!("{prefix}{path}");
        let text = std::str::from_utf8(bytes)
            .map_err(|_| HelmError::read(&shown, "template is not UTF-8"))?;
        let parsed = template::parse(&shown, text)?;
        defines.extend(parsed.defines);
        let base = path.rsplit('/').next().unwrap_or(path);
        let test = opts.skip_tests && path.starts_with("templates/tests/");
        if !base.starts_with('_') && base != "NOTES.txt" && !test {
            trees.push((path.clone(), shown, parsed.root));
        }
    }
    // Subcharts' definitions are visible to the parent as well (Helm shares one set).
    let mut sub_values = Vec::new();
    for (dir, sub) in &chart.subcharts {
        if !dependency_enabled(chart, &sub.name, &values) {
            continue;
        }
        let alias = dependency_alias(chart, &sub.name).unwrap_or_else(|| sub.name.clone());
        let mut v = sub.default_values()?;
        v = merge_values(&v, &values.field(&alias));
        if let Value::Map(m) = &mut v {
            let g = merge_values(
                &m.get("global").cloned().unwrap_or_default(),
                &values.field("global"),
            );
            if g.truthy() {
                m.insert("global".into(), g);
            }
        }
        sub_values.push((dir.clone(), sub, v));
    }
    let top = root_object(chart, &values, opts, prefix);
    for (path, shown, root) in &trees {
        let mut dot = top.clone();
        if let Value::Map(m) = &mut dot {
            let base_path = format!("{}/templates", chart.name);
            m.insert(
                "Template".into(),
                map([
                    ("Name", Value::Str(format!("{}/{}", chart.name, path))),
                    ("BasePath", Value::Str(base_path)),
                ]),
            );
        }
        let text = exec::Engine::new(&defines, shown).render(root, &dot)?;
        out.push(Rendered {
            path: shown.clone(),
            text,
        });
    }
    if depth < MAX_SUBCHART_DEPTH {
        for (dir, sub, v) in sub_values {
            let p = format!("{prefix}charts/{dir}/");
            render_chart(sub, v, opts, &p, out, depth + 1)?;
        }
    }
    Ok(())
}

fn dependency(chart: &Chart, name: &str) -> Option<Value> {
    match chart.metadata.field("dependencies") {
        Value::List(l) => l
            .into_iter()
            .find(|d| d.field("name").to_go_string() == name),
        _ => None,
    }
}

fn dependency_alias(chart: &Chart, name: &str) -> Option<String> {
    dependency(chart, name)
        .map(|d| d.field("alias").to_go_string())
        .filter(|a| !a.is_empty())
}

/// A dependency's `condition` (`redis.enabled`, comma-separated alternatives: the first that
/// resolves decides) is read from the parent's values; no condition means enabled.
fn dependency_enabled(chart: &Chart, name: &str, values: &Value) -> bool {
    let Some(dep) = dependency(chart, name) else {
        return true;
    };
    let cond = dep.field("condition").to_go_string();
    for path in cond.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut v = values.clone();
        for k in path.split('.') {
            v = v.field(k);
        }
        if let Value::Bool(b) = v {
            return b;
        }
    }
    true
}

fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// `.Values`, `.Chart`, `.Release`, `.Capabilities`, `.Files`.
fn root_object(chart: &Chart, values: &Value, opts: &RenderOptions, prefix: &str) -> Value {
    // Chart.yaml keys as Helm's Metadata struct names them.
    let mut meta = BTreeMap::new();
    if let Value::Map(m) = &chart.metadata {
        for (k, v) in m {
            let key = match k.as_str() {
                "apiVersion" => "APIVersion".to_string(),
                other => {
                    let mut c = other.chars();
                    match c.next() {
                        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                        None => continue,
                    }
                }
            };
            meta.insert(key, v.clone());
        }
    }
    let kube = opts.kube_version.trim_start_matches('v');
    let mut parts = kube.split('.');
    let (major, minor) = (
        parts.next().unwrap_or("1").to_string(),
        parts.next().unwrap_or("31").to_string(),
    );
    let mut apis: Vec<Value> = DEFAULT_API_VERSIONS
        .iter()
        .map(|s| Value::Str((*s).to_string()))
        .collect();
    apis.extend(opts.api_versions.iter().cloned().map(Value::Str));
    let mut files = BTreeMap::new();
    for (path, bytes) in &chart.files {
        if path.starts_with("templates/") || path == "values.yaml" || path == "Chart.yaml" {
            continue;
        }
        files.insert(
            path.clone(),
            Value::Str(String::from_utf8_lossy(bytes).into_owned()),
        );
    }
    let _ = prefix;
    map([
        ("Values", values.clone()),
        ("Chart", Value::Map(meta)),
        (
            "Release",
            map([
                ("Name", Value::Str(opts.release_name.clone())),
                ("Namespace", Value::Str(opts.namespace.clone())),
                ("Service", Value::Str("Helm".into())),
                ("IsInstall", Value::Bool(true)),
                ("IsUpgrade", Value::Bool(false)),
                ("Revision", Value::Int(1)),
            ]),
        ),
        (
            "Capabilities",
            map([
                (
                    "KubeVersion",
                    map([
                        ("Version", Value::Str(format!("v{kube}"))),
                        ("GitVersion", Value::Str(format!("v{kube}"))),
                        ("Major", Value::Str(major)),
                        ("Minor", Value::Str(minor)),
                    ]),
                ),
                ("APIVersions", Value::List(apis)),
                (
                    "HelmVersion",
                    map([("Version", Value::Str("v3.16.0".into()))]),
                ),
            ]),
        ),
        ("Files", map([(FILES_KEY, Value::Map(files))])),
    ])
}

/// Helm's values coalescing: maps merge key by key (the overlay wins), anything else is
/// replaced, and a `null` in the overlay deletes the key.
pub fn merge_values(base: &Value, overlay: &Value) -> Value {
    match (base, overlay) {
        (Value::Map(b), Value::Map(o)) => {
            let mut m = b.clone();
            for (k, v) in o {
                match v {
                    Value::Nil => {
                        m.remove(k);
                    }
                    _ => {
                        let merged = match m.get(k) {
                            Some(old) => merge_values(old, v),
                            None => v.clone(),
                        };
                        m.insert(k.clone(), merged);
                    }
                }
            }
            Value::Map(m)
        }
        (_, Value::Nil) => base.clone(),
        _ => overlay.clone(),
    }
}

/// Applies one `--set` argument (`a.b=1,c[0]=x,d={x,y}`).
fn apply_set(values: &mut Value, arg: &str, strings: bool) -> Result<(), HelmError> {
    for entry in split_unescaped(arg, ',', true) {
        let Some((key, raw)) = entry.split_once('=') else {
            return Err(HelmError::Set {
                entry: entry.clone(),
                reason: "expected key=value".into(),
            });
        };
        let raw = raw.replace("\\,", ",");
        let value = if strings {
            Value::Str(raw)
        } else if raw.starts_with('{') && raw.ends_with('}') {
            Value::List(
                raw[1..raw.len() - 1]
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(guess)
                    .collect(),
            )
        } else {
            guess(&raw)
        };
        let path = parse_set_key(key).map_err(|reason| HelmError::Set {
            entry: entry.clone(),
            reason,
        })?;
        set_path(values, &path, value);
    }
    Ok(())
}

fn guess(s: &str) -> Value {
    match s {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Nil,
        _ => match s.parse::<i64>() {
            Ok(i) if !s.starts_with('0') || s == "0" => Value::Int(i),
            _ => Value::Str(s.to_string()),
        },
    }
}

/// Splits on `sep` outside `{…}` (and not after a backslash).
fn split_unescaped(s: &str, sep: char, braces: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    let mut prev = '\0';
    for c in s.chars() {
        if braces && c == '{' {
            depth += 1;
        } else if braces && c == '}' {
            depth -= 1;
        }
        if c == sep && depth == 0 && prev != '\\' {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
        prev = c;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

enum Step {
    Key(String),
    Index(usize),
}

fn parse_set_key(key: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for part in split_unescaped(key, '.', false) {
        let part = part.replace("\\.", ".");
        let (name, mut rest) = match part.find('[') {
            Some(i) => (part[..i].to_string(), &part[i..]),
            None => (part.clone(), ""),
        };
        if name.is_empty() && steps.is_empty() {
            return Err("empty key".into());
        }
        if !name.is_empty() {
            steps.push(Step::Key(name));
        }
        while let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').ok_or("unclosed [")?;
            let idx: usize = r[..end].parse().map_err(|_| "bad list index".to_string())?;
            if idx > 65_536 {
                return Err("list index too large".into());
            }
            steps.push(Step::Index(idx));
            rest = &r[end + 1..];
        }
    }
    Ok(steps)
}

fn set_path(v: &mut Value, path: &[Step], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        *v = value;
        return;
    };
    match first {
        Step::Key(k) => {
            if !matches!(v, Value::Map(_)) {
                *v = Value::Map(BTreeMap::new());
            }
            if let Value::Map(m) = v {
                let slot = m.entry(k.clone()).or_insert(Value::Nil);
                set_path(slot, rest, value);
            }
        }
        Step::Index(i) => {
            if !matches!(v, Value::List(_)) {
                *v = Value::List(Vec::new());
            }
            if let Value::List(l) = v {
                if l.len() <= *i {
                    l.resize(*i + 1, Value::Nil);
                }
                set_path(&mut l[*i], rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_paths_and_types() {
        let mut v = Value::Map(BTreeMap::new());
        apply_set(&mut v, "a.b=1,c[1].d=true,e={x,y},f=007,g=a\\,b", false).unwrap();
        assert_eq!(v.field("a").field("b"), Value::Int(1));
        match v.field("c") {
            Value::List(l) => assert_eq!(l[1].field("d"), Value::Bool(true)),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            v.field("e"),
            Value::List(vec![Value::Str("x".into()), Value::Str("y".into())])
        );
        assert_eq!(v.field("f"), Value::Str("007".into()));
        assert_eq!(v.field("g"), Value::Str("a,b".into()));
        assert!(apply_set(&mut v, "novalue", false).is_err());
        assert!(apply_set(&mut v, "a[99999999]=1", false).is_err());
    }

    #[test]
    fn merge_replaces_scalars_merges_maps_and_deletes_nulls() {
        let y = |s: &str| Value::from_yaml(&serde_yaml::from_str(s).unwrap());
        let m = merge_values(
            &y("a: {b: 1, c: 2}\nd: [1]\ne: x"),
            &y("a: {b: 3}\nd: [2]\ne: null"),
        );
        assert_eq!(m, y("a: {b: 3, c: 2}\nd: [2]"));
    }
}
