//! Inline suppressions in configuration files: a comment `# rampart:ignore RULE-ID reason`
//! (or `// rampart:ignore ...` in HCL) on the offending line, or alone on the line above it.
//! Several ids may be joined with commas. This module only reads the comments; whether a
//! suppressed finding is dropped or reported as suppressed is the caller's choice.

const MARKER: &str = "rampart:ignore";

/// One `rampart:ignore` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineIgnore {
    /// 1-based line of the comment.
    pub line: u32,
    /// Rule ids it names.
    pub rule_ids: Vec<String>,
    /// The text after the ids, if any.
    pub reason: Option<String>,
    /// The comment is the whole line (so it covers the next line too).
    pub own_line: bool,
}

impl InlineIgnore {
    /// Whether it suppresses `rule_id` reported at `line`.
    pub fn covers(&self, rule_id: &str, line: u32) -> bool {
        (self.line == line || (self.own_line && self.line + 1 == line))
            && self.rule_ids.iter().any(|r| r == rule_id)
    }
}

/// Every `rampart:ignore` comment of a file. The marker counts only inside a comment (after
/// `#` or `//` on its line) and must name at least one rule.
pub fn inline_ignores(text: &str) -> Vec<InlineIgnore> {
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let Some(pos) = l.find(MARKER) else { continue };
        let before = &l[..pos];
        let comment_at = match (before.rfind('#'), before.rfind("//")) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => continue,
        };
        let rest = l[pos + MARKER.len()..].trim_start_matches(':').trim();
        let (ids, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let rule_ids: Vec<String> = ids
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if rule_ids.is_empty() {
            continue;
        }
        let reason = reason.trim().trim_start_matches(['-', ':']).trim();
        out.push(InlineIgnore {
            line: i as u32 + 1,
            rule_ids,
            reason: (!reason.is_empty()).then(|| reason.to_string()),
            own_line: before[..comment_at].trim().is_empty(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_line_and_line_above() {
        let text = "spec:\n  # rampart:ignore k8s-privileged,k8s-host-path debug pod, removed in Q3\n  privileged: true\n  hostPID: true # rampart:ignore k8s-host-namespaces -- node debugging\n  image: x\n";
        let ig = inline_ignores(text);
        assert_eq!(ig.len(), 2);
        assert_eq!(ig[0].rule_ids, ["k8s-privileged", "k8s-host-path"]);
        assert_eq!(ig[0].reason.as_deref(), Some("debug pod, removed in Q3"));
        assert!(ig[0].covers("k8s-privileged", 3));
        assert!(ig[0].covers("k8s-privileged", 2));
        assert!(!ig[0].covers("k8s-privileged", 4));
        assert!(ig[1].covers("k8s-host-namespaces", 4));
        assert!(
            !ig[1].covers("k8s-host-namespaces", 5),
            "a trailing comment covers its own line only"
        );
        assert_eq!(ig[1].reason.as_deref(), Some("node debugging"));
    }

    #[test]
    fn marker_outside_a_comment_or_without_an_id_is_ignored() {
        assert!(inline_ignores("name: rampart:ignore x\n").is_empty());
        assert!(inline_ignores("# rampart:ignore\n").is_empty());
        let hcl = inline_ignores(
            "  acl = \"public-read\" // rampart:ignore tf-aws-s3-public-acl static site\n",
        );
        assert_eq!(hcl[0].rule_ids, ["tf-aws-s3-public-acl"]);
    }
}
