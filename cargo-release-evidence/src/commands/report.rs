//! `report [DIR] [-o FILE] [--pdf FILE]`: the release page with the verified approvals, written
//! outside the evidence, and printed to PDF with a local Chromium.

use super::print;
use crate::cli::{Format, GlobalArgs, Paper};
use crate::error::{EXIT_HOLD, EXIT_PASS, Result};
use crate::evidence::locate;
use crate::render;
use crate::report::{self, Outcome};
use crate::util::paths::absolute;
use crate::workspace::{self, metadata};
use std::path::Path;

pub struct Args<'a> {
    pub evidence_dir: Option<&'a Path>,
    pub output: Option<&'a Path>,
    pub pdf: Option<&'a Path>,
    pub paper: Paper,
    pub allowed_signers: Option<&'a Path>,
    pub trust_evidence_copy: bool,
}

pub fn run(g: &GlobalArgs, a: &Args<'_>) -> Result<u8> {
    let dir = match a.evidence_dir {
        Some(d) => absolute(d)?,
        None => {
            let manifest = metadata::find_manifest(g.manifest_path.as_deref())?;
            locate::locate(
                None,
                &workspace::guess_workspace_root(&manifest),
                &g.profile,
            )?
        }
    };
    let opts = report::Options {
        dir: dir.clone(),
        output: a.output.map(Path::to_path_buf),
        pdf: a.pdf.map(Path::to_path_buf),
        paper: match a.paper {
            Paper::A4 => report::Paper::A4,
            Paper::Letter => report::Paper::Letter,
        },
        trust: super::verify::trust_root(g, &dir, a.allowed_signers, a.trust_evidence_copy)?,
        time: super::verify::verification_time(g)?,
    };
    match report::run(&opts)? {
        Outcome::Written(r) => {
            let text = if g.format == Format::Json {
                render::json::to_string(&r)
            } else {
                render::human::report::render(&r)
            };
            if !g.quiet || g.format == Format::Json {
                print(&text)?;
            }
            Ok(EXIT_PASS)
        }
        Outcome::PageNotVerified { detail } => {
            eprintln!(
                "error: the sealed page {} in {} does not verify ({}); nothing was written. Run `cargo release-evidence verify` on the directory.",
                crate::evidence::PAGE_FILE,
                opts.dir.display(),
                crate::util::text::clip(&detail, 300)
            );
            Ok(EXIT_HOLD)
        }
    }
}
