//! A small YAML tree with line numbers, built from `yaml-rust2` parser events.
//!
//! Rule files need line numbers in every error, which plain YAML value trees drop; this
//! module keeps the 1-based line of every node. Anchors and aliases are resolved.

use yaml_rust2::parser::{Event as YEvent, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A YAML node and the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// 1-based line.
    pub line: usize,
    /// The value.
    pub value: Value,
}

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar, with whether it was quoted (quoted scalars are always strings).
    Scalar(String, bool),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// True for an unquoted `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s, false) if s.is_empty() || s == "~" || s == "null")
    }

    /// The boolean value of an unquoted `true`/`false` scalar.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar(s, false) => match s.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// Looks a key up in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The keys of a mapping (empty for other nodes).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        let entries: &[(Node, Node)] = match &self.value {
            Value::Map(e) => e,
            _ => &[],
        };
        entries.iter().filter_map(|(k, _)| k.as_str())
    }
}

enum Frame {
    Seq(usize, Vec<Node>, usize),
    Map(usize, Vec<(Node, Node)>, Option<Node>, usize),
}

#[derive(Default)]
struct Builder {
    docs: Vec<Node>,
    stack: Vec<Frame>,
    anchors: std::collections::HashMap<usize, Node>,
}

impl Builder {
    fn push(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            Some(Frame::Seq(_, items, _)) => items.push(node),
            Some(Frame::Map(_, entries, key, _)) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => *key = Some(node),
            },
            None => self.docs.push(node),
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: YEvent, mark: Marker) {
        let line = mark.line();
        match ev {
            YEvent::Scalar(s, style, anchor, _) => {
                let quoted = !matches!(style, TScalarStyle::Plain);
                self.push(
                    Node {
                        line,
                        value: Value::Scalar(s, quoted),
                    },
                    anchor,
                );
            }
            YEvent::SequenceStart(anchor, _) => {
                self.stack.push(Frame::Seq(line, Vec::new(), anchor))
            }
            YEvent::MappingStart(anchor, _) => {
                self.stack.push(Frame::Map(line, Vec::new(), None, anchor))
            }
            YEvent::SequenceEnd => {
                if let Some(Frame::Seq(l, items, anchor)) = self.stack.pop() {
                    self.push(
                        Node {
                            line: l,
                            value: Value::Seq(items),
                        },
                        anchor,
                    );
                }
            }
            YEvent::MappingEnd => {
                if let Some(Frame::Map(l, entries, _, anchor)) = self.stack.pop() {
                    self.push(
                        Node {
                            line: l,
                            value: Value::Map(entries),
                        },
                        anchor,
                    );
                }
            }
            YEvent::Alias(id) => {
                let node = self.anchors.get(&id).cloned().unwrap_or(Node {
                    line,
                    value: Value::Scalar(String::new(), false),
                });
                self.push(node, 0);
            }
            _ => {}
        }
    }
}

/// A YAML syntax error: line and message.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    /// 1-based line.
    pub line: usize,
    /// The parser's message.
    pub message: String,
}

/// Parses every document of `text`.
///
/// Falco's YAML reader accepts flow sequences whose continuation lines (often the closing
/// `]`) are indented no deeper than their key; strict YAML does not. When strict parsing
/// fails on indentation, the text is retried with flow-collection continuation lines
/// indented further (line numbers are unchanged).
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    match parse_strict(text) {
        Err(e) if e.message.contains("indentation") => {
            let relaxed = indent_flow_continuations(text);
            parse_strict(&relaxed).map_err(|_| e)
        }
        other => other,
    }
}

fn indent_flow_continuations(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1024);
    let mut depth: i32 = 0;
    for line in text.split_inclusive('\n') {
        if depth > 0 {
            out.push_str("        ");
        }
        out.push_str(line);
        let mut quote: Option<char> = None;
        for c in line.chars() {
            match (quote, c) {
                (None, '#') => break,
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth = (depth - 1).max(0),
                _ => {}
            }
        }
    }
    out
}

fn parse_strict(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut b = Builder::default();
    let mut p = Parser::new_from_str(text);
    p.load(&mut b, true).map_err(|e| YamlError {
        line: e.marker().line(),
        message: e.info().to_string(),
    })?;
    Ok(b.docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lines() {
        let docs = parse("- rule: a\n  desc: b\n- list: l\n  items: [x, \"y\"]\n").expect("valid");
        assert_eq!(docs.len(), 1);
        let Value::Seq(items) = &docs[0].value else {
            panic!("not a sequence")
        };
        assert_eq!(items[1].line, 3);
        assert_eq!(items[1].get("items").map(|n| n.line), Some(4));
        assert!(parse("- rule: [\n").is_err());
    }
}
