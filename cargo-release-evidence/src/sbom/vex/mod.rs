//! VEX: what the release says about each advisory on its shipped set, from the gate's data
//! (decided once there; rendered here as OpenVEX and as a CycloneDX VEX BOM):
//!
//! - a valid exception with a `justification` → `not_affected` (its reason as impact statement);
//! - a valid exception without one → `affected`, the risk accepted by whom, until when;
//! - a hit no exception accepts → `under_investigation` (the gate holds on it when it blocks);
//! - an advisory whose patched ranges hold the shipped version → `fixed`.

pub mod cyclonedx;
pub mod openvex;

use super::{SbomModel, Vuln};
use crate::policy::values::VexJustification;

pub const OPENVEX_CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

/// The VEX status of one advisory on one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    NotAffected {
        justification: VexJustification,
        impact: String,
    },
    /// The risk is accepted: the action statement names who accepted it and until when.
    Affected {
        action: String,
        expires: String,
    },
    UnderInvestigation,
    Fixed,
}

impl Status {
    pub fn openvex(&self) -> &'static str {
        match self {
            Status::NotAffected { .. } => "not_affected",
            Status::Affected { .. } => "affected",
            Status::UnderInvestigation => "under_investigation",
            Status::Fixed => "fixed",
        }
    }
}

pub struct Statement<'a> {
    pub vuln: &'a Vuln,
    pub status: Status,
}

/// The statements about the gate's hits and, with `fixed`, about the advisories the shipped
/// versions are patched for; sorted by advisory id, then component.
pub fn statements(m: &SbomModel, fixed: bool) -> Vec<Statement<'_>> {
    let mut out: Vec<Statement<'_>> = m
        .vulnerabilities
        .iter()
        .map(|v| Statement {
            vuln: v,
            status: status(v),
        })
        .collect();
    if fixed {
        out.extend(m.fixed.iter().map(|v| Statement {
            vuln: v,
            status: Status::Fixed,
        }));
    }
    out.sort_by(|a, b| {
        (&a.vuln.id, &a.vuln.component_ref).cmp(&(&b.vuln.id, &b.vuln.component_ref))
    });
    out
}

fn status(v: &Vuln) -> Status {
    match &v.accepted {
        Some(a) => match a.justification {
            Some(justification) => Status::NotAffected {
                justification,
                impact: format!(
                    "{} (decided by {}, valid until {})",
                    a.reason, a.approved_by, a.expires
                ),
            },
            None => Status::Affected {
                action: format!(
                    "Risk accepted by {} until {}: {}",
                    a.approved_by, a.expires, a.reason
                ),
                expires: a.expires.to_string(),
            },
        },
        None => Status::UnderInvestigation,
    }
}
