//! `rampart scan image REFERENCE` pulls from a real registry (Debian's `docker-registry`,
//! started here on 127.0.0.1, loaded with `skopeo`) and finds what the image holds.

mod common;

use common::*;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Registry(Child);

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(dir: &Path) -> (Registry, u16) {
    let port = free_port();
    let config = dir.join("config.yml");
    std::fs::write(
        &config,
        format!("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n", dir.join("data").display()),
    )
    .unwrap();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("docker-registry (run scripts/setup)");
    let reg = Registry(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "docker-registry did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    (reg, port)
}

#[test]
fn scan_an_image_pulled_from_a_local_registry() {
    let tmp = tempfile::tempdir().unwrap();
    let status = "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n\n";
    let layers = vec![
        layer_from_entries(&[
            Entry::File("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n"),
            Entry::File("var/lib/dpkg/status", status.as_bytes()),
        ]),
        layer_from_entries(&[Entry::File("app/requirements.txt", b"flask==3.0.0\n")]),
    ];
    let layout = tmp.path().join("oci");
    write_oci_layout(&layers, &layout);
    let (_reg, port) = start(tmp.path());
    let reference = format!("127.0.0.1:{port}/rampart/app:1");
    let out = Command::new("skopeo")
        .args([
            "copy",
            "--dest-tls-verify=false",
            &format!("oci:{}:latest", layout.display()),
            &format!("docker://{reference}"),
        ])
        .output()
        .expect("skopeo (run scripts/setup)");
    assert!(
        out.status.success(),
        "skopeo: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (code, stdout, err) = run(&[
        "scan",
        "image",
        &reference,
        "--insecure",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let got: Vec<(&str, &str)> = r["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["version"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [("zlib1g", "1:1.2.13.dfsg-1"), ("flask", "3.0.0")]);
    assert_eq!(r["artifact"]["type"], "container_image");
    assert_eq!(r["artifact"]["layers"].as_array().unwrap().len(), 2);

    // Without --insecure the pull talks HTTPS to a plain-HTTP registry: a clear error, exit 2.
    let (code, _, err) = run(&["scan", "image", &reference]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("rampart: error: ") && err.lines().count() == 1,
        "{err}"
    );
}
