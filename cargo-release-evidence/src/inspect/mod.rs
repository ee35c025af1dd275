//! `inspect BINARY`: reads the embedded dependency list (cargo-auditable's `.dep-v0`, from our
//! build crate or from cargo-auditable itself) and our evidence record from any binary, and
//! audits the embedded versions against the advisory DB: the post-release path, auditing what
//! was shipped rather than what the repository says today.

pub mod sections;

use crate::advisories::{AdvisoryDb, matcher};
use crate::error::{Error, Result};
use crate::findings::{Code, Decision, Finding, PackageRef, Severity};
use crate::policy::Policy;
use crate::policy::values::Day;
use crate::util::text::clip;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One package of the embedded dependency list (cargo-auditable format).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EmbeddedPackage {
    pub name: String,
    pub version: String,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<usize>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub root: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct DepList {
    packages: Vec<EmbeddedPackage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    pub binary: String,
    /// The evidence record (`None` for binaries built without release-evidence-build).
    pub record: Option<serde_json::Value>,
    pub packages: Vec<EmbeddedPackage>,
    /// Whether the advisories were checked, and against which DB.
    pub audited: bool,
    pub advisory_db: Option<crate::advisories::DbInfo>,
    pub decision: Decision,
    pub findings: Vec<Finding>,
}

const DEP_SECTION: &str = ".dep-v0";
const RECORD_SECTIONS: &[&str] = &[".release-evidence", ".relevid", "__rel_evidence"];
/// The most `.dep-v0` may hold, compressed and decompressed (cargo-auditable's own reader
/// allows 8 MiB; a dependency list of thousands of packages is a few hundred KiB).
pub const MAX_DEP_LIST: u64 = 16 << 20;
/// The most the evidence record section may hold (ours is a few hundred bytes).
const MAX_RECORD: u64 = 64 << 10;

/// Reads the embedded data of a binary: only its headers and the two sections, each capped.
pub fn read(path: &Path) -> Result<(Option<serde_json::Value>, Vec<EmbeddedPackage>)> {
    let binary = sections::Binary::open(path)?;
    let compressed = binary
        .section(&[DEP_SECTION], MAX_DEP_LIST)?
        .ok_or_else(|| {
            Error::Environment(format!(
                "{} has no embedded dependency list (.dep-v0): build it with release-evidence-build or cargo-auditable",
                path.display()
            ))
        })?;
    let json = decompress(&compressed)
        .map_err(|why| Error::Environment(format!("{}: .dep-v0 {why}", path.display())))?;
    let list: DepList = serde_json::from_slice(&json).map_err(|e| {
        Error::Environment(format!(
            "{}: .dep-v0 is not the cargo-auditable format: {}",
            path.display(),
            clip(&e.to_string(), 200)
        ))
    })?;
    let record = binary
        .section(RECORD_SECTIONS, MAX_RECORD)?
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(trim_nul(&b)).ok());
    Ok((record, list.packages))
}

/// zlib-decompresses at most [`MAX_DEP_LIST`] bytes; the error says why in a few words (never
/// the data).
fn decompress(compressed: &[u8]) -> std::result::Result<Vec<u8>, String> {
    use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_zlib_with_limit};
    decompress_to_vec_zlib_with_limit(compressed, MAX_DEP_LIST as usize).map_err(|e| {
        match e.status {
            TINFLStatus::HasMoreOutput => format!(
                "decompresses to more than {}, more than any dependency list; refusing it",
                sections::human_size(MAX_DEP_LIST)
            ),
            status => format!("is not valid zlib data ({status:?})"),
        }
    })
}

fn trim_nul(b: &[u8]) -> &[u8] {
    let end = b.iter().rposition(|c| *c != 0).map_or(0, |i| i + 1);
    &b[..end]
}

/// Audits the embedded crates.io versions; exceptions of `policy` (if any) valid on `date`.
pub fn audit(
    binary: &Path,
    record: Option<serde_json::Value>,
    packages: Vec<EmbeddedPackage>,
    db: Option<AdvisoryDb>,
    policy: Option<&Policy>,
    date: Day,
) -> Inspection {
    let mut findings = Vec::new();
    let target = matcher::platform(record.as_ref().and_then(|r| r["target"].as_str()));
    let info = db.as_ref().map(|d| d.info.clone());
    if let Some(db) = &db {
        for p in packages.iter().filter(|p| p.source == "crates.io") {
            let Ok(version) = semver::Version::parse(&p.version) else {
                continue;
            };
            for adv in matcher::affecting(db, &p.name, &version, target) {
                let id = adv.id().as_str().to_owned();
                let package = PackageRef {
                    name: p.name.clone(),
                    version: p.version.clone(),
                    source: "crates.io".into(),
                };
                let accepted = policy.and_then(|pol| {
                    let exceptions = &pol.data.advisories.exception;
                    matcher::exceptions_for(exceptions, adv, &p.name, date)
                        .0
                        .map(|i| exceptions[i].get_ref())
                });
                let kind = matcher::kind_text(adv);
                let f = match (accepted, &adv.metadata.informational) {
                    (Some(e), _) => Finding::new(
                        Code::VulnerabilityAccepted,
                        format!(
                            "{id} ({kind}) affects {package}: {}; accepted by {} until {}",
                            adv.title().trim(),
                            e.approved_by,
                            e.expires
                        ),
                        format!("ship an update: {}", matcher::patched_text(adv)),
                    ),
                    (None, None) => Finding::new(
                        Code::Vulnerability,
                        format!(
                            "{id} (vulnerability) affects {package} in this binary: {}",
                            adv.title().trim()
                        ),
                        format!("ship an update: {}", matcher::patched_text(adv)),
                    ),
                    (None, Some(_)) => Finding::new(
                        Code::Informational,
                        format!("{id} ({kind}) concerns {package}: {}", adv.title().trim()),
                        format!("plan an update: {}", matcher::patched_text(adv)),
                    )
                    .severity(Severity::Warning),
                };
                findings.push(f.package(package).advisory(id));
            }
        }
    }
    crate::findings::sort(&mut findings);
    Inspection {
        binary: binary.display().to_string(),
        record,
        packages,
        audited: db.is_some(),
        advisory_db: info,
        decision: Decision::from_findings(&findings),
        findings,
    }
}
