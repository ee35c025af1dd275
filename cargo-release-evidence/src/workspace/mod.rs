//! The workspace: one `cargo metadata` (from a file, the cache, or cargo run once) turned into
//! one guppy `PackageGraph`; per release member the shipped set (`graph`); plus the other facts
//! about the checkout the evidence records: Cargo.lock, git, toolchain.

pub mod cargo_identity;
pub mod git;
pub mod graph;
pub mod lockfile;
pub mod metadata;
pub mod model;
pub mod source;
pub mod toolchain;
mod trim;

use crate::error::{Error, Result};
pub use graph::{host_triple, resolver_name};
use guppy::graph::PackageGraph;
use guppy::graph::cargo::CargoResolverVersion;
pub use model::*;
use std::path::{Path, PathBuf};

/// The loaded workspace: the package graph and what ships.
pub struct Workspace {
    pub graph: PackageGraph,
    pub root: PathBuf,
    pub resolver: CargoResolverVersion,
}

impl Workspace {
    /// Builds the graph from `cargo metadata` JSON. `declared` is the resolver the root manifest
    /// declares (`workspace.resolver` / `package.resolver`); without one, the root package's
    /// edition decides (2024 → 3, 2021 → 2), and a virtual workspace gets 1, as cargo does.
    /// The JSON is as `metadata::load` gives it, trimmed (`trim`); the text is dropped as soon
    /// as it is parsed, before the graph is built: on a 10,000-package workspace it is 40 MB
    /// that need not live beside the graph.
    pub fn from_metadata(
        json: String,
        declared: Option<CargoResolverVersion>,
    ) -> Result<Workspace> {
        let invalid = |e: guppy::Error| {
            Error::Environment(format!(
                "cannot build the package graph from cargo metadata: {e}"
            ))
        };
        let parsed = guppy::CargoMetadata::parse_json(&json).map_err(invalid)?;
        drop(json);
        let graph = PackageGraph::from_metadata(parsed).map_err(invalid)?;
        let root = graph.workspace().root().as_std_path().to_path_buf();
        let resolver = declared.unwrap_or_else(|| {
            let root_manifest = root.join("Cargo.toml");
            let edition = graph
                .workspace()
                .iter()
                .find(|p| p.manifest_path().as_std_path() == root_manifest)
                .map(|p| p.edition().to_owned());
            match edition.as_deref() {
                Some("2024") => CargoResolverVersion::V3,
                Some("2021") => CargoResolverVersion::V2,
                _ => CargoResolverVersion::V1,
            }
        });
        Ok(Workspace {
            graph,
            root,
            resolver,
        })
    }
}

/// The resolver the root manifest declares, if any (`workspace.resolver`, else
/// `package.resolver`), read with toml spans so a bad value is located.
pub fn declared_resolver(root: &Path) -> Result<Option<CargoResolverVersion>> {
    let manifest = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| Error::io(format!("reading {}", manifest.display()), e))?;
    #[derive(serde::Deserialize)]
    struct Manifest {
        workspace: Option<Section>,
        package: Option<Section>,
    }
    #[derive(serde::Deserialize)]
    struct Section {
        resolver: Option<toml::Spanned<String>>,
    }
    let m: Manifest = toml::from_str(&text).map_err(|e| {
        Error::config_at(
            &manifest,
            &text,
            e.span(),
            e.message().trim_end().to_owned(),
        )
    })?;
    let declared = m
        .workspace
        .and_then(|w| w.resolver)
        .or_else(|| m.package.and_then(|p| p.resolver));
    let Some(r) = declared else {
        return Ok(None);
    };
    match r.get_ref().as_str() {
        "1" => Ok(Some(CargoResolverVersion::V1)),
        "2" => Ok(Some(CargoResolverVersion::V2)),
        "3" => Ok(Some(CargoResolverVersion::V3)),
        other => Err(Error::config_at(
            &manifest,
            &text,
            Some(r.span()),
            format!("unsupported resolver `{other}`"),
        )),
    }
}

/// Finds the workspace root for a manifest without running cargo: the nearest ancestor
/// directory (including the manifest's own) whose Cargo.toml has a `[workspace]` table, or
/// the manifest's directory. Used only to locate the policy and the cache early; the root
/// from cargo metadata is authoritative.
pub fn guess_workspace_root(manifest: &Path) -> PathBuf {
    let start = manifest.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut dir = Some(start.as_path());
    while let Some(d) = dir {
        let candidate = d.join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&candidate)
            && let Ok(table) = text.parse::<toml::Table>()
            && table.contains_key("workspace")
        {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    start
}
