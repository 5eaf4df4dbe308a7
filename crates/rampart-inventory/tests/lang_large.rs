//! A large generated lockfile (5,000 nested, scoped, dev entries): every entry is read once,
//! with its name taken from the last `node_modules/` segment. Speed is measured by hand, not
//! here (timed tests are flaky); see the module docs of `lang::npm`.

use rampart_core::Scope;
use rampart_inventory::lang::{LockfileKind, parse};

#[test]
fn five_thousand_entry_package_lock() {
    let mut s = String::from(r#"{"name":"x","lockfileVersion":3,"packages":{"":{"name":"x"}"#);
    for i in 0..5000 {
        s.push_str(&format!(
            r#","node_modules/pkg-{i}/node_modules/@scope/dep-{i}":{{"version":"1.{i}.0","resolved":"https://registry.npm.invalid/dep/-/dep-1.{i}.0.tgz","integrity":"sha512-abcdefghijklmnopqrstuvwxyz0123456789==","dev":true,"dependencies":{{"a":"^1.0.0"}},"engines":{{"node":">=12"}}}}"#
        ));
    }
    s.push_str("}}");
    let (pkgs, diags) = parse(
        LockfileKind::PackageLockJson,
        "package-lock.json",
        s.as_bytes(),
    )
    .expect("parse");
    assert!(diags.is_empty());
    assert_eq!(pkgs.len(), 5000);
    assert!(pkgs.iter().all(|p| p.scope == Some(Scope::Dev)));
    assert_eq!(pkgs[4999].name, "@scope/dep-4999");
    assert_eq!(pkgs[4999].purl, "pkg:npm/%40scope/dep-4999@1.4999.0");
}
