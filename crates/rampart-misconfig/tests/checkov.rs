//! Checkov's labelled Kubernetes fixtures as an oracle: for every Checkov check family that
//! rampart claims, each `*FAILED*` file must get at least one finding of the mapped rampart
//! rule and each `*PASSED*` file none. Files whose name carries both verdicts (several
//! resources with different outcomes) or neither (`UNKNOWN`) are not counted.

use rampart_misconfig::{Config, scan_k8s};
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// Checkov fixture folder (`example_<Check>`) -> rampart rule id.
const FAMILIES: &[(&str, &str)] = &[
    ("AllowPrivilegeEscalation", "k8s-allow-privilege-escalation"),
    ("AllowedCapabilitiesSysAdmin", "k8s-capabilities-baseline"),
    ("DefaultNamespace", "k8s-default-namespace"),
    ("DockerSocketVolume", "k8s-docker-socket"),
    ("DropCapabilities", "k8s-capabilities-restricted"),
    ("HostPort", "k8s-host-ports"),
    ("ImageDigest", "k8s-image-digest"),
    ("ImageTagFixed", "k8s-image-latest"),
    ("PrivilegedContainers", "k8s-privileged"),
    ("ReadOnlyFilesystem", "k8s-readonly-rootfs"),
    ("Requests_Limits", "k8s-resource-limits"),
    ("RootContainers", "k8s-run-as-non-root"),
    ("Seccomp", "k8s-seccomp-required"),
    ("Secrets", "k8s-secret-env"),
    ("ServiceAccountTokens", "k8s-automount-token"),
    ("ShareHost", "k8s-host-namespaces"),
    ("WildcardRoles", "k8s-rbac-wildcard"),
    ("RbacBindRoleBindings", "k8s-rbac-escalate"),
    ("RbacEscalateRoles", "k8s-rbac-escalate"),
    ("RbacControlWebhooks", "k8s-rbac-webhooks"),
    (
        "RbacApproveCertificateSigningRequests",
        "k8s-rbac-csr-approve",
    ),
];

/// Files where rampart deliberately disagrees with Checkov's label, and why.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "AllowedCapabilitiesSysAdmin",
        "pod-FAILED2.yaml",
        "`containers:` is empty: no container adds SYS_ADMIN",
    ),
    (
        "DropCapabilities",
        "pod-drop-NET_RAW-capabilities-PASSED.yaml",
        "rampart follows the PSS restricted profile: drop must contain ALL, dropping NET_RAW alone is not enough",
    ),
    (
        "DropCapabilities",
        "pod-drop-all-capabilities-PASSED2.yaml",
        "`drop: [all]` in lower case: Pod Security admission compares the name exactly and requires \"ALL\"",
    ),
    (
        "RootContainers",
        "rootContainersPASSED.yaml",
        "PSS runAsNonRoot: runAsUser > 0 does not satisfy it, and pod-level runAsNonRoot=false is refused even when every container overrides it",
    ),
    (
        "RootContainers",
        "rootContainersFAILED-malformed-spec.yaml",
        "spec is a sequence, not a pod spec: there is no pod to judge",
    ),
    (
        "Seccomp",
        "cronjob-seccomp-PASSED.yaml",
        "the seccomp annotations stopped having any effect in Kubernetes 1.27; PSS reads the seccompProfile field from v1.19",
    ),
    (
        "Seccomp",
        "pod-seccomp-PASSED.yaml",
        "seccomp annotation only (no effect since Kubernetes 1.27)",
    ),
    (
        "Seccomp",
        "pod-seccomp-PASSED2.yaml",
        "seccomp annotation only (no effect since Kubernetes 1.27)",
    ),
    (
        "Seccomp",
        "pod-seccomp-PASSED6.yaml",
        "seccomp annotation only (no effect since Kubernetes 1.27)",
    ),
];

fn corpus(sub: &str) -> Option<PathBuf> {
    let p = Path::new(CORPUS).join(sub);
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("corpus folder {} is missing (CI=true)", p.display());
    }
    eprintln!("note: {} missing; skipping", p.display());
    None
}

/// The verdict a Checkov fixture's file name carries: Some(true) passed, Some(false) failed.
fn expected(name: &str) -> Option<bool> {
    let n = name.to_ascii_lowercase();
    let pass = n.contains("pass");
    let fail = n.contains("fail");
    match (pass, fail) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

#[test]
fn checkov_kubernetes_families_agree() {
    let Some(root) = corpus("checkov-test-fixtures/kubernetes/checks") else {
        return;
    };
    let cfg = Config::default();
    let mut total = 0;
    let mut agree = 0;
    let mut bad = Vec::new();
    let mut excepted_count = 0;
    for (family, rule_id) in FAMILIES {
        let dir = root.join(format!("example_{family}"));
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        let (mut fam_total, mut fam_agree) = (0, 0);
        for f in files {
            let name = f
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let Some(expect_pass) = expected(&name) else {
                continue;
            };
            let text = std::fs::read_to_string(&f).expect("read");
            let (found, _) = scan_k8s(&name, &text, &cfg).unwrap_or_else(|e| panic!("{e}"));
            let hits: Vec<String> = found
                .iter()
                .filter(|m| m.rule_id == *rule_id)
                .map(|m| format!("{}:{} {}", m.resource, m.line, m.message))
                .collect();
            fam_total += 1;
            let excepted = EXCEPTIONS.iter().any(|(f, n, _)| f == family && *n == name);
            if excepted {
                // A justified disagreement must still be a disagreement, or the entry is stale.
                assert_ne!(
                    hits.is_empty(),
                    expect_pass,
                    "stale exception {family}/{name}"
                );
                excepted_count += 1;
            } else if hits.is_empty() == expect_pass {
                fam_agree += 1;
            } else {
                bad.push(format!(
                    "{family}/{name} ({rule_id}): expected {}, findings {hits:?}",
                    if expect_pass { "none" } else { "some" }
                ));
            }
        }
        println!("{family:<40} -> {rule_id:<32} {fam_agree}/{fam_total} agree");
        total += fam_total;
        agree += fam_agree;
    }
    println!(
        "checkov Kubernetes: {agree}/{total} labelled files agree over {} families ({excepted_count} justified exceptions)",
        FAMILIES.len()
    );
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert_eq!(
        excepted_count,
        EXCEPTIONS.len(),
        "every exception names a labelled file"
    );
    assert_eq!(total, 94, "labelled files in the claimed families");
    assert_eq!(agree + excepted_count, total);
}
