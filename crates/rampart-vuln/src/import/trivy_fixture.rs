//! Trivy's vulnerability-database *fixture* format (the YAML that trivy-db's test loader
//! reads): a list of buckets, each holding nested buckets or `key`/`value` pairs.
//!
//! - Advisory buckets, one per data source: an OS release (`debian 9`, `alpine 3.10`,
//!   `alma 8`, `rocky 8`, `amazon linux 2`, `ubuntu 18.04`, `Red Hat`, ...) or a language
//!   source (`npm::GitHub Security Advisory Npm`, `pip::…`, `cargo::…`, `go::…`, …), then a
//!   bucket per package, then one pair per vulnerability id whose value carries
//!   `FixedVersion`, `VulnerableVersions`/`PatchedVersions`/`UnaffectedVersions`
//!   (constraint strings), `Status` (or a Debian tracker word in `State`), `Severity`,
//!   `VendorIDs`, or per-release `Entries` (the `Red Hat` bucket).
//! - `vulnerability`: title, description, severity, per-vendor severities and CVSS per id.
//! - `data-source`: the data source (`ID`) of each advisory bucket.
//! - `Red Hat CPE`: the CPE strings the `Red Hat` bucket's `Affected` indices refer to.
//!
//! Records become [`Advisory`] values the way Trivy reads them: an OS bucket's fixed version
//! closes an `introduced: 0` range; language constraints become OSV ranges (see
//! [`parse_constraint`]); Trivy's status enum maps to [`AffectedStatus`] (`not_affected` →
//! not affected, `will_not_fix` → ignored, `fix_deferred` → no-DSA, `affected`,
//! `under_investigation`, `end_of_life` and unknown → unfixed; end of life is the matcher's
//! call, from the release). A package's severity is its bucket's own rating, else the
//! vendor rating of the bucket's data source; the advisory's is NVD's, else the record's.
//! The `Red Hat` bucket is resolved through its CPEs to major releases and filed under both
//! `rhel:N` and `centos:N`, the families Trivy applies it to. Buckets of ecosystems rampart
//! does not match are counted in [`Sink::unknown_ecosystems`]. Architectures are not kept.
//!
//! This module reads documents; it does not choose files (see [`import_dir`], and
//! [`super::import_path`], which recognises fixtures by content and reads a directory's
//! fixtures together).

use super::Sink;
use crate::VulnError;
use crate::cvss;
use crate::db::scheme_of;
use crate::model::{Advisory, Affected, AffectedStatus, CvssScore, Event, Range, normalize_name};
use rampart_core::{OsInfo, Severity};
use rampart_version::{Scheme, compare};
use serde_yaml::{Mapping, Value};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Import every `*.yaml` file of a fixture directory (`fixtures/db`), in name order.
pub fn import_dir(dir: &Path, sink: &mut Sink) -> Result<(), VulnError> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| VulnError::io(dir, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    names.sort();
    let mut docs = Vec::with_capacity(names.len());
    for p in names {
        let text = std::fs::read_to_string(&p).map_err(|e| VulnError::io(&p, e))?;
        docs.push((p.display().to_string(), text));
    }
    import_documents(&docs, sink);
    Ok(())
}

/// Import fixture documents given as (origin, YAML text). Vulnerability details, data
/// sources and CPEs may be in any of them; they are read before the advisory buckets.
pub fn import_documents(docs: &[(String, String)], sink: &mut Sink) {
    let mut buckets: Vec<(String, String, Value)> = Vec::new();
    for (origin, text) in docs {
        let doc: Value = match serde_yaml::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                sink.warn(origin, format!("not YAML: {e}"));
                continue;
            }
        };
        let Some(list) = doc.as_sequence() else {
            sink.warn(origin, "not a Trivy fixture (expected a list of buckets)");
            continue;
        };
        for b in list {
            match (b.get("bucket").and_then(Value::as_str), b.get("pairs")) {
                (Some(name), Some(pairs)) => {
                    buckets.push((origin.clone(), name.to_string(), pairs.clone()))
                }
                _ => sink.warn(origin, "top-level entry without `bucket` and `pairs`"),
            }
        }
    }
    let mut ctx = Context::default();
    for (_, name, pairs) in &buckets {
        match name.as_str() {
            "vulnerability" => ctx.read_details(pairs),
            "data-source" => ctx.read_sources(pairs),
            "Red Hat CPE" => ctx.read_cpes(pairs),
            _ => {}
        }
    }
    let mut out: BTreeMap<(String, String), Advisory> = BTreeMap::new();
    for (origin, name, pairs) in &buckets {
        if matches!(
            name.as_str(),
            "vulnerability" | "data-source" | "Red Hat CPE"
        ) {
            continue;
        }
        ctx.read_advisory_bucket(origin, name, pairs, &mut out, sink);
    }
    for (_, a) in out {
        if a.affected.is_empty() {
            sink.skipped += 1;
        } else {
            sink.push(a);
        }
    }
}

/// Where a bucket's advisories are filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BucketTarget {
    /// One rampart ecosystem key (`debian:9`, `alpine:3.10`, `npm`).
    Ecosystem(String),
    /// The `Red Hat` bucket: releases come from each entry's CPEs.
    RedHat,
}

/// The rampart ecosystem key of an advisory bucket name: `debian 9` → `debian:9`,
/// `alpine edge` → `alpine:edge`, `alma 8` → `almalinux:8`, `amazon linux 2` → `amazon:2`,
/// `openSUSE Leap 15.1` → `suse:Leap 15.1`, `pip::GitHub Security Advisory Pip` → `pypi`.
/// The key is returned even when rampart cannot order that ecosystem's versions
/// (`oracle:8`); `None` means the name is not an advisory bucket rampart understands.
pub fn bucket_target(bucket: &str) -> Option<BucketTarget> {
    if bucket == "Red Hat" {
        return Some(BucketTarget::RedHat);
    }
    if let Some((eco, _source)) = bucket.split_once("::") {
        let key = match eco {
            "npm" => "npm",
            "pip" => "pypi",
            "cargo" => "crates.io",
            "go" => "go",
            "composer" => "packagist",
            "rubygems" => "rubygems",
            "maven" => "maven",
            "nuget" => "nuget",
            other => return Some(BucketTarget::Ecosystem(other.to_string())),
        };
        return Some(BucketTarget::Ecosystem(key.to_string()));
    }
    let prefixes: [(&str, &str); 14] = [
        ("debian ", "debian"),
        ("ubuntu ", "ubuntu"),
        ("alpine ", "alpine"),
        ("alma ", "almalinux"),
        ("rocky ", "rocky"),
        ("amazon linux ", "amazon"),
        ("Oracle Linux ", "oracle"),
        ("Photon OS ", "photon"),
        ("CBL-Mariner ", "mariner"),
        ("Azure Linux ", "azurelinux"),
        ("fedora ", "fedora"),
        ("openSUSE ", "suse"),
        ("SUSE Linux Enterprise ", "suse"),
        ("wolfi", "wolfi"),
    ];
    for (prefix, family) in prefixes {
        if let Some(release) = bucket.strip_prefix(prefix) {
            let release = match prefix {
                "SUSE Linux Enterprise " => {
                    format!("Linux Enterprise {}", release.replace("-SP", " SP"))
                }
                _ => release.trim().to_string(),
            };
            if release.is_empty() {
                return Some(BucketTarget::Ecosystem(family.to_string()));
            }
            return Some(BucketTarget::Ecosystem(format!("{family}:{release}")));
        }
    }
    None
}

/// The [`OsInfo`] for an OS as Trivy reports it (`Metadata.OS` family and name), such that
/// [`crate::model::package_ecosystem_key`] gives the key [`bucket_target`] files that
/// release's advisories under: `alma` → `almalinux`, `redhat` → `rhel`, Amazon Linux
/// `2 (Karoo)` → `2` and `AMI release 2018.03` → `1`, `opensuse-leap 15.1` → `suse`
/// `Leap 15.1`, `opensuse-tumbleweed` → `suse` `Tumbleweed`, `cbl-mariner` → `mariner`.
pub fn os_info(family: &str, name: &str) -> OsInfo {
    let (family, version) = match family {
        "alma" => ("almalinux", name.to_string()),
        "redhat" => ("rhel", name.to_string()),
        "cbl-mariner" => ("mariner", name.to_string()),
        "opensuse-leap" => ("suse", format!("Leap {name}")),
        "opensuse-tumbleweed" => ("suse", "Tumbleweed".to_string()),
        "amazon" => {
            let first = name.split_whitespace().next().unwrap_or_default();
            let v = match first {
                "2" | "2022" | "2023" => first.to_string(),
                _ if first.starts_with("2022") => "2022".to_string(),
                _ if first.starts_with("2023") => "2023".to_string(),
                _ => "1".to_string(),
            };
            ("amazon", v)
        }
        other => (other, name.to_string()),
    };
    OsInfo {
        family: family.to_string(),
        version,
        name: None,
    }
}

/// A version bound and whether it is inclusive.
type Bound = (String, bool);

/// One interval of versions a constraint names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Interval {
    /// Lower bound and whether it is inclusive; `None` = from the beginning.
    pub lower: Option<(String, bool)>,
    /// Upper bound and whether it is inclusive; `None` = without end.
    pub upper: Option<(String, bool)>,
    /// A single version (`=1.0`, `1.0`, Maven `[1.0]`), instead of bounds.
    pub exact: Option<String>,
}

/// Parse one constraint string of Trivy's `VulnerableVersions`/`PatchedVersions` into the
/// intervals it ORs together: comparisons joined by `,` or spaces are ANDed (`>= 1.0.0,
/// < 1.2.3`, `<= 1.2`, `=1.0`, a bare version), `||` separates alternatives, and Maven
/// interval notation (`[2.9.0,2.9.10.7)`, `(,1.0]`, `[1.0]`) is read as Maven means it.
/// Operators without an interval form (`!=`, `~>`, `^`, `~`) are errors.
pub fn parse_constraint(s: &str) -> Result<Vec<Interval>, String> {
    let mut out = Vec::new();
    for alt in s.split("||") {
        let alt = alt.trim();
        if alt.is_empty() {
            return Err(format!("empty alternative in {s:?}"));
        }
        if alt.starts_with('[') || alt.starts_with('(') {
            out.extend(parse_maven(alt)?);
        } else {
            out.push(parse_comparisons(alt)?);
        }
    }
    Ok(out)
}

fn parse_maven(s: &str) -> Result<Vec<Interval>, String> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let open = rest.chars().next().unwrap_or(' ');
        if open != '[' && open != '(' {
            return Err(format!("bad Maven range {s:?}"));
        }
        let Some(close_at) = rest.find([']', ')']) else {
            return Err(format!("unclosed Maven range {s:?}"));
        };
        let close = rest[close_at..].chars().next().unwrap_or(')');
        let inner = &rest[1..close_at];
        let interval = match inner.split_once(',') {
            None => {
                let v = inner.trim();
                if v.is_empty() || open != '[' || close != ']' {
                    return Err(format!("bad Maven range {s:?}"));
                }
                Interval {
                    exact: Some(v.to_string()),
                    ..Interval::default()
                }
            }
            Some((lo, hi)) => {
                let (lo, hi) = (lo.trim(), hi.trim());
                Interval {
                    lower: (!lo.is_empty()).then(|| (lo.to_string(), open == '[')),
                    upper: (!hi.is_empty()).then(|| (hi.to_string(), close == ']')),
                    exact: None,
                }
            }
        };
        out.push(interval);
        rest = rest[close_at + 1..].trim_start_matches(|c: char| c == ',' || c.is_whitespace());
    }
    Ok(out)
}

fn parse_comparisons(s: &str) -> Result<Interval, String> {
    let mut iv = Interval::default();
    let b = s.as_bytes();
    let mut i = 0;
    let mut any = false;
    while i < b.len() {
        while i < b.len() && (b[i] == b',' || b[i].is_ascii_whitespace()) {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let op_start = i;
        while i < b.len() && b"<>=!~^".contains(&b[i]) {
            i += 1;
        }
        let op = &s[op_start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let v_start = i;
        while i < b.len() && b[i] != b',' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let v = &s[v_start..i];
        if v.is_empty() {
            return Err(format!("operator {op:?} without a version in {s:?}"));
        }
        let v = v.to_string();
        match op {
            "" | "=" | "==" => iv.exact = Some(v),
            ">=" => iv.lower = Some((v, true)),
            ">" => iv.lower = Some((v, false)),
            "<" => iv.upper = Some((v, false)),
            "<=" => iv.upper = Some((v, true)),
            other => return Err(format!("unsupported operator {other:?} in {s:?}")),
        }
        any = true;
    }
    if !any {
        return Err(format!("empty constraint {s:?}"));
    }
    if iv.exact.is_some() && (iv.lower.is_some() || iv.upper.is_some()) {
        return Err(format!("an exact version combined with bounds in {s:?}"));
    }
    Ok(iv)
}

/// Ranges and listed versions for a package from Trivy's vulnerable, patched and
/// unaffected constraints.
///
/// With vulnerable constraints, each interval becomes a range: `< X` closes it with
/// `fixed: X`; `<= X` with `fixed: P` for the lowest patched version `P` above `X` (as
/// GitHub's OSV export does), else `last_affected: X`; an exact version is listed. Without
/// them, as Trivy decides, the vulnerable ranges are the complement of the patched and
/// unaffected intervals, each fixed where the next such interval starts (a bare version
/// there counts as `>= version`).
/// Exclusive lower bounds, which OSV cannot state, are kept as inclusive; `notes` says so.
pub fn constraint_ranges(
    scheme: Scheme,
    vulnerable: &[Interval],
    patched: &[Interval],
    unaffected: &[Interval],
    notes: &mut Vec<String>,
) -> (Vec<Range>, Vec<String>) {
    let mut patched_versions: Vec<&str> = patched
        .iter()
        .filter_map(|p| {
            p.exact
                .as_deref()
                .or(p.lower.as_ref().map(|l| l.0.as_str()))
        })
        .collect();
    patched_versions.sort_by(|a, b| compare(scheme, a, b));
    let mut ranges = Vec::new();
    let mut versions = Vec::new();
    if !vulnerable.is_empty() {
        for iv in vulnerable {
            if let Some(v) = &iv.exact {
                versions.push(v.clone());
                continue;
            }
            let mut events = vec![match &iv.lower {
                None => Event::Introduced("0".into()),
                Some((v, inclusive)) => {
                    if !inclusive {
                        notes.push(format!("exclusive lower bound > {v} kept as >= {v}"));
                    }
                    Event::Introduced(v.clone())
                }
            }];
            match &iv.upper {
                None => {}
                Some((v, false)) => events.push(Event::Fixed(v.clone())),
                Some((v, true)) => {
                    let next = patched_versions
                        .iter()
                        .find(|p| compare(scheme, p, v) == Ordering::Greater);
                    events.push(match next {
                        Some(p) => Event::Fixed(p.to_string()),
                        None => Event::LastAffected(v.clone()),
                    });
                }
            }
            ranges.push(Range { events });
        }
        return (ranges, versions);
    }
    // Only patched constraints: vulnerable is everything they do not cover.
    let mut covered: Vec<(Option<Bound>, Option<Bound>)> = patched
        .iter()
        .chain(unaffected)
        .map(|p| match &p.exact {
            Some(v) => (Some((v.clone(), true)), None),
            None => (p.lower.clone(), p.upper.clone()),
        })
        .collect();
    covered.sort_by(|a, b| match (&a.0, &b.0) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => compare(scheme, &x.0, &y.0),
    });
    // `cursor`: where the current vulnerable stretch starts (`None` once nothing is left).
    let mut cursor: Option<String> = Some("0".into());
    for (lower, upper) in covered {
        let Some(from) = cursor.clone() else { break };
        if let Some((lo, inclusive)) = &lower {
            let gap = from == "0" || compare(scheme, lo, &from) == Ordering::Greater;
            if gap {
                let close = if *inclusive {
                    Event::Fixed(lo.clone())
                } else {
                    Event::LastAffected(lo.clone())
                };
                ranges.push(Range {
                    events: vec![Event::Introduced(from.clone()), close],
                });
            }
        }
        cursor = match upper {
            None => None,
            Some((hi, inclusive)) => {
                if inclusive {
                    notes.push(format!(
                        "patched range ending at <= {hi}: vulnerable again from {hi} on"
                    ));
                }
                // Overlapping patched intervals: keep the later end.
                match compare(scheme, &hi, &from) {
                    Ordering::Less if from != "0" => Some(from),
                    _ => Some(hi),
                }
            }
        };
    }
    if let Some(from) = cursor {
        ranges.push(Range {
            events: vec![Event::Introduced(from)],
        });
    }
    (ranges, versions)
}

/// A Trivy severity: its enum (`0`..`4`, possibly written `1.0`) or a name.
fn severity_of(v: &Value) -> Option<Severity> {
    if let Some(n) = v.as_f64() {
        return Some(match n as i64 {
            1 => Severity::Low,
            2 => Severity::Medium,
            3 => Severity::High,
            4 => Severity::Critical,
            _ => Severity::Unknown,
        });
    }
    v.as_str()?.parse().ok()
}

/// Trivy's status enum (number or name, or a Debian tracker word) as an [`AffectedStatus`]
/// for an entry without a fixed version; `None` when unrecognised.
pub fn status_of(v: &Value) -> Option<AffectedStatus> {
    let word = match v {
        Value::Number(n) => match n.as_f64().map(|f| f as i64) {
            Some(0) => "unknown",
            Some(1) => "not_affected",
            Some(2) => "affected",
            Some(3) => "fixed",
            Some(4) => "under_investigation",
            Some(5) => "will_not_fix",
            Some(6) => "fix_deferred",
            Some(7) => "end_of_life",
            _ => return None,
        },
        Value::String(s) => s.as_str(),
        _ => return None,
    };
    Some(
        match word.to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "not_affected" => AffectedStatus::NotAffected,
            "will_not_fix" | "ignored" => AffectedStatus::Ignored,
            "fix_deferred" | "postponed" | "no_dsa" => AffectedStatus::NoDsa,
            "unknown"
            | "affected"
            | "fixed"
            | "under_investigation"
            | "end_of_life"
            | "open"
            | "undetermined" => AffectedStatus::Unfixed,
            _ => return None,
        },
    )
}

#[derive(Default)]
struct Details {
    summary: String,
    severity: Option<Severity>,
    vendor: BTreeMap<String, Severity>,
    cvss: Vec<CvssScore>,
}

#[derive(Default)]
struct Context {
    details: BTreeMap<String, Details>,
    /// Bucket name → data source id (`debian`, `ghsa`, `glad`).
    sources: BTreeMap<String, String>,
    /// Red Hat CPE index → major release.
    cpe_release: BTreeMap<String, String>,
}

fn pairs_of(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_sequence().into_iter().flatten()
}

fn key_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Sequence(s)) => s.iter().filter_map(key_string).collect(),
        Some(v) => key_string(v).into_iter().collect(),
        None => Vec::new(),
    }
}

impl Context {
    fn read_details(&mut self, pairs: &Value) {
        for p in pairs_of(pairs) {
            let (Some(id), Some(v)) = (p.get("key").and_then(key_string), p.get("value")) else {
                continue;
            };
            let title = v.get("Title").and_then(Value::as_str).unwrap_or_default();
            let summary = if title.is_empty() {
                v.get("Description")
                    .and_then(Value::as_str)
                    .and_then(|d| d.lines().next())
                    .unwrap_or_default()
            } else {
                title
            };
            let mut vendor = BTreeMap::new();
            if let Some(Value::Mapping(m)) = v.get("VendorSeverity") {
                for (k, s) in m {
                    if let (Some(k), Some(s)) = (key_string(k), severity_of(s)) {
                        vendor.insert(k, s);
                    }
                }
            }
            let mut scores = Vec::new();
            if let Some(Value::Mapping(m)) = v.get("CVSS") {
                for (src, c) in m {
                    let (Some(src), Some(vector)) =
                        (key_string(src), c.get("V3Vector").and_then(Value::as_str))
                    else {
                        continue;
                    };
                    let published = c.get("V3Score").and_then(Value::as_f64);
                    let score = cvss::base_score(vector).or(published).unwrap_or(0.0);
                    scores.push(CvssScore {
                        source: src,
                        vector: vector.to_string(),
                        score,
                    });
                }
            }
            let record = v
                .get("Severity")
                .and_then(severity_of)
                .filter(|s| *s != Severity::Unknown);
            let severity = vendor
                .get("nvd")
                .copied()
                .filter(|s| *s != Severity::Unknown)
                .or(record);
            self.details.insert(
                id,
                Details {
                    summary: summary.to_string(),
                    severity,
                    vendor,
                    cvss: scores,
                },
            );
        }
    }

    fn read_sources(&mut self, pairs: &Value) {
        for p in pairs_of(pairs) {
            let (Some(bucket), Some(v)) = (p.get("key").and_then(key_string), p.get("value"))
            else {
                continue;
            };
            if let Some(id) = v.get("ID").and_then(Value::as_str) {
                self.sources.insert(bucket, id.to_string());
            }
        }
    }

    fn read_cpes(&mut self, pairs: &Value) {
        for b in pairs_of(pairs) {
            if b.get("bucket").and_then(Value::as_str) != Some("cpe") {
                continue;
            }
            for p in pairs_of(b.get("pairs").unwrap_or(&Value::Null)) {
                let (Some(idx), Some(cpe)) = (
                    p.get("key").and_then(key_string),
                    p.get("value").and_then(Value::as_str),
                ) else {
                    continue;
                };
                if let Some(rest) = cpe.split("enterprise_linux:").nth(1) {
                    let major: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    if !major.is_empty() {
                        self.cpe_release.insert(idx, major);
                    }
                }
            }
        }
    }

    /// The package severity: the bucket's own rating, else the data source's vendor
    /// rating (GitHub's for GHSA ids).
    fn package_severity(
        &self,
        id: &str,
        own: Option<Severity>,
        source: Option<&str>,
    ) -> Option<Severity> {
        if let Some(s) = own.filter(|s| *s != Severity::Unknown) {
            return Some(s);
        }
        let d = self.details.get(id)?;
        source
            .and_then(|src| d.vendor.get(src))
            .or_else(|| {
                if id.starts_with("GHSA-") {
                    d.vendor.get("ghsa")
                } else {
                    None
                }
            })
            .copied()
            .filter(|s| *s != Severity::Unknown)
    }

    fn advisory<'a>(
        &self,
        out: &'a mut BTreeMap<(String, String), Advisory>,
        source: &str,
        id: &str,
        aliases: &[String],
    ) -> &'a mut Advisory {
        let d = self.details.get(id);
        let a = out
            .entry((source.to_string(), id.to_string()))
            .or_insert_with(|| Advisory {
                id: id.to_string(),
                aliases: Vec::new(),
                summary: d.map(|d| d.summary.clone()).unwrap_or_default(),
                severity: d.and_then(|d| d.severity),
                cvss: d.map(|d| d.cvss.clone()).unwrap_or_default(),
                source: source.to_string(),
                affected: Vec::new(),
            });
        for al in aliases {
            if al != id && !a.aliases.contains(al) {
                a.aliases.push(al.clone());
            }
        }
        a.aliases.sort();
        a
    }

    fn read_advisory_bucket(
        &self,
        origin: &str,
        bucket: &str,
        pairs: &Value,
        out: &mut BTreeMap<(String, String), Advisory>,
        sink: &mut Sink,
    ) {
        let Some(target) = bucket_target(bucket) else {
            sink.unknown_ecosystems.insert(bucket.to_string());
            return;
        };
        let source_id = self.sources.get(bucket).map(String::as_str);
        let source = format!("trivy:{}", source_id.unwrap_or(bucket));
        if let BucketTarget::Ecosystem(eco) = &target
            && scheme_of(eco).is_none()
        {
            sink.unknown_ecosystems.insert(eco.clone());
            return;
        }
        for pkg_bucket in pairs_of(pairs) {
            let (Some(package), Some(vulns)) = (
                pkg_bucket.get("bucket").and_then(key_string),
                pkg_bucket.get("pairs"),
            ) else {
                sink.warn(origin, format!("{bucket}: entry without a package bucket"));
                continue;
            };
            for pair in pairs_of(vulns) {
                let Some(id) = pair.get("key").and_then(key_string) else {
                    sink.warn(origin, format!("{bucket}/{package}: pair without a key"));
                    continue;
                };
                let empty = Value::Mapping(Mapping::new());
                let value = match pair.get("value") {
                    None | Some(Value::Null) => &empty,
                    Some(v) => v,
                };
                let at = format!("{bucket}/{package}/{id}");
                match &target {
                    BucketTarget::RedHat => {
                        self.read_redhat(origin, &at, &source, &package, &id, value, out, sink)
                    }
                    BucketTarget::Ecosystem(eco) => {
                        let Some(aff) =
                            self.affected(origin, &at, eco, &package, &id, value, source_id, sink)
                        else {
                            continue;
                        };
                        let aliases = strings(value.get("VendorIDs"));
                        self.advisory(out, &source, &id, &aliases)
                            .affected
                            .push(aff);
                    }
                }
            }
        }
    }

    /// One package entry of an advisory bucket as an [`Affected`].
    #[allow(clippy::too_many_arguments)]
    fn affected(
        &self,
        origin: &str,
        at: &str,
        eco: &str,
        package: &str,
        id: &str,
        value: &Value,
        source_id: Option<&str>,
        sink: &mut Sink,
    ) -> Option<Affected> {
        let scheme = scheme_of(eco)?;
        let own = value.get("Severity").and_then(severity_of);
        let severity = self.package_severity(id, own, source_id);
        let vulnerable = strings(value.get("VulnerableVersions"));
        let patched = strings(value.get("PatchedVersions"));
        let unaffected = strings(value.get("UnaffectedVersions"));
        let (status, ranges, versions) =
            if !vulnerable.is_empty() || !patched.is_empty() || !unaffected.is_empty() {
                let mut parse = |list: &[String]| -> Vec<Interval> {
                    let mut out = Vec::new();
                    for c in list {
                        match parse_constraint(c) {
                            Ok(iv) => out.extend(iv),
                            Err(e) => sink.warn(origin, format!("{at}: {e}")),
                        }
                    }
                    out
                };
                let (v, p, u) = (parse(&vulnerable), parse(&patched), parse(&unaffected));
                if v.is_empty() && p.is_empty() && u.is_empty() {
                    sink.warn(origin, format!("{at}: no usable version constraint"));
                    return None;
                }
                let mut notes = Vec::new();
                let (ranges, versions) = constraint_ranges(scheme, &v, &p, &u, &mut notes);
                for n in notes {
                    sink.warn(origin, format!("{at}: {n}"));
                }
                (AffectedStatus::Ranges, ranges, versions)
            } else {
                let fixed = value
                    .get("FixedVersion")
                    .and_then(key_string)
                    .filter(|f| !f.is_empty());
                match fixed {
                    Some(f) => (
                        AffectedStatus::Ranges,
                        vec![introduced_fixed(scheme, &f)],
                        Vec::new(),
                    ),
                    None => {
                        let status = match value.get("Status").or_else(|| value.get("State")) {
                            None => AffectedStatus::Unfixed,
                            Some(s) => status_of(s).unwrap_or_else(|| {
                                sink.warn(
                                    origin,
                                    format!("{at}: unknown status {s:?}, taken as affected"),
                                );
                                AffectedStatus::Unfixed
                            }),
                        };
                        if !eco.contains(':') && status == AffectedStatus::Unfixed {
                            sink.warn(origin, format!("{at}: language advisory without versions"));
                            return None;
                        }
                        (status, Vec::new(), Vec::new())
                    }
                }
            };
        Some(Affected {
            ecosystem: eco.to_string(),
            package: normalize_name(eco, package),
            status,
            ranges,
            versions,
            severity,
        })
    }

    /// A `Red Hat` bucket entry: per entry, the releases of its CPEs and its CVEs.
    #[allow(clippy::too_many_arguments)]
    fn read_redhat(
        &self,
        origin: &str,
        at: &str,
        source: &str,
        package: &str,
        key: &str,
        value: &Value,
        out: &mut BTreeMap<(String, String), Advisory>,
        sink: &mut Sink,
    ) {
        let entries: Vec<&Value> = match value.get("Entries") {
            Some(Value::Sequence(s)) => s.iter().collect(),
            _ => vec![value],
        };
        for entry in entries {
            let releases: BTreeSet<&String> = strings(entry.get("Affected"))
                .iter()
                .filter_map(|i| self.cpe_release.get(i))
                .collect();
            if releases.is_empty() {
                sink.warn(origin, format!("{at}: no entry CPE names a known release"));
                continue;
            }
            // (CVE, its Red Hat severity); a CVE key rates itself in an unnamed `Cves` entry.
            let mut cves: Vec<(String, Option<Severity>)> = Vec::new();
            for c in pairs_of(entry.get("Cves").unwrap_or(&Value::Null)) {
                let sev = c.get("Severity").and_then(severity_of);
                match c.get("ID").and_then(key_string) {
                    Some(cve) => cves.push((cve, sev)),
                    None if key.starts_with("CVE-") => cves.push((key.to_string(), sev)),
                    None => {}
                }
            }
            if cves.is_empty() && key.starts_with("CVE-") {
                cves.push((key.to_string(), None));
            }
            if cves.is_empty() {
                sink.warn(origin, format!("{at}: advisory names no CVE"));
                continue;
            }
            // A vendor advisory is another name of a CVE only when it fixes just that one.
            let vendor_alias: Vec<String> = if !key.starts_with("CVE-") && cves.len() == 1 {
                vec![key.to_string()]
            } else {
                Vec::new()
            };
            let fixed = entry
                .get("FixedVersion")
                .and_then(key_string)
                .filter(|f| !f.is_empty());
            let status = match entry.get("Status") {
                None => AffectedStatus::Unfixed,
                Some(s) => status_of(s).unwrap_or(AffectedStatus::Unfixed),
            };
            for (cve, sev) in &cves {
                let severity = self.package_severity(cve, *sev, Some("redhat"));
                for rel in &releases {
                    for family in ["rhel", "centos"] {
                        let eco = format!("{family}:{rel}");
                        let (status, ranges) = match &fixed {
                            Some(f) => (
                                AffectedStatus::Ranges,
                                vec![introduced_fixed(Scheme::Rpm, f)],
                            ),
                            None => (status, Vec::new()),
                        };
                        let aff = Affected {
                            ecosystem: eco,
                            package: package.to_string(),
                            status,
                            ranges,
                            versions: Vec::new(),
                            severity,
                        };
                        let adv = self.advisory(out, source, cve, &vendor_alias);
                        if !adv.affected.contains(&aff) {
                            adv.affected.push(aff);
                        }
                    }
                }
            }
        }
    }
}

/// `introduced: 0` up to the fixed version; rpm's default epoch `0:` is dropped, as
/// Trivy prints it.
fn introduced_fixed(scheme: Scheme, fixed: &str) -> Range {
    let fixed = match scheme {
        Scheme::Rpm => fixed.strip_prefix("0:").unwrap_or(fixed),
        _ => fixed,
    };
    Range {
        events: vec![
            Event::Introduced("0".into()),
            Event::Fixed(fixed.to_string()),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(lower: Option<(&str, bool)>, upper: Option<(&str, bool)>) -> Interval {
        Interval {
            lower: lower.map(|(v, i)| (v.to_string(), i)),
            upper: upper.map(|(v, i)| (v.to_string(), i)),
            exact: None,
        }
    }

    #[test]
    fn constraints_parse() {
        assert_eq!(
            parse_constraint("<2.3.2").unwrap(),
            vec![iv(None, Some(("2.3.2", false)))]
        );
        assert_eq!(
            parse_constraint(">=1.0.0, <1.2.3").unwrap(),
            vec![iv(Some(("1.0.0", true)), Some(("1.2.3", false)))]
        );
        assert_eq!(
            parse_constraint(">1.0 <=1.2").unwrap(),
            vec![iv(Some(("1.0", false)), Some(("1.2", true)))]
        );
        assert_eq!(
            parse_constraint("<= 1.2").unwrap(),
            vec![iv(None, Some(("1.2", true)))]
        );
        let exact = Interval {
            exact: Some("1.0".into()),
            ..Interval::default()
        };
        assert_eq!(parse_constraint("=1.0").unwrap(), vec![exact.clone()]);
        assert_eq!(parse_constraint("1.0").unwrap(), vec![exact.clone()]);
        assert_eq!(
            parse_constraint("<1.0 || >= 2.0, < 2.1").unwrap(),
            vec![
                iv(None, Some(("1.0", false))),
                iv(Some(("2.0", true)), Some(("2.1", false)))
            ]
        );
        assert_eq!(
            parse_constraint("[2.9.0,2.9.10.7)").unwrap(),
            vec![iv(Some(("2.9.0", true)), Some(("2.9.10.7", false)))]
        );
        assert_eq!(
            parse_constraint("(,1.0],[1.2,)").unwrap(),
            vec![iv(None, Some(("1.0", true))), iv(Some(("1.2", true)), None)]
        );
        assert_eq!(parse_constraint("[1.0]").unwrap(), vec![exact]);
        for bad in ["", "~> 1.2", "!= 1.0", ">=", "[1.0", "=1.0, <2.0", "a || "] {
            assert!(parse_constraint(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn patched_only_is_complemented() {
        let patched: Vec<Interval> = [">= 3.1.0", ">= 2.1.3, < 3.0.0"]
            .iter()
            .flat_map(|c| parse_constraint(c).unwrap())
            .collect();
        let mut notes = Vec::new();
        let (ranges, versions) = constraint_ranges(Scheme::Semver, &[], &patched, &[], &mut notes);
        assert!(versions.is_empty() && notes.is_empty());
        assert_eq!(
            ranges,
            vec![
                Range {
                    events: vec![Event::Introduced("0".into()), Event::Fixed("2.1.3".into())]
                },
                Range {
                    events: vec![
                        Event::Introduced("3.0.0".into()),
                        Event::Fixed("3.1.0".into())
                    ]
                },
            ]
        );
    }

    #[test]
    fn unaffected_counts_as_not_vulnerable() {
        let p = parse_constraint(">= 2.0.0").unwrap();
        let u = parse_constraint("< 1.0.0").unwrap();
        let mut notes = Vec::new();
        let (ranges, _) = constraint_ranges(Scheme::Npm, &[], &p, &u, &mut notes);
        assert_eq!(
            ranges,
            vec![Range {
                events: vec![
                    Event::Introduced("1.0.0".into()),
                    Event::Fixed("2.0.0".into())
                ]
            }]
        );
    }

    #[test]
    fn inclusive_upper_bound_is_fixed_by_next_patch() {
        let v = parse_constraint(">= 6.0.0, <= 6.0.3").unwrap();
        let p: Vec<Interval> = ["6.0.3.1", "5.2.4.3"]
            .iter()
            .flat_map(|c| parse_constraint(c).unwrap())
            .collect();
        let mut notes = Vec::new();
        let (ranges, _) = constraint_ranges(Scheme::RubyGems, &v, &p, &[], &mut notes);
        assert_eq!(
            ranges[0].events,
            vec![
                Event::Introduced("6.0.0".into()),
                Event::Fixed("6.0.3.1".into())
            ]
        );
        let (ranges, _) = constraint_ranges(
            Scheme::RubyGems,
            &parse_constraint("<= 1.6.14").unwrap(),
            &[],
            &[],
            &mut notes,
        );
        assert_eq!(
            ranges[0].events,
            vec![
                Event::Introduced("0".into()),
                Event::LastAffected("1.6.14".into())
            ]
        );
    }

    #[test]
    fn buckets_and_os_names() {
        let eco = |b: &str| match bucket_target(b) {
            Some(BucketTarget::Ecosystem(e)) => e,
            other => panic!("{b}: {other:?}"),
        };
        assert_eq!(eco("debian 9"), "debian:9");
        assert_eq!(eco("alpine 3.10"), "alpine:3.10");
        assert_eq!(eco("alma 8"), "almalinux:8");
        assert_eq!(eco("amazon linux 2"), "amazon:2");
        assert_eq!(eco("openSUSE Leap 15.1"), "suse:Leap 15.1");
        assert_eq!(
            eco("SUSE Linux Enterprise 15-SP3"),
            "suse:Linux Enterprise 15 SP3"
        );
        assert_eq!(eco("pip::GitHub Security Advisory Pip"), "pypi");
        assert_eq!(
            eco("cocoapods::GitHub Security Advisory Cocoapods"),
            "cocoapods"
        );
        assert_eq!(bucket_target("Red Hat"), Some(BucketTarget::RedHat));
        assert_eq!(bucket_target("vulnerability-x"), None);
        let os = os_info("amazon", "AMI release 2018.03");
        assert_eq!((os.family.as_str(), os.version.as_str()), ("amazon", "1"));
        let os = os_info("amazon", "2 (Karoo)");
        assert_eq!((os.family.as_str(), os.version.as_str()), ("amazon", "2"));
        let os = os_info("alma", "8.5");
        assert_eq!(
            (os.family.as_str(), os.version.as_str()),
            ("almalinux", "8.5")
        );
    }

    #[test]
    fn statuses() {
        let n = |i: i64| status_of(&Value::Number(i.into()));
        assert_eq!(n(1), Some(AffectedStatus::NotAffected));
        assert_eq!(n(5), Some(AffectedStatus::Ignored));
        assert_eq!(n(6), Some(AffectedStatus::NoDsa));
        assert_eq!(n(7), Some(AffectedStatus::Unfixed));
        assert_eq!(n(9), None);
        assert_eq!(
            status_of(&Value::String("postponed".into())),
            Some(AffectedStatus::NoDsa)
        );
        assert_eq!(
            status_of(&Value::String("will_not_fix".into())),
            Some(AffectedStatus::Ignored)
        );
    }

    #[test]
    fn garbage_is_diagnosed_not_fatal() {
        let mut sink = Sink::default();
        let docs = vec![
            ("a.yaml".to_string(), ": : :\n- [".to_string()),
            ("b.yaml".to_string(), "{x: 1}".to_string()),
            (
                "c.yaml".to_string(),
                "- bucket: npm::x\n  pairs:\n    - bucket: p\n      pairs:\n        - key: CVE-1\n          value:\n            VulnerableVersions: ['~> 1']\n"
                    .to_string(),
            ),
        ];
        import_documents(&docs, &mut sink);
        assert!(sink.advisories.is_empty());
        assert_eq!(sink.diagnostics.len(), 4, "{:?}", sink.diagnostics);
    }
}
