//! Layer attribution end to end: each package is reported with the layer that first
//! installed it, and files deleted by a later layer contribute nothing to the final inventory.

mod common;

use common::*;
use sha2::{Digest, Sha256};

const OS_RELEASE: &[u8] =
    b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";

fn para(name: &str, version: &str) -> String {
    format!(
        "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\n\n"
    )
}

#[test]
fn packages_carry_the_layer_that_installed_them() {
    let status0 = para("base-files", "12.4");
    let status1 = format!(
        "{}{}",
        para("base-files", "12.4"),
        para("curl", "7.88.1-10")
    );
    // Layer 2 upgrades curl: it must be attributed to layer 2, base-files still to layer 0.
    let status2 = format!(
        "{}{}",
        para("base-files", "12.4"),
        para("curl", "7.88.1-10+deb12u5")
    );
    let layers = vec![
        layer_from_entries(&[
            Entry::Dir("etc"),
            Entry::File("etc/os-release", OS_RELEASE),
            Entry::File("var/lib/dpkg/status", status0.as_bytes()),
            Entry::File("app/requirements.txt", b"django==3.2.0\n"),
        ]),
        layer_from_entries(&[Entry::File("var/lib/dpkg/status", status1.as_bytes())]),
        layer_from_entries(&[
            Entry::File("var/lib/dpkg/status", status2.as_bytes()),
            Entry::File("app/.wh.requirements.txt", b""),
            Entry::File("srv/requirements.txt", b"flask==3.0.0\n"),
        ]),
    ];
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", hex::encode(Sha256::digest(l))))
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let img = tmp.path().join("img.tar");
    write_docker_archive(&layers, &img);
    let (code, out, err) = run(&["scan", "image", img.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let got: Vec<(String, String, String)> = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
                p["layer"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    let want = vec![
        (
            "base-files".to_string(),
            "12.4".to_string(),
            diff_ids[0].clone(),
        ),
        (
            "curl".to_string(),
            "7.88.1-10+deb12u5".to_string(),
            diff_ids[2].clone(),
        ),
        (
            "flask".to_string(),
            "3.0.0".to_string(),
            diff_ids[2].clone(),
        ),
    ];
    assert_eq!(got, want);
    let layers_json = report["artifact"]["layers"].as_array().unwrap();
    assert_eq!(layers_json.len(), 3);
    assert_eq!(layers_json[1]["digest"], diff_ids[1].as_str());
}
