//! How rule engines read an event: by field name, without knowing the event's shape.
//!
//! Falco conditions and Sigma detections both ask an event for named fields. Every event
//! source (runtime events, Kubernetes audit, CloudTrail, generic JSON) implements
//! [`FieldSource`]; rule compilers resolve names to whatever is cheapest for the source.

use std::borrow::Cow;

/// A field value as rules see it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    /// Text.
    Str(Cow<'a, str>),
    /// Signed integer.
    Int(i64),
    /// Unsigned integer.
    UInt(u64),
    /// Floating-point number.
    Float(f64),
    /// Boolean.
    Bool(bool),
    /// A list (Falco list fields such as `ka.req.pod.containers.image`, JSON arrays).
    List(Vec<FieldValue<'a>>),
    /// Present but null.
    Null,
}

/// Anything rules can read fields from.
pub trait FieldSource {
    /// The value of `name`, or `None` when the event has no such field.
    fn field(&self, name: &str) -> Option<FieldValue<'_>>;
}
