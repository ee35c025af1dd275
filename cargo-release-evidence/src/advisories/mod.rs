//! The RustSec advisory database (`db`: locate, fetch, open, date), the record of its size
//! between runs (`history`), and the one advisory matcher (`matcher`) that `check`, the SBOM's
//! vulnerabilities and `inspect` all use.

pub mod db;
pub mod history;
pub mod matcher;
pub mod obtain;

pub use db::{AdvisoryDb, DbInfo};
