//! The records the BPF programs write (`src/bpf/sensor.h`), decoded from ring-buffer bytes.
//! Owns the byte layout only; meaning is given in [`crate::decode`].

/// Length of the command buffer (`comm`).
pub const COMM_LEN: usize = 16;
/// Length of path buffers.
pub const PATH_LEN: usize = 256;
/// Length of the argument buffer of exec records.
pub const ARGS_LEN: usize = 1024;
/// Length of the executable's dentry name.
pub const DNAME_LEN: usize = 64;
/// Length of short string buffers.
pub const SHORT_LEN: usize = 32;
/// System call numbers the kernel side can filter on (`wanted` map size).
pub const MAX_SYSCALL: usize = 512;

const HDR_LEN: usize = 88;
/// Size of the fixed part of an exec record (its strings follow, sized to their content).
pub const EXEC_LEN: usize = HDR_LEN + 16;
/// Largest exec record.
pub const EXEC_MAX_LEN: usize = EXEC_LEN + PATH_LEN + DNAME_LEN + ARGS_LEN;
/// Size of a fork record.
pub const FORK_LEN: usize = HDR_LEN + 16;
/// Size of an exit record.
pub const EXIT_LEN: usize = HDR_LEN + 8;
/// Size of the fixed part of a system call record (its strings follow).
pub const SYSCALL_LEN: usize = HDR_LEN + 8 + 8 + 48 + 8 + 8 + 32 + 8;
/// Largest system call record.
pub const SYSCALL_MAX_LEN: usize = SYSCALL_LEN + 2 * PATH_LEN + SHORT_LEN;

/// Context of the task that produced a record (`struct hdr`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// Thread group id.
    pub pid: u32,
    /// Thread id.
    pub tid: u32,
    /// Real parent's thread group id.
    pub ppid: u32,
    /// Effective uid.
    pub uid: u32,
    /// Effective gid.
    pub gid: u32,
    /// Audit login uid (`u32::MAX` when unset).
    pub loginuid: u32,
    /// Controlling terminal device, 0 for none.
    pub tty: u32,
    /// CLOCK_MONOTONIC ns.
    pub ts: u64,
    /// Start of the thread group leader, CLOCK_MONOTONIC ns.
    pub start_ns: u64,
    /// cgroup v2 id.
    pub cgroup_id: u64,
    /// Effective capabilities.
    pub cap_eff: u64,
    /// Permitted capabilities.
    pub cap_prm: u64,
    /// Command name.
    pub comm: String,
}

/// One ring-buffer record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A successful exec (`sched_process_exec`).
    Exec {
        /// The new program's context.
        hdr: Header,
        /// The system call that execed (execve or execveat number).
        syscall_nr: u32,
        /// The path the program was run by.
        filename: String,
        /// Name of the executable's dentry (`memfd:…` for memfd executables).
        exe_dname: String,
        /// argv, NUL-separated.
        args: Vec<u8>,
    },
    /// A new process (`sched_process_fork`), in the parent's context.
    Fork {
        /// The parent's context.
        hdr: Header,
        /// The child's pid.
        child_pid: u32,
        /// The child's start, CLOCK_MONOTONIC ns.
        child_start_ns: u64,
    },
    /// A process ended (`sched_process_exit` of its leader).
    Exit {
        /// The process's context.
        hdr: Header,
        /// Its exit code (wait status form).
        exit_code: i32,
    },
    /// A system call the kernel side kept.
    Syscall(Box<SyscallRecord>),
}

/// A system call, as seen on its return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyscallRecord {
    /// The caller's context.
    pub hdr: Header,
    /// System call number.
    pub nr: i64,
    /// Return value.
    pub res: i64,
    /// Raw arguments.
    pub args: [u64; 6],
    /// `open_how.flags` for openat2.
    pub extra: u64,
    /// Socket family (2 or 10) when a socket address was read, else 0.
    pub family: u16,
    /// Local port.
    pub lport: u16,
    /// Remote port.
    pub rport: u16,
    /// IP protocol number.
    pub proto: u16,
    /// Local address (4 or 16 bytes used).
    pub laddr: [u8; 16],
    /// Remote address.
    pub raddr: [u8; 16],
    /// First string argument (a path, mostly).
    pub s1: String,
    /// Second string argument.
    pub s2: String,
    /// Third, short string argument (mount's filesystem type).
    pub s3: String,
}

/// Why a record could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordError {
    /// Shorter than its kind requires.
    Short {
        /// The kind field.
        kind: u32,
        /// Bytes received.
        len: usize,
    },
    /// An unknown kind.
    Kind(u32),
    /// The string lengths point past the end of the record.
    Strings {
        /// The kind field.
        kind: u32,
        /// Bytes received.
        len: usize,
    },
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        s
    }
    fn u16(&mut self) -> u16 {
        u16::from_ne_bytes(self.take(2).try_into().unwrap_or_default())
    }
    fn u32(&mut self) -> u32 {
        u32::from_ne_bytes(self.take(4).try_into().unwrap_or_default())
    }
    fn u64(&mut self) -> u64 {
        u64::from_ne_bytes(self.take(8).try_into().unwrap_or_default())
    }
    fn i64(&mut self) -> i64 {
        self.u64() as i64
    }
    fn cstr(&mut self, n: usize) -> String {
        c_string(self.take(n))
    }
    /// The next `n` bytes if they are there.
    fn get(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn arr16(&mut self) -> [u8; 16] {
        self.take(16).try_into().unwrap_or_default()
    }
}

/// The text before the first NUL, lossily decoded.
pub fn c_string(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn header(r: &mut Reader<'_>) -> Header {
    Header {
        pid: r.u32(),
        tid: r.u32(),
        ppid: r.u32(),
        uid: r.u32(),
        gid: r.u32(),
        loginuid: r.u32(),
        tty: r.u32(),
        ts: r.u64(),
        start_ns: r.u64(),
        cgroup_id: r.u64(),
        cap_eff: r.u64(),
        cap_prm: r.u64(),
        comm: r.cstr(COMM_LEN),
    }
}

/// Decodes one ring-buffer record.
pub fn parse(b: &[u8]) -> Result<Record, RecordError> {
    if b.len() < 4 {
        return Err(RecordError::Short {
            kind: 0,
            len: b.len(),
        });
    }
    let kind = u32::from_ne_bytes([b[0], b[1], b[2], b[3]]);
    let need = match kind {
        1 => EXEC_LEN,
        2 => FORK_LEN,
        3 => EXIT_LEN,
        4 => SYSCALL_LEN,
        k => return Err(RecordError::Kind(k)),
    };
    if b.len() < need {
        return Err(RecordError::Short { kind, len: b.len() });
    }
    let mut r = Reader { b, at: 4 };
    let hdr = header(&mut r);
    Ok(match kind {
        1 => {
            let syscall_nr = r.u32();
            let flen = r.u16() as usize;
            let dlen = r.u16() as usize;
            let args_len = r.u32() as usize;
            let _pad = r.u32();
            let bad = RecordError::Strings { kind, len: b.len() };
            let filename = c_string(r.get(flen).ok_or(bad.clone())?);
            let exe_dname = c_string(r.get(dlen).ok_or(bad.clone())?);
            let args = r.get(args_len).ok_or(bad)?.to_vec();
            Record::Exec {
                hdr,
                syscall_nr,
                filename,
                exe_dname,
                args,
            }
        }
        2 => {
            let child_pid = r.u32();
            let _pad = r.u32();
            Record::Fork {
                hdr,
                child_pid,
                child_start_ns: r.u64(),
            }
        }
        3 => Record::Exit {
            hdr,
            exit_code: r.u32() as i32,
        },
        _ => {
            let nr = r.i64();
            let res = r.i64();
            let mut args = [0u64; 6];
            for a in &mut args {
                *a = r.u64();
            }
            let extra = r.u64();
            let family = r.u16();
            let lport = r.u16();
            let rport = r.u16();
            let proto = r.u16();
            let laddr = r.arr16();
            let raddr = r.arr16();
            let l1 = r.u16() as usize;
            let l2 = r.u16() as usize;
            let l3 = r.u16() as usize;
            let _pad = r.u16();
            let bad = RecordError::Strings { kind, len: b.len() };
            let s1 = c_string(r.get(l1).ok_or(bad.clone())?);
            let s2 = c_string(r.get(l2).ok_or(bad.clone())?);
            let s3 = c_string(r.get(l3).ok_or(bad)?);
            Record::Syscall(Box::new(SyscallRecord {
                hdr,
                nr,
                res,
                args,
                extra,
                family,
                lport,
                rport,
                proto,
                laddr,
                raddr,
                s1,
                s2,
                s3,
            }))
        }
    })
}

/// argv from the NUL-separated argument block (a trailing partial argument is kept).
pub fn split_args(b: &[u8]) -> Vec<String> {
    let b = b.strip_suffix(&[0]).unwrap_or(b);
    if b.is_empty() {
        return Vec::new();
    }
    b.split(|&c| c == 0)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_bytes(kind: u32) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend(kind.to_ne_bytes());
        for v in [42u32, 43, 1, 0, 0, u32::MAX, 0] {
            b.extend(v.to_ne_bytes());
        }
        for v in [10u64, 5, 77, 0, 0] {
            b.extend(v.to_ne_bytes());
        }
        let mut comm = [0u8; COMM_LEN];
        comm[..3].copy_from_slice(b"cat");
        b.extend(comm);
        assert_eq!(b.len(), HDR_LEN);
        b
    }

    #[test]
    fn parses_an_exit_record() {
        let mut b = header_bytes(3);
        b.extend(256i32.to_ne_bytes());
        b.extend(0u32.to_ne_bytes());
        let rec = parse(&b).expect("parses");
        let Record::Exit { hdr, exit_code } = rec else {
            panic!("not an exit: {rec:?}");
        };
        assert_eq!((hdr.pid, hdr.tid, hdr.ppid), (42, 43, 1));
        assert_eq!(hdr.loginuid, u32::MAX);
        assert_eq!(hdr.cgroup_id, 77);
        assert_eq!(hdr.comm, "cat");
        assert_eq!(exit_code, 256);
    }

    #[test]
    fn short_and_unknown_records_are_errors() {
        let b = header_bytes(4);
        assert_eq!(
            parse(&b),
            Err(RecordError::Short {
                kind: 4,
                len: HDR_LEN
            })
        );
        assert_eq!(parse(&header_bytes(9)), Err(RecordError::Kind(9)));
        assert!(matches!(parse(&[1]), Err(RecordError::Short { .. })));
    }

    fn syscall_bytes(strings: &[&[u8]]) -> Vec<u8> {
        let mut b = header_bytes(4);
        for v in [257i64, 3] {
            b.extend(v.to_ne_bytes());
        }
        for v in [0u64, 0, 0, 0, 0, 0, 0] {
            b.extend(v.to_ne_bytes());
        }
        b.extend([0u8; 8 + 32]);
        for i in 0..3 {
            let l = strings.get(i).map_or(0, |s| s.len()) as u16;
            b.extend(l.to_ne_bytes());
        }
        b.extend(0u16.to_ne_bytes());
        assert_eq!(b.len(), SYSCALL_LEN);
        for s in strings {
            b.extend(*s);
        }
        b
    }

    #[test]
    fn parses_packed_strings_of_a_syscall_record() {
        let b = syscall_bytes(&[b"/etc/shadow\0", b"\0", b"ext4\0"]);
        let Ok(Record::Syscall(s)) = parse(&b) else {
            panic!("not a system call record");
        };
        assert_eq!((s.nr, s.res), (257, 3));
        assert_eq!(
            (s.s1.as_str(), s.s2.as_str(), s.s3.as_str()),
            ("/etc/shadow", "", "ext4")
        );
        // A length running past the end is an error, not a panic.
        let mut cut = syscall_bytes(&[b"/etc/shadow\0"]);
        cut.truncate(cut.len() - 3);
        assert!(matches!(
            parse(&cut),
            Err(RecordError::Strings { kind: 4, .. })
        ));
    }

    #[test]
    fn splits_argv() {
        assert_eq!(
            split_args(b"sh\0-c\0echo hi\0"),
            vec!["sh", "-c", "echo hi"]
        );
        assert_eq!(split_args(b"trunc\0ated"), vec!["trunc", "ated"]);
        assert!(split_args(b"").is_empty());
    }
}
