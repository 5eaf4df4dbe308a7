//! Recall and false positives on the positive and negative examples that ship with Nosey
//! Parker's 189 published rules (corpus `secret-rule-examples/noseyparker`).
//!
//! The examples are test input only: rampart's rules are written from provider formats.
//! Rules for things that are not credentials (identifiers, bucket names, public keys) are
//! listed in `UNCLAIMED` with the reason; every other example must be found or be listed
//! in `KNOWN_MISSES` with the reason.

mod common;

use std::collections::BTreeMap;

/// Nosey Parker rules whose examples rampart does not claim to find, and why.
const UNCLAIMED: &[(&str, &str)] = &[
    ("np.age.1", "age recipient: a public key"),
    (
        "np.aws.3",
        "AWS account id: an identifier, not a credential",
    ),
    ("np.s3.1", "S3 bucket name: not a credential"),
    ("np.s3.2", "S3 bucket name: not a credential"),
    ("np.arn.1", "ARN: an identifier"),
    ("np.gcs.1", "GCS bucket name: not a credential"),
    ("np.gcs.2", "GCS bucket name: not a credential"),
    ("np.google.1", "OAuth client id: public"),
    ("np.github.5", "OAuth client id: public"),
    ("np.linkedin.1", "client id: public"),
    ("np.twitter.1", "client id: public"),
    ("np.mapbox.1", "Mapbox public token (pk.): public by design"),
    ("np.shopify.1", "shop domain: not a credential"),
    ("np.reactapp.1", "a user name, not a credential"),
    (
        "np.codeclimate.1",
        "reporter id: rampart flags it only as CC_TEST_REPORTER_ID",
    ),
    (
        "np.jenkins.1",
        "Jenkins API tokens and crumbs have no published format",
    ),
    (
        "np.jenkins.2",
        "Jenkins setup password is printed in logs, not a file format",
    ),
    ("np.pwhash.5", "Cisco IOS type-8 hash: not covered"),
    (
        "np.krb5.asrep.23.1",
        "Kerberos AS-REP hash (cracking output): not covered",
    ),
];

/// Examples of claimed rules that rampart misses on purpose: (rule, example prefix, reason).
const KNOWN_MISSES: &[(&str, &str, &str)] = &[
    (
        "np.aws.2",
        "aws_secret_access_key:aaaa",
        "one repeated character: a placeholder",
    ),
    (
        "np.aws.2",
        "aws_secret_access_key => aaaa",
        "one repeated character: a placeholder",
    ),
    (
        "np.google.3",
        "\"client_secret\":\"aaaa",
        "one repeated character: a placeholder",
    ),
    (
        "np.salesforce.1",
        "=== Org Description",
        "the documentation token contains EXAMPLE",
    ),
    (
        "np.slack.2",
        "export SLACK_TOKEN=\"xoxb-0000000000",
        "xxxx placeholder",
    ),
    (
        "np.tavily.1",
        "TAVILY_API_KEY = \"tvly-xxxx",
        "xxxx placeholder",
    ),
    (
        "np.generic.3",
        "user = 'Aladdin'\npassword = 'open sesame'",
        "value holds a space: prose, not a secret",
    ),
    (
        "np.generic.4",
        "user = Aladdin\npassword = open_sesame",
        "unquoted snake_case value reads as an identifier",
    ),
    (
        "np.generic.4",
        "user = Aladdin\n// some comment",
        "unquoted snake_case value reads as an identifier",
    ),
    (
        "np.generic.4",
        ":authn_dbd_params",
        "value ###### is a mask",
    ),
    (
        "np.generic.4",
        "[SupportSite]",
        "value contains the stopword password",
    ),
    (
        "np.generic.5",
        "\"ApplicationServicesConnection\"",
        "value contains the stopword password",
    ),
    (
        "np.generic.5",
        "private const string DevFolkoosComPfxPassword",
        "value contains the stopword password",
    ),
    (
        "np.generic.5",
        "\"password\": \"YOURPASSWROD\"",
        "a your-password placeholder",
    ),
    (
        "np.generic.6",
        "beta => {",
        "value contains the stopword password",
    ),
    (
        "np.generic.11",
        "",
        "password in English prose: not reported, too noisy",
    ),
    (
        "np.generic.12",
        "",
        "password in English prose: not reported, too noisy",
    ),
    (
        "np.generic.13",
        "",
        "password in English prose: not reported, too noisy",
    ),
    (
        "np.generic.14",
        "",
        "password in English prose: not reported, too noisy",
    ),
    (
        "np.generic.15",
        "if creds.Secret",
        "`!=` comparison of a field against a literal: not reported",
    ),
    (
        "np.generic.16",
        "",
        "comparison (`==`, `!=`) against a literal: not reported",
    ),
    (
        "np.gradle.1",
        "",
        "value is the word password (placeholder) or absent",
    ),
    (
        "np.odbc.1",
        "//Database Info",
        "PHP variables, no connection string; the password `goodspec` is one lower-case word, read as an identifier",
    ),
    (
        "np.odbc.1",
        "\"driver={SQL Server}",
        "value is a template #{...}",
    ),
    (
        "np.psexec.1",
        "psExec \\\\OAIJCTDU8024272",
        "value is a variable ($Password)",
    ),
    (
        "np.psexec.1",
        ":: satmodel2",
        "value is a variable (%nothing%)",
    ),
    (
        "np.vmware.1",
        "#Set-PowerCLIConfiguration",
        "value is a variable ($password)",
    ),
    (
        "np.vmware.1",
        "Connect-VIServer $ESXiHost",
        "value is a variable ($ESXipass)",
    ),
];

/// Negative examples of one Nosey Parker rule that are valid credentials of another
/// type, which rampart reports on purpose: (rule, example prefix, reason).
const CREDENTIAL_NEGATIVES: &[(&str, &str, &str)] = &[
    (
        "np.slack.",
        "",
        "a valid Slack token of another kind (bot/user/legacy)",
    ),
    (
        "np.hashicorp.",
        "",
        "a valid Vault token of the other generation",
    ),
    (
        "np.newrelic.2",
        "",
        "a valid New Relic ingest license key (…NRAL)",
    ),
    (
        "np.generic.1",
        "",
        "a valid Entra ID client secret (Q~ format)",
    ),
    (
        "np.auth0.1",
        "",
        "an Auth0 client secret in AUTH0_CLIENT_SECRET",
    ),
    (
        "np.gitalk.1",
        "",
        "a GitHub OAuth client secret (40 hex) in clientSecret",
    ),
    (
        "np.jwt.1",
        "<add key=\"ClearTextPassword\"",
        "a value stored as ClearTextPassword",
    ),
    ("np.generic.9", "", "a .NET appSetting holding a password"),
    ("np.generic.10", "", "a .NET appSetting holding a password"),
    (
        "np.postgres.1",
        "postgresql://user:secret@[",
        "a password in a URL with an IPv6 host",
    ),
];

struct Example {
    rule: String,
    text: String,
    positive: bool,
}

fn load() -> Option<Vec<Example>> {
    let dir = common::corpus("secret-rule-examples/noseyparker/rules")?;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("read rules dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read rule file");
        let doc: serde_yaml::Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let rules = doc
            .get("rules")
            .and_then(|r| r.as_sequence())
            .unwrap_or_else(|| panic!("{}: no rules", file.display()));
        for rule in rules {
            let id = rule.get("id").and_then(|v| v.as_str()).expect("rule id");
            for (key, positive) in [("examples", true), ("negative_examples", false)] {
                for ex in rule
                    .get(key)
                    .and_then(|v| v.as_sequence())
                    .map(|s| s.as_slice())
                    .unwrap_or_default()
                {
                    let Some(s) = ex.as_str() else { continue };
                    out.push(Example {
                        rule: id.to_string(),
                        text: s.to_string(),
                        positive,
                    });
                }
            }
        }
    }
    Some(out)
}

fn provider(np_id: &str) -> &str {
    np_id.split('.').nth(1).unwrap_or(np_id)
}

#[derive(Default)]
struct Row {
    pos: usize,
    found: usize,
    neg: usize,
    fp: usize,
}

#[test]
fn noseyparker_recall_and_false_positives() {
    let Some(examples) = load() else { return };
    let mut table: BTreeMap<String, Row> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut stale = Vec::new();
    let mut fps = Vec::new();
    let mut unclaimed = 0;
    let mut credential_negatives = 0;
    let (mut total_rules, mut seen) = (0, std::collections::BTreeSet::new());
    for ex in &examples {
        if seen.insert(ex.rule.clone()) {
            total_rules += 1;
        }
        let claimed = !UNCLAIMED.iter().any(|(id, _)| *id == ex.rule);
        let found = common::scan("example.txt", ex.text.as_bytes());
        let row = table.entry(provider(&ex.rule).to_string()).or_default();
        if ex.positive {
            if !claimed {
                unclaimed += 1;
                continue;
            }
            row.pos += 1;
            let known = KNOWN_MISSES
                .iter()
                .any(|(r, p, _)| *r == ex.rule && ex.text.starts_with(p));
            if found.is_empty() {
                if !known {
                    misses.push(format!("{}: {:?}", ex.rule, ex.text));
                }
            } else {
                row.found += 1;
                if known {
                    // A fixed miss leaves the list, so that it cannot regress unnoticed.
                    stale.push(format!("{}: {:?}", ex.rule, ex.text));
                }
            }
        } else {
            row.neg += 1;
            let credential = CREDENTIAL_NEGATIVES
                .iter()
                .any(|(r, p, _)| ex.rule.starts_with(r) && ex.text.starts_with(p));
            if credential && !found.is_empty() {
                credential_negatives += 1;
                println!(
                    "OTHER CREDENTIAL {}: {:?} -> {:?}",
                    ex.rule,
                    ex.text,
                    found.iter().map(|f| f.rule_id.as_str()).collect::<Vec<_>>()
                );
            }
            if !found.is_empty() && !credential {
                row.fp += 1;
                fps.push(format!(
                    "{}: {:?} -> {:?}",
                    ex.rule,
                    ex.text,
                    found.iter().map(|f| f.rule_id.as_str()).collect::<Vec<_>>()
                ));
            }
        }
    }
    println!("{:<16} {:>9} {:>9}", "provider", "recall", "false+");
    let (mut pos, mut found, mut neg, mut fp) = (0, 0, 0, 0);
    for (name, r) in &table {
        println!(
            "{:<16} {:>4}/{:<4} {:>4}/{:<4}",
            name, r.found, r.pos, r.fp, r.neg
        );
        pos += r.pos;
        found += r.found;
        neg += r.neg;
        fp += r.fp;
    }
    println!(
        "{:<16} {:>4}/{:<4} {:>4}/{:<4}",
        "TOTAL", found, pos, fp, neg
    );
    println!("rules with examples: {total_rules}; unclaimed positive examples: {unclaimed}");
    println!("negatives that are credentials of another type, reported: {credential_negatives}");
    for m in &misses {
        println!("MISS {m}");
    }
    for f in &fps {
        println!("FP   {f}");
    }
    for s in &stale {
        println!("FOUND BUT LISTED AS KNOWN MISS {s}");
    }
    assert!(
        stale.is_empty(),
        "{} examples are found but listed in KNOWN_MISSES (see FOUND lines)",
        stale.len()
    );
    assert!(
        misses.is_empty(),
        "{} unexplained misses (see MISS lines)",
        misses.len()
    );
    assert_eq!((found, pos), (344, 378), "recall totals changed");
    assert_eq!(credential_negatives, 25, "credential negatives changed");
    assert_eq!(unclaimed, 52, "unclaimed positives changed");
    assert_eq!((fp, neg), (2, 143), "false-positive totals changed");
}
