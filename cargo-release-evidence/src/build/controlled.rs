//! The controlled release build: `--locked` (unless `--no-locked`), `CARGO_INCREMENTAL=0`,
//! `SOURCE_DATE_EPOCH`, path remapping appended to the user's rustflags; the build record; and
//! the cross-check of the compiled packages against the gate's shipped set.

use super::cargo::{self as builder, Artifact, BuildOutcome, BuildRequest, RunOptions};
use super::env::{build_env, profile_settings, recorded_env};
use super::record::{ArtifactDigest, BuildRecord, BuildToolchain, RecordedFlags, SetCheck};
use super::rustflags::{self, PathContext};
use crate::error::{Error, Result};
use crate::findings::{Code, Finding};
use crate::util::{digest, process, time};
use crate::workspace::Selection;
use guppy::PackageId;
use guppy::graph::PackageGraph;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Everything the controlled build needs to know.
pub struct Plan<'a> {
    pub workspace_root: &'a Path,
    pub manifest_path: &'a Path,
    pub package: &'a str,
    pub selection: &'a Selection,
    pub profile: &'a str,
    /// `--locked` (the default; off only with `--no-locked`).
    pub locked: bool,
    pub offline: bool,
    pub frozen: bool,
    pub quiet: bool,
    pub expected_units: u64,
    /// The shipped set for the cross-check.
    pub shipped: ShippedSet<'a>,
    pub cargo_lock_sha256: &'a str,
    /// SOURCE_DATE_EPOCH for the build (commit time unless the caller set one).
    pub source_date_epoch: i64,
    pub toolchain: (&'a str, &'a str),
    /// Use these user rustflags instead of the environment's (verify-build).
    pub user_flags: Option<Vec<String>>,
    /// Path dependencies outside the workspace (relative to its root, `../…`): a source copy
    /// gets them linked at the same relative place, as they are not part of the copied tree.
    pub external_paths: Vec<String>,
}

/// The gate's shipped set for the cross-check with what cargo compiled.
#[derive(Default)]
pub struct ShippedSet<'a> {
    /// Package ids as cargo writes them (`PackageId::repr`), compared exactly.
    pub ids: BTreeSet<String>,
    /// The package graph, to name the packages in the record and the finding.
    pub graph: Option<&'a PackageGraph>,
}

impl ShippedSet<'_> {
    /// `name version` of a package id from the graph; the id itself when the graph does not
    /// know it.
    pub fn name(&self, repr: &str) -> String {
        self.graph
            .and_then(|g| g.metadata(&PackageId::new(repr)).ok())
            .map(|p| format!("{} {}", p.name(), p.version()))
            .unwrap_or_else(|| repr.to_owned())
    }
}

pub struct ReleaseBuild {
    pub outcome: BuildOutcome,
    pub record: BuildRecord,
    pub findings: Vec<Finding>,
}

/// Runs the controlled build in the workspace itself.
pub fn run(plan: &Plan<'_>) -> Result<ReleaseBuild> {
    let cx = path_context(plan.workspace_root)?;
    let triple = plan
        .selection
        .target
        .clone()
        .unwrap_or_else(crate::workspace::graph::host_triple);
    let (user_source, user) =
        rustflags::user_flags(plan.workspace_root, cx.cargo_home.as_deref(), &triple);
    let added = cx.remap_flags();
    let effective: Vec<String> = user.iter().chain(&added).cloned().collect();
    let env = build_env(plan.source_date_epoch, &effective);
    let req = request(plan);
    let fixed_clock = std::env::var_os("SOURCE_DATE_EPOCH").is_some();
    let started = now_or_epoch(fixed_clock, plan.source_date_epoch);
    let outcome = builder::build(
        &req,
        &RunOptions {
            env: &env,
            env_remove: &["RUSTFLAGS"],
            target_dir: None,
            dir: None,
            label: plan.package,
            expected_units: plan.expected_units,
        },
    )?;
    let finished = now_or_epoch(fixed_clock, plan.source_date_epoch);
    let artifacts = digests(&outcome.artifacts)?;

    let mut findings = Vec::new();
    let not_in: Vec<String> = outcome
        .compiled
        .difference(&plan.shipped.ids)
        .map(|id| plan.shipped.name(id))
        .collect();
    let not_compiled: Vec<String> = plan
        .shipped
        .ids
        .difference(&outcome.compiled)
        .map(|id| plan.shipped.name(id))
        .collect();
    let matches = not_in.is_empty() && not_compiled.is_empty();
    if !matches {
        findings.push(Finding::new(
            Code::BuildSetMismatch,
            format!(
                "the build of {} compiled a different set of packages than the gate computed: compiled but not in the shipped set: [{}]; in the shipped set but not compiled: [{}]",
                plan.package,
                not_in.join(", "),
                not_compiled.join(", ")
            ),
            "check the target, features and resolver passed to the gate and the build; report a bug if they are the same".to_owned(),
        ));
    }

    let sysroot = cx.sysroot.clone();
    let record = BuildRecord {
        command: std::iter::once("cargo".to_owned())
            .chain(req.args().iter().map(|a| cx.portable(a)))
            .collect(),
        env: recorded_env(&env, &cx),
        rustflags: RecordedFlags {
            user_source,
            user: user.iter().map(|f| cx.portable(f)).collect(),
            added: added.iter().map(|f| cx.portable(f)).collect(),
            effective: effective.iter().map(|f| cx.portable(f)).collect(),
        },
        source_date_epoch: plan.source_date_epoch,
        toolchain: BuildToolchain {
            rustc: plan.toolchain.0.to_owned(),
            cargo: plan.toolchain.1.to_owned(),
            rustc_sha256: sysroot
                .as_ref()
                .map(|s| s.join("bin").join("rustc"))
                .and_then(|p| digest::sha256_file(&p).ok()),
        },
        package: plan.package.to_owned(),
        target: plan.selection.target.clone(),
        profile: plan.profile.to_owned(),
        profile_settings: profile_settings(plan.workspace_root, plan.profile),
        features: plan.selection.features.clone(),
        all_features: plan.selection.all_features,
        no_default_features: plan.selection.no_default_features,
        cargo_lock_sha256: plan.cargo_lock_sha256.to_owned(),
        source: crate::workspace::source::source_identity(plan.workspace_root),
        started_at: time::rfc3339(started),
        finished_at: time::rfc3339(finished),
        artifacts,
        compiled_packages: outcome.compiled.len(),
        external_path_dependencies: plan.external_paths.clone(),
        shipped_set_check: SetCheck {
            matches,
            not_in_shipped_set: not_in,
            not_compiled,
        },
        reproducibility: None,
    };
    Ok(ReleaseBuild {
        outcome,
        record,
        findings,
    })
}

/// The reproducibility check: copies the source (a git worktree of the commit plus the
/// uncommitted changes, or a plain copy outside git) to a temporary directory at another
/// path, builds it there with its own `CARGO_TARGET_DIR`, and compares every artifact.
pub fn request<'a>(plan: &'a Plan<'a>) -> BuildRequest<'a> {
    BuildRequest {
        manifest_path: plan.manifest_path,
        package: plan.package,
        selection: plan.selection,
        profile: plan.profile,
        locked: plan.locked,
        offline: plan.offline,
        frozen: plan.frozen,
        quiet: plan.quiet,
    }
}

pub fn path_context(workspace_root: &Path) -> Result<PathContext> {
    let sysroot = process::run_capture(
        &std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()),
        &["--print".to_owned(), "sysroot".to_owned()],
        Some(workspace_root),
    )
    .ok()
    .map(|s| PathBuf::from(s.trim()));
    Ok(PathContext {
        workspace_root: workspace_root.to_path_buf(),
        cargo_home: crate::util::paths::cargo_home(),
        sysroot,
    })
}

pub fn digests(artifacts: &[Artifact]) -> Result<Vec<ArtifactDigest>> {
    artifacts
        .iter()
        .map(|a| {
            let size = std::fs::metadata(&a.path)
                .map_err(|e| Error::io(format!("reading {}", a.path.display()), e))?
                .len();
            Ok(ArtifactDigest {
                name: a
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                kind: a.kind.clone(),
                size,
                sha256: digest::sha256_file(&a.path)?,
            })
        })
        .collect()
}

fn now_or_epoch(fixed: bool, epoch: i64) -> i64 {
    if fixed {
        return epoch;
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(epoch)
}
