//! Scanner configuration: size limit, disabled rules and allowlists.
//!
//! [`Config`] deserializes from TOML (see [`Config::from_toml`]) or any serde format
//! (YAML, JSON). This module owns parsing and glob compilation; applying the allowlists
//! is the engine's job.

use crate::SecretsError;
use serde::Deserialize;

/// Default largest file scanned: 32 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 32 * 1024 * 1024;

/// How the scanner behaves.
///
/// ```
/// let cfg = rampart_secrets::Config::from_toml(r#"
/// max_file_size = 1048576
/// [allowlist]
/// paths = ["**/testdata/**", "*.lock"]
/// rules = ["secret-jwt"]
/// values_sha256 = ["5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"]
/// "#).unwrap();
/// assert_eq!(cfg.allowlist.rules, ["secret-jwt"]);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Files larger than this many bytes are skipped (and counted in the stats).
    pub max_file_size: u64,
    /// What is never reported.
    pub allowlist: Allowlist,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            allowlist: Allowlist::default(),
        }
    }
}

impl Config {
    /// Parses a TOML configuration; `origin` names the file in errors.
    pub fn from_toml_named(text: &str, origin: &str) -> Result<Config, SecretsError> {
        toml::from_str(text).map_err(|e| SecretsError::Config {
            path: origin.to_string(),
            reason: e.message().to_string(),
        })
    }

    /// Parses a TOML configuration.
    pub fn from_toml(text: &str) -> Result<Config, SecretsError> {
        Config::from_toml_named(text, "<config>")
    }
}

/// Findings that are suppressed.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Allowlist {
    /// Path globs (`*` within a segment, `**` across segments, `?`, `[...]`). A glob
    /// without `/` matches the file name in any directory.
    pub paths: Vec<String>,
    /// Rule ids that never report (their regexes are not even compiled).
    pub rules: Vec<String>,
    /// Lower-case hex SHA-256 of secret values to ignore; a prefix of 12 or more hex
    /// digits (as shown in a finding's `redacted`) also matches.
    pub values_sha256: Vec<String>,
}

/// Translates one path glob to an anchored regex.
pub(crate) fn glob_to_regex(glob: &str) -> String {
    let mut out = String::from("^");
    if !glob.contains('/') {
        out.push_str("(?:.*/)?");
    }
    let g = glob.strip_prefix('/').unwrap_or(glob);
    let chars: Vec<char> = g.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' => {
                if chars.get(i + 1) == Some(&'*') {
                    if chars.get(i + 2) == Some(&'/') {
                        out.push_str("(?:.*/)?");
                        i += 3;
                    } else {
                        out.push_str(".*");
                        i += 2;
                    }
                    continue;
                }
                out.push_str("[^/]*");
            }
            '?' => out.push_str("[^/]"),
            '[' => {
                // Copy a bracket expression through; `!` negation becomes `^`.
                match chars[i..].iter().position(|&ch| ch == ']') {
                    Some(end) if end > 1 => {
                        out.push('[');
                        let inner: String = chars[i + 1..i + end].iter().collect();
                        let inner = inner
                            .strip_prefix('!')
                            .map_or(inner.clone(), |rest| format!("^{rest}"));
                        out.push_str(&inner.replace('\\', "\\\\"));
                        out.push(']');
                        i += end + 1;
                        continue;
                    }
                    _ => out.push_str("\\["),
                }
            }
            _ => {
                let mut buf = [0u8; 4];
                out.push_str(&regex::escape(c.encode_utf8(&mut buf)));
            }
        }
        i += 1;
    }
    out.push('$');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(glob: &str, path: &str) -> bool {
        regex::Regex::new(&glob_to_regex(glob))
            .unwrap()
            .is_match(path)
    }

    #[test]
    fn globs() {
        assert!(m("*.lock", "a/b/Cargo.lock"));
        assert!(m("*.lock", "Cargo.lock"));
        assert!(!m("*.lock", "a/Cargo.lock.bak"));
        assert!(m("**/testdata/**", "x/testdata/y/z.txt"));
        assert!(m("**/testdata/**", "testdata/z.txt"));
        assert!(!m("src/*.rs", "src/a/b.rs"));
        assert!(m("src/*.rs", "src/b.rs"));
        assert!(m("file?.[ch]", "dir/file1.c"));
        assert!(!m("file?.[!ch]", "dir/file1.c"));
    }

    #[test]
    fn toml_and_errors() {
        let cfg = Config::from_toml("[allowlist]\nrules = [\"secret-jwt\"]\n").unwrap();
        assert_eq!(cfg.max_file_size, DEFAULT_MAX_FILE_SIZE);
        let err = Config::from_toml_named("bogus = 1", "rampart.toml").unwrap_err();
        assert!(err.to_string().starts_with("rampart.toml: "), "{err}");
    }
}
