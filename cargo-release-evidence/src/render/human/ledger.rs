//! `ledger add|list|show|export|query`, `monitor` and `diff` as text.

use super::plural;
use crate::ledger::diff::DiffReport;
use crate::ledger::monitor::{ACCEPTED, MonitorReport};
use crate::ledger::query::{AddReport, ExportReport, ListReport, QueryReport, ShowReport};
use crate::ledger::{Added, StateRow};
use crate::sign::verify::Verification;
use std::fmt::Write;

pub fn add(r: &AddReport) -> String {
    let what = match r.outcome {
        Added::Added => "retained",
        Added::AlreadyRetained => "already retained (identical evidence; nothing changed)",
    };
    format!(
        "ledger add: {}@{} ({}) {what}\n  ledger           {}\n  decision         {}\n  evidence digest  {}\n  files            {}\n  components       {}\n  exceptions       {}\n  approvals        {}\n",
        r.product,
        r.version,
        r.target,
        r.ledger,
        r.decision,
        r.evidence_digest,
        r.files,
        r.components,
        r.exceptions,
        r.approvals
    )
}

/// A directory `ledger add` refused: what failed verification.
pub fn refused(v: &Verification) -> String {
    let mut t = format!(
        "ledger add: refused {}: it does not verify; nothing was written\n",
        v.evidence_dir.display()
    );
    for i in v.items.iter().filter(|i| !i.ok) {
        let _ = writeln!(t, "  FAIL {}: {}", i.item, i.detail);
    }
    t
}

pub fn list(r: &ListReport) -> String {
    let mut t = format!(
        "ledger {}: {} release{}\n",
        r.ledger,
        r.releases.len(),
        plural(r.releases.len())
    );
    for s in &r.releases {
        let _ = writeln!(
            t,
            "  {}@{}  {}  {}  {}  support until {}  {}",
            s.product,
            s.version,
            s.target,
            s.release_date,
            s.decision,
            s.support_end.as_deref().unwrap_or("(not declared)"),
            s.evidence_digest
        );
    }
    t
}

pub fn show(r: &ShowReport) -> String {
    let mut t = String::new();
    for x in &r.releases {
        let _ = writeln!(t, "{}@{} ({})", x.product, x.version, x.target);
        let line = |t: &mut String, k: &str, v: &str| {
            let _ = writeln!(t, "  {k:<18} {v}");
        };
        line(&mut t, "released", &x.release_date);
        line(
            &mut t,
            "gate",
            &format!("{} on {}", x.decision, x.gate_date),
        );
        line(&mut t, "evidence digest", &x.evidence_digest);
        line(
            &mut t,
            "support until",
            x.support_end.as_deref().unwrap_or("(not declared)"),
        );
        line(
            &mut t,
            "advisory DB",
            &format!(
                "{} {}",
                x.advisory_db_date.as_deref().unwrap_or("undated"),
                x.advisory_db_commit.as_deref().unwrap_or("")
            ),
        );
        for a in &x.artifacts {
            line(
                &mut t,
                "artifact",
                &format!(
                    "{} ({}) sha256:{} {} bytes",
                    a.path, a.kind, a.sha256, a.size
                ),
            );
        }
        for a in &x.approvals {
            line(
                &mut t,
                "approval",
                &format!("{} by {}: {}", a.role, a.principal, a.decision),
            );
        }
        for e in &x.exceptions {
            line(
                &mut t,
                "exception",
                &format!(
                    "{} on {} until {} ({}): {}",
                    e.advisory, e.krate, e.expires, e.approved_by, e.reason
                ),
            );
        }
        let _ = writeln!(t, "  components ({}):", x.components.len());
        for c in &x.components {
            let _ = writeln!(t, "    {} {} {} {}", c.name, c.version, c.kind, c.source);
        }
        let _ = writeln!(t, "  files ({}):", x.files.len());
        for f in &x.files {
            let _ = writeln!(t, "    {}  {}", f.sha256, f.path);
        }
    }
    t
}

pub fn export(r: &ExportReport) -> String {
    format!(
        "ledger export: {}@{} ({}) → {} ({} file{}, evidence digest {})\n",
        r.product,
        r.version,
        r.target,
        r.to.display(),
        r.files,
        plural(r.files),
        r.evidence_digest
    )
}

pub fn query(r: &QueryReport) -> String {
    let what = match &r.requirement {
        Some(req) => format!("{} {req}", r.krate),
        None => r.krate.clone(),
    };
    let mut t = format!(
        "{} retained release{} ship{} {what}\n",
        r.releases.len(),
        plural(r.releases.len()),
        if r.releases.len() == 1 { "s" } else { "" }
    );
    for h in &r.releases {
        let _ = writeln!(
            t,
            "  {}@{} ({})  {} {} {}  {}",
            h.product,
            h.version,
            h.target,
            h.component.name,
            h.component.version,
            h.component.kind,
            h.component.source
        );
    }
    t
}

fn state_line(t: &mut String, label: &str, r: &StateRow) {
    let _ = writeln!(
        t,
        "  {label:<18} {} {}@{} ({}) via {} {} [{}]",
        r.advisory, r.product, r.version, r.target, r.krate, r.crate_version, r.status
    );
}

pub fn monitor(r: &MonitorReport) -> String {
    let mut t = format!(
        "monitor {} on {} against the advisory DB of {} ({} advisories)\n",
        r.ledger,
        r.date,
        r.advisory_db.date.as_deref().unwrap_or("unknown date"),
        r.advisory_db.advisories
    );
    let _ = writeln!(
        t,
        "  {} release{} monitored, {} out of support",
        r.monitored.len(),
        plural(r.monitored.len()),
        r.out_of_support.len()
    );
    for x in &r.out_of_support {
        let _ = writeln!(
            t,
            "  out of support     {}@{} ({}) since {}",
            x.product,
            x.version,
            x.target,
            x.support_end.as_deref().unwrap_or("?")
        );
    }
    for x in &r.no_support_end {
        let _ = writeln!(
            t,
            "  no support end     {}@{} ({}): the evidence declares no support period; monitored as supported",
            x.product, x.version, x.target
        );
    }
    for a in &r.advisories {
        let _ = writeln!(t, "{} ({}): {}", a.id, a.kind, a.title);
        if let Some(c) = &a.cvss {
            let _ = writeln!(t, "  cvss               {c}");
        }
        for x in &a.affected {
            let why = match (&x.exception, x.status.as_str()) {
                (Some(e), ACCEPTED) => format!(" by {} until {}", e.approved_by, e.expires),
                (Some(e), _) => format!(" (exception by {} expired {})", e.approved_by, e.expires),
                _ => String::new(),
            };
            let _ = writeln!(
                t,
                "  {:<18} {}@{} ({}) via {} {} ({}){why}",
                x.status,
                x.product,
                x.version,
                x.target,
                x.krate,
                x.crate_version,
                x.component_kind
            );
        }
        let _ = writeln!(t, "  fix                {}", a.patched);
    }
    match &r.changes.previous_run {
        Some(d) => {
            let _ = writeln!(t, "changes since the run of {d}:");
        }
        None => t.push_str("changes: first monitor run of this ledger\n"),
    }
    for x in &r.changes.new {
        state_line(&mut t, "new", x);
    }
    for x in &r.changes.resolved {
        state_line(&mut t, "resolved", x);
    }
    for x in &r.changes.exception_expired {
        state_line(&mut t, "exception expired", x);
    }
    if r.changes.new.is_empty()
        && r.changes.resolved.is_empty()
        && r.changes.exception_expired.is_empty()
    {
        t.push_str("  none\n");
    }
    let _ = writeln!(
        t,
        "monitor: {} ({} unaccepted vulnerabilit{} in supported releases)",
        r.decision,
        r.unaccepted_vulnerabilities,
        if r.unaccepted_vulnerabilities == 1 {
            "y"
        } else {
            "ies"
        }
    );
    t
}

pub fn diff(r: &DiffReport) -> String {
    let mut t = format!(
        "diff {}@{} ({}, {}) → {}@{} ({}, {})\n",
        r.a.product,
        r.a.version,
        r.a.decision,
        r.a.evidence_digest,
        r.b.product,
        r.b.version,
        r.b.decision,
        r.b.evidence_digest
    );
    for c in &r.added {
        let _ = writeln!(
            t,
            "  added              {} {} ({}, {})",
            c.name, c.version, c.kind, c.source
        );
    }
    for c in &r.removed {
        let _ = writeln!(
            t,
            "  removed            {} {} ({}, {})",
            c.name, c.version, c.kind, c.source
        );
    }
    for c in &r.changed {
        let _ = writeln!(
            t,
            "  changed            {} {} → {} ({}{}, {})",
            c.name,
            c.from,
            c.to,
            c.bump,
            if c.compatible {
                ", compatible"
            } else {
                ", breaking"
            },
            c.kind
        );
    }
    for m in &r.source_changed {
        let _ = writeln!(
            t,
            "  source changed     {} {}: {} → {}",
            m.name, m.version, m.from, m.to
        );
    }
    for m in &r.kind_changed {
        let _ = writeln!(
            t,
            "  kind changed       {} {}: {} → {}",
            m.name, m.version, m.from, m.to
        );
    }
    for a in &r.advisories_new {
        let _ = writeln!(
            t,
            "  advisory new       {} on {} ({})",
            a.advisory, a.package, a.code
        );
    }
    for a in &r.advisories_cleared {
        let _ = writeln!(
            t,
            "  advisory cleared   {} on {} ({})",
            a.advisory, a.package, a.code
        );
    }
    for e in &r.exceptions_added {
        let _ = writeln!(
            t,
            "  exception added    {} on {} until {}",
            e.advisory, e.krate, e.expires
        );
    }
    for e in &r.exceptions_removed {
        let _ = writeln!(
            t,
            "  exception removed  {} on {} until {}",
            e.advisory, e.krate, e.expires
        );
    }
    for a in &r.approvals_added {
        let _ = writeln!(
            t,
            "  approval added     {} by {}: {}",
            a.role, a.principal, a.decision
        );
    }
    for a in &r.approvals_removed {
        let _ = writeln!(
            t,
            "  approval removed   {} by {}: {}",
            a.role, a.principal, a.decision
        );
    }
    for x in &r.artifacts {
        let size = |s: Option<u64>| s.map(|s| s.to_string()).unwrap_or_else(|| "-".to_owned());
        let same = x.from_sha256 == x.to_sha256;
        let _ = writeln!(
            t,
            "  artifact           {}: {} → {} bytes{}",
            x.path,
            size(x.from_size),
            size(x.to_size),
            if same {
                ", identical"
            } else {
                ", digest changed"
            }
        );
    }
    t
}
