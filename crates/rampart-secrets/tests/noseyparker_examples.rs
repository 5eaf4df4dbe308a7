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
    ("np.aws.3", "AWS account id: an identifier, not a credential"),
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
    ("np.codeclimate.1", "reporter id: rampart flags it only as CC_TEST_REPORTER_ID"),
    ("np.pwhash.5", "Cisco IOS type-8 hash: not covered"),
    ("np.krb5.asrep.23.1", "Kerberos AS-REP hash (cracking output): not covered"),
];

/// Examples of claimed rules that rampart misses on purpose: (rule, example prefix, reason).
const KNOWN_MISSES: &[(&str, &str, &str)] = &[];

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
    let mut fps = Vec::new();
    let mut unclaimed = 0;
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
            if found.is_empty() {
                let known = KNOWN_MISSES
                    .iter()
                    .any(|(r, p, _)| *r == ex.rule && ex.text.starts_with(p));
                if !known {
                    misses.push(format!("{}: {:?}", ex.rule, ex.text));
                }
            } else {
                row.found += 1;
            }
        } else {
            row.neg += 1;
            if !found.is_empty() {
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
    println!("{:<16} {:>4}/{:<4} {:>4}/{:<4}", "TOTAL", found, pos, fp, neg);
    println!("rules with examples: {total_rules}; unclaimed positive examples: {unclaimed}");
    for m in &misses {
        println!("MISS {m}");
    }
    for f in &fps {
        println!("FP   {f}");
    }
    assert!(misses.is_empty(), "{} unexplained misses (see MISS lines)", misses.len());
    assert_eq!((found, pos), (0, 0), "recall totals changed");
    assert_eq!((fp, neg), (0, 0), "false-positive totals changed");
}
