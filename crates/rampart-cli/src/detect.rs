//! `rampart detect` and `rampart rules check`: Falco and Sigma rule files (told apart by their
//! content), events from files or stdin, alerts in Falco's JSON shape for both kinds of rule.

use crate::cli::{DetectArgs, DetectFormat, InputFormatArg, RulesCheckArgs, StatusFormat};
use anyhow::{Context, Result, bail};
use rampart_detect::event::{Event, Source};
use rampart_detect::falco::{self, Alert, LoadReport, RuleState, Ruleset};
use rampart_detect::fields::FieldSource;
use rampart_detect::input::{InputFormat, read_events};
use rampart_detect::sigma::{self, JsonDoc, LogSource, SigmaRuleStatus, SigmaRuleset};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A rule file's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Falco,
    Sigma,
}

/// Falco files are YAML sequences of `rule`/`macro`/`list` items; Sigma files are mappings
/// with a `detection` section.
fn kind_of(text: &str) -> Kind {
    let first = text
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#') && *l != "---");
    match first {
        Some(l) if l.starts_with("- ") || l == "-" => Kind::Falco,
        _ => Kind::Sigma,
    }
}

/// Every rule file under `paths` (files as given; directories searched for `.yaml`/`.yml`).
fn rule_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(p)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path())
                .filter(|f| f.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect();
            found.sort();
            for f in found {
                let text = std::fs::read_to_string(&f).with_context(|| f.display().to_string())?;
                out.push((f, text));
            }
        } else {
            let text = std::fs::read_to_string(p).with_context(|| p.display().to_string())?;
            out.push((p.clone(), text));
        }
    }
    Ok(out)
}

/// Loaded rules of both kinds.
struct Rules {
    falco: Option<(Ruleset, LoadReport)>,
    sigma: Option<(SigmaRuleset, Vec<SigmaRuleStatus>)>,
}

fn load(paths: &[PathBuf]) -> Result<Rules> {
    let files = rule_files(paths)?;
    let (f, s): (Vec<_>, Vec<_>) = files.iter().partition(|(_, t)| kind_of(t) == Kind::Falco);
    let falco = (!f.is_empty()).then(|| {
        let refs: Vec<(&Path, &str)> = f.iter().map(|(p, t)| (p.as_path(), t.as_str())).collect();
        falco::load_falco(&refs)
    });
    let sigma = (!s.is_empty()).then(|| {
        let names: Vec<String> = s.iter().map(|(p, _)| p.display().to_string()).collect();
        let refs: Vec<(&str, &str)> = names
            .iter()
            .zip(&s)
            .map(|(n, (_, t))| (n.as_str(), t.as_str()))
            .collect();
        sigma::load_sigma(&refs)
    });
    Ok(Rules { falco, sigma })
}

/// One rule's verdict in `rules check`.
#[derive(Serialize)]
struct Check {
    rule: String,
    source: String,
    status: &'static str,
    reasons: Vec<String>,
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
}

/// `rampart rules check`.
pub fn check(args: &RulesCheckArgs) -> Result<u8> {
    let rules = load(&args.files)?;
    let mut checks = Vec::new();
    if let Some((_, report)) = &rules.falco {
        for r in &report.rules {
            let (status, reasons) = match &r.state {
                RuleState::Ok { .. } => ("ok", Vec::new()),
                RuleState::Unsupported { missing } => ("unsupported", missing.clone()),
                RuleState::Error { message, .. } => ("error", vec![message.clone()]),
            };
            checks.push(Check {
                rule: r.name.clone(),
                source: r.source.clone(),
                status,
                reasons,
                file: r.file.display().to_string(),
                line: Some(r.line),
            });
        }
        for m in report.errors() {
            let d = m.to_diagnostic();
            if !checks
                .iter()
                .any(|c| c.status == "error" && d.message.contains(&c.rule))
            {
                checks.push(Check {
                    rule: String::new(),
                    source: "falco".into(),
                    status: "error",
                    reasons: vec![d.message.clone()],
                    file: d.path.clone(),
                    line: d.line.map(|l| l as usize),
                });
            }
        }
    }
    if let Some((_, statuses)) = &rules.sigma {
        for s in statuses {
            let c = match s {
                SigmaRuleStatus::Ok { path, title, .. } => Check {
                    rule: title.clone(),
                    source: "sigma".into(),
                    status: "ok",
                    reasons: Vec::new(),
                    file: path.clone(),
                    line: None,
                },
                SigmaRuleStatus::Unsupported {
                    path,
                    title,
                    reasons,
                    ..
                } => Check {
                    rule: title.clone(),
                    source: "sigma".into(),
                    status: "unsupported",
                    reasons: reasons.clone(),
                    file: path.clone(),
                    line: None,
                },
                SigmaRuleStatus::Error { path, line, reason } => Check {
                    rule: String::new(),
                    source: "sigma".into(),
                    status: "error",
                    reasons: vec![reason.clone()],
                    file: path.clone(),
                    line: line.map(|l| l as usize),
                },
            };
            checks.push(c);
        }
    }
    let count = |s: &str| checks.iter().filter(|c| c.status == s).count();
    let (ok, unsupported, errors) = (count("ok"), count("unsupported"), count("error"));
    let text = match args.format {
        StatusFormat::Json => {
            let mut s = String::new();
            for c in &checks {
                s.push_str(&serde_json::to_string(c)?);
                s.push('\n');
            }
            s
        }
        StatusFormat::Table => {
            let mut s = String::new();
            for c in &checks {
                let at = match c.line {
                    Some(l) => format!("{}:{l}", c.file),
                    None => c.file.clone(),
                };
                s.push_str(&format!(
                    "{:<11} {:<8} {} ({at})",
                    c.status, c.source, c.rule
                ));
                if !c.reasons.is_empty() {
                    s.push_str(&format!(": {}", c.reasons.join("; ")));
                }
                s.push('\n');
            }
            s.push_str(&format!(
                "{ok} ok, {unsupported} unsupported, {errors} errors\n"
            ));
            s
        }
    };
    crate::output::write(&text, None)?;
    if args.strict && (unsupported > 0 || errors > 0) {
        eprintln!("rampart: error: --strict: {unsupported} unsupported and {errors} invalid rules");
        return Ok(2);
    }
    Ok(0)
}

fn sigma_source(ev: &Event) -> LogSource<'static> {
    match ev.source {
        Source::K8sAudit => LogSource::new(Some("kubernetes"), None, Some("audit")),
        Source::AwsCloudtrail => LogSource::new(Some("aws"), None, Some("cloudtrail")),
        Source::Syscall => LogSource::new(Some("linux"), Some("process_creation"), None),
        Source::Json => LogSource::new(None, None, None),
    }
}

fn falco_priority(level: Option<&str>) -> &'static str {
    match level.unwrap_or_default() {
        "critical" => "Critical",
        "high" => "Error",
        "medium" => "Warning",
        "low" => "Notice",
        _ => "Informational",
    }
}

fn rfc3339_nanos(ns: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ns as i128)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `rampart detect`.
pub fn detect(args: &DetectArgs) -> Result<u8> {
    let start = Instant::now();
    let mut rules = load(&args.rules)?;
    let hostname = std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let mut problems = 0usize;
    if let Some((rs, report)) = &mut rules.falco {
        rs.set_hostname(hostname.clone());
        for m in report.errors() {
            problems += 1;
            if !args.quiet {
                eprintln!("rampart: warning: {}", m.to_diagnostic());
            }
        }
    }
    if let Some((_, statuses)) = &rules.sigma {
        for s in statuses
            .iter()
            .filter(|s| matches!(s, SigmaRuleStatus::Error { .. }))
        {
            problems += 1;
            if !args.quiet
                && let Some(d) = s.to_diagnostic()
            {
                eprintln!("rampart: warning: {d}");
            }
        }
    }
    if problems > 0 && args.strict {
        bail!("{problems} rule files or rules are invalid (--strict)");
    }
    let format = match args.input_format {
        InputFormatArg::Auto => InputFormat::Auto,
        InputFormatArg::Rampart => InputFormat::Rampart,
        InputFormatArg::K8sAudit => InputFormat::K8sAudit,
        InputFormatArg::Cloudtrail => InputFormat::Cloudtrail,
        InputFormatArg::Jsonl => InputFormat::Jsonl,
    };
    let mut inputs: Vec<(String, Box<dyn std::io::Read>)> = Vec::new();
    if args.inputs.is_empty() {
        inputs.push(("<stdin>".into(), Box::new(std::io::stdin())));
    }
    for p in &args.inputs {
        let f = std::fs::File::open(p).with_context(|| p.display().to_string())?;
        inputs.push((p.display().to_string(), Box::new(f)));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (mut events, mut bad, mut alerts_n) = (0u64, 0u64, 0u64);
    let mut per_rule: BTreeMap<String, u64> = BTreeMap::new();
    let mut alerts: Vec<Alert> = Vec::new();
    let mut sigma_hits = Vec::new();
    for (name, reader) in inputs {
        for item in read_events(reader, format) {
            let ev = match item {
                Ok(ev) => ev,
                Err((line, reason)) => {
                    bad += 1;
                    if !args.quiet && bad <= 10 {
                        eprintln!("rampart: warning: {name}: record {line}: {reason}");
                    }
                    continue;
                }
            };
            events += 1;
            alerts.clear();
            if let Some((rs, _)) = &rules.falco {
                rs.matches(&ev, &mut alerts);
            }
            if let Some((rs, _)) = &rules.sigma {
                sigma_hits.clear();
                let src = sigma_source(&ev);
                match &ev.raw {
                    Some(raw) if ev.source != Source::Syscall => {
                        rs.matches(src, &JsonDoc(raw) as &dyn FieldSource, &mut sigma_hits)
                    }
                    _ => rs.matches(src, &ev as &dyn FieldSource, &mut sigma_hits),
                }
                for m in &sigma_hits {
                    let mut fields = BTreeMap::new();
                    fields.insert("sigma.id".to_string(), serde_json::json!(m.id));
                    fields.insert("sigma.level".to_string(), serde_json::json!(m.level));
                    let time = rfc3339_nanos(ev.time);
                    let priority = falco_priority(m.level);
                    alerts.push(Alert {
                        output: format!(
                            "{time}: {priority} Sigma rule matched: {} (id={})",
                            m.title,
                            m.id.unwrap_or("-")
                        ),
                        time,
                        rule: m.title.to_string(),
                        priority: priority.to_string(),
                        output_fields: fields,
                        source: ev.source.as_str().to_string(),
                        tags: m.tags.to_vec(),
                        hostname: hostname.clone(),
                    });
                }
            }
            for a in &alerts {
                alerts_n += 1;
                *per_rule.entry(a.rule.clone()).or_default() += 1;
                let line = match args.format {
                    DetectFormat::Json => serde_json::to_string(a)?,
                    DetectFormat::Text => a.output.clone(),
                };
                if let Err(e) = writeln!(out, "{line}") {
                    if e.kind() == std::io::ErrorKind::BrokenPipe {
                        return Ok(0);
                    }
                    return Err(e.into());
                }
            }
        }
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(0),
        r => r?,
    }
    if bad > 0 && !args.quiet {
        eprintln!("rampart: warning: {bad} records were not events and were skipped");
    }
    if args.stats {
        let secs = start.elapsed().as_secs_f64();
        eprintln!(
            "events {events}, skipped {bad}, alerts {alerts_n}, {secs:.3} s ({:.0} events/s)",
            events as f64 / secs.max(1e-9)
        );
        for (rule, n) in &per_rule {
            eprintln!("  {n:>8}  {rule}");
        }
    }
    Ok(0)
}
