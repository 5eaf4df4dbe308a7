//! Throughput of the secret scanner over a generated ~50 MB source-like corpus with a
//! few planted secrets. The corpus is deterministic (fixed seed), so runs compare.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_secrets::{Config, Scanner, Stats};
use std::hint::black_box;

const LINES: &[&str] = &[
    "use std::collections::HashMap;",
    "fn handle_request(req: &Request, cfg: &Config) -> Result<Response, Error> {",
    "    let user = req.header(\"x-user\").unwrap_or_default();",
    "    let password = cfg.get(\"db.password\")?; // read from the vault at start-up",
    "    if items.len() > MAX_ITEMS { return Err(Error::TooMany(items.len())); }",
    "    for (key, value) in map.iter() { println!(\"{key} = {value}\"); }",
    "    const TIMEOUT_MS: u64 = 30_000;",
    "    // TODO: move the api_key lookup into the token service",
    "    let token = auth::bearer_token(&req)?;",
    "    self.secret_store.fetch(&name).await.map_err(Error::Store)?",
    "}",
    "",
    "import os, sys, json",
    "def load(path):\n    with open(path) as fh:\n        return json.load(fh)",
    "    url = f\"https://{host}:{port}/v1/items?limit={limit}\"",
    "    logger.info(\"connected to %s as %s\", host, user)",
    "  image: registry.internal/app:1.4.2",
    "  env:\n    - name: DB_HOST\n      value: postgres.internal",
    "<div class=\"container\"><span id=\"total\">{{ total }}</span></div>",
    "SELECT id, name, created_at FROM users WHERE tenant_id = $1 ORDER BY id;",
];

const PLANTED: &[&str] = &[
    "GITHUB_TOKEN=ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A",
    "stripe_key = \"sk_live_4eC39HqLyjWDarjtT1zdp7dcXq9Lm2\"",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8mR2vL9x",
    "DATABASE_URL=postgres://app:Zq8mR2vL9xKt4Np7@db.internal:5432/app",
];

fn corpus(size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 256);
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut n = 0usize;
    while out.len() < size {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let line = LINES[(x % LINES.len() as u64) as usize];
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
        n += 1;
        if n.is_multiple_of(100_000) {
            out.extend_from_slice(PLANTED[(n / 100_000) % PLANTED.len()].as_bytes());
            out.push(b'\n');
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let data = corpus(50 * 1024 * 1024);
    let scanner = Scanner::new(&Config {
        max_file_size: 1 << 30,
        ..Config::default()
    })
    .expect("rules compile");
    let mut group = c.benchmark_group("secrets");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.sample_size(10);
    group.bench_function("scan_50mb_source", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            let mut stats = Stats::default();
            scanner.scan("corpus.txt", black_box(&data), &mut out, &mut stats);
            black_box(out.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
