//! A small YAML/JSON node tree that remembers the line of every node.
//!
//! Built from `yaml-rust2`'s event parser, so that every finding can point at the line of the
//! offending setting. The builder is iterative and bounded: nesting depth, the total number
//! of nodes (alias expansions included, which defeats "billion laughs" bombs) and the input
//! size all have limits, and crossing one is a [`MisconfigError::Limit`] naming the file and
//! line. It knows nothing about Kubernetes; the `k8s` module reads these trees.

use crate::MisconfigError;
use std::collections::HashMap;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Limits applied while building trees.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest input accepted, in bytes.
    pub max_bytes: usize,
    /// Most nodes one file may expand to (aliases count their full size each time).
    pub max_nodes: usize,
    /// Deepest nesting accepted.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 32 * 1024 * 1024,
            max_nodes: 4_000_000,
            max_depth: 128,
        }
    }
}

/// One node and the 1-based line it starts on. A mapping value carries the line of its key.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// 1-based line.
    pub line: u32,
    /// The value.
    pub value: Value,
}

/// What a node holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty value.
    Null,
    /// A scalar; `plain` is false for quoted and block scalars (which are always strings).
    Scalar {
        /// The text.
        text: String,
        /// Unquoted (so `true`, `1` are typed values).
        plain: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, keys in document order (non-scalar keys are kept as empty strings).
    Map(Vec<(String, Node)>),
}

impl Node {
    /// The value of `key` when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follow a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    /// The entries when this is a mapping.
    pub fn entries(&self) -> &[(String, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items when this is a sequence.
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The scalar text (quoted or not).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The boolean an unquoted scalar denotes (YAML 1.1 spellings, as Kubernetes reads them).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar { text, plain: true } => match text.as_str() {
                "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y"
                | "Y" => Some(true),
                "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n"
                | "N" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// The integer an unquoted scalar denotes.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Scalar { text, plain: true } => text.trim().parse().ok(),
            _ => None,
        }
    }

    /// True for `null`, `~` or an absent value.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// True when the mapping has `key` set to boolean `true`.
    pub fn is_true(&self, key: &str) -> bool {
        self.get(key).and_then(Node::as_bool) == Some(true)
    }

    /// The node as JSON: unquoted scalars become booleans (YAML 1.1 spellings, as
    /// Kubernetes reads them), numbers and nulls; everything else stays a string.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Scalar { text, plain } => {
                if !plain {
                    return J::String(text.clone());
                }
                if let Some(b) = self.as_bool() {
                    return J::Bool(b);
                }
                if matches!(text.as_str(), "null" | "Null" | "NULL" | "~") {
                    return J::Null;
                }
                if let Ok(i) = text.parse::<i64>() {
                    return J::from(i);
                }
                let numeric = text
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
                match text.parse::<f64>() {
                    Ok(f) if numeric && f.is_finite() => serde_json::Number::from_f64(f)
                        .map_or_else(|| J::String(text.clone()), J::Number),
                    _ => J::String(text.clone()),
                }
            }
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// One document of a YAML stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The root node.
    pub root: Node,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        line: u32,
        anchor: usize,
        height: usize,
    },
    Map {
        entries: Vec<(String, Node)>,
        key: Option<(String, u32)>,
        line: u32,
        anchor: usize,
        height: usize,
    },
}

struct Builder<'a> {
    path: &'a str,
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize, usize)>,
    nodes: usize,
    docs: Vec<Document>,
}

fn line_of(mark: &yaml_rust2::scanner::Marker) -> u32 {
    u32::try_from(mark.line()).unwrap_or(u32::MAX)
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(count_nodes).sum(),
        Value::Map(entries) => entries.iter().map(|(_, v)| count_nodes(v)).sum(),
        _ => 0,
    }
}

impl Builder<'_> {
    fn limit(&self, line: u32, reason: String) -> MisconfigError {
        MisconfigError::Limit {
            path: self.path.to_string(),
            line,
            reason,
        }
    }

    fn charge(&mut self, n: usize, line: u32) -> Result<(), MisconfigError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes {
            return Err(self.limit(
                line,
                format!(
                    "document expands to more than {} nodes (alias bomb or oversized input)",
                    self.limits.max_nodes
                ),
            ));
        }
        Ok(())
    }

    /// Attach a finished node (of the given height) to its parent, or make it a document.
    fn push(&mut self, mut node: Node, anchor: usize, height: usize) -> Result<(), MisconfigError> {
        if self.stack.len() + height > self.limits.max_depth {
            return Err(self.limit(
                node.line,
                format!("nesting deeper than {} levels", self.limits.max_depth),
            ));
        }
        if anchor > 0 {
            let size = count_nodes(&node);
            self.charge(size, node.line)?;
            self.anchors.insert(anchor, (node.clone(), size, height));
        }
        match self.stack.last_mut() {
            None => self.docs.push(Document { root: node }),
            Some(Frame::Seq {
                items, height: h, ..
            }) => {
                *h = (*h).max(height);
                items.push(node);
            }
            Some(Frame::Map {
                entries,
                key,
                height: h,
                ..
            }) => match key.take() {
                None => {
                    let text = node.as_str().unwrap_or_default().to_string();
                    *key = Some((text, node.line));
                }
                Some((k, kline)) => {
                    *h = (*h).max(height);
                    node.line = kline;
                    if k == "<<" {
                        merge_into(entries, &node);
                    } else {
                        entries.push((k, node));
                    }
                }
            },
        }
        Ok(())
    }
}

/// Apply a YAML merge key: copy entries of the merged mapping(s) not already present.
fn merge_into(entries: &mut Vec<(String, Node)>, merged: &Node) {
    let sources: Vec<&Node> = match &merged.value {
        Value::Map(_) => vec![merged],
        Value::Seq(items) => items.iter().collect(),
        _ => Vec::new(),
    };
    for src in sources {
        for (k, v) in src.entries() {
            if !entries.iter().any(|(ek, _)| ek == k) {
                entries.push((k.clone(), v.clone()));
            }
        }
    }
}

fn scalar_node(text: String, style: TScalarStyle, line: u32) -> Node {
    let plain = style == TScalarStyle::Plain;
    let value = if plain && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL") {
        Value::Null
    } else {
        Value::Scalar { text, plain }
    };
    Node { line, value }
}

/// How many under-indented quoted scalars one file may have repaired.
const MAX_REPAIRS: usize = 64;

/// Parse every document of a YAML (or JSON) text into node trees.
///
/// Multi-line quoted scalars whose continuation lines are indented less than YAML requires
/// (which the Go YAML library used by Kubernetes accepts) are re-indented and parsed again;
/// the value does not change, because a quoted scalar folds leading white space.
pub fn parse_documents(
    path: &str,
    text: &str,
    limits: Limits,
) -> Result<Vec<Document>, MisconfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut repaired: Option<String> = None;
    for _ in 0..=MAX_REPAIRS {
        let current = repaired.as_deref().unwrap_or(text);
        match build(path, current, limits) {
            Ok(docs) => return Ok(docs),
            Err(Failure::Error(e)) => return Err(e),
            Err(Failure::QuotedIndent { index, error }) => match reindent_quoted(current, index) {
                Some(fixed) => repaired = Some(fixed),
                None => return Err(error),
            },
        }
    }
    Err(MisconfigError::Syntax {
        path: path.to_string(),
        line: 1,
        reason: format!("more than {MAX_REPAIRS} under-indented quoted scalars"),
    })
}

enum Failure {
    Error(MisconfigError),
    QuotedIndent { index: usize, error: MisconfigError },
}

impl From<MisconfigError> for Failure {
    fn from(e: MisconfigError) -> Self {
        Failure::Error(e)
    }
}

/// Indent the continuation lines of the quoted scalar starting at char `index` to the
/// column of its opening quote. `None` when there is nothing to repair.
fn reindent_quoted(text: &str, index: usize) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let quote = *chars.get(index)?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let line_start = chars[..index]
        .iter()
        .rposition(|&c| c == '\n')
        .map_or(0, |p| p + 1);
    let col = index - line_start;
    // Find the closing quote.
    let mut i = index + 1;
    let end = loop {
        let c = *chars.get(i)?;
        if quote == '"' && c == '\\' {
            i += 2;
            continue;
        }
        if c == quote {
            if quote == '\'' && chars.get(i + 1) == Some(&'\'') {
                i += 2;
                continue;
            }
            break i;
        }
        i += 1;
    };
    let pad: String = " ".repeat(col + 1);
    let mut out = String::with_capacity(text.len() + 64);
    for (j, &c) in chars.iter().enumerate() {
        out.push(c);
        if c == '\n' && j >= index && j < end {
            out.push_str(&pad);
        }
    }
    (out.len() != text.len()).then_some(out)
}

fn build(path: &str, text: &str, limits: Limits) -> Result<Vec<Document>, Failure> {
    if text.len() > limits.max_bytes {
        return Err(Failure::Error(MisconfigError::Limit {
            path: path.to_string(),
            line: 1,
            reason: format!(
                "file is {} bytes, more than the {} byte limit",
                text.len(),
                limits.max_bytes
            ),
        }));
    }
    let mut b = Builder {
        path,
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        docs: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            let error = MisconfigError::Syntax {
                path: path.to_string(),
                line: line_of(e.marker()),
                reason: e.info().to_string(),
            };
            if e.info() == "invalid indentation in quoted scalar" {
                Failure::QuotedIndent {
                    index: e.marker().index(),
                    error,
                }
            } else {
                Failure::Error(error)
            }
        })?;
        let line = line_of(&mark);
        match event {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => {}
            Event::Scalar(text, style, anchor, _tag) => {
                b.charge(1, line)?;
                b.push(scalar_node(text, style, line), anchor, 0)?;
            }
            Event::Alias(id) => {
                let Some((node, size, height)) = b.anchors.get(&id).cloned() else {
                    return Err(Failure::Error(MisconfigError::Syntax {
                        path: path.to_string(),
                        line,
                        reason: "alias to an unknown anchor".to_string(),
                    }));
                };
                b.charge(size, line)?;
                let mut node = node;
                node.line = line;
                b.push(node, 0, height)?;
            }
            Event::SequenceStart(anchor, _) => {
                b.charge(1, line)?;
                if b.stack.len() >= limits.max_depth {
                    return Err(b
                        .limit(
                            line,
                            format!("nesting deeper than {} levels", limits.max_depth),
                        )
                        .into());
                }
                b.stack.push(Frame::Seq {
                    items: Vec::new(),
                    line,
                    anchor,
                    height: 0,
                });
            }
            Event::MappingStart(anchor, _) => {
                b.charge(1, line)?;
                if b.stack.len() >= limits.max_depth {
                    return Err(b
                        .limit(
                            line,
                            format!("nesting deeper than {} levels", limits.max_depth),
                        )
                        .into());
                }
                b.stack.push(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    line,
                    anchor,
                    height: 0,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor, height) = match b.stack.pop() {
                    Some(Frame::Seq {
                        items,
                        line,
                        anchor,
                        height,
                    }) => (
                        Node {
                            line,
                            value: Value::Seq(items),
                        },
                        anchor,
                        height + 1,
                    ),
                    Some(Frame::Map {
                        entries,
                        line,
                        anchor,
                        height,
                        ..
                    }) => (
                        Node {
                            line,
                            value: Value::Map(entries),
                        },
                        anchor,
                        height + 1,
                    ),
                    None => continue,
                };
                b.push(node, anchor, height)?;
            }
        }
    }
    Ok(b.docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Document>, MisconfigError> {
        parse_documents("t.yaml", text, Limits::default())
    }

    #[test]
    fn lines_point_at_keys() {
        let docs = parse("a: 1\nb:\n  c: true\n  d: [x, 'y']\n---\n- z\n").unwrap();
        assert_eq!(docs.len(), 2);
        let root = &docs[0].root;
        assert_eq!(root.get("a").unwrap().as_i64(), Some(1));
        assert_eq!(root.get("b").unwrap().line, 2);
        assert_eq!(root.path(&["b", "c"]).unwrap().line, 3);
        assert!(root.get("b").unwrap().is_true("c"));
        assert_eq!(root.path(&["b", "d"]).unwrap().items().len(), 2);
        assert_eq!(docs[1].root.items()[0].as_str(), Some("z"));
    }

    #[test]
    fn quoted_true_is_a_string() {
        let docs = parse("a: \"true\"\nb: yes\n").unwrap();
        assert_eq!(docs[0].root.get("a").unwrap().as_bool(), None);
        assert_eq!(docs[0].root.get("b").unwrap().as_bool(), Some(true));
    }

    #[test]
    fn merge_keys_and_aliases() {
        let docs = parse("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n").unwrap();
        let other = docs[0].root.get("other").unwrap();
        assert_eq!(other.get("x").unwrap().as_i64(), Some(1));
        assert_eq!(other.get("y").unwrap().as_i64(), Some(2));
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from(
            "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]\n"
            ));
        }
        let err = parse(&text).unwrap_err();
        assert!(matches!(err, MisconfigError::Limit { .. }), "{err}");
        assert!(err.to_string().starts_with("t.yaml: line "), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(10_000);
        assert!(parse(&text).is_err());
    }

    #[test]
    fn under_indented_quoted_scalar_is_repaired() {
        let text = "a:\n  - \"one \\\n  two\n  three\"\n  - x\n";
        let docs = parse(text).unwrap();
        let items = docs[0].root.get("a").unwrap().items();
        assert_eq!(items[0].as_str(), Some("one two three"));
        assert_eq!(items[1].as_str(), Some("x"));
    }

    #[test]
    fn bom_and_crlf() {
        let docs = parse("\u{feff}a: 1\r\nb:\r\n  c: x\r\n").unwrap();
        assert_eq!(docs[0].root.get("a").unwrap().as_i64(), Some(1));
        assert_eq!(docs[0].root.path(&["b", "c"]).unwrap().line, 3);
        assert_eq!(docs[0].root.path(&["b", "c"]).unwrap().as_str(), Some("x"));
    }

    #[test]
    fn tab_indented_json() {
        let text = "{\n\t\"kind\": \"Pod\",\n\t\"spec\": {\n\t\t\"hostPID\": true\n\t}\n}\n";
        let docs = parse(text).unwrap();
        assert!(docs[0].root.get("spec").unwrap().is_true("hostPID"));
        assert_eq!(docs[0].root.path(&["spec", "hostPID"]).unwrap().line, 4);
    }

    #[test]
    fn syntax_error_names_file_and_line() {
        let err = parse("a: 1\nb: [1, 2\nc: d: e\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("t.yaml: line "), "{msg}");
        assert!(matches!(err, MisconfigError::Syntax { .. }));
    }
}
