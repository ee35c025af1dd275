//! The main job's clause-map stage: the facts of this member's evidence (what the build,
//! verification, baseline and policy gave), the map computed from them (`evidence::clauses`),
//! `RE-CLAUSE-NOT-EVIDENCED` for each clause `[evidence] require-clauses` names that the
//! evidence does not satisfy, and a check that every file the map names was written.

use super::{Options, SbomFormat};
use crate::build::cargo::Artifact;
use crate::build::record::BuildRecord;
use crate::error::{Error, Result};
use crate::evidence::clauses::{self, ClauseMap, Facts, Status};
use crate::evidence::model::FileRecord;
use crate::evidence::store::Staging;
use crate::findings::{Code, Finding};
use crate::gate::GateRun;
use crate::util::canonical;
use crate::workspace::MemberSet;

/// What the member's evidence holds, before it is written.
pub(super) struct Inputs<'a> {
    pub(super) artifacts: &'a [Artifact],
    pub(super) build: Option<&'a BuildRecord>,
    pub(super) baseline: bool,
    pub(super) verification: Option<&'a crate::verification::model::VerificationRecord>,
}

/// The clause map of one member.
pub(super) fn map(opts: &Options, run: &GateRun, set: &MemberSet, i: Inputs<'_>) -> ClauseMap {
    let data = &run.policy.data;
    let names: Vec<String> = i
        .artifacts
        .iter()
        .filter_map(|a| a.path.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    let mut sboms: Vec<String> = names.iter().map(|n| format!("{n}.cdx.json")).collect();
    if opts.sbom_formats.contains(&SbomFormat::Spdx) {
        sboms.extend(names.iter().map(|n| format!("{n}.spdx.json")));
    }
    if opts.sbom_formats.contains(&SbomFormat::Spdx3) {
        sboms.extend(names.iter().map(|n| format!("{n}.spdx3.json")));
    }
    let lifecycle = data.lifecycle.as_ref().map(|l| l.get_ref());
    let facts = Facts {
        vex: names.iter().map(|n| format!("{n}.cdx.vex.json")).collect(),
        sboms,
        soup: !names.is_empty(),
        build: i.build.is_some(),
        reproducible: i
            .build
            .and_then(|b| b.reproducibility.as_ref())
            .map(|r| r.identical),
        verification: i
            .verification
            .map(|v| (v.suites.len(), v.residual_anomalies.len())),
        baseline: i.baseline,
        release_signers: data
            .approvals
            .as_ref()
            .is_some_and(|a| !a.get_ref().release_signers.is_empty()),
        supplier_reviews: !data.supplier.is_empty(),
        lifecycle: lifecycle.is_some(),
        support_until: lifecycle.and_then(|l| l.support_until.map(|d| d.to_string())),
        patch_policy: lifecycle.is_some_and(|l| l.patch_policy.is_some()),
        advisories_url: lifecycle
            .and_then(|l| l.advisories_url.as_ref())
            .map(|u| u.get_ref().clone()),
        disclosure_policy: lifecycle.is_some_and(|l| l.disclosure_policy.is_some()),
        security_contact: lifecycle
            .and_then(|l| l.security_contact.as_ref())
            .map(|c| c.get_ref().clone()),
        required: required(run).map(|s| s.get_ref().clone()).collect(),
        artifacts: names,
    };
    clauses::map(&set.name, &set.version.to_string(), &facts)
}

fn required(run: &GateRun) -> impl Iterator<Item = &serde_spanned::Spanned<String>> {
    run.policy
        .data
        .evidence
        .iter()
        .flat_map(|e| e.get_ref().require_clauses.iter())
}

/// `RE-CLAUSE-NOT-EVIDENCED` for each required clause the map shows as not evidenced (one that
/// `sign` completes counts: `verify` checks the signature).
pub(super) fn findings(run: &GateRun, set: &MemberSet, map: &ClauseMap) -> Vec<Finding> {
    let mut out = Vec::new();
    for id in required(run) {
        let Some(row) = map.rows.iter().find(|r| r.id == id.get_ref()) else {
            continue;
        };
        if row.status != Status::NotEvidenced {
            continue;
        }
        out.push(
            Finding::new(
                Code::ClauseNotEvidenced,
                format!(
                    "{} {}: the policy requires {} ({} {}: {}), and this release does not evidence it: {}",
                    set.name, set.version, row.id, row.standard, row.clause, row.title, row.note
                ),
                format!(
                    "record the evidence {} asks for (see the clause map in the README), or remove `{}` from [evidence] require-clauses",
                    row.id, row.id
                ),
            )
            .location(Some(run.policy.location(id))),
        );
    }
    out
}

/// Writes `clause-map.json`; its record for the manifest.
pub(super) fn write(staging: &Staging, map: &ClauseMap) -> Result<FileRecord> {
    let text = canonical::json(map);
    let sha256 = staging.write(clauses::FILE, text.as_bytes())?;
    Ok(FileRecord::written(
        clauses::FILE.to_owned(),
        "clause-map".to_owned(),
        &text,
        sha256,
    ))
}

/// Every file an evidenced row names is in the evidence directory (`files`): the map never
/// points at something that is not there.
pub(super) fn check_written(map: &ClauseMap, files: &[String]) -> Result<()> {
    for row in map.rows.iter().filter(|r| r.status == Status::Evidenced) {
        for e in &row.evidence {
            if !files.contains(&e.file) {
                return Err(Error::Environment(format!(
                    "internal error: the clause map names {} for {}, but the evidence has no such file",
                    e.file, row.id
                )));
            }
        }
    }
    Ok(())
}
