//! The shape of one secret rule and its conversion to [`RuleMeta`].
//!
//! This module owns the [`SecretRule`] type only; the table of built-in rules lives in
//! [`crate::rules`] and the matching logic in [`crate::engine`].

use rampart_core::{RuleMeta, Severity};

/// Where a rule's regex runs once one of its keywords is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// The line holding the keyword (at most 4 KiB either side of it).
    Line,
    /// From the start of the keyword's line to this many bytes after the keyword: for
    /// values spanning lines, such as PEM blocks or `.netrc` entries.
    Block(usize),
}

/// How strictly a matched value is checked for being a stand-in rather than a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFilter {
    /// Only obvious stand-ins: `example`, `xxxxx`, one repeated character.
    Obvious,
    /// Also template and variable references (`${VAR}`, `$var`, `<token>`, `%VAR%`).
    Template,
    /// Also the stopword list (`changeme`, `password`, ...) and identifiers.
    Generic,
}

/// One credential type: how to find it cheaply (keywords) and exactly (regex).
///
/// Every rule is declared once, in [`crate::rules()`]; `rampart rules list`, the docs and
/// the SARIF `rules[]` array all come from [`SecretRule::meta`].
#[derive(Debug, Clone, Copy)]
pub struct SecretRule {
    /// Stable id, `secret-<provider>-<kind>`.
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Severity of a finding.
    pub severity: Severity,
    /// Lower-case literals, one of which occurs in (or right next to) every match; the
    /// prefilter runs the regex only where a keyword occurs.
    pub keywords: &'static [&'static str],
    /// Regex (`regex` crate syntax, ASCII mode); capture group 1 is the secret itself.
    pub pattern: &'static str,
    /// Minimum Shannon entropy (bits per byte) of the secret, when the format alone is
    /// not specific enough.
    pub entropy: Option<f64>,
    /// Where the regex runs around a keyword hit.
    pub window: Window,
    /// When set, the file must also contain one of these literals (case-sensitive) for a
    /// match to count (for example `client_email` next to a service-account key).
    pub requires: &'static [&'static str],
    /// Which placeholder filter the value goes through besides the obvious-placeholder
    /// check every rule gets.
    pub filter: ValueFilter,
    /// The provider's published token format, in words.
    pub format: &'static str,
    /// The provider's documentation of the format.
    pub references: &'static [&'static str],
}

impl SecretRule {
    /// A rule with the defaults: line window, no entropy gate, nothing required.
    pub const fn new(
        id: &'static str,
        title: &'static str,
        severity: Severity,
        keywords: &'static [&'static str],
        pattern: &'static str,
        format: &'static str,
    ) -> SecretRule {
        SecretRule {
            id,
            title,
            severity,
            keywords,
            pattern,
            entropy: None,
            window: Window::Line,
            requires: &[],
            filter: ValueFilter::Obvious,
            format,
            references: &[],
        }
    }

    /// The same rule with an entropy gate.
    pub const fn entropy(mut self, bits: f64) -> SecretRule {
        self.entropy = Some(bits);
        self
    }

    /// The same rule with a block window of `bytes` after the keyword.
    pub const fn block(mut self, bytes: usize) -> SecretRule {
        self.window = Window::Block(bytes);
        self
    }

    /// The same rule, valid only when the file also holds one of `literals`.
    pub const fn requires(mut self, literals: &'static [&'static str]) -> SecretRule {
        self.requires = literals;
        self
    }

    /// The same rule, with its values checked against the full placeholder and
    /// stopword list (for rules keyed on a variable name, not a provider prefix).
    pub const fn generic(mut self) -> SecretRule {
        self.filter = ValueFilter::Generic;
        self
    }

    /// The same rule, rejecting template and variable references (`${VAR}`, `$var`,
    /// `<password>`, `%VAR%`) as values (for rules keyed on a call or URL shape).
    pub const fn templated(mut self) -> SecretRule {
        self.filter = ValueFilter::Template;
        self
    }

    /// The same rule with documentation links.
    pub const fn refs(mut self, references: &'static [&'static str]) -> SecretRule {
        self.references = references;
        self
    }

    /// The provider part of the id (`github` for `secret-github-pat`).
    pub fn provider(&self) -> &'static str {
        let rest = self.id.strip_prefix("secret-").unwrap_or(self.id);
        rest.split('-').next().unwrap_or(rest)
    }

    /// The shared rule description used by reports and docs.
    pub fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: self.id.to_string(),
            title: self.title.to_string(),
            severity: self.severity,
            description: format!(
                "{} found in the file. Format: {} Anyone who reads the file can use it.",
                self.title, self.format
            ),
            remediation: "Revoke and rotate the credential at its provider, remove it from \
                          the file (and from history or image layers), and load it at run \
                          time from a secret store instead."
                .to_string(),
            frameworks: Vec::new(),
            references: self.references.iter().map(|r| r.to_string()).collect(),
        }
    }
}
