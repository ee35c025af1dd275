//! RustSec: advisories affecting shipped versions, exceptions, and the DB's own health. The
//! hits (package, advisory, accepting exception) are kept as data for the SBOM and the VEX.

use super::Context;
use crate::advisories::matcher::{self, is_named, kind_text, patched_text};
use crate::findings::{Code, Finding, Severity};
use crate::policy::InformationalKind;
use crate::util::text::first_line;
use crate::workspace::Source;
use rustsec::advisory::Informational;
use serde::Serialize;

/// One advisory affecting one shipped package, decided once here.
#[derive(Debug, Clone, Serialize)]
pub struct AdvisoryHit {
    /// The package (its id in the graph).
    #[serde(skip)]
    pub package: guppy::PackageId,
    pub name: String,
    pub version: String,
    /// The advisory id (`RUSTSEC-…`).
    pub advisory: String,
    /// Index of the advisory in the DB's list for the crate.
    #[serde(skip)]
    pub index: usize,
    /// Index of the valid exception accepting it on the evaluation date, if any.
    #[serde(skip)]
    pub accepted: Option<usize>,
}

pub fn check(cx: &Context<'_>) -> (Vec<Finding>, Vec<AdvisoryHit>) {
    let mut findings = Vec::new();
    let mut hits = Vec::new();
    let adv_policy = &cx.policy.data.advisories;
    let db = cx.db;

    match db.day {
        Some(day) => {
            let age = day.days_until(cx.date);
            if age > i64::from(adv_policy.max_age_days) {
                findings.push(Finding::new(
                    Code::DbStale,
                    format!(
                        "advisory database at {} is from {day}, {age} days before {}; max-age-days is {}",
                        db.info.path, cx.date, adv_policy.max_age_days
                    ),
                    "run `cargo release-evidence db fetch` (or `git pull` in the DB), or raise [advisories] max-age-days".to_owned(),
                ));
            }
        }
        None => findings.push(Finding::new(
            Code::DbStale,
            format!(
                "advisory database at {} has no date (no git history, no SNAPSHOT.txt, no advisories)",
                db.info.path
            ),
            "run `cargo release-evidence db fetch` to get a dated database".to_owned(),
        )),
    }
    for skipped in &db.info.skipped {
        // A file about a crate that ships could hide a vulnerability: fail closed.
        let krate = skipped.path.split('/').nth(1).unwrap_or_default();
        let ships = cx.packages.iter().any(|p| p.name == krate);
        findings.push(
            Finding::new(
                Code::DbAdvisorySkipped,
                format!(
                    "unreadable or malformed advisory {}/{}{}: {}",
                    db.info.path,
                    skipped.path,
                    if ships {
                        format!(" about `{krate}`, which ships; it could hide a vulnerability")
                    } else {
                        String::new()
                    },
                    first_line(&skipped.error, 200)
                ),
                "fix or remove the file, or update the advisory database".to_owned(),
            )
            .severity(if ships {
                Severity::Error
            } else {
                Severity::Warning
            }),
        );
    }
    if let Some(fetch) = &db.info.fetched
        && !fetch.ok
    {
        findings.push(Finding::new(
            Code::DbFetchFailed,
            format!(
                "fetching {} failed: {}",
                fetch.url,
                first_line(fetch.error.as_deref().unwrap_or("unknown error"), 200)
            ),
            "check network access, or pass --offline to use the local database knowingly"
                .to_owned(),
        ));
    }

    let target = matcher::platform(cx.target.as_deref());
    let exceptions = &adv_policy.exception;
    let mut exception_used = vec![false; exceptions.len()];

    for pkg in cx.packages.iter().filter(|p| p.source == Source::CratesIo) {
        for adv in matcher::affecting(db, &pkg.name, &pkg.version, target) {
            let id = adv.id().as_str().to_owned();
            let package = pkg.package_ref();
            let (valid, matching) = matcher::exceptions_for(exceptions, adv, &pkg.name, cx.date);
            for &i in &matching {
                exception_used[i] = true;
            }
            hits.push(AdvisoryHit {
                package: pkg.id.clone(),
                name: pkg.name.clone(),
                version: pkg.version.to_string(),
                advisory: id.clone(),
                index: db.by_crate[&pkg.name]
                    .iter()
                    .position(|a| std::ptr::eq(a, adv))
                    .expect("the advisory comes from this list"),
                accepted: valid,
            });
            let title = adv.title().trim();
            let patched = patched_text(adv);
            if let Some(i) = valid {
                let e = exceptions[i].get_ref();
                findings.push(
                    Finding::new(
                        Code::VulnerabilityAccepted,
                        format!(
                            "{id} ({}) affects {package}: {title}; accepted by {} until {}: {}",
                            kind_text(adv),
                            e.approved_by,
                            e.expires,
                            e.reason
                        ),
                        format!("before {}, upgrade: {patched}", e.expires),
                    )
                    .package(package)
                    .advisory(id)
                    .via(cx.via(pkg))
                    .location(Some(cx.policy.location(&exceptions[i]))),
                );
                continue;
            }
            for &i in &matching {
                let e = exceptions[i].get_ref();
                findings.push(
                    Finding::new(
                        Code::ExceptionExpired,
                        format!(
                            "exception for {id} on {} expired on {} (approved by {})",
                            e.krate, e.expires, e.approved_by
                        ),
                        format!(
                            "upgrade {}: {patched}; or have the risk re-assessed and set a new `expires`",
                            pkg.name
                        ),
                    )
                    .package(package.clone())
                    .advisory(id.clone())
                    .location(Some(cx.policy.location(&exceptions[i]))),
                );
            }
            let (code, severity) = match &adv.metadata.informational {
                None => (Code::Vulnerability, Severity::Error),
                Some(info) => {
                    let kind = match info {
                        Informational::Unmaintained => Some(InformationalKind::Unmaintained),
                        Informational::Unsound => Some(InformationalKind::Unsound),
                        Informational::Notice => Some(InformationalKind::Notice),
                        _ => None,
                    };
                    let blocks = kind.is_some_and(|k| adv_policy.block_informational.contains(&k));
                    (
                        Code::Informational,
                        if blocks {
                            Severity::Error
                        } else {
                            Severity::Warning
                        },
                    )
                }
            };
            let location = matching
                .first()
                .map(|&i| cx.policy.location(&exceptions[i]));
            findings.push(
                Finding::new(
                    code,
                    format!("{id} ({}) affects {package}: {title}", kind_text(adv)),
                    format!(
                        "upgrade {}: {patched}; or record a decided [[advisories.exception]] id = \"{id}\", crate = \"{}\", reason, approved-by, expires",
                        pkg.name, pkg.name
                    ),
                )
                .severity(severity)
                .package(package)
                .advisory(id)
                .via(cx.via(pkg))
                .location(location),
            );
        }
    }

    for (i, e) in exceptions.iter().enumerate() {
        let x = e.get_ref();
        if !exception_used[i] && !affects_graph(cx, &x.krate, &x.id.0) {
            let expired = if x.expires < cx.date {
                format!(" (and it expired on {})", x.expires)
            } else {
                String::new()
            };
            findings.push(
                Finding::new(
                    Code::ExceptionUnused,
                    format!(
                        "[[advisories.exception]] {} for `{}` matches no advisory affecting any version of the crate in the dependency graph{expired}",
                        x.id.0, x.krate
                    ),
                    "remove the exception".to_owned(),
                )
                .location(Some(cx.policy.location(e))),
            );
        }
    }
    (findings, hits)
}

/// Whether advisory `id` affects a version of `krate` anywhere in the dependency graph.
fn affects_graph(cx: &Context<'_>, krate: &str, id: &str) -> bool {
    let Some(advisories) = cx.db.by_crate.get(krate) else {
        return false;
    };
    let versions = cx.graph_versions(krate);
    advisories
        .iter()
        .any(|adv| is_named(adv, id) && versions.iter().any(|v| adv.versions.is_vulnerable(v)))
}
