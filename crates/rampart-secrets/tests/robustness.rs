//! Bad input never panics and never takes super-linear time; no output ever carries a
//! planted secret.

mod common;

use rampart_secrets::{Config, Scanner, Stats};
use std::time::{Duration, Instant};

fn slow_tests() -> bool {
    std::env::var("RAMPART_SLOW_TESTS").map_or(true, |v| v != "0")
}

/// A 200 MB buffer with no newline, dense with keywords and near-miss tokens, finishes
/// in bounded time (linear: the whole scan is a few passes over the bytes).
#[test]
fn single_line_200mb() {
    if !slow_tests() {
        return;
    }
    let unit = b"password=\"x\" ghp_short AKIA key-123 token: eyJhbGciOi. secret=abc ";
    let target = 200 * 1024 * 1024;
    let mut data = Vec::with_capacity(target + unit.len());
    while data.len() < target {
        data.extend_from_slice(unit);
    }
    // One real token in the middle of the line.
    let token = b"ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A";
    let mid = data.len() / 2;
    data.splice(
        mid..mid,
        b" ".iter().chain(token.iter()).chain(b" ".iter()).copied(),
    );
    let cfg = Config {
        max_file_size: 1 << 30,
        ..Config::default()
    };
    let scanner = Scanner::new(&cfg).unwrap();
    let mut out = Vec::new();
    let mut stats = Stats::default();
    let start = Instant::now();
    scanner.scan("one-line.txt", &data, &mut out, &mut stats);
    let took = start.elapsed();
    println!("200 MB single line: {took:?}, {} findings", out.len());
    assert!(took < Duration::from_secs(300), "took {took:?}");
    let ids: Vec<_> = out.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(ids, ["secret-github-pat"]);
    assert_eq!(out[0].line, 1);
    assert_eq!(stats.bytes_scanned, data.len() as u64);
}

/// Oversize files are skipped and counted, with a diagnostic naming the file.
#[test]
fn oversize_is_counted() {
    let cfg = Config {
        max_file_size: 10,
        ..Config::default()
    };
    let scanner = Scanner::new(&cfg).unwrap();
    let mut out = Vec::new();
    let mut stats = Stats::default();
    scanner.scan(
        "big.txt",
        b"ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A",
        &mut out,
        &mut stats,
    );
    assert!(out.is_empty());
    assert_eq!(stats.skipped_oversize, 1);
    assert_eq!(stats.diagnostics.len(), 1);
    assert!(stats.diagnostics[0].to_string().starts_with("big.txt: "));
}

/// Random binary: skipped as binary and counted; a PEM key or PKCS#12 inside is still found.
#[test]
fn random_binary_and_magic() {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut data: Vec<u8> = (0..4 * 1024 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    data[10] = 0;
    let mut out = Vec::new();
    let mut stats = Stats::default();
    let s = common::scanner();
    s.scan("blob.bin", &data, &mut out, &mut stats);
    assert_eq!(stats.skipped_binary, 1);
    assert_eq!(stats.files_scanned, 0);
    let key = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        "MIIEowIBAAKCAQEAq7BFUpkGp3+LQmlQYx2eqzDV+xeG8kx/sQFV18S5JwM4pXoz".repeat(3)
    );
    data.splice(1000..1000, key.bytes());
    s.scan("blob.bin", &data, &mut out, &mut stats);
    let ids: Vec<_> = out.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(ids, ["secret-private-key-rsa"]);
    let mut p12 = vec![
        0x30, 0x82, 0x09, 0x80, 0x02, 0x01, 0x03, 0x30, 0x82, 0x09, 0x46,
    ];
    p12.extend_from_slice(&[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
    ]);
    p12.extend_from_slice(&[0u8; 64]);
    out.clear();
    s.scan("cert.p12", &p12, &mut out, &mut stats);
    let ids: Vec<_> = out.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(ids, ["secret-private-key-pkcs12"]);
}

/// Invalid UTF-8 around a token: found, with the right line and column.
#[test]
fn invalid_utf8() {
    let mut data = b"\xff\xfe\xfd garbage \xc3\x28\n\x80\x81 token=".to_vec();
    data.extend_from_slice(b"npm_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A");
    data.extend_from_slice(b" \xf0\x28\x8c\x28\n");
    let f = common::scan("weird.txt", &data);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule_id, "secret-npm-access-token");
    assert_eq!((f[0].line, f[0].column), (2, 10));
}

/// Every serialized or printed form of findings and stats is free of the planted values.
#[test]
fn no_secret_in_any_output() {
    let planted = [
        "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dcXq9Lm2",
        "Zq8mR2vL9xKt4Np7",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8mR2vL9x",
    ];
    let text = format!(
        "GITHUB={}\nSTRIPE={}\ndb_password = \"{}\"\naws_access_key_id = AKIAZQ3DRN7P2LVX5K4T\naws_secret_access_key = {}\npostgres://app:{}@db.internal/app\n",
        planted[0], planted[1], planted[2], planted[3], planted[2]
    );
    let mut out = Vec::new();
    let mut stats = Stats::default();
    common::scanner().scan("app/.env", text.as_bytes(), &mut out, &mut stats);
    let ids: Vec<_> = out.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "secret-github-pat",
            "secret-stripe-secret-key",
            "secret-generic-password",
            "secret-aws-access-key-id",
            "secret-aws-access-key-pair",
            "secret-postgres-url-password"
        ]
    );
    let mut dumps = vec![
        serde_json::to_string(&out).unwrap(),
        serde_json::to_string(&stats).unwrap(),
        format!("{out:?}"),
        format!("{stats:?}"),
        format!("{:?}", common::scanner()),
    ];
    dumps.extend(out.iter().map(|f| f.to_string()));
    for dump in &dumps {
        for secret in planted {
            // Neither the value nor any 8-character piece of it may appear.
            for piece in secret.as_bytes().windows(8) {
                let piece = std::str::from_utf8(piece).unwrap();
                assert!(!dump.contains(piece), "{piece:?} leaked in {dump}");
            }
        }
    }
}

/// Scanning from several threads at once gives the same findings.
#[test]
fn scanner_shared_across_threads() {
    let text = "t = ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A\n".repeat(100);
    let counts: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| common::scan("a.txt", text.as_bytes()).len()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(counts, [100, 100, 100, 100]);
}
