//! node-semver's own fixtures (`version-vectors/node-semver/*.json`): comparisons,
//! equality, valid/invalid versions, range include/exclude and range parsing.

mod common;

use common::read;
use rampart_version::npm::Range;
use rampart_version::{Scheme, compare, parse_valid};
use serde_json::Value;
use std::cmp::Ordering;

/// JavaScript truthiness.
fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// (loose, includePrerelease) from a fixture's options argument.
fn opts(v: Option<&Value>) -> (bool, bool) {
    match v {
        Some(Value::Object(o)) => (truthy(o.get("loose")), truthy(o.get("includePrerelease"))),
        other => (truthy(other), false),
    }
}

fn rows(file: &str) -> Option<Vec<Vec<Value>>> {
    let text = read(&format!("node-semver/{file}"))?;
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let rows = v
        .as_array()
        .unwrap_or_else(|| panic!("{file}: not an array"));
    Some(
        rows.iter()
            .map(|r| {
                r.as_array()
                    .cloned()
                    .unwrap_or_else(|| panic!("{file}: row not an array"))
            })
            .collect(),
    )
}

fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

fn finish(name: &str, total: usize, bad: &[String]) {
    println!("node-semver {name}: {}/{total} agree", total - bad.len());
    assert!(total > 0);
    assert!(
        bad.is_empty(),
        "{name}: {} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

fn range(r: &str, loose: bool) -> Result<Range, rampart_version::VersionError> {
    if loose {
        Range::parse_loose(r)
    } else {
        Range::parse(r)
    }
}

#[test]
fn comparisons_and_equality() {
    let Some(cmp) = rows("comparisons.json") else {
        return;
    };
    let Some(eq) = rows("equality.json") else {
        return;
    };
    let mut bad = Vec::new();
    for (want, set) in [(Ordering::Greater, &cmp), (Ordering::Equal, &eq)] {
        for r in set {
            let (a, b) = (s(&r[0]), s(&r[1]));
            let (x, y) = (compare(Scheme::Npm, a, b), compare(Scheme::Npm, b, a));
            if x != want || y != want.reverse() {
                bad.push(format!("{a} vs {b}: want {want:?}, got {x:?}/{y:?}"));
            }
        }
    }
    finish("comparisons+equality", cmp.len() + eq.len(), &bad);
}

#[test]
fn valid_and_invalid_versions() {
    let Some(valid) = rows("valid-versions.json") else {
        return;
    };
    let Some(invalid) = rows("invalid-versions.json") else {
        return;
    };
    let mut bad = Vec::new();
    let mut total = 0;
    for r in &valid {
        total += 1;
        if parse_valid(Scheme::Npm, s(&r[0])).is_err() {
            bad.push(format!("{} should be valid", r[0]));
        }
    }
    for r in &invalid {
        total += 1;
        // Non-string values (numbers, objects) are invalid by construction in JavaScript.
        let Some(v) = r[0].as_str() else { continue };
        let (loose, _) = opts(r.get(2));
        let ok = if loose {
            compare(Scheme::Npm, v, "0.0.0") != Ordering::Less
        } else {
            parse_valid(Scheme::Npm, v).is_ok()
        };
        if ok {
            bad.push(format!("{v:?} should be invalid ({})", r[1]));
        }
    }
    finish("valid/invalid versions", total, &bad);
}

fn include_exclude(file: &str, want: bool) {
    let Some(rs) = rows(file) else { return };
    let mut bad = Vec::new();
    for r in &rs {
        let rg = s(&r[0]);
        // A non-string version (`false`) satisfies nothing.
        let v = r[1].as_str();
        let (loose, inc) = opts(r.get(2));
        let got = v.is_some_and(|v| range(rg, loose).is_ok_and(|p| p.satisfies(v, inc)));
        if got != want {
            bad.push(format!(
                "{rg:?} {v:?} loose={loose} inc={inc}: want {want}, got {got}"
            ));
        }
    }
    finish(file, rs.len(), &bad);
}

#[test]
fn range_include() {
    include_exclude("range-include.json", true);
}

#[test]
fn range_exclude() {
    include_exclude("range-exclude.json", false);
}

#[test]
fn range_parse() {
    let Some(rs) = rows("range-parse.json") else {
        return;
    };
    let mut bad = Vec::new();
    for r in &rs {
        let rg = s(&r[0]);
        let (loose, inc) = opts(r.get(2));
        let got = range(rg, loose).ok().and_then(|p| p.canonical(inc));
        let ok = match (&r[1], &got) {
            (Value::Null, None) => true,
            (Value::String(w), Some(g)) => w == g,
            _ => false,
        };
        if !ok {
            bad.push(format!(
                "{rg:?} loose={loose} inc={inc}: want {}, got {got:?}",
                r[1]
            ));
        }
    }
    finish("range-parse.json", rs.len(), &bad);
}

#[test]
fn semver_osv_vectors() {
    common::check_file(Scheme::Semver, "osv-scalibr/semver-versions.txt", &[]);
    common::check_file(Scheme::Npm, "osv-scalibr/semver-versions.txt", &[]);
    common::check_file(Scheme::Go, "osv-scalibr/semver-versions.txt", &[]);
}

fn outside(file: &str, gt: bool, want: bool) {
    let Some(rs) = rows(file) else { return };
    let mut bad = Vec::new();
    for r in &rs {
        let (rg, v) = (s(&r[0]), s(&r[1]));
        let (loose, inc) = opts(r.get(2));
        let got = range(rg, loose).is_ok_and(|p| if gt { p.gtr(v, inc) } else { p.ltr(v, inc) });
        if got != want {
            bad.push(format!(
                "{rg:?} {v:?} loose={loose}: want {want}, got {got}"
            ));
        }
    }
    finish(file, rs.len(), &bad);
}

#[test]
fn version_gt_and_lt_range() {
    outside("version-gt-range.json", true, true);
    outside("version-not-gt-range.json", true, false);
    outside("version-lt-range.json", false, true);
    outside("version-not-lt-range.json", false, false);
}
