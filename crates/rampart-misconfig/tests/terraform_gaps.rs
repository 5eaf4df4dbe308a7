//! Terraform constructs that Checkov's fixtures showed rampart missing: inline NACL rules,
//! instance and launch-configuration block devices, launch-template public IPs, `for_each`
//! and `dynamic` blocks over known values, `for` expressions, instances made from a template,
//! SSO inline policies, separate storage-account network rules, and one module per directory.
//! Each fixture resource is named `fail_*` (must get the rule's finding) or `pass_*` (must
//! not).

mod common;

use rampart_misconfig::Misconfiguration;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform-gaps")
}

/// The `.tf` files of one fixture directory, named relative to the fixtures root.
fn fixture_dir(dir: &str) -> Vec<(String, String)> {
    common::tf_files(&fixtures().join(dir), &fixtures())
}

fn scan(dir: &str) -> Vec<Misconfiguration> {
    common::scan_tf(&fixture_dir(dir))
}

/// Every `fail_*`/`pass_*` resource of the given types in the fixture gets `rule` exactly
/// when it is a `fail_`.
fn check(dir: &str, rule: &str, types: &[&str]) {
    check_named(dir, rule, types, "");
}

/// As [`check`], counting only resources whose name contains `tag`.
fn check_named(dir: &str, rule: &str, types: &[&str], tag: &str) {
    let found = scan(dir);
    let mut counted = 0;
    for (_, text) in fixture_dir(dir) {
        for line in text.lines() {
            let Some(rest) = line.strip_prefix("resource \"") else {
                continue;
            };
            let parts: Vec<&str> = rest.split('"').collect();
            let (ty, name) = (parts[0], parts[2]);
            if !types.contains(&ty) || !name.contains(tag) {
                continue;
            }
            let want = if name.starts_with("fail_") {
                true
            } else if name.starts_with("pass_") {
                false
            } else {
                continue;
            };
            let addr = format!("{ty}.{name}");
            let got = found
                .iter()
                .any(|m| m.rule_id == rule && m.resource == addr);
            assert_eq!(got, want, "{dir}: {addr} {rule}: {found:#?}");
            counted += 1;
        }
    }
    assert!(counted >= 2, "{dir}: only {counted} labelled resources");
}

#[test]
fn nacl_inline_rules_in_rule_number_order() {
    check("nacl", "tf-aws-nacl-ssh-open", &["aws_network_acl"]);
    let found = scan("nacl");
    let rdp: Vec<&Misconfiguration> = found
        .iter()
        .filter(|m| m.rule_id == "tf-aws-nacl-rdp-open")
        .collect();
    let names: Vec<&str> = rdp.iter().map(|m| m.resource.as_str()).collect();
    assert_eq!(
        names,
        ["aws_network_acl.fail_all", "aws_network_acl.dynamic_rdp"]
    );
    // Reported at the rule that lets the traffic in: the allow with rule_no 10, not the
    // later deny.
    let all = found
        .iter()
        .find(|m| m.rule_id == "tf-aws-nacl-ssh-open" && m.resource == "aws_network_acl.fail_all")
        .unwrap();
    assert_eq!(all.line, 27);
}

#[test]
fn instance_and_launch_configuration_block_devices() {
    check(
        "block-devices",
        "tf-aws-ebs-unencrypted",
        &["aws_instance", "aws_launch_configuration"],
    );
    // With EBS encryption by default on, only an explicit `encrypted = false` is reported.
    check(
        "block-devices-default",
        "tf-aws-ebs-unencrypted",
        &["aws_instance"],
    );
}

#[test]
fn launch_template_and_configuration_public_ip() {
    check(
        "public-ip",
        "tf-aws-ec2-public-ip",
        &["aws_launch_template", "aws_launch_configuration"],
    );
}

#[test]
fn for_each_and_for_expressions_expand() {
    check("for-each", "tf-aws-ec2-public-ip", &["aws_instance"]);
}

#[test]
fn dynamic_blocks_expand() {
    check(
        "for-each",
        "tf-azure-nsg-ssh-open",
        &["azurerm_network_security_group"],
    );
    check(
        "for-each",
        "tf-azure-keyvault-public-network",
        &["azurerm_key_vault"],
    );
}

#[test]
fn instance_from_template_explicit_settings() {
    check_named(
        "gce-from-template",
        "tf-gcp-compute-default-sa",
        &["google_compute_instance_from_template"],
        "_sa_",
    );
    check_named(
        "gce-from-template",
        "tf-gcp-compute-block-project-ssh",
        &["google_compute_instance_from_template"],
        "_ssh_",
    );
}

#[test]
fn sso_inline_policy() {
    check(
        "iam-sso",
        "tf-aws-iam-admin-policy",
        &["aws_ssoadmin_permission_set_inline_policy"],
    );
}

#[test]
fn separate_storage_network_rules() {
    check(
        "azure-network-rules",
        "tf-azure-storage-default-allow",
        &["azurerm_storage_account_network_rules"],
    );
    // The account itself is covered by the separate rules resource.
    assert!(
        !scan("azure-network-rules")
            .iter()
            .any(|m| m.rule_id == "tf-azure-storage-default-allow"
                && m.resource == "azurerm_storage_account.acct")
    );
}

/// Two root modules scanned in one call: same resource addresses and variable names, and
/// nothing of one (a public access block, a variable default) reaches the other.
#[test]
fn one_module_per_directory() {
    let found = scan("modules");
    let has = |file: &str, rule: &str, res: &str| {
        found
            .iter()
            .any(|m| m.file == file && m.rule_id == rule && m.resource == res)
    };
    assert!(has(
        "modules/app/main.tf",
        "tf-aws-s3-public-access-block",
        "aws_s3_bucket.data"
    ));
    assert!(!has(
        "modules/web/main.tf",
        "tf-aws-s3-public-access-block",
        "aws_s3_bucket.data"
    ));
    assert!(has(
        "modules/app/main.tf",
        "tf-aws-sg-ssh-open",
        "aws_security_group_rule.fail_ssh"
    ));
    assert!(!found.iter().any(|m| m.file == "modules/web/main.tf"
        && m.resource == "aws_security_group_rule.pass_https"
        && m.rule_id == "tf-aws-sg-ssh-open"));
}
