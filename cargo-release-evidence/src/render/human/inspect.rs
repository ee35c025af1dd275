//! `inspect`: the evidence record and dependency list embedded in a binary, and its audit.
//! Every value comes from the binary (untrusted input) and is clipped.

use super::finding_line;
use crate::inspect::Inspection;
use crate::util::text::clip;

/// The longest value shown from the binary.
const MAX_VALUE: usize = 200;

pub fn render(report: &Inspection) -> String {
    let mut t = format!("{}\n", report.binary);
    match &report.record {
        Some(r) => {
            let field = |k: &str| clip(r[k].as_str().unwrap_or("?"), MAX_VALUE);
            let commit = r["commit"]
                .as_str()
                .filter(|c| !c.is_empty())
                .map(|c| clip(c, MAX_VALUE))
                .unwrap_or_else(|| "unknown".to_owned());
            t.push_str(&format!(
                "  evidence: {} {} (commit {commit}{}), Cargo.lock sha256 {}, {} {}, evidence id {}\n",
                field("name"),
                field("version"),
                if r["dirty"] == true { ", dirty" } else { "" },
                field("lock_sha256"),
                field("target"),
                field("profile"),
                field("evidence_id"),
            ));
        }
        None => t.push_str("  evidence: none (no release-evidence record; dependency list only)\n"),
    }
    t.push_str(&format!("  {} packages:\n", report.packages.len()));
    for p in &report.packages {
        t.push_str(&format!(
            "    {} {} ({}{}{})\n",
            clip(&p.name, MAX_VALUE),
            clip(&p.version, MAX_VALUE),
            clip(&p.source, MAX_VALUE),
            p.kind
                .as_deref()
                .map(|k| format!(", {}", clip(k, MAX_VALUE)))
                .unwrap_or_default(),
            if p.root { ", root" } else { "" }
        ));
    }
    if report.audited {
        for f in &report.findings {
            t.push_str(&finding_line(f, "  "));
        }
        t.push_str(&format!(
            "{}: {} finding(s)\n",
            report.decision,
            report.findings.len()
        ));
    } else {
        t.push_str(&format!(
            "not audited: no advisory database (looked at --advisory-db, the policy's [advisories] db-path, then ~/.cargo/advisory-db); pass --advisory-db PATH or run `cargo release-evidence db fetch` (exit {})\n",
            crate::error::EXIT_NOT_AUDITED
        ));
    }
    t
}
