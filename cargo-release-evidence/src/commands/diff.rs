//! `diff A B`: two releases, each an evidence directory or a ledger entry `PRODUCT@VERSION`
//! (looked up in `--ledger`).

use super::ledger::output;
use crate::cli::GlobalArgs;
use crate::error::{EXIT_PASS, Error, Result};
use crate::ledger::{self, diff, index, query};
use crate::render::human::ledger as human;
use crate::util::fs::write_atomic;
use crate::util::paths::absolute;
use std::path::Path;

fn load(
    g: &GlobalArgs,
    spec: &str,
    location: Option<&str>,
) -> Result<(index::Release, serde_json::Value)> {
    let path = Path::new(spec);
    if path.is_dir() {
        return index::read_recorded(&absolute(path)?);
    }
    match query::split_spec(spec, "RELEASE")? {
        (product, Some(version)) => {
            let store = ledger::open(&ledger::location(location)?)?;
            query::retained(store.as_ref(), product, version, g.target.as_deref())
        }
        _ => Err(Error::usage(
            "RELEASE",
            format!("`{spec}` is neither an evidence directory nor PRODUCT@VERSION"),
        )),
    }
}

pub fn run(
    g: &GlobalArgs,
    a: &str,
    b: &str,
    location: Option<&str>,
    markdown: Option<&Path>,
) -> Result<u8> {
    let (ra, ma) = load(g, a, location)?;
    let (rb, mb) = load(g, b, location)?;
    let report = diff::diff(&ra, &diff::advisories(&ma), &rb, &diff::advisories(&mb));
    if let Some(path) = markdown {
        write_atomic(
            &absolute(path)?,
            crate::render::markdown::diff(&report).as_bytes(),
        )?;
    }
    output(g, &report, human::diff)?;
    Ok(EXIT_PASS)
}
