//! The main job: gate → release build → SBOM → manifest and release record → SHA256SUMS,
//! written next to the artifacts. A HOLD still writes complete evidence, marked HOLD.

pub mod checksums;
pub mod manifest;
pub mod provenance;
pub mod store;

use crate::builder::{self, Artifact};
use crate::cli::GlobalArgs;
use crate::error::{Error, Result};
use crate::findings::{Code, Decision, Finding};
use crate::gate::{self, GateRun};
use crate::lockfile::LockInfo;
use crate::release_build::{self, BuildRecord};
use crate::report::Tool;
use crate::sbom::{self, ArtifactInfo, SbomModel};
use crate::source_info::SourceInfo;
use crate::toolchain::Toolchain;
use crate::workspace::MemberSet;
use crate::{digest, lockfile, metadata, render, source_info, toolchain};
use manifest::{ExceptionRecord, Features, FileRecord, Gate, Manifest, Product};
use serde::Serialize;
use std::path::{Component, Path, PathBuf};

pub const MANIFEST_FILE: &str = "release-evidence.json";
pub const MANIFEST_YAML_FILE: &str = "release-evidence.yaml";
pub const RECORD_FILE: &str = "release-evidence.md";
pub const SUMS_FILE: &str = "SHA256SUMS";
pub const PROVENANCE_FILE: &str = "provenance.intoto.json";
pub const ALLOWED_SIGNERS_FILE: &str = "allowed_signers";

/// What one member's evidence run produced.
#[derive(Debug, Clone, Serialize)]
pub struct MemberEvidence {
    pub package: String,
    pub version: String,
    pub decision: Decision,
    pub evidence_dir: PathBuf,
    pub artifacts: Vec<FileRecord>,
    /// Files of the evidence directory, sorted.
    pub files: Vec<String>,
    /// Findings of the build stage (reproducibility, shipped-set cross-check).
    pub build_findings: Vec<Finding>,
}

/// The main job's machine-readable result (`--format json`).
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub schema: &'static str,
    pub schema_version: u32,
    pub decision: Decision,
    /// The evidence directory when there is one release member.
    pub evidence_dir: Option<PathBuf>,
    pub evidence: Vec<MemberEvidence>,
    pub errors: usize,
    pub warnings: usize,
}

/// Everything besides the gate that the evidence needs, gathered once.
pub struct Inputs {
    lock: LockInfo,
    source: SourceInfo,
    toolchain: Toolchain,
    timestamp: String,
    /// SOURCE_DATE_EPOCH for the build: the caller's, else the commit time, else `--date`.
    source_date_epoch: i64,
}

/// `cargo release-evidence`: the main job.
pub fn run(g: &GlobalArgs) -> Result<(GateRun, Vec<MemberEvidence>)> {
    if g.evidence_dir.is_some() && g.packages.len() > 1 {
        return Err(Error::usage(
            "--evidence-dir",
            "names the directory of one release member; pass one -p",
        ));
    }
    let (run, inputs) = prepare(g)?;
    let mut out = Vec::new();
    for set in &run.sets {
        out.push(member_evidence(g, &run, set, &inputs)?);
    }
    Ok((run, out))
}

/// One member's controlled build (`cargo release-evidence build`).
#[derive(Debug, Clone, Serialize)]
pub struct BuildOnly {
    pub package: String,
    pub version: String,
    pub record: BuildRecord,
    pub findings: Vec<Finding>,
}

/// `cargo release-evidence build`: the gate's shipped sets, then the controlled build (and
/// the reproducibility check on request); writes no evidence.
pub fn build_only(g: &GlobalArgs) -> Result<Vec<BuildOnly>> {
    let (run, inputs) = prepare(g)?;
    let mut out = Vec::new();
    for set in &run.sets {
        let plan = build_plan(g, &run, set, &inputs);
        let mut build = release_build::run(&plan)?;
        if g.check_reproducible {
            check_reproducible(g, &run, set, &plan, &mut build)?;
        }
        out.push(BuildOnly {
            package: set.name.clone(),
            version: set.version.to_string(),
            record: build.record,
            findings: build.findings,
        });
    }
    Ok(out)
}

/// The gate and the inputs every evidence stage shares.
fn prepare(g: &GlobalArgs) -> Result<(GateRun, Inputs)> {
    // The toolchain is queried while the gate runs.
    let (run, toolchain) = std::thread::scope(|s| {
        let tc = s.spawn(toolchain::read);
        let run = gate::run(g);
        (run, tc.join().expect("toolchain thread"))
    });
    let run = run?;
    let toolchain = toolchain?;
    if run.target.is_none() {
        return Err(Error::usage(
            "--all-platforms",
            "evidence describes one build for one target; drop --all-platforms",
        ));
    }
    let source = source_info::read(&run.workspace.root);
    let epoch = source_date_epoch(&source, &run)?;
    let inputs = Inputs {
        lock: lockfile::read(&run.workspace.root)?,
        source,
        toolchain,
        timestamp: sbom::rfc3339(epoch),
        source_date_epoch: epoch,
    };
    Ok((run, inputs))
}

/// The one time of the evidence: `SOURCE_DATE_EPOCH`, else the commit time of `HEAD`, else
/// midnight (UTC) of the evaluation date.
fn source_date_epoch(source: &SourceInfo, run: &GateRun) -> Result<i64> {
    if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") {
        return v.trim().parse().map_err(|_| {
            Error::usage(
                "SOURCE_DATE_EPOCH",
                format!("`{v}` is not a number of seconds"),
            )
        });
    }
    if let Some(t) = source.commit_time {
        return Ok(t);
    }
    Ok(run
        .report
        .date
        .0
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second())
        .unwrap_or(0))
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

fn evidence_dir(g: &GlobalArgs, run: &GateRun, set: &MemberSet) -> Result<PathBuf> {
    if let Some(d) = &g.evidence_dir {
        return metadata::absolute(d);
    }
    Ok(profile_dir(run, &g.profile)
        .join("release-evidence")
        .join(format!("{}-{}", set.name, set.version)))
}

fn member_evidence(
    g: &GlobalArgs,
    run: &GateRun,
    set: &MemberSet,
    inputs: &Inputs,
) -> Result<MemberEvidence> {
    let dir = evidence_dir(g, run, set)?;
    let _lock = store::lock(&dir)?;
    if dir.exists() && store::is_sealed(&dir) {
        if !g.force {
            return Err(Error::usage(
                "--force",
                format!(
                    "{} is sealed (it holds approvals or signatures); nothing was written. Bump the version, or pass --force to move it aside and write new evidence",
                    dir.display()
                ),
            ));
        }
        let aside = store::move_aside(&dir)?;
        eprintln!(
            "moved sealed evidence {} aside to {}",
            dir.display(),
            aside.display()
        );
    }

    let (artifacts, build_record, build_findings) = artifacts(g, run, set, inputs)?;
    let build_findings_copy = build_findings.clone();
    let mut artifact_records = Vec::new();
    for a in &artifacts {
        let meta = std::fs::metadata(&a.path)
            .map_err(|e| Error::io(format!("reading {}", a.path.display()), e))?;
        artifact_records.push(FileRecord {
            path: relative(&a.path, &dir),
            kind: a.kind.clone(),
            size: meta.len(),
            sha256: digest::sha256_file(&a.path)?,
        });
    }

    let staging = store::Staging::new(&dir)?;
    let sbom_cx = sbom::Context {
        run,
        checksums: &inputs.lock.checksums,
        timestamp: inputs.timestamp.clone(),
        profile: g.profile.clone(),
        date: run.report.date,
    };
    let mut sbom_records = Vec::new();
    let mut models = Vec::new();
    for (a, rec) in artifacts.iter().zip(&artifact_records) {
        let file_name = a
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let model = sbom::model(
            &sbom_cx,
            set,
            ArtifactInfo {
                file_name: file_name.clone(),
                kind: a.kind.clone(),
                sha256: Some(rec.sha256.clone()),
            },
        )?;
        for (name, text, kind) in sbom_files(g, &model, &file_name) {
            staging.write(&name, text.as_bytes())?;
            sbom_records.push(FileRecord {
                path: name,
                kind: kind.to_owned(),
                size: text.len() as u64,
                sha256: digest::sha256_hex(text.as_bytes()),
            });
        }
        models.push(model);
    }
    sbom_records.sort_by(|a, b| a.path.cmp(&b.path));

    let produced = Produced {
        artifacts: artifact_records.clone(),
        sbom: sbom_records,
        build_findings,
    };
    let mut manifest = build_manifest(g, run, set, inputs, produced, &models);
    if let Some(record) = &build_record {
        manifest.build = Some(serde_json::to_value(record).expect("record serializes"));
        let statement = provenance::statement(&manifest, record);
        staging.write(
            PROVENANCE_FILE,
            crate::canonical::json(&statement).as_bytes(),
        )?;
    }
    let manifest_text = crate::canonical::json(&manifest);
    staging.write(MANIFEST_FILE, manifest_text.as_bytes())?;
    if g.manifest_format.iter().any(|f| f == "yaml") {
        staging.write(
            MANIFEST_YAML_FILE,
            crate::canonical::yaml(&manifest).as_bytes(),
        )?;
    }
    if let Some(path) = run.policy.allowed_signers_path() {
        // verify needs nothing but this directory: the keys travel with the evidence.
        let signers = std::fs::read(&path)
            .map_err(|e| Error::io(format!("reading allowed signers {}", path.display()), e))?;
        crate::allowed_signers::AllowedSigners::parse(&path, &String::from_utf8_lossy(&signers))?;
        staging.write(ALLOWED_SIGNERS_FILE, &signers)?;
    }
    let changes = dependency_changes(&dir, &manifest, &models);
    let record = render::markdown::release_record(&manifest, &models, &changes);
    staging.write(RECORD_FILE, record.as_bytes())?;

    // SHA256SUMS covers every other file of the directory and the artifacts.
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&staging.path)
        .map_err(|e| Error::io(format!("reading {}", staging.path.display()), e))?
    {
        let entry = entry.map_err(|e| Error::io("reading staging directory", e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        entries.push((name.clone(), digest::sha256_file(&entry.path())?));
        files.push(name);
    }
    for rec in &artifact_records {
        entries.push((rec.path.clone(), rec.sha256.clone()));
    }
    staging.write(SUMS_FILE, checksums::render(&entries).as_bytes())?;
    files.push(SUMS_FILE.to_owned());
    files.sort();
    staging.commit(&dir)?;

    Ok(MemberEvidence {
        package: set.name.clone(),
        version: set.version.to_string(),
        decision: manifest.gate.decision,
        evidence_dir: dir,
        artifacts: artifact_records,
        files,
        build_findings: build_findings_copy,
    })
}

/// The artifacts, and (when built here) the build record and the build's findings.
fn artifacts(
    g: &GlobalArgs,
    run: &GateRun,
    set: &MemberSet,
    inputs: &Inputs,
) -> Result<(Vec<Artifact>, Option<BuildRecord>, Vec<Finding>)> {
    let mut findings = Vec::new();
    if g.no_build {
        let pkg = run
            .workspace
            .graph
            .metadata(&set.id)
            .map_err(|e| Error::Environment(e.to_string()))?;
        let targets: Vec<(String, Vec<String>)> = pkg
            .build_targets()
            .filter_map(|t| match (t.id(), t.kind()) {
                (guppy::graph::BuildTargetId::Binary(name), _) => {
                    Some((name.to_owned(), vec!["bin".to_owned()]))
                }
                (
                    guppy::graph::BuildTargetId::Library,
                    guppy::graph::BuildTargetKind::LibraryOrExample(types),
                ) => Some((t.name().to_owned(), types.to_vec())),
                _ => None,
            })
            .collect();
        let windows = run.target.as_deref().is_some_and(|t| t.contains("windows"));
        if run.policy.data.build.require_reproducible {
            findings.push(unchecked_finding(&set.name, "--no-build"));
        }
        let found = builder::existing(&profile_dir(run, &g.profile), &targets, windows)?;
        return Ok((found, None, findings));
    }
    let plan = build_plan(g, run, set, inputs);
    let mut build = release_build::run(&plan)?;
    if g.check_reproducible {
        check_reproducible(g, run, set, &plan, &mut build)?;
    } else if run.policy.data.build.require_reproducible {
        findings.push(unchecked_finding(&set.name, "no --check-reproducible"));
    }
    findings.append(&mut build.findings);
    Ok((build.outcome.artifacts, Some(build.record), findings))
}

/// The second build and its comparison; the result goes into the build's record and findings.
/// A differing rebuilt artifact is kept under `<profile dir>/release-evidence-rebuild/`.
fn check_reproducible(
    g: &GlobalArgs,
    run: &GateRun,
    set: &MemberSet,
    plan: &release_build::Plan<'_>,
    build: &mut release_build::ReleaseBuild,
) -> Result<()> {
    let keep = profile_dir(run, &g.profile)
        .join("release-evidence-rebuild")
        .join(format!("{}-{}", set.name, set.version));
    let (repro, mut more) = release_build::check_reproducible(
        plan,
        &build.record.artifacts,
        &build.outcome.artifacts,
        &keep,
    )?;
    build.record.reproducibility = Some(repro);
    build.findings.append(&mut more);
    Ok(())
}

fn unchecked_finding(member: &str, why: &str) -> Finding {
    Finding::new(
        Code::BuildReproducibilityUnchecked,
        format!(
            "{member}: the policy requires a reproducible build, but it was not checked ({why})"
        ),
        "run the release with --check-reproducible".to_owned(),
    )
}

/// The controlled build of one member, as planned from the gate's data.
pub fn build_plan<'a>(
    g: &'a GlobalArgs,
    run: &'a GateRun,
    set: &'a MemberSet,
    inputs: &'a Inputs,
) -> release_build::Plan<'a> {
    let shipped: std::collections::BTreeSet<String> = set
        .packages
        .iter()
        .filter(|(_, k)| **k != crate::findings::Kind::Dev)
        .map(|(id, _)| id.repr().to_owned())
        .collect();
    release_build::Plan {
        workspace_root: &run.workspace.root,
        manifest_path: &set.manifest_path,
        package: &set.name,
        selection: &run.selection,
        profile: &g.profile,
        offline: g.offline,
        frozen: g.frozen,
        quiet: g.quiet,
        expected_units: shipped.len() as u64,
        shipped,
        cargo_lock_sha256: &inputs.lock.sha256,
        source_date_epoch: inputs.source_date_epoch,
        toolchain: (&inputs.toolchain.rustc, &inputs.toolchain.cargo),
        user_flags: None,
        external_paths: external_paths(run, set),
    }
}

fn sbom_files(
    g: &GlobalArgs,
    model: &SbomModel,
    file_name: &str,
) -> Vec<(String, String, &'static str)> {
    let mut out = vec![(
        format!("{file_name}.cdx.json"),
        sbom::cyclonedx::render(model),
        "cyclonedx-1.5",
    )];
    if g.sbom_format.iter().any(|f| f == "spdx") {
        out.push((
            format!("{file_name}.spdx.json"),
            sbom::spdx::render(model),
            "spdx-2.3",
        ));
    }
    out
}

/// What the build and SBOM stages produced for one member.
struct Produced {
    artifacts: Vec<FileRecord>,
    sbom: Vec<FileRecord>,
    build_findings: Vec<Finding>,
}

fn build_manifest(
    g: &GlobalArgs,
    run: &GateRun,
    set: &MemberSet,
    inputs: &Inputs,
    produced: Produced,
    models: &[SbomModel],
) -> Manifest {
    let Produced {
        artifacts,
        sbom,
        build_findings,
    } = produced;
    let mut exceptions: Vec<ExceptionRecord> = Vec::new();
    for m in models {
        for v in &m.vulnerabilities {
            if let Some(a) = &v.accepted {
                exceptions.push(ExceptionRecord {
                    id: v.id.clone(),
                    krate: v.package.clone(),
                    reason: a.reason.clone(),
                    approved_by: a.approved_by.clone(),
                    expires: a.expires,
                });
            }
        }
    }
    exceptions.sort();
    exceptions.dedup();
    // Only this member's findings (and the ones about no package, like the DB's age).
    let findings: Vec<_> = run
        .report
        .findings
        .iter()
        .filter(|f| f.via.is_empty() || f.via.iter().any(|v| v.member == set.name))
        .cloned()
        .chain(build_findings)
        .collect();
    let mut findings = findings;
    crate::findings::sort(&mut findings);
    let decision = crate::findings::Decision::from_findings(&findings);
    let summary = crate::report::Summary {
        errors: crate::report::CheckReport::count(&findings, crate::findings::Severity::Error),
        warnings: crate::report::CheckReport::count(&findings, crate::findings::Severity::Warning),
        members: 1,
        packages: set.packages.len(),
    };
    Manifest {
        schema: manifest::SCHEMA,
        schema_version: manifest::SCHEMA_VERSION,
        tool: Tool::this(),
        generated_at: inputs.timestamp.clone(),
        product: Product {
            name: set.name.clone(),
            version: set.version.to_string(),
        },
        source: inputs.source.clone(),
        cargo_lock_sha256: inputs.lock.sha256.clone(),
        policy: run.report.policy.clone(),
        toolchain: inputs.toolchain.clone(),
        target: run.report.scope.target.clone(),
        profile: g.profile.clone(),
        features: Features {
            features: run.selection.features.clone(),
            all_features: run.selection.all_features,
            no_default_features: run.selection.no_default_features,
        },
        artifacts,
        sbom,
        gate: Gate {
            decision,
            date: run.report.date,
            scope: run.report.scope.description.clone(),
            summary,
            findings,
        },
        advisory_db: run.report.advisory_db.clone(),
        exceptions_applied: exceptions,
        build: None,
        approvals: Vec::new(),
        approval_policy: run.policy.data.approvals.as_ref().map(|a| {
            let a = a.get_ref();
            manifest::ApprovalPolicy {
                required_roles: a.required_roles.clone(),
                roles: a.roles.clone(),
                risk_acceptance_roles: a.risk_acceptance_roles.clone(),
                release_signers: a.release_signers.clone(),
                allowed_signers: ALLOWED_SIGNERS_FILE.to_owned(),
            }
        }),
        verification: None,
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
        .filter(|p| matches!(p.source, crate::workspace::Source::Path(_)))
        .filter_map(|p| p.dir.canonicalize().ok())
        .filter(|dir| !dir.starts_with(&root))
        .map(|dir| relative(&dir, &root))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Dependency changes against the newest earlier release's evidence of this package.
#[derive(Debug, Clone, Default)]
pub struct DependencyChanges {
    pub baseline: Option<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

fn dependency_changes(dir: &Path, manifest: &Manifest, models: &[SbomModel]) -> DependencyChanges {
    use std::collections::BTreeMap;
    let now: BTreeMap<String, String> = models
        .iter()
        .flat_map(|m| {
            m.components
                .iter()
                .map(|c| (c.name.clone(), c.version.clone()))
        })
        .collect();
    let Some((label, previous)) = previous_components(dir, manifest) else {
        return DependencyChanges::default();
    };
    let mut changes = DependencyChanges {
        baseline: Some(label),
        ..Default::default()
    };
    for (name, version) in &now {
        match previous.get(name) {
            None => changes.added.push(format!("{name} {version}")),
            Some(old) if old != version => {
                changes.changed.push(format!("{name} {old} → {version}"))
            }
            _ => {}
        }
    }
    for (name, version) in &previous {
        if !now.contains_key(name) {
            changes.removed.push(format!("{name} {version}"));
        }
    }
    changes
}

/// The components (name → version) of the previous release: the evidence directory of the
/// highest earlier version next to this one. (Not the directory being replaced, so that a
/// re-run gives the same record.)
fn previous_components(
    dir: &Path,
    manifest: &Manifest,
) -> Option<(String, std::collections::BTreeMap<String, String>)> {
    let read = |d: &Path| -> Option<std::collections::BTreeMap<String, String>> {
        let text = std::fs::read_to_string(d.join(MANIFEST_FILE)).ok()?;
        let m: serde_json::Value = serde_json::from_str(&text).ok()?;
        let mut out = std::collections::BTreeMap::new();
        for s in m["sbom"].as_array()? {
            let path = s["path"].as_str()?;
            if !path.ends_with(".cdx.json") {
                continue;
            }
            let bom: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(d.join(path)).ok()?).ok()?;
            for c in bom["components"].as_array()? {
                out.insert(
                    c["name"].as_str()?.to_owned(),
                    c["version"].as_str()?.to_owned(),
                );
            }
        }
        Some(out)
    };
    let parent = dir.parent()?;
    let prefix = format!("{}-", manifest.product.name);
    let current = semver::Version::parse(&manifest.product.version).ok()?;
    let mut best: Option<(semver::Version, PathBuf)> = None;
    for e in std::fs::read_dir(parent).ok()?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(v) = name
            .strip_prefix(&prefix)
            .and_then(|v| semver::Version::parse(v).ok())
        else {
            continue;
        };
        if v < current && best.as_ref().is_none_or(|(b, _)| v > *b) {
            best = Some((v, e.path()));
        }
    }
    let (v, d) = best?;
    Some((format!("{} {v}", manifest.product.name), read(&d)?))
}

/// `path` relative to `base` (both absolute), with `/` separators.
pub fn relative(path: &Path, base: &Path) -> String {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = Vec::new();
    for _ in common..b.len() {
        parts.push("..".to_owned());
    }
    for c in &p[common..] {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    parts.join("/")
}

/// `cargo release-evidence sbom`: only the SBOM(s), without building. The artifact's digest is
/// included when a previous build left it in the target directory.
pub fn sbom_only(g: &GlobalArgs, output: Option<&Path>) -> Result<Vec<PathBuf>> {
    let run = gate::run(g)?;
    if run.target.is_none() {
        return Err(Error::usage(
            "--all-platforms",
            "an SBOM describes one target; drop --all-platforms",
        ));
    }
    let lock = lockfile::read(&run.workspace.root)?;
    let source = source_info::read(&run.workspace.root);
    let ts = sbom::rfc3339(source_date_epoch(&source, &run)?);
    let sbom_cx = sbom::Context {
        run: &run,
        checksums: &lock.checksums,
        timestamp: ts,
        profile: g.profile.clone(),
        date: run.report.date,
    };
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for set in &run.sets {
        let pkg = run
            .workspace
            .graph
            .metadata(&set.id)
            .map_err(|e| Error::Environment(e.to_string()))?;
        let windows = run.target.as_deref().is_some_and(|t| t.contains("windows"));
        let out_dir = profile_dir(&run, &g.profile);
        let mut targets: Vec<(String, String)> = pkg
            .build_targets()
            .filter_map(|t| match t.id() {
                guppy::graph::BuildTargetId::Binary(name) => Some((
                    if windows {
                        format!("{name}.exe")
                    } else {
                        name.to_owned()
                    },
                    "bin".to_owned(),
                )),
                _ => None,
            })
            .collect();
        if targets.is_empty() {
            targets.push((format!("{}-{}", set.name, set.version), "lib".to_owned()));
        }
        let dir = match output {
            Some(o) => metadata::absolute(o)?,
            None => evidence_dir(g, &run, set)?,
        };
        for (file_name, kind) in targets {
            let path = out_dir.join(&file_name);
            let sha256 = path
                .is_file()
                .then(|| digest::sha256_file(&path))
                .transpose()?;
            let model = sbom::model(
                &sbom_cx,
                set,
                ArtifactInfo {
                    file_name: file_name.clone(),
                    kind,
                    sha256,
                },
            )?;
            for (name, text, _) in sbom_files(g, &model, &file_name) {
                files.push((dir.join(name), text));
            }
        }
    }
    // `-o FILE.json` names the file itself when there is exactly one SBOM.
    if let Some(o) = output
        && files.len() == 1
        && o.extension().is_some_and(|e| e == "json")
    {
        files[0].0 = metadata::absolute(o)?;
    }
    let mut written = Vec::new();
    for (path, text) in files {
        let dir = path.parent().unwrap_or(Path::new("."));
        if store::is_sealed(dir) {
            return Err(Error::usage(
                "--output",
                format!(
                    "{} is sealed evidence; write the SBOM elsewhere with -o",
                    dir.display()
                ),
            ));
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        crate::fsutil::write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}
