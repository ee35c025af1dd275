//! Cargo.lock: the sha256 of the file and the registry checksums of its packages.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

pub struct LockInfo {
    pub sha256: String,
    /// (name, version) → checksum (registry packages only).
    pub checksums: HashMap<(String, String), String>,
}

pub fn read(root: &Path) -> Result<LockInfo> {
    let path = root.join("Cargo.lock");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let lock: rustsec::Lockfile = text.parse().map_err(|e: rustsec::cargo_lock::Error| {
        Error::Environment(format!("{} is not a valid lockfile: {e}", path.display()))
    })?;
    Ok(LockInfo {
        sha256: crate::digest::sha256_hex(text.as_bytes()),
        checksums: lock
            .packages
            .into_iter()
            .filter_map(|p| {
                p.checksum.map(|c| {
                    (
                        (p.name.as_str().to_owned(), p.version.to_string()),
                        c.to_string(),
                    )
                })
            })
            .collect(),
    })
}
