//! The release record's verification sections: the suites, coverage and static analysis, the
//! trace matrix, and the known residual anomalies with their evaluation (IEC 62304 §5.8.2–3);
//! and the checklist items the verification data decides.

use crate::evidence::model::Manifest;
use crate::verification::model::{Outcome, VerificationRecord};
use std::fmt::Write;

/// Markdown table cells never break the table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn sections(m: &Manifest) -> String {
    let mut t = String::new();
    if let Some(v) = &m.verification {
        verification(&mut t, v);
        trace(&mut t, v);
    }
    anomalies(&mut t, m);
    t
}

fn verification(t: &mut String, v: &VerificationRecord) {
    let _ = writeln!(t, "\n## Verification\n");
    if let Some(r) = &v.run {
        let commit = r
            .source
            .commit
            .as_deref()
            .map_or("no commit".to_owned(), |c| {
                format!("commit `{}`", c.chars().take(12).collect::<String>())
            });
        let _ = writeln!(
            t,
            "Run by `cargo release-evidence test` from {} to {} on {}{} (source digest `{}`).\n",
            r.started_at,
            r.finished_at,
            commit,
            if r.source.dirty == Some(true) {
                ", uncommitted changes"
            } else {
                ""
            },
            r.source.tree_sha256.chars().take(16).collect::<String>()
        );
        for s in &r.steps {
            let _ = writeln!(
                t,
                "- `{}` → exit {}",
                s.command.join(" "),
                s.exit_code.map_or("none".to_owned(), |c| c.to_string())
            );
        }
        let _ = writeln!(t);
    }
    if !v.suites.is_empty() {
        let _ = writeln!(
            t,
            "| suite | tests | passed | failed | skipped | accepted | reports |\n|---|---:|---:|---:|---:|---:|---|"
        );
        for s in &v.suites {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} | {} | {} |",
                cell(&s.name),
                s.tests,
                s.passed,
                s.failed,
                s.skipped,
                s.accepted,
                s.reports
                    .iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        for s in &v.suites {
            for (label, list) in [("failed", &s.failed_tests), ("skipped", &s.skipped_tests)] {
                if !list.is_empty() {
                    let _ = writeln!(
                        t,
                        "\n{} {label} in `{}`: {}",
                        list.len(),
                        cell(&s.name),
                        list.iter()
                            .take(50)
                            .map(|x| format!("`{x}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
            }
        }
    }
    if let Some(c) = &v.coverage {
        let pct = |p: Option<f64>| p.map_or("n/a".to_owned(), |p| format!("{p:.2}%"));
        let _ = writeln!(
            t,
            "\nCoverage: lines {} ({}/{}), branches {} ({}/{}), {} files.\n",
            pct(c.line.percent),
            c.line.covered,
            c.line.total,
            pct(c.branch.percent),
            c.branch.covered,
            c.branch.total,
            c.files
        );
        if !c.thresholds.is_empty() {
            let _ = writeln!(
                t,
                "| scope | metric | minimum | actual | met |\n|---|---|---:|---:|---|"
            );
            for th in &c.thresholds {
                let _ = writeln!(
                    t,
                    "| {} | {} | {}% | {} | {} |",
                    cell(&th.scope),
                    th.metric,
                    th.min,
                    pct(th.actual),
                    if th.met { "yes" } else { "**no**" }
                );
            }
        }
    }
    if let Some(s) = &v.static_analysis {
        let levels: Vec<String> = s.by_level.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let _ = writeln!(
            t,
            "\nStatic analysis: {} result{} ({}); allowed up to `{}`; {} blocking, {} accepted. Reports: {}.",
            s.results,
            if s.results == 1 { "" } else { "s" },
            if levels.is_empty() {
                "none".to_owned()
            } else {
                levels.join(", ")
            },
            s.max_level,
            s.blocking,
            s.accepted,
            s.reports
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !v.documents.is_empty() {
        let _ = writeln!(t, "\n| document | file | sha256 |\n|---|---|---|");
        for d in &v.documents {
            let _ = writeln!(
                t,
                "| {} | `{}` | {} |",
                cell(&d.name),
                d.path,
                d.sha256
                    .as_deref()
                    .map_or("**missing**".to_owned(), |s| format!("`{s}`"))
            );
        }
    }
}

fn trace(t: &mut String, v: &VerificationRecord) {
    let Some(tr) = &v.trace else { return };
    let classes: Vec<String> = tr
        .blocking_classes
        .iter()
        .map(ToString::to_string)
        .collect();
    let _ = writeln!(
        t,
        "\n## Trace matrix\n\n{} of {} requirements ({}) have a passing test; classes {} need one. Also in `trace-matrix.csv` and `trace-matrix.json`.\n",
        tr.passing,
        tr.requirements,
        tr.requirements_file,
        if classes.is_empty() {
            "none".to_owned()
        } else {
            classes.join(", ")
        }
    );
    let _ = writeln!(
        t,
        "| requirement | class | title | risk controls | tests | result |\n|---|---|---|---|---|---|"
    );
    for r in &tr.rows {
        let tests: Vec<String> = r
            .tests
            .iter()
            .map(|x| {
                format!(
                    "`{}`{}",
                    x.id,
                    if x.outcome == Outcome::Passed {
                        String::new()
                    } else {
                        format!(" ({})", x.outcome)
                    }
                )
            })
            .collect();
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&r.id),
            r.class,
            cell(&r.title),
            cell(&r.risk_controls.join(", ")),
            if tests.is_empty() {
                "—".to_owned()
            } else {
                tests.join("<br>")
            },
            if r.status == crate::verification::model::TraceStatus::Pass {
                r.status.to_string()
            } else {
                format!("**{}**", r.status)
            }
        );
    }
}

fn anomalies(t: &mut String, m: &Manifest) {
    let _ = writeln!(t, "\n## Residual anomalies\n");
    let none = m.exceptions_applied.is_empty()
        && m.verification
            .as_ref()
            .is_none_or(|v| v.residual_anomalies.is_empty());
    if none {
        let _ = writeln!(t, "None known.");
        return;
    }
    let _ = writeln!(
        t,
        "Every known residual anomaly of this release, with its evaluation and who accepted it until when.\n"
    );
    let _ = writeln!(
        t,
        "| id | kind | anomaly | evaluation | accepted by | until |\n|---|---|---|---|---|---|"
    );
    for e in &m.exceptions_applied {
        let _ = writeln!(
            t,
            "| {} | advisory | affects {} | {} | {} | {} |",
            cell(&e.id),
            cell(&e.krate),
            cell(&e.reason),
            cell(&e.approved_by),
            e.expires
        );
    }
    for a in m.verification.iter().flat_map(|v| &v.residual_anomalies) {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&a.id),
            a.kind,
            cell(&a.description),
            cell(&a.evaluation),
            cell(&a.approved_by),
            a.until.map_or("open".to_owned(), |d| d.to_string())
        );
    }
}

/// "Tests and coverage meet thresholds", "Static analysis clean or accepted", "Trace matrix
/// complete", ticked from the verification data.
pub fn checklist(m: &Manifest) -> Vec<(bool, String)> {
    match &m.verification {
        None => [
            "Tests and coverage meet thresholds",
            "Static analysis clean or accepted",
            "Trace matrix complete",
        ]
        .iter()
        .map(|l| (false, format!("{l} (the policy has no [verification])")))
        .collect(),
        Some(v) => vec![
            (
                v.checklist.tests_and_coverage,
                "Tests and coverage meet thresholds".to_owned(),
            ),
            (
                v.checklist.static_analysis,
                "Static analysis clean or accepted".to_owned(),
            ),
            (
                v.checklist.trace_matrix,
                match &v.trace {
                    Some(tr) if !v.checklist.trace_matrix => format!(
                        "Trace matrix complete ({} without a passing test)",
                        tr.without_passing_test.join(", ")
                    ),
                    Some(_) => "Trace matrix complete".to_owned(),
                    None => "Trace matrix complete (no requirements file)".to_owned(),
                },
            ),
        ],
    }
}
