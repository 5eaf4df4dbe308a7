//! `rampart db update` against a feed mirror served on 127.0.0.1 from corpus files, and the
//! guarantee that a failed update leaves the previous database untouched.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A static HTTP server (Python's http.server) on a free loopback port, stopped on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let mut child = Command::new("python3")
            .args(["-u", "-c", "import http.server, functools, sys\nh = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])\ns = http.server.ThreadingHTTPServer(('127.0.0.1', 0), h)\nprint(s.server_address[1], flush=True)\ns.serve_forever()", dir.to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        Server {
            port: line.trim().parse().expect("port"),
            child,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn zip_dir(dir: &Path, out: &Path) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                z.start_file(
                    p.file_name().unwrap().to_str().unwrap(),
                    zip::write::SimpleFileOptions::default(),
                )
                .unwrap();
                z.write_all(&std::fs::read(&p).unwrap()).unwrap();
            }
        }
    }
    z.finish().unwrap();
}

fn status(db: &Path) -> serde_json::Value {
    let (code, out, err) = run(&[
        "db",
        "status",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn update_from_a_mirror_then_fail_without_touching_the_db() {
    let Some(root) = corpus("") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let www = tmp.path().join("www");
    for d in ["osv/Debian", "osv/crates.io", "debian", "alpine/v3.20"] {
        std::fs::create_dir_all(www.join(d)).unwrap();
    }
    std::fs::copy(
        root.join("debian-osv/Debian-all.zip"),
        www.join("osv/Debian/all.zip"),
    )
    .unwrap();
    zip_dir(
        &root.join("rustsec-osv/crates"),
        &www.join("osv/crates.io/all.zip"),
    );
    std::fs::copy(
        root.join("debian-tracker-json-samples/vunnel/input/debian.json"),
        www.join("debian/json"),
    )
    .unwrap();
    for f in std::fs::read_dir(root.join("alpine-secdb-v3.20-subset/v3.20")).unwrap() {
        let p = f.unwrap().path();
        std::fs::copy(&p, www.join("alpine/v3.20").join(p.file_name().unwrap())).unwrap();
    }
    let server = Server::start(&www);
    let mirror = format!("http://127.0.0.1:{}", server.port);
    let db = tmp.path().join("rampart.db");
    let (code, _, err) = run(&[
        "db",
        "update",
        "--db",
        db.to_str().unwrap(),
        "--mirror",
        &mirror,
        "--osv",
        "Debian,crates.io",
        "--alpine",
        "3.20",
    ]);
    assert_eq!(code, 0, "{err}");
    let s = status(&db);
    let sources: Vec<(String, u64)> = s["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["name"].as_str().unwrap().to_string(),
                x["records"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sources,
        [
            ("alpine-secdb".to_string(), 293),
            ("debian-security-tracker".to_string(), 6),
            ("osv:Debian".to_string(), 2652),
            ("osv:crates.io".to_string(), 1193)
        ]
    );
    assert_eq!(s["age_days"], 0);
    let before = std::fs::read(&db).unwrap();

    // A mirror without the feeds: the update fails, the database stays as it was.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    drop(server);
    let server = Server::start(&empty);
    let mirror = format!("http://127.0.0.1:{}", server.port);
    let (code, _, err) = run(&[
        "db",
        "update",
        "--db",
        db.to_str().unwrap(),
        "--mirror",
        &mirror,
        "--osv",
        "Debian",
        "--alpine",
        "",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("rampart: error: no feed could be downloaded"),
        "{err}"
    );
    assert!(err.contains("HTTP 404"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);

    // A failed import (nothing importable) also leaves it untouched.
    let junk = tmp.path().join("junk.json");
    std::fs::write(&junk, b"{\"hello\": 1}").unwrap();
    let (code, _, err) = run(&[
        "db",
        "import",
        junk.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}
