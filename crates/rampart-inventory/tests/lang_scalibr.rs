//! Every lockfile fixture of OSV-SCALIBR's extractors (`lockfile-fixtures-osv-scalibr`) for
//! the formats rampart reads: each parses to exactly the packages listed here (name@version,
//! then the scope when not runtime), or fails with an error naming the file.
//!
//! The lists were checked by hand against the fixtures: local packages (`file:`, `link:`,
//! workspaces) are absent on purpose, and one package locked twice is listed once.

#[path = "lang_common.rs"]
mod common;

use rampart_inventory::lang::LockfileKind::{self, *};
use std::collections::BTreeSet;

/// What a fixture must yield.
enum Expect {
    /// Exactly these packages (`name@version`, then ` Dev`/` Optional`/` Test`).
    Pkgs(&'static [&'static str]),
    /// This many packages (long lists).
    Count(usize),
    /// An error whose message holds this text (and the file name).
    Fails(&'static str),
}
use Expect::*;

const DIRS: &[&str] = &[
    "javascript/packagelockjson",
    "javascript/yarnlock",
    "javascript/pnpmlock",
    "python/requirements",
    "python/poetrylock",
    "python/pipfilelock",
    "python/uvlock",
    "rust/cargolock",
    "golang/gomod",
    "php/composerlock",
    "ruby/gemfilelock",
    "java/pomxml",
];

#[rustfmt::skip]
const CASES: &[(LockfileKind, &str, Expect)] = &[
    (PackageLockJson, "javascript/packagelockjson/alias.v1.json", Pkgs(&["@babel/code-frame@7.0.0", "string-width@4.2.0", "string-width@5.1.2"])),
    (PackageLockJson, "javascript/packagelockjson/alias.v2.json", Pkgs(&["@babel/code-frame@7.0.0", "string-width@4.2.0", "string-width@5.1.2"])),
    (PackageLockJson, "javascript/packagelockjson/both/npm-shrinkwrap.json", Pkgs(&["supports-color@5.5.0", "wrappy@1.0.2"])),
    (PackageLockJson, "javascript/packagelockjson/both/package-lock.json", Pkgs(&["supports-color@5.5.0", "wrappy@1.0.2"])),
    (PackageLockJson, "javascript/packagelockjson/bundled-dependencies.v3.json", Pkgs(&["ansi-regex@6.2.2", "semver@7.7.2 Dev", "strip-ansi@7.1.2"])),
    (PackageLockJson, "javascript/packagelockjson/commits.v1.json", Pkgs(&["@segment/analytics.js-integration-facebook-pixel@git+ssh://git@github.com/segmentio/analytics.js-integrations.git#3b1bb80b302c2e552685dc8a029797ec832ea7c9", "ansi-styles@1.0.0", "babel-preset-php@gitlab:kornelski/babel-preset-php#c5a7ba5e0ad98b8db1cb8ce105403dd4b768cced", "is-number-1@git+ssh://git@github.com/jonschlinkert/is-number.git#af885e2e890b9ef0875edd2b117305119ee5bdc5 Dev", "is-number-1@git+ssh://git@github.com/jonschlinkert/is-number.git#be5935f8d2595bcd97b05718ef1eeae08d812e10 Dev", "is-number-2@github:jonschlinkert/is-number#82dcc8e914dabd9305ab9ae580709a7825e824f5", "is-number-2@github:jonschlinkert/is-number#d5ac0584ee9ae7bd9288220a39780f155b9ad4c8", "is-number-3@git+ssh://git@github.com/jonschlinkert/is-number.git#82ae8802978da40d7f1be5ad5943c9e550ab2c89 Dev", "is-number-3@git+ssh://git@github.com/jonschlinkert/is-number.git#d5ac0584ee9ae7bd9288220a39780f155b9ad4c8 Dev", "is-number-4@git+ssh://git@github.com/jonschlinkert/is-number.git#af885e2e890b9ef0875edd2b117305119ee5bdc5 Dev", "is-number-5@git+https://dummy-token@github.com/jonschlinkert/is-number.git#af885e2e890b9ef0875edd2b117305119ee5bdc5 Dev", "is-number-6@git+https://github.com/jonschlinkert/is-number.git#af885e2e890b9ef0875edd2b117305119ee5bdc5 Dev", "postcss-calc@7.0.1", "raven-js@git+ssh://git@github.com/getsentry/raven-js.git#c2b377e7a254264fd4a1fe328e4e3cfc9e245570", "slick-carousel@git://github.com/brianfryer/slick.git#280b560161b751ba226d50c7db1e0a14a78c2de0 Dev"])),
    (PackageLockJson, "javascript/packagelockjson/commits.v2.json", Pkgs(&["@segment/analytics.js-integration-facebook-pixel@2.4.1", "ansi-styles@1.0.0", "babel-preset-php@1.1.1 Dev", "is-number-1@3.0.0 Dev", "is-number-2@2.0.0 Dev", "is-number-3@2.0.0 Dev", "is-number-3@3.0.0 Dev", "is-number-4@3.0.0 Dev", "is-number-5@3.0.0 Dev", "postcss-calc@7.0.1", "slick-carousel@1.7.1 Dev"])),
    (PackageLockJson, "javascript/packagelockjson/empty.v1.json", Pkgs(&[])),
    (PackageLockJson, "javascript/packagelockjson/empty.v2.json", Pkgs(&[])),
    (PackageLockJson, "javascript/packagelockjson/files.v1.json", Pkgs(&["lodash@1.3.1"])),
    (PackageLockJson, "javascript/packagelockjson/files.v2.json", Pkgs(&["abbrev@1.0.9 Dev", "abbrev@2.3.4 Dev"])),
    (PackageLockJson, "javascript/packagelockjson/nested-dependencies-dup.v1.json", Count(39)),
    (PackageLockJson, "javascript/packagelockjson/nested-dependencies-dup.v2.json", Pkgs(&["supports-color@2.0.0", "supports-color@6.1.0"])),
    (PackageLockJson, "javascript/packagelockjson/nested-dependencies.v1.json", Pkgs(&["postcss-calc@7.0.1", "postcss@6.0.23", "postcss@7.0.16", "supports-color@5.5.0", "supports-color@6.1.0"])),
    (PackageLockJson, "javascript/packagelockjson/nested-dependencies.v2.json", Pkgs(&["postcss-calc@7.0.1", "postcss@6.0.23", "postcss@7.0.16", "supports-color@5.5.0", "supports-color@6.1.0"])),
    (PackageLockJson, "javascript/packagelockjson/not-json.txt", Fails("invalid JSON")),
    (PackageLockJson, "javascript/packagelockjson/npm-shrinkwrap-only/npm-shrinkwrap.json", Pkgs(&["supports-color@5.5.0", "wrappy@1.0.2"])),
    (PackageLockJson, "javascript/packagelockjson/null.v2.jsontest", Pkgs(&[])),
    (PackageLockJson, "javascript/packagelockjson/one-package-dev.v1.json", Pkgs(&["wrappy@1.0.2 Dev"])),
    (PackageLockJson, "javascript/packagelockjson/one-package-dev.v2.json", Pkgs(&["wrappy@1.0.2 Dev"])),
    (PackageLockJson, "javascript/packagelockjson/one-package.v1.json", Pkgs(&["wrappy@1.0.2"])),
    (PackageLockJson, "javascript/packagelockjson/one-package.v2.json", Pkgs(&["wrappy@1.0.2"])),
    (PackageLockJson, "javascript/packagelockjson/optional-package.v1.json", Pkgs(&["supports-color@5.5.0 Optional", "wrappy@1.0.2 Dev"])),
    (PackageLockJson, "javascript/packagelockjson/optional-package.v2.json", Pkgs(&["supports-color@5.5.0 Optional", "wrappy@1.0.2 Optional"])),
    (PackageLockJson, "javascript/packagelockjson/package-lock-only/package-lock.json", Pkgs(&["supports-color@5.5.0", "wrappy@1.0.2"])),
    (PackageLockJson, "javascript/packagelockjson/same-package-different-groups.v1.json", Pkgs(&["ajv@5.5.2", "eslint@1.2.3 Dev", "table@1.0.0"])),
    (PackageLockJson, "javascript/packagelockjson/same-package-different-groups.v2.json", Pkgs(&["ajv@5.5.2", "eslint@1.2.3 Dev", "table@1.0.0"])),
    (PackageLockJson, "javascript/packagelockjson/scoped-packages.v1.json", Pkgs(&["@babel/code-frame@7.0.0", "wrappy@1.0.2"])),
    (PackageLockJson, "javascript/packagelockjson/scoped-packages.v2.json", Pkgs(&["@babel/code-frame@7.0.0", "wrappy@1.0.2"])),
    (PackageLockJson, "javascript/packagelockjson/two-packages.v1.json", Pkgs(&["supports-color@5.5.0", "wrappy@1.0.2"])),
    (PackageLockJson, "javascript/packagelockjson/two-packages.v2.json", Pkgs(&["supports-color@5.5.0", "wrappy@1.0.2"])),
    (YarnLock, "javascript/yarnlock/commits.v1.lock", Count(18)),
    (YarnLock, "javascript/yarnlock/commits.v2.lock", Pkgs(&["@my-scope/my-first-package@0.0.6", "@typegoose/typegoose@7.2.0", "is-really-great@1.0.0", "my-node-sdk@1.1.0", "my-second-package@0.2.2", "my-third-package@0.16.1-dev", "vuejs@2.5.0"])),
    (YarnLock, "javascript/yarnlock/empty.v1.lock", Pkgs(&[])),
    (YarnLock, "javascript/yarnlock/empty.v2.lock", Pkgs(&[])),
    (YarnLock, "javascript/yarnlock/exclude-root.v2.lock", Pkgs(&["ansi-regex@6.1.0"])),
    (YarnLock, "javascript/yarnlock/files.v1.lock", Pkgs(&["etag@1.8.1", "lodash@1.3.1"])),
    (YarnLock, "javascript/yarnlock/files.v2.lock", Pkgs(&[])),
    (YarnLock, "javascript/yarnlock/metadata-only.v2.lock", Pkgs(&[])),
    (YarnLock, "javascript/yarnlock/multiple-constraints.v1.lock", Pkgs(&["@babel/code-frame@7.12.13", "domelementtype@1.3.1"])),
    (YarnLock, "javascript/yarnlock/multiple-versions.v1.lock", Pkgs(&["define-properties@1.1.3", "define-property@0.2.5", "define-property@1.0.0", "define-property@2.0.2"])),
    (YarnLock, "javascript/yarnlock/multiple-versions.v2.lock", Pkgs(&["debug@2.6.9", "debug@3.2.7", "debug@4.3.3"])),
    (YarnLock, "javascript/yarnlock/no-version.v1.lock", Pkgs(&[])),
    (YarnLock, "javascript/yarnlock/one-package.v1.lock", Pkgs(&["balanced-match@1.0.2"])),
    (YarnLock, "javascript/yarnlock/one-package.v2.lock", Pkgs(&["balanced-match@1.0.2"])),
    (YarnLock, "javascript/yarnlock/scoped-packages.v1.lock", Pkgs(&["@babel/code-frame@7.12.11", "@babel/compat-data@7.14.0"])),
    (YarnLock, "javascript/yarnlock/scoped-packages.v2.lock", Pkgs(&["@babel/cli@7.16.8", "@babel/code-frame@7.16.7", "@babel/compat-data@7.16.8"])),
    (YarnLock, "javascript/yarnlock/two-packages.v1.lock", Pkgs(&["concat-map@0.0.1", "concat-stream@1.6.2"])),
    (YarnLock, "javascript/yarnlock/two-packages.v2.lock", Pkgs(&["compare-func@2.0.0", "concat-map@0.0.1"])),
    (YarnLock, "javascript/yarnlock/with-aliases.v1.lock", Pkgs(&["@babel/helper-validator-identifier@7.22.20", "ansi-regex@5.0.1", "ansi-regex@6.0.1"])),
    (YarnLock, "javascript/yarnlock/with-aliases.v2.lock", Pkgs(&["@babel/helper-validator-identifier@7.22.20", "ansi-regex@5.0.1", "ansi-regex@6.0.1"])),
    (YarnLock, "javascript/yarnlock/with-build-string.v1.lock", Pkgs(&["domino@2.1.6+git", "tslib@2.6.2"])),
    (YarnLock, "javascript/yarnlock/with-build-string.v2.lock", Pkgs(&["domino@2.1.6+git", "tslib@2.6.2"])),
    (YarnLock, "javascript/yarnlock/with-prerelease.v1.lock", Pkgs(&["css-tree@1.0.0-alpha.37", "gensync@1.0.0-beta.2", "node-fetch@3.0.0-beta.9", "resolve@1.20.0", "resolve@2.0.0-next.3"])),
    (YarnLock, "javascript/yarnlock/with-prerelease.v2.lock", Pkgs(&["@nicolo-ribaudo/chokidar-2@2.1.8-no-fsevents.3", "gensync@1.0.0-beta.2"])),
    (YarnLock, "javascript/yarnlock/with-quotes.v1.lock", Pkgs(&["concat-map@0.0.1", "concat-stream@1.6.2"])),
    (YarnLock, "javascript/yarnlock/with-quotes.v2.lock", Pkgs(&["compare-func@2.0.0", "concat-map@0.0.1"])),
    (PnpmLock, "javascript/pnpmlock/commits.v9.yaml", Pkgs(&["ansi-regex@6.0.1", "is-number@7.0.0"])),
    (PnpmLock, "javascript/pnpmlock/commits.yaml", Pkgs(&["@my-scope/my-other-package@1.0.0", "@my-scope/my-package@1.0.0", "faker-parser@0.0.1", "mocks@20.0.1", "my-bitbucket-package@1.0.0"])),
    (PnpmLock, "javascript/pnpmlock/empty.yaml", Pkgs(&[])),
    (PnpmLock, "javascript/pnpmlock/exotic.yaml", Pkgs(&["@foo/bar@1.0.0", "@foo/bar@1.1.0", "foo@1.0.0", "foo@1.1.0", "foo@1.2.0", "foo@1.3.0", "foo@1.4.0"])),
    (PnpmLock, "javascript/pnpmlock/files.yaml", Pkgs(&[])),
    (PnpmLock, "javascript/pnpmlock/invalid-path.yaml", Pkgs(&["acorn@8.7.0"])),
    (PnpmLock, "javascript/pnpmlock/invalid-paths.yaml", Pkgs(&["acorn@8.7.0"])),
    (PnpmLock, "javascript/pnpmlock/missing-packages.yaml", Pkgs(&[])),
    (PnpmLock, "javascript/pnpmlock/mixed-groups.v53.yaml", Pkgs(&["ansi-regex@5.0.1", "is-number@7.0.0 Dev", "uuid@8.3.2 Optional"])),
    (PnpmLock, "javascript/pnpmlock/mixed-groups.v54.yaml", Pkgs(&["ansi-regex@5.0.1", "is-number@7.0.0 Dev", "uuid@8.3.2 Optional"])),
    (PnpmLock, "javascript/pnpmlock/mixed-groups.v6.yaml", Pkgs(&["ansi-regex@5.0.0", "is-number@7.0.0 Dev", "uuid@8.0.0 Optional"])),
    (PnpmLock, "javascript/pnpmlock/mixed-groups.v9.yaml", Pkgs(&["ansi-regex@5.0.1", "is-number@7.0.0 Dev", "uuid@8.3.2 Optional"])),
    (PnpmLock, "javascript/pnpmlock/multiple-packages.yaml", Pkgs(&["aws-sdk@2.1087.0", "base64-js@1.5.1", "buffer@4.9.2", "events@1.1.1", "ieee754@1.1.13", "isarray@1.0.0", "jmespath@0.16.0", "punycode@1.3.2", "querystring@0.2.0", "sax@1.2.1", "url@0.10.3", "uuid@3.3.2", "xml2js@0.4.19", "xmlbuilder@9.0.7"])),
    (PnpmLock, "javascript/pnpmlock/multiple-versions.v9.yaml", Pkgs(&["uuid@8.0.0", "uuid@8.3.2", "xmlbuilder@11.0.1"])),
    (PnpmLock, "javascript/pnpmlock/multiple-versions.yaml", Pkgs(&["uuid@3.3.2", "uuid@8.3.2", "xmlbuilder@9.0.7"])),
    (PnpmLock, "javascript/pnpmlock/no-packages.v9.yaml", Pkgs(&[])),
    (PnpmLock, "javascript/pnpmlock/no-packages.yaml", Pkgs(&[])),
    (PnpmLock, "javascript/pnpmlock/not-yaml.txt", Fails("invalid YAML")),
    (PnpmLock, "javascript/pnpmlock/one-package-dev.v9.yaml", Pkgs(&["acorn@8.11.3 Dev"])),
    (PnpmLock, "javascript/pnpmlock/one-package-dev.yaml", Pkgs(&["acorn@8.7.0"])),
    (PnpmLock, "javascript/pnpmlock/one-package-v6-lockfile.yaml", Pkgs(&["acorn@8.7.0"])),
    (PnpmLock, "javascript/pnpmlock/one-package.v9.yaml", Pkgs(&["acorn@8.11.3"])),
    (PnpmLock, "javascript/pnpmlock/one-package.yaml", Pkgs(&["acorn@8.7.0"])),
    (PnpmLock, "javascript/pnpmlock/peer-dependencies-advanced-rc-v6.yaml", Pkgs(&["js-tokens@4.0.0", "loose-envify@1.4.0", "react-dom@18.0.0-rc.3", "react@18.2.0", "scheduler@0.21.0"])),
    (PnpmLock, "javascript/pnpmlock/peer-dependencies-advanced-v6.yaml", Pkgs(&["js-tokens@4.0.0", "loose-envify@1.4.0", "react-dom@18.3.0-canary-ab31a9ed2-20230824", "react@18.3.0-canary-ab31a9ed2-20230824", "scheduler@0.24.0-canary-ab31a9ed2-20230824"])),
    (PnpmLock, "javascript/pnpmlock/peer-dependencies-advanced.v9.yaml", Pkgs(&["@eslint-community/eslint-utils@4.4.0", "@eslint/eslintrc@2.1.4", "@typescript-eslint/eslint-plugin@5.62.0", "@typescript-eslint/parser@5.62.0", "@typescript-eslint/type-utils@5.62.0", "@typescript-eslint/typescript-estree@5.62.0", "@typescript-eslint/utils@5.62.0", "debug@4.3.4", "eslint@8.57.0", "has-flag@4.0.0", "supports-color@7.2.0", "tsutils@3.21.0", "typescript@4.9.5"])),
    (PnpmLock, "javascript/pnpmlock/peer-dependencies-advanced.yaml", Pkgs(&["@typescript-eslint/eslint-plugin@5.13.0", "@typescript-eslint/parser@5.13.0", "@typescript-eslint/type-utils@5.13.0", "@typescript-eslint/types@5.13.0", "@typescript-eslint/typescript-estree@5.13.0", "@typescript-eslint/utils@5.13.0", "eslint-utils@3.0.0", "eslint@8.10.0", "tsutils@3.21.0"])),
    (PnpmLock, "javascript/pnpmlock/peer-dependencies-v6.yaml", Pkgs(&["js-tokens@4.0.0", "loose-envify@1.4.0", "react-dom@18.2.0", "react@18.2.0", "scheduler@0.23.0"])),
    (PnpmLock, "javascript/pnpmlock/peer-dependencies.v9.yaml", Pkgs(&["acorn-jsx@5.3.2", "acorn@8.11.3"])),
    (PnpmLock, "javascript/pnpmlock/peer-dependencies.yaml", Pkgs(&["acorn-jsx@5.3.2", "acorn@8.7.0"])),
    (PnpmLock, "javascript/pnpmlock/scoped-packages-v6-lockfile.yaml", Pkgs(&["@typescript-eslint/types@5.57.1"])),
    (PnpmLock, "javascript/pnpmlock/scoped-packages.v9.yaml", Pkgs(&["@typescript-eslint/types@5.62.0"])),
    (PnpmLock, "javascript/pnpmlock/scoped-packages.yaml", Pkgs(&["@typescript-eslint/types@5.13.0"])),
    (PnpmLock, "javascript/pnpmlock/tarball.yaml", Pkgs(&["@my-org/my-package@3.2.3 Dev"])),
    (RequirementsTxt, "python/requirements/comments.txt", Pkgs(&["GMPY2@1", "PyCrypto@1.2-alpha", "SymPy@1.2", "requests@1.0", "six@1.2"])),
    (RequirementsTxt, "python/requirements/env_var.txt", Pkgs(&["another@1.0", "asdf@1.2"])),
    (RequirementsTxt, "python/requirements/example.txt", Pkgs(&["docopt@0.6.1"])),
    (RequirementsTxt, "python/requirements/extras.txt", Pkgs(&["celery@4.4.7", "pyjwt@2.1.0"])),
    (RequirementsTxt, "python/requirements/invalid.txt", Pkgs(&[])),
    (RequirementsTxt, "python/requirements/loop.txt", Pkgs(&[])),
    (RequirementsTxt, "python/requirements/multiline_and_comments.txt", Pkgs(&["pkgA@1.0", "pkgB@2.0"])),
    (RequirementsTxt, "python/requirements/no_version.txt", Pkgs(&[])),
    (RequirementsTxt, "python/requirements/other-loop.txt", Pkgs(&[])),
    (RequirementsTxt, "python/requirements/other-requirements.txt", Pkgs(&["pandas@2.2.3"])),
    (RequirementsTxt, "python/requirements/per_req_options.txt", Pkgs(&["foo11@1.0", "foo12@1.0", "foo13@1.0", "foo14@1.0", "foo16-Client@1.0", "foo17--hash@1.0", "foo18-Client@1.0", "foo1@1.0", "foo2@1.0", "foo3@1.0", "foo4@1.0", "foo5@1.0", "foo6@1.0", "foo8@1.0", "foo9@1.0"])),
    (RequirementsTxt, "python/requirements/trailing_backslash.txt", Pkgs(&["pkg1@1.0"])),
    (RequirementsTxt, "python/requirements/with_versions.txt", Pkgs(&["hy-phen@1.2", "nltk@3.2.2", "pkg.dot.name@5.0.0", "qwerty@0.1", "tabulate@0.7.7", "under_score@1.3", "yolo@1.0"])),
    (PoetryLock, "python/poetrylock/empty-file.lock", Pkgs(&[])),
    (PoetryLock, "python/poetrylock/empty.lock", Pkgs(&[])),
    (PoetryLock, "python/poetrylock/multiple-packages.v2.lock", Pkgs(&["async-timeout@5.0.1 Optional", "factory-boy@3.3.1 Dev", "faker@33.3.0 Dev", "proto-plus@1.22.0", "proto-plus@1.23.0", "protobuf@4.25.5", "python-dateutil@2.9.0.post0 Dev", "redis@5.2.1 Optional", "six@1.17.0", "typing-extensions@4.12.2 Dev", "urllib3@2.3.0 Dev"])),
    (PoetryLock, "python/poetrylock/names-outside-package-block.lock", Pkgs(&["first-pkg@1.0.0", "second-pkg@2.0.0"])),
    (PoetryLock, "python/poetrylock/not-toml.txt", Fails("invalid TOML at line 1")),
    (PoetryLock, "python/poetrylock/one-package-with-metadata.lock", Pkgs(&["emoji@2.0.0"])),
    (PoetryLock, "python/poetrylock/one-package.lock", Pkgs(&["numpy@1.23.3"])),
    (PoetryLock, "python/poetrylock/optional-package.lock", Pkgs(&["numpy@1.23.3 Optional"])),
    (PoetryLock, "python/poetrylock/source-git.lock", Pkgs(&["ike@0.2.0"])),
    (PoetryLock, "python/poetrylock/source-legacy.lock", Pkgs(&["appdirs@1.4.4"])),
    (PoetryLock, "python/poetrylock/two-packages.lock", Pkgs(&["proto-plus@1.22.0", "protobuf@4.21.5"])),
    (PipfileLock, "python/pipfilelock/empty-file", Fails("invalid JSON")),
    (PipfileLock, "python/pipfilelock/empty.json", Pkgs(&[])),
    (PipfileLock, "python/pipfilelock/minified.json", Pkgs(&["markupsafe@2.1.1"])),
    (PipfileLock, "python/pipfilelock/multiple-packages.json", Pkgs(&["itsdangerous@2.1.2", "markupsafe@2.1.1", "pluggy@1.0.0 Dev", "pluggy@1.0.1"])),
    (PipfileLock, "python/pipfilelock/no-version.json", Pkgs(&[])),
    (PipfileLock, "python/pipfilelock/not-json.txt", Fails("invalid JSON")),
    (PipfileLock, "python/pipfilelock/one-package-dev.json", Pkgs(&["markupsafe@2.1.1 Dev"])),
    (PipfileLock, "python/pipfilelock/one-package.json", Pkgs(&["markupsafe@2.1.1"])),
    (PipfileLock, "python/pipfilelock/two-packages-alt.json", Pkgs(&["itsdangerous@2.1.2", "markupsafe@2.1.1"])),
    (PipfileLock, "python/pipfilelock/two-packages.json", Pkgs(&["itsdangerous@2.1.2", "markupsafe@2.1.1 Dev"])),
    (UvLock, "python/uvlock/empty.lock", Pkgs(&[])),
    (UvLock, "python/uvlock/grouped-packages.lock", Pkgs(&["black@24.10.0", "click@8.1.7", "colorama@0.4.6", "emoji@2.14.0", "flake8@7.1.1", "mccabe@0.7.0", "mypy-extensions@1.0.0", "packaging@24.2", "pathspec@0.12.1", "platformdirs@4.3.6", "pycodestyle@2.12.1", "pyflakes@3.2.0", "tomli@2.2.1", "typing-extensions@4.12.2"])),
    (UvLock, "python/uvlock/names-outside-package-block.lock", Pkgs(&["first-pkg@1.0.0", "second-pkg@2.0.0"])),
    (UvLock, "python/uvlock/no-dependencies.lock", Pkgs(&[])),
    (UvLock, "python/uvlock/no-packages.lock", Pkgs(&[])),
    (UvLock, "python/uvlock/not-toml.txt", Fails("invalid TOML at line 1")),
    (UvLock, "python/uvlock/one-package.lock", Pkgs(&["emoji@2.14.0"])),
    (UvLock, "python/uvlock/source-git.lock", Pkgs(&["ruff@0.8.1"])),
    (UvLock, "python/uvlock/two-packages.lock", Pkgs(&["emoji@2.14.0", "protobuf@4.25.5"])),
    (CargoLock, "rust/cargolock/duplicate.lock", Pkgs(&["syn@1.0.73", "syn@2.0.0"])),
    (CargoLock, "rust/cargolock/empty.lock", Pkgs(&[])),
    (CargoLock, "rust/cargolock/many-packages.lock", Pkgs(&["aho-corasick@0.7.18", "libc@0.2.140", "memchr@2.4.1", "syn@1.0.109", "syn@2.0.15", "zstd@0.11.2"])),
    (CargoLock, "rust/cargolock/not-toml.txt", Fails("invalid TOML at line 1")),
    (CargoLock, "rust/cargolock/one-package.lock", Pkgs(&["addr2line@0.15.2"])),
    (CargoLock, "rust/cargolock/package-with-build-string.lock", Pkgs(&["wasi@0.10.2+wasi-snapshot-preview1"])),
    (CargoLock, "rust/cargolock/package-with-comments.lock", Pkgs(&["addr2line@0.15.2", "syn@1.0.73"])),
    (CargoLock, "rust/cargolock/two-packages-with-local.lock", Pkgs(&["addr2line@0.15.2", "local-rust-pkg@0.1.0"])),
    (CargoLock, "rust/cargolock/two-packages.lock", Pkgs(&["addr2line@0.15.2", "syn@1.0.73"])),
    (GoMod, "golang/gomod/empty.mod", Pkgs(&[])),
    (GoMod, "golang/gomod/indirect-1.16.mod", Pkgs(&["github.com/sirupsen/logrus@v1.9.3", "stdlib@v1.16"])),
    (GoMod, "golang/gomod/indirect-1.16.sum", Fails("line 1")),
    (GoMod, "golang/gomod/indirect-1.23.mod", Pkgs(&["github.com/sirupsen/logrus@v1.9.3", "golang.org/x/sys@v0.0.0-20220715151400-c0bba94af5f8", "stdlib@v1.23"])),
    (GoMod, "golang/gomod/indirect-1.23.sum", Fails("line 1")),
    (GoMod, "golang/gomod/indirect-packages.mod", Pkgs(&["github.com/BurntSushi/toml@v1.0.0", "github.com/mattn/go-colorable@v0.1.9", "github.com/mattn/go-isatty@v0.0.14", "golang.org/x/sys@v0.0.0-20210630005230-0f9fa26af87c", "gopkg.in/yaml.v2@v2.4.0", "stdlib@v1.17"])),
    (GoMod, "golang/gomod/not-go-mod.mod", Fails("line 1")),
    (GoMod, "golang/gomod/one-package.mod", Pkgs(&["github.com/BurntSushi/toml@v1.0.0"])),
    (GoMod, "golang/gomod/replace-different.mod", Pkgs(&["example.com/fork/foe@v1.4.2", "example.com/fork/foe@v1.4.5"])),
    (GoMod, "golang/gomod/replace-local.mod", Pkgs(&["github.com/BurntSushi/toml@v1.0.0"])),
    (GoMod, "golang/gomod/replace-mixed.mod", Pkgs(&["example.com/fork/net@v1.4.5", "golang.org/x/net@v0.5.6"])),
    (GoMod, "golang/gomod/replace-no-version.mod", Pkgs(&["example.com/fork/net@v1.4.5"])),
    (GoMod, "golang/gomod/replace-not-required.mod", Pkgs(&["github.com/BurntSushi/toml@v1.0.0", "golang.org/x/net@v0.5.6"])),
    (GoMod, "golang/gomod/replace-one.mod", Pkgs(&["example.com/fork/net@v1.4.5"])),
    (GoMod, "golang/gomod/toolchain-with-suffix.mod", Pkgs(&["github.com/BurntSushi/toml@v1.0.0", "stdlib@v1.23.6"])),
    (GoMod, "golang/gomod/toolchain.mod", Pkgs(&["github.com/BurntSushi/toml@v1.0.0", "stdlib@v1.23.6"])),
    (GoMod, "golang/gomod/two-packages.mod", Pkgs(&["github.com/BurntSushi/toml@v1.0.0", "gopkg.in/yaml.v2@v2.4.0", "stdlib@v1.17"])),
    (ComposerLock, "php/composerlock/drupal-packages.json", Pkgs(&["drupal/core@10.4.5", "drupal/field_time@1.0.0-beta5 Dev", "drupal/tfa@2.0.0-alpha4", "theseer/tokenizer@1.1.3"])),
    (ComposerLock, "php/composerlock/duplicate-packages.json", Pkgs(&["sentry/sdk@2.0.4", "sentry/sdk@2.0.5", "sentry/sdk@3.0.0-dev Dev"])),
    (ComposerLock, "php/composerlock/empty.json", Pkgs(&[])),
    (ComposerLock, "php/composerlock/not-json.txt", Fails("invalid JSON")),
    (ComposerLock, "php/composerlock/null.jsontest", Pkgs(&[])),
    (ComposerLock, "php/composerlock/one-package-dev.json", Pkgs(&["sentry/sdk@2.0.4 Dev"])),
    (ComposerLock, "php/composerlock/one-package.json", Pkgs(&["sentry/sdk@2.0.4"])),
    (ComposerLock, "php/composerlock/two-packages-alt.json", Pkgs(&["sentry/sdk@2.0.4", "theseer/tokenizer@1.1.3"])),
    (ComposerLock, "php/composerlock/two-packages.json", Pkgs(&["sentry/sdk@2.0.4", "theseer/tokenizer@1.1.3 Dev"])),
    (GemfileLock, "ruby/gemfilelock/has-git-gem.lock", Pkgs(&["concurrent-ruby@1.1.7", "hanami-controller@2.0.0.alpha1", "hanami-utils@2.0.0.alpha1", "rack@2.2.3", "transproc@1.1.1"])),
    (GemfileLock, "ruby/gemfilelock/has-local-gem.lock", Count(30)),
    (GemfileLock, "ruby/gemfilelock/invalid.lock", Pkgs(&[])),
    (GemfileLock, "ruby/gemfilelock/multiple-gems.lock", Pkgs(&["bundler-audit@0.9.0.1", "coderay@1.1.3", "dotenv@2.7.6", "method_source@1.0.0", "pry@0.14.1", "thor@1.2.1"])),
    (GemfileLock, "ruby/gemfilelock/no-gem-section.lock", Pkgs(&[])),
    (GemfileLock, "ruby/gemfilelock/no-gems.lock", Pkgs(&[])),
    (GemfileLock, "ruby/gemfilelock/no-spec-section.lock", Pkgs(&[])),
    (GemfileLock, "ruby/gemfilelock/one-gem.lock", Pkgs(&["ast@2.4.2"])),
    (GemfileLock, "ruby/gemfilelock/rails.lock", Count(46)),
    (GemfileLock, "ruby/gemfilelock/rubocop.lock", Pkgs(&["ast@2.4.2", "parallel@1.21.0", "parser@3.1.1.0", "rainbow@3.1.1", "regexp_parser@2.2.1", "rexml@3.2.5", "rubocop-ast@1.16.0", "rubocop@1.25.1", "ruby-progressbar@1.11.0", "unicode-display_width@2.1.0"])),
    (GemfileLock, "ruby/gemfilelock/some-gems.lock", Pkgs(&["coderay@1.1.3", "method_source@1.0.0", "pry@0.14.1"])),
    (GemfileLock, "ruby/gemfilelock/source-section-at-end.lock", Pkgs(&["ast@2.4.2"])),
    (PomXml, "java/pomxml/ambiguous-interpolation.xml", Pkgs(&["com.example:common-lib@1.0.0"])),
    (PomXml, "java/pomxml/empty.xml", Pkgs(&[])),
    (PomXml, "java/pomxml/encoding.xml", Pkgs(&["junit:junit@4.12"])),
    (PomXml, "java/pomxml/explicit-jar.xml", Pkgs(&["com.example:my-lib@1.0.0", "org.different:my-lib@1.0.0"])),
    (PomXml, "java/pomxml/interpolate-drop.xml", Pkgs(&["com.example:actual-artifact@1.0.0"])),
    (PomXml, "java/pomxml/interpolation.xml", Pkgs(&["org.mine:my.package@2.3.4", "org.mine:mypackage@1.0.0", "org.mine:ranged-package@[9.4.35.v20201120,9.5)"])),
    (PomXml, "java/pomxml/invalid-syntax.xml", Pkgs(&["io.netty:netty-all@4.1.42.Final"])),
    (PomXml, "java/pomxml/multi-version.xml", Pkgs(&["abc:example.com@1.0.0", "abc:example.com@1.1.1"])),
    (PomXml, "java/pomxml/not-pom.txt", Fails("no <project> element")),
    (PomXml, "java/pomxml/one-package.xml", Pkgs(&["org.apache.maven:maven-artifact@1.0.0"])),
    (PomXml, "java/pomxml/parent/pom.xml", Pkgs(&["org.dave:dave@4.0.0"])),
    (PomXml, "java/pomxml/plugin-dependency.xml", Pkgs(&["com.example:hijack-lib@1.0.0"])),
    (PomXml, "java/pomxml/profiles.xml", Pkgs(&[])),
    (PomXml, "java/pomxml/transitive.xml", Pkgs(&["org.direct:alice@1.0.0", "org.direct:bob@2.0.0", "org.direct:chris@3.0.0"])),
    (PomXml, "java/pomxml/two-packages.xml", Pkgs(&["io.netty:netty-all@4.1.42.Final", "org.slf4j:slf4j-log4j12@1.7.25"])),
    (PomXml, "java/pomxml/with-dependency-management.xml", Pkgs(&["io.netty:netty-all@4.1.9", "org.slf4j:slf4j-log4j12@1.7.25"])),
    (PomXml, "java/pomxml/with-multiple-classifiers.xml", Pkgs(&["com.example:my-lib@1.0.0"])),
    (PomXml, "java/pomxml/with-parent.xml", Pkgs(&["org.alice:alice@1.0.0", "org.bob:bob@2.0.0", "org.chuck:chuck@3.0.0"])),
    (PomXml, "java/pomxml/with-scope.xml", Pkgs(&["abc:xyz@1.2.3", "junit:junit@4.12 Test"])),
    (PomXml, "java/pomxml/with-type-classifier.xml", Pkgs(&["abc:xyz@1.0.0"])),
];

fn check(root: &std::path::Path, kind: LockfileKind, file: &str, expect: &Expect) {
    let path = root.join(file);
    match (common::parse_file(kind, &path), expect) {
        (Ok((pkgs, _)), Pkgs(want)) => {
            let mut got: Vec<String> = pkgs
                .iter()
                .map(|p| match p.scope {
                    Some(s) => format!("{}@{} {s:?}", p.name, p.version),
                    None => format!("{}@{}", p.name, p.version),
                })
                .collect();
            got.sort();
            assert_eq!(got, *want, "{file}");
            for p in &pkgs {
                assert_eq!(
                    p.locations,
                    [path.display().to_string()],
                    "{file}: location of {}",
                    p.name
                );
                assert!(
                    p.purl
                        .starts_with(&format!("pkg:{}/", kind.ecosystem().purl_type())),
                    "{file}: {}",
                    p.purl
                );
            }
        }
        (Ok((pkgs, _)), Count(n)) => assert_eq!(pkgs.len(), *n, "{file}"),
        (Err(e), Fails(want)) => {
            let msg = e.to_string();
            assert!(
                msg.contains(want) && msg.contains(file),
                "{file}: error {msg:?} should hold {want:?} and the file name"
            );
        }
        (Ok((pkgs, _)), Fails(want)) => panic!(
            "{file}: parsed ({} packages), expected an error holding {want:?}",
            pkgs.len()
        ),
        (Err(e), _) => panic!("{file}: unexpected error: {e}"),
    }
}

#[test]
fn scalibr_fixtures() {
    let Some(root) = common::corpus("lockfile-fixtures-osv-scalibr") else {
        return;
    };
    for (kind, file, expect) in CASES {
        check(&root, *kind, file, expect);
    }
}

/// No fixture of the covered formats is left out of the table.
#[test]
fn table_covers_every_fixture() {
    let Some(root) = common::corpus("lockfile-fixtures-osv-scalibr") else {
        return;
    };
    let mut on_disk = BTreeSet::new();
    for dir in DIRS {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
                let p = e.expect("dir entry").path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    on_disk.insert(
                        p.strip_prefix(&root)
                            .expect("under root")
                            .display()
                            .to_string(),
                    );
                }
            }
        }
    }
    let in_table: BTreeSet<String> = CASES.iter().map(|(_, f, _)| f.to_string()).collect();
    assert_eq!(on_disk, in_table);
    assert_eq!(CASES.len(), 201);
}
