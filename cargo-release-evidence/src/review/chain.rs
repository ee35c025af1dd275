//! Approvals at versions other than the locked one: which earlier version a delta review
//! builds on (`review approve`, `review diff`).

use crate::checks::approvals::{entry_counts, source_matches};
use crate::policy::Approval;
use crate::util::time::Day;
use crate::workspace::ShippedPackage;
use semver::{Op, Version, VersionReq};
use serde_spanned::Spanned;

/// Whether a review of the package's crate at `version` counts (a delta chains down to a full
/// review; a baseline entry is no review to build on).
pub fn approved_at(
    entries: &[Spanned<Approval>],
    pkg: &ShippedPackage,
    version: &Version,
    date: Day,
) -> bool {
    (0..entries.len()).any(|i| {
        let e = entries[i].get_ref();
        e.name == pkg.name
            && !e.baseline
            && e.version.0.matches(version)
            && source_matches(e.source.as_deref(), pkg)
            && entry_counts(entries, i, pkg, date)
    })
}

/// The newest version below the locked one that an entry names exactly (`=1.2.3`) and whose
/// approval counts.
pub fn newest_approved_before(
    entries: &[Spanned<Approval>],
    pkg: &ShippedPackage,
    date: Day,
) -> Option<Version> {
    entries
        .iter()
        .map(|e| e.get_ref())
        .filter(|e| e.name == pkg.name)
        .filter_map(|e| exact(&e.version.0))
        .filter(|v| *v < pkg.version && approved_at(entries, pkg, v, date))
        .max()
}

/// The version an `=X.Y.Z` requirement names.
fn exact(req: &VersionReq) -> Option<Version> {
    match req.comparators.as_slice() {
        [c] if c.op == Op::Exact => Some(Version {
            major: c.major,
            minor: c.minor?,
            patch: c.patch?,
            pre: c.pre.clone(),
            build: semver::BuildMetadata::EMPTY,
        }),
        _ => None,
    }
}
