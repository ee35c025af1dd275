//! `monitor`: every retained release in support against the advisory DB (`--advisory-db`,
//! fetched unless `--offline`, as for `check`) at the evaluation date (`--date`); the report
//! also as Markdown with `--markdown FILE`, as SARIF with `--sarif FILE`; draft CSAF VEX
//! documents with `--csaf-dir DIR` and draft CRA Art. 14 notifications with
//! `--notification-dir DIR`.

use super::{date, exit_for};
use crate::advisories::obtain;
use crate::cli::{GlobalArgs, MonitorOutputs};
use crate::error::Result;
use crate::findings::Decision;
use crate::gate::report::Tool;
use crate::ledger::{self, csaf, monitor, notification};
use crate::policy::model::Advisories;
use crate::render::human::ledger as human;
use crate::render::markdown as md;
use crate::util::fs::write_atomic;
use crate::util::paths::absolute;
use std::path::PathBuf;

mod drafts;

pub fn run(g: &GlobalArgs, location: Option<&str>, outputs: &MonitorOutputs) -> Result<u8> {
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
    let (report, run, state) = monitor::evaluate(store.as_ref(), &mut db, day)?;
    let mut drafts: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    if let Some(dir) = &outputs.csaf_dir {
        let dir = absolute(dir)?;
        for product in csaf::products(&report) {
            if let Some((name, doc)) = csaf::document(store.as_ref(), &report, &product)? {
                let text = crate::render::json::to_string(&doc);
                drafts.push((dir.join(name), text.into_bytes()));
            }
        }
    }
    if let Some(dir) = &outputs.notification_dir {
        let dir = absolute(dir)?;
        for n in notification::drafts(store.as_ref(), &report)? {
            let stem = notification::stem(&n);
            let json = crate::render::json::to_string(&n);
            let text = md::notification(&n, drafts::MARKDOWN_MARKER);
            drafts.push((dir.join(format!("{stem}.json")), json.into_bytes()));
            drafts.push((dir.join(format!("{stem}.md")), text.into_bytes()));
        }
    }
    drafts::write(&drafts)?;
    if let Some(path) = &outputs.sarif {
        let findings = ledger::findings::findings(&report);
        let decision = if report.unaccepted_vulnerabilities > 0 {
            Decision::Hold
        } else {
            Decision::Pass
        };
        let text = crate::render::sarif::render(&Tool::this(), &findings, decision);
        write_atomic(&absolute(path)?, text.as_bytes())?;
    }
    if let Some(path) = &outputs.markdown {
        write_atomic(&absolute(path)?, md::monitor(&report).as_bytes())?;
    }
    // Recorded once every file is written: a refused output leaves the ledger's state as it was.
    store.record_run(&run, &state)?;
    super::ledger::output(g, &report, human::monitor)?;
    Ok(exit_for(if report.unaccepted_vulnerabilities > 0 {
        Decision::Hold
    } else {
        Decision::Pass
    }))
}
