//! One lock for every writer of an evidence directory (the main job, `sbom`, `approve`,
//! `sign`): `.<name>.lock` next to it, held until dropped. Taking it also recovers what an
//! interrupted run left (see [`recover`]), so every writer starts from a consistent directory.

use super::guard::{foreign_entries, has_marker, is_evidence, is_sealed, remove_ours};
use super::layout::{
    OLD_TAG, STAGING_TAG, file_name, leftover_pid, lock_file, parent_of, rename_aside,
};
use crate::error::{Error, Result};
use std::fs::File;
use std::path::{Path, PathBuf};

/// An exclusive lock on an evidence directory (held until dropped). Functions that change the
/// directory take a `&DirLock`, so they cannot run without it.
pub struct DirLock {
    _file: File,
    dir: PathBuf,
}

impl DirLock {
    /// The evidence directory this lock is for.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Takes the lock of an evidence directory whose parent exists (`approve`, `sign`): waits for
/// another writer (with a message), then recovers what an interrupted run left next to it.
pub fn lock(dir: &Path) -> Result<DirLock> {
    let parent = parent_of(dir)?;
    if !parent.is_dir() {
        return Err(Error::usage(
            "EVIDENCE_DIR",
            format!("{} does not exist", dir.display()),
        ));
    }
    let path = lock_file(dir)?;
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(format!("opening lock file {}", path.display()), e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            eprintln!(
                "waiting for another run writing {} (lock {})",
                dir.display(),
                path.display()
            );
            file.lock()
                .map_err(|e| Error::io(format!("locking {}", path.display()), e))?;
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(Error::io(format!("locking {}", path.display()), e));
        }
    }
    let lock = DirLock {
        _file: file,
        dir: dir.to_path_buf(),
    };
    for line in recover(&lock)? {
        eprintln!("{line}");
    }
    Ok(lock)
}

/// [`lock`] for writing new evidence (the main job, `sbom`): creates the parent directory first.
/// Call it only after [`super::check_location`] accepted `dir`.
pub fn create_and_lock(dir: &Path) -> Result<DirLock> {
    let parent = parent_of(dir)?;
    std::fs::create_dir_all(parent)
        .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
    lock(dir)
}

/// Recovers the leftovers of interrupted runs next to the evidence directory, under its lock,
/// and says what it did (one line each):
///
/// - the evidence directory is missing and a backup `.<name>.old-<pid>` of a run that is no
///   longer running is ours: it is renamed back (the run died between its two renames);
/// - other backups of dead runs: removed when ours and unsealed (the run died after the swap),
///   moved aside to `<name>.N` when sealed;
/// - staging directories `.<name>.staging-<pid>` of dead runs: removed when ours (marker) or
///   empty;
/// - anything not ours, or of a process still running: left in place and reported.
///
/// Only directories this tool created (marker or manifest checked) are ever deleted.
pub fn recover(lock: &DirLock) -> Result<Vec<String>> {
    let dir = lock.dir();
    let parent = parent_of(dir)?;
    let name = file_name(dir);
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(Vec::new());
    };
    let mut olds: Vec<(PathBuf, u32)> = Vec::new();
    let mut stagings: Vec<(PathBuf, u32)> = Vec::new();
    for entry in entries.flatten() {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pid) = leftover_pid(&entry_name, &name, OLD_TAG) {
            olds.push((entry.path(), pid));
        } else if let Some(pid) = leftover_pid(&entry_name, &name, STAGING_TAG) {
            stagings.push((entry.path(), pid));
        }
    }
    olds.sort();
    stagings.sort();
    let mut report = Vec::new();
    let mut keep = |path: &Path, why: &str| {
        report.push(format!(
            "warning: left {} in place: {why}; remove it yourself once you know what it is",
            path.display()
        ))
    };
    let mut done = Vec::new();

    for (path, pid) in &olds {
        if running(*pid) {
            keep(
                path,
                &format!("process {pid}, which wrote it, is still running"),
            );
            continue;
        }
        let empty = std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_none());
        if empty {
            // A backup whose removal was interrupted at its very end.
            std::fs::remove_dir(path)
                .map_err(|e| Error::io(format!("removing {}", path.display()), e))?;
            done.push(format!(
                "removed {}, left empty by an interrupted run (pid {pid})",
                path.display()
            ));
            continue;
        }
        if !is_evidence(path) {
            keep(path, "it is not evidence written by cargo-release-evidence");
            continue;
        }
        if std::fs::symlink_metadata(dir).is_err() {
            std::fs::rename(path, dir).map_err(|e| {
                Error::io(
                    format!("restoring {} from {}", dir.display(), path.display()),
                    e,
                )
            })?;
            done.push(format!(
                "restored {} from {}, left by an interrupted run (pid {pid})",
                dir.display(),
                path.display()
            ));
        } else if is_sealed(path) {
            let aside = rename_aside(path, dir)?;
            done.push(format!(
                "moved sealed evidence {} left by an interrupted run (pid {pid}) to {}",
                path.display(),
                aside.display()
            ));
        } else if !foreign_entries(path)?.is_empty() {
            keep(path, "it holds files cargo-release-evidence did not write");
        } else {
            // Ours (checked above) and unsealed: the replaced evidence of a run that died after
            // putting the new evidence in place.
            remove_ours(path)?;
            done.push(format!(
                "removed {}, the replaced evidence of an interrupted run (pid {pid})",
                path.display()
            ));
        }
    }
    for (path, pid) in &stagings {
        if running(*pid) {
            keep(
                path,
                &format!("process {pid}, which wrote it, is still running"),
            );
            continue;
        }
        if has_marker(path)
            || only_temporaries(path)
            || (is_evidence(path) && foreign_entries(path)?.is_empty())
        {
            // Ours: a staging directory gets the marker before anything else (a run killed
            // while writing it leaves only the marker's temporary file, or nothing; one of an
            // earlier version has no marker, but its manifest and file names show it is ours).
            remove_ours(path)?;
        } else {
            keep(
                path,
                "it is not a staging directory of cargo-release-evidence",
            );
            continue;
        }
        done.push(format!(
            "removed {}, the unfinished evidence of an interrupted run (pid {pid})",
            path.display()
        ));
    }
    done.append(&mut report);
    Ok(done)
}

/// Whether `dir` holds nothing but temporary files of `util::fs::write_atomic` (or nothing).
fn only_temporaries(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().all(|e| {
            e.file_type().is_ok_and(|t| t.is_file())
                && e.file_name().to_string_lossy().starts_with(".tmp-")
        })
    })
}

/// Whether process `pid` is running. Every writer holds the lock, so a leftover of another
/// process is of a dead run unless its process still exists (PIDs are reused; then the
/// leftover is reported, not touched). Without `/proc`, a process is taken for dead: the lock
/// is ours, and no writer creates these directories without it.
fn running(pid: u32) -> bool {
    pid != std::process::id()
        && Path::new("/proc/self").exists()
        && Path::new("/proc").join(pid.to_string()).exists()
}
