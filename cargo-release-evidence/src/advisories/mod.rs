//! The RustSec advisory database (`db`: locate, fetch, open, date) and the one advisory
//! matcher (`matcher`) that `check`, the SBOM's vulnerabilities and `inspect` all use.

pub mod db;
pub mod matcher;
pub mod obtain;

pub use db::{AdvisoryDb, DbInfo};
