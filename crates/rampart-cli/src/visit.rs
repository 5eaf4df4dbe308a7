//! The one pass over an artifact: a [`Visitor`] that keeps the files the inventory needs,
//! reads executables for embedded dependency lists (Go build info, cargo-auditable), and
//! hands every file of every layer to the secret and malware scanners, so every layer is
//! decompressed once whatever the scanners.

use rampart_artifact::{ArtifactError, Entry, FileIndex, Visitor};
use rampart_core::{Diagnostic, Package};
use rampart_inventory::{collect, lang};
use std::io::Read;

/// Executables smaller than this hold no build info worth reading.
const MIN_BINARY: u64 = 4096;

/// A wanted file kept in memory.
pub struct KeptFile {
    /// Normalized path.
    pub path: String,
    /// Layer of this copy.
    pub layer: usize,
    /// Contents.
    pub data: Vec<u8>,
}

/// Packages read from one executable.
struct BinaryPackages {
    path: String,
    layer: usize,
    packages: Vec<Package>,
}

/// Keeps inventory files and reads binaries as they stream by. `'m` is the lifetime of the
/// compiled malware rules.
#[derive(Default)]
pub struct InventoryVisitor<'m> {
    /// Wanted files, every layer's copy.
    pub files: Vec<KeptFile>,
    /// Also keep configuration files (Kubernetes manifests, Dockerfiles).
    pub want_config: bool,
    /// Skip package inventory (configuration scans).
    pub skip_inventory: bool,
    /// Configuration files, every layer's copy.
    pub config_files: Vec<KeptFile>,
    /// Directory globs whose files are left out.
    pub skip_dirs: Vec<String>,
    /// The secret scanner, when secrets are scanned: it sees every file of every layer.
    pub secrets: Option<rampart_secrets::Scanner>,
    /// Secrets found, with the layer of the file that holds them.
    pub secret_findings: Vec<(usize, rampart_secrets::SecretFinding)>,
    /// Counters of the secret scan.
    pub secret_stats: rampart_secrets::Stats,
    /// The malware scanner, when malware is scanned: it sees every file of every layer.
    pub malware: Option<rampart_malware::Scanner<'m>>,
    /// Malware found, with the layer of the file that holds it.
    pub malware_findings: Vec<(usize, rampart_malware::MalwareFinding)>,
    /// Counters of the malware scan, and what it left out.
    pub malware_stats: rampart_malware::Stats,
    binaries: Vec<BinaryPackages>,
    /// Problems met in binaries.
    pub diagnostics: Vec<Diagnostic>,
}

impl Visitor for InventoryVisitor<'_> {
    fn wants_dir(&mut self, path: &str) -> bool {
        !self.skipped(&format!("{path}/"))
    }

    fn wants(&mut self, path: &str, size: u64) -> bool {
        if self.skipped(path) {
            return false;
        }
        if self.secrets.is_some() || self.malware.is_some() {
            return true;
        }
        if self.want_config && crate::misconfig::classify(path).is_some() {
            return true;
        }
        !self.skip_inventory && (collect::wanted(path) || size >= MIN_BINARY)
    }

    fn file(&mut self, entry: &Entry<'_>, data: &mut dyn Read) -> Result<(), ArtifactError> {
        let config = self.want_config && crate::misconfig::classify(entry.path).is_some();
        let inventory = !self.skip_inventory && collect::wanted(entry.path);
        if self.secrets.is_some() || self.malware.is_some() || config || inventory {
            return self.file_whole(entry, data);
        }
        if self.skip_inventory {
            return Ok(());
        }
        // Anything else is read only as far as its first bytes, unless it is an executable.
        let mut head = [0u8; 4];
        if data.read_exact(&mut head).is_err() {
            return Ok(());
        }
        let Some(kind) = lang::may_be_binary(entry.path, entry.mode, &head) else {
            return Ok(());
        };
        let mut buf = Vec::with_capacity(entry.size.min(64 << 20) as usize);
        buf.extend_from_slice(&head);
        if data.read_to_end(&mut buf).is_ok() {
            self.parse_binary(entry, kind, &buf);
        }
        Ok(())
    }
}

impl InventoryVisitor<'_> {
    /// Read the whole file once and hand it to every consumer: the secret and malware
    /// scanners, the inventory, configuration checks and the binary readers.
    fn file_whole(&mut self, entry: &Entry<'_>, data: &mut dyn Read) -> Result<(), ArtifactError> {
        let mut buf = Vec::with_capacity(entry.size.min(1 << 20) as usize);
        if data.read_to_end(&mut buf).is_err() {
            return Ok(());
        }
        if let Some(scanner) = &self.secrets {
            let mut found = Vec::new();
            scanner.scan(entry.path, &buf, &mut found, &mut self.secret_stats);
            self.secret_findings
                .extend(found.into_iter().map(|f| (entry.layer, f)));
        }
        if let Some(scanner) = &mut self.malware {
            let mut found = Vec::new();
            scanner.scan(entry.path, &buf, &mut found, &mut self.malware_stats);
            self.malware_findings
                .extend(found.into_iter().map(|f| (entry.layer, f)));
            if (buf.len() as u64) < entry.size {
                self.diagnostics.push(Diagnostic::warning(
                    entry.path,
                    format!(
                        "malware scan read only the first {} MiB of {} MiB (file size limit)",
                        buf.len() >> 20,
                        entry.size >> 20
                    ),
                ));
            }
        }
        let keep = |buf: &[u8]| KeptFile {
            path: entry.path.to_string(),
            layer: entry.layer,
            data: buf.to_vec(),
        };
        if self.want_config && crate::misconfig::classify(entry.path).is_some() {
            self.config_files.push(keep(&buf));
        }
        if self.skip_inventory {
            return Ok(());
        }
        if collect::wanted(entry.path) {
            self.files.push(keep(&buf));
        } else if entry.size >= MIN_BINARY
            && let Some(kind) = buf
                .get(..4)
                .and_then(|head| lang::may_be_binary(entry.path, entry.mode, head))
        {
            self.parse_binary(entry, kind, &buf);
        }
        Ok(())
    }

    fn parse_binary(&mut self, entry: &Entry<'_>, kind: lang::LockfileKind, buf: &[u8]) {
        match lang::parse(kind, entry.path, buf) {
            Ok((packages, diags)) => {
                self.diagnostics.extend(diags);
                if !packages.is_empty() {
                    self.binaries.push(BinaryPackages {
                        path: entry.path.to_string(),
                        layer: entry.layer,
                        packages,
                    });
                }
            }
            Err(e) => self
                .diagnostics
                .push(Diagnostic::warning(entry.path, e.to_string())),
        }
    }

    /// Whether `path` lies in `.git` or a skipped directory.
    pub fn skipped(&self, path: &str) -> bool {
        if path.starts_with(".git/") || path.contains("/.git/") {
            return true;
        }
        self.skip_dirs.iter().any(|g| {
            let g = g.trim_end_matches('/');
            path.strip_prefix(g)
                .is_some_and(|rest| rest.starts_with('/'))
                || crate::suppress::glob(&format!("{g}/**"), path)
        })
    }

    /// A visitor keeping configuration files when `want_config`, and skipping the package
    /// inventory when `skip_inventory`.
    pub fn new(want_config: bool, skip_inventory: bool) -> Self {
        InventoryVisitor {
            want_config,
            skip_inventory,
            ..InventoryVisitor::default()
        }
    }

    /// Packages of the binaries still visible in the final view, with their layer named.
    pub fn binary_packages(&mut self, index: &FileIndex, layer_digests: &[String]) -> Vec<Package> {
        let mut out = Vec::new();
        for b in self.binaries.drain(..) {
            if !index.is_visible(&b.path, b.layer) {
                continue;
            }
            let layer = layer_digests
                .get(b.layer)
                .filter(|d| !d.is_empty())
                .cloned();
            out.extend(b.packages.into_iter().map(|mut p| {
                p.layer = layer.clone();
                p
            }));
        }
        out
    }
}
