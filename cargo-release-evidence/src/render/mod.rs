//! Renderers: the same data as human text, JSON, SARIF or Markdown, and configuration
//! diagnostics with source snippets. They never decide.

pub mod diagnostics;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;
