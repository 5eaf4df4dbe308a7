//! The command line's contract: help, completions, exit codes and one-line errors.

mod common;

use common::*;

#[test]
fn help_lists_the_commands() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    for cmd in ["scan", "sbom", "completions"] {
        assert!(out.contains(cmd), "--help lacks {cmd}:\n{out}");
    }
    let (code, out, _) = run(&["scan", "--help"]);
    assert_eq!(code, 0);
    for cmd in ["image", "rootfs", "fs"] {
        assert!(out.contains(cmd), "scan --help lacks {cmd}:\n{out}");
    }
}

#[test]
fn completions_for_bash() {
    let (code, out, _) = run(&["completions", "bash"]);
    assert_eq!(code, 0);
    assert!(out.contains("_rampart"), "{out:.200}");
}

#[test]
fn missing_target_is_a_one_line_error_with_exit_2() {
    let (code, out, err) = run(&["scan", "fs", "/nonexistent/rampart-test"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("rampart: error: /nonexistent/rampart-test"),
        "{err}"
    );
}

#[test]
fn bad_usage_exits_2() {
    let (code, _, err) = run(&["scan", "image"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = run(&["scan", "fs", ".", "--format", "nope"]);
    assert_eq!(code, 2);
}

#[test]
fn truncated_image_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let layer = layer_from_entries(&[Entry::File(
        "etc/os-release",
        b"ID=debian\nVERSION_ID=\"12\"\n",
    )]);
    let full = tmp.path().join("full.tar");
    write_docker_archive(&[layer], &full);
    let bytes = std::fs::read(&full).unwrap();
    let cut = tmp.path().join("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let (code, _, err) = run(&["scan", "image", cut.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("rampart: error: "), "{err}");
    assert!(err.contains("cut.tar"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn output_file_is_written_whole() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("requirements.txt"),
        "requests==2.31.0\nflask==3.0.0\n",
    )
    .unwrap();
    let out = tmp.path().join("report.json");
    let (code, stdout, err) = run(&[
        "scan",
        "fs",
        tmp.path().to_str().unwrap(),
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty());
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let names: Vec<&str> = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["flask", "requests"]);
    validate("report", &out);
}

#[test]
fn skip_dirs_prunes_the_walk() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let lock = |name: &str| {
        format!(
            r#"{{"name":"app","lockfileVersion":3,"packages":{{"":{{"name":"app"}},"node_modules/{name}":{{"version":"1.0.0"}}}}}}"#
        )
    };
    std::fs::create_dir_all(tmp.path().join("app")).unwrap();
    std::fs::write(tmp.path().join("app/package-lock.json"), lock("kept")).unwrap();
    let skipped = tmp.path().join("build/cache");
    std::fs::create_dir_all(&skipped).unwrap();
    std::fs::write(skipped.join("package-lock.json"), lock("dropped")).unwrap();
    // A name the walk would warn about, had it descended.
    let bad = std::ffi::OsStr::from_bytes(b"bad-\xff-name");
    std::fs::write(skipped.join(bad), b"x").unwrap();

    let target = tmp.path().to_str().unwrap();
    let (code, out, err) = run(&["scan", "fs", target, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"dropped\""), "control: the walk sees build/");
    assert!(out.contains("not valid UTF-8"), "control: {out:.2000}");

    for skip in ["build", "build/", "**/cache"] {
        let (code, out, err) = run(&[
            "scan",
            "fs",
            target,
            "--format",
            "json",
            "--skip-dirs",
            skip,
        ]);
        assert_eq!(code, 0, "{err}");
        let report = parse_json(&out);
        let names: Vec<&str> = report["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["kept"], "--skip-dirs {skip}");
        assert!(
            !out.contains("not valid UTF-8"),
            "--skip-dirs {skip} did not prune"
        );
    }
}
