//! Writing an evidence directory: files are staged in `.<name>.staging-<pid>` next to it (the
//! marker first, each file fsynced) and swapped in under the lock.
//!
//! The swap, when there is previous (ours, unsealed) evidence: rename it to `.<name>.old-<pid>`,
//! rename the staging directory to `<name>`, remove the backup. A failed second rename puts the
//! backup back. A run killed between the two renames leaves no `<name>` but a backup, which the
//! next writer restores when it takes the lock ([`super::lock::recover`]); a run killed after
//! the swap leaves a backup the next writer removes. Readers that take the lock (`approve`,
//! `sign`, `sbom`, the main job) never see the directory missing.

use super::guard::{self, Existing, marker_text};
use super::layout::{OLD_TAG, STAGING_TAG, leftover, parent_of, rename_aside, sync_dir};
use super::lock::DirLock;
use crate::error::{Error, Result};
use crate::evidence;
use std::fs::File;
use std::path::{Path, PathBuf};

/// A staging directory next to the final one; removed on drop unless committed.
pub struct Staging {
    pub path: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates the staging directory and writes the marker into it first.
    pub fn new(lock: &DirLock) -> Result<Staging> {
        let path = leftover(lock.dir(), STAGING_TAG)?;
        // `recover` (run when the lock was taken) removed any leftover of ours at this name; a
        // directory still there is not ours, so creating it fails rather than reusing it.
        std::fs::create_dir(&path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        let staging = Staging {
            path,
            committed: false,
        };
        staging.write(evidence::MARKER_FILE, marker_text().as_bytes())?;
        Ok(staging)
    }

    /// Writes one file into the staging directory (fsynced).
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<()> {
        crate::util::fs::write_atomic(&self.path.join(name), bytes)
    }

    /// Copies a file into the staging directory (fsynced; permissions kept, so a copied
    /// binary stays executable). On file systems that support it the copy is a reflink.
    pub fn copy_in(&self, from: &Path, name: &str) -> Result<PathBuf> {
        let to = self.path.join(name);
        std::fs::copy(from, &to).map_err(|e| {
            Error::io(
                format!("copying {} into {}", from.display(), to.display()),
                e,
            )
        })?;
        File::open(&to)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(format!("writing {}", to.display()), e))?;
        Ok(to)
    }

    /// Puts the staged files in place at the lock's directory. `existing` is what
    /// [`guard::check_location`] found there under this lock: nothing, or unsealed evidence of
    /// ours (replaced). Sealed evidence must have been moved aside first.
    pub fn commit(mut self, lock: &DirLock, existing: Existing) -> Result<()> {
        let dir = lock.dir();
        let parent = parent_of(dir)?;
        match existing {
            Existing::Sealed => {
                return Err(Error::Environment(format!(
                    "{} is sealed; it is never replaced",
                    dir.display()
                )));
            }
            Existing::Nothing => {
                std::fs::rename(&self.path, dir)
                    .map_err(|e| Error::io(format!("renaming into {}", dir.display()), e))?;
                self.committed = true;
            }
            Existing::Unsealed => {
                let old = leftover(dir, OLD_TAG)?;
                std::fs::rename(dir, &old)
                    .map_err(|e| Error::io(format!("moving {} aside", dir.display()), e))?;
                if let Err(e) = std::fs::rename(&self.path, dir) {
                    // Put the previous evidence back; if even that fails, the next writer
                    // restores it from the backup when it takes the lock.
                    let _ = std::fs::rename(&old, dir);
                    return Err(Error::io(format!("renaming into {}", dir.display()), e));
                }
                self.committed = true;
                sync_dir(parent);
                // The backup is the directory `check_location` found ours (marker or manifest),
                // unsealed and holding only files this tool writes, under this same lock: the
                // only kind of directory this tool deletes. A failure here leaves a backup the
                // next writer removes.
                if let Err(e) = guard::remove_ours(&old) {
                    eprintln!(
                        "warning: could not remove the previous evidence {}: {e}",
                        old.display()
                    );
                }
            }
        }
        sync_dir(parent);
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            // Created by this run (with its pid in the name) and not committed: ours.
            let _ = guard::remove_ours(&self.path);
        }
    }
}

/// Moves sealed evidence aside to `<dir>.1`, `<dir>.2`, … (the first free), never deleting it.
/// Its artifacts are inside it (they are copied into the evidence), so the moved copy still
/// verifies.
pub fn move_aside(lock: &DirLock) -> Result<PathBuf> {
    rename_aside(lock.dir(), lock.dir())
}

/// What to do at the lock's directory before committing, decided under the lock from what is
/// there now: sealed evidence is refused, or moved aside with `--force`.
pub fn prepare_commit(lock: &DirLock, loc: &guard::Location, force: bool) -> Result<Existing> {
    let dir = lock.dir();
    match check_target(dir, loc, force)? {
        Existing::Sealed => {
            let aside = move_aside(lock)?;
            eprintln!(
                "moved sealed evidence {} aside to {}",
                dir.display(),
                aside.display()
            );
            Ok(Existing::Nothing)
        }
        other => Ok(other),
    }
}

/// The checks of [`prepare_commit`] without the lock and without changing anything: run before a
/// long build, so a refusal comes at once (they run again under the lock before committing).
pub fn check_target(dir: &Path, loc: &guard::Location, force: bool) -> Result<Existing> {
    let existing = guard::check_location(dir, loc)?;
    if existing == Existing::Sealed {
        if !force {
            return Err(Error::usage(
                "--force",
                format!(
                    "{} is sealed (it holds approvals or signatures); nothing was written. Bump the version, or pass --force to move it aside and write new evidence",
                    dir.display()
                ),
            ));
        }
        let outside = guard::external_artifacts(dir);
        if !outside.is_empty() {
            return Err(Error::usage(
                "--force",
                format!(
                    "{} is sealed evidence written by an earlier version: its artifacts ({}) live outside it, where a new build overwrites them, so a moved copy would no longer verify; nothing was written. Archive the directory together with those files, then remove it yourself",
                    dir.display(),
                    crate::util::text::clip(&outside.join(", "), 200)
                ),
            ));
        }
    }
    Ok(existing)
}
