//! The files of an evidence directory against its `SHA256SUMS`: every listed file present
//! (artifacts included, as `sha256sum -c --strict` requires) and matching, no unexpected file,
//! and the manifest's own digests agreeing; plus what the manifest says (product, gate).

use super::report::Item;
use crate::error::{Error, Result};
use crate::evidence::model::Product;
use crate::evidence::{self, checksums};
use crate::sign::approval::{AcceptedFinding, evidence_digest, is_signing_file};
use crate::util::digest;
use std::collections::BTreeSet;
use std::path::Path;

pub struct Files {
    pub items: Vec<Item>,
    /// Every file listed is present and matches, and nothing else is there.
    pub complete: bool,
    /// The bytes of SHA256SUMS (`None`: missing or unreadable).
    pub sums: Option<Vec<u8>>,
    pub digest: Option<String>,
    /// The directory's entries, sorted.
    pub names: Vec<String>,
    pub product: Option<Product>,
    pub gate_decision: Option<String>,
    /// The manifest's blocking findings (what a risk acceptance accepts).
    pub blocking: Vec<AcceptedFinding>,
}

pub fn check(dir: &Path) -> Result<Files> {
    if !dir.is_dir() {
        return Err(Error::usage(
            "EVIDENCE_DIR",
            format!("{} is not a directory", dir.display()),
        ));
    }
    let mut items = Vec::new();
    let mut complete = true;
    let sums_path = dir.join(evidence::SUMS_FILE);
    let sums = match std::fs::read(&sums_path) {
        Ok(b) => Some(b),
        Err(e) => {
            complete = false;
            items.push(Item::new(
                evidence::SUMS_FILE,
                false,
                if e.kind() == std::io::ErrorKind::NotFound {
                    "MISSING: the evidence has no SHA256SUMS (removed, or not an evidence directory); nothing it covered can be verified".to_owned()
                } else {
                    format!("unreadable: {e}")
                },
            ));
            None
        }
    };
    let digest = sums.as_deref().map(evidence_digest);
    let entries = sums
        .as_deref()
        .map(|s| checksums::parse(&String::from_utf8_lossy(s)));
    let mut listed: BTreeSet<String> = BTreeSet::new();
    match (&entries, &digest) {
        (Some(None), _) => {
            complete = false;
            items.push(Item::new(
                evidence::SUMS_FILE,
                false,
                "malformed: not in sha256sum format",
            ));
        }
        (Some(Some(entries)), Some(digest)) => {
            items.push(Item::new(
                evidence::SUMS_FILE,
                true,
                format!("{} entries, evidence digest {digest}", entries.len()),
            ));
            for (path, want) in entries {
                listed.insert(path.clone());
                let item = check_listed(dir, path, want);
                complete &= item.ok;
                items.push(item);
            }
        }
        _ => {}
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(format!("reading {}", dir.display()), e))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        if name == evidence::SUMS_FILE || listed.contains(name) || is_signing_file(name) {
            continue;
        }
        complete = false;
        items.push(Item::new(
            name.clone(),
            false,
            "UNEXPECTED file: not in SHA256SUMS",
        ));
    }

    // What the manifest says, and its own digests against SHA256SUMS.
    let manifest: Option<serde_json::Value> = std::fs::read(dir.join(evidence::MANIFEST_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let (mut product, mut gate_decision, mut blocking) = (None, None, Vec::new());
    if let Some(m) = &manifest {
        if let Some(Some(entries)) = &entries {
            for section in ["artifacts", "sbom", "vex"] {
                for rec in m[section].as_array().into_iter().flatten() {
                    let (Some(path), Some(sha)) = (rec["path"].as_str(), rec["sha256"].as_str())
                    else {
                        continue;
                    };
                    if !entries.iter().any(|(p, d)| p == path && d == sha) {
                        complete = false;
                        items.push(Item::new(
                            format!("manifest {section} {}", crate::util::text::clip(path, 200)),
                            false,
                            "the manifest's digest disagrees with SHA256SUMS",
                        ));
                    }
                }
            }
        }
        product = serde_json::from_value(m["product"].clone()).ok();
        gate_decision = m["gate"]["decision"].as_str().map(str::to_owned);
        for f in m["gate"]["findings"].as_array().into_iter().flatten() {
            if f["severity"] == "error" {
                blocking.push(AcceptedFinding {
                    code: f["code"].as_str().unwrap_or_default().to_owned(),
                    package: f["package"]["name"].as_str().map(str::to_owned),
                    advisory: f["advisory"].as_str().map(str::to_owned),
                });
            }
        }
    }
    Ok(Files {
        items,
        complete,
        sums,
        digest,
        names,
        product,
        gate_decision,
        blocking,
    })
}

/// One file listed in SHA256SUMS: present (no dangling symlink) and matching.
fn check_listed(dir: &Path, path: &str, want: &str) -> Item {
    let label = crate::util::text::clip(path, 200);
    if Path::new(path).is_absolute() {
        return Item::new(
            label,
            false,
            "REFUSED: an absolute path in SHA256SUMS (evidence lists paths relative to itself)",
        );
    }
    let file = dir.join(path);
    // Only regular files are hashed: a device or FIFO named by a hostile SHA256SUMS must not
    // make verify read forever.
    if file.exists() && !file.is_file() {
        return Item::new(label, false, "REFUSED: not a regular file");
    }
    match digest::sha256_file(&file) {
        Ok(got) if got == want => Item::new(label, true, "sha256 matches"),
        Ok(got) => Item::new(
            label,
            false,
            format!("MODIFIED: sha256 {got}, SHA256SUMS says {want}"),
        ),
        Err(_) if file.is_symlink() => Item::new(
            label,
            false,
            "MISSING: listed in SHA256SUMS but a dangling symlink",
        ),
        Err(_) if !file.exists() && (path.contains('/') || path.contains('\\')) => Item::new(
            label,
            false,
            "MISSING: the artifact listed in SHA256SUMS is not present (verify needs the released artifacts where SHA256SUMS names them, as `sha256sum -c` does)",
        ),
        Err(_) if !file.exists() => Item::new(
            label,
            false,
            "MISSING: listed in SHA256SUMS but not present",
        ),
        Err(e) => Item::new(
            label,
            false,
            format!(
                "unreadable: {}",
                crate::util::text::clip(&e.to_string(), 200)
            ),
        ),
    }
}
