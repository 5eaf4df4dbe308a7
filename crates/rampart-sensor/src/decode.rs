//! Records → [`Event`]s: the process table kept up to date, system call arguments in
//! Falco's names and spelling, file paths made absolute, sockets as Falco's `fd.*`, the
//! container from the cgroup. Owns enrichment; leaves matching to the detection engine.

use crate::container::{CgroupPaths, container_id, short_id};
use crate::procs::{Names, ProcInfo, ProcTable};
use crate::raw::{Header, Record, SyscallRecord, split_args};
use crate::syscalls;
use rampart_detect::event::{Container, Event, EventType, Fd, FdType, Process, Source};
use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

const AT_FDCWD: i64 = -100;

/// Turns records into events, keeping the state they need.
#[derive(Debug)]
pub struct Decoder {
    /// The process table.
    pub procs: ProcTable,
    users: Names,
    groups: Names,
    cgroups: CgroupPaths,
    containers: HashMap<u64, Option<String>>,
    /// Wall-clock minus monotonic, ns.
    wall_offset: i128,
    num: u64,
}

fn clock_ns(clock: libc::clockid_t) -> i128 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as i128 * 1_000_000_000 + ts.tv_nsec as i128
}

/// CLOCK_MONOTONIC now, ns (the clock of record timestamps).
pub fn monotonic_ns() -> u64 {
    clock_ns(libc::CLOCK_MONOTONIC) as u64
}

impl Decoder {
    /// A decoder reading host state under `/proc`, `/etc` and `/sys/fs/cgroup`.
    pub fn new() -> Decoder {
        Decoder::with_roots("/proc", "/etc", &crate::container::cgroup2_root())
    }

    /// A decoder reading host state under the given roots (`cgroup_root`: the cgroup v2
    /// mount).
    pub fn with_roots(proc_root: &str, etc: &str, cgroup_root: &std::path::Path) -> Decoder {
        let etc = std::path::Path::new(etc);
        Decoder {
            procs: ProcTable::new(proc_root),
            users: Names::new(etc.join("passwd")),
            groups: Names::new(etc.join("group")),
            cgroups: CgroupPaths::new(cgroup_root),
            containers: HashMap::new(),
            wall_offset: clock_ns(libc::CLOCK_REALTIME) - clock_ns(libc::CLOCK_MONOTONIC),
            num: 0,
        }
    }

    /// Wall-clock ns since the epoch of a monotonic timestamp.
    pub fn wall(&self, mono: u64) -> u64 {
        (mono as i128 + self.wall_offset).max(0) as u64
    }

    /// The container of an event: from its cgroup v2 id (resolved once per cgroup), else
    /// from the process's cgroup file read at exec (cgroup v1 and hybrid hosts).
    fn container(&mut self, cgroup_id: u64, pid: u32) -> Option<Container> {
        if cgroup_id != 0 && !self.containers.contains_key(&cgroup_id) {
            let id = self
                .cgroups
                .path(cgroup_id)
                .and_then(container_id)
                .map(str::to_string);
            self.containers.insert(cgroup_id, id);
        }
        let id = match self.containers.get(&cgroup_id) {
            Some(Some(id)) => id.clone(),
            _ => self.procs.get(pid as i64)?.container.clone()?,
        };
        Some(Container {
            id: short_id(&id).to_string(),
            ..Container::default()
        })
    }

    fn process(&mut self, h: &Header) -> Process {
        let pid = h.pid as i64;
        let info = match self.procs.get_or_load(pid) {
            Some(p) => p.clone(),
            None => {
                let p = ProcInfo {
                    pid,
                    ppid: h.ppid as i64,
                    name: h.comm.clone(),
                    start_mono: h.start_ns,
                    ..ProcInfo::default()
                };
                self.procs.insert(p.clone());
                p
            }
        };
        let ancestors = self.procs.ancestors(pid);
        let user = self.users.name(h.uid).unwrap_or_default().to_string();
        let group = self.groups.name(h.gid).unwrap_or_default().to_string();
        let loginuid = if h.loginuid == u32::MAX {
            -1
        } else {
            h.loginuid as i64
        };
        let loginname = if loginuid >= 0 {
            self.users.name(h.loginuid).unwrap_or_default().to_string()
        } else {
            String::new()
        };
        Process {
            pid,
            tid: h.tid as i64,
            ppid: h.ppid as i64,
            name: if info.name.is_empty() {
                h.comm.clone()
            } else {
                info.name
            },
            exe: info.exe,
            exepath: info.exepath,
            args: info.args,
            start_ts: self.wall(info.start_mono.max(h.start_ns)),
            cwd: info.cwd,
            tty: h.tty,
            uid: h.uid,
            user,
            loginuid,
            loginname,
            gid: h.gid,
            group,
            is_exe_from_memfd: info.is_exe_from_memfd,
            cap_permitted: syscalls::capabilities(h.cap_prm),
            cap_effective: syscalls::capabilities(h.cap_eff),
            ancestors,
            ..Process::default()
        }
    }

    fn event(&mut self, h: &Header, evt_type: EventType, res: i64) -> Event {
        self.num += 1;
        let proc = self.process(h);
        let container = self.container(h.cgroup_id, h.pid);
        Event {
            time: self.wall(h.ts),
            num: self.num,
            source: Source::Syscall,
            evt_type,
            res: Some(res),
            proc,
            container,
            ..Event::default()
        }
    }

    /// Updates the state with one record and returns its event.
    pub fn decode(&mut self, rec: &Record) -> Option<Event> {
        match rec {
            Record::Exec {
                hdr,
                syscall_nr,
                filename,
                exe_dname,
                args,
            } => {
                let pid = hdr.pid as i64;
                let old = self.procs.get(pid).cloned();
                let mut argv = split_args(args);
                let exe = if argv.is_empty() {
                    filename.clone()
                } else {
                    argv.remove(0)
                };
                let cwd = self
                    .procs
                    .read_cwd(pid)
                    .or_else(|| old.as_ref().map(|o| o.cwd.clone()))
                    .unwrap_or_default();
                let memfd = exe_dname.starts_with("memfd:");
                let exepath = if memfd {
                    exe_dname.clone()
                } else {
                    absolute(&cwd, filename)
                };
                self.procs.insert(ProcInfo {
                    pid,
                    ppid: hdr.ppid as i64,
                    name: hdr.comm.clone(),
                    exe,
                    exepath,
                    args: argv,
                    cwd,
                    start_mono: hdr.start_ns,
                    is_exe_from_memfd: memfd,
                    container: self
                        .procs
                        .read_container(pid)
                        .or_else(|| old.as_ref().and_then(|o| o.container.clone())),
                    exited_at: None,
                });
                let t = if *syscall_nr == syscalls::EXECVEAT {
                    EventType::Execveat
                } else {
                    EventType::Execve
                };
                let mut ev = self.event(hdr, t, 0);
                ev.args.insert("filename".into(), filename.clone());
                Some(ev)
            }
            Record::Fork {
                hdr,
                child_pid,
                child_start_ns,
            } => {
                // Make sure the parent is known before copying it.
                let _ = self.process(hdr);
                self.procs
                    .fork(hdr.pid as i64, *child_pid as i64, *child_start_ns);
                Some(self.event(hdr, EventType::Clone, *child_pid as i64))
            }
            Record::Exit { hdr, exit_code } => {
                let mut ev = self.event(hdr, EventType::Procexit, 0);
                ev.args.insert("status".into(), exit_code.to_string());
                self.procs.exit(hdr.pid as i64, hdr.ts);
                Some(ev)
            }
            Record::Syscall(s) => self.syscall(s),
        }
    }

    fn path_arg(&mut self, pid: i64, dirfd: i64, path: &str) -> String {
        if path.starts_with('/') || path.is_empty() {
            return path.to_string();
        }
        let base = if dirfd == AT_FDCWD {
            self.procs.get(pid).map(|p| p.cwd.clone())
        } else {
            self.procs.read_fd(pid, dirfd)
        };
        match base {
            Some(b) if !b.is_empty() => absolute(&b, path),
            _ => path.to_string(),
        }
    }

    fn syscall(&mut self, s: &SyscallRecord) -> Option<Event> {
        let name = syscalls::name(s.nr)?;
        let pid = s.hdr.pid as i64;
        let a = s.args;
        let dirfd = |i: usize| a[i] as i32 as i64;
        let mut args: BTreeMap<String, String> = BTreeMap::new();
        let mut fd = None;
        match name {
            "open" | "creat" | "openat" | "openat2" => {
                let (flags, dfd) = match name {
                    "open" => (a[1], AT_FDCWD),
                    "creat" => (0o1101, AT_FDCWD),
                    "openat" => (a[2], dirfd(0)),
                    _ => (s.extra, dirfd(0)),
                };
                let path = self.path_arg(pid, dfd, &s.s1);
                args.insert("flags".into(), syscalls::open_flags(flags));
                args.insert("name".into(), path.clone());
                if dfd != AT_FDCWD {
                    args.insert("dirfd".into(), dfd.to_string());
                }
                fd = Some(Fd {
                    num: if s.res >= 0 { s.res } else { -1 },
                    fd_type: if flags & 0o200000 != 0 {
                        FdType::Directory
                    } else {
                        FdType::File
                    },
                    name: path,
                    ..Fd::default()
                });
            }
            "unlink" | "rmdir" | "mkdir" | "chmod" | "chdir" | "chroot" | "umount2" => {
                let path = self.path_arg(pid, AT_FDCWD, &s.s1);
                let key = match name {
                    "chmod" => "filename",
                    "umount2" => "name",
                    _ => "path",
                };
                args.insert(key.into(), path.clone());
                if name == "chmod" {
                    args.insert("mode".into(), syscalls::chmod_mode(a[1]));
                } else if name == "mkdir" {
                    args.insert("mode".into(), format!("{:#o}", a[1]));
                }
                if name == "chdir"
                    && s.res == 0
                    && let Some(p) = self.procs.get_or_load(pid)
                {
                    p.cwd = path;
                }
            }
            "unlinkat" | "mkdirat" | "fchmodat" => {
                let path = self.path_arg(pid, dirfd(0), &s.s1);
                let key = match name {
                    "unlinkat" => "name",
                    "fchmodat" => "filename",
                    _ => "path",
                };
                args.insert("dirfd".into(), dirfd(0).to_string());
                args.insert(key.into(), path);
                if name == "fchmodat" {
                    args.insert("mode".into(), syscalls::chmod_mode(a[2]));
                } else if name != "unlinkat" {
                    args.insert("mode".into(), format!("{:#o}", a[2]));
                } else {
                    args.insert("flags".into(), a[2].to_string());
                }
            }
            "rename" | "link" => {
                let old = self.path_arg(pid, AT_FDCWD, &s.s1);
                let new = self.path_arg(pid, AT_FDCWD, &s.s2);
                args.insert("oldpath".into(), old);
                args.insert("newpath".into(), new);
            }
            "renameat" | "renameat2" | "linkat" => {
                let old = self.path_arg(pid, dirfd(0), &s.s1);
                let new = self.path_arg(pid, dirfd(2), &s.s2);
                args.insert("olddirfd".into(), dirfd(0).to_string());
                args.insert("newdirfd".into(), dirfd(2).to_string());
                args.insert("oldpath".into(), old);
                args.insert("newpath".into(), new);
            }
            "symlink" | "symlinkat" => {
                let dfd = if name == "symlink" {
                    AT_FDCWD
                } else {
                    dirfd(1)
                };
                let link = self.path_arg(pid, dfd, &s.s2);
                args.insert("target".into(), s.s1.clone());
                args.insert("linkpath".into(), link);
            }
            "mount" => {
                args.insert("dev".into(), s.s1.clone());
                args.insert("dir".into(), self.path_arg(pid, AT_FDCWD, &s.s2));
                args.insert("type".into(), s.s3.clone());
                args.insert("flags".into(), syscalls::mount_flags(a[3]));
            }
            "memfd_create" => {
                args.insert("name".into(), s.s1.clone());
                args.insert("flags".into(), syscalls::memfd_flags(a[1]));
                fd = Some(Fd {
                    num: if s.res >= 0 { s.res } else { -1 },
                    fd_type: FdType::Memfd,
                    name: format!("memfd:{}", s.s1),
                    ..Fd::default()
                });
            }
            "unshare" => {
                args.insert("flags".into(), syscalls::clone_flags(a[0]));
            }
            "setns" => {
                args.insert("fd".into(), dirfd(0).to_string());
                args.insert("nstype".into(), syscalls::clone_flags(a[1]));
            }
            // Falco prints the target uid by user name (rules compare `evt.arg.uid=nobody`);
            // a uid with no name stays a number.
            "setuid" => {
                let uid = a[0] as u32;
                let shown = self.users.name(uid).map(str::to_string);
                args.insert("uid".into(), shown.unwrap_or_else(|| uid.to_string()));
            }
            "setgid" => {
                args.insert("gid".into(), (a[0] as u32).to_string());
            }
            "setreuid" | "setresuid" | "setregid" | "setresgid" => {
                let k = if name.contains("uid") { "uid" } else { "gid" };
                args.insert(format!("r{k}"), (a[0] as u32 as i32).to_string());
                args.insert(format!("e{k}"), (a[1] as u32 as i32).to_string());
                if name.contains("res") {
                    args.insert(format!("s{k}"), (a[2] as u32 as i32).to_string());
                }
            }
            "ptrace" => {
                args.insert("request".into(), syscalls::ptrace_request(a[0]));
                args.insert("pid".into(), (a[1] as i32).to_string());
            }
            "finit_module" => {
                args.insert("fd".into(), dirfd(0).to_string());
            }
            "socket" => {
                args.insert("domain".into(), syscalls::socket_domain(a[0]));
                args.insert("type".into(), syscalls::socket_type(a[1]));
                args.insert("proto".into(), a[2].to_string());
            }
            "connect" | "accept" | "accept4" | "bind" => {
                let num = if name.starts_with("accept") {
                    s.res
                } else {
                    dirfd(0)
                };
                fd = socket_fd(s, name, num);
                if fd.is_none() {
                    // Not an IP socket (Unix, netlink): nothing Falco's network rules read.
                    args.insert("fd".into(), num.to_string());
                }
            }
            _ => {}
        }
        let mut ev = self.event(&s.hdr, EventType::from_name(name), s.res);
        ev.args = args;
        ev.fd = fd;
        Some(ev)
    }

    /// Events decoded so far.
    pub fn count(&self) -> u64 {
        self.num
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

fn ip(family: u16, b: &[u8; 16]) -> IpAddr {
    if family == 2 {
        IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
    } else {
        IpAddr::V6(Ipv6Addr::from(*b))
    }
}

fn endpoint(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("{a}:{port}"),
    }
}

/// Falco's socket view: the client and server ends, `fd.name` = `cip:cport->sip:sport`.
fn socket_fd(s: &SyscallRecord, name: &str, num: i64) -> Option<Fd> {
    if s.family != 2 && s.family != 10 {
        return None;
    }
    let local = ip(s.family, &s.laddr);
    let remote = ip(s.family, &s.raddr);
    let is_server = name != "connect";
    let (cip, cport, sip, sport) = match name {
        "connect" => (local, s.lport, remote, s.rport),
        "bind" => (remote, s.rport, local, s.lport),
        _ => (remote, s.rport, local, s.lport),
    };
    let fd_name = if name == "bind" {
        endpoint(sip, sport)
    } else {
        format!("{}->{}", endpoint(cip, cport), endpoint(sip, sport))
    };
    Some(Fd {
        num: if num >= 0 { num } else { -1 },
        fd_type: if s.family == 2 {
            FdType::Ipv4
        } else {
            FdType::Ipv6
        },
        name: fd_name,
        l4proto: syscalls::l4proto(s.proto).to_string(),
        cip: Some(cip),
        cport: Some(cport),
        sip: Some(sip),
        sport: Some(sport),
        is_server,
        name_changed: name != "bind",
        connected: name != "bind" && (s.res >= 0 || s.res == -115),
        ..Fd::default()
    })
}

/// `path` made absolute against `base`, with `.` components and repeated slashes removed
/// (`..` is kept: rules look for it).
pub fn absolute(base: &str, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    let mut out = base.trim_end_matches('/').to_string();
    for seg in path.split('/') {
        if seg.is_empty() || seg == "." {
            continue;
        }
        out.push('/');
        out.push_str(seg);
    }
    if out.is_empty() { "/".to_string() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::Header;

    fn hdr(pid: u32) -> Header {
        Header {
            pid,
            tid: pid,
            ppid: std::process::id(),
            uid: 0,
            loginuid: u32::MAX,
            ts: monotonic_ns(),
            comm: "tool".into(),
            ..Header::default()
        }
    }

    fn sys(pid: u32, nr: i64, res: i64) -> SyscallRecord {
        SyscallRecord {
            hdr: hdr(pid),
            nr,
            res,
            args: [0; 6],
            extra: 0,
            family: 0,
            lport: 0,
            rport: 0,
            proto: 0,
            laddr: [0; 16],
            raddr: [0; 16],
            s1: String::new(),
            s2: String::new(),
            s3: String::new(),
        }
    }

    #[test]
    fn absolute_paths() {
        assert_eq!(absolute("/root", "a/./b"), "/root/a/b");
        assert_eq!(absolute("/", "etc/shadow"), "/etc/shadow");
        assert_eq!(absolute("/x", "/etc//y"), "/etc//y");
        assert_eq!(absolute("/x/", "../etc"), "/x/../etc");
    }

    #[test]
    fn exec_then_open_relative_to_cwd() {
        let mut d = Decoder::new();
        d.procs.scan();
        let pid = 1 << 29;
        let me = std::process::id();
        let fork = Record::Fork {
            hdr: hdr(me),
            child_pid: pid,
            child_start_ns: monotonic_ns(),
        };
        let ev = d.decode(&fork).expect("event");
        assert_eq!(ev.evt_type, EventType::Clone);
        assert_eq!(ev.res, Some(pid as i64));
        let mut h = hdr(pid);
        h.ppid = me;
        h.comm = "cat".into();
        let exec = Record::Exec {
            hdr: h.clone(),
            syscall_nr: 59,
            filename: "/usr/bin/cat".into(),
            exe_dname: "cat".into(),
            args: b"cat\0/etc/shadow\0".to_vec(),
        };
        let ev = d.decode(&exec).expect("event");
        assert_eq!(ev.evt_type, EventType::Execve);
        assert_eq!(ev.proc.cmdline(), "cat /etc/shadow");
        assert_eq!(ev.proc.exepath, "/usr/bin/cat");
        assert_eq!(ev.proc.ppid, me as i64);
        assert_eq!(ev.proc.ancestors[0].pid, me as i64);
        assert_eq!(ev.proc.user, "root");
        assert_eq!(ev.proc.loginuid, -1);

        // chdir, then a relative openat.
        let mut c = sys(pid, 80, 0);
        c.s1 = "/etc".into();
        d.decode(&Record::Syscall(Box::new(c)));
        let mut o = sys(pid, 257, 3);
        o.args[0] = AT_FDCWD as u64;
        o.s1 = "shadow".into();
        let ev = d.decode(&Record::Syscall(Box::new(o))).expect("event");
        assert_eq!(ev.evt_type, EventType::Openat);
        let fd = ev.fd.expect("fd");
        assert_eq!((fd.name.as_str(), fd.num), ("/etc/shadow", 3));
        assert_eq!(ev.args.get("flags").map(String::as_str), Some("O_RDONLY"));
        assert_eq!(ev.proc.cwd, "/etc");
    }

    #[test]
    fn memfd_exec_and_connect() {
        let mut d = Decoder::new();
        let pid = (1 << 29) + 1;
        let exec = Record::Exec {
            hdr: hdr(pid),
            syscall_nr: syscalls::EXECVEAT,
            filename: "/dev/fd/3".into(),
            exe_dname: "memfd:payload".into(),
            args: b"payload\0".to_vec(),
        };
        let ev = d.decode(&exec).expect("event");
        assert_eq!(ev.evt_type, EventType::Execveat);
        assert!(ev.proc.is_exe_from_memfd);
        assert_eq!(ev.proc.exepath, "memfd:payload");

        let mut c = sys(pid, 42, 0);
        c.args[0] = 5;
        c.family = 2;
        c.proto = 6;
        c.laddr[..4].copy_from_slice(&[127, 0, 0, 1]);
        c.raddr[..4].copy_from_slice(&[127, 0, 0, 1]);
        c.lport = 40000;
        c.rport = 8080;
        let ev = d.decode(&Record::Syscall(Box::new(c))).expect("event");
        let fd = ev.fd.expect("fd");
        assert_eq!(fd.name, "127.0.0.1:40000->127.0.0.1:8080");
        assert_eq!((fd.num, fd.l4proto.as_str()), (5, "tcp"));
        assert_eq!(fd.sport, Some(8080));
        assert!(!fd.is_server);
    }
}
