//! `rampart scan image --scanners misconfig`: the image's own configuration is checked (no
//! user, secret-looking environment variables), beside the configuration files inside it.

mod common;

use common::*;

#[test]
fn image_config_misconfigurations() {
    let dir = tempfile::tempdir().unwrap();
    let layer = layer_from_entries(&[
        Entry::Dir("app"),
        Entry::File("app/compose.yaml", b"services:\n  web:\n    image: nginx\n"),
    ]);
    let image = dir.path().join("image.tar");
    write_docker_archive_with(
        &[layer],
        &image,
        &["PATH=/usr/bin:/bin", "DB_PASSWORD=hunter2", "API_TOKEN="],
        &[],
    );
    let (code, r, err) = run_json(&[
        "scan",
        "image",
        image.to_str().unwrap(),
        "--scanners",
        "misconfig",
        "--format",
        "json",
        "--exit-code",
        "9",
    ]);
    assert_eq!(code, 9, "{err}");
    let mut got: Vec<(String, String, String)> = misconfigurations(&r)
        .iter()
        .map(|m| {
            (
                text(m, "rule_id").to_string(),
                text(m, "file").to_string(),
                text(m, "message").to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (
                "compose-image-latest".to_string(),
                "app/compose.yaml".to_string(),
                "service \"web\" uses image \"nginx\" without a version tag".to_string()
            ),
            (
                "image-no-user".to_string(),
                "image-config".to_string(),
                "the image sets no User: it runs as root unless the runtime overrides it"
                    .to_string()
            ),
            (
                "image-secret-env".to_string(),
                "image-config".to_string(),
                "environment variable DB_PASSWORD holds a value in the image configuration"
                    .to_string()
            ),
        ]
    );
}
