//! YAML documents of a Sigma rule file, as trees whose nodes keep their 1-based line.
//!
//! Built from `yaml-rust2` parser events so that every error about a rule can name the
//! line it concerns. Anchors and aliases are resolved by copying the anchored node. This
//! module knows nothing about Sigma itself; the rule loader in [`super`] gives the trees
//! meaning.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A YAML node and the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// 1-based line.
    pub line: u32,
    /// The value.
    pub value: Value,
}

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A scalar and whether it was quoted (quoted scalars are always strings).
    Scalar(String, bool),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping in document order.
    Map(Vec<(Node, Node)>),
}

/// A typed scalar, as YAML's core schema reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    /// Text.
    Str(&'a str),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `null`, `~` or nothing.
    Null,
}

impl Node {
    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// The scalar with its YAML core-schema type.
    pub fn scalar(&self) -> Option<Scalar<'_>> {
        let Value::Scalar(s, quoted) = &self.value else {
            return None;
        };
        if *quoted {
            return Some(Scalar::Str(s));
        }
        Some(match s.as_str() {
            "" | "~" | "null" | "Null" | "NULL" => Scalar::Null,
            "true" | "True" | "TRUE" => Scalar::Bool(true),
            "false" | "False" | "FALSE" => Scalar::Bool(false),
            t => {
                if let Ok(i) = t.parse::<i64>() {
                    Scalar::Int(i)
                } else if looks_like_float(t) {
                    match t.parse::<f64>() {
                        Ok(f) => Scalar::Float(f),
                        Err(_) => Scalar::Str(s),
                    }
                } else {
                    Scalar::Str(s)
                }
            }
        })
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

    /// A string value, or the items of a list of strings.
    pub fn strings(&self) -> Vec<String> {
        match &self.value {
            Value::Scalar(s, _) => vec![s.clone()],
            Value::Seq(items) => items
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect(),
            Value::Map(_) => Vec::new(),
        }
    }
}

fn looks_like_float(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'))
        && b.iter().any(u8::is_ascii_digit)
}

/// A YAML syntax error with its 1-based line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct YamlError {
    /// 1-based line.
    pub line: u32,
    /// What the scanner reported.
    pub reason: String,
}

/// Parses every document of `text`.
pub(crate) fn load(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, true).map_err(|e| YamlError {
        line: u32::try_from(e.marker().line()).unwrap_or(u32::MAX),
        reason: e.info().to_string(),
    })?;
    Ok(builder.docs)
}

#[derive(Default)]
struct Builder {
    docs: Vec<Node>,
    /// Open containers: the node under construction, its anchor and a pending map key.
    stack: Vec<(Node, usize, Option<Node>)>,
    anchors: Vec<(usize, Node)>,
}

impl Builder {
    fn push_value(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some((parent, _, pending)) => match &mut parent.value {
                Value::Seq(items) => items.push(node),
                Value::Map(entries) => match pending.take() {
                    None => *pending = Some(node),
                    Some(key) => entries.push((key, node)),
                },
                Value::Scalar(..) => {}
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = u32::try_from(mark.line()).unwrap_or(u32::MAX);
        match ev {
            Event::Scalar(s, style, anchor, _) => {
                let quoted = !matches!(style, TScalarStyle::Plain);
                self.push_value(
                    Node {
                        line,
                        value: Value::Scalar(s, quoted),
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, _) => self.stack.push((
                Node {
                    line,
                    value: Value::Seq(Vec::new()),
                },
                anchor,
                None,
            )),
            Event::MappingStart(anchor, _) => self.stack.push((
                Node {
                    line,
                    value: Value::Map(Vec::new()),
                },
                anchor,
                None,
            )),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((node, anchor, _)) = self.stack.pop() {
                    self.push_value(node, anchor);
                }
            }
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or(Node {
                        line,
                        value: Value::Scalar(String::new(), false),
                    });
                self.push_value(node, 0);
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_types() {
        let docs = load("a: 1\nb:\n  - 'x'\n  - 2.5\n---\nc: null\n").unwrap();
        assert_eq!(docs.len(), 2);
        let b = docs[0].get("b").unwrap();
        assert_eq!(b.line, 3);
        let Value::Seq(items) = &b.value else {
            panic!("seq")
        };
        assert_eq!(items[0].scalar(), Some(Scalar::Str("x")));
        assert_eq!(items[1].scalar(), Some(Scalar::Float(2.5)));
        assert_eq!(docs[0].get("a").unwrap().scalar(), Some(Scalar::Int(1)));
        assert_eq!(docs[1].get("c").unwrap().scalar(), Some(Scalar::Null));
    }

    #[test]
    fn syntax_error_has_line() {
        let err = load("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
    }
}
