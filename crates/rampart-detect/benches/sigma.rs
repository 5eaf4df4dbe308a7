//! Sigma evaluation speed: the SigmaHQ AWS CloudTrail rules over the CloudTrail records of
//! the corpus (OTRF's S3 exfiltration recording and Falco's RunInstances traces).
//!
//! Three figures: records/s with records already parsed (the engine alone), records/s
//! from JSON lines parsed into `serde_json::Value` (parse + evaluate), and records/s from
//! JSON lines read in place as [`RawJson`] (what the detector does, comparable to a CLI
//! reading a log).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_detect::rawjson::RawJson;
use rampart_detect::sigma::{JsonDoc, LogSource, load_sigma};
use std::hint::black_box;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn yml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for p in rd.filter_map(Result::ok).map(|e| e.path()) {
        if p.is_dir() {
            yml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yml") {
            out.push(p);
        }
    }
}

fn bench(c: &mut Criterion) {
    let root = Path::new(CORPUS);
    let mut paths = Vec::new();
    yml_files(&root.join("sigma-rules/rules/cloud/aws"), &mut paths);
    let files: Vec<(String, String)> = paths
        .iter()
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(p).ok()?)))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let (rules, _) = load_sigma(&refs);
    let mut lines = String::new();
    for f in [
        "otrf-security-datasets/aws/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "falco-legacy-regression-tests/test/trace_files/plugins/alice_start_instances.json",
    ] {
        if let Ok(text) = std::fs::read_to_string(root.join(f)) {
            for v in serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>() {
                let Ok(v) = v else { break };
                // One record per line, whatever the file's layout.
                match v.get("Records").and_then(|r| r.as_array()) {
                    Some(records) => records.iter().for_each(|r| {
                        lines.push_str(&r.to_string());
                        lines.push('\n');
                    }),
                    None => {
                        lines.push_str(&v.to_string());
                        lines.push('\n');
                    }
                }
            }
        }
    }
    let records: Vec<serde_json::Value> = lines
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    if rules.is_empty() || records.is_empty() {
        eprintln!("note: corpus missing under {CORPUS}; nothing to measure");
        return;
    }
    eprintln!(
        "{} AWS rules, {} CloudTrail records",
        rules.len(),
        records.len()
    );
    let mut g = c.benchmark_group("sigma_aws_cloudtrail");
    g.throughput(Throughput::Elements(records.len() as u64));
    g.bench_function("evaluate", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            for r in &records {
                out.clear();
                rules.matches(LogSource::AWS_CLOUDTRAIL, &JsonDoc(r), &mut out);
                black_box(out.len());
            }
        })
    });
    g.bench_function("parse_and_evaluate", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            for l in lines.lines() {
                let Ok(r) = serde_json::from_str::<serde_json::Value>(l) else {
                    continue;
                };
                out.clear();
                rules.matches(LogSource::AWS_CLOUDTRAIL, &JsonDoc(&r), &mut out);
                black_box(out.len());
            }
        })
    });
    // What the detector does: each record read in place (no `serde_json::Value`).
    g.bench_function("rawjson_parse_and_evaluate", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            for l in lines.lines() {
                let Ok(r) = RawJson::parse(l) else {
                    continue;
                };
                out.clear();
                rules.matches(LogSource::AWS_CLOUDTRAIL, &r.root(), &mut out);
                black_box(out.len());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
