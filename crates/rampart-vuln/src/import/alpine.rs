//! Alpine secdb JSON (`secdb.alpinelinux.org/vX.Y/main.json`): per branch, each origin
//! package's `secfixes`, version → ids fixed in it. A fix version of `0` means the branch was
//! never affected.

use super::Sink;
use crate::model::{Advisory, Affected, AffectedStatus, Event, Range};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Doc {
    distroversion: String,
    #[serde(default)]
    packages: Option<Vec<PkgWrap>>,
}

#[derive(Deserialize)]
struct PkgWrap {
    pkg: Pkg,
}

#[derive(Deserialize)]
struct Pkg {
    name: String,
    #[serde(default)]
    secfixes: BTreeMap<String, Option<Vec<Option<String>>>>,
}

/// Import one secdb document.
pub fn import_text(origin: &str, text: &[u8], sink: &mut Sink) {
    let doc: Doc = match serde_json::from_slice(text) {
        Ok(d) => d,
        Err(e) => {
            sink.warn(origin, format!("not Alpine secdb JSON: {e}"));
            return;
        }
    };
    let branch = doc.distroversion.trim_start_matches('v').to_string();
    let eco = format!("alpine:{branch}");
    let mut by_id: BTreeMap<String, Advisory> = BTreeMap::new();
    for PkgWrap { pkg } in doc.packages.unwrap_or_default() {
        for (version, ids) in pkg.secfixes {
            for entry in ids.unwrap_or_default().into_iter().flatten() {
                // Entries look like "CVE-2020-1234", "CVE-2020-1 CVE-2020-2" or carry notes.
                for id in entry.split_whitespace().filter(|w| {
                    w.contains('-') && w.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                }) {
                    let adv = by_id.entry(id.to_string()).or_insert_with(|| Advisory {
                        id: id.to_string(),
                        aliases: Vec::new(),
                        summary: String::new(),
                        severity: None,
                        cvss: Vec::new(),
                        source: "alpine-secdb".into(),
                        affected: Vec::new(),
                    });
                    let (status, ranges) = if version == "0" {
                        (AffectedStatus::NotAffected, Vec::new())
                    } else {
                        (
                            AffectedStatus::Ranges,
                            vec![Range {
                                events: vec![
                                    Event::Introduced("0".into()),
                                    Event::Fixed(version.clone()),
                                ],
                            }],
                        )
                    };
                    adv.affected.push(Affected {
                        ecosystem: eco.clone(),
                        package: pkg.name.clone(),
                        status,
                        ranges,
                        versions: Vec::new(),
                        severity: None,
                    });
                }
            }
        }
    }
    for (_, adv) in by_id {
        sink.push(adv);
    }
}
