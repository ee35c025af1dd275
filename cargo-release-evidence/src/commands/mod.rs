//! One file per subcommand: turns the CLI's arguments into the library's typed options, calls
//! the library, renders its typed report in the chosen format, and returns the exit code.

pub mod approve;
pub mod build;
pub mod check;
pub mod codes;
pub mod db;
pub mod diff;
pub mod export;
pub mod init;
pub mod inspect;
pub mod ledger;
pub mod monitor;
pub mod publish;
pub mod release;
pub mod report;
pub mod review;
pub mod sbom;
pub mod sign;
pub mod test;
pub mod verify;
pub mod verify_build;

use crate::cli::GlobalArgs;
use crate::error::{EXIT_HOLD, EXIT_PASS, Error, Result};
use crate::findings::Decision;
use crate::gate;
use crate::pipeline::{self, SbomFormat};
use crate::util::time::Day;
use crate::workspace::Selection;
use crate::workspace::metadata::CargoFlags;
use std::io::Write;

/// `--date`, else today (UTC).
pub fn date(g: &GlobalArgs) -> Result<Day> {
    match &g.date {
        Some(d) => Day::parse(d).map_err(|m| Error::usage("--date", m)),
        None => Ok(Day::today_utc()),
    }
}

pub fn selection(g: &GlobalArgs) -> Selection {
    Selection {
        target: g.target.clone(),
        all_platforms: g.all_platforms,
        features: g.features.clone(),
        all_features: g.all_features,
        no_default_features: g.no_default_features,
        include_dev: g.include_dev,
    }
}

pub fn gate_options(g: &GlobalArgs) -> Result<gate::Options> {
    Ok(gate::Options {
        manifest_path: g.manifest_path.clone(),
        packages: g.packages.clone(),
        workspace: g.workspace,
        selection: selection(g),
        cargo: CargoFlags {
            // --locked unless the user opts out: Cargo.lock is an input of the evidence.
            locked: !g.no_locked,
            offline: g.offline,
            frozen: g.frozen,
        },
        metadata_path: g.metadata_path.clone(),
        policy: g.policy.clone(),
        advisory_db: g.advisory_db.clone(),
        date: date(g)?,
        use_cache: !g.no_cache,
        tag_verifier: Some(crate::sign::tag::verify_ssh),
        index_facts: false,
    })
}

pub fn pipeline_options(g: &GlobalArgs) -> Result<pipeline::Options> {
    Ok(pipeline::Options {
        gate: gate_options(g)?,
        profile: g.profile.clone(),
        no_build: g.no_build,
        evidence_dir: g.evidence_dir.clone(),
        check_reproducible: g.check_reproducible,
        force: g.force,
        sbom_formats: g
            .sbom_format
            .iter()
            .filter_map(|f| match f.as_str() {
                "spdx" => Some(SbomFormat::Spdx),
                "spdx3" => Some(SbomFormat::Spdx3),
                _ => None,
            })
            .collect(),
        cyclonedx_version: match g.cyclonedx_version.as_str() {
            "1.5" => crate::sbom::cyclonedx::SpecVersion::V1_5,
            "1.7" => crate::sbom::cyclonedx::SpecVersion::V1_7,
            _ => crate::sbom::cyclonedx::SpecVersion::V1_6,
        },
        sbom_vulnerabilities: g.sbom_vulnerabilities,
        manifest_yaml: g.manifest_format.iter().any(|f| f == "yaml"),
        quiet: g.quiet,
    })
}

/// Writes rendered output to stdout (colors stripped when not a terminal).
pub fn print(text: &str) -> Result<()> {
    anstream::stdout()
        .write_all(text.as_bytes())
        .map_err(|e| Error::io("writing to stdout", e))
}

pub fn exit_for(d: Decision) -> u8 {
    match d {
        Decision::Pass => EXIT_PASS,
        Decision::Hold => EXIT_HOLD,
    }
}
