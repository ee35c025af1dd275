//! `check`: the gate only.

use super::{exit_for, gate_options, print};
use crate::cli::{Format, GlobalArgs};
use crate::error::Result;
use crate::gate::{self, GateRun};
use crate::render;
use crate::workspace::metadata::Origin;

pub fn run(g: &GlobalArgs) -> Result<u8> {
    let run = gate::run(&gate_options(g)?)?;
    print(&render_gate(g, &run))?;
    Ok(exit_for(run.report.decision))
}

/// The gate's report in the chosen format (also printed by `publish`).
pub fn render_gate(g: &GlobalArgs, run: &GateRun) -> String {
    let r = &run.report;
    match g.format {
        Format::Human => {
            let mut t = render::human::check::render(r, g.verbose, g.quiet);
            if g.verbose > 0 {
                t.push_str(&format!(
                    "metadata: {}\n",
                    match run.metadata_origin {
                        Origin::Cargo => "cargo metadata",
                        Origin::Cache => "cache (inputs unchanged)",
                        Origin::File => "--metadata-path",
                    }
                ));
            }
            t
        }
        Format::Json => render::json::to_string(r),
        Format::Sarif => render::sarif::render(&r.tool, &r.findings, r.decision),
    }
}
