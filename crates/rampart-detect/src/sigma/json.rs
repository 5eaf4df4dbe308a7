//! [`JsonDoc`]: a JSON document (CloudTrail record, Kubernetes audit event, EVTX record
//! rendered as JSON) read as a [`FieldSource`] by dotted path.
//!
//! `userIdentity.type` walks objects; a path that crosses an array collects the values of
//! every element into a list; keys that themselves contain dots
//! (`annotations.authorization.k8s.io/decision`) are found by trying every split, the
//! shortest key first and the whole rest last. A `*` segment (`Event.UserData.*.Operation`)
//! stands for any one key. The name [`KEYWORDS_FIELD`] (`*`) answers with every scalar of
//! the document, which is what Sigma keyword searches read.
//!
//! The same reads work on a parsed [`crate::rawjson::RawJson`] through its [`JsonRef`]s
//! (what the detector uses for events read from text).

use crate::fields::{FieldSource, FieldValue};
use crate::rawjson::{JsonKind, JsonRef};
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
        field_of(JsonRef::from(self.0), name)
    }
}

/// A value of a parsed document ([`crate::rawjson::RawJson`]) read like a [`JsonDoc`].
impl FieldSource for JsonRef<'_> {
    fn field(&self, name: &str) -> Option<FieldValue<'_>> {
        field_of(*self, name)
    }
}

fn field_of<'a>(v: JsonRef<'a>, name: &str) -> Option<FieldValue<'a>> {
    if name == KEYWORDS_FIELD {
        let mut out = Vec::new();
        leaves(v, &mut out, 0);
        return Some(FieldValue::List(out));
    }
    lookup(v, name, 0)
}

const MAX_DEPTH: usize = 64;

fn convert(v: JsonRef<'_>, depth: usize) -> FieldValue<'_> {
    match v.kind() {
        JsonKind::Null => FieldValue::Null,
        JsonKind::Bool => FieldValue::Bool(v.as_bool().unwrap_or(false)),
        JsonKind::Number => match v.as_number() {
            Some(n) => {
                if let Some(i) = n.as_i64() {
                    FieldValue::Int(i)
                } else if let Some(u) = n.as_u64() {
                    FieldValue::UInt(u)
                } else {
                    FieldValue::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            None => FieldValue::Null,
        },
        JsonKind::String => FieldValue::Str(Cow::Borrowed(v.as_str().unwrap_or(""))),
        JsonKind::Array if depth < MAX_DEPTH => {
            FieldValue::List(v.items().map(|i| convert(i, depth + 1)).collect())
        }
        // An object (or a too-deep array) as a value: its JSON text, so that
        // `contains` and keyword searches still see its content.
        _ => FieldValue::Str(Cow::Owned(v.to_value().to_string())),
    }
}

fn leaves<'a>(v: JsonRef<'a>, out: &mut Vec<FieldValue<'a>>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match v.kind() {
        JsonKind::Object => v
            .entries()
            .into_iter()
            .for_each(|(_, c)| leaves(c, out, depth + 1)),
        JsonKind::Array => v.items().for_each(|c| leaves(c, out, depth + 1)),
        JsonKind::Null => {}
        _ => out.push(convert(v, depth)),
    }
}

fn lookup<'a>(v: JsonRef<'a>, path: &str, depth: usize) -> Option<FieldValue<'a>> {
    if depth > MAX_DEPTH {
        return None;
    }
    match v.kind() {
        JsonKind::Object => {
            if let Some(rest) = path.strip_prefix("*.") {
                return v
                    .entries()
                    .into_iter()
                    .find_map(|(_, child)| lookup(child, rest, depth + 1));
            }
            // Split at each dot, shortest key first (the common case is a plain path), then
            // the whole rest as one key.
            for (i, _) in path.match_indices('.') {
                let (key, rest) = (&path[..i], &path[i + 1..]);
                if let Some(child) = v.get(key)
                    && let Some(found) = lookup(child, rest, depth + 1)
                {
                    return Some(found);
                }
            }
            v.get(path).map(|found| convert(found, depth))
        }
        JsonKind::Array => {
            let mut out = Vec::new();
            for item in v.items() {
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
