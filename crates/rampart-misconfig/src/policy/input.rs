//! What a policy sees as `input`, in conftest's shapes: each YAML/JSON document as parsed
//! (top-level arrays are evaluated element by element), a Dockerfile as the list of its
//! instructions (`{Cmd, Flags, Value, Original, JSON, Stage, SubCmd, StartLine}`), and
//! Terraform HCL as JSON (blocks nested by their labels; an expression that is not a literal
//! becomes the string `"${...}"` of its source). Each input remembers its file, the line of
//! the document and a resource name for findings.

use crate::dockerfile::parse::{unquote, words};
use crate::dockerfile::{Instruction, parse_dockerfile};
use crate::terraform::parse::{check_limits, parse_hcl};
use crate::{MisconfigError, yaml};
use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Body, Structure};
use serde_json::{Map, Value};

/// One document a policy is evaluated against.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The file it came from.
    pub file: String,
    /// 1-based line where the document starts.
    pub line: u32,
    /// What findings name as the resource (`Deployment/shop/web`, or the file).
    pub resource: String,
    /// The document.
    pub value: Value,
    /// Parts of the document a finding can be pointed at (Dockerfile instructions, Terraform
    /// blocks), for policies whose results let us tell which one they are about.
    pub anchors: Vec<Anchor>,
}

/// A part of a policy input with its own line: a Dockerfile instruction or a Terraform
/// `resource`/`data`/`module` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    /// 1-based line.
    pub line: u32,
    /// What a finding about it names as the resource (`aws_s3_bucket.logs`); `None` keeps the
    /// input's.
    pub resource: Option<String>,
    /// Texts that identify it in a message or result, most specific first (the address and
    /// the name of a block; the instruction as written and its arguments).
    pub names: Vec<String>,
}

/// Every YAML or JSON document of a file (docker-compose, Kubernetes, plain data).
pub fn yaml_inputs(
    path: &str,
    text: &str,
    limits: yaml::Limits,
) -> Result<Vec<Input>, MisconfigError> {
    let docs = yaml::parse_documents(path, text, limits)?;
    let mut out = Vec::new();
    for d in &docs {
        match &d.root.value {
            yaml::Value::Null => {}
            yaml::Value::Seq(items) => {
                out.extend(items.iter().map(|n| node_input(path, n)));
            }
            _ => out.push(node_input(path, &d.root)),
        }
    }
    Ok(out)
}

fn node_input(path: &str, node: &yaml::Node) -> Input {
    let kind = node.get("kind").and_then(yaml::Node::as_str);
    let meta = node.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(yaml::Node::as_str);
    let ns = meta
        .and_then(|m| m.get("namespace"))
        .and_then(yaml::Node::as_str);
    let resource = match (kind, name, ns) {
        (Some(k), Some(n), Some(ns)) => format!("{k}/{ns}/{n}"),
        (Some(k), Some(n), None) => format!("{k}/{n}"),
        _ => path.to_string(),
    };
    Input {
        file: path.to_string(),
        line: node.line,
        resource,
        value: node.to_json(),
        anchors: Vec::new(),
    }
}

/// A Dockerfile as conftest presents it: the list of its instructions.
pub fn dockerfile_input(path: &str, text: &str) -> Input {
    let (df, _) = parse_dockerfile(path, text);
    let value: Vec<Value> = df.instructions.iter().map(command).collect();
    let anchors = df
        .instructions
        .iter()
        .zip(&value)
        .map(|(ins, v)| {
            let mut names = vec![
                format!("{} {}", ins.keyword, ins.args.trim()),
                ins.args.trim().to_string(),
            ];
            if let Some(vals) = v["Value"].as_array() {
                names.extend(vals.iter().filter_map(|x| x.as_str()).map(str::to_string));
            }
            Anchor {
                line: ins.line,
                resource: None,
                names,
            }
        })
        .collect();
    Input {
        file: path.to_string(),
        line: 1,
        resource: path.to_string(),
        value: Value::Array(value),
        anchors,
    }
}

fn command(ins: &Instruction) -> Value {
    let mut args = ins.args.trim();
    let mut sub_cmd = String::new();
    let mut keyword = ins.keyword.to_ascii_lowercase();
    if keyword == "onbuild" {
        let (first, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
        sub_cmd = first.to_ascii_lowercase();
        args = rest.trim();
        keyword = sub_cmd.clone();
    }
    let mut flags = Vec::new();
    while args.starts_with("--") {
        let (flag, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
        flags.push(Value::String(flag.to_string()));
        args = rest.trim_start();
    }
    let exec_form = args
        .starts_with('[')
        .then(|| serde_json::from_str::<Vec<String>>(args).ok())
        .flatten();
    let json = exec_form.is_some();
    let values: Vec<String> = match exec_form {
        Some(v) => v,
        None => match keyword.as_str() {
            "run" | "cmd" | "entrypoint" | "shell" => {
                let mut script = args.to_string();
                for h in &ins.heredocs {
                    script.push('\n');
                    script.push_str(h);
                }
                vec![script]
            }
            "env" | "label" => {
                let first = args.split_whitespace().next().unwrap_or("");
                if first.contains('=') {
                    words(args)
                        .iter()
                        .filter_map(|w| w.split_once('='))
                        .flat_map(|(k, v)| [unquote(k), unquote(v)])
                        .collect()
                } else {
                    let (k, v) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
                    vec![k.to_string(), unquote(v.trim())]
                }
            }
            "healthcheck" => {
                let (first, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
                let mut v = vec![first.to_ascii_uppercase()];
                if !rest.trim().is_empty() {
                    v.push(rest.trim().to_string());
                }
                v
            }
            _ => words(args).iter().map(|w| unquote(w)).collect(),
        },
    };
    let mut obj = Map::new();
    obj.insert(
        "Cmd".into(),
        Value::String(ins.keyword.to_ascii_lowercase()),
    );
    obj.insert("SubCmd".into(), Value::String(sub_cmd));
    obj.insert("JSON".into(), Value::Bool(json));
    obj.insert(
        "Original".into(),
        Value::String(format!("{} {}", ins.keyword, ins.args.trim())),
    );
    obj.insert("Flags".into(), Value::Array(flags));
    obj.insert(
        "Value".into(),
        Value::Array(values.into_iter().map(Value::String).collect()),
    );
    obj.insert(
        "Stage".into(),
        Value::from(ins.stage.map_or(0, |s| s as u64)),
    );
    obj.insert("StartLine".into(), Value::from(ins.line));
    Value::Object(obj)
}

/// A Terraform file as JSON, in the shape conftest's HCL parser gives it.
pub fn hcl_input(path: &str, text: &str, max_bytes: usize) -> Result<Input, MisconfigError> {
    check_limits(path, text, max_bytes)?;
    let body = parse_hcl(path, text)?;
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let anchors = body
        .blocks()
        .filter_map(|b| {
            let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
            let (address, name) = match (b.ident.as_str(), labels.as_slice()) {
                ("resource", [t, n]) => (format!("{t}.{n}"), n.to_string()),
                ("data", [t, n]) => (format!("data.{t}.{n}"), n.to_string()),
                ("module", [n]) => (format!("module.{n}"), n.to_string()),
                _ => return None,
            };
            let start = b.span().map_or(0, |s| s.start);
            let line = line_starts.partition_point(|&s| s <= start).max(1) as u32;
            Some(Anchor {
                line,
                resource: Some(address.clone()),
                names: vec![address, name],
            })
        })
        .collect();
    Ok(Input {
        file: path.to_string(),
        line: 1,
        resource: path.to_string(),
        value: Value::Object(body_json(&body)),
        anchors,
    })
}

/// Where a policy result points: a line (and resource) in the input when the result tells.
///
/// In order: a line the result carries itself (`StartLine`, `startline`, `line`, also inside
/// `__defsec_metadata` or an embedded Dockerfile instruction, as Trivy's `result.new` and
/// conftest's Dockerfile input give them); a message saying `line N` where N is an anchor's
/// line; a `resource`/`address` field naming an anchor; else
/// the anchor the message names most specifically (the longest of its names found in the
/// message as a whole word), if exactly one does. `None` when nothing tells.
pub fn locate(input: &Input, result: &Value, msg: &str) -> Option<(u32, Option<String>)> {
    if let Some(line) = result_line(result, 0) {
        let anchor = input.anchors.iter().find(|a| a.line == line);
        return Some((line, anchor.and_then(|a| a.resource.clone())));
    }
    // The message says it: "line 12: ..." naming the line of an anchor.
    let said = msg
        .match_indices("line ")
        .filter_map(|(i, _)| {
            let digits: String = msg[i + 5..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse::<u32>().ok()
        })
        .find_map(|n| input.anchors.iter().find(|a| a.line == n));
    if let Some(a) = said {
        return Some((a.line, a.resource.clone()));
    }
    let named = ["resource", "address", "id"]
        .iter()
        .filter_map(|k| result.get(k).and_then(Value::as_str))
        .find_map(|r| {
            input
                .anchors
                .iter()
                .find(|a| a.names.iter().any(|n| n == r))
        });
    if let Some(a) = named {
        return Some((a.line, a.resource.clone()));
    }
    let mut best: Option<(usize, &Anchor)> = None;
    let mut tie = false;
    for a in &input.anchors {
        let score = a
            .names
            .iter()
            .filter(|n| n.chars().count() >= 3 && contains_word(msg, n))
            .map(|n| n.len())
            .max()
            .unwrap_or(0);
        if score == 0 {
            continue;
        }
        match best {
            Some((s, _)) if score < s => {}
            Some((s, _)) if score == s => tie = true,
            _ => {
                best = Some((score, a));
                tie = false;
            }
        }
    }
    match best {
        Some((_, a)) if !tie => Some((a.line, a.resource.clone())),
        _ => None,
    }
}

/// A line number a result object carries (depth-limited search through nested objects).
fn result_line(v: &Value, depth: u32) -> Option<u32> {
    let Value::Object(m) = v else { return None };
    for k in ["StartLine", "startline", "start_line", "Line", "line"] {
        if let Some(n) = m.get(k).and_then(Value::as_u64).filter(|n| *n > 0) {
            return u32::try_from(n).ok();
        }
    }
    if depth >= 3 {
        return None;
    }
    if let Some(n) = m
        .get("__defsec_metadata")
        .and_then(|x| result_line(x, depth + 1))
    {
        return Some(n);
    }
    m.values()
        .filter(|x| x.is_object())
        .find_map(|x| result_line(x, depth + 1))
}

/// Whether `needle` occurs in `hay` not glued to a word character on either side.
fn contains_word(hay: &str, needle: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

fn body_json(body: &Body) -> Map<String, Value> {
    let mut out = Map::new();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                out.insert(a.key.as_str().to_string(), expr_json(&a.value));
            }
            Structure::Block(b) => {
                let mut slot = &mut out;
                let mut key = b.ident.as_str().to_string();
                for label in &b.labels {
                    let entry = slot.entry(key).or_insert_with(|| Value::Object(Map::new()));
                    if !entry.is_object() {
                        *entry = Value::Object(Map::new());
                    }
                    let Value::Object(inner) = entry else {
                        unreachable!("made an object above")
                    };
                    slot = inner;
                    key = label.as_str().to_string();
                }
                let value = Value::Object(body_json(&b.body));
                match slot.get_mut(&key) {
                    Some(Value::Array(list)) => list.push(value),
                    Some(existing) => {
                        let first = existing.take();
                        *existing = Value::Array(vec![first, value]);
                    }
                    None => {
                        slot.insert(key, value);
                    }
                }
            }
        }
    }
    out
}

fn expr_json(e: &Expression) -> Value {
    match e {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => {
            let n = n.value();
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Expression::String(s) => Value::String(s.value().clone()),
        Expression::Array(a) => Value::Array(a.iter().map(expr_json).collect()),
        Expression::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                        ObjectKey::Expression(x) => source(x),
                    };
                    (key, expr_json(v.expr()))
                })
                .collect(),
        ),
        Expression::StringTemplate(_) => {
            let s = source(e);
            Value::String(
                s.strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .unwrap_or(&s)
                    .to_string(),
            )
        }
        Expression::Parenthesis(p) => expr_json(p.inner()),
        _ => Value::String(format!("${{{}}}", source(e))),
    }
}

fn source(e: &Expression) -> String {
    e.to_string().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_in_conftest_shape() {
        let input = dockerfile_input(
            "Dockerfile",
            "FROM --platform=linux/amd64 openjdk:8 AS build\nENV A=1 B=\"two\"\nRUN apt-get update && \\\n    apt-get install -y curl\nCMD [\"java\", \"-jar\"]\n",
        );
        let cmds = input.value.as_array().unwrap();
        assert_eq!(cmds.len(), 4);
        assert_eq!(cmds[0]["Cmd"], "from");
        assert_eq!(cmds[0]["Flags"][0], "--platform=linux/amd64");
        assert_eq!(
            cmds[0]["Value"],
            serde_json::json!(["openjdk:8", "AS", "build"])
        );
        assert_eq!(cmds[1]["Value"], serde_json::json!(["A", "1", "B", "two"]));
        assert_eq!(cmds[2]["StartLine"], 3);
        assert!(
            cmds[2]["Value"][0]
                .as_str()
                .unwrap()
                .contains("apt-get install -y curl")
        );
        assert_eq!(cmds[3]["JSON"], true);
        assert_eq!(cmds[3]["Value"], serde_json::json!(["java", "-jar"]));
    }

    #[test]
    fn hcl_in_conftest_shape() {
        let text = r#"
resource "aws_s3_bucket" "logs" {
  bucket = "logs-${var.env}"
  acl    = "private"
  tags   = { Name = "logs", Count = 2 }
}
resource "aws_security_group_rule" "ssh" {
  type        = "ingress"
  cidr_blocks = ["0.0.0.0/0"]
  from_port   = var.port
}
resource "aws_security_group_rule" "web" {
  ingress { from_port = 80 }
  ingress { from_port = 443 }
}
"#;
        let input = hcl_input("main.tf", text, 1 << 20).unwrap();
        let r = &input.value["resource"];
        assert_eq!(r["aws_s3_bucket"]["logs"]["bucket"], "logs-${var.env}");
        assert_eq!(r["aws_s3_bucket"]["logs"]["tags"]["Count"], 2);
        assert_eq!(
            r["aws_security_group_rule"]["ssh"]["cidr_blocks"][0],
            "0.0.0.0/0"
        );
        assert_eq!(
            r["aws_security_group_rule"]["ssh"]["from_port"],
            "${var.port}"
        );
        assert_eq!(
            r["aws_security_group_rule"]["web"]["ingress"][1]["from_port"],
            443
        );
    }

    #[test]
    fn yaml_documents_and_arrays() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec: {replicas: 2, on: yes, ratio: 0.5, tag: '1.0'}\n---\n- a: 1\n- b: 2\n";
        let inputs = yaml_inputs("x.yaml", text, yaml::Limits::default()).unwrap();
        assert_eq!(inputs.len(), 3);
        assert_eq!(inputs[0].resource, "Pod/shop/web");
        assert_eq!(inputs[0].value["spec"]["replicas"], 2);
        assert_eq!(inputs[0].value["spec"]["ratio"], 0.5);
        assert_eq!(inputs[0].value["spec"]["tag"], "1.0");
        assert_eq!(inputs[0].value["spec"]["on"], true);
        assert_eq!(inputs[2].value["b"], 2);
        assert_eq!(inputs[2].line, 7);
    }
}
