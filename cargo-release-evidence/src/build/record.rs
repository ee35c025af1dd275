//! The build record stored in the manifest (`build`) and in `build`'s output: what was built,
//! how, from which source and toolchain, with which digests. Data only.

pub use crate::workspace::source::SourceIdentity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The build record. Paths are written with placeholders (`${WORKSPACE_ROOT}`,
/// `${CARGO_HOME}`, `${RUSTC_SYSROOT}`), so it is the same from every checkout.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildRecord {
    pub command: Vec<String>,
    /// Every environment variable that affects the build, secrets redacted by name.
    pub env: BTreeMap<String, String>,
    pub rustflags: RecordedFlags,
    pub source_date_epoch: i64,
    pub toolchain: BuildToolchain,
    pub package: String,
    pub target: Option<String>,
    pub profile: String,
    /// `[profile.<name>]` as declared in the workspace manifest plus `CARGO_PROFILE_*` overrides.
    pub profile_settings: BTreeMap<String, String>,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    pub cargo_lock_sha256: String,
    pub source: SourceIdentity,
    /// RFC 3339 (UTC). With `SOURCE_DATE_EPOCH` set by the caller, both are that time, so the
    /// evidence stays reproducible; otherwise the wall clock.
    pub started_at: String,
    pub finished_at: String,
    pub artifacts: Vec<ArtifactDigest>,
    pub compiled_packages: usize,
    /// Path dependencies outside the workspace root (taken from where they are on rebuilds).
    #[serde(default)]
    pub external_path_dependencies: Vec<String>,
    pub shipped_set_check: SetCheck,
    pub reproducibility: Option<Reproducibility>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedFlags {
    pub user_source: String,
    pub user: Vec<String>,
    pub added: Vec<String>,
    pub effective: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildToolchain {
    pub rustc: String,
    pub cargo: String,
    /// sha256 of the real rustc binary (in the sysroot, not a rustup proxy).
    pub rustc_sha256: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ArtifactDigest {
    /// File name (e.g. `thermo-fw`).
    pub name: String,
    pub kind: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SetCheck {
    pub matches: bool,
    /// Compiled, but not in the gate's shipped set.
    pub not_in_shipped_set: Vec<String>,
    /// In the shipped set, but not compiled.
    pub not_compiled: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reproducibility {
    pub identical: bool,
    /// How the second source copy was made.
    pub rebuilt_from: String,
    pub artifacts: Vec<Comparison>,
    /// A suggested command when the artifacts differ and diffoscope is installed.
    pub diffoscope: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    pub name: String,
    pub sha256: String,
    pub rebuilt_sha256: Option<String>,
    pub size: u64,
    pub rebuilt_size: Option<u64>,
    /// Byte offset of the first difference (`None` when identical or missing).
    pub first_difference: Option<u64>,
}
