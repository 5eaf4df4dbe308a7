//! `rampart detect` and `rampart rules check`: Falco and Sigma rule files (told apart by their
//! content), events streamed from files or stdin or received from the Kubernetes audit
//! webhook, alerts in Falco's JSON shape for both kinds of rule. Matching, noise control and
//! outputs are `rampart_detect`'s (`engine`, `pipeline`, `output`, `receiver`); this file
//! turns flags into them and prints the run's counts.

use crate::cli::{
    AlertArgs, DetectArgs, DetectFormat, InputFormatArg, RulesCheckArgs, StatusFormat,
    WebhookFormatArg,
};
use anyhow::{Context, Result, bail};
use rampart_detect::engine::Detector;
use rampart_detect::event::Event;
use rampart_detect::falco::{self, Alert, LoadReport, RuleState, Ruleset};
use rampart_detect::input::{InputFormat, read_events};
use rampart_detect::noise::NoiseConfig;
use rampart_detect::output::{
    self, AlertFormat, Retry, SyslogSink, WebhookFormat, WebhookSink, WriterSink,
};
use rampart_detect::pipeline::{AlertPipeline, Closed, PipelineReport};
use rampart_detect::receiver::{self, AuditReceiver};
use rampart_detect::sigma::{self, SigmaRuleStatus, SigmaRuleset};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A rule file's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Falco,
    Sigma,
}

/// Falco files are YAML sequences of `rule`/`macro`/`list` items; Sigma files are mappings
/// with a `detection` section.
pub(crate) fn kind_of(text: &str) -> Kind {
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
pub(crate) fn rule_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, String)>> {
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
pub(crate) struct Rules {
    pub(crate) falco: Option<(Ruleset, LoadReport)>,
    pub(crate) sigma: Option<(SigmaRuleset, Vec<SigmaRuleStatus>)>,
}

pub(crate) fn load(paths: &[PathBuf]) -> Result<Rules> {
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

/// Loads the rules and warns about invalid ones (an error under `strict`).
pub(crate) fn load_reporting(paths: &[PathBuf], quiet: bool, strict: bool) -> Result<Rules> {
    let rules = load(paths)?;
    let mut problems = 0usize;
    if let Some((_, report)) = &rules.falco {
        for m in report.errors() {
            problems += 1;
            if !quiet {
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
            if !quiet && let Some(d) = s.to_diagnostic() {
                eprintln!("rampart: warning: {d}");
            }
        }
    }
    if problems > 0 && strict {
        bail!("{problems} rule files or rules are invalid (--strict)");
    }
    Ok(rules)
}

/// This host's name, as alerts carry it.
pub(crate) fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
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

pub(crate) fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Outputs and noise control from the flags: stdout first, then the file, webhooks and
/// syslog receivers. `rampart detect` and `rampart sensor` both build theirs here.
pub(crate) fn pipeline(args: &AlertArgs) -> Result<AlertPipeline> {
    let mut p = AlertPipeline::new(NoiseConfig {
        dedup_window: args.dedup_window,
        dedup_key: args.dedup_key.clone(),
        rate_limit: args.rate_limit,
    });
    let format = match args.format {
        DetectFormat::Json => AlertFormat::Json,
        DetectFormat::Text => AlertFormat::Text,
    };
    p.add_sink(Box::new(WriterSink::new(
        "stdout",
        std::io::BufWriter::new(std::io::stdout()),
        format,
    )));
    if let Some(path) = &args.output_file {
        p.add_sink(Box::new(output::file_sink(path)?));
    }
    let webhook_format = match args.webhook_format {
        WebhookFormatArg::Falco => WebhookFormat::Falco,
        WebhookFormatArg::Slack => WebhookFormat::Slack,
    };
    for url in &args.webhook {
        let sink = WebhookSink::new(url, webhook_format, Retry::default())
            .map_err(|e| anyhow::anyhow!(e))?;
        p.add_sink(Box::new(sink));
    }
    for target in &args.syslog {
        p.add_sink(Box::new(SyslogSink::new(target.clone())));
    }
    Ok(p)
}

/// Warns about outputs that could not deliver every alert.
pub(crate) fn warn_undelivered(report: &PipelineReport) {
    for (name, s) in &report.outputs {
        if s.failed > 0 || s.dropped > 0 {
            eprintln!(
                "rampart: warning: {name}: {} alerts not delivered ({} failed, {} dropped)",
                s.failed + s.dropped,
                s.failed,
                s.dropped
            );
        }
    }
}

/// Counts of one `rampart detect` run.
#[derive(Default)]
struct Counts {
    events: u64,
    bad: u64,
    /// The latest alert time: noise control's clock.
    now: u64,
}

/// Runs one event (or bad record) through the detector and the pipeline.
fn process(
    item: Result<Event, (usize, String)>,
    name: &str,
    args: &DetectArgs,
    detector: &mut Detector,
    pipeline: &mut AlertPipeline,
    alerts: &mut Vec<Alert>,
    counts: &mut Counts,
) -> std::result::Result<(), Closed> {
    let ev = match item {
        Ok(ev) => ev,
        Err((line, reason)) => {
            counts.bad += 1;
            if !args.quiet && counts.bad <= 10 {
                eprintln!("rampart: warning: {name}: record {line}: {reason}");
            }
            return Ok(());
        }
    };
    counts.events += 1;
    alerts.clear();
    detector.detect(&ev, alerts);
    if !alerts.is_empty() {
        let now = if ev.time > 0 { ev.time } else { now_ns() };
        counts.now = counts.now.max(now);
        for a in alerts.iter() {
            pipeline.submit(a, now)?;
        }
    }
    Ok(())
}

/// `rampart detect`.
pub fn detect(args: &DetectArgs) -> Result<u8> {
    let start = Instant::now();
    let rules = load_reporting(&args.rules, args.quiet, args.strict)?;
    let hostname = hostname();
    let format = match args.input_format {
        InputFormatArg::Auto => InputFormat::Auto,
        InputFormatArg::Rampart => InputFormat::Rampart,
        InputFormatArg::K8sAudit => InputFormat::K8sAudit,
        InputFormatArg::Cloudtrail => InputFormat::Cloudtrail,
        InputFormatArg::Jsonl => InputFormat::Jsonl,
    };
    let mut detector = Detector::new(rules.falco.map(|r| r.0), rules.sigma.map(|r| r.0));
    detector.set_hostname(hostname);
    detector.set_profiling(args.stats);
    let mut pipeline = pipeline(&args.alerts)?;
    let mut counts = Counts::default();
    let mut alerts: Vec<Alert> = Vec::new();
    let run = if let Some(addr) = &args.listen {
        let tls = match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Some(receiver::tls_config(cert, key)?),
            _ => None,
        };
        let server = AuditReceiver::bind(addr, tls.clone())?;
        let local = server.local_addr().with_context(|| addr.clone())?;
        if !args.quiet {
            let scheme = if tls.is_some() { "https" } else { "http" };
            eprintln!("rampart: listening for Kubernetes audit events on {scheme}://{local}");
        }
        let batches = server.spawn(format);
        (|| {
            for batch in batches {
                let name = batch.peer.to_string();
                for item in batch.events {
                    process(
                        item,
                        &name,
                        args,
                        &mut detector,
                        &mut pipeline,
                        &mut alerts,
                        &mut counts,
                    )?;
                }
                pipeline.flush()?;
            }
            Ok(())
        })()
    } else {
        let mut inputs: Vec<(String, Box<dyn std::io::Read>)> = Vec::new();
        if args.inputs.is_empty() {
            inputs.push(("<stdin>".into(), Box::new(std::io::stdin())));
        }
        for p in &args.inputs {
            let f = std::fs::File::open(p).with_context(|| p.display().to_string())?;
            inputs.push((p.display().to_string(), Box::new(f)));
        }
        (|| {
            for (name, reader) in inputs {
                let mut events = read_events(reader, format);
                while let Some(item) = events.next() {
                    process(
                        item,
                        &name,
                        args,
                        &mut detector,
                        &mut pipeline,
                        &mut alerts,
                        &mut counts,
                    )?;
                    // About to wait for input: deliver what is buffered first.
                    if !events.has_buffered() {
                        pipeline.flush()?;
                    }
                }
            }
            Ok(())
        })()
    };
    // A closed stdout (`| head`) ends the run quietly.
    let end = if counts.now > 0 { counts.now } else { now_ns() };
    let report = match run.and_then(|()| pipeline.finish(end)) {
        Ok(r) => r,
        Err(Closed { .. }) => return Ok(0),
    };
    let Counts { events, bad, .. } = counts;
    if bad > 0 && !args.quiet {
        eprintln!("rampart: warning: {bad} records were not events and were skipped");
    }
    if !args.quiet {
        warn_undelivered(&report);
    }
    if args.stats {
        let secs = start.elapsed().as_secs_f64();
        let (_, raised) = detector.counts();
        eprintln!(
            "events {events}, skipped {bad}, alerts {raised}, {secs:.3} s ({:.0} events/s)",
            events as f64 / secs.max(1e-9)
        );
        eprintln!(
            "delivered {}, suppressed {} ({} duplicates, {} over the rate limit), {} summary alerts",
            report.delivered,
            report.duplicates + report.rate_limited,
            report.duplicates,
            report.rate_limited,
            report.summaries
        );
        for (name, s) in &report.outputs {
            eprintln!(
                "output {name}: sent {}, failed {}, dropped {}, retries {}",
                s.sent, s.failed, s.dropped, s.retries
            );
        }
        eprintln!(
            "{:>10} {:>8} {:>10} {:>10}  engine rule",
            "evaluated", "matched", "suppressed", "time ms"
        );
        for row in detector.rule_costs() {
            let suppressed = report
                .suppressed
                .get(&row.rule)
                .map_or(0, |s| s.duplicates + s.rate_limited);
            eprintln!(
                "{:>10} {:>8} {:>10} {:>10.3}  {:<6} {}",
                row.cost.evaluated,
                row.cost.matched,
                suppressed,
                row.cost.nanos as f64 / 1e6,
                row.engine,
                row.rule
            );
        }
    }
    Ok(0)
}
