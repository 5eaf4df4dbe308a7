//! Shared by the benchmarks and the `detect_perf` example: the generated syscall event
//! mix, the corpus location and rule-variant generation for cost-growth figures.
#![allow(dead_code)]

use rampart_detect::event::{Ancestor, Container, Event, EventType, Fd, FdType, Process, Source};
use rampart_detect::falco::yaml::{self, Node, Value};
use rampart_detect::falco::{LoadReport, RuleState, Ruleset, load_falco};
use std::path::{Path, PathBuf};

/// The shared corpus.
pub fn corpus() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ))
}

/// The three upstream syscall rule files (stable, incubating, sandbox) with their text.
pub fn upstream_syscall_files() -> Option<Vec<(PathBuf, String)>> {
    let dir = corpus().join("falco-rules/rules");
    [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
    ]
    .iter()
    .map(|f| {
        let p = dir.join(f);
        let t = std::fs::read_to_string(&p).ok()?;
        Some((p, t))
    })
    .collect()
}

/// Loads `files` (path, text) as Falco rules.
pub fn load(files: &[(PathBuf, String)]) -> (Ruleset, LoadReport) {
    let refs: Vec<(&Path, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_path(), t.as_str()))
        .collect();
    load_falco(&refs)
}

/// `n` rules made from the upstream syscall rules that compile: rule `i` is upstream rule
/// `i mod k` with `and not proc.name in (...)` naming two process names of its own, so
/// every variant is a distinct rule with the upstream rule's cost. The upstream rules
/// themselves are disabled: exactly `n` rules are enabled.
pub fn variant_ruleset(n: usize) -> Option<Ruleset> {
    let mut files = upstream_syscall_files()?;
    let (_, report) = load(&files);
    let ok: std::collections::HashSet<&str> = report
        .rules
        .iter()
        .filter(|r| matches!(r.state, RuleState::Ok { .. }))
        .map(|r| r.name.as_str())
        .collect();
    let mut bases: Vec<(String, String, String, String)> = Vec::new();
    for (_, text) in &files {
        let docs = yaml::parse(text).ok()?;
        let Some(Value::Seq(items)) = docs.first().map(|d| &d.value) else {
            continue;
        };
        for item in items {
            let get = |k: &str| item.get(k).and_then(Node::as_str).map(str::to_string);
            let (Some(name), Some(cond), Some(out), Some(prio)) = (
                get("rule"),
                get("condition"),
                get("output"),
                get("priority"),
            ) else {
                continue;
            };
            if ok.contains(name.as_str()) && !bases.iter().any(|b| b.0 == name) {
                bases.push((name, cond, out, prio));
            }
        }
    }
    if bases.is_empty() {
        return None;
    }
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut text = String::new();
    for i in 0..n {
        let (name, cond, out, prio) = &bases[i % bases.len()];
        text.push_str(&format!(
            "- rule: {}\n  desc: variant\n  condition: {}\n  output: {}\n  priority: {}\n",
            q(&format!("{name} #{i}")),
            q(&format!(
                "({cond}) and not proc.name in (rampart_v{i}, rampart_v{i}_b)"
            )),
            q(out),
            prio
        ));
    }
    let names: Vec<String> = report.rules.iter().map(|r| r.name.clone()).collect();
    files.push((PathBuf::from("variants.yaml"), text));
    let (mut rs, _) = load(&files);
    for name in names {
        rs.set_enabled(&name, false);
    }
    Some(rs)
}

/// A realistic, deterministic mix of `n` process, file and network events.
pub fn syscall_events(n: usize) -> Vec<Event> {
    let names = [
        "bash", "python3", "nginx", "curl", "cat", "java", "node", "sshd", "ls", "grep",
    ];
    let files = [
        "/etc/passwd",
        "/var/log/syslog",
        "/tmp/x.sock",
        "/usr/lib/libc.so.6",
        "/etc/shadow",
        "/home/a/.bashrc",
    ];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let name = names[i % names.len()];
        let proc = Process {
            pid: 1000 + i as i64,
            ppid: 999,
            name: name.to_string(),
            exe: format!("/usr/bin/{name}"),
            exepath: format!("/usr/bin/{name}"),
            args: vec!["-c".into(), format!("arg{}", i % 7)],
            cwd: "/".into(),
            uid: (i % 3) as u32 * 500,
            user: if i % 3 == 0 {
                "root".into()
            } else {
                "app".into()
            },
            loginuid: -1,
            ancestors: vec![
                Ancestor {
                    pid: 999,
                    name: names[(i + 3) % names.len()].into(),
                    ..Ancestor::default()
                },
                Ancestor {
                    pid: 1,
                    name: "systemd".into(),
                    ..Ancestor::default()
                },
            ],
            ..Process::default()
        };
        let container = (i % 2 == 0).then(|| Container {
            id: "0123456789ab".into(),
            name: "web".into(),
            image: "nginx:1.25".into(),
            image_repository: "nginx".into(),
            ..Container::default()
        });
        let (evt_type, fd, args) = match i % 4 {
            0 => (EventType::Execve, None, Default::default()),
            1 | 2 => (
                EventType::Openat,
                Some(Fd {
                    num: 3,
                    fd_type: FdType::File,
                    name: files[i % files.len()].into(),
                    ..Fd::default()
                }),
                [(
                    "flags".to_string(),
                    if i % 8 == 1 {
                        "O_WRONLY|O_CREAT"
                    } else {
                        "O_RDONLY"
                    }
                    .to_string(),
                )]
                .into(),
            ),
            _ => (
                EventType::Connect,
                Some(Fd {
                    num: 4,
                    fd_type: FdType::Ipv4,
                    name: "10.0.0.5:40000->93.184.216.34:443".into(),
                    l4proto: "tcp".into(),
                    cip: "10.0.0.5".parse().ok(),
                    cport: Some(40000),
                    sip: "93.184.216.34".parse().ok(),
                    sport: Some(443),
                    ..Fd::default()
                }),
                Default::default(),
            ),
        };
        out.push(Event {
            time: 1_700_000_000_000_000_000 + i as u64,
            num: i as u64 + 1,
            source: Source::Syscall,
            evt_type,
            res: Some(0),
            args,
            proc,
            fd,
            container,
            ..Event::default()
        });
    }
    out
}

/// `*.yml` files under `dir`, recursively, sorted.
pub fn yml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            yml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yml") {
            out.push(p);
        }
    }
}

/// Sigma rules from every `*.yml` under `dirs`.
pub fn load_sigma_dirs(dirs: &[PathBuf]) -> rampart_detect::sigma::SigmaRuleset {
    let mut paths = Vec::new();
    for d in dirs {
        yml_files(d, &mut paths);
    }
    let files: Vec<(String, String)> = paths
        .iter()
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(p).ok()?)))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    rampart_detect::sigma::load_sigma(&refs).0
}

/// The real Kubernetes audit events of Falco's regression traces, one JSON document per
/// line (as the API server's log backend writes them).
pub fn k8s_audit_lines() -> String {
    let dir = corpus().join("falco-legacy-regression-tests/test/trace_files/k8s_audit");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    names.sort();
    let mut lines = String::new();
    for p in names {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        for v in serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>() {
            let Ok(v) = v else { break };
            let items = match v.get("items").and_then(|i| i.as_array()) {
                Some(items) if v["kind"] == "EventList" => items.clone(),
                _ => vec![v],
            };
            for i in items {
                lines.push_str(&i.to_string());
                lines.push('\n');
            }
        }
    }
    lines
}

/// The Falco k8s-audit rules and the SigmaHQ Kubernetes rules.
pub fn k8s_rulesets() -> Option<(
    rampart_detect::falco::Ruleset,
    rampart_detect::sigma::SigmaRuleset,
)> {
    let p = corpus().join("falco-k8saudit-rules/k8s_audit_rules.yaml");
    let text = std::fs::read_to_string(&p).ok()?;
    let (mut falco, _) = load(&[(p, text)]);
    falco.set_match_mode(rampart_detect::falco::MatchMode::All);
    let sigma = load_sigma_dirs(&[corpus().join("sigma-rules/rules/application/kubernetes")]);
    if falco.is_empty() || sigma.is_empty() {
        return None;
    }
    Some((falco, sigma))
}

/// A detector with the Falco k8s-audit rules and the SigmaHQ Kubernetes rules.
pub fn k8s_detector() -> Option<rampart_detect::engine::Detector> {
    let (falco, sigma) = k8s_rulesets()?;
    Some(rampart_detect::engine::Detector::new(
        Some(falco),
        Some(sigma),
    ))
}
