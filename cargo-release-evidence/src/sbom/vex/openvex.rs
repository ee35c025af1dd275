//! OpenVEX 0.2.0 (JSON): one statement per advisory and shipped component; the product is
//! the release artifact (its purl and digests), the component a subcomponent by purl.
//! Deterministic: the timestamp is the evidence's, the `@id` is derived from the content.

use super::{OPENVEX_CONTEXT, Statement, Status};
use crate::sbom::SbomModel;
use serde_json::{Value, json};

/// `None` when there is nothing to state (OpenVEX needs at least one statement).
pub fn render(m: &SbomModel) -> Option<String> {
    let statements = super::statements(m, true);
    if statements.is_empty() {
        return None;
    }
    let purls: std::collections::BTreeMap<&str, &str> = m
        .components
        .iter()
        .map(|c| (c.bom_ref.as_str(), c.purl.as_str()))
        .collect();
    let mut hashes = serde_json::Map::new();
    if let Some(h) = &m.artifact.sha256 {
        hashes.insert("sha-256".into(), json!(h));
    }
    if let Some(h) = &m.artifact.sha512 {
        hashes.insert("sha-512".into(), json!(h));
    }
    let product = |component_ref: &str| {
        let purl = purls.get(component_ref).copied().unwrap_or(component_ref);
        let mut p = json!({
            "@id": m.product_purl,
            "identifiers": {"purl": m.product_purl},
            "subcomponents": [{"@id": purl, "identifiers": {"purl": purl}}],
        });
        if !hashes.is_empty() {
            p["hashes"] = Value::Object(hashes.clone());
        }
        p
    };
    let rendered: Vec<Value> = statements
        .iter()
        .map(|s| statement(s, product(&s.vuln.component_ref), &m.timestamp))
        .collect();
    let author = if m.product_authors.is_empty() {
        format!("{} release", m.product_name)
    } else {
        m.product_authors.join(", ")
    };
    let mut doc = json!({
        "@context": OPENVEX_CONTEXT,
        "@id": "",
        "author": author,
        "role": "Document Creator",
        "timestamp": m.timestamp,
        "version": 1,
        "tooling": format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")),
        "statements": rendered,
    });
    let digest = crate::util::digest::sha256_hex(crate::util::canonical::json(&doc).as_bytes());
    doc["@id"] = json!(format!(
        "urn:uuid:{}",
        crate::sbom::cyclonedx::uuid_from_hex(&digest)
    ));
    Some(crate::util::canonical::json(&doc))
}

fn statement(s: &Statement<'_>, product: Value, timestamp: &str) -> Value {
    let v = s.vuln;
    let mut vulnerability = json!({
        "@id": v.url.clone().unwrap_or_else(|| format!("https://rustsec.org/advisories/{}.html", v.id)),
        "name": v.id,
        "description": v.title,
    });
    if !v.aliases.is_empty() {
        vulnerability["aliases"] = json!(v.aliases);
    }
    let mut out = json!({
        "vulnerability": vulnerability,
        "products": [product],
        "status": s.status.openvex(),
        "timestamp": timestamp,
    });
    match &s.status {
        Status::NotAffected {
            justification,
            impact,
        } => {
            out["justification"] = json!(justification.as_str());
            out["impact_statement"] = json!(impact);
        }
        Status::Affected { action, .. } => {
            out["action_statement"] = json!(action);
            out["action_statement_timestamp"] = json!(timestamp);
        }
        Status::UnderInvestigation => {
            out["status_notes"] = json!(format!(
                "{} {} is in the advisory's affected range; no decision is recorded ({}).",
                v.package, v.version, v.recommendation
            ));
        }
        Status::Fixed => {
            out["status_notes"] = json!(format!(
                "{} {} is a patched version ({}).",
                v.package, v.version, v.recommendation
            ));
        }
    }
    out
}
