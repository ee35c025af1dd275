//! The ledger: verified evidence directories retained for years, their files stored
//! content-addressed and immutable, indexed for "which retained releases ship crate X?" and
//! re-audited by `monitor`.
//!
//! - `index`: what is read from a verified evidence directory (the release and its blobs);
//! - `schema`: the versioned schema and its migrations;
//! - [`Store`]: the storage a backend implements (`sqlite`: one file, WAL, the default;
//!   `postgres`: a shared PostgreSQL database, `--ledger postgres://…`; `postgres_schema`);
//! - `query`: list, show, export, the crate query (the reports the commands render);
//! - `monitor`: every retained release in support against today's advisory DB.
//! - `diff`: what changed between two releases (directories or ledger entries).

pub mod csaf;
pub mod diff;
pub mod findings;
pub mod index;
pub mod monitor;
pub mod notification;
pub mod postgres;
pub mod postgres_schema;
pub mod query;
pub mod schema;
pub mod sqlite;

use crate::error::{Error, Result};
use index::{Blob, Component, Exception, Release};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One retained release, as listed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Summary {
    #[serde(skip)]
    pub id: i64,
    pub product: String,
    pub version: String,
    pub target: String,
    pub release_date: String,
    pub decision: String,
    pub evidence_digest: String,
    pub support_end: Option<String>,
}

/// What `add` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Added {
    /// Retained now.
    Added,
    /// The same evidence (every file identical) was already retained: nothing changed.
    AlreadyRetained,
}

/// A component of a retained release, for the monitor (crates.io packages only).
#[derive(Debug, Clone)]
pub struct MonitoredComponent {
    pub release_id: i64,
    pub name: String,
    pub version: String,
    pub kind: String,
}

/// One (advisory, release, package) finding of a monitor run, kept to report what changed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct StateRow {
    pub advisory: String,
    pub product: String,
    pub version: String,
    pub target: String,
    #[serde(rename = "crate")]
    pub krate: String,
    pub crate_version: String,
    /// `affected`, `accepted` or `exception-expired`.
    pub status: String,
}

/// A monitor run as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub date: String,
    pub advisory_db_date: Option<String>,
    pub advisory_db_commit: Option<String>,
}

/// The storage behind the ledger. Every method is one transaction; `add` either retains the
/// whole release or nothing.
pub trait Store {
    /// Where the ledger is (for messages).
    fn location(&self) -> &str;
    /// Retains `release` and its files; idempotent for the same evidence; refuses a different
    /// evidence for a product, version and target already retained.
    fn add(&mut self, release: &Release, blobs: &[Blob]) -> Result<Added>;
    /// Every retained release, ordered by product, version, target.
    fn releases(&self) -> Result<Vec<Summary>>;
    /// The full record of one release.
    fn release(&self, id: i64) -> Result<Release>;
    /// A blob's content (its sha256 checked).
    fn blob(&self, sha256: &str) -> Result<Vec<u8>>;
    /// The components named `name` in every retained release.
    fn components_named(&self, name: &str) -> Result<Vec<(i64, Component)>>;
    /// Every crates.io component of every retained release.
    fn crates_io_components(&self) -> Result<Vec<MonitoredComponent>>;
    /// Every exception of every retained release.
    fn exceptions(&self) -> Result<Vec<(i64, Exception)>>;
    /// The previous monitor run and its findings.
    fn last_run(&self) -> Result<Option<(Run, Vec<StateRow>)>>;
    /// Records a monitor run and its findings.
    fn record_run(&mut self, run: &Run, rows: &[StateRow]) -> Result<()>;
}

/// `--ledger LOCATION`, else the per-user default: `$XDG_DATA_HOME/cargo-release-evidence/
/// ledger.sqlite3` (`~/.local/share/…` without XDG_DATA_HOME).
pub fn location(explicit: Option<&str>) -> Result<String> {
    if let Some(l) = explicit {
        return Ok(l.to_owned());
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/share"))
        })
        .ok_or_else(|| {
            Error::usage(
                "--ledger",
                "no default ledger location (neither XDG_DATA_HOME nor HOME is set); pass --ledger PATH",
            )
        })?;
    Ok(base
        .join("cargo-release-evidence/ledger.sqlite3")
        .display()
        .to_string())
}

/// Opens (creating and migrating when needed) the ledger at `location`: a `postgres://` or
/// `postgresql://` URL is a PostgreSQL database, anything else a SQLite file.
pub fn open(location: &str) -> Result<Box<dyn Store>> {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        return Ok(Box::new(postgres::Postgres::open(location)?));
    }
    let path = crate::util::paths::absolute(Path::new(location))?;
    Ok(Box::new(sqlite::Sqlite::open(&path)?))
}
