//! `inspect BINARY`: the evidence embedded in a binary, audited against the advisory DB.

use super::{date, exit_for, print};
use crate::advisories::{db, obtain};
use crate::cli::{Format, GlobalArgs};
use crate::error::Result;
use crate::inspect;
use crate::policy::Policy;
use crate::render;
use crate::workspace::{self, metadata};
use std::path::Path;

pub fn run(g: &GlobalArgs, binary: &Path) -> Result<u8> {
    let (record, packages) = inspect::read(binary)?;
    // The policy of the workspace here, if any, for the DB location and the exceptions.
    let policy = metadata::find_manifest(g.manifest_path.as_deref())
        .ok()
        .map(|m| workspace::guess_workspace_root(&m))
        .and_then(|root| Policy::load(&root, g.policy.as_deref()).ok());
    let db_path = obtain::location(g.advisory_db.as_deref(), policy.as_ref()).ok();
    let db = match db_path {
        Some(p) if p.join("crates").is_dir() => {
            let mut db = db::open(&p, p.display().to_string())?;
            db.load(packages.iter().map(|p| p.name.as_str()));
            Some(db)
        }
        _ => None,
    };
    let report = inspect::audit(binary, record, packages, db, policy.as_ref(), date(g)?);
    let text = if g.format == Format::Json {
        render::json::to_string(&report)
    } else {
        render::human::inspect::render(&report)
    };
    print(&text)?;
    Ok(exit_for(report.decision))
}
