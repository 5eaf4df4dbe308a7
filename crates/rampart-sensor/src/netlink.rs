//! The fallback source: the kernel's netlink process connector (`NETLINK_CONNECTOR`,
//! `CN_IDX_PROC`), which reports exec, fork and exit of every process without eBPF. Owns
//! the socket, the message parser and a small process table enriched from `/proc` (exe,
//! cmdline, cwd, ppid, uid, login uid, container id); produces the same
//! [`rampart_detect::event::Event`]s as the eBPF path for those three kinds (`execve`,
//! `clone`, `procexit`). It sees no system calls, file or network activity.
//!
//! The connector reports after the fact: a process that exits before its exec is read
//! from `/proc` keeps what its parent had (the fork copy) and the pid.

use crate::container::{id_from_proc_cgroup, short_id};
use rampart_detect::event::{Ancestor, Container, Event, EventType, Process, Source};
use std::collections::HashMap;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::time::Duration;

/// How the fallback source is described on start.
pub const DESCRIPTION: &str =
    "netlink process connector (NETLINK_CONNECTOR, CN_IDX_PROC: exec, fork and exit only)";

const NETLINK_CONNECTOR: libc::c_int = 11;
const CN_IDX_PROC: u32 = 1;
const CN_VAL_PROC: u32 = 1;
const PROC_CN_MCAST_LISTEN: u32 = 1;
const NLMSG_HDRLEN: usize = 16;
const CN_MSG_LEN: usize = 20;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_OVERRUN: u16 = 4;
const PROC_EVENT_FORK: u32 = 0x1;
const PROC_EVENT_EXEC: u32 = 0x2;
const PROC_EVENT_EXIT: u32 = 0x8000_0000;

/// What went wrong with the process connector.
#[derive(Debug, thiserror::Error)]
pub enum NetlinkError {
    /// The process may not listen to the connector.
    #[error(
        "netlink process connector: missing capability CAP_NET_ADMIN: run as root or grant CAP_NET_ADMIN"
    )]
    Privilege,
    /// A socket call failed.
    #[error("netlink process connector: {call}: {reason}")]
    Socket {
        /// The call (`socket`, `bind`, `send`, `recv`, `poll`).
        call: &'static str,
        /// The kernel's answer.
        reason: String,
    },
    /// A message that is not what the connector sends.
    #[error("netlink process connector: bad message at byte {offset}: {reason}")]
    Message {
        /// Offset in the datagram.
        offset: usize,
        /// What is wrong.
        reason: String,
    },
}

/// One process event from the connector (thread ids and process ids as the kernel gives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcEvent {
    /// A fork or clone.
    Fork {
        /// The parent's process id.
        parent_tgid: u32,
        /// The new task's thread id.
        child_pid: u32,
        /// The new task's process id (differs from `child_pid` for a thread).
        child_tgid: u32,
        /// Monotonic ns.
        ts: u64,
    },
    /// An exec.
    Exec {
        /// Thread id.
        pid: u32,
        /// Process id.
        tgid: u32,
        /// Monotonic ns.
        ts: u64,
    },
    /// An exit.
    Exit {
        /// Thread id.
        pid: u32,
        /// Process id.
        tgid: u32,
        /// The wait status.
        code: u32,
        /// Monotonic ns.
        ts: u64,
    },
}

/// Counters of the connector.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetlinkStats {
    /// Events produced.
    pub events: u64,
    /// Times the socket's receive buffer overflowed (events lost, count unknown).
    pub overflows: u64,
    /// Messages that could not be parsed.
    pub bad_messages: u64,
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(off..off + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], off: usize) -> Option<u64> {
    Some(u64::from_ne_bytes(b.get(off..off + 8)?.try_into().ok()?))
}

/// Parses one datagram: netlink messages, each a connector message carrying a
/// `proc_event`. Events other than fork, exec and exit are skipped; so are overrun
/// notices (the caller counts `ENOBUFS`).
pub fn parse(buf: &[u8]) -> Result<Vec<ProcEvent>, NetlinkError> {
    let mut out = Vec::new();
    let mut off = 0;
    while off + NLMSG_HDRLEN <= buf.len() {
        let bad = |reason: String| NetlinkError::Message {
            offset: off,
            reason,
        };
        let len = u32_at(buf, off).unwrap_or(0) as usize;
        if len < NLMSG_HDRLEN || off + len > buf.len() {
            return Err(bad(format!(
                "message length {len} outside the {} bytes left",
                buf.len() - off
            )));
        }
        let ty = u16::from_ne_bytes([buf[off + 4], buf[off + 5]]);
        let msg = &buf[off..off + len];
        match ty {
            NLMSG_ERROR => {
                let code = u32_at(msg, NLMSG_HDRLEN).unwrap_or(0) as i32;
                if code != 0 {
                    return Err(bad(format!(
                        "kernel error {}",
                        std::io::Error::from_raw_os_error(-code)
                    )));
                }
            }
            NLMSG_OVERRUN => {}
            _ => {
                let cn = &msg[NLMSG_HDRLEN..];
                if cn.len() < CN_MSG_LEN {
                    return Err(bad("connector header cut short".into()));
                }
                let idx = u32_at(cn, 0).unwrap_or(0);
                let data_len = u16::from_ne_bytes([cn[16], cn[17]]) as usize;
                let ev = &cn[CN_MSG_LEN..];
                if idx == CN_IDX_PROC && data_len >= 16 && ev.len() >= 16 {
                    let what = u32_at(ev, 0).unwrap_or(0);
                    let ts = u64_at(ev, 8).unwrap_or(0);
                    let field = |i: usize| {
                        u32_at(ev, 16 + 4 * i)
                            .ok_or_else(|| bad(format!("event {what:#x} cut short at field {i}")))
                    };
                    match what {
                        PROC_EVENT_FORK => out.push(ProcEvent::Fork {
                            parent_tgid: field(1)?,
                            child_pid: field(2)?,
                            child_tgid: field(3)?,
                            ts,
                        }),
                        PROC_EVENT_EXEC => out.push(ProcEvent::Exec {
                            pid: field(0)?,
                            tgid: field(1)?,
                            ts,
                        }),
                        PROC_EVENT_EXIT => out.push(ProcEvent::Exit {
                            pid: field(0)?,
                            tgid: field(1)?,
                            code: field(2)?,
                            ts,
                        }),
                        _ => {}
                    }
                }
            }
        }
        off += (len + 3) & !3;
    }
    Ok(out)
}

/// What the connector knows of a process.
#[derive(Debug, Clone, Default)]
struct Info {
    ppid: i64,
    name: String,
    exe: String,
    exepath: String,
    args: Vec<String>,
    cwd: String,
    uid: u32,
    gid: u32,
    loginuid: i64,
    container: Option<String>,
}

/// Reads a process's context from a proc file system.
fn read_proc(root: &std::path::Path, pid: i64) -> Option<Info> {
    let dir = root.join(pid.to_string());
    let status = std::fs::read_to_string(dir.join("status")).ok()?;
    let field = |name: &str| -> Option<&str> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
    };
    let name = field("Name:").unwrap_or_default().to_string();
    let ppid = field("PPid:").and_then(|v| v.parse().ok()).unwrap_or(0);
    // Real, effective, saved, fs: the effective id is the second.
    let second = |v: Option<&str>| -> u32 {
        v.and_then(|v| v.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let uid = second(field("Uid:"));
    let gid = second(field("Gid:"));
    let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
    let mut args: Vec<String> = cmdline
        .split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    if args.last().is_some_and(String::is_empty) {
        args.pop();
    }
    let exe = if args.is_empty() {
        String::new()
    } else {
        args.remove(0)
    };
    let link = |f: &str| {
        std::fs::read_link(dir.join(f))
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let exepath = link("exe");
    let exepath = exepath
        .strip_suffix(" (deleted)")
        .map(str::to_string)
        .unwrap_or(exepath);
    let loginuid = std::fs::read_to_string(dir.join("loginuid"))
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .map_or(-1, |v| if v == u32::MAX { -1 } else { i64::from(v) });
    let container = std::fs::read_to_string(dir.join("cgroup"))
        .ok()
        .and_then(|t| id_from_proc_cgroup(&t));
    Some(Info {
        ppid,
        name,
        exe,
        exepath,
        args,
        cwd: link("cwd"),
        uid,
        gid,
        loginuid,
        container,
    })
}

/// `name:x:id:...` lines (`/etc/passwd`, `/etc/group`) → id → name.
fn names(path: &str) -> HashMap<u32, String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let id = f.nth(1)?.parse().ok()?;
            Some((id, name.to_string()))
        })
        .collect()
}

fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    (ts.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec as u64)
}

fn os_error(call: &'static str) -> NetlinkError {
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EPERM) || e.raw_os_error() == Some(libc::EACCES) {
        return NetlinkError::Privilege;
    }
    NetlinkError::Socket {
        call,
        reason: e.to_string(),
    }
}

/// A subscription to the process connector, with its process table.
pub struct ProcConnector {
    fd: OwnedFd,
    proc_root: PathBuf,
    table: HashMap<i64, Info>,
    users: HashMap<u32, String>,
    groups: HashMap<u32, String>,
    me: u32,
    wall_minus_mono: i128,
    num: u64,
    stats: NetlinkStats,
    buf: Vec<u8>,
}

impl std::fmt::Debug for ProcConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcConnector")
            .field("fd", &self.fd)
            .field("processes", &self.table.len())
            .field("stats", &self.stats)
            .finish()
    }
}

impl ProcConnector {
    /// Subscribes to the connector (CAP_NET_ADMIN) and reads the running processes.
    pub fn open() -> Result<ProcConnector, NetlinkError> {
        // SAFETY: plain socket(2); the result is checked before use.
        let raw = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
                NETLINK_CONNECTOR,
            )
        };
        if raw < 0 {
            return Err(os_error("socket"));
        }
        // SAFETY: `raw` is a socket we own from here on.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        // SAFETY: an all-zero sockaddr_nl is valid; the fields are set below.
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        addr.nl_groups = CN_IDX_PROC;
        // SAFETY: `addr` is a sockaddr_nl of the size passed.
        let rc = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&addr as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if rc < 0 {
            return Err(os_error("bind"));
        }
        // A larger receive buffer rides out exec storms (root may exceed rmem_max).
        let size: libc::c_int = 8 << 20;
        // SAFETY: `size` is a c_int of the size passed.
        unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVBUFFORCE,
                (&size as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        let me = std::process::id();
        let mut msg = Vec::with_capacity(NLMSG_HDRLEN + CN_MSG_LEN + 4);
        let total = (NLMSG_HDRLEN + CN_MSG_LEN + 4) as u32;
        msg.extend_from_slice(&total.to_ne_bytes());
        msg.extend_from_slice(&NLMSG_DONE.to_ne_bytes());
        msg.extend_from_slice(&0u16.to_ne_bytes()); // flags
        msg.extend_from_slice(&0u32.to_ne_bytes()); // seq
        msg.extend_from_slice(&me.to_ne_bytes()); // port id
        msg.extend_from_slice(&CN_IDX_PROC.to_ne_bytes());
        msg.extend_from_slice(&CN_VAL_PROC.to_ne_bytes());
        msg.extend_from_slice(&0u32.to_ne_bytes()); // seq
        msg.extend_from_slice(&0u32.to_ne_bytes()); // ack
        msg.extend_from_slice(&4u16.to_ne_bytes()); // data length
        msg.extend_from_slice(&0u16.to_ne_bytes()); // flags
        msg.extend_from_slice(&PROC_CN_MCAST_LISTEN.to_ne_bytes());
        // SAFETY: `msg` is a readable buffer of the length passed.
        let rc = unsafe { libc::send(fd.as_raw_fd(), msg.as_ptr().cast(), msg.len(), 0) };
        if rc < 0 {
            return Err(os_error("send"));
        }
        let wall = clock_ns(libc::CLOCK_REALTIME);
        let mono = clock_ns(libc::CLOCK_MONOTONIC);
        let mut c = ProcConnector {
            fd,
            proc_root: PathBuf::from("/proc"),
            table: HashMap::new(),
            users: names("/etc/passwd"),
            groups: names("/etc/group"),
            me,
            wall_minus_mono: i128::from(wall) - i128::from(mono),
            num: 0,
            stats: NetlinkStats::default(),
            buf: vec![0u8; 64 * 1024],
        };
        c.scan();
        Ok(c)
    }

    fn scan(&mut self) {
        let Ok(dir) = std::fs::read_dir(&self.proc_root) else {
            return;
        };
        for e in dir.flatten() {
            if let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i64>().ok())
                && let Some(info) = read_proc(&self.proc_root, pid)
            {
                self.table.insert(pid, info);
            }
        }
    }

    /// Processes known.
    pub fn processes(&self) -> usize {
        self.table.len()
    }

    /// Counters.
    pub fn stats(&self) -> NetlinkStats {
        self.stats
    }

    /// Waits up to `timeout` for process events and hands each to `sink`. Returns how
    /// many it handed over.
    pub fn poll(
        &mut self,
        timeout: Duration,
        sink: &mut dyn FnMut(Event),
    ) -> Result<usize, NetlinkError> {
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd.
        let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
        if rc < 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EINTR) {
                return Ok(0);
            }
            return Err(NetlinkError::Socket {
                call: "poll",
                reason: e.to_string(),
            });
        }
        self.flush(sink)
    }

    /// Reads whatever the socket holds without waiting.
    pub fn flush(&mut self, sink: &mut dyn FnMut(Event)) -> Result<usize, NetlinkError> {
        let mut n = 0;
        loop {
            // SAFETY: `buf` is a writable buffer of the length passed.
            let rc = unsafe {
                libc::recv(
                    self.fd.as_raw_fd(),
                    self.buf.as_mut_ptr().cast(),
                    self.buf.len(),
                    libc::MSG_DONTWAIT,
                )
            };
            if rc < 0 {
                let e = std::io::Error::last_os_error();
                match e.raw_os_error() {
                    Some(libc::EAGAIN) | Some(libc::EINTR) => return Ok(n),
                    Some(libc::ENOBUFS) => {
                        self.stats.overflows += 1;
                        continue;
                    }
                    _ => {
                        return Err(NetlinkError::Socket {
                            call: "recv",
                            reason: e.to_string(),
                        });
                    }
                }
            }
            let len = rc as usize;
            let events = match parse(&self.buf[..len]) {
                Ok(evs) => evs,
                Err(_) => {
                    self.stats.bad_messages += 1;
                    continue;
                }
            };
            for pe in events {
                if let Some(ev) = self.event(pe) {
                    n += 1;
                    self.stats.events += 1;
                    sink(ev);
                }
            }
        }
    }

    fn wall(&self, mono: u64) -> u64 {
        u64::try_from(i128::from(mono) + self.wall_minus_mono).unwrap_or(0)
    }

    /// The table's update for one connector event, and the event it becomes.
    fn event(&mut self, pe: ProcEvent) -> Option<Event> {
        let me = self.me;
        match pe {
            ProcEvent::Fork {
                parent_tgid,
                child_pid,
                child_tgid,
                ts,
            } => {
                if child_pid != child_tgid || parent_tgid == me {
                    return None;
                }
                let parent = i64::from(parent_tgid);
                if !self.table.contains_key(&parent)
                    && let Some(info) = read_proc(&self.proc_root, parent)
                {
                    self.table.insert(parent, info);
                }
                let mut child = self.table.get(&parent).cloned().unwrap_or_default();
                child.ppid = parent;
                self.table.insert(i64::from(child_tgid), child);
                Some(self.make(
                    parent,
                    i64::from(parent_tgid),
                    EventType::Clone,
                    i64::from(child_tgid),
                    ts,
                ))
            }
            ProcEvent::Exec { pid, tgid, ts } => {
                if tgid == me {
                    return None;
                }
                let p = i64::from(tgid);
                let old = self.table.remove(&p);
                let info = match read_proc(&self.proc_root, p) {
                    Some(mut fresh) => {
                        if fresh.ppid == 0
                            && let Some(o) = &old
                        {
                            fresh.ppid = o.ppid;
                        }
                        fresh
                    }
                    None => old.unwrap_or_default(),
                };
                let filename = if info.exepath.is_empty() {
                    info.exe.clone()
                } else {
                    info.exepath.clone()
                };
                self.table.insert(p, info);
                let mut ev = self.make(p, i64::from(pid), EventType::Execve, 0, ts);
                ev.args.insert("filename".into(), filename);
                Some(ev)
            }
            ProcEvent::Exit {
                pid,
                tgid,
                code,
                ts,
            } => {
                if pid != tgid || tgid == me {
                    return None;
                }
                let p = i64::from(tgid);
                let mut ev = self.make(p, i64::from(pid), EventType::Procexit, 0, ts);
                ev.args.insert("status".into(), code.to_string());
                self.table.remove(&p);
                Some(ev)
            }
        }
    }

    fn make(&mut self, pid: i64, tid: i64, evt_type: EventType, res: i64, ts: u64) -> Event {
        self.num += 1;
        let info = self.table.get(&pid).cloned().unwrap_or_default();
        let mut ancestors = Vec::new();
        let mut cur = info.ppid;
        while cur > 0 && ancestors.len() < 16 {
            let Some(a) = self.table.get(&cur) else {
                break;
            };
            ancestors.push(Ancestor {
                pid: cur,
                name: a.name.clone(),
                exe: a.exe.clone(),
                exepath: a.exepath.clone(),
                args: a.args.clone(),
            });
            cur = a.ppid;
        }
        let name_of = |m: &HashMap<u32, String>, id: u32| m.get(&id).cloned().unwrap_or_default();
        let loginname = u32::try_from(info.loginuid)
            .map(|id| name_of(&self.users, id))
            .unwrap_or_default();
        Event {
            time: self.wall(ts),
            num: self.num,
            source: Source::Syscall,
            evt_type,
            res: Some(res),
            container: info.container.as_deref().map(|id| Container {
                id: short_id(id).to_string(),
                ..Container::default()
            }),
            proc: Process {
                pid,
                tid,
                ppid: info.ppid,
                name: info.name,
                exe: info.exe,
                exepath: info.exepath,
                args: info.args,
                cwd: info.cwd,
                uid: info.uid,
                user: name_of(&self.users, info.uid),
                loginuid: info.loginuid,
                loginname,
                gid: info.gid,
                group: name_of(&self.groups, info.gid),
                ancestors,
                ..Process::default()
            },
            ..Event::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A datagram as the kernel builds it: nlmsghdr, cn_msg, proc_event.
    fn message(what: u32, fields: &[u32]) -> Vec<u8> {
        let mut ev = Vec::new();
        ev.extend_from_slice(&what.to_ne_bytes());
        ev.extend_from_slice(&1u32.to_ne_bytes()); // cpu
        ev.extend_from_slice(&42u64.to_ne_bytes()); // timestamp
        for f in fields {
            ev.extend_from_slice(&f.to_ne_bytes());
        }
        let mut m = Vec::new();
        let total = (NLMSG_HDRLEN + CN_MSG_LEN + ev.len()) as u32;
        m.extend_from_slice(&total.to_ne_bytes());
        m.extend_from_slice(&NLMSG_DONE.to_ne_bytes());
        m.extend_from_slice(&[0; 10]);
        m.extend_from_slice(&CN_IDX_PROC.to_ne_bytes());
        m.extend_from_slice(&CN_VAL_PROC.to_ne_bytes());
        m.extend_from_slice(&[0; 8]);
        m.extend_from_slice(&(ev.len() as u16).to_ne_bytes());
        m.extend_from_slice(&[0; 2]);
        m.extend_from_slice(&ev);
        m
    }

    #[test]
    fn parses_fork_exec_exit_and_skips_others() {
        let mut buf = message(PROC_EVENT_FORK, &[10, 10, 11, 11]);
        buf.extend(message(PROC_EVENT_EXEC, &[11, 11]));
        buf.extend(message(0x200, &[11, 11, 0, 0, 0, 0])); // comm change
        buf.extend(message(PROC_EVENT_EXIT, &[11, 11, 256, 17, 10, 10]));
        let evs = parse(&buf).expect("parses");
        assert_eq!(
            evs,
            [
                ProcEvent::Fork {
                    parent_tgid: 10,
                    child_pid: 11,
                    child_tgid: 11,
                    ts: 42
                },
                ProcEvent::Exec {
                    pid: 11,
                    tgid: 11,
                    ts: 42
                },
                ProcEvent::Exit {
                    pid: 11,
                    tgid: 11,
                    code: 256,
                    ts: 42
                },
            ]
        );
    }

    #[test]
    fn short_and_lying_messages_are_errors() {
        let mut m = message(PROC_EVENT_EXEC, &[11, 11]);
        m[0] = 200; // longer than the datagram
        let e = parse(&m).expect_err("too long");
        assert!(e.to_string().contains("byte 0"), "{e}");
        // An exec that lost its fields.
        let m = message(PROC_EVENT_EXEC, &[]);
        let e = parse(&m).expect_err("cut short");
        assert!(e.to_string().contains("cut short"), "{e}");
        assert_eq!(parse(&[]).expect("empty"), []);
    }

    #[test]
    fn reads_this_process_from_proc() {
        let me = i64::from(std::process::id());
        let info = read_proc(std::path::Path::new("/proc"), me).expect("own /proc entry");
        assert_eq!(
            std::path::Path::new(&info.exepath),
            std::env::current_exe().expect("exe")
        );
        assert!(info.ppid > 0);
        assert_eq!(
            info.cwd,
            std::env::current_dir().expect("cwd").display().to_string()
        );
        assert!(names("/etc/passwd").get(&0).is_some_and(|n| n == "root"));
    }
}
