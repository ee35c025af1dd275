//! The main job as a pipeline of typed stages: gate → controlled build → decision (once per
//! member) → SBOM → manifest → release record → SHA256SUMS → evidence directory. Also the
//! partial pipelines of `build`, `sbom` and `verify-build`. Takes its own [`Options`].

pub mod baseline;
pub mod build_only;
pub mod changes;
mod clauses;
pub mod documents;
pub mod manifest;
pub mod release;
pub mod sbom_only;
pub mod update;
pub mod verification;
pub mod verify_build;

use crate::build::controlled::{Plan, ShippedSet};
use crate::error::{Error, Result};
use crate::findings::Kind;
use crate::gate::{self, GateRun};
use crate::util::paths::{absolute, relative};
use crate::util::time;
use crate::workspace::lockfile::{self, LockInfo};
use crate::workspace::metadata;
use crate::workspace::source::{self, SourceInfo};
use crate::workspace::toolchain::{self, Toolchain};
use crate::workspace::{MemberSet, Source};
use std::path::PathBuf;

/// SBOM formats besides CycloneDX (always written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbomFormat {
    /// SPDX 2.3 JSON, `<artifact>.spdx.json`.
    Spdx,
    /// SPDX 3.0.1 JSON-LD, `<artifact>.spdx3.json`.
    Spdx3,
}

/// What the main job (and its partial forms) is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub gate: gate::Options,
    /// Cargo profile of the release build.
    pub profile: String,
    /// Take the artifacts a previous build left instead of building.
    pub no_build: bool,
    pub evidence_dir: Option<PathBuf>,
    pub check_reproducible: bool,
    /// Move sealed evidence aside instead of refusing.
    pub force: bool,
    pub sbom_formats: Vec<SbomFormat>,
    /// The CycloneDX version of the SBOM and the CycloneDX VEX document.
    pub cyclonedx_version: crate::sbom::cyclonedx::SpecVersion,
    /// Also write the advisory analysis into the CycloneDX SBOM (the layout before 1.6).
    pub sbom_vulnerabilities: bool,
    /// Also write the manifest as YAML.
    pub manifest_yaml: bool,
    pub quiet: bool,
}

/// Everything besides the gate that the evidence needs, gathered once.
pub struct Inputs {
    pub lock: LockInfo,
    pub source: SourceInfo,
    pub toolchain: Toolchain,
    pub timestamp: String,
    /// SOURCE_DATE_EPOCH for the build: the caller's, else the commit time, else the date.
    pub source_date_epoch: i64,
}

/// The gate and the inputs every evidence stage shares.
pub fn prepare(opts: &Options) -> Result<(GateRun, Inputs)> {
    // The toolchain, git and Cargo.lock are read while the gate runs, at the workspace root
    // guessed from the manifest; read again below if cargo names another root. Not with
    // --no-locked: cargo metadata may rewrite Cargo.lock (and so the tree's state) meanwhile.
    let locked = opts.gate.cargo.locked || opts.gate.cargo.frozen;
    let guess = metadata::find_manifest(opts.gate.manifest_path.as_deref())
        .ok()
        .filter(|_| locked)
        .map(|m| crate::workspace::guess_workspace_root(&m));
    let (run, toolchain, early) = std::thread::scope(|s| {
        let tc = s.spawn(toolchain::read);
        let early = guess
            .as_ref()
            .map(|root| s.spawn(move || (root.clone(), source::read(root), lockfile::read(root))));
        let run = gate::run(&opts.gate);
        (run, tc.join(), early.map(|h| h.join()))
    });
    let run = run?;
    let toolchain =
        toolchain.map_err(|_| Error::Environment("the toolchain query panicked".into()))??;
    if run.target.is_none() {
        return Err(Error::usage(
            "--all-platforms",
            "evidence describes one build for one target; drop --all-platforms",
        ));
    }
    let (source, lock) = match early {
        Some(Ok((root, source, lock))) if root == run.workspace.root => (source, lock?),
        _ => (
            source::read(&run.workspace.root),
            lockfile::read(&run.workspace.root)?,
        ),
    };
    let epoch = source_date_epoch(&source, &run)?;
    let inputs = Inputs {
        lock,
        source,
        toolchain,
        timestamp: time::rfc3339(epoch),
        source_date_epoch: epoch,
    };
    Ok((run, inputs))
}

/// The one time of the evidence: `SOURCE_DATE_EPOCH`, else the commit time of `HEAD`, else
/// midnight (UTC) of the evaluation date.
pub fn source_date_epoch(source: &SourceInfo, run: &GateRun) -> Result<i64> {
    if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") {
        return v.trim().parse().map_err(|_| {
            Error::usage(
                "SOURCE_DATE_EPOCH",
                format!(
                    "`{}` is not a number of seconds",
                    crate::util::text::clip(&v, 40)
                ),
            )
        });
    }
    if let Some(t) = source.commit_time {
        return Ok(t);
    }
    Ok(run.report.date.epoch_seconds())
}

/// `<target-dir>/[<triple>/]<profile-dir>` — where cargo puts this profile's artifacts.
pub fn profile_dir(run: &GateRun, profile: &str) -> PathBuf {
    let mut d = run
        .workspace
        .graph
        .workspace()
        .target_directory()
        .as_std_path()
        .to_path_buf();
    if let Some(t) = &run.selection.target {
        d.push(t);
    }
    d.push(match profile {
        "dev" | "test" => "debug",
        "bench" => "release",
        other => other,
    });
    d
}

/// The member's evidence directory: `--evidence-dir`, else
/// `<profile dir>/release-evidence/<name>-<version>`.
pub fn evidence_dir(opts: &Options, run: &GateRun, set: &MemberSet) -> Result<PathBuf> {
    if let Some(d) = &opts.evidence_dir {
        return absolute(d);
    }
    Ok(profile_dir(run, &opts.profile)
        .join("release-evidence")
        .join(format!("{}-{}", set.name, set.version)))
}

/// Where the workspace is, for the checks of where evidence may go: its root, the directories
/// of its members and of shipped path packages (the source tree), and the target directory.
pub fn evidence_location(run: &GateRun) -> crate::evidence::store::Location {
    let mut source_dirs: Vec<PathBuf> = run
        .workspace
        .graph
        .workspace()
        .iter()
        .filter_map(|p| p.manifest_path().parent())
        .map(|d| d.as_std_path().to_path_buf())
        .chain(
            run.packages
                .iter()
                .filter(|p| matches!(p.source, Source::Path(_)))
                .map(|p| p.dir.clone()),
        )
        .collect();
    source_dirs.sort();
    source_dirs.dedup();
    crate::evidence::store::Location {
        workspace_root: run.workspace.root.clone(),
        source_dirs,
        target_dir: run
            .workspace
            .graph
            .workspace()
            .target_directory()
            .as_std_path()
            .to_path_buf(),
    }
}

/// The controlled build of one member, as planned from the gate's data.
pub fn build_plan<'a>(
    opts: &'a Options,
    run: &'a GateRun,
    set: &'a MemberSet,
    inputs: &'a Inputs,
) -> Plan<'a> {
    let shipped: std::collections::BTreeSet<String> = set
        .packages
        .iter()
        .filter(|(_, k)| **k != Kind::Dev)
        .map(|(id, _)| id.repr().to_owned())
        .collect();
    Plan {
        workspace_root: &run.workspace.root,
        manifest_path: &set.manifest_path,
        package: &set.name,
        selection: &run.selection,
        profile: &opts.profile,
        locked: opts.gate.cargo.locked,
        offline: opts.gate.cargo.offline,
        frozen: opts.gate.cargo.frozen,
        quiet: opts.quiet,
        expected_units: shipped.len() as u64,
        shipped: ShippedSet {
            ids: shipped,
            graph: Some(&run.workspace.graph),
        },
        cargo_lock_sha256: &inputs.lock.sha256,
        source_date_epoch: inputs.source_date_epoch,
        toolchain: (&inputs.toolchain.rustc, &inputs.toolchain.cargo),
        user_flags: None,
        external_paths: external_paths(run, set),
    }
}

/// Path packages whose real directory (symlinks resolved) is outside the workspace root,
/// relative to the real root: a source copy for a rebuild needs them at the same place.
fn external_paths(run: &GateRun, set: &MemberSet) -> Vec<String> {
    let Ok(root) = run.workspace.root.canonicalize() else {
        return Vec::new();
    };
    let mut out: Vec<String> = run
        .packages
        .iter()
        .filter(|p| set.packages.contains_key(&p.id))
        .filter(|p| matches!(p.source, Source::Path(_)))
        .filter_map(|p| p.dir.canonicalize().ok())
        .filter(|dir| !dir.starts_with(&root))
        .map(|dir| relative(&dir, &root))
        .collect();
    out.sort();
    out.dedup();
    out
}
