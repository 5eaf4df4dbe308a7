//! End-to-end tests of `rampart sensor` on this kernel (root): the upstream Falco rules plus a
//! small rule file, real activity triggered by the test, the alerts checked against the
//! recorded events (pid, ppid, exe, cmdline, user, container), the recording replayed through
//! `rampart detect`, and container attribution from cgroup paths.

mod common;

use rampart_detect::event::{Event, EventType};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Sensor, finish_sensor, root, run_trigger as run, start_sensor};

const BIN: &str = env!("CARGO_BIN_EXE_rampart");
/// The system Python itself (a version-manager shim would exec several programs first).
const PYTHON: &str = "/usr/bin/python3";

/// Starts the sensor recording to `record` and waits until its programs are attached.
fn start(rules: &[PathBuf], record: &Path) -> Sensor {
    let mut args: Vec<&std::ffi::OsStr> = vec!["--format".as_ref(), "json".as_ref()];
    args.extend(["--record".as_ref(), record.as_os_str(), "--rules".as_ref()]);
    args.extend(rules.iter().map(|r| r.as_os_str()));
    start_sensor(args)
}

/// Stops the sensor with SIGTERM; returns its alerts (JSON) and stderr.
fn stop(r: Sensor) -> (Vec<serde_json::Value>, String) {
    finish_sensor(r, true)
}

fn recorded(path: &Path) -> Vec<Event> {
    let text = std::fs::read_to_string(path).expect("recording");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("event JSON line"))
        .collect()
}

fn sh(script: &str) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c").arg(script);
    c
}

fn upstream_rules() -> Option<Vec<PathBuf>> {
    let base = common::corpus("falco-rules")?.join("rules");
    Some(
        [
            "falco_rules.yaml",
            "falco-incubating_rules.yaml",
            "falco-sandbox_rules.yaml",
        ]
        .iter()
        .map(|f| base.join(f))
        .collect(),
    )
}

/// The small rule file: what the upstream rules leave to local policy.
fn local_rules(dir: &Path, port: u16) -> PathBuf {
    let text = format!(
        r#"- rule: Namespaces unshared
  desc: A process left its pid, mount or network namespace.
  condition: evt.type = unshare and evt.rawres = 0 and evt.arg.flags contains CLONE_NEWPID
  output: Namespaces unshared (pid=%proc.pid ppid=%proc.ppid exe=%proc.exepath command=%proc.cmdline user=%user.name flags=%evt.arg.flags)
  priority: NOTICE
- rule: Shell in new namespaces
  desc: A shell started by unshare.
  condition: evt.type in (execve, execveat) and proc.name in (sh, dash, bash) and proc.pname = unshare
  output: Shell in new namespaces (pid=%proc.pid ppid=%proc.ppid exe=%proc.exepath command=%proc.cmdline user=%user.name parent=%proc.pname)
  priority: WARNING
- rule: Connection to the test listener
  desc: A connection to the test's listener on loopback.
  condition: evt.type = connect and fd.sip = 127.0.0.1 and fd.sport = {port}
  output: Connection to the test listener (pid=%proc.pid ppid=%proc.ppid exe=%proc.exepath command=%proc.cmdline user=%user.name connection=%fd.name)
  priority: NOTICE
"#
    );
    let p = dir.join("local.yaml");
    std::fs::write(&p, text).expect("write rules");
    p
}

/// Every recorded event with the alerts it raises, by the same rules (the engine as oracle).
fn alerts_by_event(rules: &[PathBuf], events: &[Event]) -> Vec<(Event, Vec<String>)> {
    let files: Vec<(PathBuf, String)> = rules
        .iter()
        .map(|p| (p.clone(), std::fs::read_to_string(p).expect("rule file")))
        .collect();
    let refs: Vec<(&Path, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_path(), t.as_str()))
        .collect();
    let (rs, _) = rampart_detect::falco::load_falco(&refs);
    events
        .iter()
        .map(|ev| {
            let mut out = Vec::new();
            rs.matches(ev, &mut out);
            (
                ev.clone(),
                out.into_iter().map(|a| a.rule.to_string()).collect(),
            )
        })
        .collect()
}

fn find<'a>(
    all: &'a [(Event, Vec<String>)],
    what: &str,
    f: impl Fn(&Event) -> bool,
) -> &'a (Event, Vec<String>) {
    all.iter()
        .find(|(ev, _)| f(ev))
        .unwrap_or_else(|| panic!("no recorded event for {what}"))
}

#[test]
fn sensor_alerts_on_real_activity_and_replays() {
    if !root() {
        return;
    }
    let Some(mut rules) = upstream_rules() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    let port = listener.local_addr().expect("addr").port();
    rules.push(local_rules(dir.path(), port));
    let record = dir.path().join("events.jsonl");
    let sensor = start(&rules, &record);
    let me = std::process::id() as i64;

    // Ordinary activity first: none of it may alert.
    let ordinary = [
        run(Command::new("ls").arg("/").stdout(Stdio::null())),
        run(Command::new("cat")
            .arg("/etc/hostname")
            .stdout(Stdio::null())),
        run(Command::new("true").arg("rampart-ordinary")),
    ];
    // A read of /etc/shadow.
    let shadow = run(Command::new("tail")
        .args(["-c", "1", "/etc/shadow"])
        .stdout(Stdio::null()));
    // A shell in new pid, mount and network namespaces.
    let unshare = run(Command::new("unshare").args([
        "-p",
        "-m",
        "-n",
        "-f",
        "--mount-proc",
        "sh",
        "-c",
        "echo rampart-ns >/dev/null",
    ]));
    // A write below /usr/bin (created, then deleted).
    let bin = format!("/usr/bin/rampart-e2e-{me}");
    let write = run(&mut sh(&format!("echo x > {bin} && rm -f {bin}")));
    // A connection to a listener on 127.0.0.1.
    let accept = std::thread::spawn(move || listener.accept().map(|(_, peer)| peer));
    let connect = run(Command::new(PYTHON).args([
        "-c",
        &format!("import socket; socket.create_connection(('127.0.0.1', {port})).close()"),
    ]));
    let peer = accept.join().expect("accept thread").expect("accepted");
    // A program run from a memfd.
    let memfd = run(Command::new(PYTHON).args([
        "-c",
        "import os\nfd = os.memfd_create('rampart-payload', 0)\nos.write(fd, open('/bin/true', 'rb').read())\nos.execve(fd, ['rampart-payload'], {})",
    ]));
    // A setuid-root binary run by an unprivileged login: a copy of `true` named like polkit's
    // pkexec, made setuid by chmod(1), then run by uid 65534 whose login uid is 65534 (what a
    // PAM login sets) — the shape of the CVE-2021-4034 exploit.
    let suid_dir = PathBuf::from(format!("/tmp/rampart-suid-{me}"));
    let pkexec = suid_dir.join("pkexec");
    std::fs::create_dir_all(&suid_dir).expect("suid dir");
    std::fs::set_permissions(&suid_dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::copy("/usr/bin/true", &pkexec).expect("copy true");
    let chmod = run(Command::new("chmod").arg("4755").arg(&pkexec));
    let suid = run(&mut sh(&format!(
        "echo 65534 > /proc/self/loginuid; exec setpriv --reuid=65534 --regid=65534 --clear-groups {}",
        pkexec.display()
    )));
    std::fs::remove_dir_all(&suid_dir).expect("remove suid dir");
    let (alerts, stderr) = stop(sensor);
    assert!(
        stderr.contains("tp_btf"),
        "attach method on start: {stderr}"
    );

    let events = recorded(&record);
    let all = alerts_by_event(&rules, &events);
    let own = |pid: u32| move |ev: &Event| ev.proc.pid == pid as i64;

    // /etc/shadow: upstream rule, the reading process's context.
    let (ev, fired) = find(&all, "open /etc/shadow", |ev| {
        own(shadow)(ev) && ev.fd.as_ref().is_some_and(|f| f.name == "/etc/shadow")
    });
    assert_eq!(fired, &["Read sensitive file untrusted"], "{ev:?}");
    assert_eq!(ev.evt_type, EventType::Openat);
    assert_eq!(ev.proc.ppid, me);
    assert_eq!(ev.proc.exepath, "/usr/bin/tail");
    assert_eq!(ev.proc.cmdline(), "tail -c 1 /etc/shadow");
    assert_eq!((ev.proc.uid, ev.proc.user.as_str()), (0, "root"));
    assert_eq!(ev.args.get("flags").map(String::as_str), Some("O_RDONLY"));

    // Namespaces: the unshare call and the shell it started.
    let (ev, fired) = find(&all, "unshare(2)", |ev| {
        own(unshare)(ev) && ev.evt_type == EventType::Unshare
    });
    assert_eq!(fired, &["Namespaces unshared"], "{ev:?}");
    assert_eq!(ev.proc.ppid, me);
    assert_eq!(ev.proc.exepath, "/usr/bin/unshare");
    assert!(
        ev.proc
            .cmdline()
            .starts_with("unshare -p -m -n -f --mount-proc sh")
    );
    let flags = &ev.args["flags"];
    for f in ["CLONE_NEWPID", "CLONE_NEWNS", "CLONE_NEWNET"] {
        assert!(flags.contains(f), "{flags}");
    }
    let (ev, fired) = find(&all, "shell in new namespaces", |ev| {
        ev.proc.ppid == unshare as i64 && ev.evt_type == EventType::Execve
    });
    assert_eq!(fired, &["Shell in new namespaces"], "{ev:?}");
    assert_eq!(ev.proc.name, "sh");
    assert_eq!(ev.proc.cmdline(), "sh -c echo rampart-ns >/dev/null");
    assert_eq!(ev.proc.ancestors[0].name, "unshare");
    assert_eq!(ev.proc.user, "root");

    // A write below /usr/bin.
    let (ev, fired) = find(&all, "write below /usr/bin", |ev| {
        own(write)(ev) && ev.fd.as_ref().is_some_and(|f| f.name == bin)
    });
    assert_eq!(fired, &["Write below binary dir"], "{ev:?}");
    let flags = &ev.args["flags"];
    assert!(
        flags.contains("O_WRONLY") && flags.contains("O_CREAT"),
        "{flags}"
    );
    assert_eq!(ev.proc.ppid, me);
    assert_eq!(ev.proc.name, "sh");

    // The loopback connection, both ends.
    let (ev, fired) = find(&all, "connect", |ev| {
        own(connect)(ev) && ev.evt_type == EventType::Connect
    });
    assert_eq!(fired, &["Connection to the test listener"], "{ev:?}");
    let fd = ev.fd.as_ref().expect("socket");
    assert_eq!(
        fd.name,
        format!("127.0.0.1:{}->127.0.0.1:{port}", peer.port())
    );
    assert_eq!((fd.l4proto.as_str(), fd.num >= 0), ("tcp", true));
    assert_eq!(ev.proc.ppid, me);
    assert_eq!(ev.proc.name, "python3");
    let accepted = find(&all, "accept", |ev| {
        ev.proc.pid == me
            && matches!(ev.evt_type, EventType::Accept | EventType::Accept4)
            && ev.fd.as_ref().is_some_and(|f| f.cport == Some(peer.port()))
    });
    assert!(accepted.0.fd.as_ref().is_some_and(|f| f.is_server));

    // The memfd exec.
    // Python's own exec comes first; the memfd program replaces it in the same process.
    let execs: Vec<_> = all
        .iter()
        .filter(|(ev, _)| {
            own(memfd)(ev) && matches!(ev.evt_type, EventType::Execve | EventType::Execveat)
        })
        .collect();
    assert_eq!(execs.len(), 2, "{execs:?}");
    assert_eq!(execs[0].0.proc.exepath, PYTHON);
    assert!(execs[0].1.is_empty(), "{:?}", execs[0].1);
    let (ev, fired) = execs[1];
    assert_eq!(fired, &["Fileless execution via memfd_create"], "{ev:?}");
    assert!(ev.proc.is_exe_from_memfd);
    assert_eq!(ev.proc.exepath, "memfd:rampart-payload");
    assert_eq!(ev.proc.exe, "rampart-payload");
    assert_eq!(ev.proc.ppid, me);
    assert_eq!(ev.proc.ancestors[0].pid, me);

    // The setuid bit set with chmod(1): upstream rule, the mode decoded like Falco's.
    let (ev, fired) = find(&all, "chmod u+s", |ev| {
        own(chmod)(ev) && ev.evt_type == EventType::Fchmodat
    });
    assert_eq!(fired, &["Set Setuid or Setgid bit"], "{ev:?}");
    assert_eq!(ev.args.get("filename").map(String::as_str), pkexec.to_str());
    assert!(ev.args["mode"].starts_with("04755("), "{:?}", ev.args);
    assert!(ev.args["mode"].contains("S_ISUID"), "{:?}", ev.args);
    assert_eq!(ev.proc.ppid, me);
    assert_eq!(ev.proc.exepath, "/usr/bin/chmod");
    assert_eq!(
        ev.proc.cmdline(),
        format!("chmod 4755 {}", pkexec.display())
    );

    // The setuid binary run: the exec of the pkexec copy, effective uid root (Falco's
    // `user.uid`), the unprivileged login uid kept.
    let (ev, fired) = find(&all, "setuid binary run", |ev| {
        own(suid)(ev)
            && ev.evt_type == EventType::Execve
            && ev.proc.exepath == pkexec.to_str().unwrap_or_default()
    });
    assert_eq!(
        fired,
        &["Polkit Local Privilege Escalation Vulnerability (CVE-2021-4034)"],
        "{ev:?}"
    );
    assert_eq!(ev.proc.ppid, me);
    assert_eq!(ev.proc.name, "pkexec");
    assert_eq!(ev.proc.cmdline(), "pkexec");
    assert_eq!((ev.proc.uid, ev.proc.user.as_str()), (0, "root"));
    assert_eq!(
        (ev.proc.loginuid, ev.proc.loginname.as_str()),
        (65534, "nobody")
    );
    // The programs before it in the same process (sh, setpriv) raise nothing.
    for (ev, fired) in all.iter().filter(|(e, _)| own(suid)(e)) {
        if ev.proc.exepath != pkexec.to_str().unwrap_or_default() {
            assert!(fired.is_empty(), "{fired:?} on {ev:?}");
        }
    }

    // Ordinary activity: seen, and silent.
    for pid in ordinary {
        let mine: Vec<_> = all.iter().filter(|(ev, _)| own(pid)(ev)).collect();
        assert!(mine.iter().any(|(ev, _)| ev.evt_type == EventType::Execve));
        for (ev, fired) in mine {
            assert!(
                fired.is_empty(),
                "ordinary activity alerted: {fired:?} on {ev:?}"
            );
        }
    }

    // The sensor printed exactly what its recording raises.
    let expected: Vec<String> = all.iter().flat_map(|(_, f)| f.clone()).collect();
    let got: Vec<String> = alerts
        .iter()
        .filter(|a| a["source"] != "internal")
        .map(|a| a["rule"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(got, expected);
    for a in alerts
        .iter()
        .filter(|a| a["rule"] == "Read sensitive file untrusted")
    {
        assert!(
            a["output"]
                .as_str()
                .is_some_and(|o| o.contains("/etc/shadow"))
        );
        assert_eq!(a["output_fields"]["user.name"], "root");
    }

    // Replay: the recording through `rampart detect` gives the same alerts.
    let out = Command::new(BIN)
        .args([
            "detect",
            "--format",
            "json",
            "--input-format",
            "rampart",
            "--rules",
        ])
        .args(&rules)
        .arg("--")
        .arg(&record)
        .output()
        .expect("rampart detect");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let replayed: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("alert JSON"))
        .collect();
    let live: Vec<&serde_json::Value> = alerts
        .iter()
        .filter(|a| a["source"] != "internal")
        .collect();
    assert_eq!(replayed.len(), live.len());
    for (r, l) in replayed.iter().zip(&live) {
        assert_eq!(&r, l);
    }
}

/// Without a recording, opens no upstream rule can match are skipped in the kernel: a
/// read of /etc/shadow still alerts, 300 reads of an unrelated file never reach user space.
#[test]
fn sensor_filters_unmatched_opens_in_the_kernel_and_still_alerts() {
    if !root() {
        return;
    }
    let Some(rules) = upstream_rules() else {
        return;
    };
    let mut args: Vec<&std::ffi::OsStr> = vec!["--format".as_ref(), "json".as_ref()];
    args.push("--rules".as_ref());
    args.extend(rules.iter().map(|r| r.as_os_str()));
    let sensor = start_sensor(args);
    let dir = tempfile::tempdir().expect("tempdir");
    let other = dir.path().join("unrelated.txt");
    std::fs::write(&other, "x").expect("write");
    run(&mut sh(&format!(
        "i=0; while [ $i -lt 300 ]; do : < '{}'; i=$((i+1)); done",
        other.display()
    )));
    run(Command::new("tail")
        .args(["-c", "1", "/etc/shadow"])
        .stdout(Stdio::null()));
    let (alerts, stderr) = stop(sensor);
    assert!(
        stderr.contains("opens filtered in the kernel by"),
        "start-up names the filter: {stderr}"
    );
    let read = alerts
        .iter()
        .find(|a| a["rule"] == "Read sensitive file untrusted")
        .unwrap_or_else(|| panic!("no alert for /etc/shadow: {alerts:?}"));
    assert!(
        read["output"]
            .as_str()
            .is_some_and(|o| o.contains("tail -c 1 /etc/shadow")),
        "{read}"
    );
    let filtered: u64 = stderr
        .split("opens filtered in the kernel ")
        .nth(2)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no filtered count: {stderr}"));
    assert!(filtered >= 300, "filtered {filtered}: {stderr}");
}

const ID_CONTAINERD: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
const ID_DOCKER: &str = "f9e8d7c6b5a4938271605f4e3d2c1b0af9e8d7c6b5a4938271605f4e3d2c1b0a";
const ID_DOCKER_V1: &str = "5a5b5c5d5e5f505152535455565758595a5b5c5d5e5f50515253545556575859";

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

/// A cgroup v1 hierarchy to place processes in, on hybrid hosts.
fn cgroup1_pids() -> Option<PathBuf> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    mounts.lines().find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        (f.get(2) == Some(&"cgroup") && f.get(3).is_some_and(|o| o.split(',').any(|x| x == "pids")))
            .then(|| PathBuf::from(f[1]))
    })
}

/// Runs a process that moves itself into `cg`, then execs and opens a file there.
fn run_in_cgroup(cg: &Path, marker: &str) -> u32 {
    std::fs::create_dir_all(cg).expect("create cgroup");
    let procs = cg.join("cgroup.procs");
    run(&mut sh(&format!(
        "echo $$ > {} && exec {PYTHON} -c \"import time; open('/etc/hostname').read(); time.sleep(1)\" {marker}",
        procs.display()
    )))
}

#[test]
fn sensor_attributes_containers_by_cgroup() {
    if !root() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = vec![local_rules(dir.path(), 1)];
    let record = dir.path().join("events.jsonl");
    let v2 = cgroup2_root();
    let me = std::process::id();
    let slice = v2.join(format!("rampart-e2e-{me}.slice"));
    let containerd = slice.join(format!("cri-containerd-{ID_CONTAINERD}.scope"));
    let docker_parent = v2.join(format!("rampart-e2e-{me}-docker"));
    let docker = docker_parent.join("docker").join(ID_DOCKER);
    let v1 = cgroup1_pids().map(|p| p.join("docker").join(ID_DOCKER_V1));
    // The shared `docker` parent is removed afterwards only when this test made it.
    let v1_parent_made = v1
        .as_ref()
        .and_then(|cg| cg.parent())
        .is_some_and(|p| !p.exists());

    let sensor = start(&rules, &record);
    let p1 = run_in_cgroup(&containerd, "containerd");
    let p2 = run_in_cgroup(&docker, "docker");
    let p3 = v1.as_ref().map(|cg| run_in_cgroup(cg, "docker-v1"));
    let host = run(Command::new("cat")
        .arg("/etc/hostname")
        .stdout(Stdio::null()));
    let _ = stop(sensor);
    for d in [
        &containerd,
        &slice,
        &docker,
        &docker.parent().expect("parent").to_path_buf(),
        &docker_parent,
    ] {
        let _ = std::fs::remove_dir(d);
    }
    if let Some(cg) = &v1 {
        let _ = std::fs::remove_dir(cg);
        if v1_parent_made && let Some(parent) = cg.parent() {
            let _ = std::fs::remove_dir(parent);
        }
    }

    let events = recorded(&record);
    let opened = |pid: u32| {
        events
            .iter()
            .find(|ev| {
                ev.proc.pid == pid as i64
                    && ev.fd.as_ref().is_some_and(|f| f.name == "/etc/hostname")
            })
            .unwrap_or_else(|| panic!("no open of /etc/hostname by {pid}"))
    };
    let cid = |ev: &Event| ev.container.as_ref().map(|c| c.id.clone());
    assert_eq!(cid(opened(p1)).as_deref(), Some(&ID_CONTAINERD[..12]));
    assert_eq!(cid(opened(p2)).as_deref(), Some(&ID_DOCKER[..12]));
    if let Some(p3) = p3 {
        let trail: Vec<String> = events
            .iter()
            .filter(|ev| ev.proc.pid == p3 as i64)
            .map(|ev| format!("{} {} {:?}", ev.evt_type, ev.proc.name, cid(ev)))
            .collect();
        assert_eq!(
            cid(opened(p3)).as_deref(),
            Some(&ID_DOCKER_V1[..12]),
            "{trail:#?}"
        );
    }
    assert_eq!(cid(opened(host)), None);
    // The exec inside the container is attributed too.
    let exec = events
        .iter()
        .find(|ev| {
            ev.proc.pid == p1 as i64
                && ev.evt_type == EventType::Execve
                && ev.proc.name == "python3"
        })
        .expect("exec in container");
    assert_eq!(cid(exec).as_deref(), Some(&ID_CONTAINERD[..12]));
    let seen: BTreeSet<String> = events.iter().filter_map(cid).collect();
    assert!(seen.contains(&ID_DOCKER[..12]));
}

#[test]
fn sensor_metrics_endpoint_counts_events() {
    if !root() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = local_rules(dir.path(), 1);
    // Pick a free loopback port.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut child = Command::new(BIN)
        .args([
            "sensor",
            "--metrics",
            &format!("127.0.0.1:{port}"),
            "--rules",
        ])
        .arg(&rules)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sensor");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let start = Instant::now();
    for line in lines.by_ref() {
        let line = line.expect("stderr line");
        if line.contains("attached via") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "no start");
    }
    for _ in 0..20 {
        run(&mut Command::new("true"));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let body = {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("metrics");
        s.write_all(b"GET /metrics HTTP/1.0\r\n\r\n")
            .expect("request");
        let mut b = String::new();
        s.read_to_string(&mut b).expect("response");
        b
    };
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert_eq!(child.wait().expect("wait").code(), Some(0));
    assert!(body.starts_with("HTTP/1.1 200 OK"), "{body}");
    let value = |name: &str| -> f64 {
        body.lines()
            .find_map(|l| {
                l.strip_prefix(name)
                    .map(|v| v.trim().parse().unwrap_or(-1.0))
            })
            .unwrap_or_else(|| panic!("{name} missing: {body}"))
    };
    assert!(value("rampart_sensor_events_total ") >= 20.0, "{body}");
    assert_eq!(
        value("rampart_sensor_drops_total{reason=\"undecodable\"} "),
        0.0
    );
    assert!(body.contains("rampart_sensor_matches_total"));
    assert!(
        value("rampart_sensor_ia32_calls_skipped_total ") >= 0.0,
        "{body}"
    );
}

#[test]
fn sensor_refuses_a_public_metrics_address() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = local_rules(dir.path(), 1);
    let out = Command::new(BIN)
        .args(["sensor", "--metrics", "0.0.0.0:9999", "--rules"])
        .arg(&rules)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("rampart: error: "), "{err}");
    assert!(err.contains("loopback"), "{err}");
}

#[test]
fn sensor_without_privileges_names_the_capability() {
    if !root() || Command::new("runuser").arg("--help").output().is_err() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = local_rules(dir.path(), 1);
    // World-readable copies, so the unprivileged user can reach them.
    let bin = dir.path().join("rampart");
    std::fs::copy(BIN, &bin).expect("copy binary");
    for (p, mode) in [
        (dir.path(), 0o755),
        (bin.as_path(), 0o755),
        (rules.as_path(), 0o644),
    ] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    let out = Command::new("runuser")
        .args(["-u", "nobody", "--"])
        .arg(&bin)
        .args(["sensor", "--rules"])
        .arg(&rules)
        .output()
        .expect("runuser");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("missing capability CAP_BPF and CAP_PERFMON"),
        "{err}"
    );
}

/// A 32-bit system call (`int 0x80`) is numbered by the ia32 table, where 42 is `pipe`: the
/// sensor must not report it as x86-64's 42, `connect` (it counts it as skipped). The same
/// program's 64-bit `connect` is reported.
#[test]
fn sensor_does_not_decode_32bit_system_calls_as_64bit_ones() {
    if !root() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("compat32.c");
    std::fs::write(
        &src,
        r#"#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
    long r;
    /* ia32 system call 42: pipe(NULL), which fails with EFAULT. */
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(42L), "b"(0L) : "memory");
    /* x86-64 system call 42: connect(-1, NULL, 0), which fails with EBADF. */
    syscall(SYS_connect, -1, 0, 0);
    return r == -14 ? 0 : 1;
}
"#,
    )
    .expect("write source");
    let bin = dir.path().join("compat32");
    let st = Command::new("cc")
        .arg("-O1")
        .arg("-o")
        .arg(&bin)
        .arg(&src)
        .status()
        .expect("run cc");
    assert!(st.success(), "cc failed");
    let rules = dir.path().join("connect.yaml");
    std::fs::write(
        &rules,
        "- rule: Connect by compat32\n  desc: Any connect by the test program.\n  condition: evt.type = connect and proc.name = compat32\n  output: connect by compat32 (pid=%proc.pid res=%evt.rawres)\n  priority: NOTICE\n",
    )
    .expect("write rules");
    let mut args: Vec<&std::ffi::OsStr> = vec!["--format".as_ref(), "json".as_ref()];
    args.extend(["--rules".as_ref(), rules.as_os_str()]);
    let sensor = start_sensor(args);
    let pid = run(&mut Command::new(&bin));
    let (alerts, stderr) = stop(sensor);
    let mine: Vec<&str> = alerts
        .iter()
        .filter_map(|a| a["output"].as_str())
        .filter(|o| o.contains(&format!("pid={pid} ")))
        .collect();
    assert_eq!(mine.len(), 1, "one connect (the 64-bit one): {mine:?}");
    assert!(mine[0].contains("res=-9"), "EBADF: {}", mine[0]);
    let skipped: u64 = stderr
        .split("32-bit system calls skipped ")
        .nth(1)
        .and_then(|t| t.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no skipped count: {stderr}"));
    assert!(skipped >= 1, "{stderr}");
}
