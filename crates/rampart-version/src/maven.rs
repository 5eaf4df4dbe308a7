//! Maven version ordering, as `org.apache.maven.artifact.versioning.ComparableVersion`.
//!
//! The version is lower-cased and split into items at `.`, at `-` (which opens a sub-list)
//! and at every switch between digits and letters (which also opens a sub-list). Numbers
//! compare numerically (any size); qualifiers order `alpha` (`a` before a digit) < `beta`
//! (`b`) < `milestone` (`m`) < `rc` = `cr` < `snapshot` < `""` = `ga` = `final` < `sp` <
//! any other string (alphabetically). Trailing "null" items (`0`, `""`, `ga`, empty lists)
//! are dropped, so `1.0.0` = `1` and `1-ga` = `1`. Every string is a valid Maven version.

use std::cmp::Ordering;

use crate::util::cmp_digits;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Digits (leading zeros kept; compared numerically).
    Int(String),
    /// A qualifier after alias resolution.
    Str(String),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_INDEX: usize = 5;

impl Item {
    fn int(s: &str) -> Item {
        Item::Int(s.to_string())
    }

    fn string(s: &str, followed_by_digit: bool) -> Item {
        let s = match (followed_by_digit, s) {
            (true, "a") => "alpha",
            (true, "b") => "beta",
            (true, "m") => "milestone",
            (_, "ga" | "final" | "release") => "",
            (_, "cr") => "rc",
            (_, s) => s,
        };
        Item::Str(s.to_string())
    }

    fn is_null(&self) -> bool {
        match self {
            Item::Int(d) => d.bytes().all(|c| c == b'0'),
            Item::Str(s) => s.is_empty(),
            Item::List(l) => l.is_empty(),
        }
    }
}

/// A qualifier's rank: known ones by index, unknown ones after all of them, alphabetically.
/// (Maven compares the strings `"<index>"` and `"7-<name>"`; this is the same order.)
fn qualifier_cmp(a: &str, b: &str) -> Ordering {
    let rank = |q: &str| QUALIFIERS.iter().position(|k| *k == q);
    match (rank(a), rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

fn qualifier_vs_release(a: &str) -> Ordering {
    qualifier_cmp(a, QUALIFIERS[RELEASE_INDEX])
}

/// `a.compareTo(b)` where `b` may be absent (`null` in Maven).
fn cmp_item(a: &Item, b: Option<&Item>) -> Ordering {
    match (a, b) {
        (Item::Int(x), None) => {
            if a.is_null() {
                Ordering::Equal
            } else {
                let _ = x;
                Ordering::Greater
            }
        }
        (Item::Str(s), None) => qualifier_vs_release(s),
        (Item::List(l), None) => match l.first() {
            None => Ordering::Equal,
            Some(f) => cmp_item(f, None),
        },
        (Item::Int(x), Some(Item::Int(y))) => cmp_digits(x.as_bytes(), y.as_bytes()),
        (Item::Int(_), Some(_)) => Ordering::Greater,
        (Item::Str(_), Some(Item::Int(_) | Item::List(_))) => Ordering::Less,
        (Item::Str(x), Some(Item::Str(y))) => qualifier_cmp(x, y),
        (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
        (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
        (Item::List(l), Some(Item::List(r))) => {
            let n = l.len().max(r.len());
            for i in 0..n {
                let res = match (l.get(i), r.get(i)) {
                    (None, None) => Ordering::Equal,
                    (None, Some(y)) => cmp_item(y, None).reverse(),
                    (Some(x), y) => cmp_item(x, y),
                };
                if res != Ordering::Equal {
                    return res;
                }
            }
            Ordering::Equal
        }
    }
}

fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        let Some(item) = list.get(i) else { break };
        if item.is_null() {
            list.remove(i);
        } else if !matches!(item, Item::List(_)) {
            break;
        }
    }
}

/// Builds the item tree. `path` holds the open sub-lists from the root down.
fn parse(version: &str) -> Item {
    let v = version.to_lowercase();
    // The open lists, innermost last; each is attached to its parent when closed.
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0usize;
    let item = |digit: bool, s: &str| {
        if digit {
            Item::int(s)
        } else {
            Item::string(s, false)
        }
    };
    let push = |stack: &mut Vec<Vec<Item>>, it: Item| {
        if let Some(top) = stack.last_mut() {
            top.push(it);
        }
    };
    for (i, c) in v.char_indices() {
        let piece = v.get(start..i).unwrap_or_default();
        if c == '.' || c == '-' {
            if i == start {
                push(&mut stack, Item::int("0"));
            } else {
                push(&mut stack, item(is_digit, piece));
            }
            start = i + 1;
            if c == '-' {
                stack.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                push(&mut stack, Item::string(piece, true));
                start = i;
                stack.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                push(&mut stack, Item::int(piece));
                start = i;
                stack.push(Vec::new());
            }
            is_digit = false;
        }
    }
    if v.len() > start {
        push(
            &mut stack,
            item(is_digit, v.get(start..).unwrap_or_default()),
        );
    }
    // Close the lists innermost first, normalizing each, as Maven does.
    while stack.len() > 1 {
        let mut inner = stack.pop().unwrap_or_default();
        normalize(&mut inner);
        push(&mut stack, Item::List(inner));
    }
    let mut root = stack.pop().unwrap_or_default();
    normalize(&mut root);
    Item::List(root)
}

/// Every string is a Maven version; only the empty string is refused.
pub fn validate(v: &str) -> Result<(), &'static str> {
    if v.is_empty() {
        Err("version string is empty")
    } else {
        Ok(())
    }
}

/// Compares two Maven versions (`ComparableVersion.compareTo`).
pub fn compare(a: &str, b: &str) -> Ordering {
    cmp_item(&parse(a), Some(&parse(b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn basics() {
        assert_eq!(compare("1.0-alpha1", "1.0-beta1"), Less);
        assert_eq!(compare("1.0-rc1", "1.0-cr1"), Equal);
        assert_eq!(compare("1.0-SNAPSHOT", "1.0"), Less);
        assert_eq!(compare("1.0-sp1", "1.0"), Greater);
        assert_eq!(compare("1.0.0", "1"), Equal);
        assert_eq!(compare("1-ga", "1"), Equal);
        assert_eq!(compare("1.0-foo", "1.0-sp"), Greater);
        assert_eq!(compare("1-1", "1.1"), Less);
    }
}
