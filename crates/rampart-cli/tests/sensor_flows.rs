//! End-to-end tests (root) of what `rampart sensor` shares with `rampart detect` and what it
//! adds: noise control and outputs from the same flags, network flows and a learned
//! baseline, the netlink process-connector source, and pod context from a kubelet. Every
//! server is on 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

mod common;
use common::{Sensor, finish_sensor, root, run_trigger as run, start_sensor};

const BIN: &str = env!("CARGO_BIN_EXE_rampart");
const PYTHON: &str = "/usr/bin/python3";

/// Starts `rampart sensor ARGS` and waits until its source is attached.
fn start(args: &[&str]) -> Sensor {
    start_sensor(args)
}

fn finish(r: Sensor, term: bool) -> (Vec<serde_json::Value>, String) {
    finish_sensor(r, term)
}

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn write_rules(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("rules.yaml");
    std::fs::write(&p, text).expect("write rules");
    p
}

/// A one-shot-per-connection HTTP server on 127.0.0.1 answering every request with
/// `body`; returns its port and the requests (head, body) it got.
fn http_server(body: String) -> (u16, mpsc::Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
            let Ok(clone) = conn.try_clone() else {
                continue;
            };
            let mut r = BufReader::new(clone);
            let mut head = String::new();
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut req_body = vec![0; len];
            let _ = r.read_exact(&mut req_body);
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.flush();
            if tx
                .send((head, String::from_utf8_lossy(&req_body).into_owned()))
                .is_err()
            {
                return;
            }
        }
    });
    (port, rx)
}

#[test]
fn sensor_alerts_are_deduplicated_and_delivered_like_detect() {
    if !root() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = format!("rampart-dedup-{}", std::process::id());
    let rules = write_rules(
        dir.path(),
        &format!(
            r#"- rule: Shadow read by the marker
  desc: The test's process reads /etc/shadow.
  condition: evt.type in (open, openat, openat2) and fd.name = /etc/shadow and proc.cmdline contains {marker}
  output: Shadow read (pid=%proc.pid command=%proc.cmdline file=%fd.name)
  priority: WARNING
"#
        ),
    );
    let out_file = dir.path().join("alerts.jsonl");
    let (hook_port, hook) = http_server(String::new());
    let hook_url = format!("http://127.0.0.1:{hook_port}/alerts");
    let sensor = start(&[
        "--format",
        "json",
        "--dedup-window",
        "10m",
        "--output-file",
        out_file.to_str().expect("utf-8"),
        "--webhook",
        &hook_url,
        "--rules",
        rules.to_str().expect("utf-8"),
    ]);
    let reader = run(Command::new(PYTHON).args([
        "-c",
        "for _ in range(50): open('/etc/shadow').read()",
        &marker,
    ]));
    let (alerts, stderr) = finish(sensor, true);
    assert!(stderr.contains("suppressed 49"), "{stderr}");
    let rules_of = |a: &[serde_json::Value]| -> Vec<String> {
        a.iter()
            .map(|a| a["rule"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(
        rules_of(&alerts),
        ["Shadow read by the marker", "Alerts suppressed"],
        "{alerts:#?}"
    );
    assert_eq!(alerts[0]["output_fields"]["proc.pid"], reader);
    assert_eq!(
        alerts[1]["output_fields"]["suppressed.rule"],
        "Shadow read by the marker"
    );
    assert_eq!(alerts[1]["output_fields"]["suppressed.duplicates"], 49);
    // The file output has the same alerts.
    let file = json_lines(&std::fs::read_to_string(&out_file).expect("output file"));
    assert_eq!(file, alerts);
    // So has the webhook, as Falco's JSON.
    let posted: Vec<serde_json::Value> = (0..2)
        .map(|_| {
            let (head, body) = hook.recv_timeout(Duration::from_secs(10)).expect("POST");
            assert!(head.starts_with("POST /alerts "), "{head}");
            serde_json::from_str(&body).expect("webhook JSON")
        })
        .collect();
    assert_eq!(posted, alerts);
}

/// Connects from a Python process (its own executable) to 127.0.0.1:`port`.
fn connect(port: u16, marker: &str) -> u32 {
    run(Command::new(PYTHON).args([
        "-c",
        &format!("import socket; socket.create_connection(('127.0.0.1', {port})).close()"),
        marker,
    ]))
}

/// A listener on 127.0.0.1 that accepts forever.
fn listener() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || for _ in l.incoming() {});
    port
}

#[test]
fn sensor_flows_learn_a_baseline_then_alert_on_a_new_port() {
    if !root() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = write_rules(
        dir.path(),
        "- rule: Never\n  desc: d\n  condition: evt.type = execve and proc.name = rampart-no-such-process\n  output: never\n  priority: NOTICE\n",
    );
    let (known, new) = (listener(), listener());
    let marker = format!("rampart-flows-{}", std::process::id());
    let base = dir.path().join("baseline.jsonl");
    let flows = dir.path().join("flows.jsonl");

    // Learning: one connection to `known`, then the sensor stops by itself.
    let learn = start(&[
        "--format",
        "json",
        "--learn",
        "4s",
        "--baseline",
        base.to_str().expect("utf-8"),
        "--flows",
        flows.to_str().expect("utf-8"),
        "--rules",
        rules.to_str().expect("utf-8"),
    ]);
    connect(known, &marker);
    connect(known, &marker);
    let (alerts, stderr) = finish(learn, false);
    assert!(stderr.contains("learned"), "{stderr}");
    assert!(
        alerts
            .iter()
            .all(|a| a["rule"] != "Connection never seen before"),
        "{alerts:#?}"
    );
    let learned = json_lines(&std::fs::read_to_string(&base).expect("baseline"));
    let out = learned
        .iter()
        .find(|f| f["port"] == known && f["direction"] == "outbound")
        .unwrap_or_else(|| panic!("no outbound flow to {known}: {learned:#?}"));
    assert_eq!(out["exe"], PYTHON);
    assert_eq!(out["address"], "127.0.0.1");
    assert_eq!(out["protocol"], "tcp");
    assert_eq!(out["count"], 2);
    assert!(out["first_seen"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(out["first_seen"].as_str() <= out["last_seen"].as_str());
    // The accepting side (this test) is a flow too.
    assert!(
        learned
            .iter()
            .any(|f| f["port"] == known && f["direction"] == "inbound"),
        "{learned:#?}"
    );
    // The flows file was written at exit with the same flows.
    let written = json_lines(&std::fs::read_to_string(&flows).expect("flows file"));
    assert_eq!(written, learned);

    // Detecting: the learned flow is quiet, the new port alerts once.
    let watch = start(&[
        "--format",
        "json",
        "--baseline",
        base.to_str().expect("utf-8"),
        "--rules",
        rules.to_str().expect("utf-8"),
    ]);
    connect(known, &marker);
    let newpid = connect(new, &marker);
    connect(new, &marker);
    let (alerts, _) = finish(watch, true);
    let ours: Vec<&serde_json::Value> = alerts
        .iter()
        .filter(|a| a["rule"] == "Connection never seen before")
        .filter(|a| {
            a["output_fields"]["flow.port"] == known || a["output_fields"]["flow.port"] == new
        })
        .collect();
    assert!(
        ours.iter().all(|a| a["output_fields"]["flow.port"] == new),
        "the learned flow alerted: {ours:#?}"
    );
    let outbound: Vec<_> = ours
        .iter()
        .filter(|a| a["output_fields"]["flow.direction"] == "outbound")
        .collect();
    assert_eq!(outbound.len(), 1, "{ours:#?}");
    let a = outbound[0];
    assert_eq!(a["output_fields"]["proc.pid"], newpid);
    assert_eq!(a["output_fields"]["proc.exepath"], PYTHON);
    assert_eq!(a["output_fields"]["flow.address"], "127.0.0.1");
    assert_eq!(a["priority"], "Notice");
    assert_eq!(a["source"], "syscall");
    assert!(
        a["output"]
            .as_str()
            .is_some_and(|o| o.contains(&format!("port={new}"))),
        "{a}"
    );
}

#[test]
fn sensor_netlink_source_sees_exec_and_fires_spawned_process_rule() {
    if !root() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = format!("rampart-netlink-{}", std::process::id());
    let rules = write_rules(
        dir.path(),
        &format!(
            r#"- macro: spawned_process
  condition: (evt.type in (execve, execveat))
- rule: Marker spawned
  desc: The test's marker command started.
  condition: spawned_process and proc.cmdline contains {marker}
  output: Marker spawned (pid=%proc.pid ppid=%proc.ppid exe=%proc.exepath command=%proc.cmdline user=%user.name parent=%proc.pname)
  priority: NOTICE
"#
        ),
    );
    let record = dir.path().join("events.jsonl");
    let sensor = start(&[
        "--source",
        "netlink",
        "--format",
        "json",
        "--record",
        record.to_str().expect("utf-8"),
        "--rules",
        rules.to_str().expect("utf-8"),
    ]);
    // Alive long enough for /proc to be read after the exec is reported.
    let pid = run(Command::new(PYTHON).args(["-c", "import time; time.sleep(0.5)", &marker]));
    let (alerts, stderr) = finish(sensor, true);
    assert!(stderr.contains("source netlink"), "{stderr}");
    assert!(stderr.contains("NETLINK_CONNECTOR"), "{stderr}");
    let fired: Vec<_> = alerts
        .iter()
        .filter(|a| a["rule"] == "Marker spawned")
        .collect();
    assert_eq!(fired.len(), 1, "{alerts:#?}");
    let f = &fired[0]["output_fields"];
    assert_eq!(f["proc.pid"], pid);
    assert_eq!(f["proc.ppid"], std::process::id());
    assert_eq!(
        f["proc.exepath"],
        std::fs::canonicalize(PYTHON)
            .expect("python")
            .display()
            .to_string()
    );
    assert_eq!(
        f["proc.cmdline"],
        format!("python3 -c import time; time.sleep(0.5) {marker}")
    );
    assert_eq!(f["user.name"], "root");
    // Fork and exit are seen too.
    let events = json_lines(&std::fs::read_to_string(&record).expect("recording"));
    let of = |t: &str| {
        events
            .iter()
            .any(|e| e["type"] == t && e["proc"]["pid"] == pid)
    };
    assert!(of("execve") && of("procexit"), "{events:#?}");
    assert!(
        events
            .iter()
            .any(|e| e["type"] == "clone" && e["res"] == pid),
        "no fork of {pid}"
    );
}

const ID_POD: &str = "7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d";

fn cgroup2_root() -> PathBuf {
    let mounts = std::fs::read_to_string("/proc/self/mounts").expect("mounts");
    mounts
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.get(2) == Some(&"cgroup2")).then(|| PathBuf::from(f[1]))
        })
        .expect("a cgroup2 mount")
}

#[test]
fn sensor_kubelet_pods_fill_k8s_fields() {
    if !root() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let pods = format!(
        r#"{{"kind":"PodList","apiVersion":"v1","items":[
          {{"metadata":{{"name":"web-1","namespace":"shop","labels":{{"app":"web","tier":"front"}}}},
            "status":{{"podIP":"10.1.0.7","containerStatuses":[{{"name":"web","containerID":"containerd://{ID_POD}"}}]}}}}]}}"#
    );
    let (port, requests) = http_server(pods);
    let rules = write_rules(
        dir.path(),
        r#"- rule: Hostname read in a pod
  desc: A pod's process reads /etc/hostname.
  condition: evt.type in (open, openat, openat2) and fd.name = /etc/hostname and k8s.pod.name = web-1
  output: Hostname read (pod=%k8s.pod.name ns=%k8s.ns.name app=%k8s.pod.label[app] container=%container.id)
  priority: NOTICE
"#,
    );
    let me = std::process::id();
    let slice = cgroup2_root().join(format!("rampart-pods-{me}.slice"));
    let cg = slice.join(format!("cri-containerd-{ID_POD}.scope"));
    let sensor = start(&[
        "--format",
        "json",
        "--kubelet",
        &format!("http://127.0.0.1:{port}"),
        "--rules",
        rules.to_str().expect("utf-8"),
    ]);
    std::fs::create_dir_all(&cg).expect("create cgroup");
    let procs = cg.join("cgroup.procs");
    let pid = run(Command::new("sh").arg("-c").arg(format!(
        "echo $$ > {} && exec cat /etc/hostname >/dev/null",
        procs.display()
    )));
    // A host process reading the same file gets no pod.
    run(Command::new("cat")
        .arg("/etc/hostname")
        .stdout(Stdio::null()));
    let (alerts, stderr) = finish(sensor, true);
    let _ = std::fs::remove_dir(&cg);
    let _ = std::fs::remove_dir(&slice);
    assert!(stderr.contains("1 pods from the kubelet"), "{stderr}");
    let (head, _) = requests.recv_timeout(Duration::from_secs(5)).expect("GET");
    assert!(head.starts_with("GET /pods "), "{head}");
    let fired: Vec<_> = alerts
        .iter()
        .filter(|a| a["rule"] == "Hostname read in a pod")
        .collect();
    assert_eq!(fired.len(), 1, "{alerts:#?}");
    let f = &fired[0]["output_fields"];
    assert_eq!(f["k8s.pod.name"], "web-1");
    assert_eq!(f["k8s.ns.name"], "shop");
    assert_eq!(f["k8s.pod.label[app]"], "web");
    assert_eq!(f["container.id"], &ID_POD[..12]);
    assert!(
        fired[0]["output"]
            .as_str()
            .is_some_and(|o| o.contains("pod=web-1 ns=shop app=web")),
        "{pid}: {}",
        fired[0]
    );
}

#[test]
fn sensor_rejects_a_bad_baseline_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = write_rules(
        dir.path(),
        "- rule: Never\n  desc: d\n  condition: evt.type = execve and proc.name = x\n  output: never\n  priority: NOTICE\n",
    );
    let base = dir.path().join("baseline.jsonl");
    std::fs::write(&base, "{\"direction\":\"outbound\"}\n").expect("write");
    let out = Command::new(BIN)
        .args(["sensor", "--baseline"])
        .arg(&base)
        .arg("--rules")
        .arg(&rules)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with(&format!("rampart: error: {}: line 1: ", base.display())),
        "{err}"
    );
}
