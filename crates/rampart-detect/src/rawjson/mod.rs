//! [`RawJson`]: the raw document of a `k8s_audit`, `aws_cloudtrail` or `json` event, read
//! in place instead of built into a `serde_json::Value` tree.
//!
//! Rules read a handful of fields of each document, so building maps and strings for every
//! field (what `serde_json::Value` does) was most of the cost of matching audit events. A
//! [`RawJson`] keeps the document's text and a flat tape of its values (see [`parse`]);
//! fields are found by walking the tape, strings are borrowed from the text. The events cut
//! from one document (an `EventList`, a CloudTrail `Records` file) share its tape.
//!
//! Reading a [`RawJson`] through [`JsonRef`] gives exactly what the same reads on the
//! `serde_json::Value` of the document give (last duplicate key wins, objects iterate in
//! `serde_json::Map` order, numbers and nested values print as `serde_json` prints them);
//! [`RawJson::to_value`] builds that `Value` when the whole document is needed (`json.obj`,
//! recording events, comparisons).

mod parse;

use crate::strhash::same_bytes;
use parse::{Node, Tag};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use std::sync::{Arc, LazyLock, OnceLock};

/// A parsed document: its text, tape and decoded strings.
#[derive(Debug)]
pub(crate) struct Tape {
    text: Box<str>,
    nodes: Vec<Node>,
    decoded: String,
    /// The members of the root object, once a read has needed them (see [`RootKey`]).
    root_keys: OnceLock<Box<[RootKey]>>,
}

/// One member of a document's root object in a compact table: rules read a dozen fields
/// of an audit event's root (`verb`, `user`, `objectRef`, `requestObject`...), and the
/// table answers each by a scan over consecutive 12-byte entries instead of a walk over
/// the tape that steps across every member's value.
#[derive(Debug, Clone, Copy)]
struct RootKey {
    /// Key length.
    len: u32,
    /// Key start in the text, or in the decoded strings when [`DECODED`] is set.
    at: u32,
    /// The member's value node.
    value: u32,
}

/// Flag in [`RootKey::at`]: the key is in [`Tape::decoded`].
const DECODED: u32 = 1 << 31;

/// Root objects with fewer members are searched on the tape directly.
const ROOT_TABLE_MIN: u32 = 8;

/// A JSON document (or one value inside a shared document), readable without building a
/// `serde_json::Value`. Cloning is cheap for parsed text (the tape is shared).
#[derive(Clone)]
pub struct RawJson(Repr);

#[derive(Clone)]
enum Repr {
    /// Parsed text: the value at node `root` of the tape.
    Tape(Arc<Tape>, u32),
    /// A `serde_json::Value` (built by code, or text the tape parser left to serde_json).
    Value(Value),
}

impl RawJson {
    /// Parses a JSON text. On error, the message is `serde_json`'s for the same text.
    pub fn parse(text: &str) -> Result<RawJson, serde_json::Error> {
        match parse::parse(text) {
            Some(p) => Ok(RawJson(Repr::Tape(
                Arc::new(Tape {
                    text: text.into(),
                    nodes: p.nodes,
                    decoded: p.decoded,
                    root_keys: OnceLock::new(),
                }),
                0,
            ))),
            None => serde_json::from_str::<Value>(text).map(RawJson::from),
        }
    }

    /// The document's root value.
    pub fn root(&self) -> JsonRef<'_> {
        match &self.0 {
            Repr::Tape(t, i) => JsonRef(Ref::Tape(t, *i)),
            Repr::Value(v) => JsonRef(Ref::Value(v)),
        }
    }

    /// The document as a `serde_json::Value` (built for parsed text).
    pub fn to_value(&self) -> Value {
        match &self.0 {
            Repr::Value(v) => v.clone(),
            Repr::Tape(..) => self.root().to_value(),
        }
    }

    /// The document as a `serde_json::Value`, borrowed when it already is one.
    fn value(&self) -> Cow<'_, Value> {
        match &self.0 {
            Repr::Value(v) => Cow::Borrowed(v),
            Repr::Tape(..) => Cow::Owned(self.root().to_value()),
        }
    }

    /// Splits off the array under `key` of this object, one [`RawJson`] per element;
    /// gives `self` back when there is no such array.
    pub fn take_array(self, key: &str) -> Result<Vec<RawJson>, RawJson> {
        match self.0 {
            Repr::Tape(t, root) => {
                let items = match JsonRef(Ref::Tape(&t, root)).get(key) {
                    Some(JsonRef(Ref::Tape(_, arr))) if t.tag(arr) == Tag::Array => {
                        Some(t.children(arr).collect::<Vec<u32>>())
                    }
                    _ => None,
                };
                match items {
                    Some(items) => Ok(items
                        .into_iter()
                        .map(|i| RawJson(Repr::Tape(t.clone(), i)))
                        .collect()),
                    None => Err(RawJson(Repr::Tape(t, root))),
                }
            }
            Repr::Value(v) => {
                if !v.get(key).is_some_and(Value::is_array) {
                    return Err(RawJson(Repr::Value(v)));
                }
                match v {
                    Value::Object(mut m) => match m.remove(key) {
                        Some(Value::Array(items)) => {
                            Ok(items.into_iter().map(RawJson::from).collect())
                        }
                        _ => Err(RawJson(Repr::Value(Value::Object(m)))),
                    },
                    other => Err(RawJson(Repr::Value(other))),
                }
            }
        }
    }
}

impl From<Value> for RawJson {
    fn from(v: Value) -> RawJson {
        RawJson(Repr::Value(v))
    }
}

impl std::fmt::Debug for RawJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.value(), f)
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &RawJson) -> bool {
        self.value() == other.value()
    }
}

impl Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(RawJson::from)
    }
}

impl Tape {
    fn node(&self, i: u32) -> Node {
        self.nodes.get(i as usize).copied().unwrap_or(Node {
            tag: Tag::Null,
            a: 0,
            b: 0,
        })
    }

    fn tag(&self, i: u32) -> Tag {
        self.node(i).tag
    }

    /// The node after the value at `i` and everything inside it.
    fn skip(&self, i: u32) -> u32 {
        let n = self.node(i);
        match n.tag {
            Tag::Array | Tag::Object => n.b,
            _ => i + 1,
        }
    }

    fn span(s: &str, a: u32, b: u32) -> &str {
        s.get(a as usize..(a as usize + b as usize)).unwrap_or("")
    }

    fn str_at(&self, i: u32) -> Option<&str> {
        let n = self.node(i);
        match n.tag {
            Tag::Str => Some(Tape::span(&self.text, n.a, n.b)),
            Tag::EscStr => Some(Tape::span(&self.decoded, n.a, n.b)),
            _ => None,
        }
    }

    /// Element nodes of the array at `i` (value nodes of an object: every other child).
    fn children(&self, i: u32) -> Children<'_> {
        let n = self.node(i);
        Children {
            tape: self,
            next: i + 1,
            left: n.a,
        }
    }

    /// Members of the object at `i`, as (key node, value node), in document order.
    fn members(&self, i: u32) -> Members<'_> {
        let n = self.node(i);
        Members {
            tape: self,
            next: i + 1,
            left: if n.tag == Tag::Object { n.a } else { 0 },
        }
    }

    /// The value node of member `key` of the object at `i` (the last one when the key
    /// repeats, as in `serde_json`). The hot path of every field read: keys are compared
    /// by length first, and values are stepped over without looking inside.
    fn member(&self, i: u32, key: &str) -> Option<u32> {
        let nodes = self.nodes.as_slice();
        let obj = nodes.get(i as usize)?;
        if obj.tag != Tag::Object {
            return None;
        }
        let (text, decoded) = (self.text.as_bytes(), self.decoded.as_bytes());
        let want = key.as_bytes();
        // (Offsets must leave the flag bit free: documents and their decoded strings are
        // far below 2 GiB in practice, larger ones take the walk below.)
        if i == 0
            && obj.a >= ROOT_TABLE_MIN
            && text.len() < DECODED as usize
            && decoded.len() < DECODED as usize
        {
            // Last entry first: the last of repeated keys wins.
            return self.root_keys().iter().rev().find_map(|m| {
                if m.len as usize != want.len() {
                    return None;
                }
                let (src, at) = if m.at & DECODED != 0 {
                    (decoded, (m.at & !DECODED) as usize)
                } else {
                    (text, m.at as usize)
                };
                let have = src.get(at..at + want.len())?;
                same_bytes(have, want).then_some(m.value)
            });
        }
        let mut found = None;
        let mut k = i as usize + 1;
        for _ in 0..obj.a {
            let kn = nodes.get(k)?;
            if kn.b as usize == want.len() {
                let src = if kn.tag == Tag::Str { text } else { decoded };
                let at = kn.a as usize;
                if let Some(have) = src.get(at..at + want.len())
                    && same_bytes(have, want)
                {
                    found = Some(k as u32 + 1);
                }
            }
            let vn = nodes.get(k + 1)?;
            k = match vn.tag {
                Tag::Array | Tag::Object => vn.b as usize,
                _ => k + 2,
            };
        }
        found
    }

    /// The root object's member table, built on first use.
    fn root_keys(&self) -> &[RootKey] {
        self.root_keys.get_or_init(|| {
            self.members(0)
                .filter_map(|(k, v)| {
                    let n = self.node(k);
                    let at = match n.tag {
                        Tag::Str => n.a,
                        Tag::EscStr => n.a | DECODED,
                        _ => return None,
                    };
                    Some(RootKey {
                        len: n.b,
                        at,
                        value: v,
                    })
                })
                .collect()
        })
    }

    /// The integer a number's text stands for, when it is a plain integer that
    /// `serde_json` reads as one (no `-0`, at most 18 digits).
    fn int(text: &str) -> Option<Result<u64, i64>> {
        let (neg, digits) = match text.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, text),
        };
        if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if neg {
            let v: i64 = digits.parse().ok()?;
            (v != 0).then_some(Err(-v))
        } else {
            digits.parse().ok().map(Ok)
        }
    }

    fn number(&self, i: u32) -> Option<serde_json::Number> {
        let n = self.node(i);
        if n.tag != Tag::Number {
            return None;
        }
        let text = Tape::span(&self.text, n.a, n.b);
        match Tape::int(text) {
            Some(Ok(u)) => Some(u.into()),
            Some(Err(i)) => Some(i.into()),
            None => serde_json::from_str(text).ok(),
        }
    }

    fn to_value(&self, i: u32) -> Value {
        match self.tag(i) {
            Tag::Null => Value::Null,
            Tag::False => Value::Bool(false),
            Tag::True => Value::Bool(true),
            Tag::Number => self.number(i).map_or(Value::Null, Value::Number),
            Tag::Str | Tag::EscStr => Value::String(self.str_at(i).unwrap_or("").to_string()),
            Tag::Array => Value::Array(self.children(i).map(|c| self.to_value(c)).collect()),
            Tag::Object => {
                let mut m = serde_json::Map::new();
                for (k, v) in self.members(i) {
                    m.insert(self.str_at(k).unwrap_or("").to_string(), self.to_value(v));
                }
                Value::Object(m)
            }
        }
    }
}

/// `s` as a JSON string the way `serde_json` escapes it: `"` and `\\`, the short escapes
/// for backspace, form feed, newline, carriage return and tab, `\u00xx` for the other
/// control characters; everything else as is.
fn write_json_str(s: &str, out: &mut String) {
    out.push('"');
    let mut from = 0;
    for (at, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[from..at]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        } else {
            out.push_str(esc);
        }
        from = at + 1;
    }
    out.push_str(&s[from..]);
    out.push('"');
}

struct Children<'t> {
    tape: &'t Tape,
    next: u32,
    left: u32,
}

impl Iterator for Children<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let i = self.next;
        self.next = self.tape.skip(i);
        Some(i)
    }
}

struct Members<'t> {
    tape: &'t Tape,
    next: u32,
    left: u32,
}

impl Iterator for Members<'_> {
    type Item = (u32, u32);
    fn next(&mut self) -> Option<(u32, u32)> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let k = self.next;
        self.next = self.tape.skip(k + 1);
        Some((k, k + 1))
    }
}

/// Whether `serde_json::Map` keeps insertion order in this build (its `preserve_order`
/// feature, which another crate of the workspace may switch on) or sorts its keys.
static MAP_KEEPS_ORDER: LazyLock<bool> = LazyLock::new(|| {
    let mut m = serde_json::Map::new();
    m.insert("b".into(), Value::Null);
    m.insert("a".into(), Value::Null);
    m.keys().next().is_some_and(|k| k == "b")
});

/// The kind of a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// `null`
    Null,
    /// `true` / `false`
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

/// A value inside a [`RawJson`] (or inside a `serde_json::Value`): the read-only part of
/// `serde_json::Value`'s API that rules use, with the same results.
#[derive(Clone, Copy)]
pub struct JsonRef<'a>(Ref<'a>);

#[derive(Clone, Copy)]
enum Ref<'a> {
    Tape(&'a Tape, u32),
    Value(&'a Value),
}

impl<'a> From<&'a Value> for JsonRef<'a> {
    fn from(v: &'a Value) -> JsonRef<'a> {
        JsonRef(Ref::Value(v))
    }
}

impl std::fmt::Debug for JsonRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.to_value(), f)
    }
}

/// Elements of an array (see [`JsonRef::items`]).
pub struct Items<'a>(ItemsRepr<'a>);

enum ItemsRepr<'a> {
    Tape(Children<'a>),
    Value(std::slice::Iter<'a, Value>),
}

impl<'a> Iterator for Items<'a> {
    type Item = JsonRef<'a>;
    fn next(&mut self) -> Option<JsonRef<'a>> {
        match &mut self.0 {
            ItemsRepr::Tape(c) => c.next().map(|i| JsonRef(Ref::Tape(c.tape, i))),
            ItemsRepr::Value(it) => it.next().map(JsonRef::from),
        }
    }
}

impl<'a> JsonRef<'a> {
    /// The kind of value.
    pub fn kind(self) -> JsonKind {
        match self.0 {
            Ref::Tape(t, i) => match t.tag(i) {
                Tag::Null => JsonKind::Null,
                Tag::False | Tag::True => JsonKind::Bool,
                Tag::Number => JsonKind::Number,
                Tag::Str | Tag::EscStr => JsonKind::String,
                Tag::Array => JsonKind::Array,
                Tag::Object => JsonKind::Object,
            },
            Ref::Value(v) => match v {
                Value::Null => JsonKind::Null,
                Value::Bool(_) => JsonKind::Bool,
                Value::Number(_) => JsonKind::Number,
                Value::String(_) => JsonKind::String,
                Value::Array(_) => JsonKind::Array,
                Value::Object(_) => JsonKind::Object,
            },
        }
    }

    /// `null`?
    pub fn is_null(self) -> bool {
        self.kind() == JsonKind::Null
    }

    /// An array?
    pub fn is_array(self) -> bool {
        self.kind() == JsonKind::Array
    }

    /// An object?
    pub fn is_object(self) -> bool {
        self.kind() == JsonKind::Object
    }

    /// The text of a string.
    pub fn as_str(self) -> Option<&'a str> {
        match self.0 {
            Ref::Tape(t, i) => t.str_at(i),
            Ref::Value(v) => v.as_str(),
        }
    }

    /// The value of a boolean.
    pub fn as_bool(self) -> Option<bool> {
        match self.0 {
            Ref::Tape(t, i) => match t.tag(i) {
                Tag::True => Some(true),
                Tag::False => Some(false),
                _ => None,
            },
            Ref::Value(v) => v.as_bool(),
        }
    }

    /// A number, as `serde_json` reads it.
    pub fn as_number(self) -> Option<serde_json::Number> {
        match self.0 {
            Ref::Tape(t, i) => t.number(i),
            Ref::Value(Value::Number(n)) => Some(n.clone()),
            Ref::Value(_) => None,
        }
    }

    /// The member `key` of an object (the last one when the key repeats).
    pub fn get(self, key: &str) -> Option<JsonRef<'a>> {
        match self.0 {
            Ref::Tape(t, i) => t.member(i, key).map(|v| JsonRef(Ref::Tape(t, v))),
            Ref::Value(v) => v.as_object()?.get(key).map(JsonRef::from),
        }
    }

    /// Element `n` of an array.
    pub fn index(self, n: usize) -> Option<JsonRef<'a>> {
        if !self.is_array() {
            return None;
        }
        self.items().nth(n)
    }

    /// The elements of an array (nothing for other values).
    pub fn items(self) -> Items<'a> {
        match self.0 {
            Ref::Tape(t, i) => {
                let mut c = t.children(i);
                if t.tag(i) != Tag::Array {
                    c.left = 0;
                }
                Items(ItemsRepr::Tape(c))
            }
            Ref::Value(v) => Items(ItemsRepr::Value(match v {
                Value::Array(a) => a.iter(),
                _ => [].iter(),
            })),
        }
    }

    /// The members of an object in the order `serde_json::Map` iterates them (sorted by
    /// key, or first-insertion order with `preserve_order`), each key once with its last
    /// value. Empty for other values.
    pub fn entries(self) -> Vec<(&'a str, JsonRef<'a>)> {
        match self.0 {
            Ref::Value(v) => v.as_object().map_or_else(Vec::new, |m| {
                m.iter()
                    .map(|(k, v)| (k.as_str(), JsonRef::from(v)))
                    .collect()
            }),
            Ref::Tape(t, i) => {
                let all: Vec<(&'a str, JsonRef<'a>)> = t
                    .members(i)
                    .map(|(k, v)| (t.str_at(k).unwrap_or(""), JsonRef(Ref::Tape(t, v))))
                    .collect();
                let mut out: Vec<(&'a str, JsonRef<'a>)> = Vec::with_capacity(all.len());
                if *MAP_KEEPS_ORDER {
                    for (k, v) in all {
                        match out.iter_mut().find(|(seen, _)| *seen == k) {
                            Some(slot) => slot.1 = v,
                            None => out.push((k, v)),
                        }
                    }
                } else {
                    // Stable: among equal keys the last one ends up last.
                    let mut all = all;
                    all.sort_by(|a, b| a.0.cmp(b.0));
                    for (k, v) in all {
                        match out.last_mut() {
                            Some(last) if last.0 == k => last.1 = v,
                            _ => out.push((k, v)),
                        }
                    }
                }
                out
            }
        }
    }

    /// Appends the value as `serde_json` prints it (compact; objects in `serde_json::Map`
    /// order, each key once), without building a `serde_json::Value`.
    fn write_json(self, out: &mut String) {
        let Ref::Tape(t, i) = self.0 else {
            if let Ref::Value(v) = self.0 {
                out.push_str(&v.to_string());
            }
            return;
        };
        match t.tag(i) {
            Tag::Str | Tag::EscStr => write_json_str(t.str_at(i).unwrap_or(""), out),
            Tag::Array => {
                out.push('[');
                for (n, item) in self.items().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Tag::Object => {
                out.push('{');
                for (n, (k, v)) in self.entries().into_iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    write_json_str(k, out);
                    out.push(':');
                    v.write_json(out);
                }
                out.push('}');
            }
            _ => out.push_str(&self.text()),
        }
    }

    /// A JSON pointer (`/a/0/b`), as `serde_json::Value::pointer` reads it.
    pub fn pointer(self, pointer: &str) -> Option<JsonRef<'a>> {
        if pointer.is_empty() {
            return Some(self);
        }
        if !pointer.starts_with('/') {
            return None;
        }
        let mut cur = self;
        for token in pointer.split('/').skip(1) {
            let token = if token.contains('~') {
                Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
            } else {
                Cow::Borrowed(token)
            };
            cur = match cur.kind() {
                JsonKind::Object => cur.get(&token)?,
                JsonKind::Array => {
                    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
                        return None;
                    }
                    cur.index(token.parse().ok()?)?
                }
                _ => return None,
            };
        }
        Some(cur)
    }

    /// This value as a `serde_json::Value`.
    pub fn to_value(self) -> Value {
        match self.0 {
            Ref::Tape(t, i) => t.to_value(i),
            Ref::Value(v) => v.clone(),
        }
    }

    /// A string's text, or any other value as `serde_json` prints it.
    pub fn text(self) -> Cow<'a, str> {
        match self.0 {
            Ref::Tape(t, i) => {
                let n = t.node(i);
                match n.tag {
                    Tag::Str | Tag::EscStr => Cow::Borrowed(t.str_at(i).unwrap_or("")),
                    Tag::Number => {
                        let text = Tape::span(&t.text, n.a, n.b);
                        // A plain integer prints as written.
                        if Tape::int(text).is_some() && (text == "0" || !text.starts_with('0')) {
                            Cow::Borrowed(text)
                        } else {
                            Cow::Owned(t.to_value(i).to_string())
                        }
                    }
                    Tag::True => Cow::Borrowed("true"),
                    Tag::False => Cow::Borrowed("false"),
                    Tag::Null => Cow::Borrowed("null"),
                    Tag::Array | Tag::Object => {
                        let mut out = String::with_capacity(n.b.saturating_sub(i) as usize * 8);
                        self.write_json(&mut out);
                        Cow::Owned(out)
                    }
                }
            }
            Ref::Value(Value::String(s)) => Cow::Borrowed(s),
            Ref::Value(v) => Cow::Owned(v.to_string()),
        }
    }
}

#[cfg(test)]
mod tests;
