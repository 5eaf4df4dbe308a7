//! The rule reference in `docs/rules/` is generated from the rule declarations
//! (`rampart_misconfig::rules()`), one page per family. This test fails when the checked-in
//! pages differ from what the declarations produce; regenerate them with
//!
//! ```text
//! RAMPART_UPDATE_DOCS=1 cargo test -p rampart-misconfig --test rule_docs
//! ```

use rampart_core::RuleMeta;
use std::fmt::Write;
use std::path::PathBuf;

const REGENERATE: &str = "RAMPART_UPDATE_DOCS=1 cargo test -p rampart-misconfig --test rule_docs";

/// (file, title, what it covers, rule id prefix)
const FAMILIES: &[(&str, &str, &str, &str)] = &[
    (
        "kubernetes.md",
        "Kubernetes",
        "Pod Security Standards (baseline and restricted), NSA/CISA and CIS workload controls, RBAC, network exposure and secrets in manifests.",
        "k8s-",
    ),
    (
        "dockerfile.md",
        "Dockerfile",
        "Build recipes: users, base images, remote downloads, secrets in the image configuration, package installs.",
        "docker-",
    ),
    (
        "compose.md",
        "docker-compose",
        "Services of compose files: host access, capabilities, mounts, secrets in the environment, image pinning, users.",
        "compose-",
    ),
    (
        "image.md",
        "Image configuration",
        "A container image's own configuration (`scan image --scanners misconfig`): user, exposed ports, environment.",
        "image-",
    ),
    (
        "terraform.md",
        "Terraform",
        "AWS, Google Cloud and Azure resources in HCL and plan JSON.",
        "tf-",
    ),
];

fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules")
}

fn page(title: &str, about: &str, rules: &[&RuleMeta]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {title} rules\n");
    let _ = writeln!(
        s,
        "<!-- Generated from the rule declarations in crates/rampart-misconfig/src/rules.rs; do not edit. Regenerate: {REGENERATE} -->\n"
    );
    let _ = writeln!(s, "{about}\n");
    let _ = writeln!(s, "| id | severity | title |\n|---|---|---|");
    for r in rules {
        let _ = writeln!(
            s,
            "| [`{}`](#{}) | {} | {} |",
            r.id,
            r.id,
            r.severity.as_str(),
            r.title
        );
    }
    for r in rules {
        let _ = writeln!(s, "\n## {}\n", r.id);
        let _ = writeln!(s, "**{}** · severity {}\n", r.title, r.severity.as_str());
        let _ = writeln!(s, "{}\n", r.description);
        let _ = writeln!(s, "**Remediation:** {}", r.remediation);
        if !r.frameworks.is_empty() {
            let controls: Vec<String> = r.frameworks.iter().map(|f| format!("`{f}`")).collect();
            let _ = writeln!(s, "\n**Controls:** {}", controls.join(", "));
        }
        if !r.references.is_empty() {
            let _ = writeln!(s, "\n**References:**\n");
            for link in &r.references {
                let _ = writeln!(s, "- <{link}>");
            }
        }
    }
    s
}

fn index(pages: &[(&str, &str, usize)]) -> String {
    let mut s = String::from("# Rule reference\n\n");
    let _ = writeln!(
        s,
        "<!-- Generated from the rule declarations; do not edit. Regenerate: {REGENERATE} -->\n"
    );
    s.push_str("Every built-in misconfiguration rule, generated from its one declaration (the same data `rampart rules list` prints and SARIF `rules[]` carries).\n\n");
    s.push_str("| family | rules |\n|---|---|\n");
    for (file, title, n) in pages {
        let _ = writeln!(s, "| [{title}]({file}) | {n} |");
    }
    s.push_str("\nCustom Rego policies (`--policy`) report rule ids `rego:<package>.<rule>`, or the id their package's `__rego_metadata__` declares; see `examples/policies`.\n");
    s
}

fn generate() -> Vec<(String, String)> {
    let all = rampart_misconfig::rules();
    let mut out = Vec::new();
    let mut counts = Vec::new();
    for (file, title, about, prefix) in FAMILIES {
        let rules: Vec<&RuleMeta> = all.iter().filter(|r| r.id.starts_with(prefix)).collect();
        counts.push((*file, *title, rules.len()));
        out.push((file.to_string(), page(title, about, &rules)));
    }
    out.push(("README.md".to_string(), index(&counts)));
    out
}

#[test]
fn every_rule_belongs_to_a_documented_family() {
    for r in rampart_misconfig::rules() {
        assert!(
            FAMILIES.iter().any(|f| r.id.starts_with(f.3)),
            "rule {} has no page in docs/rules; add its family to FAMILIES",
            r.id
        );
    }
}

#[test]
fn rule_docs_are_up_to_date() {
    let dir = docs_dir();
    let update = std::env::var_os("RAMPART_UPDATE_DOCS").is_some_and(|v| v != "0");
    let mut stale = Vec::new();
    for (file, text) in generate() {
        let path = dir.join(&file);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            continue;
        }
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is stale ({}); regenerate with: {REGENERATE}",
        stale.join(", ")
    );
}
