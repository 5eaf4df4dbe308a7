//! Every lockfile and metadata parser over arbitrary bytes: the first byte picks the format.
#![no_main]
use rampart_inventory::lang::{classify, parse};

const PATHS: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "node_modules/x/package.json",
    "requirements.txt",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "site-packages/x-1.0.dist-info/METADATA",
    "go.mod",
    "Gemfile.lock",
    "specifications/x-1.0.gemspec",
    "composer.lock",
    "lib/x.jar",
    "pom.xml",
    "packages.lock.json",
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let path = PATHS[first as usize % PATHS.len()];
    if let Some(kind) = classify(path) {
        let _ = parse(kind, path, rest);
    }
});
