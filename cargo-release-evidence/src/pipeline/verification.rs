//! Verification in the main job and in `cargo release-evidence test`: the verification
//! context from the gate's data, and report signatures checked with `sign/` (SSHSIG and the
//! allowed_signers file of `[approvals]`, roles from `[approvals.roles]`).

use super::Inputs;
use crate::error::Result;
use crate::findings::{self, Decision, Finding, Severity};
use crate::gate::{self, GateRun};
use crate::policy::Policy;
use crate::sign::allowed_signers::AllowedSigners;
use crate::sign::sshsig;
use crate::util::paths;
use crate::util::time::Day;
use crate::verification::model::{RunRecord, VerificationRecord};
use crate::verification::{self, Context, Evaluated, REPORT_NAMESPACE, ReportSignatures, run};
use crate::workspace::{Workspace, source};
use serde::Serialize;
use std::collections::BTreeMap;

/// Checks report signatures against the policy's allowed_signers and roles.
pub struct Signatures {
    signers: AllowedSigners,
    roles: BTreeMap<String, Vec<String>>,
    /// Unix seconds the keys' validity (`valid-after`/`valid-before`) is checked at.
    time: i64,
}

impl Signatures {
    /// `None` when the policy names no allowed_signers file. Keys must be valid at `date`.
    pub fn of(policy: &Policy, date: Day) -> Result<Option<Signatures>> {
        let (Some(path), Some(a)) = (policy.allowed_signers_path(), &policy.data.approvals) else {
            return Ok(None);
        };
        Ok(Some(Signatures {
            signers: AllowedSigners::load(&path)?,
            roles: a.get_ref().roles.clone(),
            time: date.epoch_seconds(),
        }))
    }
}

impl ReportSignatures for Signatures {
    fn verify(&self, role: &str, content: &[u8], signature: &[u8]) -> Result<String, String> {
        let key =
            sshsig::verify(signature, REPORT_NAMESPACE, content).map_err(|e| e.to_string())?;
        let holders = self.roles.get(role).map(Vec::as_slice).unwrap_or_default();
        holders
            .iter()
            .find(|p| self.signers.allows(p, &key, REPORT_NAMESPACE, self.time))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "made with key {}, which no principal of role `{role}` holds for namespace {REPORT_NAMESPACE} in allowed_signers",
                    sshsig::fingerprint(&key)
                )
            })
    }
}

/// Workspace members as (name, version, directory relative to the root).
pub fn members(ws: &Workspace) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = ws
        .graph
        .workspace()
        .iter()
        .map(|p| {
            let dir = p
                .manifest_path()
                .parent()
                .map(|d| d.as_std_path().to_path_buf())
                .unwrap_or_default();
            let rel = paths::relative_display(&ws.root, &dir);
            (
                p.name().to_owned(),
                p.version().to_string(),
                if rel.is_empty() { ".".to_owned() } else { rel },
            )
        })
        .collect();
    v.sort();
    v
}

fn context<'a>(
    ws: &'a Workspace,
    policy: &'a Policy,
    date: Day,
    commit: Option<&'a str>,
    release_time: i64,
    signatures: Option<&'a dyn ReportSignatures>,
) -> Context<'a> {
    Context {
        root: &ws.root,
        policy,
        date,
        commit,
        release_time,
        target_dir: ws
            .graph
            .workspace()
            .target_directory()
            .as_std_path()
            .to_path_buf(),
        members: members(ws),
        signatures,
    }
}

/// The verification of the release the gate looked at (`None` without `[verification]`).
pub fn for_release(run: &GateRun, inputs: &Inputs) -> Result<Option<Evaluated>> {
    if run.policy.data.verification.is_none() {
        return Ok(None);
    }
    let sigs = Signatures::of(&run.policy, run.report.date)?;
    let cx = context(
        &run.workspace,
        &run.policy,
        run.report.date,
        inputs.source.commit.as_deref(),
        inputs.source_date_epoch,
        sigs.as_ref().map(|s| s as &dyn ReportSignatures),
    );
    verification::evaluate(&cx)
}

/// What `cargo release-evidence test` is asked to do.
#[derive(Debug, Clone)]
pub struct TestOptions {
    pub gate: gate::Options,
    pub flags: run::Flags,
}

/// `test`'s result: the run, and the verification evaluated on it.
#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    pub schema: &'static str,
    pub schema_version: u32,
    /// HOLD when a verification finding blocks.
    pub decision: Decision,
    pub run_dir: std::path::PathBuf,
    pub run: RunRecord,
    pub verification: VerificationRecord,
    pub findings: Vec<Finding>,
    pub errors: usize,
    pub warnings: usize,
}

/// Runs the policy's suites and clippy, records the run, and evaluates the verification.
pub fn test(opts: &TestOptions) -> Result<TestReport> {
    let (ws, _) = gate::load_workspace(&opts.gate)?;
    let explicit = opts
        .gate
        .policy
        .as_deref()
        .map(paths::absolute)
        .transpose()?;
    let policy = Policy::load(&ws.root, explicit.as_deref())?;
    if policy.data.verification.is_none() {
        return Err(crate::error::Error::Environment(format!(
            "{} has no [verification] section: nothing to run (see the README, \"Verification evidence\")",
            policy.display_path
        )));
    }
    let src = source::read(&ws.root);
    let release_time = match std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok())
    {
        Some(t) => t,
        None => src
            .commit_time
            .unwrap_or_else(|| opts.gate.date.epoch_seconds()),
    };
    let sigs = Signatures::of(&policy, opts.gate.date)?;
    let cx = context(
        &ws,
        &policy,
        opts.gate.date,
        src.commit.as_deref(),
        release_time,
        sigs.as_ref().map(|s| s as &dyn ReportSignatures),
    );
    let record = run::run(&cx, &opts.flags)?;
    let Some(evaluated) = verification::evaluate(&cx)? else {
        return Err(crate::error::Error::Environment(
            "[verification] vanished".into(),
        ));
    };
    let mut found = evaluated.findings;
    findings::sort(&mut found);
    Ok(TestReport {
        schema: "cargo-release-evidence/test",
        schema_version: 1,
        decision: Decision::from_findings(&found),
        run_dir: cx.run_dir(),
        run: record,
        verification: evaluated.record,
        errors: findings::count(&found, Severity::Error),
        warnings: findings::count(&found, Severity::Warning),
        findings: found,
    })
}
