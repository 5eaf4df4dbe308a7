//! `rampart detect --listen` as the Kubernetes API server's audit webhook backend: the test
//! makes a self-signed certificate (openssl), starts rampart on 127.0.0.1 with a port it
//! picks, POSTs one `audit.k8s.io/v1` EventList of Falco's real k8s-audit trace events over
//! HTTPS, and expects exactly the alerts Falco's own regression cases expect of those
//! traces with the pinned rules.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// Per trace file: the alerts per rule Falco's regression cases expect with the pinned
/// k8s-audit rules alone (cases with other rule files or options are left out).
fn expectations(base: &Path) -> BTreeMap<String, BTreeMap<String, u64>> {
    let text = std::fs::read_to_string(base.join("test/falco_k8s_audit_tests.yaml")).unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mux = match &doc["trace_files"] {
        serde_yaml::Value::Tagged(t) => t.value.clone(),
        v => v.clone(),
    };
    let mut out: BTreeMap<String, Option<BTreeMap<String, u64>>> = BTreeMap::new();
    for (_, case) in mux.as_mapping().unwrap() {
        let files: Vec<&str> = case["rules_file"]
            .as_sequence()
            .map(|s| s.iter().filter_map(|f| f.as_str()).collect())
            .unwrap_or_default();
        let pinned_only = !files.is_empty()
            && files.iter().all(|f| f.starts_with("BUILD_DIR"))
            && files.iter().any(|f| f.ends_with("/k8s_audit_rules.yaml"));
        let opts = case["addl_cmdline_opts"].as_str().unwrap_or_default();
        let Some(trace) = opts
            .strip_prefix("-o plugins[0].open_params=")
            .filter(|t| !t.contains(' '))
        else {
            continue;
        };
        if !pinned_only {
            continue;
        }
        let detect = case["detect"].as_bool().unwrap_or(false);
        let mut counts = BTreeMap::new();
        for c in case["detect_counts"].as_sequence().into_iter().flatten() {
            for (rule, n) in c.as_mapping().unwrap() {
                counts.insert(rule.as_str().unwrap().to_string(), n.as_u64().unwrap());
            }
        }
        if detect && counts.is_empty() {
            continue;
        }
        // Two cases on one trace must agree; if not, leave the trace out.
        let slot = out.entry(trace.to_string()).or_insert(Some(counts.clone()));
        if slot.as_ref() != Some(&counts) {
            *slot = None;
        }
    }
    out.into_iter().filter_map(|(t, c)| Some((t, c?))).collect()
}

/// A self-signed certificate for 127.0.0.1 (not a CA, as TLS clients require of a leaf).
fn self_signed(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl must be installed (scripts/setup installs it)");
    assert!(status.success());
    (cert, key)
}

#[test]
fn https_audit_webhook_fires_the_expected_rules() {
    let Some(base) = corpus("falco-legacy-regression-tests") else {
        return;
    };
    let expected_per_trace = expectations(&base);
    assert!(expected_per_trace.len() >= 20, "{expected_per_trace:?}");
    // One EventList of every trace's events, as the API server batches them.
    let mut items = Vec::new();
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for (trace, counts) in &expected_per_trace {
        let text = std::fs::read_to_string(base.join("test").join(trace)).unwrap();
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        match v["kind"].as_str() {
            Some("EventList") => items.extend(v["items"].as_array().unwrap().iter().cloned()),
            _ => items.push(v),
        }
        for (rule, n) in counts {
            *expected.entry(rule.clone()).or_default() += n;
        }
    }
    let total: u64 = expected.values().sum();
    assert!(total >= 10, "{expected:?}");
    let body = serde_json::json!({
        "kind": "EventList",
        "apiVersion": "audit.k8s.io/v1",
        "metadata": {},
        "items": items,
    })
    .to_string();

    let tmp = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed(tmp.path());
    let rules = base.join("rules-used-by-these-tests/k8s_audit_rules.k8saudit-0.6.0.yaml");
    let mut child = rampart()
        .args(["detect", "--format", "json", "--listen", "127.0.0.1:0"])
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .arg("--rules")
        .arg(&rules)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let url = loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "rampart exited");
        if let Some(at) = line.find("https://") {
            break format!("{}/k8s-audit", line[at..].trim());
        }
    };
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines() {
            if tx.send(l.unwrap()).is_err() {
                break;
            }
        }
    });

    // The test's client trusts only the test's certificate.
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(&cert).unwrap())
        .unwrap();
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let agent = ureq::AgentBuilder::new()
        .tls_config(Arc::new(tls))
        .timeout(Duration::from_secs(60))
        .build();
    let resp = agent
        .post(&url)
        .set("Content-Type", "application/json")
        .send_string(&body)
        .unwrap();
    assert_eq!(resp.status(), 200);

    let mut got: BTreeMap<String, u64> = BTreeMap::new();
    for _ in 0..total {
        let l = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("only {got:?} of {expected:?}"));
        let a: serde_json::Value = serde_json::from_str(&l).unwrap();
        assert_eq!(a["source"], "k8s_audit");
        *got.entry(a["rule"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    assert_eq!(got, expected);
    // Plain HTTP is refused by the TLS listener; nothing more arrives.
    let plain = url.replacen("https://", "http://", 1);
    assert!(ureq::post(&plain).send_string(&body).is_err());
    assert!(rx.recv_timeout(Duration::from_millis(500)).is_err());
    child.kill().unwrap();
    child.wait().unwrap();
}
