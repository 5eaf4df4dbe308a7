//! Recognising an input and reading its image metadata: Docker archives (`docker save`, old
//! and OCI-inside layouts), OCI image layouts (directory or tar), root filesystems, plain
//! directories and zip files.
//!
//! Nothing is extracted: an archive's members are indexed in one header pass and later
//! read in place at their offsets. File contents are left to [`crate::walk`].

use crate::config::ImageConfig;
use crate::error::ArtifactError;
use crate::path::{Normalized, normalize};
use rampart_core::Diagnostic;
use serde_json::Value;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest JSON document (manifest, index, config) read from an artifact.
const MAX_JSON: u64 = 64 << 20;
/// How deep nested OCI indexes may go.
const MAX_INDEX_DEPTH: usize = 4;

/// What kind of input an [`Artifact`] was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// A `docker save` tar (`manifest.json`, config, layer tars or OCI blobs).
    DockerArchive,
    /// An OCI image layout directory (`oci-layout`, `index.json`, `blobs/`).
    OciLayout,
    /// An OCI image layout packed in a tar.
    OciArchive,
    /// A directory holding an operating system's root filesystem.
    Rootfs,
    /// Any other directory (a source tree, an unpacked application).
    Directory,
    /// A zip archive (for example an AWS Lambda function package). Archives nested in it
    /// (jars, zips) are ordinary files here; consumers open them if they wish.
    Zip,
}

/// One layer of an image.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LayerInfo {
    /// Position, 0 = lowest.
    pub index: usize,
    /// The uncompressed digest (`diff_id`, `sha256:…`) when the config gives it, else the
    /// blob digest, else the archive member name.
    pub digest: String,
    /// The build step that made the layer, from the config history.
    pub created_by: Option<String>,
    /// Size of the stored (maybe compressed) layer in bytes, when known.
    pub size: Option<u64>,
}

/// Largest total of small JSON members kept in memory from a compressed archive.
const MAX_CACHE: u64 = 128 << 20;

/// Where a layer's (or a metadata file's) bytes are: a byte range of a file, or a member
/// of a compressed tar, which can only be read by streaming the archive again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    /// The file (or the compressed archive) holding the bytes.
    pub(crate) path: PathBuf,
    pub(crate) offset: u64,
    pub(crate) len: u64,
    /// Set for a member of a compressed archive.
    pub(crate) member: Option<Member>,
}

/// A member of a compressed tar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    /// Its normalized name.
    pub(crate) name: String,
    /// Its contents, kept when it is a small JSON document.
    cached: Option<Arc<Vec<u8>>>,
}

/// Opens `path` and, when it starts with gzip or zstd magic, returns the decoded stream.
pub(crate) fn open_compressed(path: &Path) -> Result<Option<Box<dyn Read>>, ArtifactError> {
    let f = File::open(path).map_err(|e| ArtifactError::io(path, e))?;
    let mut r = BufReader::with_capacity(64 << 10, f);
    let head = r.fill_buf().map_err(|e| ArtifactError::io(path, e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Some(Box::new(flate2::bufread::MultiGzDecoder::new(r))))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let d = zstd::Decoder::with_buffer(r)
            .map_err(|e| ArtifactError::invalid(path, format!("bad zstd stream: {e}")))?;
        Ok(Some(Box::new(d)))
    } else {
        Ok(None)
    }
}

impl Span {
    /// The bytes of the span, read in place.
    pub(crate) fn open(&self) -> Result<std::io::Take<File>, ArtifactError> {
        if let Some(m) = &self.member {
            return Err(ArtifactError::invalid(
                &self.path,
                format!(
                    "{} lies in a compressed archive and must be streamed",
                    m.name
                ),
            ));
        }
        let mut f = File::open(&self.path).map_err(|e| ArtifactError::io(&self.path, e))?;
        f.seek(SeekFrom::Start(self.offset))
            .map_err(|e| ArtifactError::io(&self.path, e))?;
        Ok(f.take(self.len))
    }
}

/// Where an artifact's contents are read from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// Image layers, lowest first; `None` for a layer the manifest names but the input lacks.
    Layers(Vec<Option<Span>>),
    /// A directory walked in place.
    Dir(PathBuf),
    /// A zip file.
    Zip(PathBuf),
}

/// An opened input: its metadata, ready to [`crate::walk`].
#[derive(Debug, Clone)]
pub struct Artifact {
    /// What kind of input it is.
    pub kind: ArtifactKind,
    /// A display name: the image reference when the archive records one, else the path.
    pub name: String,
    /// The image ID (`sha256:` digest of the config) for images.
    pub digest: Option<String>,
    /// The digest of the chosen image manifest, for OCI inputs.
    pub manifest_digest: Option<String>,
    /// The image configuration, for images that have one.
    pub config: Option<ImageConfig>,
    /// The layers, lowest first (one layer for directories and zips).
    pub layers: Vec<LayerInfo>,
    /// Problems met while opening (a missing layer, several images in one archive, ...);
    /// [`crate::walk`] repeats them in its own diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    pub(crate) source: Source,
}

/// How to open an input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// Read the input as this kind instead of detecting it.
    pub kind: Option<ArtifactKind>,
    /// For multi-platform images, the platform to pick as `os/arch` or `os/arch/variant`
    /// (default `linux/amd64`; an index with a single image uses it whatever its platform).
    pub platform: Option<String>,
}

/// Opens `path`, detecting its kind.
///
/// Directories with `oci-layout` are OCI layouts; directories holding an OS release file
/// or package database are root filesystems; other directories are plain. Files are read
/// by their first bytes: zip, or tar (Docker archive when it has `manifest.json`, OCI
/// archive when it has `oci-layout` or `index.json`).
pub fn open(path: &Path) -> Result<Artifact, ArtifactError> {
    open_with(path, &OpenOptions::default())
}

/// Opens `path` as `kind`, without detection.
pub fn open_as(path: &Path, kind: ArtifactKind) -> Result<Artifact, ArtifactError> {
    open_with(
        path,
        &OpenOptions {
            kind: Some(kind),
            ..OpenOptions::default()
        },
    )
}

/// Opens `path` with `options`.
pub fn open_with(path: &Path, options: &OpenOptions) -> Result<Artifact, ArtifactError> {
    let meta = std::fs::metadata(path).map_err(|e| ArtifactError::io(path, e))?;
    let kind = match options.kind {
        Some(k) => k,
        None => detect(path, &meta)?,
    };
    let want_dir = matches!(
        kind,
        ArtifactKind::OciLayout | ArtifactKind::Rootfs | ArtifactKind::Directory
    );
    if want_dir != meta.is_dir() {
        let what = if want_dir {
            "is not a directory"
        } else {
            "is a directory"
        };
        return Err(ArtifactError::invalid(
            path,
            format!("cannot be read as {kind:?}: it {what}"),
        ));
    }
    match kind {
        ArtifactKind::Rootfs | ArtifactKind::Directory => Ok(Artifact {
            kind,
            name: path.display().to_string(),
            digest: None,
            manifest_digest: None,
            config: None,
            layers: vec![single_layer(path)],
            diagnostics: Vec::new(),
            source: Source::Dir(path.to_path_buf()),
        }),
        ArtifactKind::Zip => {
            let f = File::open(path).map_err(|e| ArtifactError::io(path, e))?;
            zip::ZipArchive::new(f)
                .map_err(|e| ArtifactError::invalid(path, format!("not a readable zip: {e}")))?;
            Ok(Artifact {
                kind,
                name: path.display().to_string(),
                digest: None,
                manifest_digest: None,
                config: None,
                layers: vec![LayerInfo {
                    size: Some(meta.len()),
                    ..single_layer(path)
                }],
                diagnostics: Vec::new(),
                source: Source::Zip(path.to_path_buf()),
            })
        }
        ArtifactKind::OciLayout => open_oci(path, Store::Dir(path.to_path_buf()), kind, options),
        ArtifactKind::OciArchive => {
            let (ix, diags) = TarIndex::build(path)?;
            let mut a = open_oci(path, Store::Tar(ix), kind, options)?;
            a.diagnostics.splice(0..0, diags);
            Ok(a)
        }
        ArtifactKind::DockerArchive => {
            let (ix, diags) = TarIndex::build(path)?;
            let mut a = open_docker(path, &ix)?;
            a.diagnostics.splice(0..0, diags);
            Ok(a)
        }
    }
}

fn single_layer(path: &Path) -> LayerInfo {
    LayerInfo {
        index: 0,
        digest: path.display().to_string(),
        created_by: None,
        size: None,
    }
}

fn exists(root: &Path, rel: &str) -> bool {
    std::fs::symlink_metadata(root.join(rel)).is_ok()
}

fn detect(path: &Path, meta: &std::fs::Metadata) -> Result<ArtifactKind, ArtifactError> {
    if meta.is_dir() {
        if exists(path, "oci-layout") {
            return Ok(ArtifactKind::OciLayout);
        }
        const OS_MARKERS: [&str; 6] = [
            "etc/os-release",
            "usr/lib/os-release",
            "etc/alpine-release",
            "etc/redhat-release",
            "var/lib/dpkg/status",
            "lib/apk/db/installed",
        ];
        if OS_MARKERS.iter().any(|m| exists(path, m)) {
            return Ok(ArtifactKind::Rootfs);
        }
        return Ok(ArtifactKind::Directory);
    }
    let mut head = Vec::with_capacity(512);
    File::open(path)
        .and_then(|f| f.take(512).read_to_end(&mut head))
        .map_err(|e| ArtifactError::io(path, e))?;
    let unrecognized = |reason: &str| ArtifactError::Unrecognized {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    if head.is_empty() {
        return Err(unrecognized("the file is empty"));
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Ok(ArtifactKind::Zip);
    }
    if let Some(mut decoded) = open_compressed(path)? {
        let mut inner = Vec::with_capacity(512);
        let _ = decoded.by_ref().take(512).read_to_end(&mut inner);
        if inner.get(257..262) != Some(b"ustar".as_slice()) {
            return Err(unrecognized("a compressed file that holds no tar"));
        }
    } else if head.get(257..262) != Some(b"ustar".as_slice()) {
        return Err(unrecognized("neither a tar, a zip nor a directory"));
    }
    let (ix, diags) = TarIndex::build(path)?;
    if ix.contains("manifest.json") {
        Ok(ArtifactKind::DockerArchive)
    } else if ix.contains("oci-layout") || ix.contains("index.json") {
        Ok(ArtifactKind::OciArchive)
    } else if let Some(damage) = diags.first() {
        Err(ArtifactError::invalid(
            path,
            format!(
                "{}; no manifest.json or oci-layout before the damage",
                damage.message
            ),
        ))
    } else {
        Err(unrecognized(
            "a tar without manifest.json or oci-layout (not a saved image)",
        ))
    }
}

/// The regular-file members of a tar and where their data lies.
#[derive(Debug, Clone)]
pub(crate) struct TarIndex {
    members: HashMap<String, Span>,
}

impl TarIndex {
    /// Reads every header of the tar at `path` (seeking over data).
    pub(crate) fn build(path: &Path) -> Result<(TarIndex, Vec<Diagnostic>), ArtifactError> {
        if let Some(decoded) = open_compressed(path)? {
            return Self::build_streamed(path, decoded);
        }
        let file = File::open(path).map_err(|e| ArtifactError::io(path, e))?;
        let file_len = file
            .metadata()
            .map_err(|e| ArtifactError::io(path, e))?
            .len();
        let mut archive = tar::Archive::new(file);
        let entries = archive
            .entries_with_seek()
            .map_err(|e| ArtifactError::invalid(path, format!("not a readable tar: {e}")))?;
        let mut members = HashMap::new();
        let mut diags = Vec::new();
        let shown = path.display().to_string();
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    diags.push(Diagnostic::warning(
                        &shown,
                        format!(
                            "archive is truncated or corrupt after {} members: {e}",
                            members.len()
                        ),
                    ));
                    break;
                }
            };
            if !matches!(
                entry.header().entry_type(),
                tar::EntryType::Regular | tar::EntryType::Continuous
            ) {
                continue;
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Normalized::Path(name) = normalize(&name) else {
                continue;
            };
            let (offset, size) = (entry.raw_file_position(), entry.size());
            if offset.saturating_add(size) > file_len {
                diags.push(Diagnostic::warning(
                    &shown,
                    format!("member {name} is cut short: the archive is truncated"),
                ));
                continue;
            }
            let span = Span {
                path: path.to_path_buf(),
                offset,
                len: size,
                member: None,
            };
            members.insert(name, span);
        }
        Self::finish(path, members, diags)
    }

    fn finish(
        path: &Path,
        members: HashMap<String, Span>,
        diags: Vec<Diagnostic>,
    ) -> Result<(TarIndex, Vec<Diagnostic>), ArtifactError> {
        if members.is_empty() && !diags.is_empty() {
            return Err(ArtifactError::invalid(
                path,
                diags.first().map(|d| d.message.clone()).unwrap_or_default(),
            ));
        }
        Ok((TarIndex { members }, diags))
    }

    /// Indexes a compressed tar in one streaming pass, keeping small JSON members.
    fn build_streamed(
        path: &Path,
        decoded: Box<dyn Read>,
    ) -> Result<(TarIndex, Vec<Diagnostic>), ArtifactError> {
        let mut archive = tar::Archive::new(decoded);
        let entries = archive
            .entries()
            .map_err(|e| ArtifactError::invalid(path, format!("not a readable tar: {e}")))?;
        let mut members = HashMap::new();
        let mut diags = Vec::new();
        let shown = path.display().to_string();
        let mut cached_total = 0u64;
        for entry in entries {
            let mut entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    diags.push(Diagnostic::warning(
                        &shown,
                        format!(
                            "archive is truncated or corrupt after {} members: {e}",
                            members.len()
                        ),
                    ));
                    break;
                }
            };
            if !matches!(
                entry.header().entry_type(),
                tar::EntryType::Regular | tar::EntryType::Continuous
            ) {
                continue;
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Normalized::Path(name) = normalize(&name) else {
                continue;
            };
            let size = entry.size();
            let mut cached = None;
            if size <= MAX_JSON && cached_total.saturating_add(size) <= MAX_CACHE {
                let mut first = [0u8; 1];
                if entry.read_exact(&mut first).is_ok()
                    && matches!(first[0], b'{' | b'[' | b' ' | b'\n' | b'\r' | b'\t')
                {
                    let mut buf = first.to_vec();
                    if entry.read_to_end(&mut buf).is_ok() {
                        cached_total += size;
                        cached = Some(Arc::new(buf));
                    }
                }
            }
            let span = Span {
                path: path.to_path_buf(),
                offset: 0,
                len: size,
                member: Some(Member {
                    name: name.clone(),
                    cached,
                }),
            };
            members.insert(name, span);
        }
        Self::finish(path, members, diags)
    }

    fn span(&self, name: &str) -> Option<Span> {
        let Normalized::Path(name) = normalize(name) else {
            return None;
        };
        self.members.get(&name).cloned()
    }

    fn contains(&self, name: &str) -> bool {
        self.members.contains_key(name)
    }
}

/// Reads a whole span (at most [`MAX_JSON`] bytes).
fn read_span(span: &Span, what: &str) -> Result<Vec<u8>, ArtifactError> {
    if span.len > MAX_JSON {
        return Err(ArtifactError::invalid(
            &span.path,
            format!(
                "{what} is {} bytes, more than the {MAX_JSON} allowed",
                span.len
            ),
        ));
    }
    if let Some(m) = &span.member {
        return match &m.cached {
            Some(data) => Ok(data.as_ref().clone()),
            None => Err(ArtifactError::invalid(
                &span.path,
                format!("{what} ({}) is not a JSON document", m.name),
            )),
        };
    }
    let mut buf = Vec::new();
    span.open()?
        .read_to_end(&mut buf)
        .map_err(|e| ArtifactError::io(&span.path, e))?;
    Ok(buf)
}

fn parse_json(bytes: &[u8], path: &Path, what: &str) -> Result<Value, ArtifactError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ArtifactError::invalid(path, format!("{what} is not valid JSON: {e}")))
}

/// `sha256:<hex>` from a member name like `blobs/sha256/<hex>` or `<hex>.json`.
fn digest_from_name(name: &str) -> Option<String> {
    let mut parts = name.rsplit('/');
    let last = parts.next()?;
    let hex = last.strip_suffix(".json").unwrap_or(last);
    let alg = parts
        .next()
        .filter(|a| matches!(*a, "sha256" | "sha512"))
        .unwrap_or("sha256");
    let expected = if alg == "sha512" { 128 } else { 64 };
    (hex.len() == expected && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("{alg}:{hex}"))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Builds layer infos from the config (diff ids, history) and per-layer fallbacks.
fn layer_infos(
    config: Option<&ImageConfig>,
    fallback: Vec<(String, Option<u64>)>,
) -> Vec<LayerInfo> {
    let history = config.map(|c| c.layer_history()).unwrap_or_default();
    fallback
        .into_iter()
        .enumerate()
        .map(|(index, (digest, size))| LayerInfo {
            index,
            digest: config
                .and_then(|c| c.diff_ids.get(index).cloned())
                .unwrap_or(digest),
            created_by: history.get(index).and_then(|h| h.created_by.clone()),
            size,
        })
        .collect()
}

fn open_docker(path: &Path, ix: &TarIndex) -> Result<Artifact, ArtifactError> {
    let shown = path.display().to_string();
    let span = ix
        .span("manifest.json")
        .ok_or_else(|| ArtifactError::invalid(path, "no manifest.json in the archive"))?;
    let manifest = parse_json(&read_span(&span, "manifest.json")?, path, "manifest.json")?;
    let images = manifest.as_array().map(Vec::as_slice).unwrap_or_default();
    let Some(image) = images.first() else {
        return Err(ArtifactError::invalid(path, "manifest.json lists no image"));
    };
    let mut diagnostics = Vec::new();
    if images.len() > 1 {
        diagnostics.push(Diagnostic::warning(
            &shown,
            format!(
                "the archive holds {} images; only the first is read",
                images.len()
            ),
        ));
    }
    let config_name = image.get("Config").and_then(Value::as_str);
    let mut config = None;
    match config_name.map(|n| (n, ix.span(n))) {
        Some((_, Some(span))) => {
            let bytes = read_span(&span, "image config")?;
            match ImageConfig::from_json(&bytes) {
                Ok(c) => config = Some(c),
                Err(reason) => diagnostics.push(Diagnostic::warning(
                    &shown,
                    format!("image config unreadable: {reason}"),
                )),
            }
        }
        Some((name, None)) => diagnostics.push(Diagnostic::warning(
            &shown,
            format!("image config {name} is not in the archive"),
        )),
        None => diagnostics.push(Diagnostic::warning(
            &shown,
            "manifest.json names no image config",
        )),
    }
    let layer_names: Vec<&str> = image
        .get("Layers")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut spans = Vec::new();
    let mut fallback = Vec::new();
    for name in layer_names {
        let span = ix.span(name);
        if span.is_none() {
            diagnostics.push(Diagnostic::warning(
                &shown,
                format!("manifest.json names layer {name}, which is not in the archive"),
            ));
        }
        fallback.push((
            digest_from_name(name).unwrap_or_else(|| name.to_string()),
            span.as_ref().map(|s| s.len),
        ));
        spans.push(span);
    }
    let name = image
        .get("RepoTags")
        .and_then(Value::as_array)
        .and_then(|t| t.first())
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| file_name(path));
    let layers = layer_infos(config.as_ref(), fallback);
    Ok(Artifact {
        kind: ArtifactKind::DockerArchive,
        name,
        digest: config_name.and_then(digest_from_name),
        manifest_digest: None,
        config,
        layers,
        diagnostics,
        source: Source::Layers(spans),
    })
}

/// Where the files of an OCI layout are.
enum Store {
    Dir(PathBuf),
    Tar(TarIndex),
}

impl Store {
    fn span(&self, rel: &str) -> Option<Span> {
        match self {
            Store::Dir(root) => {
                let Normalized::Path(rel) = normalize(rel) else {
                    return None;
                };
                let path = root.join(rel);
                let meta = std::fs::symlink_metadata(&path).ok()?;
                meta.is_file().then_some(Span {
                    path,
                    offset: 0,
                    len: meta.len(),
                    member: None,
                })
            }
            Store::Tar(ix) => ix.span(rel),
        }
    }

    fn blob(&self, digest: &str) -> Option<Span> {
        let (alg, hex) = digest.split_once(':')?;
        let safe = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        };
        if !safe(alg) || !safe(hex) {
            return None;
        }
        self.span(&format!("blobs/{alg}/{hex}"))
    }
}

/// A descriptor in an index or manifest.
struct Descriptor<'a> {
    doc: &'a Value,
}

impl Descriptor<'_> {
    fn str(&self, key: &str) -> Option<&str> {
        self.doc.get(key).and_then(Value::as_str)
    }
    fn platform(&self) -> Option<String> {
        let p = self.doc.get("platform")?;
        let os = p.get("os").and_then(Value::as_str)?;
        let arch = p.get("architecture").and_then(Value::as_str)?;
        Some(match p.get("variant").and_then(Value::as_str) {
            Some(v) => format!("{os}/{arch}/{v}"),
            None => format!("{os}/{arch}"),
        })
    }
    fn annotation(&self, key: &str) -> Option<&str> {
        self.doc.get("annotations")?.get(key)?.as_str()
    }
    fn is_attestation(&self) -> bool {
        self.annotation("vnd.docker.reference.type") == Some("attestation-manifest")
            || self.platform().is_some_and(|p| p.starts_with("unknown/"))
    }
}

/// Picks from an image index the entry for platform `want` (`os/arch[/variant]`), else its
/// only image, else its first image (with a diagnostic). Attestation manifests are never
/// picked.
pub(crate) fn choose_manifest<'a>(
    index: &'a Value,
    want: &str,
    shown: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<&'a Value> {
    let usable: Vec<Descriptor<'a>> = index
        .get("manifests")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|doc| Descriptor { doc })
        .filter(|d| !d.is_attestation())
        .collect();
    if let Some(d) = usable
        .iter()
        .find(|d| d.platform().is_some_and(|p| platform_matches(&p, want)))
    {
        return Some(d.doc);
    }
    let first = usable.first()?;
    if usable.len() > 1 {
        diagnostics.push(Diagnostic::warning(
            shown,
            format!(
                "{} images, none for {want}; reading the first ({})",
                usable.len(),
                first
                    .platform()
                    .unwrap_or_else(|| "unknown platform".into())
            ),
        ));
    }
    Some(first.doc)
}

fn platform_matches(have: &str, want: &str) -> bool {
    // `linux/arm64` matches `linux/arm64/v8`; an explicit variant must match exactly.
    have == want || (want.matches('/').count() == 1 && have.starts_with(&format!("{want}/")))
}

fn open_oci(
    path: &Path,
    store: Store,
    kind: ArtifactKind,
    options: &OpenOptions,
) -> Result<Artifact, ArtifactError> {
    let shown = path.display().to_string();
    let want = options.platform.as_deref().unwrap_or("linux/amd64");
    let mut diagnostics = Vec::new();
    let index_span = store
        .span("index.json")
        .ok_or_else(|| ArtifactError::invalid(path, "no index.json in the OCI layout"))?;
    let mut doc = parse_json(&read_span(&index_span, "index.json")?, path, "index.json")?;
    let mut name = None;
    let mut depth = 0;
    let (manifest, manifest_digest) = loop {
        let chosen = choose_manifest(&doc, want, &shown, &mut diagnostics)
            .map(|doc| Descriptor { doc })
            .ok_or_else(|| ArtifactError::invalid(path, "the image index lists no image"))?;
        if name.is_none() {
            name = chosen
                .annotation("io.containerd.image.name")
                .or_else(|| chosen.annotation("org.opencontainers.image.ref.name"))
                .map(str::to_string);
        }
        let digest = chosen
            .str("digest")
            .ok_or_else(|| ArtifactError::invalid(path, "an index entry has no digest"))?
            .to_string();
        let span = store.blob(&digest).ok_or_else(|| {
            ArtifactError::invalid(path, format!("blob {digest} is not in the layout"))
        })?;
        let next = parse_json(&read_span(&span, &digest)?, path, &digest)?;
        let is_index = matches!(
            chosen.str("mediaType"),
            Some(
                "application/vnd.oci.image.index.v1+json"
                    | "application/vnd.docker.distribution.manifest.list.v2+json"
            )
        ) || next.get("manifests").is_some();
        if !is_index {
            break (next, digest);
        }
        depth += 1;
        if depth > MAX_INDEX_DEPTH {
            return Err(ArtifactError::invalid(
                path,
                format!("image indexes nest more than {MAX_INDEX_DEPTH} deep"),
            ));
        }
        doc = next;
    };
    let mut config = None;
    let config_digest = manifest
        .get("config")
        .and_then(|c| c.get("digest"))
        .and_then(Value::as_str)
        .map(str::to_string);
    match &config_digest {
        Some(d) => match store.blob(d) {
            Some(span) => match ImageConfig::from_json(&read_span(&span, d)?) {
                Ok(c) => config = Some(c),
                Err(reason) => diagnostics.push(Diagnostic::warning(
                    &shown,
                    format!("image config {d} unreadable: {reason}"),
                )),
            },
            None => diagnostics.push(Diagnostic::warning(
                &shown,
                format!("image config {d} is not in the layout"),
            )),
        },
        None => diagnostics.push(Diagnostic::warning(
            &shown,
            format!("manifest {manifest_digest} names no config"),
        )),
    }
    let Some(layer_list) = manifest.get("layers").and_then(Value::as_array) else {
        return Err(ArtifactError::invalid(
            path,
            format!(
                "manifest {manifest_digest} has no layers list (Docker schema 1 manifests are not supported)"
            ),
        ));
    };
    let mut spans = Vec::new();
    let mut fallback = Vec::new();
    for layer in layer_list {
        let digest = layer.get("digest").and_then(Value::as_str).unwrap_or("");
        let span = store.blob(digest);
        if span.is_none() {
            diagnostics.push(Diagnostic::warning(
                &shown,
                format!("the manifest names layer {digest}, which is not in the layout"),
            ));
        }
        let size = layer
            .get("size")
            .and_then(Value::as_u64)
            .or(span.as_ref().map(|s| s.len));
        fallback.push((digest.to_string(), size));
        spans.push(span);
    }
    let layers = layer_infos(config.as_ref(), fallback);
    Ok(Artifact {
        kind,
        name: name.unwrap_or_else(|| file_name(path)),
        digest: config_digest,
        manifest_digest: Some(manifest_digest),
        config,
        layers,
        diagnostics,
        source: Source::Layers(spans),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_from_member_names() {
        let hex = "a".repeat(64);
        assert_eq!(
            digest_from_name(&format!("blobs/sha256/{hex}")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(
            digest_from_name(&format!("{hex}.json")),
            Some(format!("sha256:{hex}"))
        );
        assert_eq!(digest_from_name("abc/layer.tar"), None);
    }

    #[test]
    fn platforms_match_with_optional_variant() {
        assert!(platform_matches("linux/amd64", "linux/amd64"));
        assert!(platform_matches("linux/arm64/v8", "linux/arm64"));
        assert!(!platform_matches("linux/arm64/v8", "linux/arm64/v7"));
        assert!(!platform_matches("linux/arm", "linux/arm64"));
    }

    #[test]
    fn blob_digests_cannot_climb_out() {
        let store = Store::Dir(PathBuf::from("/"));
        assert!(store.blob("sha256:../../etc/passwd").is_none());
        assert!(store.blob("sha256").is_none());
    }
}
