//! `rampart detect`'s outputs, each against a real receiver started by the test on
//! 127.0.0.1: an HTTP server for the webhook (Falco JSON and Slack payloads, a retried 503),
//! a UDP socket and a TCP listener for RFC 5424 syslog, and a file appended to. Every
//! payload is compared exactly with the alert rampart printed on stdout.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::path::PathBuf;
use std::time::Duration;

/// The pinned k8s-audit rules and the privileged-pod trace.
fn k8s() -> Option<(PathBuf, PathBuf)> {
    let t = corpus("falco-legacy-regression-tests")?;
    Some((
        t.join("rules-used-by-these-tests/k8s_audit_rules.k8saudit-0.6.0.yaml"),
        t.join("test/trace_files/k8s_audit/create_nginx_pod_privileged.json"),
    ))
}

/// Runs `rampart detect --format json` over the trace with `extra` flags; returns the
/// child's pid, the alert JSON line it printed and its stderr.
fn detect(rules: &PathBuf, trace: &PathBuf, extra: &[&str]) -> (u32, String, String) {
    let child = rampart()
        .args(["detect", "--format", "json", "--stats", "--rules"])
        .arg(rules)
        .args(extra)
        .arg(trace)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    (pid, lines[0].to_string(), stderr)
}

/// One HTTP request as the server saw it.
struct Request {
    head: String,
    body: String,
}

/// A tiny HTTP/1.1 server: answers each request with the next status of `statuses` (then
/// 200), one request per connection; returns the port and the requests it got.
fn http_server(
    statuses: Vec<u16>,
) -> (
    u16,
    std::sync::mpsc::Receiver<Request>,
    std::thread::JoinHandle<()>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let mut statuses = statuses.into_iter();
        listener.set_nonblocking(false).unwrap();
        for conn in listener.incoming() {
            let mut conn = conn.unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            let mut r = BufReader::new(conn.try_clone().unwrap());
            let mut head = String::new();
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap();
                }
                head.push_str(&line);
            }
            let mut body = vec![0; len];
            r.read_exact(&mut body).unwrap();
            let status = statuses.next().unwrap_or(200);
            write!(
                conn,
                "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            conn.flush().unwrap();
            let done = status == 200;
            if tx
                .send(Request {
                    head,
                    body: String::from_utf8(body).unwrap(),
                })
                .is_err()
                || done
            {
                break;
            }
        }
    });
    (port, rx, handle)
}

#[test]
fn webhook_posts_falco_json_and_retries() {
    let Some((rules, trace)) = k8s() else { return };
    // The first attempt gets a 503; the retry is accepted.
    let (port, rx, server) = http_server(vec![503]);
    let url = format!("http://127.0.0.1:{port}/falco");
    let (_, alert, err) = detect(&rules, &trace, &["--webhook", &url]);
    server.join().unwrap();
    let got: Vec<Request> = rx.try_iter().collect();
    assert_eq!(got.len(), 2, "{err}");
    for r in &got {
        assert!(r.head.starts_with("POST /falco HTTP/1.1\r\n"), "{}", r.head);
        assert!(
            r.head
                .to_ascii_lowercase()
                .contains("content-type: application/json\r\n"),
            "{}",
            r.head
        );
        assert_eq!(r.body, alert);
    }
    assert!(
        err.contains(&format!(
            "output {url}: sent 1, failed 0, dropped 0, retries 1"
        )),
        "{err}"
    );
}

#[test]
fn webhook_slack_payload() {
    let Some((rules, trace)) = k8s() else { return };
    let (port, rx, server) = http_server(vec![]);
    let url = format!("http://127.0.0.1:{port}/hook");
    let (_, alert, _) = detect(
        &rules,
        &trace,
        &["--webhook", &url, "--webhook-format", "slack"],
    );
    server.join().unwrap();
    let got = rx.recv().unwrap();
    let a: serde_json::Value = serde_json::from_str(&alert).unwrap();
    let body: serde_json::Value = serde_json::from_str(&got.body).unwrap();
    let mut fields = vec![
        serde_json::json!({"title": "rule", "value": "Create Privileged Pod", "short": true}),
        serde_json::json!({"title": "priority", "value": "Warning", "short": true}),
        serde_json::json!({"title": "source", "value": "k8s_audit", "short": true}),
        serde_json::json!({"title": "hostname", "value": a["hostname"], "short": true}),
        serde_json::json!({"title": "tags", "value": "k8s", "short": false}),
    ];
    for (k, v) in a["output_fields"].as_object().unwrap() {
        let text = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        fields.push(serde_json::json!({"title": k, "value": text, "short": true}));
    }
    let expected = serde_json::json!({
        "text": a["output"],
        "attachments": [{
            "fallback": a["output"],
            "color": "#ffc700",
            "fields": fields,
            "footer": "rampart",
            "ts": 1540476552,
        }],
    });
    assert_eq!(body, expected);
}

#[test]
fn webhook_failure_is_counted_not_fatal() {
    let Some((rules, trace)) = k8s() else { return };
    // A port nobody listens on.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/");
    let (_, alert, err) = detect(&rules, &trace, &["--webhook", &url]);
    assert!(alert.contains("Create Privileged Pod"));
    assert!(
        err.contains(&format!(
            "rampart: warning: {url}: 1 alerts not delivered (1 failed, 0 dropped)"
        )),
        "{err}"
    );
    assert!(err.contains("retries 3"), "{err}");
}

/// The RFC 5424 message rampart sends for `alert` (JSON) from process `pid`.
fn expected_syslog(alert: &str, pid: u32) -> String {
    let a: serde_json::Value = serde_json::from_str(alert).unwrap();
    let host = a["hostname"].as_str().unwrap();
    let host = if host.is_empty() { "-" } else { host };
    assert_eq!(a["time"], "2018-10-25T14:09:12.581541000Z");
    format!(
        "<12>1 2018-10-25T14:09:12.581541Z {host} rampart {pid} alert [rampart@32473 rule=\"Create Privileged Pod\" priority=\"Warning\" source=\"k8s_audit\" tags=\"k8s\"] {}",
        a["output"].as_str().unwrap()
    )
}

#[test]
fn syslog_udp_rfc5424() {
    let Some((rules, trace)) = k8s() else { return };
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let target = format!("udp://{}", sock.local_addr().unwrap());
    let (pid, alert, err) = detect(&rules, &trace, &["--syslog", &target]);
    let mut buf = vec![0; 65536];
    let n = sock.recv(&mut buf).unwrap();
    let msg = String::from_utf8(buf[..n].to_vec()).unwrap();
    assert_eq!(msg, expected_syslog(&alert, pid));
    assert!(
        err.contains(&format!("output {target}: sent 1, failed 0")),
        "{err}"
    );
}

#[test]
fn syslog_tcp_octet_counted() {
    let Some((rules, trace)) = k8s() else { return };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = format!("tcp://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut got = String::new();
        conn.read_to_string(&mut got).unwrap();
        got
    });
    let (pid, alert, _) = detect(&rules, &trace, &["--syslog", &target]);
    let got = server.join().unwrap();
    let msg = expected_syslog(&alert, pid);
    assert_eq!(got, format!("{} {msg}", msg.len()));
}

#[test]
fn output_file_appends_json_lines() {
    let Some((rules, trace)) = k8s() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("alerts.jsonl");
    std::fs::write(&file, "{\"earlier\":true}\n").unwrap();
    let (_, first, _) = detect(&rules, &trace, &["--output-file", file.to_str().unwrap()]);
    let (_, second, _) = detect(&rules, &trace, &["--output-file", file.to_str().unwrap()]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text, format!("{{\"earlier\":true}}\n{first}\n{second}\n"));
    let (code, _, err) = run(&[
        "detect",
        "--rules",
        rules.to_str().unwrap(),
        "--output-file",
        "/nonexistent/dir/alerts.jsonl",
        trace.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("rampart: error: /nonexistent/dir/alerts.jsonl: "),
        "{err}"
    );
}
