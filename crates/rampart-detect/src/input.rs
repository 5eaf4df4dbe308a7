//! Event readers: rampart JSON lines, Kubernetes audit logs (JSON lines or an `EventList`),
//! CloudTrail files (`{"Records": [...]}`, gzip or not) and generic JSON lines.
//!
//! Bad records never stop a read: each one is yielded as `Err((line, reason))` so the
//! caller can count and skip it.

use crate::event::{Event, Source};
use serde_json::Value as Json;
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

fn k8s_event(v: Json) -> Event {
    let t = v
        .get("stageTimestamp")
        .or_else(|| v.get("requestReceivedTimestamp"))
        .and_then(Json::as_str)
        .map(parse_time_ns)
        .unwrap_or(0);
    Event::from_json(Source::K8sAudit, t, v)
}

fn ct_event(v: Json) -> Event {
    // `@timestamp` is where Logstash/Elastic exports of CloudTrail keep the time.
    let t = v
        .get("eventTime")
        .or_else(|| v.get("@timestamp"))
        .and_then(Json::as_str)
        .map(parse_time_ns)
        .unwrap_or(0);
    Event::from_json(Source::AwsCloudtrail, t, v)
}

fn is_k8s(v: &Json) -> bool {
    v.get("apiVersion")
        .and_then(Json::as_str)
        .is_some_and(|a| a.starts_with("audit.k8s.io/"))
}

/// Splits one JSON document into events according to `format`.
fn document_events(
    v: Json,
    format: InputFormat,
    line: usize,
    out: &mut Vec<Result<Event, BadRecord>>,
) {
    let kind = v
        .get("kind")
        .and_then(Json::as_str)
        .unwrap_or("")
        .to_string();
    match format {
        InputFormat::Rampart => match serde_json::from_value::<Event>(v) {
            Ok(e) => out.push(Ok(e)),
            Err(e) => out.push(Err((line, format!("not a rampart event: {e}")))),
        },
        InputFormat::K8sAudit => {
            if kind == "EventList" {
                match v.get("items").and_then(Json::as_array) {
                    Some(items) => out.extend(items.iter().cloned().map(|i| Ok(k8s_event(i)))),
                    None => out.push(Err((line, "EventList without items".into()))),
                }
            } else if kind == "Event" {
                out.push(Ok(k8s_event(v)));
            } else {
                out.push(Err((
                    line,
                    "data not recognized as a k8s audit event".into(),
                )));
            }
        }
        InputFormat::Cloudtrail => match v.get("Records").and_then(Json::as_array) {
            Some(records) => out.extend(records.iter().cloned().map(|r| Ok(ct_event(r)))),
            None if v.is_object() => out.push(Ok(ct_event(v))),
            None => out.push(Err((
                line,
                "a CloudTrail record must be a JSON object".into(),
            ))),
        },
        InputFormat::Jsonl => out.push(Ok(Event::from_json(Source::Json, 0, v))),
        InputFormat::Auto => {
            if is_k8s(&v) {
                document_events(v, InputFormat::K8sAudit, line, out)
            } else if v.get("Records").is_some_and(Json::is_array)
                || v.get("eventVersion").is_some()
            {
                document_events(v, InputFormat::Cloudtrail, line, out)
            } else if v.get("source").is_some()
                || v.get("proc").is_some()
                || v.get("type").is_some()
            {
                document_events(v, InputFormat::Rampart, line, out)
            } else {
                document_events(v, InputFormat::Jsonl, line, out)
            }
        }
    }
}

/// Reads events from `reader`. Gzip input is detected and decompressed. A file may hold
/// one pretty-printed JSON document or JSON lines; each bad line is reported, not fatal.
pub fn read_events<R: Read>(
    reader: R,
    format: InputFormat,
) -> impl Iterator<Item = Result<Event, BadRecord>> {
    let mut buf = std::io::BufReader::new(reader);
    let gz = buf
        .fill_buf()
        .map(|b| b.starts_with(&[0x1f, 0x8b]))
        .unwrap_or(false);
    let mut text = Vec::new();
    let read = if gz {
        flate2::read::MultiGzDecoder::new(buf).read_to_end(&mut text)
    } else {
        buf.read_to_end(&mut text)
    };
    let mut out = Vec::new();
    let numbered = |mut out: Vec<Result<Event, BadRecord>>| {
        let mut n = 0u64;
        for ev in out.iter_mut().flatten() {
            n += 1;
            if ev.num == 0 {
                ev.num = n;
            }
        }
        out.into_iter()
    };
    if let Err(e) = read {
        out.push(Err((0, format!("read error: {e}"))));
        return out.into_iter();
    }
    let text = String::from_utf8_lossy(&text);
    // One whole document (pretty-printed EventList, CloudTrail file)?
    let trimmed = text.trim_start();
    if trimmed.starts_with('{')
        && let Ok(v) = serde_json::from_str::<Json>(&text)
    {
        document_events(v, format, 1, &mut out);
        return numbered(out);
    }
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<Json>(line) {
            Ok(v) => document_events(v, format, i + 1, &mut out),
            Err(e) => out.push(Err((i + 1, format!("not JSON: {e}")))),
        }
    }
    numbered(out)
}

/// Opens `path` and reads its events (see [`read_events`]).
pub fn read_events_file(
    path: &std::path::Path,
    format: InputFormat,
) -> Result<impl Iterator<Item = Result<Event, BadRecord>>, crate::DetectError> {
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

    #[test]
    fn missing_file_names_the_path() {
        let err = read_events_file(
            std::path::Path::new("/nonexistent/x.json"),
            InputFormat::Auto,
        )
        .err()
        .expect("error");
        assert!(
            err.to_string().starts_with("/nonexistent/x.json: "),
            "{err}"
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
