//! Static analysis: the SARIF logs (clippy's from the `test` run, others made elsewhere), every
//! result above the allowed level either accepted by an exception or a blocking finding.

use super::exceptions::{self, Exceptions, Verdict};
use super::inputs::{self, Input};
use super::model::{Anomaly, ReportFile, RunRecord, StaticSummary};
use super::suites::file;
use super::{Context, sarif};
use crate::findings::{Code, Finding, Location};
use crate::util::digest;
use std::path::Path;

const MAX_LISTED: usize = 100;

#[derive(Default)]
pub struct Out {
    pub summary: Option<StaticSummary>,
    pub anomalies: Vec<Anomaly>,
    pub findings: Vec<Finding>,
    pub files: Vec<(ReportFile, Vec<u8>)>,
}

pub fn evaluate(
    cx: &Context<'_>,
    run: Option<(&RunRecord, &Path)>,
    ex: &mut Exceptions<'_>,
) -> Out {
    let mut out = Out::default();
    let Some(sp) = cx
        .policy
        .data
        .verification
        .as_ref()
        .and_then(|v| v.get_ref().static_analysis.as_ref())
    else {
        return out;
    };
    let sp = sp.get_ref();
    let mut inputs: Vec<Input> = Vec::new();
    if sp.clippy
        && let Some((rec, dir)) = run
    {
        match rec.steps.iter().find(|s| s.name == "clippy") {
            Some(step) => match std::fs::read(dir.join(&step.report)) {
                Ok(bytes) if digest::sha256_hex(&bytes) == step.sha256 => inputs.push(Input {
                    source: crate::util::paths::relative_display(cx.root, &dir.join(&step.report)),
                    path: dir.join(&step.report),
                    bytes,
                    bound_by: Some("run".into()),
                    signature: None,
                }),
                _ => out.findings.push(Finding::new(
                    Code::VerifyReportMissing,
                    format!("clippy: the SARIF {} recorded by the `test` run is missing or changed since", step.report),
                    "run `cargo release-evidence test` again",
                )),
            },
            None => out.findings.push(Finding::new(
                Code::VerifyReportMissing,
                "clippy: the recorded `test` run did not run it (the policy changed since)",
                "run `cargo release-evidence test` again",
            )),
        }
    }
    inputs.extend(inputs::find(
        cx,
        "static analysis",
        &sp.reports,
        &mut out.findings,
    ));
    let mut summary = StaticSummary {
        reports: Vec::new(),
        results: 0,
        by_level: Default::default(),
        max_level: sp.max_level,
        blocking: 0,
        accepted: 0,
    };
    let count = inputs.len();
    for (i, mut input) in inputs.into_iter().enumerate() {
        let parsed = match sarif::parse(&input.bytes, cx.root) {
            Ok(p) => p,
            Err(e) => {
                out.findings.push(
                    Finding::new(
                        Code::VerifyReportInvalid,
                        format!("static analysis: {}: {e}", input.source),
                        "point [verification.static-analysis] reports at SARIF 2.1.0 files",
                    )
                    .location(input.location()),
                );
                continue;
            }
        };
        if input.bound_by.is_none() {
            let commit = inputs::names_commit(cx, parsed.revisions.iter().cloned());
            if let Some(f) = inputs::bind(
                cx,
                &mut input,
                commit,
                parsed.timestamp,
                "static-analysis report",
            ) {
                out.findings.push(f);
            }
        }
        let tool = parsed
            .results
            .first()
            .map(|r| r.tool.clone())
            .unwrap_or_else(|| "sarif".into());
        let label = if input.bound_by.as_deref() == Some("run") {
            "clippy".to_owned()
        } else {
            tool
        };
        let name = inputs::evidence_name(&label, i, count, "sarif");
        summary.reports.push(name.clone());
        out.files.push((
            file(
                &name,
                &input.source,
                "sarif",
                &input.bytes,
                input.bound_by.clone(),
                None,
            ),
            input.bytes,
        ));
        let mut listed = 0;
        for r in parsed.results {
            summary.results += 1;
            *summary.by_level.entry(r.level.to_string()).or_default() += 1;
            if r.level <= sp.max_level {
                continue;
            }
            let at = r
                .file
                .as_ref()
                .map(|f| format!("{f}{}", r.line.map(|l| format!(":{l}")).unwrap_or_default()))
                .unwrap_or_else(|| "no location".into());
            let location = r.file.as_ref().map(|f| Location {
                file: f.clone(),
                line: r.line.unwrap_or(1) as usize,
                column: 1,
            });
            match ex.for_result(&r.rule, &r.fingerprint) {
                Some(Verdict::Accepted(e, loc)) => {
                    summary.accepted += 1;
                    out.findings.push(
                        Finding::new(
                            Code::VerifyStaticAccepted,
                            format!(
                                "{} {} `{}` at {at}; accepted by {} until {}: {}",
                                r.tool, r.level, r.rule, e.approved_by, e.expires, e.reason
                            ),
                            "fix the code before the exception expires",
                        )
                        .location(Some(loc)),
                    );
                    out.anomalies.push(exceptions::anomaly(
                        e,
                        format!("{} {}", r.rule, r.fingerprint),
                        "static-analysis",
                        format!("{} {} at {at}: {}", r.tool, r.level, r.message),
                    ));
                    continue;
                }
                Some(Verdict::Expired(e, loc)) => {
                    out.findings.push(exceptions::expired(
                        e,
                        loc,
                        &format!("`{}` at {at}", r.rule),
                    ));
                }
                None => {}
            }
            summary.blocking += 1;
            listed += 1;
            if listed > MAX_LISTED {
                continue;
            }
            out.findings.push(
                Finding::new(
                    Code::VerifyStatic,
                    format!("{} {} `{}` at {at} (fingerprint {}): {}", r.tool, r.level, r.rule, r.fingerprint, r.message),
                    format!(
                        "fix it, or accept it with [[verification.exception]] rule = \"{}\" fingerprint = \"{}\" (reason, approved-by, expires)",
                        r.rule, r.fingerprint
                    ),
                )
                .location(location),
            );
        }
        if listed > MAX_LISTED {
            out.findings.push(Finding::new(
                Code::VerifyStatic,
                format!(
                    "static analysis: {} more results above `{}` in {}",
                    listed - MAX_LISTED,
                    sp.max_level,
                    input.source
                ),
                "fix them (see the SARIF report)",
            ));
        }
    }
    out.summary = Some(summary);
    out
}
