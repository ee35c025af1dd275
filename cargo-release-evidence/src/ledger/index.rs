//! What the ledger keeps of one verified evidence directory: every file (content-addressed by
//! sha256) and the index rows read from it — the manifest (product, version, target, dates,
//! decision, artifacts, exceptions), the CycloneDX SBOMs (every shipped component with its
//! source, purl and whether it is linked or build-time only) and the approvals that verified.

use crate::error::{Error, Result};
use crate::evidence;
use crate::sign::verify::Verification;
use crate::util::digest::sha256_hex;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// One release as the ledger indexes it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Release {
    pub product: String,
    pub version: String,
    pub target: String,
    /// The manifest's `generated_at` (RFC 3339): the release's date.
    pub release_date: String,
    /// The date the gate evaluated (`YYYY-MM-DD`).
    pub gate_date: String,
    /// `PASS` or `HOLD` (a HOLD retained only when every risk acceptance verified).
    pub decision: String,
    /// `sha256:` + sha256 of SHA256SUMS.
    pub evidence_digest: String,
    /// `sha256:` + sha256 of the sorted `sha256  path` lines of every retained file (the
    /// approvals and signatures included): the identity of what was retained.
    pub bundle_digest: String,
    /// The end of support the evidence declares (`lifecycle.support_until` in the manifest),
    /// `None` when it declares none (then monitored as supported, and flagged).
    pub support_end: Option<String>,
    pub advisory_db_date: Option<String>,
    pub advisory_db_commit: Option<String>,
    pub artifacts: Vec<Artifact>,
    pub components: Vec<Component>,
    pub exceptions: Vec<Exception>,
    pub approvals: Vec<Approval>,
    pub files: Vec<File>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Artifact {
    pub path: String,
    pub kind: String,
    pub sha256: String,
    pub size: u64,
}

/// One shipped package of one artifact's SBOM.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Component {
    pub name: String,
    pub version: String,
    /// `crates.io`, `git+…`, `path`, … as the SBOM's `release-evidence:source`.
    pub source: String,
    pub purl: String,
    /// `linked` (compiled into the artifact) or `build-time`.
    pub kind: String,
}

/// An advisory exception in force when the release was made.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Exception {
    pub advisory: String,
    #[serde(rename = "crate")]
    pub krate: String,
    pub reason: String,
    pub approved_by: String,
    pub expires: String,
}

/// An approval that verified when the release was added.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Approval {
    pub role: String,
    pub principal: String,
    pub decision: String,
    pub file: String,
}

/// One retained file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct File {
    /// Relative to the evidence directory, `/`-separated.
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub executable: bool,
}

/// A file's content, keyed by its sha256.
pub struct Blob {
    pub sha256: String,
    pub content: Vec<u8>,
}

/// Reads the verified directory `dir` (`v` is its verification, which passed): the approvals
/// are the ones that verified.
pub fn read(dir: &Path, v: &Verification) -> Result<(Release, Vec<Blob>)> {
    let approvals = v
        .approvals
        .iter()
        .map(|a| Approval {
            role: a.role.clone(),
            principal: a.principal.clone(),
            decision: a.decision.clone(),
            file: a.file.clone(),
        })
        .collect();
    let (release, blobs, _) = read_dir(dir, Some(approvals))?;
    Ok((release, blobs))
}

/// Reads `dir` without verifying it (for `diff`): the approvals are the records found
/// (`approval-*.json`), not verified. Also returns the manifest.
pub fn read_recorded(dir: &Path) -> Result<(Release, Value)> {
    let (release, _, manifest) = read_dir(dir, None)?;
    Ok((release, manifest))
}

/// The approval records among `files` (`approval-*.json`), as recorded.
fn recorded_approvals(files: &[File], blobs: &BTreeMap<String, Vec<u8>>) -> Vec<Approval> {
    files
        .iter()
        .filter(|f| f.path.starts_with("approval-") && f.path.ends_with(".json"))
        .filter_map(|f| {
            let v: Value = serde_json::from_slice(blobs.get(&f.sha256)?).ok()?;
            Some(Approval {
                role: v["role"].as_str()?.to_owned(),
                principal: v["principal"].as_str()?.to_owned(),
                decision: v["decision"].as_str()?.to_owned(),
                file: f.path.clone(),
            })
        })
        .collect()
}

/// Reads only what the release record's changes compare from `dir`: the manifest, its CycloneDX
/// SBOMs and the digest of SHA256SUMS — not every file as `ledger add` and `diff` do (the
/// artifacts' copies are neither read nor hashed). Regular files inside `dir` only.
pub fn read_documents(dir: &Path) -> Result<(Release, Value)> {
    let read = |rel: &str| -> Result<Vec<u8>> {
        let path = dir.join(rel);
        let regular = crate::util::paths::stays_inside(rel)
            && std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        if !regular {
            return Err(Error::Environment(format!(
                "{} is not a regular file of the evidence",
                path.display()
            )));
        }
        std::fs::read(&path).map_err(|e| Error::io(format!("reading {}", path.display()), e))
    };
    let json = |rel: &str| -> Result<Value> {
        serde_json::from_slice(&read(rel)?).map_err(|e| {
            Error::config_line(
                dir.join(rel),
                e.line(),
                e.column(),
                format!("not JSON: {e}"),
            )
        })
    };
    let manifest = json(evidence::MANIFEST_FILE)?;
    let mut components = Vec::new();
    for sbom in manifest["sbom"].as_array().into_iter().flatten() {
        if sbom["kind"]
            .as_str()
            .unwrap_or_default()
            .starts_with("cyclonedx")
        {
            components.extend(sbom_components(&json(
                sbom["path"].as_str().unwrap_or_default(),
            )?));
        }
    }
    let mut release = from_manifest(&manifest, components);
    release.evidence_digest = format!("sha256:{}", sha256_hex(&read(evidence::SUMS_FILE)?));
    Ok((release, manifest))
}

fn read_dir(dir: &Path, approvals: Option<Vec<Approval>>) -> Result<(Release, Vec<Blob>, Value)> {
    let mut files = Vec::new();
    let mut blobs: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    if !dir.is_dir() {
        return Err(Error::usage(
            "EVIDENCE_DIR",
            format!("{} is not a directory", dir.display()),
        ));
    }
    walk(dir, "", &mut files, &mut blobs)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let bundle: String = files
        .iter()
        .map(|f| format!("{}  {}\n", f.sha256, f.path))
        .collect();
    let manifest = json_file(dir, &blobs, &files, evidence::MANIFEST_FILE)?;
    let mut components = Vec::new();
    for sbom in manifest["sbom"].as_array().into_iter().flatten() {
        let path = sbom["path"].as_str().unwrap_or_default();
        if !sbom["kind"]
            .as_str()
            .unwrap_or_default()
            .starts_with("cyclonedx")
        {
            continue;
        }
        let bom = json_file(dir, &blobs, &files, path)?;
        components.extend(sbom_components(&bom));
    }
    let mut release = from_manifest(&manifest, components);
    release.evidence_digest = files
        .iter()
        .find(|f| f.path == evidence::SUMS_FILE)
        .map(|f| format!("sha256:{}", f.sha256))
        .unwrap_or_default();
    release.bundle_digest = format!("sha256:{}", sha256_hex(bundle.as_bytes()));
    release.approvals = approvals.unwrap_or_else(|| recorded_approvals(&files, &blobs));
    release.files = files;
    if release.product.is_empty() || release.version.is_empty() {
        return Err(Error::Environment(format!(
            "{} names no product and version; it cannot be retained",
            dir.join(evidence::MANIFEST_FILE).display()
        )));
    }
    let blobs = blobs
        .into_iter()
        .map(|(sha256, content)| Blob { sha256, content })
        .collect();
    Ok((release, blobs, manifest))
}

/// The release as its manifest records it, with `components` (from its SBOMs); the digests,
/// approvals and files are the caller's to fill in (empty here). The main job uses it for the
/// release it is writing, `read_dir` for a directory.
pub fn from_manifest(manifest: &Value, mut components: Vec<Component>) -> Release {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let opt = |v: &Value| v.as_str().map(str::to_owned);
    components.sort();
    components.dedup();
    Release {
        product: text(&manifest["product"]["name"]),
        version: text(&manifest["product"]["version"]),
        target: text(&manifest["target"]),
        release_date: text(&manifest["generated_at"]),
        gate_date: text(&manifest["gate"]["date"]),
        decision: text(&manifest["gate"]["decision"]),
        evidence_digest: String::new(),
        bundle_digest: String::new(),
        support_end: opt(&manifest["lifecycle"]["support_until"]),
        advisory_db_date: opt(&manifest["advisory_db"]["date"]),
        advisory_db_commit: opt(&manifest["advisory_db"]["commit"]),
        artifacts: manifest["artifacts"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| Artifact {
                path: text(&a["path"]),
                kind: text(&a["kind"]),
                sha256: text(&a["sha256"]),
                size: a["size"].as_u64().unwrap_or_default(),
            })
            .collect(),
        components,
        exceptions: manifest["exceptions_applied"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| Exception {
                advisory: text(&e["id"]),
                krate: text(&e["crate"]),
                reason: text(&e["reason"]),
                approved_by: text(&e["approved_by"]),
                expires: text(&e["expires"]),
            })
            .collect(),
        approvals: Vec::new(),
        files: Vec::new(),
    }
}

/// The components of a CycloneDX SBOM written by the main job.
fn sbom_components(bom: &Value) -> Vec<Component> {
    let prop = |c: &Value, name: &str| {
        c["properties"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == name)
            .and_then(|p| p["value"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    bom["components"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| Component {
            name: c["name"].as_str().unwrap_or_default().to_owned(),
            version: c["version"].as_str().unwrap_or_default().to_owned(),
            source: prop(c, "release-evidence:source"),
            purl: c["purl"].as_str().unwrap_or_default().to_owned(),
            kind: prop(c, "release-evidence:kind"),
        })
        .collect()
}

fn json_file(
    dir: &Path,
    blobs: &BTreeMap<String, Vec<u8>>,
    files: &[File],
    path: &str,
) -> Result<Value> {
    let bytes = files
        .iter()
        .find(|f| f.path == path)
        .and_then(|f| blobs.get(&f.sha256))
        .ok_or_else(|| {
            Error::Environment(format!(
                "{} is missing from the evidence",
                dir.join(path).display()
            ))
        })?;
    serde_json::from_slice(bytes).map_err(|e| {
        Error::config_line(
            dir.join(path),
            e.line(),
            e.column(),
            format!("not JSON: {e}"),
        )
    })
}

/// Every regular file under `dir` (symbolic links and other kinds refused: the ledger keeps
/// what `verify` checked, nothing it did not).
fn walk(
    dir: &Path,
    prefix: &str,
    files: &mut Vec<File>,
    blobs: &mut BTreeMap<String, Vec<u8>>,
) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::io(format!("reading {}", dir.display()), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("reading {}", dir.display()), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        if meta.is_dir() {
            walk(&path, &format!("{rel}/"), files, blobs)?;
        } else if meta.is_file() {
            let content = std::fs::read(&path)
                .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
            let sha256 = sha256_hex(&content);
            files.push(File {
                path: rel,
                sha256: sha256.clone(),
                size: content.len() as u64,
                executable: is_executable(&meta),
            });
            blobs.insert(sha256, content);
        } else {
            return Err(Error::Environment(format!(
                "{} is neither a file nor a directory; the ledger retains only regular files",
                path.display()
            )));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    false
}
