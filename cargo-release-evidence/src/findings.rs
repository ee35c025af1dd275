//! The findings model: every check produces [`Finding`]s with a stable [`Code`].
//!
//! The decision (PASS / HOLD) is computed from findings here, before anything is rendered.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How much a finding matters. `Error` blocks the release (HOLD); `Warning` does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

macro_rules! codes {
    ($( $variant:ident = $code:literal, $sev:ident, $summary:literal; )*) => {
        /// Stable finding codes. The string form is part of the JSON/SARIF interface and
        /// is documented in the README; never rename one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $variant, )* }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable string form, e.g. `RE-APPROVAL-MISSING`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// The severity a finding of this code has unless the policy says otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }

            /// One line describing what the code means (used for docs and SARIF rules).
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }
        }
    };
}

codes! {
    ApprovalMissing = "RE-APPROVAL-MISSING", Error,
        "A shipped third-party package has no [[approved]] entry.";
    ApprovalVersionMismatch = "RE-APPROVAL-VERSION", Error,
        "An [[approved]] entry exists for the crate, but its version requirement does not match the locked version.";
    ApprovalPending = "RE-APPROVAL-PENDING", Error,
        "An [[approved]] entry is marked pending review (written by `init`); a person must review it.";
    ApprovalExpired = "RE-APPROVAL-EXPIRED", Error,
        "The [[approved]] entry covering the locked version (often a `baseline` entry) has passed its `expires` date.";
    ApprovalSourceMismatch = "RE-APPROVAL-SOURCE", Error,
        "An [[approved]] entry names a source other than the one the package comes from.";
    ApprovalUnused = "RE-APPROVAL-UNUSED", Warning,
        "An [[approved]] entry matches no package anywhere in the dependency graph (any target, any feature).";
    ApprovalBaselineRefused = "RE-APPROVAL-BASELINE", Error,
        "Only a baseline entry (or cargo-vet exemption) approves the crate, and [review] does not let one count for the class of a release member shipping it (baseline-block, or older than baseline-expire allows).";
    ApprovalDeltaUnrooted = "RE-APPROVAL-DELTA", Error,
        "A delta approval (`from`) covers the locked version, but no approval of its `from` version chains down to a full review.";
    Banned = "RE-BANNED", Error,
        "A shipped package matches a [[banned]] entry (e.g. imported from cargo-deny's `[bans] deny`).";
    LicenseNotAllowed = "RE-LICENSE-DENIED", Error,
        "The package's license expression is not satisfied by [licenses].allow or an exception.";
    LicenseMissing = "RE-LICENSE-MISSING", Error,
        "The package declares no SPDX `license` expression (nothing, or only `license-file`) and no exception covers it.";
    LicenseUnparsable = "RE-LICENSE-INVALID", Error,
        "The package's `license` field is not a valid SPDX expression.";
    LicenseExceptionUnused = "RE-LICENSE-EXCEPTION-UNUSED", Warning,
        "A [[licenses.exception]] entry matches no package anywhere in the dependency graph (any target, any feature).";
    SourceNotAllowed = "RE-SOURCE-DENIED", Error,
        "The package comes from a registry or git repository not listed in [sources].";
    SupplierUnreviewed = "RE-SUPPLIER-UNREVIEWED", Error,
        "A git, non-default-registry or out-of-workspace path package has no [[supplier]] review entry.";
    SupplierPinMismatch = "RE-SUPPLIER-PIN", Error,
        "A supplier input differs from what was reviewed (version, git commit, checksum or path digest).";
    SupplierArtifactMismatch = "RE-SUPPLIER-ARTIFACT", Error,
        "A [[supplier.artifact]] file is missing or its sha256 differs from the reviewed one.";
    SupplierUnused = "RE-SUPPLIER-UNUSED", Warning,
        "A [[supplier]] entry reviewing a crate matches no package anywhere in the dependency graph (any target, any feature).";
    Vulnerability = "RE-ADVISORY-VULNERABILITY", Error,
        "A RustSec vulnerability advisory affects a shipped version and no exception covers it.";
    VulnerabilityAccepted = "RE-ADVISORY-ACCEPTED", Warning,
        "A RustSec advisory affects a shipped version; a valid [[advisories.exception]] accepts the risk.";
    Informational = "RE-ADVISORY-INFORMATIONAL", Warning,
        "An informational advisory (unmaintained, unsound, notice) concerns a shipped version; blocks when listed in block-informational.";
    ExceptionExpired = "RE-EXCEPTION-EXPIRED", Error,
        "An [[advisories.exception]] has passed its `expires` date and no longer counts.";
    ExceptionUnused = "RE-EXCEPTION-UNUSED", Warning,
        "An [[advisories.exception]] matches no advisory affecting any version of the crate anywhere in the dependency graph (any target, any feature).";
    Yanked = "RE-YANKED", Error,
        "The locked version has been yanked from its registry.";
    YankedCheckSkipped = "RE-YANKED-UNCHECKED", Warning,
        "The yanked check could not run for some packages (no local registry index cache).";
    DbStale = "RE-DB-STALE", Error,
        "The advisory database is older than [advisories].max-age-days.";
    DbAdvisorySkipped = "RE-DB-MALFORMED", Warning,
        "An advisory file in the database could not be read or parsed and was skipped; an error when it concerns a crate that ships.";
    DbFetchFailed = "RE-DB-FETCH-FAILED", Warning,
        "Fetching the advisory database failed; the local copy was used.";
    BuildSetMismatch = "RE-BUILD-SET-MISMATCH", Error,
        "The release build compiled a different set of packages than the gate's shipped set.";
    BuildNotReproducible = "RE-BUILD-NOT-REPRODUCIBLE", Error,
        "A second build from a fresh copy of the source gave a different artifact.";
    BuildReproducibilityUnchecked = "RE-BUILD-UNCHECKED", Error,
        "The policy requires a reproducible build ([build] require-reproducible) but it was not checked.";
    BaselineNoGit = "RE-BASELINE-NO-GIT", Error,
        "[baseline] is configured but the workspace is not a git checkout with a commit (or git is not installed).";
    BaselineUntagged = "RE-BASELINE-UNTAGGED", Error,
        "HEAD does not carry the release tag [baseline] names for this version (missing, or on another commit).";
    BaselineTagLightweight = "RE-BASELINE-TAG-LIGHTWEIGHT", Error,
        "The release tag is a lightweight tag, but [baseline] requires an annotated tag.";
    BaselineTagUnsigned = "RE-BASELINE-TAG-UNSIGNED", Error,
        "The release tag carries no signature, but [baseline] requires a signed tag.";
    BaselineTagSignature = "RE-BASELINE-TAG-SIGNATURE", Error,
        "The release tag's signature does not verify (bad, not SSH, or git and our own check disagree).";
    BaselineTagSigner = "RE-BASELINE-TAG-SIGNER", Error,
        "The release tag is signed by a key that allowed_signers does not list for namespace `git`, or by no release signer.";
    BaselineBranch = "RE-BASELINE-BRANCH", Error,
        "The release commit is on no branch matching [baseline] branches.";
    BaselineDirty = "RE-BASELINE-DIRTY", Error,
        "The working tree has uncommitted changes, but [baseline] requires a clean tree.";
    BaselineVersion = "RE-BASELINE-VERSION", Error,
        "The version did not increase: an earlier sealed release has this version from another commit, or a higher version from an ancestor commit.";
    BaselineBump = "RE-BASELINE-BUMP", Warning,
        "The version bump is smaller than the changes require (a removed feature, or a re-exported dependency with a breaking bump).";
    BaselineNotes = "RE-BASELINE-NOTES", Error,
        "The release notes file has no entry (heading) for this version, or does not exist.";
    VerifyReportMissing = "RE-VERIFY-REPORT-MISSING", Error,
        "A required verification report (test suite, coverage, SARIF, `test` run) is missing or holds no tests.";
    VerifyReportInvalid = "RE-VERIFY-REPORT-INVALID", Error,
        "A verification report cannot be read as its format (JUnit XML, libtest JSON, LCOV, Cobertura, SARIF 2.1.0).";
    VerifyStale = "RE-VERIFY-STALE", Error,
        "Stale verification evidence: the report is not bound to this release (other source state, older than the commit).";
    VerifySignature = "RE-VERIFY-SIGNATURE", Error,
        "A report that must be signed (`signed-by`) has no valid signature by a principal of the role.";
    VerifyTestFailed = "RE-VERIFY-TEST-FAILED", Error,
        "A test of a required suite failed and no [[verification.exception]] accepts it.";
    VerifyTestSkipped = "RE-VERIFY-TEST-SKIPPED", Warning,
        "Tests of a suite were skipped or ignored (blocks when the suite sets `allow-skipped = false`).";
    VerifyTestAccepted = "RE-VERIFY-TEST-ACCEPTED", Warning,
        "A failed or skipped test is accepted by a valid [[verification.exception]]; it is a residual anomaly.";
    VerifyCoverage = "RE-VERIFY-COVERAGE", Error,
        "Line or branch coverage (overall, of a package or of a path) is below the policy's threshold.";
    VerifyStatic = "RE-VERIFY-STATIC", Error,
        "A static-analysis result is above the allowed level and no [[verification.exception]] accepts it.";
    VerifyStaticAccepted = "RE-VERIFY-STATIC-ACCEPTED", Warning,
        "A static-analysis result above the allowed level is accepted by a valid exception; it is a residual anomaly.";
    VerifyExceptionExpired = "RE-VERIFY-EXCEPTION-EXPIRED", Error,
        "A [[verification.exception]] or a residual anomaly's acceptance has passed its date and no longer counts.";
    VerifyExceptionUnused = "RE-VERIFY-EXCEPTION-UNUSED", Warning,
        "A [[verification.exception]] matches no static-analysis result and no failed or skipped test.";
    VerifyUntested = "RE-VERIFY-UNTESTED", Error,
        "A requirement has no passing test (blocks for the policy's blocking safety classes, warns for the others).";
    VerifyUnknownRequirement = "RE-VERIFY-UNKNOWN-REQUIREMENT", Warning,
        "A `// verifies:` marker in test code names a requirement the requirements file does not define.";
    VerifyDocumentMissing = "RE-VERIFY-DOCUMENT-MISSING", Error,
        "A document required by [[verification.evidence]] is missing.";
    RollbackPlanMissing = "RE-ROLLBACK-PLAN-MISSING", Error,
        "The policy requires a rollback plan ([lifecycle] require-rollback-plan) and [lifecycle.rollback] names no previous good version or no way to roll back.";
    MonitorOutOfSupport = "RE-MONITOR-OUT-OF-SUPPORT", Warning,
        "A retained release is past its declared support end: `monitor` lists it and no longer checks it.";
    MonitorNoSupportEnd = "RE-MONITOR-NO-SUPPORT-END", Warning,
        "A retained release declares no support end ([lifecycle] support-until): `monitor` checks it as supported.";
    ClauseNotEvidenced = "RE-CLAUSE-NOT-EVIDENCED", Error,
        "A clause [evidence] require-clauses names (IEC 62304, NIST SSDF, EU CRA) is not evidenced by this release's evidence (clause-map.json).";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown finding code {s}")))
    }
}

/// Identifies the package a finding concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PackageRef {
    pub name: String,
    pub version: String,
    /// `crates.io`, `registry+URL`, `git+URL#commit`, or `path+RELATIVE` (relative to the
    /// workspace root, so outputs do not depend on the checkout location).
    pub source: String,
}

impl fmt::Display for PackageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.version)?;
        if self.source != "crates.io" {
            write!(f, " ({})", self.source)?;
        }
        Ok(())
    }
}

/// How a shipped package gets into a release member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Compiled into the artifact.
    Linked,
    /// Only runs at build time (build-script dependency or proc-macro and its deps).
    BuildTime,
    /// Only a dev-dependency (present only with `--include-dev`).
    Dev,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Linked => "linked",
            Kind::BuildTime => "build-time",
            Kind::Dev => "dev",
        })
    }
}

/// Which release member pulls the package in, how, and along which dependency path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Via {
    pub member: String,
    pub kind: Kind,
    /// Package names from the member to the package (inclusive).
    pub path: Vec<String>,
}

/// A place in a file (1-based line and column), relative to the workspace root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advisory: Option<String>,
    pub message: String,
    pub fix: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<Via>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Finding {
    pub fn new(code: Code, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Finding {
            code,
            severity: code.default_severity(),
            package: None,
            advisory: None,
            message: message.into(),
            fix: fix.into(),
            via: Vec::new(),
            location: None,
        }
    }

    pub fn package(mut self, package: PackageRef) -> Self {
        self.package = Some(package);
        self
    }

    pub fn advisory(mut self, id: impl Into<String>) -> Self {
        self.advisory = Some(id.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn via(mut self, via: Vec<Via>) -> Self {
        self.via = via;
        self
    }

    pub fn location(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    /// Canonical order: errors first, then by code, package, advisory, message.
    fn sort_key(&self) -> impl Ord + '_ {
        (
            self.severity,
            self.code,
            self.package.as_ref(),
            self.advisory.as_deref(),
            self.message.as_str(),
        )
    }
}

/// Sorts findings canonically so every rendering and every run lists them in the same order.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// The gate's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    #[serde(rename = "PASS")]
    Pass,
    #[serde(rename = "HOLD")]
    Hold,
}

impl Decision {
    /// HOLD when any finding has severity `error`.
    pub fn from_findings(findings: &[Finding]) -> Decision {
        if findings.iter().any(|f| f.severity == Severity::Error) {
            Decision::Hold
        } else {
            Decision::Pass
        }
    }
}

/// How many findings have `severity`.
pub fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Decision::Pass => "PASS",
            Decision::Hold => "HOLD",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
            assert!(code.as_str().starts_with("RE-"));
            assert!(
                code.as_str()
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '-')
            );
            assert!(code.summary().ends_with('.'));
        }
    }

    #[test]
    fn decision_is_hold_only_with_errors() {
        let warn = Finding::new(Code::ApprovalUnused, "m", "f");
        assert_eq!(
            Decision::from_findings(std::slice::from_ref(&warn)),
            Decision::Pass
        );
        let err = Finding::new(Code::ApprovalMissing, "m", "f");
        assert_eq!(Decision::from_findings(&[warn, err]), Decision::Hold);
    }
}
