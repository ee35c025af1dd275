//! The earlier releases of a product, as the evidence directories next to this one record them
//! (as `changes` finds the previous release): their version, commit, whether they are sealed
//! (approved or signed: a release, not a candidate) and the public interface their baseline
//! recorded. The directory being replaced is not one of them, unless it is sealed: sealed
//! evidence is a release, moved aside by `--force`, never replaced.

use super::{MANIFEST_FILE, store};
use crate::checks::baseline::version::{PriorRelease, PublicApi};
use serde_json::Value;
use std::path::Path;

pub fn prior_releases(dir: &Path, product: &str) -> Vec<PriorRelease> {
    let Some(parent) = dir.parent() else {
        return Vec::new();
    };
    let prefix = format!("{product}-");
    let mut out = Vec::new();
    for e in std::fs::read_dir(parent).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        if !name.starts_with(&prefix) || (path == dir && !store::is_sealed(&path)) {
            continue;
        }
        let Some(m) = std::fs::read(path.join(MANIFEST_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        else {
            continue;
        };
        let Some(version) = m["product"]["version"]
            .as_str()
            .and_then(|v| semver::Version::parse(v).ok())
            .filter(|_| m["product"]["name"] == product)
        else {
            continue;
        };
        out.push(PriorRelease {
            version,
            commit: m["source"]["commit"].as_str().map(str::to_owned),
            sealed: store::is_sealed(&path),
            public_api: serde_json::from_value::<PublicApi>(m["baseline"]["public_api"].clone())
                .ok(),
            // The sealed directory being replaced is moved aside by `--force` (it keeps its
            // name until then).
            evidence: if path == dir {
                format!("{name}, moved aside by --force")
            } else {
                name
            },
        });
    }
    out.sort_by(|a, b| (&a.version, &a.evidence).cmp(&(&b.version, &b.evidence)));
    out
}
