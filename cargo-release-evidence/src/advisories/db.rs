//! The RustSec advisory database: locate, fetch (system git through duct), open, and date.
//!
//! Advisories are parsed one file at a time with the `rustsec` crate, so a malformed file is
//! skipped and reported instead of breaking the gate.

use crate::error::{Error, Result};
use crate::policy::values::Day;
use crate::util::process;
use rustsec::advisory::Advisory;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub const DEFAULT_URL: &str = "https://github.com/rustsec/advisory-db.git";

/// How the DB's date was determined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched: Option<FetchRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkippedAdvisory {
    pub path: String,
    pub error: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FetchRecord {
    pub url: String,
    pub action: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
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
/// advisory's.
pub fn open(path: &Path, display_path: String) -> Result<AdvisoryDb> {
    let crates_dir = path.join("crates");
    let entries = std::fs::read_dir(&crates_dir).map_err(|e| {
        Error::Environment(format!(
            "advisory database at {} is not usable ({}: {e}); pass `--advisory-db PATH`, set [advisories] db-path, or run `cargo release-evidence db fetch`",
            path.display(),
            crates_dir.display()
        ))
    })?;
    let mut crate_dirs = HashSet::new();
    let mut count = 0;
    for dir in entries.flatten() {
        if !dir.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            continue;
        }
        count += advisory_files(&dir.path()).len();
        crate_dirs.insert(dir.file_name().to_string_lossy().into_owned());
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
    };
    match date_of(path) {
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
    /// Parses the advisories of the given crates (once each). A malformed file is skipped and
    /// recorded in `info.skipped`.
    pub fn load<'a>(&mut self, names: impl Iterator<Item = &'a str>) {
        let mut files = Vec::new();
        for name in names {
            if self.by_crate.contains_key(name) || !self.crate_dirs.contains(name) {
                continue;
            }
            self.by_crate.insert(name.to_owned(), Vec::new());
            files.extend(advisory_files(&self.root.join("crates").join(name)));
        }
        files.sort();
        for p in files {
            match Advisory::load_file(&p) {
                Ok(adv) => self
                    .by_crate
                    .entry(adv.metadata.package.as_str().to_owned())
                    .or_default()
                    .push(adv),
                Err(e) => self.info.skipped.push(SkippedAdvisory {
                    path: p
                        .strip_prefix(&self.root)
                        .unwrap_or(&p)
                        .to_string_lossy()
                        .replace('\\', "/"),
                    error: e.to_string(),
                }),
            }
        }
        self.info.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    }
}

fn advisory_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|f| {
            let name = f.file_name();
            let name = name.to_string_lossy();
            !name.starts_with('.') && (name.ends_with(".md") || name.ends_with(".toml"))
        })
        .map(|f| f.path())
        .collect()
}

/// (commit, date YYYY-MM-DD, how) for the DB.
fn date_of(path: &Path) -> Option<(Option<String>, String, DateSource)> {
    if path.join(".git").exists()
        && let Ok(out) = process::git(path, &["log", "-1", "--format=%H %cI"])
        && let Some((commit, date)) = out.trim().split_once(' ')
    {
        return Some((
            Some(commit.to_owned()),
            date.chars().take(10).collect(),
            DateSource::GitCommit,
        ));
    }
    if let Ok(text) = std::fs::read_to_string(path.join("SNAPSHOT.txt")) {
        let mut commit = None;
        let mut date = None;
        for line in text.lines() {
            if let Some(c) = line.strip_prefix("commit ") {
                commit = Some(c.trim().to_owned());
            } else if let Some(d) = line.strip_prefix("date ") {
                date = Some(d.trim().chars().take(10).collect());
            }
        }
        if let Some(date) = date {
            return Some((commit, date, DateSource::SnapshotFile));
        }
    }
    None
}
