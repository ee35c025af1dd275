//! A SOUP item's level of support and end of support (FDA 524B's "level of support" and
//! "end-of-support date"), from what is known offline: a RustSec `unmaintained` advisory (its
//! date is the end of support), the gate's yanked finding, and the crate's entry in cargo's
//! local crates.io index cache (the latest published, non-yanked version). The index carries no
//! publication dates, so the last release date is recorded as unknown rather than guessed.

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
    /// Always `null` offline: the index does not carry release dates (see `last_release_note`).
    pub last_release_date: Option<String>,
    pub last_release_note: String,
}

/// What the index cache says about a crate.
pub enum Index {
    /// Not a crates.io package.
    NotCratesIo,
    /// No entry in the local index cache (or one that cannot be read).
    NotCached,
    /// The cache entry: the latest non-yanked version, whether the locked one is published.
    Cached {
        latest: Option<String>,
        has_version: bool,
    },
}

/// Reads crate `name`'s index cache entry (crates.io packages only).
pub fn index(name: &str, version: &str, crates_io: bool) -> Index {
    if !crates_io {
        return Index::NotCratesIo;
    }
    let Some(bytes) = crate::checks::yanked::cached_entry(name) else {
        return Index::NotCached;
    };
    let Ok(entry) = tame_index::index::cache::ValidCacheEntry::read(&bytes) else {
        return Index::NotCached;
    };
    let mut has_version = false;
    let mut versions: Vec<(semver::Version, &[u8])> = Vec::new();
    let mut parts = tame_index::utils::split(entry.version_entries, 0);
    while let (Some(v), Some(json)) = (parts.next(), parts.next()) {
        has_version |= v == version.as_bytes();
        if let Some(parsed) = std::str::from_utf8(v)
            .ok()
            .and_then(|v| semver::Version::parse(v).ok())
        {
            versions.push((parsed, json));
        }
    }
    // Stable versions before pre-releases, the highest first; the first that is not yanked is
    // the latest. Only the entries looked at are parsed (all of a large crate would be slow).
    versions.sort_by(|(a, _), (b, _)| (b.pre.is_empty(), b).cmp(&(a.pre.is_empty(), a)));
    let latest = versions
        .iter()
        .find(|(_, json)| !yanked(json))
        .map(|(v, _)| v);
    Index::Cached {
        latest: latest.map(|l| l.to_string()),
        has_version,
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
    Support {
        level,
        basis,
        end_of_support: unmaintained.map_or_else(|| "none declared".to_owned(), |u| u.1.to_owned()),
        end_of_support_source: unmaintained.map(|u| u.0.to_owned()),
        latest_version: latest,
        last_release_date: None,
        last_release_note: "unknown: the crates.io index (and its local cache) records no publication dates; read it from crates.io online".to_owned(),
    }
}

/// Whether an index entry (one version's JSON line) is yanked; an entry that does not parse
/// counts as yanked (it is never named the latest version).
fn yanked(json: &[u8]) -> bool {
    crate::checks::yanked::entry_yanked(json).unwrap_or(true)
}
