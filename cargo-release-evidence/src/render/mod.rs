//! Renderers of command output: the same typed report as human text, JSON, SARIF or Markdown, and
//! configuration diagnostics with source snippets. They never decide. (The evidence's own
//! documents for people, like `release-evidence.md`, are written by `record`.)

pub mod diagnostics;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;
