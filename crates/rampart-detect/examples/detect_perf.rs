//! Throughput measurements outside criterion, for profiling and for `bench/detect.sh`.
//!
//! - `detect_perf falco [PASSES]`: upstream syscall rules over the generated event mix.
//! - `detect_perf growth`: events/s with 10, 100 and 1,000 rule variants.
//! - `detect_perf k8s [PASSES]`: Kubernetes audit lines/s (JSON parsing included) with the
//!   Falco k8s-audit rules and the SigmaHQ Kubernetes rules.
//! - `detect_perf sigma [--matches OUT] FILE.ndjson RULEDIR...`: CloudTrail records/s
//!   (parsing included) with the Sigma rules under the directories; with `--matches`,
//!   writes `record-number<TAB>rule id` per match, sorted, for comparison with rsigma.

#[path = "../benches/support/mod.rs"]
mod support;

use rampart_detect::engine::Detector;
use rampart_detect::falco::MatchMode;
use rampart_detect::input::{InputFormat, read_events};
use std::hint::black_box;
use std::time::Instant;

/// The allocator the `rampart` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// CPU time of this thread so far (`/proc/thread-self/schedstat`), in seconds: on a busy
/// machine, events per CPU-second is the per-core figure; wall time also counts waiting.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

/// Runs `f` and returns (wall seconds, CPU seconds).
fn timed(f: impl FnOnce()) -> (f64, f64) {
    let (t, c) = (Instant::now(), cpu_secs());
    f();
    (t.elapsed().as_secs_f64(), cpu_secs() - c)
}

fn falco(passes: usize) {
    let Some(files) = support::upstream_syscall_files() else {
        eprintln!("falco-rules corpus missing");
        std::process::exit(2);
    };
    let (mut rs, report) = support::load(&files);
    rs.set_match_mode(MatchMode::All);
    // The same mix twice: 10,000 pre-built events (~9 MB, so each is cold in the cache when
    // its turn comes), and 1,000 (hot, as an event is in a pipeline that matches it right
    // after decoding it), each over the same number of events in all.
    for (n_events, label) in [(10_000, "cold"), (1_000, "hot")] {
        let evs = support::syscall_events(n_events);
        let passes = passes * 10_000 / n_events;
        let mut alerts = Vec::new();
        let mut total = 0;
        // Alerts are counted and dropped per event, as the CLI's pipeline hands each event's
        // alerts on before the next event.
        let (wall, cpu) = timed(|| {
            for _ in 0..passes {
                for e in &evs {
                    rs.matches(black_box(e), &mut alerts);
                    total += alerts.len();
                    alerts.clear();
                }
            }
        });
        let n = (evs.len() * passes) as f64;
        println!(
            "falco ({n_events} events, {label}): {:?} rules ok/unsupported/error, {} alerts per 10,000 events, {:.0} events/s wall, {:.0} events/CPU-s",
            report.counts(),
            total * 10_000 / (evs.len() * passes).max(1),
            n / wall,
            n / cpu
        );
    }
}

/// Per-rule costs (`detect_perf profile [k8s]`): the syscall run, or the Kubernetes audit run.
fn profile(k8s: bool) {
    let (mut det, events) = if k8s {
        let Some(det) = support::k8s_detector() else {
            std::process::exit(2);
        };
        let lines = support::k8s_audit_lines();
        let evs: Vec<_> = read_events(lines.as_bytes(), InputFormat::K8sAudit)
            .flatten()
            .collect();
        (det, evs)
    } else {
        let Some(files) = support::upstream_syscall_files() else {
            std::process::exit(2);
        };
        let (mut rs, _) = support::load(&files);
        rs.set_match_mode(MatchMode::All);
        (
            Detector::new(Some(rs), None),
            support::syscall_events(10_000),
        )
    };
    det.set_profiling(true);
    let mut alerts = Vec::new();
    for _ in 0..5 {
        for e in &events {
            det.detect(e, &mut alerts);
            alerts.clear();
        }
    }
    let rows = det.rule_costs();
    let evaluated: u64 = rows.iter().map(|r| r.cost.evaluated).sum();
    let nanos: u128 = rows.iter().map(|r| u128::from(r.cost.nanos)).sum();
    println!(
        "{} rules evaluated, {evaluated} evaluations over {} events, {nanos} ns in rules (timer included)",
        rows.len(),
        events.len() * 5
    );
    for row in rows.iter().take(25) {
        println!("{row:?}");
    }
}

fn growth() {
    let evs = support::syscall_events(10_000);
    for n in [10, 100, 1000] {
        let Some(mut rs) = support::variant_ruleset(n) else {
            eprintln!("falco-rules corpus missing");
            std::process::exit(2);
        };
        for mode in [MatchMode::First, MatchMode::All] {
            rs.set_match_mode(mode);
            let mut alerts = Vec::new();
            let passes = 20;
            let t = Instant::now();
            for _ in 0..passes {
                alerts.clear();
                for e in &evs {
                    rs.matches(black_box(e), &mut alerts);
                }
            }
            let secs = t.elapsed().as_secs_f64();
            println!(
                "growth: {n} rules, {mode:?}: {} alerts/pass, {:.0} events/s",
                alerts.len(),
                (evs.len() * passes) as f64 / secs
            );
        }
    }
}

fn k8s(passes: usize) {
    let Some(mut det) = support::k8s_detector() else {
        eprintln!("corpus missing");
        std::process::exit(2);
    };
    let Some((falco, sigma)) = support::k8s_rulesets() else {
        return;
    };
    let mut only_falco = Detector::new(Some(falco), None);
    let mut only_sigma = Detector::new(None, Some(sigma));
    let lines = support::k8s_audit_lines().repeat(20);
    let n = lines.lines().count();
    let mut alerts = Vec::new();
    let mut total = 0;
    // Each measure is the best of three rounds of `passes` passes, in CPU time of this
    // thread (the build machine is a shared VM).
    let best = |f: &mut dyn FnMut()| {
        (0..3)
            .map(|_| timed(&mut *f))
            .fold((f64::MAX, f64::MAX), |(w, c), (w2, c2)| {
                (w.min(w2), c.min(c2))
            })
    };
    let mut run = |det: Option<&mut Detector>, total: &mut usize| {
        let mut det = det;
        for _ in 0..passes {
            for ev in read_events(lines.as_bytes(), InputFormat::K8sAudit).flatten() {
                if let Some(d) = det.as_deref_mut() {
                    d.detect(black_box(&ev), &mut alerts);
                    *total += alerts.len();
                    alerts.clear();
                } else {
                    black_box(&ev);
                }
            }
        }
    };
    let (wall, cpu) = best(&mut || run(Some(&mut det), &mut total));
    let (_, read) = best(&mut || run(None, &mut 0));
    let (_, falco) = best(&mut || run(Some(&mut only_falco), &mut 0));
    let (_, sigma) = best(&mut || run(Some(&mut only_sigma), &mut 0));
    let lines_run = (n * passes) as f64;
    println!(
        "k8s audit: {n} lines/pass, {} alerts/pass, {:.0} lines/s wall, {:.0} lines/CPU-s",
        total / (3 * passes).max(1),
        lines_run / wall,
        lines_run / cpu
    );
    let per = |s: f64| s * 1e9 / lines_run;
    println!(
        "k8s audit per line (CPU): {:.0} ns in all, reading {:.0} ns, falco rules {:.0} ns, sigma rules {:.0} ns",
        per(cpu),
        per(read),
        per(falco - read),
        per(sigma - read)
    );
}

fn sigma(args: &[String]) {
    let mut matches_out = None;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--matches" {
            matches_out = it.next().cloned();
        } else {
            rest.push(a.clone());
        }
    }
    let Some((file, dirs)) = rest.split_first() else {
        eprintln!("usage: detect_perf sigma [--matches OUT] FILE.ndjson RULEDIR...");
        std::process::exit(2);
    };
    let dirs: Vec<std::path::PathBuf> = dirs.iter().map(Into::into).collect();
    let sigma = support::load_sigma_dirs(&dirs);
    let mut det = Detector::new(None, Some(sigma));
    let bytes = std::fs::read(file).unwrap_or_else(|e| {
        eprintln!("{file}: {e}");
        std::process::exit(2);
    });
    let t = Instant::now();
    let mut alerts = Vec::new();
    let mut records = 0usize;
    let mut hits = Vec::new();
    for ev in read_events(bytes.as_slice(), InputFormat::Cloudtrail).flatten() {
        records += 1;
        alerts.clear();
        det.detect(&ev, &mut alerts);
        if matches_out.is_some() {
            for a in &alerts {
                let id = a.output_fields.get("sigma.id").and_then(|v| v.as_str());
                hits.push(format!("{records}\t{}", id.unwrap_or(&a.rule)));
            }
        }
    }
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "sigma: {} rules, {records} records, {} matches, {:.0} records/s",
        det.sigma().map_or(0, |s| s.len()),
        det.counts().1,
        records as f64 / secs
    );
    if let Some(out) = matches_out {
        hits.sort();
        let mut text = hits.join("\n");
        text.push('\n');
        if let Err(e) = std::fs::write(&out, text) {
            eprintln!("{out}: {e}");
            std::process::exit(2);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("falco") => falco(args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20)),
        Some("growth") => growth(),
        Some("profile") => profile(args.get(1).is_some_and(|a| a == "k8s")),
        Some("k8s") => k8s(args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20)),
        Some("sigma") => sigma(&args[1..]),
        _ => {
            eprintln!("usage: detect_perf falco [PASSES] | growth | k8s [PASSES] | sigma ...");
            std::process::exit(2);
        }
    }
}
