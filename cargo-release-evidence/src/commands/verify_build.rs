//! `verify-build DIR`: rebuild from the recorded inputs and compare.

use super::{exit_for, pipeline_options, print};
use crate::cli::{Format, GlobalArgs};
use crate::error::Result;
use crate::findings::Decision;
use crate::pipeline::verify_build;
use crate::render;
use std::path::Path;

pub fn run(g: &GlobalArgs, dir: &Path, trust_build_flags: bool) -> Result<u8> {
    let report = verify_build::run(&pipeline_options(g)?, dir, trust_build_flags)?;
    let text = if g.format == Format::Json {
        render::json::to_string(&report)
    } else {
        render::human::build::render_verify_build(&report)
    };
    print(&text)?;
    Ok(exit_for(if report.identical {
        Decision::Pass
    } else {
        Decision::Hold
    }))
}
