//! Google Cloud provider checks (`tf-gcp-*`).

use super::{
    Body, Out, Resource, Setting, Value, get_bool, get_str, line_of, port_range, require_false,
    require_true, setting, strings,
};

/// Longest automatic rotation period CIS allows for KMS keys: 90 days, in seconds.
const MAX_ROTATION_SECONDS: f64 = 7_776_000.0;

pub(super) fn check(out: &mut Out<'_>, r: &Resource) {
    if r.data {
        return;
    }
    match r.rtype.as_str() {
        "google_storage_bucket" => {
            require_true(
                out,
                r,
                "tf-gcp-storage-uniform-access",
                "uniform_bucket_level_access",
                false,
                "uniform bucket-level access is off: object ACLs apply",
            );
            match get_str(&r.body, "public_access_prevention") {
                None => out.add(
                    "tf-gcp-storage-public-access-prevention",
                    r,
                    r.line,
                    "public access prevention is not enforced",
                ),
                Some(Some(p)) if p != "enforced" => out.add(
                    "tf-gcp-storage-public-access-prevention",
                    r,
                    line_of(r, "public_access_prevention"),
                    format!("public_access_prevention is {p}"),
                ),
                _ => {}
            }
            require_true(
                out,
                r,
                "tf-gcp-storage-versioning",
                "versioning.enabled",
                false,
                "object versioning is off",
            );
        }
        "google_storage_bucket_iam_member" | "google_storage_bucket_iam_binding" => {
            let members = r.body.attr("member").or(r.body.attr("members"));
            if let Some(a) = members
                && strings(&a.value).is_some_and(|v| v.iter().any(|m| public_member(m)))
            {
                out.add(
                    "tf-gcp-storage-public",
                    r,
                    a.line,
                    "the bucket is granted to allUsers or allAuthenticatedUsers",
                );
            }
        }
        "google_storage_bucket_acl" => {
            if let Some(a) = r.body.attr("role_entity")
                && strings(&a.value).is_some_and(|v| {
                    v.iter()
                        .any(|m| m.contains("allUsers") || m.contains("allAuthenticatedUsers"))
                })
            {
                out.add(
                    "tf-gcp-storage-public",
                    r,
                    a.line,
                    "the bucket ACL grants allUsers or allAuthenticatedUsers",
                );
            }
        }
        "google_compute_firewall" => firewall(out, r),
        "google_sql_database_instance" => sql(out, r),
        "google_container_cluster" => {
            require_false(
                out,
                r,
                "tf-gcp-gke-legacy-abac",
                "enable_legacy_abac",
                false,
                "legacy ABAC is enabled",
            );
            if get_bool(&r.body, "enable_autopilot") != Some(Some(true)) {
                require_true(
                    out,
                    r,
                    "tf-gcp-gke-private-nodes",
                    "private_cluster_config.enable_private_nodes",
                    false,
                    "nodes have public IP addresses",
                );
                let dataplane_v2 = get_str(&r.body, "datapath_provider")
                    .is_some_and(|d| d.is_none_or(|d| d == "ADVANCED_DATAPATH"));
                if !dataplane_v2 {
                    require_true(
                        out,
                        r,
                        "tf-gcp-gke-network-policy",
                        "network_policy.enabled",
                        false,
                        "network policy enforcement is off",
                    );
                }
            }
        }
        "google_compute_instance"
        | "google_compute_instance_template"
        | "google_compute_instance_from_template" => instance(out, r),
        "google_compute_project_metadata" => {
            if let Some(Value::Map(m)) = r.body.attr("metadata").map(|a| &a.value) {
                let oslogin = m
                    .iter()
                    .find(|(k, _)| k == "enable-oslogin")
                    .map(|(_, v)| v);
                if oslogin.is_none_or(is_false) {
                    out.add(
                        "tf-gcp-compute-os-login",
                        r,
                        line_of(r, "metadata"),
                        "OS Login is not enabled for the project",
                    );
                }
            }
        }
        "google_compute_project_metadata_item"
            if get_str(&r.body, "key").flatten().as_deref() == Some("enable-oslogin")
                && r.body.attr("value").is_some_and(|a| is_false(&a.value)) =>
        {
            out.add(
                "tf-gcp-compute-os-login",
                r,
                line_of(r, "value"),
                "OS Login is disabled for the project",
            );
        }
        "google_kms_crypto_key" => {
            let purpose = get_str(&r.body, "purpose").flatten();
            if purpose.is_some_and(|p| p != "ENCRYPT_DECRYPT") {
                return;
            }
            match setting(&r.body, "rotation_period") {
                Setting::Absent => {
                    out.add("tf-gcp-kms-rotation", r, r.line, "the key is never rotated")
                }
                Setting::Known(a) => {
                    let text = a.value.as_str().unwrap_or_default();
                    let secs = text.strip_suffix('s').and_then(|s| s.parse::<f64>().ok());
                    match secs {
                        Some(s) if s <= MAX_ROTATION_SECONDS => {}
                        Some(_) => out.add(
                            "tf-gcp-kms-rotation",
                            r,
                            a.line,
                            "the rotation period is longer than 90 days",
                        ),
                        None => out.add(
                            "tf-gcp-kms-rotation",
                            r,
                            a.line,
                            format!("rotation_period {text:?} is not a duration in seconds (\"7776000s\")"),
                        ),
                    }
                }
                Setting::Unknown => {}
            }
        }
        "google_compute_subnetwork" => {
            let proxy = get_str(&r.body, "purpose").flatten().is_some_and(|p| {
                p.contains("PROXY") || p.contains("LOAD_BALANCER") || p == "PRIVATE_SERVICE_CONNECT"
            });
            if !proxy && r.body.block("log_config").is_none() {
                out.add(
                    "tf-gcp-subnet-flow-logs",
                    r,
                    r.line,
                    "VPC flow logs are off",
                );
            }
        }
        "google_project_iam_member"
        | "google_project_iam_binding"
        | "google_folder_iam_member"
        | "google_folder_iam_binding"
        | "google_organization_iam_member"
        | "google_organization_iam_binding" => {
            if let Some(Some(role)) = get_str(&r.body, "role")
                && matches!(
                    role.as_str(),
                    "roles/owner" | "roles/editor" | "roles/viewer"
                )
            {
                out.add(
                    "tf-gcp-iam-basic-role",
                    r,
                    line_of(r, "role"),
                    format!("basic role {role} granted"),
                );
            }
        }
        _ => {}
    }
}

fn public_member(m: &str) -> bool {
    m == "allUsers" || m == "allAuthenticatedUsers"
}

fn is_false(v: &Value) -> bool {
    v.as_bool() == Some(false) || v.as_str().is_some_and(|s| s == "0")
}

fn is_true(v: &Value) -> bool {
    v.as_bool() == Some(true) || v.as_str().is_some_and(|s| s == "1")
}

fn firewall(out: &mut Out<'_>, r: &Resource) {
    let ingress = get_str(&r.body, "direction").is_none_or(|d| d.is_some_and(|d| d == "INGRESS"));
    if !ingress || get_bool(&r.body, "disabled") == Some(Some(true)) {
        return;
    }
    let Some(src) = r.body.attr("source_ranges").and_then(|a| strings(&a.value)) else {
        return;
    };
    if !src.iter().any(|s| s == "0.0.0.0/0" || s == "::/0") {
        return;
    }
    for allow in r.body.blocks("allow") {
        let Some(Some(proto)) = get_str(&allow.body, "protocol") else {
            continue;
        };
        if proto != "tcp" && proto != "all" && proto != "6" {
            continue;
        }
        let ports = match allow.body.attr("ports") {
            None => vec![(0.0, 65535.0)],
            Some(a) => match strings(&a.value) {
                Some(v) if v.is_empty() => vec![(0.0, 65535.0)],
                Some(v) => v.iter().filter_map(|p| port_range(p)).collect(),
                None => continue,
            },
        };
        for (port, id, what) in [
            (22.0, "tf-gcp-firewall-ssh-open", "SSH"),
            (3389.0, "tf-gcp-firewall-rdp-open", "RDP"),
        ] {
            if ports.iter().any(|(f, t)| *f <= port && port <= *t) {
                out.add(
                    id,
                    r,
                    allow.line,
                    format!("{what} (port {port}) is open to 0.0.0.0/0"),
                );
            }
        }
    }
}

fn sql(out: &mut Out<'_>, r: &Resource) {
    let ipc = "settings.ip_configuration";
    require_false(
        out,
        r,
        "tf-gcp-sql-public-ip",
        &format!("{ipc}.ipv4_enabled"),
        true,
        "the instance has a public IPv4 address",
    );
    let ssl_mode = get_str(&r.body, &format!("{ipc}.ssl_mode"));
    let ssl_ok = match ssl_mode {
        Some(Some(m)) => m == "ENCRYPTED_ONLY" || m == "TRUSTED_CLIENT_CERTIFICATE_REQUIRED",
        Some(None) => true,
        None => !matches!(
            get_bool(&r.body, &format!("{ipc}.require_ssl")),
            None | Some(Some(false))
        ),
    };
    if !ssl_ok {
        out.add(
            "tf-gcp-sql-ssl",
            r,
            line_of(r, &format!("{ipc}.ssl_mode")),
            "connections without TLS are accepted",
        );
    }
    let Some(cfg) = r
        .body
        .block("settings")
        .and_then(|s| s.body.block("ip_configuration"))
    else {
        return;
    };
    for n in cfg.body.blocks("authorized_networks") {
        if get_str(&n.body, "value")
            .flatten()
            .is_some_and(|v| v == "0.0.0.0/0")
        {
            out.add(
                "tf-gcp-sql-open-network",
                r,
                n.line,
                "0.0.0.0/0 is an authorized network",
            );
        }
    }
}

/// Instance metadata as key/value pairs, written as a map (`metadata = { ... }`) or, as some
/// configurations do, a block (`metadata { ... }`).
fn metadata(body: &Body) -> Option<Vec<(String, Value)>> {
    match body.attr("metadata").map(|a| &a.value) {
        Some(Value::Map(m)) => Some(m.clone()),
        Some(_) => None,
        None => body.block("metadata").filter(|b| !b.dynamic).map(|b| {
            b.body
                .attrs
                .iter()
                .map(|(k, a)| (k.clone(), a.value.clone()))
                .collect()
        }),
    }
}

fn instance(out: &mut Out<'_>, r: &Resource) {
    if let Some(sa) = r.body.block("service_account").filter(|b| !b.dynamic) {
        match get_str(&sa.body, "email") {
            None => out.add(
                "tf-gcp-compute-default-sa",
                r,
                sa.line,
                "no email: the Compute Engine default service account is used",
            ),
            Some(Some(e)) if e.ends_with("-compute@developer.gserviceaccount.com") => out.add(
                "tf-gcp-compute-default-sa",
                r,
                line_of(r, "service_account.email"),
                "the Compute Engine default service account is used",
            ),
            _ => {}
        }
    }
    let md_line = line_of(r, "metadata");
    let md = metadata(&r.body);
    // An instance made from a template inherits the template's metadata unless it sets its own.
    let from_template = r.rtype == "google_compute_instance_from_template";
    let md_known = match setting(&r.body, "metadata") {
        Setting::Known(_) => true,
        Setting::Absent => !from_template || md.is_some(),
        Setting::Unknown => md.is_some(),
    };
    let key = |k: &str| {
        md.as_ref()
            .and_then(|m| m.iter().find(|(n, _)| n == k).map(|(_, v)| v))
    };
    if key("serial-port-enable").is_some_and(is_true) {
        out.add(
            "tf-gcp-compute-serial-port",
            r,
            md_line,
            "the interactive serial console is enabled",
        );
    }
    if key("enable-oslogin").is_some_and(is_false) {
        out.add(
            "tf-gcp-compute-os-login",
            r,
            md_line,
            "OS Login is disabled on the instance",
        );
    }
    if md_known && !key("block-project-ssh-keys").is_some_and(is_true) {
        let v = key("block-project-ssh-keys");
        if v.is_none_or(|v| !v.has_unknown()) {
            out.add(
                "tf-gcp-compute-block-project-ssh",
                r,
                md_line,
                "project-wide SSH keys can log in",
            );
        }
    }
    for k in ["enable_vtpm", "enable_integrity_monitoring"] {
        let path = format!("shielded_instance_config.{k}");
        if get_bool(&r.body, &path) == Some(Some(false)) {
            out.add(
                "tf-gcp-compute-shielded-vm",
                r,
                line_of(r, &path),
                format!("Shielded VM {k} is off"),
            );
        }
    }
}
