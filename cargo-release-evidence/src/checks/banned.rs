//! `[[banned]]`: crates that must never ship, whatever else approves them.

use super::Context;
use crate::findings::{Code, Finding};

pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for pkg in cx.third_party() {
        for entry in &cx.policy.data.banned {
            let b = entry.get_ref();
            if b.name != pkg.name
                || b.version
                    .as_ref()
                    .is_some_and(|v| !v.0.matches(&pkg.version))
            {
                continue;
            }
            let package = pkg.package_ref();
            let why = b
                .reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            findings.push(
                Finding::new(
                    Code::Banned,
                    format!("{package} is banned{why}"),
                    format!(
                        "remove {} from the dependency graph (`cargo tree -i {}@{}` shows what pulls it in)",
                        pkg.name, pkg.name, pkg.version
                    ),
                )
                .location(Some(cx.policy.location(entry)))
                .package(package)
                .via(cx.via(pkg)),
            );
        }
    }
    findings
}
