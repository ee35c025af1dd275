//! Test suites: their reports (recorded by `test`, or made elsewhere and bound by commit or
//! time, optionally signed), counted per outcome; failed and skipped tests become findings
//! unless an exception accepts them.

use super::exceptions::{self, Exceptions, Verdict};
use super::inputs::{self, Input};
use super::model::{Anomaly, Outcome, ReportFile, RunRecord, SuiteSummary, TestCase, TestReport};
use super::{Context, junit, libtest};
use crate::findings::{Code, Finding, PackageRef, Severity};
use crate::policy::verification::{Suite, TestFormat};
use crate::util::digest;
use std::path::Path;

/// Failed tests reported one by one per suite; the rest in one finding.
const MAX_LISTED: usize = 50;

#[derive(Default)]
pub struct Out {
    pub summaries: Vec<SuiteSummary>,
    pub cases: Vec<TestCase>,
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
    let suites = cx
        .policy
        .data
        .verification
        .as_ref()
        .map(|v| v.get_ref().suite.as_slice())
        .unwrap_or_default();
    for s in suites {
        suite(cx, s.get_ref(), run, ex, &mut out);
    }
    out
}

fn suite(
    cx: &Context<'_>,
    s: &Suite,
    run: Option<(&RunRecord, &Path)>,
    ex: &mut Exceptions<'_>,
    out: &mut Out,
) {
    let what = format!("suite `{}`", s.name);
    let mut inputs: Vec<Input> = Vec::new();
    if s.run.is_some() {
        let Some((rec, dir)) = run else {
            return; // The missing run is one finding, made by the caller.
        };
        match rec.steps.iter().find(|st| st.name == s.name) {
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
                    format!("{what}: the report {} recorded by the `test` run is missing or changed since", step.report),
                    "run `cargo release-evidence test` again",
                )),
            },
            None => out.findings.push(Finding::new(
                Code::VerifyReportMissing,
                format!("{what}: the recorded `test` run did not run it (the policy changed since)"),
                "run `cargo release-evidence test` again",
            )),
        }
    } else {
        inputs = inputs::find(cx, &what, &s.reports, &mut out.findings);
    }
    let count = inputs.len();
    let mut cases: Vec<TestCase> = Vec::new();
    let mut names = Vec::new();
    for (i, mut input) in inputs.into_iter().enumerate() {
        let parsed: Result<TestReport, String> = match s.format {
            TestFormat::Junit => junit::parse(&input.text(), &s.name),
            TestFormat::LibtestJson => libtest::parse(&input.text(), &s.name),
        };
        let report = match parsed {
            Ok(r) => r,
            Err(e) => {
                out.findings.push(
                    Finding::new(
                        Code::VerifyReportInvalid,
                        format!(
                            "{what}: {} is not a {} report: {e}",
                            input.source,
                            format_name(s.format)
                        ),
                        "point the suite at the report file the runner writes, in the format named",
                    )
                    .location(input.location()),
                );
                continue;
            }
        };
        if input.bound_by.is_none() {
            let commit = inputs::names_commit(cx, report.properties.iter().map(|(_, v)| v.clone()));
            if let Some(f) = inputs::bind(
                cx,
                &mut input,
                commit,
                report.timestamp,
                &format!("{what} report"),
            ) {
                out.findings.push(f);
            }
        }
        if let Some(role) = &s.signed_by
            && let Some(f) =
                inputs::check_signature(cx, &mut input, role, &format!("{what} report"))
        {
            out.findings.push(f);
        }
        let ext = match s.format {
            TestFormat::Junit => "junit.xml",
            TestFormat::LibtestJson => "libtest.json",
        };
        let name = inputs::evidence_name(&s.name, i, count, ext);
        names.push(name.clone());
        let kind = match s.format {
            TestFormat::Junit => "junit",
            TestFormat::LibtestJson => "libtest-json",
        };
        if let Some((sig, principal)) = input.signature.take() {
            out.files.push((
                file(
                    &format!("{name}.sshsig"),
                    &input.source,
                    "signature",
                    &sig,
                    None,
                    None,
                ),
                sig,
            ));
            out.files.push((
                file(
                    &name,
                    &input.source,
                    kind,
                    &input.bytes,
                    input.bound_by.clone(),
                    Some(principal),
                ),
                input.bytes,
            ));
        } else {
            out.files.push((
                file(
                    &name,
                    &input.source,
                    kind,
                    &input.bytes,
                    input.bound_by.clone(),
                    None,
                ),
                input.bytes,
            ));
        }
        cases.extend(report.cases);
    }
    if count > 0 && cases.is_empty() {
        out.findings.push(Finding::new(
            Code::VerifyReportMissing,
            format!("{what}: its reports hold no tests"),
            "check that the runner ran the tests (filters, profile) and wrote them to the report",
        ).location(cx.policy_location()));
    }
    let mut summary = SuiteSummary {
        name: s.name.clone(),
        format: s.format,
        reports: names,
        tests: cases.len(),
        passed: 0,
        failed: 0,
        skipped: 0,
        accepted: 0,
        failed_tests: Vec::new(),
        skipped_tests: Vec::new(),
    };
    let mut skipped_open = Vec::new();
    let mut failed_open = 0;
    for c in &cases {
        match c.outcome {
            Outcome::Passed => {
                summary.passed += 1;
                continue;
            }
            Outcome::Failed => {
                summary.failed += 1;
                summary.failed_tests.push(c.id());
            }
            Outcome::Skipped => {
                summary.skipped += 1;
                summary.skipped_tests.push(c.id());
            }
        }
        let id = c.id();
        match ex.for_test(&id) {
            Some(Verdict::Accepted(e, loc)) => {
                summary.accepted += 1;
                out.findings.push(
                    Finding::new(
                        Code::VerifyTestAccepted,
                        format!(
                            "test {id} {} in {what}; accepted by {} until {}: {}",
                            c.outcome, e.approved_by, e.expires, e.reason
                        ),
                        "fix the test before the exception expires",
                    )
                    .location(Some(loc)),
                );
                out.anomalies.push(exceptions::anomaly(
                    e,
                    id.clone(),
                    "test",
                    format!("test {id} {}", c.outcome),
                ));
                continue;
            }
            Some(Verdict::Expired(e, loc)) => {
                out.findings
                    .push(exceptions::expired(e, loc, &format!("test `{id}`")))
            }
            None => {}
        }
        if c.outcome == Outcome::Skipped {
            skipped_open.push(id);
            continue;
        }
        failed_open += 1;
        if failed_open > MAX_LISTED {
            continue;
        }
        let mut f = Finding::new(
            Code::VerifyTestFailed,
            format!(
                "test {id} failed in {what}{}",
                c.message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ),
            format!(
                "fix the code or the test and re-run the suite, or accept the failure with [[verification.exception]] test = \"{id}\""
            ),
        );
        if let Some((name, version, dir)) = cx.members.iter().find(|(n, _, _)| n == c.package()) {
            f = f.package(PackageRef {
                name: name.clone(),
                version: version.clone(),
                source: format!("path+{dir}"),
            });
        }
        out.findings.push(f);
    }
    if failed_open > MAX_LISTED {
        out.findings.push(Finding::new(
            Code::VerifyTestFailed,
            format!(
                "{what}: {} more failed tests (see the report)",
                failed_open - MAX_LISTED
            ),
            "fix the failing tests and re-run the suite",
        ));
    }
    if !skipped_open.is_empty() {
        let listed: Vec<&str> = skipped_open.iter().take(20).map(String::as_str).collect();
        out.findings.push(
            Finding::new(
                Code::VerifyTestSkipped,
                format!(
                    "{what}: {} test{} skipped or ignored: {}{}",
                    skipped_open.len(),
                    if skipped_open.len() == 1 { "" } else { "s" },
                    listed.join(", "),
                    if skipped_open.len() > listed.len() { ", …" } else { "" }
                ),
                "run them (remove #[ignore] or the filter), or accept each with [[verification.exception]] test = \"…\"",
            )
            .severity(if s.allow_skipped { Severity::Warning } else { Severity::Error }),
        );
    }
    out.cases.extend(cases);
    out.summaries.push(summary);
}

fn format_name(f: TestFormat) -> &'static str {
    match f {
        TestFormat::Junit => "JUnit XML",
        TestFormat::LibtestJson => "libtest JSON",
    }
}

/// The record of a file copied into the evidence.
pub fn file(
    name: &str,
    source: &str,
    kind: &str,
    bytes: &[u8],
    bound_by: Option<String>,
    signed_by: Option<String>,
) -> ReportFile {
    ReportFile {
        file: name.to_owned(),
        source: source.to_owned(),
        kind: kind.to_owned(),
        size: bytes.len() as u64,
        sha256: digest::sha256_hex(bytes),
        bound_by,
        signed_by,
    }
}
