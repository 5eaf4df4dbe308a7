//! Matching installed packages against the database.
//!
//! OS packages are matched by distro release and *source* package (advisories are filed
//! against source packages) with the source version; language packages by their ecosystem
//! and normalized name. OSV ranges are evaluated as the OSV schema defines them; records that
//! name the same vulnerability (a DSA and its CVEs, a GHSA and its CVE) become one finding,
//! reported under the CVE id with the others as aliases.

use crate::db::{Db, scheme_of};
use crate::model::{
    Advisory, Affected, AffectedStatus, CvssScore, Event, normalize_name, package_ecosystem_key,
};
use rampart_core::{Ecosystem, OsInfo, Package, Severity};
use rampart_version::{Scheme, compare};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// What a finding's package can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// A fixed version exists.
    Fixed,
    /// No fix yet.
    Affected,
    /// The distro will not fix it in a security update.
    WillNotFix,
    /// The release is end-of-life: no fix will come.
    EndOfLife,
}

impl Status {
    /// The report's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fixed => "fixed",
            Status::Affected => "affected",
            Status::WillNotFix => "will_not_fix",
            Status::EndOfLife => "end_of_life",
        }
    }
}

/// Why a match is not reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suppression {
    /// The distro tracker says the release is not affected.
    NotAffected,
    /// The distro will not issue a security update (`no-dsa`).
    NoDsa,
    /// The distro ignores it.
    Ignored,
}

/// One vulnerability of one installed package.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Index of the package in the slice given to [`match_packages`].
    pub package: usize,
    /// Preferred id (the CVE when there is one).
    pub id: String,
    /// The other ids.
    pub aliases: Vec<String>,
    /// The version compared (the source version for OS packages).
    pub installed_version: String,
    /// Lowest version that fixes it, when one exists.
    pub fixed_version: Option<String>,
    /// Status.
    pub status: Status,
    /// Severity: the distro's rating, else the source's, else from CVSS.
    pub severity: Severity,
    /// CVSS ratings.
    pub cvss: Vec<CvssScore>,
    /// Data sources, comma-joined.
    pub data_source: String,
    /// Summary or description.
    pub title: Option<String>,
    /// Set when the finding is suppressed, with the reason.
    pub suppressed: Option<Suppression>,
}

/// Matching options.
#[derive(Debug, Clone, Default)]
pub struct MatchConfig {
    /// Keep suppressed matches (not-affected, no-dsa, ignored) with their reason.
    pub show_suppressed: bool,
}

/// Result of evaluating one affected entry against one version.
enum Verdict {
    Affected { fixed: Option<String> },
    Suppressed(Suppression),
    Unfixed,
    NotAffected,
}

/// Whether `version` falls in the OSV ranges or version list of `aff`, and the fix.
fn evaluate(aff: &Affected, version: &str, scheme: Scheme) -> Verdict {
    match aff.status {
        AffectedStatus::NotAffected => return Verdict::Suppressed(Suppression::NotAffected),
        AffectedStatus::NoDsa => return Verdict::Suppressed(Suppression::NoDsa),
        AffectedStatus::Ignored => return Verdict::Suppressed(Suppression::Ignored),
        AffectedStatus::Unfixed => return Verdict::Unfixed,
        AffectedStatus::Ranges => {}
    }
    if aff
        .versions
        .iter()
        .any(|v| compare(scheme, v, version) == Ordering::Equal)
    {
        // Listed explicitly; a range may still name the fix.
        let fixed = aff
            .ranges
            .iter()
            .find_map(|r| in_range(&r.events, version, scheme).flatten());
        return Verdict::Affected { fixed };
    }
    for r in &aff.ranges {
        if let Some(fixed) = in_range(&r.events, version, scheme) {
            return Verdict::Affected { fixed };
        }
    }
    Verdict::NotAffected
}

/// `Some(fixed)` when `v` is inside the range whose events are sorted.
fn in_range(events: &[Event], v: &str, scheme: Scheme) -> Option<Option<String>> {
    let mut affected = false;
    for e in events {
        match e {
            Event::Introduced(x) => {
                if x == "0" || compare(scheme, v, x) != Ordering::Less {
                    affected = true;
                } else {
                    break;
                }
            }
            Event::Fixed(x) => {
                if compare(scheme, v, x) != Ordering::Less {
                    affected = false;
                } else {
                    return affected.then(|| Some(x.clone()));
                }
            }
            Event::LastAffected(x) => {
                if compare(scheme, v, x) == Ordering::Greater {
                    affected = false;
                } else {
                    return affected.then_some(None);
                }
            }
            Event::Limit(x) => {
                if compare(scheme, v, x) != Ordering::Less {
                    affected = false;
                } else {
                    break;
                }
            }
        }
    }
    affected.then_some(None)
}

struct Hit<'a> {
    advisory: &'a Advisory,
    affected: &'a Affected,
    verdict: Verdict,
}

/// Match `packages` (found on `os`) against `db`.
pub fn match_packages(
    db: &Db,
    packages: &[Package],
    os: Option<&OsInfo>,
    cfg: &MatchConfig,
) -> Vec<Finding> {
    let eol = os.and_then(end_of_life);
    let mut out = Vec::new();
    for (i, pkg) in packages.iter().enumerate() {
        let Some(eco) = package_ecosystem_key(pkg, os) else {
            continue;
        };
        let Some(scheme) = scheme_of(&eco) else {
            continue;
        };
        let (name, version) = if pkg.ecosystem.is_os() {
            (
                pkg.source_name.clone().unwrap_or_else(|| pkg.name.clone()),
                pkg.source_version
                    .clone()
                    .unwrap_or_else(|| pkg.version.clone()),
            )
        } else {
            (normalize_name(&eco, &pkg.name), pkg.version.clone())
        };
        let mut hits: Vec<Hit<'_>> = Vec::new();
        let mut names = vec![name.clone()];
        if pkg.ecosystem == Ecosystem::Rpm && pkg.name != name {
            names.push(pkg.name.clone());
        }
        for n in &names {
            for (advisory, affected) in db.lookup(&eco, n) {
                let verdict = evaluate(affected, &version, scheme);
                if !matches!(verdict, Verdict::NotAffected) {
                    hits.push(Hit {
                        advisory,
                        affected,
                        verdict,
                    });
                }
            }
        }
        out.extend(group(db, i, &version, hits, eol.is_some(), cfg));
    }
    out
}

/// Merge hits naming the same vulnerability into findings.
fn group(
    db: &Db,
    package: usize,
    version: &str,
    hits: Vec<Hit<'_>>,
    eol: bool,
    cfg: &MatchConfig,
) -> Vec<Finding> {
    // Union-find over ids: two hits are one vulnerability when they share an id or alias.
    let mut parent: Vec<usize> = (0..hits.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, h) in hits.iter().enumerate() {
        for id in std::iter::once(&h.advisory.id).chain(&h.advisory.aliases) {
            match owner.get(id.as_str()) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    parent[a] = b;
                }
                None => {
                    owner.insert(id, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<&Hit<'_>>> = BTreeMap::new();
    for (i, h) in hits.iter().enumerate() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(h);
    }
    let mut out = Vec::new();
    for (_, members) in groups {
        let mut ids: Vec<String> = members
            .iter()
            .flat_map(|h| {
                std::iter::once(h.advisory.id.clone()).chain(h.advisory.aliases.iter().cloned())
            })
            .collect();
        ids.sort();
        ids.dedup();
        // One CVE: report under it. Several (a DSA fixing many CVEs): under the advisory,
        // with every CVE as an alias.
        let cves: Vec<&String> = ids.iter().filter(|i| i.starts_with("CVE-")).collect();
        let id = match cves.as_slice() {
            [one] => (*one).clone(),
            _ => members
                .iter()
                .map(|h| &h.advisory.id)
                .find(|i| !i.starts_with("CVE-"))
                .or_else(|| members.first().map(|h| &h.advisory.id))
                .cloned()
                .unwrap_or_default(),
        };
        let aliases: Vec<String> = ids.into_iter().filter(|i| *i != id).collect();
        // A distro tracker's word on its own release wins over other sources.
        let suppressed = members.iter().find_map(|h| match &h.verdict {
            Verdict::Suppressed(s) => Some(s.clone()),
            _ => None,
        });
        let mut fixed: Option<String> = None;
        let mut any_positive = false;
        let scheme = members
            .first()
            .and_then(|h| scheme_of(&h.affected.ecosystem));
        for h in &members {
            match &h.verdict {
                Verdict::Affected { fixed: Some(f) } => {
                    any_positive = true;
                    fixed = match (fixed, scheme) {
                        (Some(cur), Some(s)) if compare(s, &cur, f) == Ordering::Greater => {
                            Some(cur)
                        }
                        _ => Some(f.clone()),
                    };
                }
                Verdict::Affected { fixed: None } | Verdict::Unfixed => any_positive = true,
                _ => {}
            }
        }
        if !any_positive && suppressed.is_none() {
            continue;
        }
        if suppressed.is_some() && !cfg.show_suppressed {
            continue;
        }
        let status = match (&fixed, &suppressed) {
            (Some(_), _) => Status::Fixed,
            (None, Some(Suppression::NoDsa | Suppression::Ignored)) => Status::WillNotFix,
            (None, _) if eol => Status::EndOfLife,
            (None, _) => Status::Affected,
        };
        let mut cvss: Vec<CvssScore> = members
            .iter()
            .flat_map(|h| h.advisory.cvss.iter().cloned())
            .collect();
        let mut title = members
            .iter()
            .map(|h| h.advisory.summary.as_str())
            .find(|s| !s.is_empty())
            .map(str::to_string);
        if let Some(info) = db.cve(&id) {
            cvss.extend(info.cvss.iter().cloned());
            if !info.description.is_empty() {
                title.get_or_insert_with(|| info.description.clone());
            }
        }
        cvss.dedup_by(|a, b| a.vector == b.vector && a.source == b.source);
        let distro = members
            .iter()
            .filter_map(|h| h.affected.severity)
            .filter(|s| *s != Severity::Unknown)
            .max();
        let source_rating = members.iter().filter_map(|h| h.advisory.severity).max();
        let from_cvss = cvss
            .iter()
            .map(|c| c.score)
            .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
            .map(Severity::from_cvss_score);
        let severity = distro
            .or(source_rating)
            .or(from_cvss)
            .unwrap_or(Severity::Unknown);
        let mut sources: Vec<&str> = members.iter().map(|h| h.advisory.source.as_str()).collect();
        sources.sort();
        sources.dedup();
        out.push(Finding {
            package,
            id,
            aliases,
            installed_version: version.to_string(),
            fixed_version: fixed,
            status,
            severity,
            cvss,
            data_source: sources.join(","),
            title,
            suppressed,
        });
    }
    out
}

/// End-of-life date (`YYYY-MM-DD`) of a distro release when it is past, per the distros'
/// published schedules (regular security support, not paid extended support).
pub fn end_of_life(os: &OsInfo) -> Option<&'static str> {
    let major = os.version.split('.').next().unwrap_or_default();
    let minor2 = os.version.split('.').take(2).collect::<Vec<_>>().join(".");
    match os.family.as_str() {
        "debian" => match major {
            "7" => Some("2018-05-31"),
            "8" => Some("2020-06-30"),
            "9" => Some("2022-06-30"),
            "10" => Some("2024-06-30"),
            "11" => Some("2026-08-31"),
            _ => None,
        },
        "alpine" => match minor2.as_str() {
            "3.3" | "3.4" | "3.5" | "3.6" | "3.7" | "3.8" | "3.9" | "3.10" | "3.11" | "3.12"
            | "3.13" | "3.14" | "3.15" | "3.16" | "3.17" | "3.18" | "3.19" => {
                Some("branch end-of-life")
            }
            _ => None,
        },
        "centos" => Some("2024-06-30"),
        _ => None,
    }
}
