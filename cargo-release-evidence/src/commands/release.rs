//! The main job (no subcommand): gate, build, evidence.

use super::{exit_for, pipeline_options, print};
use crate::cli::{Format, GlobalArgs};
use crate::error::Result;
use crate::pipeline;
use crate::render;

pub fn run(g: &GlobalArgs) -> Result<u8> {
    let mut opts = pipeline_options(g)?;
    // The SOUP list reuses what the yanked check reads from the index cache.
    opts.gate.index_facts = true;
    let (gate, report) = pipeline::release::run(&opts)?;
    let text = match g.format {
        Format::Json => render::json::to_string(&report),
        Format::Sarif => {
            render::sarif::render(&gate.report.tool, &report.findings, report.decision)
        }
        Format::Human => render::human::release::render(&gate.report, &report, g.verbose, g.quiet),
    };
    print(&text)?;
    Ok(exit_for(report.decision))
}
