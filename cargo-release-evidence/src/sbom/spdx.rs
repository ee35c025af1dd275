//! SPDX 2.3 JSON of the same model (`--sbom-format spdx`). Deterministic: the document
//! namespace is derived from the content instead of a random UUID.

use super::SbomModel;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn spdx_id(bom_ref: &str) -> String {
    let clean: String = bom_ref
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("SPDXRef-{clean}")
}

pub fn render(m: &SbomModel) -> String {
    let root_id = spdx_id(&m.root_ref);
    let mut license_refs: BTreeSet<String> = BTreeSet::new();
    let mut packages = vec![json!({
        "SPDXID": root_id,
        "name": m.artifact.file_name,
        "versionInfo": m.product_version,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": if m.artifact.kind == "bin" { "APPLICATION" } else { "LIBRARY" },
        "checksums": m.artifact.sha256.iter().map(|h| json!({"algorithm": "SHA256", "checksumValue": h}))
            .chain(m.artifact.sha512.iter().map(|h| json!({"algorithm": "SHA512", "checksumValue": h})))
            .collect::<Vec<_>>(),
        "packageFileName": m.artifact.file_name,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": m.product_purl}],
    })];
    for c in &m.components {
        let license = c
            .license
            .clone()
            .unwrap_or_else(|| "NOASSERTION".to_owned());
        for word in license.split(|ch: char| ch.is_whitespace() || ch == '(' || ch == ')') {
            if word.starts_with("LicenseRef-") {
                license_refs.insert(word.to_owned());
            }
        }
        let download = if c.is_crates_io {
            format!(
                "https://crates.io/api/v1/crates/{}/{}/download",
                c.name, c.version
            )
        } else {
            "NOASSERTION".to_owned()
        };
        let mut p = json!({
            "SPDXID": spdx_id(&c.bom_ref),
            "name": c.name,
            "versionInfo": c.version,
            "downloadLocation": download,
            "filesAnalyzed": false,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": license,
            "copyrightText": "NOASSERTION",
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": c.purl}],
            "comment": format!("release-evidence kind: {}; source: {}", c.kind, c.source),
        });
        if let Some(h) = &c.sha256 {
            p["checksums"] = json!([{"algorithm": "SHA256", "checksumValue": h}]);
        }
        if !c.authors.is_empty() {
            p["supplier"] = json!(format!("Person: {}", c.authors.join(", ")));
        }
        packages.push(p);
    }
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": root_id,
    })];
    for (from, tos) in &m.dependencies {
        for to in tos {
            relationships.push(json!({
                "spdxElementId": spdx_id(from),
                "relationshipType": "DEPENDS_ON",
                "relatedSpdxElement": spdx_id(to),
            }));
        }
    }
    let extracted: Vec<Value> = license_refs
        .iter()
        .map(|r| {
            json!({
                "licenseId": r,
                "extractedText": "See the license file shipped with the package.",
                "name": r.trim_start_matches("LicenseRef-"),
            })
        })
        .collect();
    let name = format!("{}-{}", m.artifact.file_name, m.product_version);
    let mut doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": "",
        "creationInfo": {
            "created": m.timestamp,
            "creators": [format!("Tool: {}-{}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))],
        },
        "packages": packages,
        "relationships": relationships,
    });
    if !extracted.is_empty() {
        doc["hasExtractedLicensingInfos"] = Value::Array(extracted);
    }
    // Serialized once: the namespace is derived from the text with an empty namespace, then
    // put in its place (the first occurrence is the document's own key: keys are sorted and
    // it precedes `packages`; a quote inside any string value is escaped).
    let text = crate::util::canonical::json(&doc);
    let digest = crate::util::digest::sha256_hex(text.as_bytes());
    let namespace = json!(format!(
        "https://spdx.org/spdxdocs/{name}-{}",
        super::cyclonedx::uuid_from_hex(&digest)
    ));
    text.replacen(
        "\"documentNamespace\": \"\"",
        &format!("\"documentNamespace\": {namespace}"),
        1,
    )
}
