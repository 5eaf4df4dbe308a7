#[path = "lang_common.rs"]
mod common;
use rampart_inventory::lang::LockfileKind::*;

#[test]
fn dump() {
    let Some(root) = common::corpus("lockfile-fixtures-osv-scalibr") else { return };
    let dirs = [("javascript/packagelockjson", PackageLockJson), ("javascript/yarnlock", YarnLock), ("javascript/pnpmlock", PnpmLock),
      ("python/requirements", RequirementsTxt), ("python/poetrylock", PoetryLock), ("python/pipfilelock", PipfileLock), ("python/uvlock", UvLock),
      ("rust/cargolock", CargoLock), ("golang/gomod", GoMod), ("php/composerlock", ComposerLock), ("ruby/gemfilelock", GemfileLock), ("java/pomxml", PomXml)];
    for (d, k) in dirs {
        for e in walk(&root.join(d)) {
            match common::parse_file(k, &e) {
                Ok((p, diags)) => println!("{} => {} {:?} {:?}", e.strip_prefix(&root).unwrap().display(), p.len(), p.iter().map(|p| format!("{}@{}{}", p.name, p.version, p.scope.map(|s| format!("[{s:?}]")).unwrap_or_default())).collect::<Vec<_>>(), diags.iter().map(|d| d.message.clone()).collect::<Vec<_>>()),
                Err(err) => println!("{} => ERR {err}", e.strip_prefix(&root).unwrap().display()),
            }
        }
    }
}
fn walk(d: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(d).unwrap() { let p = e.unwrap().path(); if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) } }
    out.sort(); out
}
