//! Dockerfiles: a parser that keeps lines (continuations, comments, the `escape` directive,
//! heredocs, multi-stage builds, `ARG`/`ENV` expansion) and the checks run over it. Image
//! contents are rampart-inventory's business; this module reads only the build recipe.

pub(crate) mod parse;
pub(crate) mod rules;

pub use parse::{Dockerfile, Instruction, Stage, parse_dockerfile};

use crate::{Config, MisconfigError, Misconfiguration};
use rampart_core::Diagnostic;

/// Check one Dockerfile.
///
/// Problems the parser can step over (an unterminated heredoc, instructions before the
/// first `FROM`) become diagnostics; only an input past the size limit is an error.
pub fn scan_dockerfile(
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
    let (df, diags) = parse_dockerfile(path, text);
    Ok((rules::check(path, &df), diags))
}
