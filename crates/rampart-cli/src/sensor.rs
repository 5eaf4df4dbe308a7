//! `rampart sensor`: the eBPF sensor's events through the same Falco and Sigma rules and the
//! same alert shape as `rampart detect`, until SIGINT/SIGTERM. Optional recording of events
//! (JSON lines `rampart detect` replays) and a Prometheus text endpoint on loopback.

use crate::cli::{DetectFormat, SensorArgs};
use crate::detect::{self, Rules};
use anyhow::{Context, Result, bail};
use rampart_detect::event::{Event, Source};
use rampart_detect::falco::Alert;
use rampart_detect::fields::FieldSource;
use rampart_detect::sigma::JsonDoc;
use rampart_sensor::{Config, Sensor, Stats, shutdown};
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Counters the metrics endpoint serves.
#[derive(Default)]
struct Counters {
    events: AtomicU64,
    ring_drops: AtomicU64,
    inflight_drops: AtomicU64,
    bad_records: AtomicU64,
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
             rampart_sensor_drops_total{{reason=\"too_many_in_flight\"}} {}\n\
             rampart_sensor_drops_total{{reason=\"undecodable\"}} {}\n\
             # HELP rampart_sensor_matches_total Alerts raised by rules.\n\
             # TYPE rampart_sensor_matches_total counter\n\
             rampart_sensor_matches_total {}\n",
            g(&self.events),
            g(&self.ring_drops),
            g(&self.inflight_drops),
            g(&self.bad_records),
            g(&self.alerts),
        )
    }

    fn set(&self, s: &Stats) {
        self.events.store(s.events, Ordering::Relaxed);
        self.ring_drops.store(s.ring_drops, Ordering::Relaxed);
        self.inflight_drops
            .store(s.inflight_drops, Ordering::Relaxed);
        self.bad_records.store(s.bad_records, Ordering::Relaxed);
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

/// The alert raised when the kernel lost events.
fn drop_alert(now_ns: u64, hostname: &str, ring: u64, inflight: u64) -> Alert {
    let time = detect::rfc3339_nanos(now_ns);
    let mut fields = BTreeMap::new();
    fields.insert("n_drops_buffer".to_string(), serde_json::json!(ring));
    fields.insert("n_drops_inflight".to_string(), serde_json::json!(inflight));
    Alert {
        output: format!(
            "{}+0000: Critical Sensor dropped events (n_drops_buffer={ring} n_drops_inflight={inflight})",
            time.trim_end_matches('Z')
        ),
        time,
        rule: "Sensor dropped events".into(),
        priority: "Critical".into(),
        output_fields: fields,
        source: "internal".into(),
        tags: vec!["rampart".into()],
        hostname: hostname.to_string(),
    }
}

struct Matcher<'r> {
    rules: &'r Rules,
    hostname: String,
    alerts: Vec<Alert>,
    sigma_hits: Vec<rampart_detect::sigma::SigmaMatch<'r>>,
}

impl<'r> Matcher<'r> {
    /// The alerts `ev` raises, exactly as `rampart detect` computes them.
    fn run(&mut self, ev: &Event) -> &[Alert] {
        self.alerts.clear();
        if let Some((rs, _)) = &self.rules.falco {
            rs.matches(ev, &mut self.alerts);
        }
        if let Some((rs, _)) = &self.rules.sigma {
            self.sigma_hits.clear();
            let src = detect::sigma_source(ev);
            match &ev.raw {
                Some(raw) if ev.source != Source::Syscall => {
                    rs.matches(src, &JsonDoc(raw) as &dyn FieldSource, &mut self.sigma_hits)
                }
                _ => rs.matches(src, ev as &dyn FieldSource, &mut self.sigma_hits),
            }
            for m in &self.sigma_hits {
                let mut fields = BTreeMap::new();
                fields.insert("sigma.id".to_string(), serde_json::json!(m.id));
                fields.insert("sigma.level".to_string(), serde_json::json!(m.level));
                let time = detect::rfc3339_nanos(ev.time);
                let priority = detect::falco_priority(m.level);
                self.alerts.push(Alert {
                    output: format!(
                        "{time}: {priority} Sigma rule matched: {} (id={})",
                        m.title,
                        m.id.unwrap_or("-")
                    ),
                    time,
                    rule: m.title.to_string(),
                    priority: priority.to_string(),
                    output_fields: fields,
                    source: ev.source.as_str().to_string(),
                    tags: m.tags.to_vec(),
                    hostname: self.hostname.clone(),
                });
            }
        }
        &self.alerts
    }
}

/// Where events and alerts go.
struct Sink<'r, W: Write> {
    out: W,
    record: Option<BufWriter<std::fs::File>>,
    matcher: Matcher<'r>,
    format: DetectFormat,
    me: i64,
    alerts: u64,
    open: bool,
}

impl<W: Write> Sink<'_, W> {
    fn emit(&mut self, a: &Alert) -> Result<()> {
        self.alerts += 1;
        if !self.open {
            return Ok(());
        }
        let line = match self.format {
            DetectFormat::Json => serde_json::to_string(a)?,
            DetectFormat::Text => a.output.clone(),
        };
        match writeln!(self.out, "{line}").and_then(|_| self.out.flush()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.open = false;
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    fn event(&mut self, ev: Event) -> Result<()> {
        // The sensor's programs already skip its own process; events from elsewhere
        // (a replayed source) are filtered here too.
        if ev.proc.pid == self.me {
            return Ok(());
        }
        if let Some(w) = self.record.as_mut() {
            serde_json::to_writer(&mut *w, &ev)?;
            w.write_all(b"\n")?;
        }
        let alerts = self.matcher.run(&ev).to_vec();
        for a in &alerts {
            self.emit(a)?;
        }
        Ok(())
    }
}

fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// `rampart sensor`.
pub fn run(args: &SensorArgs) -> Result<u8> {
    let mut rules = detect::load(&args.rules)?;
    let hostname = std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let mut problems = 0usize;
    if let Some((rs, report)) = &mut rules.falco {
        rs.set_hostname(hostname.clone());
        for m in report.errors() {
            problems += 1;
            if !args.quiet {
                eprintln!("rampart: warning: {}", m.to_diagnostic());
            }
        }
    }
    if problems > 0 && args.strict {
        bail!("{problems} rule files or rules are invalid (--strict)");
    }
    // Capture only what a loaded rule can match; Sigma rules read process creation, which is
    // always captured. Recording captures everything.
    let event_types = match (&rules.falco, &args.record) {
        (Some((rs, _)), None) => rs.event_types(Source::Syscall),
        (None, None) => Some(Default::default()),
        _ => None,
    };
    let record = match &args.record {
        Some(p) => Some(BufWriter::new(
            std::fs::File::create(p).with_context(|| p.display().to_string())?,
        )),
        None => None,
    };
    let counters = Arc::new(Counters::default());
    if let Some(addr) = args.metrics {
        let local = serve_metrics(addr, Arc::clone(&counters))?;
        if !args.quiet {
            eprintln!("rampart: sensor: metrics on http://{local}/metrics");
        }
    }
    shutdown::install();
    let mut obj = std::mem::MaybeUninit::uninit();
    let mut sensor = Sensor::start(&mut obj, &Config { event_types })
        .map_err(|e| anyhow::anyhow!("sensor: {e}"))?;
    if !args.quiet {
        eprintln!(
            "rampart: sensor: attached via {}; capturing exec, fork, exit and {} system calls ({}); {} processes known",
            rampart_sensor::ATTACH_METHOD,
            sensor.syscalls().len(),
            sensor.syscalls().join(","),
            sensor.processes(),
        );
    }
    let stdout = std::io::stdout();
    let mut sink = Sink {
        out: BufWriter::new(stdout.lock()),
        record,
        matcher: Matcher {
            rules: &rules,
            hostname: hostname.clone(),
            alerts: Vec::new(),
            sigma_hits: Vec::new(),
        },
        format: args.format,
        me: std::process::id() as i64,
        alerts: 0,
        open: true,
    };
    let deadline = args
        .duration
        .map(|s| Instant::now() + Duration::from_secs_f64(s.max(0.0)));
    let mut reported_drops = 0u64;
    let mut last_stats = Instant::now();
    loop {
        let stop = shutdown::requested() || deadline.is_some_and(|d| Instant::now() >= d);
        let mut failure: Option<anyhow::Error> = None;
        let mut each = |ev: Event| {
            if failure.is_none()
                && let Err(e) = sink.event(ev)
            {
                failure = Some(e);
            }
        };
        let r = if stop {
            sensor.flush(&mut each)
        } else {
            sensor.poll(Duration::from_millis(100), &mut each)
        };
        r.map_err(|e| anyhow::anyhow!("sensor: {e}"))?;
        if let Some(e) = failure {
            return Err(e);
        }
        if stop || last_stats.elapsed() >= Duration::from_secs(1) {
            last_stats = Instant::now();
            let s = sensor.stats();
            counters.set(&s);
            counters.alerts.store(sink.alerts, Ordering::Relaxed);
            let drops = s.ring_drops + s.inflight_drops;
            if drops > reported_drops {
                reported_drops = drops;
                if !args.quiet {
                    eprintln!(
                        "rampart: warning: sensor: {} events lost (ring buffer full), {} (in flight)",
                        s.ring_drops, s.inflight_drops
                    );
                }
                sink.emit(&drop_alert(
                    now_ns(),
                    &hostname,
                    s.ring_drops,
                    s.inflight_drops,
                ))?;
                counters.alerts.store(sink.alerts, Ordering::Relaxed);
            }
        }
        if stop {
            break;
        }
    }
    if let Some(mut w) = sink.record.take() {
        w.flush().context("--record")?;
    }
    let _ = sink.out.flush();
    let s = sensor.stats();
    if !args.quiet {
        eprintln!(
            "rampart: sensor: stopped; events {}, alerts {}, dropped {} (ring buffer full) + {} (in flight), undecodable {}",
            s.events, sink.alerts, s.ring_drops, s.inflight_drops, s.bad_records
        );
    }
    Ok(0)
}
