//! THE advisory matcher: which advisories affect a package version on a target, and which
//! policy exception (if any) accepts one on a date. Every caller (the gate, the SBOM through
//! the gate's hits, `inspect`) goes through here.

use super::db::AdvisoryDb;
use crate::policy::AdvisoryException;
use crate::util::time::Day;
use rustsec::advisory::Advisory;
use rustsec::platforms::Platform;
use serde_spanned::Spanned;

/// The advisories affecting `name version` (a crates.io package) on `target` (every platform
/// when `None`); withdrawn advisories are skipped.
pub fn affecting<'a>(
    db: &'a AdvisoryDb,
    name: &str,
    version: &semver::Version,
    target: Option<&Platform>,
) -> Vec<&'a Advisory> {
    let Some(advisories) = db.by_crate.get(name) else {
        return Vec::new();
    };
    advisories
        .iter()
        .filter(|adv| {
            adv.metadata.withdrawn.is_none()
                && adv.versions.is_vulnerable(version)
                && affects_target(adv, target)
        })
        .collect()
}

/// The advisories about `name` whose patched ranges hold `version` (on `target`): the shipped
/// version carries the fix. Withdrawn advisories are skipped.
pub fn patched_in<'a>(
    db: &'a AdvisoryDb,
    name: &str,
    version: &semver::Version,
    target: Option<&Platform>,
) -> Vec<&'a Advisory> {
    let Some(advisories) = db.by_crate.get(name) else {
        return Vec::new();
    };
    advisories
        .iter()
        .filter(|adv| {
            adv.metadata.withdrawn.is_none()
                && !adv.versions.is_vulnerable(version)
                && adv.versions.patched().iter().any(|r| r.matches(version))
                && affects_target(adv, target)
        })
        .collect()
}

/// Whether an advisory limited to some OS/arch applies to the target (always when there is
/// no single target).
pub fn affects_target(adv: &Advisory, target: Option<&Platform>) -> bool {
    let (Some(affected), Some(target)) = (&adv.affected, target) else {
        return true;
    };
    (affected.arch.is_empty() || affected.arch.contains(&target.target_arch))
        && (affected.os.is_empty() || affected.os.contains(&target.target_os))
}

/// Whether an advisory is `id` itself or lists `id` as an alias (CVE-…, GHSA-…).
pub fn is_named(adv: &Advisory, id: &str) -> bool {
    adv.id().as_str() == id || adv.metadata.aliases.iter().any(|a| a.as_str() == id)
}

/// The exceptions matching an advisory on a crate: (the one valid on `date`, all matching).
pub fn exceptions_for(
    exceptions: &[Spanned<AdvisoryException>],
    adv: &Advisory,
    krate: &str,
    date: Day,
) -> (Option<usize>, Vec<usize>) {
    let matching: Vec<usize> = (0..exceptions.len())
        .filter(|&i| {
            let e = exceptions[i].get_ref();
            e.krate == krate && is_named(adv, &e.id.0)
        })
        .collect();
    let valid = matching
        .iter()
        .copied()
        .find(|&i| exceptions[i].get_ref().expires >= date);
    (valid, matching)
}

/// `vulnerability`, or the informational kind (`unmaintained`, `unsound`, `notice`, …).
pub fn kind_text(adv: &Advisory) -> String {
    match &adv.metadata.informational {
        None => "vulnerability".to_owned(),
        Some(i) => i.as_str().to_owned(),
    }
}

/// The upgrade advice: the patched version ranges, or that none exists.
pub fn patched_text(adv: &Advisory) -> String {
    let p = adv.versions.patched();
    if p.is_empty() {
        "no patched version exists; replace the crate".to_owned()
    } else {
        let v: Vec<String> = p.iter().map(|r| r.to_string()).collect();
        format!("patched versions are {}", v.join(" or "))
    }
}

/// The target platform as RustSec knows it (`None` for an unknown triple or no target).
pub fn platform(target: Option<&str>) -> Option<&'static Platform> {
    target.and_then(Platform::find)
}
