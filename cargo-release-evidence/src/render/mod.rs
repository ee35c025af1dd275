//! Renderers: the same data as human text, JSON or SARIF. They never decide.

pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;
