//! Shared by the integration tests: where the corpus is.

use std::path::{Path, PathBuf};

/// `../shared/corpus/<sub>`, or `None` (the test returns) when it is missing outside CI;
/// under `CI=true` a missing corpus fails the test.
pub fn corpus(sub: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(sub);
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "corpus folder {} is missing (CI=true)",
        p.display()
    );
    eprintln!("note: {} missing; skipped", p.display());
    None
}
