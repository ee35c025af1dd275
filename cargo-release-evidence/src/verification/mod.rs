//! Verification evidence: test reports (JUnit XML, libtest JSON), coverage (LCOV, Cobertura),
//! static analysis (SARIF 2.1.0), other documents, the requirements trace matrix and the
//! residual anomalies — read, bound to the release, checked against `[verification]`, and
//! turned into findings, the manifest's `verification` record and files for the evidence.
//! `run` is `cargo release-evidence test`: it runs nextest and clippy and records the run.

pub mod anomalies;
pub mod binding;
pub mod cobertura;
pub mod coverage;
pub mod exceptions;
pub mod inputs;
pub mod junit;
pub mod lcov;
pub mod libtest;
pub mod model;
pub mod requirements;
pub mod run;
pub mod sarif;
pub mod statics;
pub mod suites;
pub mod trace;

use crate::error::{Error, Result};
use crate::findings::{Code, Finding, Location, Severity};
use crate::policy::Policy;
use crate::policy::verification::CoverageFormat;
use crate::util::{canonical, paths, time::Day};
pub use inputs::{REPORT_NAMESPACE, ReportSignatures};
use model::{
    Checklist, Coverage, EvidenceDocument, ReportFile, RunRecord, TraceSummary, VerificationRecord,
};
use std::path::{Path, PathBuf};

pub const TRACE_CSV: &str = "trace-matrix.csv";
pub const TRACE_JSON: &str = "trace-matrix.json";
pub const COVERAGE_SUMMARY: &str = "coverage-summary.json";
pub const RUN_FILE: &str = "run.json";

/// What verification is evaluated against.
pub struct Context<'a> {
    pub root: &'a Path,
    pub policy: &'a Policy,
    pub date: Day,
    /// The release commit, when the workspace is a git checkout.
    pub commit: Option<&'a str>,
    /// Reports made elsewhere must be at least this new (the commit time, else
    /// SOURCE_DATE_EPOCH, else the evaluation date), seconds since the epoch.
    pub release_time: i64,
    pub target_dir: PathBuf,
    /// Workspace members: (name, version, directory relative to the root).
    pub members: Vec<(String, String, String)>,
    pub signatures: Option<&'a dyn ReportSignatures>,
}

impl Context<'_> {
    pub fn policy_location(&self) -> Option<Location> {
        Some(self.policy.section_location("verification"))
    }

    /// Where `cargo release-evidence test` records its run.
    pub fn run_dir(&self) -> PathBuf {
        run_dir(&self.target_dir)
    }

    /// What the source digest leaves out: the target directory and the report globs.
    pub fn exclusions(&self) -> binding::Exclusions {
        let mut globs = Vec::new();
        if let Some(v) = &self.policy.data.verification {
            let v = v.get_ref();
            let mut all: Vec<&String> = v.suite.iter().flat_map(|s| &s.get_ref().reports).collect();
            all.extend(v.coverage.iter().flat_map(|c| &c.get_ref().reports));
            all.extend(v.static_analysis.iter().flat_map(|s| &s.get_ref().reports));
            globs = all
                .into_iter()
                .filter_map(|g| glob::Pattern::new(g).ok())
                .collect();
        }
        binding::Exclusions {
            dirs: vec![self.target_dir.clone()],
            globs,
        }
    }
}

pub fn run_dir(target_dir: &Path) -> PathBuf {
    target_dir.join("release-evidence").join("verification")
}

/// The verification of one release: the record, its findings (unsorted) and the files for
/// the evidence directory (name, bytes).
pub struct Evaluated {
    pub record: VerificationRecord,
    pub findings: Vec<Finding>,
    pub files: Vec<(String, Vec<u8>)>,
}

/// Whether the policy has anything for `test` to run.
pub fn needs_run(policy: &Policy) -> bool {
    policy.data.verification.as_ref().is_some_and(|v| {
        let v = v.get_ref();
        v.suite.iter().any(|s| s.get_ref().run.is_some())
            || v.static_analysis
                .as_ref()
                .is_some_and(|s| s.get_ref().clippy)
    })
}

/// Evaluates `[verification]`; `None` when the policy has none.
pub fn evaluate(cx: &Context<'_>) -> Result<Option<Evaluated>> {
    let Some(vp) = &cx.policy.data.verification else {
        return Ok(None);
    };
    let vp = vp.get_ref();
    let mut findings = Vec::new();
    let mut files: Vec<(ReportFile, Vec<u8>)> = Vec::new();
    let run_dir = cx.run_dir();
    let run = if needs_run(cx.policy) {
        load_run(cx, &run_dir, &mut findings, &mut files)
    } else {
        None
    };
    let run_ref = run.as_ref().map(|r| (r, run_dir.as_path()));
    let mut ex = exceptions::Exceptions::new(cx.policy, cx.date);

    let suites = suites::evaluate(cx, run_ref, &mut ex);
    let mut tests_findings = suites.findings;
    files.extend(suites.files);
    let mut anomalies = suites.anomalies;

    let coverage = match &vp.coverage {
        Some(cp) => {
            let (summary, mut f, mut fl) = coverage_of(cx, cp.get_ref())?;
            tests_findings.append(&mut f);
            files.append(&mut fl);
            summary
        }
        None => None,
    };

    let statics = statics::evaluate(cx, run_ref, &mut ex);
    files.extend(statics.files);
    anomalies.extend(statics.anomalies);
    let static_findings = statics.findings;

    let mut trace_findings = Vec::new();
    let trace = match &vp.requirements {
        Some(rel) => {
            let path = cx.policy.base_dir.join(rel);
            let display = paths::relative_display(cx.root, &path);
            let reqs = requirements::load(&path)?;
            let dirs: Vec<(String, String)> = cx
                .members
                .iter()
                .map(|(n, _, d)| (n.clone(), d.clone()))
                .collect();
            let markers = trace::scan_markers(cx.root, &dirs);
            let (rows, mut f) = trace::matrix(
                &reqs,
                &suites.cases,
                &markers,
                &vp.blocking_classes,
                &display,
            );
            trace_findings.append(&mut f);
            let summary = TraceSummary {
                requirements_file: display.clone(),
                requirements: rows.len(),
                passing: rows
                    .iter()
                    .filter(|r| r.status == model::TraceStatus::Pass)
                    .count(),
                blocking_classes: vp.blocking_classes.clone(),
                without_passing_test: rows
                    .iter()
                    .filter(|r| r.status != model::TraceStatus::Pass)
                    .map(|r| r.id.clone())
                    .collect(),
                rows,
            };
            let bytes = std::fs::read(&path)
                .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
            let ext = if display.to_ascii_lowercase().ends_with(".csv") {
                "csv"
            } else {
                "toml"
            };
            files.push((
                suites::file(
                    &format!("verification-requirements.{ext}"),
                    &display,
                    "requirements",
                    &bytes,
                    None,
                    None,
                ),
                bytes,
            ));
            let csv = trace::csv(&summary.rows).into_bytes();
            files.push((
                suites::file(TRACE_CSV, &display, "trace-matrix", &csv, None, None),
                csv,
            ));
            let json = canonical::json(&summary).into_bytes();
            files.push((
                suites::file(TRACE_JSON, &display, "trace-matrix", &json, None, None),
                json,
            ));
            Some(summary)
        }
        None => None,
    };

    let mut other = Vec::new();
    if let Some(rel) = &vp.anomalies {
        let path = cx.policy.base_dir.join(rel);
        let display = paths::relative_display(cx.root, &path);
        let (mut a, mut f) = anomalies::load(&path, &display, cx.date)?;
        anomalies.append(&mut a);
        other.append(&mut f);
        let bytes = std::fs::read(&path)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        files.push((
            suites::file(
                "verification-anomalies.toml",
                &display,
                "anomalies",
                &bytes,
                None,
                None,
            ),
            bytes,
        ));
    }
    let mut documents = Vec::new();
    for d in &vp.evidence {
        let d = d.get_ref();
        let path = cx.root.join(&d.path);
        let display = paths::relative_display(cx.root, &path);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let ext = d
                    .path
                    .extension()
                    .map(|e| format!(".{}", e.to_string_lossy()))
                    .unwrap_or_default();
                let name = format!("verification-doc-{}{ext}", inputs::sanitize(&d.name));
                let rec = suites::file(&name, &display, "document", &bytes, None, None);
                documents.push(EvidenceDocument {
                    name: d.name.clone(),
                    path: display,
                    sha256: Some(rec.sha256.clone()),
                });
                files.push((rec, bytes));
            }
            Err(_) => {
                other.push(Finding::new(
                    Code::VerifyDocumentMissing,
                    format!("{} ({display}) is required by [[verification.evidence]] and missing", d.name),
                    format!("add {display} (the document itself), or remove the requirement with a rationale"),
                ).location(cx.policy_location()));
                documents.push(EvidenceDocument {
                    name: d.name.clone(),
                    path: display,
                    sha256: None,
                });
            }
        }
    }
    if run.is_some() || !needs_run(cx.policy) {
        // Without the run's results an exception may well match what the run would report.
        other.extend(ex.unused());
    }

    let errors = |f: &[Finding]| f.iter().any(|f| f.severity == Severity::Error);
    let checklist = Checklist {
        tests_and_coverage: !errors(&tests_findings) && (run.is_some() || !needs_run(cx.policy)),
        static_analysis: !errors(&static_findings),
        trace_matrix: trace.is_some() && !errors(&trace_findings),
    };
    findings.extend(tests_findings);
    findings.extend(static_findings);
    findings.extend(trace_findings);
    findings.extend(other);
    anomalies.sort();
    files.sort_by(|a, b| a.0.file.cmp(&b.0.file));
    files.dedup_by(|a, b| a.0.file == b.0.file);
    let record = VerificationRecord {
        run,
        suites: suites.summaries,
        coverage,
        static_analysis: statics.summary,
        trace,
        documents,
        residual_anomalies: anomalies,
        files: files.iter().map(|(r, _)| r.clone()).collect(),
        checklist,
    };
    Ok(Some(Evaluated {
        record,
        findings,
        files: files.into_iter().map(|(r, b)| (r.file, b)).collect(),
    }))
}

/// The recorded `test` run, if there is one and it tested this source state.
fn load_run(
    cx: &Context<'_>,
    dir: &Path,
    findings: &mut Vec<Finding>,
    files: &mut Vec<(ReportFile, Vec<u8>)>,
) -> Option<RunRecord> {
    let path = dir.join(RUN_FILE);
    let display = paths::relative_display(cx.root, &path);
    let Ok(bytes) = std::fs::read(&path) else {
        findings.push(Finding::new(
            Code::VerifyReportMissing,
            format!("no `cargo release-evidence test` run is recorded ({display} is missing), so the suites it runs have no results"),
            "run `cargo release-evidence test` on this commit before the release",
        ).location(cx.policy_location()));
        return None;
    };
    let rec: RunRecord = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => {
            findings.push(Finding::new(
                Code::VerifyReportInvalid,
                format!(
                    "{display} is not a run record: {}",
                    crate::util::text::clip(&e.to_string(), 200)
                ),
                "run `cargo release-evidence test` again",
            ));
            return None;
        }
    };
    let now = binding::current(cx.root, &cx.exclusions());
    if let Some(why) = binding::mismatch(&rec.source, &now) {
        findings.push(Finding::new(
            Code::VerifyStale,
            format!("stale verification evidence: the `test` run recorded at {} does not match this release ({why})", rec.finished_at),
            "run `cargo release-evidence test` again on exactly what is released",
        ).location(cx.policy_location()));
        return None;
    }
    files.push((
        suites::file(
            "verification-run.json",
            &display,
            "run",
            &bytes,
            Some("run".into()),
            None,
        ),
        bytes,
    ));
    Some(rec)
}

type CoverageOut = (
    Option<model::CoverageSummary>,
    Vec<Finding>,
    Vec<(ReportFile, Vec<u8>)>,
);

fn coverage_of(
    cx: &Context<'_>,
    cp: &crate::policy::verification::CoveragePolicy,
) -> Result<CoverageOut> {
    let mut findings = Vec::new();
    let mut files = Vec::new();
    let inputs = inputs::find(cx, "coverage", &cp.reports, &mut findings);
    if inputs.is_empty() {
        return Ok((None, findings, files));
    }
    let count = inputs.len();
    let mut merged = Coverage::default();
    let mut names = Vec::new();
    for (i, mut input) in inputs.into_iter().enumerate() {
        let parsed = match cp.format {
            CoverageFormat::Lcov => lcov::parse(&input.text()),
            CoverageFormat::Cobertura => cobertura::parse(&input.text()),
        };
        let c = match parsed {
            Ok(c) => c,
            Err(e) => {
                findings.push(Finding::new(
                    Code::VerifyReportInvalid,
                    format!("coverage: {}: {e}", input.source),
                    "point [verification.coverage] reports at the files the coverage tool writes, in the format named",
                ).location(input.location()));
                continue;
            }
        };
        if let Some(f) = inputs::bind(cx, &mut input, false, c.timestamp, "coverage report") {
            findings.push(f);
        }
        let ext = match cp.format {
            CoverageFormat::Lcov => "lcov",
            CoverageFormat::Cobertura => "cobertura.xml",
        };
        let name = inputs::evidence_name("coverage", i, count, ext);
        names.push(name.clone());
        let kind = if ext == "lcov" { "lcov" } else { "cobertura" };
        files.push((
            suites::file(
                &name,
                &input.source,
                kind,
                &input.bytes,
                input.bound_by.clone(),
                None,
            ),
            input.bytes,
        ));
        for (p, f) in coverage::normalized(c, cx.root).files {
            lcov::merge_into(&mut merged, p, f);
        }
    }
    if names.is_empty() {
        return Ok((None, findings, files));
    }
    let (summary, mut f) = coverage::evaluate(&merged, cp, names, cx.policy, &cx.members);
    findings.append(&mut f);
    let per_file: Vec<serde_json::Value> = merged
        .files
        .iter()
        .map(|(p, f)| {
            serde_json::json!({
                "path": p,
                "lines": f.lines.len(),
                "lines_covered": f.lines.values().filter(|h| **h > 0).count(),
                "branches": f.branches.values().map(|b| u64::from(b.1)).sum::<u64>(),
                "branches_covered": f.branches.values().map(|b| u64::from(b.0)).sum::<u64>(),
            })
        })
        .collect();
    let json =
        canonical::json(&serde_json::json!({ "summary": summary, "files": per_file })).into_bytes();
    files.push((
        suites::file(COVERAGE_SUMMARY, "", "coverage-summary", &json, None, None),
        json,
    ));
    Ok((Some(summary), findings, files))
}
