//! `verify DIR`: digests, files, approvals and the release signature.

use super::print;
use crate::cli::{Format, GlobalArgs};
use crate::error::{EXIT_HOLD, EXIT_PASS, Result};
use crate::render;
use crate::sign::verify;
use std::path::Path;

pub fn run(g: &GlobalArgs, dir: &Path, signers: Option<&Path>) -> Result<u8> {
    let v = verify::run(dir, signers)?;
    let text = if g.format == Format::Json {
        render::json::to_string(&v)
    } else {
        render::human::verify::render(&v)
    };
    print(&text)?;
    Ok(if v.ok { EXIT_PASS } else { EXIT_HOLD })
}
