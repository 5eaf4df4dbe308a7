//! Falco matching speed: every upstream syscall rule (stable, incubating and sandbox files
//! of falco-rules) over a generated, deterministic mix of process, file and network
//! events. Reports events/s with all rules alerting (`MatchMode::All`).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_detect::event::{Ancestor, Container, Event, EventType, Fd, FdType, Process, Source};
use rampart_detect::falco::{MatchMode, load_falco};
use std::hint::black_box;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn events(n: usize) -> Vec<Event> {
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

fn bench(c: &mut Criterion) {
    let dir = Path::new(CORPUS).join("falco-rules/rules");
    let paths: Vec<PathBuf> = [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
    ]
    .iter()
    .map(|f| dir.join(f))
    .collect();
    let Ok(texts) = paths
        .iter()
        .map(std::fs::read_to_string)
        .collect::<Result<Vec<_>, _>>()
    else {
        eprintln!("falco-rules corpus missing; nothing to measure");
        return;
    };
    let files: Vec<(&Path, &str)> = paths
        .iter()
        .map(PathBuf::as_path)
        .zip(texts.iter().map(String::as_str))
        .collect();
    let (mut ruleset, report) = load_falco(&files);
    ruleset.set_match_mode(MatchMode::All);
    let evs = events(10_000);
    eprintln!(
        "falco bench: {} rules compiled ({:?} ok/unsupported/error)",
        ruleset.len(),
        report.counts()
    );
    let mut alerts = Vec::new();
    for e in &evs {
        ruleset.matches(e, &mut alerts);
    }
    eprintln!(
        "falco bench: {} alerts per pass over {} events",
        alerts.len(),
        evs.len()
    );
    let mut g = c.benchmark_group("falco");
    g.throughput(Throughput::Elements(evs.len() as u64));
    g.bench_function("upstream_syscall_rules_10k_events", |b| {
        let mut alerts = Vec::new();
        b.iter(|| {
            alerts.clear();
            for e in &evs {
                ruleset.matches(black_box(e), &mut alerts);
            }
            black_box(alerts.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
