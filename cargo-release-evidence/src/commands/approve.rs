//! `approve --role ROLE --key KEY [DIR]`: a signed sign-off of the evidence.

use super::date;
use super::verify::verification_time;
use crate::cli::GlobalArgs;
use crate::error::{EXIT_HOLD, EXIT_PASS, Result};
use crate::evidence::locate;
use crate::policy::Policy;
use crate::sign::approve::{self, ApproveArgs, Outcome};
use crate::sign::trust;
use crate::util::paths::absolute;
use crate::workspace::{self, metadata};
use std::path::{Path, PathBuf};

pub struct Args<'a> {
    pub role: &'a str,
    pub key: &'a Path,
    pub accept_risk: Option<&'a str>,
    pub comment: Option<&'a str>,
    pub passphrase_file: Option<&'a Path>,
    pub evidence_dir: Option<&'a Path>,
}

pub fn run(g: &GlobalArgs, a: &Args<'_>) -> Result<u8> {
    let (policy, dir) = policy_and_dir(g, a.evidence_dir)?;
    let trust = trust::from_policy(&policy, None, policy.path.display().to_string())?;
    let outcome = approve::approve(&ApproveArgs {
        dir: &dir,
        role: a.role,
        key: a.key,
        passphrase_file: a.passphrase_file,
        accept_risk: a.accept_risk,
        comment: a.comment,
        date: date(g)?,
        time: verification_time(g)?,
        trust: &trust,
    })?;
    Ok(report_outcome(g, outcome))
}

/// The workspace policy and the evidence directory for approve/sign.
pub fn policy_and_dir(g: &GlobalArgs, dir: Option<&Path>) -> Result<(Policy, PathBuf)> {
    let manifest = metadata::find_manifest(g.manifest_path.as_deref())?;
    let root = workspace::guess_workspace_root(&manifest);
    let explicit = g.policy.as_deref().map(absolute).transpose()?;
    let policy = Policy::load(&root, explicit.as_deref())?;
    let dir = locate::locate(dir, &root, &g.profile)?;
    Ok((policy, dir))
}

/// Refusals are decisions (exit 1 with the reason), not errors.
pub fn report_outcome(g: &GlobalArgs, outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Done(msg) => {
            if !g.quiet {
                println!("{msg}");
            }
            EXIT_PASS
        }
        Outcome::Refused(msg) => {
            eprintln!("refused: {msg}");
            EXIT_HOLD
        }
    }
}
