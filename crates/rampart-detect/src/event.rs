//! The normalized runtime event that every rampart source produces and every rule reads.
//!
//! One [`Event`] type covers system calls (from the sensor), Kubernetes audit events,
//! CloudTrail records and arbitrary JSON documents. Syscall events carry typed process,
//! file-descriptor, container and Kubernetes context; audit-style events keep their raw
//! JSON document in [`Event::raw`] and are read through JSON pointers.
//!
//! The serde representation of [`Event`] is rampart's event JSON-lines format: what the
//! sensor records and `rampart detect` replays. Field names follow Falco's where one
//! exists. Reading fields by Falco name is in [`crate::falco::fields`]; this module only
//! owns the data.

use crate::rawjson::RawJson;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Where an event came from. Falco rules declare the source they apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A system call seen by the sensor (Falco source `syscall`).
    #[default]
    Syscall,
    /// A Kubernetes audit event (Falco source `k8s_audit`).
    K8sAudit,
    /// An AWS CloudTrail record (Falco source `aws_cloudtrail`).
    AwsCloudtrail,
    /// Any other JSON document.
    Json,
}

impl Source {
    /// The Falco name of the source.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Syscall => "syscall",
            Source::K8sAudit => "k8s_audit",
            Source::AwsCloudtrail => "aws_cloudtrail",
            Source::Json => "json",
        }
    }

    /// Parses a Falco source name (`syscall`, `k8s_audit`, `aws_cloudtrail`, `json`).
    pub fn from_name(name: &str) -> Option<Source> {
        Some(match name {
            "syscall" => Source::Syscall,
            "k8s_audit" => Source::K8sAudit,
            "aws_cloudtrail" => Source::AwsCloudtrail,
            "json" => Source::Json,
            _ => return None,
        })
    }
}

macro_rules! event_types {
    ($($variant:ident => $name:literal,)*) => {
        /// The kind of event (Falco's `evt.type`): the system call name for syscall events.
        ///
        /// Serialized as the Falco name (`execve`, `openat`, ...). Names rampart does not
        /// know are kept in [`EventType::Other`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
        pub enum EventType {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
            /// An event without a type (audit and JSON events).
            #[default]
            None,
            /// Any other event type, by name.
            Other(Box<str>),
        }

        impl EventType {
            /// Every known event type, in a stable order (used to index rules).
            pub const KNOWN: &'static [EventType] = &[$(EventType::$variant,)*];

            /// The Falco name of this event type (`""` for [`EventType::None`]).
            pub fn as_str(&self) -> &str {
                match self {
                    $(EventType::$variant => $name,)*
                    EventType::None => "",
                    EventType::Other(s) => s,
                }
            }

            /// Parses a Falco event type name; unknown names become [`EventType::Other`].
            pub fn from_name(name: &str) -> EventType {
                match name {
                    $($name => EventType::$variant,)*
                    "" => EventType::None,
                    other => EventType::Other(other.into()),
                }
            }

            /// A small dense index of known types (`None` for others), for rule tables.
            pub fn index(&self) -> Option<usize> {
                // Discriminant comparisons only (no string compares of `Other`).
                let mut i = 0usize;
                $(
                    if matches!(self, EventType::$variant) {
                        return Some(i);
                    }
                    i += 1;
                )*
                let _ = i;
                None
            }
        }
    };
}

event_types! {
    Execve => "execve",
    Execveat => "execveat",
    Clone => "clone",
    Clone3 => "clone3",
    Fork => "fork",
    Vfork => "vfork",
    Procexit => "procexit",
    Open => "open",
    Openat => "openat",
    Openat2 => "openat2",
    OpenByHandleAt => "open_by_handle_at",
    Creat => "creat",
    Close => "close",
    Read => "read",
    Write => "write",
    Rename => "rename",
    Renameat => "renameat",
    Renameat2 => "renameat2",
    Unlink => "unlink",
    Unlinkat => "unlinkat",
    Rmdir => "rmdir",
    Mkdir => "mkdir",
    Mkdirat => "mkdirat",
    Link => "link",
    Linkat => "linkat",
    Symlink => "symlink",
    Symlinkat => "symlinkat",
    Chmod => "chmod",
    Fchmod => "fchmod",
    Fchmodat => "fchmodat",
    Chown => "chown",
    Truncate => "truncate",
    Connect => "connect",
    Accept => "accept",
    Accept4 => "accept4",
    Bind => "bind",
    Listen => "listen",
    Socket => "socket",
    Sendto => "sendto",
    Sendmsg => "sendmsg",
    Recvfrom => "recvfrom",
    Recvmsg => "recvmsg",
    Setuid => "setuid",
    Setgid => "setgid",
    Setreuid => "setreuid",
    Setregid => "setregid",
    Setresuid => "setresuid",
    Setresgid => "setresgid",
    Setsid => "setsid",
    Setpgid => "setpgid",
    Capset => "capset",
    Ptrace => "ptrace",
    InitModule => "init_module",
    FinitModule => "finit_module",
    Mount => "mount",
    Umount => "umount",
    Umount2 => "umount2",
    Unshare => "unshare",
    Setns => "setns",
    MemfdCreate => "memfd_create",
    Bpf => "bpf",
    Userfaultfd => "userfaultfd",
    Dup => "dup",
    Dup2 => "dup2",
    Dup3 => "dup3",
    Chdir => "chdir",
    Prctl => "prctl",
    Kill => "kill",
    Mmap => "mmap",
    Mprotect => "mprotect",
    Chroot => "chroot",
    PivotRoot => "pivot_root",
    Ioctl => "ioctl",
    Pluginevent => "pluginevent",
    Container => "container",
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Ok(EventType::from_name(&s))
    }
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// One normalized event. See the module docs for the JSON-lines format.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Event time, nanoseconds since the Unix epoch.
    #[serde(default)]
    pub time: u64,
    /// Sequence number in its stream, from 1 (`evt.num`); 0 when unknown.
    #[serde(default, skip_serializing_if = "is_default")]
    pub num: u64,
    /// The source this event belongs to.
    #[serde(default)]
    pub source: Source,
    /// The event type (`evt.type`).
    #[serde(default, rename = "type", skip_serializing_if = "is_default")]
    pub evt_type: EventType,
    /// Syscall return value (`evt.rawres`); errors are negative errno values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub res: Option<i64>,
    /// Syscall arguments by Falco name (`evt.arg.flags`, `evt.arg.uid`, ...), as text.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, String>,
    /// The process that made the call.
    #[serde(default, skip_serializing_if = "is_default")]
    pub proc: Process,
    /// The file descriptor the call used or produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fd: Option<Fd>,
    /// The container the process runs in (absent on the host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    /// Kubernetes pod context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k8s: Option<K8s>,
    /// The raw document for `k8s_audit`, `aws_cloudtrail` and `json` events (serialized as
    /// the JSON value itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<RawJson>,
}

/// Process context (`proc.*`, `user.*`, `group.*`, `thread.*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Process {
    /// Process id (`proc.pid`).
    pub pid: i64,
    /// Thread id (`thread.tid`).
    #[serde(skip_serializing_if = "is_default")]
    pub tid: i64,
    /// Parent process id (`proc.ppid`).
    pub ppid: i64,
    /// Process id inside its pid namespace (`proc.vpid`).
    #[serde(skip_serializing_if = "is_default")]
    pub vpid: i64,
    /// Process name, the comm (`proc.name`).
    pub name: String,
    /// argv\[0\] (`proc.exe`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub exe: String,
    /// Full path of the executable (`proc.exepath`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub exepath: String,
    /// Arguments after argv\[0\] (`proc.args`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Process start time, ns since the epoch (`proc.duration` is measured from it).
    #[serde(skip_serializing_if = "is_default")]
    pub start_ts: u64,
    /// Working directory (`proc.cwd`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cwd: String,
    /// Environment, `KEY=value` strings (`proc.env`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// Controlling terminal number, 0 for none (`proc.tty`).
    #[serde(skip_serializing_if = "is_default")]
    pub tty: u32,
    /// Session id (`proc.sid`).
    #[serde(skip_serializing_if = "is_default")]
    pub sid: i64,
    /// Name of the session leader (`proc.sname`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sname: String,
    /// Process group id in the pid namespace (`proc.vpgid`).
    #[serde(skip_serializing_if = "is_default")]
    pub vpgid: i64,
    /// Name of the process group leader (`proc.vpgid.name`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub vpgid_name: String,
    /// Effective user id (`user.uid`).
    pub uid: u32,
    /// User name (`user.name`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user: String,
    /// Audit login uid, -1 when unset (`user.loginuid`).
    pub loginuid: i64,
    /// Login user name (`user.loginname`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub loginname: String,
    /// Group id (`group.gid`).
    #[serde(skip_serializing_if = "is_default")]
    pub gid: u32,
    /// Group name (`group.name`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group: String,
    /// The executable is writable by the user running it (`proc.is_exe_writable`).
    #[serde(skip_serializing_if = "is_default")]
    pub is_exe_writable: bool,
    /// The executable lives in the container's upper layer (`proc.is_exe_upper_layer`).
    #[serde(skip_serializing_if = "is_default")]
    pub is_exe_upper_layer: bool,
    /// The executable is a memfd (`proc.is_exe_from_memfd`).
    #[serde(skip_serializing_if = "is_default")]
    pub is_exe_from_memfd: bool,
    /// Permitted capabilities, Falco spelling (`thread.cap_permitted`, e.g. `CAP_SYS_ADMIN`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_permitted: Vec<String>,
    /// Effective capabilities (`thread.cap_effective`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_effective: Vec<String>,
    /// Ancestors, parent first (`proc.pname`, `proc.aname[n]`, `proc.apid[n]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ancestors: Vec<Ancestor>,
}

impl Process {
    /// `proc.cmdline`: the name followed by the arguments.
    pub fn cmdline(&self) -> String {
        cmdline(&self.name, &self.args)
    }
}

fn cmdline(name: &str, args: &[String]) -> String {
    let mut s = String::with_capacity(name.len() + args.iter().map(|a| a.len() + 1).sum::<usize>());
    s.push_str(name);
    for a in args {
        s.push(' ');
        s.push_str(a);
    }
    s
}

/// One ancestor of the event's process.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ancestor {
    /// Process id.
    pub pid: i64,
    /// Process name (comm).
    pub name: String,
    /// argv\[0\].
    #[serde(skip_serializing_if = "String::is_empty")]
    pub exe: String,
    /// Full executable path.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub exepath: String,
    /// Arguments after argv\[0\].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
}

impl Ancestor {
    /// The ancestor's command line, like `proc.cmdline`.
    pub fn cmdline(&self) -> String {
        cmdline(&self.name, &self.args)
    }
}

/// Kind of file descriptor (`fd.type`, `fd.typechar`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FdType {
    /// A regular file (`f`).
    #[default]
    File,
    /// A directory (`d`).
    Directory,
    /// An IPv4 socket (`4`).
    Ipv4,
    /// An IPv6 socket (`6`).
    Ipv6,
    /// A Unix socket (`u`).
    Unix,
    /// A pipe (`p`).
    Pipe,
    /// An eventfd (`e`).
    Event,
    /// A signalfd (`s`).
    Signalfd,
    /// An eventpoll (`l`).
    Eventpoll,
    /// An inotify descriptor (`i`).
    Inotify,
    /// A timerfd (`t`).
    Timerfd,
    /// A netlink socket (`n`).
    Netlink,
    /// A memfd (`m`).
    Memfd,
}

impl FdType {
    /// Falco's `fd.type` name.
    pub fn as_str(self) -> &'static str {
        match self {
            FdType::File => "file",
            FdType::Directory => "directory",
            FdType::Ipv4 => "ipv4",
            FdType::Ipv6 => "ipv6",
            FdType::Unix => "unix",
            FdType::Pipe => "pipe",
            FdType::Event => "event",
            FdType::Signalfd => "signalfd",
            FdType::Eventpoll => "eventpoll",
            FdType::Inotify => "inotify",
            FdType::Timerfd => "timerfd",
            FdType::Netlink => "netlink",
            FdType::Memfd => "memfd",
        }
    }

    /// Falco's `fd.typechar`.
    pub fn typechar(self) -> &'static str {
        match self {
            FdType::File => "f",
            FdType::Directory => "d",
            FdType::Ipv4 => "4",
            FdType::Ipv6 => "6",
            FdType::Unix => "u",
            FdType::Pipe => "p",
            FdType::Event => "e",
            FdType::Signalfd => "s",
            FdType::Eventpoll => "l",
            FdType::Inotify => "i",
            FdType::Timerfd => "t",
            FdType::Netlink => "n",
            FdType::Memfd => "m",
        }
    }
}

/// File descriptor context (`fd.*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Fd {
    /// Descriptor number, -1 when the call failed (`fd.num`).
    pub num: i64,
    /// Kind of descriptor.
    #[serde(rename = "type")]
    pub fd_type: FdType,
    /// Full name: a path for files, `cip:cport->sip:sport` for sockets (`fd.name`).
    pub name: String,
    /// Layer-4 protocol for sockets: `tcp`, `udp`, `icmp`, `raw` (`fd.l4proto`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub l4proto: String,
    /// Client (source) IP (`fd.cip`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cip: Option<std::net::IpAddr>,
    /// Client port (`fd.cport`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cport: Option<u16>,
    /// Server IP (`fd.sip`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sip: Option<std::net::IpAddr>,
    /// Server port (`fd.sport`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sport: Option<u16>,
    /// The process is the server side of the connection (accept/bind) rather than the
    /// client (connect); decides `fd.lport`/`fd.rport`.
    #[serde(skip_serializing_if = "is_default")]
    pub is_server: bool,
    /// Server host name, when resolved (`fd.sip.name`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sip_name: String,
    /// The descriptor's name changed with this event, e.g. a connect (`fd.name_changed`).
    #[serde(skip_serializing_if = "is_default")]
    pub name_changed: bool,
    /// The socket is connected (`fd.connected`).
    #[serde(skip_serializing_if = "is_default")]
    pub connected: bool,
}

impl Fd {
    /// `fd.directory`: the directory part of a file name (the name itself for directories).
    pub fn directory(&self) -> Option<&str> {
        match self.fd_type {
            FdType::Directory => Some(self.name.as_str()),
            FdType::File | FdType::Memfd => {
                let idx = self.name.rfind('/')?;
                Some(if idx == 0 { "/" } else { &self.name[..idx] })
            }
            _ => None,
        }
    }

    /// `fd.filename`: the last path component of a file name.
    pub fn filename(&self) -> Option<&str> {
        match self.fd_type {
            FdType::File | FdType::Memfd => {
                Some(self.name.rsplit('/').next().unwrap_or(self.name.as_str()))
            }
            _ => None,
        }
    }

    /// Local port: the server port on the server side, the client port otherwise.
    pub fn lport(&self) -> Option<u16> {
        if self.is_server {
            self.sport
        } else {
            self.cport
        }
    }

    /// Remote port: the client port on the server side, the server port otherwise.
    pub fn rport(&self) -> Option<u16> {
        if self.is_server {
            self.cport
        } else {
            self.sport
        }
    }

    /// Local IP (see [`Fd::lport`]).
    pub fn lip(&self) -> Option<std::net::IpAddr> {
        if self.is_server { self.sip } else { self.cip }
    }

    /// Remote IP (see [`Fd::lport`]).
    pub fn rip(&self) -> Option<std::net::IpAddr> {
        if self.is_server { self.cip } else { self.sip }
    }
}

/// A mount of a container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mount {
    /// Host path.
    pub source: String,
    /// Path in the container.
    pub dest: String,
    /// Mounted read-write.
    pub rw: bool,
}

/// Container context (`container.*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Container {
    /// Short container id, `host` for host processes (`container.id`).
    pub id: String,
    /// Container name (`container.name`).
    pub name: String,
    /// Full image reference (`container.image`).
    pub image: String,
    /// Image repository (`container.image.repository`).
    pub image_repository: String,
    /// Image tag (`container.image.tag`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub image_tag: String,
    /// Runs privileged (`container.privileged`).
    pub privileged: bool,
    /// Mounts (`container.mounts`, `container.mount.dest[...]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<Mount>,
    /// Container start time, ns since the epoch (`container.start_ts`).
    #[serde(skip_serializing_if = "is_default")]
    pub start_ts: u64,
}

/// Kubernetes context (`k8s.*`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct K8s {
    /// Namespace (`k8s.ns.name`).
    pub ns_name: String,
    /// Pod name (`k8s.pod.name`).
    pub pod_name: String,
    /// Pod labels (`k8s.pod.label[key]`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub pod_labels: BTreeMap<String, String>,
}

impl Event {
    /// A raw-JSON event of `source` (k8s_audit, aws_cloudtrail or json), timestamped `time`.
    pub fn from_json(source: Source, time: u64, raw: serde_json::Value) -> Event {
        Event::from_raw(source, time, RawJson::from(raw))
    }

    /// A raw-JSON event of `source` over a parsed document (see [`RawJson`]).
    pub fn from_raw(source: Source, time: u64, raw: RawJson) -> Event {
        Event {
            time,
            source,
            evt_type: EventType::None,
            raw: Some(raw),
            ..Event::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_json_round_trips() {
        let line = r#"{"time":1,"source":"syscall","type":"openat","res":3,"args":{"flags":"O_RDONLY"},"proc":{"pid":7,"ppid":1,"name":"cat","args":["/etc/shadow"],"uid":0,"loginuid":-1,"ancestors":[{"pid":1,"name":"bash"}]},"fd":{"num":3,"type":"file","name":"/etc/shadow"}}"#;
        let ev: Event = serde_json::from_str(line).expect("valid event");
        assert_eq!(ev.evt_type, EventType::Openat);
        assert_eq!(ev.proc.cmdline(), "cat /etc/shadow");
        let fd = ev.fd.as_ref().expect("fd");
        assert_eq!(fd.directory(), Some("/etc"));
        assert_eq!(fd.filename(), Some("shadow"));
        let back: Event =
            serde_json::from_str(&serde_json::to_string(&ev).expect("serializes")).expect("parses");
        assert_eq!(back, ev);
    }

    #[test]
    fn unknown_event_type_is_kept() {
        let ev: Event = serde_json::from_str(r#"{"type":"frobnicate"}"#).expect("valid");
        assert_eq!(ev.evt_type.as_str(), "frobnicate");
        assert_eq!(ev.evt_type.index(), None);
        assert_eq!(EventType::Execve.index(), Some(0));
    }
}
