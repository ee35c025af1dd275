//! Human rendering: findings with their location, paths and fix, one report per command.
//! Colors are plain ANSI styles; anstream strips them when the output is not a terminal or
//! color is off.

pub mod build;
pub mod check;
pub mod codes;
pub mod inspect;
pub mod ledger;
pub mod release;
pub mod report;
pub mod review;
pub mod test;
pub mod verify;

use crate::findings::{Finding, Severity};
use anstyle::{AnsiColor, Style};
use std::fmt::Write;

pub(crate) const RED: Style = AnsiColor::Red.on_default().bold();
pub(crate) const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
pub(crate) const GREEN: Style = AnsiColor::Green.on_default().bold();
pub(crate) const BOLD: Style = Style::new().bold();
pub(crate) const DIM: Style = Style::new().dimmed();

/// One finding: `severity[CODE] message`, its location, its paths, its fix.
pub(crate) fn finding(out: &mut String, f: &Finding) {
    let style = match f.severity {
        Severity::Error => RED,
        Severity::Warning => YELLOW,
    };
    let _ = writeln!(
        out,
        "{style}{}[{}]{style:#} {}",
        f.severity, f.code, f.message
    );
    if let Some(loc) = &f.location {
        let _ = writeln!(
            out,
            "  {DIM}-->{DIM:#} {}:{}:{}",
            loc.file, loc.line, loc.column
        );
    }
    for via in &f.via {
        let _ = writeln!(
            out,
            "  {DIM}via{DIM:#} {} ({}): {}",
            via.member,
            via.kind,
            via.path.join(" → ")
        );
    }
    let _ = writeln!(out, "  {BOLD}fix:{BOLD:#} {}", f.fix);
}

/// A finding and its fix as two plain lines, indented by `indent` (for short listings).
pub(crate) fn finding_line(f: &Finding, indent: &str) -> String {
    format!(
        "{indent}{}[{}] {}\n{indent}  fix: {}\n",
        f.severity, f.code, f.message, f.fix
    )
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
