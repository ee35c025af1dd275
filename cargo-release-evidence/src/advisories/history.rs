//! The advisory database's last recorded size. A database that shrank far below what an earlier
//! run of this workspace saw (a broken checkout, an emptied or half-deleted `crates/`) would
//! quietly pass crates it no longer knows about; it is an environment error instead.
//!
//! The record is a small JSON file in the workspace's target directory
//! (`<target-dir>/release-evidence/advisory-db-counts.json`), keyed by the database's absolute
//! path, written after every run whose database passed this check. Offline, no network.

use super::DbInfo;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The state file's name, in `<target-dir>/release-evidence/`.
pub const STATE_FILE: &str = "advisory-db-counts.json";

/// A database with fewer than this share (percent) of its last recorded advisories is refused.
pub const MIN_SHARE_PERCENT: usize = 50;

#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    version: u32,
    /// Absolute database path → what the last good run saw.
    databases: BTreeMap<String, Seen>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Seen {
    advisories: usize,
    #[serde(default)]
    commit: Option<String>,
    #[serde(default)]
    date: Option<String>,
}

/// Compares the database's advisory count with the last one recorded in `state_dir` for the
/// same database path; on success records the new count. A count below
/// [`MIN_SHARE_PERCENT`] of the last one is an error naming the path and both counts.
pub fn check_and_record(state_dir: &Path, db_path: &Path, info: &DbInfo) -> Result<()> {
    let key = std::fs::canonicalize(db_path)
        .unwrap_or_else(|_| db_path.to_path_buf())
        .display()
        .to_string();
    let file = state_dir.join(STATE_FILE);
    let mut state = match std::fs::read(&file) {
        Ok(bytes) => serde_json::from_slice::<State>(&bytes).map_err(|e| {
            Error::Environment(format!(
                "{} is not the advisory DB record this tool writes ({e}); delete it to start a new record",
                file.display()
            ))
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
        Err(e) => return Err(Error::io(format!("reading {}", file.display()), e)),
    };
    if let Some(last) = state.databases.get(&key)
        && info.advisories * 100 < last.advisories * MIN_SHARE_PERCENT
    {
        return Err(Error::Environment(format!(
            "advisory database at {key} has {} advisories, far fewer than the {} it had on an earlier run{} (recorded in {}); a damaged or emptied database would hide vulnerabilities. Restore it or fetch it again (`cargo release-evidence db fetch`); if the smaller database is intended, delete {}",
            info.advisories,
            last.advisories,
            last.date
                .as_deref()
                .map(|d| format!(" (database dated {d})"))
                .unwrap_or_default(),
            file.display(),
            file.display()
        )));
    }
    state.version = 1;
    state.databases.insert(
        key,
        Seen {
            advisories: info.advisories,
            commit: info.commit.clone(),
            date: info.date.clone(),
        },
    );
    // A failed write only loses the protection for the next run (e.g. a read-only target
    // directory); it does not make this run's database any less complete.
    if std::fs::create_dir_all(state_dir).is_ok() {
        let text = serde_json::to_vec_pretty(&state).expect("serializable");
        let _ = crate::util::fs::write_atomic(&file, &text);
    }
    Ok(())
}
