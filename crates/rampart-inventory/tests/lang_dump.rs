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
                Ok((p, diags)) => { let mut v = p.iter().map(|p| format!("{}@{}{}", p.name, p.version, p.scope.map(|s| format!(" {s:?}")).unwrap_or_default())).collect::<Vec<_>>(); v.sort(); println!("DUMP\t{:?}\t{}\t{}\t{}", k, e.strip_prefix(&root).unwrap().display(), serde_json::to_string(&v).unwrap(), diags.len()) },
                Err(err) => println!("DUMP\t{:?}\t{}\tERR\t{err}", k, e.strip_prefix(&root).unwrap().display()),
            }
        }
    }
}
fn walk(d: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(d).unwrap() { let p = e.unwrap().path(); if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) } }
    out.sort(); out
}
#[test]
fn dump_sys() {
    use rampart_inventory::lang::*;
    for f in ["/usr/lib/cni/loopback", "/usr/lib/cni/dhcp", "/usr/share/java/guava.jar", "/usr/share/java/commons-lang3.jar", "/usr/share/maven-repo/javax/inject/javax.inject/1/javax.inject-1.jar", "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA", "/tmp/langwork/trivybin/trivy", "/usr/lib/google-cloud-sdk/bin/local-extract"] {
        let data = std::fs::read(f).unwrap();
        let kind = classify(f).or_else(|| may_be_binary(f, 0o755, &data)).unwrap();
        let t = std::time::Instant::now();
        let r = parse(kind, f, &data);
        println!("SYS {f} {:?} {:?}", t.elapsed(), r.map(|(p, d)| (p.iter().map(|p| format!("{}@{}", p.name, p.version)).collect::<Vec<_>>(), d)));
    }
}
