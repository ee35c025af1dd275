//! The gate's result, kept in the target directory and reused by `check` while every input it
//! was computed from is unchanged: a warm `check` then costs the key, not the graph. `review`
//! keeps its list the same way (its own file, its options in the key).
//!
//! The key covers everything the result depends on: this binary (version, size, mtime), the
//! cargo metadata (the metadata cache's own key, which covers Cargo.lock, every local manifest,
//! cargo config and the toolchain; or the `--metadata-path` file's state), the options
//! (members, target, features, scope flags, evaluation date), the policy's content, the files
//! of the cargo-vet store it imports, and the advisory DB (every file's state, the git HEAD and
//! refs). A file's state is its size, mtime, inode and change time. The other files the checks
//! read are listed in the entry with their state and compared on lookup: the crates.io
//! index-cache files of the yanked check, the `[[supplier.artifact]]` files, and every file and
//! directory of the path packages outside the workspace whose content a supplier review pins.
//!
//! When in doubt it recomputes: nothing is cached without `--offline`/`--frozen` (the DB may be
//! fetched), or when the policy has `[baseline]` (git state), or when cargo's metadata would run
//! again, or when a file it read changed while the gate ran. Only `check` and `review` read it:
//! the main job always computes the gate from its inputs.

use super::{GateRun, Options, report::CheckReport};
use crate::advisories::obtain;
use crate::policy::Policy;
use crate::util::{digest, paths::absolute};
use crate::workspace::{self, metadata};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

const VERSION: u32 = 2;
const FILE: &str = "check-result.json";
/// How recent an input compared by size and mtime may be for the result to be kept.
const RACY: std::time::Duration = std::time::Duration::from_millis(100);

#[derive(Serialize, Deserialize)]
struct Entry<T> {
    version: u32,
    key: String,
    /// The files the checks read besides the key's (or found absent), with their state.
    watched: Vec<(PathBuf, String)>,
    /// `check`'s report, or what another command computed from the same gate run.
    value: T,
}

/// A computed key for this run, before the gate reads anything.
pub struct Prepared {
    /// Everything but the cargo metadata's part.
    text: String,
    /// The metadata's part; `None` while cargo has not run yet (it is taken after the run).
    metadata: Option<String>,
    manifest: PathBuf,
    /// The `--metadata-path` file, absolute.
    metadata_file: Option<PathBuf>,
    cargo: metadata::CargoFlags,
    file: PathBuf,
    root_guess: PathBuf,
    started: SystemTime,
    /// A DB file or the `--metadata-path` file changed just before the run: its result is not
    /// kept.
    inputs_are_racy: bool,
}

/// The key of this run, or `None` when its result must not be reused.
pub fn prepare(opts: &Options) -> Option<Prepared> {
    prepare_for(opts, FILE, "")
}

/// The key of a command that computes its result from the gate's run (`review`): kept in
/// `file` next to `check`'s, its own options (`extra`) in the key.
pub fn prepare_for(opts: &Options, file: &str, extra: &str) -> Option<Prepared> {
    // Inputs compared by size and mtime must be older than the run by more than the file
    // system's timestamp granularity, or a same-size rewrite could keep the same mtime.
    let started = SystemTime::now() - RACY;
    if !opts.use_cache || !(opts.cargo.offline || opts.cargo.frozen) {
        return None;
    }
    let manifest = metadata::find_manifest(opts.manifest_path.as_deref()).ok()?;
    let root_guess = workspace::guess_workspace_root(&manifest);
    let explicit = opts.policy.as_deref().map(absolute).transpose().ok()?;
    let policy = Policy::load(&root_guess, explicit.as_deref()).ok()?;
    if policy.data.baseline.is_some() {
        return None;
    }
    let db = obtain::location(opts.advisory_db.as_deref(), Some(&policy)).ok()?;
    let mut k = String::new();
    let _ = writeln!(k, "v{VERSION} {} {file} {extra}", env!("CARGO_PKG_VERSION"));
    if let Ok(exe) = std::env::current_exe() {
        k.push_str(&stat(&exe));
    }
    let metadata = match &opts.metadata_path {
        // Compared by its state (size, mtime, inode, ctime) like the DB's files, not hashed:
        // hashing 50 MB of metadata was most of a cached run at 10,000 packages. A file
        // written just before the run makes the result not kept (below).
        Some(file) => {
            let file = absolute(file).ok()?;
            std::fs::metadata(&file).ok()?;
            Some(format!("metadata file {}", stat(&file).trim_end()))
        }
        None => metadata::fresh_cache_key(&manifest, &root_guess, &opts.cargo)
            .map(|key| format!("metadata cache {key}")),
    };
    let _ = writeln!(
        k,
        "manifest {}\npackages {:?} workspace {}\nselection {:?}\ncargo {:?}\ndate {}\nhost {}",
        manifest.display(),
        opts.packages,
        opts.workspace,
        opts.selection,
        opts.cargo,
        opts.date,
        workspace::host_triple()
    );
    let _ = writeln!(
        k,
        "policy {} {}\ndb {}",
        policy.path.display(),
        policy.sha256,
        db.display()
    );
    // The cargo-vet store `[approvals.import]` names is read with the policy.
    if let Some(dir) = policy
        .data
        .approvals_import
        .as_ref()
        .and_then(|i| i.get_ref().cargo_vet.as_ref())
    {
        for f in ["audits.toml", "config.toml", "imports.lock"] {
            k.push_str(&stat(&policy.base_dir.join(dir).join(f)));
        }
    }
    for var in ["CARGO_HOME", "HOME"] {
        let _ = writeln!(k, "env {var}={}", std::env::var(var).unwrap_or_default());
    }
    db_state(&db, &db, &mut k).ok()?;
    let newest_input = newest(&k).max(metadata.as_deref().map_or(std::time::UNIX_EPOCH, newest));
    let file = metadata::cache_dir(&root_guess).join(file);
    Some(Prepared {
        inputs_are_racy: newest_input >= started,
        text: k,
        metadata,
        manifest,
        metadata_file: opts.metadata_path.as_deref().and_then(|f| absolute(f).ok()),
        cargo: opts.cargo.clone(),
        file,
        root_guess,
        started,
    })
}

impl Prepared {
    /// The cached report when its key matches and the index files it read are unchanged.
    pub fn lookup(&self) -> Option<CheckReport> {
        self.lookup_value()
    }

    /// The kept value when its key matches and every file it read is unchanged.
    pub fn lookup_value<T: DeserializeOwned>(&self) -> Option<T> {
        let key = self.key(self.metadata.as_deref()?);
        let bytes = std::fs::read(&self.file).ok()?;
        let entry: Entry<T> = serde_json::from_slice(&bytes).ok()?;
        if entry.version != VERSION || entry.key != key {
            return None;
        }
        if entry.watched.iter().any(|(p, state)| stat(p) != *state) {
            return None;
        }
        Some(entry.value)
    }

    /// Keeps `run`'s report for the next run.
    pub fn store(self, run: &GateRun) {
        self.store_value(run, &run.report, Vec::new());
    }

    /// Keeps `value`, computed from `run` and from the files `extra` besides the gate's, for
    /// the next run; silently skipped when anything it read may have changed while it ran (a
    /// failed write only costs speed next time).
    pub fn store_value<T: Serialize>(self, run: &GateRun, value: &T, extra: Vec<PathBuf>) {
        if run.workspace.root != self.root_guess || self.inputs_are_racy {
            return;
        }
        // The `--metadata-path` file must still be the one the key names.
        if let Some(file) = &self.metadata_file
            && self.metadata.as_deref() != Some(&format!("metadata file {}", stat(file).trim_end()))
        {
            return;
        }
        // On a first run cargo has just written the metadata cache: its key now.
        let metadata = match &self.metadata {
            Some(m) => m.clone(),
            None => {
                match metadata::fresh_cache_key(&self.manifest, &self.root_guess, &self.cargo) {
                    Some(key) => format!("metadata cache {key}"),
                    None => return,
                }
            }
        };
        let key = self.key(&metadata);
        let mut watched = Vec::new();
        for path in watched_files(run).into_iter().chain(extra) {
            if modified_since(&path, self.started) {
                return;
            }
            let state = stat(&path);
            watched.push((path, state));
        }
        let entry = Entry {
            version: VERSION,
            key,
            watched,
            value,
        };
        if let (Ok(bytes), Some(dir)) = (serde_json::to_vec(&entry), self.file.parent())
            && std::fs::create_dir_all(dir).is_ok()
        {
            let _ = crate::util::fs::write_atomic(&self.file, &bytes);
        }
    }
}

/// The files the checks read that the key does not cover.
fn watched_files(run: &GateRun) -> Vec<PathBuf> {
    let mut files = crate::checks::yanked::index_files(&run.packages);
    for supplier in &run.policy.data.supplier {
        for art in &supplier.get_ref().artifact {
            files.push(run.workspace.root.join(&art.get_ref().path));
        }
    }
    for pkg in &run.packages {
        if let crate::workspace::Source::Path(_) = pkg.source {
            files.push(pkg.dir.clone());
            tree(&pkg.dir, &mut files);
        }
    }
    files
}

/// Every file and directory under `dir` (unreadable ones are named, so they are compared too).
fn tree(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let path = e.path();
        out.push(path.clone());
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            tree(&path, out);
        }
    }
}

impl Prepared {
    fn key(&self, metadata: &str) -> String {
        digest::sha256_hex(format!("{}{metadata}\n", self.text).as_bytes())
    }
}

/// The newest mtime among the `path size mtime-ns` lines of a key text.
fn newest(text: &str) -> SystemTime {
    text.lines()
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .max()
        .map_or(std::time::UNIX_EPOCH, |ns| {
            std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns)
        })
}

fn modified_since(path: &Path, t: SystemTime) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|m| m >= t)
}

/// `path size ino ctime mtime-ns`, or `path absent`.
fn stat(path: &Path) -> String {
    let mut out = String::new();
    stat_into(path, std::fs::metadata(path).as_ref().ok(), &mut out);
    out
}

/// [`stat`]'s line for a file whose metadata (links followed) was read already, appended to
/// `out` without temporary strings (the DB's thousands of entries are on the warm path).
fn stat_into(path: &Path, meta: Option<&std::fs::Metadata>, out: &mut String) {
    let Some(meta) = meta else {
        let _ = writeln!(out, "{} absent", path.display());
        return;
    };
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let _ = write!(out, "{} {} ", path.display(), meta.len());
    // The inode and change time too where there are some: a rewrite that restores the size
    // and mtime (`touch -r`, `cp -p`) still moves the ctime.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = write!(
            out,
            "{} {}.{} ",
            meta.ino(),
            meta.ctime(),
            meta.ctime_nsec()
        );
    }
    let _ = writeln!(out, "{mtime}");
}

/// Every file and directory of the advisory DB (size, mtime), links followed (a bounded depth),
/// skipping git's object store and logs but not its HEAD and refs; entries in sorted order so
/// the text is stable. A new, removed or replaced entry anywhere changes it.
fn db_state(root: &Path, dir: &Path, out: &mut String) -> std::io::Result<()> {
    db_walk(root, dir, out, 0)
}

fn db_walk(root: &Path, dir: &Path, out: &mut String, depth: usize) -> std::io::Result<()> {
    if depth > 8 {
        return Err(std::io::Error::other("advisory DB nested too deep"));
    }
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    // A directory of many entries (`crates/`, a thousand) is walked in two halves at once: the
    // stat calls are most of a warm `check`. The halves' texts are joined in order, so the key
    // is the one a walk in one thread gives.
    if entries.len() >= PARALLEL_FROM {
        let (first, second) = entries.split_at(entries.len() / 2);
        let mut second_text = String::new();
        std::thread::scope(|s| -> std::io::Result<()> {
            let other = s.spawn(|| db_entries(root, second, &mut second_text, depth));
            db_entries(root, first, out, depth)?;
            other
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("advisory DB walk panicked")))
        })?;
        out.push_str(&second_text);
        return Ok(());
    }
    db_entries(root, &entries, out, depth)
}

/// A directory of at least this many entries is walked in two threads.
const PARALLEL_FROM: usize = 256;

fn db_entries(
    root: &Path,
    entries: &[std::fs::DirEntry],
    out: &mut String,
    depth: usize,
) -> std::io::Result<()> {
    for e in entries {
        let path = e.path();
        let rel = path.strip_prefix(root).unwrap_or(&path);
        if rel == Path::new(".git/objects") || rel == Path::new(".git/logs") {
            continue;
        }
        let link = e.file_type()?.is_symlink();
        // Links are followed; any other entry is stat'ed through its directory, which spares
        // the kernel the walk of the whole path.
        let meta = if link {
            std::fs::metadata(&path).ok()
        } else {
            e.metadata().ok()
        };
        stat_into(&path, meta.as_ref(), out);
        if link {
            let _ = writeln!(out, "link {:?}", std::fs::read_link(&path).ok());
        }
        if meta.is_some_and(|m| m.is_dir()) {
            db_walk(root, &path, out, depth + 1)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    fn state(root: &std::path::Path) -> String {
        let mut out = String::new();
        super::db_state(root, root, &mut out).unwrap();
        out
    }

    #[test]
    fn a_large_db_is_walked_in_order_and_a_change_in_either_half_shows() {
        let dir = tempfile::tempdir().unwrap();
        let crates = dir.path().join("crates");
        let n = super::PARALLEL_FROM + 44;
        for i in 0..n {
            let d = crates.join(format!("c{i:03}"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("RUSTSEC-2020-0001.md"), "x").unwrap();
        }
        let before = state(dir.path());
        let paths: Vec<&str> = before
            .lines()
            .map(|l| l.split(' ').next().unwrap())
            .collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(
            paths, sorted,
            "entries in sorted order, halves joined in order"
        );
        assert_eq!(
            paths.len(),
            1 + 2 * n,
            "crates/, each directory and its file"
        );
        assert_eq!(
            before,
            state(dir.path()),
            "the same state gives the same text"
        );
        for (i, name) in [(1, "c001"), (n - 1, &format!("c{:03}", n - 1))] {
            let file = crates.join(name).join("RUSTSEC-2020-0001.md");
            let old = state(dir.path());
            std::fs::write(&file, format!("changed {i}")).unwrap();
            let new = state(dir.path());
            let changed: Vec<&str> = old
                .lines()
                .zip(new.lines())
                .filter(|(a, b)| a != b)
                .map(|(_, b)| b.split(' ').next().unwrap())
                .collect();
            assert_eq!(
                changed,
                [file.to_str().unwrap()],
                "an edit in place of {name}"
            );
        }
    }
}
