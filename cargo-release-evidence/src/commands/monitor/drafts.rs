//! Writing the drafts `monitor` makes (CSAF VEX, CRA notifications) into the directories the
//! user names. A file already there is replaced only when this tool wrote it and it is still a
//! draft (a CSAF document whose generator is this tool and whose status is `draft`; a
//! notification whose `generator` is this tool and whose `status` is `draft`; a Markdown draft
//! that still starts with [`MARKDOWN_MARKER`]): a document a person completed or any other file
//! is never overwritten. Every file is checked before any is written.

use crate::error::{Error, Result};
use crate::ledger::csaf::ENGINE;
use crate::util::fs::write_atomic;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The first line of every Markdown draft.
pub const MARKDOWN_MARKER: &str = "<!-- draft written by cargo-release-evidence monitor: a person completes it; once edited, remove this line and the tool will not replace the file -->";

/// Whether the existing `path` is a draft this tool wrote.
fn ours(path: &Path) -> Result<bool> {
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    if !meta.is_file() {
        return Ok(false);
    }
    let bytes =
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    if path.extension().is_some_and(|e| e == "md") {
        return Ok(bytes.starts_with(MARKDOWN_MARKER.as_bytes()));
    }
    let Ok(v) = serde_json::from_slice::<Value>(&bytes) else {
        return Ok(false);
    };
    let tracking = &v["document"]["tracking"];
    Ok(
        (tracking["generator"]["engine"]["name"] == ENGINE && tracking["status"] == "draft")
            || (v["generator"]["name"] == ENGINE && v["status"] == "draft"),
    )
}

/// Writes every `(path, content)`, creating the directories; refuses (writing nothing) when
/// one of the paths holds something this tool may not replace.
pub fn write(files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    for (path, _) in files {
        if std::fs::symlink_metadata(path).is_ok() && !ours(path)? {
            return Err(Error::Environment(format!(
                "{} already exists and is not a draft this tool wrote (or was completed since); \
                 it is not replaced: move it away or choose another directory",
                path.display()
            )));
        }
    }
    for (path, content) in files {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        }
        write_atomic(path, content)?;
    }
    Ok(())
}
