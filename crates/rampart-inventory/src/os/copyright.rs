//! Licences of Debian packages, from `usr/share/doc/<package>/copyright`.
//!
//! dpkg's status file names no licence; each package ships a copyright file instead. Two
//! forms are read, without guessing from free text:
//!
//! - machine-readable (DEP-5) files: the short names on `License:` lines, with `or` / `and`
//!   expressions split into their parts (`MPL-1.1 or GPL-2` gives `MPL-1.1`, `GPL-2`);
//! - references to the licence texts Debian installs, `/usr/share/common-licenses/GPL-2`.
//!
//! Names are kept as Debian spells them (`GPL-2+`, `Expat`); mapping them to SPDX ids is left
//! to the report writers. Classifying licence prose is out of scope.

/// The licences a Debian copyright file declares, deduplicated, in order of appearance
/// (DEP-5 `License:` names first, then common-licenses references).
///
/// ```
/// let text = b"Files: *\nLicense: MPL-1.1 or GPL-2\n\nLicense: GPL-2\n [text]\n";
/// assert_eq!(rampart_inventory::os::parse_dpkg_copyright(text), vec!["MPL-1.1", "GPL-2"]);
/// ```
pub fn parse_dpkg_copyright(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    let mut out: Vec<String> = Vec::new();
    let mut push = |name: &str| {
        let name = name
            .trim()
            .trim_end_matches([',', '.', ';', '\'', '"', ')']);
        if plausible(name) && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    };
    for line in text.lines() {
        // Field names are case-insensitive; only unindented lines start a field.
        if let Some(value) = line
            .get(..8)
            .filter(|k| k.eq_ignore_ascii_case("License:"))
            .and_then(|_| line.get(8..))
        {
            // A line of prose after `License:` is not an expression: take all or nothing.
            let parts: Vec<&str> = split_expression(value).map(clean).collect();
            if parts.iter().all(|p| plausible(p)) {
                for part in parts {
                    push(part);
                }
            }
        }
    }
    const COMMON: &str = "/usr/share/common-licenses/";
    for (i, _) in text.match_indices(COMMON) {
        let rest = text.get(i + COMMON.len()..).unwrap_or("");
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_')))
            .unwrap_or(rest.len());
        push(rest.get(..end).unwrap_or(""));
    }
    out
}

/// Trim spaces and trailing punctuation.
fn clean(name: &str) -> &str {
    name.trim()
        .trim_end_matches([',', '.', ';', '\'', '"', ')'])
}

/// Split a DEP-5 licence expression on `or`, `and` and commas.
fn split_expression(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(',')
        .flat_map(|p| p.split(" or "))
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split(" | "))
        .map(str::trim)
        .filter(|p| !p.is_empty() && *p != "and" && *p != "or")
}

/// A licence short name: one word of letters, digits and `.-+_`, starting with a letter or
/// digit (rejects prose that happens to follow `License:`).
fn plausible(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_and_references() {
        let text = b"License: GPL-1+ or Artistic, and BSD-4-clause-POWERDOG\n\
            license: Zlib,\n\
            License:  * Permission to use this software in any way\n\
            License: This software is provided 'as-is', without any express or implied\n\
            See /usr/share/common-licenses/GPL-2, or\n\
            found in `/usr/share/common-licenses/LGPL-2.1'.\n\
            /usr/share/common-licenses/Apache-2.0.\n";
        assert_eq!(
            parse_dpkg_copyright(text),
            vec![
                "GPL-1+",
                "Artistic",
                "BSD-4-clause-POWERDOG",
                "Zlib",
                "GPL-2",
                "LGPL-2.1",
                "Apache-2.0"
            ]
        );
        assert!(parse_dpkg_copyright(b"").is_empty());
        assert!(parse_dpkg_copyright(b"\xff\xfeLicense:\n").is_empty());
    }
}
