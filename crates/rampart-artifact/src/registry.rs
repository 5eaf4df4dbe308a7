//! Pulling an image from an OCI distribution registry (feature `registry`).
//!
//! The manifest (through an image index, picking the platform as [`crate::open_with`]
//! does), the config and the layers are downloaded, their digests verified, into an OCI
//! layout in a temporary directory, which is then opened like any layout. Anonymous, basic
//! and bearer-token authentication are supported; HTTPS uses rustls with the Mozilla root
//! store, and plain HTTP is used only when [`PullOptions::insecure`] asks for it.
//!
//! It owns the wire protocol only: layers are not read here, [`crate::walk`] does that.

use crate::error::ArtifactError;
use crate::open::{Artifact, ArtifactKind, OpenOptions, choose_manifest, open_with};
use base64::Engine;
use rampart_core::Diagnostic;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Largest manifest or index accepted.
const MAX_MANIFEST: u64 = 8 << 20;

const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.docker.distribution.manifest.v2+json";

/// How to pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullOptions {
    /// Talk plain HTTP instead of HTTPS (a local or test registry).
    pub insecure: bool,
    /// User name for basic auth, or to obtain a bearer token.
    pub username: Option<String>,
    /// Password or access token that goes with [`PullOptions::username`].
    pub password: Option<String>,
    /// Platform to pick from a multi-platform image (`os/arch[/variant]`, default
    /// `linux/amd64`).
    pub platform: Option<String>,
    /// Most bytes downloaded in all (a guard against endless or huge blobs). Default 64 GiB.
    pub max_download: u64,
}

impl Default for PullOptions {
    fn default() -> Self {
        PullOptions {
            insecure: false,
            username: None,
            password: None,
            platform: None,
            max_download: 64 << 30,
        }
    }
}

/// A pulled image: the artifact and the temporary layout holding it, removed on drop.
#[derive(Debug)]
pub struct Pulled {
    /// The image, read from the downloaded layout (kind [`ArtifactKind::OciLayout`], name
    /// the reference as given).
    pub artifact: Artifact,
    dir: tempfile::TempDir,
}

impl Pulled {
    /// The OCI layout directory the image was downloaded into.
    pub fn layout(&self) -> &Path {
        self.dir.path()
    }
}

/// An image reference split into registry host, repository and tag or digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Host (and port) to talk to, e.g. `registry-1.docker.io`, `127.0.0.1:5000`.
    pub host: String,
    /// Repository path, e.g. `library/alpine`.
    pub repository: String,
    /// Tag (`3.20`) or digest (`sha256:…`).
    pub reference: String,
}

impl Reference {
    /// Parses `[host[:port]/]repo[:tag][@digest]`; Docker Hub names (`alpine`,
    /// `user/app`) get Docker Hub's host and `library/`.
    pub fn parse(s: &str) -> Result<Reference, String> {
        let (name, reference) = match s.split_once('@') {
            Some((n, d)) => (n, d.to_string()),
            None => {
                let slash = s.rfind('/').map_or(0, |i| i + 1);
                match s[slash..].rfind(':') {
                    Some(i) => (&s[..slash + i], s[slash + i + 1..].to_string()),
                    None => (s, "latest".to_string()),
                }
            }
        };
        if name.is_empty() || reference.is_empty() {
            return Err("empty image name or tag".into());
        }
        let (first, rest) = match name.split_once('/') {
            Some((f, r)) if f.contains('.') || f.contains(':') || f == "localhost" => {
                (f.to_string(), r.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let (host, repository) = if first == "docker.io" {
            let repo = if rest.contains('/') {
                rest
            } else {
                format!("library/{rest}")
            };
            ("registry-1.docker.io".to_string(), repo)
        } else {
            (first, rest)
        };
        let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c);
        if repository.is_empty() || !repository.chars().all(ok) {
            return Err(format!("invalid repository name {repository:?}"));
        }
        Ok(Reference {
            host,
            repository,
            reference,
        })
    }
}

/// Downloads `reference` into a temporary OCI layout and opens it.
pub fn pull(reference: &str, options: &PullOptions) -> Result<Pulled, ArtifactError> {
    let fail = |reason: String| ArtifactError::invalid(reference, reason);
    let r = Reference::parse(reference).map_err(fail)?;
    let dir = tempfile::tempdir().map_err(|e| ArtifactError::io(std::env::temp_dir(), e))?;
    let layout = dir.path();
    let blobs = layout.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).map_err(|e| ArtifactError::io(&blobs, e))?;
    let mut client = Client::new(reference, &r, options);
    let want = options.platform.as_deref().unwrap_or("linux/amd64");
    let mut diagnostics: Vec<Diagnostic> = Vec::new();

    let mut target = r.reference.clone();
    let mut depth = 0;
    let (manifest, manifest_bytes, media_type) = loop {
        let (bytes, content_type) = client.manifest(&target)?;
        let digest = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
        if target.starts_with("sha256:") && target != digest {
            return Err(fail(format!(
                "manifest {target} arrived with digest {digest}"
            )));
        }
        let doc: Value = serde_json::from_slice(&bytes)
            .map_err(|e| fail(format!("manifest {target} is not valid JSON: {e}")))?;
        if doc.get("manifests").is_none() {
            let mt = doc
                .get("mediaType")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or(content_type)
                .unwrap_or_else(|| "application/vnd.oci.image.manifest.v1+json".into());
            break (doc, bytes, mt);
        }
        depth += 1;
        if depth > 4 {
            return Err(fail("image indexes nest more than 4 deep".into()));
        }
        let chosen = choose_manifest(&doc, want, reference, &mut diagnostics)
            .and_then(|d| d.get("digest"))
            .and_then(Value::as_str)
            .ok_or_else(|| fail(format!("image index {target} lists no image")))?;
        target = chosen.to_string();
    };
    let manifest_digest = format!("sha256:{}", hex::encode(Sha256::digest(&manifest_bytes)));
    write_blob(&blobs, &manifest_digest, &manifest_bytes)?;

    let mut digests: Vec<String> = Vec::new();
    if let Some(d) = manifest
        .get("config")
        .and_then(|c| c.get("digest"))
        .and_then(Value::as_str)
    {
        digests.push(d.to_string());
    }
    for layer in manifest
        .get("layers")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        match layer.get("digest").and_then(Value::as_str) {
            Some(d) => digests.push(d.to_string()),
            None => return Err(fail("a layer of the manifest has no digest".into())),
        }
    }
    let mut budget = options.max_download;
    for d in &digests {
        let hex = sha256_hex(d).ok_or_else(|| fail(format!("unsupported digest {d:?}")))?;
        let dest = blobs.join(hex);
        if dest.exists() {
            continue;
        }
        let got = client.blob(d, &dest, budget)?;
        budget = budget.saturating_sub(got);
    }

    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": media_type,
            "digest": manifest_digest,
            "size": manifest_bytes.len(),
            "annotations": {"io.containerd.image.name": reference}
        }]
    });
    let index_path = layout.join("index.json");
    std::fs::write(&index_path, index.to_string())
        .map_err(|e| ArtifactError::io(&index_path, e))?;
    let marker = layout.join("oci-layout");
    std::fs::write(&marker, r#"{"imageLayoutVersion":"1.0.0"}"#)
        .map_err(|e| ArtifactError::io(&marker, e))?;
    let mut artifact = open_with(
        layout,
        &OpenOptions {
            kind: Some(ArtifactKind::OciLayout),
            platform: options.platform.clone(),
        },
    )?;
    artifact.diagnostics.splice(0..0, diagnostics);
    Ok(Pulled { artifact, dir })
}

/// The hex part of a well-formed `sha256:` digest.
fn sha256_hex(digest: &str) -> Option<&str> {
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then_some(hex)
}

fn write_blob(blobs: &Path, digest: &str, data: &[u8]) -> Result<(), ArtifactError> {
    let hex = sha256_hex(digest).unwrap_or("invalid");
    let p = blobs.join(hex);
    std::fs::write(&p, data).map_err(|e| ArtifactError::io(&p, e))
}

/// Percent-encodes a query value.
fn encode_query(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The scheme and `key="value"` parameters of a `WWW-Authenticate` challenge.
pub(crate) fn parse_challenge(header: &str) -> (String, Vec<(String, String)>) {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            value = chars.by_ref().take_while(|c| *c != ',').collect();
        }
        params.push((key.trim().to_ascii_lowercase(), value));
    }
    (scheme.to_ascii_lowercase(), params)
}

/// How requests are authorized once a challenge was met.
enum Auth {
    None,
    Basic(String),
    Bearer(String),
}

struct Client<'a> {
    shown: &'a str,
    agent: ureq::Agent,
    base: String,
    repository: String,
    username: Option<String>,
    password: Option<String>,
    auth: Auth,
}

impl<'a> Client<'a> {
    fn new(shown: &'a str, r: &Reference, options: &PullOptions) -> Self {
        let scheme = if options.insecure { "http" } else { "https" };
        Client {
            shown,
            agent: ureq::AgentBuilder::new()
                .timeout_connect(Duration::from_secs(30))
                .timeout_read(Duration::from_secs(300))
                .redirects(5)
                .build(),
            base: format!("{scheme}://{}", r.host),
            repository: r.repository.clone(),
            username: options.username.clone(),
            password: options.password.clone(),
            auth: Auth::None,
        }
    }

    fn fail(&self, reason: String) -> ArtifactError {
        ArtifactError::invalid(self.shown, reason)
    }

    fn basic(&self) -> Option<String> {
        let user = self.username.as_deref()?;
        let pass = self.password.as_deref().unwrap_or("");
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        Some(format!("Basic {token}"))
    }

    /// GETs `path` of the registry, answering one authentication challenge.
    fn get(&mut self, path: &str, accept: &str) -> Result<ureq::Response, ArtifactError> {
        let url = format!("{}{path}", self.base);
        let mut challenged = false;
        loop {
            let mut req = self.agent.get(&url).set("Accept", accept);
            match &self.auth {
                Auth::None => {}
                Auth::Basic(h) | Auth::Bearer(h) => req = req.set("Authorization", h),
            }
            match req.call() {
                Ok(resp) => return Ok(resp),
                Err(ureq::Error::Status(401, resp)) if !challenged => {
                    challenged = true;
                    let header = resp.header("www-authenticate").unwrap_or("").to_string();
                    self.answer(&header)?;
                }
                Err(ureq::Error::Status(code, resp)) => {
                    let mut body = String::new();
                    let _ = resp.into_reader().take(300).read_to_string(&mut body);
                    return Err(self.fail(format!(
                        "GET {url}: HTTP {code}: {}",
                        body.trim().replace('\n', " ")
                    )));
                }
                Err(e) => return Err(self.fail(format!("GET {url}: {e}"))),
            }
        }
    }

    /// Sets up authorization for a `WWW-Authenticate` challenge.
    fn answer(&mut self, header: &str) -> Result<(), ArtifactError> {
        let (scheme, params) = parse_challenge(header);
        let param = |k: &str| {
            params
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        match scheme.as_str() {
            "basic" => {
                let h = self.basic().ok_or_else(|| {
                    self.fail("the registry requires a user name and password".into())
                })?;
                self.auth = Auth::Basic(h);
                Ok(())
            }
            "bearer" => {
                let realm = param("realm")
                    .ok_or_else(|| self.fail("bearer challenge without a realm".into()))?;
                let scope = param("scope")
                    .unwrap_or_else(|| format!("repository:{}:pull", self.repository));
                let mut url = format!("{realm}?scope={}", encode_query(&scope));
                if let Some(service) = param("service") {
                    url.push_str(&format!("&service={}", encode_query(&service)));
                }
                let mut req = self.agent.get(&url);
                if let Some(b) = self.basic() {
                    req = req.set("Authorization", &b);
                }
                let resp = req
                    .call()
                    .map_err(|e| self.fail(format!("token request to {realm} failed: {e}")))?;
                let mut body = Vec::new();
                resp.into_reader()
                    .take(MAX_MANIFEST)
                    .read_to_end(&mut body)
                    .map_err(|e| self.fail(format!("token from {realm}: {e}")))?;
                let doc: Value = serde_json::from_slice(&body)
                    .map_err(|e| self.fail(format!("token from {realm} is not JSON: {e}")))?;
                let token = doc
                    .get("token")
                    .or_else(|| doc.get("access_token"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| self.fail(format!("no token in the answer of {realm}")))?;
                self.auth = Auth::Bearer(format!("Bearer {token}"));
                Ok(())
            }
            _ => Err(self.fail(format!(
                "the registry asks for unsupported authentication {header:?}"
            ))),
        }
    }

    /// A manifest or index, with the content type the registry gave.
    fn manifest(&mut self, target: &str) -> Result<(Vec<u8>, Option<String>), ArtifactError> {
        let path = format!("/v2/{}/manifests/{target}", self.repository);
        let resp = self.get(&path, ACCEPT)?;
        let content_type = resp.header("content-type").map(str::to_string);
        let mut bytes = Vec::new();
        resp.into_reader()
            .take(MAX_MANIFEST + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| self.fail(format!("manifest {target}: {e}")))?;
        if bytes.len() as u64 > MAX_MANIFEST {
            return Err(self.fail(format!(
                "manifest {target} is larger than {MAX_MANIFEST} bytes"
            )));
        }
        Ok((bytes, content_type))
    }

    /// Downloads blob `digest` into `dest`, verifying its digest; returns its size.
    fn blob(&mut self, digest: &str, dest: &PathBuf, budget: u64) -> Result<u64, ArtifactError> {
        let path = format!("/v2/{}/blobs/{digest}", self.repository);
        let resp = self.get(&path, "*/*")?;
        let partial = dest.with_extension("partial");
        let mut file =
            std::fs::File::create(&partial).map_err(|e| ArtifactError::io(&partial, e))?;
        let mut hasher = Sha256::new();
        let mut reader = resp.into_reader().take(budget.saturating_add(1));
        let mut buf = vec![0u8; 256 << 10];
        let mut total = 0u64;
        loop {
            let n = reader
                .read(&mut buf)
                .map_err(|e| self.fail(format!("blob {digest}: {e}")))?;
            if n == 0 {
                break;
            }
            let chunk = buf.get(..n).unwrap_or_default();
            hasher.update(chunk);
            file.write_all(chunk)
                .map_err(|e| ArtifactError::io(&partial, e))?;
            total += n as u64;
            if total > budget {
                return Err(self.fail(format!(
                    "downloads exceed the {} bytes allowed (max_download)",
                    budget
                )));
            }
        }
        let got = format!("sha256:{}", hex::encode(hasher.finalize()));
        if got != digest {
            return Err(self.fail(format!("blob {digest} arrived with digest {got}")));
        }
        std::fs::rename(&partial, dest).map_err(|e| ArtifactError::io(dest, e))?;
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(host: &str, repo: &str, reference: &str) -> Reference {
        Reference {
            host: host.into(),
            repository: repo.into(),
            reference: reference.into(),
        }
    }

    #[test]
    fn parses_references() {
        assert_eq!(
            Reference::parse("alpine").unwrap(),
            r("registry-1.docker.io", "library/alpine", "latest")
        );
        assert_eq!(
            Reference::parse("user/app:1.2").unwrap(),
            r("registry-1.docker.io", "user/app", "1.2")
        );
        assert_eq!(
            Reference::parse("127.0.0.1:5000/a/b:v1").unwrap(),
            r("127.0.0.1:5000", "a/b", "v1")
        );
        assert_eq!(
            Reference::parse("localhost/x@sha256:abc").unwrap(),
            r("localhost", "x", "sha256:abc")
        );
        assert!(Reference::parse("ghcr.io/Bad/Name").is_err());
        assert!(Reference::parse("x:").is_err());
    }

    #[test]
    fn parses_challenges() {
        let (scheme, params) = parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(scheme, "bearer");
        assert_eq!(
            params,
            vec![
                ("realm".into(), "https://auth.example/token".into()),
                ("service".into(), "registry.example".into()),
                ("scope".into(), "repository:a/b:pull,push".into()),
            ]
        );
        assert_eq!(
            parse_challenge(r#"Basic realm="Registry Realm""#),
            (
                "basic".into(),
                vec![("realm".into(), "Registry Realm".into())]
            )
        );
        assert_eq!(
            encode_query("repository:a/b:pull"),
            "repository%3Aa%2Fb%3Apull"
        );
    }
}
