//! Checkov's Terraform fixtures as an oracle. Each `example_<Check>` folder holds resources
//! written to pass or fail one Checkov check; the expected verdict is in the resource name
//! (`pass`/`good`/`success` or `fail`/`bad`; names with `unknown` or neither are not counted,
//! `SHOW_UNLABELLED=1` lists them). For every
//! Checkov check family rampart claims, each labelled resource of the family's types must get
//! a finding of the mapped rule exactly when Checkov expects a failure. Every disagreement is
//! listed in `EXCEPTIONS` with the reason rampart differs.

use rampart_misconfig::{Config, scan_terraform_files};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// (cloud, Checkov fixture folder `example_<Check>`, rampart rule, resource types counted).
const FAMILIES: &[(&str, &str, &str, &[&str])] = &[
    (
        "aws",
        "SecurityGroupUnrestrictedIngress22",
        "tf-aws-sg-ssh-open",
        SG,
    ),
    (
        "aws",
        "SecurityGroupUnrestrictedIngress3389",
        "tf-aws-sg-rdp-open",
        SG,
    ),
    (
        "aws",
        "SecurityGroupUnrestrictedIngress80",
        "tf-aws-sg-http-open",
        SG,
    ),
    (
        "aws",
        "SecurityGroupUnrestrictedIngressAny",
        "tf-aws-sg-all-open",
        SG,
    ),
    (
        "aws",
        "NetworkACLUnrestrictedIngress22",
        "tf-aws-nacl-ssh-open",
        NACL,
    ),
    (
        "aws",
        "NetworkACLUnrestrictedIngress3389",
        "tf-aws-nacl-rdp-open",
        NACL,
    ),
    (
        "aws",
        "IAMAdminPolicyDocument",
        "tf-aws-iam-admin-policy",
        IAM,
    ),
    (
        "aws",
        "S3GlobalViewACL",
        "tf-aws-s3-public-acl",
        &["aws_s3_bucket", "aws_s3_bucket_acl"],
    ),
    (
        "aws",
        "CloudtrailEnableLogging",
        "tf-aws-cloudtrail-logging-disabled",
        &["aws_cloudtrail"],
    ),
    (
        "aws",
        "CloudtrailEncryptedWithCMK",
        "tf-aws-cloudtrail-kms",
        &["aws_cloudtrail"],
    ),
    (
        "aws",
        "KMSRotation",
        "tf-aws-kms-rotation",
        &["aws_kms_key"],
    ),
    ("aws", "RDSEncryption", "tf-aws-rds-unencrypted", RDS),
    (
        "aws",
        "DBInstanceBackupRetentionPeriod",
        "tf-aws-rds-no-backups",
        RDS,
    ),
    (
        "aws",
        "EBSEncryption",
        "tf-aws-ebs-unencrypted",
        &["aws_ebs_volume"],
    ),
    (
        "aws",
        "LaunchConfigurationEBSEncryption",
        "tf-aws-ebs-unencrypted",
        &["aws_instance", "aws_launch_configuration"],
    ),
    (
        "aws",
        "EBSDefaultEncryption",
        "tf-aws-ebs-default-encryption",
        &["aws_ebs_encryption_by_default"],
    ),
    ("aws", "IMDSv1Disabled", "tf-aws-ec2-imdsv1", EC2),
    (
        "aws",
        "EC2PublicIP",
        "tf-aws-ec2-public-ip",
        &["aws_instance", "aws_launch_template"],
    ),
    (
        "aws",
        "ELBwListenerNotTLSSSL",
        "tf-aws-lb-http-listener",
        &["aws_elb"],
    ),
    (
        "aws",
        "EKSPublicAccess",
        "tf-aws-eks-public-endpoint",
        &["aws_eks_cluster"],
    ),
    (
        "aws",
        "EKSControlPlaneLogging",
        "tf-aws-eks-logging",
        &["aws_eks_cluster"],
    ),
    (
        "aws",
        "CloudWatchLogGroupRetention",
        "tf-aws-cloudwatch-log-retention",
        &["aws_cloudwatch_log_group"],
    ),
    (
        "aws",
        "SQSQueueEncryption",
        "tf-aws-sqs-unencrypted",
        &["aws_sqs_queue"],
    ),
    (
        "aws",
        "SNSTopicEncryption",
        "tf-aws-sns-unencrypted",
        &["aws_sns_topic"],
    ),
    (
        "aws",
        "ECRImmutableTags",
        "tf-aws-ecr-mutable-tags",
        &["aws_ecr_repository"],
    ),
    (
        "aws",
        "LambdaEnvironmentCredentials",
        "tf-aws-lambda-env-secret",
        &["aws_lambda_function"],
    ),
    (
        "aws",
        "EFSEncryptionEnabled",
        "tf-aws-efs-unencrypted",
        &["aws_efs_file_system"],
    ),
    (
        "aws",
        "ElasticsearchEncryption",
        "tf-aws-opensearch-unencrypted",
        &["aws_elasticsearch_domain", "aws_opensearch_domain"],
    ),
    (
        "aws",
        "KinesisStreamEncryptionType",
        "tf-aws-kinesis-unencrypted",
        &["aws_kinesis_stream"],
    ),
    (
        "aws",
        "GuarddutyDetectorEnabled",
        "tf-aws-guardduty-disabled",
        &["aws_guardduty_detector"],
    ),
    (
        "aws",
        "ECSContainerPrivilege",
        "tf-aws-ecs-privileged",
        &["aws_ecs_task_definition"],
    ),
    (
        "gcp",
        "GoogleComputeFirewallUnrestrictedIngress22",
        "tf-gcp-firewall-ssh-open",
        &["google_compute_firewall"],
    ),
    (
        "gcp",
        "GoogleStorageBucketUniformAccess",
        "tf-gcp-storage-uniform-access",
        &["google_storage_bucket"],
    ),
    (
        "gcp",
        "GoogleStoragePublicAccessPrevention",
        "tf-gcp-storage-public-access-prevention",
        &["google_storage_bucket"],
    ),
    (
        "gcp",
        "CloudStorageVersioningEnabled",
        "tf-gcp-storage-versioning",
        &["google_storage_bucket"],
    ),
    (
        "gcp",
        "CloudSQLServerNoPublicIP",
        "tf-gcp-sql-public-ip",
        &["google_sql_database_instance"],
    ),
    (
        "gcp",
        "GoogleCloudSqlDatabasePubliclyAccessible",
        "tf-gcp-sql-open-network",
        &["google_sql_database_instance"],
    ),
    (
        "gcp",
        "GKENetworkPolicyEnabled",
        "tf-gcp-gke-network-policy",
        &["google_container_cluster"],
    ),
    (
        "gcp",
        "test_GKEPrivateNodes",
        "tf-gcp-gke-private-nodes",
        &["google_container_cluster"],
    ),
    (
        "gcp",
        "GoogleComputeDefaultServiceAccount",
        "tf-gcp-compute-default-sa",
        GCE,
    ),
    (
        "gcp",
        "GoogleComputeProjectOSLogin",
        "tf-gcp-compute-os-login",
        &["google_compute_project_metadata"],
    ),
    (
        "gcp",
        "test_GoogleComputeBlockProjectSSH",
        "tf-gcp-compute-block-project-ssh",
        GCE,
    ),
    (
        "gcp",
        "GoogleKMSRotationPeriod",
        "tf-gcp-kms-rotation",
        &["google_kms_crypto_key"],
    ),
    (
        "gcp",
        "GoogleSubnetworkLoggingEnabled",
        "tf-gcp-subnet-flow-logs",
        &["google_compute_subnetwork"],
    ),
    (
        "gcp",
        "GoogleProjectBasicRole",
        "tf-gcp-iam-basic-role",
        &["google_project_iam_member", "google_project_iam_binding"],
    ),
    (
        "gcp",
        "GoogleFolderBasicRole",
        "tf-gcp-iam-basic-role",
        &["google_folder_iam_member", "google_folder_iam_binding"],
    ),
    (
        "gcp",
        "GoogleOrgBasicRole",
        "tf-gcp-iam-basic-role",
        &[
            "google_organization_iam_member",
            "google_organization_iam_binding",
        ],
    ),
    (
        "azure",
        "NSGRuleSSHAccessRestricted",
        "tf-azure-nsg-ssh-open",
        NSG,
    ),
    (
        "azure",
        "NSGRuleRDPAccessRestricted",
        "tf-azure-nsg-rdp-open",
        NSG,
    ),
    (
        "azure",
        "StorageAccountsTransportEncryption",
        "tf-azure-storage-https-only",
        &["azurerm_storage_account"],
    ),
    (
        "azure",
        "StorageBlobRestrictPublicAccess",
        "tf-azure-storage-public-blob",
        &["azurerm_storage_account"],
    ),
    (
        "azure",
        "StorageAccountDefaultNetworkAccessDeny",
        "tf-azure-storage-default-allow",
        &[
            "azurerm_storage_account",
            "azurerm_storage_account_network_rules",
        ],
    ),
    (
        "azure",
        "SQLServerNoPublicAccess",
        "tf-azure-sql-firewall-open",
        DBFW,
    ),
    (
        "azure",
        "AppServiceHTTPSOnly",
        "tf-azure-app-https-only",
        APPS,
    ),
    (
        "azure",
        "FunctionAppAccessibleOverHttps",
        "tf-azure-app-https-only",
        APPS,
    ),
    (
        "azure",
        "AppServiceMinTLSVersion",
        "tf-azure-app-min-tls",
        APPS,
    ),
    (
        "azure",
        "AppServiceSlotHTTPSOnly",
        "tf-azure-app-https-only",
        APPS,
    ),
    (
        "azure",
        "AppServiceSlotMinTLS",
        "tf-azure-app-min-tls",
        APPS,
    ),
    (
        "azure",
        "FunctionAppMinTLSVersion",
        "tf-azure-app-min-tls",
        APPS,
    ),
    ("azure", "AppServiceFTPSState", "tf-azure-app-ftps", APPS),
    (
        "azure",
        "KeyVaultDisablesPublicNetworkAccess",
        "tf-azure-keyvault-public-network",
        &["azurerm_key_vault"],
    ),
    (
        "azure",
        "ACRAdminAccountDisabled",
        "tf-azure-acr-admin",
        &["azurerm_container_registry"],
    ),
    (
        "azure",
        "VMDisablePasswordAuthentication",
        "tf-azure-vm-password-auth",
        &[
            "azurerm_linux_virtual_machine",
            "azurerm_linux_virtual_machine_scale_set",
            "azurerm_virtual_machine",
        ],
    ),
    (
        "azure",
        "RedisCacheMinTLSVersion",
        "tf-azure-redis-min-tls",
        &["azurerm_redis_cache"],
    ),
];

const SG: &[&str] = &[
    "aws_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
];
const IAM: &[&str] = &[
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_ssoadmin_permission_set_inline_policy",
    "data.aws_iam_policy_document",
];
const NACL: &[&str] = &["aws_network_acl", "aws_network_acl_rule"];
const RDS: &[&str] = &["aws_db_instance", "aws_rds_cluster"];
const EC2: &[&str] = &[
    "aws_instance",
    "aws_launch_template",
    "aws_launch_configuration",
];
const GCE: &[&str] = &[
    "google_compute_instance",
    "google_compute_instance_template",
    "google_compute_instance_from_template",
];
const NSG: &[&str] = &[
    "azurerm_network_security_rule",
    "azurerm_network_security_group",
];
const DBFW: &[&str] = &[
    "azurerm_sql_firewall_rule",
    "azurerm_mssql_firewall_rule",
    "azurerm_postgresql_firewall_rule",
    "azurerm_postgresql_flexible_server_firewall_rule",
    "azurerm_mysql_firewall_rule",
    "azurerm_mysql_flexible_server_firewall_rule",
    "azurerm_mariadb_firewall_rule",
];
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

/// (fixture folder, resource address, why rampart's verdict differs from Checkov's label).
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "SecurityGroupUnrestrictedIngressAny",
        "aws_security_group.fail",
        "protocol tcp with from_port = to_port = -1: EC2 rejects it (-1 means every port only with protocol -1), so the rule never exists",
    ),
    (
        "SecurityGroupUnrestrictedIngressAny",
        "aws_security_group_rule.fail",
        "protocol tcp with from_port = to_port = -1: EC2 rejects it (-1 means every port only with protocol -1), so the rule never exists",
    ),
    (
        "SecurityGroupUnrestrictedIngressAny",
        "aws_vpc_security_group_ingress_rule.fail",
        "ip_protocol tcp with from_port = to_port = -1: EC2 rejects it (-1 means every port only with protocol -1), so the rule never exists",
    ),
    (
        "SecurityGroupUnrestrictedIngress22",
        "aws_security_group.fail2",
        "protocol tcp with from_port = to_port = 0 is port 0 only, not every port",
    ),
    (
        "SecurityGroupUnrestrictedIngress80",
        "aws_security_group.fail2",
        "protocol tcp with from_port = to_port = 0 is port 0 only, not every port",
    ),
    (
        "SecurityGroupUnrestrictedIngress22",
        "aws_vpc_security_group_ingress_rule.fail2",
        "the rule has no cidr_ipv4/cidr_ipv6 or other source: nothing on the internet is admitted",
    ),
    (
        "SecurityGroupUnrestrictedIngress80",
        "aws_vpc_security_group_ingress_rule.fail2",
        "the rule has no cidr_ipv4/cidr_ipv6 or other source: nothing on the internet is admitted",
    ),
    (
        "SecurityGroupUnrestrictedIngress22",
        "aws_security_group.pass_self2",
        "self = true adds the group as a source, but cidr_blocks still admits 0.0.0.0/0 on every port",
    ),
    (
        "IAMAdminPolicyDocument",
        "aws_iam_policy.fail4",
        "the statement has no Effect, which IAM rejects; rampart judges only statements with Effect Allow",
    ),
    (
        "S3GlobalViewACL",
        "aws_s3_bucket_acl.pass2",
        "READ granted to the AllUsers group lets anyone list the bucket: public, whatever the permission",
    ),
    (
        "DBInstanceBackupRetentionPeriod",
        "aws_rds_cluster.fail",
        "a retention of 36 days is out of range (AWS rejects it), not a disabled backup",
    ),
    (
        "DBInstanceBackupRetentionPeriod",
        "aws_db_instance.fail",
        "a retention of 36 days is out of range (AWS rejects it), not a disabled backup",
    ),
    (
        "ELBwListenerNotTLSSSL",
        "aws_elb.fail2",
        "every listener is HTTPS; an empty ssl_certificate_id is an invalid configuration, not plain HTTP",
    ),
    (
        "ELBwListenerNotTLSSSL",
        "aws_elb.fail3",
        "every listener is HTTPS; a missing ssl_certificate_id is an invalid configuration, not plain HTTP",
    ),
    (
        "SQSQueueEncryption",
        "aws_sqs_queue.fail",
        "new queues get SSE-SQS encryption by default; rampart fires only when sqs_managed_sse_enabled = false",
    ),
    (
        "SQSQueueEncryption",
        "aws_sqs_queue.fail2",
        "an empty kms_master_key_id leaves the SSE-SQS default on",
    ),
    (
        "ECSContainerPrivilege",
        "aws_ecs_task_definition.fail",
        "`privilege` is not a container definition field (`privileged` is); ECS ignores it",
    ),
    (
        "CloudSQLServerNoPublicIP",
        "google_sql_database_instance.pass2",
        "no ip_configuration: ipv4_enabled defaults to true, so the instance gets a public IP",
    ),
    (
        "CloudSQLServerNoPublicIP",
        "google_sql_database_instance.pass3",
        "no ip_configuration: ipv4_enabled defaults to true, so the instance gets a public IP",
    ),
    (
        "CloudSQLServerNoPublicIP",
        "google_sql_database_instance.pass4",
        "no ip_configuration: ipv4_enabled defaults to true, so the instance gets a public IP",
    ),
    (
        "GoogleComputeDefaultServiceAccount",
        "google_compute_instance.pass2",
        "<number>-compute@developer.gserviceaccount.com is the Compute Engine default service account",
    ),
    (
        "SQLServerNoPublicAccess",
        "azurerm_mysql_firewall_rule.pass",
        "0.0.0.0-0.0.0.0 admits every Azure service of every tenant; CIS Azure 4.1.2 asks to remove it too",
    ),
    (
        "FunctionAppAccessibleOverHttps",
        "azurerm_linux_function_app.fail3",
        "https_only = true redirects every HTTP request; auth_settings_v2.require_https governs only the auth flow",
    ),
    (
        "FunctionAppAccessibleOverHttps",
        "azurerm_linux_function_app_slot.fail3",
        "https_only = true redirects every HTTP request; auth_settings_v2.require_https governs only the auth flow",
    ),
    (
        "KeyVaultDisablesPublicNetworkAccess",
        "azurerm_key_vault.pass3",
        "network_acls default_action Allow admits every network; ip_rules only matter with Deny",
    ),
    (
        "KeyVaultDisablesPublicNetworkAccess",
        "azurerm_key_vault.pass4",
        "network_acls default_action Allow admits every network; ip_rules only matter with Deny",
    ),
    (
        "KeyVaultDisablesPublicNetworkAccess",
        "azurerm_key_vault.pass5",
        "network_acls default_action Allow admits every network; subnet rules only matter with Deny",
    ),
    (
        "LaunchConfigurationEBSEncryption",
        "aws_instance.fail",
        "`encrypted = False` is not an HCL boolean but a reference to an undefined name (Terraform rejects it): unknown",
    ),
    (
        "RedisCacheMinTLSVersion",
        "azurerm_redis_cache.fail2",
        "minimum_tls_version unset: Azure Cache for Redis has retired TLS 1.0/1.1, and azurerm 4 defaults to 1.2",
    ),
];

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/checkov-test-fixtures/terraform/checks/resource");
    if p.is_dir() {
        Some(p)
    } else if std::env::var_os("CI").is_some() {
        panic!("corpus missing at {}", p.display());
    } else {
        eprintln!("corpus missing at {}; skipping", p.display());
        None
    }
}

/// Expected verdict from a resource name: Some(true) = Checkov expects a failure.
fn label(name: &str) -> Option<bool> {
    let n = name.to_ascii_lowercase();
    if n.contains("unknown") {
        None
    } else if n.contains("fail") || n.contains("bad") {
        Some(true)
    } else if n.contains("pass") || n.contains("good") || n.contains("success") {
        Some(false)
    } else {
        None
    }
}

/// Every directory under `dir` holding `.tf` files, with those files' paths and texts.
fn configurations(dir: &Path) -> Vec<(PathBuf, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut files = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "tf" || e == "tfvars") {
                let text = std::fs::read_to_string(&p).unwrap();
                files.push((p.display().to_string(), text));
            }
        }
        if !files.is_empty() {
            out.push((d, files));
        }
    }
    out
}

/// Labelled resource addresses of a configuration: `type.name` (`data.type.name` for data).
fn addresses(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        let (data, rest) = if let Some(r) = t.strip_prefix("resource ") {
            (false, r)
        } else if let Some(r) = t.strip_prefix("data ") {
            (true, r)
        } else {
            continue;
        };
        let parts: Vec<&str> = rest.split('"').collect();
        if parts.len() >= 4 {
            let (ty, name) = (parts[1], parts[3]);
            let ty_key = if data {
                format!("data.{ty}")
            } else {
                ty.to_string()
            };
            out.push((
                ty_key,
                format!("{}{ty}.{name}", if data { "data." } else { "" }),
            ));
        }
    }
    out
}

#[test]
fn checkov_terraform_agreement() {
    let Some(root) = corpus() else { return };
    let cfg = Config::default();
    let (mut agree, mut total, mut unlabelled) = (0usize, 0usize, 0usize);
    let mut per_cloud: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let mut used = BTreeSet::new();
    for (cloud, family, rule_id, types) in FAMILIES {
        let mut dir = root.join(cloud).join(format!("example_{family}"));
        if !dir.is_dir() {
            dir = root.join(cloud).join(family);
        }
        assert!(dir.is_dir(), "{} missing", dir.display());
        for (_, files) in configurations(&dir) {
            let refs: Vec<(&str, &str)> = files
                .iter()
                .map(|(p, t)| (p.as_str(), t.as_str()))
                .collect();
            let (found, diags) = scan_terraform_files(&refs, &cfg);
            for d in &diags {
                eprintln!("diagnostic: {d}");
            }
            let mut seen = BTreeSet::new();
            for (_, text) in &files {
                for (ty, addr) in addresses(text) {
                    if !types.contains(&ty.as_str()) || !seen.insert(addr.clone()) {
                        continue;
                    }
                    let name = addr.rsplit('.').next().unwrap_or_default();
                    let Some(expect_fail) = label(name) else {
                        unlabelled += 1;
                        if std::env::var_os("SHOW_UNLABELLED").is_some() {
                            println!("  unlabelled: {family} {addr}");
                        }
                        continue;
                    };
                    let got_fail = found
                        .iter()
                        .any(|m| m.rule_id == *rule_id && m.resource == addr);
                    total += 1;
                    let c = per_cloud.entry(cloud).or_default();
                    c.1 += 1;
                    if got_fail == expect_fail {
                        agree += 1;
                        c.0 += 1;
                    } else {
                        let exc = EXCEPTIONS
                            .iter()
                            .find(|(f, a, _)| f == family && *a == addr);
                        match exc {
                            Some((_, _, why)) => {
                                used.insert((*family, addr.clone()));
                                println!(
                                    "  accepted: {family} {addr}: checkov {} rampart {}: {why}",
                                    verdict(expect_fail),
                                    verdict(got_fail)
                                );
                            }
                            None => disagreements.push(format!(
                                "{family} {addr}: checkov {} rampart {} ({rule_id})",
                                verdict(expect_fail),
                                verdict(got_fail)
                            )),
                        }
                    }
                }
            }
        }
    }
    println!(
        "Checkov Terraform fixtures: {agree}/{total} labelled resources agree across {} check families",
        FAMILIES.len()
    );
    println!(
        "  ({unlabelled} resources of these types have names carrying no verdict; not counted)"
    );
    for (cloud, (a, t)) in &per_cloud {
        println!("  {cloud}: {a}/{t}");
    }
    for d in &disagreements {
        println!("  UNEXPLAINED: {d}");
    }
    let stale: Vec<_> = EXCEPTIONS
        .iter()
        .filter(|(f, a, _)| !used.contains(&(*f, a.to_string())))
        .collect();
    assert!(
        stale.is_empty(),
        "exceptions that no longer apply: {stale:?}"
    );
    assert!(
        disagreements.is_empty(),
        "{} unexplained disagreements",
        disagreements.len()
    );
    assert!(total >= 200, "only {total} labelled resources counted");
}

/// Every Terraform fixture of the corpus (all 553 folders' files, mapped or not) parses
/// without a diagnostic and scans without a panic.
#[test]
fn whole_terraform_corpus_parses() {
    let Some(root) = corpus() else { return };
    let cfg = Config::default();
    let (mut files, mut resources_flagged, mut failed) = (0usize, 0usize, Vec::new());
    let start = std::time::Instant::now();
    for cloud in ["aws", "gcp", "azure"] {
        for (_, fs) in configurations(&root.join(cloud)) {
            files += fs.len();
            let refs: Vec<(&str, &str)> =
                fs.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
            let (found, diags) = scan_terraform_files(&refs, &cfg);
            resources_flagged += found.len();
            failed.extend(diags.iter().map(|d| d.to_string()));
        }
    }
    println!(
        "{files} Terraform files scanned in {:?}: {resources_flagged} findings, {} diagnostics",
        start.elapsed(),
        failed.len()
    );
    for f in &failed {
        println!("  {f}");
    }
    assert!(files >= 500, "only {files} files");
    assert!(failed.is_empty(), "{} files did not parse", failed.len());
}

fn verdict(fail: bool) -> &'static str {
    if fail { "FAILED" } else { "PASSED" }
}
