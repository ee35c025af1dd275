//! The verification data: parsed reports (tests, coverage, static-analysis results), the
//! requirements and their trace matrix, residual anomalies, the record of a `test` run, and
//! the summary the manifest carries (`verification`). Types only.

use crate::policy::verification::{CoverageFormat, Level, SafetyClass, TestFormat};
use crate::util::time::Day;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The result of one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Failed,
    Skipped,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
        })
    }
}

/// One test case of a report. Its id is `<binary>::<name>`: the JUnit `classname` (nextest's
/// binary id, e.g. `sensor-core` or `thermo-fw::bin/thermo-fw`) or the suite's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCase {
    pub binary: String,
    pub name: String,
    pub outcome: Outcome,
    /// The failure or skip message, clipped.
    pub message: Option<String>,
}

impl TestCase {
    pub fn id(&self) -> String {
        format!("{}::{}", self.binary, self.name)
    }

    /// The package a nextest binary id names (`thermo-fw::bin/thermo-fw` → `thermo-fw`).
    pub fn package(&self) -> &str {
        self.binary.split("::").next().unwrap_or(&self.binary)
    }
}

/// A parsed test report.
#[derive(Debug, Clone, Default)]
pub struct TestReport {
    pub cases: Vec<TestCase>,
    /// The newest `timestamp` of the report (seconds since the epoch), if it has one.
    pub timestamp: Option<i64>,
    /// Every `<property name value>` (where a rig records the commit it tested).
    pub properties: Vec<(String, String)>,
}

/// Line and branch hits of one source file.
#[derive(Debug, Clone, Default)]
pub struct FileCoverage {
    /// line → hits.
    pub lines: BTreeMap<u32, u64>,
    /// line → (branches taken, branches).
    pub branches: BTreeMap<u32, (u32, u32)>,
}

/// A parsed coverage report: file (relative to the workspace root when it is inside) → hits.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    pub files: BTreeMap<String, FileCoverage>,
    pub timestamp: Option<i64>,
}

/// One static-analysis result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaticResult {
    pub tool: String,
    pub rule: String,
    pub level: Level,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u64>,
    /// `re1:` and 16 hex digits: rule, file and the text of the line (not its number), so
    /// it survives edits elsewhere in the file.
    pub fingerprint: String,
}

/// A requirement of the requirements file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    pub id: String,
    pub title: String,
    pub class: SafetyClass,
    pub risk_controls: Vec<String>,
    /// Test id patterns (`*` and `?` wildcards) linking tests to the requirement.
    pub tests: Vec<String>,
    /// 1-based line of the entry in the requirements file.
    #[serde(skip)]
    pub line: usize,
}

/// The status of a requirement in this release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TraceStatus {
    /// At least one linked test ran and every linked test passed.
    Pass,
    /// A linked test failed.
    Fail,
    /// Every linked test that ran was skipped.
    Skipped,
    /// No linked test ran (or none is linked).
    NotRun,
}

impl std::fmt::Display for TraceStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TraceStatus::Pass => "pass",
            TraceStatus::Fail => "fail",
            TraceStatus::Skipped => "skipped",
            TraceStatus::NotRun => "not run",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceTest {
    pub id: String,
    pub outcome: Outcome,
}

/// One row of the trace matrix: requirement → tests → result of this release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceRow {
    pub id: String,
    pub title: String,
    pub class: SafetyClass,
    pub risk_controls: Vec<String>,
    pub tests: Vec<TraceTest>,
    pub status: TraceStatus,
}

/// A known residual anomaly (IEC 62304 §5.8.2) with its evaluation (§5.8.3).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Anomaly {
    pub id: String,
    /// `static-analysis`, `test` or `problem-report` (advisories are in the manifest's
    /// `exceptions_applied`).
    pub kind: String,
    pub description: String,
    /// Why it does not contribute to unacceptable risk.
    pub evaluation: String,
    pub approved_by: String,
    pub until: Option<Day>,
}

/// A file of the verification evidence, copied into the evidence directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFile {
    /// The file's name in the evidence directory.
    pub file: String,
    /// Where it came from (relative to the workspace root when inside it).
    pub source: String,
    /// `junit`, `libtest-json`, `lcov`, `cobertura`, `sarif`, `signature`, `trace-matrix`,
    /// `requirements`, `anomalies`, `run`, `coverage-summary`, `document`.
    pub kind: String,
    pub size: u64,
    pub sha256: String,
    /// How the report is bound to this release: `run` (recorded by `test` for this source
    /// state), `commit` (it names the release commit), `timestamp` or `mtime` (newer than the
    /// commit); `null` for files that need no binding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound_by: Option<String>,
    /// The principal whose signature over the report verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
}

/// The source state a `test` run saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub commit: Option<String>,
    pub dirty: Option<bool>,
    /// sha256 over the workspace's source files (tracked and untracked, not ignored; outside
    /// the target directory and the report globs) as `<sha256>  <path>` lines.
    pub tree_sha256: String,
}

/// One command of a `test` run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The suite name, or `clippy`.
    pub name: String,
    pub command: Vec<String>,
    pub exit_code: Option<i32>,
    /// The report it produced, in the run directory.
    pub report: String,
    pub sha256: String,
}

/// `run.json`: what `cargo release-evidence test` ran, on which source, with which tools.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    pub schema: String,
    pub schema_version: u32,
    pub tool_version: String,
    pub started_at: String,
    pub finished_at: String,
    pub source: Binding,
    pub rustc: String,
    pub cargo: String,
    pub tools: BTreeMap<String, String>,
    pub steps: Vec<Step>,
}

pub const RUN_SCHEMA: &str = "cargo-release-evidence/verification-run";

#[derive(Debug, Clone, Serialize)]
pub struct SuiteSummary {
    pub name: String,
    pub format: TestFormat,
    pub reports: Vec<String>,
    pub tests: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Failed or skipped tests accepted by a `[[verification.exception]]`.
    pub accepted: usize,
    pub failed_tests: Vec<String>,
    pub skipped_tests: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ratio {
    pub covered: u64,
    pub total: u64,
    /// `null` when there is nothing to cover.
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdResult {
    /// `overall`, `package <name>` or `path <prefix>`.
    pub scope: String,
    /// `line` or `branch`.
    pub metric: String,
    pub min: f64,
    pub actual: Option<f64>,
    pub met: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoverageSummary {
    pub format: CoverageFormat,
    pub reports: Vec<String>,
    pub files: usize,
    pub line: Ratio,
    pub branch: Ratio,
    pub thresholds: Vec<ThresholdResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StaticSummary {
    pub reports: Vec<String>,
    pub results: usize,
    /// Results per level (`error`, `warning`, `note`, `none`).
    pub by_level: BTreeMap<String, usize>,
    pub max_level: Level,
    /// Results above `max_level` without a valid exception.
    pub blocking: usize,
    pub accepted: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TraceSummary {
    pub requirements_file: String,
    pub requirements: usize,
    pub passing: usize,
    pub blocking_classes: Vec<SafetyClass>,
    /// Requirements without a passing test.
    pub without_passing_test: Vec<String>,
    pub rows: Vec<TraceRow>,
}

/// `[[verification.evidence]]` documents.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceDocument {
    pub name: String,
    pub path: String,
    /// `null` when the file is missing.
    pub sha256: Option<String>,
}

/// The release checklist items the verification data decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Checklist {
    /// No blocking finding about tests or coverage.
    pub tests_and_coverage: bool,
    /// No blocking static-analysis finding.
    pub static_analysis: bool,
    /// Every requirement of a blocking class has a passing test (and a requirements file exists).
    pub trace_matrix: bool,
}

/// The manifest's `verification` section.
#[derive(Debug, Clone, Serialize)]
pub struct VerificationRecord {
    /// The `test` run the suites come from, when any suite or clippy is run here.
    pub run: Option<RunRecord>,
    pub suites: Vec<SuiteSummary>,
    pub coverage: Option<CoverageSummary>,
    pub static_analysis: Option<StaticSummary>,
    pub trace: Option<TraceSummary>,
    pub documents: Vec<EvidenceDocument>,
    pub residual_anomalies: Vec<Anomaly>,
    /// Every verification file in the evidence directory (also listed in SHA256SUMS).
    pub files: Vec<ReportFile>,
    pub checklist: Checklist,
}
