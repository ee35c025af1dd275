//! The release page `release-evidence.html`: one self-contained HTML file (inline CSS, inline
//! SVG, a few lines of script for the package filter, a content security policy that forbids
//! every request) rendered from the same data as the Markdown record, printable on A4 and
//! Letter. The shipped set is drawn as a graph laid out by dagre.

mod data;
mod documents;
mod graph;
mod page;
mod shipped;
pub mod state;
mod svg;
#[cfg(test)]
mod tests;
mod text;

use crate::evidence::model::{DependencyChanges, Manifest};
use crate::sbom::SbomModel;

pub use text::esc;

/// The page for the evidence directory (byte-identical for the same data).
pub fn release_page(
    m: &Manifest,
    models: &[SbomModel],
    changes: &DependencyChanges,
    documents: &crate::record::Documents<'_>,
) -> String {
    let timer = crate::gate::Timer::new();
    let page = page::render(&data::Page {
        m,
        models,
        changes,
        documents,
    });
    timer.mark("html page rendered");
    page
}

/// `page` prepared for printing on one paper size (`A4`, `letter`): page-size rules added (the
/// graph's page turned to landscape).
pub fn for_paper(page: &str, paper: &str) -> String {
    let rule = format!(
        "<style>@page {{ size: {paper}; }} @page wide {{ size: {paper} landscape; }}</style>\n</head>"
    );
    page.replacen("</head>", &rule, 1)
}
