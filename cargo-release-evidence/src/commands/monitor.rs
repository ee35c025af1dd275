//! `monitor`: every retained release in support against the advisory DB (`--advisory-db`,
//! fetched unless `--offline`, as for `check`) at the evaluation date (`--date`); the report
//! also as Markdown with `--markdown FILE`.

use super::{date, exit_for};
use crate::advisories::obtain;
use crate::cli::GlobalArgs;
use crate::error::Result;
use crate::findings::Decision;
use crate::ledger::{self, monitor};
use crate::policy::model::Advisories;
use crate::render::human::ledger as human;
use crate::render::markdown as md;
use crate::util::fs::write_atomic;
use crate::util::paths::absolute;
use std::path::Path;

pub fn run(g: &GlobalArgs, location: Option<&str>, markdown: Option<&Path>) -> Result<u8> {
    let location = ledger::location(location)?;
    let day = date(g)?;
    let path = obtain::location(g.advisory_db.as_deref(), None)?;
    let mut db = obtain::obtain(
        &path,
        path.display().to_string(),
        g.offline || g.frozen,
        day,
        Advisories::default().max_age_days,
    )?;
    db.check_date(day)?;
    let mut store = ledger::open(&location)?;
    let report = monitor::run(store.as_mut(), &mut db, day)?;
    if let Some(path) = markdown {
        write_atomic(&absolute(path)?, md::monitor(&report).as_bytes())?;
    }
    super::ledger::output(g, &report, human::monitor)?;
    Ok(exit_for(if report.unaccepted_vulnerabilities > 0 {
        Decision::Hold
    } else {
        Decision::Pass
    }))
}
