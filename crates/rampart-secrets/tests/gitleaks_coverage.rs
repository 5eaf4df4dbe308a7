//! Coverage by provider against gitleaks' rule list (corpus
//! `secret-rule-examples/gitleaks/gitleaks.toml`): which of its 222 rule ids name a
//! provider that rampart has at least one rule for. Only ids and the provider part are
//! compared; no pattern is taken from the file.

mod common;

use std::collections::BTreeSet;

/// gitleaks provider prefix → rampart provider, where the names differ.
const ALIASES: &[(&str, &str)] = &[
    ("private", "private"),
    ("github", "github"),
    ("gitlab", "gitlab"),
    ("azure", "azure"),
    ("microsoft", "msteams"),
    ("kubernetes", "kubernetes"),
    ("jwt", "jwt"),
    ("hashicorp", "terraform"),
    ("vault", "vault"),
    ("sendinblue", "brevo"),
    ("sentry.io", "sentry"),
    ("frameio", "frameio"),
    ("new", "newrelic"),
    ("sourcegraph", "sourcegraph"),
    ("artifactory", "jfrog"),
    ("alibaba", "alibaba"),
    ("flyio", "flyio"),
    ("huggingface", "huggingface"),
    ("curl", "http"),
    ("octopus", "octopus"),
    ("planetscale", "planetscale"),
    ("dockerhub", "dockerhub"),
    ("pkcs12", "private"),
    ("sonar", "sonarqube"),
];

#[test]
fn gitleaks_provider_coverage() {
    let Some(dir) = common::corpus("secret-rule-examples/gitleaks") else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("gitleaks.toml")).expect("read gitleaks.toml");
    let doc: toml::Value = toml::from_str(&text).expect("gitleaks.toml parses");
    let ids: Vec<String> = doc["rules"]
        .as_array()
        .expect("rules array")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect();
    let ours: BTreeSet<&str> = rampart_secrets::rules()
        .iter()
        .map(|r| r.provider())
        .collect();
    let mut covered = Vec::new();
    let mut uncovered = Vec::new();
    for id in &ids {
        let prefix = id.split('-').next().unwrap_or(id);
        let provider = ALIASES
            .iter()
            .find(|(g, _)| *g == prefix)
            .map_or(prefix, |(_, r)| *r);
        if ours.contains(provider) {
            covered.push(id.as_str());
        } else {
            uncovered.push(id.as_str());
        }
    }
    let providers: BTreeSet<&str> = ids
        .iter()
        .map(|id| id.split('-').next().unwrap_or(id))
        .collect();
    let providers_covered: BTreeSet<&str> = covered
        .iter()
        .map(|id| id.split('-').next().unwrap_or(id))
        .collect();
    println!(
        "gitleaks ids {}: provider covered {}, not covered {}; providers {} covered {}",
        ids.len(),
        covered.len(),
        uncovered.len(),
        providers.len(),
        providers_covered.len()
    );
    println!("not covered: {}", uncovered.join(" "));
    println!(
        "rampart rules: {}, providers: {}",
        rampart_secrets::rules().len(),
        ours.len()
    );
    assert_eq!(ids.len(), 222);
    assert_eq!(
        (covered.len(), providers_covered.len()),
        (197, 111),
        "coverage changed"
    );
}
