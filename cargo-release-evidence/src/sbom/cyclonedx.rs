//! CycloneDX 1.5 JSON, with our own serde types (validated against the official schema in
//! the tests). Deterministic: no random serial number (it is derived from the content), the
//! timestamp is given, bom-refs are purls, lists are sorted.

use super::{Component, SbomModel};
use crate::findings::Kind;
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom<'a> {
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<Comp<'a>>,
    dependencies: Vec<Dependency<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vulnerabilities: Vec<Vulnerability<'a>>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: &'a str,
    tools: Tools,
    component: Comp<'a>,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<ToolComponent>,
}

#[derive(Serialize)]
struct ToolComponent {
    #[serde(rename = "type")]
    ty: &'static str,
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Comp<'a> {
    #[serde(rename = "type")]
    ty: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    name: &'a str,
    version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice<'a>>,
    purl: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExternalReference<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Hash<'a> {
    alg: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
struct LicenseChoice<'a> {
    expression: &'a str,
}

#[derive(Serialize)]
struct ExternalReference<'a> {
    #[serde(rename = "type")]
    ty: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct Property {
    name: String,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    depends_on: Vec<&'a str>,
}

#[derive(Serialize)]
struct Vulnerability<'a> {
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    id: &'a str,
    source: VulnSource,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<VulnReference<'a>>,
    description: &'a str,
    recommendation: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    advisories: Vec<Advisory>,
    published: String,
    analysis: Analysis,
    affects: Vec<Affects<'a>>,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct VulnSource {
    name: &'static str,
    url: String,
}

#[derive(Serialize)]
struct VulnReference<'a> {
    id: &'a str,
    source: VulnSource,
}

#[derive(Serialize)]
struct Advisory {
    url: String,
}

#[derive(Serialize)]
struct Analysis {
    state: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    response: Vec<&'static str>,
    detail: String,
}

#[derive(Serialize)]
struct Affects<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    versions: Vec<AffectedVersion<'a>>,
}

#[derive(Serialize)]
struct AffectedVersion<'a> {
    version: &'a str,
    status: &'static str,
}

fn prop(name: &str, value: impl Into<String>) -> Property {
    Property {
        name: format!("release-evidence:{name}"),
        value: value.into(),
    }
}

fn sha256_hashes(digest: Option<&str>) -> Vec<Hash<'_>> {
    digest
        .map(|content| {
            vec![Hash {
                alg: "SHA-256",
                content,
            }]
        })
        .unwrap_or_default()
}

fn component(c: &Component) -> Comp<'_> {
    let (scope, kind) = match c.kind {
        Kind::Linked => ("required", "linked"),
        Kind::BuildTime => ("excluded", "build-time"),
        Kind::Dev => ("excluded", "dev"),
    };
    let mut external_references = Vec::new();
    if let Some(r) = &c.repository {
        external_references.push(ExternalReference { ty: "vcs", url: r });
    }
    if let Some(h) = &c.homepage {
        external_references.push(ExternalReference {
            ty: "website",
            url: h,
        });
    }
    Comp {
        ty: "library",
        bom_ref: &c.bom_ref,
        author: (!c.authors.is_empty()).then(|| c.authors.join(", ")),
        name: &c.name,
        version: &c.version,
        description: c.description.as_deref(),
        scope: Some(scope),
        hashes: sha256_hashes(c.sha256.as_deref()),
        licenses: c
            .license
            .as_deref()
            .map(|l| vec![LicenseChoice { expression: l }])
            .unwrap_or_default(),
        purl: &c.purl,
        external_references,
        properties: vec![prop("kind", kind), prop("source", c.source.clone())],
    }
}

/// Renders the model as CycloneDX 1.5 JSON (canonical text).
pub fn render(m: &SbomModel) -> String {
    let product_ty = match m.artifact.kind.as_str() {
        "bin" => "application",
        _ => "library",
    };
    let root = Comp {
        ty: product_ty,
        bom_ref: &m.root_ref,
        author: None,
        name: &m.artifact.file_name,
        version: &m.product_version,
        description: None,
        scope: None,
        hashes: sha256_hashes(m.artifact.sha256.as_deref()),
        licenses: Vec::new(),
        purl: &m.product_purl,
        external_references: Vec::new(),
        properties: vec![
            prop("package", m.product_name.clone()),
            prop("artifact-kind", m.artifact.kind.clone()),
        ],
    };
    let dependencies = m
        .dependencies
        .iter()
        .map(|(from, to)| Dependency {
            reference: from,
            depends_on: to.iter().map(String::as_str).collect(),
        })
        .collect();
    let vulnerabilities = m
        .vulnerabilities
        .iter()
        .map(|v| {
            let (state, response, detail) = match &v.accepted {
                Some(a) => (
                    "exploitable",
                    vec!["will_not_fix"],
                    format!(
                        "Risk accepted by {} until {}: {}",
                        a.approved_by, a.expires, a.reason
                    ),
                ),
                None => (
                    "in_triage",
                    Vec::new(),
                    "Affects the shipped version; no decision recorded (the release gate holds on it when it blocks).".to_owned(),
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
                    response,
                    detail,
                },
                affects: vec![Affects {
                    reference: &v.component_ref,
                    versions: vec![AffectedVersion {
                        version: &v.version,
                        status: "affected",
                    }],
                }],
                properties: vec![prop("advisory-kind", v.kind.clone())],
            }
        })
        .collect();
    let mut bom = Bom {
        bom_format: "CycloneDX",
        spec_version: "1.5",
        serial_number: String::new(),
        version: 1,
        metadata: Metadata {
            timestamp: &m.timestamp,
            tools: Tools {
                components: vec![ToolComponent {
                    ty: "application",
                    name: env!("CARGO_PKG_NAME"),
                    version: env!("CARGO_PKG_VERSION"),
                }],
            },
            component: root,
            properties: vec![
                prop("target", m.target.clone()),
                prop("profile", m.profile.clone()),
                prop("features", m.features.clone()),
                prop("gate-decision", m.decision.to_string()),
            ],
        },
        components: m.components.iter().map(component).collect(),
        dependencies,
        vulnerabilities,
    };
    // The serial number is derived from the content, so the same release gives the same one.
    let digest = crate::util::digest::sha256_hex(crate::util::canonical::json(&bom).as_bytes());
    bom.serial_number = format!("urn:uuid:{}", uuid_from_hex(&digest));
    crate::util::canonical::json(&bom)
}

/// A name-based (version 8 layout) UUID from the first 16 bytes of a hex digest.
pub fn uuid_from_hex(hex: &str) -> String {
    let mut h: Vec<char> = hex.chars().take(32).collect();
    h[12] = '8';
    let variant = u8::from_str_radix(&h[16].to_string(), 16).unwrap_or(0) & 0x3 | 0x8;
    h[16] = char::from_digit(u32::from(variant), 16).unwrap_or('8');
    let s: String = h.into_iter().collect();
    format!(
        "{}-{}-{}-{}-{}",
        &s[0..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..32]
    )
}
