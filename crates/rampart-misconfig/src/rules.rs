//! The one declaration of every rampart-misconfig rule: id, title, severity, description,
//! remediation, framework controls and references. `rampart rules list`, generated docs and
//! SARIF `rules[]` read [`rules()`]; findings copy title, severity, frameworks and remediation
//! from here.

use rampart_core::{RuleMeta, Severity};
use std::sync::LazyLock;

struct Def {
    id: &'static str,
    title: &'static str,
    severity: Severity,
    description: &'static str,
    remediation: &'static str,
    frameworks: &'static [&'static str],
    references: &'static [&'static str],
}

const PSS: &str = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";
const RBAC: &str = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/";
const DOCKER: &str = "https://docs.docker.com/build/building/best-practices/";
const NSA: &str = "https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF";

use Severity::{Critical, High, Low, Medium};

static DEFS: &[Def] = &[
    // Pod Security Standards: baseline.
    Def {
        id: "k8s-host-namespaces",
        title: "Pod shares a host namespace",
        severity: High,
        description: "hostNetwork, hostPID or hostIPC set to true gives the pod the node's network, process or IPC namespace, so it can sniff traffic, signal host processes or read shared memory.",
        remediation: "Remove hostNetwork, hostPID and hostIPC (or set them to false).",
        frameworks: &[
            "k8s-pss-baseline:Host Namespaces",
            "k8s-cis:5.2.3",
            "k8s-cis:5.2.4",
            "k8s-cis:5.2.5",
            "k8s-nsa:Pod security",
        ],
        references: &[PSS],
    },
    Def {
        id: "k8s-privileged",
        title: "Privileged container",
        severity: High,
        description: "A privileged container has every capability and all host devices: it is root on the node.",
        remediation: "Drop securityContext.privileged; add only the capabilities the workload needs.",
        frameworks: &[
            "k8s-pss-baseline:Privileged Containers",
            "k8s-cis:5.2.2",
            "k8s-nsa:Non-root containers",
        ],
        references: &[PSS],
    },
    Def {
        id: "k8s-capabilities-baseline",
        title: "Container adds a capability outside the baseline set",
        severity: High,
        description: "Capabilities beyond the baseline set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT) such as SYS_ADMIN or NET_RAW enable container escapes and network attacks.",
        remediation: "Remove the capability from securityContext.capabilities.add.",
        frameworks: &["k8s-pss-baseline:Capabilities", "k8s-cis:5.2.9"],
        references: &[PSS],
    },
    Def {
        id: "k8s-host-path",
        title: "hostPath volume",
        severity: High,
        description: "A hostPath volume exposes the node's filesystem to the container and is a common escape path.",
        remediation: "Use emptyDir, configMap, secret or a PersistentVolumeClaim instead of hostPath.",
        frameworks: &["k8s-pss-baseline:HostPath Volumes", "k8s-cis:5.2.12"],
        references: &[PSS],
    },
    Def {
        id: "k8s-host-ports",
        title: "Container uses a host port",
        severity: Medium,
        description: "hostPort binds the node's network interface, bypassing Services and NetworkPolicies and limiting scheduling.",
        remediation: "Remove hostPort; expose the pod through a Service.",
        frameworks: &["k8s-pss-baseline:Host Ports", "k8s-cis:5.2.13"],
        references: &[PSS],
    },
    Def {
        id: "k8s-apparmor",
        title: "AppArmor profile overridden",
        severity: Medium,
        description: "Setting the AppArmor profile to unconfined (field or annotation) removes the runtime's default confinement.",
        remediation: "Use the RuntimeDefault or a Localhost AppArmor profile.",
        frameworks: &["k8s-pss-baseline:AppArmor"],
        references: &[PSS],
    },
    Def {
        id: "k8s-selinux",
        title: "Custom SELinux options",
        severity: Medium,
        description: "A custom SELinux user, role or a type outside container_t, container_init_t, container_kvm_t (and container_engine_t from v1.31) can escape confinement.",
        remediation: "Remove seLinuxOptions.user and .role and use an allowed type.",
        frameworks: &["k8s-pss-baseline:SELinux"],
        references: &[PSS],
    },
    Def {
        id: "k8s-proc-mount",
        title: "Unmasked /proc mount",
        severity: Medium,
        description: "procMount other than Default exposes host kernel information masked in /proc (baseline allows it for user-namespaced pods from v1.35; restricted never does).",
        remediation: "Remove securityContext.procMount or set it to Default.",
        frameworks: &[
            "k8s-pss-baseline:/proc Mount Type",
            "k8s-pss-restricted:/proc Mount Type",
        ],
        references: &[PSS],
    },
    Def {
        id: "k8s-seccomp-unconfined",
        title: "Seccomp explicitly disabled",
        severity: Medium,
        description: "A seccomp profile of Unconfined (or the unconfined annotation before v1.19) lets the container make any system call.",
        remediation: "Set seccompProfile.type to RuntimeDefault or Localhost.",
        frameworks: &["k8s-pss-baseline:Seccomp", "k8s-cis:5.7.2"],
        references: &[PSS],
    },
    Def {
        id: "k8s-sysctls",
        title: "Unsafe sysctl",
        severity: Medium,
        description: "Sysctls outside the safe, namespaced set can disable security mechanisms or affect every pod on the node.",
        remediation: "Remove the sysctl or run the workload on a dedicated node pool.",
        frameworks: &["k8s-pss-baseline:Sysctls"],
        references: &[PSS],
    },
    Def {
        id: "k8s-windows-host-process",
        title: "Windows HostProcess container",
        severity: High,
        description: "HostProcess containers run directly on the Windows node with privileged access.",
        remediation: "Remove windowsOptions.hostProcess.",
        frameworks: &["k8s-pss-baseline:HostProcess", "k8s-cis:5.2.11"],
        references: &[PSS],
    },
    Def {
        id: "k8s-host-probes",
        title: "Probe or lifecycle hook targets another host",
        severity: Medium,
        description: "A host on an httpGet/tcpSocket probe or lifecycle hook makes the kubelet connect anywhere, a server-side request forgery channel (baseline from v1.34).",
        remediation: "Remove the host field so the probe targets the pod's own IP.",
        frameworks: &["k8s-pss-baseline:Probes / Lifecycle Hooks"],
        references: &[PSS],
    },
    // Pod Security Standards: restricted.
    Def {
        id: "k8s-volume-types",
        title: "Volume type outside the restricted set",
        severity: Low,
        description: "Restricted pods may only use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes.",
        remediation: "Replace the volume with a PersistentVolumeClaim or one of the allowed types.",
        frameworks: &["k8s-pss-restricted:Volume Types"],
        references: &[PSS],
    },
    Def {
        id: "k8s-allow-privilege-escalation",
        title: "Privilege escalation not disabled",
        severity: Medium,
        description: "Unless allowPrivilegeEscalation is false, setuid binaries and file capabilities can raise a process's privileges.",
        remediation: "Set securityContext.allowPrivilegeEscalation: false on every container.",
        frameworks: &[
            "k8s-pss-restricted:Privilege Escalation",
            "k8s-cis:5.2.6",
            "k8s-nsa:Pod security",
        ],
        references: &[PSS],
    },
    Def {
        id: "k8s-run-as-non-root",
        title: "Container may run as root",
        severity: Medium,
        description: "Without runAsNonRoot: true a container whose image runs as root keeps UID 0, which makes escapes far more damaging.",
        remediation: "Set securityContext.runAsNonRoot: true on the pod or every container, and a non-zero runAsUser.",
        frameworks: &[
            "k8s-pss-restricted:Running as Non-root",
            "k8s-cis:5.2.7",
            "k8s-nsa:Non-root containers",
        ],
        references: &[PSS],
    },
    Def {
        id: "k8s-run-as-root-uid",
        title: "Container runs as UID 0",
        severity: Medium,
        description: "runAsUser: 0 runs the container as root.",
        remediation: "Set runAsUser to a non-zero UID.",
        frameworks: &[
            "k8s-pss-restricted:Running as Non-root user",
            "k8s-cis:5.2.7",
        ],
        references: &[PSS],
    },
    Def {
        id: "k8s-seccomp-required",
        title: "No seccomp profile",
        severity: Low,
        description: "Restricted pods must set seccompProfile.type to RuntimeDefault or Localhost on the pod or every container.",
        remediation: "Set spec.securityContext.seccompProfile.type: RuntimeDefault.",
        frameworks: &[
            "k8s-pss-restricted:Seccomp",
            "k8s-cis:5.7.2",
            "k8s-nsa:Pod security",
        ],
        references: &[PSS],
    },
    Def {
        id: "k8s-capabilities-restricted",
        title: "Capabilities not dropped",
        severity: Low,
        description: "Restricted containers must drop ALL capabilities and may add back only NET_BIND_SERVICE.",
        remediation: "Set securityContext.capabilities.drop: [\"ALL\"].",
        frameworks: &[
            "k8s-pss-restricted:Capabilities",
            "k8s-cis:5.2.8",
            "k8s-cis:5.2.10",
        ],
        references: &[PSS],
    },
    // Workload hardening beyond the PSS.
    Def {
        id: "k8s-readonly-rootfs",
        title: "Root filesystem is writable",
        severity: Low,
        description: "A writable root filesystem lets an attacker drop tools and persist changes in the container.",
        remediation: "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir where writes are needed.",
        frameworks: &["k8s-nsa:Immutable container file systems"],
        references: &[NSA],
    },
    Def {
        id: "k8s-resource-limits",
        title: "No CPU or memory limit",
        severity: Low,
        description: "A container without CPU and memory limits can starve its node (denial of service).",
        remediation: "Set resources.limits.cpu and resources.limits.memory.",
        frameworks: &["k8s-nsa:Resource policies"],
        references: &[NSA],
    },
    Def {
        id: "k8s-image-latest",
        title: "Image uses the latest tag or no tag",
        severity: Medium,
        description: "An image without a tag or with :latest changes under the workload and cannot be audited or rolled back.",
        remediation: "Use a specific version tag, better an @sha256 digest.",
        frameworks: &["k8s-nsa:Image scanning"],
        references: &[NSA],
    },
    Def {
        id: "k8s-image-digest",
        title: "Image not pinned by digest",
        severity: Low,
        description: "A tag can be moved to different content; only a digest pins what runs.",
        remediation: "Reference the image as name@sha256:<digest>.",
        frameworks: &["k8s-nsa:Image scanning"],
        references: &[NSA],
    },
    Def {
        id: "k8s-secret-env",
        title: "Secret exposed through environment variables",
        severity: Medium,
        description: "Secrets in environment variables (secretKeyRef, envFrom secretRef) leak through logs, crash dumps and child processes.",
        remediation: "Mount the secret as a file instead.",
        frameworks: &["k8s-cis:5.4.1"],
        references: &["https://kubernetes.io/docs/concepts/configuration/secret/"],
    },
    Def {
        id: "k8s-secret-literal-env",
        title: "Hard-coded secret in an environment variable",
        severity: High,
        description: "An environment variable named like a password, token or key carries a literal value in the manifest.",
        remediation: "Move the value to a Secret and mount it as a file.",
        frameworks: &["k8s-nsa:Secrets"],
        references: &[NSA],
    },
    Def {
        id: "k8s-automount-token",
        title: "Service account token mounted automatically",
        severity: Low,
        description: "Pods that do not call the API server should not carry a service account token an attacker can reuse.",
        remediation: "Set automountServiceAccountToken: false in the pod spec.",
        frameworks: &["k8s-cis:5.1.6"],
        references: &[RBAC],
    },
    Def {
        id: "k8s-default-namespace",
        title: "Resource in the default namespace",
        severity: Low,
        description: "Workloads in the default namespace escape namespace-scoped policies, quotas and RBAC boundaries.",
        remediation: "Create and use a dedicated namespace.",
        frameworks: &["k8s-cis:5.7.4"],
        references: &[
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/",
        ],
    },
    Def {
        id: "k8s-docker-socket",
        title: "Container runtime socket mounted",
        severity: Critical,
        description: "Mounting the Docker, containerd or CRI-O socket gives full control of every container on the node.",
        remediation: "Remove the hostPath volume of the runtime socket.",
        frameworks: &["k8s-nsa:Pod security"],
        references: &[PSS],
    },
    // RBAC.
    Def {
        id: "k8s-rbac-wildcard",
        title: "RBAC rule uses wildcards",
        severity: High,
        description: "'*' in apiGroups, resources or verbs grants access to everything, including resources added later.",
        remediation: "List the exact resources and verbs needed.",
        frameworks: &["k8s-cis:5.1.3"],
        references: &[RBAC],
    },
    Def {
        id: "k8s-rbac-secrets",
        title: "RBAC role reads secrets",
        severity: High,
        description: "get, list or watch on secrets discloses every secret in scope (cluster-wide for ClusterRoles).",
        remediation: "Restrict access to named secrets (resourceNames) or remove it.",
        frameworks: &["k8s-cis:5.1.2"],
        references: &[RBAC],
    },
    Def {
        id: "k8s-rbac-pod-exec",
        title: "RBAC role allows exec or attach into pods",
        severity: High,
        description: "create on pods/exec or pods/attach runs commands inside any pod in scope, reaching their secrets and tokens.",
        remediation: "Remove pods/exec and pods/attach from the role.",
        frameworks: &["k8s-cis:5.1.4"],
        references: &[RBAC],
    },
    Def {
        id: "k8s-rbac-escalate",
        title: "RBAC role allows privilege escalation verbs",
        severity: Critical,
        description: "escalate, bind and impersonate let the holder grant itself or act with permissions it does not have.",
        remediation: "Remove escalate, bind and impersonate.",
        frameworks: &["k8s-cis:5.1.8"],
        references: &[RBAC],
    },
    Def {
        id: "k8s-rbac-nodes-proxy",
        title: "RBAC role allows nodes/proxy",
        severity: High,
        description: "nodes/proxy reaches the kubelet API directly, bypassing audit and admission: exec into any pod on the node.",
        remediation: "Remove nodes/proxy.",
        frameworks: &["k8s-cis:5.1.10"],
        references: &[RBAC],
    },
    Def {
        id: "k8s-rbac-token-create",
        title: "RBAC role creates service account tokens",
        severity: High,
        description: "create on serviceaccounts/token mints tokens for any service account in scope.",
        remediation: "Remove create on serviceaccounts/token.",
        frameworks: &["k8s-cis:5.1.13"],
        references: &[RBAC],
    },
    Def {
        id: "k8s-rbac-webhooks",
        title: "RBAC role controls admission webhooks",
        severity: Medium,
        description: "Write access to mutating or validating webhook configurations can intercept or rewrite every object created in the cluster.",
        remediation: "Remove write verbs on admissionregistration.k8s.io webhook configurations.",
        frameworks: &["k8s-cis:5.1.12"],
        references: &[RBAC],
    },
    Def {
        id: "k8s-rbac-csr-approve",
        title: "RBAC role approves certificate signing requests",
        severity: Medium,
        description: "update on certificatesigningrequests/approval with approve on signers issues client certificates, for instance as a node or admin.",
        remediation: "Remove approval rights on certificatesigningrequests.",
        frameworks: &["k8s-cis:5.1.11"],
        references: &[RBAC],
    },
    Def {
        id: "k8s-rbac-cluster-admin",
        title: "Binding to cluster-admin",
        severity: High,
        description: "Binding the cluster-admin ClusterRole grants unrestricted control of the cluster.",
        remediation: "Bind a role with only the permissions needed.",
        frameworks: &["k8s-cis:5.1.1"],
        references: &[RBAC],
    },
    // Network.
    Def {
        id: "k8s-service-external",
        title: "Service exposed outside the cluster",
        severity: Low,
        description: "Services of type LoadBalancer or NodePort are reachable from outside the cluster network.",
        remediation: "Use ClusterIP behind an Ingress or gateway with authentication, or restrict loadBalancerSourceRanges.",
        frameworks: &["k8s-nsa:Network separation"],
        references: &[NSA],
    },
    Def {
        id: "k8s-netpol-default-deny",
        title: "Namespace without a default-deny NetworkPolicy",
        severity: Medium,
        description: "Without a NetworkPolicy selecting every pod for ingress, all pods of the namespace accept traffic from anywhere in the cluster.",
        remediation: "Add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress] (and Egress) to the namespace.",
        frameworks: &["k8s-cis:5.3.2", "k8s-nsa:Network policies"],
        references: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
        ],
    },
    // Dockerfile.
    Def {
        id: "docker-root-user",
        title: "Image runs as root",
        severity: High,
        description: "The last USER of the final stage is root, so the container process runs as UID 0.",
        remediation: "Create an unprivileged user and end the final stage with USER <name>.",
        frameworks: &["docker-cis:4.1"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-no-user",
        title: "No USER in the final stage",
        severity: Medium,
        description: "Without a USER instruction the container runs as root unless the runtime overrides it.",
        remediation: "Add USER <unprivileged user> to the final stage.",
        frameworks: &["docker-cis:4.1"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-image-latest",
        title: "Base image uses the latest tag or no tag",
        severity: Medium,
        description: "FROM without a tag (or :latest) builds from whatever the tag points at today: builds are not reproducible and can pull in unreviewed changes.",
        remediation: "Pin the base image to a version tag, better a digest.",
        frameworks: &["docker-cis:4.7"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-add-remote",
        title: "ADD downloads a remote file",
        severity: Medium,
        description: "ADD with a URL fetches content at build time without checksum verification.",
        remediation: "Download with curl or wget and verify a checksum, or use ADD --checksum.",
        frameworks: &["docker-cis:4.9"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-curl-pipe-shell",
        title: "Remote script piped into a shell",
        severity: High,
        description: "curl ... | sh runs whatever the server returns, unverified, as root during the build.",
        remediation: "Download the script, verify its checksum or signature, then run it.",
        frameworks: &["docker-cis:4.9"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-secret-env",
        title: "Secret in ENV or ARG",
        severity: High,
        description: "ENV values and build arguments are stored in the image configuration and history, readable by anyone who can pull the image.",
        remediation: "Use build secrets (RUN --mount=type=secret) or runtime secrets instead.",
        frameworks: &["docker-cis:4.10"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-apt-unpinned",
        title: "apt-get install without version pins",
        severity: Low,
        description: "Unpinned packages make builds unreproducible and can silently change what is installed.",
        remediation: "Pin versions: apt-get install <package>=<version>.",
        frameworks: &["hadolint:DL3008"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-apt-no-clean",
        title: "apt package lists left in the image",
        severity: Low,
        description: "apt-get install without removing /var/lib/apt/lists in the same RUN bloats the layer with stale package metadata.",
        remediation: "End the RUN with rm -rf /var/lib/apt/lists/*.",
        frameworks: &["hadolint:DL3009"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-apt-command",
        title: "apt used instead of apt-get",
        severity: Low,
        description: "apt has no stable command-line interface and is meant for interactive use.",
        remediation: "Use apt-get (or apt-cache) in Dockerfiles.",
        frameworks: &["hadolint:DL3027"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-update-alone",
        title: "Package index update in its own RUN",
        severity: Medium,
        description: "An update alone in a RUN is cached as its own layer, so later installs use a stale index.",
        remediation: "Update and install in the same RUN: apt-get update && apt-get install ...",
        frameworks: &["docker-cis:4.3"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-expose-ssh",
        title: "SSH port exposed",
        severity: Low,
        description: "EXPOSE 22 suggests an SSH server in the container, a needless remote entry point.",
        remediation: "Remove the SSH server and EXPOSE 22; use kubectl exec or docker exec.",
        frameworks: &["docker-cis:5.7"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-no-healthcheck",
        title: "No HEALTHCHECK",
        severity: Low,
        description: "Without a HEALTHCHECK the runtime cannot tell a hung container from a healthy one.",
        remediation: "Add a HEALTHCHECK to the final stage.",
        frameworks: &["docker-cis:4.6"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-maintainer",
        title: "Deprecated MAINTAINER",
        severity: Low,
        description: "MAINTAINER is deprecated.",
        remediation: "Use LABEL maintainer=\"...\" instead.",
        frameworks: &["hadolint:DL4000"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-workdir-relative",
        title: "Relative WORKDIR",
        severity: Low,
        description: "A relative WORKDIR depends on the previous one and is easy to get wrong.",
        remediation: "Use an absolute path.",
        frameworks: &["hadolint:DL3000"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-duplicate-alias",
        title: "Stage alias used twice",
        severity: Low,
        description: "Two stages with the same AS name make COPY --from and FROM <alias> ambiguous.",
        remediation: "Give every stage a unique alias.",
        frameworks: &["hadolint:DL3024"],
        references: &[DOCKER],
    },
    Def {
        id: "docker-sudo",
        title: "sudo in RUN",
        severity: Medium,
        description: "sudo in a build step has unpredictable TTY and signal behaviour and hints at a root-owned build.",
        remediation: "Run the step as root with USER root and switch back, or use gosu at run time.",
        frameworks: &["hadolint:DL3004"],
        references: &[DOCKER],
    },
];

static RULES: LazyLock<Vec<RuleMeta>> = LazyLock::new(|| {
    DEFS.iter()
        .map(|d| RuleMeta {
            id: d.id.to_string(),
            title: d.title.to_string(),
            severity: d.severity,
            description: d.description.to_string(),
            remediation: d.remediation.to_string(),
            frameworks: d.frameworks.iter().map(|s| s.to_string()).collect(),
            references: d.references.iter().map(|s| s.to_string()).collect(),
        })
        .collect()
});

/// Every rule rampart-misconfig can report.
pub fn rules() -> &'static [RuleMeta] {
    &RULES
}

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static RuleMeta> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_prefixed_and_complete() {
        let mut ids: Vec<&str> = rules().iter().map(|r| r.id.as_str()).collect();
        assert!(
            ids.iter()
                .all(|id| id.starts_with("k8s-") || id.starts_with("docker-"))
        );
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule id");
        for c in crate::pss::CONTROLS {
            assert!(
                rule(c.rule_id).is_some(),
                "PSS control {} has no rule",
                c.id
            );
        }
        assert!(
            rules()
                .iter()
                .all(|r| !r.frameworks.is_empty() && !r.references.is_empty())
        );
    }
}
