//! `rampart sensor`: live events (eBPF, or the netlink process connector when eBPF cannot
//! load) through `rampart detect`'s engine and alert pipeline — the same rules, noise
//! control and outputs, built by [`detect::pipeline`] from the same flags — until
//! SIGINT/SIGTERM. Also: pod context from the kubelet, network flows (`--flows`), a learned
//! baseline of flows and alerts for flows outside it, recording of events (JSON lines
//! `rampart detect` replays) and a Prometheus text endpoint on loopback.

use crate::cli::{SensorArgs, SensorSource};
use crate::detect;
use anyhow::{Context, Result, bail};
use rampart_detect::engine::Detector;
use rampart_detect::event::Event;
use rampart_detect::falco::extract::format_time;
use rampart_detect::falco::{Alert, OutputFields};
use rampart_detect::pipeline::{AlertPipeline, Closed};
use rampart_sensor::flows::{Baseline, FlowKey, FlowTable};
use rampart_sensor::netlink::{self, ProcConnector};
use rampart_sensor::pods::PodIndex;
use rampart_sensor::syscalls::OpenFilter;
use rampart_sensor::{Config, Options, Sensor, Stats, shutdown};
use std::io::{BufWriter, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The rule name of alerts for flows outside the baseline.
pub(crate) const NEW_FLOW_RULE: &str = "Connection never seen before";

/// Counters the metrics endpoint serves.
#[derive(Default)]
struct Counters {
    events: AtomicU64,
    ring_drops: AtomicU64,
    bad_records: AtomicU64,
    ia32_skipped: AtomicU64,
    filtered: AtomicU64,
    alerts: AtomicU64,
}

impl Counters {
    fn render(&self) -> String {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        format!(
            "# HELP rampart_sensor_events_total Events decoded from the kernel.\n\
             # TYPE rampart_sensor_events_total counter\n\
             rampart_sensor_events_total {}\n\
             # HELP rampart_sensor_drops_total Events lost, by reason.\n\
             # TYPE rampart_sensor_drops_total counter\n\
             rampart_sensor_drops_total{{reason=\"ring_buffer_full\"}} {}\n\
             rampart_sensor_drops_total{{reason=\"undecodable\"}} {}\n\
             # HELP rampart_sensor_ia32_calls_skipped_total 32-bit (ia32) system calls not decoded (their numbers are not x86-64's).\n\
             # TYPE rampart_sensor_ia32_calls_skipped_total counter\n\
             rampart_sensor_ia32_calls_skipped_total {}\n\
             # HELP rampart_sensor_opens_filtered_total Opens skipped in the kernel because no loaded rule can match them (not a loss).\n\
             # TYPE rampart_sensor_opens_filtered_total counter\n\
             rampart_sensor_opens_filtered_total {}\n\
             # HELP rampart_sensor_matches_total Alerts raised by rules.\n\
             # TYPE rampart_sensor_matches_total counter\n\
             rampart_sensor_matches_total {}\n",
            g(&self.events),
            g(&self.ring_drops),
            g(&self.bad_records),
            g(&self.ia32_skipped),
            g(&self.filtered),
            g(&self.alerts),
        )
    }

    fn set(&self, s: &Stats) {
        self.events.store(s.events, Ordering::Relaxed);
        self.ring_drops.store(s.ring_drops, Ordering::Relaxed);
        self.bad_records.store(s.bad_records, Ordering::Relaxed);
        self.ia32_skipped.store(s.ia32_skipped, Ordering::Relaxed);
        self.filtered.store(s.filtered, Ordering::Relaxed);
    }
}

/// Serves the counters as Prometheus text on `addr` (loopback only).
fn serve_metrics(addr: SocketAddr, counters: Arc<Counters>) -> Result<SocketAddr> {
    if !addr.ip().is_loopback() {
        bail!("--metrics {addr}: the metrics endpoint listens on loopback addresses only");
    }
    let listener = TcpListener::bind(addr).with_context(|| format!("--metrics {addr}"))?;
    let local = listener.local_addr()?;
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 1024];
            let _ = std::io::Read::read(&mut conn, &mut buf);
            let body = counters.render();
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    Ok(local)
}

/// An alert rampart raises itself, in the shape of a Falco rule's.
fn internal_alert(
    now_ns: u64,
    hostname: &str,
    rule: &str,
    priority: &'static str,
    source: &'static str,
    text: String,
    fields: OutputFields,
) -> Alert {
    let time = format_time(now_ns);
    Alert {
        output: format!("{}+0000: {priority} {text}", time.trim_end_matches('Z')),
        time,
        rule: rule.into(),
        priority: priority.into(),
        output_fields: fields,
        source: source.into(),
        tags: Arc::from(["rampart".to_string()]),
        hostname: hostname.into(),
    }
}

/// The alert raised when the kernel lost events.
fn drop_alert(now_ns: u64, hostname: &str, ring: u64) -> Alert {
    let mut fields = OutputFields::new();
    fields.insert(Arc::from("n_drops_buffer"), serde_json::json!(ring));
    internal_alert(
        now_ns,
        hostname,
        "Sensor dropped events",
        "Critical",
        "internal",
        format!("Sensor dropped events (n_drops_buffer={ring})"),
        fields,
    )
}

/// The alert for a flow outside the baseline: the event's process, container and pod,
/// and the flow.
fn new_flow_alert(ev: &Event, key: &FlowKey, hostname: &str) -> Alert {
    let mut f = OutputFields::new();
    let mut put = |k: &str, v: serde_json::Value| {
        f.insert(Arc::from(k), v);
    };
    put("evt.type", serde_json::json!(ev.evt_type.as_str()));
    put("flow.direction", serde_json::json!(key.direction.as_str()));
    put("flow.address", serde_json::json!(key.address));
    put("flow.port", serde_json::json!(key.port));
    put("fd.l4proto", serde_json::json!(key.protocol));
    put(
        "fd.name",
        serde_json::json!(ev.fd.as_ref().map(|f| f.name.as_str())),
    );
    put("proc.pid", serde_json::json!(ev.proc.pid));
    put("proc.exepath", serde_json::json!(key.exe));
    put("proc.cmdline", serde_json::json!(ev.proc.cmdline()));
    put("user.name", serde_json::json!(ev.proc.user));
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    put("container.id", serde_json::json!(opt(&key.container_id)));
    put("k8s.ns.name", serde_json::json!(opt(&key.namespace)));
    put("k8s.pod.name", serde_json::json!(opt(&key.pod)));
    let text = format!(
        "{NEW_FLOW_RULE} (direction={} address={} port={} proto={} exe={} pid={} command={} user={} container_id={} k8s.ns={} k8s.pod={})",
        key.direction.as_str(),
        key.address,
        key.port,
        key.protocol,
        key.exe,
        ev.proc.pid,
        ev.proc.cmdline(),
        ev.proc.user,
        opt(&key.container_id).unwrap_or_else(|| "host".into()),
        opt(&key.namespace).unwrap_or_else(|| "<NA>".into()),
        opt(&key.pod).unwrap_or_else(|| "<NA>".into()),
    );
    let mut a = internal_alert(
        ev.time,
        hostname,
        NEW_FLOW_RULE,
        "Notice",
        ev.source.as_str(),
        text,
        f,
    );
    a.tags = Arc::from(["network".to_string(), "rampart".to_string()]);
    a
}

/// Where events come from.
enum Capture<'obj> {
    Ebpf(Sensor<'obj>),
    Netlink(ProcConnector),
}

impl Capture<'_> {
    fn poll(&mut self, timeout: Duration, sink: &mut dyn FnMut(Event)) -> Result<usize> {
        match self {
            Capture::Ebpf(s) => s
                .poll(timeout, sink)
                .map_err(|e| anyhow::anyhow!("sensor: {e}")),
            Capture::Netlink(c) => c.poll(timeout, sink).map_err(|e| anyhow::anyhow!("{e}")),
        }
    }

    fn flush(&mut self, sink: &mut dyn FnMut(Event)) -> Result<usize> {
        match self {
            Capture::Ebpf(s) => s.flush(sink).map_err(|e| anyhow::anyhow!("sensor: {e}")),
            Capture::Netlink(c) => c.flush(sink).map_err(|e| anyhow::anyhow!("{e}")),
        }
    }

    fn stats(&self) -> Stats {
        match self {
            Capture::Ebpf(s) => s.stats(),
            Capture::Netlink(c) => {
                let n = c.stats();
                Stats {
                    events: n.events,
                    ring_drops: n.overflows,
                    bad_records: n.bad_messages,
                    ..Stats::default()
                }
            }
        }
    }
}

/// Fetches the kubelet's pod list.
fn fetch_pods(agent: &ureq::Agent, base: &str, token: Option<&str>) -> Result<PodIndex> {
    let url = format!("{}/pods", base.trim_end_matches('/'));
    let mut req = agent.get(&url);
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    let resp = req.call().map_err(|e| match e {
        ureq::Error::Status(code, _) => anyhow::anyhow!("{url}: HTTP {code}"),
        other => anyhow::anyhow!("{url}: {other}"),
    })?;
    let text = resp
        .into_string()
        .with_context(|| format!("{url}: reading the body"))?;
    Ok(PodIndex::parse(&url, &text)?)
}

/// Fetches the pod list now and then every `every` on a thread; fresh lists arrive on
/// the returned channel (failures are warned about once per change of reason).
fn kubelet_pods(
    base: &str,
    token_file: Option<&Path>,
    every: Duration,
    quiet: bool,
) -> Result<(PodIndex, mpsc::Receiver<PodIndex>)> {
    let token = match token_file {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .with_context(|| p.display().to_string())?
                .trim()
                .to_string(),
        ),
        None => None,
    };
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(10))
        .build();
    let first = match fetch_pods(&agent, base, token.as_deref()) {
        Ok(p) => {
            if !quiet {
                eprintln!(
                    "rampart: sensor: {} pods from the kubelet at {base}",
                    p.len()
                );
            }
            p
        }
        Err(e) => {
            if !quiet {
                eprintln!("rampart: warning: {e:#}; pod context will be missing until it answers");
            }
            PodIndex::default()
        }
    };
    let (tx, rx) = mpsc::channel();
    let base = base.to_string();
    std::thread::spawn(move || {
        let mut last_error = String::new();
        loop {
            std::thread::sleep(every);
            match fetch_pods(&agent, &base, token.as_deref()) {
                Ok(p) => {
                    last_error.clear();
                    if tx.send(p).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let e = format!("{e:#}");
                    if e != last_error && !quiet {
                        eprintln!("rampart: warning: {e}");
                    }
                    last_error = e;
                }
            }
        }
    });
    Ok((first, rx))
}

/// Writes `text` to `path` whole: a temporary file beside it, then renamed into place.
fn replace_file(path: &Path, text: &str) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text).with_context(|| tmp.display().to_string())?;
    std::fs::rename(&tmp, path).with_context(|| path.display().to_string())?;
    Ok(())
}

/// What the run does with network flows.
struct FlowWork {
    table: FlowTable,
    /// Flows known to be normal; `None` unless a baseline is checked.
    baseline: Option<Baseline>,
    file: Option<PathBuf>,
    last_write: Instant,
}

/// `rampart sensor`.
pub fn run(args: &SensorArgs) -> Result<u8> {
    let rules = detect::load_reporting(&args.rules, args.quiet, args.strict)?;
    let hostname = detect::hostname();
    let learning = args.learn.is_some();
    let want_flows = args.flows.is_some() || args.baseline.is_some();
    // Capture only what a loaded rule can match; Sigma rules read process creation, which is
    // always captured. Recording captures everything; flows need connect and accept.
    let mut event_types = match (&rules.falco, &args.record) {
        (Some((rs, _)), None) => rs.event_types(rampart_detect::event::Source::Syscall),
        (None, None) => Some(Default::default()),
        _ => None,
    };
    if want_flows && let Some(t) = event_types.as_mut() {
        for name in ["connect", "accept", "accept4"] {
            t.insert(name.to_string());
        }
    }
    let baseline = match (&args.baseline, learning) {
        (Some(p), false) => {
            let text = std::fs::read_to_string(p).with_context(|| p.display().to_string())?;
            let b = Baseline::parse(&p.display().to_string(), &text)?;
            if !args.quiet {
                eprintln!(
                    "rampart: sensor: baseline of {} flows from {}; new flows raise \"{NEW_FLOW_RULE}\"",
                    b.len(),
                    p.display()
                );
            }
            Some(b)
        }
        _ => None,
    };
    let mut record = match &args.record {
        Some(p) => Some(BufWriter::new(
            std::fs::File::create(p).with_context(|| p.display().to_string())?,
        )),
        None => None,
    };
    let (mut pods, pod_updates) = match &args.kubelet {
        Some(url) => {
            let (p, rx) = kubelet_pods(
                url,
                args.kubelet_token.as_deref(),
                args.kubelet_refresh,
                args.quiet,
            )?;
            (Some(p), Some(rx))
        }
        None => (None, None),
    };
    let mut pipeline = detect::pipeline(&args.alerts)?;
    let counters = Arc::new(Counters::default());
    if let Some(addr) = args.metrics {
        let local = serve_metrics(addr, Arc::clone(&counters))?;
        if !args.quiet {
            eprintln!("rampart: sensor: metrics on http://{local}/metrics");
        }
    }
    shutdown::install();
    let mut obj = std::mem::MaybeUninit::uninit();
    // Opens no loaded rule can match are skipped in the kernel: only with Falco rules alone
    // (a Sigma rule or a recording may want any open).
    let open_filter = match (&rules.falco, &rules.sigma, &args.record) {
        (Some(_), None, None) if !args.no_open_filter => {
            let files = detect::rule_files(&args.rules)?;
            let falco: Vec<(&Path, &str)> = files
                .iter()
                .filter(|(_, t)| detect::kind_of(t) == detect::Kind::Falco)
                .map(|(p, t)| (p.as_path(), t.as_str()))
                .collect();
            OpenFilter::from_falco(&falco)
        }
        _ => None,
    };
    let opts = Options {
        ring_buffer_bytes: None,
        open_filter: open_filter.clone(),
    };
    let cfg = Config { event_types };
    let netlink_start = |why: Option<String>| -> Result<Capture<'static>> {
        let c = ProcConnector::open().map_err(|e| match &why {
            Some(w) => anyhow::anyhow!("sensor: {w}; the netlink fallback failed too: {e}"),
            None => anyhow::anyhow!("{e}"),
        })?;
        if !args.quiet {
            let reason = why
                .map(|w| format!(" (eBPF unavailable: {w})"))
                .unwrap_or_default();
            eprintln!(
                "rampart: sensor: source netlink{reason}: attached via the {}; no system calls, file or network events; {} processes known",
                netlink::DESCRIPTION,
                c.processes()
            );
        }
        Ok(Capture::Netlink(c))
    };
    let mut capture = match args.source {
        SensorSource::Netlink => netlink_start(None)?,
        SensorSource::Ebpf | SensorSource::Auto => {
            match Sensor::start_with(&mut obj, &cfg, &opts) {
                Ok(sensor) => {
                    if !args.quiet {
                        let filter = match &open_filter {
                            Some(f) => format!(
                                "opens filtered in the kernel by {} path prefixes, {} substrings and {} process names",
                                f.prefixes().count(),
                                f.substrings().count(),
                                f.names().count()
                            ),
                            None => "every open passed to user space".to_string(),
                        };
                        eprintln!(
                            "rampart: sensor: source ebpf: attached via {}; capturing exec, fork, exit and {} system calls ({}); {filter}; {} processes known",
                            rampart_sensor::ATTACH_METHOD,
                            sensor.syscalls().len(),
                            sensor.syscalls().join(","),
                            sensor.processes(),
                        );
                    }
                    Capture::Ebpf(sensor)
                }
                Err(e) if args.source == SensorSource::Auto => netlink_start(Some(e.to_string()))?,
                Err(e) => bail!("sensor: {e}"),
            }
        }
    };
    let mut flows = want_flows.then(|| FlowWork {
        table: FlowTable::default(),
        baseline,
        file: args.flows.clone(),
        last_write: Instant::now(),
    });
    let mut detector = Detector::new(rules.falco.map(|r| r.0), rules.sigma.map(|r| r.0));
    detector.set_hostname(hostname.clone());
    let me = i64::from(std::process::id());
    let stop_after = [
        args.duration.map(|s| Duration::from_secs_f64(s.max(0.0))),
        args.learn,
    ]
    .into_iter()
    .flatten()
    .min();
    let deadline = stop_after.map(|d| Instant::now() + d);
    let mut reported_drops = 0u64;
    let mut internal_alerts = 0u64;
    let mut last_stats = Instant::now();
    let mut batch: Vec<Event> = Vec::new();
    let mut alerts: Vec<Alert> = Vec::new();
    let mut clock = 0u64;
    let run = (|| -> Result<std::result::Result<(), Closed>> {
        loop {
            let stop = shutdown::requested() || deadline.is_some_and(|d| Instant::now() >= d);
            let mut each = |ev: Event| batch.push(ev);
            if stop {
                capture.flush(&mut each)?;
            } else {
                capture.poll(Duration::from_millis(100), &mut each)?;
            }
            if let Some(rx) = &pod_updates
                && let Some(latest) = rx.try_iter().last()
            {
                pods = Some(latest);
            }
            for mut ev in batch.drain(..) {
                // The programs already skip the sensor's own process; this covers the rest.
                if ev.proc.pid == me {
                    continue;
                }
                if let Some(p) = &pods {
                    p.enrich(&mut ev);
                }
                if let Some(w) = record.as_mut() {
                    serde_json::to_writer(&mut *w, &ev)?;
                    w.write_all(b"\n")?;
                }
                let now = if ev.time > 0 {
                    ev.time
                } else {
                    detect::now_ns()
                };
                clock = clock.max(now);
                alerts.clear();
                detector.detect(&ev, &mut alerts);
                if let Some(fw) = flows.as_mut() {
                    let remote_pod = ev
                        .fd
                        .as_ref()
                        .and_then(|f| f.rip())
                        .and_then(|ip| pods.as_ref()?.by_ip(ip))
                        .map(|p| format!("{}/{}", p.namespace, p.name));
                    if let Some(key) = fw.table.observe(&ev, remote_pod.as_deref())
                        && let Some(b) = fw.baseline.as_mut()
                        && !b.contains(&key)
                    {
                        b.insert(&key);
                        internal_alerts += 1;
                        alerts.push(new_flow_alert(&ev, &key, &hostname));
                    }
                }
                for a in &alerts {
                    if let Err(c) = pipeline.submit(a, now) {
                        return Ok(Err(c));
                    }
                }
            }
            if let Err(c) = pipeline.flush() {
                return Ok(Err(c));
            }
            if let Some(fw) = flows.as_mut()
                && let Some(path) = &fw.file
                && (stop || fw.last_write.elapsed() >= args.flows_interval)
            {
                fw.last_write = Instant::now();
                replace_file(path, &fw.table.to_jsonl()).context("--flows")?;
            }
            if stop || last_stats.elapsed() >= Duration::from_secs(1) {
                last_stats = Instant::now();
                let s = capture.stats();
                counters.set(&s);
                counters
                    .alerts
                    .store(detector.counts().1 + internal_alerts, Ordering::Relaxed);
                let drops = s.ring_drops;
                if drops > reported_drops {
                    reported_drops = drops;
                    if !args.quiet {
                        eprintln!(
                            "rampart: warning: sensor: {} events lost (ring buffer full)",
                            s.ring_drops
                        );
                    }
                    internal_alerts += 1;
                    let now = detect::now_ns();
                    clock = clock.max(now);
                    let a = drop_alert(now, &hostname, s.ring_drops);
                    if let Err(c) = pipeline.submit(&a, now) {
                        return Ok(Err(c));
                    }
                }
            }
            if stop {
                return Ok(Ok(()));
            }
        }
    })()?;
    if let Some(mut w) = record.take() {
        w.flush().context("--record")?;
    }
    if learning && let (Some(fw), Some(path)) = (&flows, &args.baseline) {
        replace_file(path, &fw.table.to_jsonl()).context("--baseline")?;
        if !args.quiet {
            eprintln!(
                "rampart: sensor: learned {} flows into {}",
                fw.table.len(),
                path.display()
            );
        }
    }
    let end = clock.max(detect::now_ns());
    let report = match run.and_then(|()| finish(pipeline, end)) {
        Ok(r) => r,
        // A closed stdout (`| head`) ends the run quietly.
        Err(Closed { .. }) => return Ok(0),
    };
    let s = capture.stats();
    if !args.quiet {
        detect::warn_undelivered(&report);
        eprintln!(
            "rampart: sensor: stopped; events {}, alerts {}, suppressed {}, dropped {} (ring buffer full), undecodable {}, 32-bit system calls skipped {}, opens filtered in the kernel {}",
            s.events,
            detector.counts().1 + internal_alerts,
            report.duplicates + report.rate_limited,
            s.ring_drops,
            s.bad_records,
            s.ia32_skipped,
            s.filtered
        );
    }
    Ok(0)
}

fn finish(
    pipeline: AlertPipeline,
    end: u64,
) -> std::result::Result<rampart_detect::pipeline::PipelineReport, Closed> {
    pipeline.finish(end)
}
