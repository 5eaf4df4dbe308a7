//! `rampart db update`: download the feeds, then import them like `rampart db import`.
//! The only network IO of rampart's scanners lives here, in the CLI.

use anyhow::{Result, bail};
use rampart_vuln::import::{Sink, import_bytes};
use std::io::Read;
use std::time::Duration;

/// OSV ecosystems fetched by default.
pub const DEFAULT_OSV: &[&str] = &[
    "Debian",
    "Ubuntu",
    "Alpine",
    "AlmaLinux",
    "Rocky Linux",
    "crates.io",
    "PyPI",
    "npm",
    "Go",
    "Maven",
    "RubyGems",
    "NuGet",
    "Packagist",
];

/// Alpine branches fetched by default.
pub const DEFAULT_ALPINE: &[&str] = &["3.18", "3.19", "3.20", "3.21", "3.22"];

const OSV_BASE: &str = "https://osv-vulnerabilities.storage.googleapis.com";
const DEBIAN_JSON: &str = "https://security-tracker.debian.org/tracker/data/json";
const ALPINE_BASE: &str = "https://secdb.alpinelinux.org";

/// Largest feed downloaded.
const MAX_DOWNLOAD: u64 = 2 << 30;

/// One feed to fetch.
pub struct Feed {
    /// Where it comes from.
    pub url: String,
    /// Whether a missing feed (404) is only a warning.
    pub optional: bool,
}

/// The feeds to fetch, from the official locations or from `mirror`.
pub fn feeds(mirror: Option<&str>, osv: &[String], alpine: &[String], debian: bool) -> Vec<Feed> {
    let enc = |s: &str| s.replace(' ', "%20");
    let mut out = Vec::new();
    for eco in osv {
        let url = match mirror {
            Some(m) => format!("{}/osv/{}/all.zip", m.trim_end_matches('/'), enc(eco)),
            None => format!("{OSV_BASE}/{}/all.zip", enc(eco)),
        };
        out.push(Feed {
            url,
            optional: false,
        });
    }
    if debian {
        let url = match mirror {
            Some(m) => format!("{}/debian/json", m.trim_end_matches('/')),
            None => DEBIAN_JSON.to_string(),
        };
        out.push(Feed {
            url,
            optional: false,
        });
    }
    for branch in alpine {
        for repo in ["main", "community"] {
            let url = match mirror {
                Some(m) => format!("{}/alpine/v{branch}/{repo}.json", m.trim_end_matches('/')),
                None => format!("{ALPINE_BASE}/v{branch}/{repo}.json"),
            };
            out.push(Feed {
                url,
                optional: true,
            });
        }
    }
    out
}

/// Fetch `url` whole.
fn fetch(agent: &ureq::Agent, url: &str) -> Result<Vec<u8>, String> {
    let resp = agent.get(url).call().map_err(|e| match e {
        ureq::Error::Status(code, _) => format!("HTTP {code}"),
        other => other.to_string(),
    })?;
    let mut buf = Vec::new();
    resp.into_reader()
        .take(MAX_DOWNLOAD)
        .read_to_end(&mut buf)
        .map_err(|e| format!("reading the body: {e}"))?;
    Ok(buf)
}

/// Download every feed into `sink`. Returns how many feeds were fetched; fails when none was.
pub fn download(feeds: &[Feed], sink: &mut Sink, quiet: bool) -> Result<usize> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(20))
        .timeout_read(Duration::from_secs(300))
        .build();
    let pb = crate::progress::spinner(quiet, "downloading feeds");
    let mut fetched = 0;
    let mut failures = Vec::new();
    for (i, f) in feeds.iter().enumerate() {
        pb.set_message(format!("[{}/{}] {}", i + 1, feeds.len(), f.url));
        match fetch(&agent, &f.url) {
            Ok(bytes) => {
                fetched += 1;
                if bytes.starts_with(b"PK\x03\x04") {
                    import_zip_bytes(&f.url, &bytes, sink);
                } else {
                    import_bytes(&f.url, &bytes, sink);
                }
            }
            Err(e) if f.optional && e == "HTTP 404" => {}
            Err(e) => failures.push(format!("{}: {e}", f.url)),
        }
    }
    pb.finish_and_clear();
    if !quiet {
        for f in &failures {
            eprintln!("rampart: warning: {f}");
        }
    }
    if fetched == 0 {
        bail!(
            "no feed could be downloaded ({}); the database was not changed",
            failures
                .first()
                .cloned()
                .unwrap_or_else(|| "nothing to fetch".into())
        );
    }
    Ok(fetched)
}

fn import_zip_bytes(origin: &str, bytes: &[u8], sink: &mut Sink) {
    // Reuse the path importer's zip handling through a temporary file-free reader.
    let tmp = match tempfile::NamedTempFile::new() {
        Ok(t) => t,
        Err(e) => {
            sink.warn(origin, format!("cannot stage download: {e}"));
            return;
        }
    };
    if let Err(e) = std::fs::write(tmp.path(), bytes) {
        sink.warn(origin, format!("cannot stage download: {e}"));
        return;
    }
    if let Err(e) = rampart_vuln::import::import_path(tmp.path(), sink) {
        sink.warn(origin, e.to_string());
    }
}
