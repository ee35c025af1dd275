//! `sign --key KEY [DIR]`: the release signature, when the evidence is ready.

use super::approve::{policy_and_dir, report_outcome};
use super::date;
use super::verify::verification_time;
use crate::cli::GlobalArgs;
use crate::error::Result;
use crate::sign::readiness::{self, SignArgs};
use crate::sign::trust;
use std::path::Path;

pub fn run(
    g: &GlobalArgs,
    key: &Path,
    passphrase_file: Option<&Path>,
    evidence_dir: Option<&Path>,
) -> Result<u8> {
    let (policy, dir) = policy_and_dir(g, evidence_dir)?;
    let trust = trust::from_policy(&policy, None, policy.path.display().to_string())?;
    let outcome = readiness::sign(&SignArgs {
        dir: &dir,
        key,
        passphrase_file,
        date: date(g)?,
        time: verification_time(g)?,
        trust: &trust,
    })?;
    Ok(report_outcome(g, outcome))
}
