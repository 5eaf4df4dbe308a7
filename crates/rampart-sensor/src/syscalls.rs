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

#[cfg(test)]
mod tests {
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

    #[test]
    fn capability_names() {
        assert_eq!(
            capabilities(1 << 21 | 1 << 16),
            ["CAP_SYS_MODULE", "CAP_SYS_ADMIN"]
        );
        assert!(capabilities(0).is_empty());
    }
}
