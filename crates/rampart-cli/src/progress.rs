//! Progress on stderr: shown only on a terminal, never in CI, never with `--quiet`.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// A spinner with a message, or a hidden one when progress must not show.
pub fn spinner(quiet: bool, message: &str) -> ProgressBar {
    let show = !quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    if !show {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        pb.set_style(style);
    }
    pb.set_message(message.to_string());
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}
