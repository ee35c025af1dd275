//! The approval rules (who must approve, who holds each role, who may accept risk, who may sign
//! the release) and the readiness rule that `sign` enforces and `verify` re-checks.

use super::approval::{RISK_ACCEPTED, ValidApproval};
use super::pattern;
use crate::evidence::model::ApprovalPolicy;
use crate::policy::ApprovalsPolicy;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Rules {
    pub required_roles: Vec<String>,
    /// Role → principals (patterns, as in allowed_signers) holding it.
    pub roles: BTreeMap<String, Vec<String>>,
    pub risk_acceptance_roles: Vec<String>,
    /// Principals (patterns) allowed to make the release signature. Empty: nobody.
    pub release_signers: Vec<String>,
}

impl Rules {
    /// The `[approvals]` section of a policy.
    pub fn from_policy(a: &ApprovalsPolicy) -> Rules {
        Rules {
            required_roles: a.required_roles.clone(),
            roles: a.roles.clone(),
            risk_acceptance_roles: a.risk_acceptance_roles.clone(),
            release_signers: a.release_signers.clone(),
        }
    }

    /// The copy recorded in an evidence manifest (`approval_policy`).
    pub fn from_evidence(a: &ApprovalPolicy) -> Rules {
        Rules {
            required_roles: a.required_roles.clone(),
            roles: a.roles.clone(),
            risk_acceptance_roles: a.risk_acceptance_roles.clone(),
            release_signers: a.release_signers.clone(),
        }
    }

    pub fn holders(&self, role: &str) -> &[String] {
        self.roles.get(role).map(Vec::as_slice).unwrap_or_default()
    }

    /// Whether `principal` holds `role`.
    pub fn holds(&self, role: &str, principal: &str) -> bool {
        self.holders(role)
            .iter()
            .any(|h| pattern::matches(h, principal))
    }

    pub fn may_accept_risk(&self, role: &str) -> bool {
        self.risk_acceptance_roles.iter().any(|r| r == role)
    }

    pub fn is_release_signer(&self, principal: &str) -> bool {
        self.release_signers
            .iter()
            .any(|r| pattern::matches(r, principal))
    }
}

/// What the release still needs before it may be signed, by the readiness rule: a valid
/// approval of the current digest by every required role, and — unless the gate decided PASS —
/// a risk acceptance of that digest by every risk-acceptance role. `approvals` are the
/// approvals that verified (signature, signer, role, digest).
pub fn missing(
    rules: &Rules,
    approvals: &[ValidApproval],
    gate_decision: Option<&str>,
    digest: &str,
) -> Vec<String> {
    let mut missing = Vec::new();
    for role in &rules.required_roles {
        if !approvals.iter().any(|a| &a.role == role) {
            missing.push(format!("approval of role {role} over {digest}"));
        }
    }
    missing.extend(hold_missing(rules, approvals, gate_decision));
    missing
}

/// The part of the rule about the gate's decision: nothing on PASS; on HOLD (or an unknown
/// decision) a risk acceptance by every risk-acceptance role.
pub fn hold_missing(
    rules: &Rules,
    approvals: &[ValidApproval],
    gate_decision: Option<&str>,
) -> Vec<String> {
    if gate_decision == Some("PASS") {
        return Vec::new();
    }
    let decision = match gate_decision {
        Some(d) => format!("the gate decided {}", crate::util::text::clip(d, 20)),
        None => "the gate decision is unknown (no readable release-evidence.json)".to_owned(),
    };
    if rules.risk_acceptance_roles.is_empty() {
        return vec![format!(
            "{decision} and the policy names no risk-acceptance-roles, so it cannot be risk-accepted"
        )];
    }
    rules
        .risk_acceptance_roles
        .iter()
        .filter(|role| {
            !approvals
                .iter()
                .any(|a| &a.role == *role && a.decision == RISK_ACCEPTED)
        })
        .map(|role| format!("{decision}: risk acceptance by role {role}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval(role: &str, decision: &str) -> ValidApproval {
        ValidApproval {
            file: format!("approval-{role}.json"),
            role: role.into(),
            principal: format!("{role}@example.com"),
            decision: decision.into(),
        }
    }

    #[test]
    fn a_hold_needs_every_risk_acceptance_role() {
        let rules = Rules {
            required_roles: vec!["qa".into()],
            risk_acceptance_roles: vec!["ra".into(), "sec".into()],
            ..Rules::default()
        };
        let qa = approval("qa", "approved");
        assert!(missing(&rules, std::slice::from_ref(&qa), Some("PASS"), "d").is_empty());
        assert_eq!(
            missing(&rules, std::slice::from_ref(&qa), Some("HOLD"), "d"),
            vec![
                "the gate decided HOLD: risk acceptance by role ra",
                "the gate decided HOLD: risk acceptance by role sec"
            ]
        );
        let all = [
            qa.clone(),
            approval("ra", "risk-accepted"),
            approval("sec", "risk-accepted"),
        ];
        assert!(missing(&rules, &all, Some("HOLD"), "d").is_empty());
        // An unknown decision is treated as a HOLD.
        assert_eq!(missing(&rules, &all[..2], None, "d").len(), 1);
        // Approved (not risk-accepted) does not accept a HOLD.
        let plain = [qa, approval("ra", "approved"), approval("sec", "approved")];
        assert_eq!(missing(&rules, &plain, Some("HOLD"), "d").len(), 2);
        let none = Rules::default();
        assert!(
            missing(&none, &[], Some("HOLD"), "d")[0].contains("names no risk-acceptance-roles")
        );
    }
}
