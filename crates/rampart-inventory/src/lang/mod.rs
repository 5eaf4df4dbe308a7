//! Language lockfiles, installed-package metadata and binaries.
//!
//! This module owns the language side of the inventory: it recognises files by name
//! ([`classify`]) or by their first bytes ([`may_be_binary`]) and turns their bytes into
//! [`Package`]s ([`parse`]). It never opens files; walking a filesystem or image layer and
//! reading the bytes is left to the caller. Operating-system package databases live in
//! [`crate::os`].
//!
//! ```
//! use rampart_inventory::lang::{classify, parse, LockfileKind};
//! let lock = b"[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\n";
//! let kind = classify("app/Cargo.lock").unwrap();
//! assert_eq!(kind, LockfileKind::CargoLock);
//! let (pkgs, _diags) = parse(kind, "app/Cargo.lock", lock).unwrap();
//! assert_eq!(pkgs[0].purl, "pkg:cargo/serde@1.0.200");
//! ```

mod binary;
mod cargo;
mod dotnet;
mod golang;
mod java;
mod npm;
mod php;
mod python;
mod ruby;

use crate::InventoryError;
use rampart_core::{Diagnostic, Ecosystem, Package, Scope};

/// The kinds of language-package evidence rampart reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LockfileKind {
    /// Rust `Cargo.lock` (format v1 to v4).
    CargoLock,
    /// npm `package-lock.json` / `npm-shrinkwrap.json` (v1, v2, v3).
    PackageLockJson,
    /// `yarn.lock`, classic (v1) or Berry (YAML).
    YarnLock,
    /// `pnpm-lock.yaml` (v5, v6, v9).
    PnpmLock,
    /// An installed package's `node_modules/**/package.json`.
    NodeModulesPackageJson,
    /// pip `requirements*.txt` (pinned `==` lines only).
    RequirementsTxt,
    /// `poetry.lock`.
    PoetryLock,
    /// Pipenv `Pipfile.lock`.
    PipfileLock,
    /// `uv.lock`.
    UvLock,
    /// Installed Python metadata: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO`.
    PythonMetadata,
    /// Go `go.mod`.
    GoMod,
    /// A Go executable with embedded build information.
    GoBinary,
    /// A Rust executable built with `cargo auditable` (`.dep-v0` section).
    RustBinary,
    /// Bundler `Gemfile.lock` / `gems.locked`.
    GemfileLock,
    /// An installed gem's `specifications/*.gemspec`.
    Gemspec,
    /// PHP `composer.lock` (and Composer's `vendor/composer/installed.json`).
    ComposerLock,
    /// Java archives (`.jar`, `.war`, `.ear`, `.par`), nested archives included.
    Jar,
    /// Maven `pom.xml` (direct dependencies).
    PomXml,
    /// NuGet `packages.lock.json`.
    NugetLock,
}

impl LockfileKind {
    /// The ecosystem of the packages this kind yields (Go and Rust binaries both report their
    /// own language; a Go candidate may turn out to be a Rust binary).
    pub fn ecosystem(self) -> Ecosystem {
        use LockfileKind::*;
        match self {
            CargoLock | RustBinary => Ecosystem::Cargo,
            PackageLockJson | YarnLock | PnpmLock | NodeModulesPackageJson => Ecosystem::Npm,
            RequirementsTxt | PoetryLock | PipfileLock | UvLock | PythonMetadata => Ecosystem::PyPI,
            GoMod | GoBinary => Ecosystem::Go,
            GemfileLock | Gemspec => Ecosystem::RubyGems,
            ComposerLock => Ecosystem::Packagist,
            Jar | PomXml => Ecosystem::Maven,
            NugetLock => Ecosystem::NuGet,
        }
    }
}

/// Recognise a language-package file by its path alone (cheap; meant for every file).
///
/// Paths use `/` separators. Binaries are not recognised here: see [`may_be_binary`].
pub fn classify(path: &str) -> Option<LockfileKind> {
    let (dir, file) = match path.rsplit_once('/') {
        Some((d, f)) => (d, f),
        None => ("", path),
    };
    let parent = dir.rsplit('/').next().unwrap_or("");
    let kind = match file {
        "Cargo.lock" => LockfileKind::CargoLock,
        "package-lock.json" | "npm-shrinkwrap.json" => LockfileKind::PackageLockJson,
        "yarn.lock" => LockfileKind::YarnLock,
        "pnpm-lock.yaml" => LockfileKind::PnpmLock,
        "package.json" if is_node_modules_dir(dir) => LockfileKind::NodeModulesPackageJson,
        "poetry.lock" => LockfileKind::PoetryLock,
        "Pipfile.lock" => LockfileKind::PipfileLock,
        "uv.lock" => LockfileKind::UvLock,
        "METADATA" if parent.ends_with(".dist-info") => LockfileKind::PythonMetadata,
        "PKG-INFO" if parent.ends_with(".egg-info") => LockfileKind::PythonMetadata,
        "go.mod" => LockfileKind::GoMod,
        "Gemfile.lock" | "gems.locked" => LockfileKind::GemfileLock,
        "composer.lock" => LockfileKind::ComposerLock,
        "installed.json" if dir.ends_with("vendor/composer") || dir == "composer" => {
            LockfileKind::ComposerLock
        }
        "pom.xml" => LockfileKind::PomXml,
        "packages.lock.json" => LockfileKind::NugetLock,
        _ => {
            let lower = file.to_ascii_lowercase();
            if lower.ends_with(".txt") && lower.contains("requirements") {
                LockfileKind::RequirementsTxt
            } else if lower.ends_with(".egg-info") {
                LockfileKind::PythonMetadata
            } else if file.ends_with(".gemspec") && parent == "specifications" {
                LockfileKind::Gemspec
            } else if [".jar", ".war", ".ear", ".par"]
                .iter()
                .any(|ext| lower.ends_with(ext))
            {
                LockfileKind::Jar
            } else {
                return None;
            }
        }
    };
    Some(kind)
}

/// True when `dir` is a package folder directly under some `node_modules` (`node_modules/x`
/// or `node_modules/@scope/x`).
fn is_node_modules_dir(dir: &str) -> bool {
    let mut parts = dir.rsplit('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(_), Some("node_modules"), _) => true,
        (Some(_), Some(scope), Some("node_modules")) => scope.starts_with('@'),
        _ => false,
    }
}

/// Decide from a file's mode and first bytes (at least 4) whether it may be a Go or Rust
/// executable worth reading whole. ELF and Mach-O files count when any execute bit is set
/// in `mode` (or `mode` is 0, unknown); PE files (`MZ`) always count.
///
/// Shared libraries and objects (`.so`, `.so.1`, `.dylib`, `.dll`, `.ko`, `.o`) are not
/// candidates: Go and `cargo auditable` evidence lives in executables, and images hold
/// thousands of libraries with execute bits.
///
/// Returns [`LockfileKind::GoBinary`] for every candidate: [`parse`] with that kind reads Go
/// build information and, when there is none, a `cargo auditable` dependency list.
pub fn may_be_binary(path: &str, mode: u32, first_bytes: &[u8]) -> Option<LockfileKind> {
    let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let library = [".so", ".dylib", ".dll", ".ko", ".o"]
        .iter()
        .any(|ext| file.ends_with(ext))
        || file.contains(".so.");
    if library {
        return None;
    }
    let exec = mode == 0 || mode & 0o111 != 0;
    let magic = first_bytes.get(..4)?;
    let elf = magic == b"\x7fELF";
    let macho = matches!(
        magic,
        [0xfe, 0xed, 0xfa, 0xce]
            | [0xce, 0xfa, 0xed, 0xfe]
            | [0xfe, 0xed, 0xfa, 0xcf]
            | [0xcf, 0xfa, 0xed, 0xfe]
    );
    let pe = magic.starts_with(b"MZ");
    if ((elf || macho) && exec) || pe {
        Some(LockfileKind::GoBinary)
    } else {
        None
    }
}

/// Packages and recoverable problems found in one file.
pub type Parsed = (Vec<Package>, Vec<Diagnostic>);

/// Read the packages out of one file's bytes.
///
/// `path` is only used for locations and messages. An input that cannot be read at all is
/// an [`InventoryError`] naming `path`; a bad entry inside a readable file becomes a
/// [`Diagnostic`] and the other entries are still returned.
pub fn parse(kind: LockfileKind, path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    use LockfileKind::*;
    match kind {
        CargoLock => cargo::parse_lock(path, data),
        PackageLockJson => npm::parse_package_lock(path, data),
        YarnLock => npm::parse_yarn_lock(path, data),
        PnpmLock => npm::parse_pnpm_lock(path, data),
        NodeModulesPackageJson => npm::parse_package_json(path, data),
        RequirementsTxt => python::parse_requirements(path, data),
        PoetryLock => python::parse_poetry_lock(path, data),
        PipfileLock => python::parse_pipfile_lock(path, data),
        UvLock => python::parse_uv_lock(path, data),
        PythonMetadata => python::parse_metadata(path, data),
        GoMod => golang::parse_go_mod(path, data),
        GoBinary | RustBinary => binary::parse(path, data),
        GemfileLock => ruby::parse_gemfile_lock(path, data),
        Gemspec => ruby::parse_gemspec(path, data),
        ComposerLock => php::parse_composer_lock(path, data),
        Jar => java::parse_jar(path, data),
        PomXml => java::parse_pom(path, data),
        NugetLock => dotnet::parse_packages_lock(path, data),
    }
}

/// An informational diagnostic about `path` (the result is complete).
pub(crate) fn info(path: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        level: rampart_core::Level::Info,
        path: path.to_string(),
        line: None,
        message: message.into(),
    }
}

/// A package found at `path` with the ecosystem's default purl.
pub(crate) fn package(eco: Ecosystem, name: &str, version: &str, path: &str) -> Package {
    Package::new(name, version, eco).at(path)
}

/// `data` as UTF-8 text (a leading byte-order mark dropped), or an error naming `path`.
pub(crate) fn text<'a>(path: &str, data: &'a [u8]) -> Result<&'a str, InventoryError> {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    std::str::from_utf8(data)
        .map_err(|e| InventoryError::parse(path, format!("not UTF-8 text: {e}")))
}

/// `s` on one line: line breaks become `; `.
/// Long messages (which may quote the input) are cut at 200 characters.
pub(crate) fn one_line(s: &str) -> String {
    let joined = s
        .trim()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    match joined.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", joined.get(..cut).unwrap_or("")),
        None => joined,
    }
}

/// Deserialize JSON, naming `path` and the position on failure.
pub(crate) fn json<'a, T: serde::Deserialize<'a>>(
    path: &str,
    data: &'a [u8],
) -> Result<T, InventoryError> {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    serde_json::from_slice(data).map_err(|e| {
        InventoryError::parse(path, format!("invalid JSON: {}", one_line(&e.to_string())))
    })
}

/// Deserialize TOML, naming `path` and the reason on failure.
pub(crate) fn toml_de<T: serde::de::DeserializeOwned>(
    path: &str,
    data: &[u8],
) -> Result<T, InventoryError> {
    let s = text(path, data)?;
    toml::from_str(s).map_err(|e| {
        let at = e
            .span()
            .map(|r| {
                let before = s.get(..r.start).unwrap_or("");
                format!(" at line {}", before.matches('\n').count() + 1)
            })
            .unwrap_or_default();
        InventoryError::parse(path, format!("invalid TOML{at}: {}", one_line(e.message())))
    })
}

/// Deserialize YAML, naming `path` and the reason on failure.
pub(crate) fn yaml<T: serde::de::DeserializeOwned>(
    path: &str,
    data: &[u8],
) -> Result<T, InventoryError> {
    let s = text(path, data)?;
    let depth = flow_depth(s.as_bytes());
    if depth > MAX_YAML_FLOW_DEPTH {
        return Err(InventoryError::parse(
            path,
            format!(
                "invalid YAML: flow collections nested {depth} deep (limit {MAX_YAML_FLOW_DEPTH})"
            ),
        ));
    }
    serde_yaml::from_str(s).map_err(|e| {
        InventoryError::parse(path, format!("invalid YAML: {}", one_line(&e.to_string())))
    })
}

/// Deepest `[`/`{` nesting accepted in lockfile YAML (the parser slows down sharply on deep
/// flow collections; real lockfiles nest two or three).
const MAX_YAML_FLOW_DEPTH: usize = 64;

/// Deepest nesting of `[` and `{` outside quoted scalars.
fn flow_depth(data: &[u8]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut quote: Option<u8> = None;
    for &b in data {
        match (quote, b) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'[' | b'{') => {
                depth += 1;
                max = max.max(depth);
            }
            (None, b']' | b'}') => depth = depth.saturating_sub(1),
            (None, b'\n') => {}
            _ => {}
        }
    }
    max
}

/// Merge packages with the same name and version (keeping the first location), the
/// broadest scope winning: runtime over optional over dev/test.
pub(crate) fn dedup(pkgs: Vec<Package>) -> Vec<Package> {
    let mut out: Vec<Package> = Vec::with_capacity(pkgs.len());
    let mut index: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::with_capacity(pkgs.len());
    for p in pkgs {
        let key = (p.name.clone(), p.version.clone());
        match index.get(&key).and_then(|&i| out.get_mut(i)) {
            Some(existing) => existing.scope = broader(existing.scope, p.scope),
            None => {
                index.insert(key, out.len());
                out.push(p);
            }
        }
    }
    out
}

/// The broader of two scopes (`None` means runtime).
fn broader(a: Option<Scope>, b: Option<Scope>) -> Option<Scope> {
    fn rank(s: Option<Scope>) -> u8 {
        match s {
            None | Some(Scope::Runtime) => 3,
            Some(Scope::Optional) => 2,
            Some(Scope::Test) => 1,
            Some(Scope::Dev) => 0,
        }
    }
    if rank(a) >= rank(b) { a } else { b }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_by_name() {
        use LockfileKind::*;
        let cases = [
            ("a/Cargo.lock", Some(CargoLock)),
            ("package-lock.json", Some(PackageLockJson)),
            (
                "x/node_modules/lodash/package.json",
                Some(NodeModulesPackageJson),
            ),
            (
                "x/node_modules/@babel/core/package.json",
                Some(NodeModulesPackageJson),
            ),
            ("x/package.json", None),
            ("requirements-dev.txt", Some(RequirementsTxt)),
            ("the_requirements_for_test.txt", Some(RequirementsTxt)),
            ("notes.txt", None),
            (
                "site-packages/six-1.16.0.dist-info/METADATA",
                Some(PythonMetadata),
            ),
            ("site-packages/foo.egg-info/PKG-INFO", Some(PythonMetadata)),
            ("gems/specifications/rake-13.0.gemspec", Some(Gemspec)),
            ("app.gemspec", None),
            ("lib/spring-core-5.3.jar", Some(Jar)),
            ("app/vendor/composer/installed.json", Some(ComposerLock)),
            ("packages.lock.json", Some(NugetLock)),
        ];
        for (path, want) in cases {
            assert_eq!(classify(path), want, "{path}");
        }
    }

    #[test]
    fn binary_magic() {
        assert_eq!(
            may_be_binary("a", 0o755, b"\x7fELF\x02"),
            Some(LockfileKind::GoBinary)
        );
        assert_eq!(may_be_binary("a", 0o644, b"\x7fELF\x02"), None);
        assert_eq!(
            may_be_binary("a.exe", 0o644, b"MZ\x90\x00"),
            Some(LockfileKind::GoBinary)
        );
        assert_eq!(may_be_binary("a", 0o755, b"#!/b"), None);
        assert_eq!(may_be_binary("a", 0o755, b"\x7f"), None);
        assert_eq!(
            may_be_binary("usr/lib/libc.so.6", 0o755, b"\x7fELF\x02"),
            None
        );
        assert_eq!(may_be_binary("lib/x.so", 0o755, b"\x7fELF\x02"), None);
        assert_eq!(
            may_be_binary("bin/app.solver", 0o755, b"\x7fELF\x02"),
            Some(LockfileKind::GoBinary)
        );
    }
}
