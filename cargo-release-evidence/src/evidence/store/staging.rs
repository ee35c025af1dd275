//! Writing an evidence directory: files are staged in `.<name>.staging-<pid>` next to it (the
//! marker first, fsynced at once) and swapped in under the lock. The other files are written
//! plainly (the directory is this run's own: a half-written file there is never seen, the
//! directory is removed unless committed) and fsynced together, concurrently, right before the
//! swap, so the file system's journal commits them in one go rather than once per file. A copied
//! artifact (the largest file by far) starts its fsync on its own thread as soon as it is
//! copied, while the documents are rendered; the swap waits for it like for the others.
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
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A staging directory next to the final one; removed on drop unless committed.
pub struct Staging {
    pub path: PathBuf,
    committed: bool,
    /// The sha256 of each file as written here (SHA256SUMS takes them instead of reading the
    /// files back).
    digests: Mutex<BTreeMap<String, String>>,
    /// Files whose fsync started early (copied artifacts), with the thread doing it.
    early: Mutex<Vec<(PathBuf, std::thread::JoinHandle<std::io::Result<()>>)>>,
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
            digests: Mutex::new(BTreeMap::new()),
            early: Mutex::new(Vec::new()),
        };
        let marker = marker_text();
        crate::util::fs::write_atomic(
            &staging.path.join(evidence::MARKER_FILE),
            marker.as_bytes(),
        )?;
        staging.record_digest(
            evidence::MARKER_FILE,
            &crate::util::digest::sha256_hex(marker.as_bytes()),
        );
        Ok(staging)
    }

    /// Writes one file into the staging directory (fsynced with the others before the swap);
    /// returns its sha256.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<String> {
        let path = self.path.join(name);
        std::fs::write(&path, bytes)
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        // Evidence files are meant to be read by others, whatever the umask.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))
                .map_err(|e| Error::io(format!("setting permissions of {}", path.display()), e))?;
        }
        let sha256 = crate::util::digest::sha256_hex(bytes);
        self.record_digest(name, &sha256);
        Ok(sha256)
    }

    /// Copies a file into the staging directory (permissions kept, so a copied binary stays
    /// executable). On file systems that support it the copy is a reflink. Its fsync starts now,
    /// on its own thread; the swap waits for it. Its digest is the caller's to record
    /// ([`Staging::record_digest`]).
    pub fn copy_in(&self, from: &Path, name: &str) -> Result<PathBuf> {
        let to = self.path.join(name);
        std::fs::copy(from, &to).map_err(|e| {
            Error::io(
                format!("copying {} into {}", from.display(), to.display()),
                e,
            )
        })?;
        let file = to.clone();
        let sync = std::thread::spawn(move || File::open(&file).and_then(|f| f.sync_all()));
        self.early
            .lock()
            .map_err(|_| Error::Environment("the staging's fsync list is poisoned".into()))?
            .push((to.clone(), sync));
        Ok(to)
    }

    /// Records the sha256 of a file staged here (as read back by the caller).
    pub fn record_digest(&self, name: &str, sha256: &str) {
        if let Ok(mut d) = self.digests.lock() {
            d.insert(name.to_owned(), sha256.to_owned());
        }
    }

    /// The sha256 of a file as it was staged, if this staging wrote it.
    pub fn digest_of(&self, name: &str) -> Option<String> {
        self.digests.lock().ok()?.get(name).cloned()
    }

    /// Every staged file fsynced, concurrently (the journal commits them together), then the
    /// directory itself. The first error is returned; nothing is swapped in after one.
    fn sync(&self) -> Result<()> {
        let early = std::mem::take(
            &mut *self
                .early
                .lock()
                .map_err(|_| Error::Environment("the staging's fsync list is poisoned".into()))?,
        );
        let mut synced = std::collections::HashSet::new();
        for (path, handle) in early {
            handle
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("fsync thread panicked")))
                .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
            synced.insert(path);
        }
        let entries: Vec<PathBuf> = std::fs::read_dir(&self.path)
            .and_then(|rd| {
                rd.map(|e| e.map(|e| e.path()))
                    .collect::<std::io::Result<Vec<_>>>()
            })
            .map_err(|e| Error::io(format!("reading {}", self.path.display()), e))?
            .into_iter()
            .filter(|p| !synced.contains(p))
            .collect();
        let results: Vec<std::io::Result<()>> = std::thread::scope(|s| {
            let handles: Vec<_> = entries
                .chunks(entries.len().div_ceil(8).max(1))
                .map(|chunk| {
                    s.spawn(move || {
                        chunk
                            .iter()
                            .try_for_each(|p| File::open(p).and_then(|f| f.sync_all()))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(std::io::Error::other("fsync thread panicked")))
                })
                .collect()
        });
        for r in results {
            r.map_err(|e| Error::io(format!("writing {}", self.path.display()), e))?;
        }
        File::open(&self.path)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(format!("writing {}", self.path.display()), e))
    }

    /// Puts the staged files in place at the lock's directory. `existing` is what
    /// [`guard::check_location`] found there under this lock: nothing, or unsealed evidence of
    /// ours (replaced). Sealed evidence must have been moved aside first.
    pub fn commit(mut self, lock: &DirLock, existing: Existing) -> Result<()> {
        self.sync()?;
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
