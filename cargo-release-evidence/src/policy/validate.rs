//! Rules that span several fields of one entry, checked after parsing. Every violation is
//! collected, so one run lists them all.

use super::{CompiledLicenses, Policy, values};
use crate::error::Diagnostic;
use serde_spanned::Spanned;

pub fn validate(p: &Policy) -> Vec<Diagnostic> {
    let mut out = super::baseline::validate(p);
    out.extend(super::lifecycle::validate(p));
    out.extend(super::clauses::validate(p));
    out.extend(super::review::validate(p));
    for a in &p.data.approved {
        let e = a.get_ref();
        if e.pending_review {
            continue;
        }
        for (field, missing) in [
            (
                "reviewed-by",
                e.reviewed_by.as_deref().is_none_or(str::is_empty),
            ),
            ("date", e.date.is_none()),
            (
                "rationale",
                e.rationale.as_deref().is_none_or(str::is_empty),
            ),
        ] {
            if missing {
                out.push(p.diagnostic(
                    a.span(),
                    format!(
                        "[[approved]] entry for `{}` is missing `{field}` (required unless `pending-review = true`)",
                        e.name
                    ),
                ));
            }
        }
    }
    for s in &p.data.supplier {
        let e = s.get_ref();
        let pins = [
            e.git_commit.is_some(),
            e.path_sha256.is_some(),
            e.checksum.is_some(),
        ];
        if pins.iter().filter(|p| **p).count() > 1 {
            out.push(p.diagnostic(
                s.span(),
                format!(
                    "[[supplier]] entry `{}` pins more than one of `git-commit`, `path-sha256`, `checksum`; a crate comes from one source",
                    e.name
                ),
            ));
        }
        if !e.reviews_crate() && e.artifact.is_empty() {
            out.push(p.diagnostic(
                s.span(),
                format!(
                    "[[supplier]] entry `{}` needs `git-commit`, `path-sha256` or `checksum` (a reviewed crate) or at least one [[supplier.artifact]]",
                    e.name
                ),
            ));
        }
        for (field, missing) in [
            (
                "reviewed-by",
                e.reviewed_by.as_deref().is_none_or(str::is_empty),
            ),
            ("date", e.date.is_none()),
        ] {
            if missing {
                out.push(p.diagnostic(
                    s.span(),
                    format!("[[supplier]] entry `{}` is missing `{field}`", e.name),
                ));
            }
        }
        for art in &e.artifact {
            let path = &art.get_ref().path;
            if !crate::util::paths::stays_inside(&path.to_string_lossy()) {
                out.push(p.diagnostic(
                    art.span(),
                    format!(
                        "[[supplier.artifact]] path `{}` must be relative to the workspace root and stay inside it",
                        path.display()
                    ),
                ));
            }
        }
    }
    if let Some(a) = &p.data.approvals {
        let ap = a.get_ref();
        for role in ap.required_roles.iter().chain(&ap.risk_acceptance_roles) {
            if !ap.roles.contains_key(role) {
                out.push(p.diagnostic(
                    a.span(),
                    format!(
                        "[approvals] role `{role}` is required but [approvals.roles] does not define it"
                    ),
                ));
            }
        }
    }
    for x in &p.data.advisories.exception {
        let e = x.get_ref();
        for (field, value) in [("reason", &e.reason), ("approved-by", &e.approved_by)] {
            if value.trim().is_empty() {
                out.push(p.diagnostic(
                    x.span(),
                    format!(
                        "[[advisories.exception]] for {} has an empty `{field}`",
                        e.id.0
                    ),
                ));
            }
        }
    }
    out.extend(super::verification::validate(p));
    out
}

/// Parses every license id of the allow-lists; all bad ids are reported.
pub fn compile_licenses(p: &Policy) -> Result<CompiledLicenses, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut parse = |ids: &[Spanned<String>]| -> Vec<spdx::Licensee> {
        ids.iter()
            .filter_map(|id| match values::licensee(id.get_ref()) {
                Ok(l) => Some(l),
                Err(m) => {
                    problems.push(p.diagnostic(id.span(), m));
                    None
                }
            })
            .collect()
    };
    let allow = parse(&p.data.licenses.allow);
    let exceptions = p
        .data
        .licenses
        .exception
        .iter()
        .map(|e| parse(&e.get_ref().allow))
        .collect();
    if problems.is_empty() {
        Ok(CompiledLicenses { allow, exceptions })
    } else {
        Err(problems)
    }
}
