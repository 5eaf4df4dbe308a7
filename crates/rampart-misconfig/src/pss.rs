//! The Kubernetes Pod Security Standards, baseline and restricted, versioned.
//!
//! Each control is declared once in [`CONTROLS`] with the Pod Security admission check id,
//! its level, the policy versions at which its behaviour changed and the rampart rule it
//! reports under. Evaluating at policy version `v1.N` applies every control whose first
//! version is at or below `N`, each as that version defined it: seccomp annotations before
//! v1.19 and fields after, the sysctl safe list growing at v1.27, v1.29, v1.32 and v1.37,
//! SELinux `container_engine_t` from v1.31, Windows pods exempt from the Linux-only
//! restricted controls from v1.25, host probes forbidden from v1.34, and the `hostUsers:
//! false` (user namespace) relaxations of v1.35. Restricted replaces the baseline
//! `hostPathVolumes`, `seccompProfile_baseline`, `capabilities_baseline` and `procMount`
//! controls with its stricter versions. This module finds pod specs through
//! [`crate::k8s`]; turning violations into findings is left to the scanner.

use crate::MisconfigError;
use crate::k8s::{PodView, resources_of};
use crate::yaml::{Limits, Node, parse_documents};

/// The newest policy version rampart knows (what `latest` means).
pub const LATEST_MINOR: u32 = 37;

/// A Pod Security Standards profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Prevents known privilege escalations; minimally restrictive.
    Baseline,
    /// Current pod hardening best practice.
    Restricted,
}

impl Level {
    /// `baseline` or `restricted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// A policy version `v1.N` (the minor `N`); versions newer than rampart knows act as latest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PssVersion(u32);

impl PssVersion {
    /// The newest version.
    pub const LATEST: PssVersion = PssVersion(LATEST_MINOR);

    /// Version `v1.minor`.
    pub fn new(minor: u32) -> Self {
        PssVersion(minor.min(LATEST_MINOR))
    }

    /// The minor number.
    pub fn minor(self) -> u32 {
        self.0
    }

    /// Parse `latest`, `v1.N` or `1.N`.
    pub fn parse(s: &str) -> Result<Self, MisconfigError> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("latest") {
            return Ok(Self::LATEST);
        }
        let t = t.strip_prefix('v').unwrap_or(t);
        let minor = t
            .strip_prefix("1.")
            .and_then(|m| m.parse::<u32>().ok())
            .ok_or_else(|| MisconfigError::PssVersion(s.to_string()))?;
        Ok(Self::new(minor))
    }
}

impl Default for PssVersion {
    fn default() -> Self {
        Self::LATEST
    }
}

impl std::fmt::Display for PssVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "v1.{}", self.0)
    }
}

/// One control a pod fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Pod Security admission check id (`privileged`, `runAsNonRoot`, ...).
    pub control: &'static str,
    /// The rampart rule it is reported under.
    pub rule_id: &'static str,
    /// The resource (`Pod/ns/name`).
    pub resource: String,
    /// 1-based line of the offending setting (or of the resource when the setting is absent).
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// A place and a reason, before being attached to a resource.
pub(crate) struct Hit {
    pub line: u32,
    pub message: String,
}

fn hit(line: u32, message: impl Into<String>) -> Hit {
    Hit {
        line,
        message: message.into(),
    }
}

type CheckFn = fn(&PodView<'_>, u32) -> Vec<Hit>;

/// One control of the standard.
pub struct Control {
    /// Pod Security admission check id.
    pub id: &'static str,
    /// The profile it belongs to.
    pub level: Level,
    /// First policy minor version that has it.
    pub since: u32,
    /// Baseline controls it replaces under restricted.
    pub overrides: &'static [&'static str],
    /// rampart rule id.
    pub rule_id: &'static str,
    check: CheckFn,
}

/// Every control of both profiles.
pub static CONTROLS: &[Control] = &[
    Control {
        id: "hostNamespaces",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        rule_id: "k8s-host-namespaces",
        check: host_namespaces,
    },
    Control {
        id: "privileged",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        rule_id: "k8s-privileged",
        check: privileged,
    },
    Control {
        id: "capabilities_baseline",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        rule_id: "k8s-capabilities-baseline",
        check: capabilities_baseline,
    },
    Control {
        id: "hostPathVolumes",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        rule_id: "k8s-host-path",
        check: host_path_volumes,
    },
    Control {
        id: "hostPorts",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        rule_id: "k8s-host-ports",
        check: host_ports,
    },
    Control {
        id: "appArmorProfile",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        rule_id: "k8s-apparmor",
        check: apparmor,
    },
    Control {
        id: "seLinuxOptions",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        rule_id: "k8s-selinux",
        check: selinux,
    },
    Control {
        id: "procMount",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        rule_id: "k8s-proc-mount",
        check: proc_mount_baseline,
    },
    Control {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        rule_id: "k8s-seccomp-unconfined",
        check: seccomp_baseline,
    },
    Control {
        id: "sysctls",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        rule_id: "k8s-sysctls",
        check: sysctls,
    },
    Control {
        id: "windowsHostProcess",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        rule_id: "k8s-windows-host-process",
        check: windows_host_process,
    },
    Control {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        since: 34,
        overrides: &[],
        rule_id: "k8s-host-probes",
        check: host_probes,
    },
    Control {
        id: "restrictedVolumes",
        level: Level::Restricted,
        since: 0,
        overrides: &["hostPathVolumes"],
        rule_id: "k8s-volume-types",
        check: restricted_volumes,
    },
    Control {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        since: 8,
        overrides: &[],
        rule_id: "k8s-allow-privilege-escalation",
        check: allow_privilege_escalation,
    },
    Control {
        id: "runAsNonRoot",
        level: Level::Restricted,
        since: 0,
        overrides: &[],
        rule_id: "k8s-run-as-non-root",
        check: run_as_non_root,
    },
    Control {
        id: "runAsUser",
        level: Level::Restricted,
        since: 23,
        overrides: &[],
        rule_id: "k8s-run-as-root-uid",
        check: run_as_user,
    },
    Control {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        since: 19,
        overrides: &["seccompProfile_baseline"],
        rule_id: "k8s-seccomp-required",
        check: seccomp_restricted,
    },
    Control {
        id: "capabilities_restricted",
        level: Level::Restricted,
        since: 22,
        overrides: &["capabilities_baseline"],
        rule_id: "k8s-capabilities-restricted",
        check: capabilities_restricted,
    },
    Control {
        id: "procMount_restricted",
        level: Level::Restricted,
        since: 35,
        overrides: &["procMount"],
        rule_id: "k8s-proc-mount",
        check: proc_mount_restricted,
    },
];

/// The controls in force for `level` at `version`.
pub fn controls_for(level: Level, version: PssVersion) -> Vec<&'static Control> {
    let minor = version.minor();
    let active: Vec<&Control> = CONTROLS
        .iter()
        .filter(|c| c.since <= minor && c.level <= level)
        .collect();
    let overridden: Vec<&str> = active
        .iter()
        .flat_map(|c| c.overrides.iter().copied())
        .collect();
    active
        .into_iter()
        .filter(|c| !overridden.contains(&c.id))
        .collect()
}

/// Evaluate one pod (or pod template) against a profile.
pub(crate) fn evaluate_pod(
    pod: &PodView<'_>,
    level: Level,
    version: PssVersion,
) -> Vec<(&'static Control, Hit)> {
    let mut out = Vec::new();
    for control in controls_for(level, version) {
        for h in (control.check)(pod, version.minor()) {
            out.push((control, h));
        }
    }
    out
}

/// Evaluate one pod for a scan report: every baseline control in force plus, at restricted,
/// every restricted control, without overrides, so a hostPath volume or an added SYS_ADMIN
/// is reported under its (more severe) baseline rule. A restricted hit on a line a baseline
/// control already reported is dropped. The verdict (empty or not) equals [`evaluate_pod`]'s,
/// because each overriding restricted control is stricter than the control it replaces.
pub(crate) fn evaluate_pod_for_scan(
    pod: &PodView<'_>,
    level: Level,
    version: PssVersion,
) -> Vec<(&'static Control, Hit)> {
    let minor = version.minor();
    let mut out: Vec<(&'static Control, Hit)> = Vec::new();
    for lvl in [Level::Baseline, Level::Restricted] {
        if lvl > level {
            break;
        }
        for control in CONTROLS
            .iter()
            .filter(|c| c.level == lvl && c.since <= minor)
        {
            for h in (control.check)(pod, minor) {
                let dup = lvl == Level::Restricted
                    && out
                        .iter()
                        .any(|(c, o)| c.level == Level::Baseline && o.line == h.line);
                if !dup {
                    out.push((control, h));
                }
            }
        }
    }
    out
}

/// The violations of every pod and pod template in `text` at `level` and `version`.
/// An empty result means every pod is allowed.
pub fn pss_verdict(
    text: &str,
    level: Level,
    version: PssVersion,
) -> Result<Vec<Violation>, MisconfigError> {
    let docs = parse_documents("<input>", text, Limits::default())?;
    let mut out = Vec::new();
    for res in resources_of(&docs) {
        if let Some(pod) = res.pod_view() {
            for (control, h) in evaluate_pod(&pod, level, version) {
                out.push(Violation {
                    control: control.id,
                    rule_id: control.rule_id,
                    resource: res.id(),
                    line: h.line,
                    message: h.message,
                });
            }
        }
    }
    Ok(out)
}

// ---- helpers ---------------------------------------------------------------------------

fn sc(container: &Node) -> Option<&Node> {
    container.get("securityContext")
}

fn cname(container: &Node) -> &str {
    container.get("name").and_then(Node::as_str).unwrap_or("?")
}

fn str_at<'a>(node: Option<&'a Node>, keys: &[&str]) -> Option<&'a str> {
    node.and_then(|n| n.path(keys)).and_then(Node::as_str)
}

fn line_at(node: Option<&Node>, keys: &[&str], fallback: u32) -> u32 {
    node.and_then(|n| n.path(keys)).map_or(fallback, |n| n.line)
}

// ---- baseline --------------------------------------------------------------------------

fn host_namespaces(pod: &PodView<'_>, _: u32) -> Vec<Hit> {
    ["hostNetwork", "hostPID", "hostIPC"]
        .iter()
        .filter(|k| pod.spec.is_true(k))
        .map(|k| {
            hit(
                line_at(Some(pod.spec), &[k], pod.line),
                format!("{k}=true shares the host's namespace"),
            )
        })
        .collect()
}

fn privileged(pod: &PodView<'_>, _: u32) -> Vec<Hit> {
    pod.containers()
        .filter_map(|(kind, c)| {
            let s = sc(c)?;
            s.is_true("privileged").then(|| {
                hit(
                    line_at(Some(s), &["privileged"], c.line),
                    format!(
                        "{kind} {:?} must not set securityContext.privileged=true",
                        cname(c)
                    ),
                )
            })
        })
        .collect()
}

const BASELINE_CAPS: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn added_caps(c: &Node) -> Vec<&Node> {
    sc(c)
        .and_then(|s| s.path(&["capabilities", "add"]))
        .map(|a| a.items().iter().collect())
        .unwrap_or_default()
}

fn capabilities_baseline(pod: &PodView<'_>, _: u32) -> Vec<Hit> {
    let mut out = Vec::new();
    for (kind, c) in pod.containers() {
        for cap in added_caps(c) {
            let name = cap.as_str().unwrap_or("");
            if !BASELINE_CAPS.contains(&name) {
                out.push(hit(
                    cap.line,
                    format!("{kind} {:?} must not add capability {name:?}", cname(c)),
                ));
            }
        }
    }
    out
}

fn host_path_volumes(pod: &PodView<'_>, _: u32) -> Vec<Hit> {
    pod.volumes()
        .filter_map(|v| {
            let hp = v.get("hostPath").filter(|n| !n.is_null())?;
            Some(hit(hp.line, format!("volume {:?} uses hostPath", cname(v))))
        })
        .collect()
}

fn host_ports(pod: &PodView<'_>, _: u32) -> Vec<Hit> {
    let mut out = Vec::new();
    for (kind, c) in pod.containers() {
        for p in c.get("ports").map(Node::items).unwrap_or_default() {
            if let Some(hp) = p.get("hostPort").filter(|n| !n.is_null())
                && hp.as_i64() != Some(0)
            {
                out.push(hit(
                    hp.line,
                    format!(
                        "{kind} {:?} must not use hostPort {}",
                        cname(c),
                        hp.as_str().unwrap_or("?")
                    ),
                ));
            }
        }
    }
    out
}

const APPARMOR_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn apparmor(pod: &PodView<'_>, _: u32) -> Vec<Hit> {
    let mut out = Vec::new();
    let field_ok = |t: &str| t == "RuntimeDefault" || t == "Localhost";
    if let Some(t) = pod
        .spec
        .path(&["securityContext", "appArmorProfile", "type"])
        && !field_ok(t.as_str().unwrap_or(""))
    {
        out.push(hit(
            t.line,
            format!(
                "pod must not set appArmorProfile.type={:?}",
                t.as_str().unwrap_or("")
            ),
        ));
    }
    for (kind, c) in pod.containers() {
        if let Some(t) = c.path(&["securityContext", "appArmorProfile", "type"])
            && !field_ok(t.as_str().unwrap_or(""))
        {
            out.push(hit(
                t.line,
                format!(
                    "{kind} {:?} must not set appArmorProfile.type={:?}",
                    cname(c),
                    t.as_str().unwrap_or("")
                ),
            ));
        }
    }
    for (key, v) in pod.annotations() {
        if key.starts_with(APPARMOR_PREFIX) {
            let val = v.as_str().unwrap_or("");
            if !(val.is_empty() || val == "runtime/default" || val.starts_with("localhost/")) {
                out.push(hit(
                    v.line,
                    format!("annotation {key}={val:?} is not an allowed AppArmor profile"),
                ));
            }
        }
    }
    out
}

fn selinux(pod: &PodView<'_>, minor: u32) -> Vec<Hit> {
    let mut out = Vec::new();
    let mut check = |opts: Option<&Node>, who: String| {
        let Some(o) = opts else { return };
        if let Some(t) = o.get("type").and_then(Node::as_str) {
            let ok = matches!(
                t,
                "" | "container_t" | "container_init_t" | "container_kvm_t"
            ) || (minor >= 31 && t == "container_engine_t");
            if !ok {
                out.push(hit(
                    line_at(Some(o), &["type"], o.line),
                    format!("{who} must not set seLinuxOptions.type={t:?}"),
                ));
            }
        }
        for k in ["user", "role"] {
            if let Some(v) = o.get(k).and_then(Node::as_str).filter(|v| !v.is_empty()) {
                out.push(hit(
                    line_at(Some(o), &[k], o.line),
                    format!("{who} must not set seLinuxOptions.{k}={v:?}"),
                ));
            }
        }
    };
    check(
        pod.spec.path(&["securityContext", "seLinuxOptions"]),
        "pod".to_string(),
    );
    for (kind, c) in pod.containers() {
        check(
            c.path(&["securityContext", "seLinuxOptions"]),
            format!("{kind} {:?}", cname(c)),
        );
    }
    out
}

fn proc_mount_hits(pod: &PodView<'_>) -> Vec<Hit> {
    pod.containers()
        .filter_map(|(kind, c)| {
            let pm = c.path(&["securityContext", "procMount"])?;
            let v = pm.as_str()?;
            (v != "Default").then(|| {
                hit(
                    pm.line,
                    format!("{kind} {:?} must not set procMount={v:?}", cname(c)),
                )
            })
        })
        .collect()
}

fn user_namespaced(pod: &PodView<'_>) -> bool {
    pod.spec.get("hostUsers").and_then(Node::as_bool) == Some(false)
}

fn proc_mount_baseline(pod: &PodView<'_>, minor: u32) -> Vec<Hit> {
    if minor >= 35 && user_namespaced(pod) {
        return Vec::new();
    }
    proc_mount_hits(pod)
}

fn proc_mount_restricted(pod: &PodView<'_>, _: u32) -> Vec<Hit> {
    proc_mount_hits(pod)
}

fn seccomp_baseline(pod: &PodView<'_>, minor: u32) -> Vec<Hit> {
    let mut out = Vec::new();
    if minor < 19 {
        for (key, v) in pod.annotations() {
            let relevant = key == "seccomp.security.alpha.kubernetes.io/pod"
                || key.starts_with("container.seccomp.security.alpha.kubernetes.io/");
            if relevant && v.as_str() == Some("unconfined") {
                out.push(hit(
                    v.line,
                    format!("annotation {key}=\"unconfined\" disables seccomp"),
                ));
            }
        }
        return out;
    }
    if let Some(t) = pod
        .spec
        .path(&["securityContext", "seccompProfile", "type"])
        && t.as_str() == Some("Unconfined")
    {
        out.push(hit(
            t.line,
            "pod must not set seccompProfile.type=\"Unconfined\"",
        ));
    }
    for (kind, c) in pod.containers() {
        if let Some(t) = c.path(&["securityContext", "seccompProfile", "type"])
            && t.as_str() == Some("Unconfined")
        {
            out.push(hit(
                t.line,
                format!(
                    "{kind} {:?} must not set seccompProfile.type=\"Unconfined\"",
                    cname(c)
                ),
            ));
        }
    }
    out
}

/// The safe sysctls and the policy minor version each became safe at.
pub const SAFE_SYSCTLS: &[(&str, u32)] = &[
    ("kernel.shm_rmid_forced", 0),
    ("net.ipv4.ip_local_port_range", 0),
    ("net.ipv4.tcp_syncookies", 0),
    ("net.ipv4.ping_group_range", 0),
    ("net.ipv4.ip_unprivileged_port_start", 0),
    ("net.ipv4.ip_local_reserved_ports", 27),
    ("net.ipv4.tcp_keepalive_time", 29),
    ("net.ipv4.tcp_fin_timeout", 29),
    ("net.ipv4.tcp_keepalive_intvl", 29),
    ("net.ipv4.tcp_keepalive_probes", 29),
    ("net.ipv4.tcp_rmem", 32),
    ("net.ipv4.tcp_wmem", 32),
    ("net.ipv4.tcp_slow_start_after_idle", 37),
    ("net.ipv4.tcp_notsent_lowat", 37),
];

fn sysctls(pod: &PodView<'_>, minor: u32) -> Vec<Hit> {
    let items = pod
        .spec
        .path(&["securityContext", "sysctls"])
        .map(Node::items)
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|s| {
            let name = s.get("name").and_then(Node::as_str).unwrap_or("");
            let safe = SAFE_SYSCTLS
                .iter()
                .any(|(n, since)| *n == name && *since <= minor);
            (!safe).then(|| hit(s.line, format!("sysctl {name:?} is not in the safe set")))
        })
        .collect()
}

fn windows_host_process(pod: &PodView<'_>, _: u32) -> Vec<Hit> {
    let mut out = Vec::new();
    if let Some(n) = pod
        .spec
        .path(&["securityContext", "windowsOptions", "hostProcess"])
        && n.as_bool() == Some(true)
    {
        out.push(hit(
            n.line,
            "pod must not set windowsOptions.hostProcess=true",
        ));
    }
    for (kind, c) in pod.containers() {
        if let Some(n) = c.path(&["securityContext", "windowsOptions", "hostProcess"])
            && n.as_bool() == Some(true)
        {
            out.push(hit(
                n.line,
                format!(
                    "{kind} {:?} must not set windowsOptions.hostProcess=true",
                    cname(c)
                ),
            ));
        }
    }
    out
}

fn host_probes(pod: &PodView<'_>, _: u32) -> Vec<Hit> {
    let mut out = Vec::new();
    for (kind, c) in pod.containers() {
        let handlers = [
            ("livenessProbe", c.get("livenessProbe")),
            ("readinessProbe", c.get("readinessProbe")),
            ("startupProbe", c.get("startupProbe")),
            ("lifecycle.postStart", c.path(&["lifecycle", "postStart"])),
            ("lifecycle.preStop", c.path(&["lifecycle", "preStop"])),
        ];
        for (what, h) in handlers {
            for action in ["httpGet", "tcpSocket"] {
                if let Some(host) = h.and_then(|h| h.path(&[action, "host"]))
                    && let Some(v) = host.as_str().filter(|v| !v.is_empty())
                {
                    out.push(hit(
                        host.line,
                        format!(
                            "{kind} {:?} {what}.{action}.host={v:?} reaches beyond the pod",
                            cname(c)
                        ),
                    ));
                }
            }
        }
    }
    out
}

// ---- restricted ------------------------------------------------------------------------

const RESTRICTED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

fn restricted_volumes(pod: &PodView<'_>, _: u32) -> Vec<Hit> {
    let mut out = Vec::new();
    for v in pod.volumes() {
        for (k, val) in v.entries() {
            if k != "name" && !val.is_null() && !RESTRICTED_VOLUMES.contains(&k.as_str()) {
                out.push(hit(
                    val.line,
                    format!("volume {:?} uses restricted volume type {k}", cname(v)),
                ));
            }
        }
    }
    out
}

fn windows_exempt(pod: &PodView<'_>, minor: u32) -> bool {
    minor >= 25 && str_at(Some(pod.spec), &["os", "name"]) == Some("windows")
}

fn allow_privilege_escalation(pod: &PodView<'_>, minor: u32) -> Vec<Hit> {
    if windows_exempt(pod, minor) {
        return Vec::new();
    }
    pod.containers()
        .filter_map(|(kind, c)| {
            let v = c.path(&["securityContext", "allowPrivilegeEscalation"]);
            (v.and_then(Node::as_bool) != Some(false)).then(|| {
                hit(
                    v.map_or(c.line, |n| n.line),
                    format!(
                        "{kind} {:?} must set securityContext.allowPrivilegeEscalation=false",
                        cname(c)
                    ),
                )
            })
        })
        .collect()
}

fn run_as_non_root(pod: &PodView<'_>, minor: u32) -> Vec<Hit> {
    if minor >= 35 && user_namespaced(pod) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let pod_val = pod.spec.path(&["securityContext", "runAsNonRoot"]);
    let pod_true = pod_val.and_then(Node::as_bool) == Some(true);
    if let Some(v) = pod_val.filter(|v| !v.is_null())
        && v.as_bool() != Some(true)
    {
        out.push(hit(
            v.line,
            "pod must not set securityContext.runAsNonRoot=false",
        ));
    }
    for (kind, c) in pod.containers() {
        match c
            .path(&["securityContext", "runAsNonRoot"])
            .filter(|v| !v.is_null())
        {
            Some(v) if v.as_bool() != Some(true) => {
                out.push(hit(
                    v.line,
                    format!(
                        "{kind} {:?} must not set securityContext.runAsNonRoot=false",
                        cname(c)
                    ),
                ));
            }
            Some(_) => {}
            None if !pod_true => {
                out.push(hit(
                    c.line,
                    format!(
                        "pod or {kind} {:?} must set securityContext.runAsNonRoot=true",
                        cname(c)
                    ),
                ));
            }
            None => {}
        }
    }
    out
}

fn run_as_user(pod: &PodView<'_>, minor: u32) -> Vec<Hit> {
    if minor >= 35 && user_namespaced(pod) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(v) = pod.spec.path(&["securityContext", "runAsUser"])
        && v.as_i64() == Some(0)
    {
        out.push(hit(v.line, "pod must not set runAsUser=0"));
    }
    for (kind, c) in pod.containers() {
        if let Some(v) = c.path(&["securityContext", "runAsUser"])
            && v.as_i64() == Some(0)
        {
            out.push(hit(
                v.line,
                format!("{kind} {:?} must not set runAsUser=0", cname(c)),
            ));
        }
    }
    out
}

fn seccomp_restricted(pod: &PodView<'_>, minor: u32) -> Vec<Hit> {
    if windows_exempt(pod, minor) {
        return Vec::new();
    }
    let ok = |t: &str| t == "RuntimeDefault" || t == "Localhost";
    let mut out = Vec::new();
    let pod_type = pod
        .spec
        .path(&["securityContext", "seccompProfile", "type"])
        .filter(|n| !n.is_null());
    let pod_ok = pod_type.and_then(Node::as_str).is_some_and(ok);
    if let Some(t) = pod_type
        && !pod_ok
    {
        out.push(hit(
            t.line,
            format!(
                "pod must not set seccompProfile.type={:?}",
                t.as_str().unwrap_or("")
            ),
        ));
    }
    for (kind, c) in pod.containers() {
        match c
            .path(&["securityContext", "seccompProfile", "type"])
            .filter(|n| !n.is_null())
        {
            Some(t) if !t.as_str().is_some_and(ok) => {
                out.push(hit(
                    t.line,
                    format!(
                        "{kind} {:?} must not set seccompProfile.type={:?}",
                        cname(c),
                        t.as_str().unwrap_or("")
                    ),
                ));
            }
            Some(_) => {}
            None if pod_type.is_none() => {
                out.push(hit(c.line, format!("pod or {kind} {:?} must set seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"", cname(c))));
            }
            None => {}
        }
    }
    out
}

fn capabilities_restricted(pod: &PodView<'_>, minor: u32) -> Vec<Hit> {
    if windows_exempt(pod, minor) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (kind, c) in pod.containers() {
        let caps = sc(c).and_then(|s| s.get("capabilities"));
        let drops_all = caps
            .and_then(|k| k.get("drop"))
            .is_some_and(|d| d.items().iter().any(|i| i.as_str() == Some("ALL")));
        if !drops_all {
            out.push(hit(
                caps.map_or(c.line, |n| n.line),
                format!(
                    "{kind} {:?} must set securityContext.capabilities.drop=[\"ALL\"]",
                    cname(c)
                ),
            ));
        }
        for cap in added_caps(c) {
            let name = cap.as_str().unwrap_or("");
            if name != "NET_BIND_SERVICE" {
                out.push(hit(
                    cap.line,
                    format!("{kind} {:?} must not add capability {name:?}", cname(c)),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_clamp() {
        assert_eq!(PssVersion::parse("latest").unwrap(), PssVersion::LATEST);
        assert_eq!(PssVersion::parse("v1.23").unwrap().minor(), 23);
        assert_eq!(PssVersion::parse("1.8").unwrap().to_string(), "v1.8");
        assert_eq!(PssVersion::parse("v1.99").unwrap(), PssVersion::LATEST);
        assert!(PssVersion::parse("v2.0").is_err());
        assert!(PssVersion::parse("").is_err());
    }

    #[test]
    fn restricted_overrides_baseline_controls() {
        let ids: Vec<&str> = controls_for(Level::Restricted, PssVersion::LATEST)
            .iter()
            .map(|c| c.id)
            .collect();
        assert!(!ids.contains(&"hostPathVolumes"));
        assert!(!ids.contains(&"capabilities_baseline"));
        assert!(!ids.contains(&"procMount"));
        assert!(ids.contains(&"procMount_restricted"));
        assert_eq!(ids.len(), 15);
        let old: Vec<&str> = controls_for(Level::Restricted, PssVersion::new(0))
            .iter()
            .map(|c| c.id)
            .collect();
        assert!(old.contains(&"capabilities_baseline"));
        assert!(old.contains(&"seccompProfile_baseline"));
        assert_eq!(controls_for(Level::Baseline, PssVersion::new(33)).len(), 11);
    }
}
