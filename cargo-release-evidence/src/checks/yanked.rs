//! Yanked versions, read offline from the crates.io index cache cargo keeps in
//! `$CARGO_HOME/registry/index/*/.cache`. With no cache the check says it did not run.

use super::Context;
use crate::findings::{Code, Finding};
use crate::workspace::{ShippedPackage, Source};
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use tame_index::index::cache::ValidCacheEntry;

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct YankedStatus {
    /// Whether the check ran at all.
    pub ran: bool,
    pub checked: usize,
    /// Packages whose index entry is not cached locally.
    pub unchecked: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The local cache directories of the crates.io index (sparse and git protocols).
fn index_cache_dirs() -> Vec<PathBuf> {
    candidate_cache_dirs()
        .into_iter()
        .filter(|d| d.is_dir())
        .collect()
}

/// Where cargo keeps the crates.io index cache, whether it exists or not.
fn candidate_cache_dirs() -> Vec<PathBuf> {
    let Some(home) = crate::util::paths::cargo_home() else {
        return Vec::new();
    };
    let index = home.join("registry").join("index");
    let mut dirs = Vec::new();
    for url in [
        tame_index::index::sparse::CRATES_IO_HTTP_INDEX,
        tame_index::index::git::CRATES_IO_INDEX,
    ] {
        for stable in [true, false] {
            if let Ok(d) = tame_index::utils::url_to_local_dir(url, stable) {
                let cache = index.join(&d.dir_name).join(".cache");
                if !dirs.contains(&cache) {
                    dirs.push(cache);
                }
            }
        }
    }
    dirs
}

/// The index-cache files the check reads for `packages` (present or not), and the cache
/// directories themselves: what its answer depends on (for the gate's result cache).
pub fn index_files(packages: &[crate::workspace::ShippedPackage]) -> Vec<PathBuf> {
    let dirs = index_cache_dirs();
    let mut files: Vec<PathBuf> = candidate_cache_dirs();
    for pkg in packages.iter().filter(|p| p.source == Source::CratesIo) {
        if let Ok(name) = tame_index::KrateName::crates_io(&pkg.name) {
            let rel = name.relative_path(None);
            files.extend(dirs.iter().map(|d| d.join(&rel)));
        }
    }
    files
}

/// The local crates.io index cache entry of crate `name` (cargo's cache format) in the first of
/// `dirs` that has it.
fn cached_entry(dirs: &[PathBuf], name: &str) -> Option<Vec<u8>> {
    let rel = tame_index::KrateName::crates_io(name)
        .ok()?
        .relative_path(None);
    dirs.iter().find_map(|d| std::fs::read(d.join(&rel)).ok())
}

/// What crate `name`'s index cache entry says about `version`, read now: `None` when there is
/// no entry or it does not parse.
pub fn read_facts(name: &str, version: &str) -> Option<EntryFacts> {
    let bytes = cached_entry(&index_cache_dirs(), name)?;
    let entry = ValidCacheEntry::read(&bytes).ok()?;
    Some(entry_facts(entry.version_entries, version))
}

/// The yanked check: its findings, its status, and what each package's index cache entry says
/// (kept for the SOUP list, so the main job reads each entry once).
pub fn check(cx: &Context<'_>) -> (Vec<Finding>, YankedStatus, IndexFacts) {
    let dirs = index_cache_dirs();
    let crates_io: Vec<_> = cx
        .packages
        .iter()
        .filter(|p| p.source == Source::CratesIo)
        .collect();
    if dirs.is_empty() {
        let status = YankedStatus {
            ran: false,
            checked: 0,
            unchecked: crates_io
                .iter()
                .map(|p| p.package_ref().to_string())
                .collect(),
            reason: Some("no local crates.io index cache in $CARGO_HOME/registry/index".into()),
        };
        let findings = if crates_io.is_empty() {
            Vec::new()
        } else {
            vec![Finding::new(
                Code::YankedCheckSkipped,
                "yanked check not run: no local crates.io index cache in $CARGO_HOME/registry/index".to_owned(),
                "run `cargo fetch` (or any cargo build) once online so cargo caches the index".to_owned(),
            )]
        };
        return (findings, status, IndexFacts::new());
    }
    // Reading the entries (tens of MB for a large workspace) is split over two threads; the
    // findings are made in the packages' order from what each read.
    let want_facts = cx.index_facts;
    let (first, second) = crates_io.split_at(crates_io.len() / 2);
    let read_all = |pkgs: &[&ShippedPackage]| -> Vec<Read> {
        pkgs.iter()
            .map(|p| read_one(&dirs, p, want_facts))
            .collect()
    };
    let mut reads = std::thread::scope(|s| {
        let other = s.spawn(|| read_all(second));
        let mut reads = read_all(first);
        reads.extend(other.join().unwrap_or_default());
        reads
    });
    // A panicked thread left its half unread: those packages are unchecked (fail closed).
    reads.resize_with(crates_io.len(), || Read::Unchecked);
    let mut findings = Vec::new();
    let mut facts = IndexFacts::new();
    let mut checked = 0;
    let mut unchecked = Vec::new();
    for (pkg, read) in crates_io.iter().zip(reads) {
        let Read::Checked {
            yanked,
            facts: entry,
        } = read
        else {
            unchecked.push(pkg.package_ref().to_string());
            continue;
        };
        if let Some(entry) = entry {
            facts.insert((pkg.name.clone(), pkg.version.to_string()), entry);
        }
        checked += 1;
        if yanked {
            findings.push(
                Finding::new(
                    Code::Yanked,
                    format!("{} has been yanked from crates.io", pkg.package_ref()),
                    format!(
                        "`cargo update -p {}@{}` to a version that is not yanked",
                        pkg.name, pkg.version
                    ),
                )
                .package(pkg.package_ref())
                .via(cx.via(pkg)),
            );
        }
    }
    if !unchecked.is_empty() {
        findings.push(Finding::new(
            Code::YankedCheckSkipped,
            format!(
                "yanked check not run for {} package(s) not in the local index cache: {}",
                unchecked.len(),
                unchecked.join(", ")
            ),
            "run `cargo update --dry-run` or `cargo fetch` once online to refresh the index cache"
                .to_owned(),
        ));
    }
    (
        findings,
        YankedStatus {
            ran: true,
            checked,
            unchecked,
            reason: None,
        },
        facts,
    )
}

/// What the index cache says about one package.
enum Read {
    /// No entry, an entry that does not parse, or the version not listed in it.
    Unchecked,
    Checked {
        yanked: bool,
        /// With `index_facts`: the entry's facts for the SOUP list.
        facts: Option<EntryFacts>,
    },
}

fn read_one(dirs: &[PathBuf], pkg: &ShippedPackage, want_facts: bool) -> Read {
    let Some(bytes) = cached_entry(dirs, &pkg.name) else {
        return Read::Unchecked;
    };
    let Ok(entry) = ValidCacheEntry::read(&bytes) else {
        return Read::Unchecked;
    };
    let version = pkg.version.to_string();
    let (yanked, facts) = if want_facts {
        let facts = entry_facts(entry.version_entries, &version);
        (facts.yanked, Some(facts))
    } else {
        (yanked_in(entry.version_entries, &version), None)
    };
    match yanked {
        Some(yanked) => Read::Checked { yanked, facts },
        None => Read::Unchecked,
    }
}

/// Finds `version` among a cache entry's `version\0json\0` pairs and reads only that
/// version's `yanked` flag.
fn yanked_in(entries: &[u8], version: &str) -> Option<bool> {
    let mut parts = tame_index::utils::split(entries, 0);
    while let (Some(v), Some(json)) = (parts.next(), parts.next()) {
        if v == version.as_bytes() {
            return entry_yanked(json);
        }
    }
    None
}

/// What a crate's index cache entry says about one of its versions: read once by the yanked
/// check, reused by the SOUP list's level of support (`evidence::support`).
#[derive(Debug, Clone, Default)]
pub struct EntryFacts {
    /// The version is listed.
    pub has_version: bool,
    /// The version's `yanked` flag; `None` when it is not listed or its line does not parse.
    pub yanked: Option<bool>,
    /// The highest version not yanked (stable versions before pre-releases).
    pub latest: Option<String>,
    /// The day (`YYYY-MM-DD`) the version was published, from its `pubtime`.
    pub version_day: Option<String>,
    /// The most recent publication of a version not yanked since: `(day, version)`.
    pub last: Option<(String, String)>,
}

/// [`EntryFacts`] of the packages the yanked check read, by (name, version).
pub type IndexFacts = HashMap<(String, String), EntryFacts>;

/// Reads a cache entry's `version\0json\0` pairs for `version`. Only the lines looked at are
/// parsed as JSON (all of a large crate would be slow); publication days are found from the
/// end of each line, where crates.io writes `pubtime`.
fn entry_facts(entries: &[u8], version: &str) -> EntryFacts {
    let mut facts = EntryFacts::default();
    let mut versions: Vec<(semver::Version, &[u8])> = Vec::new();
    let mut published: Vec<(&str, &[u8], &[u8])> = Vec::new();
    let mut parts = tame_index::utils::split(entries, 0);
    while let (Some(v), Some(json)) = (parts.next(), parts.next()) {
        let day = pubday(json);
        if v == version.as_bytes() && !facts.has_version {
            facts.has_version = true;
            facts.yanked = entry_yanked(json);
            facts.version_day = day.map(str::to_owned);
        }
        if let Some(day) = day {
            published.push((day, v, json));
        }
        if let Some(parsed) = std::str::from_utf8(v)
            .ok()
            .and_then(|v| semver::Version::parse(v).ok())
        {
            versions.push((parsed, json));
        }
    }
    // An entry that does not parse counts as yanked: it is never named the latest or the last.
    let live = |json: &[u8]| entry_yanked(json) == Some(false);
    // The newest publication first; the first not yanked since is the last release.
    published.sort_by(|a, b| b.0.cmp(a.0));
    facts.last = published
        .iter()
        .find(|(_, _, json)| live(json))
        .and_then(|(day, v, _)| Some(((*day).to_owned(), std::str::from_utf8(v).ok()?.to_owned())));
    versions.sort_by(|(a, _), (b, _)| (b.pre.is_empty(), b).cmp(&(a.pre.is_empty(), a)));
    facts.latest = versions
        .iter()
        .find(|(_, json)| live(json))
        .map(|(v, _)| v.to_string());
    facts
}

/// The day of an index entry's `pubtime` (`"2020-01-05T22:19:33Z"` → `2020-01-05`), found
/// without parsing the whole entry, searching from its end; `None` when absent or not a date.
fn pubday(json: &[u8]) -> Option<&str> {
    const KEY: &[u8] = b"\"pubtime\"";
    let at = json.windows(KEY.len()).rposition(|w| w == KEY)? + KEY.len();
    let rest = json[at..]
        .trim_ascii_start()
        .strip_prefix(b":")?
        .trim_ascii_start();
    let value = rest.strip_prefix(b"\"")?;
    let day = std::str::from_utf8(value.get(..10)?).ok()?;
    crate::util::time::Day::parse(day).ok()?;
    matches!(value.get(10), Some(b'T' | b' ')).then_some(day)
}

/// Whether one version's index entry (its JSON line) is yanked; `None` when it does not parse.
fn entry_yanked(json: &[u8]) -> Option<bool> {
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(default)]
        yanked: bool,
    }
    serde_json::from_slice::<Entry>(json).ok().map(|e| e.yanked)
}

#[cfg(test)]
mod tests {
    use super::{entry_facts, yanked_in};

    /// A cache entry's `version\0json\0` pairs, in publication order.
    fn entries(lines: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (v, json) in lines {
            out.extend_from_slice(v.as_bytes());
            out.push(0);
            out.extend_from_slice(json.as_bytes());
            out.push(0);
        }
        out
    }

    #[test]
    fn facts_agree_with_the_yanked_flag_and_date_every_version() {
        let e = entries(&[
            (
                "1.0.0",
                r#"{"name": "x", "vers": "1.0.0", "features": {"pubtime": []}, "yanked": false, "pubtime": "2020-01-05T22:19:33Z"}"#,
            ),
            (
                "1.1.0",
                r#"{"name": "x", "vers": "1.1.0", "yanked": false, "pubtime": "2021-02-03T00:00:00Z"}"#,
            ),
            (
                "2.0.0-rc.1",
                r#"{"name": "x", "vers": "2.0.0-rc.1", "yanked": false, "pubtime": "2022-03-04T00:00:00Z"}"#,
            ),
            (
                "1.2.0",
                r#"{"name": "x", "vers": "1.2.0", "yanked": true, "pubtime": "2023-04-05T00:00:00Z"}"#,
            ),
            ("1.3.0", "not json"),
        ]);
        for v in ["1.0.0", "1.1.0", "1.2.0", "1.3.0", "9.9.9"] {
            assert_eq!(entry_facts(&e, v).yanked, yanked_in(&e, v), "{v}");
        }
        let f = entry_facts(&e, "1.0.0");
        assert!(f.has_version);
        assert_eq!(f.yanked, Some(false));
        // The top-level `pubtime`, not the feature of that name.
        assert_eq!(f.version_day.as_deref(), Some("2020-01-05"));
        // 1.3.0 does not parse and 1.2.0 is yanked: neither is the latest; stable before rc.
        assert_eq!(f.latest.as_deref(), Some("1.1.0"));
        // The newest publication not yanked is the release candidate of 2022.
        assert_eq!(
            f.last,
            Some(("2022-03-04".to_owned(), "2.0.0-rc.1".to_owned()))
        );
        let missing = entry_facts(&e, "9.9.9");
        assert!(!missing.has_version);
        assert_eq!((missing.yanked, missing.version_day), (None, None));
    }
}
