//! Findings of `scan_k8s` over rampart's own fixtures: exact rule ids, resources and lines,
//! with insta snapshots of the rendered findings.

use rampart_misconfig::{Config, Level, Misconfiguration, scan_k8s, scan_k8s_files};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/k8s");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// One line per finding: `rule file:line resource: message`, in file order.
fn render(found: &[Misconfiguration]) -> String {
    let mut v: Vec<&Misconfiguration> = found.iter().collect();
    v.sort_by(|a, b| (a.line, &a.rule_id, &a.message).cmp(&(b.line, &b.rule_id, &b.message)));
    v.iter()
        .map(|m| {
            format!(
                "{} {}:{} {}: {}",
                m.rule_id, m.file, m.line, m.resource, m.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Scan a fixture and check the exact (rule, line) pairs found.
fn check(name: &str, cfg: &Config, expect: &[(&str, u32)]) -> Vec<Misconfiguration> {
    let (found, diags) = scan_k8s(name, &read(name), cfg).unwrap_or_else(|e| panic!("{e}"));
    assert!(diags.is_empty(), "{diags:?}");
    let mut got: Vec<(&str, u32)> = found.iter().map(|m| (m.rule_id.as_str(), m.line)).collect();
    got.sort();
    let mut want = expect.to_vec();
    want.sort();
    assert_eq!(got, want, "\n{}", render(&found));
    found
}

#[test]
fn shop_baseline_findings() {
    let cfg = Config {
        pss_level: Some(Level::Baseline),
        ..Config::default()
    };
    let found = check(
        "shop.yaml",
        &cfg,
        &[
            ("k8s-host-namespaces", 20),
            ("k8s-image-latest", 23),
            ("k8s-image-digest", 23),
            ("k8s-secret-literal-env", 26),
            ("k8s-secret-env", 29),
            ("k8s-readonly-rootfs", 22),
            ("k8s-privileged", 31),
            ("k8s-capabilities-baseline", 33),
            ("k8s-resource-limits", 22),
            ("k8s-automount-token", 19),
            ("k8s-host-path", 38),
            ("k8s-docker-socket", 39),
            ("k8s-service-external", 73),
            ("k8s-rbac-wildcard", 83),
            ("k8s-rbac-escalate", 83),
            ("k8s-rbac-csr-approve", 83),
            ("k8s-rbac-secrets", 86),
            ("k8s-rbac-pod-exec", 89),
            ("k8s-rbac-nodes-proxy", 89),
            ("k8s-rbac-token-create", 89),
            ("k8s-rbac-cluster-admin", 100),
            ("k8s-netpol-default-deny", 7),
        ],
    );
    let privileged = found
        .iter()
        .find(|m| m.rule_id == "k8s-privileged")
        .expect("privileged");
    assert_eq!(privileged.resource, "Deployment/shop/web");
    assert!(
        privileged
            .frameworks
            .iter()
            .any(|f| f == "k8s-pss-baseline:Privileged Containers")
    );
    insta::assert_snapshot!("shop_baseline", render(&found));
}

#[test]
fn shop_restricted_adds_restricted_controls_only_to_web() {
    let (found, _) = scan_k8s("shop.yaml", &read("shop.yaml"), &Config::default()).expect("scan");
    let restricted: Vec<(&str, &str, u32)> = found
        .iter()
        .filter(|m| {
            [
                "k8s-allow-privilege-escalation",
                "k8s-run-as-non-root",
                "k8s-seccomp-required",
                "k8s-capabilities-restricted",
                "k8s-volume-types",
            ]
            .contains(&m.rule_id.as_str())
        })
        .map(|m| (m.rule_id.as_str(), m.resource.as_str(), m.line))
        .collect();
    // The CronJob is fully restricted-compliant; the hostPath volume and SYS_ADMIN stay under
    // their baseline rules rather than being reported twice.
    assert_eq!(
        restricted,
        vec![
            ("k8s-allow-privilege-escalation", "Deployment/shop/web", 22),
            ("k8s-run-as-non-root", "Deployment/shop/web", 22),
            ("k8s-seccomp-required", "Deployment/shop/web", 22),
            ("k8s-capabilities-restricted", "Deployment/shop/web", 32),
        ]
    );
}

#[test]
fn cluster_dump_json_list() {
    let found = check(
        "cluster-dump.json",
        &Config::default(),
        &[
            ("k8s-host-namespaces", 10),
            ("k8s-image-latest", 15),
            ("k8s-image-digest", 15),
            ("k8s-run-as-root-uid", 16),
            ("k8s-run-as-non-root", 13),
            ("k8s-allow-privilege-escalation", 13),
            ("k8s-seccomp-required", 13),
            ("k8s-capabilities-restricted", 13),
            ("k8s-readonly-rootfs", 13),
            ("k8s-resource-limits", 13),
            ("k8s-service-external", 35),
        ],
    );
    assert!(
        found
            .iter()
            .all(|m| m.resource.starts_with("Pod/tools/debug")
                || m.resource == "Service/tools/debug")
    );
    insta::assert_snapshot!("cluster_dump", render(&found));
}

/// The NetworkPolicy of one file covers the workloads of another when scanned together.
#[test]
fn default_deny_is_a_whole_scan_check() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: tools}\nspec:\n  containers: [{name: c, image: x:1}]\n";
    let np = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: tools}\nspec:\n  podSelector: {}\n";
    let count = |found: &[Misconfiguration]| {
        found
            .iter()
            .filter(|m| m.rule_id == "k8s-netpol-default-deny")
            .count()
    };
    let (alone, _) = scan_k8s("pod.yaml", pod, &Config::default()).expect("scan");
    assert_eq!(count(&alone), 1);
    let (together, diags) =
        scan_k8s_files(&[("pod.yaml", pod), ("np.yaml", np)], &Config::default());
    assert!(diags.is_empty());
    assert_eq!(count(&together), 0);
}

/// Every workload kind exposes its pod spec: the same privileged container is found in each.
#[test]
fn every_workload_kind_is_checked() {
    let container = "containers: [{name: c, image: x:1, securityContext: {privileged: true}}]";
    let cases = [
        ("Pod", format!("spec:\n  {container}\n")),
        (
            "Deployment",
            format!("spec:\n  template:\n    spec:\n      {container}\n"),
        ),
        (
            "ReplicaSet",
            format!("spec:\n  template:\n    spec:\n      {container}\n"),
        ),
        (
            "StatefulSet",
            format!("spec:\n  template:\n    spec:\n      {container}\n"),
        ),
        (
            "DaemonSet",
            format!("spec:\n  template:\n    spec:\n      {container}\n"),
        ),
        (
            "Job",
            format!("spec:\n  template:\n    spec:\n      {container}\n"),
        ),
        (
            "ReplicationController",
            format!("spec:\n  template:\n    spec:\n      {container}\n"),
        ),
        (
            "PodTemplate",
            format!("template:\n  spec:\n    {container}\n"),
        ),
        (
            "CronJob",
            format!(
                "spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          {container}\n"
            ),
        ),
    ];
    for (kind, body) in cases {
        let text =
            format!("apiVersion: v1\nkind: {kind}\nmetadata: {{name: w, namespace: ns}}\n{body}");
        let (found, _) = scan_k8s("w.yaml", &text, &Config::default()).expect("scan");
        let hits: Vec<&Misconfiguration> = found
            .iter()
            .filter(|m| m.rule_id == "k8s-privileged")
            .collect();
        assert_eq!(hits.len(), 1, "{kind}");
        assert_eq!(hits[0].resource, format!("{kind}/ns/w"));
    }
}

/// A Namespace's `pod-security.kubernetes.io/enforce` labels choose the profile and version
/// its workloads are held to: the same pod is judged by restricted v1.37, baseline v1.22,
/// and not at all under `privileged`.
#[test]
fn namespace_labels_choose_level_and_version() {
    let ns = |name: &str, level: &str, version: &str| {
        format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels:\n    pod-security.kubernetes.io/enforce: {level}\n    pod-security.kubernetes.io/enforce-version: {version}\n---\n"
        )
    };
    // Unmasked procMount in a user namespace: allowed by baseline from v1.35 only.
    let pod = |namespace: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: {namespace}}}\nspec:\n  hostUsers: false\n  containers:\n  - name: c\n    image: x:1\n    securityContext: {{procMount: Unmasked}}\n---\n"
        )
    };
    let text = [
        ns("old", "baseline", "v1.22"),
        ns("new", "baseline", "latest"),
        ns("open", "privileged", "latest"),
        pod("old"),
        pod("new"),
        pod("open"),
        pod("unlabelled"),
    ]
    .concat();
    let (found, diags) = scan_k8s("ns.yaml", &text, &Config::default()).expect("scan");
    assert!(diags.is_empty(), "{diags:?}");
    let proc_mount: Vec<&str> = found
        .iter()
        .filter(|m| m.rule_id == "k8s-proc-mount")
        .map(|m| m.resource.as_str())
        .collect();
    // old: baseline v1.22 refuses it; new: baseline v1.37 allows it; open: privileged;
    // unlabelled: the configured default (restricted latest) refuses it.
    assert_eq!(proc_mount, vec!["Pod/old/p", "Pod/unlabelled/p"]);
    let restricted_only = found
        .iter()
        .filter(|m| m.rule_id == "k8s-seccomp-required")
        .count();
    assert_eq!(
        restricted_only, 1,
        "only the unlabelled pod is held to restricted"
    );
}

/// A ServiceAccount that disables token automounting covers the pods that use it, unless a
/// pod turns it back on.
#[test]
fn service_account_automount_setting_is_honoured() {
    let text = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: quiet, namespace: app}\nautomountServiceAccountToken: false\n---\n\
apiVersion: v1\nkind: Pod\nmetadata: {name: uses-quiet, namespace: app}\nspec:\n  serviceAccountName: quiet\n  containers: [{name: c, image: x:1}]\n---\n\
apiVersion: v1\nkind: Pod\nmetadata: {name: overrides, namespace: app}\nspec:\n  serviceAccountName: quiet\n  automountServiceAccountToken: true\n  containers: [{name: c, image: x:1}]\n---\n\
apiVersion: v1\nkind: Pod\nmetadata: {name: default-sa, namespace: app}\nspec:\n  containers: [{name: c, image: x:1}]\n";
    let (found, _) = scan_k8s("sa.yaml", text, &Config::default()).expect("scan");
    let flagged: Vec<(&str, u32)> = found
        .iter()
        .filter(|m| m.rule_id == "k8s-automount-token")
        .map(|m| (m.resource.as_str(), m.line))
        .collect();
    assert_eq!(
        flagged,
        vec![("Pod/app/overrides", 18), ("Pod/app/default-sa", 24)]
    );
}
