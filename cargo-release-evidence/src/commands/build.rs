//! `build`: the controlled build only (and `--check-reproducible`).

use super::{exit_for, pipeline_options, print};
use crate::cli::{Format, GlobalArgs};
use crate::error::Result;
use crate::findings::Decision;
use crate::pipeline::build_only;
use crate::render;

pub fn run(g: &GlobalArgs) -> Result<u8> {
    let builds = build_only::run(&pipeline_options(g)?)?;
    let text = if g.format == Format::Json {
        render::json::to_string(&builds)
    } else {
        render::human::build::render_builds(&builds)
    };
    print(&text)?;
    let hold = builds.iter().any(|b| b.decision == Decision::Hold);
    Ok(exit_for(if hold { Decision::Hold } else { Decision::Pass }))
}
