//! The Sigma condition grammar: `and`, `or`, `not`, parentheses, `1 of x*`, `all of x*`,
//! `1 of them`, `all of them`, with precedence `not` > `and` > `or`.
//!
//! Parsing resolves selection names (and their wildcard patterns) to indices, so the
//! evaluator never sees a name. Aggregations (`| count() ...`) and `near` belong to
//! Sigma's correlation rules and are reported as unsupported by the caller.

/// A parsed condition over selection indices.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    /// One selection.
    Sel(usize),
    /// Every operand holds.
    And(Vec<Cond>),
    /// Some operand holds.
    Or(Vec<Cond>),
    /// The operand does not hold.
    Not(Box<Cond>),
}

/// Why a condition could not be parsed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CondError {
    /// Malformed text.
    Syntax(String),
    /// A valid construct rampart does not evaluate.
    Unsupported(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Not,
    One,
    All,
    Word(String),
}

fn tokenize(text: &str) -> Result<Vec<Tok>, CondError> {
    let mut toks = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' {
            toks.push(Tok::LParen);
            chars.next();
        } else if c == ')' {
            toks.push(Tok::RParen);
            chars.next();
        } else if c == '|' {
            return Err(CondError::Unsupported(format!(
                "aggregation in condition `{}`",
                text[i..].trim()
            )));
        } else if c.is_alphanumeric() || matches!(c, '_' | '*' | '-' | '.') {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() || matches!(d, '_' | '*' | '-' | '.') {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = &text[i..end];
            toks.push(match word.to_ascii_lowercase().as_str() {
                "and" => Tok::And,
                "or" => Tok::Or,
                "not" => Tok::Not,
                "1" | "any" => Tok::One,
                "all" => Tok::All,
                "near" => {
                    return Err(CondError::Unsupported("`near` in condition".to_string()));
                }
                _ => Tok::Word(word.to_string()),
            });
        } else {
            return Err(CondError::Syntax(format!(
                "unexpected character {c:?} in condition"
            )));
        }
    }
    Ok(toks)
}

/// Parses `text`, resolving names against `names` (the detection's selections in order).
pub(crate) fn parse(text: &str, names: &[String]) -> Result<Cond, CondError> {
    let toks = tokenize(text)?;
    if toks.is_empty() {
        return Err(CondError::Syntax("empty condition".to_string()));
    }
    let mut p = CondParser {
        toks,
        pos: 0,
        names,
        depth: 0,
    };
    let cond = p.or()?;
    if p.pos != p.toks.len() {
        return Err(CondError::Syntax(format!(
            "unexpected {} in condition",
            p.describe()
        )));
    }
    Ok(cond)
}

struct CondParser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    names: &'a [String],
    depth: usize,
}

const MAX_DEPTH: usize = 200;

impl CondParser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn describe(&self) -> String {
        match self.peek() {
            None => "end".to_string(),
            Some(Tok::Word(w)) => format!("`{w}`"),
            Some(t) => format!("{t:?}").to_lowercase(),
        }
    }

    fn or(&mut self) -> Result<Cond, CondError> {
        let mut items = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Cond::Or(Vec::new()))
        } else {
            Cond::Or(items)
        })
    }

    fn and(&mut self) -> Result<Cond, CondError> {
        let mut items = vec![self.not()?];
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 {
            items.pop().unwrap_or(Cond::And(Vec::new()))
        } else {
            Cond::And(items)
        })
    }

    fn not(&mut self) -> Result<Cond, CondError> {
        if self.peek() == Some(&Tok::Not) {
            self.pos += 1;
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(CondError::Syntax("condition nested too deeply".to_string()));
            }
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Cond::Not(Box::new(inner)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Cond, CondError> {
        match self.peek().cloned() {
            Some(Tok::LParen) => {
                self.pos += 1;
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(CondError::Syntax("condition nested too deeply".to_string()));
                }
                let inner = self.or()?;
                self.depth -= 1;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(CondError::Syntax(format!(
                        "expected `)` but found {} in condition",
                        self.describe()
                    )));
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(q @ (Tok::One | Tok::All)) => {
                self.pos += 1;
                match self.peek() {
                    Some(Tok::Word(w)) if w.eq_ignore_ascii_case("of") => self.pos += 1,
                    _ => {
                        return Err(CondError::Syntax(format!(
                            "expected `of` but found {} in condition",
                            self.describe()
                        )));
                    }
                }
                let Some(Tok::Word(pattern)) = self.peek().cloned() else {
                    return Err(CondError::Syntax(format!(
                        "expected a selection pattern after `of` but found {}",
                        self.describe()
                    )));
                };
                self.pos += 1;
                let sels = self.expand(&pattern)?;
                let items = sels.into_iter().map(Cond::Sel).collect();
                Ok(if q == Tok::All {
                    Cond::And(items)
                } else {
                    Cond::Or(items)
                })
            }
            Some(Tok::Word(w)) => {
                self.pos += 1;
                match self.names.iter().position(|n| *n == w) {
                    Some(i) => Ok(Cond::Sel(i)),
                    None => Err(CondError::Syntax(format!(
                        "condition names `{w}`, which is not a selection"
                    ))),
                }
            }
            _ => Err(CondError::Syntax(format!(
                "expected a selection but found {} in condition",
                self.describe()
            ))),
        }
    }

    fn expand(&self, pattern: &str) -> Result<Vec<usize>, CondError> {
        let found: Vec<usize> = if pattern.eq_ignore_ascii_case("them") {
            self.names
                .iter()
                .enumerate()
                .filter(|(_, n)| !n.starts_with('_'))
                .map(|(i, _)| i)
                .collect()
        } else {
            self.names
                .iter()
                .enumerate()
                .filter(|(_, n)| name_glob(pattern, n))
                .map(|(i, _)| i)
                .collect()
        };
        if found.is_empty() {
            return Err(CondError::Syntax(format!(
                "`{pattern}` in condition matches no selection"
            )));
        }
        Ok(found)
    }
}

/// `*` matches any run of characters in a selection name.
fn name_glob(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn precedence_not_and_or() {
        let n = names(&["a", "b", "c"]);
        assert_eq!(
            parse("a or b and not c", &n).unwrap(),
            Cond::Or(vec![
                Cond::Sel(0),
                Cond::And(vec![Cond::Sel(1), Cond::Not(Box::new(Cond::Sel(2)))])
            ])
        );
        assert_eq!(
            parse("(a or b) and c", &n).unwrap(),
            Cond::And(vec![
                Cond::Or(vec![Cond::Sel(0), Cond::Sel(1)]),
                Cond::Sel(2)
            ])
        );
    }

    #[test]
    fn quantifiers() {
        let n = names(&["sel_a", "sel_b", "filter", "_hidden"]);
        assert_eq!(
            parse("1 of sel_* and not filter", &n).unwrap(),
            Cond::And(vec![
                Cond::Or(vec![Cond::Sel(0), Cond::Sel(1)]),
                Cond::Not(Box::new(Cond::Sel(2)))
            ])
        );
        assert_eq!(
            parse("all of them", &n).unwrap(),
            Cond::And(vec![Cond::Sel(0), Cond::Sel(1), Cond::Sel(2)])
        );
        assert!(matches!(parse("1 of nope*", &n), Err(CondError::Syntax(_))));
    }

    #[test]
    fn errors() {
        let n = names(&["a", "b"]);
        for bad in ["(a and b", "a and", "a b", "a )", "", "and", "c", "a & b"] {
            assert!(
                matches!(parse(bad, &n), Err(CondError::Syntax(_))),
                "{bad:?} -> {:?}",
                parse(bad, &n)
            );
        }
        assert!(matches!(
            parse("a | count() > 5", &n),
            Err(CondError::Unsupported(_))
        ));
        let deep = format!("{}a{}", "(".repeat(5000), ")".repeat(5000));
        assert!(parse(&deep, &n).is_err());
    }

    #[test]
    fn globs() {
        assert!(name_glob("sel*", "selection"));
        assert!(name_glob("*_x", "a_x"));
        assert!(name_glob("a*b*c", "a1b2c"));
        assert!(!name_glob("a*b*c", "abx"));
        assert!(!name_glob("ab*ba", "aba"));
    }
}
