//! `provenance.intoto.json`: an in-toto Statement v1 with an SLSA Provenance v1 predicate for
//! the release artifacts. A build on a developer machine or a plain CI runner, with no hosted
//! build platform signing the provenance, is SLSA Build L1, and the statement says so.

use super::model::Manifest;
use crate::build::record::BuildRecord;
use serde_json::{Value, json};

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://slsa.dev/provenance/v1";
/// Our build type; documented in the README.
pub const BUILD_TYPE: &str =
    "https://github.com/cargo-release-evidence/cargo-release-evidence/build-types/cargo-build/v1";
pub const BUILDER_ID: &str =
    "https://github.com/cargo-release-evidence/cargo-release-evidence/builders/local/v1";

pub fn statement(m: &Manifest, b: &BuildRecord) -> Value {
    let subject: Vec<Value> = m
        .artifacts
        .iter()
        .map(|a| {
            json!({
                "name": a.path.rsplit('/').next().unwrap_or(&a.path),
                "digest": { "sha256": a.sha256 },
            })
        })
        .collect();
    let mut deps = Vec::new();
    if let Some(commit) = &b.source.commit {
        let mut d = json!({ "name": "source", "digest": { "gitCommit": commit } });
        if let Some(tree) = &b.source.tree {
            d["annotations"] = json!({ "gitTree": tree, "dirty": b.source.dirty.unwrap_or(false) });
        }
        deps.push(d);
    }
    if let Some(diff) = &b.source.diff_sha256 {
        deps.push(json!({ "name": "uncommitted-changes.diff", "digest": { "sha256": diff } }));
    }
    deps.push(json!({ "name": "Cargo.lock", "digest": { "sha256": b.cargo_lock_sha256 } }));
    let rustc_version = b
        .toolchain
        .rustc
        .lines()
        .find_map(|l| l.strip_prefix("release: "))
        .unwrap_or("unknown");
    let mut rustc = json!({
        "name": "rustc",
        "uri": format!("pkg:generic/rustc@{rustc_version}"),
        "annotations": { "version": b.toolchain.rustc, "cargo": b.toolchain.cargo },
    });
    if let Some(sha) = &b.toolchain.rustc_sha256 {
        rustc["digest"] = json!({ "sha256": sha });
    }
    deps.push(rustc);
    json!({
        "_type": STATEMENT_TYPE,
        "subject": subject,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": {
                    "package": b.package,
                    "version": m.product.version,
                    "target": m.target,
                    "profile": b.profile,
                    "features": b.features,
                    "allFeatures": b.all_features,
                    "noDefaultFeatures": b.no_default_features,
                },
                "internalParameters": {
                    "command": b.command,
                    "rustflags": b.rustflags.effective,
                    "sourceDateEpoch": b.source_date_epoch,
                    "env": b.env,
                    "slsaBuildLevel": 1,
                    "slsaBuildLevelNote": "Built by cargo-release-evidence on the invoking machine; the provenance is not generated or signed by a hosted build platform, so this is SLSA Build L1.",
                },
                "resolvedDependencies": deps,
            },
            "runDetails": {
                "builder": {
                    "id": BUILDER_ID,
                    "version": { "cargo-release-evidence": env!("CARGO_PKG_VERSION") },
                },
                "metadata": {
                    "invocationId": format!("{}-{}:{}", m.product.name, m.product.version, b.started_at),
                    "startedOn": b.started_at,
                    "finishedOn": b.finished_at,
                },
            },
        },
    })
}
