//! Draft CSAF 2.0 VEX documents (profile `csaf_vex`), one per product a vulnerability advisory
//! concerns, from a monitor run and the ledger: the product tree holds every monitored version
//! (and target) of the product with its purl and artifact digests; each vulnerability states,
//! per version,
//!
//! - `known_affected`: the version ships an affected package and no valid exception justifies
//!   it (an expired exception counts as none; an exception without `justification` accepts the
//!   risk but does not make the product unaffected), with a remediation;
//! - `known_not_affected`: a valid exception whose release's VEX records a justification
//!   (the flag), or a version that does not ship an affected package (`component_not_present` /
//!   `vulnerable_code_not_present`), with the impact statement;
//! - `fixed`: a later version (same target) than an affected one that is no longer affected.
//!
//! The documents are drafts (`tracking.status` `draft`): the publisher and the remediations
//! marked `TO COMPLETE` are for a person to complete before publishing.

pub mod types;

use super::Store;
use super::monitor::{ACCEPTED, AdvisoryImpact, MonitorReport};
use crate::error::Result;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use types::*;

/// Marks what a person must complete before publishing.
pub const TO_COMPLETE: &str = "TO COMPLETE";
pub const ENGINE: &str = env!("CARGO_PKG_NAME");

/// One monitored release of a product, as the documents name it.
#[derive(Debug, Clone)]
pub struct Version {
    pub version: String,
    pub target: String,
    pub product_id: String,
    /// Every shipped package name.
    pub crates: BTreeSet<String>,
    /// OpenVEX `not_affected` justifications of the release's own VEX, by advisory id.
    pub justified: BTreeMap<String, (String, String)>,
    pub artifacts: Vec<(String, String)>,
}

/// Every monitored release of `product`, oldest first.
pub fn versions(store: &dyn Store, report: &MonitorReport, product: &str) -> Result<Vec<Version>> {
    let monitored: BTreeSet<(&str, &str)> = report
        .monitored
        .iter()
        .filter(|r| r.product == product)
        .map(|r| (r.version.as_str(), r.target.as_str()))
        .collect();
    let mut out = Vec::new();
    for s in store.releases()? {
        if s.product != product || !monitored.contains(&(s.version.as_str(), s.target.as_str())) {
            continue;
        }
        let r = store.release(s.id)?;
        let mut justified = BTreeMap::new();
        for f in r.files.iter().filter(|f| f.path.ends_with(".openvex.json")) {
            let doc: Value = serde_json::from_slice(&store.blob(&f.sha256)?).unwrap_or_default();
            for st in doc["statements"].as_array().into_iter().flatten() {
                if let (Some(id), "not_affected", Some(j)) = (
                    st["vulnerability"]["name"].as_str(),
                    st["status"].as_str().unwrap_or_default(),
                    st["justification"].as_str(),
                ) {
                    let impact = st["impact_statement"].as_str().unwrap_or_default();
                    justified.insert(id.to_owned(), (j.to_owned(), impact.to_owned()));
                }
            }
        }
        out.push(Version {
            product_id: format!("{}-{}-{}", s.product, s.version, s.target),
            version: s.version,
            target: s.target,
            crates: r.components.iter().map(|c| c.name.clone()).collect(),
            justified,
            artifacts: r
                .artifacts
                .iter()
                .map(|a| (a.path.clone(), a.sha256.clone()))
                .collect(),
        });
    }
    out.sort_by(|a, b| {
        (version_key(&a.version), &a.target).cmp(&(version_key(&b.version), &b.target))
    });
    Ok(out)
}

/// Semver order where the version parses (else after every semver, by text).
pub fn version_key(v: &str) -> (Option<semver::Version>, String) {
    (semver::Version::parse(v).ok(), v.to_owned())
}

/// The products a vulnerability advisory of the run concerns (any status).
pub fn products(report: &MonitorReport) -> BTreeSet<String> {
    report
        .advisories
        .iter()
        .filter(|a| a.kind == "vulnerability")
        .flat_map(|a| a.affected.iter().map(|x| x.product.clone()))
        .collect()
}

/// The status of one version for one advisory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionStatus {
    /// Affected; the string is the monitor status (`affected`, `exception-expired`,
    /// `accepted` without justification).
    Affected(String),
    /// Not affected: the VEX justification and the impact statement.
    NotAffected(String, String),
    /// A later version than an affected one, no longer affected.
    Fixed,
}

/// Each version's status for `a` (the monitor's findings on `product`).
pub fn statuses(a: &AdvisoryImpact, versions: &[Version]) -> Vec<VersionStatus> {
    let hits = |v: &Version| {
        a.affected
            .iter()
            .filter(|x| x.version == v.version && x.target == v.target)
            .collect::<Vec<_>>()
    };
    let crates: BTreeSet<&str> = a.affected.iter().map(|x| x.krate.as_str()).collect();
    versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = hits(v);
            if !h.is_empty() {
                let open = h.iter().find(|x| x.status != ACCEPTED);
                return match (open, v.justified.get(&a.id)) {
                    (Some(x), _) => VersionStatus::Affected(x.status.clone()),
                    (None, Some((j, impact))) => {
                        VersionStatus::NotAffected(j.clone(), impact.clone())
                    }
                    (None, None) => VersionStatus::Affected(ACCEPTED.to_owned()),
                };
            }
            let earlier_hit = versions[..i]
                .iter()
                .any(|e| e.target == v.target && !hits(e).is_empty());
            if earlier_hit {
                VersionStatus::Fixed
            } else if crates.iter().any(|c| v.crates.contains(*c)) {
                VersionStatus::NotAffected(
                    "vulnerable_code_not_present".to_owned(),
                    format!(
                        "{} {} ships a version of {} outside the advisory's affected range.",
                        a.affected[0].product,
                        v.version,
                        crates.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                )
            } else {
                VersionStatus::NotAffected(
                    "component_not_present".to_owned(),
                    format!(
                        "{} {} does not ship {}.",
                        a.affected[0].product,
                        v.version,
                        crates.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                )
            }
        })
        .collect()
}

fn flag_label(j: &str) -> &'static str {
    match j {
        "component_not_present" => "component_not_present",
        "vulnerable_code_not_present" => "vulnerable_code_not_present",
        "vulnerable_code_not_in_execute_path" => "vulnerable_code_not_in_execute_path",
        "vulnerable_code_cannot_be_controlled_by_adversary" => {
            "vulnerable_code_cannot_be_controlled_by_adversary"
        }
        _ => "inline_mitigations_already_exist",
    }
}

/// The CSAF file name of a tracking id (CSAF 2.0 §5.1).
pub fn file_name(id: &str) -> String {
    let mut out = String::new();
    let mut last_sep = false;
    for c in id.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() || c == '+' || c == '-' {
            out.push(c);
            last_sep = false;
        } else if !last_sep {
            out.push('_');
            last_sep = true;
        }
    }
    format!("{out}.json")
}

/// The draft VEX of `product` (`None` when no vulnerability advisory concerns it).
pub fn document(
    store: &dyn Store,
    report: &MonitorReport,
    product: &str,
) -> Result<Option<(String, Csaf)>> {
    let versions = versions(store, report, product)?;
    let date = format!("{}T00:00:00Z", report.date);
    let mut vulnerabilities = Vec::new();
    for a in report
        .advisories
        .iter()
        .filter(|a| a.kind == "vulnerability")
    {
        if !a.affected.iter().any(|x| x.product == product) {
            continue;
        }
        let mine = AdvisoryImpact {
            affected: a
                .affected
                .iter()
                .filter(|x| x.product == product)
                .cloned()
                .collect(),
            ..a.clone()
        };
        vulnerabilities.push(vulnerability(&mine, &versions));
    }
    if vulnerabilities.is_empty() || versions.is_empty() {
        return Ok(None);
    }
    let id = format!("{product}-vex-{}", report.date);
    let db = format!(
        "the advisory database {}{}",
        report
            .advisory_db
            .commit
            .as_deref()
            .unwrap_or("(no commit)"),
        report
            .advisory_db
            .date
            .as_deref()
            .map(|d| format!(" of {d}"))
            .unwrap_or_default()
    );
    let doc = Csaf {
        document: Document {
            category: "csaf_vex",
            csaf_version: "2.0",
            lang: "en",
            notes: vec![Note {
                category: "general",
                title: Some("Draft".to_owned()),
                text: format!(
                    "Drafted by {ENGINE} monitor on {} from the evidence ledger {} against {db}. \
                     Review every statement; complete what is marked {TO_COMPLETE} (the \
                     publisher, the remediations) and set the tracking status before publishing.",
                    report.date, report.ledger
                ),
            }],
            publisher: Publisher {
                category: "vendor",
                name: format!("{TO_COMPLETE}: the publisher of {product}"),
                namespace: "https://example.invalid/to-complete".to_owned(),
                contact_details: Some(format!("{TO_COMPLETE}: the security contact")),
            },
            title: format!("{product}: vulnerability status of the supported releases"),
            tracking: Tracking {
                current_release_date: date.clone(),
                generator: Generator {
                    date: date.clone(),
                    engine: Engine {
                        name: ENGINE,
                        version: env!("CARGO_PKG_VERSION"),
                    },
                },
                id: id.clone(),
                initial_release_date: date.clone(),
                revision_history: vec![Revision {
                    date,
                    number: "1".to_owned(),
                    summary: format!("Drafted by {ENGINE} monitor."),
                }],
                status: "draft",
                version: "1".to_owned(),
            },
        },
        product_tree: tree(product, &versions),
        vulnerabilities,
    };
    Ok(Some((file_name(&id), doc)))
}

fn tree(product: &str, versions: &[Version]) -> ProductTree {
    let mut by_version: BTreeMap<(Option<semver::Version>, String), Vec<&Version>> =
        BTreeMap::new();
    for v in versions {
        by_version
            .entry(version_key(&v.version))
            .or_default()
            .push(v);
    }
    let version_branches = by_version
        .into_iter()
        .map(|((_, version), vs)| Branch {
            category: "product_version",
            name: version.clone(),
            product: None,
            branches: vs
                .iter()
                .map(|v| Branch {
                    category: "architecture",
                    name: v.target.clone(),
                    branches: Vec::new(),
                    product: Some(FullProductName {
                        name: format!("{product} {} ({})", v.version, v.target),
                        product_id: v.product_id.clone(),
                        product_identification_helper: Helper {
                            hashes: v
                                .artifacts
                                .iter()
                                .map(|(path, sha)| Hashes {
                                    file_hashes: vec![FileHash {
                                        algorithm: "sha256",
                                        value: sha.clone(),
                                    }],
                                    filename: path.rsplit('/').next().unwrap_or(path).to_owned(),
                                })
                                .collect(),
                            purl: format!("pkg:cargo/{product}@{}", v.version),
                        },
                    }),
                })
                .collect(),
        })
        .collect();
    ProductTree {
        branches: vec![Branch {
            category: "product_name",
            name: product.to_owned(),
            branches: version_branches,
            product: None,
        }],
    }
}

fn vulnerability(a: &AdvisoryImpact, versions: &[Version]) -> Vulnerability {
    let statuses = statuses(a, versions);
    let mut status = ProductStatus::default();
    let mut flags: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut threats = Vec::new();
    let mut remediations = Vec::new();
    for (v, s) in versions.iter().zip(&statuses) {
        match s {
            VersionStatus::Fixed => status.fixed.push(v.product_id.clone()),
            VersionStatus::NotAffected(j, impact) => {
                status.known_not_affected.push(v.product_id.clone());
                flags
                    .entry(flag_label(j))
                    .or_default()
                    .push(v.product_id.clone());
                threats.push(Threat {
                    category: "impact",
                    details: impact.clone(),
                    product_ids: vec![v.product_id.clone()],
                });
            }
            VersionStatus::Affected(monitor_status) => {
                status.known_affected.push(v.product_id.clone());
                remediations.push(remediation(a, versions, &statuses, v, monitor_status));
            }
        }
    }
    let hit = |v: &Version| {
        a.affected
            .iter()
            .filter(|x| x.version == v.version && x.target == v.target)
            .map(|x| format!("{} {} ({})", x.krate, x.crate_version, x.component_kind))
            .collect::<BTreeSet<_>>()
    };
    let shipped: BTreeSet<String> = versions.iter().flat_map(hit).collect();
    let scores = match (&a.cvss, a.cvss_score, &a.severity) {
        (Some(vector), Some(score), Some(severity)) if !status.known_affected.is_empty() => {
            vec![Score {
                cvss_v3: CvssV3 {
                    base_score: score,
                    base_severity: severity.to_uppercase(),
                    vector_string: vector.clone(),
                    version: vector
                        .strip_prefix("CVSS:")
                        .and_then(|v| v.get(..3))
                        .unwrap_or("3.1")
                        .to_owned(),
                },
                products: status.known_affected.clone(),
            }]
        }
        _ => Vec::new(),
    };
    Vulnerability {
        cve: a.aliases.iter().find(|x| x.starts_with("CVE-")).cloned(),
        flags: flags
            .into_iter()
            .map(|(label, product_ids)| Flag { label, product_ids })
            .collect(),
        ids: std::iter::once(Id {
            system_name: "RustSec".to_owned(),
            text: a.id.clone(),
        })
        .chain(
            a.aliases
                .iter()
                .filter(|x| x.starts_with("GHSA-"))
                .map(|x| Id {
                    system_name: "GitHub Security Advisory".to_owned(),
                    text: x.clone(),
                }),
        )
        .collect(),
        notes: vec![
            Note {
                category: "description",
                title: Some("Advisory".to_owned()),
                text: a.title.clone(),
            },
            Note {
                category: "details",
                title: Some("Affected packages".to_owned()),
                text: format!(
                    "Shipped in the product: {}; the advisory's {}.",
                    shipped.into_iter().collect::<Vec<_>>().join(", "),
                    a.patched
                ),
            },
        ],
        product_status: status,
        references: vec![Reference {
            category: "external",
            summary: format!("{} (RustSec)", a.id),
            url: a.url.clone(),
        }],
        remediations,
        scores,
        threats,
        title: a.title.clone(),
    }
}

/// What to do about an affected version: update to a later fixed one, the accepted risk, or
/// (no fixed release yet) what the advisory says, for a person to complete.
fn remediation(
    a: &AdvisoryImpact,
    versions: &[Version],
    statuses: &[VersionStatus],
    v: &Version,
    monitor_status: &str,
) -> Remediation {
    let fixed = versions
        .iter()
        .zip(statuses)
        .find(|(f, s)| **s == VersionStatus::Fixed && f.target == v.target)
        .map(|(f, _)| f.version.clone());
    let exception = a
        .affected
        .iter()
        .find(|x| x.version == v.version && x.target == v.target)
        .and_then(|x| x.exception.as_ref());
    let (category, details) = match (fixed, monitor_status, exception) {
        (Some(f), _, _) => (
            "vendor_fix",
            format!("Update to version {f}, which is not affected."),
        ),
        (None, ACCEPTED, Some(e)) => (
            "no_fix_planned",
            format!(
                "The risk is accepted by {} until {}: {}",
                e.approved_by, e.expires, e.reason
            ),
        ),
        (None, _, _) => (
            "none_available",
            format!(
                "No retained release fixes it yet; the advisory's {}. {TO_COMPLETE}: the \
                 planned fix release or a workaround.",
                a.patched
            ),
        ),
    };
    Remediation {
        category,
        details,
        product_ids: vec![v.product_id.clone()],
    }
}
