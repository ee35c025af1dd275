//! The release record: the evidence's documents for people, rendered from the manifest and the
//! SBOM model (never deciding anything): `release-evidence.md` and `release-evidence.html`.

pub mod baseline;
pub mod html;
pub mod markdown;
pub mod soup;
pub mod verification;
