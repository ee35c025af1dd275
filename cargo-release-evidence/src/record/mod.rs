//! The release record: the evidence's documents for people, rendered from the manifest and the
//! SBOM model (never deciding anything): `release-evidence.md` and `release-evidence.html`.

pub mod baseline;
pub mod clauses;
pub mod html;
pub mod markdown;
pub mod soup;
pub mod verification;

/// The evidence documents the record shows besides the manifest: the SOUP list and the clause
/// map (each also a file of the evidence).
#[derive(Debug, Clone, Copy, Default)]
pub struct Documents<'a> {
    pub soup: Option<&'a crate::evidence::soup::SoupList>,
    pub clauses: Option<&'a crate::evidence::clauses::ClauseMap>,
}
