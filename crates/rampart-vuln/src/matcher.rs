//! Matching installed packages against the database.
//!
//! OS packages are matched by distro release and *source* package (advisories are filed
//! against source packages) with the source version; language packages by their ecosystem
//! and normalized name. OSV ranges are evaluated as the OSV schema defines them; records that
//! name the same vulnerability (a DSA and its CVEs, a GHSA and its CVE) become one finding,
//! reported under the CVE id with the others as aliases.

use crate::db::{Db, scheme_of};
use crate::index::{EcoId, EntryVerdict, FxHashMap};
use crate::model::{Advisory, Affected, CvssScore, normalize_name, package_ecosystem_key};
use rampart_core::{Ecosystem, OsInfo, Package, Severity};
use rampart_version::{Scheme, compare};
use std::cmp::Ordering;

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
    /// Severity: the distro's rating, else the advisory source's, else from the highest CVSS
    /// v3 score, else from the highest CVSS v4 score (computed from its vector).
    pub severity: Severity,
    /// CVSS ratings of every version (v3.x and v4.0 side by side), each with its score.
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

/// The severity of a finding: the distro's own rating for its package, else the advisory
/// source's rating, else the highest CVSS v3 score, else the highest CVSS v4 score (computed
/// from the vector, so databases built before v4 scoring rate alike), else any other score.
fn severity_of(distro: Option<Severity>, source: Option<Severity>, cvss: &[CvssScore]) -> Severity {
    let max = |scores: &mut dyn Iterator<Item = f64>| scores.reduce(f64::max);
    let v3 = max(&mut cvss
        .iter()
        .filter(|c| c.vector.starts_with("CVSS:3."))
        .map(|c| c.score));
    let v4 = max(&mut cvss
        .iter()
        .filter(|c| c.vector.starts_with("CVSS:4."))
        .map(|c| crate::cvss::v4_score(&c.vector).unwrap_or(c.score)));
    let other = max(&mut cvss
        .iter()
        .filter(|c| !c.vector.starts_with("CVSS:3.") && !c.vector.starts_with("CVSS:4."))
        .map(|c| c.score));
    distro
        .or(source)
        .or_else(|| v3.or(v4).or(other).map(Severity::from_cvss_score))
        .unwrap_or(Severity::Unknown)
}

/// One affected entry that judged the installed version other than "not in range".
struct Hit<'a> {
    advisory_index: u32,
    advisory: &'a Advisory,
    affected: &'a Affected,
    verdict: EntryVerdict<'a>,
}

/// How names of one kind of package are normalized before lookup.
#[derive(Debug, Clone, Copy)]
enum NameRule {
    /// Source package (OS packages) or name as is.
    AsIs,
    /// Lower-cased (NuGet, Packagist).
    Lower,
    /// PEP 503 (PyPI).
    Pep503,
}

/// Where packages of one [`Ecosystem`] are looked up, resolved once per call.
#[derive(Debug, Clone, Copy)]
struct Resolved {
    eco: EcoId,
    scheme: Scheme,
    rule: NameRule,
}

/// `name` as the database stores it, borrowed when normalizing changes nothing (the usual
/// case), else written to `buf`.
fn normalized<'a>(rule: NameRule, key: &str, name: &'a str, buf: &'a mut String) -> &'a str {
    let unchanged = match rule {
        NameRule::AsIs => true,
        NameRule::Lower => !name.bytes().any(|b| b.is_ascii_uppercase()),
        NameRule::Pep503 => {
            !name
                .bytes()
                .any(|b| b.is_ascii_uppercase() || b == b'_' || b == b'.')
                && !name.contains("--")
        }
    };
    if unchanged {
        return name;
    }
    *buf = normalize_name(key, name);
    buf
}

/// Scratch space reused across packages, so matching allocates only for findings.
#[derive(Default)]
struct Scratch {
    parent: Vec<usize>,
    owner: FxHashMap<u32, usize>,
    order: Vec<(usize, usize)>,
    ids: Vec<u32>,
}

/// Match `packages` (found on `os`) against `db`.
pub fn match_packages(
    db: &Db,
    packages: &[Package],
    os: Option<&OsInfo>,
    cfg: &MatchConfig,
) -> Vec<Finding> {
    let eol = os.and_then(end_of_life).is_some();
    let index = db.index();
    // Per kind of package: `None` until resolved, then where (if anywhere) to look.
    let mut resolved: [Option<Option<Resolved>>; 32] = [None; 32];
    let resolve = |pkg: &Package| -> Option<Resolved> {
        let key = package_ecosystem_key(pkg, os)?;
        let scheme = scheme_of(&key)?;
        let eco = index.ecosystem(&key)?;
        let rule = match key.as_str() {
            "pypi" => NameRule::Pep503,
            "nuget" | "packagist" => NameRule::Lower,
            _ => NameRule::AsIs,
        };
        Some(Resolved { eco, scheme, rule })
    };
    let mut buf = String::new();
    let mut hits: Vec<Hit<'_>> = Vec::new();
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    for (i, pkg) in packages.iter().enumerate() {
        let kind = pkg.ecosystem as usize;
        let r = match resolved.get(kind).copied().flatten() {
            Some(r) => r,
            None => {
                let r = resolve(pkg);
                if let Some(cell) = resolved.get_mut(kind) {
                    *cell = Some(r);
                }
                r
            }
        };
        let Some(Resolved { eco, scheme, rule }) = r else {
            continue;
        };
        let is_os = pkg.ecosystem.is_os();
        let (name, version) = if is_os {
            (
                pkg.source_name.as_deref().unwrap_or(&pkg.name),
                pkg.source_version.as_deref().unwrap_or(&pkg.version),
            )
        } else {
            let key = match rule {
                NameRule::Pep503 => "pypi",
                NameRule::Lower => "nuget",
                NameRule::AsIs => "",
            };
            (
                normalized(rule, key, &pkg.name, &mut buf),
                pkg.version.as_str(),
            )
        };
        let first = index.slot(eco, name);
        let second = if pkg.ecosystem == Ecosystem::Rpm && pkg.name != name {
            index.slot(eco, &pkg.name)
        } else {
            None
        };
        if first.is_none() && second.is_none() {
            continue;
        }
        hits.clear();
        for slot in [first, second].into_iter().flatten() {
            let key = index.position(slot, scheme, version);
            for entry in index.entries(slot) {
                let (advisory, affected) = db.entry(entry);
                let verdict = index.evaluate(entry, affected, key);
                if verdict != EntryVerdict::NotAffected {
                    hits.push(Hit {
                        advisory_index: entry.advisory,
                        advisory,
                        affected,
                        verdict,
                    });
                }
            }
        }
        if !hits.is_empty() {
            let at = Place {
                package: i,
                version,
                scheme,
                eol,
            };
            group(db, &at, &hits, cfg, &mut scratch, &mut out);
        }
    }
    out
}

/// The installed package whose hits are grouped.
struct Place<'a> {
    /// Its index in the packages matched.
    package: usize,
    /// The version compared.
    version: &'a str,
    /// Its ecosystem's ordering.
    scheme: Scheme,
    /// Whether its release is end-of-life.
    eol: bool,
}

/// Merge hits naming the same vulnerability into findings, appended to `out`.
fn group(
    db: &Db,
    at: &Place<'_>,
    hits: &[Hit<'_>],
    cfg: &MatchConfig,
    scratch: &mut Scratch,
    out: &mut Vec<Finding>,
) {
    let index = db.index();
    let scheme = at.scheme;
    // Union-find over interned ids: two hits are one vulnerability when they share an id or
    // alias.
    let parent = &mut scratch.parent;
    parent.clear();
    parent.extend(0..hits.len());
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let owner = &mut scratch.owner;
    owner.clear();
    for (i, h) in hits.iter().enumerate() {
        for &id in index.advisory_ids(h.advisory_index) {
            match owner.get(&id) {
                Some(&j) => {
                    let (a, b) = (find(parent, i), find(parent, j));
                    parent[a] = b;
                }
                None => {
                    owner.insert(id, i);
                }
            }
        }
    }
    // Groups in order of their root, members in hit order.
    let order = &mut scratch.order;
    order.clear();
    for i in 0..hits.len() {
        order.push((find(parent, i), i));
    }
    order.sort_unstable();
    let mut start = 0;
    while start < order.len() {
        let root = order[start].0;
        let end = start + order[start..].iter().take_while(|o| o.0 == root).count();
        let members = order[start..end].iter().map(|&(_, i)| &hits[i]);
        start = end;
        // A distro tracker's word on its own release wins over other sources.
        let suppressed = members.clone().find_map(|h| match h.verdict {
            EntryVerdict::NotAffectedByDistro => Some(Suppression::NotAffected),
            EntryVerdict::NoDsa => Some(Suppression::NoDsa),
            EntryVerdict::Ignored => Some(Suppression::Ignored),
            _ => None,
        });
        let mut fixed: Option<&str> = None;
        let mut any_positive = false;
        for h in members.clone() {
            match h.verdict {
                EntryVerdict::Affected(Some(f)) => {
                    any_positive = true;
                    fixed = match fixed {
                        Some(cur) if compare(scheme, cur, f) == Ordering::Greater => Some(cur),
                        _ => Some(f),
                    };
                }
                EntryVerdict::Affected(None) | EntryVerdict::Unfixed => any_positive = true,
                _ => {}
            }
        }
        if !any_positive && suppressed.is_none() {
            continue;
        }
        if suppressed.is_some() && !cfg.show_suppressed {
            continue;
        }
        let ids = &mut scratch.ids;
        ids.clear();
        for h in members.clone() {
            ids.extend_from_slice(index.advisory_ids(h.advisory_index));
        }
        // Interned ids are numbered in string order: this sorts them as strings.
        ids.sort_unstable();
        ids.dedup();
        // One CVE: report under it. Several (a DSA fixing many CVEs): under the advisory,
        // with every CVE as an alias.
        let mut cves = ids.iter().filter(|&&i| index.name(i).starts_with("CVE-"));
        let id: &str = match (cves.next(), cves.next()) {
            (Some(&one), None) => index.name(one),
            _ => members
                .clone()
                .map(|h| h.advisory.id.as_str())
                .find(|i| !i.starts_with("CVE-"))
                .or_else(|| members.clone().next().map(|h| h.advisory.id.as_str()))
                .unwrap_or_default(),
        };
        let aliases: Vec<String> = ids
            .iter()
            .map(|&i| index.name(i))
            .filter(|i| *i != id)
            .map(str::to_string)
            .collect();
        let status = match (&fixed, &suppressed) {
            (Some(_), _) => Status::Fixed,
            (None, Some(Suppression::NoDsa | Suppression::Ignored)) => Status::WillNotFix,
            (None, _) if at.eol => Status::EndOfLife,
            (None, _) => Status::Affected,
        };
        let mut cvss: Vec<CvssScore> = members
            .clone()
            .flat_map(|h| h.advisory.cvss.iter().cloned())
            .collect();
        let mut title = members
            .clone()
            .map(|h| h.advisory.summary.as_str())
            .find(|s| !s.is_empty())
            .map(str::to_string);
        if let Some(info) = db.cve(id) {
            cvss.extend(info.cvss.iter().cloned());
            if !info.description.is_empty() {
                title.get_or_insert_with(|| info.description.clone());
            }
        }
        cvss.dedup_by(|a, b| a.vector == b.vector && a.source == b.source);
        let distro = members
            .clone()
            .filter_map(|h| h.affected.severity)
            .filter(|s| *s != Severity::Unknown)
            .max();
        let source_rating = members.clone().filter_map(|h| h.advisory.severity).max();
        let severity = severity_of(distro, source_rating, &cvss);
        let first_source = members
            .clone()
            .next()
            .map_or("", |h| h.advisory.source.as_str());
        let data_source = if members.clone().all(|h| h.advisory.source == first_source) {
            first_source.to_string()
        } else {
            let mut sources: Vec<&str> = members
                .clone()
                .map(|h| h.advisory.source.as_str())
                .collect();
            sources.sort_unstable();
            sources.dedup();
            sources.join(",")
        };
        out.push(Finding {
            package: at.package,
            id: id.to_string(),
            aliases,
            installed_version: at.version.to_string(),
            fixed_version: fixed.map(str::to_string),
            status,
            severity,
            cvss,
            data_source,
            title,
            suppressed,
        });
    }
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
