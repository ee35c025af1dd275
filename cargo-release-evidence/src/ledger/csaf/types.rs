//! The CSAF 2.0 document model (the parts the `csaf_vex` profile uses), serialized as the
//! OASIS JSON schema names them. Types only.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Csaf {
    pub document: Document,
    pub product_tree: ProductTree,
    pub vulnerabilities: Vec<Vulnerability>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// `csaf_vex`.
    pub category: &'static str,
    /// `2.0`.
    pub csaf_version: &'static str,
    pub lang: &'static str,
    pub notes: Vec<Note>,
    pub publisher: Publisher,
    pub title: String,
    pub tracking: Tracking,
}

#[derive(Debug, Clone, Serialize)]
pub struct Publisher {
    /// `vendor`.
    pub category: &'static str,
    pub name: String,
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_details: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tracking {
    pub current_release_date: String,
    pub generator: Generator,
    pub id: String,
    pub initial_release_date: String,
    pub revision_history: Vec<Revision>,
    /// `draft`: a person completes and publishes it.
    pub status: &'static str,
    pub version: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Generator {
    pub date: String,
    pub engine: Engine,
}

#[derive(Debug, Clone, Serialize)]
pub struct Engine {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub date: String,
    pub number: String,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Note {
    /// `description`, `details`, `general`, `summary`, `legal_disclaimer`, `other`, `faq`.
    pub category: &'static str,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProductTree {
    pub branches: Vec<Branch>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Branch {
    /// `vendor`, `product_name`, `product_version`, `architecture`.
    pub category: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Branch>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<FullProductName>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FullProductName {
    pub name: String,
    pub product_id: String,
    pub product_identification_helper: Helper,
}

#[derive(Debug, Clone, Serialize)]
pub struct Helper {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hashes>,
    pub purl: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hashes {
    pub file_hashes: Vec<FileHash>,
    pub filename: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileHash {
    /// `sha256`.
    pub algorithm: &'static str,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Vulnerability {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cve: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    pub ids: Vec<Id>,
    pub notes: Vec<Note>,
    pub product_status: ProductStatus,
    pub references: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remediations: Vec<Remediation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<Score>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<Threat>,
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Id {
    pub system_name: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    /// `external`.
    pub category: &'static str,
    pub summary: String,
    pub url: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ProductStatus {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub known_affected: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub known_not_affected: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Flag {
    /// One of the five VEX justification labels.
    pub label: &'static str,
    pub product_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Remediation {
    /// `vendor_fix`, `mitigation`, `workaround`, `none_available`, `no_fix_planned`.
    pub category: &'static str,
    pub details: String,
    pub product_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Threat {
    /// `impact`.
    pub category: &'static str,
    pub details: String,
    pub product_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub cvss_v3: CvssV3,
    pub products: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CvssV3 {
    pub base_score: f64,
    pub base_severity: String,
    pub vector_string: String,
    pub version: String,
}
