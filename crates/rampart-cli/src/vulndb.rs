//! `rampart db …` and the vulnerability half of a scan: where the database lives, building
//! it from feeds, reporting its status, and turning matches into report entries.

use crate::cli::{DbCommand, StatusFormat};
use anyhow::{Context, Result, bail};
use rampart_core::{OsInfo, Package};
use rampart_report::{Cvss, Vulnerability};
use rampart_vuln::db::Db;
use rampart_vuln::import::{Sink, import_path};
use rampart_vuln::matcher::{MatchConfig, Suppression, match_packages};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The database path: `--db`, else `$RAMPART_DB`, else `$XDG_CACHE_HOME/rampart/db/rampart.db`
/// (`~/.cache/rampart/db/rampart.db`).
pub fn default_path(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os("RAMPART_DB") {
        return PathBuf::from(p);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from("."));
    cache.join("rampart/db/rampart.db")
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn format_time(secs: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs as i64)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| secs.to_string())
}

/// Run `rampart db …`.
pub fn run(cmd: DbCommand) -> Result<u8> {
    match cmd {
        DbCommand::Import { paths, db, quiet } => {
            let path = default_path(db.as_deref());
            let pb = crate::progress::spinner(quiet, "importing feeds");
            let mut sink = Sink::default();
            for p in &paths {
                if !p.exists() {
                    bail!("{}: no such file or directory", p.display());
                }
                pb.set_message(format!("importing {}", p.display()));
                import_path(p, &mut sink)?;
            }
            pb.finish_and_clear();
            let inputs = paths.iter().map(|p| p.display().to_string()).collect();
            finish_import(&path, sink, inputs, quiet)?;
            Ok(0)
        }
        DbCommand::Update {
            db,
            mirror,
            osv,
            alpine,
            no_debian,
            quiet,
        } => {
            let path = default_path(db.as_deref());
            let feeds = crate::update::feeds(mirror.as_deref(), &osv, &alpine, !no_debian);
            let mut sink = Sink::default();
            let fetched = crate::update::download(&feeds, &mut sink, quiet)?;
            let inputs: Vec<String> = feeds.iter().map(|f| f.url.clone()).collect();
            finish_import(&path, sink, inputs, quiet)?;
            if !quiet {
                eprintln!("rampart: {fetched} of {} feeds downloaded", feeds.len());
            }
            Ok(0)
        }
        DbCommand::Status { db, format } => {
            let path = default_path(db.as_deref());
            let meta = Db::read_meta(&path)?;
            let age_days = now().saturating_sub(meta.built_at) / 86_400;
            match format {
                StatusFormat::Json => {
                    let v = serde_json::json!({
                        "path": path.display().to_string(),
                        "schema_version": meta.schema_version,
                        "built_at": format_time(meta.built_at),
                        "age_days": age_days,
                        "advisories": meta.advisories,
                        "cves": meta.cves,
                        "sources": meta.sources.iter().map(|(s, n)| serde_json::json!({"name": s, "records": n})).collect::<Vec<_>>(),
                        "inputs": meta.inputs,
                    });
                    crate::output::write(
                        &format!("{}\n", serde_json::to_string_pretty(&v)?),
                        None,
                    )?;
                }
                StatusFormat::Table => {
                    let mut s = format!(
                        "{}\nschema {} · built {} ({} days ago) · {} advisories · {} CVEs with NVD data\n\nSOURCE  RECORDS\n",
                        path.display(),
                        meta.schema_version,
                        format_time(meta.built_at),
                        age_days,
                        meta.advisories,
                        meta.cves
                    );
                    for (src, n) in &meta.sources {
                        s.push_str(&format!("{src}  {n}\n"));
                    }
                    crate::output::write(&s, None)?;
                }
            }
            Ok(0)
        }
    }
}

/// Build the database from `sink` and write it atomically, reporting what was skipped.
fn finish_import(path: &Path, sink: Sink, inputs: Vec<String>, quiet: bool) -> Result<()> {
    let warnings = sink.diagnostics.len();
    if !quiet {
        for d in sink.diagnostics.iter().take(20) {
            eprintln!("rampart: warning: {d}");
        }
        if warnings > 20 {
            eprintln!("rampart: warning: … and {} more", warnings - 20);
        }
    }
    let (withdrawn, duplicates, skipped) = (sink.withdrawn, sink.duplicates, sink.skipped);
    let unknown: Vec<String> = sink.unknown_ecosystems.iter().cloned().collect();
    if sink.advisories.is_empty() && sink.cve_info.is_empty() {
        bail!(
            "no advisory could be imported; the database at {} was not changed",
            path.display()
        );
    }
    let db = Db::from_sink(sink, inputs, now());
    db.write(path)?;
    if !quiet {
        eprintln!(
            "rampart: wrote {} ({} advisories; skipped {withdrawn} withdrawn, {duplicates} duplicates, {skipped} affecting nothing matched; {warnings} warnings{})",
            path.display(),
            db.meta.advisories,
            if unknown.is_empty() {
                String::new()
            } else {
                format!("; ecosystems not matched: {}", unknown.join(", "))
            }
        );
    }
    Ok(())
}

/// Options of the vulnerability scan.
pub struct VulnOptions<'a> {
    /// `--db`.
    pub db: Option<&'a Path>,
    /// Whether the user asked for the vulnerability scanner explicitly.
    pub required: bool,
    /// `--ignore-unfixed`.
    pub ignore_unfixed: bool,
    /// `--show-suppressed`.
    pub show_suppressed: bool,
    /// Age warning threshold, days.
    pub max_age_days: u64,
    /// `--quiet`.
    pub quiet: bool,
}

/// Match `packages` against the database and return report entries. Without a database the
/// scan goes on with the inventory alone, unless the vulnerability scanner was asked for.
pub fn scan(
    packages: &[Package],
    os: Option<&OsInfo>,
    opts: &VulnOptions<'_>,
) -> Result<Vec<Vulnerability>> {
    let path = default_path(opts.db);
    if !path.exists() {
        if opts.required || opts.db.is_some() {
            bail!(
                "{}: no vulnerability database; build one with `rampart db import FEEDS…` or `rampart db update`",
                path.display()
            );
        }
        if !opts.quiet {
            eprintln!(
                "rampart: warning: no vulnerability database at {}; listing packages only (see `rampart db import`)",
                path.display()
            );
        }
        return Ok(Vec::new());
    }
    let db = Db::open(&path).with_context(|| "opening the vulnerability database".to_string())?;
    let age = now().saturating_sub(db.meta.built_at) / 86_400;
    if age > opts.max_age_days && !opts.quiet {
        eprintln!(
            "rampart: warning: {}: the vulnerability database is {age} days old (built {}); run `rampart db update`",
            path.display(),
            format_time(db.meta.built_at)
        );
    }
    if let Some(os) = os
        && let Some(eol) = rampart_vuln::matcher::end_of_life(os)
        && !opts.quiet
    {
        eprintln!(
            "rampart: warning: {} {} is end-of-life ({eol}): unfixed vulnerabilities will stay unfixed",
            os.family, os.version
        );
    }
    let cfg = MatchConfig {
        show_suppressed: opts.show_suppressed,
    };
    let findings = match_packages(&db, packages, os, &cfg);
    let mut out = Vec::with_capacity(findings.len());
    for f in findings {
        if opts.ignore_unfixed && f.fixed_version.is_none() {
            continue;
        }
        let Some(pkg) = packages.get(f.package) else {
            continue;
        };
        let status = f.status.as_str().to_string();
        out.push(Vulnerability {
            id: f.id,
            aliases: f.aliases,
            purl: pkg.purl.clone(),
            installed_version: pkg.version.clone(),
            fixed_version: f.fixed_version,
            status,
            severity: f.severity,
            cvss: f
                .cvss
                .into_iter()
                .map(|c| Cvss {
                    source: c.source,
                    vector: c.vector,
                    score: c.score,
                })
                .collect(),
            data_source: f.data_source,
            title: f.title,
            suppressed: f.suppressed.map(|s| {
                match s {
                    Suppression::NotAffected => "not_affected",
                    Suppression::NoDsa => "no_dsa",
                    Suppression::Ignored => "ignored",
                }
                .to_string()
            }),
        });
    }
    Ok(out)
}
