//! The released artifacts inside the evidence directory.

use super::guard::is_reserved_artifact_name;
use super::staging::Staging;
use crate::build::cargo::Artifact;
use crate::build::record::BuildRecord;
use crate::error::{Error, Result};
use crate::evidence::model::FileRecord;
use crate::util::digest;

/// Copies the released artifacts into the (staging) evidence directory and describes the
/// copies; `SHA256SUMS` then lists them inside the directory (`path` is the file name).
///
/// Why copies rather than references to `<target>/<profile>/`, or a refusal to rebuild: the
/// target directory belongs to cargo, and any later `build` overwrites the files there, so
/// sealed evidence that points at them stops verifying; a copy makes the evidence directory
/// self-contained (it can be archived, moved by `--force`, and verified anywhere, `verify-build`
/// finds the originals next to the manifest), at the cost of one more copy of each released
/// artifact (a reflink on copy-on-write file systems). Hard links would share the inode with
/// cargo's file, and tools that rewrite a file in place (strip, objcopy, signing tools) would
/// then change the sealed copy too. The copy is hashed (SHA-256 and SHA-512 at once; the
/// SHA-512s are returned beside the records, in their order), and must match the build's
/// record.
pub fn copy_into(
    staging: &Staging,
    artifacts: &[Artifact],
    record: Option<&BuildRecord>,
) -> Result<(Vec<FileRecord>, Vec<String>)> {
    let mut records: Vec<FileRecord> = Vec::new();
    let mut sha512s = Vec::new();
    for a in artifacts {
        let name = a
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if is_reserved_artifact_name(&name) || records.iter().any(|r| r.path == name) {
            return Err(Error::Environment(format!(
                "the artifact {} cannot be copied into the evidence directory: its name `{name}` is one of the evidence's own file names (or another artifact's); rename the target",
                a.path.display()
            )));
        }
        let copy = staging.copy_in(&a.path, &name)?;
        let (sha256, sha512) = digest::sha256_and_sha512_file(&copy)?;
        staging.record_digest(&name, &sha256);
        let built = record.and_then(|r| r.artifacts.iter().find(|d| d.name == name));
        if let Some(built) = built
            && built.sha256 != sha256
        {
            return Err(Error::Environment(format!(
                "{} changed after the build (sha256 {sha256}, the build produced {}); nothing was written. Is another build running on this target directory?",
                a.path.display(),
                built.sha256
            )));
        }
        let size = std::fs::metadata(&copy)
            .map_err(|e| Error::io(format!("reading {}", copy.display()), e))?
            .len();
        records.push(FileRecord {
            path: name,
            kind: a.kind.clone(),
            size,
            sha256,
        });
        sha512s.push(sha512);
    }
    Ok((records, sha512s))
}
