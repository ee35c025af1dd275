//! The release record: the evidence's documents for people, rendered from the manifest and the
//! SBOM model (never deciding anything): `release-evidence.md`.

pub mod baseline;
pub mod markdown;
pub mod verification;
