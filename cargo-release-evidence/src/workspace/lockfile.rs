//! Cargo.lock: the sha256 of the file and the registry checksums of its packages, keyed by
//! (name, version, source) so two sources of one version never collapse.

use super::model::Source;
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

/// A package as Cargo.lock names it.
pub type LockKey = (String, String, Source);

pub struct LockInfo {
    pub sha256: String,
    /// (name, version, source) → checksum (registry packages only).
    pub checksums: HashMap<LockKey, String>,
}

impl LockInfo {
    pub fn checksum(&self, name: &str, version: &str, source: &Source) -> Option<&String> {
        self.checksums
            .get(&(name.to_owned(), version.to_owned(), source.clone()))
    }
}

pub fn read(root: &Path) -> Result<LockInfo> {
    let path = root.join("Cargo.lock");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    parse(&path, &text)
}

pub fn parse(path: &Path, text: &str) -> Result<LockInfo> {
    let lock: rustsec::Lockfile = text.parse().map_err(|e: rustsec::cargo_lock::Error| {
        Error::Environment(format!(
            "{} is not a valid lockfile: {}",
            path.display(),
            crate::util::text::clip(&e.to_string(), 300)
        ))
    })?;
    Ok(LockInfo {
        sha256: crate::util::digest::sha256_hex(text.as_bytes()),
        checksums: lock
            .packages
            .into_iter()
            .filter_map(|p| {
                let source = Source::parse_external(&p.source?.to_string());
                p.checksum.map(|c| {
                    (
                        (p.name.as_str().to_owned(), p.version.to_string(), source),
                        c.to_string(),
                    )
                })
            })
            .collect(),
    })
}
