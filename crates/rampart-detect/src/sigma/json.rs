//! [`JsonDoc`]: a JSON document (CloudTrail record, Kubernetes audit event, EVTX record
//! rendered as JSON) read as a [`FieldSource`] by dotted path.
//!
//! `userIdentity.type` walks objects; a path that crosses an array collects the values of
//! every element into a list; keys that themselves contain dots
//! (`annotations.authorization.k8s.io/decision`) are found by trying every split, the
//! shortest key first and the whole rest last. A `*` segment (`Event.UserData.*.Operation`)
//! stands for any one key. The name [`KEYWORDS_FIELD`] (`*`) answers with every scalar of
//! the document, which is what Sigma keyword searches read.

use crate::fields::{FieldSource, FieldValue};
use serde_json::Value;
use std::borrow::Cow;

/// The field name that keyword (field-less) Sigma searches read: sources answer it with
/// their whole text or with the list of all their values.
pub const KEYWORDS_FIELD: &str = "*";

/// A JSON document whose fields are its dotted paths.
#[derive(Debug, Clone, Copy)]
pub struct JsonDoc<'a>(pub &'a Value);

impl FieldSource for JsonDoc<'_> {
    fn field(&self, name: &str) -> Option<FieldValue<'_>> {
        if name == KEYWORDS_FIELD {
            let mut out = Vec::new();
            leaves(self.0, &mut out, 0);
            return Some(FieldValue::List(out));
        }
        lookup(self.0, name, 0)
    }
}

const MAX_DEPTH: usize = 64;

fn convert(v: &Value, depth: usize) -> FieldValue<'_> {
    match v {
        Value::Null => FieldValue::Null,
        Value::Bool(b) => FieldValue::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                FieldValue::Int(i)
            } else if let Some(u) = n.as_u64() {
                FieldValue::UInt(u)
            } else {
                FieldValue::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) => FieldValue::Str(Cow::Borrowed(s)),
        Value::Array(items) if depth < MAX_DEPTH => {
            FieldValue::List(items.iter().map(|i| convert(i, depth + 1)).collect())
        }
        // An object (or a too-deep array) as a value: its JSON text, so that
        // `contains` and keyword searches still see its content.
        other => FieldValue::Str(Cow::Owned(other.to_string())),
    }
}

fn leaves<'a>(v: &'a Value, out: &mut Vec<FieldValue<'a>>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Object(map) => map.values().for_each(|c| leaves(c, out, depth + 1)),
        Value::Array(items) => items.iter().for_each(|c| leaves(c, out, depth + 1)),
        Value::Null => {}
        other => out.push(convert(other, depth)),
    }
}

fn lookup<'a>(v: &'a Value, path: &str, depth: usize) -> Option<FieldValue<'a>> {
    if depth > MAX_DEPTH {
        return None;
    }
    match v {
        Value::Object(map) => {
            if let Some(rest) = path.strip_prefix("*.") {
                return map
                    .values()
                    .find_map(|child| lookup(child, rest, depth + 1));
            }
            // Split at each dot, shortest key first (the common case is a plain path), then
            // the whole rest as one key.
            for (i, _) in path.match_indices('.') {
                let (key, rest) = (&path[..i], &path[i + 1..]);
                if let Some(child) = map.get(key)
                    && let Some(found) = lookup(child, rest, depth + 1)
                {
                    return Some(found);
                }
            }
            map.get(path).map(|found| convert(found, depth))
        }
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                match lookup(item, path, depth + 1) {
                    Some(FieldValue::List(inner)) => out.extend(inner),
                    Some(one) => out.push(one),
                    None => {}
                }
            }
            if out.is_empty() {
                None
            } else {
                Some(FieldValue::List(out))
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_paths() {
        let v = json!({
            "userIdentity": {"type": "Root", "n": 3},
            "annotations": {"authorization.k8s.io/decision": "allow"},
            "items": [{"a": "x"}, {"a": "y"}, {"b": 1}],
            "nil": null
        });
        let d = JsonDoc(&v);
        assert_eq!(
            d.field("userIdentity.type"),
            Some(FieldValue::Str("Root".into()))
        );
        assert_eq!(d.field("userIdentity.n"), Some(FieldValue::Int(3)));
        assert_eq!(
            d.field("annotations.authorization.k8s.io/decision"),
            Some(FieldValue::Str("allow".into()))
        );
        assert_eq!(
            d.field("items.a"),
            Some(FieldValue::List(vec![
                FieldValue::Str("x".into()),
                FieldValue::Str("y".into())
            ]))
        );
        assert_eq!(d.field("nil"), Some(FieldValue::Null));
        assert_eq!(d.field("*.type"), Some(FieldValue::Str("Root".into())));
        assert_eq!(d.field("userIdentity.missing"), None);
        assert_eq!(d.field(""), None);
        let Some(FieldValue::List(all)) = d.field(KEYWORDS_FIELD) else {
            panic!("keywords")
        };
        assert_eq!(all.len(), 6);
    }
}
