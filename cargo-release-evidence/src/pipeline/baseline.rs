//! The main job's part of the configuration baseline: the gate's record of the member,
//! compared with the earlier releases whose evidence lies next to this one (the previous
//! release and the semver relation; RE-BASELINE-VERSION and RE-BASELINE-BUMP).

use crate::checks::baseline::{Baseline, version};
use crate::evidence::previous;
use crate::findings::{Finding, PackageRef};
use crate::gate::GateRun;
use crate::workspace::MemberSet;
use crate::workspace::git;
use std::path::Path;

/// The member's baseline (`None` without `[baseline]`) and the version findings.
pub fn member(run: &GateRun, set: &MemberSet, dir: &Path) -> (Option<Baseline>, Vec<Finding>) {
    let Some(mut record) = run.baseline.iter().find(|b| b.package == set.name).cloned() else {
        return (None, Vec::new());
    };
    let package = run
        .packages
        .iter()
        .find(|p| p.id == set.id)
        .map(|p| p.package_ref())
        .unwrap_or_else(|| PackageRef {
            name: set.name.clone(),
            version: set.version.to_string(),
            source: "workspace".into(),
        });
    let priors = previous::prior_releases(dir, &set.name);
    let root = &run.workspace.root;
    let findings = version::compare(&mut record, &package, &run.policy, &priors, &|c| {
        git::is_ancestor(root, c)
    });
    (Some(record), findings)
}
