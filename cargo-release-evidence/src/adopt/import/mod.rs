//! `init --from TOOL=FILE`: what a team already decided in a peer tool's configuration
//! (cargo-deny's `deny.toml`, cargo-audit's `audit.toml`, osv-scanner's `osv-scanner.toml`)
//! turned into the starting policy: license allow-lists and exceptions, allowed registries and
//! git sources, bans, and advisory ignores. Every interpretation is a [`Note`] that `init`
//! prints; keys with no equivalent are reported, never dropped silently; a file that is not
//! what its tool reads is an error located by file, line and column.

mod audit;
mod deny;
pub mod render;
mod toml_read;

use crate::error::{Error, Result};
use crate::util::time::Day;
use std::path::{Path, PathBuf};
use toml_read::Reader;

/// The peer tool a file comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    CargoDeny,
    CargoAudit,
    OsvScanner,
}

impl Tool {
    /// Parses `cargo-deny=deny.toml` (the `--from` value) into the tool and the path.
    pub fn parse_from(spec: &str) -> Result<(Tool, PathBuf)> {
        let bad = |m: String| Error::usage("--from", m);
        let (tool, path) = spec.split_once('=').ok_or_else(|| {
            bad(format!(
                "expected TOOL=FILE (e.g. cargo-deny=deny.toml), found `{spec}`"
            ))
        })?;
        let tool = match tool {
            "cargo-deny" => Tool::CargoDeny,
            "cargo-audit" => Tool::CargoAudit,
            "osv-scanner" => Tool::OsvScanner,
            other => {
                return Err(bad(format!(
                    "unknown tool `{other}`; expected cargo-deny, cargo-audit or osv-scanner"
                )));
            }
        };
        if path.is_empty() {
            return Err(bad(format!("no file after `{tool:?}=` in `{spec}`")));
        }
        Ok((tool, PathBuf::from(path)))
    }
}

/// One decision or report line of the import, printed by `init`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// `deny.toml:12:1`.
    pub at: String,
    pub message: String,
}

/// `[[licenses.exception]]` from the import.
#[derive(Debug, Clone)]
pub struct LicenseException {
    pub name: String,
    pub version: Option<String>,
    pub allow: Vec<String>,
    pub from: String,
}

/// `[[banned]]` from the import.
#[derive(Debug, Clone)]
pub struct Ban {
    pub name: String,
    pub version: Option<String>,
    pub reason: String,
}

/// An advisory ignore as the peer tool states it.
#[derive(Debug, Clone)]
pub struct Ignore {
    pub id: String,
    pub reason: Option<String>,
    /// The last day the ignore holds.
    pub until: Option<Day>,
    pub from: String,
    pub at: String,
}

/// `[[advisories.exception]]` from the import, with its crate from the advisory DB.
#[derive(Debug, Clone)]
pub struct Exception {
    pub id: String,
    pub krate: String,
    pub reason: String,
    pub approved_by: String,
    pub expires: Day,
}

/// Everything imported from the `--from` files, in their order.
#[derive(Debug, Default)]
pub struct Imported {
    /// The file names, as given.
    pub files: Vec<String>,
    /// The license allow-list (cargo-deny), replacing the ids in use.
    pub licenses: Option<(String, Vec<String>)>,
    pub license_exceptions: Vec<LicenseException>,
    /// Allowed registries (`crates.io` or index URLs) and git sources (cargo-deny).
    pub registries: Option<(String, Vec<String>)>,
    pub git: Option<(String, Vec<String>)>,
    pub banned: Vec<Ban>,
    pub ignores: Vec<Ignore>,
    /// Resolved from `ignores` by [`Imported::resolve`].
    pub exceptions: Vec<Exception>,
    pub notes: Vec<Note>,
}

/// How long an imported ignore without its own expiry is accepted.
pub const DEFAULT_EXPIRY_DAYS: i64 = 90;

/// Reads the `--from` files (paths relative to the current directory). Every problem of every
/// file is reported at once.
pub fn read(specs: &[String]) -> Result<Imported> {
    let mut imported = Imported::default();
    let mut errors = Vec::new();
    for spec in specs {
        let (tool, path) = Tool::parse_from(spec)?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::io(format!("reading {} (--from {spec})", path.display()), e))?;
        let mut r = Reader::new(&path, &text);
        let doc = match toml_edit::Document::parse(text.as_str()) {
            Ok(d) => d,
            Err(e) => {
                return Err(Error::config_at(
                    &path,
                    &text,
                    e.span(),
                    format!("not a TOML file: {}", e.message()),
                ));
            }
        };
        imported.files.push(r.name.clone());
        match tool {
            Tool::CargoDeny => deny::read(&mut r, doc.as_table(), &mut imported),
            Tool::CargoAudit => audit::cargo_audit(&mut r, doc.as_table(), &mut imported),
            Tool::OsvScanner => audit::osv_scanner(&mut r, doc.as_table(), &mut imported),
        }
        errors.extend(r.errors);
        imported.notes.extend(r.notes);
    }
    if errors.is_empty() {
        Ok(imported)
    } else {
        Err(Error::Config(errors))
    }
}

impl Imported {
    /// Turns the advisory ignores into exceptions: the crate each advisory concerns from the
    /// DB (an id the DB does not hold is reported and not imported), a reason and an expiry
    /// of [`DEFAULT_EXPIRY_DAYS`] where the tool recorded none.
    pub fn resolve(&mut self, db: Option<&Path>, today: Day) {
        let ignores = std::mem::take(&mut self.ignores);
        let mut seen = std::collections::BTreeSet::new();
        for ig in &ignores {
            if !seen.insert(ig.id.clone()) {
                continue;
            }
            let krate = match db.map(|d| crate_of(d, &ig.id)) {
                Some(Some(k)) => k,
                Some(None) => {
                    self.note(
                        &ig.at,
                        format!(
                            "ignore of {} not imported: the advisory database at {} has no advisory with this id or alias",
                            ig.id,
                            db.map(|d| d.display().to_string()).unwrap_or_default()
                        ),
                    );
                    continue;
                }
                None => {
                    self.note(&ig.at, format!("ignore of {} not imported: no advisory database to name its crate (pass --advisory-db)", ig.id));
                    continue;
                }
            };
            let review = format!("imported from {}: review", ig.from);
            let reason = match &ig.reason {
                Some(r) => format!("{r} ({review})"),
                None => review.clone(),
            };
            let expires = ig.until.unwrap_or(today.plus_days(DEFAULT_EXPIRY_DAYS));
            let mut said = Vec::new();
            if ig.reason.is_none() {
                said.push("no reason given".to_owned());
            }
            if ig.until.is_none() {
                said.push(format!(
                    "no expiry given, expires in {DEFAULT_EXPIRY_DAYS} days"
                ));
            }
            let how = if said.is_empty() {
                String::new()
            } else {
                format!(" ({})", said.join("; "))
            };
            self.note(
                &ig.at,
                format!(
                    "ignore of {} imported as an [[advisories.exception]] for `{krate}` expiring {expires}{how}",
                    ig.id
                ),
            );
            self.exceptions.push(Exception {
                id: ig.id.clone(),
                krate,
                reason,
                approved_by: format!("imported from {}", ig.from),
                expires,
            });
        }
    }

    fn note(&mut self, at: &str, message: String) {
        self.notes.push(Note {
            at: at.to_owned(),
            message,
        });
    }
}

/// The crate an advisory (by RustSec id, or by alias such as a CVE or GHSA id) concerns,
/// found in the DB's `crates/<name>/` directories: a RustSec id by its file name, an alias by
/// the advisory files that mention it.
fn crate_of(db: &Path, id: &str) -> Option<String> {
    let crates = std::fs::read_dir(db.join("crates")).ok()?;
    let mut dirs: Vec<PathBuf> = crates.flatten().map(|e| e.path()).collect();
    dirs.sort();
    let name_of = |d: &Path| d.file_name().map(|n| n.to_string_lossy().into_owned());
    if id.starts_with("RUSTSEC-") {
        for d in &dirs {
            if d.join(format!("{id}.md")).is_file() || d.join(format!("{id}.toml")).is_file() {
                return name_of(d);
            }
        }
        return None;
    }
    let quoted = format!("\"{id}\"");
    for d in &dirs {
        let Ok(files) = std::fs::read_dir(d) else {
            continue;
        };
        for f in files.flatten() {
            if let Ok(text) = std::fs::read_to_string(f.path())
                && text
                    .lines()
                    .any(|l| l.trim_start().starts_with("aliases") && l.contains(&quoted))
            {
                return name_of(d);
            }
        }
    }
    None
}
