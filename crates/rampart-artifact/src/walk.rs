//! Walking an artifact: every layer in order, every regular file streamed to a
//! [`Visitor`], whiteouts applied to build the final [`FileIndex`].
//!
//! File data is never buffered whole (except by [`collect`], capped per file); the index
//! keeps only metadata.

use crate::Limits;
use crate::error::ArtifactError;
use crate::index::{EntryKind, FileIndex, FileRecord};
use crate::meter::{CountIn, GuardOut, Meter, Tripped};
use crate::open::{Artifact, ArtifactKind, Source, Span, open_compressed};
use crate::path::{Normalized, join, normalize, split_parent};
use rampart_core::Diagnostic;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

/// A regular file met during a walk.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    /// Normalized path: relative, `/`-separated, no leading `/` or `./`.
    pub path: &'a str,
    /// Index of the layer that holds this copy (0 for directories and zips).
    pub layer: usize,
    /// What it is ([`EntryKind::File`] for entries handed to [`Visitor::file`]).
    pub kind: &'a EntryKind,
    /// Full size in bytes (the data reader stops at [`Limits::max_file_size`]).
    pub size: u64,
    /// Unix mode bits as recorded.
    pub mode: u32,
}

/// Receives the regular files of an artifact, layer by layer, including files that a later
/// layer deletes (ask [`Walk::index`] afterwards what is visible).
pub trait Visitor {
    /// Whether to read the file at `path` of `size` bytes. Saying no is cheap: the data is
    /// skipped, not decompressed into memory.
    fn wants(&mut self, path: &str, size: u64) -> bool {
        let _ = (path, size);
        true
    }

    /// Whether to descend into the directory at `path` when the artifact is a directory
    /// read in place. Saying no prunes the whole subtree: its entries are neither listed
    /// in the index nor counted. Layers of images are streams and cannot be pruned; there
    /// every file still goes through [`Visitor::wants`].
    fn wants_dir(&mut self, path: &str) -> bool {
        let _ = path;
        true
    }

    /// Reads one wanted file. `data` yields at most [`Limits::max_file_size`] bytes; it may
    /// fail mid-way on a corrupt layer, in which case the walk records a diagnostic and
    /// moves on whatever this returns. Any other error stops the walk.
    fn file(&mut self, entry: &Entry<'_>, data: &mut dyn Read) -> Result<(), ArtifactError>;
}

/// The outcome of a walk.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    /// The final view, with the deleted-files view.
    pub index: FileIndex,
    /// What was skipped and why (also repeats [`Artifact::diagnostics`]).
    pub diagnostics: Vec<Diagnostic>,
    /// Uncompressed bytes read (archive headers and file data).
    pub bytes_read: u64,
    /// Regular files met, in all layers, deleted ones included.
    pub files_seen: u64,
    /// False when a layer or part of one was skipped (missing, corrupt, over a limit).
    pub complete: bool,
}

/// Mutable state of one walk.
struct Ctx<'l> {
    limits: &'l Limits,
    meter: Rc<Meter>,
    index: FileIndex,
    diags: Vec<Diagnostic>,
    files_seen: u64,
    entries: u64,
    complete: bool,
    stop: bool,
}

impl<'l> Ctx<'l> {
    fn new(limits: &'l Limits) -> Self {
        Ctx {
            limits,
            meter: Meter::new(limits),
            index: FileIndex::default(),
            diags: Vec::new(),
            files_seen: 0,
            entries: 0,
            complete: true,
            stop: false,
        }
    }

    fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.diags.push(Diagnostic::warning(path, message));
    }

    /// Counts one entry; false (and the walk stops) past [`Limits::max_entries`].
    fn count_entry(&mut self, label: &str) -> bool {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            self.warn(
                label,
                format!(
                    "more than {} entries (max_entries); the walk stopped here",
                    self.limits.max_entries
                ),
            );
            self.complete = false;
            self.stop = true;
            return false;
        }
        true
    }

    /// Records why the current stream ended early.
    fn stream_failed(&mut self, label: &str, what: &str, error: &dyn std::fmt::Display) {
        self.complete = false;
        match self.meter.tripped() {
            Some(Tripped::Total) => {
                self.warn(
                    label,
                    format!(
                        "more than {} uncompressed bytes read (max_total_uncompressed); the walk stopped here",
                        self.limits.max_total_uncompressed
                    ),
                );
                self.stop = true;
            }
            Some(Tripped::Ratio) => self.warn(
                label,
                format!(
                    "{what} expands more than {}:1 (decompression bomb?); the rest of it was skipped",
                    self.limits.max_ratio
                ),
            ),
            None => self.warn(
                label,
                format!("{what} is corrupt or truncated ({error}); the rest of it was skipped"),
            ),
        }
    }

    /// Hands a regular file to the visitor.
    fn visit(
        &mut self,
        visitor: &mut dyn Visitor,
        entry: &Entry<'_>,
        data: &mut dyn Read,
    ) -> Result<(), ArtifactError> {
        self.files_seen += 1;
        if !visitor.wants(entry.path, entry.size) {
            return Ok(());
        }
        let mut data = data.take(self.limits.max_file_size);
        visitor.file(entry, &mut data)
    }

    fn finish(self) -> Walk {
        Walk {
            index: self.index,
            diagnostics: self.diags,
            bytes_read: self.meter.total(),
            files_seen: self.files_seen,
            complete: self.complete,
        }
    }
}

/// Reads every layer of `artifact` in order, hands each regular file to `visitor`, and
/// returns the final view.
///
/// Fails only when the input cannot be read at all or the visitor fails; damaged layers
/// and entries become diagnostics.
pub fn walk(
    artifact: &Artifact,
    limits: &Limits,
    visitor: &mut dyn Visitor,
) -> Result<Walk, ArtifactError> {
    let mut ctx = Ctx::new(limits);
    ctx.diags.extend(artifact.diagnostics.iter().cloned());
    match &artifact.source {
        Source::Layers(spans) => {
            let mut i = 0;
            while let Some(span) = spans.get(i) {
                match span {
                    None => {
                        ctx.complete = false;
                        i += 1;
                    }
                    Some(span) if span.member.is_some() => {
                        i = walk_streamed(artifact, spans, i, &mut ctx, visitor)?;
                    }
                    Some(span) => {
                        let layer = LayerRef {
                            index: i,
                            label: &label(artifact, i),
                            diff_id: diff_id(artifact, i),
                        };
                        walk_layer(&layer, span.open()?, &mut ctx, visitor)?;
                        i += 1;
                    }
                }
                if ctx.stop {
                    break;
                }
            }
        }
        Source::Dir(root) => walk_dir(root, artifact.kind, &mut ctx, visitor)?,
        Source::Zip(path) => walk_zip(path, &mut ctx, visitor)?,
    }
    Ok(ctx.finish())
}

/// How diagnostics name layer `i`: by its digest.
fn label(artifact: &Artifact, i: usize) -> String {
    artifact
        .layers
        .get(i)
        .map(|l| l.digest.clone())
        .unwrap_or_else(|| format!("layer {i}"))
}

/// Streams a compressed archive once, reading layers `start`, `start + 1`, ... as their
/// members come by; returns the index of the first layer not read. Layers stored out of
/// order take further passes.
fn walk_streamed(
    artifact: &Artifact,
    spans: &[Option<Span>],
    start: usize,
    ctx: &mut Ctx<'_>,
    visitor: &mut dyn Visitor,
) -> Result<usize, ArtifactError> {
    let Some(Some(first)) = spans.get(start) else {
        return Ok(start + 1);
    };
    let archive_path = first.path.clone();
    let Some(decoded) = open_compressed(&archive_path)? else {
        return Err(ArtifactError::invalid(
            &archive_path,
            "the archive is no longer compressed",
        ));
    };
    let mut archive = tar::Archive::new(decoded);
    let entries = archive
        .entries()
        .map_err(|e| ArtifactError::invalid(&archive_path, format!("not a readable tar: {e}")))?;
    let mut next = start;
    for entry in entries {
        let Some(Some(Span {
            member: Some(member),
            ..
        })) = spans.get(next)
        else {
            break;
        };
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                ctx.complete = false;
                ctx.warn(
                    archive_path.display().to_string(),
                    format!("archive is corrupt or truncated: {e}"),
                );
                break;
            }
        };
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if normalize(&name) != Normalized::Path(member.name.clone()) {
            continue;
        }
        let layer = LayerRef {
            index: next,
            label: &label(artifact, next),
            diff_id: diff_id(artifact, next),
        };
        walk_layer(&layer, &mut entry, ctx, visitor)?;
        next += 1;
        if ctx.stop {
            break;
        }
    }
    if next == start {
        ctx.complete = false;
        ctx.warn(
            label(artifact, start),
            "layer could not be read from the archive; skipped",
        );
        next += 1;
    }
    Ok(next)
}

/// One file read by [`collect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectedFile {
    /// Normalized path.
    pub path: String,
    /// The layer holding this copy.
    pub layer: usize,
    /// Full size of the file (`data` stops at [`Limits::max_file_size`]).
    pub size: u64,
    /// The contents, at most [`Limits::max_file_size`] bytes.
    pub data: Vec<u8>,
    /// Whether this copy is the one in the final view (false when a later layer deleted or
    /// replaced it).
    pub visible: bool,
}

/// What [`collect`] returns.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    /// The wanted files of every layer, in walk order.
    pub files: Vec<CollectedFile>,
    /// The walk itself.
    pub walk: Walk,
}

struct Collector<F> {
    wants: F,
    files: Vec<CollectedFile>,
}

impl<F: FnMut(&str) -> bool> Visitor for Collector<F> {
    fn wants(&mut self, path: &str, _size: u64) -> bool {
        (self.wants)(path)
    }

    fn file(&mut self, entry: &Entry<'_>, data: &mut dyn Read) -> Result<(), ArtifactError> {
        let mut buf = Vec::new();
        // A read error means a damaged layer: the walk reports it; keep what was read.
        if data.read_to_end(&mut buf).is_ok() {
            self.files.push(CollectedFile {
                path: entry.path.to_string(),
                layer: entry.layer,
                size: entry.size,
                data: buf,
                visible: false,
            });
        }
        Ok(())
    }
}

/// Reads every wanted regular file of every layer into memory (each capped at
/// [`Limits::max_file_size`]), with its layer and whether it is visible in the final view.
///
/// Meant for small files (package databases, manifests, lockfiles): the memory used is
/// the sum of what `wants` selects.
pub fn collect(
    artifact: &Artifact,
    limits: &Limits,
    wants: impl FnMut(&str) -> bool,
) -> Result<Collected, ArtifactError> {
    let mut c = Collector {
        wants,
        files: Vec::new(),
    };
    let walk = walk(artifact, limits, &mut c)?;
    let mut files = c.files;
    for f in &mut files {
        f.visible = walk.index.is_visible(&f.path, f.layer);
    }
    Ok(Collected { files, walk })
}

/// Detects the compression of a layer by its first bytes and decodes it.
fn decoder<'r, R: BufRead + 'r>(mut input: R) -> Result<Box<dyn Read + 'r>, String> {
    let head = input
        .fill_buf()
        .map_err(|e| format!("unreadable: {e}"))?
        .to_vec();
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::bufread::MultiGzDecoder::new(input)))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        zstd::Decoder::with_buffer(input)
            .map(|d| Box::new(d) as Box<dyn Read>)
            .map_err(|e| format!("bad zstd stream: {e}"))
    } else if head.starts_with(b"BZh") {
        Err("bzip2-compressed layers are not supported".into())
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Err("xz-compressed layers are not supported".into())
    } else {
        Ok(Box::new(input))
    }
}

/// Reads one layer (a tar, plain or compressed) into the index and the visitor.
fn walk_layer(
    layer_ref: &LayerRef<'_>,
    raw: impl Read,
    ctx: &mut Ctx<'_>,
    visitor: &mut dyn Visitor,
) -> Result<(), ArtifactError> {
    let (layer, label) = (layer_ref.index, layer_ref.label);
    ctx.meter.start(None, true);
    let counted = CountIn {
        inner: raw,
        meter: Rc::clone(&ctx.meter),
    };
    let decoded = match decoder(BufReader::with_capacity(64 << 10, counted)) {
        Ok(d) => d,
        Err(reason) => {
            ctx.complete = false;
            ctx.warn(label, format!("layer {layer} skipped: {reason}"));
            return Ok(());
        }
    };
    let guarded = GuardOut {
        inner: decoded,
        meter: Rc::clone(&ctx.meter),
    };
    let what = format!("layer {layer}");
    let hashing = Hashing {
        inner: guarded,
        hasher: Sha256::new(),
    };
    let mut archive = tar::Archive::new(hashing);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            ctx.stream_failed(label, &what, &e);
            return Ok(());
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                ctx.stream_failed(label, &what, &e);
                return Ok(());
            }
        };
        if !ctx.count_entry(label) {
            return Ok(());
        }
        let raw_path = entry.path_bytes();
        let raw_path = match std::str::from_utf8(&raw_path) {
            Ok(s) => s.to_string(),
            Err(_) => {
                let lossy = String::from_utf8_lossy(&raw_path).into_owned();
                ctx.warn(
                    &lossy,
                    format!(
                        "layer {layer}: file name is not valid UTF-8; invalid bytes shown as U+FFFD"
                    ),
                );
                lossy
            }
        };
        let path = match normalize(&raw_path) {
            Normalized::Path(p) => p,
            Normalized::Root => continue,
            Normalized::Escapes => {
                ctx.warn(
                    &raw_path,
                    format!("layer {layer}: path climbs out of the root with '..'; skipped"),
                );
                continue;
            }
        };
        let (parent, base) = split_parent(&path);
        if base == ".wh..wh..opq" {
            ctx.index.opaque(parent, layer);
            continue;
        }
        if let Some(target) = base.strip_prefix(".wh.") {
            // `.wh..wh.*` other than the opaque marker is AUFS bookkeeping.
            if !target.starts_with(".wh.") && !target.is_empty() {
                ctx.index.whiteout(&join(parent, target), layer);
            }
            continue;
        }
        if path.starts_with(".wh..wh.") {
            continue;
        }
        let header = entry.header();
        let mode = header.mode().unwrap_or(0);
        let kind = match header.entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous => EntryKind::File,
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Symlink => EntryKind::Symlink(
                entry
                    .link_name_bytes()
                    .map(|l| String::from_utf8_lossy(&l).into_owned())
                    .unwrap_or_default(),
            ),
            tar::EntryType::Link => {
                let target = entry
                    .link_name_bytes()
                    .map(|l| String::from_utf8_lossy(&l).into_owned())
                    .unwrap_or_default();
                match normalize(&target) {
                    Normalized::Path(t) => EntryKind::Hardlink(t),
                    _ => {
                        ctx.warn(
                            &path,
                            format!(
                                "layer {layer}: hard link to {target:?} leaves the root; skipped"
                            ),
                        );
                        continue;
                    }
                }
            }
            tar::EntryType::Char | tar::EntryType::Block | tar::EntryType::Fifo => EntryKind::Other,
            _ => continue,
        };
        let size = entry.size();
        let is_file = kind == EntryKind::File;
        ctx.index.add(
            &path,
            FileRecord {
                layer,
                size,
                kind,
                mode,
            },
        );
        if is_file {
            let e = Entry {
                path: &path,
                layer,
                kind: &EntryKind::File,
                size,
                mode,
            };
            if let Err(err) = ctx.visit(visitor, &e, &mut entry)
                && !ctx.meter.failed()
            {
                return Err(err);
            }
            if ctx.meter.failed() {
                ctx.stream_failed(label, &what, &format!("while reading {path}"));
                return Ok(());
            }
        }
    }
    // Read past the end-of-archive marker so that the compressed stream's own check
    // (gzip CRC, zstd checksum) is verified.
    let mut rest = archive.into_inner();
    if let Err(e) = std::io::copy(&mut rest, &mut std::io::sink()) {
        ctx.stream_failed(label, &what, &e);
        return Ok(());
    }
    if let Some(expected) = layer_ref.diff_id.filter(|d| d.starts_with("sha256:")) {
        let got = format!("sha256:{}", hex::encode(rest.hasher.finalize()));
        if got != expected {
            ctx.complete = false;
            ctx.warn(
                label,
                format!("layer {layer} content does not match its diff_id (it hashes to {got}): the layer is corrupt or was altered"),
            );
        }
    }
    Ok(())
}

/// Which layer [`walk_layer`] reads.
struct LayerRef<'a> {
    index: usize,
    /// How diagnostics name it.
    label: &'a str,
    /// The config's digest of its uncompressed tar, checked once the layer is read.
    diff_id: Option<&'a str>,
}

/// The config's `diff_id` of layer `i`.
fn diff_id(artifact: &Artifact, i: usize) -> Option<&str> {
    artifact
        .config
        .as_ref()
        .and_then(|c| c.diff_ids.get(i))
        .map(String::as_str)
}

/// Hashes the uncompressed layer tar as it is read.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// Walks a directory in place, never following symlinks, never leaving `root`.
fn walk_dir(
    root: &Path,
    kind: ArtifactKind,
    ctx: &mut Ctx<'_>,
    visitor: &mut dyn Visitor,
) -> Result<(), ArtifactError> {
    let shown = root.display().to_string();
    let mut it = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(item) = it.next() {
        let dirent = match item {
            Ok(d) => d,
            Err(e) => {
                if e.depth() == 0 {
                    return Err(ArtifactError::invalid(root, format!("unreadable: {e}")));
                }
                let at = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| shown.clone());
                ctx.complete = false;
                ctx.warn(at, format!("skipped: {e}"));
                continue;
            }
        };
        if dirent.depth() == 0 {
            continue;
        }
        let Ok(rel) = dirent.path().strip_prefix(root) else {
            continue;
        };
        let rel_str = match rel.to_str() {
            Some(s) => s.to_string(),
            None => {
                let lossy = rel.to_string_lossy().into_owned();
                ctx.warn(
                    &lossy,
                    "file name is not valid UTF-8; invalid bytes shown as U+FFFD",
                );
                lossy
            }
        };
        let Normalized::Path(path) = normalize(&rel_str) else {
            continue;
        };
        // A live root filesystem's kernel views are not files.
        if kind == ArtifactKind::Rootfs
            && dirent.depth() == 1
            && matches!(path.as_str(), "proc" | "sys")
        {
            if dirent.file_type().is_dir() {
                it.skip_current_dir();
            }
            continue;
        }
        if dirent.file_type().is_dir() && !visitor.wants_dir(&path) {
            it.skip_current_dir();
            continue;
        }
        if !ctx.count_entry(&shown) {
            return Ok(());
        }
        let meta = match dirent.metadata() {
            Ok(m) => m,
            Err(e) => {
                ctx.warn(&path, format!("skipped: {e}"));
                continue;
            }
        };
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
        let ft = dirent.file_type();
        let entry_kind = if ft.is_symlink() {
            match std::fs::read_link(dirent.path()) {
                Ok(t) => EntryKind::Symlink(t.to_string_lossy().into_owned()),
                Err(e) => {
                    ctx.warn(&path, format!("unreadable symlink: {e}"));
                    continue;
                }
            }
        } else if ft.is_dir() {
            EntryKind::Dir
        } else if ft.is_file() {
            EntryKind::File
        } else {
            EntryKind::Other
        };
        let size = if ft.is_file() { meta.len() } else { 0 };
        let is_file = entry_kind == EntryKind::File;
        ctx.index.add(
            &path,
            FileRecord {
                layer: 0,
                size,
                kind: entry_kind,
                mode,
            },
        );
        if !is_file {
            continue;
        }
        let e = Entry {
            path: &path,
            layer: 0,
            kind: &EntryKind::File,
            size,
            mode,
        };
        ctx.files_seen += 1;
        if !visitor.wants(&path, size) {
            continue;
        }
        let file = match std::fs::File::open(dirent.path()) {
            Ok(f) => f,
            Err(err) => {
                ctx.complete = false;
                ctx.warn(&path, format!("unreadable: {err}"));
                continue;
            }
        };
        // The entry may have been swapped for something else since it was listed.
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            ctx.warn(&path, "changed while being read; skipped");
            continue;
        }
        ctx.meter.start(None, false);
        let mut data = GuardOut {
            inner: file,
            meter: Rc::clone(&ctx.meter),
        }
        .take(ctx.limits.max_file_size);
        if let Err(err) = visitor.file(&e, &mut data)
            && !ctx.meter.failed()
        {
            return Err(err);
        }
        if ctx.meter.failed() {
            ctx.stream_failed(&path, "the file", &"read error");
            if ctx.stop {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Walks the members of a zip as files of one layer.
fn walk_zip(
    path: &Path,
    ctx: &mut Ctx<'_>,
    visitor: &mut dyn Visitor,
) -> Result<(), ArtifactError> {
    let file = std::fs::File::open(path).map_err(|e| ArtifactError::io(path, e))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| ArtifactError::invalid(path, format!("not a readable zip: {e}")))?;
    let shown = path.display().to_string();
    for i in 0..zip.len() {
        let mut member = match zip.by_index(i) {
            Ok(m) => m,
            Err(e) => {
                ctx.complete = false;
                ctx.warn(&shown, format!("zip member {i} unreadable: {e}"));
                continue;
            }
        };
        if !ctx.count_entry(&shown) {
            return Ok(());
        }
        let raw_name = member.name().to_string();
        let name = match normalize(&raw_name.replace('\\', "/")) {
            Normalized::Path(p) => p,
            Normalized::Root => continue,
            Normalized::Escapes => {
                ctx.warn(&raw_name, "path climbs out of the root with '..'; skipped");
                continue;
            }
        };
        let mode = member.unix_mode().unwrap_or(0);
        let size = member.size();
        let kind = if member.is_dir() {
            EntryKind::Dir
        } else if member.is_symlink() {
            let mut target = String::new();
            let _ = (&mut member).take(4096).read_to_string(&mut target);
            EntryKind::Symlink(target)
        } else {
            EntryKind::File
        };
        let is_file = kind == EntryKind::File;
        ctx.index.add(
            &name,
            FileRecord {
                layer: 0,
                size,
                kind,
                mode,
            },
        );
        if !is_file {
            continue;
        }
        ctx.meter.start(Some(member.compressed_size()), true);
        let e = Entry {
            path: &name,
            layer: 0,
            kind: &EntryKind::File,
            size,
            mode,
        };
        let mut guarded = GuardOut {
            inner: &mut member,
            meter: Rc::clone(&ctx.meter),
        };
        if let Err(err) = ctx.visit(visitor, &e, &mut guarded)
            && !ctx.meter.failed()
        {
            return Err(err);
        }
        if ctx.meter.failed() {
            ctx.stream_failed(&name, "zip member", &"decode error");
            if ctx.stop {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Reads `data` as one image layer with default limits, discarding the result: a pure
/// entry point for fuzzing the layer reader (tar, gzip, zstd, whiteouts, paths).
#[doc(hidden)]
pub fn fuzz_tar_layer(data: &[u8]) {
    struct Drain;
    impl Visitor for Drain {
        fn file(&mut self, _: &Entry<'_>, data: &mut dyn Read) -> Result<(), ArtifactError> {
            let _ = std::io::copy(data, &mut std::io::sink());
            Ok(())
        }
    }
    let limits = Limits {
        max_total_uncompressed: 256 << 20,
        ..Limits::default()
    };
    let mut ctx = Ctx::new(&limits);
    let layer = LayerRef {
        index: 0,
        label: "fuzz",
        diff_id: None,
    };
    let _ = walk_layer(&layer, data, &mut ctx, &mut Drain);
    let _ = ctx.finish();
}
