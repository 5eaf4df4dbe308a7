//! Falco matching speed: every upstream syscall rule (stable, incubating and sandbox files
//! of falco-rules) over a generated, deterministic mix of process, file and network
//! events, with all rules alerting (`MatchMode::All`); and cost growth with 10, 100 and
//! 1,000 rules generated from the upstream rules (Falco's default `MatchMode::First` and
//! `MatchMode::All`).

mod support;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rampart_detect::event::Event;
use rampart_detect::falco::{MatchMode, Ruleset};
use std::hint::black_box;
use std::time::Duration;

fn pass(rs: &Ruleset, evs: &[Event]) -> usize {
    let mut alerts = Vec::new();
    for e in evs {
        rs.matches(black_box(e), &mut alerts);
    }
    alerts.len()
}

fn bench(c: &mut Criterion) {
    let Some(files) = support::upstream_syscall_files() else {
        eprintln!("falco-rules corpus missing; nothing to measure");
        return;
    };
    let (mut ruleset, report) = support::load(&files);
    ruleset.set_match_mode(MatchMode::All);
    let evs = support::syscall_events(10_000);
    eprintln!(
        "falco bench: {} rules compiled ({:?} ok/unsupported/error); {} alerts per pass over {} events",
        ruleset.len(),
        report.counts(),
        pass(&ruleset, &evs),
        evs.len()
    );
    let mut g = c.benchmark_group("falco");
    g.throughput(Throughput::Elements(evs.len() as u64));
    g.bench_function("upstream_syscall_rules_10k_events", |b| {
        b.iter(|| black_box(pass(&ruleset, &evs)))
    });
    g.finish();

    let mut g = c.benchmark_group("falco_growth");
    g.throughput(Throughput::Elements(evs.len() as u64));
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(3));
    for n in [10usize, 100, 1000] {
        let Some(mut rs) = support::variant_ruleset(n) else {
            return;
        };
        for mode in [MatchMode::First, MatchMode::All] {
            rs.set_match_mode(mode);
            g.bench_with_input(BenchmarkId::new(format!("{mode:?}"), n), &n, |b, _| {
                b.iter(|| black_box(pass(&rs, &evs)))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
