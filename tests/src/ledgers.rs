//! The ledger's two backends for the tests: a SQLite file next to the fixture, or a fresh
//! database on the PostgreSQL server `tests/postgres/setup.sh` starts (its URL in
//! `target/postgres/url`). Without that file the PostgreSQL tests fail naming the script.

use crate::{Fixture, repo_root};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// One empty ledger; a PostgreSQL database is dropped when this is.
pub struct Ledger {
    pub backend: Backend,
    /// What `--ledger` takes: the file's path or the database's URL.
    pub location: String,
    file: Option<PathBuf>,
    database: Option<(String, String)>,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The URL of the test server's maintenance database.
pub fn server_url() -> String {
    let file = repo_root().join("target/postgres/url");
    match std::fs::read_to_string(&file) {
        Ok(url) if !url.trim().is_empty() => url.trim().to_owned(),
        _ => panic!(
            "no PostgreSQL server for the ledger's tests ({} is missing): run `bash tests/postgres/setup.sh` first (the README's test command does)",
            file.display()
        ),
    }
}

/// Runs `sql` with psql against `url`; its unaligned output.
pub fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            sql,
        ])
        .output()
        .expect("psql (Debian's postgresql-client) runs");
    assert!(
        out.status.success(),
        "psql {sql}: {} (is the server up? `bash tests/postgres/setup.sh` starts it again)",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

impl Ledger {
    /// A new, empty ledger of `backend` for the test `fx`.
    pub fn new(fx: &Fixture, backend: Backend) -> Ledger {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        match backend {
            Backend::Sqlite => {
                let file = fx.outside(&format!("ledger-{n}")).join("ledger.sqlite3");
                Ledger {
                    backend,
                    location: file.display().to_string(),
                    file: Some(file),
                    database: None,
                }
            }
            Backend::Postgres => {
                let server = server_url();
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .subsec_nanos();
                let name = format!("ledger_test_{}_{n}_{nanos}", std::process::id());
                psql(&server, &format!("CREATE DATABASE {name}"));
                let (base, _) = server.rsplit_once('/').unwrap();
                Ledger {
                    backend,
                    location: format!("{base}/{name}"),
                    file: None,
                    database: Some((server, name)),
                }
            }
        }
    }

    /// Whether anything was written: the SQLite file exists, or the database has a table.
    pub fn written(&self) -> bool {
        match &self.file {
            Some(f) => f.exists(),
            None => {
                psql(
                    &self.location,
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
                ) != "0"
            }
        }
    }

    /// Marks the ledger as written by a newer tool (schema version `v`).
    pub fn set_schema_version(&self, v: i64) {
        let sql = format!("UPDATE schema_version SET version = {v}");
        match &self.file {
            Some(f) => {
                let out = Command::new("sqlite3").arg(f).arg(&sql).output().unwrap();
                assert!(out.status.success(), "{}", crate::stderr(&out));
            }
            None => {
                psql(&self.location, &sql);
            }
        }
    }
}

impl Drop for Ledger {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.database {
            // Best effort (the server may be gone).
            let _ = Command::new("psql")
                .args(["-X", "-q", "-d", server, "-c"])
                .arg(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .output();
        }
    }
}
