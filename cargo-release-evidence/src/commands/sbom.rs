//! `sbom [-o PATH]`: only the SBOM(s).

use super::pipeline_options;
use crate::cli::GlobalArgs;
use crate::error::{EXIT_PASS, Result};
use crate::pipeline::sbom_only;
use std::path::Path;

pub fn run(g: &GlobalArgs, output: Option<&Path>) -> Result<u8> {
    let written = sbom_only::run(&pipeline_options(g)?, output)?;
    if !g.quiet {
        for p in &written {
            println!("wrote {}", p.display());
        }
    }
    Ok(EXIT_PASS)
}
