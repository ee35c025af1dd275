//! The gate's result as data (`check --format json` serializes exactly this). Renderers read
//! it; they never decide anything.

use crate::advisories::DbInfo;
use crate::checks::yanked::YankedStatus;
use crate::findings::{Decision, Finding, PackageRef};
use crate::policy::values::Day;
use crate::workspace::Scope;
use serde::{Deserialize, Serialize};

/// Identifies the JSON schema of [`CheckReport`]; bump `SCHEMA_VERSION` on breaking changes.
pub const SCHEMA: &str = "cargo-release-evidence/check-report";
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub members: usize,
    /// Distinct packages over all shipped sets (members included).
    pub packages: usize,
    /// Third-party crates approved by a review, and those approved only by a baseline entry.
    pub approvals: crate::checks::approvals::ApprovalCounts,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyInfo {
    pub path: String,
    pub sha256: String,
}

/// One release member's shipped set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberReport {
    pub name: String,
    pub version: String,
    pub linked: Vec<PackageRef>,
    pub build_time: Vec<PackageRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dev: Vec<PackageRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckReport {
    pub schema: String,
    pub schema_version: u32,
    pub tool: Tool,
    /// Evaluation date (`--date`, else today in UTC).
    pub date: Day,
    pub decision: Decision,
    pub summary: Summary,
    pub scope: Scope,
    pub policy: PolicyInfo,
    pub advisory_db: DbInfo,
    pub yanked_check: YankedStatus,
    pub members: Vec<MemberReport>,
    pub findings: Vec<Finding>,
}
