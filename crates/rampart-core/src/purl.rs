//! Package URLs (purl) as the purl specification writes them.
//!
//! Only building is needed here: every component is percent-encoded except the characters
//! the specification leaves bare (`A-Z a-z 0-9 . - _ ~ :`), namespaces keep their `/`
//! separators, and qualifiers are sorted by key with empty values dropped.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters percent-encoded inside one purl component.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_')
    .remove(b'~')
    .remove(b':');

/// Percent-encode one purl component.
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

/// Build a purl from its parts.
///
/// ```
/// let p = rampart_core::purl::build("deb", Some("debian"), "libc6", "2.36-9+deb12u4",
///     &[("distro", "debian-12"), ("arch", "amd64")]);
/// assert_eq!(p, "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12");
/// ```
pub fn build(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> String {
    let mut out = String::with_capacity(16 + name.len() + version.len());
    out.push_str("pkg:");
    out.push_str(&ty.to_ascii_lowercase());
    out.push('/');
    if let Some(ns) = namespace.filter(|ns| !ns.is_empty()) {
        for seg in ns.split('/').filter(|s| !s.is_empty()) {
            out.push_str(&encode(seg));
            out.push('/');
        }
    }
    out.push_str(&encode(name));
    if !version.is_empty() {
        out.push('@');
        out.push_str(&encode(version));
    }
    let mut quals: Vec<(String, &str)> = qualifiers
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_ascii_lowercase(), *v))
        .collect();
    quals.sort();
    for (i, (k, v)) in quals.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(&encode(v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        assert_eq!(
            build("npm", Some("@angular"), "animation", "12.3.1", &[]),
            "pkg:npm/%40angular/animation@12.3.1"
        );
        assert_eq!(
            build(
                "maven",
                Some("org.apache.xmlgraphics"),
                "batik-anim",
                "1.9.1",
                &[]
            ),
            "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1"
        );
        assert_eq!(
            build(
                "golang",
                Some("github.com/gorilla"),
                "context",
                "v1.1.2",
                &[]
            ),
            "pkg:golang/github.com/gorilla/context@v1.1.2"
        );
        assert_eq!(
            build(
                "rpm",
                Some("fedora"),
                "curl",
                "7.50.3-1.fc25",
                &[("arch", "i386"), ("distro", "fedora-25")]
            ),
            "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25"
        );
        assert_eq!(
            build("pypi", None, "django", "1.11.1", &[("x", "")]),
            "pkg:pypi/django@1.11.1"
        );
    }
}
