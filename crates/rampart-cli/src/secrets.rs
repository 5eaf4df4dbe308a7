//! Secrets in the scan report: findings from every file of every layer (deleted ones too,
//! with the layer that deleted them), and from the image's configuration and build history,
//! where build arguments leak. The history and labels are copied into the report, so the
//! secrets found there are masked in those copies too: no output ever prints one whole.
//! With `--git-history`, every blob reachable from a repository's refs is scanned too and
//! reported with the commit that added it ([`git_history`]).

use crate::visit::InventoryVisitor;
use anyhow::{Context, Result};
use rampart_artifact::{FileIndex, ImageConfig};
use rampart_core::Diagnostic;
use rampart_report::Secret;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// What the secret scan adds to a report.
#[derive(Default)]
pub struct Found {
    /// The findings.
    pub secrets: Vec<Secret>,
    /// Masked build step per layer index, for layers whose step held a secret.
    pub masked_steps: HashMap<usize, String>,
    /// Masked labels, when a label held a secret.
    pub masked_labels: Option<BTreeMap<String, String>>,
}

/// Mask, in `text`, the token starting at 1-based byte `column`: up to the next space, quote
/// or end of text, replaced by the redacted form.
fn mask(text: &str, column: u32, redacted: &str) -> String {
    let start = (column as usize).saturating_sub(1);
    if start >= text.len() || !text.is_char_boundary(start) {
        return format!("[redacted {redacted}]");
    }
    let end = text[start..]
        .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .map_or(text.len(), |i| start + i);
    format!("{}[redacted {redacted}]{}", &text[..start], &text[end..])
}

fn secret(
    f: rampart_secrets::SecretFinding,
    layer: Option<String>,
    deleted_in_layer: Option<String>,
) -> Secret {
    Secret {
        rule_id: f.rule_id,
        title: f.title,
        severity: f.severity,
        file: f.path,
        line: f.line,
        layer,
        deleted_in_layer,
        commit: None,
        redacted: f.redacted,
        suppressed: None,
    }
}

/// The report entries for the secrets the walk found, plus those in the image config.
pub fn collect(
    visitor: &mut InventoryVisitor,
    index: &FileIndex,
    digests: &[String],
    config: Option<&ImageConfig>,
) -> Found {
    let layer = |i: usize| digests.get(i).filter(|d| !d.is_empty()).cloned();
    let deleted: HashMap<(&str, usize), usize> = index
        .deleted()
        .map(|d| ((d.path.as_str(), d.layer), d.deleted_by))
        .collect();
    let mut out = Found {
        secrets: visitor
            .secret_findings
            .drain(..)
            .map(|(l, f)| {
                let del = deleted.get(&(f.path.as_str(), l)).and_then(|d| layer(*d));
                secret(f, layer(l), del)
            })
            .collect(),
        ..Found::default()
    };
    let (Some(cfg), Some(scanner)) = (config, visitor.secrets.as_ref()) else {
        return out;
    };
    let mut stats = rampart_secrets::Stats::default();
    let mut found = Vec::new();
    scanner.scan(
        "(image config: env)",
        cfg.env.join("\n").as_bytes(),
        &mut found,
        &mut stats,
    );
    out.secrets
        .extend(found.drain(..).map(|f| secret(f, None, None)));

    let labels: Vec<(&String, &String)> = cfg.labels.iter().collect();
    let text: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    scanner.scan(
        "(image config: labels)",
        text.join("\n").as_bytes(),
        &mut found,
        &mut stats,
    );
    if !found.is_empty() {
        let mut masked: BTreeMap<String, String> = cfg.labels.clone();
        for f in &found {
            if let Some((k, v)) = labels.get(f.line.saturating_sub(1) as usize) {
                let col = f.column.saturating_sub(k.len() as u32 + 1).max(1);
                let current = masked.get(*k).cloned().unwrap_or_else(|| (*v).clone());
                masked.insert((*k).clone(), mask(&current, col, &f.redacted));
            }
        }
        out.masked_labels = Some(masked);
    }
    out.secrets
        .extend(found.drain(..).map(|f| secret(f, None, None)));

    // Build history: one line per step; steps that made a layer name it.
    let mut layer_no = 0usize;
    let mut lines = Vec::new();
    let mut owners = Vec::new();
    for h in &cfg.history {
        lines.push(h.created_by.clone().unwrap_or_default().replace('\n', " "));
        owners.push((!h.empty_layer).then_some(layer_no));
        if !h.empty_layer {
            layer_no += 1;
        }
    }
    scanner.scan(
        "(image history)",
        lines.join("\n").as_bytes(),
        &mut found,
        &mut stats,
    );
    for f in found {
        let idx = f.line.saturating_sub(1) as usize;
        let owner = owners.get(idx).copied().flatten();
        if let (Some(l), Some(text)) = (owner, lines.get(idx)) {
            let current = out
                .masked_steps
                .get(&l)
                .cloned()
                .unwrap_or_else(|| text.clone());
            out.masked_steps
                .insert(l, mask(&current, f.column, &f.redacted));
        }
        out.secrets.push(secret(f, owner.and_then(layer), None));
    }
    out
}

/// Largest blob read from git history; bigger ones are skipped with a diagnostic.
const MAX_BLOB: u64 = 64 << 20;

/// Where a blob first appeared: commit time, commit id, path in that commit.
type Origin = (i64, gix::ObjectId, String);

/// Secrets in every blob reachable from the refs (branches, tags, remotes, HEAD) of the git
/// repository at `dir`. Each blob is scanned once and reported at the path and commit that
/// first added it: the oldest commit whose tree holds it at a path where no parent held it.
/// `skipped` leaves out paths the directory scan leaves out (`--skip-dirs`).
pub fn git_history(
    dir: &Path,
    scanner: &rampart_secrets::Scanner,
    skipped: &dyn Fn(&str) -> bool,
) -> Result<(Vec<Secret>, Vec<Diagnostic>)> {
    let repo = gix::open(dir)
        .with_context(|| format!("{}: --git-history needs a git repository", dir.display()))?;
    let ctx = || format!("{}: reading git history", dir.display());
    let mut tips = Vec::new();
    for r in repo
        .references()
        .with_context(ctx)?
        .all()
        .with_context(ctx)?
    {
        let Ok(r) = r else { continue };
        if let Ok(id) = r.into_fully_peeled_id()
            && let Ok(obj) = id.object()
            && obj.kind == gix::object::Kind::Commit
        {
            tips.push(id.detach());
        }
    }
    if let Ok(id) = repo.head_id() {
        tips.push(id.detach());
    }
    tips.sort();
    tips.dedup();
    let mut first: HashMap<gix::ObjectId, Origin> = HashMap::new();
    let mut diags = Vec::new();
    if !tips.is_empty() {
        for info in repo.rev_walk(tips).all().with_context(ctx)? {
            let info = info.with_context(ctx)?;
            let commit = repo.find_commit(info.id).with_context(ctx)?;
            let time = commit.time().map(|t| t.seconds).unwrap_or(0);
            let tree = commit.tree_id().with_context(ctx)?.detach();
            let mut parents = Vec::new();
            for p in info.parent_ids.iter() {
                parents.push(
                    repo.find_commit(*p)
                        .and_then(|c| c.tree_id())
                        .with_context(ctx)?
                        .detach(),
                );
            }
            let mut added = Vec::new();
            added_blobs(&repo, tree, &parents, "", &mut added).with_context(ctx)?;
            for (path, blob) in added {
                let origin = (time, info.id, path);
                let keep = first
                    .get(&blob)
                    .is_none_or(|o| (o.0, o.1) > (time, info.id));
                if keep {
                    first.insert(blob, origin);
                }
            }
        }
    }
    let mut blobs: Vec<(gix::ObjectId, Origin)> = first.into_iter().collect();
    blobs.sort_by(|a, b| a.1.2.cmp(&b.1.2).then(a.0.cmp(&b.0)));
    let mut stats = rampart_secrets::Stats::default();
    let mut out = Vec::new();
    for (blob, (_, commit, path)) in blobs {
        if skipped(&path) {
            continue;
        }
        let obj = repo.find_object(blob).with_context(ctx)?;
        if obj.data.len() as u64 > MAX_BLOB {
            diags.push(Diagnostic::warning(
                &path,
                format!(
                    "blob {blob} of commit {commit} not scanned: over {} MiB",
                    MAX_BLOB >> 20
                ),
            ));
            continue;
        }
        let mut found = Vec::new();
        scanner.scan(&path, &obj.data, &mut found, &mut stats);
        out.extend(found.into_iter().map(|f| Secret {
            commit: Some(commit.to_string()),
            ..secret(f, None, None)
        }));
    }
    Ok((out, diags))
}

/// The blobs of tree `new` (under `prefix`) that none of the `old` trees holds at the same
/// path: what a commit added or changed relative to its parents. Unchanged subtrees are
/// skipped whole.
fn added_blobs(
    repo: &gix::Repository,
    new: gix::ObjectId,
    old: &[gix::ObjectId],
    prefix: &str,
    out: &mut Vec<(String, gix::ObjectId)>,
) -> Result<()> {
    let entries = |id: gix::ObjectId| -> Result<Vec<(String, bool, bool, gix::ObjectId)>> {
        let tree = repo.find_object(id)?.try_into_tree()?;
        let decoded = tree.decode()?;
        Ok(decoded
            .entries
            .iter()
            .map(|e| {
                (
                    e.filename.to_string(),
                    e.mode.is_tree(),
                    e.mode.is_blob(),
                    e.oid.to_owned(),
                )
            })
            .collect())
    };
    let olds: Vec<HashMap<String, (bool, gix::ObjectId)>> = old
        .iter()
        .map(|id| {
            entries(*id).map(|v| {
                v.into_iter()
                    .map(|(name, is_tree, _, oid)| (name, (is_tree, oid)))
                    .collect()
            })
        })
        .collect::<Result<_>>()?;
    for (name, is_tree, is_blob, oid) in entries(new)? {
        if olds
            .iter()
            .any(|m| m.get(&name).is_some_and(|o| o.1 == oid))
        {
            continue;
        }
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if is_tree {
            let sub: Vec<gix::ObjectId> = olds
                .iter()
                .filter_map(|m| m.get(&name).filter(|o| o.0).map(|o| o.1))
                .collect();
            added_blobs(repo, oid, &sub, &path, out)?;
        } else if is_blob {
            out.push((path, oid));
        }
    }
    Ok(())
}

/// Merge history findings into the working tree's: a secret the history reports at the same
/// file, rule and value replaces the working-tree entry, as it also names its commit.
pub fn merge_history(secrets: &mut Vec<Secret>, history: Vec<Secret>) {
    secrets.retain(|s| {
        !history
            .iter()
            .any(|h| h.file == s.file && h.rule_id == s.rule_id && h.redacted == s.redacted)
    });
    secrets.extend(history);
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn masks_one_token() {
        assert_eq!(
            mask("|1 TOKEN=abc123 /bin/sh -c x", 10, "abc…h"),
            "|1 TOKEN=[redacted abc…h] /bin/sh -c x"
        );
        assert_eq!(mask("k=\"v\"", 4, "v…"), "k=\"[redacted v…]\"");
    }
}
