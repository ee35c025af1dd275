//! The main job: the gate's report, then each member's build findings and evidence directory.

use super::finding_line;
use crate::gate::report::CheckReport;
use crate::pipeline::release::ReleaseReport;

pub fn render(gate: &CheckReport, report: &ReleaseReport, verbose: u8, quiet: bool) -> String {
    let mut t = super::check::render(gate, verbose, quiet);
    if !report.verification_findings.is_empty() {
        t.push_str("verification evidence:\n");
        for f in &report.verification_findings {
            if quiet {
                t.push_str(&finding_line(f, "  "));
            } else {
                super::finding(&mut t, f);
            }
        }
        let errors = crate::findings::count(
            &report.verification_findings,
            crate::findings::Severity::Error,
        );
        let warnings = crate::findings::count(
            &report.verification_findings,
            crate::findings::Severity::Warning,
        );
        t.push_str(&format!(
            "verification: {errors} error{}, {warnings} warning{}\n",
            super::plural(errors),
            super::plural(warnings)
        ));
    }
    for e in &report.evidence {
        for f in &e.build_findings {
            t.push_str(&finding_line(f, ""));
        }
        t.push_str(&format!(
            "evidence ({}) for {} {}: {}\n",
            e.decision,
            e.package,
            e.version,
            e.evidence_dir.display()
        ));
        if !quiet {
            for a in &e.artifacts {
                t.push_str(&format!("  {}  {}\n", a.sha256, a.path));
            }
        }
    }
    t
}
