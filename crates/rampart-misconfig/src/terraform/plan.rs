//! Terraform plan JSON (`terraform show -json plan.out`): the planned values of every resource
//! in the root and child modules become the same [`Resource`] model the HCL reader builds, so
//! the same checks run. Values the plan marks as known only after apply (`after_unknown` in
//! `resource_changes`) are [`Value::Unknown`]; nested blocks (lists of objects) become blocks.

use super::parse::map_block;
use super::{Attr, Body, Resource, Value, run};
use crate::{Config, MisconfigError, Misconfiguration};
use rampart_core::Diagnostic;
use serde_json::Value as Json;
use std::collections::HashMap;

/// Check the planned values of a Terraform plan in JSON form.
///
/// Findings name the full resource address (`module.app.aws_s3_bucket.logs[0]`) and the line
/// where that address first appears in the file. Text that is not JSON, or JSON without
/// `planned_values`, is an error naming the file and line.
pub fn scan_terraform_plan(
    path: &str,
    text: &str,
    cfg: &Config,
) -> Result<(Vec<Misconfiguration>, Vec<Diagnostic>), MisconfigError> {
    if text.len() > cfg.limits.max_bytes {
        return Err(MisconfigError::Limit {
            path: path.to_string(),
            line: 1,
            reason: format!(
                "file is {} bytes, more than the {} byte limit",
                text.len(),
                cfg.limits.max_bytes
            ),
        });
    }
    // serde_json refuses nesting deeper than 128 levels, so this cannot overflow the stack.
    let doc: Json = serde_json::from_str(text).map_err(|e| MisconfigError::Plan {
        path: path.to_string(),
        line: e.line().try_into().unwrap_or(u32::MAX),
        reason: e.to_string(),
    })?;
    let Some(root) = doc.get("planned_values").and_then(|p| p.get("root_module")) else {
        return Err(MisconfigError::Plan {
            path: path.to_string(),
            line: 1,
            reason: "no planned_values.root_module (is this `terraform show -json` of a plan?)"
                .to_string(),
        });
    };
    let mut unknown = HashMap::new();
    if let Some(Json::Array(changes)) = doc.get("resource_changes") {
        for c in changes {
            if let (Some(addr), Some(u)) = (
                c.get("address").and_then(Json::as_str),
                c.get("change").and_then(|c| c.get("after_unknown")),
            ) {
                unknown.insert(addr.to_string(), u);
            }
        }
    }
    let mut resources = Vec::new();
    let mut diags = Vec::new();
    walk_module(path, text, root, &unknown, &mut resources, &mut diags, 0);
    Ok((run(&resources), diags))
}

fn walk_module(
    path: &str,
    text: &str,
    module: &Json,
    unknown: &HashMap<String, &Json>,
    out: &mut Vec<Resource>,
    diags: &mut Vec<Diagnostic>,
    depth: u32,
) {
    if depth > 32 {
        diags.push(Diagnostic::warning(
            path,
            "modules nested more than 32 deep; the rest skipped",
        ));
        return;
    }
    if let Some(Json::Array(rs)) = module.get("resources") {
        for r in rs {
            let field = |k: &str| r.get(k).and_then(Json::as_str).unwrap_or_default();
            let (addr, rtype, name) = (field("address"), field("type"), field("name"));
            if addr.is_empty() || rtype.is_empty() {
                diags.push(Diagnostic::warning(
                    path,
                    "a planned resource without address or type was skipped",
                ));
                continue;
            }
            let data = field("mode") == "data";
            // The address is `<module path>[data.]<type>.<name>[<key>]`.
            let marker = format!("{}{rtype}.", if data { "data." } else { "" });
            let (module_prefix, instance) = match addr.rfind(&marker) {
                Some(i) => (&addr[..i], &addr[i + marker.len()..]),
                None => ("", name),
            };
            let values = r.get("values").unwrap_or(&Json::Null);
            let line = line_of(text, addr);
            out.push(Resource {
                rtype: rtype.to_string(),
                name: instance.to_string(),
                module: module_prefix.to_string(),
                data,
                file: path.to_string(),
                line,
                body: body(values, unknown.get(addr).copied(), line),
            });
        }
    }
    if let Some(Json::Array(children)) = module.get("child_modules") {
        for c in children {
            walk_module(path, text, c, unknown, out, diags, depth + 1);
        }
    }
}

/// The 1-based line where `"<address>"` first appears.
fn line_of(text: &str, addr: &str) -> u32 {
    let needle = serde_json::to_string(addr).unwrap_or_default();
    text.find(&needle).map_or(1, |i| {
        1 + text[..i].bytes().filter(|&b| b == b'\n').count() as u32
    })
}

fn body(values: &Json, unknown: Option<&Json>, line: u32) -> Body {
    let mut out = Body::default();
    let Json::Object(m) = values else { return out };
    for (k, v) in m {
        let unk = unknown.and_then(|u| u.get(k));
        let value = if unk == Some(&Json::Bool(true)) {
            Value::Unknown
        } else {
            value(v, unk)
        };
        match &value {
            Value::List(items)
                if !items.is_empty() && items.iter().all(|x| matches!(x, Value::Map(_))) =>
            {
                for x in items {
                    out.blocks.push(map_block(k, x, line, &[]));
                }
            }
            Value::Map(_) if !is_free_map(k) => out.blocks.push(map_block(k, &value, line, &[])),
            _ => {}
        }
        out.attrs.push((
            k.clone(),
            Attr {
                value,
                line,
                refs: Vec::new(),
            },
        ));
    }
    // Attributes known only after apply are left out of the planned values.
    if let Some(Json::Object(u)) = unknown {
        for (k, v) in u {
            if *v == Json::Bool(true) && !m.contains_key(k) {
                let value = Value::Unknown;
                out.attrs.push((
                    k.clone(),
                    Attr {
                        value,
                        line,
                        refs: Vec::new(),
                    },
                ));
            }
        }
    }
    out
}

/// Map-typed arguments (not blocks) whose keys are data.
fn is_free_map(key: &str) -> bool {
    matches!(
        key,
        "tags" | "tags_all" | "labels" | "metadata" | "variables" | "environment_variables"
    )
}

fn value(v: &Json, unknown: Option<&Json>) -> Value {
    if unknown == Some(&Json::Bool(true)) {
        return Value::Unknown;
    }
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => n.as_f64().map_or(Value::Unknown, Value::Number),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(a) => Value::List(
            a.iter()
                .enumerate()
                .map(|(i, x)| value(x, unknown.and_then(|u| u.get(i))))
                .collect(),
        ),
        Json::Object(o) => Value::Map(
            o.iter()
                .map(|(k, x)| (k.clone(), value(x, unknown.and_then(|u| u.get(k)))))
                .collect(),
        ),
    }
}
