//! The verification report: one verdict per checked item, the approvals that verified, the
//! gate's decision and where the trust root came from. Data only; rendered in `render/`.

use crate::evidence::model::Product;
use crate::sign::approval::ValidApproval;
use crate::sign::trust::Summary;
use serde::Serialize;
use std::path::PathBuf;

/// One checked item and its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub item: String,
    pub ok: bool,
    pub detail: String,
}

impl Item {
    pub fn new(item: impl Into<String>, ok: bool, detail: impl Into<String>) -> Item {
        Item {
            item: item.into(),
            ok,
            detail: detail.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub evidence_dir: PathBuf,
    /// `sha256:` + sha256 of SHA256SUMS (`None` when SHA256SUMS is missing).
    pub evidence_digest: Option<String>,
    pub product: Option<Product>,
    /// The manifest's `gate.decision` (`PASS` / `HOLD`).
    pub gate_decision: Option<String>,
    /// Where the approval rules and keys came from.
    pub trust_root: Summary,
    /// The time keys' `valid-after` / `valid-before` are checked against (RFC 3339).
    pub verification_time: String,
    pub items: Vec<Item>,
    pub approvals: Vec<ValidApproval>,
    /// Whether every check holds.
    pub ok: bool,
}
