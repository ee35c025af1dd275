//! `db fetch`: clone or fast-forward the advisory DB (network).

use crate::advisories::{db, obtain};
use crate::cli::{Format, GlobalArgs};
use crate::error::{EXIT_PASS, Error, Result};
use crate::policy::Policy;
use crate::workspace::{self, metadata};

pub fn fetch(g: &GlobalArgs, url: &str) -> Result<u8> {
    if g.offline || g.frozen {
        return Err(Error::usage(
            "--offline",
            "`db fetch` uses the network; drop --offline/--frozen",
        ));
    }
    let policy = if g.advisory_db.is_some() {
        None
    } else {
        metadata::find_manifest(g.manifest_path.as_deref())
            .ok()
            .map(|m| workspace::guess_workspace_root(&m))
            .and_then(|root| Policy::load(&root, g.policy.as_deref()).ok())
    };
    let path = obtain::location(g.advisory_db.as_deref(), policy.as_ref())?;
    let record = db::fetch(&path, url);
    if g.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string(&record).expect("a fetch record serializes")
        );
    } else if !g.quiet {
        println!(
            "git {} {} into {}: {}",
            record.action,
            record.url,
            path.display(),
            if record.ok { "ok" } else { "failed" }
        );
    }
    if record.ok {
        Ok(EXIT_PASS)
    } else {
        Err(Error::Command {
            command: format!("git {}", record.action),
            message: record.error.unwrap_or_default(),
        })
    }
}
