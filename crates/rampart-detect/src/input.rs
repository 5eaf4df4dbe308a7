//! Event readers: rampart JSON lines, Kubernetes audit logs (JSON lines or an `EventList`),
//! CloudTrail files (`{"Records": [...]}`, gzip or not) and generic JSON lines.
//!
//! Bad records never stop a read: each one is yielded as `Err((line, reason))` so the
//! caller can count and skip it.

use crate::event::{Event, Source};
use crate::rawjson::{JsonRef, RawJson};
use std::io::{BufRead, Read};

/// Input formats `rampart detect` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// Decide per document: `audit.k8s.io` events, CloudTrail `Records`, rampart events.
    #[default]
    Auto,
    /// rampart event JSON lines ([`Event`]'s serde form).
    Rampart,
    /// Kubernetes audit events (one per line, or `EventList` documents).
    K8sAudit,
    /// CloudTrail: `{"Records": [...]}` documents or one record per line.
    Cloudtrail,
    /// Any JSON, one document per line (source `json`).
    Jsonl,
}

/// A record that could not be read: 1-based line (or document) number and reason.
pub type BadRecord = (usize, String);

fn parse_time_ns(s: &str) -> u64 {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| u64::try_from(t.unix_timestamp_nanos()).ok())
        .unwrap_or(0)
}

fn k8s_event(raw: RawJson) -> Event {
    let v = raw.root();
    let t = v
        .get("stageTimestamp")
        .or_else(|| v.get("requestReceivedTimestamp"))
        .and_then(JsonRef::as_str)
        .map(parse_time_ns)
        .unwrap_or(0);
    Event::from_raw(Source::K8sAudit, t, raw)
}

fn ct_event(raw: RawJson) -> Event {
    let v = raw.root();
    // `@timestamp` is where Logstash/Elastic exports of CloudTrail keep the time.
    let t = v
        .get("eventTime")
        .or_else(|| v.get("@timestamp"))
        .and_then(JsonRef::as_str)
        .map(parse_time_ns)
        .unwrap_or(0);
    Event::from_raw(Source::AwsCloudtrail, t, raw)
}

fn is_k8s(v: JsonRef<'_>) -> bool {
    v.get("apiVersion")
        .and_then(JsonRef::as_str)
        .is_some_and(|a| a.starts_with("audit.k8s.io/"))
}

/// Events and bad records read but not yet yielded.
type Pending = std::collections::VecDeque<Result<Event, BadRecord>>;

/// Splits one JSON document into events according to `format`, appending them to `out`.
fn document_events(raw: RawJson, format: InputFormat, line: usize, out: &mut Pending) {
    let v = raw.root();
    match format {
        InputFormat::Rampart => match serde_json::from_value::<Event>(raw.to_value()) {
            Ok(e) => out.push_back(Ok(e)),
            Err(e) => out.push_back(Err((line, format!("not a rampart event: {e}")))),
        },
        InputFormat::K8sAudit => {
            let kind = v.get("kind").and_then(JsonRef::as_str).unwrap_or("");
            if kind == "EventList" {
                match raw.take_array("items") {
                    Ok(items) => out.extend(items.into_iter().map(|i| Ok(k8s_event(i)))),
                    Err(_) => out.push_back(Err((line, "EventList without items".into()))),
                }
            } else if kind == "Event" {
                out.push_back(Ok(k8s_event(raw)));
            } else {
                out.push_back(Err((
                    line,
                    "data not recognized as a k8s audit event".into(),
                )));
            }
        }
        InputFormat::Cloudtrail => match raw.take_array("Records") {
            Ok(records) => out.extend(records.into_iter().map(|r| Ok(ct_event(r)))),
            Err(raw) if raw.root().is_object() => out.push_back(Ok(ct_event(raw))),
            Err(_) => out.push_back(Err((
                line,
                "a CloudTrail record must be a JSON object".into(),
            ))),
        },
        InputFormat::Jsonl => out.push_back(Ok(Event::from_raw(Source::Json, 0, raw))),
        InputFormat::Auto => {
            let format = if is_k8s(v) {
                InputFormat::K8sAudit
            } else if v.get("Records").is_some_and(JsonRef::is_array)
                || v.get("eventVersion").is_some()
            {
                InputFormat::Cloudtrail
            } else if v.get("source").is_some()
                || v.get("proc").is_some()
                || v.get("type").is_some()
            {
                InputFormat::Rampart
            } else {
                InputFormat::Jsonl
            };
            document_events(raw, format, line, out)
        }
    }
}

/// Longest record (a line, or a whole pretty-printed document) read into memory; longer
/// ones are reported and skipped, so memory stays bounded whatever the input.
pub const MAX_RECORD_BYTES: usize = 256 << 20;

/// The byte source under an [`EventReader`]: plain, or gzip (detected by its magic).
enum Bytes<R: Read> {
    Plain(std::io::BufReader<R>),
    Gzip(Box<std::io::BufReader<flate2::read::MultiGzDecoder<std::io::BufReader<R>>>>),
}

impl<R: Read> Bytes<R> {
    fn buf(&mut self) -> &mut dyn BufRead {
        match self {
            Bytes::Plain(b) => b,
            Bytes::Gzip(b) => &mut **b,
        }
    }

    fn buffered(&self) -> usize {
        match self {
            Bytes::Plain(b) => b.buffer().len(),
            Bytes::Gzip(b) => b.buffer().len(),
        }
    }
}

/// How the input is split into JSON documents, decided by its first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Undecided,
    /// One document per line: every line stands alone (a bad line never affects the next).
    Lines,
    /// Pretty-printed documents (an `EventList`, a CloudTrail file): a document ends where
    /// its outermost brace closes.
    Documents,
}

/// Tracks JSON nesting across lines, outside strings.
#[derive(Debug, Default)]
struct Depth {
    depth: i64,
    in_string: bool,
    escaped: bool,
}

impl Depth {
    /// Feeds one line; returns the offset just past the byte where the outermost value
    /// closed, if it did on this line.
    fn feed(&mut self, line: &[u8]) -> Option<usize> {
        for (i, &b) in line.iter().enumerate() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth <= 0 {
                        self.depth = 0;
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// A streaming event reader: JSON lines are parsed and yielded as each line arrives (so a
/// pipe is processed live), pretty-printed documents as each one closes. Memory holds one
/// record at a time, at most [`MAX_RECORD_BYTES`].
///
/// Yields `Err((line, reason))` for every record that is not an event, and carries on.
pub struct EventReader<R: Read> {
    bytes: Bytes<R>,
    format: InputFormat,
    framing: Framing,
    /// 1-based number of the last line read.
    line: usize,
    /// The document being gathered (document framing) and the line it started on.
    doc: Vec<u8>,
    doc_line: usize,
    depth: Depth,
    pending: Pending,
    /// The last line read (reused).
    line_buf: Vec<u8>,
    max_record: usize,
    /// Events yielded so far (numbers events that carry none).
    count: u64,
    done: bool,
}

impl<R: Read> std::fmt::Debug for EventReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventReader")
            .field("format", &self.format)
            .field("line", &self.line)
            .finish()
    }
}

/// Reads one line (without its newline) into `buf`, keeping at most `max` bytes; returns
/// the line's full length, or `None` at the end of input.
fn read_line_capped(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<usize>> {
    buf.clear();
    let mut total = 0usize;
    let mut any = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(any.then_some(total));
        }
        any = true;
        let (take, end) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        let room = max.saturating_sub(buf.len()).min(take);
        buf.extend_from_slice(&chunk[..room]);
        total += take;
        r.consume(take + usize::from(end));
        if end {
            return Ok(Some(total));
        }
    }
}

impl<R: Read> EventReader<R> {
    /// Reads events of `format` from `reader` (gzip is detected and decompressed).
    pub fn new(reader: R, format: InputFormat) -> EventReader<R> {
        let mut buf = std::io::BufReader::with_capacity(64 << 10, reader);
        let gz = buf
            .fill_buf()
            .map(|b| b.starts_with(&[0x1f, 0x8b]))
            .unwrap_or(false);
        let bytes = if gz {
            Bytes::Gzip(Box::new(std::io::BufReader::with_capacity(
                64 << 10,
                flate2::read::MultiGzDecoder::new(buf),
            )))
        } else {
            Bytes::Plain(buf)
        };
        EventReader {
            bytes,
            format,
            framing: Framing::Undecided,
            line: 0,
            doc: Vec::new(),
            doc_line: 0,
            depth: Depth::default(),
            pending: std::collections::VecDeque::new(),
            line_buf: Vec::new(),
            max_record: MAX_RECORD_BYTES,
            count: 0,
            done: false,
        }
    }

    /// Sets the longest record kept in memory (default [`MAX_RECORD_BYTES`]).
    pub fn set_max_record(&mut self, bytes: usize) {
        self.max_record = bytes.max(1);
    }

    /// True when the next event can be had without waiting for more input: events of a
    /// document already read, or bytes already buffered. Callers flush their outputs when
    /// this is false, before the reader blocks on a slow producer.
    pub fn has_buffered(&self) -> bool {
        !self.pending.is_empty() || self.bytes.buffered() > 0
    }

    fn parse(&mut self, text: &[u8], line: usize) {
        // Text that is not UTF-8 is converted (invalid sequences replaced) before parsing.
        let lossy;
        let text = match std::str::from_utf8(text) {
            Ok(t) => t,
            Err(_) => {
                lossy = String::from_utf8_lossy(text);
                &*lossy
            }
        };
        match RawJson::parse(text) {
            Ok(raw) => document_events(raw, self.format, line, &mut self.pending),
            Err(e) => self
                .pending
                .push_back(Err((line, format!("not JSON: {e}")))),
        }
    }

    /// Reads input until at least one record is pending or the input ends.
    fn fill(&mut self) {
        // One line buffer for the reader's life (not one allocation per call).
        let mut line = std::mem::take(&mut self.line_buf);
        while self.pending.is_empty() && !self.done {
            let len = match read_line_capped(self.bytes.buf(), &mut line, self.max_record) {
                Ok(Some(n)) => n,
                Ok(None) => {
                    self.done = true;
                    if !self.doc.iter().all(u8::is_ascii_whitespace) {
                        let doc = std::mem::take(&mut self.doc);
                        self.parse(&doc, self.doc_line);
                    }
                    break;
                }
                Err(e) => {
                    self.done = true;
                    self.pending
                        .push_back(Err((self.line, format!("read error: {e}"))));
                    break;
                }
            };
            self.line += 1;
            if len > line.len() && self.framing != Framing::Documents {
                self.pending.push_back(Err((
                    self.line,
                    format!("record longer than {} bytes", self.max_record),
                )));
                continue;
            }
            if self.framing == Framing::Undecided {
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let mut probe = Depth::default();
                self.framing = match probe.feed(&line) {
                    // The first value opened but did not close on its line.
                    None if probe.depth > 0 => Framing::Documents,
                    _ => Framing::Lines,
                };
            }
            match self.framing {
                Framing::Lines | Framing::Undecided => {
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    let l = self.line;
                    self.parse(&line, l);
                }
                Framing::Documents => self.feed_document(&line, len),
            }
        }
        self.line_buf = line;
    }

    fn feed_document(&mut self, line: &[u8], len: usize) {
        if self.doc.iter().all(u8::is_ascii_whitespace) {
            self.doc.clear();
            self.doc_line = self.line;
        }
        if self.doc.len() + line.len() > self.max_record || len > line.len() {
            // Too large to hold: report it and skip the rest of the input, whose framing is
            // lost.
            self.pending.push_back(Err((
                self.doc_line,
                format!("document longer than {} bytes", self.max_record),
            )));
            self.doc = Vec::new();
            self.done = true;
            return;
        }
        let mut rest = line;
        while let Some(end) = self.depth.feed(rest) {
            self.doc.extend_from_slice(&rest[..end]);
            let doc = std::mem::take(&mut self.doc);
            self.parse(&doc, self.doc_line);
            self.doc_line = self.line;
            rest = &rest[end..];
        }
        if self.depth.depth == 0 && !rest.iter().all(u8::is_ascii_whitespace) {
            // Text outside any brace: a record of its own when the line ends.
            let l = self.line;
            self.parse(rest, l);
        } else {
            self.doc.extend_from_slice(rest);
            self.doc.push(b'\n');
        }
    }
}

impl<R: Read> Iterator for EventReader<R> {
    type Item = Result<Event, BadRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pending.is_empty() {
            self.fill();
        }
        let mut item = self.pending.pop_front()?;
        if let Ok(ev) = &mut item {
            self.count += 1;
            if ev.num == 0 {
                ev.num = self.count;
            }
        }
        Some(item)
    }
}

/// Reads events from `reader` as a stream (see [`EventReader`]). Gzip input is detected and
/// decompressed. The input may hold JSON lines or pretty-printed JSON documents (an
/// `EventList`, a CloudTrail file); each bad record is reported, not fatal.
pub fn read_events<R: Read>(reader: R, format: InputFormat) -> EventReader<R> {
    EventReader::new(reader, format)
}

/// Opens `path` and reads its events (see [`read_events`]).
pub fn read_events_file(
    path: &std::path::Path,
    format: InputFormat,
) -> Result<EventReader<std::fs::File>, crate::DetectError> {
    let f = std::fs::File::open(path).map_err(|source| crate::DetectError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(read_events(f, format))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_counted() {
        let input = "{\"type\":\"execve\",\"proc\":{\"name\":\"sh\"}}\nnot json\n\n{\"apiVersion\":\"audit.k8s.io/v1\",\"kind\":\"Event\",\"verb\":\"get\"}\n";
        let all: Vec<_> = read_events(input.as_bytes(), InputFormat::Auto).collect();
        assert_eq!(all.len(), 3);
        assert!(matches!(&all[1], Err((2, _))));
        let Ok(ev) = &all[2] else {
            panic!("k8s event expected")
        };
        assert_eq!(ev.source, Source::K8sAudit);
    }

    /// Text that is not UTF-8 is still read: invalid bytes become U+FFFD.
    #[test]
    fn invalid_utf8_is_replaced_not_rejected() {
        let mut input =
            b"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"verb\":\"g".to_vec();
        input.extend_from_slice(&[0xff, 0xfe]);
        input.extend_from_slice(b"t\"}\n");
        let all: Vec<_> = read_events(input.as_slice(), InputFormat::Auto).collect();
        let Ok(ev) = &all[0] else { panic!("{all:?}") };
        assert_eq!(
            ev.raw.as_ref().expect("raw").to_value()["verb"],
            "g\u{fffd}\u{fffd}t"
        );
    }

    #[test]
    fn missing_file_names_the_path() {
        let Err(err) = read_events_file(
            std::path::Path::new("/nonexistent/x.json"),
            InputFormat::Auto,
        ) else {
            panic!("a missing file must be an error");
        };
        assert!(
            err.to_string().starts_with("/nonexistent/x.json: "),
            "{err}"
        );
    }

    #[test]
    fn pretty_printed_documents_and_lines() {
        let input = "{\n  \"kind\": \"EventList\",\n  \"apiVersion\": \"audit.k8s.io/v1\",\n  \"items\": [\n    {\"kind\": \"Event\", \"apiVersion\": \"audit.k8s.io/v1\", \"verb\": \"a{\\\"}\"},\n    {\"kind\": \"Event\", \"apiVersion\": \"audit.k8s.io/v1\", \"verb\": \"b\"}\n  ]\n}\n{\n  \"Records\": [{\"eventVersion\": \"1.08\", \"eventName\": \"C\"}]\n}\ngarbage\n";
        let all: Vec<_> = read_events(input.as_bytes(), InputFormat::Auto).collect();
        assert_eq!(all.len(), 4, "{all:?}");
        let raw = |i: usize| {
            all[i]
                .as_ref()
                .expect("event")
                .raw
                .as_ref()
                .expect("raw")
                .to_value()
        };
        assert_eq!(raw(0)["verb"], "a{\"}");
        assert_eq!(raw(1)["verb"], "b");
        assert_eq!(raw(2)["eventName"], "C");
        assert_eq!(all[2].as_ref().expect("event").num, 3);
        assert!(
            matches!(&all[3], Err((12, r)) if r.starts_with("not JSON")),
            "{:?}",
            all[3]
        );
    }

    /// A reader that serves its chunks one per `read` call and counts the calls.
    struct Chunks {
        chunks: Vec<&'static [u8]>,
        reads: std::rc::Rc<std::cell::Cell<usize>>,
    }

    impl Read for Chunks {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.reads.set(self.reads.get() + 1);
            if self.chunks.is_empty() {
                return Ok(0);
            }
            let c = self.chunks.remove(0);
            buf[..c.len()].copy_from_slice(c);
            Ok(c.len())
        }
    }

    #[test]
    fn lines_are_yielded_as_they_arrive() {
        let reads = std::rc::Rc::new(std::cell::Cell::new(0));
        let r = Chunks {
            chunks: vec![
                b"{\"type\":\"execve\",\"proc\":{\"name\":\"a\"}}\n",
                b"{\"type\":\"execve\",",
                b"\"proc\":{\"name\":\"b\"}}\n",
            ],
            reads: reads.clone(),
        };
        let mut events = read_events(r, InputFormat::Auto);
        let first = events.next().expect("one").expect("event");
        assert_eq!(first.proc.name, "a");
        // The first event came out of the first read alone.
        assert_eq!(reads.get(), 1);
        assert!(!events.has_buffered());
        let second = events.next().expect("two").expect("event");
        assert_eq!(second.proc.name, "b");
        assert!(events.next().is_none());
    }

    #[test]
    fn records_over_the_limit_are_skipped() {
        let input = "{\"type\":\"execve\",\"proc\":{\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaa\"}}\n{\"type\":\"execve\"}\n";
        let mut r = read_events(input.as_bytes(), InputFormat::Auto);
        r.set_max_record(30);
        let all: Vec<_> = r.collect();
        assert!(
            matches!(&all[0], Err((1, m)) if m.contains("longer than 30")),
            "{all:?}"
        );
        assert!(all[1].is_ok());
        // A pretty-printed document over the limit ends the read.
        let doc =
            "{\n\"Records\": [\n{\"eventName\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n]\n}\n";
        let mut r = read_events(doc.as_bytes(), InputFormat::Auto);
        r.set_max_record(30);
        let all: Vec<_> = r.collect();
        assert_eq!(all.len(), 1);
        assert!(
            matches!(&all[0], Err((1, m)) if m.contains("document longer")),
            "{all:?}"
        );
    }

    #[test]
    fn gzip_cloudtrail() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(
            br#"{"Records":[{"eventVersion":"1.08","eventName":"A"},{"eventName":"B"}]}"#,
        )
        .expect("write");
        let gz = enc.finish().expect("finish");
        let evs: Vec<_> = read_events(&gz[..], InputFormat::Auto).collect();
        assert_eq!(evs.len(), 2);
        assert!(
            evs.iter()
                .all(|e| matches!(e, Ok(ev) if ev.source == Source::AwsCloudtrail))
        );
    }
}
