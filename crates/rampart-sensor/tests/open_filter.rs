//! Soundness of the kernel-side open filter against the real engine: over every supported
//! upstream Falco rule, any open event a rule matches must be kept by the filter computed
//! from those rules. Events are built from every absolute path the rule files mention (and
//! paths below them), several access modes and several process identities.

use rampart_detect::event::{Event, EventType, Fd, FdType, Process, Source};
use rampart_detect::falco::{Alert, MatchMode, load_falco_files};
use rampart_sensor::syscalls::{OpenFilter, open_flags};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn upstream() -> Option<Vec<PathBuf>> {
    let base =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco-rules/rules");
    if !base.exists() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{} is missing (CI=true)", base.display());
        }
        eprintln!("note: {} missing; test skipped", base.display());
        return None;
    }
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

fn open_event(path: &str, flags: u64, name: &str, uid: u32, user: &str) -> Event {
    let mut args = std::collections::BTreeMap::new();
    args.insert("flags".to_string(), open_flags(flags));
    args.insert("name".to_string(), path.to_string());
    Event {
        time: 1,
        num: 1,
        source: Source::Syscall,
        evt_type: EventType::Openat,
        res: Some(3),
        args,
        proc: Process {
            pid: 4242,
            tid: 4242,
            ppid: 1,
            name: name.to_string(),
            exe: format!("/tmp/{name}"),
            exepath: format!("/tmp/{name}"),
            args: vec!["-x".to_string()],
            cwd: "/".to_string(),
            uid,
            user: user.to_string(),
            loginuid: -1,
            ..Process::default()
        },
        fd: Some(Fd {
            num: 3,
            fd_type: if flags & 0o200000 != 0 {
                FdType::Directory
            } else {
                FdType::File
            },
            name: path.to_string(),
            ..Fd::default()
        }),
        ..Event::default()
    }
}

#[test]
fn open_filter_never_drops_an_open_a_rule_matches() {
    let Some(files) = upstream() else { return };
    let (mut rules, _) = load_falco_files(&files).expect("rules load");
    rules.set_match_mode(MatchMode::All);
    let filter = OpenFilter::from_falco_files(&files)
        .expect("rule files read")
        .expect("the upstream rules bound the opens they read");
    assert!(filter.len() > 10, "{} prefixes", filter.len());
    eprintln!(
        "read prefixes {:?}, substrings {:?}, names {:?}",
        filter
            .prefixes()
            .filter(|(_, m)| m & 1 != 0)
            .collect::<Vec<_>>(),
        filter.substrings().collect::<Vec<_>>(),
        filter.names().collect::<Vec<_>>()
    );

    // Every absolute path literal in the rules, and paths below each.
    let mut paths = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("rule file");
        for tok in text.split(|c: char| c.is_whitespace() || "(),[]\"'".contains(c)) {
            if tok.starts_with('/') && tok.len() > 1 {
                let tok = tok.trim_end_matches(['*', ':']);
                paths.insert(tok.to_string());
                paths.insert(format!("{}/x", tok.trim_end_matches('/')));
                paths.insert(format!("{}x", tok));
            }
        }
    }
    for p in [
        "/etc/hostname",
        "/tmp/a",
        "/usr/bin/ls",
        "/root/.ssh/id_rsa",
        "/proc/1/environ",
    ] {
        paths.insert(p.to_string());
    }
    for p in [
        "/etc/../etc/shadow",
        "/root/../root/.ssh/id_rsa",
        "/home/a/.bashrc",
        "/x/liblzma.so.5.6.1",
    ] {
        paths.insert(p.to_string());
    }
    let flags = [0u64, 1, 2, 0o101, 0o1101, 0o102, 0o200000, 0o2000000];
    let who = [
        ("evil", 0, "root"),
        ("evil", 1000, "alice"),
        ("bash", 0, "root"),
        ("tar", 0, "root"),
        ("sshd", 0, "root"),
    ];
    let mut alerts: Vec<Alert> = Vec::new();
    let (mut matched, mut dropped) = (0usize, 0usize);
    for p in &paths {
        for &fl in &flags {
            if !filter.allows(p, fl) {
                dropped += 1;
            }
            for (name, uid, user) in who {
                let kept = filter.allows_for(p, fl, Some(name));
                alerts.clear();
                rules.matches(&open_event(p, fl, name, uid, user), &mut alerts);
                if !alerts.is_empty() {
                    matched += 1;
                    assert!(
                        kept,
                        "open of {p} flags {} by {name} matches {:?} but the filter drops it",
                        open_flags(fl),
                        alerts.iter().map(|a| &*a.rule).collect::<Vec<_>>()
                    );
                }
            }
        }
    }
    // Not vacuous: rules did match some of these opens.
    assert!(matched > 20, "only {matched} matching opens");
    eprintln!("{dropped} of the probed (path, flags) pairs are skipped");
    assert!(filter.allows("/etc/shadow", 0));
    assert!(filter.allows("/usr/bin/x", 0o1101));
}
