#[test]
fn perf() {
    let mut s = String::from("{\"name\":\"x\",\"lockfileVersion\":3,\"packages\":{\"\":{\"name\":\"x\"}");
    for i in 0..5000 {
        s.push_str(&format!(",\"node_modules/pkg-{i}/node_modules/@scope/dep-{i}\":{{\"version\":\"1.{i}.0\",\"resolved\":\"https://registry.npm.invalid/dep/-/dep-1.{i}.0.tgz\",\"integrity\":\"sha512-abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789==\",\"dev\":true,\"dependencies\":{{\"a\":\"^1.0.0\",\"b\":\"^2.0.0\"}},\"engines\":{{\"node\":\">=12\"}}}}"));
    }
    s.push_str("}}");
    let t = std::time::Instant::now();
    for _ in 0..10 {
        let (p, _) = rampart_inventory::lang::parse(rampart_inventory::lang::LockfileKind::PackageLockJson, "package-lock.json", s.as_bytes()).unwrap();
        assert_eq!(p.len(), 5000);
    }
    let t2 = std::time::Instant::now();
    for _ in 0..10 { let v: serde_json::Value = serde_json::from_slice(s.as_bytes()).unwrap(); assert!(v.is_object()); }
    println!("PERF value {:?}", t2.elapsed() / 10);
    let t3 = std::time::Instant::now();
    for i in 0..50000 { let p = rampart_core::Package::new(format!("@scope/dep-{i}"), "1.2.0", rampart_core::Ecosystem::Npm); assert!(!p.purl.is_empty()); }
    println!("PERF 50000 Package::new {:?}", t3.elapsed());
    println!("PERF {} bytes, {:?} per parse", s.len(), t.elapsed() / 10);
}
