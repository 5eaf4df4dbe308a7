//! The Kubernetes checks beyond the Pod Security Standards (workload hardening, images,
//! secrets, RBAC, Services, NetworkPolicies) and the driver that runs them together with
//! the PSS controls over every resource of a scan. Rule metadata comes from
//! [`crate::rules`]; finding pod specs from [`crate::k8s`].

use crate::k8s::{PodView, Resource, resources_of};
use crate::pss::evaluate_pod_for_scan;
use crate::pss::{Level, PssVersion};
use crate::yaml::{Document, Node};
use crate::{Config, Misconfiguration, rule};
use rampart_core::Diagnostic;
use std::collections::{BTreeMap, HashMap, HashSet};

struct Out<'a> {
    file: &'a str,
    found: Vec<Misconfiguration>,
    /// (namespace, name) of ServiceAccounts in the scan that disable token automounting.
    tokenless_accounts: &'a HashSet<(String, String)>,
}

impl Out<'_> {
    fn add(&mut self, rule_id: &str, res: &Resource<'_>, line: u32, message: String) {
        let Some(meta) = rule(rule_id) else { return };
        self.found.push(Misconfiguration {
            rule_id: meta.id.clone(),
            title: meta.title.clone(),
            severity: meta.severity,
            resource: res.id(),
            file: self.file.to_string(),
            line,
            frameworks: meta.frameworks.clone(),
            remediation: meta.remediation.clone(),
            message,
        });
    }
}

/// Run every check over already parsed files.
pub(crate) fn run(
    files: &[(&str, Vec<Document>)],
    cfg: &Config,
) -> (Vec<Misconfiguration>, Vec<Diagnostic>) {
    let mut found = Vec::new();
    let mut diags = Vec::new();
    // namespace -> first workload (file, resource id, line); namespaces with default deny.
    let mut workloads: BTreeMap<String, (String, String, u32)> = BTreeMap::new();
    let mut denied: Vec<String> = Vec::new();
    let policies = if cfg.namespace_labels {
        namespace_policies(files, &mut diags)
    } else {
        HashMap::new()
    };
    let tokenless_accounts = tokenless_accounts(files);
    for (file, docs) in files {
        let resources = resources_of(docs);
        if resources.is_empty() && !docs.is_empty() {
            diags.push(Diagnostic {
                level: rampart_core::Level::Info,
                path: file.to_string(),
                line: None,
                message: "no Kubernetes objects (kind and apiVersion) found; skipped".to_string(),
            });
        }
        let mut out = Out {
            file,
            found: Vec::new(),
            tokenless_accounts: &tokenless_accounts,
        };
        for res in &resources {
            let policy = res
                .namespace
                .and_then(|ns| policies.get(ns))
                .copied()
                .unwrap_or((cfg.pss_level, cfg.pss_version));
            check_resource(res, policy, &mut out);
            if res.pod_view().is_some() {
                let ns = res.namespace.unwrap_or("default").to_string();
                workloads
                    .entry(ns)
                    .or_insert_with(|| (file.to_string(), res.id(), res.line));
            }
            if res.kind == "NetworkPolicy" && is_default_deny(res.node) {
                denied.push(res.namespace.unwrap_or("default").to_string());
            }
        }
        found.append(&mut out.found);
    }
    if let Some(meta) = rule("k8s-netpol-default-deny") {
        for (ns, (file, resource, line)) in workloads {
            if !denied.contains(&ns) {
                found.push(Misconfiguration {
                    rule_id: meta.id.clone(),
                    title: meta.title.clone(),
                    severity: meta.severity,
                    resource,
                    file,
                    line,
                    frameworks: meta.frameworks.clone(),
                    remediation: meta.remediation.clone(),
                    message: format!(
                        "namespace {ns:?} runs workloads but no NetworkPolicy in the scan denies ingress to all its pods"
                    ),
                });
            }
        }
    }
    (found, diags)
}

fn is_default_deny(np: &Node) -> bool {
    let Some(spec) = np.get("spec") else {
        return false;
    };
    let selects_all = match spec.get("podSelector") {
        None => false,
        Some(sel) => {
            sel.is_null()
                || sel
                    .entries()
                    .iter()
                    .all(|(_, v)| v.is_null() || (v.entries().is_empty() && v.items().is_empty()))
        }
    };
    let types = spec.get("policyTypes").map(Node::items).unwrap_or_default();
    let covers_ingress = types.is_empty() || types.iter().any(|t| t.as_str() == Some("Ingress"));
    let no_ingress_rules = spec.get("ingress").is_none_or(|i| i.items().is_empty());
    selects_all && covers_ingress && no_ingress_rules
}

/// The Pod Security level and version each namespace of the scan enforces through its
/// `pod-security.kubernetes.io/enforce` and `enforce-version` labels.
fn namespace_policies(
    files: &[(&str, Vec<Document>)],
    diags: &mut Vec<Diagnostic>,
) -> HashMap<String, Policy> {
    let mut out = HashMap::new();
    for (file, docs) in files {
        for res in resources_of(docs) {
            if res.kind != "Namespace" {
                continue;
            }
            let labels = res.node.path(&["metadata", "labels"]);
            let Some(level) = labels.and_then(|l| l.get("pod-security.kubernetes.io/enforce"))
            else {
                continue;
            };
            let level = match level.as_str() {
                Some("privileged") => None,
                Some("baseline") => Some(Level::Baseline),
                Some("restricted") => Some(Level::Restricted),
                other => {
                    diags.push(
                        Diagnostic::warning(*file, format!("Namespace {:?}: unknown pod-security.kubernetes.io/enforce level {:?}; ignored", res.name, other.unwrap_or("")))
                            .at_line(level.line),
                    );
                    continue;
                }
            };
            let version = match labels
                .and_then(|l| l.get("pod-security.kubernetes.io/enforce-version"))
            {
                None => PssVersion::LATEST,
                Some(v) => match v.as_str().map(PssVersion::parse) {
                    Some(Ok(v)) => v,
                    _ => {
                        diags.push(
                            Diagnostic::warning(*file, format!("Namespace {:?}: invalid pod-security.kubernetes.io/enforce-version; using latest", res.name))
                                .at_line(v.line),
                        );
                        PssVersion::LATEST
                    }
                },
            };
            out.insert(res.name.to_string(), (level, version));
        }
    }
    out
}

/// ServiceAccounts of the scan with `automountServiceAccountToken: false`.
fn tokenless_accounts(files: &[(&str, Vec<Document>)]) -> HashSet<(String, String)> {
    files
        .iter()
        .flat_map(|(_, docs)| resources_of(docs))
        .filter(|r| {
            r.kind == "ServiceAccount"
                && r.node
                    .get("automountServiceAccountToken")
                    .and_then(Node::as_bool)
                    == Some(false)
        })
        .map(|r| {
            (
                r.namespace.unwrap_or("default").to_string(),
                r.name.to_string(),
            )
        })
        .collect()
}

/// A Pod Security profile (`None`: privileged, no PSS controls) and policy version.
type Policy = (Option<Level>, PssVersion);

fn check_resource(res: &Resource<'_>, policy: Policy, out: &mut Out<'_>) {
    check_namespace(res, out);
    if let Some(pod) = res.pod_view() {
        if let (Some(level), version) = policy {
            for (control, h) in evaluate_pod_for_scan(&pod, level, version) {
                out.add(control.rule_id, res, h.line, h.message);
            }
        }
        check_workload(res, &pod, out);
    }
    match res.kind {
        "Service" => check_service(res, out),
        "Role" | "ClusterRole" => check_role(res, out),
        "RoleBinding" | "ClusterRoleBinding" => {
            if let Some(name) = res.node.path(&["roleRef", "name"])
                && name.as_str() == Some("cluster-admin")
            {
                out.add(
                    "k8s-rbac-cluster-admin",
                    res,
                    name.line,
                    format!("{} grants cluster-admin", res.kind),
                );
            }
        }
        _ => {}
    }
}

/// Kinds that are not namespaced (so have no namespace to check).
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "PodSecurityPolicy",
    "IngressClass",
    "RuntimeClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "CertificateSigningRequest",
    "ClusterIssuer",
    "ComponentStatus",
    "FlowSchema",
    "PriorityLevelConfiguration",
];

fn check_namespace(res: &Resource<'_>, out: &mut Out<'_>) {
    if CLUSTER_SCOPED.contains(&res.kind) || res.kind.ends_with("List") {
        return;
    }
    // Objects Kubernetes itself keeps in the default namespace.
    if (res.kind == "ServiceAccount" && res.name == "default")
        || (res.kind == "Service" && res.name == "kubernetes")
    {
        return;
    }
    match res.node.path(&["metadata", "namespace"]) {
        Some(ns) if ns.as_str() == Some("default") => {
            out.add(
                "k8s-default-namespace",
                res,
                ns.line,
                "object is placed in the default namespace".to_string(),
            );
        }
        Some(ns) if ns.as_str().is_some_and(|s| !s.is_empty()) => {}
        _ => {
            let line = res.node.get("metadata").map_or(res.line, |m| m.line);
            out.add("k8s-default-namespace", res, line, "object sets no namespace, so it lands in the default namespace unless one is given when applied".to_string());
        }
    }
}

fn cname(c: &Node) -> &str {
    c.get("name").and_then(Node::as_str).unwrap_or("?")
}

/// Split an image reference into (tag, has_digest).
pub(crate) fn image_parts(image: &str) -> (Option<&str>, bool) {
    let (name, digest) = match image.split_once('@') {
        Some((n, _)) => (n, true),
        None => (image, false),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    (last.split_once(':').map(|(_, t)| t), digest)
}

const SECRET_NAME_HINTS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
];

const RUNTIME_SOCKETS: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "cri-dockerd.sock",
];

fn check_workload(res: &Resource<'_>, pod: &PodView<'_>, out: &mut Out<'_>) {
    for (kind, c) in pod.containers() {
        let name = cname(c);
        if kind != "ephemeralContainer" {
            let ro = c.path(&["securityContext", "readOnlyRootFilesystem"]);
            if ro.and_then(Node::as_bool) != Some(true) {
                out.add(
                    "k8s-readonly-rootfs",
                    res,
                    ro.map_or(c.line, |n| n.line),
                    format!(
                        "{kind} {name:?} should set securityContext.readOnlyRootFilesystem=true"
                    ),
                );
            }
            let limits = c.path(&["resources", "limits"]);
            let missing: Vec<&str> = ["cpu", "memory"]
                .into_iter()
                .filter(|k| limits.and_then(|l| l.get(k)).is_none_or(Node::is_null))
                .collect();
            if !missing.is_empty() {
                out.add(
                    "k8s-resource-limits",
                    res,
                    c.get("resources").map_or(c.line, |n| n.line),
                    format!("{kind} {name:?} has no {} limit", missing.join(" or ")),
                );
            }
        }
        if let Some(img) = c.get("image")
            && let Some(image) = img.as_str()
        {
            let (tag, digest) = image_parts(image);
            if !digest && (tag.is_none() || tag == Some("latest")) {
                out.add(
                    "k8s-image-latest",
                    res,
                    img.line,
                    format!("{kind} {name:?} image {image:?} has no fixed tag"),
                );
            }
            if !digest {
                out.add(
                    "k8s-image-digest",
                    res,
                    img.line,
                    format!("{kind} {name:?} image {image:?} is not pinned by digest"),
                );
            }
        }
        for e in c.get("env").map(Node::items).unwrap_or_default() {
            let ename = e.get("name").and_then(Node::as_str).unwrap_or("");
            if let Some(r) = e.path(&["valueFrom", "secretKeyRef"]) {
                out.add(
                    "k8s-secret-env",
                    res,
                    r.line,
                    format!("{kind} {name:?} reads a secret into environment variable {ename:?}"),
                );
            }
            let upper = ename.to_ascii_uppercase();
            if let Some(v) = e.get("value")
                && let Some(text) = v.as_str()
                && !text.is_empty()
                && !text.contains("$(")
                && SECRET_NAME_HINTS.iter().any(|h| upper.contains(h))
            {
                out.add(
                    "k8s-secret-literal-env",
                    res,
                    v.line,
                    format!("{kind} {name:?} sets {ename:?} to a literal value"),
                );
            }
        }
        for e in c.get("envFrom").map(Node::items).unwrap_or_default() {
            if let Some(r) = e.get("secretRef") {
                out.add(
                    "k8s-secret-env",
                    res,
                    r.line,
                    format!("{kind} {name:?} loads a whole secret into its environment"),
                );
            }
        }
    }
    let auto = pod.spec.get("automountServiceAccountToken");
    let account = pod
        .spec
        .get("serviceAccountName")
        .or_else(|| pod.spec.get("serviceAccount"))
        .and_then(Node::as_str)
        .unwrap_or("default");
    let account_off = out.tokenless_accounts.contains(&(
        res.namespace.unwrap_or("default").to_string(),
        account.to_string(),
    ));
    let mounts = match auto.and_then(Node::as_bool) {
        Some(v) => v,
        None => !account_off,
    };
    if mounts {
        out.add(
            "k8s-automount-token",
            res,
            auto.map_or(pod.line, |n| n.line),
            "pod should set automountServiceAccountToken=false unless it calls the API server"
                .to_string(),
        );
    }
    for v in pod.volumes() {
        if let Some(p) = v.path(&["hostPath", "path"])
            && let Some(path) = p.as_str()
            && RUNTIME_SOCKETS
                .iter()
                .any(|s| path.trim_end_matches('/').ends_with(s))
        {
            out.add(
                "k8s-docker-socket",
                res,
                p.line,
                format!(
                    "volume {:?} mounts the container runtime socket {path}",
                    cname(v)
                ),
            );
        }
    }
}

fn check_service(res: &Resource<'_>, out: &mut Out<'_>) {
    if let Some(t) = res.node.path(&["spec", "type"])
        && let Some(ty) = t.as_str()
        && (ty == "LoadBalancer" || ty == "NodePort")
    {
        out.add(
            "k8s-service-external",
            res,
            t.line,
            format!("Service of type {ty} is reachable from outside the cluster"),
        );
    }
}

fn strs(n: Option<&Node>) -> Vec<&str> {
    n.map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

fn check_role(res: &Resource<'_>, out: &mut Out<'_>) {
    let scope = if res.kind == "ClusterRole" {
        "cluster-wide"
    } else {
        "in its namespace"
    };
    for r in res.node.get("rules").map(Node::items).unwrap_or_default() {
        let groups = strs(r.get("apiGroups"));
        let resources = strs(r.get("resources"));
        let verbs = strs(r.get("verbs"));
        let named = !strs(r.get("resourceNames")).is_empty();
        let line = r.line;
        let any_verb = |vs: &[&str]| verbs.iter().any(|v| *v == "*" || vs.contains(v));
        let has_res = |name: &str| resources.contains(&name);
        if groups.contains(&"*") || resources.contains(&"*") || verbs.contains(&"*") {
            out.add(
                "k8s-rbac-wildcard",
                res,
                line,
                format!("rule grants wildcard access {scope}"),
            );
        }
        if has_res("secrets") && !named && any_verb(&["get", "list", "watch"]) {
            out.add(
                "k8s-rbac-secrets",
                res,
                line,
                format!("rule reads secrets {scope}"),
            );
        }
        if (has_res("pods/exec") || has_res("pods/attach")) && any_verb(&["create", "get"]) {
            out.add(
                "k8s-rbac-pod-exec",
                res,
                line,
                format!("rule allows exec into pods {scope}"),
            );
        }
        let mut esc: Vec<&str> = verbs
            .iter()
            .copied()
            .filter(|v| matches!(*v, "escalate" | "bind" | "impersonate"))
            .collect();
        // Roles live in the rbac.authorization.k8s.io group: `*` resources of another group
        // (e.g. certificates.k8s.io) do not include them.
        let rbac_group = groups
            .iter()
            .any(|g| *g == "*" || *g == "rbac.authorization.k8s.io");
        if verbs.contains(&"*")
            && rbac_group
            && (has_res("roles") || has_res("clusterroles") || has_res("*"))
        {
            esc.push("all verbs (escalate, bind) on roles");
        }
        if !esc.is_empty() {
            out.add(
                "k8s-rbac-escalate",
                res,
                line,
                format!("rule grants {} {scope}", esc.join(", ")),
            );
        }
        if has_res("nodes/proxy") && any_verb(&["get", "create", "update", "patch"]) {
            out.add(
                "k8s-rbac-nodes-proxy",
                res,
                line,
                format!("rule allows nodes/proxy {scope}"),
            );
        }
        if has_res("serviceaccounts/token") && any_verb(&["create"]) {
            out.add(
                "k8s-rbac-token-create",
                res,
                line,
                format!("rule mints service account tokens {scope}"),
            );
        }
        if (has_res("mutatingwebhookconfigurations") || has_res("validatingwebhookconfigurations"))
            && any_verb(&["create", "update", "patch", "delete", "deletecollection"])
        {
            out.add(
                "k8s-rbac-webhooks",
                res,
                line,
                format!("rule can change admission webhooks {scope}"),
            );
        }
    }
    check_csr_approval(res, scope, out);
}

/// Approving a CSR needs both update on `certificatesigningrequests/approval` and `approve`
/// on a signer; only a role holding both is reported.
fn check_csr_approval(res: &Resource<'_>, scope: &str, out: &mut Out<'_>) {
    let rules = res.node.get("rules").map(Node::items).unwrap_or_default();
    let mut approval_line = None;
    let mut can_approve = false;
    for r in rules {
        let groups = strs(r.get("apiGroups"));
        let resources = strs(r.get("resources"));
        let verbs = strs(r.get("verbs"));
        let group_ok = groups
            .iter()
            .any(|g| *g == "*" || *g == "certificates.k8s.io");
        if !group_ok {
            continue;
        }
        let any_verb = |vs: &[&str]| verbs.iter().any(|v| *v == "*" || vs.contains(v));
        let approval = resources.iter().any(|r| {
            matches!(
                *r,
                "*" | "*/approval" | "certificatesigningrequests/approval"
            )
        });
        if approval && any_verb(&["update", "patch"]) && approval_line.is_none() {
            approval_line = Some(r.line);
        }
        if resources.iter().any(|r| matches!(*r, "*" | "signers")) && any_verb(&["approve"]) {
            can_approve = true;
        }
    }
    if let Some(line) = approval_line
        && can_approve
    {
        out.add(
            "k8s-rbac-csr-approve",
            res,
            line,
            format!("role can approve certificate signing requests {scope}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references() {
        assert_eq!(image_parts("nginx"), (None, false));
        assert_eq!(image_parts("nginx:latest"), (Some("latest"), false));
        assert_eq!(image_parts("localhost:5000/app"), (None, false));
        assert_eq!(image_parts("localhost:5000/app:1.2"), (Some("1.2"), false));
        assert_eq!(image_parts("app@sha256:abc"), (None, true));
        assert_eq!(image_parts("app:1@sha256:abc"), (Some("1"), true));
    }
}
