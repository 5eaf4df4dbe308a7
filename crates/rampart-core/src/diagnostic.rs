//! Recoverable problems met while reading input: one bad entry never drops the rest.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Worth knowing; the result is complete.
    Info,
    /// Part of the input was skipped; the result may be incomplete.
    Warning,
}

/// A problem in one place of the input, named by path (and line when known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// How serious it is.
    pub level: Level,
    /// The file (or archive member) it concerns.
    pub path: String,
    /// 1-based line, when the problem has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What went wrong, in one line.
    pub message: String,
}

impl Diagnostic {
    /// A warning about `path`.
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            level: Level::Warning,
            path: path.into(),
            line: None,
            message: message.into(),
        }
    }

    /// The same diagnostic, pointing at `line`.
    pub fn at_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}: line {}: {}", self.path, line, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}
