//! `cargo release-evidence build`: the gate's shipped sets, then the controlled build (and the
//! reproducibility check on request); writes no evidence.

use super::release::check_reproducible;
use super::{Options, build_plan, prepare};
use crate::build::controlled;
use crate::build::record::BuildRecord;
use crate::error::Result;
use crate::findings::{Decision, Finding};
use serde::Serialize;

/// One member's controlled build.
#[derive(Debug, Clone, Serialize)]
pub struct BuildOnly {
    pub package: String,
    pub version: String,
    pub decision: Decision,
    pub record: BuildRecord,
    pub findings: Vec<Finding>,
}

pub fn run(opts: &Options) -> Result<Vec<BuildOnly>> {
    let (run, inputs) = prepare(opts)?;
    let mut out = Vec::new();
    for set in &run.sets {
        let plan = build_plan(opts, &run, set, &inputs);
        let mut build = controlled::run(&plan)?;
        if opts.check_reproducible {
            check_reproducible(opts, &run, set, &plan, &mut build)?;
        }
        out.push(BuildOnly {
            package: set.name.clone(),
            version: set.version.to_string(),
            decision: Decision::from_findings(&build.findings),
            record: build.record,
            findings: build.findings,
        });
    }
    Ok(out)
}
