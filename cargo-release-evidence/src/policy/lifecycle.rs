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
    /// Where vulnerabilities in the product can be reported (CRA Annex I Part II (6), Annex
    /// II (2)): a `mailto:` address or an `https://` URL. Recorded in the manifest.
    pub security_contact: Option<Spanned<String>>,
    /// The coordinated vulnerability disclosure policy (CRA Annex I Part II (5)): a file
    /// relative to the policy file (e.g. `SECURITY.md`); its sha256 is recorded.
    pub disclosure_policy: Option<Spanned<PathBuf>>,
    /// Where information about fixed vulnerabilities is published (CRA Annex I Part II (4)):
    /// an `https://` URL; the release's VEX documents are what is published there.
    pub advisories_url: Option<Spanned<String>>,
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
    let lc = l.get_ref();
    if let Some(c) = &lc.security_contact
        && let Some(why) = contact_problem(c.get_ref())
    {
        out.push(p.diagnostic(c.span(), format!("[lifecycle] `security-contact`: {why}")));
    }
    if let Some(u) = &lc.advisories_url
        && let Some(why) = https_problem(u.get_ref())
    {
        out.push(p.diagnostic(u.span(), format!("[lifecycle] `advisories-url`: {why}")));
    }
    if let Some(f) = &lc.disclosure_policy
        && !p.base_dir.join(f.get_ref()).is_file()
    {
        out.push(p.diagnostic(
            f.span(),
            format!(
                "[lifecycle] `disclosure-policy`: {} is not a file",
                p.base_dir.join(f.get_ref()).display()
            ),
        ));
    }
    let Some(r) = &lc.rollback else {
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

/// Why a security contact is not a `mailto:` address or an `https://` URL, if it is not.
fn contact_problem(c: &str) -> Option<String> {
    if let Some(addr) = c.strip_prefix("mailto:") {
        let ok = addr.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
        });
        if ok && !addr.chars().any(|ch| ch.is_whitespace() || ch.is_control()) {
            return None;
        }
        return Some(format!(
            "`{}` is not a mailto: address (`mailto:security@example.com`)",
            crate::util::text::clip(c, 80)
        ));
    }
    https_problem(c).map(|why| format!("{why}, nor a `mailto:` address"))
}

/// Why a text is not an `https://` URL with a host, if it is not.
fn https_problem(u: &str) -> Option<String> {
    let host = u
        .strip_prefix("https://")
        .map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let ok = host.is_some_and(|h| !h.is_empty() && !h.contains('@'))
        && !u.chars().any(|ch| ch.is_whitespace() || ch.is_control());
    (!ok).then(|| {
        format!(
            "`{}` is not an https:// URL with a host",
            crate::util::text::clip(u, 80)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_and_urls() {
        assert_eq!(contact_problem("mailto:security@example.com"), None);
        assert_eq!(contact_problem("https://example.com/security"), None);
        assert!(contact_problem("security@example.com").is_some());
        assert!(contact_problem("mailto:security").is_some());
        assert!(contact_problem("mailto:a b@example.com").is_some());
        assert!(contact_problem("http://example.com").is_some());
        assert!(https_problem("https://").is_some());
        assert!(https_problem("https://user@evil.example").is_some());
        assert_eq!(https_problem("https://example.com/advisories?x=1"), None);
    }
}
