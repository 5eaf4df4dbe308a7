//! Helpers shared by the CLI's end-to-end tests: where the corpus is, how to run the binary,
//! and how to pack directories into real image archives (docker-archive and OCI layout).
#![allow(dead_code)]

use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The shared corpus, or `None` (the test returns) when it is missing outside CI.
pub fn corpus(sub: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(sub);
    if p.exists() {
        return Some(p);
    }
    if std::env::var_os("CI").is_some() {
        panic!("corpus folder {} is missing (CI=true)", p.display());
    }
    eprintln!("note: {} missing; test skipped", p.display());
    None
}

/// Whether slow tests run (`RAMPART_SLOW_TESTS=0` skips them locally; CI always runs them).
pub fn slow_tests() -> bool {
    std::env::var_os("CI").is_some()
        || std::env::var("RAMPART_SLOW_TESTS")
            .map(|v| v != "0")
            .unwrap_or(true)
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A command running the `rampart` binary.
pub fn rampart() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
}

/// Run rampart with `args`; returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = rampart().args(args).output().expect("run rampart");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A fixture under `tests/fixtures/config/`.
pub fn config_fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/config/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Parse a JSON report (or any JSON rampart printed); panics with the text when it is not.
pub fn parse_json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text:.2000}"))
}

/// Run rampart with `args` (which should ask for `--format json` on stdout) and parse the
/// report; panics on exit code 2. Returns (exit code, report, stderr).
pub fn run_json(args: &[&str]) -> (i32, serde_json::Value, String) {
    let (code, out, err) = run(args);
    assert_ne!(code, 2, "rampart {args:?} failed: {err}");
    (code, parse_json(&out), err)
}

/// Run rampart with `args` plus `--format json --output FILE`, validate the report file
/// against the schema and parse it; panics on exit code 2. Returns (exit code, report).
pub fn run_report(args: &[&str]) -> (i32, serde_json::Value) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report.json");
    let mut all = args.to_vec();
    all.extend(["--format", "json", "--output", out.to_str().unwrap()]);
    let (code, _, err) = run(&all);
    assert_ne!(code, 2, "rampart {all:?} failed: {err}");
    validate("report", &out);
    let text = fs::read_to_string(&out).unwrap();
    (code, parse_json(&text))
}

/// Validate a JSON report held in memory against the report schema.
pub fn validate_report_json(json: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("report.json");
    fs::write(&p, json).unwrap();
    validate("report", &p);
}

/// The report's `misconfigurations[]`.
pub fn misconfigurations(r: &serde_json::Value) -> &Vec<serde_json::Value> {
    r["misconfigurations"]
        .as_array()
        .unwrap_or_else(|| panic!("no misconfigurations[] in {r}"))
}

/// A string field of a JSON object (`""` when absent).
pub fn text<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// The Debian 12 minbase root filesystem made by `scripts/debootstrap-fixture` (cached).
pub fn debootstrap_rootfs() -> Option<PathBuf> {
    if !slow_tests() {
        eprintln!("note: RAMPART_SLOW_TESTS=0; debootstrap test skipped");
        return None;
    }
    let script = repo_root().join("scripts/debootstrap-fixture");
    let out = Command::new(&script)
        .output()
        .expect("run scripts/debootstrap-fixture");
    assert!(
        out.status.success(),
        "scripts/debootstrap-fixture failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Validate `file` with scripts/validate.py (`report`, `cyclonedx` or `spdx`); panics with
/// the validator's messages when invalid.
pub fn validate(kind: &str, file: &Path) {
    let out = Command::new("python3")
        .arg(repo_root().join("scripts/validate.py"))
        .arg(kind)
        .arg(file)
        .output()
        .expect("python3 (run scripts/setup)");
    assert!(
        out.status.success(),
        "{kind} validation of {} failed:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One layer entry made by tests.
pub enum Entry<'a> {
    /// A regular file.
    File(&'a str, &'a [u8]),
    /// A directory.
    Dir(&'a str),
    /// A symlink (path, target).
    Symlink(&'a str, &'a str),
}

/// A layer tar from entries.
pub fn layer_from_entries(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        match e {
            Entry::File(p, data) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(data.len() as u64);
                h.set_mode(0o644);
                b.append_data(&mut h, p, *data).unwrap();
            }
            Entry::Dir(p) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
                h.set_mode(0o755);
                b.append_data(&mut h, p, std::io::empty()).unwrap();
            }
            Entry::Symlink(p, t) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_size(0);
                h.set_mode(0o777);
                b.append_link(&mut h, p, t).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

/// A layer tar holding the whole directory `dir` (symlinks kept as symlinks).
pub fn layer_from_dir(dir: &Path) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    b.follow_symlinks(false);
    b.mode(tar::HeaderMode::Deterministic);
    b.append_dir_all(".", dir).unwrap();
    b.into_inner().unwrap()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn image_config(diff_ids: &[String]) -> Vec<u8> {
    image_config_with(
        diff_ids,
        &["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        &[],
    )
}

/// An image config with `env` and, when given, one `created_by` per layer.
fn image_config_with(diff_ids: &[String], env: &[&str], created_by: &[&str]) -> Vec<u8> {
    let history: Vec<serde_json::Value> = (0..diff_ids.len())
        .map(|i| serde_json::json!({"created_by": created_by.get(i).copied().unwrap_or("test layer")}))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": env, "Cmd": ["bash"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .unwrap()
}

/// Write a `docker save`-style archive of gzip layers to `out`.
pub fn write_docker_archive(layers: &[Vec<u8>], out: &Path) {
    write_docker_archive_with(layers, out, &["PATH=/usr/bin:/bin"], &[]);
}

/// Write a `docker save`-style archive with the given config env and build steps.
pub fn write_docker_archive_with(
    layers: &[Vec<u8>],
    out: &Path,
    env: &[&str],
    created_by: &[&str],
) {
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", sha256_hex(l)))
        .collect();
    let config = image_config_with(&diff_ids, env, created_by);
    let config_name = format!("{}.json", sha256_hex(&config));
    let mut b = tar::Builder::new(fs::File::create(out).unwrap());
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, data).unwrap();
    };
    let mut names = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        let name = format!("layer{i}/layer.tar.gz");
        add(&name, &gzip(l));
        names.push(name);
    }
    add(&config_name, &config);
    let manifest = serde_json::json!([{"Config": config_name, "RepoTags": ["rampart-test:latest"], "Layers": names}]);
    add("manifest.json", &serde_json::to_vec(&manifest).unwrap());
    b.finish().unwrap();
}

/// Write an OCI image layout directory of gzip layers to `out`.
pub fn write_oci_layout(layers: &[Vec<u8>], out: &Path) {
    let blobs = out.join("blobs/sha256");
    fs::create_dir_all(&blobs).unwrap();
    let put = |data: &[u8]| -> (String, usize) {
        let d = sha256_hex(data);
        fs::write(blobs.join(&d), data).unwrap();
        (format!("sha256:{d}"), data.len())
    };
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", sha256_hex(l)))
        .collect();
    let layer_descs: Vec<serde_json::Value> = layers
        .iter()
        .map(|l| {
            let (d, n) = put(&gzip(l));
            serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": n})
        })
        .collect();
    let (cd, cn) = put(&image_config(&diff_ids));
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cn},
        "layers": layer_descs,
    }))
    .unwrap();
    let (md, mn) = put(&manifest);
    fs::write(out.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": mn,
                        "annotations": {"org.opencontainers.image.ref.name": "latest"}}],
    });
    fs::write(out.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

/// True when a root-only test (eBPF, netlink) can run. Without root it is skipped loudly,
/// except under CI, where it fails.
pub fn root() -> bool {
    let euid = fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|v| v.split_whitespace().nth(1).map(str::to_string))
        })
        .unwrap_or_default();
    if euid == "0" {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the sensor tests need root (CI=true)");
    }
    eprintln!("\n*** SKIPPED: rampart sensor tests need root (eBPF); run them as root ***\n");
    false
}

/// A running `rampart sensor` whose stdout (alerts) and stderr are captured.
pub struct Sensor {
    child: std::process::Child,
    stderr: std::thread::JoinHandle<String>,
}

/// Runs a command that triggers sensor activity, waits for it, asserts it succeeded, and
/// returns its pid.
pub fn run_trigger(cmd: &mut Command) -> u32 {
    let mut c = cmd.spawn().expect("spawn trigger");
    let pid = c.id();
    let st = c.wait().expect("wait trigger");
    assert!(st.success(), "{cmd:?}: {st}");
    pid
}

/// Starts `rampart sensor ARGS` and waits (up to 2 min) until its event source is attached.
pub fn start_sensor<I, S>(args: I) -> Sensor
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    use std::io::BufRead;
    use std::process::Stdio;
    let mut child = rampart()
        .arg("sensor")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rampart sensor");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let mut all = String::new();
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("attached via") {
                let _ = tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    if rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .is_err()
    {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "sensor did not attach:\n{}",
            handle.join().unwrap_or_default()
        );
    }
    Sensor {
        child,
        stderr: handle,
    }
}

/// Waits for the sensor to exit (after SIGTERM when `term`); returns its JSON alerts and
/// stderr. It must exit 0 and say it stopped.
pub fn finish_sensor(mut r: Sensor, term: bool) -> (Vec<serde_json::Value>, String) {
    use std::io::Read;
    if term {
        // Let the last records reach user space.
        std::thread::sleep(std::time::Duration::from_millis(800));
        let st = Command::new("kill")
            .args(["-TERM", &r.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(st.success());
    }
    let mut text = String::new();
    r.child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut text)
        .expect("read alerts");
    let status = r.child.wait().expect("wait");
    let err = r.stderr.join().unwrap_or_default();
    assert_eq!(status.code(), Some(0), "sensor exit status; stderr:\n{err}");
    assert!(err.contains("rampart: sensor: stopped"), "{err}");
    let alerts = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("alert JSON line"))
        .collect();
    (alerts, err)
}
