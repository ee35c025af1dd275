//! The ledger's schema and its versions. Each migration takes the schema from version `i` to
//! `i + 1`; a store applies the missing ones in one transaction on first use and records the
//! version in the `schema_version` table. A ledger written by a newer tool (a version above
//! [`VERSION`]) is refused, naming both versions: an older tool would misread it.

use crate::error::{Error, Result};

/// The schema version this tool writes.
pub const VERSION: i64 = 1;

/// The SQLite migrations, in order (`MIGRATIONS[0]` creates version 1).
pub const SQLITE: &[&str] = &[r"
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    content BLOB NOT NULL
);
CREATE TABLE releases (
    id INTEGER PRIMARY KEY,
    product TEXT NOT NULL,
    version TEXT NOT NULL,
    target TEXT NOT NULL,
    release_date TEXT NOT NULL,
    gate_date TEXT NOT NULL,
    decision TEXT NOT NULL,
    evidence_digest TEXT NOT NULL,
    bundle_digest TEXT NOT NULL,
    support_end TEXT,
    advisory_db_date TEXT,
    advisory_db_commit TEXT,
    UNIQUE (product, version, target)
);
CREATE TABLE files (
    release_id INTEGER NOT NULL REFERENCES releases(id),
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    size INTEGER NOT NULL,
    executable INTEGER NOT NULL,
    PRIMARY KEY (release_id, path)
);
CREATE TABLE artifacts (
    release_id INTEGER NOT NULL REFERENCES releases(id),
    path TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL
);
CREATE INDEX artifacts_sha256 ON artifacts(sha256);
CREATE TABLE components (
    release_id INTEGER NOT NULL REFERENCES releases(id),
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    source TEXT NOT NULL,
    purl TEXT NOT NULL,
    kind TEXT NOT NULL
);
CREATE INDEX components_name ON components(name);
CREATE INDEX components_release ON components(release_id);
CREATE TABLE exceptions (
    release_id INTEGER NOT NULL REFERENCES releases(id),
    advisory TEXT NOT NULL,
    crate TEXT NOT NULL,
    reason TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    expires TEXT NOT NULL
);
CREATE TABLE approvals (
    release_id INTEGER NOT NULL REFERENCES releases(id),
    role TEXT NOT NULL,
    principal TEXT NOT NULL,
    decision TEXT NOT NULL,
    file TEXT NOT NULL
);
CREATE TABLE monitor_runs (
    id INTEGER PRIMARY KEY,
    date TEXT NOT NULL,
    advisory_db_date TEXT,
    advisory_db_commit TEXT
);
CREATE TABLE monitor_state (
    run_id INTEGER NOT NULL REFERENCES monitor_runs(id),
    advisory TEXT NOT NULL,
    product TEXT NOT NULL,
    version TEXT NOT NULL,
    target TEXT NOT NULL,
    crate TEXT NOT NULL,
    crate_version TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX monitor_state_run ON monitor_state(run_id);
"];

/// What to do with a ledger at schema version `found` (0: empty).
pub fn plan(found: i64, location: &str) -> Result<std::ops::Range<usize>> {
    if found > VERSION {
        return Err(Error::Environment(format!(
            "the ledger {location} has schema version {found}, newer than version {VERSION} this cargo-release-evidence writes; upgrade cargo-release-evidence (an older tool would misread it)"
        )));
    }
    if found < 0 {
        return Err(Error::Environment(format!(
            "the ledger {location} records an invalid schema version {found}"
        )));
    }
    Ok(usize::try_from(found).unwrap_or_default()..usize::try_from(VERSION).unwrap_or_default())
}
