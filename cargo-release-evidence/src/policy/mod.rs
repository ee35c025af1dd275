//! The policy: `release-evidence.toml` at the workspace root, or the
//! `[workspace.metadata.release-evidence]` table of the root `Cargo.toml`.
//!
//! Parsing keeps spans, so every error names file, line and column, and findings about a
//! policy entry point at its line.

pub mod model;
pub mod values;

use crate::digest;
use crate::error::{Error, Result, line_col};
use crate::findings::Location;
pub use model::*;
use serde::Deserialize;
use serde_spanned::Spanned;
use std::ops::Range;
use std::path::{Path, PathBuf};

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
    pub text: String,
    pub sha256: String,
    pub data: PolicyData,
    /// `[licenses] allow` and each exception's `allow`, parsed.
    pub licenses: CompiledLicenses,
}

#[derive(Debug, Default)]
pub struct CompiledLicenses {
    pub allow: Vec<spdx::Licensee>,
    /// Parallel to `data.licenses.exception`.
    pub exceptions: Vec<Vec<spdx::Licensee>>,
}

impl Policy {
    /// Finds and loads the policy of the workspace rooted at `root`, or the explicit `path`.
    pub fn load(root: &Path, explicit: Option<&Path>) -> Result<Policy> {
        if let Some(path) = explicit {
            return Self::load_file(root, path, false);
        }
        let file = root.join(POLICY_FILE);
        if file.exists() {
            return Self::load_file(root, &file, false);
        }
        let manifest = root.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest)
            .map_err(|e| Error::io(format!("reading {}", manifest.display()), e))?;
        if text.contains("release-evidence") {
            let policy = Self::load_file(root, &manifest, true)?;
            return Ok(policy);
        }
        Err(Error::Environment(format!(
            "no policy found: neither {} nor a [workspace.metadata.release-evidence] table in {} exists; run `cargo release-evidence init` to write a starting policy, or pass `--policy FILE`",
            file.display(),
            manifest.display()
        )))
    }

    fn load_file(root: &Path, path: &Path, in_cargo_toml: bool) -> Result<Policy> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("reading policy file {}", path.display()), e))?;
        let data = if in_cargo_toml {
            #[derive(Deserialize)]
            struct Manifest {
                workspace: Option<Ws>,
            }
            #[derive(Deserialize)]
            struct Ws {
                metadata: Option<Meta>,
            }
            #[derive(Deserialize)]
            struct Meta {
                #[serde(rename = "release-evidence")]
                release_evidence: Option<PolicyData>,
            }
            let m: Manifest = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
            m.workspace
                .and_then(|w| w.metadata)
                .and_then(|m| m.release_evidence)
                .ok_or_else(|| {
                    Error::Environment(format!(
                        "no policy found: {} has no [workspace.metadata.release-evidence] table and {} does not exist; run `cargo release-evidence init`",
                        path.display(),
                        root.join(POLICY_FILE).display()
                    ))
                })?
        } else {
            toml::from_str::<PolicyData>(&text).map_err(|e| toml_error(path, &text, &e))?
        };
        let base_dir = path.parent().unwrap_or(root).to_path_buf();
        let mut policy = Policy {
            display_path: relative_display(root, path),
            path: path.to_path_buf(),
            base_dir,
            sha256: digest::sha256_hex(text.as_bytes()),
            text,
            data,
            licenses: CompiledLicenses::default(),
        };
        policy.validate()?;
        policy.licenses = policy.compile_licenses()?;
        Ok(policy)
    }

    /// Rules that span several fields of one entry.
    fn validate(&self) -> Result<()> {
        for a in &self.data.approved {
            let e = a.get_ref();
            if !e.pending_review {
                for (field, missing) in [
                    (
                        "reviewed-by",
                        e.reviewed_by.as_deref().is_none_or(str::is_empty),
                    ),
                    ("date", e.date.is_none()),
                    (
                        "rationale",
                        e.rationale.as_deref().is_none_or(str::is_empty),
                    ),
                ] {
                    if missing {
                        return Err(self.error_at(
                            a.span(),
                            format!(
                                "[[approved]] entry for `{}` is missing `{field}` (required unless `pending-review = true`)",
                                e.name
                            ),
                        ));
                    }
                }
            }
        }
        for s in &self.data.supplier {
            let e = s.get_ref();
            let pins = [
                e.git_commit.is_some(),
                e.path_sha256.is_some(),
                e.checksum.is_some(),
            ];
            if pins.iter().filter(|p| **p).count() > 1 {
                return Err(self.error_at(
                    s.span(),
                    format!(
                        "[[supplier]] entry `{}` pins more than one of `git-commit`, `path-sha256`, `checksum`; a crate comes from one source",
                        e.name
                    ),
                ));
            }
            if !e.reviews_crate() && e.artifact.is_empty() {
                return Err(self.error_at(
                    s.span(),
                    format!(
                        "[[supplier]] entry `{}` needs `git-commit`, `path-sha256` or `checksum` (a reviewed crate) or at least one [[supplier.artifact]]",
                        e.name
                    ),
                ));
            }
            for (field, missing) in [
                (
                    "reviewed-by",
                    e.reviewed_by.as_deref().is_none_or(str::is_empty),
                ),
                ("date", e.date.is_none()),
            ] {
                if missing {
                    return Err(self.error_at(
                        s.span(),
                        format!("[[supplier]] entry `{}` is missing `{field}`", e.name),
                    ));
                }
            }
            for art in &e.artifact {
                let p = &art.get_ref().path;
                if p.is_absolute() || p.components().any(|c| c.as_os_str() == "..") {
                    return Err(self.error_at(
                        art.span(),
                        format!(
                            "[[supplier.artifact]] path `{}` must be relative to the workspace root and stay inside it",
                            p.display()
                        ),
                    ));
                }
            }
        }
        if let Some(a) = &self.data.approvals {
            let ap = a.get_ref();
            for role in ap.required_roles.iter().chain(&ap.risk_acceptance_roles) {
                if !ap.roles.contains_key(role) {
                    return Err(self.error_at(
                        a.span(),
                        format!("[approvals] role `{role}` is required but [approvals.roles] does not define it"),
                    ));
                }
            }
        }
        for x in &self.data.advisories.exception {
            let e = x.get_ref();
            for (field, value) in [("reason", &e.reason), ("approved-by", &e.approved_by)] {
                if value.trim().is_empty() {
                    return Err(self.error_at(
                        x.span(),
                        format!(
                            "[[advisories.exception]] for {} has an empty `{field}`",
                            e.id.0
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn compile_licenses(&self) -> Result<CompiledLicenses> {
        let parse = |ids: &[Spanned<String>]| -> Result<Vec<spdx::Licensee>> {
            ids.iter()
                .map(|id| values::licensee(id.get_ref()).map_err(|m| self.error_at(id.span(), m)))
                .collect()
        };
        Ok(CompiledLicenses {
            allow: parse(&self.data.licenses.allow)?,
            exceptions: self
                .data
                .licenses
                .exception
                .iter()
                .map(|e| parse(&e.get_ref().allow))
                .collect::<Result<_>>()?,
        })
    }

    pub fn error_at(&self, span: Range<usize>, message: impl Into<String>) -> Error {
        Error::config_at(&self.path, &self.text, Some(span), message)
    }

    /// The location of a span in the policy file, for findings.
    pub fn location<T>(&self, spanned: &Spanned<T>) -> Location {
        let (line, column) = line_col(&self.text, spanned.span().start);
        Location {
            file: self.display_path.clone(),
            line,
            column,
        }
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

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    Error::config_at(path, text, e.span(), e.message().trim_end().to_owned())
}

/// `path` relative to `root` with `/` separators when it is inside; otherwise as given.
pub fn relative_display(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path.display().to_string(),
    }
}
