//! `[verification]`: the verification evidence a release needs (test suites, coverage, static
//! analysis, other documents), the requirements it is traced to, and the exceptions accepting
//! single static-analysis results or tests. Unknown keys are errors.

use super::values::Day;
use serde::Deserialize;
use serde_spanned::Spanned;
use std::path::PathBuf;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VerificationPolicy {
    /// Requirements file (TOML or CSV by extension), relative to the policy file.
    pub requirements: Option<PathBuf>,
    /// Safety classes whose requirements need a passing test (default: B and C).
    #[serde(default = "default_blocking_classes")]
    pub blocking_classes: Vec<SafetyClass>,
    /// Known residual anomalies kept by the team (`anomalies.toml`), relative to the policy file.
    pub anomalies: Option<PathBuf>,
    pub coverage: Option<Spanned<CoveragePolicy>>,
    pub static_analysis: Option<Spanned<StaticAnalysisPolicy>>,
    /// Deserialized entry by entry (see `load`).
    #[serde(default)]
    pub suite: Vec<Spanned<Suite>>,
    #[serde(default)]
    pub threshold: Vec<Spanned<Threshold>>,
    #[serde(default)]
    pub exception: Vec<Spanned<VerificationException>>,
    #[serde(default)]
    pub evidence: Vec<Spanned<EvidenceFile>>,
}

fn default_blocking_classes() -> Vec<SafetyClass> {
    vec![SafetyClass::B, SafetyClass::C]
}

/// IEC 62304 software safety class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
pub enum SafetyClass {
    A,
    B,
    C,
}

impl SafetyClass {
    pub fn parse(s: &str) -> Option<SafetyClass> {
        match s.trim() {
            "A" | "a" => Some(SafetyClass::A),
            "B" | "b" => Some(SafetyClass::B),
            "C" | "c" => Some(SafetyClass::C),
            _ => None,
        }
    }
}

impl std::fmt::Display for SafetyClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SafetyClass::A => "A",
            SafetyClass::B => "B",
            SafetyClass::C => "C",
        })
    }
}

/// Test report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestFormat {
    /// JUnit XML (cargo-nextest, HIL rigs, other languages' runners).
    Junit,
    /// libtest's JSON lines (`cargo test -- -Z unstable-options --format json`).
    LibtestJson,
}

/// What `cargo release-evidence test` runs for a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Runner {
    /// `cargo nextest run --workspace --profile <nextest-profile> --no-fail-fast`.
    Nextest,
}

/// `[[verification.suite]]`: a required test suite and where its reports come from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Suite {
    pub name: String,
    /// Run by `cargo release-evidence test` (its report is recorded with the run).
    pub run: Option<Runner>,
    /// The nextest profile with a `[profile.<name>.junit]` section (default `ci`).
    pub nextest_profile: Option<String>,
    #[serde(default = "default_format")]
    pub format: TestFormat,
    /// Report files produced elsewhere (globs relative to the workspace root).
    #[serde(default)]
    pub reports: Vec<String>,
    /// A role of `[approvals.roles]`: each report needs `<report>.sig`, an SSH signature
    /// (namespace `release-evidence-report-v1`) by a principal holding the role.
    pub signed_by: Option<String>,
    /// Skipped or ignored tests are warnings (`true`, the default) or block (`false`).
    #[serde(default = "yes")]
    pub allow_skipped: bool,
}

fn default_format() -> TestFormat {
    TestFormat::Junit
}

fn yes() -> bool {
    true
}

/// Coverage report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CoverageFormat {
    Lcov,
    Cobertura,
}

/// `[verification.coverage]`: the overall thresholds (percent) and the reports.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CoveragePolicy {
    pub format: CoverageFormat,
    /// Globs relative to the workspace root; several files are merged.
    pub reports: Vec<String>,
    pub min_line: Option<f64>,
    pub min_branch: Option<f64>,
}

/// `[[verification.threshold]]`: a stricter (or looser) threshold for one package or path.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Threshold {
    /// A workspace member (its directory).
    pub package: Option<String>,
    /// A path prefix relative to the workspace root.
    pub path: Option<String>,
    pub min_line: Option<f64>,
    pub min_branch: Option<f64>,
}

/// SARIF result levels, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    None,
    Note,
    Warning,
    Error,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Level::None => "none",
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        })
    }
}

/// `[verification.static-analysis]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct StaticAnalysisPolicy {
    /// `cargo release-evidence test` runs `cargo clippy --workspace --all-targets
    /// --message-format=json` and records its SARIF.
    #[serde(default)]
    pub clippy: bool,
    /// SARIF 2.1.0 files produced elsewhere (semgrep, CodeQL, …), globs.
    #[serde(default)]
    pub reports: Vec<String>,
    /// The highest result level allowed without an exception (default `note`).
    #[serde(default = "default_level")]
    pub max_level: Level,
}

fn default_level() -> Level {
    Level::Note
}

/// `[[verification.exception]]`: accepts one static-analysis result (`rule` + `fingerprint`)
/// or the failure or skip of one test (`test`), until `expires`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VerificationException {
    pub rule: Option<String>,
    /// The location fingerprint shown in the finding (`re1:…`).
    pub fingerprint: Option<String>,
    /// A test id (`<binary or suite>::<test name>`).
    pub test: Option<String>,
    pub reason: String,
    pub approved_by: String,
    pub expires: Day,
}

/// `[[verification.evidence]]`: another document the release needs (penetration test,
/// usability report), digested and copied into the evidence.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EvidenceFile {
    pub name: String,
    /// Relative to the workspace root.
    pub path: PathBuf,
}

/// The rules spanning several fields of `[verification]`; every violation is collected.
pub fn validate(p: &super::Policy) -> Vec<crate::error::Diagnostic> {
    let mut out = Vec::new();
    let Some(v) = &p.data.verification else {
        return out;
    };
    let roles = p.data.approvals.as_ref().map(|a| &a.get_ref().roles);
    let bad_glob = |g: &str| glob::Pattern::new(g).err().map(|e| e.msg);
    let mut names = std::collections::BTreeSet::new();
    for s in &v.get_ref().suite {
        let e = s.get_ref();
        let mut bad = |m: String| out.push(p.diagnostic(s.span(), m));
        if e.name.trim().is_empty() || !names.insert(e.name.clone()) {
            bad(format!(
                "[[verification.suite]] name `{}` is empty or used twice",
                e.name
            ));
        }
        match (e.run, e.reports.is_empty()) {
            (None, true) => bad(format!(
                "[[verification.suite]] `{}` needs `run = \"nextest\"` or `reports` (globs of report files)",
                e.name
            )),
            (Some(_), false) => bad(format!(
                "[[verification.suite]] `{}` has both `run` and `reports`: a suite is run here or reported from elsewhere",
                e.name
            )),
            _ => {}
        }
        if e.run.is_some() && e.format != TestFormat::Junit {
            bad(format!(
                "[[verification.suite]] `{}`: `run = \"nextest\"` records JUnit; drop `format`",
                e.name
            ));
        }
        if e.run.is_none() && e.nextest_profile.is_some() {
            bad(format!(
                "[[verification.suite]] `{}`: `nextest-profile` needs `run = \"nextest\"`",
                e.name
            ));
        }
        if let Some(role) = &e.signed_by
            && !roles.is_some_and(|r| r.contains_key(role))
        {
            bad(format!(
                "[[verification.suite]] `{}`: `signed-by` role `{role}` is not defined in [approvals.roles]",
                e.name
            ));
        }
        for g in &e.reports {
            if let Some(m) = bad_glob(g) {
                bad(format!("invalid glob `{g}`: {m}"));
            }
        }
    }
    let percent = |x: Option<f64>| x.is_some_and(|x| !(0.0..=100.0).contains(&x) || x.is_nan());
    if let Some(c) = &v.get_ref().coverage {
        let e = c.get_ref();
        if e.reports.is_empty() {
            out.push(p.diagnostic(c.span(), "[verification.coverage] needs `reports`"));
        }
        for g in &e.reports {
            if let Some(m) = bad_glob(g) {
                out.push(p.diagnostic(c.span(), format!("invalid glob `{g}`: {m}")));
            }
        }
        if percent(e.min_line) || percent(e.min_branch) {
            out.push(p.diagnostic(
                c.span(),
                "[verification.coverage] `min-line` and `min-branch` are percentages from 0 to 100",
            ));
        }
    }
    for t in &v.get_ref().threshold {
        let e = t.get_ref();
        let mut bad = |m: &str| out.push(p.diagnostic(t.span(), m.to_owned()));
        if e.package.is_some() == e.path.is_some() {
            bad("[[verification.threshold]] names exactly one of `package` or `path`");
        }
        if e.min_line.is_none() && e.min_branch.is_none() {
            bad("[[verification.threshold]] needs `min-line` or `min-branch`");
        }
        if percent(e.min_line) || percent(e.min_branch) {
            bad(
                "[[verification.threshold]] `min-line` and `min-branch` are percentages from 0 to 100",
            );
        }
        if v.get_ref().coverage.is_none() {
            bad("[[verification.threshold]] needs [verification.coverage] (the reports)");
        }
    }
    if let Some(s) = &v.get_ref().static_analysis {
        for g in &s.get_ref().reports {
            if let Some(m) = bad_glob(g) {
                out.push(p.diagnostic(s.span(), format!("invalid glob `{g}`: {m}")));
            }
        }
    }
    for x in &v.get_ref().exception {
        let e = x.get_ref();
        let mut bad = |m: String| out.push(p.diagnostic(x.span(), m));
        let result = e.rule.is_some() || e.fingerprint.is_some();
        if result == e.test.is_some() || (result && (e.rule.is_none() || e.fingerprint.is_none())) {
            bad("[[verification.exception]] accepts either one static-analysis result (`rule` and `fingerprint`) or one test (`test`)".into());
        }
        for (field, value) in [("reason", &e.reason), ("approved-by", &e.approved_by)] {
            if value.trim().is_empty() {
                bad(format!("[[verification.exception]] has an empty `{field}`"));
            }
        }
    }
    for f in &v.get_ref().evidence {
        let e = f.get_ref();
        if e.name.trim().is_empty() || !crate::util::paths::stays_inside(&e.path.to_string_lossy())
        {
            out.push(p.diagnostic(
                f.span(),
                "[[verification.evidence]] needs a `name` and a `path` relative to the workspace root that stays inside it",
            ));
        }
    }
    out
}
