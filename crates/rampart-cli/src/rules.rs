//! `rampart rules list`: every built-in rule, from its one declaration.

use crate::cli::{RulesCommand, StatusFormat};
use anyhow::Result;
use rampart_core::RuleMeta;

/// Every built-in rule, all engines.
pub fn all() -> Vec<&'static RuleMeta> {
    rampart_misconfig::rules().iter().collect()
}

/// Run `rampart rules …`.
pub fn run(cmd: RulesCommand) -> Result<u8> {
    match cmd {
        RulesCommand::Check(args) => crate::detect::check(&args),
        RulesCommand::List { format } => {
            let rules = all();
            let text = match format {
                StatusFormat::Json => format!("{}\n", serde_json::to_string_pretty(&rules)?),
                StatusFormat::Table => {
                    let mut s = String::new();
                    let w = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
                    for r in &rules {
                        s.push_str(&format!(
                            "{:<w$}  {:<8}  {}\n",
                            r.id,
                            r.severity.as_str(),
                            r.title
                        ));
                        if !r.frameworks.is_empty() {
                            s.push_str(&format!(
                                "{:<w$}  {:<8}  controls: {}\n",
                                "",
                                "",
                                r.frameworks.join(", ")
                            ));
                        }
                    }
                    s
                }
            };
            crate::output::write(&text, None)?;
            Ok(0)
        }
    }
}
