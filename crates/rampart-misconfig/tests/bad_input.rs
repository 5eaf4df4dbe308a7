//! Hostile and broken input: every case ends in a clear error or a skip, never a panic or a hang.

use rampart_misconfig::{Config, MisconfigError, scan_k8s};
use std::time::{Duration, Instant};

const FIXTURE: &str = include_str!("fixtures/k8s/shop.yaml");

#[test]
fn invalid_yaml_names_file_and_line() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\nspec: {}\n";
    let err = scan_k8s("broken.yaml", text, &Config::default()).unwrap_err();
    assert!(
        matches!(err, MisconfigError::Syntax { line: 5, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("broken.yaml: line 5: invalid YAML"),
        "{err}"
    );
}

#[test]
fn billion_laughs_is_refused_quickly() {
    let mut text = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, prev) in ["b", "c", "d", "e", "f", "g", "h", "i", "j"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("  {i}: &{i} [{refs}]\n"));
    }
    let start = Instant::now();
    let err = scan_k8s("lol.yaml", &text, &Config::default()).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(20));
    assert!(matches!(err, MisconfigError::Limit { .. }), "{err:?}");
    assert!(err.to_string().contains("more than 4000000 nodes"), "{err}");
}

#[test]
fn deep_nesting_is_refused() {
    let text = format!("a: {}{}", "[".repeat(100_000), "]".repeat(100_000));
    let err = scan_k8s("deep.yaml", &text, &Config::default()).unwrap_err();
    assert!(err.to_string().starts_with("deep.yaml: line 1: "), "{err}");
}

/// 10 MB of real manifests is scanned in full; past the size limit is a clear error.
#[test]
fn ten_megabytes_scan_and_oversize_is_refused() {
    let copies = 10 * 1024 * 1024 / FIXTURE.len() + 1;
    let text = vec![FIXTURE; copies].join("---\n");
    assert!(text.len() >= 10 * 1024 * 1024);
    let start = Instant::now();
    let (found, diags) = scan_k8s("big.yaml", &text, &Config::default()).expect("10 MB scans");
    eprintln!("10 MB: {} findings in {:?}", found.len(), start.elapsed());
    let (one, _) = scan_k8s("one.yaml", FIXTURE, &Config::default()).expect("scan");
    // Per-copy findings repeat; the per-namespace default-deny finding appears once.
    assert_eq!(found.len(), (one.len() - 1) * copies + 1);
    assert!(diags.is_empty());

    let cfg = Config {
        limits: rampart_misconfig::yaml::Limits {
            max_bytes: 1024 * 1024,
            ..Default::default()
        },
        ..Config::default()
    };
    let err = scan_k8s("big.yaml", &text, &cfg).unwrap_err();
    assert!(
        err.to_string().starts_with("big.yaml: line 1: file is "),
        "{err}"
    );
}

#[test]
fn non_kubernetes_yaml_is_skipped_with_a_note() {
    let text = "name: CI\non:\n  push: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n";
    let (found, diags) =
        scan_k8s(".github/workflows/ci.yml", text, &Config::default()).expect("scan");
    assert!(found.is_empty());
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].level, rampart_core::Level::Info);
    assert_eq!(diags[0].path, ".github/workflows/ci.yml");
}

#[test]
fn empty_and_scalar_documents() {
    for text in [
        "",
        "---\n",
        "just a string\n",
        "- 1\n- 2\n",
        "---\n...\n---\nnull\n",
    ] {
        let (found, _) = scan_k8s("x.yaml", text, &Config::default()).expect("scan");
        assert!(found.is_empty(), "{text:?}");
    }
}

/// Wrongly typed fields (a string where a list belongs, a list where a map belongs) are ignored.
#[test]
fn wrong_types_do_not_panic() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: [1]\nspec:\n  containers: 5\n  initContainers: [1, \"x\", {securityContext: 3}]\n  volumes: {a: b}\n  securityContext: [seccompProfile]\n";
    let (found, _) = scan_k8s("odd.yaml", text, &Config::default()).expect("scan");
    assert!(found.iter().all(|m| m.resource == "Pod/"));
}

/// Every prefix of a real manifest is either an error or a scan; none panics.
#[test]
fn truncated_manifests_never_panic() {
    let mut errors = 0;
    for end in (0..FIXTURE.len()).step_by(3) {
        if !FIXTURE.is_char_boundary(end) {
            continue;
        }
        if scan_k8s("cut.yaml", &FIXTURE[..end], &Config::default()).is_err() {
            errors += 1;
        }
    }
    assert!(errors > 0);
}

/// Deterministic mutation run: 3,000 inputs made by replacing, inserting and deleting
/// YAML- and shell-significant characters in real manifests; each scan returns, none panics.
#[test]
fn mutated_manifests_never_panic() {
    const SPECIAL: &[u8] = b":-[]{}&*!|>\"'\n #%@`\t,?<\\$=";
    let seeds = [
        FIXTURE,
        include_str!("fixtures/k8s/cluster-dump.json"),
        include_str!("fixtures/docker/Dockerfile"),
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut ok, mut err) = (0, 0);
    for round in 0..3000 {
        let seed = seeds[round % seeds.len()].as_bytes();
        let mut bytes = seed.to_vec();
        for _ in 0..(1 + next() % 8) {
            let pos = (next() as usize) % (bytes.len() + 1);
            let ch = SPECIAL[(next() as usize) % SPECIAL.len()];
            match next() % 3 {
                0 if pos < bytes.len() => bytes[pos] = ch,
                1 => bytes.insert(pos, ch),
                _ if pos < bytes.len() => {
                    bytes.remove(pos);
                }
                _ => bytes.push(ch),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        match scan_k8s("m.yaml", &text, &Config::default()) {
            Ok(_) => ok += 1,
            Err(e) => {
                assert!(e.to_string().starts_with("m.yaml: line "), "{e}");
                err += 1;
            }
        }
        rampart_misconfig::scan_dockerfile("Dockerfile", &text, &Config::default())
            .expect("Dockerfiles below the size limit always scan");
    }
    eprintln!("mutations: {ok} scanned, {err} refused");
    assert!(ok > 0 && err > 0);
}

/// An unrendered Helm template is skipped with a note, not reported as broken YAML.
#[test]
fn helm_templates_are_skipped_with_a_note() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n  {{- include \"labels\" . | nindent 2 }}\nspec: {}\n";
    let (found, diags) = scan_k8s("templates/pod.yaml", text, &Config::default()).expect("skip");
    assert!(found.is_empty());
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].level, rampart_core::Level::Info);
    assert!(
        diags[0]
            .message
            .starts_with("unrendered template ({{ ... }})"),
        "{}",
        diags[0].message
    );
}
