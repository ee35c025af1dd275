//! Approvals from a cargo-vet store: a crates.io crate at the shipped version counts as
//! reviewed when an audit meeting the required criteria covers it (a full audit of that
//! version, or a delta audit from a version so covered, every step meeting the criteria), and
//! as a baseline entry when only an exemption does. Otherwise the verdict says which audit
//! would cover it.

use crate::policy::vet::{Audit, Store};
use semver::Version;
use std::collections::BTreeSet;

/// What the store says about one crate version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Covered by audits; who did them (the last step first), with the organisation of an
    /// imported audit.
    Audited(Vec<String>),
    /// Covered by an exemption only (cargo-vet's baseline).
    Exempted,
    /// Not covered: which audit would cover it.
    Missing(String),
}

/// The criteria the policy requires (default `safe-to-deploy`).
pub fn required(policy: &crate::policy::Policy) -> String {
    policy
        .data
        .approvals_import
        .as_ref()
        .and_then(|i| i.get_ref().criteria.clone())
        .unwrap_or_else(|| "safe-to-deploy".to_owned())
}

pub fn judge(store: &Store, required: &str, name: &str, version: &Version) -> Verdict {
    let audits: Vec<&Audit> = store
        .audits
        .iter()
        .filter(|a| a.name == name && store.meets(&a.criteria, required))
        .collect();
    if let Some(chain) = chain(&audits, version, &mut BTreeSet::new()) {
        return Verdict::Audited(chain.iter().map(|a| credit(a)).collect());
    }
    if store
        .exemptions
        .iter()
        .any(|e| e.name == name && e.version == *version && store.meets(&e.criteria, required))
    {
        return Verdict::Exempted;
    }
    let weaker = store
        .audits
        .iter()
        .find(|a| a.name == name && a.to == *version && !store.meets(&a.criteria, required));
    if let Some(a) = weaker {
        return Verdict::Missing(format!(
            "cargo-vet: the audit of {name} {version} by {} certifies {}, not {required}; an audit for {required} (`cargo vet certify {name} {version} --criteria {required}`) would cover it",
            credit(a),
            a.criteria.join(", ")
        ));
    }
    let base = audits
        .iter()
        .map(|a| &a.to)
        .filter(|v| *v < version && chain(&audits, v, &mut BTreeSet::new()).is_some())
        .max();
    Verdict::Missing(match base {
        Some(b) => format!(
            "cargo-vet: {name} {b} is audited for {required}; a delta audit {b} -> {version} (`cargo vet certify {name} {b} {version} --criteria {required}`) would cover it"
        ),
        None => format!(
            "cargo-vet: no audit of {name} meets {required}; a full audit (`cargo vet certify {name} {version} --criteria {required}`) would cover it"
        ),
    })
}

/// Audits covering `version`: a full audit, or a delta into it from a covered version.
fn chain<'a>(
    audits: &[&'a Audit],
    version: &Version,
    seen: &mut BTreeSet<Version>,
) -> Option<Vec<&'a Audit>> {
    if !seen.insert(version.clone()) {
        return None;
    }
    if let Some(full) = audits.iter().find(|a| a.from.is_none() && a.to == *version) {
        return Some(vec![full]);
    }
    for a in audits.iter().filter(|a| a.to == *version) {
        if let Some(from) = &a.from
            && let Some(mut rest) = chain(audits, from, seen)
        {
            rest.insert(0, a);
            return Some(rest);
        }
    }
    None
}

fn credit(a: &Audit) -> String {
    let who = if a.who.is_empty() {
        "an unnamed auditor".to_owned()
    } else {
        a.who.join(", ")
    };
    let what = match &a.from {
        Some(f) => format!("delta {f} -> {}", a.to),
        None => format!("full {}", a.to),
    };
    match &a.org {
        Some(org) => format!("{who} ({what}, imported from {org})"),
        None => format!("{who} ({what})"),
    }
}
