//! The final view of a layered filesystem: which path is visible, from which layer, and
//! which files later layers deleted or replaced.
//!
//! Only metadata lives here (a path → record map); file contents are never stored.

use std::collections::BTreeMap;
use std::ops::Bound;

/// What kind of filesystem object an entry is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link to the target, exactly as stored (never followed).
    Symlink(String),
    /// A hard link to another path of the artifact (normalized like every path). Its data
    /// is that of the target and is not handed to visitors a second time.
    Hardlink(String),
    /// A device, FIFO or socket.
    Other,
}

/// What the final view knows of one visible path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    /// Index of the layer (0 = lowest) that provides the path.
    pub layer: usize,
    /// Size in bytes as recorded by the archive or filesystem.
    pub size: u64,
    /// What kind of object it is.
    pub kind: EntryKind,
    /// Unix permission and type bits (`0o755`, ...) as recorded.
    pub mode: u32,
}

/// Why a lower layer's file is not in the final view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeletionReason {
    /// A whiteout (`.wh.NAME`) for the file or one of its parent directories.
    Whiteout,
    /// An opaque-directory marker (`.wh..wh..opq`) in one of its parent directories.
    Opaque,
    /// A later entry at the same path (or at a parent path, with a non-directory)
    /// replaced it.
    Overwritten,
}

/// A file that one layer holds and a later layer deleted or replaced.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeletedFile {
    /// Its path.
    pub path: String,
    /// The layer that holds it.
    pub layer: usize,
    /// The layer that deleted or replaced it.
    pub deleted_by: usize,
    /// How it was removed.
    pub reason: DeletionReason,
}

/// The final view of an artifact after every layer has been applied.
///
/// Directories, symlinks and other entries are in the view; the deleted-files view lists
/// everything but directories.
#[derive(Debug, Clone, Default)]
pub struct FileIndex {
    map: BTreeMap<String, FileRecord>,
    deleted: Vec<DeletedFile>,
}

impl FileIndex {
    /// The record of a visible path (normalized: `etc/passwd`, no leading `/`).
    pub fn get(&self, path: &str) -> Option<&FileRecord> {
        self.map.get(path)
    }

    /// Every visible path with its record, sorted by path.
    pub fn visible(&self) -> impl Iterator<Item = (&str, &FileRecord)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Files that a later layer deleted or replaced, in the order it happened.
    pub fn deleted(&self) -> impl Iterator<Item = &DeletedFile> {
        self.deleted.iter()
    }

    /// Whether the copy of `path` that `layer` holds is the one in the final view.
    pub fn is_visible(&self, path: &str, layer: usize) -> bool {
        self.map.get(path).is_some_and(|r| r.layer == layer)
    }

    /// Number of visible paths.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether nothing is visible.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Adds an entry of `rec.layer` at `path`, replacing what was there.
    pub(crate) fn add(&mut self, path: &str, rec: FileRecord) {
        let layer = rec.layer;
        let new_is_dir = rec.kind == EntryKind::Dir;
        if let Some(old) = self.map.get(path) {
            let old_is_dir = old.kind == EntryKind::Dir;
            if !old_is_dir {
                self.deleted.push(DeletedFile {
                    path: path.to_string(),
                    layer: old.layer,
                    deleted_by: layer,
                    reason: DeletionReason::Overwritten,
                });
            } else if !new_is_dir {
                self.remove_below(path, layer, DeletionReason::Overwritten);
            }
        }
        // A lower layer's non-directory at a parent path is replaced by an implied directory.
        let mut parent = path;
        while let Some(i) = parent.rfind('/') {
            parent = &parent[..i];
            match self.map.get(parent) {
                Some(r) if r.kind != EntryKind::Dir => {
                    let old = self.map.remove(parent);
                    if let Some(old) = old {
                        self.deleted.push(DeletedFile {
                            path: parent.to_string(),
                            layer: old.layer,
                            deleted_by: layer,
                            reason: DeletionReason::Overwritten,
                        });
                    }
                }
                _ => {}
            }
        }
        self.map.insert(path.to_string(), rec);
    }

    /// Applies `.wh.NAME` of `layer`: deletes `path` and everything below it that lower
    /// layers put there.
    pub(crate) fn whiteout(&mut self, path: &str, layer: usize) {
        if let Some(old) = self.map.get(path)
            && old.layer < layer
        {
            let is_dir = old.kind == EntryKind::Dir;
            let old_layer = old.layer;
            self.map.remove(path);
            if !is_dir {
                self.deleted.push(DeletedFile {
                    path: path.to_string(),
                    layer: old_layer,
                    deleted_by: layer,
                    reason: DeletionReason::Whiteout,
                });
            }
        }
        self.remove_below(path, layer, DeletionReason::Whiteout);
    }

    /// Applies `.wh..wh..opq` of `layer` in `dir` (`""` for the root): hides everything
    /// lower layers put below `dir`.
    pub(crate) fn opaque(&mut self, dir: &str, layer: usize) {
        self.remove_below(dir, layer, DeletionReason::Opaque);
    }

    /// Removes the entries strictly below `dir` that come from layers lower than `layer`.
    fn remove_below(&mut self, dir: &str, layer: usize, reason: DeletionReason) {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let doomed: Vec<String> = self
            .map
            .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(_, r)| r.layer < layer)
            .map(|(k, _)| k.clone())
            .collect();
        for path in doomed {
            if let Some(old) = self.map.remove(&path)
                && old.kind != EntryKind::Dir
            {
                self.deleted.push(DeletedFile {
                    path,
                    layer: old.layer,
                    deleted_by: layer,
                    reason,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(layer: usize) -> FileRecord {
        FileRecord {
            layer,
            size: 1,
            kind: EntryKind::File,
            mode: 0o644,
        }
    }

    fn dir(layer: usize) -> FileRecord {
        FileRecord {
            layer,
            size: 0,
            kind: EntryKind::Dir,
            mode: 0o755,
        }
    }

    fn paths(ix: &FileIndex) -> Vec<(String, usize)> {
        ix.visible()
            .map(|(p, r)| (p.to_string(), r.layer))
            .collect()
    }

    #[test]
    fn whiteout_removes_subtree_but_not_siblings_with_common_prefix() {
        let mut ix = FileIndex::default();
        ix.add("a", dir(0));
        ix.add("a/x", file(0));
        ix.add("a/y/z", file(0));
        ix.add("ab", file(0));
        ix.whiteout("a", 1);
        assert_eq!(paths(&ix), vec![("ab".to_string(), 0)]);
        let deleted: Vec<_> = ix.deleted().map(|d| d.path.as_str()).collect();
        assert_eq!(deleted, vec!["a/x", "a/y/z"]);
    }

    #[test]
    fn opaque_keeps_same_layer_entries_in_any_order() {
        let mut ix = FileIndex::default();
        ix.add("d/old", file(0));
        ix.add("d/new", file(1));
        ix.opaque("d", 1);
        assert_eq!(paths(&ix), vec![("d/new".to_string(), 1)]);
        assert_eq!(
            ix.deleted().cloned().collect::<Vec<_>>(),
            vec![DeletedFile {
                path: "d/old".into(),
                layer: 0,
                deleted_by: 1,
                reason: DeletionReason::Opaque
            }]
        );
    }

    #[test]
    fn file_replacing_dir_hides_its_contents() {
        let mut ix = FileIndex::default();
        ix.add("d", dir(0));
        ix.add("d/f", file(0));
        ix.add("d", file(1));
        assert_eq!(paths(&ix), vec![("d".to_string(), 1)]);
        assert_eq!(ix.deleted().count(), 1);
        ix.add("d/g", file(2));
        assert_eq!(paths(&ix), vec![("d/g".to_string(), 2)]);
        assert_eq!(ix.deleted().count(), 2);
        assert!(ix.is_visible("d/g", 2));
        assert!(!ix.is_visible("d/g", 1));
    }
}
