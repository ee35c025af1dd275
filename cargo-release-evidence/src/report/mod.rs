//! `report DIR`: the sealed release page with the verified state of its approvals and release
//! signature, written OUTSIDE the evidence directory (the sealed set never changes), and on
//! request printed to PDF with a local Chromium.
//!
//! The page in the evidence is covered by SHA256SUMS, so what was approved is exactly what is
//! shown: `report` verifies the directory, refuses a page whose digest does not match, and
//! re-renders only the approvals-and-signature section (between its markers) from the
//! verification. It never overwrites a file it did not write.

pub mod pdf;
mod verified;

use crate::error::{Error, Result};
use crate::evidence;
use crate::record::html::{self, state};
use crate::util::fs::write_atomic;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Marks a page written by `report` (so a later run may replace it, and nothing else).
pub const REPORT_MARKER: &str = "<!-- release-evidence:report: a copy of the sealed page with the verified approvals; not part of the evidence -->";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Paper {
    A4,
    Letter,
}

impl Paper {
    fn css(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "letter",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    /// The evidence directory.
    pub dir: PathBuf,
    /// The HTML file to write (default: `<dir>/../<dir name>-report.html`).
    pub output: Option<PathBuf>,
    /// Also print to this PDF.
    pub pdf: Option<PathBuf>,
    pub paper: Paper,
    /// The approval rules and keys the verifier trusts (as for `verify`).
    pub trust: crate::sign::trust::TrustRoot,
    /// Unix seconds keys' validity is checked at.
    pub time: i64,
}

/// What `report` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub evidence_dir: PathBuf,
    pub html: PathBuf,
    pub pdf: Option<PathBuf>,
    pub evidence_digest: String,
    /// Every verification check held (digests, files, approvals, roles, release signature).
    pub verified: bool,
    pub approvals_valid: usize,
    pub approvals_invalid: usize,
    pub signed: bool,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    Written(Report),
    /// The sealed page does not match SHA256SUMS (or is not listed): nothing was written.
    PageNotVerified {
        detail: String,
    },
}

pub fn run(opts: &Options) -> Result<Outcome> {
    let dir = &opts.dir;
    let page_path = dir.join(evidence::PAGE_FILE);
    if !dir.join(evidence::SUMS_FILE).is_file() {
        return Err(Error::Environment(format!(
            "{} is not an evidence directory (no {})",
            dir.display(),
            evidence::SUMS_FILE
        )));
    }
    if !page_path.is_file() {
        return Err(Error::Environment(format!(
            "{} has no {} (evidence written before the page existed): run the main job again to write it",
            dir.display(),
            evidence::PAGE_FILE
        )));
    }
    let v = verified::verify(opts)?;
    match v.items.iter().find(|i| i.item == evidence::PAGE_FILE) {
        Some(item) if item.ok => {}
        Some(item) => {
            return Ok(Outcome::PageNotVerified {
                detail: item.detail.clone(),
            });
        }
        None => {
            return Ok(Outcome::PageNotVerified {
                detail: format!("{} is not listed in SHA256SUMS", evidence::PAGE_FILE),
            });
        }
    }
    let sealed = std::fs::read_to_string(&page_path)
        .map_err(|e| Error::io(format!("reading {}", page_path.display()), e))?;
    let st = verified::state(dir, &v);
    let page = state::replace(&sealed, &state::verified(&st))
        .map(|p| p.replacen("<head>\n", &format!("<head>\n{REPORT_MARKER}\n"), 1))
        .ok_or_else(|| {
            Error::Environment(format!(
                "{} has no approvals section this version can replace",
                page_path.display()
            ))
        })?;

    let output = match &opts.output {
        Some(o) => o.clone(),
        None => default_output(dir)?,
    };
    outside(dir, &output, "--output")?;
    refuse_foreign(&output, "--output", |b| {
        String::from_utf8_lossy(b).contains(REPORT_MARKER)
    })?;
    if let Some(pdf) = &opts.pdf {
        outside(dir, pdf, "--pdf")?;
        refuse_foreign(pdf, "--pdf", pdf::is_ours)?;
    }
    write_atomic(&output, page.as_bytes())?;
    if let Some(p) = &opts.pdf {
        pdf::print(&html::for_paper(&page, opts.paper.css()), p)?;
    }
    Ok(Outcome::Written(Report {
        evidence_dir: dir.clone(),
        html: output,
        pdf: opts.pdf.clone(),
        evidence_digest: v.evidence_digest.clone().unwrap_or_default(),
        verified: v.ok,
        approvals_valid: st.approvals.iter().filter(|a| a.valid).count(),
        approvals_invalid: st.approvals.iter().filter(|a| !a.valid).count(),
        signed: st.signature.0,
    }))
}

/// `<dir>/../<dir name>-report.html`.
fn default_output(dir: &Path) -> Result<PathBuf> {
    let abs = std::path::absolute(dir)
        .map_err(|e| Error::io(format!("resolving {}", dir.display()), e))?;
    match (abs.parent(), abs.file_name()) {
        (Some(parent), Some(name)) => {
            Ok(parent.join(format!("{}-report.html", name.to_string_lossy())))
        }
        _ => Err(Error::usage(
            "--output",
            format!(
                "{} has no parent directory; name the output file",
                dir.display()
            ),
        )),
    }
}

/// Refuses an output inside the evidence directory (the sealed set).
fn outside(dir: &Path, out: &Path, flag: &str) -> Result<()> {
    let dir = std::fs::canonicalize(dir)
        .map_err(|e| Error::io(format!("resolving {}", dir.display()), e))?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let parent = std::fs::canonicalize(parent).map_err(|e| {
        Error::usage(
            flag,
            format!("the directory of {} does not exist ({e})", out.display()),
        )
    })?;
    if parent.starts_with(&dir) {
        return Err(Error::usage(
            flag,
            format!(
                "{} is inside the evidence directory {}; the report is written outside the sealed set",
                out.display(),
                dir.display()
            ),
        ));
    }
    if out.is_dir() {
        return Err(Error::usage(
            flag,
            format!("{} is a directory; name a file", out.display()),
        ));
    }
    Ok(())
}

/// Refuses to replace an existing file this command did not write.
fn refuse_foreign(path: &Path, flag: &str, ours: impl Fn(&[u8]) -> bool) -> Result<()> {
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(());
    }
    match std::fs::read(path) {
        Ok(bytes) if ours(&bytes) => Ok(()),
        _ => Err(Error::usage(
            flag,
            format!(
                "{} exists and was not written by `cargo release-evidence report`; nothing was overwritten (remove it or choose another file)",
                path.display()
            ),
        )),
    }
}
