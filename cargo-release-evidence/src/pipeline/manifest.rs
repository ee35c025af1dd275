//! The manifest of one member's evidence, assembled from the gate's run, the shared inputs
//! and what the build and SBOM stages produced.

use super::{Inputs, Options};
use crate::build::record::BuildRecord;
use crate::evidence;
use crate::evidence::model::{
    ApprovalPolicy, ExceptionRecord, Features, FileRecord, Gate, Manifest, Product,
};
use crate::gate::GateRun;
use crate::gate::report::Tool;
use crate::sbom::SbomModel;
use crate::workspace::MemberSet;

/// What the build and SBOM stages produced for one member.
pub(super) struct Produced {
    pub(super) artifacts: Vec<FileRecord>,
    pub(super) sbom: Vec<FileRecord>,
    pub(super) vex: Vec<FileRecord>,
    pub(super) build: Option<BuildRecord>,
    /// The member's gate record: its decision (computed once), summary and findings.
    pub(super) gate: Gate,
    pub(super) baseline: Option<crate::checks::baseline::Baseline>,
    pub(super) verification: Option<crate::verification::model::VerificationRecord>,
    pub(super) lifecycle: Option<crate::evidence::model::LifecycleRecord>,
    pub(super) clause_map: Option<FileRecord>,
}

pub(super) fn build_manifest(
    opts: &Options,
    run: &GateRun,
    set: &MemberSet,
    inputs: &Inputs,
    produced: Produced,
    models: &[SbomModel],
) -> Manifest {
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
    Manifest {
        schema: crate::evidence::model::SCHEMA,
        schema_version: crate::evidence::model::SCHEMA_VERSION,
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
        profile: opts.profile.clone(),
        features: Features {
            features: run.selection.features.clone(),
            all_features: run.selection.all_features,
            no_default_features: run.selection.no_default_features,
        },
        artifacts: produced.artifacts,
        sbom: produced.sbom,
        vex: produced.vex,
        gate: produced.gate,
        advisory_db: run.report.advisory_db.clone(),
        exceptions_applied: exceptions,
        build: produced.build,
        approvals: Vec::new(),
        approval_policy: run.policy.data.approvals.as_ref().map(|a| {
            let a = a.get_ref();
            ApprovalPolicy {
                required_roles: a.required_roles.clone(),
                roles: a.roles.clone(),
                risk_acceptance_roles: a.risk_acceptance_roles.clone(),
                release_signers: a.release_signers.clone(),
                allowed_signers: evidence::ALLOWED_SIGNERS_FILE.to_owned(),
            }
        }),
        verification: produced.verification,
        baseline: produced.baseline,
        lifecycle: produced.lifecycle,
        clause_map: produced.clause_map,
    }
}
