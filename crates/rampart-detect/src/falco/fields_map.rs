//! [`OutputFields`]: the `output_fields` of an alert, a small map from field name to value
//! kept as one sorted vector.
//!
//! An alert's fields are built once, from a template whose names are sorted when it is
//! parsed, and read a few times (outputs, de-duplication keys). A `BTreeMap` cost a sort,
//! a node allocation and three copies of the entries per alert; the vector costs one
//! allocation. It reads, iterates and serializes like the map it replaces: in name order,
//! each name once (the last value given for a name wins).

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Field name → value, in name order (Falco's `output_fields`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutputFields(Vec<(Arc<str>, Value)>);

/// Iterator over `(name, value)` pairs of [`OutputFields`], in name order.
pub type Iter<'a> = std::iter::Map<
    std::slice::Iter<'a, (Arc<str>, Value)>,
    fn(&(Arc<str>, Value)) -> (&Arc<str>, &Value),
>;

impl OutputFields {
    /// No fields.
    pub fn new() -> OutputFields {
        OutputFields(Vec::new())
    }

    /// From pairs already in name order, each name once (not checked in release builds).
    pub(crate) fn from_sorted(pairs: Vec<(Arc<str>, Value)>) -> OutputFields {
        debug_assert!(pairs.windows(2).all(|w| w[0].0 < w[1].0));
        OutputFields(pairs)
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| (**k).cmp(name))
    }

    /// The value of field `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.find(name).ok().map(|i| &self.0[i].1)
    }

    /// Whether field `name` is present.
    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Sets field `name`, giving back its previous value.
    pub fn insert(&mut self, name: impl Into<Arc<str>>, value: Value) -> Option<Value> {
        let name = name.into();
        match self.find(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (name, value));
                None
            }
        }
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields in name order.
    pub fn iter(&self) -> Iter<'_> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<'a> IntoIterator for &'a OutputFields {
    type Item = (&'a Arc<str>, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<K: Into<Arc<str>>> FromIterator<(K, Value)> for OutputFields {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> OutputFields {
        let mut m = OutputFields::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

impl<K: Into<Arc<str>>> Extend<(K, Value)> for OutputFields {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl std::ops::Index<&str> for OutputFields {
    type Output = Value;
    /// The value of field `name`; panics when it is absent (as `BTreeMap` does).
    fn index(&self, name: &str) -> &Value {
        match self.get(name) {
            Some(v) => v,
            None => panic!("no output field {name:?}"),
        }
    }
}

impl Serialize for OutputFields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(&**k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for OutputFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OutputFields, D::Error> {
        let m = BTreeMap::<String, Value>::deserialize(d)?;
        Ok(OutputFields(
            m.into_iter().map(|(k, v)| (Arc::from(k), v)).collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_and_writes_like_a_btreemap() {
        let pairs = [("b", 1), ("a", 2), ("c", 3), ("a", 4), ("", 5), ("b.x", 6)];
        let mut reference = BTreeMap::new();
        let mut m = OutputFields::new();
        for (k, v) in pairs {
            assert_eq!(
                m.insert(k, json!(v)),
                reference.insert(k.to_string(), json!(v))
            );
        }
        assert_eq!(m.len(), reference.len());
        let got: Vec<(String, Value)> = m.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let want: Vec<(String, Value)> = reference.clone().into_iter().collect();
        assert_eq!(got, want);
        assert_eq!(
            serde_json::to_string(&m).expect("json"),
            serde_json::to_string(&reference).expect("json")
        );
        let back: OutputFields =
            serde_json::from_str(&serde_json::to_string(&m).expect("json")).expect("parse");
        assert_eq!(back, m);
        assert_eq!(m["a"], json!(4));
        assert_eq!(m.get("zz"), None);
        assert!(m.contains_key("") && !m.contains_key("d"));
        let collected: OutputFields = pairs.iter().map(|(k, v)| (*k, json!(v))).collect();
        assert_eq!(collected, m);
    }
}
