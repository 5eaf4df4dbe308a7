//! Lockfile inventories against Trivy's golden reports (`trivy-integration-golden`): for each
//! `fixtures/repo/X` lockfile, rampart must find the packages Trivy lists (name, version).
//! Every disagreement is listed with its reason; an unlisted one fails the test.

#[path = "lang_common.rs"]
mod common;

use rampart_core::Scope;
use rampart_inventory::lang::LockfileKind::{self, *};
use std::collections::BTreeSet;
use std::path::Path;

/// A known difference: the package (`name@version`) and why.
type Known = (&'static str, &'static str);

/// Trivy's packages for `target` in `golden`: the full `Packages` list when the golden has
/// one (`true`), else the packages its vulnerabilities name (`false`, a subset).
fn golden_packages(golden: &Path, target: &str) -> (BTreeSet<String>, bool) {
    let text =
        std::fs::read_to_string(golden).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
    let doc: serde_json::Value = serde_json::from_str(&text).expect("golden JSON");
    let results = doc["Results"].as_array().expect("Results");
    let result = results
        .iter()
        .find(|r| r["Target"] == target)
        .unwrap_or_else(|| panic!("{}: no result for {target}", golden.display()));
    let id = |name: &serde_json::Value, version: &serde_json::Value| {
        format!(
            "{}@{}",
            name.as_str().unwrap_or(""),
            version.as_str().unwrap_or("")
        )
    };
    match result["Packages"].as_array() {
        Some(pkgs) => (
            pkgs.iter().map(|p| id(&p["Name"], &p["Version"])).collect(),
            true,
        ),
        None => (
            result["Vulnerabilities"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .map(|v| id(&v["PkgName"], &v["InstalledVersion"]))
                        .collect()
                })
                .unwrap_or_default(),
            false,
        ),
    }
}

/// Parse `fixtures/repo/<file>` as `kind` and compare with `golden`'s result for `target`.
/// `with_dev`: compare all packages (else dev- and test-scoped ones are left out, as Trivy
/// does by default). `missing`/`extra`: the expected disagreements.
fn check(
    kind: LockfileKind,
    golden: &str,
    file: &str,
    target: &str,
    with_dev: bool,
    missing: &[Known],
    extra: &[Known],
) {
    let Some(root) = common::corpus("trivy-integration-golden") else {
        return;
    };
    let (want, complete) = golden_packages(&root.join(golden), target);
    let path = root.join("fixtures/repo").join(file);
    let (pkgs, _) = common::parse_file(kind, &path).unwrap_or_else(|e| panic!("{e}"));
    let got: BTreeSet<String> = pkgs
        .iter()
        .filter(|p| with_dev || !matches!(p.scope, Some(Scope::Dev | Scope::Test)))
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    let got_missing: BTreeSet<&str> = want.difference(&got).map(String::as_str).collect();
    let want_missing: BTreeSet<&str> = missing.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        got_missing, want_missing,
        "{file}: packages Trivy reports that rampart does not"
    );
    if complete {
        let got_extra: BTreeSet<&str> = got.difference(&want).map(String::as_str).collect();
        let want_extra: BTreeSet<&str> = extra.iter().map(|(id, _)| *id).collect();
        assert_eq!(
            got_extra, want_extra,
            "{file}: packages rampart reports that Trivy does not"
        );
    }
}

const PROJECT_ITSELF: &str = "the scanned project itself, which Trivy reads from its manifest; rampart reports dependencies only";

#[test]
fn npm_package_lock() {
    check(
        PackageLockJson,
        "npm.json.golden",
        "npm/package-lock.json",
        "package-lock.json",
        false,
        &[],
        &[],
    );
    check(
        PackageLockJson,
        "npm-with-dev.json.golden",
        "npm/package-lock.json",
        "package-lock.json",
        true,
        &[],
        &[],
    );
}

#[test]
fn yarn_lock() {
    let dev = "a devDependency per package.json; yarn.lock alone does not record dev";
    check(
        YarnLock,
        "yarn.json.golden",
        "yarn/yarn.lock",
        "yarn.lock",
        false,
        &[("integration@1.0.0", PROJECT_ITSELF)],
        &[("asap@2.0.6", dev), ("promise@8.0.3", dev)],
    );
}

#[test]
fn pnpm_lock() {
    check(
        PnpmLock,
        "pnpm.json.golden",
        "pnpm/pnpm-lock.yaml",
        "pnpm-lock.yaml",
        false,
        &[],
        &[],
    );
}

#[test]
fn python_lockfiles() {
    check(
        RequirementsTxt,
        "pip.json.golden",
        "pip/requirements.txt",
        "requirements.txt",
        false,
        &[],
        &[],
    );
    check(
        PipfileLock,
        "pipenv.json.golden",
        "pipenv/Pipfile.lock",
        "Pipfile.lock",
        false,
        &[],
        &[],
    );
    check(
        PoetryLock,
        "poetry.json.golden",
        "poetry/poetry.lock",
        "poetry.lock",
        false,
        &[],
        &[],
    );
    check(
        UvLock,
        "uv.json.golden",
        "uv/uv.lock",
        "uv.lock",
        false,
        &[("uv-test@0.1.0", PROJECT_ITSELF)],
        &[],
    );
    check(
        PipfileLock,
        "test-repo.json.golden",
        "trivy-ci-test/Pipfile.lock",
        "Pipfile.lock",
        false,
        &[],
        &[],
    );
}

#[test]
fn cargo_lock() {
    let dev = "a dev-dependency per Cargo.toml; Cargo.lock alone does not record dev";
    check(
        CargoLock,
        "cargo.lock.json.golden",
        "cargo/Cargo.lock",
        "Cargo.lock",
        false,
        &[],
        &[
            ("winapi@0.3.9", dev),
            ("winapi-i686-pc-windows-gnu@0.4.0", dev),
            ("winapi-x86_64-pc-windows-gnu@0.4.0", dev),
        ],
    );
    check(
        CargoLock,
        "test-repo.json.golden",
        "trivy-ci-test/Cargo.lock",
        "Cargo.lock",
        false,
        &[],
        &[],
    );
}

#[test]
fn go_mod() {
    check(
        GoMod,
        "gomod.json.golden",
        "gomod/go.mod",
        "go.mod",
        false,
        &[],
        &[],
    );
    check(
        GoMod,
        "gomod.json.golden",
        "gomod/submod/go.mod",
        "submod/go.mod",
        false,
        &[],
        &[],
    );
    let from_sum = "a `go 1.15` go.mod lists no indirect modules; Trivy reads them from go.sum, rampart reads go.mod alone";
    check(
        GoMod,
        "gomod.json.golden",
        "gomod/submod2/go.mod",
        "submod2/go.mod",
        false,
        &[(
            "github.com/docker/distribution@v2.7.1+incompatible",
            from_sum,
        )],
        &[],
    );
}

#[test]
fn composer() {
    check(
        ComposerLock,
        "composer.lock.json.golden",
        "composer/composer.lock",
        "composer.lock",
        false,
        &[],
        &[],
    );
    check(
        ComposerLock,
        "composer.vendor.json.golden",
        "composer-vendor/installed.json",
        "installed.json",
        false,
        &[],
        &[],
    );
}

#[test]
fn nuget() {
    check(
        NugetLock,
        "nuget.json.golden",
        "nuget/packages.lock.json",
        "packages.lock.json",
        false,
        &[],
        &[],
    );
}

#[test]
fn pom_xml() {
    check(
        PomXml,
        "pom.json.golden",
        "pom/pom.xml",
        "pom.xml",
        false,
        &[],
        &[],
    );
}
