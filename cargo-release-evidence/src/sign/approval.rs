//! The signed records: an approval (`approval-<role>-<principal>.json` + `.sig`), the
//! readiness record (`readiness.json` + `.sig`) and the evidence digest every approval and the
//! release signature cover. Data only.

use crate::evidence::model::Product;
use crate::util::digest;
use serde::{Deserialize, Serialize};

pub const SIGNATURE_FILE: &str = "SHA256SUMS.sig";
pub const READINESS_FILE: &str = "readiness.json";
/// The release signer's signature of `readiness.json` (artifact namespace), written with the
/// release signature: editing the readiness record (e.g. `signed_by`) fails `verify`.
pub const READINESS_SIG_FILE: &str = "readiness.json.sig";

/// The suffix of an attestation bundle (`<artifact>.intoto.jsonl`, see `sign::attest`).
pub const BUNDLE_SUFFIX: &str = ".intoto.jsonl";

pub const APPROVED: &str = "approved";
pub const RISK_ACCEPTED: &str = "risk-accepted";

/// An approval record (`approval-<role>-<principal>.json`), signed in `<file>.sig`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Approval {
    pub schema: String,
    pub schema_version: u32,
    pub product: Product,
    /// `sha256:<hex of SHA256SUMS>`.
    pub evidence_digest: String,
    pub role: String,
    pub principal: String,
    pub key_fingerprint: String,
    /// `approved` or `risk-accepted`.
    pub decision: String,
    pub rationale: Option<String>,
    /// The blocking findings a risk acceptance accepts.
    pub accepted_findings: Vec<AcceptedFinding>,
    pub date: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AcceptedFinding {
    pub code: String,
    pub package: Option<String>,
    pub advisory: Option<String>,
}

pub const APPROVAL_SCHEMA: &str = "cargo-release-evidence/approval";

/// The digest approvals sign: `sha256:` + sha256 of SHA256SUMS.
pub fn evidence_digest(sums: &[u8]) -> String {
    format!("sha256:{}", digest::sha256_hex(sums))
}

/// An approval that verified.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ValidApproval {
    pub file: String,
    pub role: String,
    pub principal: String,
    pub decision: String,
}

/// `readiness.json`: what `sign` found (and, when not ready, what is missing). When ready it is
/// signed by the release signer in `readiness.json.sig`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Readiness {
    pub schema: String,
    pub schema_version: u32,
    pub ready: bool,
    pub evidence_digest: String,
    pub date: String,
    /// What is missing (empty when ready).
    pub missing: Vec<String>,
    pub signed_by: Option<String>,
    pub key_fingerprint: Option<String>,
    pub approvals: Vec<ValidApproval>,
    /// The attestation bundles (`<artifact>.intoto.jsonl`) written with the release signature.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attestations: Vec<AttestationFile>,
    /// Why no attestation bundle was made (e.g. an agent-held key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestations_omitted: Option<String>,
}

/// A file of the signing stage listed, with its digest, in the signed readiness record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AttestationFile {
    pub file: String,
    pub sha256: String,
}

pub const READINESS_SCHEMA: &str = "cargo-release-evidence/readiness";

/// Files of the signing stage, which SHA256SUMS does not list.
pub fn is_signing_file(name: &str) -> bool {
    name == SIGNATURE_FILE
        || name == READINESS_FILE
        || name == READINESS_SIG_FILE
        || name.ends_with(BUNDLE_SUFFIX)
        || (name.starts_with("approval-")
            && (name.ends_with(".json") || name.ends_with(".json.sig")))
}
