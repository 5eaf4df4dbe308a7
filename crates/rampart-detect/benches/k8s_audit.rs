//! Kubernetes audit lines per second, JSON parsing included: the real audit events of
//! Falco's regression traces, one per line, read with `InputFormat::K8sAudit` and matched
//! by a `Detector` holding the Falco k8s-audit rules and the SigmaHQ Kubernetes rules.

mod support;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_detect::input::{InputFormat, read_events};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let Some(mut det) = support::k8s_detector() else {
        eprintln!("corpus missing; nothing to measure");
        return;
    };
    let one = support::k8s_audit_lines();
    let n_one = one.lines().count();
    // Enough lines that reader start-up does not count.
    let lines = one.repeat(20);
    let n = n_one * 20;
    let mut alerts = Vec::new();
    for ev in read_events(one.as_bytes(), InputFormat::K8sAudit).flatten() {
        det.detect(&ev, &mut alerts);
    }
    eprintln!(
        "k8s audit bench: {n_one} events, {} alerts per pass",
        alerts.len()
    );
    let mut g = c.benchmark_group("k8s_audit");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("parse_and_detect", |b| {
        b.iter(|| {
            let mut alerts = Vec::new();
            for ev in read_events(lines.as_bytes(), InputFormat::K8sAudit).flatten() {
                det.detect(black_box(&ev), &mut alerts);
            }
            black_box(alerts.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
