//! `sign --key KEY [DIR]`: the release signature, when the evidence is ready.

use super::approve::{policy_and_dir, report_outcome};
use super::date;
use crate::cli::GlobalArgs;
use crate::error::Result;
use crate::sign::readiness;
use std::path::Path;

pub fn run(
    g: &GlobalArgs,
    key: &Path,
    passphrase_file: Option<&Path>,
    evidence_dir: Option<&Path>,
) -> Result<u8> {
    let (policy, dir) = policy_and_dir(g, evidence_dir)?;
    let outcome = readiness::sign(&dir, key, passphrase_file, date(g)?, &policy)?;
    Ok(report_outcome(g, outcome))
}
