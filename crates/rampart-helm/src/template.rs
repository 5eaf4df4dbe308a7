//! Go `text/template` syntax as Helm charts use it: text and `{{ … }}` actions with the
//! `{{-`/`-}}` whitespace trim markers, comments, pipelines, variables, parenthesised
//! pipelines, and the control actions `if`/`else if`/`else`, `with`/`else with`, `range`
//! (with `break`/`continue`), `define`, `template` and `block`.
//!
//! Parsing produces a tree per file and a set of named templates (`define`/`block`) shared by
//! every file of a chart, as Helm's engine does.

use crate::HelmError;
use std::collections::HashMap;

/// One piece of a parsed template.
#[derive(Debug, Clone)]
pub enum Node {
    /// Literal text, copied to the output.
    Text(String),
    /// `{{ pipeline }}`: the pipeline's value is printed (unless it declares variables).
    Action(Pipeline),
    /// `if` / `else if` / `else`.
    If {
        branches: Vec<(Pipeline, Vec<Node>)>,
        otherwise: Vec<Node>,
    },
    /// `with` / `else with` / `else`.
    With {
        branches: Vec<(Pipeline, Vec<Node>)>,
        otherwise: Vec<Node>,
    },
    /// `range`, with its `else` for an empty collection.
    Range {
        pipe: Pipeline,
        body: Vec<Node>,
        otherwise: Vec<Node>,
    },
    /// `template "name" pipeline`.
    Template {
        name: String,
        arg: Option<Pipeline>,
        line: u32,
    },
    /// `break` inside `range`.
    Break,
    /// `continue` inside `range`.
    Continue,
}

/// `$x := cmd | cmd …`.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// Variables declared (`:=`) or assigned (`=`).
    pub decl: Vec<String>,
    /// `=` rather than `:=`.
    pub assign: bool,
    /// The commands; each one's value is passed as the last argument of the next.
    pub cmds: Vec<Command>,
    /// Line of the action in its file.
    pub line: u32,
}

/// One command of a pipeline: a function call or a single operand.
#[derive(Debug, Clone)]
pub struct Command {
    pub args: Vec<Operand>,
}

/// An operand.
#[derive(Debug, Clone)]
pub enum Operand {
    /// `.A.B` (empty: `.` itself).
    Field(Vec<String>),
    /// `$name.A.B` (`$` is the template's root data).
    Var(String, Vec<String>),
    /// A function name.
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Nil,
    /// `(pipeline).A.B`.
    Sub(Box<Pipeline>, Vec<String>),
}

/// A parsed file: its tree and the named templates it defines.
pub struct Parsed {
    pub root: Vec<Node>,
    pub defines: HashMap<String, Vec<Node>>,
}

/// Lexical items of a file.
#[derive(Debug)]
enum Item {
    Text(String),
    Action { toks: Vec<Tok>, line: u32 },
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Field(Vec<String>),
    Var(String, Vec<String>),
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    Pipe,
    LParen,
    /// `)` with the field chain that follows it directly (`(…).A.B`).
    RParen(Vec<String>),
    Declare,
    Assign,
    Comma,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Parses one template file.
pub fn parse(file: &str, src: &str) -> Result<Parsed, HelmError> {
    let items = lex(file, src)?;
    let mut p = Parser {
        file,
        items,
        pos: 0,
        defines: HashMap::new(),
    };
    let (root, end) = p.nodes()?;
    if let Some((kw, line)) = end {
        return Err(p.err(line, format!("unexpected {{{{{kw}}}}}")));
    }
    Ok(Parsed {
        root,
        defines: p.defines,
    })
}

fn lex(file: &str, src: &str) -> Result<Vec<Item>, HelmError> {
    let b = src.as_bytes();
    let mut items: Vec<Item> = Vec::new();
    let mut i = 0;
    let mut line = 1u32;
    let mut trim_next = false;
    while i < b.len() {
        let start = i;
        let open = src[i..].find("{{").map(|o| i + o);
        let text_end = open.unwrap_or(b.len());
        let mut text = &src[start..text_end];
        line += text.matches('\n').count() as u32;
        if trim_next {
            text = text.trim_start_matches([' ', '\t', '\r', '\n']);
            trim_next = false;
        }
        let Some(open) = open else {
            if !text.is_empty() {
                items.push(Item::Text(text.to_string()));
            }
            break;
        };
        let mut j = open + 2;
        // `{{- ` trims the text before.
        if b.get(j) == Some(&b'-') && b.get(j + 1).is_some_and(|c| is_space(*c)) {
            text = text.trim_end_matches([' ', '\t', '\r', '\n']);
            j += 2;
        }
        if !text.is_empty() {
            items.push(Item::Text(text.to_string()));
        }
        let action_line = line;
        // Comment: `{{/* … */}}`, possibly with trim markers and spaces.
        let mut k = j;
        while k < b.len() && is_space(b[k]) {
            k += 1;
        }
        if src[k..].starts_with("/*") {
            let Some(close) = src[k + 2..].find("*/") else {
                return Err(HelmError::parse(file, action_line, "unclosed comment"));
            };
            let after = k + 2 + close + 2;
            line += src[j..after].matches('\n').count() as u32;
            let rest = &src[after..];
            let ws = rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
            let rest2 = &rest[ws..];
            if rest2.starts_with("-}}") && ws > 0 {
                trim_next = true;
                line += rest[..ws].matches('\n').count() as u32;
                i = after + ws + 3;
            } else if rest.starts_with("}}") {
                i = after + 2;
            } else {
                return Err(HelmError::parse(
                    file,
                    action_line,
                    "comment must end the action (`*/}}`)",
                ));
            }
            continue;
        }
        let (toks, next, trim, lines) = lex_action(file, src, j, action_line)?;
        line += lines;
        trim_next = trim;
        items.push(Item::Action {
            toks,
            line: action_line,
        });
        i = next;
    }
    Ok(items)
}

/// Lexes the inside of one action from `i`; returns its tokens, the index after `}}`, whether
/// it ended with `-}}`, and the newlines it spanned.
fn lex_action(
    file: &str,
    src: &str,
    mut i: usize,
    line: u32,
) -> Result<(Vec<Tok>, usize, bool, u32), HelmError> {
    let b = src.as_bytes();
    let mut toks = Vec::new();
    let mut lines = 0u32;
    let err = |m: &str| HelmError::parse(file, line, m);
    loop {
        while i < b.len() && is_space(b[i]) {
            if b[i] == b'\n' {
                lines += 1;
            }
            // ` -}}` ends the action and trims what follows.
            if src[i + 1..].starts_with("-}}") {
                return Ok((toks, i + 4, true, lines));
            }
            i += 1;
        }
        if i >= b.len() {
            return Err(err("unclosed action (no `}}`)"));
        }
        if src[i..].starts_with("}}") {
            return Ok((toks, i + 2, false, lines));
        }
        let c = b[i];
        match c {
            b'|' => {
                toks.push(Tok::Pipe);
                i += 1;
            }
            b'(' => {
                toks.push(Tok::LParen);
                i += 1;
            }
            b')' => {
                i += 1;
                let (chain, n) = field_chain(src, i);
                i = n;
                toks.push(Tok::RParen(chain));
            }
            b',' => {
                toks.push(Tok::Comma);
                i += 1;
            }
            b':' if b.get(i + 1) == Some(&b'=') => {
                toks.push(Tok::Declare);
                i += 2;
            }
            b'=' => {
                toks.push(Tok::Assign);
                i += 1;
            }
            b'"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    let Some(&ch) = b.get(i) else {
                        return Err(err("unterminated string"));
                    };
                    match ch {
                        b'"' => {
                            i += 1;
                            break;
                        }
                        b'\\' => {
                            let e = *b.get(i + 1).ok_or_else(|| err("unterminated string"))?;
                            match e {
                                b'n' => s.push('\n'),
                                b't' => s.push('\t'),
                                b'r' => s.push('\r'),
                                b'\\' => s.push('\\'),
                                b'"' => s.push('"'),
                                b'\'' => s.push('\''),
                                b'0' => s.push('\0'),
                                _ => {
                                    s.push('\\');
                                    s.push(e as char);
                                }
                            }
                            i += 2;
                        }
                        b'\n' => return Err(err("newline in string")),
                        _ => {
                            let ch = src[i..].chars().next().unwrap_or('\u{fffd}');
                            s.push(ch);
                            i += ch.len_utf8();
                        }
                    }
                }
                toks.push(Tok::Str(s));
            }
            b'`' => {
                let Some(end) = src[i + 1..].find('`') else {
                    return Err(err("unterminated raw string"));
                };
                let s = &src[i + 1..i + 1 + end];
                lines += s.matches('\n').count() as u32;
                toks.push(Tok::Str(s.to_string()));
                i += end + 2;
            }
            b'\'' => {
                let rest = &src[i + 1..];
                let ch = rest
                    .chars()
                    .next()
                    .ok_or_else(|| err("bad character constant"))?;
                if !rest[ch.len_utf8()..].starts_with('\'') {
                    return Err(err("bad character constant"));
                }
                toks.push(Tok::Int(ch as i64));
                i += ch.len_utf8() + 2;
            }
            b'.' if !b.get(i + 1).is_some_and(|c| c.is_ascii_digit()) => {
                let (chain, n) = field_chain(src, i);
                i = n;
                toks.push(Tok::Field(chain));
            }
            b'$' => {
                let mut n = i + 1;
                while n < b.len() && (b[n].is_ascii_alphanumeric() || b[n] == b'_') {
                    n += 1;
                }
                let name = src[i..n].to_string();
                let (chain, m) = field_chain(src, n);
                i = m;
                toks.push(Tok::Var(name, chain));
            }
            b'-' | b'+' | b'.' | b'0'..=b'9' => {
                let mut n = i + 1;
                while n < b.len()
                    && (b[n].is_ascii_alphanumeric()
                        || b[n] == b'.'
                        || b[n] == b'_'
                        || ((b[n] == b'-' || b[n] == b'+') && matches!(b[n - 1], b'e' | b'E')))
                {
                    n += 1;
                }
                let text = src[i..n].replace('_', "");
                let t = text.trim_start_matches('+');
                let tok = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                    i64::from_str_radix(h, 16).ok().map(Tok::Int)
                } else if let Some(h) = t.strip_prefix("-0x") {
                    i64::from_str_radix(h, 16).ok().map(|v| Tok::Int(-v))
                } else if let Ok(v) = t.parse::<i64>() {
                    Some(Tok::Int(v))
                } else {
                    t.parse::<f64>().ok().map(Tok::Float)
                };
                toks.push(tok.ok_or_else(|| err(&format!("bad number syntax: {}", &src[i..n])))?);
                i = n;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut n = i + 1;
                while n < b.len() && (b[n].is_ascii_alphanumeric() || b[n] == b'_') {
                    n += 1;
                }
                let word = &src[i..n];
                // `ident.Field` (a function result's field) is not valid Go template syntax
                // except for `nil`/`true`/`false`; treat the chain as a separate field token.
                toks.push(Tok::Ident(word.to_string()));
                i = n;
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(err(&format!("unexpected {ch:?} in action")));
            }
        }
    }
}

/// Reads `.A.B.C` from `i` (nothing when there is no `.` followed by a name).
fn field_chain(src: &str, mut i: usize) -> (Vec<String>, usize) {
    let b = src.as_bytes();
    let mut chain = Vec::new();
    // A lone `.` is the dot itself: an empty chain.
    if b.get(i) == Some(&b'.')
        && !b
            .get(i + 1)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        return (chain, i + 1);
    }
    while b.get(i) == Some(&b'.') {
        let mut n = i + 1;
        while n < b.len() && (b[n].is_ascii_alphanumeric() || b[n] == b'_') {
            n += 1;
        }
        if n == i + 1 {
            break;
        }
        chain.push(src[i + 1..n].to_string());
        i = n;
    }
    (chain, i)
}

struct Parser<'a> {
    file: &'a str,
    items: Vec<Item>,
    pos: usize,
    defines: HashMap<String, Vec<Node>>,
}

/// The keyword that ended a list of nodes (`end`, `else`) and the action's line, with the
/// tokens after `else` (for `else if` / `else with`).
type Ending = Option<(String, u32)>;

impl Parser<'_> {
    fn err(&self, line: u32, msg: String) -> HelmError {
        HelmError::parse(self.file, line, &msg)
    }

    /// Parses nodes until `end` or `else` (returned) or the end of input.
    fn nodes(&mut self) -> Result<(Vec<Node>, Ending), HelmError> {
        let mut out = Vec::new();
        while self.pos < self.items.len() {
            let idx = self.pos;
            self.pos += 1;
            match &self.items[idx] {
                Item::Text(t) => out.push(Node::Text(t.clone())),
                Item::Action { toks, line } => {
                    let line = *line;
                    let toks = toks.clone();
                    let kw = match toks.first() {
                        Some(Tok::Ident(w)) => w.as_str(),
                        _ => "",
                    };
                    match kw {
                        "end" => return Ok((out, Some(("end".into(), line)))),
                        "else" => {
                            // Put the remainder back for the caller to read.
                            let rest = toks[1..].to_vec();
                            self.items[idx] = Item::Action { toks: rest, line };
                            self.pos = idx;
                            return Ok((out, Some(("else".into(), line))));
                        }
                        "if" | "with" => {
                            let node = self.branches(kw, &toks[1..], line)?;
                            out.push(node);
                        }
                        "range" => {
                            let pipe = self.pipeline(&toks[1..], line, true)?;
                            let (body, end) = self.nodes()?;
                            let otherwise = match end {
                                Some((e, _)) if e == "end" => Vec::new(),
                                Some((_, l)) => {
                                    self.expect_bare_else(l)?;
                                    let (o, end) = self.nodes()?;
                                    self.expect_end(end, line, "range")?;
                                    o
                                }
                                None => return Err(self.err(line, "unclosed {{range}}".into())),
                            };
                            out.push(Node::Range {
                                pipe,
                                body,
                                otherwise,
                            });
                        }
                        "define" | "block" => {
                            let Some(Tok::Str(name)) = toks.get(1) else {
                                return Err(self.err(line, format!("{kw} needs a quoted name")));
                            };
                            let name = name.clone();
                            let arg = if kw == "block" {
                                Some(self.pipeline(&toks[2..], line, false)?)
                            } else {
                                None
                            };
                            let (body, end) = self.nodes()?;
                            self.expect_end(end, line, kw)?;
                            self.defines.insert(name.clone(), body);
                            if kw == "block" {
                                out.push(Node::Template { name, arg, line });
                            }
                        }
                        "template" => {
                            let Some(Tok::Str(name)) = toks.get(1) else {
                                return Err(self.err(line, "template needs a quoted name".into()));
                            };
                            let arg = if toks.len() > 2 {
                                Some(self.pipeline(&toks[2..], line, false)?)
                            } else {
                                None
                            };
                            out.push(Node::Template {
                                name: name.clone(),
                                arg,
                                line,
                            });
                        }
                        "break" => out.push(Node::Break),
                        "continue" => out.push(Node::Continue),
                        _ => {
                            if toks.is_empty() {
                                return Err(self.err(line, "empty action".into()));
                            }
                            out.push(Node::Action(self.pipeline(&toks, line, false)?));
                        }
                    }
                }
            }
        }
        Ok((out, None))
    }

    fn expect_end(&self, end: Ending, line: u32, what: &str) -> Result<(), HelmError> {
        match end {
            Some((e, _)) if e == "end" => Ok(()),
            Some((_, l)) => Err(self.err(l, format!("unexpected {{{{else}}}} in {{{{{what}}}}}"))),
            None => Err(self.err(line, format!("unclosed {{{{{what}}}}}"))),
        }
    }

    /// After `else` has been returned by [`nodes`], the pending item holds what followed it.
    fn take_else_rest(&mut self) -> Vec<Tok> {
        let idx = self.pos;
        self.pos += 1;
        match &self.items[idx] {
            Item::Action { toks, .. } => toks.clone(),
            Item::Text(_) => Vec::new(),
        }
    }

    fn expect_bare_else(&mut self, line: u32) -> Result<(), HelmError> {
        let rest = self.take_else_rest();
        if rest.is_empty() {
            Ok(())
        } else {
            Err(self.err(line, "only a bare {{else}} may follow {{range}}".into()))
        }
    }

    fn branches(&mut self, kw: &str, toks: &[Tok], line: u32) -> Result<Node, HelmError> {
        let mut branches = Vec::new();
        let mut cond = self.pipeline(toks, line, false)?;
        loop {
            let (body, end) = self.nodes()?;
            branches.push((cond, body));
            match end {
                Some((e, _)) if e == "end" => {
                    return Ok(make_branch(kw, branches, Vec::new()));
                }
                Some((_, l)) => {
                    let rest = self.take_else_rest();
                    match rest.first() {
                        None => {
                            let (o, end) = self.nodes()?;
                            self.expect_end(end, line, kw)?;
                            return Ok(make_branch(kw, branches, o));
                        }
                        Some(Tok::Ident(w)) if w == kw => {
                            cond = self.pipeline(&rest[1..], l, false)?;
                        }
                        _ => {
                            return Err(self.err(l, format!("bad {{{{else …}}}} in {{{{{kw}}}}}")));
                        }
                    }
                }
                None => return Err(self.err(line, format!("unclosed {{{{{kw}}}}}"))),
            }
        }
    }

    fn pipeline(&self, toks: &[Tok], line: u32, range: bool) -> Result<Pipeline, HelmError> {
        let mut decl = Vec::new();
        let mut assign = false;
        let mut rest = toks;
        // `$x :=`, `$x =`, or in range `$i, $e :=`.
        let decl_end = toks
            .iter()
            .position(|t| matches!(t, Tok::Declare | Tok::Assign));
        if let Some(d) = decl_end {
            let head = &toks[..d];
            let vars: Vec<&Tok> = head.iter().filter(|t| !matches!(t, Tok::Comma)).collect();
            let all_vars = !vars.is_empty()
                && vars
                    .iter()
                    .all(|t| matches!(t, Tok::Var(_, c) if c.is_empty()))
                && (vars.len() == 1 || (range && vars.len() == 2));
            if all_vars {
                for v in vars {
                    if let Tok::Var(n, _) = v {
                        decl.push(n.clone());
                    }
                }
                assign = matches!(toks[d], Tok::Assign);
                rest = &toks[d + 1..];
            }
        }
        let (cmds, used) = self.commands(rest, line)?;
        if used != rest.len() {
            return Err(self.err(line, "unexpected `)`".into()));
        }
        if cmds.is_empty() {
            return Err(self.err(line, "missing value in action".into()));
        }
        Ok(Pipeline {
            decl,
            assign,
            cmds,
            line,
        })
    }

    /// Commands separated by `|`, until the end or an unmatched `)`.
    fn commands(&self, toks: &[Tok], line: u32) -> Result<(Vec<Command>, usize), HelmError> {
        let mut cmds = Vec::new();
        let mut args = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            match &toks[i] {
                Tok::Pipe => {
                    if args.is_empty() {
                        return Err(self.err(line, "missing command before `|`".into()));
                    }
                    cmds.push(Command {
                        args: std::mem::take(&mut args),
                    });
                    i += 1;
                }
                Tok::RParen(_) => break,
                Tok::LParen => {
                    let (inner, used) = self.commands(&toks[i + 1..], line)?;
                    let close = i + 1 + used;
                    let Some(Tok::RParen(chain)) = toks.get(close) else {
                        return Err(self.err(line, "unclosed `(`".into()));
                    };
                    if inner.is_empty() {
                        return Err(self.err(line, "empty parenthesised pipeline".into()));
                    }
                    args.push(Operand::Sub(
                        Box::new(Pipeline {
                            decl: Vec::new(),
                            assign: false,
                            cmds: inner,
                            line,
                        }),
                        chain.clone(),
                    ));
                    i = close + 1;
                }
                Tok::Field(c) => {
                    args.push(Operand::Field(c.clone()));
                    i += 1;
                }
                Tok::Var(n, c) => {
                    args.push(Operand::Var(n.clone(), c.clone()));
                    i += 1;
                }
                Tok::Ident(w) => {
                    args.push(match w.as_str() {
                        "true" => Operand::Bool(true),
                        "false" => Operand::Bool(false),
                        "nil" => Operand::Nil,
                        _ => Operand::Ident(w.clone()),
                    });
                    i += 1;
                }
                Tok::Str(s) => {
                    args.push(Operand::Str(s.clone()));
                    i += 1;
                }
                Tok::Int(v) => {
                    args.push(Operand::Int(*v));
                    i += 1;
                }
                Tok::Float(v) => {
                    args.push(Operand::Float(*v));
                    i += 1;
                }
                Tok::Declare | Tok::Assign | Tok::Comma => {
                    return Err(self.err(line, "unexpected `:=`, `=` or `,`".into()));
                }
            }
        }
        if !args.is_empty() {
            cmds.push(Command { args });
        } else if !cmds.is_empty() {
            return Err(self.err(line, "missing command after `|`".into()));
        }
        Ok((cmds, i))
    }
}

fn make_branch(kw: &str, branches: Vec<(Pipeline, Vec<Node>)>, otherwise: Vec<Node>) -> Node {
    if kw == "if" {
        Node::If {
            branches,
            otherwise,
        }
    } else {
        Node::With {
            branches,
            otherwise,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(nodes: &[Node]) -> Vec<String> {
        nodes
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn trim_markers_eat_whitespace_on_their_side() {
        let p = parse("t", "a  \n  {{- 1 -}}  \n b {{ 2 }} c").unwrap();
        assert_eq!(texts(&p.root), vec!["a", "b ", " c"]);
    }

    #[test]
    fn comments_vanish_and_defines_are_collected() {
        let p = parse(
            "t",
            "{{/* hi */}}x{{- /* trimmed */ -}}\n y{{ define \"n\" }}body{{ end }}",
        )
        .unwrap();
        assert_eq!(texts(&p.root), vec!["x", "y"]);
        assert!(p.defines.contains_key("n"));
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("tpl.yaml", "a\nb\n{{ if .X }}\nno end")
            .err()
            .unwrap();
        assert!(e.to_string().contains("tpl.yaml:3"), "{e}");
        let e = parse("tpl.yaml", "{{ \"open }}").err().unwrap();
        assert!(e.to_string().contains("unterminated string"), "{e}");
        let e = parse("tpl.yaml", "{{ (1 }}").err().unwrap();
        assert!(e.to_string().contains("unclosed `(`"), "{e}");
        assert!(parse("t", "{{ end }}").is_err());
        assert!(parse("t", "{{ }}").is_err());
        assert!(parse("t", "{{ 1").is_err());
    }
}
