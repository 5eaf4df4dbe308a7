//! Secrets in every layer of an image: a key added in one layer and deleted in the next, a
//! token in the config's ENV and one in a build argument of the history — all found, with
//! the right layers, and never printed whole in any output format.

mod common;

use common::*;
use sha2::{Digest, Sha256};

// Built here from the providers' formats; not real credentials.
const GITHUB: &str = "ghp_Zx9Qv2Lm7Tn4Rb8Kc1Wd6Hs3Jf5Gp0Ya2Xe7";
const SLACK: &str = "xoxb-2750165332-1384763525913-QeKfZt0bX7cVn4mL8pRs2Wd9";
const PEM_BODY: &str = "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgwMBgUDOWstDvLcFsu5f5Cq8xJ7lqYh5d2cnIuGWTzNPxr1JHplpJv1N9Ff\nW9uE2a9yRkUlWfvC0o0r2Ws5Yk8Xh3Zp3yJ9Ha2uE6vR2bT1mK9cQ7nP4sL8dF3gH1jK5lM2nB6vC9xZ0aS4dF7gH2jK8lP3oI5uY1tR6eW";

#[test]
fn deleted_key_env_token_and_build_arg_are_found_and_redacted() {
    let key =
        format!("-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----\n");
    let layers = vec![
        layer_from_entries(&[Entry::File(
            "etc/os-release",
            b"ID=debian\nVERSION_ID=\"12\"\n",
        )]),
        layer_from_entries(&[
            Entry::Dir("root"),
            Entry::File("root/deploy.pem", key.as_bytes()),
        ]),
        layer_from_entries(&[Entry::File("root/.wh.deploy.pem", b"")]),
    ];
    let digests: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", hex::encode(Sha256::digest(l))))
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let img = tmp.path().join("img.tar");
    let env = format!("GITHUB_TOKEN={GITHUB}");
    let step = format!("|1 SLACK_TOKEN={SLACK} /bin/sh -c ./notify.sh");
    write_docker_archive_with(
        &layers,
        &img,
        &["PATH=/usr/bin", &env],
        &["ADD rootfs /", &step, "RUN rm /root/deploy.pem"],
    );

    let (code, out, err) = run(&[
        "scan",
        "image",
        img.to_str().unwrap(),
        "--scanners",
        "secret",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let r = parse_json(&out);
    let secrets = r["secrets"].as_array().unwrap();
    let find = |file: &str| {
        secrets
            .iter()
            .find(|s| s["file"] == file)
            .unwrap_or_else(|| panic!("no secret in {file}: {secrets:#?}"))
    };
    let pem = find("root/deploy.pem");
    assert_eq!(pem["layer"], digests[1].as_str());
    assert_eq!(pem["deleted_in_layer"], digests[2].as_str());
    assert_eq!(pem["line"], 1);
    let gh = find("(image config: env)");
    assert!(
        gh["rule_id"].as_str().unwrap().starts_with("secret-github"),
        "{gh}"
    );
    let slack = find("(image history)");
    assert_eq!(slack["line"], 2);
    assert_eq!(slack["layer"], digests[1].as_str());
    validate_report_json(&out);

    // No format, and no log line, ever carries a full secret.
    for fmt in ["json", "table", "sarif", "cyclonedx", "spdx-json"] {
        let (code, out, err) = run(&[
            "scan",
            "image",
            img.to_str().unwrap(),
            "--scanners",
            "secret",
            "--format",
            fmt,
        ]);
        assert_eq!(code, 0, "{err}");
        for planted in [GITHUB, SLACK, &PEM_BODY[..40]] {
            assert!(
                !out.contains(planted) && !err.contains(planted),
                "{fmt} leaks {planted}"
            );
            assert!(
                !out.contains(&planted[8..24]),
                "{fmt} leaks part of {planted}"
            );
        }
    }
}
