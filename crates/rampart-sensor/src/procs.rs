//! The process table: what the kernel's records do not repeat (command line, executable,
//! working directory, parent chain), seeded from `/proc` at start-up and kept by exec, fork,
//! exit and chdir records. Also user and group names. Owns process state; leaves turning
//! records into events to [`crate::decode`].

use rampart_detect::event::Ancestor;
use std::collections::HashMap;
use std::path::Path;

/// How many ancestors an event carries (`proc.aname[n]` reads up to this depth).
pub const MAX_ANCESTORS: usize = 16;

/// What the table knows about one process.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProcInfo {
    /// Process id (thread group id).
    pub pid: i64,
    /// Parent process id.
    pub ppid: i64,
    /// Command name (comm).
    pub name: String,
    /// argv\[0\].
    pub exe: String,
    /// Full executable path.
    pub exepath: String,
    /// Arguments after argv\[0\].
    pub args: Vec<String>,
    /// Working directory.
    pub cwd: String,
    /// Start, CLOCK_MONOTONIC ns.
    pub start_mono: u64,
    /// The executable is a memfd.
    pub is_exe_from_memfd: bool,
    /// Container id named by the process's cgroups when last read from `/proc`.
    pub container: Option<String>,
    /// Exit time (CLOCK_MONOTONIC ns) once it exited; kept a while for late children.
    pub exited_at: Option<u64>,
}

impl ProcInfo {
    fn ancestor(&self) -> Ancestor {
        Ancestor {
            pid: self.pid,
            name: self.name.clone(),
            exe: self.exe.clone(),
            exepath: self.exepath.clone(),
            args: self.args.clone(),
        }
    }
}

/// Processes by pid.
#[derive(Debug)]
pub struct ProcTable {
    procs: HashMap<i64, ProcInfo>,
    proc_root: std::path::PathBuf,
    clk_tck: u64,
    last_sweep: u64,
}

/// How long an exited process stays in the table (children's events may still name it).
const LINGER_NS: u64 = 5_000_000_000;

impl ProcTable {
    /// An empty table that reads processes below `proc_root` (normally `/proc`).
    pub fn new(proc_root: impl Into<std::path::PathBuf>) -> ProcTable {
        // SAFETY: sysconf has no preconditions.
        let tck = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        ProcTable {
            procs: HashMap::new(),
            proc_root: proc_root.into(),
            clk_tck: if tck > 0 { tck as u64 } else { 100 },
            last_sweep: 0,
        }
    }

    /// Reads every process now running.
    pub fn scan(&mut self) {
        let Ok(rd) = std::fs::read_dir(&self.proc_root) else {
            return;
        };
        for e in rd.flatten() {
            if let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i64>().ok())
                && let Some(p) = self.read_proc(pid)
            {
                self.procs.insert(pid, p);
            }
        }
    }

    /// Number of processes held.
    pub fn len(&self) -> usize {
        self.procs.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.procs.is_empty()
    }

    /// One process, read from `/proc` when the table does not have it yet.
    pub fn get_or_load(&mut self, pid: i64) -> Option<&mut ProcInfo> {
        if !self.procs.contains_key(&pid) {
            let p = self.read_proc(pid)?;
            self.procs.insert(pid, p);
        }
        self.procs.get_mut(&pid)
    }

    /// One process, if known.
    pub fn get(&self, pid: i64) -> Option<&ProcInfo> {
        self.procs.get(&pid)
    }

    /// Inserts or replaces a process.
    pub fn insert(&mut self, p: ProcInfo) {
        self.procs.insert(p.pid, p);
    }

    /// A new process `child` of `parent`: it starts as a copy of its parent.
    pub fn fork(&mut self, parent: i64, child: i64, start_mono: u64) {
        let mut p = self
            .get_or_load(parent)
            .cloned()
            .unwrap_or_else(|| ProcInfo {
                pid: parent,
                ..ProcInfo::default()
            });
        p.pid = child;
        p.ppid = parent;
        p.start_mono = start_mono;
        p.exited_at = None;
        self.procs.insert(child, p);
    }

    /// Marks `pid` exited at `now` and forgets processes that exited long enough ago.
    pub fn exit(&mut self, pid: i64, now: u64) {
        if let Some(p) = self.procs.get_mut(&pid) {
            p.exited_at = Some(now);
        }
        // At most once a second: a sweep walks the whole table.
        if now.saturating_sub(self.last_sweep) >= 1_000_000_000 {
            self.last_sweep = now;
            self.sweep(now);
        }
    }

    /// Forgets processes that exited more than a few seconds before `now`.
    pub fn sweep(&mut self, now: u64) {
        self.procs.retain(|_, p| {
            p.exited_at
                .is_none_or(|t| now.saturating_sub(t) < LINGER_NS)
        });
    }

    /// The parent chain of `pid`, parent first.
    pub fn ancestors(&self, pid: i64) -> Vec<Ancestor> {
        let mut out = Vec::new();
        let mut cur = self.procs.get(&pid).map(|p| p.ppid);
        while let Some(ppid) = cur {
            if ppid <= 0 || out.len() >= MAX_ANCESTORS {
                break;
            }
            let Some(p) = self.procs.get(&ppid) else {
                break;
            };
            out.push(p.ancestor());
            if p.ppid == ppid {
                break;
            }
            cur = Some(p.ppid);
        }
        out
    }

    /// The working directory of a live process, read from `/proc`.
    pub fn read_cwd(&self, pid: i64) -> Option<String> {
        link(&self.proc_root.join(pid.to_string()).join("cwd"))
    }

    /// The container id the cgroups of a live process name.
    pub fn read_container(&self, pid: i64) -> Option<String> {
        let text = std::fs::read_to_string(self.proc_root.join(format!("{pid}/cgroup"))).ok()?;
        crate::container::id_from_proc_cgroup(&text)
    }

    /// The target of descriptor `fd` of a live process.
    pub fn read_fd(&self, pid: i64, fd: i64) -> Option<String> {
        link(&self.proc_root.join(format!("{pid}/fd/{fd}")))
    }

    fn read_proc(&self, pid: i64) -> Option<ProcInfo> {
        let dir = self.proc_root.join(pid.to_string());
        let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
        let (name, ppid, start_ticks) = parse_stat(&stat)?;
        let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
        let mut argv = crate::raw::split_args(&cmdline);
        let exe = if argv.is_empty() {
            String::new()
        } else {
            argv.remove(0)
        };
        let exepath = link(&dir.join("exe")).unwrap_or_default();
        Some(ProcInfo {
            pid,
            ppid,
            is_exe_from_memfd: exepath.starts_with("/memfd:"),
            name,
            exe,
            exepath,
            args: argv,
            cwd: link(&dir.join("cwd")).unwrap_or_default(),
            start_mono: start_ticks.saturating_mul(1_000_000_000) / self.clk_tck,
            container: self.read_container(pid),
            exited_at: None,
        })
    }
}

fn link(p: &Path) -> Option<String> {
    std::fs::read_link(p)
        .ok()
        .map(|t| t.to_string_lossy().into_owned())
}

/// comm, ppid and start time (clock ticks after boot) from `/proc/<pid>/stat`.
pub fn parse_stat(stat: &str) -> Option<(String, i64, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_string();
    let rest: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    // rest[0] is the state (field 3); ppid is field 4, starttime field 22.
    let ppid = rest.get(1)?.parse().ok()?;
    let start = rest.get(19)?.parse().ok()?;
    Some((name, ppid, start))
}

/// User or group names by id, from a passwd- or group-format file.
#[derive(Debug, Default)]
pub struct Names {
    path: std::path::PathBuf,
    names: HashMap<u32, String>,
    loaded: Option<std::time::SystemTime>,
}

impl Names {
    /// Names from `path` (`/etc/passwd` or `/etc/group`), read lazily.
    pub fn new(path: impl Into<std::path::PathBuf>) -> Names {
        Names {
            path: path.into(),
            ..Names::default()
        }
    }

    /// The name of `id`; the file is read again when it changed.
    pub fn name(&mut self, id: u32) -> Option<&str> {
        if !self.names.contains_key(&id) {
            let mtime = std::fs::metadata(&self.path)
                .and_then(|m| m.modified())
                .ok();
            if self.loaded.is_none() || mtime != self.loaded {
                self.loaded = mtime;
                self.names = std::fs::read_to_string(&self.path)
                    .map(|t| parse_names(&t))
                    .unwrap_or_default();
            }
        }
        self.names.get(&id).map(String::as_str)
    }
}

/// `name:x:id:…` lines → id → name (the first name of an id wins).
pub fn parse_names(text: &str) -> HashMap<u32, String> {
    let mut out = HashMap::new();
    for line in text.lines() {
        let mut f = line.split(':');
        let (Some(name), Some(_), Some(id)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        if let Ok(id) = id.parse() {
            out.entry(id).or_insert_with(|| name.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_spaces_and_parens_in_comm() {
        let s = "4242 (my (odd) prog) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 18446744073709551615";
        assert_eq!(
            parse_stat(s),
            Some(("my (odd) prog".to_string(), 17, 987654))
        );
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn passwd_names() {
        let n = parse_names(
            "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\nbad line\ntoor:x:0:0::/:/bin/sh\n",
        );
        assert_eq!(n.get(&0).map(String::as_str), Some("root"));
        assert_eq!(n.get(&33).map(String::as_str), Some("www-data"));
        assert_eq!(n.len(), 2);
    }

    #[test]
    fn reads_itself_from_proc_and_follows_parents() {
        let mut t = ProcTable::new("/proc");
        t.scan();
        let me = std::process::id() as i64;
        let p = t.get(me).expect("own process").clone();
        assert!(!p.exepath.is_empty());
        assert_eq!(
            p.cwd,
            std::env::current_dir().expect("cwd").display().to_string()
        );
        let chain = t.ancestors(me);
        assert!(!chain.is_empty());
        assert_eq!(chain[0].pid, p.ppid);
        // A fork copies the parent; exit lingers, then the sweep forgets it.
        t.fork(me, 1 << 30, 5);
        let child = t.get(1 << 30).expect("child").clone();
        assert_eq!((child.ppid, child.exe.as_str()), (me, p.exe.as_str()));
        assert_eq!(t.ancestors(1 << 30)[0].pid, me);
        t.exit(1 << 30, 1);
        t.sweep(2);
        assert!(t.get(1 << 30).is_some());
        t.sweep(1 + LINGER_NS);
        assert!(t.get(1 << 30).is_none());
    }
}
