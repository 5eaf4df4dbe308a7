use rampart_core::OsInfo;
#[test]
fn perf() {
    let t = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/os-pkgdb-fixtures/trivy/dpkg/valid.txtar")).unwrap();
    let st: String = t.split("-- var/lib/dpkg/status --\n").nth(1).unwrap().to_string();
    let mut big = String::new();
    while big.lines().count() < 100_000 { big.push_str(&st); big.push('\n'); }
    let os = OsInfo { family: "debian".into(), version: "12".into(), name: None };
    let mut best = f64::MAX;
    for _ in 0..30 {
        let t0 = std::time::Instant::now();
        let (p, _) = rampart_inventory::os::parse_dpkg_status("s", big.as_bytes(), &os).unwrap();
        std::hint::black_box(p);
        best = best.min(t0.elapsed().as_secs_f64());
    }
    let t0 = std::time::Instant::now();
    let mut n = 0; for l in big.lines() { n += l.len(); } std::hint::black_box(n);
    eprintln!("dpkg {} lines: best {:.3} ms; str::lines {:.3} ms", big.lines().count(), best * 1e3, t0.elapsed().as_secs_f64()*1e3);
    for f in ["go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite", "go-rpmdb/sle15-bci/Packages.db", "go-rpmdb/libuuid/Packages"] {
        let d = std::fs::read(format!("{}/../../../shared/corpus/os-pkgdb-fixtures/{f}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let mut best = f64::MAX;
        for _ in 0..30 {
            let t0 = std::time::Instant::now();
            let _ = rampart_inventory::os::parse_rpmdb("x", &d, &os).unwrap();
            best = best.min(t0.elapsed().as_secs_f64());
        }
        eprintln!("{f}: {} bytes best {:.3} ms", d.len(), best * 1e3);
    }
}
