//! The work `rampart sensor` does per event, minus output: the eBPF sensor, decoding and
//! enrichment, and the Falco engine over the given rule files (default: every supported
//! upstream Falco rule file under `../shared/corpus/falco-rules/rules`), with the kernel-side
//! event-type and open filters computed from those rules. Runs until SIGINT/SIGTERM, then
//! prints its counters on stderr. `bench/sensor.sh` runs workloads with and without it.
//!
//! ```text
//! cargo build --release -p rampart-sensor --example overhead
//! target/release/examples/overhead [--no-open-filter] [--ring-bytes N] [RULE_FILE...]
//! ```

use rampart_detect::event::Source;
use rampart_detect::falco::{Alert, load_falco_files};
use rampart_sensor::syscalls::OpenFilter;
use rampart_sensor::{Config, Options, Sensor, shutdown};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The allocator the `rampart` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn default_rules() -> Vec<PathBuf> {
    let base =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco-rules/rules");
    [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
    ]
    .iter()
    .map(|f| base.join(f))
    .collect()
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("overhead: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut files = Vec::new();
    let mut open_filter = true;
    let mut ring_bytes = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--no-open-filter" => open_filter = false,
            "--ring-bytes" => {
                let v = args.next().ok_or("--ring-bytes needs a value")?;
                ring_bytes = Some(
                    v.parse::<u32>()
                        .map_err(|e| format!("--ring-bytes {v}: {e}"))?,
                );
            }
            _ => files.push(PathBuf::from(a)),
        }
    }
    if files.is_empty() {
        files = default_rules();
    }
    let (rules, report) = load_falco_files(&files).map_err(|e| e.to_string())?;
    let (ok, _, _) = report.counts();
    let filter = if open_filter {
        OpenFilter::from_falco_files(&files).map_err(|e| e.to_string())?
    } else {
        None
    };
    let cfg = Config {
        event_types: rules.event_types(Source::Syscall),
    };
    let opts = Options {
        ring_buffer_bytes: ring_bytes,
        open_filter: filter.clone(),
    };
    shutdown::install();
    let mut obj = std::mem::MaybeUninit::uninit();
    let mut sensor = Sensor::start_with(&mut obj, &cfg, &opts).map_err(|e| e.to_string())?;
    eprintln!(
        "overhead: attached via {}; {} rules ({ok} loaded); {} system calls; open filter: {}",
        rampart_sensor::ATTACH_METHOD,
        rules.len(),
        sensor.syscalls().len(),
        match &filter {
            Some(f) => format!("{} path prefixes", f.len()),
            None => "off".to_string(),
        }
    );
    let me = std::process::id() as i64;
    let mut alerts: Vec<Alert> = Vec::new();
    let mut n_alerts = 0u64;
    let started = Instant::now();
    loop {
        let stop = shutdown::requested();
        let mut each = |ev: rampart_detect::event::Event| {
            if ev.proc.pid == me {
                return;
            }
            alerts.clear();
            rules.matches(&ev, &mut alerts);
            n_alerts += alerts.len() as u64;
        };
        if stop {
            sensor.flush(&mut each).map_err(|e| e.to_string())?;
            break;
        }
        sensor
            .poll(Duration::from_millis(100), &mut each)
            .map_err(|e| e.to_string())?;
    }
    let s = sensor.stats();
    eprintln!(
        "overhead: stopped after {:.1} s; events {}, alerts {n_alerts}, dropped {} (ring buffer full), filtered in kernel {}, undecodable {}",
        started.elapsed().as_secs_f64(),
        s.events,
        s.ring_drops,
        s.filtered,
        s.bad_records
    );
    Ok(())
}
