//! `[lifecycle]`: the support period and patch policy of the product, and
//! `[lifecycle.rollback]`: how a field update is rolled back (the previous good version, how,
//! the anti-rollback minimum version). The main job records them in `update-manifest.json`;
//! with `require-rollback-plan = true` a release without a rollback plan holds.

use super::Policy;
use super::values::Day;
use crate::error::Diagnostic;
use serde::Deserialize;
use serde_spanned::Spanned;
use std::path::PathBuf;

/// `[lifecycle]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LifecyclePolicy {
    /// The end of the support period (the CRA expects at least five years unless the product's
    /// expected use is shorter). Recorded in the manifest; `monitor` stops checking after it.
    pub support_until: Option<Day>,
    /// The patch policy in words (how long and how security fixes are provided).
    pub patch_policy: Option<String>,
    /// A release without a rollback plan (`[lifecycle.rollback]` with `previous-good` and `how`
    /// or `how-file`) holds (`RE-ROLLBACK-PLAN-MISSING`).
    #[serde(default)]
    pub require_rollback_plan: bool,
    pub rollback: Option<Spanned<RollbackPolicy>>,
    /// The ledger whose retained releases give the superseded release and the rollback
    /// target's evidence digest: a SQLite file relative to the policy file, or a PostgreSQL
    /// URL. Default: the per-user default ledger when it exists.
    pub ledger: Option<String>,
}

/// `[lifecycle.rollback]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RollbackPolicy {
    /// The version to roll back to (semver).
    pub previous_good: Option<Spanned<String>>,
    /// How to roll back, in words.
    pub how: Option<String>,
    /// How to roll back: a file relative to the policy file (its digest is recorded).
    pub how_file: Option<Spanned<PathBuf>>,
    /// The anti-rollback minimum version: no device may be rolled back below it (semver).
    pub minimum_version: Option<Spanned<String>>,
}

impl LifecyclePolicy {
    /// Whether a rollback plan is documented: a previous good version and how to roll back.
    pub fn has_rollback_plan(&self) -> bool {
        self.rollback.as_ref().is_some_and(|r| {
            let r = r.get_ref();
            r.previous_good.is_some() && (r.how.is_some() || r.how_file.is_some())
        })
    }
}

/// The rules across the fields: versions are semver, `how` or `how-file` (not both), the
/// file exists.
pub fn validate(p: &Policy) -> Vec<Diagnostic> {
    let Some(l) = &p.data.lifecycle else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let Some(r) = &l.get_ref().rollback else {
        return out;
    };
    let rb = r.get_ref();
    for (key, v) in [
        ("previous-good", &rb.previous_good),
        ("minimum-version", &rb.minimum_version),
    ] {
        if let Some(v) = v
            && let Err(e) = semver::Version::parse(v.get_ref())
        {
            out.push(p.diagnostic(
                v.span(),
                format!(
                    "[lifecycle.rollback] `{key}`: `{}` is not a semver version ({e})",
                    v.get_ref()
                ),
            ));
        }
    }
    if rb.how.is_some() && rb.how_file.is_some() {
        out.push(p.diagnostic(
            r.span(),
            "[lifecycle.rollback] has both `how` and `how-file`; give one",
        ));
    }
    if let Some(f) = &rb.how_file
        && !p.base_dir.join(f.get_ref()).is_file()
    {
        out.push(p.diagnostic(
            f.span(),
            format!(
                "[lifecycle.rollback] `how-file`: {} is not a file",
                p.base_dir.join(f.get_ref()).display()
            ),
        ));
    }
    out
}
