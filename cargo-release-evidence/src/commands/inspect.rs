//! `inspect BINARY`: the evidence embedded in a binary, audited against the advisory DB.
//! Without a database the binary is "not audited": exit 3, never a quiet 0.

use super::{date, exit_for, print};
use crate::advisories::{db, obtain};
use crate::cli::{Format, GlobalArgs};
use crate::error::{EXIT_NOT_AUDITED, Error, Result};
use crate::inspect;
use crate::policy::{POLICY_FILE, Policy};
use crate::render;
use crate::workspace::{self, metadata};
use std::path::Path;

pub fn run(g: &GlobalArgs, binary: &Path) -> Result<u8> {
    let (record, packages) = inspect::read(binary)?;
    let policy = policy_here(g)?;
    let db_path = obtain::location(g.advisory_db.as_deref(), policy.as_ref()).ok();
    let date = date(g)?;
    let db = match db_path {
        Some(p) if p.join("crates").is_dir() => {
            let mut db = db::open(&p, p.display().to_string())?;
            db.check_date(date)?;
            db.load(packages.iter().map(|p| p.name.as_str()));
            Some(db)
        }
        Some(p) if g.advisory_db.is_some() => {
            return Err(Error::usage(
                "--advisory-db",
                format!(
                    "no advisory database at {} (no crates/ directory); pass the path of a local copy of the RustSec advisory-db, or run `cargo release-evidence db fetch`",
                    p.display()
                ),
            ));
        }
        _ => None,
    };
    let report = inspect::audit(binary, record, packages, db, policy.as_ref(), date);
    let text = if g.format == Format::Json {
        render::json::to_string(&report)
    } else {
        render::human::inspect::render(&report)
    };
    print(&text)?;
    if !report.audited {
        return Ok(EXIT_NOT_AUDITED);
    }
    Ok(exit_for(report.decision))
}

/// The policy of the workspace here, if any, for the DB location and the exceptions. An
/// explicit `--policy`, or a policy file that exists but does not load, is an error; no
/// workspace or no policy is fine (inspect runs anywhere).
fn policy_here(g: &GlobalArgs) -> Result<Option<Policy>> {
    let root = metadata::find_manifest(g.manifest_path.as_deref())
        .ok()
        .map(|m| workspace::guess_workspace_root(&m));
    match (&g.policy, root) {
        (Some(explicit), root) => {
            let root = root.unwrap_or_else(|| explicit.parent().unwrap_or(Path::new(".")).into());
            Policy::load(&root, Some(explicit)).map(Some)
        }
        (None, Some(root)) if root.join(POLICY_FILE).exists() => {
            Policy::load(&root, None).map(Some)
        }
        (None, Some(root)) => Ok(Policy::load(&root, None).ok()),
        (None, None) => Ok(None),
    }
}
