//! The main job, per release member: controlled build → the member's decision (computed once,
//! from the gate's findings about it plus the build's) → SBOM → manifest → release record →
//! SHA256SUMS, staged and swapped into the evidence directory. A HOLD still writes complete
//! evidence, marked HOLD.

use super::documents::{sbom_files, vex_files};
use super::manifest::{Produced, build_manifest};
use super::{Inputs, Options, build_plan, evidence_dir, evidence_location, prepare, profile_dir};
use crate::build::cargo::{self as builder, Artifact};
use crate::build::controlled::{self, Plan, ReleaseBuild};
use crate::build::record::BuildRecord;
use crate::build::reproduce;
use crate::error::{Error, Result};
use crate::evidence::model::{FileRecord, Gate};
use crate::evidence::{self, checksums, provenance, soup, store};
use crate::findings::{self, Code, Decision, Finding, Severity};
use crate::gate::GateRun;
use crate::gate::report::Summary;
use crate::sbom::{self, ArtifactInfo};
use crate::sign::allowed_signers::AllowedSigners;
use crate::util::{canonical, digest};
use crate::workspace::MemberSet;
use serde::Serialize;
use std::path::PathBuf;

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
    /// Findings of the stages after the gate (reproducibility, shipped-set cross-check, and the
    /// version against earlier releases: RE-BASELINE-VERSION/-BUMP).
    pub build_findings: Vec<Finding>,
}

/// The main job's result (`--format json` serializes it; SARIF renders its findings).
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseReport {
    pub schema: &'static str,
    pub schema_version: u32,
    /// HOLD when any member's decision is HOLD.
    pub decision: Decision,
    /// The evidence directory when there is one release member.
    pub evidence_dir: Option<PathBuf>,
    pub evidence: Vec<MemberEvidence>,
    pub errors: usize,
    pub warnings: usize,
    /// Findings about the verification evidence (`[verification]`), sorted; they count for
    /// every member.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verification_findings: Vec<Finding>,
    /// Every finding of the run: the gate's and every member's build findings, sorted.
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// `cargo release-evidence`: the main job.
pub fn run(opts: &Options) -> Result<(GateRun, ReleaseReport)> {
    if opts.evidence_dir.is_some() && opts.gate.packages.len() > 1 {
        return Err(Error::usage(
            "--evidence-dir",
            "names the directory of one release member; pass one -p",
        ));
    }
    let timer = crate::gate::Timer::new();
    let (run, inputs) = prepare(opts)?;
    timer.mark("main job: gate and inputs");
    let verified = super::verification::for_release(&run, &inputs)?;
    let mut evidence = Vec::new();
    for set in &run.sets {
        evidence.push(member_evidence(
            opts,
            &run,
            set,
            &inputs,
            verified.as_ref(),
        )?);
    }
    let mut verification_findings = verified.map(|v| v.findings).unwrap_or_default();
    findings::sort(&mut verification_findings);
    let mut all = run.report.findings.clone();
    all.extend(verification_findings.iter().cloned());
    for e in &evidence {
        all.extend(e.build_findings.iter().cloned());
    }
    findings::sort(&mut all);
    let decision = if evidence.iter().any(|e| e.decision == Decision::Hold) {
        Decision::Hold
    } else {
        Decision::from_findings(&all)
    };
    let report = ReleaseReport {
        schema: "cargo-release-evidence/run",
        schema_version: 1,
        decision,
        evidence_dir: (evidence.len() == 1).then(|| evidence[0].evidence_dir.clone()),
        errors: findings::count(&all, Severity::Error),
        warnings: findings::count(&all, Severity::Warning),
        evidence,
        verification_findings,
        findings: all,
    };
    Ok((run, report))
}

/// A member's findings and decision, computed once from data: the gate's findings about this
/// member (and those about no member, like the DB's age) plus its build findings.
pub struct MemberVerdict {
    pub findings: Vec<Finding>,
    pub decision: Decision,
    pub summary: Summary,
}

impl MemberVerdict {
    pub fn of(run: &GateRun, set: &MemberSet, build_findings: &[Finding]) -> MemberVerdict {
        let mut findings: Vec<Finding> = run
            .report
            .findings
            .iter()
            .filter(|f| f.via.is_empty() || f.via.iter().any(|v| v.member == set.name))
            .chain(build_findings)
            .cloned()
            .collect();
        findings::sort(&mut findings);
        MemberVerdict {
            decision: Decision::from_findings(&findings),
            summary: Summary {
                errors: findings::count(&findings, Severity::Error),
                warnings: findings::count(&findings, Severity::Warning),
                members: 1,
                packages: set.packages.len(),
                approvals: run.report.summary.approvals,
            },
            findings,
        }
    }
}

fn member_evidence(
    opts: &Options,
    run: &GateRun,
    set: &MemberSet,
    inputs: &Inputs,
    verified: Option<&crate::verification::Evaluated>,
) -> Result<MemberEvidence> {
    let timer = crate::gate::Timer::new();
    let dir = evidence_dir(opts, run, set)?;
    let location = evidence_location(run);
    // Refusals come before a build that may take minutes: a place we must not write to, or
    // sealed evidence without --force. They are checked again under the lock before commit.
    store::check_target(&dir, &location, opts.force)?;

    // The build runs without the lock: `approve` or `sign` may run meanwhile, and the seal is
    // re-checked under the lock right before commit.
    let (artifacts, build_record, mut build_findings) = artifacts(opts, run, set, inputs)?;
    let (baseline, version_findings) = super::baseline::member(run, set, &dir);
    build_findings.extend(version_findings);
    build_findings.extend(super::update::findings(run, set));
    let clause_map = super::clauses::map(
        opts,
        run,
        set,
        super::clauses::Inputs {
            artifacts: &artifacts,
            build: build_record.as_ref(),
            baseline: baseline.is_some(),
            verification: verified.map(|v| &v.record),
        },
    );
    build_findings.extend(super::clauses::findings(run, set, &clause_map));
    let mut member_findings = build_findings.clone();
    member_findings.extend(verified.iter().flat_map(|v| v.findings.iter().cloned()));
    let verdict = MemberVerdict::of(run, set, &member_findings);
    let lock = store::create_and_lock(&dir)?;
    store::check_target(&dir, &location, opts.force)?;
    let staging = store::Staging::new(&lock)?;
    let (artifact_records, sha512s) =
        store::artifacts::copy_into(&staging, &artifacts, build_record.as_ref())?;
    timer.mark("member: artifacts copied");

    let sbom_cx = sbom::Context {
        run,
        checksums: &inputs.lock,
        timestamp: inputs.timestamp.clone(),
        profile: opts.profile.clone(),
        decision: verdict.decision,
    };
    // Time spent on the VEX documents and the SOUP list (printed with
    // RELEASE_EVIDENCE_TIMINGS, for bench/formats.sh; the SHA-512s are taken with the
    // SHA-256s as the artifacts are copied in).
    let mut formats = std::time::Duration::ZERO;
    let mut models = Vec::new();
    let mut file_names = Vec::new();
    for ((a, rec), sha512) in artifacts.iter().zip(&artifact_records).zip(sha512s) {
        let file_name = a
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        models.push(sbom::model(
            &sbom_cx,
            set,
            ArtifactInfo {
                file_name: file_name.clone(),
                kind: a.kind.clone(),
                sha256: Some(rec.sha256.clone()),
                sha512: Some(sha512),
            },
        )?);
        file_names.push(file_name);
    }
    timer.mark("member: models built");
    // The SOUP list (the member's shipped third-party crates: every artifact of a member has
    // the same shipped set) is made on the other core while the SBOM and VEX documents are
    // serialized and written.
    let mut sbom_records = Vec::new();
    let mut vex_records = Vec::new();
    let soup = std::thread::scope(|s| -> Result<_> {
        let soup = s.spawn(|| {
            let t = std::time::Instant::now();
            let soup = models.first().map(|model| {
                let list = soup::list(run, model);
                let (json, csv) = (canonical::json(&list), soup::csv(&list));
                (list, json, csv)
            });
            (soup, t.elapsed())
        });
        for (model, file_name) in models.iter().zip(&file_names) {
            let (files, serial) = sbom_files(opts, model, file_name);
            timer.mark("member: sbom rendered");
            for (name, text, kind) in files {
                let sha256 = staging.write(&name, text.as_bytes())?;
                sbom_records.push(FileRecord::written(name, kind, &text, sha256));
            }
            timer.mark("member: sbom written");
            let t = std::time::Instant::now();
            let vex = vex_files(opts, model, file_name, &serial);
            formats += t.elapsed();
            for (name, text, kind) in vex {
                let sha256 = staging.write(&name, text.as_bytes())?;
                vex_records.push(FileRecord::written(name, kind, &text, sha256));
            }
            timer.mark("member: vex written");
        }
        let (soup, took) = soup
            .join()
            .map_err(|_| Error::Environment("making the SOUP list panicked".into()))?;
        formats += took;
        Ok(soup)
    })?;
    timer.mark("member: sbom and vex written");
    sbom_records.sort_by(|a, b| a.path.cmp(&b.path));
    vex_records.sort_by(|a, b| a.path.cmp(&b.path));
    for (name, bytes) in verified.iter().flat_map(|v| &v.files) {
        staging.write(name, bytes)?;
    }
    let lifecycle = super::update::write(
        &staging,
        run,
        set,
        &artifact_records,
        verdict.decision,
        &verdict.findings,
    )?;

    let clause_record = super::clauses::write(&staging, &clause_map)?;
    let manifest = build_manifest(
        opts,
        run,
        set,
        inputs,
        Produced {
            artifacts: artifact_records.clone(),
            sbom: sbom_records,
            vex: vex_records,
            build: build_record,
            gate: Gate {
                decision: verdict.decision,
                date: run.report.date,
                scope: run.report.scope.description.clone(),
                summary: verdict.summary.clone(),
                findings: verdict.findings.clone(),
            },
            baseline,
            verification: verified.map(|v| v.record.clone()),
            lifecycle,
            clause_map: Some(clause_record),
        },
        &models,
    );
    if let Some(record) = &manifest.build {
        let statement = provenance::statement(&manifest, record);
        staging.write(
            evidence::PROVENANCE_FILE,
            canonical::json(&statement).as_bytes(),
        )?;
    }
    staging.write(
        evidence::MANIFEST_FILE,
        canonical::json(&manifest).as_bytes(),
    )?;
    if opts.manifest_yaml {
        staging.write(
            evidence::MANIFEST_YAML_FILE,
            canonical::yaml(&manifest).as_bytes(),
        )?;
    }
    if let Some(path) = run.policy.allowed_signers_path() {
        // verify needs nothing but this directory: the keys travel with the evidence.
        let signers = std::fs::read(&path)
            .map_err(|e| Error::io(format!("reading allowed signers {}", path.display()), e))?;
        AllowedSigners::parse(&path, &String::from_utf8_lossy(&signers))?;
        staging.write(evidence::ALLOWED_SIGNERS_FILE, &signers)?;
    }
    timer.mark("member: manifest written");
    let changes = super::changes::since_previous(run, &dir, &manifest, &models)?;
    timer.mark("member: changes since the previous evidence");
    let (soup_list, soup_texts) = match soup {
        Some((list, json, csv)) => (Some(list), Some((json, csv))),
        None => (None, None),
    };
    // The release page is rendered on the other core while the record is.
    let documents = crate::record::Documents {
        soup: soup_list.as_ref(),
        clauses: Some(&clause_map),
    };
    let page = std::thread::scope(|s| -> Result<String> {
        let page =
            s.spawn(|| crate::record::html::release_page(&manifest, &models, &changes, &documents));
        let mut record = crate::record::markdown::release_record(&manifest, &models, &changes);
        if let (Some(list), Some((json, csv))) = (&soup_list, &soup_texts) {
            let t = std::time::Instant::now();
            crate::record::soup::insert(&mut record, list);
            formats += t.elapsed();
            staging.write(soup::JSON_FILE, json.as_bytes())?;
            staging.write(soup::CSV_FILE, csv.as_bytes())?;
        }
        crate::record::clauses::insert(&mut record, &clause_map);
        staging.write(evidence::RECORD_FILE, record.as_bytes())?;
        page.join()
            .map_err(|_| Error::Environment("rendering the release page panicked".into()))
    })?;
    if std::env::var_os("RELEASE_EVIDENCE_TIMINGS").is_some() {
        eprintln!("timing: vex and soup took {formats:?}");
    }
    staging.write(evidence::PAGE_FILE, page.as_bytes())?;
    timer.mark("member: record, soup and page written");

    // SHA256SUMS covers every other file of the directory, the artifacts' copies included:
    // every file found there, with the digest taken as it was written (a file the staging did
    // not write itself is read and hashed).
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&staging.path)
        .map_err(|e| Error::io(format!("reading {}", staging.path.display()), e))?
    {
        let entry = entry.map_err(|e| Error::io("reading staging directory", e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let sha256 = match staging.digest_of(&name) {
            Some(d) => d,
            None => digest::sha256_file(&entry.path())?,
        };
        entries.push((name.clone(), sha256));
        files.push(name);
    }
    staging.write(evidence::SUMS_FILE, checksums::render(&entries).as_bytes())?;
    timer.mark("member: SHA256SUMS written");
    files.push(evidence::SUMS_FILE.to_owned());
    files.sort();
    super::clauses::check_written(&clause_map, &files)?;
    // Under the lock, right before the swap: an approval or signature made during the build
    // sealed the evidence; it is refused (or moved aside with --force), never replaced.
    let existing = store::prepare_commit(&lock, &location, opts.force)?;
    staging.commit(&lock, existing)?;
    timer.mark("member: committed");

    Ok(MemberEvidence {
        package: set.name.clone(),
        version: set.version.to_string(),
        decision: verdict.decision,
        evidence_dir: dir,
        artifacts: artifact_records,
        files,
        build_findings,
    })
}

/// The artifacts, and (when built here) the build record and the build's findings.
fn artifacts(
    opts: &Options,
    run: &GateRun,
    set: &MemberSet,
    inputs: &Inputs,
) -> Result<(Vec<Artifact>, Option<BuildRecord>, Vec<Finding>)> {
    let mut findings = Vec::new();
    if opts.no_build {
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
        let found = builder::existing(&profile_dir(run, &opts.profile), &targets, windows)?;
        return Ok((found, None, findings));
    }
    let plan = build_plan(opts, run, set, inputs);
    let mut build = controlled::run(&plan)?;
    if opts.check_reproducible {
        check_reproducible(opts, run, set, &plan, &mut build)?;
    } else if run.policy.data.build.require_reproducible {
        findings.push(unchecked_finding(&set.name, "no --check-reproducible"));
    }
    findings.append(&mut build.findings);
    Ok((build.outcome.artifacts, Some(build.record), findings))
}

/// The second build and its comparison; the result goes into the build's record and findings.
/// A differing rebuilt artifact is kept under `<profile dir>/release-evidence-rebuild/`.
pub fn check_reproducible(
    opts: &Options,
    run: &GateRun,
    set: &MemberSet,
    plan: &Plan<'_>,
    build: &mut ReleaseBuild,
) -> Result<()> {
    let keep = profile_dir(run, &opts.profile)
        .join("release-evidence-rebuild")
        .join(format!("{}-{}", set.name, set.version));
    let (repro, mut more) = reproduce::check_reproducible(
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
