//! `test`: run and record the verification the policy names, then check it.

use super::{exit_for, gate_options, print};
use crate::cli::{Format, GlobalArgs};
use crate::error::Result;
use crate::pipeline::verification::{self, TestOptions};
use crate::render;
use crate::verification::run::Flags;

pub fn run(g: &GlobalArgs) -> Result<u8> {
    let opts = TestOptions {
        gate: gate_options(g)?,
        flags: Flags {
            offline: g.offline,
            locked: g.locked,
            frozen: g.frozen,
            features: g.features.clone(),
            all_features: g.all_features,
            no_default_features: g.no_default_features,
            quiet: g.quiet,
        },
    };
    let report = verification::test(&opts)?;
    let text = match g.format {
        Format::Json => render::json::to_string(&report),
        Format::Sarif => render::sarif::render(
            &crate::gate::report::Tool::this(),
            &report.findings,
            report.decision,
        ),
        Format::Human => render::human::test::render(&report, g.quiet),
    };
    print(&text)?;
    Ok(exit_for(report.decision))
}
