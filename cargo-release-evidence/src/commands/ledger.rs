//! `ledger add|list|show|export|query`: retain verified evidence and ask the ledger about it.
//! `ledger add` verifies the directory exactly as `verify` does (same trust root flags) and
//! refuses one that does not verify (exit 1), writing nothing.

use super::print;
use super::verify::{trust_root, verification_time};
use crate::cli::{Format, GlobalArgs, LedgerCommand};
use crate::error::{EXIT_HOLD, EXIT_PASS, Error, Result};
use crate::ledger::{self, index, query};
use crate::render;
use crate::render::human::ledger as human;
use crate::sign::verify;
use crate::util::paths::absolute;
use serde::Serialize;

/// Renders `value` as JSON or with `text`; SARIF is not an output of these commands.
pub fn output<T: Serialize>(g: &GlobalArgs, value: &T, text: impl Fn(&T) -> String) -> Result<()> {
    match g.format {
        Format::Json => print(&render::json::to_string(value)),
        Format::Human => print(&text(value)),
        Format::Sarif => Err(Error::usage(
            "--format",
            "this command writes `human` or `json`",
        )),
    }
}

pub fn run(g: &GlobalArgs, location: Option<&str>, command: &LedgerCommand) -> Result<u8> {
    if g.format == Format::Sarif {
        return Err(Error::usage(
            "--format",
            "the ledger commands write `human` or `json`",
        ));
    }
    let location = ledger::location(location)?;
    match command {
        LedgerCommand::Add {
            evidence_dir,
            allowed_signers,
            trust_evidence_copy,
        } => {
            let dir = absolute(evidence_dir)?;
            let trust = trust_root(g, &dir, allowed_signers.as_deref(), *trust_evidence_copy)?;
            let v = verify::run(&dir, &trust, verification_time(g)?)?;
            if !v.ok {
                // Refused before the ledger is even opened: nothing is written.
                #[derive(Serialize)]
                struct Refused<'a> {
                    outcome: &'static str,
                    verification: &'a verify::Verification,
                }
                output(
                    g,
                    &Refused {
                        outcome: "refused",
                        verification: &v,
                    },
                    |r| human::refused(r.verification),
                )?;
                return Ok(EXIT_HOLD);
            }
            let (release, blobs) = index::read(&dir, &v)?;
            let mut store = ledger::open(&location)?;
            let outcome = store.add(&release, &blobs)?;
            let report = query::AddReport::new(store.location(), outcome, &release);
            output(g, &report, human::add)?;
        }
        LedgerCommand::List => {
            let store = ledger::open(&location)?;
            output(g, &query::list(store.as_ref())?, human::list)?;
        }
        LedgerCommand::Show { release } => {
            let (product, version) = release_spec(release)?;
            let store = ledger::open(&location)?;
            let report = query::show(store.as_ref(), product, version, g.target.as_deref())?;
            output(g, &report, human::show)?;
        }
        LedgerCommand::Export { release, to } => {
            let (product, version) = release_spec(release)?;
            let to = absolute(to)?;
            let store = ledger::open(&location)?;
            let report = query::export(store.as_ref(), product, version, g.target.as_deref(), &to)?;
            output(g, &report, human::export)?;
        }
        LedgerCommand::Query { krate } => {
            let (name, req) = query::split_spec(krate, "--crate")?;
            let store = ledger::open(&location)?;
            output(
                g,
                &query::query_crate(store.as_ref(), name, req)?,
                human::query,
            )?;
        }
    }
    Ok(EXIT_PASS)
}

fn release_spec(spec: &str) -> Result<(&str, &str)> {
    match query::split_spec(spec, "PRODUCT@VERSION")? {
        (p, Some(v)) => Ok((p, v)),
        (_, None) => Err(Error::usage(
            "PRODUCT@VERSION",
            format!("`{spec}` names no version: write PRODUCT@VERSION, as `ledger list` shows"),
        )),
    }
}
