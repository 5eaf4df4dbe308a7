//! Falco condition syntax: lexer and recursive-descent parser producing an [`Expr`] tree.
//!
//! Grammar (precedence low to high): `or`, `and`, `not`, then a primary: a parenthesized
//! expression, a macro name, or a field check `field op value`, `field in (a, b)`,
//! `field exists`. Fields may carry an argument (`proc.aname[2]`, `json.value[/a/b]`) and
//! transformers (`tolower(proc.name)`). Macro and list expansion happen in the loader.

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=` / `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `contains`
    Contains,
    /// `icontains`
    IContains,
    /// `bcontains` (hex bytes)
    BContains,
    /// `startswith`
    StartsWith,
    /// `bstartswith` (hex bytes)
    BStartsWith,
    /// `endswith`
    EndsWith,
    /// `glob`
    Glob,
    /// `iglob`
    IGlob,
    /// `pmatch`
    PMatch,
    /// `in`
    In,
    /// `intersects`
    Intersects,
    /// `regex`
    Regex,
    /// `exists`
    Exists,
}

impl Op {
    /// Parses an operator word or symbol.
    pub fn from_name(s: &str) -> Option<Op> {
        Some(match s {
            "=" | "==" => Op::Eq,
            "!=" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "contains" => Op::Contains,
            "icontains" => Op::IContains,
            "bcontains" => Op::BContains,
            "startswith" => Op::StartsWith,
            "bstartswith" => Op::BStartsWith,
            "endswith" => Op::EndsWith,
            "glob" => Op::Glob,
            "iglob" => Op::IGlob,
            "pmatch" => Op::PMatch,
            "in" => Op::In,
            "intersects" => Op::Intersects,
            "regex" => Op::Regex,
            "exists" => Op::Exists,
            _ => return None,
        })
    }

    /// Operators whose right-hand side is a list.
    pub fn takes_list(self) -> bool {
        matches!(self, Op::In | Op::Intersects | Op::PMatch)
    }
}

/// A value transformer applied to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transformer {
    /// `tolower(...)`
    ToLower,
    /// `toupper(...)`
    ToUpper,
    /// `b64(...)`: base64-decode.
    B64,
    /// `basename(...)`
    Basename,
    /// `len(...)`
    Len,
}

/// A field reference, `name[arg]` with optional transformers (outermost first).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldRef {
    /// Transformers, outermost first.
    pub transformers: Vec<Transformer>,
    /// The field name (`proc.aname`).
    pub name: String,
    /// The bracket argument (`2` in `proc.aname[2]`).
    pub arg: Option<String>,
}

impl std::fmt::Display for FieldRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)?;
        if let Some(a) = &self.arg {
            write!(f, "[{a}]")?;
        }
        Ok(())
    }
}

/// A right-hand-side operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A literal; `quoted` literals are never list names.
    Lit {
        /// The text.
        text: String,
        /// Written in quotes.
        quoted: bool,
    },
    /// `val(field)`: another field of the same event.
    Field(FieldRef),
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// All of.
    And(Vec<Expr>),
    /// Any of.
    Or(Vec<Expr>),
    /// Negation.
    Not(Box<Expr>),
    /// A macro reference, resolved by the loader.
    Macro(String),
    /// A field check. `rhs` is empty for `exists`; one operand for scalar operators; the
    /// list items for `in`/`intersects`/`pmatch` (`paren` tells whether written as a list).
    Check {
        /// The field.
        field: FieldRef,
        /// The operator.
        op: Op,
        /// Operands.
        rhs: Vec<Operand>,
        /// The operand was a parenthesized list.
        paren: bool,
    },
    /// A constant (used for compiled-away parts).
    Const(bool),
}

/// A condition syntax error with the byte offset where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// Byte offset in the condition.
    pub pos: usize,
    /// Falco-style message.
    pub message: String,
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn is_bare_char(c: u8) -> bool {
    !(c.is_ascii_whitespace() || matches!(c, b'(' | b')' | b',' | b'=' | b'"' | b'\''))
}

const WORD_OPS: &[&str] = &[
    "contains",
    "icontains",
    "bcontains",
    "startswith",
    "bstartswith",
    "endswith",
    "glob",
    "iglob",
    "pmatch",
    "intersects",
    "regex",
    "exists",
    "in",
];

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while self.pos < self.b.len() && self.b[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            pos: self.pos,
            message: message.into(),
        })
    }

    /// Reads the word at the cursor (letters, digits, `_`, `.`), without consuming.
    fn peek_word(&self) -> &'a str {
        let mut end = self.pos;
        while end < self.b.len() && (is_ident_char(self.b[end]) || self.b[end] == b'.') {
            end += 1;
        }
        &self.s[self.pos..end]
    }

    fn keyword(&mut self, kw: &str) -> bool {
        self.ws();
        let w = self.peek_word();
        if w == kw {
            self.pos += kw.len();
            true
        } else {
            false
        }
    }

    fn last_token(&self) -> String {
        // The token before the cursor, for "unexpected token after 'x'" messages.
        let before = self.s[..self.pos].trim_end();
        let start = before
            .rfind(|c: char| c.is_whitespace() || matches!(c, '(' | ',' | '=' | '<' | '>'))
            .map(|i| i + 1)
            .unwrap_or(0);
        before[start..].trim_end_matches(')').to_string()
    }

    fn parse_or(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.parse_and()?];
        while self.keyword("or") {
            items.push(self.parse_and()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Expr::Const(false))
        } else {
            Expr::Or(items)
        })
    }

    fn parse_and(&mut self) -> Result<Expr, ParseError> {
        let mut items = vec![self.parse_not()?];
        while self.keyword("and") {
            items.push(self.parse_not()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Expr::Const(true))
        } else {
            Expr::And(items)
        })
    }

    fn parse_not(&mut self) -> Result<Expr, ParseError> {
        self.ws();
        let save = self.pos;
        if self.keyword("not") {
            // `not` must be followed by a space or a parenthesis.
            match self.peek() {
                Some(c) if c.is_ascii_whitespace() || c == b'(' => {
                    return Ok(Expr::Not(Box::new(self.parse_not()?)));
                }
                _ => self.pos = save,
            }
        }
        self.parse_primary()
    }

    fn parse_primary(&mut self) -> Result<Expr, ParseError> {
        self.ws();
        match self.peek() {
            None => self.err("unexpected end of condition"),
            Some(b'(') => {
                self.pos += 1;
                let e = self.parse_or()?;
                self.ws();
                if self.peek() != Some(b')') {
                    let t = self.last_token();
                    return self.err(format!("expected ')' after '{t}'"));
                }
                self.pos += 1;
                Ok(e)
            }
            Some(c) if is_ident_start(c) => {
                let start = self.pos;
                let word = self.peek_word();
                // Transformer call?
                let tr = match word {
                    "tolower" => Some(Transformer::ToLower),
                    "toupper" => Some(Transformer::ToUpper),
                    "b64" => Some(Transformer::B64),
                    "basename" => Some(Transformer::Basename),
                    "len" => Some(Transformer::Len),
                    _ => None,
                };
                if let Some(t) = tr
                    && self.b.get(self.pos + word.len()) == Some(&b'(')
                {
                    self.pos += word.len() + 1;
                    let mut f = self.parse_field_ref()?;
                    self.ws();
                    if self.peek() != Some(b')') {
                        return self.err("expected ')' after transformer argument");
                    }
                    self.pos += 1;
                    f.transformers.insert(0, t);
                    return self.parse_check(f);
                }
                let f = self.parse_field_ref()?;
                // A macro is a bare identifier not followed by an operator.
                let save = self.pos;
                self.ws();
                if self.at_operator() {
                    return self.parse_check(f);
                }
                self.pos = save;
                if matches!(f.name.as_str(), "and" | "or" | "not") {
                    return self.err(format!("unexpected keyword '{}'", f.name));
                }
                if f.arg.is_none() && !f.name.contains('.') {
                    return Ok(Expr::Macro(f.name));
                }
                self.pos = start + f.name.len();
                let t = self.last_token();
                self.err(format!(
                    "unexpected token after '{t}', expecting a comparison operator"
                ))
            }
            Some(_) => {
                let t = self.last_token();
                if t.is_empty() {
                    self.err(
                        "unexpected token at start of condition, expecting 'not', '(' or a field",
                    )
                } else {
                    self.err(format!(
                        "unexpected token after '{t}', expecting 'or', 'and'"
                    ))
                }
            }
        }
    }

    fn at_operator(&self) -> bool {
        let rest = &self.b[self.pos..];
        if rest.starts_with(b"=")
            || rest.starts_with(b"!=")
            || rest.starts_with(b"<")
            || rest.starts_with(b">")
        {
            return true;
        }
        let w = self.peek_word();
        WORD_OPS.contains(&w)
    }

    fn parse_field_ref(&mut self) -> Result<FieldRef, ParseError> {
        self.ws();
        let start = self.pos;
        while self.pos < self.b.len()
            && (is_ident_char(self.b[self.pos]) || self.b[self.pos] == b'.')
        {
            self.pos += 1;
        }
        if self.pos == start {
            return self.err("expected a field name");
        }
        let name = self.s[start..self.pos].to_string();
        let mut arg = None;
        if self.peek() == Some(b'[') {
            let a_start = self.pos + 1;
            let Some(rel) = self.s[a_start..].find(']') else {
                return self.err(format!("unterminated argument of field '{name}'"));
            };
            let raw = &self.s[a_start..a_start + rel];
            let raw = raw.trim();
            let unq = raw
                .strip_prefix('"')
                .and_then(|r| r.strip_suffix('"'))
                .or_else(|| raw.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
                .unwrap_or(raw);
            arg = Some(unq.to_string());
            self.pos = a_start + rel + 1;
        }
        Ok(FieldRef {
            transformers: Vec::new(),
            name,
            arg,
        })
    }

    fn parse_op(&mut self) -> Result<Op, ParseError> {
        self.ws();
        for sym in ["==", "!=", "<=", ">=", "=", "<", ">"] {
            if self.s[self.pos..].starts_with(sym) {
                self.pos += sym.len();
                return Op::from_name(sym).map_or_else(|| self.err("bad operator"), Ok);
            }
        }
        let w = self.peek_word();
        match Op::from_name(w) {
            Some(op) => {
                self.pos += w.len();
                Ok(op)
            }
            None => self.err(format!("unknown operator '{w}'")),
        }
    }

    fn parse_check(&mut self, field: FieldRef) -> Result<Expr, ParseError> {
        let op = self.parse_op()?;
        if op == Op::Exists {
            return Ok(Expr::Check {
                field,
                op,
                rhs: Vec::new(),
                paren: false,
            });
        }
        self.ws();
        if self.peek() == Some(b'(') {
            self.pos += 1;
            let mut items = Vec::new();
            loop {
                self.ws();
                match self.peek() {
                    Some(b')') => {
                        self.pos += 1;
                        break;
                    }
                    Some(b',') => {
                        self.pos += 1;
                    }
                    None => {
                        return self.err(format!("unterminated list after operator of '{field}'"));
                    }
                    _ => items.push(self.parse_operand()?),
                }
            }
            if !op.takes_list() && items.len() == 1 {
                return Ok(Expr::Check {
                    field,
                    op,
                    rhs: items,
                    paren: false,
                });
            }
            if !op.takes_list() {
                return self.err(format!(
                    "operator does not take a list of values in check on '{field}'"
                ));
            }
            return Ok(Expr::Check {
                field,
                op,
                rhs: items,
                paren: true,
            });
        }
        let v = self.parse_operand()?;
        Ok(Expr::Check {
            field,
            op,
            rhs: vec![v],
            paren: false,
        })
    }

    fn parse_operand(&mut self) -> Result<Operand, ParseError> {
        self.ws();
        match self.peek() {
            Some(q @ (b'"' | b'\'')) => {
                self.pos += 1;
                let mut out = String::new();
                loop {
                    let Some(c) = self.s[self.pos..].chars().next() else {
                        return self.err("unterminated quoted string");
                    };
                    self.pos += c.len_utf8();
                    if c as u32 == q as u32 {
                        break;
                    }
                    if c == '\\' {
                        let Some(n) = self.s[self.pos..].chars().next() else {
                            return self.err("unterminated quoted string");
                        };
                        self.pos += n.len_utf8();
                        match n {
                            'n' => out.push('\n'),
                            't' => out.push('\t'),
                            'r' => out.push('\r'),
                            '"' | '\'' | '\\' => out.push(n),
                            other => {
                                out.push('\\');
                                out.push(other);
                            }
                        }
                    } else {
                        out.push(c);
                    }
                }
                Ok(Operand::Lit {
                    text: out,
                    quoted: true,
                })
            }
            Some(_) => {
                if self.s[self.pos..].starts_with("val(") {
                    self.pos += 4;
                    let f = self.parse_field_ref()?;
                    self.ws();
                    if self.peek() != Some(b')') {
                        return self.err("expected ')' after val() argument");
                    }
                    self.pos += 1;
                    return Ok(Operand::Field(f));
                }
                let start = self.pos;
                while self.pos < self.b.len() && is_bare_char(self.b[self.pos]) {
                    self.pos += 1;
                }
                if self.pos == start {
                    let t = self.last_token();
                    return self.err(format!("expected a value after '{t}'"));
                }
                Ok(Operand::Lit {
                    text: self.s[start..self.pos].to_string(),
                    quoted: false,
                })
            }
            None => {
                let t = self.last_token();
                self.err(format!("expected a value after '{t}'"))
            }
        }
    }
}

/// Parses a condition.
pub fn parse(cond: &str) -> Result<Expr, ParseError> {
    let mut p = Parser {
        s: cond,
        b: cond.as_bytes(),
        pos: 0,
    };
    let e = p.parse_or()?;
    p.ws();
    if p.pos < p.b.len() {
        let t = p.last_token();
        return p.err(format!(
            "unexpected token after '{t}', expecting 'or', 'and'"
        ));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_falco_conditions() {
        let e = parse(
            "evt.type in (open, openat) and not proc.name=cat and fd.name startswith \"/etc\"",
        )
        .expect("valid");
        let Expr::And(items) = e else {
            panic!("not and")
        };
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[1], Expr::Not(_)));
        let e = parse("spawned_process and proc.aname[2]=sshd").expect("valid");
        let Expr::And(items) = e else {
            panic!("not and")
        };
        assert_eq!(items[0], Expr::Macro("spawned_process".into()));
        let Expr::Check { field, .. } = &items[1] else {
            panic!("not check")
        };
        assert_eq!(field.arg.as_deref(), Some("2"));
        let e =
            parse("jevt.value[/annotations/authorization.k8s.io~1decision] exists").expect("valid");
        assert!(matches!(e, Expr::Check { op: Op::Exists, .. }));
        assert!(parse("tolower(proc.name) = bash").is_ok());
    }

    #[test]
    fn reports_errors() {
        let e = parse("evt.type=execve execve").expect_err("invalid");
        assert_eq!(
            e.message,
            "unexpected token after 'execve', expecting 'or', 'and'"
        );
        assert!(parse("(proc.name=a").is_err());
        assert!(parse("proc.name in (a, b").is_err());
        assert!(parse("").is_err());
    }
}
