//! The CycloneDX `vulnerabilities` section from the VEX statements: inside the SBOM with
//! `--sbom-vulnerabilities`, and the whole content of the CycloneDX VEX document.

use super::types::{
    Advisory, AffectedVersion, Affects, Analysis, VulnReference, VulnSource, Vulnerability, prop,
};
use crate::sbom::vex::{Statement, Status};

/// `reference` maps a component's bom-ref to what `affects[].ref` says (the bom-ref itself
/// inside the SBOM, a BOM-Link to the SBOM from the VEX document).
pub fn render<'a>(
    statements: &'a [Statement<'a>],
    reference: impl Fn(&str) -> String,
) -> Vec<Vulnerability<'a>> {
    statements
        .iter()
        .map(|s| {
            let v = s.vuln;
            let mut properties = vec![prop("advisory-kind", v.kind.clone())];
            let (state, justification, response, detail, status) = match &s.status {
                Status::NotAffected {
                    justification,
                    impact,
                } => (
                    "not_affected",
                    Some(justification.cyclonedx()),
                    Vec::new(),
                    impact.clone(),
                    "unaffected",
                ),
                Status::Affected { action, expires } => {
                    properties.push(prop("exception-expires", expires.clone()));
                    (
                        "exploitable",
                        None,
                        vec!["will_not_fix"],
                        action.clone(),
                        "affected",
                    )
                }
                Status::UnderInvestigation => (
                    "in_triage",
                    None,
                    Vec::new(),
                    "Affects the shipped version; no decision recorded (the release gate holds on it when it blocks).".to_owned(),
                    "affected",
                ),
                Status::Fixed => (
                    "resolved",
                    None,
                    Vec::new(),
                    format!(
                        "The shipped version {} is a patched one ({}).",
                        v.version, v.recommendation
                    ),
                    "unaffected",
                ),
            };
            Vulnerability {
                bom_ref: format!("{}:{}", v.id, v.component_ref),
                id: &v.id,
                source: VulnSource {
                    name: "RustSec",
                    url: "https://rustsec.org".to_owned(),
                },
                references: v
                    .aliases
                    .iter()
                    .map(|a| VulnReference {
                        id: a,
                        source: if a.starts_with("CVE-") {
                            VulnSource {
                                name: "NVD",
                                url: format!("https://nvd.nist.gov/vuln/detail/{a}"),
                            }
                        } else {
                            VulnSource {
                                name: "GitHub Advisory Database",
                                url: format!("https://github.com/advisories/{a}"),
                            }
                        },
                    })
                    .collect(),
                description: &v.title,
                recommendation: &v.recommendation,
                advisories: v.url.iter().map(|u| Advisory { url: u.clone() }).collect(),
                published: format!("{}T00:00:00Z", v.date),
                analysis: Analysis {
                    state,
                    justification,
                    response,
                    detail,
                },
                affects: vec![Affects {
                    reference: reference(&v.component_ref),
                    versions: vec![AffectedVersion {
                        version: v.version.clone(),
                        status,
                    }],
                }],
                properties,
            }
        })
        .collect()
}
