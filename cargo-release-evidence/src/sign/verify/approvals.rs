//! Each approval record: its SSH signature in the approval namespace, by a key allowed_signers
//! lists for the record's principal at the verification time, a principal holding the record's
//! role in the trusted rules, a known decision (a risk acceptance only by a role allowed to),
//! and the current evidence digest. Nothing is taken from the signer's claim alone.

use super::report::Item;
use crate::sign::approval::{APPROVED, Approval, RISK_ACCEPTED, ValidApproval};
use crate::sign::sshsig::{self, APPROVAL_NAMESPACE};
use crate::sign::trust::TrustRoot;
use crate::util::text::clip;
use std::path::Path;

/// Checks every `approval-*.json` among `names`: an item each, and the approvals that verified.
pub fn check_all(
    dir: &Path,
    names: &[String],
    digest: Option<&str>,
    trust: &TrustRoot,
    time: i64,
) -> (Vec<Item>, Vec<ValidApproval>) {
    let mut items = Vec::new();
    let mut valid = Vec::new();
    for name in names
        .iter()
        .filter(|n| n.starts_with("approval-") && n.ends_with(".json"))
    {
        let label = format!("approval {}", clip(name, 200));
        match check_one(dir, name, digest, trust, time) {
            Ok(a) => {
                items.push(Item::new(
                    label,
                    true,
                    format!(
                        "{} by {} as {} over the current digest",
                        a.decision, a.principal, a.role
                    ),
                ));
                valid.push(ValidApproval {
                    file: name.clone(),
                    role: a.role,
                    principal: a.principal,
                    decision: a.decision,
                });
            }
            Err(why) => items.push(Item::new(label, false, why)),
        }
    }
    (items, valid)
}

fn check_one(
    dir: &Path,
    name: &str,
    digest: Option<&str>,
    trust: &TrustRoot,
    time: i64,
) -> Result<Approval, String> {
    let bytes = std::fs::read(dir.join(name)).map_err(|e| format!("unreadable: {e}"))?;
    let a: Approval = serde_json::from_slice(&bytes)
        .map_err(|e| format!("not an approval record: {}", clip(&e.to_string(), 200)))?;
    let sig = std::fs::read(dir.join(format!("{name}.sig")))
        .map_err(|_| format!("MISSING signature {}.sig", clip(name, 200)))?;
    let key = sshsig::verify(&sig, APPROVAL_NAMESPACE, &bytes).map_err(|e| match e {
        sshsig::SigError::WrongNamespace { found } => format!(
            "signature has namespace `{}`, not `{APPROVAL_NAMESPACE}`",
            clip(&found, 80)
        ),
        other => other.to_string(),
    })?;
    let fingerprint = sshsig::fingerprint(&key);
    let (principal, role) = (clip(&a.principal, 120), clip(&a.role, 60));
    if let Some(why) = trust
        .signers
        .why_not(&a.principal, &key, APPROVAL_NAMESPACE, time)
    {
        return Err(format!(
            "signed by key {fingerprint} which allowed_signers does not list for principal {principal} in namespace {APPROVAL_NAMESPACE} at the verification time ({why})"
        ));
    }
    if a.key_fingerprint != fingerprint {
        return Err(format!(
            "the record names key {} but is signed by {fingerprint}",
            clip(&a.key_fingerprint, 80)
        ));
    }
    if !trust.rules.holds(&a.role, &a.principal) {
        let holders = trust.rules.holders(&a.role);
        return Err(format!(
            "principal {principal} is not in role {role} (holders: {})",
            if holders.is_empty() {
                "none".to_owned()
            } else {
                clip(&holders.join(", "), 200)
            }
        ));
    }
    match a.decision.as_str() {
        APPROVED => {}
        RISK_ACCEPTED if trust.rules.may_accept_risk(&a.role) => {}
        RISK_ACCEPTED => {
            return Err(format!(
                "role {role} may not accept risk (risk-acceptance-roles: {})",
                trust.rules.risk_acceptance_roles.join(", ")
            ));
        }
        other => {
            return Err(format!(
                "unknown decision `{}` (expected {APPROVED} or {RISK_ACCEPTED})",
                clip(other, 40)
            ));
        }
    }
    match digest {
        Some(d) if a.evidence_digest == d => Ok(a),
        Some(d) => Err(format!(
            "covers evidence digest {}, not the current {d}",
            clip(&a.evidence_digest, 80)
        )),
        None => Err("no SHA256SUMS: no current evidence digest to approve".into()),
    }
}
