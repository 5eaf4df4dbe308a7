//! Secrets in the scan report: findings from every file of every layer (deleted ones too,
//! with the layer that deleted them), and from the image's configuration and build history,
//! where build arguments leak. The history and labels are copied into the report, so the
//! secrets found there are masked in those copies too: no output ever prints one whole.

use crate::visit::InventoryVisitor;
use rampart_artifact::{FileIndex, ImageConfig};
use rampart_report::Secret;
use std::collections::{BTreeMap, HashMap};

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
        redacted: f.redacted,
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
