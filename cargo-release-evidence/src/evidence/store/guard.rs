//! Which directories are ours, and where evidence may go.
//!
//! **Ours** means: a real directory (not a symbolic link) holding the marker file
//! [`MARKER_FILE`](crate::evidence::MARKER_FILE) whose first line is [`MARKER_SIGNATURE`]
//! (every evidence directory and every staging directory gets it first), or — for evidence
//! written before the marker existed — a manifest `release-evidence.json` with our schema. The
//! marker is listed in `SHA256SUMS` like every other file, so `verify` and `sha256sum -c` see
//! it, and it is byte-identical in every evidence directory (reproducible evidence).
//!
//! The tool replaces or deletes a directory only when it is ours **and** holds nothing but files
//! this tool writes (by name, or listed in its own `SHA256SUMS`): a folder of other files, a file,
//! a symbolic link, the workspace root, an ancestor of it, or a place inside the source tree
//! (other than under the target directory) is refused, and nothing is changed.

use crate::error::{Error, Result};
use crate::evidence::{self, checksums};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The first line of the marker file.
pub const MARKER_SIGNATURE: &str = "Signature: cargo-release-evidence evidence directory v1";

/// The marker file's whole text (fixed, so evidence stays byte-for-byte reproducible).
pub fn marker_text() -> String {
    format!(
        "{MARKER_SIGNATURE}\n\
         # This directory was written by cargo-release-evidence: the release evidence of one\n\
         # release. The tool replaces or moves only directories that carry this file (or its\n\
         # manifest) and hold nothing but the files it writes; keep other files elsewhere.\n"
    )
}

/// Whether `dir` is a directory this tool wrote (see the module documentation).
pub fn is_evidence(dir: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return false;
    };
    meta.is_dir() && (has_marker(dir) || has_our_manifest(dir))
}

/// Whether `dir` holds our marker file.
pub fn has_marker(dir: &Path) -> bool {
    let path = dir.join(evidence::MARKER_FILE);
    if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut head = Vec::new();
    let read = std::fs::File::open(&path).and_then(|f| {
        f.take(MARKER_SIGNATURE.len() as u64 + 1)
            .read_to_end(&mut head)
    });
    read.is_ok() && head.strip_suffix(b"\n").unwrap_or(&head) == MARKER_SIGNATURE.as_bytes()
}

/// A manifest with our schema (evidence written before the marker existed).
fn has_our_manifest(dir: &Path) -> bool {
    const LIMIT: u64 = 64 << 20;
    let path = dir.join(evidence::MANIFEST_FILE);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return false;
    };
    if !meta.is_file() || meta.len() > LIMIT {
        return false;
    }
    std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|m| m["schema"] == evidence::model::SCHEMA)
}

/// Whether a file name is one this tool writes into an evidence directory. New evidence files
/// are either listed in `SHA256SUMS` (then they are recognised through it) or added here.
pub fn is_our_file_name(name: &str) -> bool {
    matches!(
        name,
        evidence::SUMS_FILE
            | evidence::MANIFEST_FILE
            | evidence::MANIFEST_YAML_FILE
            | evidence::RECORD_FILE
            | evidence::PROVENANCE_FILE
            | evidence::ALLOWED_SIGNERS_FILE
            | evidence::MARKER_FILE
            | "SHA256SUMS.sig"
            | "readiness.json"
            | "readiness.json.sig"
    ) || name.ends_with(".cdx.json")
        || name.ends_with(".spdx.json")
        || name.ends_with(".spdx3.json")
        || name.ends_with(".intoto.jsonl")
        || (name.starts_with("approval-")
            && (name.ends_with(".json") || name.ends_with(".json.sig")))
        // util::fs::write_atomic's temporary files.
        || name.starts_with(".tmp-")
}

/// Whether an artifact's file name could be mistaken for one of the evidence's own files (or
/// make it look sealed): such an artifact cannot be copied into the evidence directory.
pub fn is_reserved_artifact_name(name: &str) -> bool {
    is_our_file_name(name)
        || name.starts_with('.')
        || name.starts_with("approval")
        || name.ends_with(".sig")
        || name.is_empty()
}

/// Entries of `dir` this tool did not write: anything that is not a regular file with one of
/// our names or listed in the directory's own `SHA256SUMS` (sorted, at most a few).
pub fn foreign_entries(dir: &Path) -> Result<Vec<String>> {
    let listed: Vec<String> = std::fs::read(dir.join(evidence::SUMS_FILE))
        .ok()
        .and_then(|b| checksums::parse(&String::from_utf8_lossy(&b)))
        .map(|e| e.into_iter().map(|(p, _)| p).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for entry in
        std::fs::read_dir(dir).map_err(|e| Error::io(format!("reading {}", dir.display()), e))?
    {
        let entry = entry.map_err(|e| Error::io(format!("reading {}", dir.display()), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if !(is_file && (is_our_file_name(&name) || listed.contains(&name))) {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

/// Removes a directory of ours (the caller checked: marker or manifest, only our files). The
/// files go first, then SHA256SUMS, the manifest, the marker, the directory, so a run killed
/// half-way leaves a directory that is still recognisably ours (or empty) for the next run
/// to finish removing. Refuses (and stops) at anything that is not a regular file.
pub fn remove_ours(dir: &Path) -> Result<()> {
    let io = |e| Error::io(format!("removing {}", dir.display()), e);
    // What makes the directory recognisably ours goes last: SHA256SUMS (it lists the
    // artifacts), the manifest, the marker.
    let last = [
        evidence::SUMS_FILE,
        evidence::MANIFEST_FILE,
        evidence::MARKER_FILE,
    ];
    let mut names: Vec<std::ffi::OsString> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        if !entry.file_type().map_err(io)?.is_file() {
            return Err(Error::Environment(format!(
                "{} holds {}, which cargo-release-evidence did not write; it was not removed",
                dir.display(),
                entry.file_name().to_string_lossy()
            )));
        }
        names.push(entry.file_name());
    }
    names.sort_by_key(|n| last.iter().position(|l| n == l));
    for name in names {
        std::fs::remove_file(dir.join(name)).map_err(io)?;
    }
    std::fs::remove_dir(dir).map_err(io)
}

/// Evidence is sealed once it holds a signature or an approval.
pub fn is_sealed(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        name.ends_with(".sig") || name.starts_with("approval")
    })
}

/// Artifacts the directory's `SHA256SUMS` lists outside the directory (`../../thermo-fw`):
/// evidence written before artifacts were copied into it.
pub fn external_artifacts(dir: &Path) -> Vec<String> {
    std::fs::read(dir.join(evidence::SUMS_FILE))
        .ok()
        .and_then(|b| checksums::parse(&String::from_utf8_lossy(&b)))
        .unwrap_or_default()
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| !crate::util::paths::stays_inside(p) || p.contains('/'))
        .collect()
}

/// Where the workspace is: evidence never goes at or above its root, nor inside its source
/// tree other than under the target directory.
#[derive(Debug, Clone)]
pub struct Location {
    pub workspace_root: PathBuf,
    /// Directories of the workspace's own packages and of local path dependencies.
    pub source_dirs: Vec<PathBuf>,
    pub target_dir: PathBuf,
}

/// What is at the evidence directory's path now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    Nothing,
    /// Our evidence, not sealed, holding only files this tool writes: may be replaced.
    Unsealed,
    /// Our evidence holding an approval or a signature: never replaced (`--force` moves it).
    Sealed,
}

/// Checks that `dir` (absolute) is a place evidence may be written to, and what is there.
/// Refusals name `--evidence-dir` and the reason; nothing is changed.
pub fn check_location(dir: &Path, loc: &Location) -> Result<Existing> {
    let refuse = |why: String| {
        Err(Error::usage(
            "--evidence-dir",
            format!("{}: {why}; nothing was changed", dir.display()),
        ))
    };
    let resolved = resolve(dir);
    let root = resolve(&loc.workspace_root);
    let target = resolve(&loc.target_dir);
    if resolved == root {
        return refuse("is the workspace root; evidence goes into a directory of its own (the default is under the target directory)".into());
    }
    if root.starts_with(&resolved) {
        return refuse(format!(
            "is an ancestor of the workspace root {}",
            root.display()
        ));
    }
    for src in std::iter::once(&loc.workspace_root).chain(&loc.source_dirs) {
        let src = resolve(src);
        if src.starts_with(&resolved) {
            return refuse(format!(
                "is or contains the package directory {}",
                src.display()
            ));
        }
        if resolved.starts_with(&src) && !resolved.starts_with(&target) {
            return refuse(format!(
                "is inside the source tree ({}); put evidence under the target directory {} or outside the workspace",
                src.display(),
                target.display()
            ));
        }
    }
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(Error::io(format!("reading {}", dir.display()), e)),
    };
    if meta.file_type().is_symlink() {
        return refuse(
            "is a symbolic link; name the evidence directory itself, not a link to it".into(),
        );
    }
    if !meta.is_dir() {
        return refuse("exists and is a file, not an evidence directory".into());
    }
    if !is_evidence(dir) {
        return refuse(format!(
            "exists and is not evidence written by cargo-release-evidence (no {} and no {} of schema {}); name a new directory, or move this one away yourself",
            evidence::MARKER_FILE,
            evidence::MANIFEST_FILE,
            evidence::model::SCHEMA
        ));
    }
    if is_sealed(dir) {
        return Ok(Existing::Sealed);
    }
    let foreign = foreign_entries(dir)?;
    if !foreign.is_empty() {
        return refuse(format!(
            "holds files cargo-release-evidence did not write ({}); move them out first",
            crate::util::text::clip(&foreign.join(", "), 200)
        ));
    }
    Ok(Existing::Unsealed)
}

/// `p` (absolute) with symbolic links and `..` resolved: its longest existing prefix
/// canonicalized, the rest (which does not exist, so holds no links) applied lexically.
pub fn resolve(p: &Path) -> PathBuf {
    let comps: Vec<Component> = p.components().collect();
    for k in (1..=comps.len()).rev() {
        let prefix: PathBuf = comps[..k].iter().collect();
        if let Ok(mut out) = prefix.canonicalize() {
            for c in &comps[k..] {
                match c {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(n) => out.push(n),
                    _ => {}
                }
            }
            return out;
        }
    }
    p.to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_names() {
        for ours in [
            "SHA256SUMS",
            "SHA256SUMS.sig",
            "release-evidence.tag",
            "thermo-fw.cdx.json",
            "approval-qa-qa_example.com.json",
            "approval-qa-qa_example.com.json.sig",
            ".tmp-abc",
        ] {
            assert!(is_our_file_name(ours), "{ours}");
        }
        for foreign in ["notes.txt", "Cargo.toml", "src", "thermo-fw", "key.sig"] {
            assert!(!is_our_file_name(foreign), "{foreign}");
        }
        assert!(is_reserved_artifact_name("approval-tool"));
        assert!(is_reserved_artifact_name("SHA256SUMS"));
        assert!(!is_reserved_artifact_name("thermo-fw"));
    }

    #[test]
    fn resolve_applies_dotdot_past_missing_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().canonicalize().unwrap();
        assert_eq!(resolve(&base.join("a/b/../c")), base.join("a/c"));
        assert_eq!(resolve(&base.join("a/..")), base);
    }
}
