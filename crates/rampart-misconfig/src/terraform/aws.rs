//! AWS provider checks (`tf-aws-*`).

use super::{
    Out, Resource, Setting, Value, covers, get_bool, get_str, is_open_cidr, line_of, require_false,
    require_set, require_true, setting, strings,
};

pub(super) fn check(out: &mut Out<'_>, r: &Resource) {
    match (r.data, r.rtype.as_str()) {
        (false, "aws_s3_bucket") => s3_bucket(out, r),
        // A public access block with `ignore_public_acls` makes S3 ignore public grants.
        (false, "aws_s3_bucket_acl") if !acls_ignored(out, r.body.attr("bucket"), None) => {
            if let Some(Some(acl)) = get_str(&r.body, "acl")
                && public_acl(&acl)
            {
                out.add(
                    "tf-aws-s3-public-acl",
                    r,
                    line_of(r, "acl"),
                    format!("canned ACL {acl} grants access to everyone"),
                );
            }
            let grants = r
                .body
                .block("access_control_policy")
                .into_iter()
                .flat_map(|p| p.body.blocks("grant"));
            for g in grants {
                let uri = get_str(&g.body, "grantee.uri")
                    .flatten()
                    .unwrap_or_default();
                if uri.ends_with("/global/AllUsers") || uri.ends_with("/global/AuthenticatedUsers")
                {
                    let who = uri.rsplit('/').next().unwrap_or_default();
                    out.add(
                        "tf-aws-s3-public-acl",
                        r,
                        g.line,
                        format!("ACL grant to the {who} group"),
                    );
                }
            }
        }
        (false, "aws_s3_bucket_public_access_block" | "aws_s3_account_public_access_block") => {
            for k in [
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            ] {
                require_true(
                    out,
                    r,
                    "tf-aws-s3-public-access-block",
                    k,
                    false,
                    &format!("{k} is not true"),
                );
            }
        }
        (
            false,
            "aws_security_group"
            | "aws_security_group_rule"
            | "aws_vpc_security_group_ingress_rule",
        ) => security_group(out, r),
        (false, "aws_network_acl_rule") => nacl_rule(out, r),
        (false, "aws_network_acl") => nacl_inline(out, r),
        (
            false,
            "aws_iam_policy"
            | "aws_iam_role_policy"
            | "aws_iam_user_policy"
            | "aws_iam_group_policy"
            | "aws_ssoadmin_permission_set_inline_policy",
        ) => {
            let key = if r.rtype == "aws_ssoadmin_permission_set_inline_policy" {
                "inline_policy"
            } else {
                "policy"
            };
            if let Setting::Known(a) = setting(&r.body, key)
                && let Some(doc) = a.value.as_str()
            {
                iam_statements(out, r, &json_statements(&doc), a.line);
            }
        }
        (true, "aws_iam_policy_document") => {
            let stmts: Vec<Stmt> = r
                .body
                .blocks("statement")
                .filter(|b| !b.dynamic)
                .map(|b| Stmt {
                    allow: get_str(&b.body, "effect")
                        .map_or(Some(true), |e| e.map(|e| e == "Allow")),
                    actions: b.body.attr("actions").and_then(|a| strings(&a.value)),
                    resources: b.body.attr("resources").and_then(|a| strings(&a.value)),
                    line: b.line,
                })
                .collect();
            iam_statements(out, r, &stmts, r.line);
        }
        (false, "aws_cloudtrail") => {
            require_true(
                out,
                r,
                "tf-aws-cloudtrail-logging-disabled",
                "enable_logging",
                true,
                "enable_logging is false: the trail records nothing",
            );
            require_true(
                out,
                r,
                "tf-aws-cloudtrail-multi-region",
                "is_multi_region_trail",
                false,
                "the trail covers one region only",
            );
            require_true(
                out,
                r,
                "tf-aws-cloudtrail-log-validation",
                "enable_log_file_validation",
                false,
                "log file validation is off",
            );
            require_set(
                out,
                r,
                "tf-aws-cloudtrail-kms",
                "kms_key_id",
                "logs are not encrypted with a KMS key",
            );
        }
        (false, "aws_kms_key") => {
            let symmetric = match get_str(&r.body, "customer_master_key_spec") {
                None => true,
                Some(Some(s)) => s == "SYMMETRIC_DEFAULT",
                Some(None) => false,
            };
            let usage = get_str(&r.body, "key_usage").flatten();
            if symmetric && usage.is_none_or(|u| u == "ENCRYPT_DECRYPT") {
                require_true(
                    out,
                    r,
                    "tf-aws-kms-rotation",
                    "enable_key_rotation",
                    false,
                    "automatic key rotation is off",
                );
            }
        }
        (false, "aws_db_instance" | "aws_rds_cluster_instance") => {
            require_false(
                out,
                r,
                "tf-aws-rds-public",
                "publicly_accessible",
                false,
                "the database is reachable from the internet",
            );
            if r.rtype == "aws_db_instance" {
                rds_storage(out, r);
                rds_backups(out, r);
            }
        }
        (false, "aws_rds_cluster") => {
            rds_storage(out, r);
            rds_backups(out, r);
        }
        (false, "aws_ebs_volume") => {
            require_true(
                out,
                r,
                "tf-aws-ebs-unencrypted",
                "encrypted",
                false,
                "the volume is not encrypted",
            );
        }
        (false, "aws_ebs_encryption_by_default") => {
            require_true(
                out,
                r,
                "tf-aws-ebs-default-encryption",
                "enabled",
                true,
                "EBS encryption by default is turned off",
            );
        }
        (false, "aws_instance") => {
            imds(out, r);
            require_false(
                out,
                r,
                "tf-aws-ec2-public-ip",
                "associate_public_ip_address",
                false,
                "the instance gets a public IP address",
            );
            block_devices(out, r);
        }
        (false, "aws_launch_configuration") => {
            imds(out, r);
            require_false(
                out,
                r,
                "tf-aws-ec2-public-ip",
                "associate_public_ip_address",
                false,
                "instances launched from it get a public IP address",
            );
            block_devices(out, r);
        }
        (false, "aws_launch_template") => {
            imds(out, r);
            for ni in r.body.blocks("network_interfaces") {
                if get_bool(&ni.body, "associate_public_ip_address") == Some(Some(true)) {
                    let line = ni
                        .body
                        .attr("associate_public_ip_address")
                        .map_or(ni.line, |a| a.line);
                    out.add(
                        "tf-aws-ec2-public-ip",
                        r,
                        line,
                        "instances launched from it get a public IP address",
                    );
                }
            }
        }
        (false, "aws_default_vpc") => {
            out.add(
                "tf-aws-default-vpc",
                r,
                r.line,
                "the default VPC is managed and kept",
            );
        }
        (false, "aws_lb_listener" | "aws_alb_listener") => lb_listener(out, r),
        (false, "aws_elb") => {
            for l in r.body.blocks("listener") {
                if get_str(&l.body, "lb_protocol")
                    .flatten()
                    .is_some_and(|p| p.eq_ignore_ascii_case("http"))
                {
                    out.add(
                        "tf-aws-lb-http-listener",
                        r,
                        l.line,
                        "classic load balancer listener speaks plain HTTP",
                    );
                }
            }
        }
        (false, "aws_eks_cluster") => {
            require_false(
                out,
                r,
                "tf-aws-eks-public-endpoint",
                "vpc_config.endpoint_public_access",
                true,
                "the Kubernetes API endpoint is public",
            );
            eks_logging(out, r);
        }
        (false, "aws_cloudwatch_log_group") => match setting(&r.body, "retention_in_days") {
            Setting::Absent => out.add(
                "tf-aws-cloudwatch-log-retention",
                r,
                r.line,
                "no retention_in_days: logs are kept forever or not as policy requires",
            ),
            Setting::Known(a) if a.value.as_f64() == Some(0.0) => out.add(
                "tf-aws-cloudwatch-log-retention",
                r,
                a.line,
                "retention_in_days is 0 (never expire)",
            ),
            _ => {}
        },
        (false, "aws_sqs_queue") => {
            let kms = !matches!(setting(&r.body, "kms_master_key_id"), Setting::Absent);
            if !kms && get_bool(&r.body, "sqs_managed_sse_enabled") == Some(Some(false)) {
                out.add(
                    "tf-aws-sqs-unencrypted",
                    r,
                    line_of(r, "sqs_managed_sse_enabled"),
                    "server-side encryption is turned off",
                );
            }
        }
        (false, "aws_sns_topic") => {
            require_set(
                out,
                r,
                "tf-aws-sns-unencrypted",
                "kms_master_key_id",
                "the topic is not encrypted with a KMS key",
            );
        }
        (false, "aws_dynamodb_table") => {
            require_true(
                out,
                r,
                "tf-aws-dynamodb-pitr",
                "point_in_time_recovery.enabled",
                false,
                "point-in-time recovery is off",
            );
        }
        (false, "aws_ecr_repository") => {
            require_true(
                out,
                r,
                "tf-aws-ecr-scan-on-push",
                "image_scanning_configuration.scan_on_push",
                false,
                "images are not scanned on push",
            );
            match get_str(&r.body, "image_tag_mutability") {
                None => out.add(
                    "tf-aws-ecr-mutable-tags",
                    r,
                    r.line,
                    "image tags are mutable (the default)",
                ),
                Some(Some(m)) if m == "MUTABLE" || m == "MUTABLE_WITH_EXCLUSION" => out.add(
                    "tf-aws-ecr-mutable-tags",
                    r,
                    line_of(r, "image_tag_mutability"),
                    "image tags are mutable",
                ),
                _ => {}
            }
        }
        (false, "aws_lambda_function") => lambda_env(out, r),
        (false, "aws_efs_file_system") => {
            require_true(
                out,
                r,
                "tf-aws-efs-unencrypted",
                "encrypted",
                false,
                "the file system is not encrypted",
            );
        }
        (false, "aws_elasticsearch_domain" | "aws_opensearch_domain") => {
            require_true(
                out,
                r,
                "tf-aws-opensearch-unencrypted",
                "encrypt_at_rest.enabled",
                false,
                "the domain is not encrypted at rest",
            );
        }
        (false, "aws_kinesis_stream") => match get_str(&r.body, "encryption_type") {
            None => out.add(
                "tf-aws-kinesis-unencrypted",
                r,
                r.line,
                "the stream is not encrypted",
            ),
            Some(Some(t)) if t == "NONE" => out.add(
                "tf-aws-kinesis-unencrypted",
                r,
                line_of(r, "encryption_type"),
                "encryption_type is NONE",
            ),
            _ => {}
        },
        (false, "aws_guardduty_detector") => {
            require_true(
                out,
                r,
                "tf-aws-guardduty-disabled",
                "enable",
                true,
                "the GuardDuty detector is disabled",
            );
        }
        (false, "aws_ecs_task_definition") => ecs_privileged(out, r),
        _ => {}
    }
}

fn public_acl(acl: &str) -> bool {
    matches!(
        acl,
        "public-read" | "public-read-write" | "authenticated-read"
    )
}

/// Whether S3 ignores public ACLs on a bucket: the account's public access block, or one
/// for the bucket (`bucket` names it by reference or literally; `bucket_resource` is the
/// bucket itself when known), sets `ignore_public_acls = true`.
fn acls_ignored(
    out: &Out<'_>,
    bucket: Option<&super::Attr>,
    bucket_resource: Option<&Resource>,
) -> bool {
    let ignores = |b: &Resource| get_bool(&b.body, "ignore_public_acls") == Some(Some(true));
    if out
        .all
        .iter()
        .any(|b| b.rtype == "aws_s3_account_public_access_block" && ignores(b))
    {
        return true;
    }
    if let Some(r) = bucket_resource {
        return out
            .referring("aws_s3_bucket_public_access_block", "bucket", r)
            .any(ignores);
    }
    let Some(bucket) = bucket else { return false };
    let literal = bucket.value.as_str();
    out.all.iter().any(|b| {
        b.rtype == "aws_s3_bucket_public_access_block"
            && ignores(b)
            && b.body.attr("bucket").is_some_and(|a| {
                a.refs.iter().any(|x| bucket.refs.contains(x))
                    || (literal.is_some() && a.value.as_str() == literal)
            })
    })
}

fn s3_bucket(out: &mut Out<'_>, r: &Resource) {
    if let Some(Some(acl)) = get_str(&r.body, "acl")
        && public_acl(&acl)
        && !acls_ignored(out, None, Some(r))
    {
        out.add(
            "tf-aws-s3-public-acl",
            r,
            line_of(r, "acl"),
            format!("canned ACL {acl} grants access to everyone"),
        );
    }
    let account_block = out.any_of("aws_s3_account_public_access_block");
    if !account_block
        && out
            .referring("aws_s3_bucket_public_access_block", "bucket", r)
            .next()
            .is_none()
    {
        out.add(
            "tf-aws-s3-public-access-block",
            r,
            r.line,
            "no public access block covers the bucket",
        );
    }
    let sse = r
        .body
        .block("server_side_encryption_configuration")
        .is_some()
        || out
            .referring(
                "aws_s3_bucket_server_side_encryption_configuration",
                "bucket",
                r,
            )
            .next()
            .is_some();
    if !sse {
        out.add(
            "tf-aws-s3-encryption",
            r,
            r.line,
            "no default encryption configuration (SSE-S3 only, no KMS key)",
        );
    }
    // Object Lock turns versioning on for good.
    let object_lock = get_bool(&r.body, "object_lock_enabled") == Some(Some(true))
        || get_str(&r.body, "object_lock_configuration.object_lock_enabled")
            == Some(Some("Enabled".to_string()));
    let versioning = match get_bool(&r.body, "versioning.enabled") {
        _ if object_lock => true,
        Some(Some(b)) => b,
        Some(None) => true,
        None => out.referring("aws_s3_bucket_versioning", "bucket", r).any(|v| {
            !matches!(get_str(&v.body, "versioning_configuration.status"), Some(Some(s)) if s != "Enabled")
        }),
    };
    if !versioning {
        out.add(
            "tf-aws-s3-versioning",
            r,
            line_of(r, "versioning.enabled"),
            "versioning is not enabled",
        );
    }
    let logging = r.body.block("logging").is_some()
        || out
            .referring("aws_s3_bucket_logging", "bucket", r)
            .next()
            .is_some();
    if !logging {
        out.add(
            "tf-aws-s3-logging",
            r,
            r.line,
            "server access logging is not enabled",
        );
    }
}

/// Ingress rules open to the internet: (line, from port, to port) with unknown ports skipped.
fn open_ingress(r: &Resource) -> Vec<(u32, f64, f64)> {
    let mut found = Vec::new();
    let mut one = |body: &super::Body, line: u32, cidr_keys: &[&str], proto_key: &str| {
        let open = cidr_keys.iter().any(|k| {
            body.attr(k)
                .and_then(|a| strings(&a.value))
                .is_some_and(|v| v.iter().any(|c| c == "0.0.0.0/0" || c == "::/0"))
        });
        if !open {
            return;
        }
        let proto = get_str(body, proto_key).flatten();
        if proto
            .as_deref()
            .is_some_and(|p| p == "-1" || p.eq_ignore_ascii_case("all"))
        {
            found.push((line, 0.0, 65535.0));
            return;
        }
        let from = body.attr("from_port").and_then(|a| a.value.as_f64());
        let to = body.attr("to_port").and_then(|a| a.value.as_f64());
        // ICMP rules carry types and codes in the port fields, not ports.
        if proto.as_deref().is_some_and(|p| {
            matches!(
                p.to_ascii_lowercase().as_str(),
                "icmp" | "icmpv6" | "1" | "58"
            )
        }) {
            return;
        }
        if let (Some(f), Some(t)) = (from, to) {
            if f >= 0.0 && t >= 0.0 {
                found.push((line, f, t));
            } else if proto.is_none() {
                // -1 with protocol -1 means every port; with an unknown protocol it may.
                found.push((line, 0.0, 65535.0));
            }
            // A negative port with TCP or UDP is rejected by EC2: the rule never exists.
        }
    };
    match r.rtype.as_str() {
        "aws_security_group" => {
            for b in r.body.blocks("ingress") {
                one(
                    &b.body,
                    b.line,
                    &["cidr_blocks", "ipv6_cidr_blocks"],
                    "protocol",
                );
            }
        }
        "aws_security_group_rule" => {
            if get_str(&r.body, "type").flatten().as_deref() == Some("ingress") {
                one(
                    &r.body,
                    r.line,
                    &["cidr_blocks", "ipv6_cidr_blocks"],
                    "protocol",
                );
            }
        }
        _ => one(&r.body, r.line, &["cidr_ipv4", "cidr_ipv6"], "ip_protocol"),
    }
    found
}

fn security_group(out: &mut Out<'_>, r: &Resource) {
    for (line, from, to) in open_ingress(r) {
        if from <= 0.0 && to >= 65535.0 {
            out.add(
                "tf-aws-sg-all-open",
                r,
                line,
                "all ports are open to 0.0.0.0/0",
            );
        }
        for (port, id, what) in [
            (22.0, "tf-aws-sg-ssh-open", "SSH"),
            (3389.0, "tf-aws-sg-rdp-open", "RDP"),
            (80.0, "tf-aws-sg-http-open", "HTTP"),
        ] {
            if covers(from, to, port) {
                out.add(
                    id,
                    r,
                    line,
                    format!("{what} (port {port}) is open to the internet"),
                );
            }
        }
    }
}

fn nacl_rule(out: &mut Out<'_>, r: &Resource) {
    if get_bool(&r.body, "egress").flatten().unwrap_or(false)
        || get_str(&r.body, "rule_action")
            .flatten()
            .is_none_or(|a| a != "allow")
    {
        return;
    }
    let open = ["cidr_block", "ipv6_cidr_block"].iter().any(|k| {
        get_str(&r.body, k)
            .flatten()
            .is_some_and(|c| is_open_cidr(&c))
    });
    if !open {
        return;
    }
    let proto = get_str(&r.body, "protocol").flatten();
    let (from, to) = if proto.as_deref().is_some_and(|p| p == "-1" || p == "all") {
        (0.0, 65535.0)
    } else {
        match (
            r.body.attr("from_port").and_then(|a| a.value.as_f64()),
            r.body.attr("to_port").and_then(|a| a.value.as_f64()),
        ) {
            (Some(f), Some(t)) => (f, t),
            _ => return,
        }
    };
    for (port, id) in [
        (22.0, "tf-aws-nacl-ssh-open"),
        (3389.0, "tf-aws-nacl-rdp-open"),
    ] {
        if covers(from, to, port) {
            out.add(
                id,
                r,
                r.line,
                format!("network ACL allows port {port} from anywhere"),
            );
        }
    }
}

/// Whether the configuration turns on account-level EBS encryption by default (then a
/// volume without `encrypted` is encrypted anyway).
fn ebs_default_encryption(out: &Out<'_>) -> bool {
    out.all.iter().any(|x| {
        !x.data
            && x.rtype == "aws_ebs_encryption_by_default"
            && get_bool(&x.body, "enabled") != Some(Some(false))
    })
}

/// Root and EBS block devices of an instance or launch configuration: `encrypted = false`,
/// or unset (unencrypted unless EBS encryption by default is on), or no `root_block_device`
/// at all (the root volume takes the default, unencrypted). A device restored from a snapshot
/// takes the snapshot's encryption and is skipped.
fn block_devices(out: &mut Out<'_>, r: &Resource) {
    let by_default = ebs_default_encryption(out);
    let root_unknown = r
        .body
        .attr("root_block_device")
        .is_some_and(|a| a.value.has_unknown());
    if r.body.block("root_block_device").is_none() && !root_unknown && !by_default {
        out.add(
            "tf-aws-ebs-unencrypted",
            r,
            r.line,
            "no root_block_device with encrypted = true: the root volume is not encrypted",
        );
    }
    for dev in ["root_block_device", "ebs_block_device"] {
        for b in r.body.blocks(dev) {
            if b.dynamic || b.body.attr("snapshot_id").is_some() {
                continue;
            }
            match get_bool(&b.body, "encrypted") {
                Some(Some(false)) => out.add(
                    "tf-aws-ebs-unencrypted",
                    r,
                    b.body.attr("encrypted").map_or(b.line, |a| a.line),
                    format!("{dev} is not encrypted"),
                ),
                None if !by_default => out.add(
                    "tf-aws-ebs-unencrypted",
                    r,
                    b.line,
                    format!("{dev} does not set encrypted = true"),
                ),
                _ => {}
            }
        }
    }
}

/// Inline `ingress` rules of an `aws_network_acl`, evaluated as AWS does: in `rule_no` order,
/// the first rule matching the traffic decides. A port is reported when the first rule
/// matching TCP traffic from anywhere to it allows it. A rule with an unknown field that could
/// match stops the evaluation (no finding).
fn nacl_inline(out: &mut Out<'_>, r: &Resource) {
    let mut rules: Vec<&super::Block> = r.body.blocks("ingress").collect();
    if rules.iter().any(|b| b.dynamic) {
        return;
    }
    let num = |b: &super::Block| b.body.attr("rule_no").and_then(|a| a.value.as_f64());
    // Unknown rule numbers first: they may come before anything.
    rules.sort_by(|a, b| {
        num(a)
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&num(b).unwrap_or(f64::NEG_INFINITY))
    });
    for (port, id) in [
        (22.0, "tf-aws-nacl-ssh-open"),
        (3389.0, "tf-aws-nacl-rdp-open"),
    ] {
        for b in &rules {
            match nacl_matches(&b.body, port) {
                Some(false) => continue,
                None => break,
                Some(true) => {}
            }
            if num(b).is_some()
                && get_str(&b.body, "action")
                    .flatten()
                    .is_some_and(|a| a.eq_ignore_ascii_case("allow"))
            {
                out.add(
                    id,
                    r,
                    b.line,
                    format!("network ACL allows port {port} from anywhere"),
                );
            }
            break;
        }
    }
}

/// Whether an inline NACL rule matches TCP traffic from anywhere to `port` (`None`: unknown).
fn nacl_matches(b: &super::Body, port: f64) -> Option<bool> {
    let mut unknown = false;
    let mut cidr_open = Some(false);
    for k in ["cidr_block", "ipv6_cidr_block"] {
        match b.attr(k).map(|a| strings(&a.value)) {
            Some(None) => cidr_open = None,
            Some(Some(v)) if v.iter().any(|c| is_open_cidr(c)) => {
                cidr_open = Some(true);
                break;
            }
            _ => {}
        }
    }
    match cidr_open {
        Some(false) => return Some(false),
        None => unknown = true,
        Some(true) => {}
    }
    let proto = b.attr("protocol").map(|a| a.value.as_str());
    let all = match proto {
        Some(Some(p)) => {
            let p = p.to_ascii_lowercase();
            if p == "-1" || p == "all" {
                true
            } else if p == "tcp" || p == "6" {
                false
            } else {
                return Some(false);
            }
        }
        Some(None) => {
            unknown = true;
            false
        }
        None => return Some(false),
    };
    if !all {
        let from = b.attr("from_port").and_then(|a| a.value.as_f64());
        let to = b.attr("to_port").and_then(|a| a.value.as_f64());
        match (from, to) {
            (Some(f), Some(t)) if !covers(f, t, port) => return Some(false),
            (Some(_), Some(_)) => {}
            _ => unknown = true,
        }
    }
    if unknown { None } else { Some(true) }
}

/// One IAM policy statement; `None` fields are unknown.
struct Stmt {
    allow: Option<bool>,
    actions: Option<Vec<String>>,
    resources: Option<Vec<String>>,
    line: u32,
}

fn json_statements(doc: &str) -> Vec<Stmt> {
    let Ok(j) = serde_json::from_str::<serde_json::Value>(doc) else {
        return Vec::new();
    };
    let list = match j.get("Statement") {
        Some(serde_json::Value::Array(a)) => a.clone(),
        Some(o @ serde_json::Value::Object(_)) => vec![o.clone()],
        _ => return Vec::new(),
    };
    let strs = |v: Option<&serde_json::Value>| -> Option<Vec<String>> {
        match v? {
            serde_json::Value::String(s) => Some(vec![s.clone()]),
            serde_json::Value::Array(a) => {
                a.iter().map(|x| x.as_str().map(str::to_string)).collect()
            }
            _ => None,
        }
    };
    list.iter()
        .map(|s| Stmt {
            allow: s
                .get("Effect")
                .and_then(|e| e.as_str())
                .map(|e| e == "Allow"),
            actions: strs(s.get("Action")),
            resources: strs(s.get("Resource")),
            line: 0,
        })
        .collect()
}

fn iam_statements(out: &mut Out<'_>, r: &Resource, stmts: &[Stmt], line: u32) {
    for s in stmts {
        if s.allow != Some(true) {
            continue;
        }
        let line = if s.line == 0 { line } else { s.line };
        let actions = s.actions.as_deref().unwrap_or_default();
        let star_action = actions.iter().any(|a| a == "*" || a == "*:*");
        let star_resource = s
            .resources
            .as_deref()
            .is_some_and(|v| v.iter().any(|x| x == "*"));
        if star_action && star_resource {
            out.add(
                "tf-aws-iam-admin-policy",
                r,
                line,
                "a statement allows every action on every resource",
            );
        } else if star_action || actions.iter().any(|a| a.ends_with(":*")) {
            out.add(
                "tf-aws-iam-wildcard-action",
                r,
                line,
                "a statement allows every action of a service",
            );
        }
    }
}

fn rds_storage(out: &mut Out<'_>, r: &Resource) {
    // Read replicas and snapshot restores inherit encryption; Aurora Serverless v1 is always encrypted.
    if r.body.attr("replicate_source_db").is_some()
        || r.body.attr("snapshot_identifier").is_some()
        || get_str(&r.body, "engine_mode")
            .flatten()
            .is_some_and(|m| m == "serverless")
        || r.body.attr("kms_key_id").is_some()
    {
        return;
    }
    require_true(
        out,
        r,
        "tf-aws-rds-unencrypted",
        "storage_encrypted",
        false,
        "database storage is not encrypted",
    );
}

fn rds_backups(out: &mut Out<'_>, r: &Resource) {
    if let Setting::Known(a) = setting(&r.body, "backup_retention_period")
        && a.value.as_f64() == Some(0.0)
    {
        out.add(
            "tf-aws-rds-no-backups",
            r,
            a.line,
            "backup_retention_period is 0: automated backups are off",
        );
    }
}

fn imds(out: &mut Out<'_>, r: &Resource) {
    if get_str(&r.body, "metadata_options.http_endpoint")
        .flatten()
        .is_some_and(|e| e == "disabled")
    {
        return;
    }
    match get_str(&r.body, "metadata_options.http_tokens") {
        Some(Some(t)) if t != "required" => out.add(
            "tf-aws-ec2-imdsv1",
            r,
            line_of(r, "metadata_options.http_tokens"),
            format!("http_tokens is {t}: IMDSv1 is allowed"),
        ),
        None => out.add(
            "tf-aws-ec2-imdsv1",
            r,
            line_of(r, "metadata_options.http_tokens"),
            "http_tokens is not required: IMDSv1 is allowed",
        ),
        _ => {}
    }
}

fn lb_listener(out: &mut Out<'_>, r: &Resource) {
    if get_str(&r.body, "protocol").flatten().as_deref() != Some("HTTP") {
        return;
    }
    let redirects = r.body.blocks("default_action").any(|a| {
        if a.dynamic {
            return true;
        }
        match get_str(&a.body, "type") {
            Some(None) => true,
            Some(Some(t)) if t == "redirect" => {
                !matches!(get_str(&a.body, "redirect.protocol"), Some(Some(p)) if p != "HTTPS")
            }
            _ => false,
        }
    });
    if !redirects {
        out.add(
            "tf-aws-lb-http-listener",
            r,
            line_of(r, "protocol"),
            "listener serves plain HTTP without redirecting to HTTPS",
        );
    }
}

fn eks_logging(out: &mut Out<'_>, r: &Resource) {
    const ALL: [&str; 5] = [
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
    ];
    match setting(&r.body, "enabled_cluster_log_types") {
        Setting::Absent => out.add(
            "tf-aws-eks-logging",
            r,
            r.line,
            "control plane logging is off",
        ),
        Setting::Known(a) => {
            if let Some(v) = strings(&a.value) {
                let missing: Vec<&str> = ALL
                    .iter()
                    .copied()
                    .filter(|t| !v.iter().any(|x| x == t))
                    .collect();
                if !missing.is_empty() {
                    out.add(
                        "tf-aws-eks-logging",
                        r,
                        a.line,
                        format!(
                            "control plane log types not enabled: {}",
                            missing.join(", ")
                        ),
                    );
                }
            }
        }
        Setting::Unknown => {}
    }
}

/// Whether a string looks like a credential value rather than a name, flag or reference.
pub(super) fn looks_secret(key: &str, val: &str) -> bool {
    let b = val.as_bytes();
    let aws_key = b.windows(20).any(|w| {
        (w.starts_with(b"AKIA") || w.starts_with(b"ASIA"))
            && w[4..]
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    });
    if aws_key {
        return true;
    }
    let k = key.to_ascii_lowercase();
    let named = [
        "secret",
        "password",
        "passwd",
        "token",
        "api_key",
        "apikey",
        "private_key",
        "access_key",
    ]
    .iter()
    .any(|n| k.contains(n));
    named && val.len() >= 6 && !val.contains("arn:") && !val.starts_with('/') && !val.contains("${")
}

fn lambda_env(out: &mut Out<'_>, r: &Resource) {
    let Some(vars) = r
        .body
        .block("environment")
        .and_then(|b| b.body.attr("variables"))
    else {
        return;
    };
    if let Value::Map(m) = &vars.value {
        for (k, v) in m {
            if let Value::String(s) = v
                && looks_secret(k, s)
            {
                out.add(
                    "tf-aws-lambda-env-secret",
                    r,
                    vars.line,
                    format!("environment variable {k} holds a literal secret"),
                );
            }
        }
    }
}

fn ecs_privileged(out: &mut Out<'_>, r: &Resource) {
    let Some(a) = r.body.attr("container_definitions") else {
        return;
    };
    let Some(doc) = a.value.as_str() else { return };
    let Ok(serde_json::Value::Array(list)) = serde_json::from_str::<serde_json::Value>(&doc) else {
        return;
    };
    for c in list {
        if c.get("privileged").and_then(|p| p.as_bool()) == Some(true) {
            let name = c.get("name").and_then(|n| n.as_str()).unwrap_or("?");
            out.add(
                "tf-aws-ecs-privileged",
                r,
                a.line,
                format!("container {name} runs privileged"),
            );
        }
    }
}
