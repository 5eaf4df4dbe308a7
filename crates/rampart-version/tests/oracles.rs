//! Differential tests against the reference implementations installed on the machine:
//! `dpkg --compare-versions`, rpm's `labelCompare` (python3-rpm), Python
//! `packaging.version` and node-semver (ranges, strict and loose, with and without
//! `includePrerelease`). Pairs are generated with a fixed-seed PRNG; each oracle runs once
//! over a file of pairs. A missing oracle fails under `CI=true` and is skipped otherwise.

use rampart_version::{Scheme, compare, parse_valid};
use std::cmp::Ordering;
use std::io::Write;
use std::process::Command;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn chance(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }
}

fn oracle_missing(what: &str) -> bool {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("oracle {what} is not installed (CI=true)");
    }
    eprintln!("note: oracle {what} not installed, skipping");
    true
}

/// Builds pairs from a pool: random pairs plus pairs of a version and a small mutation of it.
fn pairs(
    rng: &mut Rng,
    pool: &[String],
    n: usize,
    mutate: &dyn Fn(&mut Rng, &str) -> String,
) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let a = pool[rng.below(pool.len())].clone();
        let b = if rng.chance(50) {
            mutate(rng, &a)
        } else {
            pool[rng.below(pool.len())].clone()
        };
        out.push((a, b));
    }
    out
}

fn write_pairs(pairs: &[(String, String)]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    for (a, b) in pairs {
        writeln!(f, "{a}\t{b}").expect("write pairs");
    }
    f.flush().expect("flush pairs");
    f
}

/// Runs `prog args.. script pairs-file` and parses one result per line.
fn run_oracle(prog: &str, args: &[&str], pairs: &[(String, String)]) -> Option<Vec<String>> {
    let f = write_pairs(pairs);
    let out = match Command::new(prog).args(args).arg(f.path()).output() {
        Ok(o) => o,
        Err(_) => return None,
    };
    assert!(
        out.status.success(),
        "{prog} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), pairs.len(), "{prog}: one result per pair");
    Some(lines)
}

fn ord(s: &str) -> Ordering {
    match s {
        "-1" => Ordering::Less,
        "0" => Ordering::Equal,
        "1" => Ordering::Greater,
        _ => panic!("oracle printed {s:?}"),
    }
}

fn report(name: &str, total: usize, bad: &[String], results: &[String]) {
    let count = |r: &str| results.iter().filter(|x| x.as_str() == r).count();
    let (lt, eq, gt) = (count("-1"), count("0"), count("1"));
    println!(
        "{name}: {}/{total} agree (oracle said < {lt}, = {eq}, > {gt})",
        total - bad.len()
    );
    // The generated pairs must exercise every outcome, not just one.
    assert!(
        lt * 10 > total && gt * 10 > total && eq > 20,
        "{name}: pairs too uniform"
    );
    assert!(
        bad.is_empty(),
        "{name}: {} disagreements:\n{}",
        bad.len(),
        bad.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
}

fn slow_tests_off() -> bool {
    std::env::var("RAMPART_SLOW_TESTS").is_ok_and(|v| v == "0")
}

// ---------------------------------------------------------------- dpkg

fn dpkg_version(rng: &mut Rng) -> String {
    const UP: &[&str] = &[
        "0", "1", "01", "2", "10", "009", "1a", "a", "~", "~rc1", "~~", "+b1", "+", ".", ".0",
        "a1", "Z", "z", "~beta", "+dfsg", "1.2", ":", "-",
    ];
    const REV: &[&str] = &[
        "0",
        "1",
        "00",
        "2",
        "10",
        "0ubuntu1",
        "1+deb12u1",
        "1~bpo11+1",
        "~",
        "a",
        "+",
        ".",
        "1.1",
        "~1",
    ];
    let mut s = String::new();
    if rng.chance(15) {
        s.push_str(rng.pick(&["0:", "1:", "2:", "10:", "00:"]));
    }
    s.push_str(rng.pick(&["0", "1", "2", "10", "1.0", "a"]));
    for _ in 0..rng.below(4) {
        s.push_str(rng.pick(UP));
    }
    let has_rev = rng.chance(60)
        || s.contains('-')
        || s.contains(':') && !s.starts_with(|c: char| c.is_ascii_digit());
    if has_rev {
        s.push('-');
        s.push_str(rng.pick(&["0", "1", "2", "a"]));
        for _ in 0..rng.below(3) {
            s.push_str(rng.pick(REV));
        }
    }
    s
}

fn mutate_generic(rng: &mut Rng, a: &str, parts: &[&str]) -> String {
    let mut s = a.to_string();
    match rng.below(4) {
        0 => s.push_str(rng.pick(parts)),
        1 => {
            let cut = rng.below(s.len() + 1);
            if s.is_char_boundary(cut) {
                s.truncate(cut.max(1));
            }
        }
        2 => {
            let i = rng.below(s.len());
            if s.is_char_boundary(i) && s.is_char_boundary(i + 1) {
                s.replace_range(i..i + 1, rng.pick(parts));
            }
        }
        _ => s.insert_str(0, ""),
    }
    s
}

#[test]
fn dpkg_matches_dpkg_compare_versions() {
    if slow_tests_off() {
        return;
    }
    if Command::new("dpkg").arg("--version").output().is_err() && oracle_missing("dpkg") {
        return;
    }
    let mut rng = Rng(0x5eed_d9c6);
    let pool: Vec<String> = (0..400).map(|_| dpkg_version(&mut rng)).collect();
    let mutate = |rng: &mut Rng, a: &str| {
        mutate_generic(rng, a, &["~", "+", "0", "1", "a", ".", "~a", "-1", "9"])
    };
    let all = pairs(&mut rng, &pool, 2500, &mutate);
    // Only versions dpkg accepts (it exits with an error on the others).
    let valid: Vec<(String, String)> = all
        .into_iter()
        .filter(|(a, b)| {
            parse_valid(Scheme::Dpkg, a).is_ok() && parse_valid(Scheme::Dpkg, b).is_ok()
        })
        .collect();
    assert!(valid.len() > 2000, "only {} valid pairs", valid.len());
    let script = r#"while IFS="$(printf '\t')" read -r a b; do
  if dpkg --compare-versions "$a" lt "$b" 2>/dev/null; then echo -1
  elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo 0
  else echo 1; fi
done < "$1""#;
    let Some(res) = run_oracle("sh", &["-c", script, "sh"], &valid) else {
        oracle_missing("sh");
        return;
    };
    let mut bad = Vec::new();
    for ((a, b), r) in valid.iter().zip(&res) {
        let got = compare(Scheme::Dpkg, a, b);
        if got != ord(r) {
            bad.push(format!("{a:?} vs {b:?}: dpkg {r}, rampart {got:?}"));
        }
    }
    report("dpkg --compare-versions", valid.len(), &bad, &res);
}

// ---------------------------------------------------------------- rpm

fn rpm_piece(rng: &mut Rng) -> String {
    const P: &[&str] = &[
        "0",
        "1",
        "01",
        "2",
        "10",
        "007",
        "a",
        "b",
        "rc",
        "git",
        "~",
        "^",
        ".",
        "_",
        "+",
        "~rc1",
        "^20240101",
        "el9",
        "fc38",
        "A",
        "Z",
        "1a",
        "a1",
        "%",
    ];
    let mut s = String::from(rng.pick(&["0", "1", "2", "10", "1.0", "a", "1.0.1"]));
    for _ in 0..rng.below(4) {
        s.push_str(rng.pick(P));
    }
    s
}

fn rpm_version(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.chance(20) {
        s.push_str(rng.pick(&["0:", "1:", "2:", "10:", "01:"]));
    }
    s.push_str(&rpm_piece(rng).replace('-', "."));
    s.push('-');
    s.push_str(&rpm_piece(rng).replace('-', "."));
    s
}

#[test]
fn rpm_matches_python3_rpm_label_compare() {
    if slow_tests_off() {
        return;
    }
    let has_rpm = Command::new("/usr/bin/python3")
        .args(["-c", "import rpm"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_rpm && oracle_missing("python3-rpm (/usr/bin/python3 -c 'import rpm')") {
        return;
    }
    let mut rng = Rng(0x0dd_4e11);
    let pool: Vec<String> = (0..400).map(|_| rpm_version(&mut rng)).collect();
    let mutate = |rng: &mut Rng, a: &str| {
        // Keep exactly one '-' so both sides carry a release (see rpm module docs).
        let m = mutate_generic(rng, a, &["~", "^", "0", "1", "a", ".", "_", "9", "z"]);
        if m.matches('-').count() == 1 && !m.ends_with('-') {
            m
        } else {
            a.to_string()
        }
    };
    let all = pairs(&mut rng, &pool, 4000, &mutate);
    let script = r#"
import sys, rpm
def evr(s):
    e = None
    i = 0
    while i < len(s) and s[i].isdigit(): i += 1
    if i < len(s) and s[i] == ':':
        e = s[:i] or '0'; s = s[i+1:]
    v, _, r = s.rpartition('-')
    return (e, v, r)
for line in open(sys.argv[1], encoding='utf-8'):
    a, b = line.rstrip('\n').split('\t')
    print(rpm.labelCompare(evr(a), evr(b)))
"#;
    let Some(res) = run_oracle("/usr/bin/python3", &["-c", script], &all) else {
        oracle_missing("/usr/bin/python3");
        return;
    };
    let mut bad = Vec::new();
    for ((a, b), r) in all.iter().zip(&res) {
        let got = compare(Scheme::Rpm, a, b);
        if got != ord(r) {
            bad.push(format!("{a:?} vs {b:?}: rpm {r}, rampart {got:?}"));
        }
    }
    report("rpm labelCompare", all.len(), &bad, &res);
}

// ---------------------------------------------------------------- PEP 440

fn pep440_version(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.chance(5) {
        s.push_str(rng.pick(&[" ", "v", "V", "\t"]));
    }
    if rng.chance(10) {
        s.push_str(rng.pick(&["1!", "0!", "2!", "01!"]));
    }
    s.push_str(rng.pick(&[
        "0", "1", "01", "1.0", "1.0.0", "1.1", "2", "1.0.0.0", "10.2", "1.00",
    ]));
    if rng.chance(40) {
        s.push_str(rng.pick(&[
            "a", "a1", "b2", "rc1", "c1", "-alpha", ".beta3", "_pre", "preview2", "RC1", "a.1",
            "b-0", "rc.", "alph",
        ]));
    }
    if rng.chance(30) {
        s.push_str(rng.pick(&[
            ".post1", "-1", "post", "rev2", "r", "-post-3", "_r1", ".POST0", "-",
        ]));
    }
    if rng.chance(30) {
        s.push_str(rng.pick(&[".dev", "dev1", ".dev0", "-dev2", "DEV", "_dev.3"]));
    }
    if rng.chance(15) {
        s.push_str(rng.pick(&[
            "+abc", "+1.2", "+a-b_c", "+ABC.5", "+5", "+", "+a..b", "+0.abc", "+abc.10",
        ]));
    }
    if rng.chance(3) {
        s.push_str(rng.pick(&[" ", "x", ".", "..0"]));
    }
    s
}

fn python_with_packaging() -> Option<&'static str> {
    ["python3", "/usr/bin/python3", "python"]
        .into_iter()
        .find(|p| {
            Command::new(p)
                .args(["-c", "import packaging.version"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

#[test]
fn pep440_matches_python_packaging() {
    if slow_tests_off() {
        return;
    }
    let Some(py) = python_with_packaging() else {
        oracle_missing("python packaging (pip install packaging)");
        return;
    };
    let mut rng = Rng(0x9e9_440);
    let pool: Vec<String> = (0..500).map(|_| pep440_version(&mut rng)).collect();
    let mutate = |rng: &mut Rng, a: &str| {
        mutate_generic(rng, a, &["0", "1", "a", ".", "-", "_", "+", "9", "r"])
    };
    let all: Vec<(String, String)> = pairs(&mut rng, &pool, 5000, &mutate)
        .into_iter()
        .filter(|(a, b)| !a.contains(['\t', '\n']) && !b.contains(['\t', '\n']))
        .collect();
    let script = r#"
import sys
from packaging.version import Version, InvalidVersion
def parse(s):
    try: return Version(s)
    except InvalidVersion: return None
for line in open(sys.argv[1], encoding='utf-8'):
    a, b = line.rstrip('\n').split('\t')
    va, vb = parse(a), parse(b)
    if va is None or vb is None:
        print('invalid', int(va is not None), int(vb is not None))
    else:
        print(-1 if va < vb else (1 if va > vb else 0))
"#;
    let Some(res) = run_oracle(py, &["-c", script], &all) else {
        oracle_missing(py);
        return;
    };
    let mut bad = Vec::new();
    let mut compared = 0;
    for ((a, b), r) in all.iter().zip(&res) {
        let (va, vb) = (
            parse_valid(Scheme::Pep440, a).is_ok(),
            parse_valid(Scheme::Pep440, b).is_ok(),
        );
        if let Some(rest) = r.strip_prefix("invalid ") {
            let want = format!("{} {}", u8::from(va), u8::from(vb));
            if rest != want {
                bad.push(format!(
                    "{a:?} / {b:?}: packaging validity {rest}, rampart {want}"
                ));
            }
            continue;
        }
        compared += 1;
        let got = compare(Scheme::Pep440, a, b);
        if !(va && vb) || got != ord(r) {
            bad.push(format!(
                "{a:?} vs {b:?}: packaging {r}, rampart {got:?} (valid {va} {vb})"
            ));
        }
    }
    assert!(compared > 1500, "only {compared} comparable pairs");
    report("python packaging.version", all.len(), &bad, &res);
}

// ---------------------------------------------------------------- npm (node-semver)

/// A `require` path for node-semver: the global npm module, the copy bundled with npm, or
/// Debian's `node-semver` package.
fn node_semver() -> Option<String> {
    let root = Command::new("npm")
        .args(["root", "-g"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    [
        format!("{root}/semver"),
        format!("{root}/npm/node_modules/semver"),
        "/usr/share/nodejs/semver".to_string(),
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).join("package.json").is_file())
}

fn npm_range(rng: &mut Rng) -> String {
    const OPS: &[&str] = &[
        "", "", "^", "~", ">", ">=", "<", "<=", "=", "~>", "^ ", ">= ", "v",
    ];
    const VS: &[&str] = &[
        "1",
        "1.2",
        "1.2.3",
        "0.0.3",
        "0.2.x",
        "1.x",
        "*",
        "x",
        "1.2.3-beta.1",
        "0.0.0",
        "2.0.0-0",
        "1.2.*",
        "0.1",
        "1.2.3+build",
        "2",
        "0.0",
        "0.2.3",
        "1.3.0-rc.1",
        "3.x.x",
        "X",
        "2.1.0-alpha",
        // Not valid in node-semver (without `loose`):
        "01.2.3",
        "1.x.5",
        "1.2.3beta",
        ">1",
        "1.2.3.4",
        "a.b.c",
        "1.2.3-01",
        "x.1",
        "0.0.x",
        "1.2.3-alpha+b",
        "v1.2.3",
        "=1.2.3",
    ];
    let mut alts = Vec::new();
    for _ in 0..=rng.below(2) {
        if rng.chance(20) {
            alts.push(format!("{} - {}", rng.pick(VS), rng.pick(VS)));
            continue;
        }
        let comps: Vec<String> = (0..=rng.below(2))
            .map(|_| format!("{}{}", rng.pick(OPS), rng.pick(VS)))
            .collect();
        alts.push(comps.join(" "));
    }
    alts.join(if rng.chance(50) { " || " } else { "||" })
}

fn npm_version(rng: &mut Rng) -> String {
    let mut s = format!("{}.{}.{}", rng.below(4), rng.below(4), rng.below(5));
    if rng.chance(40) {
        s.push_str(rng.pick(&[
            "-0", "-alpha", "-beta.1", "-rc.2", "-1", "-alpha.0", "-beta",
        ]));
    }
    s
}

#[test]
fn npm_ranges_match_node_semver() {
    if slow_tests_off() {
        return;
    }
    let Some(module) = node_semver() else {
        oracle_missing("node-semver (apt-get install -y nodejs npm && npm install -g semver@7)");
        return;
    };
    let mut rng = Rng(0x00de_5e11);
    let cases: Vec<(String, String)> = (0..4000)
        .map(|_| {
            let r = npm_range(&mut rng);
            let v = npm_version(&mut rng);
            let w = npm_version(&mut rng);
            let loose = u8::from(rng.chance(25));
            (r, format!("{v}\t{w}\t{loose}"))
        })
        .collect();
    let script = r#"
const semver = require(process.argv[1]);
const fs = require('fs');
for (const line of fs.readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line) continue;
  const [r, v, w, l] = line.split('\t');
  const loose = l === '1';
  const canon = semver.validRange(r, { loose });
  const canonInc = semver.validRange(r, { loose, includePrerelease: true });
  const sat = semver.satisfies(v, r, { loose }) ? 1 : 0;
  const satInc = semver.satisfies(v, r, { loose, includePrerelease: true }) ? 1 : 0;
  const out = (f, o) => { try { return f(v, r, o) ? 1 : 0 } catch (e) { return 0 } };
  console.log(JSON.stringify([canon, canonInc, sat, satInc, semver.compare(v, w, true),
    out(semver.gtr, { loose }), out(semver.ltr, { loose, includePrerelease: true })]));
}
"#;
    let Some(res) = run_oracle("node", &["-e", script, &module], &cases) else {
        oracle_missing("node");
        return;
    };
    let mut bad = Vec::new();
    let mut valid = 0;
    for ((r, vw), line) in cases.iter().zip(&res) {
        let f: Vec<&str> = vw.split('\t').collect();
        let [v, w, loose] = f[..] else {
            panic!("bad case {vw:?}")
        };
        let want: serde_json::Value = serde_json::from_str(line).expect("node output is JSON");
        let cmp = compare(Scheme::Npm, v, w) as i8;
        let parsed = if loose == "1" {
            rampart_version::npm::Range::parse_loose(r)
        } else {
            rampart_version::npm::Range::parse(r)
        };
        let got = match &parsed {
            Ok(p) => serde_json::json!([
                p.canonical(false),
                p.canonical(true),
                u8::from(p.satisfies(v, false)),
                u8::from(p.satisfies(v, true)),
                cmp,
                u8::from(p.gtr(v, false)),
                u8::from(p.ltr(v, true))
            ]),
            Err(_) => serde_json::json!([null, null, 0, 0, cmp, 0, 0]),
        };
        valid += usize::from(parsed.as_ref().is_ok_and(|p| p.is_valid(false)));
        if got != want {
            bad.push(format!("{r:?} / {vw:?}: node-semver {want}, rampart {got}"));
        }
    }
    println!(
        "node-semver ranges: {}/{} agree ({valid} valid ranges)",
        cases.len() - bad.len(),
        cases.len()
    );
    assert!(
        valid > 1000 && valid < cases.len() - 300,
        "{valid} valid ranges: too uniform"
    );
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
}
