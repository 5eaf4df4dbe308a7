//! Typed accessors: a [`Field`] resolved at rule-compile time to a function that reads the
//! event's typed field directly (`&str`, `i64`, `bool`, `IpAddr`), without building a
//! [`crate::fields::FieldValue`], and the per-event evaluation context [`Ctx`] that
//! builds derived text (`proc.cmdline`, `proc.pcmdline`, `proc.args`) at most once per
//! event into reused buffers.
//!
//! Every accessor returns exactly what [`Field::extract`] returns for the same event
//! (`None` where it returns `None`); the differential test in `compile.rs` and the rule
//! regression tests hold the two together.

use super::extract::Field;
use crate::event::{Ancestor, Event, Source};
use crate::fields::FieldValue;
use std::cell::{Cell, OnceCell, RefCell};
use std::net::IpAddr;

type StrFn = for<'e> fn(&'e Event) -> Option<&'e str>;

/// How a text field is read.
#[derive(Clone)]
pub enum StrAcc {
    /// A typed field of the event.
    Fn(StrFn),
    /// `evt.arg.NAME`.
    Arg(Box<str>),
    /// `proc.env[NAME]`.
    Env(Box<str>),
    /// `proc.aname[n]` (`Name`), `proc.aexe[n]`, `proc.aexepath[n]` for a fixed `n`.
    Ancestor(AncestorPart, usize),
    /// Text built once per event: `proc.cmdline`, `proc.pcmdline`, `proc.args`.
    Lazy(LazyText),
}

impl std::fmt::Debug for StrAcc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StrAcc::Fn(_) => f.write_str("Fn"),
            StrAcc::Arg(a) => write!(f, "Arg({a})"),
            StrAcc::Env(a) => write!(f, "Env({a})"),
            StrAcc::Ancestor(p, n) => write!(f, "Ancestor({p:?}, {n})"),
            StrAcc::Lazy(l) => write!(f, "Lazy({l:?})"),
        }
    }
}

/// Which part of an ancestor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AncestorPart {
    /// `proc.aname`
    Name,
    /// `proc.aexe`
    Exe,
    /// `proc.aexepath`
    Exepath,
}

/// Derived text fields, built on first use per event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LazyText {
    /// `proc.cmdline`
    Cmdline = 0,
    /// `proc.pcmdline`
    PCmdline = 1,
    /// `proc.args`
    Args = 2,
}

/// A numeric field reader.
pub type NumFn = fn(&Event) -> Option<i64>;
/// A boolean field reader.
pub type BoolFn = fn(&Event) -> Option<bool>;
/// An IP address field reader.
pub type IpFn = fn(&Event) -> Option<IpAddr>;

#[derive(Default)]
struct Lazy {
    ready: Cell<bool>,
    present: Cell<bool>,
    buf: RefCell<String>,
}

/// Per-event evaluation state: the event and the derived texts built so far.
pub struct Ctx<'e> {
    /// The event being matched.
    pub ev: &'e Event,
    lazy: [Lazy; 3],
    /// Outcomes of the checks shared by several rules: 0 unknown, 1 false, 2 true.
    memo: Vec<Cell<u8>>,
    /// Values of the document fields several checks read, each extracted at most once
    /// (allocated on first use).
    fields: OnceCell<Box<[FieldCell<'e>]>>,
    field_slots: usize,
}

/// One entry of the per-event field cache: the field's value once extracted.
pub type FieldCell<'e> = OnceCell<Option<FieldValue<'e>>>;

/// Reusable buffers for [`Ctx`], so that derived texts and the memo table cost no
/// allocation once warm.
#[derive(Default)]
pub struct Buffers([String; 3], Vec<Cell<u8>>);

impl<'e> Ctx<'e> {
    /// A context for `ev`.
    pub fn new(ev: &'e Event) -> Ctx<'e> {
        Ctx::with_buffers(ev, Buffers::default(), 0)
    }

    /// A context for `ev` reusing `bufs`' allocations, with `memo_slots` shared checks.
    pub fn with_buffers(ev: &'e Event, bufs: Buffers, memo_slots: usize) -> Ctx<'e> {
        let Buffers([a, b, c], mut memo) = bufs;
        memo.clear();
        memo.resize_with(memo_slots, || Cell::new(0));
        let mk = |s: String| Lazy {
            ready: Cell::new(false),
            present: Cell::new(false),
            buf: RefCell::new(s),
        };
        Ctx {
            ev,
            lazy: [mk(a), mk(b), mk(c)],
            memo,
            fields: OnceCell::new(),
            field_slots: 0,
        }
    }

    /// Sets the number of field-cache slots (see [`Ctx::field_cell`]).
    pub fn with_field_slots(mut self, n: usize) -> Ctx<'e> {
        self.field_slots = n;
        self
    }

    /// The cache entry of field slot `slot`, `None` for a slot out of range.
    #[inline]
    pub fn field_cell(&self, slot: u32) -> Option<&FieldCell<'e>> {
        if slot as usize >= self.field_slots {
            return None;
        }
        self.fields
            .get_or_init(|| (0..self.field_slots).map(|_| OnceCell::new()).collect())
            .get(slot as usize)
    }

    /// The remembered outcome of shared check `slot`, if evaluated for this event.
    #[inline]
    pub fn memo_get(&self, slot: u32) -> Option<bool> {
        match self.memo.get(slot as usize).map(Cell::get) {
            Some(1) => Some(false),
            Some(2) => Some(true),
            _ => None,
        }
    }

    /// Remembers the outcome of shared check `slot`.
    #[inline]
    pub fn memo_set(&self, slot: u32, v: bool) {
        if let Some(c) = self.memo.get(slot as usize) {
            c.set(1 + u8::from(v));
        }
    }

    /// Gives the buffers back for the next event.
    pub fn into_buffers(self) -> Buffers {
        let Ctx { lazy, memo, .. } = self;
        let [a, b, c] = lazy;
        Buffers(
            [a.buf.into_inner(), b.buf.into_inner(), c.buf.into_inner()],
            memo,
        )
    }

    fn lazy<R>(&self, which: LazyText, f: impl FnOnce(&str) -> R) -> Option<R> {
        let l = &self.lazy[which as usize];
        if !l.ready.get() {
            let mut b = l.buf.borrow_mut();
            b.clear();
            let present = syscall(self.ev).is_some_and(|ev| fill(which, ev, &mut b));
            l.present.set(present);
            l.ready.set(true);
        }
        if !l.present.get() {
            return None;
        }
        Some(f(&l.buf.borrow()))
    }
}

fn push_cmdline(out: &mut String, name: &str, args: &[String]) {
    out.push_str(name);
    for a in args {
        out.push(' ');
        out.push_str(a);
    }
}

fn fill(which: LazyText, ev: &Event, out: &mut String) -> bool {
    let p = &ev.proc;
    match which {
        LazyText::Cmdline => {
            push_cmdline(out, &p.name, &p.args);
            true
        }
        LazyText::PCmdline => match p.ancestors.first() {
            Some(a) => {
                push_cmdline(out, &a.name, &a.args);
                true
            }
            None => false,
        },
        LazyText::Args => {
            for (i, a) in p.args.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(a);
            }
            true
        }
    }
}

fn syscall(ev: &Event) -> Option<&Event> {
    (ev.source == Source::Syscall).then_some(ev)
}

fn nonempty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

impl StrAcc {
    /// Applies `f` to the field's text; `None` when the event lacks the field.
    #[inline]
    pub fn with<R>(&self, cx: &Ctx<'_>, f: impl FnOnce(&str) -> R) -> Option<R> {
        let ev = cx.ev;
        match self {
            StrAcc::Fn(get) => get(ev).map(f),
            StrAcc::Arg(name) => syscall(ev)?.args.get(name.as_ref()).map(|v| f(v)),
            StrAcc::Env(name) => syscall(ev)?
                .proc
                .env
                .iter()
                .find_map(|kv| {
                    let (k, v) = kv.split_once('=')?;
                    (k == name.as_ref()).then_some(v)
                })
                .map(f),
            StrAcc::Ancestor(part, n) => {
                let p = &syscall(ev)?.proc;
                let (name, exe, exepath) = match n {
                    0 => (&p.name, &p.exe, &p.exepath),
                    n => {
                        let a: &Ancestor = p.ancestors.get(n - 1)?;
                        (&a.name, &a.exe, &a.exepath)
                    }
                };
                Some(f(match part {
                    AncestorPart::Name => name,
                    AncestorPart::Exe => exe,
                    AncestorPart::Exepath => exepath,
                }))
            }
            StrAcc::Lazy(which) => cx.lazy(*which, f),
        }
    }

    /// The typed reader for `field`, when it is a scalar text field.
    pub fn for_field(field: &Field) -> Option<StrAcc> {
        use Field::*;
        let f: StrFn = match field {
            EvtSource => |ev| Some(ev.source.as_str()),
            EvtType => |ev| Some(syscall(ev)?.evt_type.as_str()),
            EvtDir => |ev| syscall(ev).map(|_| "<"),
            ProcName => |ev| Some(syscall(ev)?.proc.name.as_str()),
            ProcExe => |ev| Some(syscall(ev)?.proc.exe.as_str()),
            ProcExepath => |ev| Some(syscall(ev)?.proc.exepath.as_str()),
            ProcCwd => |ev| Some(syscall(ev)?.proc.cwd.as_str()),
            ProcSname => |ev| nonempty(&syscall(ev)?.proc.sname),
            ProcVpgidName => |ev| nonempty(&syscall(ev)?.proc.vpgid_name),
            ProcPname => |ev| Some(syscall(ev)?.proc.ancestors.first()?.name.as_str()),
            ProcPexe => |ev| Some(syscall(ev)?.proc.ancestors.first()?.exe.as_str()),
            ProcPexepath => |ev| Some(syscall(ev)?.proc.ancestors.first()?.exepath.as_str()),
            UserName => |ev| Some(syscall(ev)?.proc.user.as_str()),
            UserLoginname => |ev| Some(syscall(ev)?.proc.loginname.as_str()),
            GroupName => |ev| Some(syscall(ev)?.proc.group.as_str()),
            FdName => |ev| Some(syscall(ev)?.fd.as_ref()?.name.as_str()),
            FdType => |ev| Some(syscall(ev)?.fd.as_ref()?.fd_type.as_str()),
            FdTypechar => |ev| Some(syscall(ev)?.fd.as_ref()?.fd_type.typechar()),
            FdDirectory => |ev| syscall(ev)?.fd.as_ref()?.directory(),
            FdFilename => |ev| syscall(ev)?.fd.as_ref()?.filename(),
            FdL4proto => |ev| nonempty(&syscall(ev)?.fd.as_ref()?.l4proto),
            FdSipName => |ev| nonempty(&syscall(ev)?.fd.as_ref()?.sip_name),
            FdSockfamily => |ev| match syscall(ev)?.fd.as_ref()?.fd_type {
                crate::event::FdType::Ipv4 | crate::event::FdType::Ipv6 => Some("ip"),
                crate::event::FdType::Unix => Some("unix"),
                _ => None,
            },
            ContainerId => |ev| {
                Some(
                    syscall(ev)?
                        .container
                        .as_ref()
                        .map_or("host", |c| c.id.as_str()),
                )
            },
            ContainerName => |ev| {
                Some(
                    syscall(ev)?
                        .container
                        .as_ref()
                        .map_or("host", |c| c.name.as_str()),
                )
            },
            ContainerImage => |ev| Some(syscall(ev)?.container.as_ref()?.image.as_str()),
            ContainerImageRepository => {
                |ev| Some(syscall(ev)?.container.as_ref()?.image_repository.as_str())
            }
            ContainerImageTag => |ev| Some(syscall(ev)?.container.as_ref()?.image_tag.as_str()),
            K8sNsName => |ev| nonempty(&syscall(ev)?.k8s.as_ref()?.ns_name),
            K8sPodName => |ev| nonempty(&syscall(ev)?.k8s.as_ref()?.pod_name),
            EvtArg(name) => return Some(StrAcc::Arg(name.as_str().into())),
            EnvVar(name) => return Some(StrAcc::Env(name.as_str().into())),
            AName(Some(n)) => return Some(StrAcc::Ancestor(AncestorPart::Name, *n)),
            AExe(Some(n)) => return Some(StrAcc::Ancestor(AncestorPart::Exe, *n)),
            AExepath(Some(n)) => return Some(StrAcc::Ancestor(AncestorPart::Exepath, *n)),
            ProcCmdline => return Some(StrAcc::Lazy(LazyText::Cmdline)),
            ProcPcmdline => return Some(StrAcc::Lazy(LazyText::PCmdline)),
            ProcArgs => return Some(StrAcc::Lazy(LazyText::Args)),
            _ => return None,
        };
        Some(StrAcc::Fn(f))
    }
}

/// The typed reader for a numeric field.
pub fn num_fn(field: &Field) -> Option<NumFn> {
    use Field::*;
    Some(match field {
        EvtNum => |ev| Some(ev.num as i64),
        EvtRawtime => |ev| Some(ev.time as i64),
        EvtRawres => |ev| syscall(ev)?.res,
        ProcPid => |ev| Some(syscall(ev)?.proc.pid),
        ProcPpid => |ev| Some(syscall(ev)?.proc.ppid),
        ProcVpid => |ev| Some(syscall(ev)?.proc.vpid),
        ProcSid => |ev| Some(syscall(ev)?.proc.sid),
        ProcVpgid => |ev| Some(syscall(ev)?.proc.vpgid),
        ProcTty => |ev| Some(i64::from(syscall(ev)?.proc.tty)),
        ProcDuration => |ev| {
            let ev = syscall(ev)?;
            (ev.proc.start_ts > 0).then(|| ev.time.saturating_sub(ev.proc.start_ts) as i64)
        },
        UserUid => |ev| Some(i64::from(syscall(ev)?.proc.uid)),
        UserLoginuid => |ev| Some(syscall(ev)?.proc.loginuid),
        GroupGid => |ev| Some(i64::from(syscall(ev)?.proc.gid)),
        ThreadTid => |ev| {
            let p = &syscall(ev)?.proc;
            Some(if p.tid == 0 { p.pid } else { p.tid })
        },
        FdNum => |ev| Some(syscall(ev)?.fd.as_ref()?.num),
        FdSport => |ev| syscall(ev)?.fd.as_ref()?.sport.map(i64::from),
        FdCport => |ev| syscall(ev)?.fd.as_ref()?.cport.map(i64::from),
        FdLport => |ev| syscall(ev)?.fd.as_ref()?.lport().map(i64::from),
        FdRport => |ev| syscall(ev)?.fd.as_ref()?.rport().map(i64::from),
        ContainerStartTs => |ev| Some(syscall(ev)?.container.as_ref()?.start_ts as i64),
        _ => return None,
    })
}

fn open_flags(ev: &Event) -> Option<&str> {
    Some(
        syscall(ev)?
            .args
            .get("flags")
            .map(String::as_str)
            .unwrap_or(""),
    )
}

/// `needle` occurs in `hay` (as [`str::contains`]; quicker on the short flag lists).
fn has(hay: &str, needle: &str) -> bool {
    memchr::memmem::find(hay.as_bytes(), needle.as_bytes()).is_some()
}

/// The typed reader for a boolean field.
pub fn bool_fn(field: &Field) -> Option<BoolFn> {
    use Field::*;
    Some(match field {
        EvtIsOpenRead => |ev| {
            let f = open_flags(ev)?;
            Some(has(f, "O_RDONLY") || has(f, "O_RDWR"))
        },
        EvtIsOpenWrite => |ev| {
            let f = open_flags(ev)?;
            Some(has(f, "O_WRONLY") || has(f, "O_RDWR"))
        },
        EvtIsOpenExec => |ev| {
            let f = open_flags(ev)?;
            Some(has(f, "O_EXEC") || has(f, "O_F_CREATED") && f.contains('X'))
        },
        ProcIsVpgidLeader => |ev| {
            let p = &syscall(ev)?.proc;
            Some(p.vpid == p.vpgid && p.vpgid != 0)
        },
        ProcIsSidLeader => |ev| {
            let p = &syscall(ev)?.proc;
            Some(p.pid == p.sid && p.sid != 0)
        },
        ProcIsExeWritable => |ev| Some(syscall(ev)?.proc.is_exe_writable),
        ProcIsExeUpperLayer => |ev| Some(syscall(ev)?.proc.is_exe_upper_layer),
        ProcIsExeFromMemfd => |ev| Some(syscall(ev)?.proc.is_exe_from_memfd),
        FdConnected => |ev| Some(syscall(ev)?.fd.as_ref()?.connected),
        FdNameChanged => |ev| Some(syscall(ev)?.fd.as_ref()?.name_changed),
        ContainerPrivileged => |ev| Some(syscall(ev)?.container.as_ref()?.privileged),
        _ => return None,
    })
}

/// The typed reader for a single-address IP field.
pub fn ip_fn(field: &Field) -> Option<IpFn> {
    use Field::*;
    Some(match field {
        FdSip | FdSnet => |ev| syscall(ev)?.fd.as_ref()?.sip,
        FdCip | FdCnet => |ev| syscall(ev)?.fd.as_ref()?.cip,
        FdLip | FdLnet => |ev| syscall(ev)?.fd.as_ref()?.lip(),
        FdRip | FdRnet => |ev| syscall(ev)?.fd.as_ref()?.rip(),
        _ => return None,
    })
}
