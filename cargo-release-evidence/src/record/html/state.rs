//! The page's approvals-and-signature section: at generation time (from the manifest: who must
//! approve, nobody has yet), or as verified later by `report` (the verified approvals, roles
//! and release signature). It sits between two comment markers, so `report` can show the
//! verified state in a copy of the sealed page without touching anything else on it.

use super::text::{Html, esc, plural};
use crate::evidence::model::Manifest;
use std::fmt::Write;

pub const BEGIN: &str = "<!-- release-evidence:state -->";
pub const END: &str = "<!-- /release-evidence:state -->";

/// The approvals and release signature as `verify` found them.
#[derive(Debug, Clone, Default)]
pub struct Verified {
    /// Where the trusted keys came from.
    pub trust_root: String,
    /// `sha256:` of SHA256SUMS: what every approval and the signature cover.
    pub evidence_digest: String,
    /// Every check held.
    pub ok: bool,
    pub roles: Vec<RoleState>,
    pub approvals: Vec<ApprovalRow>,
    /// (valid, detail) of the release signature.
    pub signature: (bool, String),
    /// Other checks that failed: (item, detail).
    pub problems: Vec<(String, String)>,
    /// How many checks ran.
    pub checks: usize,
}

#[derive(Debug, Clone)]
pub struct RoleState {
    pub role: String,
    pub holders: Vec<String>,
    /// Principals with a valid approval for the role.
    pub approved_by: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ApprovalRow {
    pub file: String,
    pub role: String,
    pub principal: String,
    /// `approved` or `risk-accepted`.
    pub decision: String,
    pub date: String,
    pub rationale: Option<String>,
    pub comment: Option<String>,
    /// The blocking findings a risk acceptance accepts (`CODE package advisory`).
    pub accepted: Vec<String>,
    pub valid: bool,
    pub detail: String,
}

/// The section as written by the main job: the policy's roles, none approved yet.
pub fn at_generation(m: &Manifest) -> String {
    let mut h = Html::default();
    h.raw(BEGIN).raw("\n");
    h.section("approvals", "Approvals and signature", |h| {
        let Some(p) = &m.approval_policy else {
            h.raw("<p>The policy configures no approvals (<code>[approvals]</code>); nobody is required to sign off this release.</p>\n");
            return;
        };
        h.raw("<p class=\"note\">State when this page was written: approvals are signed files added to the evidence afterwards (<code>approve</code>), and the release signature last (<code>sign</code>). <code>cargo release-evidence report</code> shows their verified state.</p>\n");
        let rows: Vec<&String> = p.required_roles.iter().collect();
        h.table(
            "roles",
            &["required role", "who may approve", "state"],
            &rows,
            |h, role| {
                let holders = p.roles.get(*role).cloned().unwrap_or_default();
                h.td("", role)
                    .td("", &holders.join(", "))
                    .td("st pending", "pending (none at generation time)");
            },
        );
        let mut facts = Vec::new();
        if !p.risk_acceptance_roles.is_empty() {
            facts.push(format!(
                "Roles that may accept the risk of a HOLD: {}.",
                p.risk_acceptance_roles.join(", ")
            ));
        }
        facts.push(if p.release_signers.is_empty() {
            "Release signature: not signed; any key in allowed_signers may sign.".to_owned()
        } else {
            format!(
                "Release signature: not signed; allowed signers: {}.",
                p.release_signers.join(", ")
            )
        });
        for f in facts {
            h.el("p", "", &f).raw("\n");
        }
    });
    h.raw(END).raw("\n");
    h.out
}

/// The section as `report` writes it: the verified state.
pub fn verified(v: &Verified) -> String {
    let mut h = Html::default();
    h.raw(BEGIN).raw("\n");
    h.section("approvals", "Approvals and signature (verified)", |h| {
        let failed = v.problems.len()
            + v.approvals.iter().filter(|a| !a.valid).count()
            + usize::from(!v.signature.0)
            + v.roles.iter().filter(|r| r.approved_by.is_empty()).count();
        let (class, verdict) = if v.ok {
            ("verified ok", format!("All {} checks hold.", v.checks))
        } else {
            (
                "verified bad",
                format!("{} of {} checks do not hold.", failed, v.checks),
            )
        };
        let _ = writeln!(
            h.out,
            "<div class=\"{class}\"><p><strong>{}</strong> Verified by <code>cargo release-evidence report</code>; trusted keys: {}. Evidence digest (what approvals and the signature cover): <code>{}</code>.</p></div>",
            esc(&verdict),
            esc(&v.trust_root),
            esc(&v.evidence_digest)
        );
        if !v.roles.is_empty() {
            h.table(
                "roles",
                &["required role", "who may approve", "state"],
                &v.roles,
                |h, r| {
                    h.td("", &r.role).td("", &r.holders.join(", "));
                    if r.approved_by.is_empty() {
                        h.td("st bad", "MISSING: no valid approval");
                    } else {
                        h.td("st ok", &format!("approved by {}", r.approved_by.join(", ")));
                    }
                },
            );
        }
        if v.approvals.is_empty() {
            h.raw("<p>No approval records in the evidence.</p>\n");
        } else {
            h.table(
                "approvals",
                &["approval", "role", "by", "decision", "date", "rationale", "verified"],
                &v.approvals,
                |h, a| {
                    h.td_code(&a.file)
                        .td("", &a.role)
                        .td("", &a.principal)
                        .td("", &a.decision)
                        .td("", &a.date);
                    let mut why = a.rationale.clone().unwrap_or_default();
                    if !a.accepted.is_empty() {
                        let _ = write!(why, " (accepts: {})", a.accepted.join("; "));
                    }
                    if let Some(c) = &a.comment {
                        let _ = write!(why, " — {c}");
                    }
                    h.td("", why.trim());
                    h.td(if a.valid { "st ok" } else { "st bad" }, &a.detail);
                },
            );
        }
        h.el(
            "p",
            if v.signature.0 { "st ok" } else { "st bad" },
            &format!("Release signature: {}", v.signature.1),
        )
        .raw("\n");
        if !v.problems.is_empty() {
            h.el(
                "p",
                "st bad",
                &format!(
                    "{} in the evidence directory:",
                    plural(v.problems.len(), "problem")
                ),
            );
            h.table("problems", &["item", "problem"], &v.problems, |h, (i, d)| {
                h.td_code(i).td("", d);
            });
        }
    });
    h.raw(END).raw("\n");
    h.out
}

/// `page` with its state section replaced by `section`; `None` when the page has no (or more
/// than one) state section, i.e. it is not a page this tool wrote.
pub fn replace(page: &str, section: &str) -> Option<String> {
    let start = page.find(BEGIN)?;
    let end = page.find(END)? + END.len();
    if page.matches(BEGIN).count() != 1 || page.matches(END).count() != 1 || end < start {
        return None;
    }
    let end = if page[end..].starts_with('\n') {
        end + 1
    } else {
        end
    };
    Some(format!("{}{section}{}", &page[..start], &page[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_exactly_the_state_section() {
        let page = format!("a\n{BEGIN}\nold\n{END}\nb\n");
        assert_eq!(
            replace(&page, &format!("{BEGIN}\nnew\n{END}\n")).unwrap(),
            format!("a\n{BEGIN}\nnew\n{END}\nb\n")
        );
        assert_eq!(replace("no markers", "x"), None);
        assert_eq!(replace(&format!("{page}{page}"), "x"), None);
    }
}
