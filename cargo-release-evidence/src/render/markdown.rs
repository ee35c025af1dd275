//! Markdown renderings of reports meant for files people keep: `monitor --markdown FILE`, an
//! entry for the post-market surveillance file (IEC 62304 §6.2, the CRA's vulnerability
//! handling).

use crate::ledger::StateRow;
use crate::ledger::diff::DiffReport;
use crate::ledger::monitor::MonitorReport;
use std::fmt::Write;

/// A table cell: pipes escaped, lines joined.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

pub fn monitor(r: &MonitorReport) -> String {
    let mut t = format!(
        "# Vulnerability monitoring of retained releases, {}\n\n",
        r.date
    );
    let _ = writeln!(
        t,
        "- Decision: **{}** ({} unaccepted vulnerabilit{} in supported releases)",
        r.decision,
        r.unaccepted_vulnerabilities,
        if r.unaccepted_vulnerabilities == 1 {
            "y"
        } else {
            "ies"
        }
    );
    let _ = writeln!(
        t,
        "- Advisory database: {} advisories, dated {}{}",
        r.advisory_db.advisories,
        r.advisory_db.date.as_deref().unwrap_or("unknown"),
        r.advisory_db
            .commit
            .as_deref()
            .map(|c| format!(", commit `{c}`"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        t,
        "- Releases monitored: {}; out of support: {}; without a declared support end: {}\n",
        r.monitored.len(),
        r.out_of_support.len(),
        r.no_support_end.len()
    );
    t.push_str("## Affected releases by advisory\n\n");
    if r.advisories.is_empty() {
        t.push_str("No advisory affects a monitored release.\n\n");
    }
    for a in &r.advisories {
        let _ = writeln!(t, "### {} ({}): {}\n", a.id, a.kind, cell(&a.title));
        if !a.aliases.is_empty() {
            let _ = writeln!(t, "Aliases: {}  ", a.aliases.join(", "));
        }
        if let Some(c) = &a.cvss {
            let _ = writeln!(t, "CVSS: `{c}`  ");
        }
        let _ = writeln!(t, "Fix: {}\n", cell(&a.patched));
        t.push_str(
            "| product | version | target | crate | crate version | kind | status | exception |\n",
        );
        t.push_str("|---|---|---|---|---|---|---|---|\n");
        for x in &a.affected {
            let exception = x
                .exception
                .as_ref()
                .map(|e| format!("{} until {}: {}", e.approved_by, e.expires, e.reason))
                .unwrap_or_default();
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                cell(&x.product),
                cell(&x.version),
                cell(&x.target),
                cell(&x.krate),
                cell(&x.crate_version),
                x.component_kind,
                x.status,
                cell(&exception)
            );
        }
        t.push('\n');
    }
    match &r.changes.previous_run {
        Some(d) => {
            let _ = writeln!(t, "## Changes since the run of {d}\n");
        }
        None => {
            t.push_str("## Changes\n\nFirst monitor run of this ledger: every finding is new.\n\n")
        }
    }
    let rows: Vec<(&str, &StateRow)> = r
        .changes
        .new
        .iter()
        .map(|x| ("new", x))
        .chain(r.changes.resolved.iter().map(|x| ("resolved", x)))
        .chain(
            r.changes
                .exception_expired
                .iter()
                .map(|x| ("exception expired", x)),
        )
        .collect();
    if rows.is_empty() {
        t.push_str("None.\n");
    } else {
        t.push_str("| change | advisory | release | target | crate | status |\n|---|---|---|---|---|---|\n");
        for (what, x) in rows {
            let _ = writeln!(
                t,
                "| {what} | {} | {}@{} | {} | {} {} | {} |",
                cell(&x.advisory),
                cell(&x.product),
                cell(&x.version),
                cell(&x.target),
                cell(&x.krate),
                cell(&x.crate_version),
                x.status
            );
        }
    }
    if !r.out_of_support.is_empty() {
        t.push_str("\n## Out of support (not monitored)\n\n");
        for x in &r.out_of_support {
            let _ = writeln!(
                t,
                "- {}@{} ({}), support ended {}",
                cell(&x.product),
                cell(&x.version),
                cell(&x.target),
                x.support_end.as_deref().unwrap_or("?")
            );
        }
    }
    t
}

/// A draft CRA Art. 14 notification for a person to complete (`monitor --notification-dir`);
/// the first line is the draft marker (`marker`).
pub fn notification(n: &crate::ledger::notification::Notification, marker: &str) -> String {
    let mut t = format!(
        "{marker}\n# Draft: EU CRA Art. 14 notification — {} {}\n\n",
        cell(&n.product.name),
        cell(&n.vulnerability.id)
    );
    let _ = writeln!(
        t,
        "Drafted {} by {} {} from the evidence ledger ({}). Everything marked **TO COMPLETE** \
         is for you to complete before submitting.\n",
        n.drafted, n.generator.name, n.generator.version, n.legal_basis
    );
    let _ = writeln!(
        t,
        "Deadlines: early warning {}; notification {}; final report {}.\n",
        n.deadlines.early_warning, n.deadlines.notification, n.deadlines.final_report
    );
    t.push_str("| field | value |\n|---|---|\n");
    let aliases = if n.vulnerability.aliases.is_empty() {
        String::new()
    } else {
        format!(" ({})", n.vulnerability.aliases.join(", "))
    };
    let severity = match (&n.severity.cvss_score, &n.severity.cvss_vector) {
        (Some(s), Some(v)) => format!("{} (CVSS {s}, `{v}`)", n.severity.rating),
        _ => n.severity.rating.clone(),
    };
    let fixed = if n.mitigation.fixed_in.is_empty() {
        "none retained yet".to_owned()
    } else {
        n.mitigation.fixed_in.join(", ")
    };
    for (field, value) in [
        ("Manufacturer", n.manufacturer.name.clone()),
        ("Contact", n.manufacturer.contact.clone()),
        ("Member States", n.manufacturer.member_states.clone()),
        (
            "Product",
            format!("{} (`{}`)", n.product.name, n.product.purl),
        ),
        (
            "Vulnerability",
            format!(
                "[{}]({}){aliases}: {}",
                n.vulnerability.id, n.vulnerability.url, n.vulnerability.title
            ),
        ),
        ("Severity", severity),
        ("Status", n.status_summary.clone()),
        ("Actively exploited", n.actively_exploited.clone()),
        ("Advisory's fix", n.mitigation.advisory.clone()),
        ("Fixed in", fixed),
        (
            "Corrective measures",
            n.mitigation.corrective_measures.clone(),
        ),
    ] {
        let _ = writeln!(t, "| {field} | {} |", cell(&value));
    }
    t.push_str("\n## Affected versions\n\n| version | target | status | components | support end |\n|---|---|---|---|---|\n");
    for v in &n.product.versions {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} |",
            cell(&v.version),
            cell(&v.target),
            v.status,
            cell(&v.components.join(", ")),
            v.support_end.as_deref().unwrap_or("not declared")
        );
    }
    let _ = writeln!(t, "\n## Notice to users\n\n{}", n.user_notice);
    t
}

/// `diff A B --markdown FILE`: the two releases and every change, as a change record to keep
/// (the release record's changes section lists the same lines).
pub fn diff(r: &DiffReport) -> String {
    let mut t = format!(
        "# Changes from {} {} to {} {}\n\n| | release | target | decision | evidence |\n|---|---|---|---|---|\n",
        cell(&r.a.product),
        cell(&r.a.version),
        cell(&r.b.product),
        cell(&r.b.version)
    );
    for (label, s) in [("from", &r.a), ("to", &r.b)] {
        let _ = writeln!(
            t,
            "| {label} | {} {} | {} | {} | `{}` |",
            cell(&s.product),
            cell(&s.version),
            cell(&s.target),
            cell(&s.decision),
            cell(&s.evidence_digest)
        );
    }
    let lines = crate::ledger::diff::record_changes(r, String::new());
    let mut rows: Vec<(&str, String)> = lines
        .rows()
        .into_iter()
        .map(|(l, i)| (l, i.to_owned()))
        .collect();
    for (label, list) in [
        ("approval added", &r.approvals_added),
        ("approval removed", &r.approvals_removed),
    ] {
        rows.extend(list.iter().map(|a| {
            (
                label,
                format!("{} by {}: {}", a.role, a.principal, a.decision),
            )
        }));
    }
    let _ = writeln!(
        t,
        "\n{} added, {} removed, {} changed version.\n",
        r.added.len(),
        r.removed.len(),
        r.changed.len()
    );
    if rows.is_empty() {
        t.push_str("No changes.\n");
        return t;
    }
    t.push_str("| change | item |\n|---|---|\n");
    for (label, item) in rows {
        let _ = writeln!(t, "| {label} | {} |", cell(&item));
    }
    t
}
