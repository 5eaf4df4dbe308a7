//! The tape parser behind [`super::RawJson`]: one pass over a JSON text that validates it
//! and records every value as a small fixed-size [`Node`] in one vector. Strings without
//! escapes and numbers stay in the text (a span); strings with escapes are decoded once
//! into a side buffer. Nothing else is allocated, whatever the document's shape.
//!
//! The parser accepts a subset of what `serde_json` accepts (it is stricter about deep
//! nesting, lone surrogates and numbers it cannot check cheaply); whatever it refuses is
//! handed to `serde_json`, so a document is read the same way either way.

/// What a [`Node`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Null,
    False,
    True,
    /// A number: its text is `text[a..a + b]`.
    Number,
    /// A string without escapes: `text[a..a + b]`.
    Str,
    /// A string with escapes, decoded: `decoded[a..a + b]`.
    EscStr,
    /// An array of `a` elements; its last node is just before node `b`.
    Array,
    /// An object of `a` members (key node, then value nodes); its last node is just
    /// before node `b`.
    Object,
}

/// One value on the tape (see [`Tag`] for what `a` and `b` mean).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    pub tag: Tag,
    pub a: u32,
    pub b: u32,
}

/// Nesting deeper than this is left to `serde_json` (whose own limit is 128).
const MAX_DEPTH: u32 = 100;

/// The nodes and decoded strings of one document.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub nodes: Vec<Node>,
    pub decoded: String,
}

/// Parses `text` (one JSON value, surrounded by optional whitespace). `None` when the
/// text is not JSON or is something this parser leaves to `serde_json`.
pub(crate) fn parse(text: &str) -> Option<Parsed> {
    u32::try_from(text.len()).ok()?;
    let mut p = Parser {
        text,
        s: text.as_bytes(),
        i: 0,
        out: Parsed {
            nodes: Vec::with_capacity(text.len() / 8 + 4),
            decoded: String::new(),
        },
    };
    p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return None;
    }
    Some(p.out)
}

struct Parser<'t> {
    text: &'t str,
    s: &'t [u8],
    i: usize,
    out: Parsed,
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Index of the first `"`, `\` or control character at or after `i` (or `s.len()`).
fn find_special(s: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = s.get(i..).and_then(|r| r.first_chunk::<8>()) {
        let w = u64::from_le_bytes(*chunk);
        let q = w ^ (LO * u64::from(b'"'));
        let b = w ^ (LO * u64::from(b'\\'));
        // Bytes equal to zero (after the xors) or below 0x20; the lowest flagged byte is
        // always a true match.
        let m = (q.wrapping_sub(LO) & !q)
            | (b.wrapping_sub(LO) & !b)
            | (w.wrapping_sub(LO * 0x20) & !w);
        let m = m & HI;
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = s.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            return i;
        }
        i += 1;
    }
    i
}

fn hex4(s: &[u8], i: usize) -> Option<u32> {
    let h = s.get(i..i + 4)?;
    let mut v = 0u32;
    for &c in h {
        v = v * 16 + char::from(c).to_digit(16)?;
    }
    Some(v)
}

impl Parser<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn push(&mut self, tag: Tag, a: usize, b: usize) -> Option<()> {
        self.out.nodes.push(Node {
            tag,
            a: u32::try_from(a).ok()?,
            b: u32::try_from(b).ok()?,
        });
        Some(())
    }

    fn value(&mut self, depth: u32) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'{' => self.container(depth, b'}', Tag::Object),
            b'[' => self.container(depth, b']', Tag::Array),
            b'"' => {
                self.i += 1;
                self.string()
            }
            b'n' => self.literal(b"null", Tag::Null),
            b't' => self.literal(b"true", Tag::True),
            b'f' => self.literal(b"false", Tag::False),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8], tag: Tag) -> Option<()> {
        if !self.s.get(self.i..)?.starts_with(word) {
            return None;
        }
        self.i += word.len();
        self.push(tag, 0, 0)
    }

    fn container(&mut self, depth: u32, close: u8, tag: Tag) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.i += 1;
        let at = self.out.nodes.len();
        self.push(tag, 0, 0)?;
        let mut n = 0usize;
        self.ws();
        if self.peek()? == close {
            self.i += 1;
        } else {
            loop {
                if tag == Tag::Object {
                    self.ws();
                    if self.peek()? != b'"' {
                        return None;
                    }
                    self.i += 1;
                    self.string()?;
                    self.ws();
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.i += 1;
                }
                self.value(depth + 1)?;
                n += 1;
                self.ws();
                match self.peek()? {
                    b',' => self.i += 1,
                    c if c == close => {
                        self.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        let end = self.out.nodes.len();
        let node = self.out.nodes.get_mut(at)?;
        node.a = u32::try_from(n).ok()?;
        node.b = u32::try_from(end).ok()?;
        Some(())
    }

    /// A string whose opening quote was just read.
    fn string(&mut self) -> Option<()> {
        let start = self.i;
        let j = find_special(self.s, start);
        match self.s.get(j)? {
            b'"' => {
                self.i = j + 1;
                self.push(Tag::Str, start, j - start)
            }
            b'\\' => self.escaped(start, j),
            _ => None,
        }
    }

    /// The rest of a string with escapes: `start` is its first byte, `j` the first `\`.
    fn escaped(&mut self, start: usize, mut j: usize) -> Option<()> {
        let from = self.out.decoded.len();
        let mut seg = start;
        loop {
            self.out.decoded.push_str(self.text.get(seg..j)?);
            match self.s.get(j)? {
                b'"' => break,
                b'\\' => {}
                _ => return None,
            }
            let esc = *self.s.get(j + 1)?;
            j += 2;
            let c = match esc {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let hi = hex4(self.s, j)?;
                    j += 4;
                    let code = match hi {
                        0xD800..=0xDBFF => {
                            if self.s.get(j..j + 2)? != b"\\u" {
                                return None;
                            }
                            let lo = hex4(self.s, j + 2)?;
                            if !(0xDC00..=0xDFFF).contains(&lo) {
                                return None;
                            }
                            j += 6;
                            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                        }
                        0xDC00..=0xDFFF => return None,
                        v => v,
                    };
                    char::from_u32(code)?
                }
                _ => return None,
            };
            self.out.decoded.push(c);
            seg = j;
            j = find_special(self.s, j);
        }
        self.i = j + 1;
        let len = self.out.decoded.len() - from;
        self.push(Tag::EscStr, from, len)
    }

    fn digits(&mut self) -> usize {
        let from = self.i;
        while let Some(b'0'..=b'9') = self.s.get(self.i) {
            self.i += 1;
        }
        self.i - from
    }

    fn number(&mut self) -> Option<()> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = self.digits();
        if n == 0 || (n > 1 && self.s.get(int_start) == Some(&b'0')) {
            return None;
        }
        let mut simple = n <= 18;
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
            simple = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
            simple = false;
        }
        let text = self.text.get(start..self.i)?;
        // Fractions, exponents and long integers may be out of range for serde_json: it
        // checks them (rare in audit logs).
        if !simple && serde_json::from_str::<serde_json::Number>(text).is_err() {
            return None;
        }
        self.push(Tag::Number, start, self.i - start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_bytes_are_found() {
        let s = b"abcdefghijklmnop\"";
        assert_eq!(find_special(s, 0), 16);
        assert_eq!(find_special(b"ab\\cdefghij", 0), 2);
        assert_eq!(find_special(b"abcdefg\x01", 0), 7);
        assert_eq!(find_special(b"abcdefgh\x1f", 0), 8);
        assert_eq!(find_special("é€ñ\u{7f}xyz\"".as_bytes(), 0), 11);
        assert_eq!(find_special(b"abc", 0), 3);
    }

    #[test]
    fn valid_and_invalid() {
        for ok in [
            "{}",
            "[]",
            " {\"a\" : [1, -2, 3.5e-3, true, false, null, \"x\\u00e9\\ud83d\\ude00\"]} \n",
            "0",
            "\"\"",
        ] {
            assert!(parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "",
            "{",
            "{\"a\":1,}",
            "[1,]",
            "01",
            "1.",
            "-",
            "1e",
            "\"a\u{1}\"",
            "\"\\x\"",
            "\"\\ud800\"",
            "{} x",
            "1e400",
            "nul",
            "{\"a\" 1}",
            "{1:2}",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
