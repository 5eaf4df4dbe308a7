//! Value checks and redaction: Shannon entropy, the placeholder list, and the only two
//! forms in which a secret ever leaves the engine (a short prefix and a hash).

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `value`.
pub fn sha256_hex(value: &[u8]) -> String {
    let digest = Sha256::digest(value);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Shannon entropy of `value` in bits per byte (0 for an empty value).
pub fn shannon_entropy(value: &[u8]) -> f64 {
    if value.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in value {
        counts[usize::from(b)] += 1;
    }
    let len = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// The redacted form of a secret: up to 4 leading characters (fewer for short values,
/// none for binary ones), `…`, and `sha256:` with the first 12 hex digits of its hash.
pub fn redact(value: &[u8]) -> String {
    let shown = match value.len() {
        n if n >= 20 => 4,
        n if n >= 12 => 2,
        n if n >= 8 => 1,
        _ => 0,
    };
    let prefix: String = value
        .iter()
        .take(shown)
        .take_while(|b| b.is_ascii_graphic())
        .map(|&b| char::from(b))
        .collect();
    let hash = sha256_hex(value);
    format!("{prefix}…sha256:{}", hash.get(..12).unwrap_or(&hash))
}

/// Substrings that mark a documentation value or a template, not a real secret.
///
/// Only stand-ins belong here. A weak password (`qwerty`, `letmein`, `abuser123456`)
/// assigned in a file is still a password anyone can read, so it is a finding; a value
/// made of nothing but an alphabet or digit run (`0123456789abcdef…`) is caught by
/// [`is_sequence`] instead.
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "example",
    "xxxx",
    "****",
    "....",
    "placeholder",
    "your_",
    "your-",
    "yourpass",
    "yourtoken",
    "yoursecret",
    "dummy",
    "redacted",
    "sample",
    "fixme",
    "todo",
    "replace",
    "insert",
    "notreal",
    "not_real",
    "fake",
    "secret_here",
    "password",
    "passwd",
    "mypass",
    "a1b2c3",
    "null",
    "none",
    "undefined",
    "string",
];

/// Words that mark a template or documentation value in any context.
const TEMPLATE_WORDS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "your_",
    "your-",
    "yourpass",
    "placeholder",
    "redacted",
];

/// True when a value caught by a provider-specific rule is an obvious stand-in.
pub fn is_obvious_placeholder(value: &[u8]) -> bool {
    let lower = value.to_ascii_lowercase();
    let has = |needle: &[u8]| memchr::memmem::find(&lower, needle).is_some();
    if has(b"example") || has(b"xxxxx") || has(b"*****") || has(b"<your") {
        return true;
    }
    // One byte repeated is no secret.
    match value.split_first() {
        Some((first, rest)) => rest.iter().all(|b| b == first),
        None => true,
    }
}

/// True when a value is a template or variable reference (`${VAR}`, `{{ var }}`,
/// `<token>`, `%(name)s`, `%VAR%`, `$VAR`, `@var@`) or a documentation stand-in.
pub fn is_template(value: &[u8]) -> bool {
    if is_obvious_placeholder(value) {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    if TEMPLATE_WORDS
        .iter()
        .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
    {
        return true;
    }
    value.starts_with(b"$")
        || value.starts_with(b"%")
        || value.starts_with(b"@")
        || value.starts_with(b"<")
        || value.ends_with(b">")
        || memchr::memmem::find(value, b"${").is_some()
        || memchr::memmem::find(value, b"{{").is_some()
        || memchr::memmem::find(value, b"$(").is_some()
        || memchr::memmem::find(value, b"%(").is_some()
        || memchr::memmem::find(value, b"#{").is_some()
}

/// True when a value caught by a keyword-gated (generic) rule is a placeholder, a
/// template, a variable reference, a path or an identifier rather than a literal secret.
pub fn is_placeholder(value: &[u8]) -> bool {
    if is_template(value) {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_WORDS
        .iter()
        .any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some())
    {
        return true;
    }
    // Paths and URLs.
    if value.starts_with(b"/") || memchr::memmem::find(value, b"://").is_some() {
        return true;
    }
    if is_sequence(value) || is_mail_address(value) {
        return true;
    }
    // Identifiers and dotted paths (`settings.db_password`, `getPassword`): letters,
    // `_`, `.` and `-` only, with no digit or other symbol.
    let identifier = value
        .iter()
        .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'.' | b'-'));
    if identifier {
        let upper = value.iter().filter(|b| b.is_ascii_uppercase()).count();
        let lowercase = value.iter().filter(|b| b.is_ascii_lowercase()).count();
        // A mixed-case random string of letters (`aBcDxYzQ...`) can still be a secret;
        // snake_case, lowercase words and camelCase cannot.
        let random_looking = value.len() >= 16 && upper >= 3 && lowercase >= 3 && {
            let transitions = value
                .windows(2)
                .filter(|w| match w {
                    [a, b] => a.is_ascii_uppercase() != b.is_ascii_uppercase(),
                    _ => false,
                })
                .count();
            transitions * 3 >= value.len()
        };
        if !random_looking {
            return true;
        }
    }
    false
}

/// True when `value` (16 bytes or more) is nothing but runs of at least three
/// consecutive characters (`0123456789abcdef0123…`, `abcdefghijklmnop`), or holds a run
/// of seven or more (`abcdefg12346+…`, `…tnZ1234567890`, `…-ABCDEFGHIJKL-…`): typed by hand as a stand-in for
/// a key, as a random key of that length almost never holds such a run. Short runs
/// inside a value (`abuser123456`) do not count, and short values are left alone:
/// `12345678` as a password is weak, not a placeholder.
pub(crate) fn is_sequence(value: &[u8]) -> bool {
    if value.len() < 16 {
        return false;
    }
    let mut longest = 0usize;
    let next = |a: u8, b: u8| {
        let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
        (a.is_ascii_alphanumeric() && b == a + 1) || (a == b'9' && b == b'0')
    };
    let mut run = 1usize;
    let mut leftover = 0usize;
    for (i, &b) in value.iter().enumerate() {
        let continues = i > 0 && value.get(i - 1).is_some_and(|&a| next(a, b));
        if continues {
            run += 1;
            longest = longest.max(run);
        } else {
            if i > 0 && run < 3 {
                leftover += run;
            }
            run = 1;
        }
    }
    if run < 3 {
        leftover += run;
    }
    leftover == 0 || longest >= 7
}

/// True when `value` is an e-mail address (`name@host.tld`) or the bare `name@` that
/// anonymous FTP takes as its password by convention (RFC 1635): an address, not a
/// secret. Lower-case only, as addresses are written in code.
pub(crate) fn is_mail_address(value: &[u8]) -> bool {
    let Some(at) = memchr::memchr(b'@', value) else {
        return false;
    };
    let (local, domain) = (
        value.get(..at).unwrap_or_default(),
        value.get(at + 1..).unwrap_or_default(),
    );
    let local_ok = !local.is_empty()
        && local.iter().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'+' | b'-')
        });
    let label_ok = |l: &[u8]| {
        !l.is_empty()
            && l.iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
    };
    let domain_ok = domain.is_empty()
        || (memchr::memchr(b'.', domain).is_some() && domain.split(|&b| b == b'.').all(label_ok));
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_shape() {
        let r = redact(b"ghp_0123456789abcdefghijklmnopqrstuvwxyz");
        assert!(r.starts_with("ghp_…sha256:"), "{r}");
        assert_eq!(r.chars().count(), 4 + 1 + 7 + 12);
        assert!(redact(b"short").starts_with("…sha256:"));
        assert!(redact(b"\x00\x01binary-but-long-enough").starts_with("…sha256:"));
    }

    #[test]
    fn sha256_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn entropy_bounds() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn placeholders() {
        for p in [
            "changeme",
            "${DB_PASSWORD}",
            "{{ .Values.password }}",
            "<token>",
            "xxxxxxxxxxxx",
            "example-secret-1",
            "settings.db_password",
            "getSecretValue",
            "$PASSWORD",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for real in ["Zq8#mR2!vL9x", "s9Df8Gh2Jk4Lq1Wz", "tR7pKqWmZxYvBnJhGfDsLa"] {
            assert!(!is_placeholder(real.as_bytes()), "{real}");
        }
    }

    /// Weak passwords are findings; only stand-ins are dropped (issue 6).
    #[test]
    fn weak_passwords_are_not_placeholders() {
        for weak in [
            "abuser123456",
            "4ian1234",
            "qwerty123!",
            "letmein99",
            "hunter22",
            "12345678",
        ] {
            assert!(!is_placeholder(weak.as_bytes()), "{weak}");
        }
        for stand_in in [
            "0123456789abcdef0123456789abcdef",
            "abcdefghijklmnopqrstuvwxyz",
            "1234567890123456",
            "OOzkR1+hF+1ABCsIFDJMEUtqmtnZ1234567890",
            "00QCjAl4MlV-WPXM-ABCDEFGHIJKL-0HmjFx-vbGu-",
            "abcdefg12346+FJQCK",
        ] {
            assert!(is_sequence(stand_in.as_bytes()), "{stand_in}");
            assert!(is_placeholder(stand_in.as_bytes()), "{stand_in}");
        }
        assert!(!is_sequence(b"abuser123456abuser123456"));
        assert!(!is_sequence(b"tR7pKqWmZxYvBnJhGfDsLa"));
    }

    #[test]
    fn mail_addresses_are_not_secrets() {
        for addr in ["busybox@", "ftp@example.org", "first.last+ci@mail.host.io"] {
            assert!(is_mail_address(addr.as_bytes()), "{addr}");
        }
        for secret in ["Pa55@word", "abc@@", "@abcdef", "x@y", "s3cr3t@Host.io"] {
            assert!(!is_mail_address(secret.as_bytes()), "{secret}");
        }
    }
}
