//! What the page is rendered from: the same data as the Markdown record.

use crate::evidence::model::{DependencyChanges, Manifest};
use crate::sbom::SbomModel;

pub struct Page<'a> {
    pub m: &'a Manifest,
    pub models: &'a [SbomModel],
    pub changes: &'a DependencyChanges,
    /// The SOUP list and the clause map.
    pub documents: &'a crate::record::Documents<'a>,
}
