//! `cargo release-evidence verify-build <evidence-dir>`: rebuilds from the inputs recorded in
//! the manifest's build record, in a temporary copy of the source (a git worktree of the
//! recorded commit when the current tree differs), and compares the artifact digests.
//!
//! The evidence directory is untrusted input: fields that become arguments or paths are
//! checked before anything runs (always refused when wrong), and recorded rustflags,
//! environment variables or target specs that can run code are refused unless the verifier
//! passes `--trust-build-flags` (then they are applied, and the report lists them).

use super::Options;
use crate::build::cargo::Artifact;
use crate::build::controlled::Plan;
use crate::build::record::{BuildRecord, Comparison};
use crate::build::reproduce;
use crate::build::source_copy::{SourceCopy, link_external_paths};
use crate::build::untrusted::{self, CodeRunningInput};
use crate::error::{Error, Result};
use crate::findings::{Decision, Finding};
use crate::workspace::{Selection, metadata};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize)]
pub struct VerifyBuildReport {
    pub package: String,
    pub version: String,
    pub decision: Decision,
    pub identical: bool,
    pub rebuilt_from: String,
    pub artifacts: Vec<Comparison>,
    pub findings: Vec<Finding>,
    /// Recorded inputs that run code, applied because of `--trust-build-flags`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trusted_inputs: Vec<CodeRunningInput>,
}

/// The largest manifest read (real ones are well below a megabyte).
const MAX_MANIFEST: u64 = 64 << 20;

pub fn run(
    opts: &Options,
    evidence_dir: &Path,
    trust_build_flags: bool,
) -> Result<VerifyBuildReport> {
    let manifest_path = evidence_dir.join(crate::evidence::MANIFEST_FILE);
    let size = std::fs::metadata(&manifest_path)
        .map_err(|e| Error::io(format!("reading {}", manifest_path.display()), e))?
        .len();
    if size > MAX_MANIFEST {
        return Err(Error::Environment(format!(
            "{} is {size} bytes, more than the 64 MiB a release manifest may have",
            manifest_path.display()
        )));
    }
    let text = std::fs::read_to_string(&manifest_path)
        .map_err(|e| Error::io(format!("reading {}", manifest_path.display()), e))?;
    let manifest: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::config_line(
            &manifest_path,
            e.line(),
            e.column(),
            format!("not a release manifest: {e}"),
        )
    })?;
    let record: BuildRecord = match manifest.get("build") {
        Some(b) if !b.is_null() => serde_json::from_value(b.clone()).map_err(|e| {
            Error::Environment(format!(
                "{}: the build record cannot be read: {}",
                manifest_path.display(),
                crate::util::text::clip(&e.to_string(), 200)
            ))
        })?,
        _ => {
            return Err(Error::Environment(format!(
                "{} has no build record (evidence made with --no-build?); nothing to rebuild",
                manifest_path.display()
            )));
        }
    };
    let version = manifest["product"]["version"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let originals_rel = original_artifacts(&manifest, &record)
        .map_err(|why| Error::Environment(format!("{}: {why}", manifest_path.display())))?;
    let trusted_inputs = check_untrusted(&record, &version, trust_build_flags)
        .map_err(|why| Error::Environment(format!("{}: {why}", manifest_path.display())))?;

    let cargo_toml = metadata::find_manifest(opts.gate.manifest_path.as_deref())?;
    let root = crate::workspace::guess_workspace_root(&cargo_toml);
    let tmp = tempfile::Builder::new()
        .prefix("release-evidence-verify-")
        .tempdir()
        .map_err(|e| Error::io("creating a temporary directory", e))?;
    let current = crate::workspace::source::source_identity(&root);
    let same_source = record.source.commit.is_some()
        && current.commit == record.source.commit
        && current.diff_sha256 == record.source.diff_sha256
        && current.untracked_sha256 == record.source.untracked_sha256;
    let in_git = crate::util::process::git(&root, &["cat-file", "-e", "HEAD"]).is_ok();
    let (copy, rebuilt_from) = match &record.source.commit {
        Some(commit) if !in_git => (
            SourceCopy::make(&root, &tmp.path().join("src"))?,
            format!(
                "a copy of the current workspace (the recorded commit {commit} is not available: not a git checkout)"
            ),
        ),
        Some(commit) if !same_source => (
            SourceCopy::make_at(&root, &tmp.path().join("src"), Some(commit))?,
            format!("a git worktree of the recorded commit {commit}"),
        ),
        Some(commit) => (
            SourceCopy::make(&root, &tmp.path().join("src"))?,
            format!(
                "a fresh copy of the current tree (commit {commit}, unchanged since the evidence)"
            ),
        ),
        None => (
            SourceCopy::make(&root, &tmp.path().join("src"))?,
            "a copy of the current workspace (no git commit recorded)".to_owned(),
        ),
    };
    for rel in &record.external_path_dependencies {
        if !untrusted::stays_within(tmp.path(), &copy.workspace, rel) {
            return Err(Error::Environment(format!(
                "{}: `build.external_path_dependencies[]` is `{}`, which leaves the temporary source copy; refusing to copy a dependency there",
                manifest_path.display(),
                crate::util::text::clip(rel, 80)
            )));
        }
    }
    link_external_paths(&root, &copy.workspace, &record.external_path_dependencies)?;
    let selection = Selection {
        target: record.target.clone(),
        features: record.features.clone(),
        all_features: record.all_features,
        no_default_features: record.no_default_features,
        ..Selection::default()
    };
    let workspace_manifest = copy.workspace.join("Cargo.toml");
    let plan = Plan {
        workspace_root: &copy.workspace,
        manifest_path: &workspace_manifest,
        package: &record.package,
        selection: &selection,
        profile: &record.profile,
        locked: opts.gate.cargo.locked,
        offline: opts.gate.cargo.offline,
        frozen: opts.gate.cargo.frozen,
        quiet: opts.quiet,
        expected_units: record.compiled_packages as u64,
        shipped: Default::default(),
        cargo_lock_sha256: &record.cargo_lock_sha256,
        source_date_epoch: record.source_date_epoch,
        toolchain: (&record.toolchain.rustc, &record.toolchain.cargo),
        user_flags: Some(record.rustflags.user.clone()),
        external_paths: record.external_path_dependencies.clone(),
    };
    let extra_env = if trust_build_flags {
        untrusted::trusted_env(&record.env)
    } else {
        Vec::new()
    };
    let rebuilt = reproduce::rebuild_in(
        &plan,
        &copy.workspace,
        &tmp.path().join("target"),
        &extra_env,
    )?;
    // The original artifacts, when they are still next to the evidence, for the byte offset
    // (only read, and only when a regular file).
    let originals: Vec<Artifact> = record
        .artifacts
        .iter()
        .zip(originals_rel)
        .map(|(a, rel)| Artifact {
            kind: a.kind.clone(),
            target: a.name.clone(),
            path: rel.map(|p| evidence_dir.join(p)).unwrap_or_default(),
        })
        .collect();
    // Package and version are checked names, so this stays a child of the temp directory.
    let keep: PathBuf = std::env::temp_dir().join(format!(
        "release-evidence-verify-{}-{}",
        record.package, version
    ));
    let (repro, findings) = reproduce::compare(
        &record.artifacts,
        &originals,
        &rebuilt,
        &keep,
        &rebuilt_from,
    )?;
    drop(copy);
    Ok(VerifyBuildReport {
        package: record.package.clone(),
        version,
        decision: Decision::from_findings(&findings),
        identical: repro.identical,
        rebuilt_from,
        artifacts: repro.artifacts,
        findings,
        trusted_inputs,
    })
}

/// Checks the record's fields (always) and its code-running inputs (refused unless trusted);
/// returns the trusted inputs that will be applied.
fn check_untrusted(
    record: &BuildRecord,
    version: &str,
    trust: bool,
) -> std::result::Result<Vec<CodeRunningInput>, String> {
    untrusted::check_fields(record, version)?;
    let inputs = untrusted::code_running_inputs(record);
    if inputs.is_empty() || trust {
        return Ok(inputs);
    }
    let list: Vec<String> = inputs.iter().map(|i| format!("  {i}")).collect();
    Err(format!(
        "the recorded build used inputs that can run code on this machine when rebuilt; refusing them:\n{}\nthe evidence directory decides these values: rebuild with them only if you trust who wrote it (pass --trust-build-flags)",
        list.join("\n")
    ))
}

/// Per recorded artifact, the manifest's relative path of the original file (if listed).
/// An absolute path is refused: it would name any file on this machine.
fn original_artifacts(
    manifest: &serde_json::Value,
    record: &BuildRecord,
) -> std::result::Result<Vec<Option<String>>, String> {
    let listed: Vec<&str> = manifest["artifacts"]
        .as_array()
        .map(|list| list.iter().filter_map(|x| x["path"].as_str()).collect())
        .unwrap_or_default();
    for p in &listed {
        if Path::new(p).has_root() || p.contains(['\\', '\0']) || p.contains(':') {
            return Err(format!(
                "`artifacts[].path` is `{}`, not a path relative to the evidence directory; refusing to read it",
                crate::util::text::clip(p, 80)
            ));
        }
    }
    Ok(record
        .artifacts
        .iter()
        .map(|a| {
            listed
                .iter()
                .find(|p| p.rsplit('/').next() == Some(a.name.as_str()))
                .map(|p| (*p).to_owned())
        })
        .collect())
}
