//! Terraform checks: one inline positive and negative per rule, evaluation of variables,
//! locals and tfvars, bad input, and a snapshot of one report.

mod common;

use rampart_misconfig::{Config, Misconfiguration, rules, scan_terraform_files};

fn scan(tf: &str) -> Vec<Misconfiguration> {
    let (found, diags) = scan_terraform_files(&[("main.tf", tf)], &Config::default());
    assert!(diags.is_empty(), "{diags:?} in\n{tf}");
    found
}

/// The one place tests judge a scan: `expect` says whether `rule` must fire on `input`.
fn check(rule: &str, input: &str, expect: bool) {
    let found = scan(input);
    let hit = found.iter().any(|m| m.rule_id == rule);
    assert_eq!(
        hit,
        expect,
        "{rule}: expected {} in\n{input}\nfound: {:#?}",
        if expect { "a finding" } else { "no finding" },
        found
            .iter()
            .map(|m| (&m.rule_id, &m.resource, m.line))
            .collect::<Vec<_>>()
    );
}

/// (rule, positive, negative).
const CASES: &[(&str, &str, &str)] = &[
    (
        "tf-aws-s3-public-acl",
        r#"resource "aws_s3_bucket_acl" "a" { acl = "public-read" }"#,
        r#"resource "aws_s3_bucket_acl" "a" { acl = "private" }"#,
    ),
    (
        "tf-aws-s3-public-access-block",
        r#"resource "aws_s3_bucket_public_access_block" "a" { block_public_acls = false }"#,
        r#"resource "aws_s3_bucket_public_access_block" "a" {
  block_public_acls = true
  block_public_policy = true
  ignore_public_acls = true
  restrict_public_buckets = true
}"#,
    ),
    (
        "tf-aws-s3-encryption",
        r#"resource "aws_s3_bucket" "b" { bucket = "x" }"#,
        r#"resource "aws_s3_bucket" "b" { bucket = "x" }
resource "aws_s3_bucket_server_side_encryption_configuration" "e" { bucket = aws_s3_bucket.b.id }"#,
    ),
    (
        "tf-aws-s3-versioning",
        r#"resource "aws_s3_bucket" "b" { bucket = "x" }"#,
        r#"resource "aws_s3_bucket" "b" { bucket = "x" }
resource "aws_s3_bucket_versioning" "v" {
  bucket = aws_s3_bucket.b.id
  versioning_configuration { status = "Enabled" }
}"#,
    ),
    (
        "tf-aws-s3-logging",
        r#"resource "aws_s3_bucket" "b" { bucket = "x" }"#,
        r#"resource "aws_s3_bucket" "b" {
  bucket = "x"
  logging { target_bucket = "logs" }
}"#,
    ),
    (
        "tf-aws-sg-ssh-open",
        r#"resource "aws_security_group" "s" {
  ingress {
    from_port = 22
    to_port = 22
    protocol = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}"#,
        r#"resource "aws_security_group" "s" {
  ingress {
    from_port = 22
    to_port = 22
    protocol = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}"#,
    ),
    (
        "tf-aws-sg-rdp-open",
        r#"resource "aws_security_group_rule" "r" {
  type = "ingress"
  from_port = 3380
  to_port = 3390
  protocol = "tcp"
  cidr_blocks = ["0.0.0.0/0"]
}"#,
        r#"resource "aws_security_group_rule" "r" {
  type = "egress"
  from_port = 3389
  to_port = 3389
  protocol = "tcp"
  cidr_blocks = ["0.0.0.0/0"]
}"#,
    ),
    (
        "tf-aws-sg-http-open",
        r#"resource "aws_vpc_security_group_ingress_rule" "r" {
  cidr_ipv6 = "::/0"
  from_port = 80
  to_port = 80
  ip_protocol = "tcp"
}"#,
        r#"resource "aws_vpc_security_group_ingress_rule" "r" {
  cidr_ipv4 = "0.0.0.0/0"
  from_port = 443
  to_port = 443
  ip_protocol = "tcp"
}"#,
    ),
    (
        "tf-aws-sg-all-open",
        r#"resource "aws_security_group" "s" {
  ingress {
    from_port = 0
    to_port = 0
    protocol = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}"#,
        r#"resource "aws_security_group" "s" {
  ingress {
    from_port = 0
    to_port = 0
    protocol = "-1"
    self = true
  }
}"#,
    ),
    (
        "tf-aws-nacl-ssh-open",
        r#"resource "aws_network_acl_rule" "n" {
  egress = false
  rule_action = "allow"
  protocol = "tcp"
  cidr_block = "0.0.0.0/0"
  from_port = 22
  to_port = 22
}"#,
        r#"resource "aws_network_acl_rule" "n" {
  egress = false
  rule_action = "deny"
  protocol = "tcp"
  cidr_block = "0.0.0.0/0"
  from_port = 22
  to_port = 22
}"#,
    ),
    (
        "tf-aws-nacl-rdp-open",
        r#"resource "aws_network_acl_rule" "n" {
  rule_action = "allow"
  protocol = "-1"
  cidr_block = "0.0.0.0/0"
}"#,
        r#"resource "aws_network_acl_rule" "n" {
  rule_action = "allow"
  protocol = "tcp"
  cidr_block = "10.0.0.0/8"
  from_port = 3389
  to_port = 3389
}"#,
    ),
    (
        "tf-aws-iam-admin-policy",
        r#"resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}"#,
        r#"resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Deny", Action = "*", Resource = "*" }]
  })
}"#,
    ),
    (
        "tf-aws-iam-wildcard-action",
        r#"data "aws_iam_policy_document" "d" {
  statement {
    actions = ["s3:*"]
    resources = ["arn:aws:s3:::b/*"]
  }
}"#,
        r#"data "aws_iam_policy_document" "d" {
  statement {
    actions = ["s3:GetObject"]
    resources = ["arn:aws:s3:::b/*"]
  }
}"#,
    ),
    (
        "tf-aws-cloudtrail-logging-disabled",
        r#"resource "aws_cloudtrail" "t" { enable_logging = false }"#,
        r#"resource "aws_cloudtrail" "t" { enable_logging = true }"#,
    ),
    (
        "tf-aws-cloudtrail-multi-region",
        r#"resource "aws_cloudtrail" "t" { name = "t" }"#,
        r#"resource "aws_cloudtrail" "t" { is_multi_region_trail = true }"#,
    ),
    (
        "tf-aws-cloudtrail-log-validation",
        r#"resource "aws_cloudtrail" "t" { enable_log_file_validation = false }"#,
        r#"resource "aws_cloudtrail" "t" { enable_log_file_validation = true }"#,
    ),
    (
        "tf-aws-cloudtrail-kms",
        r#"resource "aws_cloudtrail" "t" { name = "t" }"#,
        r#"resource "aws_cloudtrail" "t" { kms_key_id = aws_kms_key.k.arn }"#,
    ),
    (
        "tf-aws-kms-rotation",
        r#"resource "aws_kms_key" "k" { description = "k" }"#,
        r#"resource "aws_kms_key" "k" { enable_key_rotation = true }"#,
    ),
    (
        "tf-aws-rds-public",
        r#"resource "aws_db_instance" "d" {
  publicly_accessible = true
  storage_encrypted = true
}"#,
        r#"resource "aws_db_instance" "d" { storage_encrypted = true }"#,
    ),
    (
        "tf-aws-rds-unencrypted",
        r#"resource "aws_rds_cluster" "c" { engine = "aurora-postgresql" }"#,
        r#"resource "aws_rds_cluster" "c" { storage_encrypted = true }"#,
    ),
    (
        "tf-aws-rds-no-backups",
        r#"resource "aws_db_instance" "d" { backup_retention_period = 0 }"#,
        r#"resource "aws_db_instance" "d" { backup_retention_period = 7 }"#,
    ),
    (
        "tf-aws-ebs-unencrypted",
        r#"resource "aws_instance" "i" {
  metadata_options { http_tokens = "required" }
  root_block_device { encrypted = false }
}"#,
        r#"resource "aws_ebs_volume" "v" { encrypted = true }"#,
    ),
    (
        "tf-aws-ebs-default-encryption",
        r#"resource "aws_ebs_encryption_by_default" "e" { enabled = false }"#,
        r#"resource "aws_ebs_encryption_by_default" "e" {}"#,
    ),
    (
        "tf-aws-ec2-imdsv1",
        r#"resource "aws_launch_template" "t" {
  metadata_options { http_tokens = "optional" }
}"#,
        r#"resource "aws_instance" "i" {
  metadata_options { http_tokens = "required" }
}"#,
    ),
    (
        "tf-aws-ec2-public-ip",
        r#"resource "aws_instance" "i" { associate_public_ip_address = true }"#,
        r#"resource "aws_instance" "i" { associate_public_ip_address = false }"#,
    ),
    (
        "tf-aws-default-vpc",
        r#"resource "aws_default_vpc" "d" {}"#,
        r#"resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }"#,
    ),
    (
        "tf-aws-lb-http-listener",
        r#"resource "aws_lb_listener" "l" {
  protocol = "HTTP"
  default_action { type = "forward" }
}"#,
        r#"resource "aws_lb_listener" "l" {
  protocol = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      protocol = "HTTPS"
      port = "443"
      status_code = "HTTP_301"
    }
  }
}"#,
    ),
    (
        "tf-aws-eks-public-endpoint",
        r#"resource "aws_eks_cluster" "c" {
  vpc_config { subnet_ids = [] }
}"#,
        r#"resource "aws_eks_cluster" "c" {
  vpc_config { endpoint_public_access = false }
}"#,
    ),
    (
        "tf-aws-eks-logging",
        r#"resource "aws_eks_cluster" "c" { enabled_cluster_log_types = ["api"] }"#,
        r#"resource "aws_eks_cluster" "c" { enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"] }"#,
    ),
    (
        "tf-aws-cloudwatch-log-retention",
        r#"resource "aws_cloudwatch_log_group" "g" { name = "g" }"#,
        r#"resource "aws_cloudwatch_log_group" "g" { retention_in_days = 365 }"#,
    ),
    (
        "tf-aws-sqs-unencrypted",
        r#"resource "aws_sqs_queue" "q" { sqs_managed_sse_enabled = false }"#,
        r#"resource "aws_sqs_queue" "q" { name = "q" }"#,
    ),
    (
        "tf-aws-sns-unencrypted",
        r#"resource "aws_sns_topic" "t" { name = "t" }"#,
        r#"resource "aws_sns_topic" "t" { kms_master_key_id = "alias/aws/sns" }"#,
    ),
    (
        "tf-aws-dynamodb-pitr",
        r#"resource "aws_dynamodb_table" "t" { name = "t" }"#,
        r#"resource "aws_dynamodb_table" "t" {
  point_in_time_recovery { enabled = true }
}"#,
    ),
    (
        "tf-aws-ecr-scan-on-push",
        r#"resource "aws_ecr_repository" "r" { image_tag_mutability = "IMMUTABLE" }"#,
        r#"resource "aws_ecr_repository" "r" {
  image_scanning_configuration { scan_on_push = true }
}"#,
    ),
    (
        "tf-aws-ecr-mutable-tags",
        r#"resource "aws_ecr_repository" "r" { image_tag_mutability = "MUTABLE" }"#,
        r#"resource "aws_ecr_repository" "r" { image_tag_mutability = "IMMUTABLE" }"#,
    ),
    (
        "tf-aws-lambda-env-secret",
        r#"resource "aws_lambda_function" "f" {
  environment {
    variables = { AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE" }
  }
}"#,
        r#"resource "aws_lambda_function" "f" {
  environment {
    variables = { DB_PASSWORD_PARAM = "/prod/db/password", STAGE = "prod" }
  }
}"#,
    ),
    (
        "tf-aws-efs-unencrypted",
        r#"resource "aws_efs_file_system" "f" {}"#,
        r#"resource "aws_efs_file_system" "f" { encrypted = true }"#,
    ),
    (
        "tf-aws-opensearch-unencrypted",
        r#"resource "aws_opensearch_domain" "d" { domain_name = "d" }"#,
        r#"resource "aws_opensearch_domain" "d" {
  encrypt_at_rest { enabled = true }
}"#,
    ),
    (
        "tf-aws-kinesis-unencrypted",
        r#"resource "aws_kinesis_stream" "s" { encryption_type = "NONE" }"#,
        r#"resource "aws_kinesis_stream" "s" { encryption_type = "KMS" }"#,
    ),
    (
        "tf-aws-guardduty-disabled",
        r#"resource "aws_guardduty_detector" "d" { enable = false }"#,
        r#"resource "aws_guardduty_detector" "d" { enable = true }"#,
    ),
    (
        "tf-aws-ecs-privileged",
        r#"resource "aws_ecs_task_definition" "t" {
  container_definitions = jsonencode([{ name = "app", image = "x", privileged = true }])
}"#,
        r#"resource "aws_ecs_task_definition" "t" {
  container_definitions = jsonencode([{ name = "app", image = "x", privileged = false }])
}"#,
    ),
    // Google Cloud.
    (
        "tf-gcp-storage-public",
        r#"resource "google_storage_bucket_iam_member" "m" {
  role = "roles/storage.objectViewer"
  member = "allUsers"
}"#,
        r#"resource "google_storage_bucket_iam_member" "m" {
  role = "roles/storage.objectViewer"
  member = "group:eng@example.com"
}"#,
    ),
    (
        "tf-gcp-storage-uniform-access",
        r#"resource "google_storage_bucket" "b" { name = "b" }"#,
        r#"resource "google_storage_bucket" "b" { uniform_bucket_level_access = true }"#,
    ),
    (
        "tf-gcp-storage-public-access-prevention",
        r#"resource "google_storage_bucket" "b" { public_access_prevention = "inherited" }"#,
        r#"resource "google_storage_bucket" "b" { public_access_prevention = "enforced" }"#,
    ),
    (
        "tf-gcp-storage-versioning",
        r#"resource "google_storage_bucket" "b" {
  versioning { enabled = false }
}"#,
        r#"resource "google_storage_bucket" "b" {
  versioning { enabled = true }
}"#,
    ),
    (
        "tf-gcp-firewall-ssh-open",
        r#"resource "google_compute_firewall" "f" {
  source_ranges = ["0.0.0.0/0"]
  allow {
    protocol = "tcp"
    ports = ["20-25"]
  }
}"#,
        r#"resource "google_compute_firewall" "f" {
  source_ranges = ["35.235.240.0/20"]
  allow {
    protocol = "tcp"
    ports = ["22"]
  }
}"#,
    ),
    (
        "tf-gcp-firewall-rdp-open",
        r#"resource "google_compute_firewall" "f" {
  source_ranges = ["0.0.0.0/0"]
  allow { protocol = "all" }
}"#,
        r#"resource "google_compute_firewall" "f" {
  direction = "EGRESS"
  source_ranges = ["0.0.0.0/0"]
  allow { protocol = "all" }
}"#,
    ),
    (
        "tf-gcp-sql-public-ip",
        r#"resource "google_sql_database_instance" "d" {
  settings { tier = "db-f1-micro" }
}"#,
        r#"resource "google_sql_database_instance" "d" {
  settings {
    ip_configuration {
      ipv4_enabled = false
      ssl_mode = "ENCRYPTED_ONLY"
    }
  }
}"#,
    ),
    (
        "tf-gcp-sql-ssl",
        r#"resource "google_sql_database_instance" "d" {
  settings {
    ip_configuration { require_ssl = false }
  }
}"#,
        r#"resource "google_sql_database_instance" "d" {
  settings {
    ip_configuration { ssl_mode = "TRUSTED_CLIENT_CERTIFICATE_REQUIRED" }
  }
}"#,
    ),
    (
        "tf-gcp-sql-open-network",
        r#"resource "google_sql_database_instance" "d" {
  settings {
    ip_configuration {
      authorized_networks { value = "0.0.0.0/0" }
    }
  }
}"#,
        r#"resource "google_sql_database_instance" "d" {
  settings {
    ip_configuration {
      authorized_networks { value = "203.0.113.0/24" }
    }
  }
}"#,
    ),
    (
        "tf-gcp-gke-legacy-abac",
        r#"resource "google_container_cluster" "c" { enable_legacy_abac = true }"#,
        r#"resource "google_container_cluster" "c" { enable_legacy_abac = false }"#,
    ),
    (
        "tf-gcp-gke-private-nodes",
        r#"resource "google_container_cluster" "c" { name = "c" }"#,
        r#"resource "google_container_cluster" "c" {
  private_cluster_config { enable_private_nodes = true }
}"#,
    ),
    (
        "tf-gcp-gke-network-policy",
        r#"resource "google_container_cluster" "c" {
  network_policy { enabled = false }
}"#,
        r#"resource "google_container_cluster" "c" { datapath_provider = "ADVANCED_DATAPATH" }"#,
    ),
    (
        "tf-gcp-compute-default-sa",
        r#"resource "google_compute_instance" "i" {
  service_account { scopes = ["cloud-platform"] }
}"#,
        r#"resource "google_compute_instance" "i" {
  service_account { email = "app@p.iam.gserviceaccount.com" }
}"#,
    ),
    (
        "tf-gcp-compute-serial-port",
        r#"resource "google_compute_instance" "i" {
  metadata = { serial-port-enable = "true" }
}"#,
        r#"resource "google_compute_instance" "i" {
  metadata = { serial-port-enable = "false" }
}"#,
    ),
    (
        "tf-gcp-compute-os-login",
        r#"resource "google_compute_project_metadata" "m" {
  metadata = { enable-oslogin = "FALSE" }
}"#,
        r#"resource "google_compute_project_metadata" "m" {
  metadata = { enable-oslogin = "TRUE" }
}"#,
    ),
    (
        "tf-gcp-compute-block-project-ssh",
        r#"resource "google_compute_instance" "i" { name = "i" }"#,
        r#"resource "google_compute_instance" "i" {
  metadata = { block-project-ssh-keys = true }
}"#,
    ),
    (
        "tf-gcp-compute-shielded-vm",
        r#"resource "google_compute_instance" "i" {
  shielded_instance_config { enable_vtpm = false }
}"#,
        r#"resource "google_compute_instance" "i" {
  shielded_instance_config { enable_secure_boot = true }
}"#,
    ),
    (
        "tf-gcp-kms-rotation",
        r#"resource "google_kms_crypto_key" "k" { rotation_period = "31536000s" }"#,
        r#"resource "google_kms_crypto_key" "k" { rotation_period = "7776000s" }"#,
    ),
    (
        "tf-gcp-subnet-flow-logs",
        r#"resource "google_compute_subnetwork" "s" { ip_cidr_range = "10.0.0.0/24" }"#,
        r#"resource "google_compute_subnetwork" "s" {
  log_config { aggregation_interval = "INTERVAL_5_SEC" }
}"#,
    ),
    (
        "tf-gcp-iam-basic-role",
        r#"resource "google_project_iam_member" "m" {
  role = "roles/editor"
  member = "user:a@example.com"
}"#,
        r#"resource "google_project_iam_member" "m" {
  role = "roles/storage.admin"
  member = "user:a@example.com"
}"#,
    ),
    // Azure.
    (
        "tf-azure-storage-https-only",
        r#"resource "azurerm_storage_account" "s" { https_traffic_only_enabled = false }"#,
        r#"resource "azurerm_storage_account" "s" { https_traffic_only_enabled = true }"#,
    ),
    (
        "tf-azure-storage-min-tls",
        r#"resource "azurerm_storage_account" "s" { min_tls_version = "TLS1_0" }"#,
        r#"resource "azurerm_storage_account" "s" { min_tls_version = "TLS1_2" }"#,
    ),
    (
        "tf-azure-storage-public-blob",
        r#"resource "azurerm_storage_container" "c" { container_access_type = "blob" }"#,
        r#"resource "azurerm_storage_account" "s" { allow_nested_items_to_be_public = false }"#,
    ),
    (
        "tf-azure-storage-default-allow",
        r#"resource "azurerm_storage_account" "s" {
  network_rules { default_action = "Allow" }
}"#,
        r#"resource "azurerm_storage_account" "s" {
  network_rules { default_action = "Deny" }
}"#,
    ),
    (
        "tf-azure-nsg-ssh-open",
        r#"resource "azurerm_network_security_rule" "r" {
  direction = "Inbound"
  access = "Allow"
  protocol = "Tcp"
  source_address_prefix = "Internet"
  destination_port_range = "22"
}"#,
        r#"resource "azurerm_network_security_rule" "r" {
  direction = "Inbound"
  access = "Deny"
  protocol = "Tcp"
  source_address_prefix = "*"
  destination_port_range = "22"
}"#,
    ),
    (
        "tf-azure-nsg-rdp-open",
        r#"resource "azurerm_network_security_group" "g" {
  security_rule {
    direction = "Inbound"
    access = "Allow"
    protocol = "*"
    source_address_prefix = "*"
    destination_port_ranges = ["80", "3000-4000"]
  }
}"#,
        r#"resource "azurerm_network_security_group" "g" {
  security_rule {
    direction = "Inbound"
    access = "Allow"
    protocol = "*"
    source_address_prefix = "10.0.0.0/8"
    destination_port_range = "3389"
  }
}"#,
    ),
    (
        "tf-azure-sql-firewall-open",
        r#"resource "azurerm_mssql_firewall_rule" "f" {
  start_ip_address = "0.0.0.0"
  end_ip_address = "255.255.255.255"
}"#,
        r#"resource "azurerm_mssql_firewall_rule" "f" {
  start_ip_address = "203.0.113.1"
  end_ip_address = "203.0.113.9"
}"#,
    ),
    (
        "tf-azure-sql-public-network",
        r#"resource "azurerm_mssql_server" "s" { version = "12.0" }"#,
        r#"resource "azurerm_mssql_server" "s" { public_network_access_enabled = false }"#,
    ),
    (
        "tf-azure-keyvault-purge-protection",
        r#"resource "azurerm_key_vault" "k" { purge_protection_enabled = false }"#,
        r#"resource "azurerm_key_vault" "k" { purge_protection_enabled = true }"#,
    ),
    (
        "tf-azure-keyvault-public-network",
        r#"resource "azurerm_key_vault" "k" { purge_protection_enabled = true }"#,
        r#"resource "azurerm_key_vault" "k" {
  network_acls {
    default_action = "Deny"
    bypass = "AzureServices"
  }
}"#,
    ),
    (
        "tf-azure-aks-rbac",
        r#"resource "azurerm_kubernetes_cluster" "k" { role_based_access_control_enabled = false }"#,
        r#"resource "azurerm_kubernetes_cluster" "k" { role_based_access_control_enabled = true }"#,
    ),
    (
        "tf-azure-aks-network-policy",
        r#"resource "azurerm_kubernetes_cluster" "k" {
  network_profile { network_plugin = "azure" }
}"#,
        r#"resource "azurerm_kubernetes_cluster" "k" {
  network_profile {
    network_plugin = "azure"
    network_policy = "calico"
  }
}"#,
    ),
    (
        "tf-azure-app-https-only",
        r#"resource "azurerm_linux_web_app" "a" { https_only = false }"#,
        r#"resource "azurerm_linux_web_app" "a" { https_only = true }"#,
    ),
    (
        "tf-azure-app-min-tls",
        r#"resource "azurerm_windows_web_app" "a" {
  site_config { minimum_tls_version = "1.0" }
}"#,
        r#"resource "azurerm_windows_web_app" "a" {
  site_config { minimum_tls_version = "1.2" }
}"#,
    ),
    (
        "tf-azure-app-ftps",
        r#"resource "azurerm_app_service" "a" { https_only = true }"#,
        r#"resource "azurerm_app_service" "a" {
  site_config { ftps_state = "Disabled" }
}"#,
    ),
    (
        "tf-azure-activity-log-retention",
        r#"resource "azurerm_monitor_log_profile" "p" {
  retention_policy {
    enabled = true
    days = 30
  }
}"#,
        r#"resource "azurerm_monitor_log_profile" "p" {
  retention_policy {
    enabled = true
    days = 365
  }
}"#,
    ),
    (
        "tf-azure-acr-admin",
        r#"resource "azurerm_container_registry" "r" { admin_enabled = true }"#,
        r#"resource "azurerm_container_registry" "r" { sku = "Premium" }"#,
    ),
    (
        "tf-azure-vm-password-auth",
        r#"resource "azurerm_linux_virtual_machine" "v" { disable_password_authentication = false }"#,
        r#"resource "azurerm_linux_virtual_machine" "v" { size = "Standard_B1s" }"#,
    ),
    (
        "tf-azure-redis-min-tls",
        r#"resource "azurerm_redis_cache" "r" { minimum_tls_version = "1.0" }"#,
        r#"resource "azurerm_redis_cache" "r" { minimum_tls_version = "1.2" }"#,
    ),
];

#[test]
fn every_rule_fires_on_its_positive_and_not_its_negative() {
    for (rule, pos, neg) in CASES {
        check(rule, pos, true);
        check(rule, neg, false);
    }
}

#[test]
fn every_terraform_rule_has_a_case_and_count_per_cloud() {
    let tf: Vec<&str> = rules()
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| id.starts_with("tf-"))
        .collect();
    for id in &tf {
        assert!(
            CASES.iter().any(|(r, _, _)| r == id),
            "{id} has no inline case"
        );
    }
    let count = |p: &str| tf.iter().filter(|id| id.starts_with(p)).count();
    assert!(tf.len() >= 60, "{} Terraform rules", tf.len());
    println!(
        "Terraform rules: {} (aws {}, gcp {}, azure {})",
        tf.len(),
        count("tf-aws-"),
        count("tf-gcp-"),
        count("tf-azure-")
    );
}

#[test]
fn variables_locals_and_tfvars_resolve_across_files() {
    let vars = r#"
variable "encrypted" {
  default = false
}
variable "open" {
  type = list(string)
  default = ["0.0.0.0/0"]
}
variable "unset" {}
locals {
  port = 22
  cidrs = var.open
}
"#;
    let main = r#"
resource "aws_ebs_volume" "v" {
  encrypted = var.encrypted
}
resource "aws_ebs_volume" "unknown" {
  encrypted = var.unset
}
resource "aws_security_group" "s" {
  ingress {
    from_port = local.port
    to_port = local.port
    protocol = "tcp"
    cidr_blocks = local.cidrs
  }
}
resource "aws_security_group" "dyn" {
  dynamic "ingress" {
    for_each = var.unset
    content {
      from_port = ingress.value
      to_port = ingress.value
      protocol = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
"#;
    let cfg = Config::default();
    let (found, diags) = scan_terraform_files(&[("vars.tf", vars), ("main.tf", main)], &cfg);
    assert!(diags.is_empty(), "{diags:?}");
    let has = |rule: &str, res: &str| found.iter().any(|m| m.rule_id == rule && m.resource == res);
    assert!(has("tf-aws-ebs-unencrypted", "aws_ebs_volume.v"));
    assert!(
        !has("tf-aws-ebs-unencrypted", "aws_ebs_volume.unknown"),
        "unknown must not fire"
    );
    assert!(has("tf-aws-sg-ssh-open", "aws_security_group.s"));
    assert!(
        !has("tf-aws-sg-ssh-open", "aws_security_group.dyn"),
        "unknown ports must not fire"
    );
    let line = found
        .iter()
        .find(|m| m.resource == "aws_ebs_volume.v")
        .map(|m| (m.file.as_str(), m.line));
    assert_eq!(line, Some(("main.tf", 3)));

    // terraform.tfvars overrides the default.
    let tfvars = "encrypted = true\n";
    let (found, _) = scan_terraform_files(
        &[
            ("vars.tf", vars),
            ("main.tf", main),
            ("terraform.tfvars", tfvars),
        ],
        &cfg,
    );
    assert!(
        !found
            .iter()
            .any(|m| m.resource == "aws_ebs_volume.v" && m.rule_id == "tf-aws-ebs-unencrypted")
    );
}

#[test]
fn templates_conditionals_and_heredoc_policies() {
    let tf = r#"
variable "env" {
  default = "prod"
}
resource "aws_db_instance" "d" {
  storage_encrypted = var.env == "prod" ? false : true
  publicly_accessible = "${var.env}" == "dev"
}
resource "aws_iam_role_policy" "p" {
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}
}
EOF
}
"#;
    let found = scan(tf);
    assert!(found.iter().any(|m| m.rule_id == "tf-aws-rds-unencrypted"));
    assert!(!found.iter().any(|m| m.rule_id == "tf-aws-rds-public"));
    let admin = found
        .iter()
        .find(|m| m.rule_id == "tf-aws-iam-admin-policy")
        .unwrap();
    assert_eq!(admin.resource, "aws_iam_role_policy.p");
    assert_eq!(admin.line, 10);
}

#[test]
fn invalid_hcl_is_a_diagnostic_with_file_and_line() {
    let good = r#"resource "aws_ebs_volume" "v" { encrypted = false }"#;
    let bad = "resource \"aws_s3_bucket\" \"b\" {\n  acl = \"private\"\n  versioning {\n    enabled = \n}\n";
    let (found, diags) =
        scan_terraform_files(&[("good.tf", good), ("bad.tf", bad)], &Config::default());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].path, "bad.tf");
    assert!(diags[0].line.is_some_and(|l| l >= 4), "{:?}", diags[0]);
    assert!(
        diags[0].message.contains("bad.tf") && diags[0].message.contains("invalid HCL"),
        "{}",
        diags[0]
    );
    assert!(
        found.iter().any(|m| m.file == "good.tf"),
        "other files are still checked"
    );
}

#[test]
fn hostile_input_does_not_panic() {
    let cfg = Config::default();
    // Deep nesting of brackets, blocks and parentheses.
    for (open, close) in [("[", "]"), ("{", "}"), ("(", ")")] {
        let deep = format!("x = {}1{}\n", open.repeat(100_000), close.repeat(100_000));
        let (_, diags) = scan_terraform_files(&[("deep.tf", &deep)], &cfg);
        assert!(!diags.is_empty());
    }
    let blocks = format!(
        "resource \"a\" \"b\" {}\n{}",
        "a {\n".repeat(50_000),
        "}\n".repeat(50_000)
    );
    let (_, diags) = scan_terraform_files(&[("blocks.tf", &blocks)], &cfg);
    assert!(diags[0].message.contains("nested"), "{diags:?}");
    // Nesting just under the limit parses.
    let ok = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "[".repeat(60),
        "]".repeat(60)
    );
    let (_, diags) = scan_terraform_files(&[("ok.tf", &ok)], &cfg);
    assert!(diags.is_empty(), "{diags:?}");
    // A huge file past the size limit.
    let huge = "# x\n".repeat(cfg.limits.max_bytes / 4 + 1);
    let (_, diags) = scan_terraform_files(&[("huge.tf", &huge)], &cfg);
    assert!(diags[0].message.contains("limit"), "{diags:?}");
    // A big but legal file: many resources.
    let many: String = (0..5000)
        .map(|i| format!("resource \"aws_ebs_volume\" \"v{i}\" {{ encrypted = false }}\n"))
        .collect();
    let (found, diags) = scan_terraform_files(&[("many.tf", &many)], &cfg);
    assert!(diags.is_empty());
    assert_eq!(found.len(), 5000);
    // Cyclic locals, self-referencing variables, garbage and binary.
    let cyclic = "locals {\n  a = local.b\n  b = local.a\n}\nvariable \"v\" {\n  default = var.v\n}\nresource \"aws_ebs_volume\" \"x\" {\n  encrypted = local.a\n  size = var.v\n}\n";
    let (found, diags) = scan_terraform_files(&[("cyclic.tf", cyclic)], &cfg);
    assert!(diags.is_empty() && found.is_empty(), "{found:?} {diags:?}");
    for junk in [
        "\0\u{1}\u{2}",
        "resource",
        "resource \"a\"",
        "}}}}",
        "\"unterminated",
        "x = <<EOF\nno end",
        "{{{{",
        "a = b.c[",
        "🦀 = 1",
    ] {
        let _ = scan_terraform_files(&[("junk.tf", junk)], &cfg);
    }
}

#[test]
fn snapshot_fixture_report() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform");
    let found = common::scan_tf(&common::tf_files(&dir, &dir));
    let report: Vec<String> = found
        .iter()
        .map(|m| {
            format!(
                "{}:{} {} {} [{:?}] {}",
                m.file, m.line, m.rule_id, m.resource, m.severity, m.message
            )
        })
        .collect();
    insta::assert_yaml_snapshot!("terraform_fixture", report);
}

#[test]
fn hostile_expressions_do_not_overflow() {
    let cfg = Config::default();
    for n in [100usize, 1_000, 20_000] {
        let cases = [
            format!("x = {}1{}\n", "\"${".repeat(n), "}\"".repeat(n)),
            format!("x = {}true\n", "!".repeat(n)),
            format!("x = {}1\n", "-".repeat(n)),
            format!("x = 1{}\n", " + 1".repeat(n)),
            format!("x = a{}\n", ".b".repeat(n)),
            format!("x = true {}\n", "? 1 : 2 ".repeat(n)),
        ];
        for c in &cases {
            let body = c.trim_start_matches("x = ");
            let tf = format!(
                "locals {{\n  x = {body}}}\nresource \"aws_ebs_volume\" \"v\" {{\n  encrypted = local.x\n  size = {body}}}\n"
            );
            let (_, d) = scan_terraform_files(&[("e.tf", &tf)], &cfg);
            eprintln!("n={n} diags={}", d.len());
        }
    }
}

#[test]
fn plan_json_is_checked_like_hcl() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terraform-plan/plan.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let (found, diags) =
        rampart_misconfig::scan_terraform_plan("plan.json", &text, &Config::default()).unwrap();
    assert!(diags.is_empty(), "{diags:?}");
    let got: Vec<(&str, &str, u32)> = found
        .iter()
        .map(|m| (m.rule_id.as_str(), m.resource.as_str(), m.line))
        .collect();
    assert!(
        got.contains(&("tf-aws-ec2-imdsv1", "aws_instance.web", 8)),
        "{got:?}"
    );
    assert!(got.contains(&("tf-aws-ec2-public-ip", "aws_instance.web", 8)));
    assert!(got.contains(&("tf-aws-rds-public", "module.db.aws_db_instance.main[0]", 38)));
    assert!(got.contains(&(
        "tf-aws-rds-unencrypted",
        "module.db.aws_db_instance.main[0]",
        38
    )));
    // kms_key_id is known only after apply: unknown, so no finding.
    assert!(
        !got.iter().any(|(r, _, _)| *r == "tf-aws-cloudtrail-kms"),
        "{got:?}"
    );
    assert!(
        !got.iter()
            .any(|(r, _, _)| *r == "tf-aws-ebs-unencrypted" || *r == "tf-aws-kms-rotation")
    );

    let err = rampart_misconfig::scan_terraform_plan(
        "p.json",
        "{\n  \"planned_values\": [\n",
        &Config::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("p.json: line 3: invalid Terraform plan JSON"),
        "{err}"
    );
    let err =
        rampart_misconfig::scan_terraform_plan("p.json", "{}", &Config::default()).unwrap_err();
    assert!(err.to_string().contains("planned_values"), "{err}");
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(rampart_misconfig::scan_terraform_plan("p.json", &deep, &Config::default()).is_err());
}

#[test]
fn nesting_limit_ignores_heredocs_and_comments_and_keeps_lines() {
    let brackets = "{[(".repeat(40);
    let tf = format!(
        "/* {brackets}\n*/\nlocals {{\n  script = <<-EOT\n    {brackets}\n    EOT\n}}\n# {brackets}\nresource \"aws_ebs_volume\" \"v\" {{\n  encrypted = false\n}}\n"
    );
    let found = scan(&tf);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, 10);
    let deep = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "[".repeat(80),
        "]".repeat(80)
    );
    let (_, diags) = scan_terraform_files(&[("d.tf", &deep)], &Config::default());
    assert_eq!(diags[0].line, Some(2), "{diags:?}");
}
