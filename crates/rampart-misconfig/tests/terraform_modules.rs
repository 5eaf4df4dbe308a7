//! `count` on resources and module calls, and local modules (`source = "./x"`) evaluated
//! through their callers with the callers' arguments, nested calls, and a call cycle.

mod common;

use rampart_misconfig::Misconfiguration;
use std::path::Path;

/// The findings of the `.tf` files under `tests/fixtures/terraform-modules/DIR`, paths
/// relative to `DIR`.
fn scan(dir: &str) -> Vec<Misconfiguration> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terraform-modules")
        .join(dir);
    common::scan_tf(&common::tf_files(&root, &root))
}

/// (rule, resource address, file) of every finding, sorted.
fn triples(found: &[Misconfiguration]) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = found
        .iter()
        .map(|m| (m.rule_id.clone(), m.resource.clone(), m.file.clone()))
        .collect();
    v.sort();
    v.dedup();
    v
}

fn t(rule: &str, res: &str, file: &str) -> (String, String, String) {
    (rule.into(), res.into(), file.into())
}

#[test]
fn count_expands_known_numbers_and_zero_creates_nothing() {
    let found = scan("count");
    assert_eq!(
        triples(&found),
        [
            t(
                "tf-aws-sg-ssh-open",
                "aws_security_group_rule.fail_count_index",
                "main.tf"
            ),
            t(
                "tf-aws-sg-ssh-open",
                "aws_security_group_rule.fail_count_one",
                "main.tf"
            ),
        ]
    );
    // One finding per resource block (at its line), though it has two copies.
    let index: Vec<_> = found
        .iter()
        .filter(|m| m.resource == "aws_security_group_rule.fail_count_index")
        .collect();
    assert_eq!(index.len(), 1, "{index:#?}");
    assert_eq!(index[0].line, 25);
}

#[test]
fn local_modules_take_their_callers_arguments() {
    let found = scan("local");
    let ssh = "tf-aws-sg-ssh-open";
    let rdp = "tf-aws-sg-rdp-open";
    let net = "network/main.tf";
    let rules = "network/rules/main.tf";
    assert_eq!(
        triples(&found),
        [
            t(
                rdp,
                "module.fail_each.module.rules.aws_security_group_rule.rdp",
                rules
            ),
            t(
                rdp,
                "module.fail_open.module.rules.aws_security_group_rule.rdp",
                rules
            ),
            t(ssh, "aws_security_group_rule.ssh", "unused/main.tf"),
            t(ssh, "module.fail_each.aws_security_group_rule.ssh", net),
            t(ssh, "module.fail_open.aws_security_group_rule.ssh", net),
        ]
    );
}

#[test]
fn a_cycle_of_module_calls_is_checked_once_and_ends() {
    let found = scan("cycle");
    let got = triples(&found);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert!(got.iter().any(|(r, a, f)| r == "tf-aws-sg-ssh-open"
        && a.ends_with("aws_security_group_rule.ssh")
        && f == "a/main.tf"));
    assert!(got.iter().any(|(r, a, f)| r == "tf-aws-sg-rdp-open"
        && a.ends_with("aws_security_group_rule.rdp")
        && f == "b/main.tf"));
}

/// Nested `for_each` module calls multiply (here 100 × 100 × 100 instances): evaluation is
/// bounded and still reports what it reached.
#[test]
fn module_fan_out_is_bounded() {
    let keys: Vec<String> = (0..100).map(|i| format!("\"k{i}\"")).collect();
    let set = format!("[{}]", keys.join(", "));
    let call = |child: &str| {
        format!("module \"m\" {{\n  source   = \"./{child}\"\n  for_each = toset({set})\n}}\n")
    };
    let ssh = "resource \"aws_security_group_rule\" \"ssh\" {\n  type        = \"ingress\"\n  protocol    = \"tcp\"\n  from_port   = 22\n  to_port     = 22\n  cidr_blocks = [\"0.0.0.0/0\"]\n}\n";
    let files = [
        ("main.tf".to_string(), call("a")),
        ("a/main.tf".to_string(), format!("{}{ssh}", call("b"))),
        ("a/b/main.tf".to_string(), format!("{}{ssh}", call("c"))),
        ("a/b/c/main.tf".to_string(), ssh.to_string()),
    ];
    let found = common::scan_tf(&files);
    let files_hit: std::collections::BTreeSet<&str> =
        found.iter().map(|m| m.file.as_str()).collect();
    assert!(files_hit.contains("a/main.tf"), "{files_hit:?}");
    assert!(files_hit.contains("a/b/main.tf"), "{files_hit:?}");
}
