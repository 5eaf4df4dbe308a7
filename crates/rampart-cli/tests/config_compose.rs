//! `rampart scan config` on docker-compose files: every compose rule with its line, and a
//! clean service without findings.

mod common;

use common::*;

#[test]
fn compose_checks_report_rule_line_and_service() {
    let (code, r, err) = run_json(&[
        "scan",
        "config",
        &config_fixture("compose"),
        "--format",
        "json",
        "--exit-code",
        "6",
    ]);
    assert_eq!(code, 6, "{err}");
    let mut got: Vec<(String, u64, String)> = misconfigurations(&r)
        .iter()
        .map(|m| {
            assert_eq!(m["file"], "docker-compose.yml");
            assert!(!m["remediation"].as_str().unwrap().is_empty());
            (
                text(m, "rule_id").to_string(),
                m["line"].as_u64().unwrap(),
                text(m, "resource").to_string(),
            )
        })
        .collect();
    got.sort();
    let monitor = "Service/monitor".to_string();
    let mut want = vec![
        ("compose-image-latest".to_string(), 15, monitor.clone()),
        ("compose-privileged".to_string(), 16, monitor.clone()),
        (
            "compose-dangerous-capability".to_string(),
            19,
            monitor.clone(),
        ),
        ("compose-host-network".to_string(), 20, monitor.clone()),
        ("compose-host-pid".to_string(), 21, monitor.clone()),
        ("compose-host-ipc".to_string(), 22, monitor.clone()),
        ("compose-user-root".to_string(), 23, monitor.clone()),
        ("compose-unconfined".to_string(), 25, monitor.clone()),
        ("compose-docker-socket".to_string(), 27, monitor.clone()),
        (
            "compose-sensitive-host-path".to_string(),
            28,
            monitor.clone(),
        ),
        ("compose-secret-env".to_string(), 30, monitor.clone()),
    ];
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn compose_controls_count_under_docker_cis() {
    let (code, r, err) = run_json(&[
        "scan",
        "config",
        &config_fixture("compose/docker-compose.yml"),
        "--compliance",
        "docker-cis",
        "--format",
        "json",
        "--exit-code",
        "3",
    ]);
    assert_eq!(code, 3, "{err}");
    let failed: Vec<&str> = r["compliance"]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "FAIL")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for control in ["5.4", "5.5", "5.9", "5.15", "5.16", "5.31", "4.1"] {
        assert!(
            failed.contains(&control),
            "{control} not failed: {failed:?}"
        );
    }
}
