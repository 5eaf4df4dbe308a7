//! Dockerfile syntax: instructions with their first and last line, line continuations with
//! the escape character (`\` or the one a `# escape=` directive names), comment lines inside
//! continuations, heredocs (`<<EOF`, `<<-EOF`, quoted delimiters), stages and their aliases,
//! and `$VAR` / `${VAR}` / `${VAR:-default}` expansion from `ARG` and `ENV`.

use rampart_core::Diagnostic;
use std::collections::HashMap;

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-case keyword (`RUN`, `FROM`, ...).
    pub keyword: String,
    /// Arguments with continuations joined (escape and newline removed), unexpanded.
    pub args: String,
    /// Arguments after `ARG`/`ENV` expansion in scope at this instruction.
    pub expanded: String,
    /// Heredoc bodies, in order.
    pub heredocs: Vec<String>,
    /// 1-based first line.
    pub line: u32,
    /// Index of the stage it belongs to (`None` before the first `FROM`).
    pub stage: Option<usize>,
}

/// One build stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The base image after expansion (`alpine:3`, `scratch`, or an earlier stage's alias).
    pub base: String,
    /// `AS name`, lower-cased.
    pub alias: Option<String>,
    /// Line of its `FROM`.
    pub line: u32,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dockerfile {
    /// Every instruction in order.
    pub instructions: Vec<Instruction>,
    /// Every stage in order.
    pub stages: Vec<Stage>,
}

impl Dockerfile {
    /// The instructions of stage `i`.
    pub fn stage_instructions(&self, i: usize) -> impl Iterator<Item = &Instruction> {
        self.instructions.iter().filter(move |x| x.stage == Some(i))
    }
}

/// Read the `# escape=` parser directive at the top of the file.
fn escape_char(lines: &[&str]) -> char {
    for l in lines {
        let t = l.trim();
        let Some(rest) = t.strip_prefix('#') else {
            break;
        };
        let Some((k, v)) = rest.split_once('=') else {
            break;
        };
        if k.trim().eq_ignore_ascii_case("escape") {
            let v = v.trim();
            if v == "`" {
                return '`';
            }
            return '\\';
        }
        if !k.trim().eq_ignore_ascii_case("syntax") && !k.trim().eq_ignore_ascii_case("check") {
            break;
        }
    }
    '\\'
}

/// Heredoc delimiters opened on an instruction line: `(word, strip_tabs)`.
fn heredoc_delimiters(line: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(pos) = rest.find("<<") {
        let mut after = &rest[pos + 2..];
        let strip = after.starts_with('-');
        if strip {
            after = &after[1..];
        }
        let word: String = after
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !word.is_empty() && !after.starts_with(' ') {
            out.push((word, strip));
        }
        rest = after;
    }
    out
}

/// Expand `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alt}`; unknown variables stay as written.
pub(crate) fn expand(s: &str, vars: &HashMap<String, String>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'{') {
            let Some(close) = chars[i + 2..].iter().position(|&c| c == '}') else {
                out.extend(&chars[i..]);
                break;
            };
            let inner: String = chars[i + 2..i + 2 + close].iter().collect();
            let (name, op) = match inner.find(':') {
                Some(p) => (&inner[..p], Some(&inner[p..])),
                None => (inner.as_str(), None),
            };
            let value = vars.get(name).filter(|v| !v.is_empty());
            match (value, op) {
                (Some(v), None) => out.push_str(v),
                (Some(v), Some(op)) if op.starts_with(":-") => out.push_str(v),
                (Some(_), Some(op)) if op.starts_with(":+") => out.push_str(&op[2..]),
                (None, Some(op)) if op.starts_with(":-") => out.push_str(&op[2..]),
                (None, Some(op)) if op.starts_with(":+") => {}
                _ => {
                    out.push_str("${");
                    out.push_str(&inner);
                    out.push('}');
                }
            }
            i += close + 3;
            continue;
        }
        let name: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
            .collect();
        match vars.get(&name) {
            Some(v) if !name.is_empty() => out.push_str(v),
            _ => {
                out.push('$');
                out.push_str(&name);
            }
        }
        i += 1 + name.chars().count();
    }
    out
}

/// `KEY=value KEY2="v 2"` or the legacy `KEY value` form.
pub(crate) fn key_values(args: &str) -> Vec<(String, String)> {
    let args = args.trim();
    let first = args.split_whitespace().next().unwrap_or("");
    if !first.contains('=') {
        let mut parts = args.splitn(2, char::is_whitespace);
        let k = parts.next().unwrap_or("").to_string();
        let v = parts.next().unwrap_or("").trim().to_string();
        return if k.is_empty() {
            Vec::new()
        } else {
            vec![(k, unquote(&v))]
        };
    }
    words(args)
        .into_iter()
        .filter_map(|w| {
            let (k, v) = w.split_once('=')?;
            Some((k.to_string(), unquote(v)))
        })
        .collect()
}

/// Split on white space outside quotes (quotes kept).
pub(crate) fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                cur.push(c);
            }
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                cur.push(c);
            }
            None if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            None => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Remove one pair of surrounding quotes.
pub(crate) fn unquote(s: &str) -> String {
    let t = s.trim();
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return t[1..t.len() - 1].to_string();
        }
    }
    t.to_string()
}

/// Parse a Dockerfile. Never fails: problems become diagnostics.
pub fn parse_dockerfile(path: &str, text: &str) -> (Dockerfile, Vec<Diagnostic>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let escape = escape_char(&lines);
    let mut diags = Vec::new();
    let mut df = Dockerfile::default();
    let mut global_args: HashMap<String, String> = HashMap::new();
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        let raw = lines[i];
        i += 1;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        // Join continuation lines; comment and empty lines inside a continuation are dropped.
        let mut logical = String::new();
        let mut current = raw.trim_end();
        loop {
            match current.strip_suffix(escape) {
                Some(body) => {
                    logical.push_str(body);
                    logical.push(' ');
                    let mut next = None;
                    while i < lines.len() {
                        let l = lines[i];
                        i += 1;
                        let lt = l.trim();
                        if lt.starts_with('#') {
                            continue;
                        }
                        if lt.is_empty() {
                            continue;
                        }
                        next = Some(l.trim_end());
                        break;
                    }
                    match next {
                        Some(n) => current = n,
                        None => break,
                    }
                }
                None => {
                    logical.push_str(current);
                    break;
                }
            }
        }
        let logical = logical.trim();
        let (kw, args) = match logical.split_once(char::is_whitespace) {
            Some((k, a)) => (k, a.trim()),
            None => (logical, ""),
        };
        let keyword = kw.to_ascii_uppercase();
        let line = u32::try_from(start + 1).unwrap_or(u32::MAX);
        // Heredocs open on the instruction line and run until their delimiter.
        let mut heredocs = Vec::new();
        for (word, strip) in heredoc_delimiters(args) {
            let mut body = String::new();
            let mut closed = false;
            while i < lines.len() {
                let l = lines[i];
                i += 1;
                let cmp = if strip { l.trim_start_matches('\t') } else { l };
                if cmp.trim_end() == word {
                    closed = true;
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            if !closed {
                diags.push(
                    Diagnostic::warning(path, format!("heredoc <<{word} is never closed"))
                        .at_line(line),
                );
            }
            heredocs.push(body);
        }
        let stage_vars = if df.stages.is_empty() {
            &global_args
        } else {
            &vars
        };
        let expanded = match keyword.as_str() {
            "RUN" | "CMD" | "ENTRYPOINT" => args.to_string(),
            _ => expand(args, stage_vars),
        };
        match keyword.as_str() {
            "FROM" => {
                let ws = words(&expanded);
                let mut it = ws.iter().filter(|w| !w.starts_with("--"));
                let base = it.next().cloned().unwrap_or_default();
                let alias = match (it.next(), it.next()) {
                    (Some(a), Some(name)) if a.eq_ignore_ascii_case("as") => {
                        Some(name.to_ascii_lowercase())
                    }
                    _ => None,
                };
                df.stages.push(Stage { base, alias, line });
                // A new stage sees the global ARGs it re-declares; start from all of them.
                vars = global_args.clone();
            }
            "ARG" => {
                let in_stage = !df.stages.is_empty();
                for w in words(args) {
                    let (k, v) = {
                        let scope = if in_stage { &vars } else { &global_args };
                        match w.split_once('=') {
                            Some((k, v)) => (k.to_string(), unquote(&expand(v, scope))),
                            None => {
                                let v = global_args.get(&w).cloned().unwrap_or_default();
                                (w.clone(), v)
                            }
                        }
                    };
                    if in_stage {
                        vars.insert(k, v);
                    } else {
                        global_args.insert(k, v);
                    }
                }
            }
            "ENV" if !df.stages.is_empty() => {
                for (k, v) in key_values(args) {
                    let v = expand(&v, &vars);
                    vars.insert(k, v);
                }
            }
            _ => {
                if df.stages.is_empty() {
                    diags.push(
                        Diagnostic::warning(path, format!("{keyword} before the first FROM"))
                            .at_line(line),
                    );
                }
            }
        }
        df.instructions.push(Instruction {
            keyword,
            args: args.to_string(),
            expanded,
            heredocs,
            line,
            stage: df.stages.len().checked_sub(1),
        });
    }
    (df, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Dockerfile {
        parse_dockerfile("Dockerfile", text).0
    }

    #[test]
    fn continuations_comments_and_lines() {
        let df =
            parse("FROM a:1\nRUN apt-get update \\\n# note\n  && apt-get install x\nUSER me\n");
        let run = &df.instructions[1];
        assert_eq!(run.keyword, "RUN");
        assert_eq!(run.line, 2);
        assert!(run.args.contains("apt-get update") && run.args.contains("apt-get install x"));
        assert_eq!(df.instructions[2].line, 5);
    }

    #[test]
    fn escape_directive() {
        let df = parse("# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\nUSER x\n");
        assert_eq!(df.instructions.len(), 3);
        assert_eq!(
            df.instructions[1]
                .args
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["dir", "c:\\"]
        );
    }

    #[test]
    fn heredocs() {
        let df = parse("FROM a:1\nRUN <<EOF\napt-get update\napt-get install -y x\nEOF\nUSER me\n");
        assert_eq!(
            df.instructions[1].heredocs,
            vec!["apt-get update\napt-get install -y x\n"]
        );
        assert_eq!(df.instructions[2].keyword, "USER");
        assert_eq!(df.instructions[2].line, 6);
        let (_, diags) = parse_dockerfile("D", "FROM a\nRUN <<EOT\nnever closed\n");
        assert_eq!(diags.len(), 1);
    }

    #[test]
    fn args_env_and_stages() {
        let df = parse(
            "ARG BASE=alpine\nARG TAG\nFROM ${BASE}:${TAG:-3.19} AS Build\nENV HOME_DIR=/srv APP=x\nWORKDIR $HOME_DIR/app\nFROM build\n",
        );
        assert_eq!(df.stages[0].base, "alpine:3.19");
        assert_eq!(df.stages[0].alias.as_deref(), Some("build"));
        assert_eq!(df.instructions[4].expanded, "/srv/app");
        assert_eq!(df.stages[1].base, "build");
        assert_eq!(df.instructions[4].stage, Some(0));
    }

    #[test]
    fn key_value_forms() {
        assert_eq!(
            key_values("A=1 B=\"two words\""),
            vec![("A".into(), "1".into()), ("B".into(), "two words".into())]
        );
        assert_eq!(
            key_values("A some value"),
            vec![("A".into(), "some value".into())]
        );
    }
}
