//! Executes parsed templates over [`Value`] data, with the functions Helm charts commonly
//! use: Go's built-ins, Helm's own (`include`, `tpl`, `required`, `toYaml`, `.Files`,
//! `.Capabilities.APIVersions.Has`, `lookup`) and the common part of Sprig.
//!
//! Rendering is bounded: `include`/`template` nesting, output size and generated ranges have
//! limits, so a hostile chart ends with an error rather than a hang or an exhausted memory.

use crate::HelmError;
use crate::template::{Command, Node, Operand, Pipeline, parse};
use crate::value::{Value, go_float};
use sha2::Digest;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// Deepest `include`/`template`/`tpl` nesting.
pub const MAX_DEPTH: usize = 100;
/// Largest output of one chart.
pub const MAX_OUTPUT: usize = 64 << 20;
/// Longest list `until`/`seq`/`repeat` may build.
pub const MAX_GENERATED: i64 = 1_000_000;

enum Flow {
    Normal,
    Break,
    Continue,
}

type Vars = Vec<(String, Value)>;

/// Runs templates of one chart.
pub struct Engine<'a> {
    pub defines: &'a HashMap<String, Vec<Node>>,
    /// Template file being rendered (for error messages).
    pub file: String,
    depth: usize,
    written: usize,
}

impl<'a> Engine<'a> {
    pub fn new(defines: &'a HashMap<String, Vec<Node>>, file: &str) -> Self {
        Engine {
            defines,
            file: file.to_string(),
            depth: 0,
            written: 0,
        }
    }

    fn err(&self, line: u32, msg: impl Into<String>) -> HelmError {
        HelmError::render(&self.file, line, msg.into())
    }

    /// Renders `nodes` with `dot` as both `.` and `$`.
    pub fn render(&mut self, nodes: &[Node], dot: &Value) -> Result<String, HelmError> {
        let mut out = String::new();
        let mut vars: Vars = vec![("$".into(), dot.clone())];
        self.exec(nodes, dot, &mut vars, &mut out)?;
        Ok(out)
    }

    fn exec(
        &mut self,
        nodes: &[Node],
        dot: &Value,
        vars: &mut Vars,
        out: &mut String,
    ) -> Result<Flow, HelmError> {
        for node in nodes {
            match node {
                Node::Text(t) => self.write(out, t, 0)?,
                Node::Action(p) => {
                    let v = self.pipeline(p, dot, vars)?;
                    if p.decl.is_empty() {
                        self.write(out, &v.to_go_string(), p.line)?;
                    }
                }
                Node::If {
                    branches,
                    otherwise,
                } => {
                    let f = self.branches(branches, otherwise, false, dot, vars, out)?;
                    if !matches!(f, Flow::Normal) {
                        return Ok(f);
                    }
                }
                Node::With {
                    branches,
                    otherwise,
                } => {
                    let f = self.branches(branches, otherwise, true, dot, vars, out)?;
                    if !matches!(f, Flow::Normal) {
                        return Ok(f);
                    }
                }
                Node::Range {
                    pipe,
                    body,
                    otherwise,
                } => {
                    let mark = vars.len();
                    let v = self.pipeline_value(pipe, dot, vars)?;
                    let items: Vec<(Value, Value)> = match v {
                        Value::List(l) => l
                            .into_iter()
                            .enumerate()
                            .map(|(i, e)| (Value::Int(i as i64), e))
                            .collect(),
                        Value::Map(m) => m.into_iter().map(|(k, e)| (Value::Str(k), e)).collect(),
                        Value::Int(n) => {
                            if n > MAX_GENERATED {
                                return Err(self.err(pipe.line, "range over too large a number"));
                            }
                            (0..n.max(0))
                                .map(|i| (Value::Int(i), Value::Int(i)))
                                .collect()
                        }
                        Value::Nil => Vec::new(),
                        other => {
                            return Err(self.err(
                                pipe.line,
                                format!("range can't iterate over {}", other.to_go_string()),
                            ));
                        }
                    };
                    if items.is_empty() {
                        let f = self.exec(otherwise, dot, vars, out)?;
                        vars.truncate(mark);
                        if !matches!(f, Flow::Normal) {
                            return Ok(f);
                        }
                        continue;
                    }
                    for (k, e) in items {
                        match pipe.decl.len() {
                            1 => vars.push((pipe.decl[0].clone(), e.clone())),
                            2 => {
                                vars.push((pipe.decl[0].clone(), k));
                                vars.push((pipe.decl[1].clone(), e.clone()));
                            }
                            _ => {}
                        }
                        let f = self.exec(body, &e, vars, out)?;
                        vars.truncate(mark);
                        if matches!(f, Flow::Break) {
                            break;
                        }
                    }
                }
                Node::Template { name, arg, line } => {
                    let data = match arg {
                        Some(p) => self.pipeline(p, dot, vars)?,
                        None => Value::Nil,
                    };
                    let s = self.include(name, &data, *line)?;
                    self.write(out, &s, *line)?;
                }
                Node::Break => return Ok(Flow::Break),
                Node::Continue => return Ok(Flow::Continue),
            }
        }
        Ok(Flow::Normal)
    }

    /// `if`/`with` and their `else` chains: the first branch whose pipeline is true runs
    /// (with that value as dot for `with`), else `otherwise`. Variables declared in a
    /// condition live until the end of the whole chain.
    fn branches(
        &mut self,
        branches: &[(Pipeline, Vec<Node>)],
        otherwise: &[Node],
        rebind: bool,
        dot: &Value,
        vars: &mut Vars,
        out: &mut String,
    ) -> Result<Flow, HelmError> {
        let mark = vars.len();
        let mut flow = None;
        for (cond, body) in branches {
            let v = self.pipeline(cond, dot, vars)?;
            if v.truthy() {
                let d = if rebind { &v } else { dot };
                flow = Some(self.exec(body, d, vars, out)?);
                break;
            }
        }
        let flow = match flow {
            Some(f) => f,
            None => self.exec(otherwise, dot, vars, out)?,
        };
        vars.truncate(mark);
        Ok(flow)
    }

    fn write(&mut self, out: &mut String, s: &str, line: u32) -> Result<(), HelmError> {
        self.written += s.len();
        if self.written > MAX_OUTPUT {
            return Err(self.err(line, format!("output larger than {MAX_OUTPUT} bytes")));
        }
        out.push_str(s);
        Ok(())
    }

    /// Renders a named template into a string (`include`, `template`).
    fn include(&mut self, name: &str, data: &Value, line: u32) -> Result<String, HelmError> {
        let Some(body) = self.defines.get(name) else {
            return Err(self.err(
                line,
                format!("no template {name:?} associated with template"),
            ));
        };
        if self.depth >= MAX_DEPTH {
            return Err(self.err(
                line,
                format!("rendering template has a nested reference name: {name} (deeper than {MAX_DEPTH})"),
            ));
        }
        self.depth += 1;
        let mut out = String::new();
        let mut vars: Vars = vec![("$".into(), data.clone())];
        let r = self.exec(body, data, &mut vars, &mut out);
        self.depth -= 1;
        r?;
        Ok(out)
    }

    /// Evaluates a pipeline and performs its declaration or assignment.
    fn pipeline(&mut self, p: &Pipeline, dot: &Value, vars: &mut Vars) -> Result<Value, HelmError> {
        let v = self.pipeline_value(p, dot, vars)?;
        if let Some(name) = p.decl.first().filter(|_| p.decl.len() == 1) {
            if p.assign {
                match vars.iter_mut().rev().find(|(n, _)| n == name) {
                    Some(slot) => slot.1 = v.clone(),
                    None => return Err(self.err(p.line, format!("undefined variable: {name}"))),
                }
            } else {
                vars.push((name.clone(), v.clone()));
            }
        }
        Ok(v)
    }

    fn pipeline_value(
        &mut self,
        p: &Pipeline,
        dot: &Value,
        vars: &mut Vars,
    ) -> Result<Value, HelmError> {
        let mut prev: Option<Value> = None;
        for cmd in &p.cmds {
            prev = Some(self.command(cmd, dot, vars, prev, p.line)?);
        }
        Ok(prev.unwrap_or_default())
    }

    fn command(
        &mut self,
        cmd: &Command,
        dot: &Value,
        vars: &mut Vars,
        prev: Option<Value>,
        line: u32,
    ) -> Result<Value, HelmError> {
        let first = &cmd.args[0];
        match first {
            Operand::Ident(name) => {
                // `and`/`or` stop at the first operand that decides.
                if name == "and" || name == "or" {
                    let mut last = Value::Nil;
                    let n = cmd.args.len() - 1 + prev.is_some() as usize;
                    if n == 0 {
                        return Err(self.err(line, format!("{name}: wrong number of args")));
                    }
                    for a in &cmd.args[1..] {
                        last = self.operand(a, dot, vars, line)?;
                        if last.truthy() != (name == "and") {
                            return Ok(last);
                        }
                    }
                    if let Some(p) = prev {
                        last = p;
                    }
                    return Ok(last);
                }
                let mut args = Vec::with_capacity(cmd.args.len());
                for a in &cmd.args[1..] {
                    args.push(self.operand(a, dot, vars, line)?);
                }
                if let Some(p) = prev {
                    args.push(p);
                }
                self.call(name, args, line)
            }
            _ if cmd.args.len() > 1 || prev.is_some() => {
                // A method: `.Capabilities.APIVersions.Has "x"`, `.Files.Get "f"`.
                let (recv, method) = match first {
                    Operand::Field(c) if !c.is_empty() => {
                        (walk(dot.clone(), &c[..c.len() - 1]), c.last().cloned())
                    }
                    Operand::Var(n, c) if !c.is_empty() => {
                        let base = self.var(n, line, vars)?;
                        (walk(base, &c[..c.len() - 1]), c.last().cloned())
                    }
                    _ => (Value::Nil, None),
                };
                let Some(method) = method else {
                    return Err(self.err(line, "can't give argument to non-function"));
                };
                let mut args = Vec::new();
                for a in &cmd.args[1..] {
                    args.push(self.operand(a, dot, vars, line)?);
                }
                if let Some(p) = prev {
                    args.push(p);
                }
                self.method(&recv, &method, &args, line)
            }
            _ => self.operand(first, dot, vars, line),
        }
    }

    fn var(&self, name: &str, line: u32, vars: &Vars) -> Result<Value, HelmError> {
        vars.iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| self.err(line, format!("undefined variable: {name}")))
    }

    fn operand(
        &mut self,
        op: &Operand,
        dot: &Value,
        vars: &mut Vars,
        line: u32,
    ) -> Result<Value, HelmError> {
        Ok(match op {
            Operand::Field(c) => walk(dot.clone(), c),
            Operand::Var(n, c) => walk(self.var(n, line, vars)?, c),
            Operand::Ident(name) => self.call(name, Vec::new(), line)?,
            Operand::Str(s) => Value::Str(s.clone()),
            Operand::Int(i) => Value::Int(*i),
            Operand::Float(f) => Value::Float(*f),
            Operand::Bool(b) => Value::Bool(*b),
            Operand::Nil => Value::Nil,
            Operand::Sub(p, c) => {
                let v = self.pipeline(p, dot, vars)?;
                walk(v, c)
            }
        })
    }

    fn method(
        &mut self,
        recv: &Value,
        method: &str,
        args: &[Value],
        line: u32,
    ) -> Result<Value, HelmError> {
        let arg0 = || args.first().map(Value::to_go_string).unwrap_or_default();
        let files = || match recv.field(crate::FILES_KEY) {
            Value::Map(m) => m,
            _ => BTreeMap::new(),
        };
        Ok(match method {
            // .Capabilities.APIVersions.Has "apps/v1"
            "Has" => match recv {
                Value::List(l) => Value::Bool(l.iter().any(|v| v.to_go_string() == arg0())),
                Value::Map(m) => Value::Bool(m.contains_key(&arg0())),
                _ => Value::Bool(false),
            },
            "Get" => files()
                .get(&arg0())
                .cloned()
                .unwrap_or(Value::Str(String::new())),
            "GetBytes" => files()
                .get(&arg0())
                .cloned()
                .unwrap_or(Value::Str(String::new())),
            "Lines" => match files().get(&arg0()) {
                Some(v) => Value::List(
                    v.to_go_string()
                        .lines()
                        .map(|l| Value::Str(l.to_string()))
                        .collect(),
                ),
                None => Value::List(Vec::new()),
            },
            "Glob" => {
                let pat = glob_regex(&arg0());
                let mut m = BTreeMap::new();
                let mut sub = BTreeMap::new();
                for (k, v) in files() {
                    if pat.is_match(&k) {
                        sub.insert(k, v);
                    }
                }
                m.insert(crate::FILES_KEY.to_string(), Value::Map(sub));
                Value::Map(m)
            }
            "AsConfig" | "AsSecrets" => {
                let mut m = BTreeMap::new();
                for (k, v) in files() {
                    let base = k.rsplit('/').next().unwrap_or(&k).to_string();
                    let v = if method == "AsSecrets" {
                        Value::Str(b64(v.to_go_string().as_bytes()))
                    } else {
                        v
                    };
                    m.insert(base, v);
                }
                Value::Str(to_yaml(&Value::Map(m)))
            }
            _ => {
                return Err(self.err(
                    line,
                    format!("can't call method {method:?}: not supported on this value"),
                ));
            }
        })
    }

    /// Calls a template function.
    fn call(&mut self, name: &str, a: Vec<Value>, line: u32) -> Result<Value, HelmError> {
        let n = a.len();
        let want = |k: usize| -> Result<(), HelmError> {
            if n < k {
                Err(HelmError::render(
                    &self.file,
                    line,
                    format!("wrong number of args for {name}: want {k} got {n}"),
                ))
            } else {
                Ok(())
            }
        };
        let s = |i: usize| a.get(i).map(Value::to_go_string).unwrap_or_default();
        let last = || a.last().cloned().unwrap_or_default();
        let lasts = || a.last().map(Value::to_go_string).unwrap_or_default();
        Ok(match name {
            // Helm.
            "include" => {
                want(1)?;
                let data = a.get(1).cloned().unwrap_or_default();
                Value::Str(self.include(&s(0), &data, line)?)
            }
            "tpl" => {
                want(2)?;
                let src = s(0);
                let parsed = parse(&self.file, &src)?;
                let mut defines = self.defines.clone();
                defines.extend(parsed.defines);
                if self.depth >= MAX_DEPTH {
                    return Err(self.err(line, "tpl nested too deeply"));
                }
                let mut inner = Engine {
                    defines: &defines,
                    file: self.file.clone(),
                    depth: self.depth + 1,
                    written: self.written,
                };
                let out = inner.render(&parsed.root, &a[1])?;
                self.written = inner.written;
                Value::Str(out)
            }
            "required" => {
                want(2)?;
                let v = last();
                if matches!(v, Value::Nil) || v == Value::Str(String::new()) {
                    return Err(self.err(line, format!("execution error: {}", s(0))));
                }
                v
            }
            "fail" => return Err(self.err(line, format!("execution error: {}", s(0)))),
            "lookup" => Value::Map(BTreeMap::new()),
            "toYaml" | "toYamlPretty" => Value::Str(to_yaml(&last()).trim_end_matches('\n').into()),
            "toJson" | "mustToJson" => Value::Str(last().to_json().to_string()),
            "toPrettyJson" | "mustToPrettyJson" => {
                Value::Str(serde_json::to_string_pretty(&last().to_json()).unwrap_or_default())
            }
            "fromYaml" => match serde_yaml::from_str::<serde_yaml::Value>(&lasts()) {
                Ok(y) => Value::from_yaml(&y),
                Err(e) => Value::Map(BTreeMap::from([(
                    "Error".to_string(),
                    Value::Str(e.to_string()),
                )])),
            },
            "fromJson" | "mustFromJson" => match serde_json::from_str(&lasts()) {
                Ok(j) => Value::from_json(&j),
                Err(e) => Value::Map(BTreeMap::from([(
                    "Error".to_string(),
                    Value::Str(e.to_string()),
                )])),
            },
            "fromYamlArray" | "fromJsonArray" => match serde_yaml::from_str(&lasts()) {
                Ok(y) => Value::from_yaml(&y),
                Err(_) => Value::List(Vec::new()),
            },
            // Go built-ins.
            "print" => Value::Str(go_print(&a)),
            "println" => Value::Str(go_print(&a) + "\n"),
            "printf" => {
                want(1)?;
                Value::Str(sprintf(&s(0), &a[1..]))
            }
            "len" => {
                want(1)?;
                Value::Int(match &a[0] {
                    Value::Str(x) => x.len(),
                    Value::List(l) => l.len(),
                    Value::Map(m) => m.len(),
                    Value::Nil => 0,
                    v => return Err(self.err(line, format!("len of {}", v.kind()))),
                } as i64)
            }
            "index" => {
                want(1)?;
                let mut v = a[0].clone();
                for k in &a[1..] {
                    v = match (&v, k) {
                        (Value::List(l), k) => {
                            let i = k.as_i64();
                            match usize::try_from(i).ok().and_then(|i| l.get(i)) {
                                Some(x) => x.clone(),
                                None => {
                                    return Err(self.err(line, format!("index out of range: {i}")));
                                }
                            }
                        }
                        (Value::Map(m), k) => m.get(&k.to_go_string()).cloned().unwrap_or_default(),
                        _ => Value::Nil,
                    };
                }
                v
            }
            "slice" => {
                want(1)?;
                let lo = a.get(1).map(Value::as_i64).unwrap_or(0).max(0) as usize;
                match &a[0] {
                    Value::List(l) => {
                        let hi = a.get(2).map(|v| v.as_i64() as usize).unwrap_or(l.len());
                        Value::List(l.get(lo..hi.min(l.len())).unwrap_or(&[]).to_vec())
                    }
                    Value::Str(x) => {
                        let hi = a.get(2).map(|v| v.as_i64() as usize).unwrap_or(x.len());
                        Value::Str(x.get(lo..hi.min(x.len())).unwrap_or("").to_string())
                    }
                    _ => Value::Nil,
                }
            }
            "not" => {
                want(1)?;
                Value::Bool(!a[0].truthy())
            }
            "eq" => {
                want(2)?;
                Value::Bool(a[1..].iter().any(|b| loose_eq(&a[0], b)))
            }
            "ne" => {
                want(2)?;
                Value::Bool(!loose_eq(&a[0], &a[1]))
            }
            "lt" | "le" | "gt" | "ge" => {
                want(2)?;
                let o = compare(&a[0], &a[1]);
                Value::Bool(match name {
                    "lt" => o.is_lt(),
                    "le" => o.is_le(),
                    "gt" => o.is_gt(),
                    _ => o.is_ge(),
                })
            }
            "html" | "js" | "urlquery" => Value::Str(go_print(&a)),
            // Sprig: defaults and flow.
            "default" => {
                want(1)?;
                if n >= 2 && a[n - 1].truthy() {
                    a[n - 1].clone()
                } else {
                    a[0].clone()
                }
            }
            "empty" => Value::Bool(!last().truthy()),
            "coalesce" => a.iter().find(|v| v.truthy()).cloned().unwrap_or_default(),
            "ternary" => {
                want(3)?;
                if a[2].truthy() {
                    a[0].clone()
                } else {
                    a[1].clone()
                }
            }
            "all" => Value::Bool(a.iter().all(Value::truthy)),
            "any" => Value::Bool(a.iter().any(Value::truthy)),
            // Strings.
            "quote" => Value::Str(
                a.iter()
                    .filter(|v| !matches!(v, Value::Nil))
                    .map(|v| go_quote(&v.to_go_string()))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            "squote" => Value::Str(
                a.iter()
                    .filter(|v| !matches!(v, Value::Nil))
                    .map(|v| format!("'{}'", v.to_go_string()))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            "toString" | "toStrings" => Value::Str(lasts()),
            "indent" | "nindent" => {
                want(2)?;
                let pad = " ".repeat(a[0].as_i64().clamp(0, 1024) as usize);
                let body = s(1)
                    .split('\n')
                    .map(|l| format!("{pad}{l}"))
                    .collect::<Vec<_>>()
                    .join("\n");
                Value::Str(if name == "nindent" {
                    format!("\n{body}")
                } else {
                    body
                })
            }
            "trim" => Value::Str(lasts().trim().to_string()),
            "trimAll" => {
                want(2)?;
                let cut: Vec<char> = s(0).chars().collect();
                Value::Str(s(1).trim_matches(|c| cut.contains(&c)).to_string())
            }
            "trimSuffix" => {
                want(2)?;
                let (suf, x) = (s(0), s(1));
                Value::Str(x.strip_suffix(suf.as_str()).unwrap_or(&x).to_string())
            }
            "trimPrefix" => {
                want(2)?;
                let (pre, x) = (s(0), s(1));
                Value::Str(x.strip_prefix(pre.as_str()).unwrap_or(&x).to_string())
            }
            "trunc" => {
                want(2)?;
                let k = a[0].as_i64();
                let x = s(1);
                let chars: Vec<char> = x.chars().collect();
                Value::Str(if k >= 0 {
                    chars.iter().take(k as usize).collect()
                } else {
                    let skip = chars.len().saturating_sub((-k) as usize);
                    chars[skip..].iter().collect()
                })
            }
            "replace" => {
                want(3)?;
                Value::Str(s(2).replace(&s(0), &s(1)))
            }
            "upper" => Value::Str(lasts().to_uppercase()),
            "lower" => Value::Str(lasts().to_lowercase()),
            "title" => Value::Str(title(&lasts())),
            "untitle" => {
                let x = lasts();
                let mut c = x.chars();
                Value::Str(match c.next() {
                    Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                    None => String::new(),
                })
            }
            "nospace" => Value::Str(lasts().chars().filter(|c| !c.is_whitespace()).collect()),
            "repeat" => {
                want(2)?;
                let k = a[0].as_i64();
                if k < 0 || k.saturating_mul(s(1).len() as i64) > MAX_OUTPUT as i64 {
                    return Err(self.err(line, "repeat count too large"));
                }
                Value::Str(s(1).repeat(k as usize))
            }
            "substr" => {
                want(3)?;
                let x: Vec<char> = s(2).chars().collect();
                let lo = (a[0].as_i64().max(0) as usize).min(x.len());
                let hi = a[1].as_i64();
                let hi = if hi < 0 {
                    x.len()
                } else {
                    (hi as usize).min(x.len())
                };
                Value::Str(x[lo..hi.max(lo)].iter().collect())
            }
            "contains" => {
                want(2)?;
                Value::Bool(s(1).contains(&s(0)))
            }
            "hasPrefix" => {
                want(2)?;
                Value::Bool(s(1).starts_with(&s(0)))
            }
            "hasSuffix" => {
                want(2)?;
                Value::Bool(s(1).ends_with(&s(0)))
            }
            "cat" => Value::Str(
                a.iter()
                    .filter(|v| !matches!(v, Value::Nil))
                    .map(Value::to_go_string)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            "join" => {
                want(2)?;
                let items = match &a[1] {
                    Value::List(l) => l.iter().map(Value::to_go_string).collect(),
                    v => vec![v.to_go_string()],
                };
                Value::Str(items.join(&s(0)))
            }
            "splitList" => {
                want(2)?;
                Value::List(
                    s(1).split(&s(0))
                        .map(|x| Value::Str(x.to_string()))
                        .collect(),
                )
            }
            "split" => {
                want(2)?;
                Value::Map(
                    s(1).split(&s(0))
                        .enumerate()
                        .map(|(i, x)| (format!("_{i}"), Value::Str(x.to_string())))
                        .collect(),
                )
            }
            "regexMatch" | "mustRegexMatch" => {
                want(2)?;
                Value::Bool(self.regex(&s(0), line)?.is_match(&s(1)))
            }
            "regexFind" => {
                want(2)?;
                let re = self.regex(&s(0), line)?;
                Value::Str(
                    re.find(&s(1))
                        .map(|m| m.as_str().to_string())
                        .unwrap_or_default(),
                )
            }
            "regexReplaceAll" | "regexReplaceAllLiteral" => {
                want(3)?;
                let re = self.regex(&s(0), line)?;
                let x = s(1);
                let rep = s(2);
                Value::Str(if name == "regexReplaceAll" {
                    re.replace_all(&x, rep.as_str()).into_owned()
                } else {
                    re.replace_all(&x, regex::NoExpand(&rep)).into_owned()
                })
            }
            "b64enc" => Value::Str(b64(lasts().as_bytes())),
            "b64dec" => Value::Str(String::from_utf8_lossy(&b64_decode(&lasts())).into_owned()),
            "sha256sum" => Value::Str(hex::encode(sha2::Sha256::digest(lasts().as_bytes()))),
            "sha1sum" | "adler32sum" => {
                Value::Str(hex::encode(&sha2::Sha256::digest(lasts().as_bytes())[..20]))
            }
            "randAlphaNum" | "randAlpha" | "randNumeric" | "randAscii" => {
                let k = last().as_i64().clamp(0, 4096) as usize;
                Value::Str("x".repeat(k))
            }
            "uuidv4" => Value::Str("00000000-0000-4000-8000-000000000000".into()),
            "now" => Value::Str("1970-01-01T00:00:00Z".into()),
            "date" | "dateInZone" | "htmlDate" => Value::Str("1970-01-01".into()),
            "semverCompare" => {
                want(2)?;
                Value::Bool(semver_compare(&s(0), &s(1)))
            }
            "kindOf" => Value::Str(last().kind().into()),
            "kindIs" => {
                want(2)?;
                Value::Bool(a[1].kind() == s(0))
            }
            "typeOf" => Value::Str(
                match last() {
                    Value::Nil => "<nil>",
                    Value::Bool(_) => "bool",
                    Value::Int(_) => "int64",
                    Value::Float(_) => "float64",
                    Value::Str(_) => "string",
                    Value::List(_) => "[]interface {}",
                    Value::Map(_) => "map[string]interface {}",
                }
                .into(),
            ),
            "typeIs" => {
                want(2)?;
                let t = self.call("typeOf", vec![a[1].clone()], line)?;
                Value::Bool(t.to_go_string() == s(0))
            }
            "deepEqual" => {
                want(2)?;
                Value::Bool(a[0] == a[1])
            }
            // Numbers.
            "int" | "int64" | "atoi" => Value::Int(last().as_i64()),
            "float64" => Value::Float(last().as_f64().unwrap_or(0.0)),
            "add" => Value::Int(a.iter().map(Value::as_i64).fold(0i64, i64::wrapping_add)),
            "add1" => Value::Int(last().as_i64().wrapping_add(1)),
            "sub" => {
                want(2)?;
                Value::Int(a[0].as_i64().wrapping_sub(a[1].as_i64()))
            }
            "mul" => Value::Int(a.iter().map(Value::as_i64).fold(1i64, i64::wrapping_mul)),
            "div" | "mod" => {
                want(2)?;
                let d = a[1].as_i64();
                if d == 0 {
                    return Err(self.err(line, "integer divide by zero"));
                }
                Value::Int(if name == "div" {
                    a[0].as_i64().wrapping_div(d)
                } else {
                    a[0].as_i64().wrapping_rem(d)
                })
            }
            "max" => Value::Int(a.iter().map(Value::as_i64).max().unwrap_or(0)),
            "min" => Value::Int(a.iter().map(Value::as_i64).min().unwrap_or(0)),
            "addf" => Value::Float(a.iter().filter_map(Value::as_f64).sum()),
            "until" | "untilStep" | "seq" => {
                let (lo, hi) = match (name, n) {
                    ("until", _) => (0, last().as_i64()),
                    (_, 1) => (
                        if name == "seq" { 1 } else { 0 },
                        a[0].as_i64() + (name == "seq") as i64,
                    ),
                    _ => (a[0].as_i64(), a[1].as_i64() + (name == "seq") as i64),
                };
                if hi.saturating_sub(lo) > MAX_GENERATED {
                    return Err(self.err(line, format!("{name}: range too large")));
                }
                let list = (lo..hi.max(lo)).map(Value::Int);
                if name == "seq" {
                    Value::Str(list.map(|v| v.to_go_string()).collect::<Vec<_>>().join(" "))
                } else {
                    Value::List(list.collect())
                }
            }
            // Lists.
            "list" | "tuple" => Value::List(a),
            "first" | "mustFirst" => match last() {
                Value::List(l) => l.first().cloned().unwrap_or_default(),
                _ => Value::Nil,
            },
            "last" | "mustLast" => match last() {
                Value::List(l) => l.last().cloned().unwrap_or_default(),
                _ => Value::Nil,
            },
            "rest" | "initial" => match last() {
                Value::List(l) if !l.is_empty() => Value::List(if name == "rest" {
                    l[1..].to_vec()
                } else {
                    l[..l.len() - 1].to_vec()
                }),
                _ => Value::List(Vec::new()),
            },
            "append" | "push" | "mustAppend" => {
                want(2)?;
                let mut l = as_list(&a[0]);
                l.push(a[1].clone());
                Value::List(l)
            }
            "prepend" => {
                want(2)?;
                let mut l = as_list(&a[0]);
                l.insert(0, a[1].clone());
                Value::List(l)
            }
            "concat" => Value::List(a.iter().flat_map(as_list).collect()),
            "reverse" => Value::List(as_list(&last()).into_iter().rev().collect()),
            "uniq" => {
                let mut out: Vec<Value> = Vec::new();
                for v in as_list(&last()) {
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
                Value::List(out)
            }
            "compact" => Value::List(as_list(&last()).into_iter().filter(Value::truthy).collect()),
            "has" => {
                want(2)?;
                Value::Bool(as_list(&a[1]).contains(&a[0]))
            }
            "without" => {
                want(1)?;
                Value::List(
                    as_list(&a[0])
                        .into_iter()
                        .filter(|v| !a[1..].contains(v))
                        .collect(),
                )
            }
            "sortAlpha" => {
                let mut l: Vec<String> = as_list(&last()).iter().map(Value::to_go_string).collect();
                l.sort();
                Value::List(l.into_iter().map(Value::Str).collect())
            }
            // Dicts.
            "dict" => {
                let mut m = BTreeMap::new();
                for pair in a.chunks(2) {
                    let v = pair.get(1).cloned().unwrap_or_default();
                    m.insert(pair[0].to_go_string(), v);
                }
                Value::Map(m)
            }
            "get" => {
                want(2)?;
                a[0].field(&s(1))
            }
            "hasKey" => {
                want(2)?;
                Value::Bool(matches!(&a[0], Value::Map(m) if m.contains_key(&s(1))))
            }
            "set" | "unset" => {
                want(2)?;
                let mut m = match &a[0] {
                    Value::Map(m) => m.clone(),
                    _ => BTreeMap::new(),
                };
                if name == "set" {
                    m.insert(s(1), a.get(2).cloned().unwrap_or_default());
                } else {
                    m.remove(&s(1));
                }
                Value::Map(m)
            }
            "keys" => {
                let mut k: Vec<Value> = Vec::new();
                for d in &a {
                    if let Value::Map(m) = d {
                        k.extend(m.keys().map(|x| Value::Str(x.clone())));
                    }
                }
                Value::List(k)
            }
            "values" => match last() {
                Value::Map(m) => Value::List(m.into_values().collect()),
                _ => Value::List(Vec::new()),
            },
            "pick" | "omit" => {
                want(1)?;
                let names: Vec<String> = a[1..].iter().map(Value::to_go_string).collect();
                match &a[0] {
                    Value::Map(m) => Value::Map(
                        m.iter()
                            .filter(|(k, _)| names.contains(k) == (name == "pick"))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                    ),
                    _ => Value::Map(BTreeMap::new()),
                }
            }
            "pluck" => {
                want(1)?;
                let key = s(0);
                Value::List(
                    a[1..]
                        .iter()
                        .filter_map(|d| match d {
                            Value::Map(m) => m.get(&key).cloned(),
                            _ => None,
                        })
                        .collect(),
                )
            }
            "merge" | "mustMerge" | "mergeOverwrite" | "mustMergeOverwrite" => {
                want(1)?;
                let overwrite = name.contains("Overwrite");
                let mut acc = a[0].clone();
                for src in &a[1..] {
                    acc = if overwrite {
                        crate::merge_values(&acc, src)
                    } else {
                        crate::merge_values(src, &acc)
                    };
                }
                acc
            }
            "deepCopy" | "mustDeepCopy" => last(),
            _ => return Err(self.err(line, format!("function {name:?} not defined"))),
        })
    }

    fn regex(&self, pat: &str, line: u32) -> Result<regex::Regex, HelmError> {
        regex::RegexBuilder::new(pat)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| self.err(line, format!("regex: {e}")))
    }
}

/// Follows `.A.B` from `v`.
fn walk(mut v: Value, chain: &[String]) -> Value {
    for k in chain {
        v = v.field(k);
    }
    v
}

fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l) => l.clone(),
        Value::Nil => Vec::new(),
        other => vec![other.clone()],
    }
}

fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) if !matches!(a, Value::Str(_)) && !matches!(b, Value::Str(_)) => x == y,
        _ => match (a, b) {
            (Value::Nil, Value::Str(s)) | (Value::Str(s), Value::Nil) => s.is_empty(),
            _ => a == b,
        },
    }
}

fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        _ => a
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&b.as_f64().unwrap_or(0.0))
            .unwrap_or(std::cmp::Ordering::Equal),
    }
}

/// Go's `fmt.Sprint`: a space between operands when neither is a string.
fn go_print(a: &[Value]) -> String {
    let mut out = String::new();
    for (i, v) in a.iter().enumerate() {
        if i > 0 && !matches!(v, Value::Str(_)) && !matches!(a[i - 1], Value::Str(_)) {
            out.push(' ');
        }
        out.push_str(&v.to_go_string());
    }
    out
}

/// Go's `strconv.Quote`.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `fmt.Sprintf` for the verbs charts use: `%s %v %d %q %f %t %x %%`, with widths.
fn sprintf(fmt: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut it = args.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_ascii_digit() || matches!(d, '.' | '-' | '+' | '#' | ' ') {
                spec.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(v) = it.next() else {
            let _ = write!(out, "%!{verb}(MISSING)");
            continue;
        };
        let body = match verb {
            'd' => v.as_i64().to_string(),
            'q' => go_quote(&v.to_go_string()),
            'f' | 'F' => {
                let prec = spec
                    .split_once('.')
                    .and_then(|(_, p)| p.parse::<usize>().ok())
                    .unwrap_or(6);
                format!("{:.*}", prec, v.as_f64().unwrap_or(0.0))
            }
            'g' => go_float(v.as_f64().unwrap_or(0.0)),
            'x' => match v {
                Value::Str(s) => hex::encode(s.as_bytes()),
                _ => format!("{:x}", v.as_i64()),
            },
            't' => v.truthy().to_string(),
            _ => v.to_go_string(),
        };
        let width: usize = spec
            .trim_start_matches(['-', '+', '#', ' ', '0'])
            .split('.')
            .next()
            .and_then(|w| w.parse().ok())
            .unwrap_or(0);
        let pad = width.saturating_sub(body.chars().count());
        if spec.starts_with('-') {
            out.push_str(&body);
            out.push_str(&" ".repeat(pad));
        } else {
            let fill = if spec.starts_with('0') { "0" } else { " " };
            out.push_str(&fill.repeat(pad));
            out.push_str(&body);
        }
    }
    let extra: Vec<String> = it.map(|v| v.to_go_string()).collect();
    if !extra.is_empty() {
        let _ = write!(out, "%!(EXTRA {})", extra.join(", "));
    }
    out
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = c.is_whitespace();
    }
    out
}

fn glob_regex(pat: &str) -> regex::Regex {
    let mut re = String::from("^");
    let mut chars = pat.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                re.push_str(".*");
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).unwrap_or_else(|_| regex::Regex::new("^$").expect("valid"))
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b64_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let Some(v) = B64.iter().position(|&x| x == c) else {
            continue;
        };
        acc = acc << 6 | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Sprig's `semverCompare` for the constraint forms charts use: comparisons (`>=1.19-0`,
/// `<1.22`), `^`/`~`, `x` wildcards, `,`/space for AND and `||` for OR.
fn semver_compare(constraint: &str, version: &str) -> bool {
    let Some(v) = parse_semver(version) else {
        return false;
    };
    constraint.split("||").any(|alt| {
        alt.split([',', ' '])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .all(|c| {
                let (op, rest) = ["<=", ">=", "!=", "==", "<", ">", "=", "^", "~"]
                    .iter()
                    .find_map(|op| c.strip_prefix(op).map(|r| (*op, r.trim())))
                    .unwrap_or(("=", c));
                let parts: Vec<&str> = rest
                    .trim_start_matches('v')
                    .split('-')
                    .next()
                    .unwrap_or("")
                    .split('.')
                    .collect();
                let wild = |i: usize| parts.get(i).is_none_or(|p| matches!(*p, "x" | "X" | "*"));
                let Some(c) = parse_semver(rest) else {
                    return wild(0);
                };
                match op {
                    "<" => v < c,
                    "<=" => v <= c,
                    ">" => v > c,
                    ">=" => v >= c,
                    "!=" => v != c,
                    "^" => v >= c && v.0 == c.0,
                    "~" => v >= c && v.0 == c.0 && v.1 == c.1,
                    _ if wild(1) => v.0 == c.0,
                    _ if wild(2) => v.0 == c.0 && v.1 == c.1,
                    _ => v == c,
                }
            })
    })
}

fn parse_semver(s: &str) -> Option<(u64, u64, u64)> {
    let s = s.trim().trim_start_matches('v');
    let core = s.split(['-', '+']).next()?;
    let mut it = core.split('.');
    let num = |p: Option<&str>| -> Option<u64> {
        match p {
            None => Some(0),
            Some("x" | "X" | "*") => Some(0),
            Some(x) => x.parse().ok(),
        }
    };
    let major = it.next().filter(|x| !x.is_empty())?;
    Some((num(Some(major))?, num(it.next())?, num(it.next())?))
}

/// YAML as Helm's `toYaml` prints it (keys sorted, sequences not indented under their key,
/// strings quoted when they would read back as something else).
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Map(m) if !m.is_empty() => yaml_map(m, 0, &mut out),
        Value::List(l) if !l.is_empty() => yaml_list(l, 0, &mut out),
        other => {
            out.push_str(&yaml_scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn yaml_map(m: &BTreeMap<String, Value>, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for (k, v) in m {
        out.push_str(&pad);
        out.push_str(&yaml_str(k, indent));
        out.push(':');
        match v {
            Value::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                yaml_map(inner, indent + 2, out);
            }
            Value::List(inner) if !inner.is_empty() => {
                out.push('\n');
                yaml_list(inner, indent, out);
            }
            other => {
                out.push(' ');
                out.push_str(&yaml_scalar(other, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn yaml_list(l: &[Value], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for v in l {
        out.push_str(&pad);
        out.push_str("- ");
        match v {
            Value::Map(inner) if !inner.is_empty() => {
                let mut sub = String::new();
                yaml_map(inner, indent + 2, &mut sub);
                // The first key goes on the dash's line.
                out.push_str(&sub[indent + 2..]);
            }
            Value::List(inner) if !inner.is_empty() => {
                let mut sub = String::new();
                yaml_list(inner, indent + 2, &mut sub);
                out.push_str(&sub[indent + 2..]);
            }
            other => {
                out.push_str(&yaml_scalar(other, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn yaml_scalar(v: &Value, indent: usize) -> String {
    match v {
        Value::Nil => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                (*f as i64).to_string()
            } else {
                go_float(*f)
            }
        }
        Value::Str(s) => yaml_str(s, indent),
        Value::List(_) => "[]".into(),
        Value::Map(_) => "{}".into(),
    }
}

fn yaml_str(s: &str, indent: usize) -> String {
    if s.contains('\n') && !s.contains(['\r', '\t']) && !s.starts_with(' ') {
        let pad = " ".repeat(indent);
        let chomp = if s.ends_with('\n') { "|" } else { "|-" };
        let body = s.strip_suffix('\n').unwrap_or(s);
        let mut out = String::from(chomp);
        for l in body.split('\n') {
            out.push('\n');
            if !l.is_empty() {
                out.push_str(&pad);
                out.push_str(l);
            }
        }
        return out;
    }
    if needs_quotes(s) {
        go_quote(s)
    } else {
        s.to_string()
    }
}

fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || s != s.trim() {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
    ) {
        return true;
    }
    if s.parse::<f64>().is_ok() || s.starts_with("0x") || s.starts_with("0o") {
        return true;
    }
    let first = s.as_bytes()[0];
    if b"-?:,[]{}#&*!|>'\"%@`".contains(&first) {
        // `-x` and `:x` are plain scalars only when not followed by a space; quote them all.
        return true;
    }
    s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.chars().any(|c| c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse;

    fn render(src: &str, data: Value) -> Result<String, HelmError> {
        let src = src.to_string();
        std::thread::Builder::new()
            .stack_size(crate::RENDER_STACK)
            .spawn(move || {
                let p = parse("t.yaml", &src)?;
                Engine::new(&p.defines, "t.yaml").render(&p.root, &data)
            })
            .unwrap()
            .join()
            .unwrap()
    }

    fn values(y: &str) -> Value {
        Value::from_yaml(&serde_yaml::from_str(y).unwrap())
    }

    #[test]
    fn control_flow_variables_and_pipelines() {
        let d = values("a: {b: 1, list: [x, y]}\nname: web\nempty: ''");
        let t = "{{ if .empty }}no{{ else if .a.b }}yes{{ end }}|\
                 {{ with .a }}{{ .b }}{{ end }}|\
                 {{ range $i, $e := .a.list }}{{ $i }}={{ $e }},{{ end }}|\
                 {{ $n := .name | upper }}{{ $n }}|\
                 {{ range .missing }}x{{ else }}none{{ end }}|\
                 {{ range .a.list }}{{ if eq . \"x\" }}{{ continue }}{{ end }}{{ . }}{{ end }}|\
                 {{ (dict \"k\" \"v\").k }}";
        assert_eq!(render(t, d).unwrap(), "yes|1|0=x,1=y,|WEB|none|y|v");
    }

    #[test]
    fn helm_functions_behave_as_in_charts() {
        let d = values(
            "name: my-release-name-that-is-long\nsc: {runAsUser: 0, capabilities: {drop: [ALL]}}\nport: 80",
        );
        let t = "{{ .name | trunc 10 | trimSuffix \"-\" }}|{{ default \"d\" .nope }}|\
                 {{ .port | quote }}|{{ printf \"%s-%d\" \"a\" 3 }}|\
                 {{ toYaml .sc | nindent 2 }}|{{ semverCompare \">=1.19-0\" \"v1.31.0\" }}";
        assert_eq!(
            render(t, d).unwrap(),
            "my-release|d|\"80\"|a-3|\n  capabilities:\n    drop:\n    - ALL\n  runAsUser: 0|true"
        );
    }

    #[test]
    fn include_and_template_share_defines() {
        let t = "{{- define \"n\" -}}{{ .x }}!{{- end -}}{{ include \"n\" (dict \"x\" 1) | upper }}{{ template \"n\" (dict \"x\" 2) }}";
        assert_eq!(render(t, Value::Nil).unwrap(), "1!2!");
    }

    #[test]
    fn required_and_fail_are_errors_with_the_line() {
        let e = render("a\n{{ required \"image is required\" .image }}", Value::Nil).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("t.yaml:2") && msg.contains("image is required"),
            "{msg}"
        );
        assert!(render("{{ nosuchfunc 1 }}", Value::Nil).is_err());
    }

    #[test]
    fn recursion_and_huge_ranges_are_bounded() {
        let e = render(
            "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}",
            Value::Nil,
        )
        .unwrap_err();
        assert!(e.to_string().contains("nested"), "{e}");
        assert!(render("{{ range until 100000000 }}x{{ end }}", Value::Nil).is_err());
        assert!(render("{{ repeat 100000000 \"xxxxxxxxxx\" }}", Value::Nil).is_err());
    }

    #[test]
    fn to_yaml_quotes_what_would_read_back_differently() {
        let v = values(
            "a: 'true'\nb: '1.0'\nc: plain\nd: ''\ne: 'x: y'\nf: [1, {g: h, i: j}]\nm: \"l1\\nl2\"",
        );
        assert_eq!(
            to_yaml(&v),
            "a: \"true\"\nb: \"1.0\"\nc: plain\nd: \"\"\ne: \"x: y\"\nf:\n- 1\n- g: h\n  i: j\nm: |-\n  l1\n  l2\n"
        );
    }

    #[test]
    fn base64_round_trips() {
        assert_eq!(b64(b"hello"), "aGVsbG8=");
        assert_eq!(b64_decode("aGVsbG8="), b"hello");
    }
}
