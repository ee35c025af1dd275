//! `test`: what ran, the suites, coverage, static analysis and trace matrix, the findings.

use super::{BOLD, DIM, GREEN, RED, finding, plural};
use crate::findings::{Decision, Finding};
use crate::verification::model::VerificationRecord;
use std::fmt::Write;

/// The verification part shared by `test` and the main job.
pub fn verification(out: &mut String, v: &VerificationRecord, findings: &[Finding], quiet: bool) {
    if !quiet {
        for s in &v.suites {
            let _ = writeln!(
                out,
                "{DIM}suite{DIM:#} {}: {} test{}, {} passed, {} failed, {} skipped{}",
                s.name,
                s.tests,
                plural(s.tests),
                s.passed,
                s.failed,
                s.skipped,
                if s.accepted > 0 {
                    format!(" ({} accepted)", s.accepted)
                } else {
                    String::new()
                }
            );
        }
        if let Some(c) = &v.coverage {
            let pct = |p: Option<f64>| p.map_or("n/a".to_owned(), |p| format!("{p:.2}%"));
            let _ = writeln!(
                out,
                "{DIM}coverage{DIM:#}: lines {} ({}/{}), branches {} ({}/{}) over {} files",
                pct(c.line.percent),
                c.line.covered,
                c.line.total,
                pct(c.branch.percent),
                c.branch.covered,
                c.branch.total,
                c.files
            );
        }
        if let Some(s) = &v.static_analysis {
            let _ = writeln!(
                out,
                "{DIM}static analysis{DIM:#}: {} result{} ({} above `{}`: {} blocking, {} accepted)",
                s.results,
                plural(s.results),
                s.blocking + s.accepted,
                s.max_level,
                s.blocking,
                s.accepted
            );
        }
        if let Some(t) = &v.trace {
            let _ = writeln!(
                out,
                "{DIM}trace matrix{DIM:#}: {} of {} requirements have a passing test ({})",
                t.passing, t.requirements, t.requirements_file
            );
        }
        for f in findings {
            finding(out, f);
        }
    }
}

pub fn render(r: &crate::pipeline::verification::TestReport, quiet: bool) -> String {
    let mut out = String::new();
    if !quiet {
        for step in &r.run.steps {
            let _ = writeln!(
                out,
                "{DIM}ran{DIM:#} {} (exit {}) → {}",
                step.command.join(" "),
                step.exit_code.map_or("none".to_owned(), |c| c.to_string()),
                r.run_dir.join(&step.report).display()
            );
        }
    }
    verification(&mut out, &r.verification, &r.findings, quiet);
    let (style, word) = match r.decision {
        Decision::Pass => (GREEN, "PASS"),
        Decision::Hold => (RED, "HOLD"),
    };
    let _ = writeln!(
        out,
        "{BOLD}verification:{BOLD:#} {style}{word}{style:#} ({} error{}, {} warning{}); run recorded in {}",
        r.errors,
        plural(r.errors),
        r.warnings,
        plural(r.warnings),
        r.run_dir.display()
    );
    out
}
