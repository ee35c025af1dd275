//! The ledger on PostgreSQL, for an organisation: many repositories and CI runners share one
//! ledger (`--ledger postgres://user@host/db`). The same [`Store`] as the SQLite file, the
//! same schema versions (`postgres_schema`), the same answers.
//!
//! - The synchronous `postgres` client without TLS (`NoTls`): reach the server over a local
//!   socket, loopback, or a tunnel; a URL demanding TLS (`sslmode=require`) is refused by the
//!   client with a clear error.
//! - Migrations are applied on first use in one transaction under an advisory lock, so
//!   processes opening a new database at once apply them once.
//! - Every method is one transaction. `add` takes an advisory lock on the release's product,
//!   version and target first, so concurrent `ledger add`s of one release are serialized:
//!   one retains it, the others find it retained (the same evidence) or are refused (a
//!   different one). Blobs are shared between releases (`ON CONFLICT DO NOTHING`).
//! - Blobs are content-addressed (`BYTEA` keyed by sha256), their digest checked on read.

use super::index::{Approval, Artifact, Blob, Component, Exception, File, Release};
use super::postgres_schema::{self as pg_schema, MIGRATION_LOCK};
use super::{Added, MonitoredComponent, Run, StateRow, Store, Summary, schema};
use crate::error::{Error, Result};
use crate::util::digest::sha256_hex;
use postgres::{Client, GenericClient, IsolationLevel, NoTls, Row, Transaction};
use std::cell::RefCell;
use std::str::FromStr;

pub struct Postgres {
    // The client needs `&mut` for every query; the trait's readers take `&self`.
    client: RefCell<Client>,
    location: String,
}

/// The error and its causes (the client's `Display` names only the kind).
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

fn db_err(location: &str) -> impl Fn(postgres::Error) -> Error + '_ {
    move |e| Error::Environment(format!("ledger {location}: {}", describe(&e)))
}

type Q<T> = std::result::Result<T, postgres::Error>;

/// The rows of `sql` mapped by `f`, as one `Result`.
fn all<T>(
    tx: &mut impl GenericClient,
    sql: &str,
    args: &[&(dyn postgres::types::ToSql + Sync)],
    f: impl Fn(&Row) -> Q<T>,
) -> Q<Vec<T>> {
    tx.query(sql, args)?.iter().map(f).collect()
}

impl Postgres {
    /// Connects to `url` and applies the missing migrations.
    pub fn open(url: &str) -> Result<Postgres> {
        let mut config = postgres::Config::from_str(url).map_err(|e| {
            Error::usage(
                "--ledger",
                format!("not a PostgreSQL connection URL: {}", describe(&e)),
            )
        })?;
        let location = pg_schema::display(&config);
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(15));
        }
        if config.get_application_name().is_none() {
            config.application_name("cargo-release-evidence");
        }
        let mut client = config.connect(NoTls).map_err(|e| {
            Error::Environment(format!(
                "cannot connect to the PostgreSQL ledger {location}: {}",
                describe(&e)
            ))
        })?;
        let err = db_err(&location);
        // The common case in one round trip, without a lock: the schema is current.
        if current(&mut client, &location)? {
            drop(err);
            return Ok(Postgres {
                client: RefCell::new(client),
                location,
            });
        }
        let mut tx = client.transaction().map_err(&err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(&err)?;
        tx.batch_execute(pg_schema::VERSION_TABLE).map_err(&err)?;
        let found: i64 = tx
            .query_one(pg_schema::FOUND, &[])
            .and_then(|r| r.try_get(0))
            .map_err(&err)?;
        let todo = schema::plan(found, &location)?;
        if !todo.is_empty() {
            for i in todo.clone() {
                tx.batch_execute(pg_schema::POSTGRES[i]).map_err(&err)?;
            }
            tx.execute("DELETE FROM schema_version", &[])
                .map_err(&err)?;
            tx.execute(
                "INSERT INTO schema_version (version) VALUES ($1)",
                &[&(todo.end as i64)],
            )
            .map_err(&err)?;
        }
        tx.commit().map_err(&err)?;
        drop(err);
        Ok(Postgres {
            client: RefCell::new(client),
            location,
        })
    }

    /// Runs one statement (a transaction of its own).
    fn read_one<T>(&self, f: impl FnOnce(&mut Client) -> Q<T>) -> Result<T> {
        f(&mut self.client.borrow_mut()).map_err(db_err(&self.location))
    }

    /// Runs `f` in one read-only transaction that sees one snapshot.
    fn read<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> Q<T>) -> Result<T> {
        let mut client = self.client.borrow_mut();
        let err = db_err(&self.location);
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(&err)?;
        let out = f(&mut tx).map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(out)
    }
}

// Ordered as SQLite orders (bytewise), whatever the database's collation: the same output
// from both backends.
const SUMMARY: &str = "SELECT id, product, version, target, release_date, decision, evidence_digest, support_end FROM releases ORDER BY product COLLATE \"C\", version COLLATE \"C\", target COLLATE \"C\"";

impl Store for Postgres {
    fn location(&self) -> &str {
        &self.location
    }

    fn add(&mut self, r: &Release, blobs: &[Blob]) -> Result<Added> {
        let location = self.location.clone();
        let err = db_err(&location);
        let client = self.client.get_mut();
        let mut tx = client.transaction().map_err(&err)?;
        let key = format!("{}\n{}\n{}", r.product, r.version, r.target);
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            &[&key],
        )
        .map_err(&err)?;
        let existing = tx
            .query_opt(
                "SELECT bundle_digest FROM releases WHERE product = $1 AND version = $2 AND target = $3",
                &[&r.product, &r.version, &r.target],
            )
            .map_err(&err)?;
        if let Some(row) = existing {
            let bundle: String = row.try_get(0).map_err(&err)?;
            if bundle == r.bundle_digest {
                return Ok(Added::AlreadyRetained);
            }
            return Err(Error::Environment(format!(
                "the ledger {location} already retains {}@{} for {} with different evidence (files {bundle}, this directory {}); retained evidence is immutable",
                r.product, r.version, r.target, r.bundle_digest
            )));
        }
        // Only the blobs the ledger lacks travel to the server.
        let digests: Vec<&str> = blobs.iter().map(|b| b.sha256.as_str()).collect();
        let present: std::collections::HashSet<String> = tx
            .query(
                "SELECT sha256 FROM blobs WHERE sha256 = ANY($1)",
                &[&digests],
            )
            .map_err(&err)?
            .iter()
            .map(|row| row.try_get(0))
            .collect::<Q<_>>()
            .map_err(&err)?;
        let insert = tx
            .prepare("INSERT INTO blobs (sha256, size, content) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
            .map_err(&err)?;
        for b in blobs.iter().filter(|b| !present.contains(&b.sha256)) {
            tx.execute(&insert, &[&b.sha256, &(b.content.len() as i64), &b.content])
                .map_err(&err)?;
        }
        let id: i64 = tx
            .query_one(
                "INSERT INTO releases (product, version, target, release_date, gate_date, decision, evidence_digest, bundle_digest, support_end, advisory_db_date, advisory_db_commit) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                &[
                    &r.product, &r.version, &r.target, &r.release_date, &r.gate_date, &r.decision,
                    &r.evidence_digest, &r.bundle_digest, &r.support_end, &r.advisory_db_date,
                    &r.advisory_db_commit,
                ],
            )
            .and_then(|row| row.try_get(0))
            .map_err(&err)?;
        // Each table in one statement: the rows as arrays, unnested on the server.
        let col = |f: &dyn Fn(usize) -> String, n: usize| (0..n).map(f).collect::<Vec<String>>();
        let n = r.files.len();
        tx.execute(
            "INSERT INTO files (release_id, path, sha256, size, executable) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::boolean[])",
            &[
                &id,
                &col(&|i| r.files[i].path.clone(), n),
                &col(&|i| r.files[i].sha256.clone(), n),
                &r.files.iter().map(|f| f.size as i64).collect::<Vec<i64>>(),
                &r.files.iter().map(|f| f.executable).collect::<Vec<bool>>(),
            ],
        )
        .map_err(&err)?;
        let n = r.artifacts.len();
        let a = &r.artifacts;
        tx.execute(
            "INSERT INTO artifacts (release_id, path, kind, sha256, size) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[])",
            &[
                &id,
                &col(&|i| a[i].path.clone(), n),
                &col(&|i| a[i].kind.clone(), n),
                &col(&|i| a[i].sha256.clone(), n),
                &a.iter().map(|x| x.size as i64).collect::<Vec<i64>>(),
            ],
        )
        .map_err(&err)?;
        let n = r.components.len();
        let c = &r.components;
        tx.execute(
            "INSERT INTO components (release_id, name, version, source, purl, kind) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])",
            &[
                &id,
                &col(&|i| c[i].name.clone(), n),
                &col(&|i| c[i].version.clone(), n),
                &col(&|i| c[i].source.clone(), n),
                &col(&|i| c[i].purl.clone(), n),
                &col(&|i| c[i].kind.clone(), n),
            ],
        )
        .map_err(&err)?;
        let n = r.exceptions.len();
        let e = &r.exceptions;
        tx.execute(
            "INSERT INTO exceptions (release_id, advisory, crate, reason, approved_by, expires) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])",
            &[
                &id,
                &col(&|i| e[i].advisory.clone(), n),
                &col(&|i| e[i].krate.clone(), n),
                &col(&|i| e[i].reason.clone(), n),
                &col(&|i| e[i].approved_by.clone(), n),
                &col(&|i| e[i].expires.clone(), n),
            ],
        )
        .map_err(&err)?;
        let n = r.approvals.len();
        let p = &r.approvals;
        tx.execute(
            "INSERT INTO approvals (release_id, role, principal, decision, file) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])",
            &[
                &id,
                &col(&|i| p[i].role.clone(), n),
                &col(&|i| p[i].principal.clone(), n),
                &col(&|i| p[i].decision.clone(), n),
                &col(&|i| p[i].file.clone(), n),
            ],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(Added::Added)
    }

    fn releases(&self) -> Result<Vec<Summary>> {
        self.read_one(|tx| all(tx, SUMMARY, &[], summary))
    }

    fn release(&self, id: i64) -> Result<Release> {
        let found = self.read(|tx| {
            let Some(row) = tx.query_opt(
                "SELECT product, version, target, release_date, gate_date, decision, evidence_digest, bundle_digest, support_end, advisory_db_date, advisory_db_commit FROM releases WHERE id = $1",
                &[&id],
            )?
            else {
                return Ok(None);
            };
            let artifacts = all(tx, "SELECT path, kind, sha256, size FROM artifacts WHERE release_id = $1 ORDER BY path COLLATE \"C\"", &[&id], |x| {
                Ok(Artifact { path: x.try_get(0)?, kind: x.try_get(1)?, sha256: x.try_get(2)?, size: x.try_get::<_, i64>(3)? as u64 })
            })?;
            let components = all(tx, "SELECT name, version, source, purl, kind FROM components WHERE release_id = $1 ORDER BY name COLLATE \"C\", version COLLATE \"C\", source COLLATE \"C\", purl COLLATE \"C\", kind COLLATE \"C\"", &[&id], component)?;
            let exceptions = all(tx, "SELECT advisory, crate, reason, approved_by, expires FROM exceptions WHERE release_id = $1 ORDER BY advisory COLLATE \"C\", crate COLLATE \"C\"", &[&id], exception)?;
            let approvals = all(tx, "SELECT role, principal, decision, file FROM approvals WHERE release_id = $1 ORDER BY file COLLATE \"C\"", &[&id], |x| {
                Ok(Approval { role: x.try_get(0)?, principal: x.try_get(1)?, decision: x.try_get(2)?, file: x.try_get(3)? })
            })?;
            let files = all(tx, "SELECT path, sha256, size, executable FROM files WHERE release_id = $1 ORDER BY path COLLATE \"C\"", &[&id], |x| {
                Ok(File { path: x.try_get(0)?, sha256: x.try_get(1)?, size: x.try_get::<_, i64>(2)? as u64, executable: x.try_get(3)? })
            })?;
            Ok(Some(Release {
                product: row.try_get(0)?,
                version: row.try_get(1)?,
                target: row.try_get(2)?,
                release_date: row.try_get(3)?,
                gate_date: row.try_get(4)?,
                decision: row.try_get(5)?,
                evidence_digest: row.try_get(6)?,
                bundle_digest: row.try_get(7)?,
                support_end: row.try_get(8)?,
                advisory_db_date: row.try_get(9)?,
                advisory_db_commit: row.try_get(10)?,
                artifacts,
                components,
                exceptions,
                approvals,
                files,
            }))
        })?;
        found.ok_or_else(|| {
            Error::Environment(format!(
                "the ledger {} has no release with id {id}",
                self.location
            ))
        })
    }

    fn blob(&self, sha256: &str) -> Result<Vec<u8>> {
        let content: Option<Vec<u8>> = self.read_one(|tx| {
            tx.query_opt("SELECT content FROM blobs WHERE sha256 = $1", &[&sha256])?
                .map(|r| r.try_get(0))
                .transpose()
        })?;
        match content {
            Some(c) if sha256_hex(&c) == sha256 => Ok(c),
            Some(_) => Err(Error::Environment(format!(
                "the ledger {} is corrupt: the blob {sha256} does not match its digest",
                self.location
            ))),
            None => Err(Error::Environment(format!(
                "the ledger {} is corrupt: the blob {sha256} is missing",
                self.location
            ))),
        }
    }

    fn components_named(&self, name: &str) -> Result<Vec<(i64, Component)>> {
        self.read_one(|tx| {
            all(tx, "SELECT release_id, name, version, source, purl, kind FROM components WHERE name = $1", &[&name], |r| {
                Ok((r.try_get(0)?, Component { name: r.try_get(1)?, version: r.try_get(2)?, source: r.try_get(3)?, purl: r.try_get(4)?, kind: r.try_get(5)? }))
            })
        })
    }

    fn crates_io_components(&self) -> Result<Vec<MonitoredComponent>> {
        self.read_one(|tx| {
            all(
                tx,
                "SELECT release_id, name, version, kind FROM components WHERE source = 'crates.io'",
                &[],
                |r| {
                    Ok(MonitoredComponent {
                        release_id: r.try_get(0)?,
                        name: r.try_get(1)?,
                        version: r.try_get(2)?,
                        kind: r.try_get(3)?,
                    })
                },
            )
        })
    }

    fn exceptions(&self) -> Result<Vec<(i64, Exception)>> {
        self.read_one(|tx| {
            all(
                tx,
                "SELECT release_id, advisory, crate, reason, approved_by, expires FROM exceptions",
                &[],
                |r| {
                    Ok((
                        r.try_get(0)?,
                        Exception {
                            advisory: r.try_get(1)?,
                            krate: r.try_get(2)?,
                            reason: r.try_get(3)?,
                            approved_by: r.try_get(4)?,
                            expires: r.try_get(5)?,
                        },
                    ))
                },
            )
        })
    }

    fn last_run(&self) -> Result<Option<(Run, Vec<StateRow>)>> {
        self.read(|tx| {
            let Some(row) = tx.query_opt("SELECT id, date, advisory_db_date, advisory_db_commit FROM monitor_runs ORDER BY id DESC LIMIT 1", &[])? else {
                return Ok(None);
            };
            let id: i64 = row.try_get(0)?;
            let run = Run { date: row.try_get(1)?, advisory_db_date: row.try_get(2)?, advisory_db_commit: row.try_get(3)? };
            let rows = all(tx, "SELECT advisory, product, version, target, crate, crate_version, status FROM monitor_state WHERE run_id = $1", &[&id], |r| {
                Ok(StateRow { advisory: r.try_get(0)?, product: r.try_get(1)?, version: r.try_get(2)?, target: r.try_get(3)?, krate: r.try_get(4)?, crate_version: r.try_get(5)?, status: r.try_get(6)? })
            })?;
            Ok(Some((run, rows)))
        })
    }

    fn record_run(&mut self, run: &Run, rows: &[StateRow]) -> Result<()> {
        let location = self.location.clone();
        let err = db_err(&location);
        let mut tx = self.client.get_mut().transaction().map_err(&err)?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO monitor_runs (date, advisory_db_date, advisory_db_commit) VALUES ($1, $2, $3) RETURNING id",
                &[&run.date, &run.advisory_db_date, &run.advisory_db_commit],
            )
            .and_then(|r| r.try_get(0))
            .map_err(&err)?;
        let col = |f: fn(&StateRow) -> &String| rows.iter().map(f).collect::<Vec<&String>>();
        tx.execute(
            "INSERT INTO monitor_state (run_id, advisory, product, version, target, crate, crate_version, status) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])",
            &[
                &id,
                &col(|r| &r.advisory),
                &col(|r| &r.product),
                &col(|r| &r.version),
                &col(|r| &r.target),
                &col(|r| &r.krate),
                &col(|r| &r.crate_version),
                &col(|r| &r.status),
            ],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)
    }
}

/// Whether the schema is at [`schema::VERSION`] (a newer one is refused); `false` when it is
/// older or missing (then migrated under the lock).
fn current(client: &mut Client, location: &str) -> Result<bool> {
    use postgres::SimpleQueryMessage;
    match client.simple_query(pg_schema::FOUND) {
        Ok(messages) => {
            let found = messages.iter().find_map(|m| match m {
                SimpleQueryMessage::Row(r) => r.get(0).and_then(|v| v.parse::<i64>().ok()),
                _ => None,
            });
            let found = found.unwrap_or(0);
            schema::plan(found, location)?;
            Ok(found == schema::VERSION)
        }
        Err(e) if e.code() == Some(&postgres::error::SqlState::UNDEFINED_TABLE) => Ok(false),
        Err(e) => Err(db_err(location)(e)),
    }
}

fn summary(r: &Row) -> Q<Summary> {
    Ok(Summary {
        id: r.try_get(0)?,
        product: r.try_get(1)?,
        version: r.try_get(2)?,
        target: r.try_get(3)?,
        release_date: r.try_get(4)?,
        decision: r.try_get(5)?,
        evidence_digest: r.try_get(6)?,
        support_end: r.try_get(7)?,
    })
}

fn component(x: &Row) -> Q<Component> {
    Ok(Component {
        name: x.try_get(0)?,
        version: x.try_get(1)?,
        source: x.try_get(2)?,
        purl: x.try_get(3)?,
        kind: x.try_get(4)?,
    })
}

fn exception(x: &Row) -> Q<Exception> {
    Ok(Exception {
        advisory: x.try_get(0)?,
        krate: x.try_get(1)?,
        reason: x.try_get(2)?,
        approved_by: x.try_get(3)?,
        expires: x.try_get(4)?,
    })
}
