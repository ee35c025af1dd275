//! RustSec: advisories affecting shipped versions, exceptions, and the DB's own health.

use super::Context;
use crate::advisory_db::AdvisoryDb;
use crate::findings::{Code, Finding, Severity};
use crate::policy::InformationalKind;
use crate::policy::Policy;
use crate::policy::values::Day;
use crate::workspace::{ShippedPackage, Source};
use rustsec::advisory::{Advisory, Informational};
use rustsec::platforms;

pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
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
        findings.push(Finding::new(
            Code::DbAdvisorySkipped,
            format!(
                "skipped malformed advisory {}/{}: {}",
                db.info.path,
                skipped.path,
                first_line(&skipped.error)
            ),
            "fix or remove the file, or update the advisory database".to_owned(),
        ));
    }
    if let Some(fetch) = &db.info.fetched
        && !fetch.ok
    {
        findings.push(Finding::new(
            Code::DbFetchFailed,
            format!(
                "fetching {} failed: {}",
                fetch.url,
                first_line(fetch.error.as_deref().unwrap_or("unknown error"))
            ),
            "check network access, or pass --offline to use the local database knowingly"
                .to_owned(),
        ));
    }

    let target = cx.target.as_deref().and_then(platforms::Platform::find);
    let exceptions = &adv_policy.exception;
    let mut exception_used = vec![false; exceptions.len()];

    for pkg in cx.packages {
        for adv in affecting(db, pkg, target) {
            let id = adv.id().as_str().to_owned();
            let package = pkg.package_ref();
            let (valid, matching) = exceptions_for(cx.policy, adv, &pkg.name, cx.date);
            for &i in &matching {
                exception_used[i] = true;
            }
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
    findings
}

/// The advisories affecting a shipped package on the target (every platform when `None`):
/// crates.io packages only, withdrawn advisories skipped.
pub fn affecting<'a>(
    db: &'a AdvisoryDb,
    pkg: &ShippedPackage,
    target: Option<&platforms::Platform>,
) -> Vec<&'a Advisory> {
    if pkg.source != Source::CratesIo {
        return Vec::new();
    }
    let Some(advisories) = db.by_crate.get(&pkg.name) else {
        return Vec::new();
    };
    advisories
        .iter()
        .filter(|adv| {
            adv.metadata.withdrawn.is_none()
                && adv.versions.is_vulnerable(&pkg.version)
                && affects_target(adv, target)
        })
        .collect()
}

/// The exceptions matching an advisory on a crate: (the one valid on `date`, all matching).
pub fn exceptions_for(
    policy: &Policy,
    adv: &Advisory,
    krate: &str,
    date: Day,
) -> (Option<usize>, Vec<usize>) {
    let exceptions = &policy.data.advisories.exception;
    let id = adv.id().as_str();
    let matching: Vec<usize> = (0..exceptions.len())
        .filter(|&i| {
            let e = exceptions[i].get_ref();
            e.krate == krate
                && (e.id.0 == id || adv.metadata.aliases.iter().any(|a| a.as_str() == e.id.0))
        })
        .collect();
    let valid = matching
        .iter()
        .copied()
        .find(|&i| exceptions[i].get_ref().expires >= date);
    (valid, matching)
}

/// Whether advisory `id` affects a version of `krate` anywhere in the dependency graph.
fn affects_graph(cx: &Context<'_>, krate: &str, id: &str) -> bool {
    let Some(advisories) = cx.db.by_crate.get(krate) else {
        return false;
    };
    let versions = cx.graph_versions(krate);
    advisories.iter().any(|adv| {
        (adv.id().as_str() == id || adv.metadata.aliases.iter().any(|a| a.as_str() == id))
            && versions.iter().any(|v| adv.versions.is_vulnerable(v))
    })
}

/// Whether an advisory limited to some OS/arch applies to the target (always with
/// `--all-platforms`, where there is no single target).
fn affects_target(adv: &Advisory, target: Option<&platforms::Platform>) -> bool {
    let (Some(affected), Some(target)) = (&adv.affected, target) else {
        return true;
    };
    (affected.arch.is_empty() || affected.arch.contains(&target.target_arch))
        && (affected.os.is_empty() || affected.os.contains(&target.target_os))
}

pub fn kind_text(adv: &Advisory) -> String {
    match &adv.metadata.informational {
        None => "vulnerability".to_owned(),
        Some(i) => i.as_str().to_owned(),
    }
}

pub fn patched_text(adv: &Advisory) -> String {
    let p = adv.versions.patched();
    if p.is_empty() {
        "no patched version exists; replace the crate".to_owned()
    } else {
        let v: Vec<String> = p.iter().map(|r| r.to_string()).collect();
        format!("patched versions are {}", v.join(" or "))
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}
