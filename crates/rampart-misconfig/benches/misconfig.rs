//! Throughput of the Kubernetes, Dockerfile and Terraform checks on real inputs: every Checkov
//! Kubernetes fixture (about 300 files), its Terraform fixtures (about 570 files) and the Pod
//! Security Standards v1.37 fixtures, read
//! from the shared corpus when present, else rampart's own fixtures.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_misconfig::policy::input::{Input, yaml_inputs};
use rampart_misconfig::policy::{DataFile, PolicyConfig, load_policies};
use rampart_misconfig::{
    Config, Level, PssVersion, pss_verdict, scan_dockerfile, scan_k8s, scan_terraform_files,
};
use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn read_tree(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            read_tree(&p, out);
        } else if let Ok(text) = std::fs::read_to_string(&p) {
            out.push((p.display().to_string(), text));
        }
    }
}

fn inputs(sub: &str, fallback: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v = Vec::new();
    read_tree(&Path::new(CORPUS).join(sub), &mut v);
    if v.is_empty() {
        v = fallback
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
    }
    v
}

fn bench(c: &mut Criterion) {
    let k8s = inputs(
        "checkov-test-fixtures/kubernetes/checks",
        &[("shop.yaml", include_str!("../tests/fixtures/k8s/shop.yaml"))],
    );
    let bytes: usize = k8s.iter().map(|(_, t)| t.len()).sum();
    let cfg = Config::default();
    let mut g = c.benchmark_group("k8s");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("scan_checkov_fixtures", |b| {
        b.iter(|| {
            k8s.iter()
                .filter_map(|(p, t)| scan_k8s(p, t, &cfg).ok())
                .map(|(f, _)| f.len())
                .sum::<usize>()
        })
    });
    let pss = inputs("pod-security-standards/test/testdata/restricted", &[]);
    let pss_bytes: usize = pss.iter().map(|(_, t)| t.len()).sum();
    g.throughput(Throughput::Bytes(pss_bytes.max(1) as u64));
    g.bench_function("pss_restricted_v1_37", |b| {
        b.iter(|| {
            pss.iter()
                .filter_map(|(_, t)| pss_verdict(t, Level::Restricted, PssVersion::LATEST).ok())
                .filter(|v| v.is_empty())
                .count()
        })
    });
    g.finish();

    let docker = inputs(
        "checkov-test-fixtures/dockerfile/checks",
        &[(
            "Dockerfile",
            include_str!("../tests/fixtures/docker/Dockerfile"),
        )],
    );
    let docker_bytes: usize = docker.iter().map(|(_, t)| t.len()).sum();
    let mut g = c.benchmark_group("dockerfile");
    g.throughput(Throughput::Bytes(docker_bytes as u64));
    g.bench_function("scan_checkov_fixtures", |b| {
        b.iter(|| {
            docker
                .iter()
                .filter_map(|(p, t)| scan_dockerfile(p, t, &cfg).ok())
                .map(|(f, _)| f.len())
                .sum::<usize>()
        })
    });
    g.finish();

    // Terraform: each fixture folder is one configuration, scanned with its own files.
    let tf: Vec<(String, String)> = inputs(
        "checkov-test-fixtures/terraform/checks/resource",
        &[(
            "main.tf",
            include_str!("../tests/fixtures/terraform/main.tf"),
        )],
    )
    .into_iter()
    .filter(|(p, _)| p.ends_with(".tf"))
    .collect();
    let tf_bytes: usize = tf.iter().map(|(_, t)| t.len()).sum();
    let mut g = c.benchmark_group("terraform");
    g.throughput(Throughput::Bytes(tf_bytes as u64));
    g.bench_function("scan_checkov_fixtures", |b| {
        b.iter(|| {
            tf.iter()
                .map(|(p, t)| {
                    scan_terraform_files(&[(p.as_str(), t.as_str())], &cfg)
                        .0
                        .len()
                })
                .sum::<usize>()
        })
    });
    g.finish();

    // Rego: the example policy set (examples/policies, every namespace, with its data) over
    // every document of the Checkov Kubernetes fixtures.
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/policies");
    let mut files = Vec::new();
    read_tree(&examples, &mut files);
    let sources: Vec<(&str, &str)> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".rego"))
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let data_text = files
        .iter()
        .find(|(p, _)| p.ends_with("org.yaml"))
        .map(|(_, t)| t.as_str())
        .unwrap_or("{}");
    let data = [DataFile {
        path: "org.yaml",
        prefix: Vec::new(),
        text: data_text,
    }];
    let policy_cfg = PolicyConfig {
        all_namespaces: true,
        ..PolicyConfig::default()
    };
    let policies = load_policies(&sources, &data, &policy_cfg).expect("example policies load");
    let docs: Vec<Input> = k8s
        .iter()
        .filter_map(|(p, t)| yaml_inputs(p, t, cfg.limits).ok())
        .flatten()
        .collect();
    let mut g = c.benchmark_group("rego");
    g.throughput(Throughput::Elements(docs.len() as u64));
    g.bench_function("example_policies_on_checkov_k8s_documents", |b| {
        let mut p = policies.clone();
        b.iter(|| {
            docs.iter()
                .map(|d| p.eval(d).map(|(f, _)| f.len()).unwrap_or(0))
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
