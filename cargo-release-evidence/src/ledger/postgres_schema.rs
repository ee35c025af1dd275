//! The ledger's schema on PostgreSQL: the same tables, columns and versions as the SQLite
//! schema ([`schema::SQLITE`]), in PostgreSQL's types (`BIGINT` ids, `BYTEA` blobs, `BOOLEAN`).
//! Migration `i` takes both backends from version `i` to `i + 1`; [`schema::VERSION`] and
//! [`schema::plan`] (a newer schema refused, naming its version) are shared.

use super::schema;

/// The PostgreSQL migrations, in order (`POSTGRES[0]` creates version 1).
pub const POSTGRES: &[&str] = &[r"
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content BYTEA NOT NULL
);
CREATE TABLE releases (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    release_id BIGINT NOT NULL REFERENCES releases(id),
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    size BIGINT NOT NULL,
    executable BOOLEAN NOT NULL,
    PRIMARY KEY (release_id, path)
);
CREATE TABLE artifacts (
    release_id BIGINT NOT NULL REFERENCES releases(id),
    path TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL
);
CREATE INDEX artifacts_sha256 ON artifacts(sha256);
CREATE TABLE components (
    release_id BIGINT NOT NULL REFERENCES releases(id),
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    source TEXT NOT NULL,
    purl TEXT NOT NULL,
    kind TEXT NOT NULL
);
CREATE INDEX components_name ON components(name);
CREATE INDEX components_release ON components(release_id);
CREATE TABLE exceptions (
    release_id BIGINT NOT NULL REFERENCES releases(id),
    advisory TEXT NOT NULL,
    crate TEXT NOT NULL,
    reason TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    expires TEXT NOT NULL
);
CREATE INDEX exceptions_release ON exceptions(release_id);
CREATE TABLE approvals (
    release_id BIGINT NOT NULL REFERENCES releases(id),
    role TEXT NOT NULL,
    principal TEXT NOT NULL,
    decision TEXT NOT NULL,
    file TEXT NOT NULL
);
CREATE INDEX approvals_release ON approvals(release_id);
CREATE TABLE monitor_runs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    date TEXT NOT NULL,
    advisory_db_date TEXT,
    advisory_db_commit TEXT
);
CREATE TABLE monitor_state (
    run_id BIGINT NOT NULL REFERENCES monitor_runs(id),
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

// Both backends know every version this tool writes.
const _: () = assert!(POSTGRES.len() == schema::SQLITE.len());
const _: () = assert!(POSTGRES.len() as i64 == schema::VERSION);

/// The advisory lock (`pg_advisory_xact_lock`) every migration takes first, so processes
/// opening a new database at once apply the migrations once ("RELEVID" + 1).
pub const MIGRATION_LOCK: i64 = 0x5245_4c45_5649_4401;

/// Takes the migration lock, creates `schema_version` when missing and returns the version
/// found (0: an empty database).
pub const FOUND: &str = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
pub const VERSION_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)";

/// The ledger's name in messages: the URL rebuilt from what was parsed from it (user, hosts,
/// ports, database), so its password never reaches a message, whatever it contains.
pub fn display(config: &postgres::Config) -> String {
    use postgres::config::Host;
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                Host::Tcp(name) => name.clone(),
                Host::Unix(path) => format!("[{}]", path.display()),
            };
            match ports.get(i).or(ports.first()) {
                Some(p) => format!("{host}:{p}"),
                None => host,
            }
        })
        .collect();
    let db = config.get_dbname().unwrap_or_default();
    format!("postgres://{user}{}/{db}", hosts.join(","))
}

#[cfg(test)]
mod tests {
    use super::display;
    use std::str::FromStr;

    fn shown(url: &str) -> String {
        display(&postgres::Config::from_str(url).unwrap())
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            shown("postgres://alice:s3cr%2Fet@db.example:5433/ledger?sslmode=disable&password=x"),
            "postgres://alice@db.example:5433/ledger"
        );
        // The client fills in the default port when a URL names none.
        assert_eq!(shown("postgresql://a:b@h/l"), "postgres://a@h:5432/l");
        assert_eq!(shown("host=h password=p dbname=l"), "postgres://h/l");
    }
}
