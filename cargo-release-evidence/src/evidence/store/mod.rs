//! The evidence directory on disk.
//!
//! - [`guard`]: which directories are ours (a marker file, or a manifest of our schema) and
//!   where evidence may go; anything else is refused and left untouched.
//! - [`lock`]: one lock for every writer (main job, `sbom`, `approve`, `sign`); taking it
//!   recovers the leftovers of interrupted runs.
//! - [`staging`]: files are staged next to the directory and swapped in with renames, with a
//!   backup the next writer restores if a run dies mid-swap; a failed run leaves the previous
//!   evidence intact, and sealed evidence (approved or signed) is never overwritten.
//!
//! - [`layout`]: the names next to the directory (lock, staging, backup, moved aside).
//!
//! The released artifacts are **copied into** the evidence directory ([`artifacts`]), so
//! `SHA256SUMS` lists them inside it: a later `build` cannot change sealed evidence, and
//! `--force` moves the artifacts along with the evidence.

pub mod artifacts;
pub mod guard;
pub mod layout;
pub mod lock;
pub mod staging;

pub use guard::{Existing, Location, check_location, is_evidence, is_sealed};
pub use lock::{DirLock, create_and_lock, lock};
pub use staging::{Staging, check_target, move_aside, prepare_commit};
