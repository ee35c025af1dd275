//! The RustSec advisory database: locate, fetch (system git through duct), open, and date.
//!
//! Advisories are parsed one file at a time with the `rustsec` crate, so a malformed or
//! unreadable file is skipped and reported (the gate holds when it concerns a crate that ships)
//! instead of breaking the gate. A database without any advisory is an error: it would pass
//! everything. Files are read with size caps, so a hostile database cannot exhaust memory.

use crate::error::{Error, Result};
use crate::policy::values::Day;
use crate::util::process;
use crate::util::text::clip;
use rustsec::advisory::Advisory;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest advisory file read (real ones are a few KiB).
const MAX_ADVISORY_BYTES: u64 = 1 << 20;
/// The largest `SNAPSHOT.txt` read (real ones are two lines).
const MAX_SNAPSHOT_BYTES: u64 = 64 << 10;

pub const DEFAULT_URL: &str = "https://github.com/rustsec/advisory-db.git";

/// How the DB's date was determined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateSource {
    /// Date of the last git commit.
    GitCommit,
    /// A `SNAPSHOT.txt` file (`commit <sha>` / `date <rfc3339>`) next to the advisories.
    SnapshotFile,
    /// A plain directory: the newest advisory's date.
    NewestAdvisory,
}

/// Where the DB is and what happened when getting it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct DbInfo {
    /// As given or resolved (relative to the workspace root when inside it).
    pub path: String,
    pub commit: Option<String>,
    /// `YYYY-MM-DD` of the DB content.
    pub date: Option<String>,
    pub date_source: DateSource,
    pub advisories: usize,
    /// Advisory files that could not be parsed (path relative to the DB).
    pub skipped: Vec<SkippedAdvisory>,
    /// Network use: set when this run fetched the DB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched: Option<FetchRecord>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SkippedAdvisory {
    pub path: String,
    pub error: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct FetchRecord {
    pub url: String,
    pub action: String,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The opened database. Advisories are parsed per crate on demand ([`AdvisoryDb::load`]):
/// the gate parses only the directories of crates that ship, which keeps a warm `check`
/// fast on a 1200-advisory database.
pub struct AdvisoryDb {
    pub info: DbInfo,
    pub by_crate: HashMap<String, Vec<Advisory>>,
    pub day: Option<Day>,
    root: PathBuf,
    /// Crate directory names present under `crates/`.
    crate_dirs: HashSet<String>,
    /// Entries of `crates/` that are not readable directories, with the reason: reported (not
    /// silently ignored) when their crate is loaded.
    broken: HashMap<String, String>,
}

/// Default location, shared with cargo-audit: `$CARGO_HOME/advisory-db`.
pub fn default_path() -> Option<PathBuf> {
    crate::util::paths::cargo_home().map(|h| h.join("advisory-db"))
}

/// Clones or fast-forwards the official advisory DB into `path` with the system git.
pub fn fetch(path: &Path, url: &str) -> FetchRecord {
    let (action, result) = if path.join(".git").exists() {
        (
            "pull --ff-only",
            process::git(path, &["pull", "--ff-only", "--quiet"]).map(|_| ()),
        )
    } else if path.exists()
        && std::fs::read_dir(path)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
    {
        return FetchRecord {
            url: url.to_owned(),
            action: "none".into(),
            ok: false,
            error: Some(format!(
                "{} exists and is not a git checkout; cannot update it",
                path.display()
            )),
        };
    } else {
        let parent = path.parent().unwrap_or(Path::new("."));
        let _ = std::fs::create_dir_all(parent);
        (
            "clone",
            process::git(
                parent,
                &[
                    "clone",
                    "--quiet",
                    "--depth",
                    "1",
                    url,
                    &path.display().to_string(),
                ],
            )
            .map(|_| ()),
        )
    };
    FetchRecord {
        url: url.to_owned(),
        action: action.into(),
        ok: result.is_ok(),
        error: result.err().map(|e| e.to_string()),
    }
}

/// Opens the DB directory: lists the advisory files and dates the DB. Nothing is parsed yet,
/// except for a plain directory without git or SNAPSHOT.txt, whose date is its newest
/// advisory's. A database without any advisory file is an error.
pub fn open(path: &Path, display_path: String) -> Result<AdvisoryDb> {
    let crates_dir = path.join("crates");
    let not_usable = |e: &dyn std::fmt::Display| {
        Error::Environment(format!(
            "advisory database at {} is not usable ({}: {e}); pass `--advisory-db PATH`, set [advisories] db-path, or run `cargo release-evidence db fetch`",
            path.display(),
            crates_dir.display()
        ))
    };
    let entries = std::fs::read_dir(&crates_dir).map_err(|e| not_usable(&e))?;
    let mut crate_dirs = HashSet::new();
    let mut broken = HashMap::new();
    let mut count = 0;
    for entry in entries {
        let entry = entry.map_err(|e| not_usable(&e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        // Follows symbolic links: a linked crate directory counts, a dangling link is reported.
        match std::fs::metadata(entry.path()) {
            Ok(m) if m.is_dir() => match advisory_files(&entry.path()) {
                Ok(files) => {
                    count += files.len();
                    crate_dirs.insert(name);
                }
                Err(e) => {
                    broken.insert(name, format!("cannot read the directory: {e}"));
                }
            },
            Ok(_) => {
                broken.insert(name, "not a directory".to_owned());
            }
            Err(e) => {
                broken.insert(name, format!("cannot read it: {e}"));
            }
        }
    }
    if count == 0 {
        return Err(Error::Environment(format!(
            "advisory database at {} has no advisories ({} holds no advisory files); an empty database would pass every crate. Restore it or fetch it again (`cargo release-evidence db fetch`), or pass `--advisory-db PATH` to a complete copy",
            path.display(),
            crates_dir.display()
        )));
    }
    let mut db = AdvisoryDb {
        info: DbInfo {
            path: display_path,
            commit: None,
            date: None,
            date_source: DateSource::NewestAdvisory,
            advisories: count,
            skipped: Vec::new(),
            fetched: None,
        },
        by_crate: HashMap::new(),
        day: None,
        root: path.to_path_buf(),
        crate_dirs,
        broken,
    };
    match date_of(path)? {
        Some((commit, date, source)) => {
            db.info.commit = commit;
            db.info.date = Some(date);
            db.info.date_source = source;
        }
        None => {
            let all: Vec<String> = db.crate_dirs.iter().cloned().collect();
            db.load(all.iter().map(String::as_str));
            db.info.date = db
                .by_crate
                .values()
                .flatten()
                .map(|a| a.metadata.date.as_str().to_owned())
                .max();
        }
    }
    db.day = db.info.date.as_deref().and_then(|d| Day::parse(d).ok());
    Ok(db)
}

impl AdvisoryDb {
    /// The evaluation date must not precede the database's own date: exceptions and staleness
    /// evaluated before the data existed would be a decision nobody could have made. An error
    /// naming `--date` and both dates.
    pub fn check_date(&self, date: Day) -> Result<()> {
        match self.day {
            Some(db_day) if date < db_day => Err(Error::usage(
                "--date",
                format!(
                    "the evaluation date {date} is before the advisory database's own date {db_day} ({}); pass --date {db_day} or later (without --date the date is today in UTC: check the clock)",
                    self.info.path
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Parses the advisories of the given crates (once each). A malformed or unreadable file
    /// (or crate directory) is skipped and recorded in `info.skipped`.
    pub fn load<'a>(&mut self, names: impl Iterator<Item = &'a str>) {
        let mut files = Vec::new();
        for name in names {
            if self.by_crate.contains_key(name) {
                continue;
            }
            if let Some(reason) = self.broken.get(name) {
                self.by_crate.insert(name.to_owned(), Vec::new());
                self.info.skipped.push(SkippedAdvisory {
                    path: format!("crates/{name}"),
                    error: reason.clone(),
                });
                continue;
            }
            if !self.crate_dirs.contains(name) {
                continue;
            }
            self.by_crate.insert(name.to_owned(), Vec::new());
            match advisory_files(&self.root.join("crates").join(name)) {
                Ok(found) => files.extend(found),
                Err(e) => self.info.skipped.push(SkippedAdvisory {
                    path: format!("crates/{name}"),
                    error: format!("cannot read the directory: {e}"),
                }),
            }
        }
        files.sort();
        for p in files {
            match read_advisory(&p) {
                Ok(adv) => self
                    .by_crate
                    .entry(adv.metadata.package.as_str().to_owned())
                    .or_default()
                    .push(adv),
                Err(error) => self.info.skipped.push(SkippedAdvisory {
                    path: p
                        .strip_prefix(&self.root)
                        .unwrap_or(&p)
                        .to_string_lossy()
                        .replace('\\', "/"),
                    error,
                }),
            }
        }
        self.info.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    }
}

/// Reads and parses one advisory file: a regular file of at most [`MAX_ADVISORY_BYTES`].
fn read_advisory(path: &Path) -> Result<Advisory, String> {
    // Checked before opening: opening a FIFO named `*.md` would block.
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read it: {e}"))?;
    if !meta.is_file() {
        return Err("cannot read it: not a regular file".to_owned());
    }
    if meta.len() > MAX_ADVISORY_BYTES {
        return Err(format!(
            "{} bytes, more than the {} KiB an advisory file may have",
            meta.len(),
            MAX_ADVISORY_BYTES >> 10
        ));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_ADVISORY_BYTES).read_to_string(&mut text))
        .map_err(|e| format!("cannot read it: {e}"))?;
    text.parse::<Advisory>().map_err(|e| e.to_string())
}

/// The advisory files (`*.md`, `*.toml`, not hidden) of one crate directory.
fn advisory_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for f in std::fs::read_dir(dir)? {
        let f = f?;
        let name = f.file_name();
        let name = name.to_string_lossy();
        if !name.starts_with('.') && (name.ends_with(".md") || name.ends_with(".toml")) {
            out.push(f.path());
        }
    }
    Ok(out)
}

/// (commit, date YYYY-MM-DD in UTC, how) for the DB; `None` when neither git nor
/// `SNAPSHOT.txt` dates it. A `SNAPSHOT.txt` that is not what it should be is an error.
fn date_of(path: &Path) -> Result<Option<(Option<String>, String, DateSource)>> {
    if path.join(".git").exists()
        && let Ok(out) = process::git(path, &["log", "-1", "--format=%H %cI"])
        && let Some((commit, date)) = out.trim().split_once(' ')
        && let Some(day) = utc_day(date)
    {
        return Ok(Some((
            Some(commit.to_owned()),
            day.to_string(),
            DateSource::GitCommit,
        )));
    }
    let file = path.join("SNAPSHOT.txt");
    let Ok(meta) = std::fs::metadata(&file) else {
        return Ok(None);
    };
    let bad = |line: usize, column: usize, message: String| {
        Err(Error::config_line(&file, line, column, message))
    };
    if !meta.is_file() || meta.len() > MAX_SNAPSHOT_BYTES {
        return bad(
            1,
            1,
            format!(
                "not a regular file of at most {} KiB (`commit <sha>` and `date <rfc3339>` lines)",
                MAX_SNAPSHOT_BYTES >> 10
            ),
        );
    }
    let bytes =
        std::fs::read(&file).map_err(|e| Error::io(format!("reading {}", file.display()), e))?;
    let Ok(text) = String::from_utf8(bytes) else {
        return bad(1, 1, "not UTF-8 text".to_owned());
    };
    let mut commit = None;
    let mut date = None;
    for (n, line) in text.lines().enumerate() {
        if let Some(c) = line.strip_prefix("commit ") {
            let c = c.trim();
            if !(7..=64).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_hexdigit()) {
                return bad(
                    n + 1,
                    8,
                    format!(
                        "`commit` must be a git commit id (7 to 64 hex digits), found `{}`",
                        clip(c, 80)
                    ),
                );
            }
            commit = Some(c.to_ascii_lowercase());
        } else if let Some(d) = line.strip_prefix("date ") {
            let Some(day) = utc_day(d.trim()) else {
                return bad(
                    n + 1,
                    6,
                    format!(
                        "`date` must be an RFC 3339 timestamp or a YYYY-MM-DD date, found `{}`",
                        clip(d.trim(), 80)
                    ),
                );
            };
            date = Some(day.to_string());
        }
    }
    Ok(date.map(|date| (commit, date, DateSource::SnapshotFile)))
}

/// The UTC calendar day of an RFC 3339 timestamp (`2026-08-21T08:28:40+02:00`), or a plain
/// `YYYY-MM-DD` date. Days are compared in UTC, like the evaluation date.
fn utc_day(s: &str) -> Option<Day> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(Day(ts.to_zoned(jiff::tz::TimeZone::UTC).date()));
    }
    Day::parse(s).ok()
}

#[cfg(test)]
mod tests {
    use super::utc_day;

    #[test]
    fn database_dates_are_utc_days() {
        assert_eq!(
            utc_day("2026-08-21T08:28:40+02:00").unwrap().to_string(),
            "2026-08-21"
        );
        assert_eq!(
            utc_day("2026-08-21T01:00:00+09:00").unwrap().to_string(),
            "2026-08-20"
        );
        assert_eq!(utc_day("2026-08-21").unwrap().to_string(), "2026-08-21");
        assert!(utc_day("2026-08-21é").is_none());
        assert!(utc_day("").is_none());
    }
}
