//! The CycloneDX JSON objects we write (1.5 and 1.6), as serde types. Fields that exist in one
//! version only are `Option`s the renderer fills for that version.

use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bom<'a> {
    pub bom_format: &'static str,
    pub spec_version: &'static str,
    pub serial_number: String,
    pub version: u32,
    pub metadata: Metadata<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<Comp<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<Vec<Dependency<'a>>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vulnerabilities: Vec<Vulnerability<'a>>,
}

#[derive(Serialize)]
pub struct Metadata<'a> {
    pub timestamp: &'a str,
    pub tools: Tools,
    pub component: Comp<'a>,
    /// 1.6 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<Entity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<Entity>,
    pub properties: Vec<Property>,
}

#[derive(Serialize)]
pub struct Tools {
    pub components: Vec<ToolComponent>,
}

#[derive(Serialize)]
pub struct ToolComponent {
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub name: &'static str,
    pub version: &'static str,
}

/// `organizationalEntity`.
#[derive(Serialize, Clone)]
pub struct Entity {
    pub name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub url: Vec<String>,
}

/// `organizationalContact`.
#[derive(Serialize)]
pub struct Contact {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comp<'a> {
    #[serde(rename = "type")]
    pub ty: &'static str,
    #[serde(rename = "bom-ref")]
    pub bom_ref: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<Entity>,
    /// 1.5: the authors as one string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// 1.6: the authors as contacts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<Contact>,
    pub name: &'a str,
    pub version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice<'a>>,
    pub purl: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_references: Vec<ExternalReference<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
}

#[derive(Serialize)]
pub struct Hash<'a> {
    pub alg: &'static str,
    pub content: &'a str,
}

#[derive(Serialize)]
pub struct LicenseChoice<'a> {
    pub expression: &'a str,
    /// 1.6: `declared` (what the package says) or `concluded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledgement: Option<&'static str>,
}

#[derive(Serialize)]
pub struct ExternalReference<'a> {
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub url: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash<'a>>,
}

#[derive(Serialize)]
pub struct Property {
    pub name: String,
    pub value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency<'a> {
    #[serde(rename = "ref")]
    pub reference: &'a str,
    pub depends_on: Vec<&'a str>,
}

#[derive(Serialize)]
pub struct Vulnerability<'a> {
    #[serde(rename = "bom-ref")]
    pub bom_ref: String,
    pub id: &'a str,
    pub source: VulnSource,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<VulnReference<'a>>,
    pub description: &'a str,
    pub recommendation: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub advisories: Vec<Advisory>,
    pub published: String,
    pub analysis: Analysis,
    pub affects: Vec<Affects>,
    pub properties: Vec<Property>,
}

#[derive(Serialize)]
pub struct VulnSource {
    pub name: &'static str,
    pub url: String,
}

#[derive(Serialize)]
pub struct VulnReference<'a> {
    pub id: &'a str,
    pub source: VulnSource,
}

#[derive(Serialize)]
pub struct Advisory {
    pub url: String,
}

#[derive(Serialize)]
pub struct Analysis {
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub response: Vec<&'static str>,
    pub detail: String,
}

#[derive(Serialize)]
pub struct Affects {
    #[serde(rename = "ref")]
    pub reference: String,
    pub versions: Vec<AffectedVersion>,
}

#[derive(Serialize)]
pub struct AffectedVersion {
    pub version: String,
    pub status: &'static str,
}

/// A `release-evidence:NAME` property.
pub fn prop(name: &str, value: impl Into<String>) -> Property {
    Property {
        name: format!("release-evidence:{name}"),
        value: value.into(),
    }
}

/// A property of another taxonomy (`bsi:component:…`).
pub fn named(name: &str, value: impl Into<String>) -> Property {
    Property {
        name: name.to_owned(),
        value: value.into(),
    }
}
