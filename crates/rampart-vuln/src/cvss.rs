//! CVSS scores computed from the vector string: v3.0/v3.1 base scores as the CVSS v3.1
//! specification (section 7) defines them, and v4.0 scores as the CVSS v4.0 specification
//! (section 8) defines them. Other versions keep the score their source gives.

/// The base score of a CVSS v3 vector (`CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`), or
/// `None` when the vector is not a complete, valid v3 vector.
///
/// ```
/// assert_eq!(rampart_vuln::cvss::v3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), Some(9.8));
/// ```
pub fn v3_base_score(vector: &str) -> Option<f64> {
    let mut parts = vector.split('/');
    let head = parts.next()?;
    if head != "CVSS:3.1" && head != "CVSS:3.0" {
        return None;
    }
    let (mut av, mut ac, mut pr, mut ui, mut s, mut c, mut i, mut a) =
        (None, None, None, None, None, None, None, None);
    for p in parts {
        let (k, v) = p.split_once(':')?;
        match k {
            "AV" => av = Some(v),
            "AC" => ac = Some(v),
            "PR" => pr = Some(v),
            "UI" => ui = Some(v),
            "S" => s = Some(v),
            "C" => c = Some(v),
            "I" => i = Some(v),
            "A" => a = Some(v),
            _ => {} // temporal and environmental metrics do not change the base score
        }
    }
    let changed = match s? {
        "U" => false,
        "C" => true,
        _ => return None,
    };
    let av = match av? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match ac? {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let pr = match (pr?, changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let ui = match ui? {
        "N" => 0.85,
        "R" => 0.62,
        _ => return None,
    };
    let cia = |m: Option<&str>| -> Option<f64> {
        match m? {
            "H" => Some(0.56),
            "L" => Some(0.22),
            "N" => Some(0.0),
            _ => None,
        }
    };
    let (c, i, a) = (cia(c)?, cia(i)?, cia(a)?);
    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Some(0.0);
    }
    let raw = if changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Some(roundup(raw))
}

/// CVSS v3.1 `Roundup`: the smallest number with one decimal that is not below `x`,
/// computed on integers to avoid floating-point surprises.
fn roundup(x: f64) -> f64 {
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

/// The base score of a CVSS vector of any version rampart computes (v3.0, v3.1, v4.0).
pub fn base_score(vector: &str) -> Option<f64> {
    v3_base_score(vector).or_else(|| v4_score(vector))
}

/// The score of a CVSS v4.0 vector (`CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N`),
/// or `None` when it is not a valid v4.0 vector. The eleven base metrics are required; threat
/// and environmental metrics, when present, are applied as the specification says (the
/// result is then CVSS-BT, -BE or -BTE); supplemental metrics do not change the score.
///
/// The algorithm is the specification's (FIRST CVSS v4.0, section 8.2): the vector falls in
/// one MacroVector (six equivalence classes), whose score is looked up, then lowered by the
/// mean of its severity distances to the highest vectors of that MacroVector, each scaled by
/// the score gap to the next lower MacroVector.
///
/// ```
/// assert_eq!(rampart_vuln::cvss::v4_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"), Some(9.3));
/// ```
pub fn v4_score(vector: &str) -> Option<f64> {
    let v = V4::parse(vector)?;
    Some(v.score())
}

/// Metric names and the values each may take, in the specification's order: the eleven base
/// metrics first (all required), then threat, environmental and supplemental metrics.
const V4_METRICS: [(&str, &[&str]); 32] = [
    ("AV", &["N", "A", "L", "P"]),
    ("AC", &["L", "H"]),
    ("AT", &["N", "P"]),
    ("PR", &["N", "L", "H"]),
    ("UI", &["N", "P", "A"]),
    ("VC", &["H", "L", "N"]),
    ("VI", &["H", "L", "N"]),
    ("VA", &["H", "L", "N"]),
    ("SC", &["H", "L", "N"]),
    ("SI", &["H", "L", "N"]),
    ("SA", &["H", "L", "N"]),
    ("E", &["X", "A", "P", "U"]),
    ("CR", &["X", "H", "M", "L"]),
    ("IR", &["X", "H", "M", "L"]),
    ("AR", &["X", "H", "M", "L"]),
    ("MAV", &["X", "N", "A", "L", "P"]),
    ("MAC", &["X", "L", "H"]),
    ("MAT", &["X", "N", "P"]),
    ("MPR", &["X", "N", "L", "H"]),
    ("MUI", &["X", "N", "P", "A"]),
    ("MVC", &["X", "H", "L", "N"]),
    ("MVI", &["X", "H", "L", "N"]),
    ("MVA", &["X", "H", "L", "N"]),
    ("MSC", &["X", "H", "L", "N"]),
    ("MSI", &["X", "S", "H", "L", "N"]),
    ("MSA", &["X", "S", "H", "L", "N"]),
    ("S", &["X", "N", "P"]),
    ("AU", &["X", "N", "Y"]),
    ("R", &["X", "A", "U", "I"]),
    ("V", &["X", "D", "C"]),
    ("RE", &["X", "L", "M", "H"]),
    ("U", &["X", "Clear", "Green", "Amber", "Red"]),
];
const V4_BASE_METRICS: usize = 11;

/// Score of each MacroVector `eq1 eq2 eq3 eq4 eq5 eq6`, indexed by
/// `((((eq1 * 2 + eq2) * 3 + eq3) * 3 + eq4) * 3 + eq5) * 2 + eq6`: the specification's
/// lookup table (`None`: EQ3 = 2 with EQ6 = 0 cannot occur).
#[rustfmt::skip]
const V4_LOOKUP: [Option<f64>; 324] = [
    Some(10.0), Some(9.9), Some(9.8), Some(9.5), Some(9.5), Some(9.2), Some(10.0), Some(9.6), Some(9.3), Some(8.7), Some(9.1), Some(8.1), Some(9.3), Some(9.0), Some(8.9), Some(8.0), Some(8.1), Some(6.8),
    Some(9.8), Some(9.5), Some(9.5), Some(9.2), Some(9.0), Some(8.4), Some(9.3), Some(9.2), Some(8.9), Some(8.1), Some(8.1), Some(6.5), Some(8.8), Some(8.0), Some(7.8), Some(7.0), Some(6.9), Some(4.8),
    None, Some(9.2), None, Some(8.2), None, Some(7.2), None, Some(7.9), None, Some(6.9), None, Some(5.0), None, Some(6.9), None, Some(5.5), None, Some(2.7),
    Some(9.9), Some(9.7), Some(9.5), Some(9.2), Some(9.2), Some(8.5), Some(9.5), Some(9.1), Some(9.0), Some(8.3), Some(8.4), Some(7.1), Some(9.2), Some(8.1), Some(8.2), Some(7.1), Some(7.2), Some(5.3),
    Some(9.5), Some(9.3), Some(9.2), Some(8.5), Some(8.5), Some(7.3), Some(9.2), Some(8.2), Some(8.0), Some(7.2), Some(7.0), Some(5.9), Some(8.4), Some(7.0), Some(7.1), Some(5.2), Some(5.0), Some(3.0),
    None, Some(8.6), None, Some(7.5), None, Some(5.2), None, Some(7.1), None, Some(5.2), None, Some(2.9), None, Some(6.3), None, Some(2.9), None, Some(1.7),
    Some(9.8), Some(9.5), Some(9.4), Some(8.7), Some(9.1), Some(8.1), Some(9.4), Some(8.9), Some(8.6), Some(7.4), Some(7.7), Some(6.4), Some(8.7), Some(7.5), Some(7.4), Some(6.3), Some(6.3), Some(4.9),
    Some(9.4), Some(8.9), Some(8.8), Some(7.7), Some(7.6), Some(6.7), Some(8.6), Some(7.6), Some(7.4), Some(5.8), Some(5.9), Some(5.0), Some(7.2), Some(5.7), Some(5.7), Some(5.2), Some(5.2), Some(2.5),
    None, Some(8.3), None, Some(7.0), None, Some(5.4), None, Some(6.5), None, Some(5.8), None, Some(2.6), None, Some(5.3), None, Some(2.1), None, Some(1.3),
    Some(9.5), Some(9.0), Some(8.8), Some(7.6), Some(7.6), Some(7.0), Some(9.0), Some(7.7), Some(7.5), Some(6.2), Some(6.1), Some(5.3), Some(7.7), Some(6.6), Some(6.8), Some(5.9), Some(5.2), Some(3.0),
    Some(8.9), Some(7.8), Some(7.6), Some(6.7), Some(6.2), Some(5.8), Some(7.4), Some(5.9), Some(5.7), Some(5.7), Some(4.7), Some(2.3), Some(6.1), Some(5.2), Some(5.7), Some(2.9), Some(2.4), Some(1.6),
    None, Some(7.1), None, Some(5.9), None, Some(3.0), None, Some(5.8), None, Some(2.6), None, Some(1.5), None, Some(2.3), None, Some(1.3), None, Some(0.6),
    Some(9.3), Some(8.7), Some(8.6), Some(7.2), Some(7.5), Some(5.8), Some(8.6), Some(7.4), Some(7.4), Some(6.1), Some(5.6), Some(3.4), Some(7.0), Some(5.4), Some(5.2), Some(4.0), Some(4.0), Some(2.2),
    Some(8.5), Some(7.5), Some(7.4), Some(5.5), Some(6.2), Some(5.1), Some(7.2), Some(5.7), Some(5.5), Some(4.1), Some(4.6), Some(1.9), Some(5.3), Some(3.6), Some(3.4), Some(1.9), Some(1.9), Some(0.8),
    None, Some(6.4), None, Some(5.1), None, Some(2.0), None, Some(4.7), None, Some(2.1), None, Some(1.1), None, Some(2.4), None, Some(0.9), None, Some(0.4),
    Some(8.8), Some(7.5), Some(7.3), Some(5.3), Some(6.0), Some(5.0), Some(7.3), Some(5.5), Some(5.9), Some(4.0), Some(4.1), Some(2.0), Some(5.4), Some(4.3), Some(4.5), Some(2.2), Some(2.0), Some(1.1),
    Some(7.5), Some(5.5), Some(5.8), Some(4.5), Some(4.0), Some(2.1), Some(6.1), Some(5.1), Some(4.8), Some(1.8), Some(2.0), Some(0.9), Some(4.6), Some(1.8), Some(1.7), Some(0.7), Some(0.8), Some(0.2),
    None, Some(5.3), None, Some(2.4), None, Some(1.4), None, Some(2.4), None, Some(1.2), None, Some(0.5), None, Some(1.0), None, Some(0.3), None, Some(0.1),
];

/// Severity depth of each MacroVector per EQ (the specification's "max severity", in steps
/// of 0.1): EQ1, EQ2, EQ3 with EQ6, EQ4.
const V4_DEPTH_EQ1: [f64; 3] = [1.0, 4.0, 5.0];
const V4_DEPTH_EQ2: [f64; 2] = [1.0, 2.0];
const V4_DEPTH_EQ3_EQ6: [[f64; 2]; 3] = [[7.0, 6.0], [8.0, 8.0], [0.0, 10.0]];
const V4_DEPTH_EQ4: [f64; 3] = [6.0, 5.0, 4.0];

/// The highest-severity vectors of each class, per EQ, as (metric, value) lists.
type Max = &'static [(&'static str, &'static str)];
const V4_MAX_EQ1: [&[Max]; 3] = [
    &[&[("AV", "N"), ("PR", "N"), ("UI", "N")]],
    &[
        &[("AV", "A"), ("PR", "N"), ("UI", "N")],
        &[("AV", "N"), ("PR", "L"), ("UI", "N")],
        &[("AV", "N"), ("PR", "N"), ("UI", "P")],
    ],
    &[
        &[("AV", "P"), ("PR", "N"), ("UI", "N")],
        &[("AV", "A"), ("PR", "L"), ("UI", "P")],
    ],
];
const V4_MAX_EQ2: [&[Max]; 2] = [
    &[&[("AC", "L"), ("AT", "N")]],
    &[&[("AC", "H"), ("AT", "N")], &[("AC", "L"), ("AT", "P")]],
];
#[rustfmt::skip]
const V4_MAX_EQ3_EQ6: [[&[Max]; 2]; 3] = [
    [
        &[&[("VC", "H"), ("VI", "H"), ("VA", "H"), ("CR", "H"), ("IR", "H"), ("AR", "H")]],
        &[
            &[("VC", "H"), ("VI", "H"), ("VA", "L"), ("CR", "M"), ("IR", "M"), ("AR", "H")],
            &[("VC", "H"), ("VI", "H"), ("VA", "H"), ("CR", "M"), ("IR", "M"), ("AR", "M")],
        ],
    ],
    [
        &[
            &[("VC", "L"), ("VI", "H"), ("VA", "H"), ("CR", "H"), ("IR", "H"), ("AR", "H")],
            &[("VC", "H"), ("VI", "L"), ("VA", "H"), ("CR", "H"), ("IR", "H"), ("AR", "H")],
        ],
        &[
            &[("VC", "L"), ("VI", "H"), ("VA", "L"), ("CR", "H"), ("IR", "M"), ("AR", "H")],
            &[("VC", "L"), ("VI", "H"), ("VA", "H"), ("CR", "H"), ("IR", "M"), ("AR", "M")],
            &[("VC", "H"), ("VI", "L"), ("VA", "H"), ("CR", "M"), ("IR", "H"), ("AR", "M")],
            &[("VC", "H"), ("VI", "L"), ("VA", "L"), ("CR", "M"), ("IR", "H"), ("AR", "H")],
            &[("VC", "L"), ("VI", "L"), ("VA", "H"), ("CR", "H"), ("IR", "H"), ("AR", "M")],
        ],
    ],
    [
        &[],
        &[&[("VC", "L"), ("VI", "L"), ("VA", "L"), ("CR", "H"), ("IR", "H"), ("AR", "H")]],
    ],
];
const V4_MAX_EQ4: [Max; 3] = [
    &[("SC", "H"), ("SI", "S"), ("SA", "S")],
    &[("SC", "H"), ("SI", "H"), ("SA", "H")],
    &[("SC", "L"), ("SI", "L"), ("SA", "L")],
];

/// The severity level of a metric value, in steps of 0.1 (lower is more severe).
fn v4_level(metric: &str, value: &str) -> f64 {
    match (metric, value) {
        ("AV", "N") | ("PR", "N") | ("UI", "N") | ("AC", "L") | ("AT", "N") => 0.0,
        ("AV", "A") | ("PR", "L") | ("UI", "P") | ("AC", "H") | ("AT", "P") => 0.1,
        ("AV", "L") | ("PR", "H") | ("UI", "A") => 0.2,
        ("AV", "P") => 0.3,
        ("VC" | "VI" | "VA", "H") => 0.0,
        ("VC" | "VI" | "VA", "L") => 0.1,
        ("VC" | "VI" | "VA", "N") => 0.2,
        ("SI" | "SA", "S") => 0.0,
        ("SC" | "SI" | "SA", "H") => 0.1,
        ("SC" | "SI" | "SA", "L") => 0.2,
        ("SC" | "SI" | "SA", "N") => 0.3,
        ("CR" | "IR" | "AR", "H") => 0.0,
        ("CR" | "IR" | "AR", "M") => 0.1,
        ("CR" | "IR" | "AR", "L") => 0.2,
        _ => 0.0,
    }
}

/// A parsed v4.0 vector: the value given for each of [`V4_METRICS`], `X` when absent.
struct V4<'a> {
    values: [&'a str; 32],
}

impl<'a> V4<'a> {
    fn parse(vector: &'a str) -> Option<V4<'a>> {
        let mut parts = vector.split('/');
        if parts.next()? != "CVSS:4.0" {
            return None;
        }
        let mut values = ["X"; 32];
        let mut seen = [false; 32];
        // Metrics must come in the specification's order, each at most once.
        let mut next = 0;
        for p in parts {
            let (k, v) = p.split_once(':')?;
            let i = V4_METRICS.iter().position(|(name, _)| *name == k)?;
            if i < next || seen[i] || !V4_METRICS[i].1.contains(&v) {
                return None;
            }
            seen[i] = true;
            values[i] = v;
            next = i + 1;
        }
        if seen[..V4_BASE_METRICS].iter().any(|s| !s) {
            return None;
        }
        Some(V4 { values })
    }

    fn raw(&self, metric: &str) -> &'a str {
        V4_METRICS
            .iter()
            .position(|(name, _)| *name == metric)
            .map_or("X", |i| self.values[i])
    }

    /// The value that counts: a modified (environmental) metric over the base one, and the
    /// worst case for an unset threat or security requirement.
    fn m(&self, metric: &str) -> &'a str {
        let selected = self.raw(metric);
        match (metric, selected) {
            ("E", "X") => return "A",
            ("CR" | "IR" | "AR", "X") => return "H",
            _ => {}
        }
        let modified = match metric {
            "AV" => "MAV",
            "AC" => "MAC",
            "AT" => "MAT",
            "PR" => "MPR",
            "UI" => "MUI",
            "VC" => "MVC",
            "VI" => "MVI",
            "VA" => "MVA",
            "SC" => "MSC",
            "SI" => "MSI",
            "SA" => "MSA",
            _ => return selected,
        };
        match self.raw(modified) {
            "X" => selected,
            m => m,
        }
    }

    /// The six equivalence classes.
    fn macro_vector(&self) -> [usize; 6] {
        let m = |k| self.m(k);
        let (av, pr, ui) = (m("AV"), m("PR"), m("UI"));
        let eq1 = if av == "N" && pr == "N" && ui == "N" {
            0
        } else if (av == "N" || pr == "N" || ui == "N") && av != "P" {
            1
        } else {
            2
        };
        let eq2 = if m("AC") == "L" && m("AT") == "N" {
            0
        } else {
            1
        };
        let (vc, vi, va) = (m("VC"), m("VI"), m("VA"));
        let eq3 = if vc == "H" && vi == "H" {
            0
        } else if vc == "H" || vi == "H" || va == "H" {
            1
        } else {
            2
        };
        let eq4 = if self.raw("MSI") == "S" || self.raw("MSA") == "S" {
            0
        } else if m("SC") == "H" || m("SI") == "H" || m("SA") == "H" {
            1
        } else {
            2
        };
        let eq5 = match m("E") {
            "A" => 0,
            "P" => 1,
            _ => 2,
        };
        let eq6 = if (m("CR") == "H" && vc == "H")
            || (m("IR") == "H" && vi == "H")
            || (m("AR") == "H" && va == "H")
        {
            0
        } else {
            1
        };
        [eq1, eq2, eq3, eq4, eq5, eq6]
    }

    fn score(&self) -> f64 {
        const IMPACT: [&str; 6] = ["VC", "VI", "VA", "SC", "SI", "SA"];
        if IMPACT.iter().all(|k| self.m(k) == "N") {
            return 0.0;
        }
        let mv = self.macro_vector();
        let lookup = |e: [usize; 6]| -> Option<f64> {
            if e[0] > 2 || e[1] > 1 || e[2] > 2 || e[3] > 2 || e[4] > 2 || e[5] > 1 {
                return None;
            }
            V4_LOOKUP[((((e[0] * 2 + e[1]) * 3 + e[2]) * 3 + e[3]) * 3 + e[4]) * 2 + e[5]]
        };
        let Some(value) = lookup(mv) else {
            return 0.0;
        };
        let [eq1, eq2, eq3, eq4, _, eq6] = mv;
        let lower = |i: usize, j: Option<usize>| {
            let mut e = mv;
            e[i] += 1;
            if let Some(j) = j {
                e[j] += 1;
            }
            lookup(e)
        };
        let next_eq1 = lower(0, None);
        let next_eq2 = lower(1, None);
        let next_eq3_eq6 = match (eq3, eq6) {
            (0, 0) => {
                // Two ways down: the higher-scoring one.
                let left = lower(5, None);
                let right = lower(2, None);
                match (left, right) {
                    (Some(l), Some(r)) if l > r => Some(l),
                    _ => right,
                }
            }
            (1, 0) => lower(5, None),
            (0 | 1, 1) => lower(2, None),
            _ => lower(2, Some(5)),
        };
        let next_eq4 = lower(3, None);
        let next_eq5 = lower(4, None);

        // Severity distances to the first highest vector of this MacroVector that is not
        // less severe than the vector in any metric.
        const DISTANCE: [&str; 14] = [
            "AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR",
        ];
        let mut distances = [0.0f64; 14];
        'search: for a in V4_MAX_EQ1[eq1] {
            for b in V4_MAX_EQ2[eq2] {
                for c in V4_MAX_EQ3_EQ6[eq3][eq6] {
                    let d = V4_MAX_EQ4[eq4];
                    let max_value = |metric: &str| {
                        a.iter()
                            .chain(b.iter())
                            .chain(c.iter())
                            .chain(d.iter())
                            .find(|(k, _)| *k == metric)
                            .map_or("X", |(_, v)| *v)
                    };
                    for (i, metric) in DISTANCE.iter().enumerate() {
                        distances[i] =
                            v4_level(metric, self.m(metric)) - v4_level(metric, max_value(metric));
                    }
                    if distances.iter().all(|d| *d >= 0.0) {
                        break 'search;
                    }
                }
            }
        }
        let d = |metric: &str| distances[DISTANCE.iter().position(|k| *k == metric).unwrap_or(0)];
        let current_eq1 = d("AV") + d("PR") + d("UI");
        let current_eq2 = d("AC") + d("AT");
        let current_eq3_eq6 = d("VC") + d("VI") + d("VA") + d("CR") + d("IR") + d("AR");
        let current_eq4 = d("SC") + d("SI") + d("SA");

        const STEP: f64 = 0.1;
        let mut sum = 0.0;
        let mut existing = 0u32;
        for (next, current, depth) in [
            (next_eq1, current_eq1, V4_DEPTH_EQ1[eq1]),
            (next_eq2, current_eq2, V4_DEPTH_EQ2[eq2]),
            (next_eq3_eq6, current_eq3_eq6, V4_DEPTH_EQ3_EQ6[eq3][eq6]),
            (next_eq4, current_eq4, V4_DEPTH_EQ4[eq4]),
        ] {
            if let Some(next) = next {
                existing += 1;
                sum += (value - next) * (current / (depth * STEP));
            }
        }
        // EQ5 always counts with a proportion of zero.
        if next_eq5.is_some() {
            existing += 1;
        }
        let mean = if existing == 0 {
            0.0
        } else {
            sum / f64::from(existing)
        };
        round_half_up((value - mean).clamp(0.0, 10.0))
    }
}

/// Round to one decimal, halves up, as the decimal numbers the specification computes with
/// (binary floating point leaves `8.6 - 7.15` a hair under 1.45).
fn round_half_up(x: f64) -> f64 {
    ((x + 1e-6) * 10.0 + 0.5).floor() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_scores() {
        // Scores as NVD publishes them for these vectors.
        for (v, s) in [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:N", 0.0),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6),
        ] {
            assert_eq!(v3_base_score(v), Some(s), "{v}");
        }
        assert_eq!(v3_base_score("CVSS:3.1/AV:N"), None);
        assert_eq!(v3_base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P"), None);
    }
}
