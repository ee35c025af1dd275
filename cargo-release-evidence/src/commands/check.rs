//! `check`: the gate only.

use super::{exit_for, gate_options, print};
use crate::cli::{Format, GlobalArgs};
use crate::error::Result;
use crate::gate::report::CheckReport;
use crate::gate::{self, GateRun};
use crate::render;
use crate::workspace::metadata::Origin;

pub fn run(g: &GlobalArgs) -> Result<u8> {
    let opts = gate_options(g)?;
    let timer = gate::Timer::new();
    // The result of an earlier run with exactly these inputs, if there is one (gate/cache.rs).
    let cache = gate::cache::prepare(&opts);
    if let Some(report) = cache.as_ref().and_then(gate::cache::Prepared::lookup) {
        timer.mark("cached gate result read");
        print(&render_report(
            g,
            &report,
            "cached gate result (every input unchanged)",
        ))?;
        return Ok(exit_for(report.decision));
    }
    let run = gate::run(&opts)?;
    if let Some(cache) = cache {
        cache.store(&run);
    }
    print(&render_gate(g, &run))?;
    Ok(exit_for(run.report.decision))
}

/// The gate's report in the chosen format (also printed by `publish`).
pub fn render_gate(g: &GlobalArgs, run: &GateRun) -> String {
    let origin = match run.metadata_origin {
        Origin::Cargo => "cargo metadata",
        Origin::Cache => "cache (inputs unchanged)",
        Origin::File => "--metadata-path",
    };
    render_report(g, &run.report, origin)
}

/// The report in the chosen format; `-v` adds where the metadata (or the result) came from.
fn render_report(g: &GlobalArgs, r: &CheckReport, origin: &str) -> String {
    match g.format {
        Format::Human => {
            let mut t = render::human::check::render(r, g.verbose, g.quiet);
            if g.verbose > 0 {
                t.push_str(&format!("metadata: {origin}\n"));
            }
            t
        }
        Format::Json => render::json::to_string(r),
        Format::Sarif => render::sarif::render(&r.tool, &r.findings, r.decision),
    }
}
