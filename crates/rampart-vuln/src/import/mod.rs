//! Turning feeds into [`Advisory`] records: OSV (files, directories, `all.zip`), the Debian
//! Security Tracker JSON, Alpine secdb, NVD and Trivy's database fixtures (YAML). The format
//! of each file is recognised by its content, not its name. Bad records are skipped and
//! counted, never fatal.

pub mod alpine;
pub mod debian;
pub mod nvd;
pub mod osv;
pub mod trivy_fixture;

use crate::VulnError;
use crate::model::{Advisory, CveInfo};
use rampart_core::Diagnostic;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

/// Largest feed file read (the full Debian tracker JSON is about 70 MB).
const MAX_FILE: u64 = 1 << 30;

/// What an import collected.
#[derive(Debug, Default)]
pub struct Sink {
    /// Advisories, in import order, unique by (source, id).
    pub advisories: Vec<Advisory>,
    /// CVE descriptions and ratings (from NVD).
    pub cve_info: BTreeMap<String, CveInfo>,
    /// Records skipped because OSV marked them withdrawn.
    pub withdrawn: usize,
    /// Records skipped because they affect nothing rampart matches.
    pub skipped: usize,
    /// Records skipped because their id was already imported from the same source.
    pub duplicates: usize,
    /// Ecosystems met that rampart does not match.
    pub unknown_ecosystems: BTreeSet<String>,
    /// Problems, one per bad file or record.
    pub diagnostics: Vec<Diagnostic>,
    /// Records imported per source.
    pub per_source: BTreeMap<String, usize>,
    seen: HashMap<(String, String), usize>,
}

impl Sink {
    /// Record a problem with `origin`.
    pub fn warn(&mut self, origin: &str, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::warning(origin, message));
    }

    /// Add an advisory. A second record with the same (source, id) is a duplicate: it is
    /// counted and skipped, except where it only adds packages of other releases (a distro
    /// feed split into one file per branch), which are merged into the first.
    pub fn push(&mut self, a: Advisory) {
        let key = (a.source.clone(), a.id.clone());
        if let Some(&i) = self.seen.get(&key) {
            let first = &mut self.advisories[i];
            let new: Vec<_> = a
                .affected
                .into_iter()
                .filter(|x| {
                    !first
                        .affected
                        .iter()
                        .any(|y| y.ecosystem == x.ecosystem && y.package == x.package)
                })
                .collect();
            if new.is_empty() {
                self.duplicates += 1;
                self.diagnostics.push(Diagnostic::warning(
                    &a.source,
                    format!("duplicate record {} skipped", a.id),
                ));
            } else {
                first.affected.extend(new);
            }
            return;
        }
        self.seen.insert(key, self.advisories.len());
        *self.per_source.entry(a.source.clone()).or_default() += 1;
        self.advisories.push(a);
    }
}

/// The feed formats rampart imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    /// OSV record(s).
    Osv,
    /// Debian Security Tracker JSON.
    DebianTracker,
    /// Alpine secdb JSON.
    AlpineSecdb,
    /// NVD CVE JSON.
    Nvd,
    /// Trivy's database fixture YAML (`fixtures/db/*.yaml`): a list of buckets.
    TrivyFixture,
}

/// Whether `text` is a Trivy fixture: YAML whose first entry, after comments and the
/// document marker, opens a bucket.
fn is_trivy_fixture(text: &[u8]) -> bool {
    let head = &text[..text.len().min(4096)];
    String::from_utf8_lossy(head)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && *l != "---")
        .is_some_and(|l| l.starts_with("- bucket:"))
}

/// Recognise a feed document by its content.
pub fn sniff(text: &[u8]) -> Option<FeedKind> {
    if is_trivy_fixture(text) {
        return Some(FeedKind::TrivyFixture);
    }
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &text[start..text.len().min(start + 4096)];
    let head_str = String::from_utf8_lossy(head);
    if head[0] == b'[' {
        return Some(FeedKind::Osv);
    }
    if head[0] != b'{' {
        return None;
    }
    if head_str.contains("\"distroversion\"") {
        return Some(FeedKind::AlpineSecdb);
    }
    if head_str.contains("\"CVE_Items\"")
        || head_str.contains("\"vulnerabilities\"") && head_str.contains("\"cve\"")
    {
        return Some(FeedKind::Nvd);
    }
    if head_str.contains("\"affected\"")
        || head_str.contains("\"schema_version\"")
        || head_str.contains("\"modified\"")
    {
        return Some(FeedKind::Osv);
    }
    if head_str.contains("\"releases\"") {
        return Some(FeedKind::DebianTracker);
    }
    None
}

/// Import one document's bytes; `origin` names it in messages.
pub fn import_bytes(origin: &str, text: &[u8], sink: &mut Sink) {
    match sniff(text) {
        Some(FeedKind::Osv) => osv::import_text(origin, text, sink),
        Some(FeedKind::DebianTracker) => debian::import_text(origin, text, sink),
        Some(FeedKind::AlpineSecdb) => alpine::import_text(origin, text, sink),
        Some(FeedKind::Nvd) => nvd::import_text(origin, text, sink),
        Some(FeedKind::TrivyFixture) => match std::str::from_utf8(text) {
            Ok(t) => trivy_fixture::import_documents(&[(origin.to_string(), t.to_string())], sink),
            Err(e) => sink.warn(origin, format!("not UTF-8: {e}")),
        },
        None => sink.warn(
            origin,
            "not a feed rampart knows (OSV, Debian tracker, Alpine secdb, NVD JSON, Trivy fixture YAML)",
        ),
    }
}

/// Import a file (JSON, a zip of JSON records, or a Trivy fixture) or a directory (every
/// `.json` and `.zip` below it, and its Trivy fixture `.yaml` files, read together since one
/// file's advisories refer to another's details). Unreadable paths are errors; bad records
/// inside are diagnostics.
pub fn import_path(path: &Path, sink: &mut Sink) -> Result<(), VulnError> {
    let meta = std::fs::metadata(path).map_err(|e| VulnError::io(path, e))?;
    if meta.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| VulnError::io(path, e))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        let mut fixtures = Vec::new();
        for p in entries {
            let is_dir = p.is_dir();
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default();
            if is_dir || ext == "json" || ext == "zip" {
                import_path(&p, sink)?;
            } else if ext == "yaml" || ext == "yml" {
                // YAML that is not a Trivy fixture is not a feed: left alone, as other files.
                let text = read_limited(&p)?;
                if is_trivy_fixture(&text) {
                    match String::from_utf8(text) {
                        Ok(t) => fixtures.push((p.display().to_string(), t)),
                        Err(e) => sink.warn(&p.display().to_string(), format!("not UTF-8: {e}")),
                    }
                }
            }
        }
        if !fixtures.is_empty() {
            trivy_fixture::import_documents(&fixtures, sink);
        }
        return Ok(());
    }
    let data = read_limited(path)?;
    let origin = path.display().to_string();
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        return import_zip(&origin, &data, sink);
    }
    import_bytes(&origin, &data, sink);
    Ok(())
}

/// Read one feed file, refusing files over [`MAX_FILE`].
fn read_limited(path: &Path) -> Result<Vec<u8>, VulnError> {
    let meta = std::fs::metadata(path).map_err(|e| VulnError::io(path, e))?;
    if meta.len() > MAX_FILE {
        return Err(VulnError::Feed {
            path: path.display().to_string(),
            reason: format!(
                "{} bytes is over the {} byte limit for one feed file",
                meta.len(),
                MAX_FILE
            ),
        });
    }
    std::fs::read(path).map_err(|e| VulnError::io(path, e))
}

fn import_zip(origin: &str, data: &[u8], sink: &mut Sink) -> Result<(), VulnError> {
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(data)).map_err(|e| VulnError::Feed {
            path: origin.to_string(),
            reason: format!("not a readable zip: {e}"),
        })?;
    for i in 0..zip.len() {
        let mut f = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                sink.warn(origin, format!("member {i}: {e}"));
                continue;
            }
        };
        if !f.name().ends_with(".json") {
            continue;
        }
        let name = format!("{origin}:{}", f.name());
        let mut buf = Vec::with_capacity(f.size().min(1 << 20) as usize);
        if let Err(e) = (&mut f).take(MAX_FILE).read_to_end(&mut buf) {
            sink.warn(&name, format!("cannot read: {e}"));
            continue;
        }
        import_bytes(&name, &buf, sink);
    }
    Ok(())
}
