//! rampart's Linux runtime sensor: CO-RE eBPF programs on BTF-typed tracepoints
//! (`tp_btf/`, which need neither tracefs nor kprobes) for process exec, fork and exit and
//! for the system calls detection rules read, filtered in the kernel, delivered through one
//! ring buffer, decoded and enriched into [`rampart_detect::event::Event`]s.
//!
//! - [`raw`]: the record layout shared with `src/bpf/sensor.h`.
//! - [`syscalls`]: captured system calls and Falco's spelling of their arguments.
//! - [`procs`]: the process table (parent chain, exe, cmdline, cwd) and user names.
//! - [`container`]: container ids from cgroup paths.
//! - [`decode`]: records → events.
//! - [`shutdown`]: SIGINT/SIGTERM as a flag for the capture loop.
//!
//! The sensor does not match rules or choose outputs: the CLI feeds its events to the
//! detection engine.
//!
//! ```no_run
//! let mut obj = std::mem::MaybeUninit::uninit();
//! let mut sensor = rampart_sensor::Sensor::start(&mut obj, &rampart_sensor::Config::default())?;
//! sensor.poll(std::time::Duration::from_millis(100), &mut |ev| {
//!     println!("{} {}", ev.evt_type, ev.proc.cmdline());
//! })?;
//! # Ok::<(), rampart_sensor::SensorError>(())
//! ```
#![deny(missing_docs)]

pub mod container;
pub mod decode;
mod error;
pub mod flows;
pub mod netlink;
pub mod pods;
pub mod procs;
pub mod raw;
pub mod shutdown;
pub mod syscalls;

pub use error::SensorError;

use libbpf_rs::skel::{OpenSkel, SkelBuilder};
use libbpf_rs::{MapCore, MapFlags, OpenObject};
use rampart_detect::event::Event;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::mem::MaybeUninit;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

#[allow(clippy::all, missing_docs, dead_code, unused_imports)]
mod bpf {
    include!(concat!(env!("OUT_DIR"), "/sensor.skel.rs"));
}

/// How the programs attach, said on start.
pub const ATTACH_METHOD: &str = "BTF-typed tracepoints (tp_btf: sched_process_exec/fork/exit, raw_syscalls sys_exit; tracefs not needed)";

/// Where the kernel's BTF is.
pub const KERNEL_BTF: &str = "/sys/kernel/btf/vmlinux";

/// What to capture.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Event types (Falco names) wanted from system calls; `None` captures every supported
    /// call. Exec, fork and exit are always captured.
    pub event_types: Option<BTreeSet<String>>,
}

/// Tuning beyond [`Config`]: ring buffer size and the kernel-side open filter.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Ring buffer size in bytes (a power of two, at least one page); `None`: 16 MiB.
    pub ring_buffer_bytes: Option<u32>,
    /// Opens (`open`, `creat`, `openat`, `openat2`) kept in the kernel only when a loaded rule
    /// can match their path and access mode; `None` keeps every open. See
    /// [`syscalls::OpenFilter`].
    pub open_filter: Option<syscalls::OpenFilter>,
}

/// Records decoded before they are handed on (bounds the events held in memory).
pub const BATCH: usize = 1024;
/// Most batches one [`Sensor::poll`] reads before returning.
pub const MAX_BATCHES: usize = 64;

/// Counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Events decoded.
    pub events: u64,
    /// Records the kernel could not write because the ring buffer was full.
    pub ring_drops: u64,
    /// Records user space could not decode.
    pub bad_records: u64,
    /// 32-bit (ia32) system calls skipped: their numbers are not x86-64's, so they are not
    /// decoded (counted when the number is one a rule wants in x86-64's numbering).
    pub ia32_skipped: u64,
    /// Opens the kernel-side open filter skipped (no loaded rule can match them; not a loss).
    pub filtered: u64,
}

struct State {
    decoder: decode::Decoder,
    out: Vec<Event>,
    bad: u64,
}

/// A running sensor. Dropping it detaches the programs.
pub struct Sensor<'obj> {
    // Declared before `skel` so the ring buffer is freed before the maps it reads.
    ring: libbpf_rs::RingBuffer<'static>,
    skel: bpf::SensorSkel<'obj>,
    state: Rc<RefCell<State>>,
    syscalls: Vec<&'static str>,
}

/// Capability bits in `/proc/self/status` CapEff.
const CAP_SYS_ADMIN: u32 = 21;
const CAP_PERFMON: u32 = 38;
const CAP_BPF: u32 = 39;

fn effective_caps() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        })
        .unwrap_or(0)
}

/// Checks what the sensor needs before loading anything: kernel BTF, and CAP_BPF with
/// CAP_PERFMON (or CAP_SYS_ADMIN).
pub fn preflight() -> Result<(), SensorError> {
    if !Path::new(KERNEL_BTF).exists() {
        return Err(SensorError::NoBtf {
            path: KERNEL_BTF.into(),
        });
    }
    let caps = effective_caps();
    let has = |c: u32| caps & (1u64 << c) != 0;
    if !has(CAP_SYS_ADMIN) {
        let missing: Vec<&str> = [(CAP_BPF, "CAP_BPF"), (CAP_PERFMON, "CAP_PERFMON")]
            .into_iter()
            .filter(|(c, _)| !has(*c))
            .map(|(_, n)| n)
            .collect();
        if !missing.is_empty() {
            return Err(SensorError::Privilege {
                missing: missing.join(" and "),
            });
        }
    }
    Ok(())
}

impl<'obj> Sensor<'obj> {
    /// Loads and attaches the programs, reads the running processes, and starts capturing.
    /// `obj` holds the BPF object for the sensor's life.
    pub fn start(
        obj: &'obj mut MaybeUninit<OpenObject>,
        cfg: &Config,
    ) -> Result<Sensor<'obj>, SensorError> {
        Sensor::start_with(obj, cfg, &Options::default())
    }

    /// [`Sensor::start`] with a ring buffer size and an open filter.
    pub fn start_with(
        obj: &'obj mut MaybeUninit<OpenObject>,
        cfg: &Config,
        opts: &Options,
    ) -> Result<Sensor<'obj>, SensorError> {
        preflight()?;
        let builder = bpf::SensorSkelBuilder::default();
        let mut open = builder
            .open(obj)
            .map_err(|e| SensorError::Load(format!("{e:#}")))?;
        if let Some(ro) = open.maps.rodata_data.as_deref_mut() {
            ro.self_tgid = std::process::id();
            ro.open_filter = u32::from(opts.open_filter.is_some());
            if let Some(f) = &opts.open_filter {
                ro.n_needles = f.substrings().count() as u32;
                for (j, (text, modes)) in f.substrings().enumerate() {
                    if let Some(&b) = text.as_bytes().first() {
                        ro.needle_first[usize::from(b)] |= 1 << j;
                    }
                    for (acc, m) in ro.needle_modes.iter_mut().enumerate() {
                        if (modes >> acc) & 1 == 1 {
                            *m |= 1 << j;
                        }
                    }
                }
                ro.has_names = u32::from(f.names().next().is_some());
            }
        }
        if let Some(bytes) = opts.ring_buffer_bytes {
            if !bytes.is_power_of_two() || bytes < 4096 {
                return Err(SensorError::Load(format!(
                    "ring buffer size {bytes}: must be a power of two of at least 4096 bytes"
                )));
            }
            open.maps
                .events
                .set_max_entries(bytes)
                .map_err(|e| SensorError::Load(format!("ring buffer size: {e}")))?;
        }
        let skel = open
            .load()
            .map_err(|e| SensorError::Load(format!("{e:#}")))?;
        if let Some(filter) = &opts.open_filter {
            for (key, modes) in filter.trie_entries() {
                skel.maps
                    .open_prefixes
                    .update(&key, &[modes], MapFlags::ANY)
                    .map_err(|e| SensorError::Load(format!("open filter map: {e}")))?;
            }
            for (i, needle) in filter.needle_entries().iter().enumerate() {
                skel.maps
                    .needles
                    .update(&(i as u32).to_ne_bytes(), needle, MapFlags::ANY)
                    .map_err(|e| SensorError::Load(format!("open filter substrings: {e}")))?;
            }
            for (name, modes) in filter.name_entries() {
                skel.maps
                    .open_names
                    .update(&name, &[modes], MapFlags::ANY)
                    .map_err(|e| SensorError::Load(format!("open filter names: {e}")))?;
            }
        }
        let mut syscalls = Vec::new();
        for s in syscalls::SUPPORTED {
            let want = s.nr == syscalls::CHDIR
                || cfg.event_types.as_ref().is_none_or(|t| t.contains(s.name));
            if want {
                skel.maps
                    .wanted
                    .update(&s.nr.to_ne_bytes(), &[1u8], MapFlags::ANY)
                    .map_err(|e| SensorError::Load(format!("wanted map: {e}")))?;
                syscalls.push(s.name);
            }
        }
        let mut decoder = decode::Decoder::new();
        decoder.procs.scan();
        let state = Rc::new(RefCell::new(State {
            decoder,
            out: Vec::new(),
            bad: 0,
        }));
        let cb_state = Rc::clone(&state);
        let mut rb = libbpf_rs::RingBufferBuilder::new();
        rb.add(&skel.maps.events, move |data: &[u8]| {
            let mut st = cb_state.borrow_mut();
            match raw::parse(data) {
                Ok(rec) => {
                    if let Some(ev) = st.decoder.decode(&rec) {
                        st.out.push(ev);
                    }
                }
                Err(_) => st.bad += 1,
            }
            0
        })
        .map_err(|e| SensorError::Ring(e.to_string()))?;
        let ring = rb.build().map_err(|e| SensorError::Ring(e.to_string()))?;
        let mut sensor = Sensor {
            ring,
            skel,
            state,
            syscalls,
        };
        sensor.attach()?;
        Ok(sensor)
    }

    fn attach(&mut self) -> Result<(), SensorError> {
        let progs = &mut self.skel.progs;
        let links = &mut self.skel.links;
        macro_rules! attach {
            ($name:ident) => {
                links.$name = Some(progs.$name.attach().map_err(|e| SensorError::Attach {
                    program: stringify!($name),
                    reason: e.to_string(),
                })?);
            };
        }
        attach!(on_exec);
        attach!(on_fork);
        attach!(on_exit);
        attach!(on_sys_exit);
        Ok(())
    }

    /// The system calls captured (Falco names).
    pub fn syscalls(&self) -> &[&'static str] {
        &self.syscalls
    }

    /// Processes known at start-up and since.
    pub fn processes(&self) -> usize {
        self.state.borrow().decoder.procs.len()
    }

    /// Waits up to `timeout` for records and hands every decoded event to `sink`, in order.
    /// Returns how many events it handed over.
    ///
    /// Records are read in batches of [`BATCH`], each handed to `sink` before the next is
    /// decoded, so memory stays bounded however fast they arrive; one call reads at most
    /// [`MAX_BATCHES`] batches, so the caller's loop keeps its turn.
    pub fn poll(
        &mut self,
        timeout: Duration,
        sink: &mut dyn FnMut(Event),
    ) -> Result<usize, SensorError> {
        // The kernel side wakes the reader only when the ring buffer is filling, so a wait
        // that times out is followed by a read of whatever has arrived since.
        let mut ready = libc::epoll_event { events: 0, u64: 0 };
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: the ring buffer's epoll descriptor stays open as long as `self.ring`, and
        // `ready` is a valid buffer for one event.
        let rc = unsafe { libc::epoll_wait(self.ring.epoll_fd(), &mut ready, 1, ms) };
        if rc < 0 {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EINTR) {
                return Err(SensorError::Ring(e.to_string()));
            }
        }
        self.read_batches(MAX_BATCHES, sink)
    }

    /// Reads whatever the ring buffer holds without waiting (for shutdown).
    pub fn flush(&mut self, sink: &mut dyn FnMut(Event)) -> Result<usize, SensorError> {
        self.read_batches(usize::MAX, sink)
    }

    fn read_batches(
        &mut self,
        max: usize,
        sink: &mut dyn FnMut(Event),
    ) -> Result<usize, SensorError> {
        let mut handed = 0;
        for _ in 0..max {
            let rc = self.ring.consume_raw_n(BATCH);
            if rc < 0 && rc != -libc::EINTR {
                return Err(SensorError::Ring(
                    std::io::Error::from_raw_os_error(-rc).to_string(),
                ));
            }
            handed += self.drain(sink)?;
            if (rc as usize) < BATCH {
                break;
            }
        }
        Ok(handed)
    }

    fn drain(&mut self, sink: &mut dyn FnMut(Event)) -> Result<usize, SensorError> {
        // The buffer is handed back afterwards so its allocation is reused.
        let mut events = std::mem::take(&mut self.state.borrow_mut().out);
        let n = events.len();
        for ev in events.drain(..) {
            sink(ev);
        }
        self.state.borrow_mut().out = events;
        Ok(n)
    }

    /// Current counters.
    pub fn stats(&self) -> Stats {
        let st = self.state.borrow();
        let read = |key: u32| -> u64 {
            self.skel
                .maps
                .drops
                .lookup_percpu(&key.to_ne_bytes(), MapFlags::ANY)
                .ok()
                .flatten()
                .map(|cpus| {
                    cpus.iter()
                        .map(|v| u64::from_ne_bytes(v[..8].try_into().unwrap_or_default()))
                        .sum()
                })
                .unwrap_or(0)
        };
        Stats {
            events: st.decoder.count(),
            ring_drops: read(0),
            bad_records: st.bad,
            ia32_skipped: read(1),
            filtered: read(2),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn record_sizes_match_the_c_layout() {
        // Offsets are fixed by sensor.h; the BPF object's BTF is the other side of this check.
        assert_eq!(crate::raw::EXEC_LEN, 104);
        assert_eq!(crate::raw::EXEC_MAX_LEN, 1448);
        assert_eq!(crate::raw::FORK_LEN, 104);
        assert_eq!(crate::raw::EXIT_LEN, 96);
        assert_eq!(crate::raw::SYSCALL_LEN, 208);
        assert_eq!(crate::raw::SYSCALL_MAX_LEN, 752);
    }
}
