//! Azure (azurerm provider) checks (`tf-azure-*`).

use super::{
    Body, Out, Resource, Setting, get_bool, get_str, is_open_cidr, line_of, port_range,
    require_false, require_true, setting, strings,
};

const APPS: &[&str] = &[
    "azurerm_app_service",
    "azurerm_app_service_slot",
    "azurerm_linux_web_app",
    "azurerm_windows_web_app",
    "azurerm_linux_web_app_slot",
    "azurerm_windows_web_app_slot",
    "azurerm_function_app",
    "azurerm_function_app_slot",
    "azurerm_linux_function_app",
    "azurerm_windows_function_app",
    "azurerm_linux_function_app_slot",
    "azurerm_windows_function_app_slot",
];

const DB_FIREWALLS: &[&str] = &[
    "azurerm_sql_firewall_rule",
    "azurerm_mssql_firewall_rule",
    "azurerm_postgresql_firewall_rule",
    "azurerm_postgresql_flexible_server_firewall_rule",
    "azurerm_mysql_firewall_rule",
    "azurerm_mysql_flexible_server_firewall_rule",
    "azurerm_mariadb_firewall_rule",
];

pub(super) fn check(out: &mut Out<'_>, r: &Resource) {
    if r.data {
        return;
    }
    let t = r.rtype.as_str();
    match t {
        "azurerm_storage_account" => storage_account(out, r),
        "azurerm_storage_account_network_rules" => {
            if let Some(Some(a)) = get_str(&r.body, "default_action")
                && a != "Deny"
            {
                out.add(
                    "tf-azure-storage-default-allow",
                    r,
                    line_of(r, "default_action"),
                    format!("default_action is {a}: every network is allowed by default"),
                );
            }
        }
        "azurerm_storage_container" => {
            if let Some(Some(a)) = get_str(&r.body, "container_access_type")
                && (a == "blob" || a == "container")
            {
                out.add(
                    "tf-azure-storage-public-blob",
                    r,
                    line_of(r, "container_access_type"),
                    format!("container_access_type is {a}: anonymous reads"),
                );
            }
        }
        "azurerm_network_security_rule" => nsg_rule(out, r, &r.body, r.line),
        "azurerm_network_security_group" => {
            for b in r.body.blocks("security_rule") {
                nsg_rule(out, r, &b.body, b.line);
            }
        }
        _ if DB_FIREWALLS.contains(&t) => {
            let start = get_str(&r.body, "start_ip_address").flatten();
            let end = get_str(&r.body, "end_ip_address").flatten();
            if let (Some(s), Some(e)) = (start, end) {
                if s == "0.0.0.0" && e == "255.255.255.255" {
                    out.add(
                        "tf-azure-sql-firewall-open",
                        r,
                        line_of(r, "end_ip_address"),
                        "the firewall admits every IPv4 address",
                    );
                } else if s == "0.0.0.0" && e == "0.0.0.0" {
                    out.add(
                        "tf-azure-sql-firewall-open",
                        r,
                        line_of(r, "start_ip_address"),
                        "0.0.0.0 admits every Azure service, including other tenants'",
                    );
                }
            }
        }
        // Single servers of MySQL, PostgreSQL and MariaDB default to public access as SQL
        // Server does; flexible servers are left out (private when given a delegated subnet).
        "azurerm_mssql_server"
        | "azurerm_sql_server"
        | "azurerm_mysql_server"
        | "azurerm_postgresql_server"
        | "azurerm_mariadb_server" => {
            require_false(
                out,
                r,
                "tf-azure-sql-public-network",
                "public_network_access_enabled",
                true,
                "the server accepts connections from public networks",
            );
        }
        "azurerm_key_vault" => {
            require_true(
                out,
                r,
                "tf-azure-keyvault-purge-protection",
                "purge_protection_enabled",
                false,
                "purge protection is off: deleted keys can be purged at once",
            );
            // Read inside a dynamic `network_acls` too: whether or not it is generated, a
            // default action of Allow leaves the vault as open as having no block at all.
            let denied = r.body.block("network_acls").is_some_and(|b| {
                get_str(&b.body, "default_action").is_some_and(|a| a.is_none_or(|a| a == "Deny"))
            });
            if !denied {
                require_false(
                    out,
                    r,
                    "tf-azure-keyvault-public-network",
                    "public_network_access_enabled",
                    true,
                    "the vault is reachable from every network",
                );
            }
        }
        "azurerm_kubernetes_cluster" => {
            if get_bool(&r.body, "role_based_access_control_enabled") == Some(Some(false))
                || get_bool(&r.body, "role_based_access_control.enabled") == Some(Some(false))
            {
                out.add(
                    "tf-azure-aks-rbac",
                    r,
                    line_of(r, "role_based_access_control_enabled"),
                    "Kubernetes RBAC is disabled",
                );
            }
            match setting(&r.body, "network_profile.network_policy") {
                Setting::Absent => out.add(
                    "tf-azure-aks-network-policy",
                    r,
                    line_of(r, "network_profile.network_policy"),
                    "no network policy engine",
                ),
                Setting::Known(a) if a.value.as_str().is_some_and(|s| s.is_empty()) => out.add(
                    "tf-azure-aks-network-policy",
                    r,
                    a.line,
                    "no network policy engine",
                ),
                _ => {}
            }
        }
        _ if APPS.contains(&t) => {
            require_true(
                out,
                r,
                "tf-azure-app-https-only",
                "https_only",
                false,
                "the app also answers plain HTTP",
            );
            for k in ["min_tls_version", "minimum_tls_version"] {
                let path = format!("site_config.{k}");
                if let Some(Some(v)) = get_str(&r.body, &path)
                    && (v == "1.0" || v == "1.1")
                {
                    out.add(
                        "tf-azure-app-min-tls",
                        r,
                        line_of(r, &path),
                        format!("minimum TLS version is {v}"),
                    );
                }
            }
            // The legacy resources default to AllAllowed; the newer ones to Disabled.
            let legacy = matches!(
                t,
                "azurerm_app_service"
                    | "azurerm_app_service_slot"
                    | "azurerm_function_app"
                    | "azurerm_function_app_slot"
            );
            let ftps = get_str(&r.body, "site_config.ftps_state");
            let allowed = match &ftps {
                None => legacy,
                Some(Some(s)) => s == "AllAllowed",
                Some(None) => false,
            };
            if allowed {
                out.add(
                    "tf-azure-app-ftps",
                    r,
                    line_of(r, "site_config.ftps_state"),
                    "FTP without TLS is allowed",
                );
            }
        }
        "azurerm_monitor_log_profile" => match get_bool(&r.body, "retention_policy.enabled") {
            Some(Some(false)) => out.add(
                "tf-azure-activity-log-retention",
                r,
                line_of(r, "retention_policy.enabled"),
                "activity log retention is disabled",
            ),
            Some(Some(true)) => {
                let days = r
                    .body
                    .block("retention_policy")
                    .and_then(|b| b.body.attr("days"))
                    .and_then(|a| a.value.as_f64());
                if days.is_some_and(|d| d > 0.0 && d < 365.0) {
                    out.add(
                        "tf-azure-activity-log-retention",
                        r,
                        line_of(r, "retention_policy.days"),
                        "activity logs are kept less than 365 days",
                    );
                }
            }
            _ => {}
        },
        "azurerm_container_registry" => {
            require_false(
                out,
                r,
                "tf-azure-acr-admin",
                "admin_enabled",
                false,
                "the admin user is enabled",
            );
        }
        "azurerm_linux_virtual_machine" | "azurerm_linux_virtual_machine_scale_set" => {
            require_true(
                out,
                r,
                "tf-azure-vm-password-auth",
                "disable_password_authentication",
                true,
                "password authentication is enabled",
            );
        }
        "azurerm_virtual_machine"
            if get_bool(
                &r.body,
                "os_profile_linux_config.disable_password_authentication",
            ) == Some(Some(false)) =>
        {
            out.add(
                "tf-azure-vm-password-auth",
                r,
                line_of(r, "os_profile_linux_config.disable_password_authentication"),
                "password authentication is enabled",
            );
        }
        "azurerm_redis_cache" => {
            if let Some(Some(v)) = get_str(&r.body, "minimum_tls_version")
                && (v == "1.0" || v == "1.1")
            {
                out.add(
                    "tf-azure-redis-min-tls",
                    r,
                    line_of(r, "minimum_tls_version"),
                    format!("minimum TLS version is {v}"),
                );
            }
        }
        _ => {}
    }
}

fn storage_account(out: &mut Out<'_>, r: &Resource) {
    for k in ["enable_https_traffic_only", "https_traffic_only_enabled"] {
        if get_bool(&r.body, k) == Some(Some(false)) {
            out.add(
                "tf-azure-storage-https-only",
                r,
                line_of(r, k),
                "plain HTTP requests are accepted",
            );
        }
    }
    if let Some(Some(v)) = get_str(&r.body, "min_tls_version")
        && (v == "TLS1_0" || v == "TLS1_1")
    {
        out.add(
            "tf-azure-storage-min-tls",
            r,
            line_of(r, "min_tls_version"),
            format!("minimum TLS version is {v}"),
        );
    }
    // Anonymous access is allowed unless turned off (azurerm's default is true).
    let keys = [
        "allow_nested_items_to_be_public",
        "allow_blob_public_access",
    ];
    let vals: Vec<Option<Option<bool>>> = keys.iter().map(|k| get_bool(&r.body, k)).collect();
    if vals.iter().all(Option::is_none) {
        out.add(
            "tf-azure-storage-public-blob",
            r,
            r.line,
            "allow_nested_items_to_be_public is not set (default true): containers may allow anonymous reads",
        );
    }
    for (k, v) in keys.iter().zip(&vals) {
        if *v == Some(Some(true)) {
            out.add(
                "tf-azure-storage-public-blob",
                r,
                line_of(r, k),
                format!("{k} is true: containers may allow anonymous reads"),
            );
        }
    }
    let separate = out
        .referring(
            "azurerm_storage_account_network_rules",
            "storage_account_id",
            r,
        )
        .next()
        .is_some()
        || out
            .referring(
                "azurerm_storage_account_network_rules",
                "storage_account_name",
                r,
            )
            .next()
            .is_some();
    if !separate {
        match get_str(&r.body, "network_rules.default_action") {
            None => out.add(
                "tf-azure-storage-default-allow",
                r,
                line_of(r, "network_rules.default_action"),
                "every network is allowed by default",
            ),
            Some(Some(a)) if a != "Deny" => out.add(
                "tf-azure-storage-default-allow",
                r,
                line_of(r, "network_rules.default_action"),
                "network_rules.default_action is Allow",
            ),
            _ => {}
        }
    }
}

fn nsg_rule(out: &mut Out<'_>, r: &Resource, b: &Body, line: u32) {
    let eq = |k: &str, want: &str| {
        get_str(b, k)
            .flatten()
            .is_some_and(|v| v.eq_ignore_ascii_case(want))
    };
    if !eq("direction", "Inbound") || !eq("access", "Allow") {
        return;
    }
    let proto = get_str(b, "protocol")
        .flatten()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let open_src = get_str(b, "source_address_prefix")
        .flatten()
        .is_some_and(|s| is_open_cidr(&s))
        || b.attr("source_address_prefixes")
            .and_then(|a| strings(&a.value))
            .is_some_and(|v| v.iter().any(|s| is_open_cidr(s)));
    if !open_src {
        return;
    }
    let mut ranges = Vec::new();
    if let Some(Some(p)) = get_str(b, "destination_port_range") {
        ranges.extend(port_range(&p));
    }
    if let Some(v) = b
        .attr("destination_port_ranges")
        .and_then(|a| strings(&a.value))
    {
        ranges.extend(v.iter().filter_map(|p| port_range(p)));
    }
    for (port, id, what, protos) in [
        (22.0, "tf-azure-nsg-ssh-open", "SSH", &["tcp", "*"][..]),
        (
            3389.0,
            "tf-azure-nsg-rdp-open",
            "RDP",
            &["tcp", "udp", "*"][..],
        ),
    ] {
        if protos.contains(&proto.as_str()) && ranges.iter().any(|(f, t)| *f <= port && port <= *t)
        {
            out.add(
                id,
                r,
                line,
                format!("{what} (port {port}) is open to the internet"),
            );
        }
    }
}
