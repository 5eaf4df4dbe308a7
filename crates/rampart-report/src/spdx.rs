//! SPDX 2.3 JSON (`--format spdx-json`): the artifact described, every package contained,
//! each with its purl as a package-manager external reference.

use crate::{Report, ReportError};
use serde_json::{Value, json};

/// An SPDX identifier may hold only letters, digits, `.` and `-`.
fn spdx_id(prefix: &str, n: usize, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("SPDXRef-{prefix}-{n}-{clean}")
}

/// The report as an SPDX 2.3 JSON document.
pub fn to_string(report: &Report) -> Result<String, ReportError> {
    let root = "SPDXRef-Artifact".to_string();
    let mut packages = vec![json!({
        "SPDXID": root,
        "name": report.artifact.name,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": if report.artifact.kind == "container_image" { "CONTAINER" } else { "SOURCE" },
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": root,
    })];
    if let Some(os) = &report.artifact.os {
        let id = spdx_id("OperatingSystem", 0, &os.family);
        packages.push(json!({
            "SPDXID": id,
            "name": os.family,
            "versionInfo": os.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "primaryPackagePurpose": "OPERATING-SYSTEM",
        }));
        relationships.push(json!({"spdxElementId": root, "relationshipType": "CONTAINS", "relatedSpdxElement": id}));
    }
    for (i, p) in report.packages.iter().enumerate() {
        let id = spdx_id("Package", i + 1, &p.name);
        let mut pkg = json!({
            "SPDXID": id,
            "name": p.name,
            "versionInfo": p.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl,
            }],
        });
        if let Some(src) = &p.source_name {
            pkg["sourceInfo"] = json!(format!(
                "built package from: {} {}",
                src,
                p.source_version.as_deref().unwrap_or("")
            ));
        }
        if !p.locations.is_empty() {
            pkg["comment"] = json!(format!("found in: {}", p.locations.join(", ")));
        }
        packages.push(pkg);
        relationships.push(json!({"spdxElementId": root, "relationshipType": "CONTAINS", "relatedSpdxElement": id}));
    }
    let created = report
        .created_at
        .split('.')
        .next()
        .map(|s| s.trim_end_matches('Z').to_string() + "Z")
        .unwrap_or_default();
    let ns = format!(
        "https://rampart.invalid/spdx/{}-{}",
        report
            .artifact
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>(),
        uuid::Uuid::new_v4()
    );
    let doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": report.artifact.name,
        "documentNamespace": ns,
        "creationInfo": {"created": created, "creators": [format!("Tool: rampart-{}", report.tool.version)]},
        "packages": Value::Array(packages),
        "relationships": Value::Array(relationships),
    });
    let mut s = serde_json::to_string_pretty(&doc)?;
    s.push('\n');
    Ok(s)
}
