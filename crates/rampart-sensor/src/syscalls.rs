//! The system calls the sensor captures: x86-64 numbers, Falco event types, and the text
//! Falco gives their flag arguments. Owns names and numbers; leaves decoding of records to
//! [`crate::decode`].

use rampart_detect::event::EventType;

/// One captured system call.
#[derive(Debug, Clone, Copy)]
pub struct Syscall {
    /// x86-64 number.
    pub nr: u32,
    /// Falco event type name.
    pub name: &'static str,
}

macro_rules! table {
    ($($name:literal = $nr:literal,)*) => {
        /// Every system call the kernel side can capture (exec, fork and exit come from
        /// scheduler tracepoints and are always on).
        pub const SUPPORTED: &[Syscall] = &[$(Syscall { nr: $nr, name: $name },)*];
    };
}

table! {
    "open" = 2,
    "creat" = 85,
    "openat" = 257,
    "openat2" = 437,
    "unlink" = 87,
    "unlinkat" = 263,
    "rename" = 82,
    "renameat" = 264,
    "renameat2" = 316,
    "rmdir" = 84,
    "mkdir" = 83,
    "mkdirat" = 258,
    "chmod" = 90,
    "fchmodat" = 268,
    "link" = 86,
    "linkat" = 265,
    "symlink" = 88,
    "symlinkat" = 266,
    "chdir" = 80,
    "chroot" = 161,
    "mount" = 165,
    "umount2" = 166,
    "socket" = 41,
    "connect" = 42,
    "accept" = 43,
    "accept4" = 288,
    "bind" = 49,
    "setuid" = 105,
    "setgid" = 106,
    "setreuid" = 113,
    "setregid" = 114,
    "setresuid" = 117,
    "setresgid" = 119,
    "capset" = 126,
    "ptrace" = 101,
    "init_module" = 175,
    "finit_module" = 313,
    "unshare" = 272,
    "setns" = 308,
    "memfd_create" = 319,
}

/// execveat's number (an exec through it is reported as `execveat`).
pub const EXECVEAT: u32 = 322;
/// chdir's number: always captured, it keeps `proc.cwd` true.
pub const CHDIR: u32 = 80;

/// The name of a captured system call.
pub fn name(nr: i64) -> Option<&'static str> {
    SUPPORTED.iter().find(|s| s.nr as i64 == nr).map(|s| s.name)
}

/// The event type of a captured system call.
pub fn event_type(nr: i64) -> EventType {
    name(nr).map(EventType::from_name).unwrap_or_default()
}

fn join_flags(v: u64, table: &[(u64, &str)]) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut rest = v;
    for &(bit, name) in table {
        if bit != 0 && rest & bit == bit {
            out.push(name);
            rest &= !bit;
        }
    }
    let mut s = out.join("|");
    if rest != 0 {
        if !s.is_empty() {
            s.push('|');
        }
        s.push_str(&format!("{rest:#x}"));
    }
    s
}

/// open(2) flags as Falco prints them (`O_WRONLY|O_CREAT|O_TRUNC`).
pub fn open_flags(flags: u64) -> String {
    let acc = match flags & 3 {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    };
    // O_TMPFILE includes O_DIRECTORY; list it first so the directory bit is consumed.
    const T: &[(u64, &str)] = &[
        (0o20200000, "O_TMPFILE"),
        (0o100, "O_CREAT"),
        (0o200, "O_EXCL"),
        (0o400, "O_NOCTTY"),
        (0o1000, "O_TRUNC"),
        (0o2000, "O_APPEND"),
        (0o4000, "O_NONBLOCK"),
        (0o10000, "O_DSYNC"),
        (0o20000, "O_ASYNC"),
        (0o40000, "O_DIRECT"),
        (0o100000, "O_LARGEFILE"),
        (0o200000, "O_DIRECTORY"),
        (0o400000, "O_NOFOLLOW"),
        (0o1000000, "O_NOATIME"),
        (0o2000000, "O_CLOEXEC"),
        (0o4000000, "O_SYNC"),
        (0o10000000, "O_PATH"),
    ];
    let rest = join_flags(flags & !3, T);
    if rest.is_empty() {
        acc.to_string()
    } else {
        format!("{acc}|{rest}")
    }
}

/// Namespace flags of unshare(2)/setns(2)/clone(2) (`CLONE_NEWNS|CLONE_NEWPID`).
pub fn clone_flags(flags: u64) -> String {
    const T: &[(u64, &str)] = &[
        (0x00000100, "CLONE_VM"),
        (0x00000200, "CLONE_FS"),
        (0x00000400, "CLONE_FILES"),
        (0x00000800, "CLONE_SIGHAND"),
        (0x00020000, "CLONE_NEWNS"),
        (0x00040000, "CLONE_SYSVSEM"),
        (0x00000080, "CLONE_NEWTIME"),
        (0x02000000, "CLONE_NEWCGROUP"),
        (0x04000000, "CLONE_NEWUTS"),
        (0x08000000, "CLONE_NEWIPC"),
        (0x10000000, "CLONE_NEWUSER"),
        (0x20000000, "CLONE_NEWPID"),
        (0x40000000, "CLONE_NEWNET"),
    ];
    if flags == 0 {
        return "0".to_string();
    }
    join_flags(flags, T)
}

/// A file mode of chmod(2)/fchmodat(2) as Falco prints it: octal, then the permission bits
/// by name (`04755(S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID)`), so
/// rules can test `evt.arg.mode contains "S_ISUID"`.
pub fn chmod_mode(mode: u64) -> String {
    const T: &[(u64, &str)] = &[
        (0o1, "S_IXOTH"),
        (0o2, "S_IWOTH"),
        (0o4, "S_IROTH"),
        (0o10, "S_IXGRP"),
        (0o20, "S_IWGRP"),
        (0o40, "S_IRGRP"),
        (0o100, "S_IXUSR"),
        (0o200, "S_IWUSR"),
        (0o400, "S_IRUSR"),
        (0o1000, "S_ISVTX"),
        (0o2000, "S_ISGID"),
        (0o4000, "S_ISUID"),
    ];
    let mode = mode & 0o7777;
    if mode == 0 {
        return "0".to_string();
    }
    format!("0{mode:o}({})", join_flags(mode, T))
}

/// memfd_create(2) flags.
pub fn memfd_flags(flags: u64) -> String {
    const T: &[(u64, &str)] = &[
        (1, "MFD_CLOEXEC"),
        (2, "MFD_ALLOW_SEALING"),
        (4, "MFD_HUGETLB"),
        (8, "MFD_NOEXEC_SEAL"),
        (16, "MFD_EXEC"),
    ];
    if flags == 0 {
        return "0".to_string();
    }
    join_flags(flags, T)
}

/// mount(2) flags.
pub fn mount_flags(flags: u64) -> String {
    const T: &[(u64, &str)] = &[
        (1, "RDONLY"),
        (2, "NOSUID"),
        (4, "NODEV"),
        (8, "NOEXEC"),
        (16, "SYNCHRONOUS"),
        (32, "REMOUNT"),
        (64, "MANDLOCK"),
        (128, "DIRSYNC"),
        (1024, "NOATIME"),
        (2048, "NODIRATIME"),
        (4096, "BIND"),
        (8192, "MOVE"),
        (16384, "REC"),
        (1 << 18, "UNBINDABLE"),
        (1 << 19, "PRIVATE"),
        (1 << 20, "SLAVE"),
        (1 << 21, "SHARED"),
    ];
    if flags == 0 {
        return "0".to_string();
    }
    join_flags(flags & 0xffff_ffff & !0xC0ED_0000, T)
}

/// ptrace(2) request names as Falco prints them.
pub fn ptrace_request(req: u64) -> String {
    let s = match req {
        0 => "PTRACE_TRACEME",
        1 => "PTRACE_PEEKTEXT",
        2 => "PTRACE_PEEKDATA",
        3 => "PTRACE_PEEKUSR",
        4 => "PTRACE_POKETEXT",
        5 => "PTRACE_POKEDATA",
        6 => "PTRACE_POKEUSR",
        7 => "PTRACE_CONT",
        8 => "PTRACE_KILL",
        9 => "PTRACE_SINGLESTEP",
        12 => "PTRACE_GETREGS",
        13 => "PTRACE_SETREGS",
        14 => "PTRACE_GETFPREGS",
        15 => "PTRACE_SETFPREGS",
        16 => "PTRACE_ATTACH",
        17 => "PTRACE_DETACH",
        24 => "PTRACE_SYSCALL",
        0x4200 => "PTRACE_SETOPTIONS",
        0x4201 => "PTRACE_GETEVENTMSG",
        0x4202 => "PTRACE_GETSIGINFO",
        0x4203 => "PTRACE_SETSIGINFO",
        0x4204 => "PTRACE_GETREGSET",
        0x4205 => "PTRACE_SETREGSET",
        0x4206 => "PTRACE_SEIZE",
        0x4207 => "PTRACE_INTERRUPT",
        0x4208 => "PTRACE_LISTEN",
        other => return format!("{other}"),
    };
    s.to_string()
}

/// Socket domain names.
pub fn socket_domain(d: u64) -> String {
    match d {
        1 => "AF_UNIX".into(),
        2 => "AF_INET".into(),
        10 => "AF_INET6".into(),
        16 => "AF_NETLINK".into(),
        17 => "AF_PACKET".into(),
        other => other.to_string(),
    }
}

/// Socket type names (flags stripped).
pub fn socket_type(t: u64) -> String {
    match t & 0xf {
        1 => "SOCK_STREAM".into(),
        2 => "SOCK_DGRAM".into(),
        3 => "SOCK_RAW".into(),
        5 => "SOCK_SEQPACKET".into(),
        other => other.to_string(),
    }
}

/// IP protocol names for `fd.l4proto`.
pub fn l4proto(p: u16) -> &'static str {
    match p {
        6 => "tcp",
        17 => "udp",
        1 | 58 => "icmp",
        _ => "raw",
    }
}

/// Capability names in Falco's spelling, lowest bit first.
pub fn capabilities(mask: u64) -> Vec<String> {
    const NAMES: [&str; 41] = [
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_DAC_READ_SEARCH",
        "CAP_FOWNER",
        "CAP_FSETID",
        "CAP_KILL",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETPCAP",
        "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",
        "CAP_NET_RAW",
        "CAP_IPC_LOCK",
        "CAP_IPC_OWNER",
        "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN",
        "CAP_SYS_BOOT",
        "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG",
        "CAP_MKNOD",
        "CAP_LEASE",
        "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN",
        "CAP_SYSLOG",
        "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ",
        "CAP_PERFMON",
        "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
    ];
    NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1u64 << i) != 0)
        .map(|(_, n)| n.to_string())
        .collect()
}

/// Bytes of a path the kernel-side open filter compares (`FILTER_LEN - 1` in sensor.h: the
/// LPM key holds the string's terminating NUL too).
pub const FILTER_PATH_LEN: usize = 127;
/// Substrings the kernel looks for in a path (`MAX_NEEDLES` in sensor.h; searched with
/// `bpf_loop`). Those past it fall back to their prefixes (sound, less selective).
pub const MAX_NEEDLES: usize = 8;
/// Longest substring the kernel can look for (`NEEDLE_LEN - 1` in sensor.h).
pub const MAX_NEEDLE_LEN: usize = 15;
/// Access modes an open can have, one bit per `flags & O_ACCMODE` value.
const ALL_MODES: u8 = 0b1111;
/// Modes `evt.is_open_read` is true for (O_RDONLY, O_RDWR).
const READ_MODES: u8 = 0b0101;
/// Modes `evt.is_open_write` is true for (O_WRONLY, O_RDWR).
const WRITE_MODES: u8 = 0b0110;
/// Past this many terms the analysis gives up precision (still sound).
const MAX_TERMS: usize = 4096;
/// The open event types the filter covers.
const OPEN_TYPES: [&str; 4] = ["open", "openat", "openat2", "creat"];

/// Which opens some loaded rule could match. An open is kept when one of these holds for
/// its access mode (bit n: `flags & 3 == n`): its path starts with a kept prefix; its path
/// contains a kept substring; its process's name (the command name at its last exec, which
/// is `proc.name`) is a kept name. Everything else is skipped in the kernel and counted as
/// `Stats::filtered`.
///
/// Computed by [`OpenFilter::from_falco`], a conservative abstract interpretation of every
/// enabled syscall rule's condition restricted to open events. Each condition maps to a set
/// of terms (modes, and at most one path prefix, one substring and one process name) that
/// over-approximates the opens it can match, or to "any open": `evt.type` checks naming no
/// open type give nothing; `fd.name`/`fd.nameraw`/`fd.directory` (a prefix of `fd.name`)
/// `=`/`in`/`pmatch`/`startswith` give prefixes, `glob` its literal head, `contains`/
/// `endswith` and `fd.filename` `=`/`in` give substrings; `proc.name` `=`/`in` give names;
/// `evt.is_open_read=true`/`evt.is_open_write=true` restrict modes; `evt.is_open_exec=true`
/// matches nothing (the decoder never writes the flags it looks for); `and` intersects
/// (keeping one substring), `or` unites; anything else — every other field and operator,
/// every `not`, transformers, unknown macros, unparsable conditions — is "any open". Macros
/// and lists are expanded (lists as the union of all their definitions, macros and rules
/// over every state of their appends); exceptions are ignored (they only remove matches).
/// Rules match one event at a time and open events change no decoder state, so skipping an
/// open no term covers cannot change an alert. The kernel keeps whatever it cannot decide:
/// relative or unreadable paths, paths longer than it compares when substrings are wanted,
/// processes whose exec it did not see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenFilter {
    /// Prefix → modes.
    prefixes: std::collections::BTreeMap<String, u8>,
    /// Substring → modes.
    needles: std::collections::BTreeMap<String, u8>,
    /// Process name → modes.
    names: std::collections::BTreeMap<String, u8>,
}

/// One conjunction of constraints on an open.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Term {
    modes: u8,
    prefix: String,
    needle: Option<String>,
    name: Option<String>,
}

impl Term {
    fn modes(m: u8) -> Term {
        Term {
            modes: m,
            prefix: String::new(),
            needle: None,
            name: None,
        }
    }

    fn and(&self, o: &Term) -> Option<Term> {
        let modes = self.modes & o.modes;
        if modes == 0 {
            return None;
        }
        let prefix = if self.prefix.starts_with(o.prefix.as_str()) {
            self.prefix.clone()
        } else if o.prefix.starts_with(self.prefix.as_str()) {
            o.prefix.clone()
        } else {
            return None;
        };
        let name = match (&self.name, &o.name) {
            (Some(a), Some(b)) if a != b => return None,
            (Some(a), _) | (_, Some(a)) => Some(a.clone()),
            _ => None,
        };
        Some(Term {
            modes,
            prefix,
            // Either substring alone covers the conjunction.
            needle: self.needle.clone().or_else(|| o.needle.clone()),
            name,
        })
    }
}

/// The abstract value of a condition over open events.
#[derive(Debug, Clone, PartialEq)]
enum Abs {
    /// Any open.
    Any,
    /// Only opens covered by one of these (none: no open).
    Terms(Vec<Term>),
}

impl Abs {
    fn none() -> Abs {
        Abs::Terms(Vec::new())
    }

    fn and(self, other: Abs) -> Abs {
        match (self, other) {
            (Abs::Any, x) | (x, Abs::Any) => x,
            (Abs::Terms(a), Abs::Terms(b)) => {
                if a.len().saturating_mul(b.len()) > MAX_TERMS * 4 {
                    // Either side alone covers the intersection.
                    return Abs::Terms(if a.len() <= b.len() { a } else { b });
                }
                let mut out: Vec<Term> = a
                    .iter()
                    .flat_map(|x| b.iter().filter_map(|y| x.and(y)))
                    .collect();
                out.sort();
                out.dedup();
                if out.len() > MAX_TERMS {
                    return Abs::Terms(if a.len() <= b.len() { a } else { b });
                }
                Abs::Terms(out)
            }
        }
    }

    fn or(self, other: Abs) -> Abs {
        match (self, other) {
            (Abs::Any, _) | (_, Abs::Any) => Abs::Any,
            (Abs::Terms(mut a), Abs::Terms(b)) => {
                a.extend(b);
                a.sort();
                a.dedup();
                if a.len() > MAX_TERMS {
                    return Abs::Any;
                }
                Abs::Terms(a)
            }
        }
    }
}

/// A substring with its modes and the prefixes to fall back to.
type Needle = (String, (u8, Vec<(String, u8)>));

/// Macros and lists of a rule set, for the analysis.
struct Defs {
    lists: std::collections::HashMap<String, Vec<String>>,
    macros: std::collections::HashMap<String, Vec<String>>,
    memo: std::collections::HashMap<String, Abs>,
    active: std::collections::HashSet<String>,
}

use rampart_detect::falco::condition::{Expr, Op, Operand};

impl Defs {
    /// Literal values of a right-hand side, lists expanded.
    fn values(&self, rhs: &[Operand]) -> Option<Vec<String>> {
        let mut out = Vec::new();
        for o in rhs {
            match o {
                Operand::Lit { text, quoted } => self.expand(text, *quoted, &mut out, 0),
                Operand::Field(_) => return None,
            }
        }
        Some(out)
    }

    fn expand(&self, text: &str, quoted: bool, out: &mut Vec<String>, depth: usize) {
        match self.lists.get(text) {
            Some(items) if !quoted && depth < 16 => {
                for i in items {
                    self.expand(i, false, out, depth + 1);
                }
            }
            _ => out.push(text.to_string()),
        }
    }

    fn abs(&mut self, e: &Expr) -> Abs {
        match e {
            Expr::And(items) => items.iter().fold(Abs::Any, |acc, i| {
                let v = self.abs(i);
                acc.and(v)
            }),
            Expr::Or(items) => items.iter().fold(Abs::none(), |acc, i| {
                let v = self.abs(i);
                acc.or(v)
            }),
            Expr::Not(_) => Abs::Any,
            Expr::Const(true) => Abs::Any,
            Expr::Const(false) => Abs::none(),
            Expr::Macro(name) => self.macro_abs(name),
            Expr::Check { field, op, rhs, .. } => {
                if !field.transformers.is_empty() || field.arg.is_some() {
                    return Abs::Any;
                }
                let Some(vals) = self.values(rhs) else {
                    return Abs::Any;
                };
                let terms = |vals: Vec<String>, f: &dyn Fn(String) -> Term| {
                    Abs::Terms(vals.into_iter().map(f).collect())
                };
                let prefix = |v: String| Term {
                    prefix: v,
                    ..Term::modes(ALL_MODES)
                };
                let needle = |v: String| Term {
                    needle: Some(v),
                    ..Term::modes(ALL_MODES)
                };
                match (field.name.as_str(), op) {
                    ("evt.type", Op::Eq | Op::In | Op::Intersects) => {
                        if vals.iter().any(|v| OPEN_TYPES.contains(&v.as_str())) {
                            Abs::Any
                        } else {
                            Abs::none()
                        }
                    }
                    (
                        "fd.name" | "fd.nameraw" | "fd.directory",
                        Op::Eq | Op::In | Op::Intersects | Op::PMatch | Op::StartsWith,
                    ) => terms(vals, &prefix),
                    ("fd.name" | "fd.nameraw" | "fd.directory", Op::Glob) => terms(
                        vals.into_iter()
                            .map(|v| {
                                let end = v.find(['*', '?', '[', '\\']).unwrap_or(v.len());
                                v[..end].to_string()
                            })
                            .collect(),
                        &prefix,
                    ),
                    ("fd.name" | "fd.nameraw", Op::Contains | Op::EndsWith)
                    | ("fd.filename", Op::Eq | Op::In | Op::Intersects) => {
                        if vals.iter().any(String::is_empty) {
                            Abs::Any
                        } else {
                            terms(vals, &needle)
                        }
                    }
                    ("proc.name", Op::Eq | Op::In | Op::Intersects) => terms(vals, &|v| Term {
                        name: Some(v),
                        ..Term::modes(ALL_MODES)
                    }),
                    ("evt.is_open_read", Op::Eq) if vals == ["true"] => {
                        Abs::Terms(vec![Term::modes(READ_MODES)])
                    }
                    ("evt.is_open_write", Op::Eq) if vals == ["true"] => {
                        Abs::Terms(vec![Term::modes(WRITE_MODES)])
                    }
                    // True only for flags text naming O_EXEC or O_F_CREATED, which
                    // `open_flags` never writes (Linux has neither open flag).
                    ("evt.is_open_exec", Op::Eq) if vals == ["true"] => Abs::none(),
                    _ => Abs::Any,
                }
            }
        }
    }

    fn macro_abs(&mut self, name: &str) -> Abs {
        if let Some(v) = self.memo.get(name) {
            return v.clone();
        }
        let Some(texts) = self.macros.get(name).cloned() else {
            return Abs::Any;
        };
        if !self.active.insert(name.to_string()) {
            return Abs::Any;
        }
        let v = self.texts_abs(&texts);
        self.active.remove(name);
        self.memo.insert(name.to_string(), v.clone());
        v
    }

    fn texts_abs(&mut self, texts: &[String]) -> Abs {
        let mut acc = Abs::none();
        for t in texts {
            let v = match rampart_detect::falco::condition::parse(t) {
                Ok(e) => self.abs(&e),
                Err(_) => Abs::Any,
            };
            acc = acc.or(v);
            if acc == Abs::Any {
                break;
            }
        }
        acc
    }
}

/// Every state a condition takes as definitions and appends are read in order.
fn push_variant(
    map: &mut std::collections::HashMap<String, Vec<String>>,
    name: &str,
    text: &str,
    append: bool,
) {
    let v = map.entry(name.to_string()).or_default();
    let next = match (append, v.last()) {
        (true, Some(cur)) => format!("{cur} {text}"),
        _ => text.to_string(),
    };
    v.push(next);
}

fn is_append(item: &rampart_detect::falco::yaml::Node, key: &str) -> bool {
    item.get("append").and_then(|n| n.as_bool()) == Some(true)
        || item
            .get("override")
            .and_then(|o| o.get(key))
            .and_then(|n| n.as_str())
            == Some("append")
}

fn cut(s: &str, max: usize) -> &str {
    let mut n = max.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    &s[..n]
}

impl OpenFilter {
    /// The filter for the enabled syscall rules of these Falco rule files (in load order),
    /// or `None` when some rule can match any open (or a file is not YAML: no filtering).
    /// Only for rules used as loaded: enabling a disabled rule later needs a new filter.
    pub fn from_falco(files: &[(&std::path::Path, &str)]) -> Option<OpenFilter> {
        OpenFilter::analyze(files).ok()
    }

    /// [`OpenFilter::from_falco`], or the names of the rules that can match any open (empty
    /// when a file does not parse as YAML).
    pub fn analyze(files: &[(&std::path::Path, &str)]) -> Result<OpenFilter, Vec<String>> {
        use rampart_detect::falco::yaml;
        let mut defs = Defs {
            lists: Default::default(),
            macros: Default::default(),
            memo: Default::default(),
            active: Default::default(),
        };
        let mut rules: std::collections::HashMap<String, Vec<String>> = Default::default();
        let mut order: Vec<String> = Vec::new();
        let mut skip: std::collections::HashMap<String, (bool, bool)> = Default::default();
        for (_, text) in files {
            let docs = yaml::parse(text).map_err(|_| Vec::new())?;
            for doc in &docs {
                let yaml::Value::Seq(items) = &doc.value else {
                    continue;
                };
                for item in items {
                    let name = |k: &str| item.get(k).and_then(|n| n.as_str()).map(str::to_string);
                    if let Some(n) = name("list") {
                        let entry = defs.lists.entry(n).or_default();
                        if let Some(yaml::Node {
                            value: yaml::Value::Seq(v),
                            ..
                        }) = item.get("items")
                        {
                            entry.extend(v.iter().filter_map(|i| i.as_str().map(str::to_string)));
                        }
                    } else if let Some(n) = name("macro") {
                        let cond = name("condition").unwrap_or_default();
                        push_variant(&mut defs.macros, &n, &cond, is_append(item, "condition"));
                    } else if let Some(n) = name("rule") {
                        // (other source, disabled): the last `source`/`enabled` given wins.
                        let st = skip.entry(n.clone()).or_insert((false, false));
                        if let Some(src) = name("source") {
                            st.0 = src != "syscall";
                        }
                        if let Some(en) = item.get("enabled").and_then(|e| e.as_bool()) {
                            st.1 = !en;
                        }
                        let Some(cond) = name("condition") else {
                            continue;
                        };
                        if !rules.contains_key(&n) {
                            order.push(n.clone());
                        }
                        push_variant(&mut rules, &n, &cond, is_append(item, "condition"));
                    }
                }
            }
        }
        let mut acc = Abs::none();
        let mut unbounded = Vec::new();
        for n in &order {
            if skip.get(n).is_some_and(|(other, off)| *other || *off) {
                continue;
            }
            match defs.texts_abs(&rules[n]) {
                Abs::Any => unbounded.push(n.clone()),
                v => acc = acc.or(v),
            }
        }
        let Abs::Terms(terms) = acc else {
            return Err(unbounded);
        };
        if !unbounded.is_empty() {
            return Err(unbounded);
        }
        let mut out = OpenFilter::default();
        // Substring → (modes, the prefixes of its terms: the fallback if it does not fit).
        let mut needles: std::collections::BTreeMap<String, (u8, Vec<(String, u8)>)> =
            Default::default();
        for t in terms {
            // Each term goes to one kernel check that covers it: a name, else a substring
            // (a better test than a prefix when a term has both), else its prefix.
            if let Some(n) = t.name {
                *out.names.entry(cut(&n, 15).to_string()).or_default() |= t.modes;
            } else if let Some(n) = t.needle {
                let e = needles.entry(n).or_default();
                e.0 |= t.modes;
                e.1.push((t.prefix, t.modes));
            } else {
                *out.prefixes
                    .entry(cut(&t.prefix, FILTER_PATH_LEN).to_string())
                    .or_default() |= t.modes;
            }
        }
        // The kernel checks a few substrings: shortest first among those read opens can
        // match (reads are the bulk of opens); the others fall back to their prefixes.
        let mut ranked: Vec<_> = needles.into_iter().collect();
        ranked.sort_by_key(|e: &Needle| (e.1.0 & READ_MODES == 0, e.0.len()));
        for (n, (m, fallback)) in ranked {
            let fits = out.needles.len() < MAX_NEEDLES && n.len() <= MAX_NEEDLE_LEN;
            if fits {
                out.needles.insert(n, m);
            } else {
                for (p, pm) in fallback {
                    *out.prefixes
                        .entry(cut(&p, FILTER_PATH_LEN).to_string())
                        .or_default() |= pm;
                }
            }
        }
        Ok(out)
    }

    /// Reads the Falco rule files and computes [`OpenFilter::from_falco`].
    pub fn from_falco_files(
        paths: &[std::path::PathBuf],
    ) -> Result<Option<OpenFilter>, crate::SensorError> {
        let mut texts = Vec::new();
        for p in paths {
            let t = std::fs::read_to_string(p).map_err(|e| crate::SensorError::Rules {
                path: p.clone(),
                reason: e.to_string(),
            })?;
            texts.push(t);
        }
        let files: Vec<(&std::path::Path, &str)> = paths
            .iter()
            .map(|p| p.as_path())
            .zip(texts.iter().map(String::as_str))
            .collect();
        Ok(OpenFilter::from_falco(&files))
    }

    /// Number of prefixes, substrings and names kept.
    pub fn len(&self) -> usize {
        self.prefixes.len() + self.needles.len() + self.names.len()
    }

    /// True when no open can match (every open is skipped).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The prefixes and their modes (bit n: `flags & 3 == n`).
    pub fn prefixes(&self) -> impl Iterator<Item = (&str, u8)> {
        self.prefixes.iter().map(|(p, m)| (p.as_str(), *m))
    }

    /// The substrings and their modes.
    pub fn substrings(&self) -> impl Iterator<Item = (&str, u8)> {
        self.needles.iter().map(|(p, m)| (p.as_str(), *m))
    }

    /// The process names and their modes.
    pub fn names(&self) -> impl Iterator<Item = (&str, u8)> {
        self.names.iter().map(|(p, m)| (p.as_str(), *m))
    }

    /// Whether an open of `path` (as passed to the call) with `flags` by a process named
    /// `name` (`None`: unknown) is kept: the same decision the kernel makes.
    pub fn allows_for(&self, path: &str, flags: u64, name: Option<&str>) -> bool {
        if !path.starts_with('/') {
            return true;
        }
        let bit = 1u8 << (flags & 3);
        let b = &path.as_bytes()[..path.len().min(FILTER_PATH_LEN)];
        let truncated = path.len() > FILTER_PATH_LEN;
        let by_name = match name {
            None => true,
            Some(n) => self.names.get(cut(n, 15)).is_some_and(|m| m & bit != 0),
        };
        by_name
            || (!self.needles.is_empty() && truncated)
            || self
                .prefixes
                .iter()
                .any(|(p, m)| m & bit != 0 && b.starts_with(p.as_bytes()))
            || self
                .needles
                .iter()
                .any(|(n, m)| m & bit != 0 && b.windows(n.len()).any(|w| w == n.as_bytes()))
    }

    /// [`OpenFilter::allows_for`] a process whose name the kernel knows and no kept name.
    pub fn allows(&self, path: &str, flags: u64) -> bool {
        self.allows_for(path, flags, Some(""))
    }

    /// LPM trie entries (`struct path_key` bytes → modes), each entry's modes the union of
    /// those of all its prefixes in the set, so the longest match decides.
    pub(crate) fn trie_entries(&self) -> Vec<(Vec<u8>, u8)> {
        self.prefixes
            .keys()
            .map(|p| {
                let modes = self
                    .prefixes
                    .iter()
                    .filter(|(q, _)| p.starts_with(q.as_str()))
                    .fold(0u8, |acc, (_, m)| acc | m);
                let mut key = Vec::with_capacity(4 + FILTER_PATH_LEN + 1);
                key.extend(((p.len() * 8) as u32).to_ne_bytes());
                key.extend(p.as_bytes());
                key.resize(4 + FILTER_PATH_LEN + 1, 0);
                (key, modes)
            })
            .collect()
    }

    /// `struct needle` entries for the kernel: text (NUL-padded), length, modes.
    pub(crate) fn needle_entries(&self) -> Vec<Vec<u8>> {
        self.needles
            .iter()
            .map(|(n, m)| {
                let mut v = n.as_bytes().to_vec();
                v.resize(MAX_NEEDLE_LEN + 1, 0);
                v.push(n.len() as u8);
                v.push(*m);
                v
            })
            .collect()
    }

    /// Command-name keys (16 bytes, NUL-padded) → modes for the kernel.
    pub(crate) fn name_entries(&self) -> Vec<([u8; 16], u8)> {
        self.names
            .iter()
            .map(|(n, m)| {
                let mut k = [0u8; 16];
                k[..n.len().min(15)].copy_from_slice(&n.as_bytes()[..n.len().min(15)]);
                (k, *m)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn chmod_mode_names_the_bits_like_falco() {
        assert_eq!(
            super::chmod_mode(0o4755),
            "04755(S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID)"
        );
        assert_eq!(super::chmod_mode(0o4000), "04000(S_ISUID)");
        assert_eq!(
            super::chmod_mode(0o2640),
            "02640(S_IRGRP|S_IWUSR|S_IRUSR|S_ISGID)"
        );
        assert_eq!(super::chmod_mode(0), "0");
    }

    use super::*;

    #[test]
    fn open_flags_read_like_falco() {
        assert_eq!(open_flags(0), "O_RDONLY");
        assert_eq!(open_flags(0o2000000), "O_RDONLY|O_CLOEXEC");
        assert_eq!(open_flags(0o1101), "O_WRONLY|O_CREAT|O_TRUNC");
        assert_eq!(open_flags(2 | 0o200000), "O_RDWR|O_DIRECTORY");
        assert_eq!(open_flags(0o20200002), "O_RDWR|O_TMPFILE");
    }

    #[test]
    fn open_flags_never_name_exec_flags() {
        // The open filter relies on it: `evt.is_open_exec` is never true for our opens.
        for v in (0..64)
            .map(|b| 1u64 << b)
            .chain([u64::MAX, 0o37777777, 0o20200003])
        {
            let f = open_flags(v);
            assert!(!f.contains("O_EXEC") && !f.contains("O_F_CREATED"), "{f}");
        }
    }

    #[test]
    fn namespace_and_memfd_flags() {
        assert_eq!(
            clone_flags(0x20000 | 0x20000000 | 0x40000000),
            "CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWNET"
        );
        assert_eq!(memfd_flags(1), "MFD_CLOEXEC");
        assert_eq!(memfd_flags(0x40), "0x40");
        assert_eq!(mount_flags(0xC0ED_0000 | 4096 | 16384), "BIND|REC");
    }

    #[test]
    fn names_and_numbers() {
        assert_eq!(name(257), Some("openat"));
        assert_eq!(event_type(319), EventType::MemfdCreate);
        assert_eq!(name(59), None);
        assert_eq!(ptrace_request(16), "PTRACE_ATTACH");
        assert_eq!(ptrace_request(0x4206), "PTRACE_SEIZE");
        assert_eq!(socket_domain(17), "AF_PACKET");
        assert_eq!(socket_type(3 | 0o2000000), "SOCK_RAW");
        // Every supported call is a known Falco event type, below the kernel table size.
        for s in SUPPORTED {
            assert!(EventType::from_name(s.name).index().is_some(), "{}", s.name);
            assert!((s.nr as usize) < crate::raw::MAX_SYSCALL);
        }
    }

    fn filter(rules: &str) -> Option<OpenFilter> {
        OpenFilter::from_falco(&[(std::path::Path::new("r.yaml"), rules)])
    }

    #[test]
    fn open_filter_keeps_what_rules_can_match() {
        let f = filter(
            r#"
- list: sensitive_names
  items: [/etc/shadow, /etc/sudoers]
- macro: open_read
  condition: (evt.type in (open,openat,openat2) and evt.is_open_read=true)
- macro: open_write
  condition: (evt.type in (open,openat,openat2) and evt.is_open_write=true)
- rule: read sensitive
  condition: open_read and fd.name in (sensitive_names) and not proc.name=sshd
  output: x
  priority: WARNING
- rule: write bin
  condition: open_write and fd.directory in (/usr/bin, /bin)
  output: x
  priority: WARNING
- rule: write bin
  append: true
  condition: or (open_write and fd.name glob '/opt/*/bin/*')
- rule: exec
  condition: evt.type=execve and proc.name=nc
  output: x
  priority: WARNING
- rule: audit
  source: k8s_audit
  condition: ka.verb=create
  output: x
  priority: WARNING
"#,
        )
        .expect("a filter");
        const RD: u64 = 0;
        const WR: u64 = 0o1101;
        assert!(f.allows("/etc/shadow", RD));
        assert!(f.allows("/etc/sudoers", 2));
        assert!(
            !f.allows("/etc/shadow", 1),
            "only read rules look at /etc/shadow"
        );
        assert!(!f.allows("/etc/hostname", RD));
        assert!(f.allows("/usr/bin/ls", WR));
        assert!(!f.allows("/usr/bin/ls", RD));
        assert!(f.allows("/opt/x/bin/y", WR), "appended condition counted");
        assert!(f.allows("relative/path", RD), "relative paths are kept");
        // Substrings and process names.
        let g = filter(
            "- rule: r\n  condition: evt.type=openat and (fd.name contains \"/../\" or (proc.name=tar and evt.is_open_read=true))\n  output: x\n  priority: INFO\n",
        )
        .expect("a filter");
        assert!(g.allows("/a/../etc", RD));
        assert!(g.allows_for("/a/etc", RD, Some("tar")));
        assert!(
            g.allows_for("/a/etc", RD, None),
            "unknown process names are kept"
        );
        assert!(
            g.needle_entries()
                .iter()
                .all(|n| n.len() == MAX_NEEDLE_LEN + 3)
        );
        // The kernel's trie: each entry carries the modes of all its prefixes.
        let entries = f.trie_entries();
        assert_eq!(entries.len(), f.len());
        assert!(
            entries
                .iter()
                .all(|(k, _)| k.len() == 4 + FILTER_PATH_LEN + 1)
        );
    }

    #[test]
    fn open_filter_gives_up_on_conditions_it_cannot_bound() {
        // A rule on every open, a negated path check, an unknown macro, a substring, a
        // condition that does not parse.
        for cond in [
            "evt.type=openat",
            "evt.type=openat and not fd.name startswith /etc",
            "evt.type=openat and some_unknown_macro",
            "fd.name icontains secret",
            "evt.type=openat and (fd.name startswith /etc",
        ] {
            let rules = format!(
                "- rule: r
  condition: {cond}
  output: x
  priority: WARNING
"
            );
            assert_eq!(filter(&rules), None, "{cond}");
        }
        // A rule on every read: any path, but write-only opens can go.
        let f = filter(
            "- rule: r\n  condition: evt.type=openat and evt.is_open_read=true\n  output: x\n  priority: INFO\n",
        )
        .expect("a filter");
        assert!(f.allows("/any/where", 0) && f.allows("/any/where", 2));
        assert!(!f.allows("/any/where", 1));
        // No rule on opens: every open can be skipped.
        let f = filter(
            "- rule: r
  condition: evt.type=execve
  output: x
  priority: INFO
",
        )
        .expect("a filter");
        assert!(f.is_empty());
        assert!(!f.allows("/etc/shadow", 0));
    }

    #[test]
    fn capability_names() {
        assert_eq!(
            capabilities(1 << 21 | 1 << 16),
            ["CAP_SYS_MODULE", "CAP_SYS_ADMIN"]
        );
        assert!(capabilities(0).is_empty());
    }
}
