//! The human-readable table (`--format table`), the default on a terminal.

use crate::Report;
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
        "{} packages · {} vulnerabilities · {} misconfigurations · {} secrets · {} malware",
        report.packages.len(),
        report.vulnerabilities.len(),
        report.misconfigurations.len(),
        report.secrets.len(),
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
    if !report.vulnerabilities.is_empty() {
        out.push_str("\nVulnerabilities\n");
        let rows: Vec<[String; 6]> = report
            .vulnerabilities
            .iter()
            .map(|v| {
                [
                    v.purl.split('@').next().unwrap_or(&v.purl).to_string(),
                    v.installed_version.clone(),
                    v.id.clone(),
                    v.severity.to_string(),
                    v.status.clone(),
                    v.fixed_version.clone().unwrap_or_default(),
                ]
            })
            .collect();
        render(
            &mut out,
            [
                "PACKAGE",
                "INSTALLED",
                "ID",
                "SEVERITY",
                "STATUS",
                "FIXED IN",
            ],
            &rows,
        );
    }
    if !report.misconfigurations.is_empty() {
        out.push_str("\nMisconfigurations\n");
        let rows: Vec<[String; 5]> = report
            .misconfigurations
            .iter()
            .map(|m| {
                [
                    m.severity.to_string(),
                    m.rule_id.clone(),
                    format!("{}:{}", m.file, m.line),
                    m.resource.clone(),
                    m.title.clone(),
                ]
            })
            .collect();
        render(
            &mut out,
            ["SEVERITY", "RULE", "WHERE", "RESOURCE", "TITLE"],
            &rows,
        );
    }
    if !report.secrets.is_empty() {
        out.push_str("\nSecrets\n");
        let rows: Vec<[String; 5]> = report
            .secrets
            .iter()
            .map(|s| {
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
            })
            .collect();
        render(
            &mut out,
            ["SEVERITY", "RULE", "WHERE", "LAYER", "VALUE"],
            &rows,
        );
    }
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

fn short(digest: &str) -> String {
    let d = digest.strip_prefix("sha256:").unwrap_or(digest);
    d.chars().take(12).collect()
}
