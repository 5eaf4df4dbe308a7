//! Registry pulls (feature `registry`): a real registry (Debian's `docker-registry`) fed by
//! `skopeo` on 127.0.0.1, and a small in-test registry for basic and bearer-token auth.
//!
//! Needs `apt-get install -y docker-registry skopeo`; without them the test fails under
//! CI=true and is skipped with a note otherwise.
#![cfg(feature = "registry")]

mod common;

use common::*;
use rampart_artifact::registry::{PullOptions, pull};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn have(tool: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{tool} is not installed (apt-get install -y docker-registry skopeo)");
    }
    if !found {
        eprintln!("note: {tool} not installed; registry test skipped");
    }
    found
}

/// Stops the registry (by its own PID) when the test ends.
struct Registry(Child);

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).ok()?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn start_registry(dir: &Path) -> (Registry, u16) {
    let port = free_port();
    let config = dir.join("config.yml");
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.join("data").display()
        ),
    )
    .expect("config");
    let log = std::fs::File::create(dir.join("registry.log")).expect("log");
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(&config)
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("start docker-registry");
    let reg = Registry(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while http_status(port, "/v2/") != Some(200) {
        assert!(
            Instant::now() < deadline,
            "docker-registry did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (reg, port)
}

fn skopeo_push(layout: &Path, dest: &str, all: bool) {
    let mut cmd = Command::new("skopeo");
    cmd.args(["--insecure-policy", "copy", "--dest-tls-verify=false"]);
    if all {
        cmd.arg("--all");
    }
    let out = cmd
        .arg(format!("oci:{}:1", layout.display()))
        .arg(format!("docker://{dest}"))
        .output()
        .expect("run skopeo");
    assert!(
        out.status.success(),
        "skopeo copy failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn pulls_from_docker_registry_over_plain_http() {
    if !have("docker-registry") || !have("skopeo") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (_registry, port) = start_registry(dir.path());
    let img = test_image();
    let legacy = dir.path().join("legacy.tar");
    docker_archive_legacy(&img, &legacy);
    let reference = check(&rampart_artifact::open(&legacy).expect("open"));

    let layout = dir.path().join("layout");
    write_dir(
        &layout,
        &oci_files(
            &img,
            &[Comp::Gzip, Comp::Zstd, Comp::None, Comp::Gzip],
            None,
        ),
    );
    skopeo_push(&layout, &format!("127.0.0.1:{port}/rampart/test:1"), false);

    let opts = PullOptions {
        insecure: true,
        ..PullOptions::default()
    };
    let name = format!("127.0.0.1:{port}/rampart/test:1");
    let mut pulled = pull(&name, &opts).expect("pull");
    assert_eq!(pulled.artifact.name, name);
    assert!(pulled.layout().join("index.json").is_file());
    pulled.artifact.name = "rampart/test:1".into();
    assert_eq!(check(&pulled.artifact), reference);

    // A multi-platform image: linux/amd64 by default, arm64 on request.
    let multi = dir.path().join("multi");
    write_dir(
        &multi,
        &oci_files(&img, &[Comp::Gzip; 4], Some(&arm_image())),
    );
    skopeo_push(&multi, &format!("127.0.0.1:{port}/rampart/multi:1"), true);
    let name = format!("127.0.0.1:{port}/rampart/multi:1");
    let mut pulled = pull(&name, &opts).expect("pull multi");
    pulled.artifact.name = "rampart/test:1".into();
    assert_eq!(check(&pulled.artifact), reference);
    let arm = PullOptions {
        platform: Some("linux/arm64".into()),
        ..opts.clone()
    };
    let pulled = pull(&name, &arm).expect("pull arm64");
    assert_eq!(
        pulled
            .artifact
            .config
            .as_ref()
            .and_then(|c| c.architecture.as_deref()),
        Some("arm64")
    );

    let err = pull(&format!("127.0.0.1:{port}/rampart/absent:1"), &opts).expect_err("absent");
    assert!(err.to_string().contains("HTTP 404"), "{err}");
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Basic,
    Bearer,
}

/// A minimal read-only registry serving an OCI layout, demanding credentials `u:p`.
fn serve_layout(layout: std::path::PathBuf, mode: Mode) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = handle(stream, &layout, mode, port);
        }
    });
    port
}

fn handle(stream: TcpStream, layout: &Path, mode: Mode, port: u16) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut auth = String::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("authorization")
        {
            auth = v.trim().to_string();
        }
    }
    let basic = "Basic dTpw"; // base64("u:p")
    let mut out = stream;
    let respond =
        |out: &mut TcpStream, status: &str, headers: &str, body: &[u8]| -> std::io::Result<()> {
            write!(
                out,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n",
                body.len()
            )?;
            out.write_all(body)
        };
    if path.starts_with("/token") {
        return if auth == basic && path.contains("scope=repository%3Arampart%2Ftest%3Apull") {
            respond(
                &mut out,
                "200 OK",
                "Content-Type: application/json\r\n",
                br#"{"token":"tok123"}"#,
            )
        } else {
            respond(&mut out, "401 Unauthorized", "", b"bad credentials")
        };
    }
    let authorized = match mode {
        Mode::Basic => auth == basic,
        Mode::Bearer => auth == "Bearer tok123",
    };
    if !authorized {
        let challenge = match mode {
            Mode::Basic => "WWW-Authenticate: Basic realm=\"test\"\r\n".to_string(),
            Mode::Bearer => format!(
                "WWW-Authenticate: Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"test\",scope=\"repository:rampart/test:pull\"\r\n"
            ),
        };
        return respond(&mut out, "401 Unauthorized", &challenge, b"{}");
    }
    let blob = |d: &str| {
        std::fs::read(
            layout
                .join("blobs/sha256")
                .join(d.trim_start_matches("sha256:")),
        )
    };
    if let Some(rest) = path.strip_prefix("/v2/rampart/test/manifests/") {
        let digest = if rest == "1" {
            let index: serde_json::Value =
                serde_json::from_slice(&std::fs::read(layout.join("index.json"))?)?;
            index["manifests"][0]["digest"]
                .as_str()
                .unwrap_or("")
                .to_string()
        } else {
            rest.to_string()
        };
        let body = blob(&digest)?;
        return respond(
            &mut out,
            "200 OK",
            "Content-Type: application/vnd.oci.image.manifest.v1+json\r\n",
            &body,
        );
    }
    if let Some(d) = path.strip_prefix("/v2/rampart/test/blobs/") {
        let body = blob(d)?;
        return respond(
            &mut out,
            "200 OK",
            "Content-Type: application/octet-stream\r\n",
            &body,
        );
    }
    let mut sink = Vec::new();
    let _ = reader.read_to_end(&mut sink);
    respond(&mut out, "404 Not Found", "", b"not found")
}

#[test]
fn basic_and_bearer_authentication() {
    let dir = tempfile::tempdir().expect("tempdir");
    let img = test_image();
    let legacy = dir.path().join("legacy.tar");
    docker_archive_legacy(&img, &legacy);
    let reference = check(&rampart_artifact::open(&legacy).expect("open"));
    let layout = dir.path().join("layout");
    write_dir(&layout, &oci_files(&img, &[Comp::Gzip; 4], None));

    for mode in [Mode::Basic, Mode::Bearer] {
        let port = serve_layout(layout.clone(), mode);
        let name = format!("127.0.0.1:{port}/rampart/test:1");
        let good = PullOptions {
            insecure: true,
            username: Some("u".into()),
            password: Some("p".into()),
            ..PullOptions::default()
        };
        let mut pulled = pull(&name, &good).expect("pull with credentials");
        pulled.artifact.name = "rampart/test:1".into();
        assert_eq!(check(&pulled.artifact), reference);

        let anonymous = PullOptions {
            insecure: true,
            ..PullOptions::default()
        };
        let err = pull(&name, &anonymous)
            .expect_err("anonymous is refused")
            .to_string();
        let wrong = PullOptions {
            password: Some("nope".into()),
            ..good.clone()
        };
        let err2 = pull(&name, &wrong)
            .expect_err("wrong password is refused")
            .to_string();
        match mode {
            Mode::Basic => {
                assert_eq!(
                    err,
                    format!("{name}: the registry requires a user name and password")
                );
                assert!(err2.contains("HTTP 401"), "{err2}");
            }
            Mode::Bearer => {
                assert!(
                    err.starts_with(&format!(
                        "{name}: token request to http://127.0.0.1:{port}/token failed"
                    )),
                    "{err}"
                );
                assert!(err2.contains("token request"), "{err2}");
            }
        }
    }
}
