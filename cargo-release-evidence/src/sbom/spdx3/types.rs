//! The SPDX 3.0.1 JSON-LD objects we write, as serde types: the compact names of the official
//! JSON-LD context (`https://spdx.org/rdf/3.0.1/spdx-context.jsonld`), one struct per class.
//! References between elements are their `spdxId` IRIs; the one `CreationInfo` is the blank
//! node [`CREATION_INFO`].

use serde::Serialize;

pub const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";
pub const SPEC_VERSION: &str = "3.0.1";
/// The blank node id of the document's one `CreationInfo`.
pub const CREATION_INFO: &str = "_:creationinfo";
/// The SPDX License List's IRI of CC0-1.0, the license of SPDX data.
pub const DATA_LICENSE: &str = "https://spdx.org/licenses/CC0-1.0";
/// The individual that says no license is concluded (SPDX 2's `NOASSERTION`).
pub const NO_ASSERTION_LICENSE: &str = "expandedlicensing_NoAssertionLicense";

#[derive(Serialize)]
pub struct Document {
    #[serde(rename = "@context")]
    pub context: &'static str,
    #[serde(rename = "@graph")]
    pub graph: Vec<Node>,
}

/// One object of the graph, tagged with its class's compact name.
#[derive(Serialize)]
#[serde(tag = "type")]
pub enum Node {
    CreationInfo(CreationInfo),
    SpdxDocument(SpdxDocument),
    #[serde(rename = "software_Sbom")]
    Sbom(Sbom),
    Tool(Agent),
    SoftwareAgent(Agent),
    Agent(Agent),
    #[serde(rename = "software_Package")]
    Package(Package),
    #[serde(rename = "software_File")]
    File(File),
    #[serde(rename = "simplelicensing_LicenseExpression")]
    LicenseExpression(LicenseExpression),
    Relationship(Relationship),
    LifecycleScopedRelationship(Relationship),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationInfo {
    #[serde(rename = "@id")]
    pub id: &'static str,
    pub spec_version: &'static str,
    /// `xsd:dateTimeStamp` in UTC, seconds precision.
    pub created: String,
    pub created_by: Vec<String>,
    pub created_using: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpdxDocument {
    pub spdx_id: String,
    pub creation_info: &'static str,
    pub name: String,
    pub data_license: &'static str,
    pub profile_conformance: Vec<&'static str>,
    pub root_element: Vec<String>,
    pub element: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sbom {
    pub spdx_id: String,
    pub creation_info: &'static str,
    pub name: String,
    #[serde(rename = "software_sbomType")]
    pub sbom_type: Vec<&'static str>,
    pub root_element: Vec<String>,
    pub element: Vec<String>,
}

/// `Tool`, `SoftwareAgent` or `Agent` (a package's authors: people or organisations).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    pub spdx_id: String,
    pub creation_info: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_identifier: Vec<ExternalIdentifier>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalIdentifier {
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub external_identifier_type: &'static str,
    pub identifier: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalRef {
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub external_ref_type: &'static str,
    pub locator: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Hash {
    #[serde(rename = "type")]
    pub ty: &'static str,
    pub algorithm: &'static str,
    pub hash_value: String,
}

impl Hash {
    pub fn new(algorithm: &'static str, value: &str) -> Hash {
        Hash {
            ty: "Hash",
            algorithm,
            hash_value: value.to_owned(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    pub spdx_id: String,
    pub creation_info: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub comment: String,
    #[serde(rename = "software_packageVersion")]
    pub version: String,
    #[serde(rename = "software_packageUrl")]
    pub purl: String,
    #[serde(
        rename = "software_downloadLocation",
        skip_serializing_if = "Option::is_none"
    )]
    pub download_location: Option<String>,
    #[serde(rename = "software_homePage", skip_serializing_if = "Option::is_none")]
    pub home_page: Option<String>,
    #[serde(rename = "software_primaryPurpose")]
    pub primary_purpose: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplied_by: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub originated_by: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verified_using: Vec<Hash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_ref: Vec<ExternalRef>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct File {
    pub spdx_id: String,
    pub creation_info: &'static str,
    pub name: String,
    #[serde(rename = "software_fileKind")]
    pub file_kind: &'static str,
    #[serde(rename = "software_primaryPurpose")]
    pub primary_purpose: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verified_using: Vec<Hash>,
}

#[derive(Serialize)]
pub struct LicenseExpression {
    #[serde(rename = "spdxId")]
    pub spdx_id: String,
    #[serde(rename = "creationInfo")]
    pub creation_info: &'static str,
    #[serde(rename = "simplelicensing_licenseExpression")]
    pub expression: String,
}

/// `Relationship`, or `LifecycleScopedRelationship` when `scope` is set.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    pub spdx_id: String,
    pub creation_info: &'static str,
    pub from: String,
    pub relationship_type: &'static str,
    pub to: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completeness: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<&'static str>,
}
