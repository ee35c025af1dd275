//! The policy: `release-evidence.toml` at the workspace root, or the
//! `[workspace.metadata.release-evidence]` table of the root `Cargo.toml`.
//!
//! `load` parses with spans and reports every problem at once; `validate` checks the rules
//! that span several fields; `model` and `values` are the typed data.

pub mod baseline;
pub mod clauses;
pub mod license;
pub mod lifecycle;
pub mod load;
pub mod model;
pub mod review;
pub mod validate;
pub mod values;
pub mod verification;
pub mod vet;

use crate::error::{Diagnostic, Error, line_col};
use crate::findings::Location;
pub use model::*;
use serde_spanned::Spanned;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const POLICY_FILE: &str = "release-evidence.toml";

/// A loaded, validated policy.
#[derive(Debug)]
pub struct Policy {
    /// Absolute path of the file the policy came from.
    pub path: PathBuf,
    /// That path relative to the workspace root (for locations in outputs).
    pub display_path: String,
    /// Directory relative paths in the policy are resolved against.
    pub base_dir: PathBuf,
    pub text: Arc<str>,
    pub sha256: String,
    pub data: PolicyData,
    /// `[licenses] allow` and each exception's `allow`, parsed.
    pub licenses: CompiledLicenses,
    /// Byte span of each top-level section's key (`advisories`, `approved`, …).
    pub sections: BTreeMap<String, Range<usize>>,
    /// The cargo-vet store `[approvals.import] cargo-vet` names.
    pub vet: Option<vet::Store>,
}

#[derive(Debug, Default)]
pub struct CompiledLicenses {
    pub allow: Vec<spdx::Licensee>,
    /// Parallel to `data.licenses.exception`.
    pub exceptions: Vec<Vec<spdx::Licensee>>,
}

impl Policy {
    /// Finds and loads the policy of the workspace rooted at `root`, or the explicit `path`.
    pub fn load(root: &Path, explicit: Option<&Path>) -> crate::error::Result<Policy> {
        load::load(root, explicit)
    }

    /// A diagnostic at a byte span of the policy file.
    pub fn diagnostic(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(&self.path, &self.text, Some(span), message)
    }

    pub fn error_at(&self, span: Range<usize>, message: impl Into<String>) -> Error {
        Error::Config(vec![self.diagnostic(span, message)])
    }

    /// The location of a span in the policy file, for findings.
    pub fn location<T>(&self, spanned: &Spanned<T>) -> Location {
        self.location_at(spanned.span().start)
    }

    /// The location of a byte offset in the policy file.
    pub fn location_at(&self, offset: usize) -> Location {
        let (line, column) = line_col(&self.text, offset);
        Location {
            file: self.display_path.clone(),
            line,
            column,
        }
    }

    /// Where a top-level section is declared (its first key), else the file's start.
    pub fn section_location(&self, section: &str) -> Location {
        self.location_at(self.sections.get(section).map_or(0, |s| s.start))
    }

    /// The allowed_signers file named by `[approvals]`, resolved.
    pub fn allowed_signers_path(&self) -> Option<PathBuf> {
        self.data
            .approvals
            .as_ref()
            .map(|a| self.base_dir.join(&a.get_ref().allowed_signers))
    }

    /// The advisory DB directory configured by the policy, resolved.
    pub fn db_path(&self) -> Option<PathBuf> {
        self.data
            .advisories
            .db_path
            .as_ref()
            .map(|p| self.base_dir.join(p))
    }
}
