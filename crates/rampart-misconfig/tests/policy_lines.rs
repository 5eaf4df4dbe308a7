//! Rego findings point at the offending Dockerfile instruction or Terraform block, not at
//! line 1, whenever the result lets us tell which one it is about: a line carried by the
//! result object (Trivy's `result.new` metadata, an embedded instruction), a message naming
//! `line N`, the resource address, or the instruction's text.

use rampart_misconfig::policy::input::{dockerfile_input, hcl_input};
use rampart_misconfig::policy::{DataFile, PolicyConfig, load_policies};
use std::path::Path;

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/policies")
}

fn read(p: &str) -> String {
    std::fs::read_to_string(examples().join(p)).unwrap()
}

#[test]
fn example_policies_point_at_the_instruction_and_the_resource() {
    let policies = ["dockerfile.rego", "terraform.rego"].map(|p| (p, read(p)));
    let files: Vec<(&str, &str)> = policies.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let org = read("data/org.yaml");
    let data = [DataFile {
        path: "data/org.yaml",
        prefix: Vec::new(),
        text: &org,
    }];
    let cfg = PolicyConfig {
        all_namespaces: true,
        ..PolicyConfig::default()
    };
    let mut p = load_policies(&files, &data, &cfg).unwrap();

    let docker = read("testdata/Dockerfile");
    let (found, diags) = p.eval(&dockerfile_input("Dockerfile", &docker)).unwrap();
    assert!(diags.is_empty(), "{diags:?}");
    let mut got: Vec<(String, u32)> = found.iter().map(|m| (m.rule_id.clone(), m.line)).collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("rego:docker.deny".to_string(), 1),
            ("rego:docker.deny_root_user".to_string(), 7),
            ("rego:docker.warn".to_string(), 2),
        ]
    );

    let tf = read("testdata/main.tf");
    let (found, _) = p
        .eval(&hcl_input("main.tf", &tf, 1 << 20).unwrap())
        .unwrap();
    let mut got: Vec<(&str, u32, &str)> = found
        .iter()
        .map(|m| (m.rule_id.as_str(), m.line, m.resource.as_str()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("rego:terraform.deny", 1, "aws_s3_bucket.assets"),
            ("rego:terraform.deny", 14, "aws_security_group_rule.ssh"),
        ]
    );
}

const DOCKERFILE: &str =
    "FROM alpine:3.20\nRUN apk add curl\nUSER app\nEXPOSE 22\nHEALTHCHECK NONE\n";

const TF: &str = r#"resource "aws_s3_bucket" "assets" {
  bucket = "assets"
}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}

resource "aws_s3_bucket" "main" {
  bucket = "main"
}

resource "aws_sqs_queue" "main" {
  name = "main"
}
"#;

fn eval_one(policy: &str, doc: &rampart_misconfig::policy::input::Input) -> Vec<(u32, String)> {
    let mut p = load_policies(&[("p.rego", policy)], &[], &PolicyConfig::default()).unwrap();
    let (found, diags) = p.eval(doc).unwrap();
    assert!(diags.is_empty(), "{diags:?}");
    let mut v: Vec<(u32, String)> = found.into_iter().map(|m| (m.line, m.resource)).collect();
    v.sort();
    v
}

#[test]
fn result_objects_carry_the_line() {
    let doc = dockerfile_input("Dockerfile", DOCKERFILE);
    // conftest style: the offending instruction embedded in the result.
    let embedded = r#"package main
import rego.v1
deny contains {"msg": "ssh exposed", "cmd": cmd} if {
    some cmd in input
    cmd.Cmd == "expose"
    "22" in cmd.Value
}"#;
    assert_eq!(eval_one(embedded, &doc), [(4, "Dockerfile".to_string())]);
    // Trivy style: result.new puts the cause's lines under __defsec_metadata / startline.
    let trivy = r#"package main
import rego.v1
deny contains {"msg": "apk without --no-cache", "startline": cmd.StartLine} if {
    some cmd in input
    cmd.Cmd == "run"
    contains(cmd.Value[0], "apk add")
}"#;
    assert_eq!(eval_one(trivy, &doc), [(2, "Dockerfile".to_string())]);
}

#[test]
fn messages_naming_a_part_of_the_input() {
    let doc = dockerfile_input("Dockerfile", DOCKERFILE);
    let by_value = r#"package main
import rego.v1
deny contains msg if {
    some cmd in input
    cmd.Cmd == "from"
    msg := sprintf("base image %s is not from the company registry", [cmd.Value[0]])
}"#;
    assert_eq!(eval_one(by_value, &doc), [(1, "Dockerfile".to_string())]);

    let tf = hcl_input("main.tf", TF, 1 << 20).unwrap();
    let by_name = r#"package main
import rego.v1
deny contains msg if {
    some name, b in input.resource.aws_s3_bucket
    not b.logging
    name != "main"
    msg := sprintf("bucket %s has no access logging", [name])
}"#;
    assert_eq!(
        eval_one(by_name, &tf),
        [
            (1, "aws_s3_bucket.assets".to_string()),
            (5, "aws_s3_bucket.logs".to_string()),
        ]
    );
    // `main` names two resources (a bucket and a queue): ambiguous, so the file's line 1 and
    // the file as the resource; the full address is not ambiguous.
    let ambiguous = r#"package main
import rego.v1
deny contains msg if {
    input.resource.aws_s3_bucket.main
    msg := "main is public"
}
deny contains msg if {
    input.resource.aws_sqs_queue.main
    msg := "aws_sqs_queue.main is not encrypted"
}"#;
    assert_eq!(
        eval_one(ambiguous, &tf),
        [
            (1, "main.tf".to_string()),
            (13, "aws_sqs_queue.main".to_string()),
        ]
    );
}
