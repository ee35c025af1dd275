//! A SOUP item's level of support and end of support (FDA 524B's "level of support" and
//! "end-of-support date"), from what is known offline: a RustSec `unmaintained` advisory (its
//! date is the end of support), the gate's yanked finding, and the crate's entry in cargo's
//! local crates.io index cache (the latest published, non-yanked version, and the publication
//! dates crates.io records in each entry's `pubtime`). A date the cache does not hold is recorded
//! as unknown, never guessed.

use crate::checks::yanked::IndexFacts;
use serde::Serialize;

/// `soup.json`'s `support` of one item.
#[derive(Debug, Clone, Serialize)]
pub struct Support {
    /// `unmaintained` (a RustSec unmaintained advisory applies), `yanked` (the locked version
    /// is yanked), `maintained` (neither, and the version is published on crates.io as the local
    /// index cache shows), or `unknown` (not a crates.io package, or not in the index cache).
    pub level: &'static str,
    /// Why the level is what it is, in words.
    pub basis: String,
    /// The date of the RustSec unmaintained advisory, else `none declared`.
    pub end_of_support: String,
    /// The advisory `end_of_support` comes from.
    pub end_of_support_source: Option<String>,
    /// The highest published, non-yanked version in the local crates.io index cache (stable
    /// versions first); `null` when the crate is not cached or not from crates.io.
    pub latest_version: Option<String>,
    /// The day the shipped version was published (its index entry's `pubtime`), when known.
    pub version_release_date: Option<String>,
    /// The day of the crate's most recent publication of a version not yanked since (any
    /// version line), when known; `last_release_version` names that version.
    pub last_release_date: Option<String>,
    pub last_release_version: Option<String>,
    /// Where the dates come from, or why they are unknown.
    pub last_release_note: String,
}

/// What the index cache says about a crate.
pub enum Index {
    /// Not a crates.io package.
    NotCratesIo,
    /// No entry in the local index cache (or one that cannot be read).
    NotCached,
    /// The cache entry: the latest non-yanked version, whether the locked one is published,
    /// and the publication days the entry records.
    Cached {
        latest: Option<String>,
        has_version: bool,
        dates: Dates,
    },
}

/// Publication days (`YYYY-MM-DD`) from the index entries' `pubtime`.
#[derive(Debug, Default)]
pub struct Dates {
    /// Of the locked version.
    pub version: Option<String>,
    /// The most recent publication of a version not yanked: `(day, version)`.
    pub last: Option<(String, String)>,
}

/// What crate `name`'s index cache entry says about `version` (crates.io packages only): the
/// yanked check's reading when it read the entry (`read`), else the entry read now.
pub fn index(read: &IndexFacts, name: &str, version: &str, crates_io: bool) -> Index {
    if !crates_io {
        return Index::NotCratesIo;
    }
    let facts = match read.get(&(name.to_owned(), version.to_owned())) {
        Some(facts) => facts.clone(),
        None => match crate::checks::yanked::read_facts(name, version) {
            Some(facts) => facts,
            None => return Index::NotCached,
        },
    };
    Index::Cached {
        latest: facts.latest,
        has_version: facts.has_version,
        dates: Dates {
            version: facts.version_day,
            last: facts.last,
        },
    }
}

/// The support of one item: `unmaintained` is `(advisory id, date)` of the first RustSec
/// unmaintained advisory on it.
pub fn support(unmaintained: Option<(&str, &str)>, yanked: bool, index: Index) -> Support {
    let (latest, index_says) = match &index {
        Index::NotCratesIo => (None, "not a crates.io package".to_owned()),
        Index::NotCached => (
            None,
            "no entry in the local crates.io index cache".to_owned(),
        ),
        Index::Cached {
            latest,
            has_version,
            ..
        } => (
            latest.clone(),
            format!(
                "the local crates.io index cache lists {} (latest non-yanked: {})",
                if *has_version {
                    "this version"
                } else {
                    "other versions only"
                },
                latest.as_deref().unwrap_or("none")
            ),
        ),
    };
    let (level, basis) = if let Some((id, date)) = unmaintained {
        (
            "unmaintained",
            format!("RustSec {id} declares the crate unmaintained ({date}); {index_says}"),
        )
    } else if yanked {
        (
            "yanked",
            format!("the release gate found this version yanked; {index_says}"),
        )
    } else {
        match index {
            Index::Cached {
                has_version: true, ..
            } => (
                "maintained",
                format!("no RustSec unmaintained advisory; {index_says}"),
            ),
            _ => (
                "unknown",
                format!("no RustSec unmaintained advisory; {index_says}"),
            ),
        }
    };
    let (dates, note) = match index {
        Index::Cached { dates, .. } => {
            let note = match (&dates.version, &dates.last) {
                (_, Some(_)) => {
                    "from the `pubtime` crates.io records in the local index cache entry"
                }
                (Some(_), None) => {
                    "the local index cache entry dates this version, but no version that is not yanked"
                }
                (None, None) => {
                    "unknown: the local index cache entry records no `pubtime` (refresh it with `cargo update` or `cargo fetch`)"
                }
            };
            (dates, note)
        }
        Index::NotCached => (
            Dates::default(),
            "unknown: the crate has no entry in the local crates.io index cache",
        ),
        Index::NotCratesIo => (Dates::default(), "unknown: not a crates.io package"),
    };
    let (last_day, last_version) = dates.last.unzip();
    Support {
        level,
        basis,
        end_of_support: unmaintained.map_or_else(|| "none declared".to_owned(), |u| u.1.to_owned()),
        end_of_support_source: unmaintained.map(|u| u.0.to_owned()),
        latest_version: latest,
        version_release_date: dates.version,
        last_release_date: last_day,
        last_release_version: last_version,
        last_release_note: note.to_owned(),
    }
}
