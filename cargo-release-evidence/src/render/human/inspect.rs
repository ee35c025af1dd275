//! `inspect`: the evidence record and dependency list embedded in a binary, and its audit.

use super::finding_line;
use crate::inspect::Inspection;

pub fn render(report: &Inspection) -> String {
    let mut t = format!("{}\n", report.binary);
    match &report.record {
        Some(r) => t.push_str(&format!(
            "  evidence: {} {} (commit {}{}), Cargo.lock sha256 {}, {} {}, evidence id {}\n",
            r["name"].as_str().unwrap_or("?"),
            r["version"].as_str().unwrap_or("?"),
            r["commit"]
                .as_str()
                .filter(|c| !c.is_empty())
                .unwrap_or("unknown"),
            if r["dirty"] == true { ", dirty" } else { "" },
            r["lock_sha256"].as_str().unwrap_or("?"),
            r["target"].as_str().unwrap_or("?"),
            r["profile"].as_str().unwrap_or("?"),
            r["evidence_id"].as_str().unwrap_or("?"),
        )),
        None => t.push_str("  evidence: none (no release-evidence record; dependency list only)\n"),
    }
    t.push_str(&format!("  {} packages:\n", report.packages.len()));
    for p in &report.packages {
        t.push_str(&format!(
            "    {} {} ({}{}{})\n",
            p.name,
            p.version,
            p.source,
            p.kind
                .as_deref()
                .map(|k| format!(", {k}"))
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
        t.push_str("not audited: no advisory database (pass --advisory-db PATH)\n");
    }
    t
}
