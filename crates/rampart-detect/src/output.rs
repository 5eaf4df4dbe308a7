//! Alert outputs: a writer (stdout, text or JSON lines), a file (JSON lines, appended), an
//! HTTP webhook (Falco's JSON or a Slack-compatible payload) and syslog (RFC 5424 over UDP
//! or TCP).
//!
//! Every output is a [`Sink`]. Network outputs deliver from a background thread through a
//! bounded queue, so a slow or dead receiver never holds up detection: a full queue drops
//! the alert for that output and counts it; failed deliveries are retried (webhook) and
//! counted. The payload builders ([`webhook_body`], [`syslog_message`]) are public so other
//! transports can reuse them.

use crate::falco::Alert;
use std::io::Write;
#[cfg(feature = "net")]
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Counts of one output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SinkStats {
    /// Alerts delivered.
    pub sent: u64,
    /// Alerts whose delivery failed (after retries).
    pub failed: u64,
    /// Alerts dropped because the output's queue was full.
    pub dropped: u64,
    /// Delivery attempts repeated after a failure.
    pub retries: u64,
}

/// Why an output did not take an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkError {
    /// This alert was not delivered (counted); later ones may be.
    Failed(String),
    /// The output is gone for good (stdout's reader closed the pipe).
    Closed(String),
}

/// An alert output.
pub trait Sink: Send + std::fmt::Debug {
    /// A name for messages and stats (`stdout`, the file, the URL).
    fn name(&self) -> &str;
    /// Delivers (or queues) one alert.
    fn send(&mut self, alert: &Alert) -> Result<(), SinkError>;
    /// Pushes out anything buffered.
    fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }
    /// Delivers what is queued and stops; no alert is sent after this.
    fn close(&mut self) {}
    /// Counts so far.
    fn stats(&self) -> SinkStats;
}

/// Text (Falco's output line) or JSON (Falco's alert object), one alert per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertFormat {
    /// The rendered output line.
    #[default]
    Text,
    /// Falco's JSON alert shape.
    Json,
}

/// Alerts written as lines to any writer (stdout, a file).
pub struct WriterSink<W: Write + Send> {
    name: String,
    writer: W,
    format: AlertFormat,
    stats: SinkStats,
}

impl<W: Write + Send> std::fmt::Debug for WriterSink<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriterSink")
            .field("name", &self.name)
            .field("format", &self.format)
            .finish()
    }
}

fn io_error(e: std::io::Error) -> SinkError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        SinkError::Closed(e.to_string())
    } else {
        SinkError::Failed(e.to_string())
    }
}

impl<W: Write + Send> WriterSink<W> {
    /// Writes alerts in `format` to `writer` (buffer it; [`Sink::flush`] flushes).
    pub fn new(name: impl Into<String>, writer: W, format: AlertFormat) -> WriterSink<W> {
        WriterSink {
            name: name.into(),
            writer,
            format,
            stats: SinkStats::default(),
        }
    }

    /// The writer (for tests and callers that write to memory).
    pub fn into_inner(self) -> W {
        self.writer
    }
}

impl<W: Write + Send> Sink for WriterSink<W> {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, alert: &Alert) -> Result<(), SinkError> {
        let r = match self.format {
            AlertFormat::Json => serde_json::to_writer(&mut self.writer, alert)
                .map_err(std::io::Error::from)
                .and_then(|()| self.writer.write_all(b"\n")),
            AlertFormat::Text => writeln!(self.writer, "{}", alert.output),
        };
        match r {
            Ok(()) => {
                self.stats.sent += 1;
                Ok(())
            }
            Err(e) => {
                self.stats.failed += 1;
                Err(io_error(e))
            }
        }
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        self.writer.flush().map_err(io_error)
    }

    fn close(&mut self) {
        // Errors were counted when writing; a failed final flush is one more.
        if self.writer.flush().is_err() {
            self.stats.failed += 1;
        }
    }

    fn stats(&self) -> SinkStats {
        self.stats
    }
}

/// Opens `path` for appending JSON-lines alerts (created when missing).
pub fn file_sink(
    path: &std::path::Path,
) -> Result<WriterSink<std::io::BufWriter<std::fs::File>>, crate::DetectError> {
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|source| crate::DetectError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(WriterSink::new(
        path.display().to_string(),
        std::io::BufWriter::new(f),
        AlertFormat::Json,
    ))
}

/// Alerts queued for a background delivery thread.
#[cfg(feature = "net")]
#[derive(Debug)]
struct Background {
    name: String,
    tx: Option<std::sync::mpsc::SyncSender<Alert>>,
    worker: Option<std::thread::JoinHandle<()>>,
    stats: Arc<Mutex<SinkStats>>,
}

/// Alerts held in a network output's queue before new ones are dropped (and counted).
#[cfg(feature = "net")]
pub const QUEUE_LEN: usize = 4096;

#[cfg(feature = "net")]
impl Background {
    fn spawn(
        name: String,
        mut deliver: impl FnMut(&Alert, &Mutex<SinkStats>) -> Result<(), String> + Send + 'static,
    ) -> Background {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Alert>(QUEUE_LEN);
        let stats = Arc::new(Mutex::new(SinkStats::default()));
        let st = Arc::clone(&stats);
        let worker = std::thread::Builder::new()
            .name(format!("output {name}"))
            .spawn(move || {
                for alert in rx {
                    let ok = deliver(&alert, &st).is_ok();
                    let mut s = st.lock().unwrap_or_else(|p| p.into_inner());
                    if ok {
                        s.sent += 1;
                    } else {
                        s.failed += 1;
                    }
                }
            })
            .ok();
        Background {
            name,
            tx: Some(tx),
            worker,
            stats,
        }
    }

    fn send(&mut self, alert: &Alert) -> Result<(), SinkError> {
        use std::sync::mpsc::TrySendError;
        let Some(tx) = &self.tx else {
            return Err(SinkError::Failed("output closed".into()));
        };
        match tx.try_send(alert.clone()) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                self.stats.lock().unwrap_or_else(|p| p.into_inner()).dropped += 1;
                Err(SinkError::Failed("queue full".into()))
            }
            Err(TrySendError::Disconnected(_)) => {
                self.stats.lock().unwrap_or_else(|p| p.into_inner()).failed += 1;
                Err(SinkError::Failed("delivery thread stopped".into()))
            }
        }
    }

    fn close(&mut self) {
        self.tx = None;
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }

    fn stats(&self) -> SinkStats {
        *self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(feature = "net")]
impl Drop for Background {
    fn drop(&mut self) {
        self.close();
    }
}

/// The webhook's payload shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WebhookFormat {
    /// Falco's JSON alert (what falcosidekick receives from Falco's `http_output`).
    #[default]
    Falco,
    /// A Slack incoming-webhook message: `{"text": ..., "attachments": [...]}`.
    Slack,
}

/// Slack attachment colour for a Falco priority.
fn slack_color(priority: &str) -> &'static str {
    match priority {
        "Emergency" | "Alert" | "Critical" | "Error" => "#e20b0b",
        "Warning" => "#ffc700",
        "Notice" => "#5bffb5",
        "Informational" => "#68c2ff",
        _ => "#ccfff2",
    }
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "<NA>".into(),
        other => other.to_string(),
    }
}

/// The HTTP body posted for `alert`.
pub fn webhook_body(alert: &Alert, format: WebhookFormat) -> String {
    match format {
        WebhookFormat::Falco => serde_json::to_string(alert).unwrap_or_default(),
        WebhookFormat::Slack => {
            let short = |title: &str, value: &str| serde_json::json!({"title": title, "value": value, "short": true});
            let mut fields = vec![
                short("rule", &alert.rule),
                short("priority", &alert.priority),
                short("source", &alert.source),
                short("hostname", &alert.hostname),
            ];
            if !alert.tags.is_empty() {
                fields.push(serde_json::json!({
                    "title": "tags", "value": alert.tags.join(", "), "short": false
                }));
            }
            for (k, v) in &alert.output_fields {
                fields.push(short(k, &json_text(v)));
            }
            let ts = time::OffsetDateTime::parse(
                &alert.time,
                &time::format_description::well_known::Rfc3339,
            )
            .map(|t| t.unix_timestamp())
            .unwrap_or(0);
            serde_json::json!({
                "text": alert.output,
                "attachments": [{
                    "fallback": alert.output,
                    "color": slack_color(&alert.priority),
                    "fields": fields,
                    "footer": "rampart",
                    "ts": ts,
                }],
            })
            .to_string()
        }
    }
}

/// How a webhook retries a failed delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts after the first.
    pub retries: u32,
    /// Wait before the first retry; doubled each time, at most 30 s.
    pub backoff: Duration,
    /// Timeout of one attempt.
    pub timeout: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            retries: 3,
            backoff: Duration::from_millis(500),
            timeout: Duration::from_secs(10),
        }
    }
}

/// A sink that hands alerts to its [`Background`] sender thread: every network output.
#[cfg(feature = "net")]
macro_rules! background_sink {
    ($ty:ident) => {
        impl Sink for $ty {
            fn name(&self) -> &str {
                &self.0.name
            }
            fn send(&mut self, alert: &Alert) -> Result<(), SinkError> {
                self.0.send(alert)
            }
            fn close(&mut self) {
                self.0.close()
            }
            fn stats(&self) -> SinkStats {
                self.0.stats()
            }
        }
    };
}

/// POSTs each alert as JSON to a URL, from a background thread; retries transport errors,
/// 429 and 5xx answers with exponential backoff.
#[cfg(feature = "net")]
#[derive(Debug)]
pub struct WebhookSink(Background);

#[cfg(feature = "net")]
impl WebhookSink {
    /// A webhook to `url` (`http://` or `https://`).
    pub fn new(url: &str, format: WebhookFormat, retry: Retry) -> Result<WebhookSink, String> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "{url}: a webhook URL starts with http:// or https://"
            ));
        }
        let agent = ureq::AgentBuilder::new().timeout(retry.timeout).build();
        let target = url.to_string();
        let ua = concat!("rampart/", env!("CARGO_PKG_VERSION"));
        Ok(WebhookSink(Background::spawn(
            url.to_string(),
            move |alert, stats| {
                let body = webhook_body(alert, format);
                let mut attempt = 0u32;
                loop {
                    let r = agent
                        .post(&target)
                        .set("Content-Type", "application/json")
                        .set("User-Agent", ua)
                        .send_string(&body);
                    let retryable = match &r {
                        Ok(_) => return Ok(()),
                        Err(ureq::Error::Status(code, _)) => *code == 429 || *code >= 500,
                        Err(ureq::Error::Transport(_)) => true,
                    };
                    if !retryable || attempt >= retry.retries {
                        return Err(r.err().map(|e| e.to_string()).unwrap_or_default());
                    }
                    stats.lock().unwrap_or_else(|p| p.into_inner()).retries += 1;
                    let wait = retry
                        .backoff
                        .saturating_mul(1u32 << attempt.min(16))
                        .min(Duration::from_secs(30));
                    std::thread::sleep(wait);
                    attempt += 1;
                }
            },
        )))
    }
}

#[cfg(feature = "net")]
background_sink!(WebhookSink);

/// Syslog severity of a Falco priority (they share the scale: Emergency 0 … Debug 7).
pub fn syslog_severity(priority: &str) -> u8 {
    match priority {
        "Emergency" => 0,
        "Alert" => 1,
        "Critical" => 2,
        "Error" => 3,
        "Warning" => 4,
        "Notice" => 5,
        "Informational" => 6,
        _ => 7,
    }
}

/// Syslog facility of rampart's messages: `user` (1), like Falco's syslog output.
pub const SYSLOG_FACILITY: u8 = 1;

/// The structured-data id of rampart's messages (32473 is the enterprise number RFC 5612
/// reserves for documentation and examples).
pub const SYSLOG_SD_ID: &str = "rampart@32473";

fn sd_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '"' | '\\' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `alert` as one RFC 5424 message (without transport framing):
/// `<PRI>1 TIMESTAMP HOSTNAME rampart PROCID alert [rampart@32473 rule=".." priority=".."
/// source=".." tags=".."] OUTPUT`.
pub fn syslog_message(alert: &Alert, procid: u32) -> String {
    let pri = u16::from(SYSLOG_FACILITY) * 8 + u16::from(syslog_severity(&alert.priority));
    let ts =
        time::OffsetDateTime::parse(&alert.time, &time::format_description::well_known::Rfc3339)
            .map(|t| {
                let t = t.to_offset(time::UtcOffset::UTC);
                format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
                    t.year(),
                    u8::from(t.month()),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second(),
                    t.microsecond()
                )
            })
            .unwrap_or_else(|_| "-".into());
    let host: String = alert
        .hostname
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(255)
        .collect();
    let host = if host.is_empty() { "-".into() } else { host };
    format!(
        "<{pri}>1 {ts} {host} rampart {procid} alert [{SYSLOG_SD_ID} rule=\"{}\" priority=\"{}\" source=\"{}\" tags=\"{}\"] {}",
        sd_escape(&alert.rule),
        sd_escape(&alert.priority),
        sd_escape(&alert.source),
        sd_escape(&alert.tags.join(",")),
        alert.output
    )
}

/// Where syslog messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyslogTarget {
    /// One datagram per message.
    Udp(String),
    /// A stream, messages framed by octet counting (RFC 6587: `LEN SP MSG`).
    Tcp(String),
}

impl std::str::FromStr for SyslogTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<SyslogTarget, String> {
        let (scheme, addr) = s
            .split_once("://")
            .ok_or_else(|| format!("{s}: expected udp://HOST:PORT or tcp://HOST:PORT"))?;
        if addr
            .rsplit_once(':')
            .is_none_or(|(_, p)| p.parse::<u16>().is_err())
        {
            return Err(format!("{s}: expected HOST:PORT after {scheme}://"));
        }
        match scheme {
            "udp" => Ok(SyslogTarget::Udp(addr.to_string())),
            "tcp" => Ok(SyslogTarget::Tcp(addr.to_string())),
            _ => Err(format!("{s}: the scheme must be udp or tcp")),
        }
    }
}

/// Sends RFC 5424 messages to a syslog receiver, from a background thread. TCP reconnects
/// (once per message) when the connection broke.
#[cfg(feature = "net")]
#[derive(Debug)]
pub struct SyslogSink(Background);

#[cfg(feature = "net")]
impl SyslogSink {
    /// A syslog output to `target`.
    pub fn new(target: SyslogTarget) -> SyslogSink {
        use std::net::{TcpStream, UdpSocket};
        let name = match &target {
            SyslogTarget::Udp(a) => format!("udp://{a}"),
            SyslogTarget::Tcp(a) => format!("tcp://{a}"),
        };
        let pid = std::process::id();
        let mut udp: Option<UdpSocket> = None;
        let mut tcp: Option<TcpStream> = None;
        SyslogSink(Background::spawn(name, move |alert, stats| {
            let msg = syslog_message(alert, pid);
            match &target {
                SyslogTarget::Udp(addr) => {
                    if udp.is_none() {
                        let bind = if addr.starts_with('[') {
                            "[::]:0"
                        } else {
                            "0.0.0.0:0"
                        };
                        let s = UdpSocket::bind(bind).map_err(|e| e.to_string())?;
                        s.connect(addr.as_str()).map_err(|e| e.to_string())?;
                        udp = Some(s);
                    }
                    let s = udp.as_ref().ok_or("no socket")?;
                    s.send(msg.as_bytes())
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                }
                SyslogTarget::Tcp(addr) => {
                    let framed = format!("{} {msg}", msg.len());
                    for attempt in 0..2 {
                        if tcp.is_none() {
                            let s = TcpStream::connect(addr.as_str()).map_err(|e| e.to_string())?;
                            let _ = s.set_write_timeout(Some(Duration::from_secs(10)));
                            tcp = Some(s);
                        }
                        let Some(s) = tcp.as_mut() else { break };
                        match s.write_all(framed.as_bytes()).and_then(|()| s.flush()) {
                            Ok(()) => return Ok(()),
                            Err(e) => {
                                tcp = None;
                                if attempt == 1 {
                                    return Err(e.to_string());
                                }
                                stats.lock().unwrap_or_else(|p| p.into_inner()).retries += 1;
                            }
                        }
                    }
                    Err("not connected".into())
                }
            }
        }))
    }
}

#[cfg(feature = "net")]
background_sink!(SyslogSink);
