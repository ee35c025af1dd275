//! `export TOOL`: a peer tool's configuration from the policy.

use super::date;
use crate::adopt::export::{self, Peer};
use crate::cli::{GlobalArgs, PeerTool};
use crate::error::{EXIT_PASS, Result};
use crate::policy::Policy;
use crate::workspace::{self, metadata};
use std::path::Path;

pub fn run(g: &GlobalArgs, tool: PeerTool, output: Option<&Path>) -> Result<u8> {
    let manifest = metadata::find_manifest(g.manifest_path.as_deref())?;
    let root = workspace::guess_workspace_root(&manifest);
    let policy = Policy::load(&root, g.policy.as_deref())?;
    let peer = match tool {
        PeerTool::CargoDeny => Peer::CargoDeny,
        PeerTool::CargoAudit => Peer::CargoAudit,
        PeerTool::OsvScanner => Peer::OsvScanner,
    };
    let text = export::render(&policy, peer, date(g)?);
    match output {
        Some(path) => {
            crate::util::fs::write_atomic(path, text.as_bytes())?;
            if !g.quiet {
                println!("wrote {}", path.display());
            }
        }
        None => super::print(&text)?,
    }
    Ok(EXIT_PASS)
}
