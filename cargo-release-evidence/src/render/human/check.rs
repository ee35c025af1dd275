//! `check`: a header (scope, DB, yanked), the findings with their fixes, the summary line.

use super::{BOLD, DIM, GREEN, RED, finding, plural};
use crate::findings::Decision;
use crate::gate::report::CheckReport;
use std::fmt::Write;

pub fn render(report: &CheckReport, verbose: u8, quiet: bool) -> String {
    let mut out = String::new();
    if !quiet {
        header(&mut out, report, verbose);
        for f in &report.findings {
            finding(&mut out, f);
        }
        if !report.findings.is_empty() {
            out.push('\n');
        }
    }
    summary(&mut out, report);
    out
}

fn header(out: &mut String, r: &CheckReport, verbose: u8) {
    let members: Vec<String> = r
        .members
        .iter()
        .map(|m| format!("{} {}", m.name, m.version))
        .collect();
    let _ = writeln!(
        out,
        "{BOLD}release gate{BOLD:#} for {} ({} {}, {})",
        members.join(", "),
        r.tool.name,
        r.tool.version,
        r.date
    );
    let _ = writeln!(out, "{DIM}scope:{DIM:#} {}", r.scope.description);
    let db = &r.advisory_db;
    let commit = db
        .commit
        .as_deref()
        .map(|c| format!("commit {}, ", c.chars().take(12).collect::<String>()))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{DIM}advisory db:{DIM:#} {} ({commit}{} {}, {} advisories)",
        db.path,
        match db.date_source {
            crate::advisories::db::DateSource::GitCommit => "dated by git commit",
            crate::advisories::db::DateSource::SnapshotFile => "dated by SNAPSHOT.txt",
            crate::advisories::db::DateSource::NewestAdvisory =>
                "plain directory, dated by its newest advisory",
        },
        db.date.as_deref().unwrap_or("undated"),
        db.advisories
    );
    if let Some(f) = &db.fetched {
        let _ = writeln!(
            out,
            "{DIM}network:{DIM:#} git {} {} ({})",
            f.action,
            f.url,
            if f.ok { "ok" } else { "failed" }
        );
    }
    if !r.yanked_check.ran {
        let _ = writeln!(
            out,
            "{DIM}yanked:{DIM:#} not checked ({})",
            r.yanked_check.reason.as_deref().unwrap_or("no index cache")
        );
    }
    if verbose > 0 {
        for m in &r.members {
            let _ = writeln!(
                out,
                "{DIM}shipped set of {}:{DIM:#} {} linked, {} build-time{}",
                m.name,
                m.linked.len(),
                m.build_time.len(),
                if m.dev.is_empty() {
                    String::new()
                } else {
                    format!(", {} dev", m.dev.len())
                }
            );
            if verbose > 1 {
                for p in &m.linked {
                    let _ = writeln!(out, "    linked      {p}");
                }
                for p in &m.build_time {
                    let _ = writeln!(out, "    build-time  {p}");
                }
                for p in &m.dev {
                    let _ = writeln!(out, "    dev         {p}");
                }
            }
        }
    }
    out.push('\n');
}

fn summary(out: &mut String, r: &CheckReport) {
    let (style, word) = match r.decision {
        Decision::Pass => (GREEN, "PASS"),
        Decision::Hold => (RED, "HOLD"),
    };
    let linked: usize = r.members.iter().map(|m| m.linked.len()).sum();
    let build: usize = r.members.iter().map(|m| m.build_time.len()).sum();
    let _ = writeln!(
        out,
        "{style}{word}{style:#}: {} error{}, {} warning{} — {} packages in {} release member{} ({} linked, {} build-time)",
        r.summary.errors,
        plural(r.summary.errors),
        r.summary.warnings,
        plural(r.summary.warnings),
        r.summary.packages,
        r.summary.members,
        plural(r.summary.members),
        linked,
        build
    );
    let a = r.summary.approvals;
    if a.baseline > 0 {
        let _ = writeln!(
            out,
            "approvals: {} crates reviewed, {} accepted by baseline entries (not reviewed)",
            a.reviewed, a.baseline
        );
    }
}
