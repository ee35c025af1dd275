//! Licenses: every third-party package's SPDX expression (read as crates.io holds it, by
//! `policy::license`) must be satisfied by the allowed licenses (plus that crate's
//! exceptions). Evaluated with the `spdx` crate, so `OR` needs one side, `AND` both, and `WITH`
//! exceptions must be allowed as such.

use super::Context;
use crate::findings::{Code, Finding};
use crate::policy::license;

pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let lic = &cx.policy.data.licenses;
    let compiled = &cx.policy.licenses;
    let mut used = vec![false; lic.exception.len()];
    let mut findings = Vec::new();
    for pkg in cx.third_party() {
        let exceptions: Vec<usize> = (0..lic.exception.len())
            .filter(|&i| {
                let e = lic.exception[i].get_ref();
                e.name == pkg.name && e.version.as_ref().is_none_or(|v| v.0.matches(&pkg.version))
            })
            .collect();
        let package = pkg.package_ref();
        let Some(text) = pkg.license.as_deref() else {
            if pkg.license_file.is_some() && !exceptions.is_empty() {
                // A reviewer accepted the crate's custom license file through an exception.
                for &i in &exceptions {
                    used[i] = true;
                }
                continue;
            }
            let detail = if pkg.license_file.is_some() {
                "declares only `license-file`, no SPDX expression"
            } else {
                "declares no license"
            };
            findings.push(
                Finding::new(
                    Code::LicenseMissing,
                    format!("{package} {detail}"),
                    format!(
                        "ask the supplier to set `license`, or review the terms and add [[licenses.exception]] name = \"{}\", allow = [\"LicenseRef-…\"], reason",
                        pkg.name
                    ),
                )
                .package(package)
                .via(cx.via(pkg)),
            );
            continue;
        };
        let declared = match license::read(text) {
            Ok(declared) => declared,
            Err(e) => {
                findings.push(
                    Finding::new(
                        Code::LicenseUnparsable,
                        format!(
                            "{package} has license `{text}`, which is not an SPDX expression: {}",
                            e.reason
                        ),
                        format!(
                            "review the terms and add [[licenses.exception]] for `{}` with the SPDX ids that apply, or ask the supplier to fix the field",
                            pkg.name
                        ),
                    )
                    .package(package)
                    .via(cx.via(pkg)),
                );
                continue;
            }
        };
        // Who permits a requirement: the global allow-list (None) or exception k (Some(k)).
        let permits = |req: &spdx::LicenseReq| -> Option<Option<usize>> {
            if compiled.allow.iter().any(|a| a.satisfies(req)) {
                return Some(None);
            }
            exceptions
                .iter()
                .position(|&i| compiled.exceptions[i].iter().any(|a| a.satisfies(req)))
                .map(Some)
        };
        let mut exception_hit = vec![false; exceptions.len()];
        let expr = &declared.expr;
        let allowed = expr.evaluate(|req| match permits(req) {
            Some(Some(k)) => {
                exception_hit[k] = true;
                true
            }
            Some(None) => true,
            None => false,
        });
        for (k, &i) in exceptions.iter().enumerate() {
            if exception_hit[k] {
                used[i] = true;
            }
        }
        if !allowed {
            let failed: Vec<String> = expr
                .requirements()
                .filter(|r| permits(&r.req).is_none())
                .map(|r| r.req.to_string())
                .collect();
            findings.push(
                Finding::new(
                    Code::LicenseNotAllowed,
                    format!(
                        "{package} is licensed `{}`; not allowed: {}",
                        declared.describe(),
                        failed.join(", ")
                    ),
                    format!(
                        "allow one of {} in [licenses] allow, add a [[licenses.exception]] for `{}`, or replace the dependency",
                        failed.join(", "),
                        pkg.name
                    ),
                )
                .package(package)
                .via(cx.via(pkg)),
            );
        }
    }
    for (i, e) in lic.exception.iter().enumerate() {
        let x = e.get_ref();
        if !used[i] && !cx.in_graph(&x.name, x.version.as_ref().map(|v| &v.0)) {
            findings.push(
                Finding::new(
                    Code::LicenseExceptionUnused,
                    format!(
                        "[[licenses.exception]] for `{}` matches no package in the dependency graph (any target, any feature)",
                        x.name
                    ),
                    "remove the exception".to_owned(),
                )
                .location(Some(cx.policy.location(e))),
            );
        }
    }
    findings
}
