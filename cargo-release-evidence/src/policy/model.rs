//! The policy file's data model (`release-evidence.toml`). Unknown keys are errors.

use super::values::{AdvisoryId, Day, GitCommit, Sha256Hex, VersionReq};
use serde::Deserialize;
use serde_spanned::Spanned;
use std::path::PathBuf;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyData {
    #[serde(default)]
    pub release: Release,
    #[serde(default)]
    pub approved: Vec<Spanned<Approval>>,
    #[serde(default)]
    pub banned: Vec<Spanned<Banned>>,
    #[serde(default)]
    pub licenses: Licenses,
    #[serde(default)]
    pub sources: Sources,
    #[serde(default)]
    pub supplier: Vec<Spanned<Supplier>>,
    #[serde(default)]
    pub advisories: Advisories,
    #[serde(default)]
    pub build: BuildPolicy,
    pub approvals: Option<Spanned<ApprovalsPolicy>>,
    /// `[approvals.import]`: approvals read from other tools' records (cargo-vet).
    #[serde(skip)]
    pub approvals_import: Option<Spanned<super::vet::ApprovalsImport>>,
    pub baseline: Option<Spanned<super::baseline::BaselinePolicy>>,
    pub verification: Option<Spanned<super::verification::VerificationPolicy>>,
    pub lifecycle: Option<Spanned<super::lifecycle::LifecyclePolicy>>,
    /// `[evidence]`: the clauses the release must evidence.
    pub evidence: Option<Spanned<super::clauses::EvidencePolicy>>,
    /// `[review]`: what baseline entries may approve, by safety class.
    pub review: Option<Spanned<super::review::ReviewPolicy>>,
}

/// `[approvals]`: who signs off a release, with which keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ApprovalsPolicy {
    /// Roles that must approve before the release may be signed.
    #[serde(default)]
    pub required_roles: Vec<String>,
    /// OpenSSH allowed_signers file, relative to the policy file.
    pub allowed_signers: PathBuf,
    /// Role → principals (as in allowed_signers) holding it.
    #[serde(default)]
    pub roles: std::collections::BTreeMap<String, Vec<String>>,
    /// Roles that must all accept the risk before a HOLD may be signed.
    #[serde(default)]
    pub risk_acceptance_roles: Vec<String>,
    /// Principals allowed to make the release signature (empty: nobody; `sign` refuses and
    /// `verify` fails).
    #[serde(default)]
    pub release_signers: Vec<String>,
}

/// `[build]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BuildPolicy {
    /// A release needs `--check-reproducible` to show identical rebuilt artifacts.
    #[serde(default)]
    pub require_reproducible: bool,
    /// Profiles whose builds run the gate from release-evidence-build's `embed()` (as with
    /// `RELEASE_EVIDENCE_ENFORCE=1`), e.g. `["release"]`.
    #[serde(default)]
    pub enforce_profiles: Vec<String>,
}

/// `[release]`: which workspace members ship.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Release {
    /// Release members; empty means the default members (as cargo would build them).
    #[serde(default)]
    pub members: Vec<Spanned<String>>,
    /// IEC 62304 software safety class of each release member (`{ firmware = "C" }`); a
    /// member not listed is class C. `[review]` uses it.
    #[serde(default)]
    pub safety_class: std::collections::BTreeMap<String, Spanned<super::verification::SafetyClass>>,
}

/// `[[approved]]`: a reviewed third-party crate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Approval {
    pub name: String,
    pub version: VersionReq,
    pub reviewed_by: Option<String>,
    pub date: Option<Day>,
    pub rationale: Option<String>,
    /// `crates.io`, a registry URL, or a git URL the approval is limited to.
    pub source: Option<String>,
    /// Written by `init`: the entry exists but nobody has reviewed the crate yet.
    #[serde(default)]
    pub pending_review: bool,
    /// What the review checked: cargo-vet's `safe-to-deploy` / `safe-to-run`, or the team's
    /// own criteria.
    pub criteria: Option<String>,
    /// Written by `review baseline`: the crate was in use when the tool was adopted and is
    /// accepted as such, not reviewed. The gate counts it; reports count it apart.
    #[serde(default)]
    pub baseline: bool,
    /// The approval counts up to and including this day.
    pub expires: Option<Day>,
    /// A delta approval: the review covered the changes from this version to the entry's. It
    /// counts only when an approval of `from` counts, down to a full review (not a baseline).
    pub from: Option<semver::Version>,
}

impl Approval {
    /// Whether the entry has passed its `expires` date on `date`.
    pub fn expired(&self, date: Day) -> bool {
        self.expires.is_some_and(|x| x < date)
    }
}

/// `[[banned]]`: a crate that must never ship (e.g. imported from cargo-deny's `[bans] deny`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Banned {
    pub name: String,
    /// Only these versions (default: every version).
    pub version: Option<VersionReq>,
    pub reason: Option<String>,
}

/// `[licenses]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Licenses {
    /// SPDX ids (validated into [`super::Policy::licenses`] with their spans).
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
    #[serde(default)]
    pub exception: Vec<Spanned<LicenseException>>,
}

/// `[[licenses.exception]]`: extra licenses allowed for one crate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LicenseException {
    pub name: String,
    pub version: Option<VersionReq>,
    pub allow: Vec<Spanned<String>>,
    pub reason: Option<String>,
}

/// `[sources]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Sources {
    /// `crates.io` or registry index URLs.
    #[serde(default = "default_registries")]
    pub allow_registries: Vec<String>,
    /// Git repository URLs (a package's repository must equal one, ignoring `.git` and case
    /// of the host).
    #[serde(default)]
    pub allow_git: Vec<String>,
    /// Directories (relative to the workspace root) of first-party crates outside the
    /// workspace, e.g. elsewhere in a monorepo: path packages below them are not supplier
    /// inputs and need no approval, like workspace members.
    #[serde(default)]
    pub in_house_paths: Vec<String>,
}

impl Default for Sources {
    fn default() -> Self {
        Sources {
            allow_registries: default_registries(),
            allow_git: Vec::new(),
            in_house_paths: Vec::new(),
        }
    }
}

fn default_registries() -> Vec<String> {
    vec!["crates.io".to_owned()]
}

/// `[[supplier]]`: a reviewed supplier input. A crate review pins a git commit or a path
/// digest; the entry may also (or only) list non-crate artifacts it delivers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Supplier {
    pub name: String,
    pub version: Option<VersionReq>,
    pub git_commit: Option<GitCommit>,
    pub path_sha256: Option<Sha256Hex>,
    /// For a package from a non-default registry: its Cargo.lock checksum.
    pub checksum: Option<Sha256Hex>,
    pub reviewed_by: Option<String>,
    pub date: Option<Day>,
    pub rationale: Option<String>,
    #[serde(default)]
    pub artifact: Vec<Spanned<SupplierArtifact>>,
}

impl Supplier {
    /// Whether this entry reviews a crate (rather than only listing artifacts).
    pub fn reviews_crate(&self) -> bool {
        self.git_commit.is_some() || self.path_sha256.is_some() || self.checksum.is_some()
    }
}

/// `[[supplier.artifact]]`: a non-crate input (firmware blob, vendored binary).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SupplierArtifact {
    /// Relative to the workspace root.
    pub path: PathBuf,
    pub sha256: Sha256Hex,
    pub description: Option<String>,
}

/// Informational advisory kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InformationalKind {
    Unmaintained,
    Unsound,
    Notice,
}

/// `[advisories]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Advisories {
    /// Advisory DB directory, relative to the policy file.
    pub db_path: Option<PathBuf>,
    #[serde(default = "default_max_age")]
    pub max_age_days: u32,
    /// Informational kinds that block (the others are warnings).
    #[serde(default)]
    pub block_informational: Vec<InformationalKind>,
    #[serde(default)]
    pub exception: Vec<Spanned<AdvisoryException>>,
}

impl Default for Advisories {
    fn default() -> Self {
        Advisories {
            db_path: None,
            max_age_days: default_max_age(),
            block_informational: Vec::new(),
            exception: Vec::new(),
        }
    }
}

fn default_max_age() -> u32 {
    7
}

/// `[[advisories.exception]]`: a decided, time-limited risk acceptance.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AdvisoryException {
    pub id: AdvisoryId,
    #[serde(rename = "crate")]
    pub krate: String,
    pub reason: String,
    pub approved_by: String,
    pub expires: Day,
    /// Why the product is not affected (an OpenVEX justification). With it the VEX documents
    /// say `not_affected`; without it the risk is accepted and they say `affected`.
    #[serde(default)]
    pub justification: Option<super::values::VexJustification>,
}
