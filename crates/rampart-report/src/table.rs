//! The human-readable table (`--format table`), the default on a terminal.
//!
//! Vulnerabilities come in one block per installed package: its name and installed version,
//! the one version to upgrade to that fixes all of its findings (when there is one), then
//! its findings, most severe first. Other findings come as one table per kind.

use crate::{Misconfiguration, Report, Secret, Vulnerability};
use rampart_core::{Ecosystem, Package};
use rampart_version::{Scheme, compare, scheme_for};
use std::fmt::Write;

fn widths<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> [usize; N] {
    let mut w = header.map(|h| h.chars().count());
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    w
}

fn render<const N: usize>(out: &mut String, header: [&str; N], rows: &[[String; N]]) {
    let w = widths(header, rows);
    let line = |out: &mut String, cells: &[&str]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                let _ = write!(l, "{:<width$}  ", c, width = w[i]);
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(out, &header);
    let rule: Vec<String> = w.iter().map(|n| "─".repeat(*n)).collect();
    line(out, &rule.iter().map(String::as_str).collect::<Vec<_>>());
    for r in rows {
        line(out, &r.iter().map(String::as_str).collect::<Vec<_>>());
    }
}

/// The report as aligned text tables, one per kind of finding.
pub fn to_string(report: &Report) -> String {
    let mut out = String::new();
    let a = &report.artifact;
    let _ = write!(out, "{} ({})", a.name, a.kind);
    if let Some(os) = &a.os {
        let _ = write!(out, " · {} {}", os.family, os.version);
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "{} packages · {} vulnerabilities · {} misconfigurations{} · {} secrets{} · {} malware",
        report.packages.len(),
        report.vulnerabilities.len(),
        report.misconfigurations.len(),
        suppressed_count(
            report
                .misconfigurations
                .iter()
                .filter(|m| m.suppressed.is_some())
                .count()
        ),
        report.secrets.len(),
        suppressed_count(
            report
                .secrets
                .iter()
                .filter(|s| s.suppressed.is_some())
                .count()
        ),
        report.malware.len()
    );
    for d in &report.diagnostics {
        let _ = writeln!(out, "warning: {d}");
    }
    if let Some(c) = &report.compliance {
        let failed = c.controls.iter().filter(|x| x.status == "FAIL").count();
        let _ = writeln!(
            out,
            "\nCompliance: {} ({} of {} controls fail)",
            c.framework,
            failed,
            c.controls.len()
        );
        let rows: Vec<[String; 3]> = c
            .controls
            .iter()
            .map(|x| [x.status.clone(), x.id.clone(), x.findings.to_string()])
            .collect();
        render(&mut out, ["STATUS", "CONTROL", "FINDINGS"], &rows);
    }
    vulnerabilities(&mut out, report);
    misconfigurations(&mut out, report);
    secrets(&mut out, report);
    if !report.malware.is_empty() {
        out.push_str("\nMalware\n");
        let rows: Vec<[String; 3]> = report
            .malware
            .iter()
            .map(|m| [m.rule_id.clone(), m.file.clone(), m.sha256.clone()])
            .collect();
        render(&mut out, ["RULE", "FILE", "SHA256"], &rows);
    }
    if !report.packages.is_empty() {
        out.push_str("\nPackages\n");
        let rows: Vec<[String; 4]> = report
            .packages
            .iter()
            .map(|p| {
                [
                    p.name.clone(),
                    p.version.clone(),
                    p.ecosystem.to_string(),
                    p.locations.first().cloned().unwrap_or_default(),
                ]
            })
            .collect();
        render(
            &mut out,
            ["NAME", "VERSION", "ECOSYSTEM", "FOUND IN"],
            &rows,
        );
    }
    out
}

/// The misconfigurations table. Suppressed ones (kept with `--show-suppressed`) follow the
/// open ones in their own table, with a SUPPRESSED column giving where the suppression
/// comes from and why.
fn misconfigurations(out: &mut String, report: &Report) {
    let row = |m: &Misconfiguration| {
        [
            m.severity.to_string(),
            m.rule_id.clone(),
            format!("{}:{}", m.file, m.line),
            m.resource.clone(),
            m.title.clone(),
        ]
    };
    let (suppressed, open): (Vec<&Misconfiguration>, Vec<&Misconfiguration>) = report
        .misconfigurations
        .iter()
        .partition(|m| m.suppressed.is_some());
    if !open.is_empty() {
        out.push_str("\nMisconfigurations\n");
        let rows: Vec<[String; 5]> = open.iter().map(|m| row(m)).collect();
        render(
            out,
            ["SEVERITY", "RULE", "WHERE", "RESOURCE", "TITLE"],
            &rows,
        );
    }
    if !suppressed.is_empty() {
        let _ = writeln!(
            out,
            "\nSuppressed misconfigurations ({}, not counted by --exit-code)",
            suppressed.len()
        );
        let rows: Vec<[String; 5]> = suppressed
            .iter()
            .map(|m| {
                let [sev, rule, place, resource, _] = row(m);
                let why = m.suppressed.clone().unwrap_or_default();
                [sev, rule, place, resource, why]
            })
            .collect();
        render(
            out,
            ["SEVERITY", "RULE", "WHERE", "RESOURCE", "SUPPRESSED"],
            &rows,
        );
    }
}

/// ` (N suppressed)` after a count in the summary line, or nothing when none is.
fn suppressed_count(n: usize) -> String {
    match n {
        0 => String::new(),
        n => format!(" ({n} suppressed)"),
    }
}

/// The secrets table, values redacted. Suppressed ones (kept with `--show-suppressed`)
/// follow the open ones in their own table, with a SUPPRESSED column giving where the
/// suppression comes from and why.
fn secrets(out: &mut String, report: &Report) {
    let row = |s: &Secret| {
        let mut place = format!("{}:{}", s.file, s.line);
        if let Some(l) = &s.deleted_in_layer {
            let _ = write!(place, " (deleted in {})", short(l));
        }
        [
            s.severity.to_string(),
            s.rule_id.clone(),
            place,
            s.layer.as_deref().map(short).unwrap_or_default(),
            s.redacted.clone(),
        ]
    };
    let (suppressed, open): (Vec<&Secret>, Vec<&Secret>) =
        report.secrets.iter().partition(|s| s.suppressed.is_some());
    if !open.is_empty() {
        out.push_str("\nSecrets\n");
        let rows: Vec<[String; 5]> = open.iter().map(|s| row(s)).collect();
        render(out, ["SEVERITY", "RULE", "WHERE", "LAYER", "VALUE"], &rows);
    }
    if !suppressed.is_empty() {
        let _ = writeln!(
            out,
            "\nSuppressed secrets ({}, not counted by --exit-code)",
            suppressed.len()
        );
        let rows: Vec<[String; 6]> = suppressed
            .iter()
            .map(|s| {
                let [sev, rule, place, layer, value] = row(s);
                let why = s.suppressed.clone().unwrap_or_default();
                [sev, rule, place, layer, value, why]
            })
            .collect();
        render(
            out,
            ["SEVERITY", "RULE", "WHERE", "LAYER", "VALUE", "SUPPRESSED"],
            &rows,
        );
    }
}

fn short(digest: &str) -> String {
    let d = digest.strip_prefix("sha256:").unwrap_or(digest);
    d.chars().take(12).collect()
}

/// Longest title shown in the vulnerability table; longer ones end in `…`.
const TITLE_WIDTH: usize = 60;

/// One installed package and its findings.
struct PackageBlock<'a> {
    name: &'a str,
    installed: &'a str,
    scheme: Option<Scheme>,
    findings: Vec<&'a Vulnerability>,
}

impl PackageBlock<'_> {
    /// The version that fixes every finding that counts (suppressed ones do not): the
    /// highest of their fixed versions, when each has one. `Err(n)`: `n` have no fix.
    fn upgrade(&self) -> Result<Option<&str>, usize> {
        let open: Vec<&&Vulnerability> = self
            .findings
            .iter()
            .filter(|v| v.suppressed.is_none())
            .collect();
        let unfixed = open.iter().filter(|v| v.fixed_version.is_none()).count();
        if unfixed > 0 {
            return Err(unfixed);
        }
        let scheme = self.scheme;
        Ok(open
            .iter()
            .filter_map(|v| v.fixed_version.as_deref())
            .max_by(|a, b| match scheme {
                Some(s) => compare(s, a, b),
                None => a.cmp(b),
            }))
    }
}

/// The package a finding is about: by purl among the report's packages, else from the purl.
fn package_of<'a>(packages: &'a [Package], v: &'a Vulnerability) -> (&'a str, Option<Scheme>) {
    if let Some(p) = packages.iter().find(|p| p.purl == v.purl) {
        return (p.name.as_str(), Some(scheme_for(p.ecosystem)));
    }
    let bare = v.purl.split(['@', '?', '#']).next().unwrap_or(&v.purl);
    let name = bare.rsplit('/').next().unwrap_or(bare);
    let kind = bare
        .strip_prefix("pkg:")
        .and_then(|r| r.split('/').next())
        .unwrap_or_default();
    let scheme = Ecosystem::ALL
        .into_iter()
        .find(|e| e.purl_type() == kind)
        .map(scheme_for);
    (name, scheme)
}

fn clip(s: &str, width: usize) -> String {
    let s = s.lines().next().unwrap_or_default().trim();
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// The vulnerabilities, one block per installed package.
fn vulnerabilities(out: &mut String, report: &Report) {
    if report.vulnerabilities.is_empty() {
        return;
    }
    let mut blocks: Vec<PackageBlock<'_>> = Vec::new();
    for v in &report.vulnerabilities {
        let (name, scheme) = package_of(&report.packages, v);
        match blocks
            .iter_mut()
            .find(|b| b.name == name && b.installed == v.installed_version)
        {
            Some(b) => b.findings.push(v),
            None => blocks.push(PackageBlock {
                name,
                installed: &v.installed_version,
                scheme,
                findings: vec![v],
            }),
        }
    }
    blocks.sort_by(|a, b| a.name.cmp(b.name).then(a.installed.cmp(b.installed)));
    let _ = writeln!(
        out,
        "\nVulnerabilities ({} in {} packages)",
        report.vulnerabilities.len(),
        blocks.len()
    );
    for b in &mut blocks {
        b.findings
            .sort_by(|x, y| y.severity.cmp(&x.severity).then_with(|| x.id.cmp(&y.id)));
        let open = b.findings.iter().filter(|v| v.suppressed.is_none()).count();
        let _ = write!(out, "\n{} {}", b.name, b.installed);
        match b.upgrade() {
            Ok(Some(fix)) if open == 1 => {
                let _ = writeln!(out, " → upgrade to {fix} (fixes it)");
            }
            Ok(Some(fix)) => {
                let _ = writeln!(out, " → upgrade to {fix} (fixes all {open})");
            }
            Ok(None) => out.push('\n'),
            Err(unfixed) => {
                let _ = writeln!(out, " · no single upgrade: {unfixed} of {open} not fixed");
            }
        }
        let rows: Vec<[String; 5]> = b
            .findings
            .iter()
            .map(|v| {
                let status = match &v.suppressed {
                    Some(why) => format!("{} (suppressed: {why})", v.status),
                    None => v.status.clone(),
                };
                [
                    v.severity.to_string(),
                    v.id.clone(),
                    status,
                    v.fixed_version.clone().unwrap_or_default(),
                    v.title
                        .as_deref()
                        .map(|t| clip(t, TITLE_WIDTH))
                        .unwrap_or_default(),
                ]
            })
            .collect();
        let mut block = String::new();
        render(
            &mut block,
            ["SEVERITY", "ID", "STATUS", "FIXED IN", "TITLE"],
            &rows,
        );
        for line in block.lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Artifact, Cvss};
    use rampart_core::{OsInfo, Severity};

    fn deb(name: &str, version: &str, source: &str) -> Package {
        let mut p = Package::new(name, version, Ecosystem::Deb).with_purl(format!(
            "pkg:deb/debian/{name}@{version}?arch=amd64&distro=debian-11"
        ));
        p.source_name = Some(source.to_string());
        p.at("/var/lib/dpkg/status")
    }

    #[allow(clippy::too_many_arguments)]
    fn vuln(
        pkg: &Package,
        id: &str,
        aliases: &[&str],
        fixed: Option<&str>,
        status: &str,
        severity: Severity,
        cvss: Option<(&str, f64)>,
        title: &str,
    ) -> Vulnerability {
        Vulnerability {
            id: id.to_string(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            purl: pkg.purl.clone(),
            installed_version: pkg.version.clone(),
            fixed_version: fixed.map(str::to_string),
            status: status.to_string(),
            severity,
            cvss: cvss
                .map(|(vector, score)| Cvss {
                    source: "nvd".into(),
                    vector: vector.into(),
                    score,
                })
                .into_iter()
                .collect(),
            data_source: "osv:Debian".into(),
            title: Some(title.to_string()),
            suppressed: None,
        }
    }

    /// A Debian 11 image as a scan reports it: Debian advisories (fixed versions as the
    /// Debian OSV records give them), one finding without a fix, a suppressed one and a
    /// Python package.
    fn debian_report() -> Report {
        let mut r = Report::new(
            Artifact::new("container_image", "debian:11.6"),
            "2026-01-01T00:00:00Z",
        );
        r.artifact.os = Some(OsInfo {
            family: "debian".into(),
            version: "11.6".into(),
            name: None,
        });
        let libssl = deb("libssl1.1", "1.1.1n-0+deb11u1", "openssl");
        let zlib = deb("zlib1g", "1:1.2.11.dfsg-2", "zlib");
        let libc = deb("libc6", "2.31-13+deb11u5", "glibc");
        let requests = Package::new("requests", "2.25.0", Ecosystem::PyPI)
            .at("/usr/lib/python3/dist-packages/requests-2.25.0.dist-info/METADATA");
        let v31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
        r.vulnerabilities = vec![
            vuln(
                &libssl,
                "CVE-2022-1292",
                &["DSA-5139-1"],
                Some("1.1.1n-0+deb11u2"),
                "fixed",
                Severity::Critical,
                Some((v31, 9.8)),
                "openssl - security update",
            ),
            vuln(
                &libssl,
                "DSA-5343-1",
                &[
                    "CVE-2022-2097",
                    "CVE-2022-4304",
                    "CVE-2022-4450",
                    "CVE-2023-0215",
                    "CVE-2023-0286",
                ],
                Some("1.1.1n-0+deb11u4"),
                "fixed",
                Severity::High,
                None,
                "openssl - security update",
            ),
            vuln(
                &libssl,
                "CVE-2022-2068",
                &["DSA-5169-1"],
                Some("1.1.1n-0+deb11u3"),
                "fixed",
                Severity::Critical,
                Some((v31, 9.8)),
                "openssl - security update",
            ),
            vuln(
                &zlib,
                "CVE-2018-25032",
                &["DSA-5111-1"],
                Some("1:1.2.11.dfsg-2+deb11u1"),
                "fixed",
                Severity::High,
                Some(("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5)),
                "zlib - security update",
            ),
            vuln(
                &zlib,
                "CVE-2022-37434",
                &["DSA-5218-1"],
                Some("1:1.2.11.dfsg-2+deb11u2"),
                "fixed",
                Severity::Critical,
                Some((v31, 9.8)),
                "zlib - security update",
            ),
            vuln(
                &libc,
                "CVE-2023-4911",
                &["DSA-5514-1"],
                Some("2.31-13+deb11u7"),
                "fixed",
                Severity::High,
                Some(("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8)),
                "A buffer overflow was discovered in the GNU C Library's dynamic loader ld.so while processing the GLIBC_TUNABLES environment variable.",
            ),
            vuln(
                &libc,
                "CVE-2019-1010022",
                &[],
                None,
                "will_not_fix",
                Severity::Low,
                None,
                "GNU Libc current is affected by: Mitigation bypass. The impact is: Attacker may bypass stack guard protection.",
            ),
            Vulnerability {
                suppressed: Some("no_dsa".into()),
                ..vuln(
                    &libc,
                    "CVE-2021-3999",
                    &[],
                    Some("2.31-13+deb11u3"),
                    "fixed",
                    Severity::High,
                    None,
                    "Off-by-one buffer overflow/underflow in getcwd()",
                )
            },
            Vulnerability {
                data_source: "osv:PyPI".into(),
                ..vuln(
                    &requests,
                    "CVE-2023-32681",
                    &["GHSA-j8r2-6x86-q33q", "PYSEC-2023-74"],
                    Some("2.31.0"),
                    "fixed",
                    Severity::Medium,
                    Some(("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", 6.1)),
                    "Unintended leak of Proxy-Authorization header in requests",
                )
            },
        ];
        r.packages = vec![libssl, zlib, libc, requests];
        r
    }

    #[test]
    fn vulnerabilities_by_package() {
        let report = debian_report();
        let text = to_string(&report);
        insta::assert_snapshot!(text);
        // One block per installed package, each opening with its upgrade.
        assert!(
            text.contains("libssl1.1 1.1.1n-0+deb11u1 → upgrade to 1.1.1n-0+deb11u4 (fixes all 3)")
        );
        assert!(
            text.contains(
                "zlib1g 1:1.2.11.dfsg-2 → upgrade to 1:1.2.11.dfsg-2+deb11u2 (fixes all 2)"
            )
        );
        // A suppressed finding does not count; one without a fix means no single upgrade.
        assert!(text.contains("libc6 2.31-13+deb11u5 · no single upgrade: 1 of 2 not fixed"));
    }

    /// With `--show-suppressed`, suppressed misconfigurations come in their own table with
    /// the reason; open ones stay in the main table.
    #[test]
    fn suppressed_misconfigurations_are_marked() {
        let mut r = Report::new(Artifact::new("config", "deploy"), "2026-01-01T00:00:00Z");
        let m = |rule: &str, line: u32, suppressed: Option<&str>| Misconfiguration {
            rule_id: rule.into(),
            title: format!("{rule} title"),
            severity: Severity::High,
            resource: "Pod/ops/debug".into(),
            file: "pod.yaml".into(),
            line,
            frameworks: Vec::new(),
            remediation: "Fix it.".into(),
            message: String::new(),
            suppressed: suppressed.map(str::to_string),
        };
        r.misconfigurations = vec![
            m(
                "k8s-privileged",
                13,
                Some("inline: needs raw device access"),
            ),
            m(
                "k8s-host-namespaces",
                7,
                Some("ignore-file: node debugging pod"),
            ),
            m("k8s-run-as-root", 9, None),
        ];
        r.finish();
        let text = to_string(&r);
        insta::assert_snapshot!(text);
        assert!(
            text.contains("3 misconfigurations (2 suppressed)"),
            "{text}"
        );
        let (open, suppressed) = text
            .split_once("Suppressed misconfigurations (2, not counted by --exit-code)")
            .unwrap_or_else(|| panic!("{text}"));
        assert!(open.contains("k8s-run-as-root") && !open.contains("k8s-privileged"));
        assert!(suppressed.contains("inline: needs raw device access"));
        assert!(suppressed.contains("ignore-file: node debugging pod"));
        assert!(!suppressed.contains("k8s-run-as-root"));
    }

    /// With `--show-suppressed`, suppressed secrets come in their own table with the reason
    /// and the redacted value; open ones stay in the main table; the summary line counts them.
    #[test]
    fn suppressed_secrets_are_marked() {
        let mut r = Report::new(Artifact::new("filesystem", "."), "2026-01-01T00:00:00Z");
        let s =
            |file: &str, suppressed: Option<&str>| crate::model::test_secret(file, 1, suppressed);
        r.secrets = vec![
            s("test/token.env", Some("ignore-file: revoked test token")),
            s("src/app.env", None),
        ];
        r.finish();
        let text = to_string(&r);
        insta::assert_snapshot!(text);
        assert!(text.contains("2 secrets (1 suppressed)"), "{text}");
        let (open, suppressed) = text
            .split_once("Suppressed secrets (1, not counted by --exit-code)")
            .unwrap_or_else(|| panic!("{text}"));
        assert!(open.contains("src/app.env") && !open.contains("test/token.env"));
        assert!(suppressed.contains("test/token.env"));
        assert!(suppressed.contains("ignore-file: revoked test token"));
        assert!(suppressed.contains("ghp_…sha256:0123456789ab"));
        assert!(!suppressed.contains("src/app.env"));
        // Without suppressed ones: one table, no count.
        r.secrets.retain(|x| x.suppressed.is_none());
        r.finish();
        let plain = to_string(&r);
        assert!(!plain.contains("uppressed"), "{plain}");
    }

    #[test]
    fn upgrade_uses_the_ecosystem_order() {
        // `1.10.0` sorts above `1.9.0` as a version, below it as a string.
        let mut r = Report::new(Artifact::new("filesystem", "."), "2026-01-01T00:00:00Z");
        let p = Package::new("foo", "1.0.0", Ecosystem::Cargo);
        for (id, fixed) in [("A", "1.10.0"), ("B", "1.9.0")] {
            r.vulnerabilities.push(vuln(
                &p,
                id,
                &[],
                Some(fixed),
                "fixed",
                Severity::High,
                None,
                "t",
            ));
        }
        r.packages.push(p);
        assert!(to_string(&r).contains("foo 1.0.0 → upgrade to 1.10.0 (fixes all 2)"));
    }
}
