//! The Kubernetes audit webhook receiver: the API server's webhook backend
//! (`--audit-webhook-config-file`) POSTs `audit.k8s.io/v1` `EventList`s; each body becomes
//! events for the detector.
//!
//! A minimal HTTP/1.1 server (keep-alive, `Content-Length` and chunked bodies,
//! `Expect: 100-continue`) over plain TCP or TLS (rustls, certificate and key from PEM
//! files). One thread per connection, at most [`MAX_CONNECTIONS`] at once; bodies are
//! capped at [`MAX_BODY_BYTES`]. Batches go to the caller through a bounded channel, so a
//! slow detector slows the API server's posts down instead of growing memory.

use crate::DetectError;
use crate::event::Event;
use crate::input::{BadRecord, InputFormat, read_events};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};
use std::time::Duration;

/// Largest request body accepted (answered `413` beyond).
pub const MAX_BODY_BYTES: usize = 64 << 20;
/// Most connections served at once (others are closed at once).
pub const MAX_CONNECTIONS: usize = 64;
const MAX_HEAD_BYTES: usize = 64 << 10;
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The events of one POST, in order (bad records included, to be counted).
#[derive(Debug)]
pub struct Batch {
    /// The peer that posted them.
    pub peer: SocketAddr,
    /// Its events.
    pub events: Vec<Result<Event, BadRecord>>,
}

/// A bound, not yet serving, receiver.
#[derive(Debug)]
pub struct AuditReceiver {
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
}

fn input_error(path: &Path, reason: impl std::fmt::Display) -> DetectError {
    DetectError::Input {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// A TLS server configuration from PEM files: the certificate chain (leaf first) and its
/// private key (PKCS#8, PKCS#1 or SEC1).
pub fn tls_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, DetectError> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| input_error(cert, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| input_error(cert, e))?;
    if certs.is_empty() {
        return Err(input_error(cert, "no certificate in the file"));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| input_error(key, e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| input_error(cert, e))?
        .with_no_client_auth()
        .with_single_cert(certs, key_der)
        .map_err(|e| input_error(key, e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

impl AuditReceiver {
    /// Binds `addr` (`127.0.0.1:8765`; port 0 picks a free one); HTTPS when `tls` is given.
    pub fn bind(
        addr: &str,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> Result<AuditReceiver, DetectError> {
        let listener = TcpListener::bind(addr).map_err(|source| DetectError::Io {
            path: addr.into(),
            source,
        })?;
        Ok(AuditReceiver { listener, tls })
    }

    /// The bound address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves in background threads; batches of events arrive on the returned channel
    /// (read with `format`, `auto` recognizing `EventList`s).
    pub fn spawn(self, format: InputFormat) -> Receiver<Batch> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(64);
        let active = Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            for conn in self.listener.incoming() {
                let Ok(stream) = conn else { continue };
                if active.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
                    continue;
                }
                active.fetch_add(1, Ordering::SeqCst);
                let (tx, tls, counter) = (tx.clone(), self.tls.clone(), Arc::clone(&active));
                let spawned = std::thread::Builder::new()
                    .name("audit webhook".into())
                    .spawn(move || {
                        let _ = serve(stream, tls, format, &tx);
                        counter.fetch_sub(1, Ordering::SeqCst);
                    });
                if spawned.is_err() {
                    active.fetch_sub(1, Ordering::SeqCst);
                }
            }
        });
        rx
    }
}

fn serve(
    stream: TcpStream,
    tls: Option<Arc<rustls::ServerConfig>>,
    format: InputFormat,
    tx: &SyncSender<Batch>,
) -> std::io::Result<()> {
    let peer = stream.peer_addr()?;
    stream.set_read_timeout(Some(IDLE_TIMEOUT))?;
    stream.set_write_timeout(Some(IDLE_TIMEOUT))?;
    match tls {
        None => serve_http(BufReader::new(stream), peer, format, tx),
        Some(cfg) => {
            let conn = rustls::ServerConnection::new(cfg).map_err(std::io::Error::other)?;
            let tls = rustls::StreamOwned::new(conn, stream);
            serve_http(BufReader::new(tls), peer, format, tx)
        }
    }
}

/// One request's head.
struct Head {
    method: String,
    http10: bool,
    content_length: Option<usize>,
    chunked: bool,
    close: bool,
    expect_continue: bool,
}

fn read_head<S: Read>(r: &mut BufReader<S>) -> std::io::Result<Option<Head>> {
    let mut line = String::new();
    let mut total = 0usize;
    // Skip blank lines between requests.
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let _target = parts.next();
    let version = parts.next().unwrap_or_default();
    let mut head = Head {
        method,
        http10: version == "HTTP/1.0",
        content_length: None,
        chunked: false,
        close: version == "HTTP/1.0",
        expect_continue: false,
    };
    loop {
        line.clear();
        let n = r.read_line(&mut line)?;
        total += n;
        if n == 0 || total > MAX_HEAD_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "request head too long or cut",
            ));
        }
        let l = line.trim_end();
        if l.is_empty() {
            return Ok(Some(head));
        }
        let Some((name, value)) = l.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => head.content_length = value.parse().ok(),
            "transfer-encoding" => head.chunked = value.to_ascii_lowercase().contains("chunked"),
            "connection" => match value.to_ascii_lowercase().as_str() {
                "close" => head.close = true,
                "keep-alive" => head.close = false,
                _ => {}
            },
            "expect" => head.expect_continue = value.eq_ignore_ascii_case("100-continue"),
            _ => {}
        }
    }
}

enum Body {
    Ok(Vec<u8>),
    TooLarge,
    LengthRequired,
}

fn read_body<S: Read>(r: &mut BufReader<S>, head: &Head) -> std::io::Result<Body> {
    if head.chunked {
        let mut body = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let size_text = line.trim().split(';').next().unwrap_or_default();
            let size = usize::from_str_radix(size_text, 16).map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, "bad chunk size")
            })?;
            if size == 0 {
                // Trailers, up to the blank line.
                loop {
                    line.clear();
                    if r.read_line(&mut line)? == 0 || line.trim().is_empty() {
                        break;
                    }
                }
                return Ok(Body::Ok(body));
            }
            if body.len() + size > MAX_BODY_BYTES {
                return Ok(Body::TooLarge);
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..])?;
            line.clear();
            r.read_line(&mut line)?;
        }
    }
    match head.content_length {
        None if head.method == "POST" => Ok(Body::LengthRequired),
        None => Ok(Body::Ok(Vec::new())),
        Some(n) if n > MAX_BODY_BYTES => Ok(Body::TooLarge),
        Some(n) => {
            let mut body = vec![0; n];
            r.read_exact(&mut body)?;
            Ok(Body::Ok(body))
        }
    }
}

fn respond<S: Read + Write>(
    r: &mut BufReader<S>,
    code: u16,
    reason: &str,
    body: &str,
    close: bool,
) -> std::io::Result<()> {
    let w = r.get_mut();
    write!(
        w,
        "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{}\r\n{body}",
        body.len(),
        if close { "Connection: close\r\n" } else { "" }
    )?;
    w.flush()
}

fn serve_http<S: Read + Write>(
    mut r: BufReader<S>,
    peer: SocketAddr,
    format: InputFormat,
    tx: &SyncSender<Batch>,
) -> std::io::Result<()> {
    while let Some(head) = read_head(&mut r)? {
        if head.expect_continue && !head.http10 {
            let w = r.get_mut();
            w.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            w.flush()?;
        }
        let body = match read_body(&mut r, &head)? {
            Body::Ok(b) => b,
            Body::TooLarge => {
                return respond(&mut r, 413, "Payload Too Large", "{}", true);
            }
            Body::LengthRequired => {
                return respond(&mut r, 411, "Length Required", "{}", true);
            }
        };
        if head.method != "POST" {
            respond(&mut r, 405, "Method Not Allowed", "{}", head.close)?;
        } else {
            let events: Vec<_> = read_events(&body[..], format).collect();
            if tx.send(Batch { peer, events }).is_err() {
                return respond(&mut r, 503, "Service Unavailable", "{}", true);
            }
            respond(&mut r, 200, "OK", "{}", head.close)?;
        }
        if head.close {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(addr: SocketAddr, raw: &[u8]) -> String {
        let mut s = TcpStream::connect(addr).expect("connect");
        s.write_all(raw).expect("write");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("read");
        out
    }

    #[test]
    fn plain_http_eventlist_chunked_and_errors() {
        let rx_ = AuditReceiver::bind("127.0.0.1:0", None).expect("bind");
        let addr = rx_.local_addr().expect("addr");
        let rx = rx_.spawn(InputFormat::Auto);
        let list = br#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"create"},{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"delete"}]}"#;
        let mut req = format!(
            "POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
            list.len()
        )
        .into_bytes();
        req.extend_from_slice(list);
        // Keep-alive: a second, chunked request on the same connection, then close.
        req.extend_from_slice(
            b"POST /k8s-audit HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        );
        let one = br#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get"}"#;
        req.extend_from_slice(format!("{:x}\r\n", 10).as_bytes());
        req.extend_from_slice(&one[..10]);
        req.extend_from_slice(format!("\r\n{:x}\r\n", one.len() - 10).as_bytes());
        req.extend_from_slice(&one[10..]);
        req.extend_from_slice(b"\r\n0\r\n\r\n");
        let answer = post(addr, &req);
        assert_eq!(answer.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{answer}");
        let a = rx.recv().expect("batch");
        let verbs: Vec<String> = a
            .events
            .iter()
            .map(|e| {
                let ev = e.as_ref().expect("event");
                ev.raw.as_ref().expect("raw").to_value()["verb"].to_string()
            })
            .collect();
        assert_eq!(verbs, ["\"create\"", "\"delete\""]);
        let b = rx.recv().expect("batch");
        assert_eq!(b.events.len(), 1);
        let answer = post(addr, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
        assert!(answer.starts_with("HTTP/1.1 405 "), "{answer}");
        let answer = post(addr, b"POST / HTTP/1.1\r\n\r\n");
        assert!(answer.starts_with("HTTP/1.1 411 "), "{answer}");
        let answer = post(
            addr,
            format!(
                "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
                MAX_BODY_BYTES + 1
            )
            .as_bytes(),
        );
        assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    }

    #[test]
    fn tls_files_are_checked() {
        let dir = std::env::temp_dir().join(format!("rampart-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let cert = dir.join("cert.pem");
        std::fs::write(&cert, "not a certificate\n").expect("write");
        let err = tls_config(&cert, &dir.join("missing.pem")).expect_err("no cert");
        assert!(err.to_string().contains("cert.pem"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
