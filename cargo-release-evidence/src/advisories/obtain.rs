//! Where the advisory DB is (`--advisory-db`, the policy's `db-path`, cargo-audit's default) and
//! getting it: opened locally, fetched only when missing or stale and the network is allowed.

use super::db::{self, AdvisoryDb};
use crate::error::{Error, Result};
use crate::policy::Policy;
use crate::util::time::Day;
use std::path::{Path, PathBuf};

/// `explicit` (the flag), else the policy's `db-path`, else cargo-audit's default location.
pub fn location(explicit: Option<&Path>, policy: Option<&Policy>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return crate::util::paths::absolute(p);
    }
    if let Some(p) = policy.and_then(Policy::db_path) {
        return Ok(p);
    }
    db::default_path().ok_or_else(|| {
        Error::usage(
            "--advisory-db",
            "no default advisory DB location (neither CARGO_HOME nor HOME is set)",
        )
    })
}

/// Opens the DB; fetches it first when missing, or when stale and a git checkout, unless
/// offline. Network use is recorded in the DB info.
pub fn obtain(
    path: &Path,
    display: String,
    offline: bool,
    date: Day,
    max_age_days: u32,
) -> Result<AdvisoryDb> {
    let missing = !path.join("crates").is_dir();
    if missing {
        if offline {
            return Err(Error::usage(
                "--advisory-db",
                format!(
                    "no advisory database at {} and --offline forbids fetching it; pass --advisory-db PATH (or set [advisories] db-path) to a local copy of the RustSec advisory-db, or run `cargo release-evidence db fetch`",
                    path.display()
                ),
            ));
        }
        let record = db::fetch(path, db::DEFAULT_URL);
        if !record.ok {
            return Err(Error::usage(
                "--advisory-db",
                format!(
                    "no advisory database at {} and fetching {} failed: {}; pass --advisory-db PATH to a local copy",
                    path.display(),
                    record.url,
                    record.error.as_deref().unwrap_or("unknown error")
                ),
            ));
        }
        let mut db = db::open(path, display)?;
        db.info.fetched = Some(record);
        return Ok(db);
    }
    let db = db::open(path, display.clone())?;
    let stale = db
        .day
        .is_none_or(|d| d.days_until(date) > i64::from(max_age_days));
    if stale && !offline && path.join(".git").exists() {
        let record = db::fetch(path, db::DEFAULT_URL);
        let mut db = if record.ok {
            db::open(path, display)?
        } else {
            db
        };
        db.info.fetched = Some(record);
        return Ok(db);
    }
    Ok(db)
}
