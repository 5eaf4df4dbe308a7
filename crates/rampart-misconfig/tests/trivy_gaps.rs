//! Differences found by running Trivy's built-in checks side by side with rampart on the
//! Checkov fixtures (`bench/compare-misconfig.py --only trivy-k8s` / `trivy-terraform`) that
//! turned out to be rampart's mistakes. Each fixture object or resource is named `fail-*` /
//! `fail_*` (must get the rule's finding) or `pass-*` / `pass_*` (must not).

use rampart_misconfig::{Config, scan_k8s, scan_terraform_files};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/trivy-gaps");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The names (last part of the resource id) of the objects that got `rule`.
fn k8s_names(file: &str, rule: &str) -> Vec<String> {
    let (found, diags) = scan_k8s(file, &read(file), &Config::default()).unwrap();
    assert!(diags.is_empty(), "{diags:?}");
    let mut names: Vec<String> = found
        .iter()
        .filter(|m| m.rule_id == rule)
        .map(|m| m.resource.rsplit('/').next().unwrap_or("").to_string())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `verbs: ["*"]` on `resources: ["*"]` grants escalate and bind on roles only when the rule's
/// apiGroups include the RBAC group (or `*`): Trivy (KSV-0050) passed a ClusterRole with every
/// verb on `certificates.k8s.io/*`, which rampart reported.
#[test]
fn rbac_escalate_needs_the_rbac_group() {
    assert_eq!(
        k8s_names("rbac-escalate-groups.yaml", "k8s-rbac-escalate"),
        ["fail-any-group-roles", "fail-rbac-all"]
    );
}

/// The `resource "type" "name"` addresses in `file` that got `rule`.
fn tf_names(file: &str, rule: &str) -> Vec<String> {
    let text = read(file);
    let (found, diags) = scan_terraform_files(&[(file, text.as_str())], &Config::default());
    assert!(diags.is_empty(), "{diags:?}");
    let mut names: Vec<String> = found
        .iter()
        .filter(|m| m.rule_id == rule)
        .map(|m| m.resource.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Single servers of Azure Database for MySQL, PostgreSQL and MariaDB are public by default,
/// as Azure SQL servers are: Trivy's AZU-0022 reported them, rampart only read SQL Server.
#[test]
fn azure_database_single_servers_public_network() {
    assert_eq!(
        tf_names("azure-db-public.tf", "tf-azure-sql-public-network"),
        [
            "azurerm_mariadb_server.fail_mariadb_default",
            "azurerm_mysql_server.fail_mysql_default",
            "azurerm_postgresql_server.fail_pg_explicit",
        ]
    );
}

/// Security group rules with `from_port = to_port = -1` open every port only with protocol
/// `-1`; with `tcp` EC2 rejects them, and ICMP rules hold types, not ports (rampart reported
/// all ports open for both; Trivy did not).
#[test]
fn negative_ports_open_everything_only_for_every_protocol() {
    assert_eq!(
        tf_names("aws-sg-ports.tf", "tf-aws-sg-all-open"),
        ["aws_security_group_rule.fail_all_protocols"]
    );
    assert_eq!(
        tf_names("aws-sg-ports.tf", "tf-aws-sg-ssh-open"),
        [
            "aws_security_group_rule.fail_all_protocols",
            "aws_security_group_rule.fail_ssh"
        ]
    );
}

/// A public ACL is ignored when the bucket's public access block sets `ignore_public_acls`;
/// Object Lock turns versioning on (rampart reported both).
#[test]
fn s3_acl_behind_a_public_access_block_and_object_lock_versioning() {
    assert_eq!(
        tf_names("aws-s3-acl-lock.tf", "tf-aws-s3-public-acl"),
        ["aws_s3_bucket_acl.fail_open"]
    );
    let versioning = tf_names("aws-s3-acl-lock.tf", "tf-aws-s3-versioning");
    assert!(
        versioning.contains(&"aws_s3_bucket.fail_no_versioning".to_string()),
        "{versioning:?}"
    );
    assert!(
        !versioning.iter().any(|n| n.contains("pass_lock")),
        "{versioning:?}"
    );
}
