//! `codes`: the finding codes.

use super::print;
use crate::cli::{Format, GlobalArgs};
use crate::error::{EXIT_PASS, Result};
use crate::findings::Code;
use crate::render;

pub fn run(g: &GlobalArgs) -> Result<u8> {
    let text = if g.format == Format::Json {
        let rows: Vec<serde_json::Value> = Code::ALL
            .iter()
            .map(|c| {
                serde_json::json!({
                    "code": c.as_str(),
                    "severity": c.default_severity(),
                    "summary": c.summary(),
                })
            })
            .collect();
        render::json::to_string(&rows)
    } else {
        render::human::codes::render()
    };
    print(&text)?;
    Ok(EXIT_PASS)
}
