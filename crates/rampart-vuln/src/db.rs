//! The database file: one read-only file that any number of scans open at once, replaced
//! atomically by an import.
//!
//! Layout: the magic `RAMPARTDB\0`, the schema version (u32, little-endian), the length of the
//! metadata (u32) and the metadata as JSON (so `db status` reads a few bytes), then the body:
//! advisories and CVE facts, postcard-encoded and zstd-compressed. On open the body is
//! decoded into memory and indexed once (`index.rs`); lookups never touch the file.

use crate::VulnError;
use crate::import::Sink;
use crate::index::{Entry, FxHashMap, Index};
use crate::model::{Advisory, Affected, CveInfo, Event};
use rampart_version::{Scheme, compare};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::io::{Read, Write};
use std::path::Path;

/// Version of the file layout. A file of another version is refused with a clear message.
pub const SCHEMA_VERSION: u32 = 1;
const MAGIC: &[u8; 10] = b"RAMPARTDB\0";

/// What a database holds, readable without decoding the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DbMeta {
    /// Layout version.
    pub schema_version: u32,
    /// When it was built, seconds since the Unix epoch.
    pub built_at: u64,
    /// Records per data source.
    pub sources: Vec<(String, usize)>,
    /// Number of advisories.
    pub advisories: usize,
    /// Number of CVEs with NVD facts.
    pub cves: usize,
    /// The inputs it was built from.
    pub inputs: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct Body {
    advisories: Vec<Advisory>,
    cve_info: Vec<(String, CveInfo)>,
}

/// An opened database, indexed for matching.
#[derive(Debug)]
pub struct Db {
    /// Metadata.
    pub meta: DbMeta,
    advisories: Vec<Advisory>,
    cve_info: FxHashMap<String, CveInfo>,
    index: Index,
}

/// The ordering scheme of a normalized ecosystem key.
pub fn scheme_of(ecosystem: &str) -> Option<Scheme> {
    let family = ecosystem.split(':').next().unwrap_or(ecosystem);
    Some(match family {
        "debian" | "ubuntu" => Scheme::Dpkg,
        "alpine" => Scheme::Apk,
        "almalinux" | "rocky" | "rhel" | "centos" | "suse" | "amazon" | "fedora" | "oracle"
        | "photon" | "mariner" | "azurelinux" => Scheme::Rpm,
        "crates.io" => Scheme::Semver,
        "npm" => Scheme::Npm,
        "pypi" => Scheme::Pep440,
        "go" => Scheme::Go,
        "maven" => Scheme::Maven,
        "rubygems" => Scheme::RubyGems,
        "nuget" => Scheme::NuGet,
        "packagist" => Scheme::Composer,
        _ => return None,
    })
}

fn event_version(e: &Event) -> &str {
    match e {
        Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
    }
}

/// Sort a range's events by version (OSV leaves the order to evaluators), `introduced: 0`
/// first, and on equal versions introduced before fixed.
fn sort_events(events: &mut [Event], scheme: Scheme) {
    let rank = |e: &Event| match e {
        Event::Introduced(_) => 0,
        Event::LastAffected(_) => 1,
        Event::Fixed(_) => 2,
        Event::Limit(_) => 3,
    };
    events.sort_by(|a, b| {
        let (va, vb) = (event_version(a), event_version(b));
        let ord = match (
            va == "0" && matches!(a, Event::Introduced(_)),
            vb == "0" && matches!(b, Event::Introduced(_)),
        ) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => compare(scheme, va, vb),
        };
        ord.then(rank(a).cmp(&rank(b)))
    });
}

impl Db {
    /// Build a database from imported records.
    pub fn from_sink(sink: Sink, inputs: Vec<String>, built_at: u64) -> Db {
        let mut advisories = sink.advisories;
        for a in &mut advisories {
            for aff in &mut a.affected {
                if let Some(scheme) = scheme_of(&aff.ecosystem) {
                    for r in &mut aff.ranges {
                        sort_events(&mut r.events, scheme);
                    }
                }
            }
        }
        let meta = DbMeta {
            schema_version: SCHEMA_VERSION,
            built_at,
            sources: sink.per_source.into_iter().collect(),
            advisories: advisories.len(),
            cves: sink.cve_info.len(),
            inputs,
        };
        Db::assemble(meta, advisories, sink.cve_info.into_iter().collect())
    }

    fn assemble(
        meta: DbMeta,
        advisories: Vec<Advisory>,
        cve_info: FxHashMap<String, CveInfo>,
    ) -> Db {
        let index = Index::build(&advisories);
        Db {
            meta,
            advisories,
            cve_info,
            index,
        }
    }

    /// Every (advisory, affected entry) for `package` in `ecosystem`.
    pub fn lookup<'a>(
        &'a self,
        ecosystem: &str,
        package: &str,
    ) -> impl Iterator<Item = (&'a Advisory, &'a Affected)> + 'a {
        let entries = self
            .index
            .ecosystem(ecosystem)
            .and_then(|e| self.index.slot(e, package))
            .map(|s| self.index.entries(s))
            .unwrap_or_default();
        entries.iter().map(|e| self.entry(e))
    }

    /// The advisory and affected entry an index entry stands for.
    pub(crate) fn entry(&self, e: &Entry) -> (&Advisory, &Affected) {
        let a = &self.advisories[e.advisory as usize];
        (a, &a.affected[e.affected as usize])
    }

    /// The matching index.
    pub(crate) fn index(&self) -> &Index {
        &self.index
    }

    /// NVD facts about a CVE.
    pub fn cve(&self, id: &str) -> Option<&CveInfo> {
        self.cve_info.get(id)
    }

    /// All advisories.
    pub fn advisories(&self) -> &[Advisory] {
        &self.advisories
    }

    /// Write the database to `path` atomically: a temporary file in the same directory,
    /// flushed to disk, then renamed over `path`. A failure leaves `path` as it was.
    pub fn write(&self, path: &Path) -> Result<(), VulnError> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| VulnError::io(dir, e))?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| VulnError::io(dir, e))?;
        let meta = serde_json::to_vec(&self.meta).map_err(|e| VulnError::Db {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let body = Body {
            advisories: self.advisories.clone(),
            cve_info: self
                .cve_info
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        let encoded = postcard::to_stdvec(&body).map_err(|e| VulnError::Db {
            path: path.display().to_string(),
            reason: format!("cannot encode: {e}"),
        })?;
        let compressed = zstd::encode_all(&encoded[..], 19).map_err(|e| VulnError::io(path, e))?;
        let f = tmp.as_file_mut();
        let write = |f: &mut std::fs::File| -> std::io::Result<()> {
            f.write_all(MAGIC)?;
            f.write_all(&SCHEMA_VERSION.to_le_bytes())?;
            f.write_all(&(meta.len() as u32).to_le_bytes())?;
            f.write_all(&meta)?;
            f.write_all(&compressed)?;
            f.sync_all()
        };
        write(f).map_err(|e| VulnError::io(path, e))?;
        tmp.persist(path)
            .map_err(|e| VulnError::io(path, e.error))?;
        Ok(())
    }

    /// Read only the metadata of the database at `path`.
    pub fn read_meta(path: &Path) -> Result<DbMeta, VulnError> {
        let mut f = std::fs::File::open(path).map_err(|e| VulnError::io(path, e))?;
        let (meta, _) = read_header(path, &mut f)?;
        Ok(meta)
    }

    /// Open the database at `path`.
    pub fn open(path: &Path) -> Result<Db, VulnError> {
        let mut f = std::fs::File::open(path).map_err(|e| VulnError::io(path, e))?;
        let (meta, _) = read_header(path, &mut f)?;
        let bad = |reason: String| VulnError::Db {
            path: path.display().to_string(),
            reason,
        };
        let mut compressed = Vec::new();
        f.read_to_end(&mut compressed)
            .map_err(|e| VulnError::io(path, e))?;
        let encoded =
            zstd::decode_all(&compressed[..]).map_err(|e| bad(format!("corrupt body: {e}")))?;
        let body: Body =
            postcard::from_bytes(&encoded).map_err(|e| bad(format!("corrupt body: {e}")))?;
        Ok(Db::assemble(
            meta,
            body.advisories,
            body.cve_info.into_iter().collect(),
        ))
    }
}

fn read_header(path: &Path, f: &mut std::fs::File) -> Result<(DbMeta, u64), VulnError> {
    let bad = |reason: String| VulnError::Db {
        path: path.display().to_string(),
        reason,
    };
    let mut head = [0u8; 18];
    f.read_exact(&mut head)
        .map_err(|_| bad("too short to be a rampart database".into()))?;
    if &head[..10] != MAGIC {
        return Err(bad("not a rampart database".into()));
    }
    let schema = u32::from_le_bytes([head[10], head[11], head[12], head[13]]);
    if schema != SCHEMA_VERSION {
        return Err(bad(format!(
            "database schema version {schema}, but this rampart reads version {SCHEMA_VERSION}; rebuild it with `rampart db import` or `rampart db update`"
        )));
    }
    let len = u32::from_le_bytes([head[14], head[15], head[16], head[17]]) as usize;
    if len > 64 << 20 {
        return Err(bad("metadata length is implausible".into()));
    }
    let mut meta = vec![0u8; len];
    f.read_exact(&mut meta)
        .map_err(|_| bad("truncated metadata".into()))?;
    let meta: DbMeta =
        serde_json::from_slice(&meta).map_err(|e| bad(format!("corrupt metadata: {e}")))?;
    Ok((meta, 18 + len as u64))
}
