//! The embedded ledger: one SQLite file (the bundled SQLite, nothing to install) in WAL mode,
//! so readers never block the one writer; writers take the write lock up front (`BEGIN
//! IMMEDIATE`) and wait for each other (busy timeout), so concurrent `ledger add`s are safe.
//! File contents are blobs in the same file, keyed by sha256.

use super::index::{Approval, Artifact, Blob, Component, Exception, File, Release};
use super::{Added, MonitoredComponent, Run, StateRow, Store, Summary, schema};
use crate::error::{Error, Result};
use crate::util::digest::sha256_hex;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::Path;

pub struct Sqlite {
    conn: Connection,
    location: String,
}

fn db_err(location: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| Error::Environment(format!("ledger {location}: {e}"))
}

impl Sqlite {
    /// Opens or creates the ledger file and applies the missing migrations.
    pub fn open(path: &Path) -> Result<Sqlite> {
        let location = path.display().to_string();
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
        }
        let err = db_err(&location);
        let mut conn = Connection::open(path).map_err(&err)?;
        conn.busy_timeout(std::time::Duration::from_secs(60))
            .map_err(&err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(&err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(&err)?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            .map_err(&err)?;
        let found: i64 = tx
            .query_row("SELECT MAX(version) FROM schema_version", [], |r| {
                r.get::<_, Option<i64>>(0)
            })
            .map_err(&err)?
            .unwrap_or(0);
        let todo = schema::plan(found, &location)?;
        for i in todo {
            tx.execute_batch(schema::SQLITE[i]).map_err(&err)?;
            tx.execute("DELETE FROM schema_version", []).map_err(&err)?;
            tx.execute(
                "INSERT INTO schema_version (version) VALUES (?1)",
                [i as i64 + 1],
            )
            .map_err(&err)?;
        }
        tx.commit().map_err(&err)?;
        drop(err);
        Ok(Sqlite { conn, location })
    }

    fn summaries(&self, filter: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Summary>> {
        let err = db_err(&self.location);
        let sql = format!(
            "SELECT id, product, version, target, release_date, decision, evidence_digest, support_end FROM releases {filter} ORDER BY product, version, target"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(&err)?;
        let rows = stmt
            .query_map(args, |r| {
                Ok(Summary {
                    id: r.get(0)?,
                    product: r.get(1)?,
                    version: r.get(2)?,
                    target: r.get(3)?,
                    release_date: r.get(4)?,
                    decision: r.get(5)?,
                    evidence_digest: r.get(6)?,
                    support_end: r.get(7)?,
                })
            })
            .map_err(&err)?;
        rows.collect::<std::result::Result<_, _>>().map_err(&err)
    }
}

impl Store for Sqlite {
    fn location(&self) -> &str {
        &self.location
    }

    fn add(&mut self, r: &Release, blobs: &[Blob]) -> Result<Added> {
        let location = self.location.clone();
        let err = db_err(&location);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        let existing: Option<String> = tx
            .query_row(
                "SELECT bundle_digest FROM releases WHERE product = ?1 AND version = ?2 AND target = ?3",
                params![r.product, r.version, r.target],
                |row| row.get(0),
            )
            .optional()
            .map_err(&err)?;
        if let Some(bundle) = existing {
            if bundle == r.bundle_digest {
                return Ok(Added::AlreadyRetained);
            }
            return Err(Error::Environment(format!(
                "the ledger {location} already retains {}@{} for {} with different evidence (files {bundle}, this directory {}); retained evidence is immutable",
                r.product, r.version, r.target, r.bundle_digest
            )));
        }
        for b in blobs {
            tx.execute(
                "INSERT OR IGNORE INTO blobs (sha256, size, content) VALUES (?1, ?2, ?3)",
                params![b.sha256, b.content.len() as i64, b.content],
            )
            .map_err(&err)?;
        }
        tx.execute(
            "INSERT INTO releases (product, version, target, release_date, gate_date, decision, evidence_digest, bundle_digest, support_end, advisory_db_date, advisory_db_commit) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                r.product, r.version, r.target, r.release_date, r.gate_date, r.decision,
                r.evidence_digest, r.bundle_digest, r.support_end, r.advisory_db_date,
                r.advisory_db_commit
            ],
        )
        .map_err(&err)?;
        let id = tx.last_insert_rowid();
        {
            let mut s = tx
                .prepare("INSERT INTO files (release_id, path, sha256, size, executable) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(&err)?;
            for f in &r.files {
                s.execute(params![id, f.path, f.sha256, f.size as i64, f.executable])
                    .map_err(&err)?;
            }
            let mut s = tx
                .prepare("INSERT INTO artifacts (release_id, path, kind, sha256, size) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(&err)?;
            for a in &r.artifacts {
                s.execute(params![id, a.path, a.kind, a.sha256, a.size as i64])
                    .map_err(&err)?;
            }
            let mut s = tx
                .prepare("INSERT INTO components (release_id, name, version, source, purl, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .map_err(&err)?;
            for c in &r.components {
                s.execute(params![id, c.name, c.version, c.source, c.purl, c.kind])
                    .map_err(&err)?;
            }
            let mut s = tx
                .prepare("INSERT INTO exceptions (release_id, advisory, crate, reason, approved_by, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .map_err(&err)?;
            for e in &r.exceptions {
                s.execute(params![
                    id,
                    e.advisory,
                    e.krate,
                    e.reason,
                    e.approved_by,
                    e.expires
                ])
                .map_err(&err)?;
            }
            let mut s = tx
                .prepare("INSERT INTO approvals (release_id, role, principal, decision, file) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(&err)?;
            for a in &r.approvals {
                s.execute(params![id, a.role, a.principal, a.decision, a.file])
                    .map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)?;
        Ok(Added::Added)
    }

    fn releases(&self) -> Result<Vec<Summary>> {
        self.summaries("", &[])
    }

    fn release(&self, id: i64) -> Result<Release> {
        let err = db_err(&self.location);
        let c = &self.conn;
        let mut r = c
            .query_row(
                "SELECT product, version, target, release_date, gate_date, decision, evidence_digest, bundle_digest, support_end, advisory_db_date, advisory_db_commit FROM releases WHERE id = ?1",
                [id],
                |row| {
                    Ok(Release {
                        product: row.get(0)?,
                        version: row.get(1)?,
                        target: row.get(2)?,
                        release_date: row.get(3)?,
                        gate_date: row.get(4)?,
                        decision: row.get(5)?,
                        evidence_digest: row.get(6)?,
                        bundle_digest: row.get(7)?,
                        support_end: row.get(8)?,
                        advisory_db_date: row.get(9)?,
                        advisory_db_commit: row.get(10)?,
                        artifacts: Vec::new(),
                        components: Vec::new(),
                        exceptions: Vec::new(),
                        approvals: Vec::new(),
                        files: Vec::new(),
                    })
                },
            )
            .map_err(&err)?;
        let rows = |sql: &str| -> Result<rusqlite::Statement<'_>> { c.prepare(sql).map_err(&err) };
        r.artifacts = rows(
            "SELECT path, kind, sha256, size FROM artifacts WHERE release_id = ?1 ORDER BY path",
        )?
        .query_map([id], |x| {
            Ok(Artifact {
                path: x.get(0)?,
                kind: x.get(1)?,
                sha256: x.get(2)?,
                size: x.get::<_, i64>(3)? as u64,
            })
        })
        .map_err(&err)?
        .collect::<std::result::Result<_, _>>()
        .map_err(&err)?;
        r.components = rows("SELECT name, version, source, purl, kind FROM components WHERE release_id = ?1 ORDER BY name, version, source, purl, kind")?
            .query_map([id], component)
            .map_err(&err)?
            .collect::<std::result::Result<_, _>>()
            .map_err(&err)?;
        r.exceptions = rows("SELECT advisory, crate, reason, approved_by, expires FROM exceptions WHERE release_id = ?1 ORDER BY advisory, crate")?
            .query_map([id], exception)
            .map_err(&err)?
            .collect::<std::result::Result<_, _>>()
            .map_err(&err)?;
        r.approvals = rows("SELECT role, principal, decision, file FROM approvals WHERE release_id = ?1 ORDER BY file")?
            .query_map([id], |x| {
                Ok(Approval { role: x.get(0)?, principal: x.get(1)?, decision: x.get(2)?, file: x.get(3)? })
            })
            .map_err(&err)?
            .collect::<std::result::Result<_, _>>()
            .map_err(&err)?;
        r.files = rows(
            "SELECT path, sha256, size, executable FROM files WHERE release_id = ?1 ORDER BY path",
        )?
        .query_map([id], |x| {
            Ok(File {
                path: x.get(0)?,
                sha256: x.get(1)?,
                size: x.get::<_, i64>(2)? as u64,
                executable: x.get(3)?,
            })
        })
        .map_err(&err)?
        .collect::<std::result::Result<_, _>>()
        .map_err(&err)?;
        Ok(r)
    }

    fn blob(&self, sha256: &str) -> Result<Vec<u8>> {
        let content: Vec<u8> = self
            .conn
            .query_row(
                "SELECT content FROM blobs WHERE sha256 = ?1",
                [sha256],
                |r| r.get(0),
            )
            .map_err(db_err(&self.location))?;
        if sha256_hex(&content) != sha256 {
            return Err(Error::Environment(format!(
                "the ledger {} is corrupt: the blob {sha256} does not match its digest",
                self.location
            )));
        }
        Ok(content)
    }

    fn components_named(&self, name: &str) -> Result<Vec<(i64, Component)>> {
        let err = db_err(&self.location);
        let mut stmt = self
            .conn
            .prepare("SELECT release_id, name, version, source, purl, kind FROM components WHERE name = ?1")
            .map_err(&err)?;
        let rows = stmt
            .query_map([name], |r| {
                Ok((
                    r.get(0)?,
                    Component {
                        name: r.get(1)?,
                        version: r.get(2)?,
                        source: r.get(3)?,
                        purl: r.get(4)?,
                        kind: r.get(5)?,
                    },
                ))
            })
            .map_err(&err)?;
        rows.collect::<std::result::Result<_, _>>().map_err(&err)
    }

    fn crates_io_components(&self) -> Result<Vec<MonitoredComponent>> {
        let err = db_err(&self.location);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT release_id, name, version, kind FROM components WHERE source = 'crates.io'",
            )
            .map_err(&err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(MonitoredComponent {
                    release_id: r.get(0)?,
                    name: r.get(1)?,
                    version: r.get(2)?,
                    kind: r.get(3)?,
                })
            })
            .map_err(&err)?;
        rows.collect::<std::result::Result<_, _>>().map_err(&err)
    }

    fn exceptions(&self) -> Result<Vec<(i64, Exception)>> {
        let err = db_err(&self.location);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT release_id, advisory, crate, reason, approved_by, expires FROM exceptions",
            )
            .map_err(&err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    Exception {
                        advisory: r.get(1)?,
                        krate: r.get(2)?,
                        reason: r.get(3)?,
                        approved_by: r.get(4)?,
                        expires: r.get(5)?,
                    },
                ))
            })
            .map_err(&err)?;
        rows.collect::<std::result::Result<_, _>>().map_err(&err)
    }

    fn last_run(&self) -> Result<Option<(Run, Vec<StateRow>)>> {
        let err = db_err(&self.location);
        let run = self
            .conn
            .query_row(
                "SELECT id, date, advisory_db_date, advisory_db_commit FROM monitor_runs ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get::<_, i64>(0)?, Run { date: r.get(1)?, advisory_db_date: r.get(2)?, advisory_db_commit: r.get(3)? })),
            )
            .optional()
            .map_err(&err)?;
        let Some((id, run)) = run else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare("SELECT advisory, product, version, target, crate, crate_version, status FROM monitor_state WHERE run_id = ?1")
            .map_err(&err)?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(StateRow {
                    advisory: r.get(0)?,
                    product: r.get(1)?,
                    version: r.get(2)?,
                    target: r.get(3)?,
                    krate: r.get(4)?,
                    crate_version: r.get(5)?,
                    status: r.get(6)?,
                })
            })
            .map_err(&err)?
            .collect::<std::result::Result<_, _>>()
            .map_err(&err)?;
        Ok(Some((run, rows)))
    }

    fn record_run(&mut self, run: &Run, rows: &[StateRow]) -> Result<()> {
        let location = self.location.clone();
        let err = db_err(&location);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        tx.execute(
            "INSERT INTO monitor_runs (date, advisory_db_date, advisory_db_commit) VALUES (?1, ?2, ?3)",
            params![run.date, run.advisory_db_date, run.advisory_db_commit],
        )
        .map_err(&err)?;
        let id = tx.last_insert_rowid();
        {
            let mut s = tx
                .prepare("INSERT INTO monitor_state (run_id, advisory, product, version, target, crate, crate_version, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
                .map_err(&err)?;
            for r in rows {
                s.execute(params![
                    id,
                    r.advisory,
                    r.product,
                    r.version,
                    r.target,
                    r.krate,
                    r.crate_version,
                    r.status
                ])
                .map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)
    }
}

fn component(x: &rusqlite::Row<'_>) -> rusqlite::Result<Component> {
    Ok(Component {
        name: x.get(0)?,
        version: x.get(1)?,
        source: x.get(2)?,
        purl: x.get(3)?,
        kind: x.get(4)?,
    })
}

fn exception(x: &rusqlite::Row<'_>) -> rusqlite::Result<Exception> {
    Ok(Exception {
        advisory: x.get(0)?,
        krate: x.get(1)?,
        reason: x.get(2)?,
        approved_by: x.get(3)?,
        expires: x.get(4)?,
    })
}
