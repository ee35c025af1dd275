//! The workspace's data: what is selected (target, features), where packages come from, and
//! each release member's shipped set. Types only; `graph` computes them.

use crate::findings::{Kind, PackageRef};
use guppy::PackageId;
use guppy::Version;
use guppy::graph::PackageSource;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// How the shipped set is computed: target, features, dev-dependencies.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Target triple; `None` is the host.
    pub target: Option<String>,
    /// Widen to every platform (`--all-platforms`).
    pub all_platforms: bool,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    pub include_dev: bool,
}

/// What the shipped sets cover; printed in every output so a reader knows the scope.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Scope {
    pub target: String,
    pub all_platforms: bool,
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
    pub include_dev: bool,
    pub resolver: String,
    pub description: String,
}

/// Where a package comes from, normalized.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A workspace member (path relative to the root).
    Workspace(String),
    /// A path dependency that is not a workspace member (path relative to the root).
    Path(String),
    CratesIo,
    /// Another registry: its index URL (without `registry+`/`sparse+`).
    Registry(String),
    /// A git repository: URL without query or fragment, and the locked commit.
    Git {
        url: String,
        commit: String,
    },
}

pub const CRATES_IO_SPARSE: &str = "sparse+https://index.crates.io/";

impl Source {
    pub fn from_guppy(source: PackageSource<'_>) -> Source {
        match source {
            PackageSource::Workspace(p) => Source::Workspace(p.as_str().to_owned()),
            PackageSource::Path(p) => Source::Path(p.as_str().to_owned()),
            PackageSource::External(s) => Source::parse_external(s),
        }
    }

    pub fn parse_external(s: &str) -> Source {
        if s == PackageSource::CRATES_IO_REGISTRY || s == CRATES_IO_SPARSE {
            return Source::CratesIo;
        }
        if let Some(rest) = s.strip_prefix("git+") {
            let (url_part, commit) = rest.split_once('#').unwrap_or((rest, ""));
            let url = url_part.split('?').next().unwrap_or(url_part).to_owned();
            return Source::Git {
                url,
                commit: commit.to_owned(),
            };
        }
        let url = s
            .strip_prefix("registry+")
            .or_else(|| s.strip_prefix("sparse+"))
            .unwrap_or(s);
        Source::Registry(url.to_owned())
    }

    /// The stable text form used in outputs (never an absolute path).
    pub fn display(&self) -> String {
        match self {
            Source::Workspace(p) => format!("workspace+{p}"),
            Source::Path(p) => format!("path+{p}"),
            Source::CratesIo => "crates.io".to_owned(),
            Source::Registry(u) => format!("registry+{u}"),
            Source::Git { url, commit } => format!("git+{url}#{commit}"),
        }
    }

    /// A git, non-default-registry or out-of-workspace path package needs a supplier review.
    pub fn is_supplier_input(&self) -> bool {
        matches!(
            self,
            Source::Path(_) | Source::Registry(_) | Source::Git { .. }
        )
    }
}

/// One package that ships in at least one release member.
#[derive(Debug, Clone)]
pub struct ShippedPackage {
    pub id: PackageId,
    pub name: String,
    pub version: Version,
    pub source: Source,
    pub license: Option<String>,
    pub license_file: Option<String>,
    /// Absolute directory holding the package's Cargo.toml.
    pub dir: PathBuf,
    /// Which members ship it, and how.
    pub via: Vec<(String, Kind)>,
    /// A path package from a directory the policy declares in-house (`[sources]
    /// in-house-paths`): first-party code, like a workspace member.
    pub in_house: bool,
}

impl ShippedPackage {
    pub fn package_ref(&self) -> PackageRef {
        PackageRef {
            name: self.name.clone(),
            version: self.version.to_string(),
            source: self.source.display(),
        }
    }

    pub fn is_third_party(&self) -> bool {
        !matches!(self.source, Source::Workspace(_)) && !self.in_house
    }

    /// A supplier input needing a `[[supplier]]` review (never an in-house path package).
    pub fn is_supplier_input(&self) -> bool {
        self.source.is_supplier_input() && !self.in_house
    }

    /// The strongest kind over all members (linked beats build-time beats dev).
    pub fn strongest_kind(&self) -> Kind {
        self.via
            .iter()
            .map(|(_, k)| *k)
            .min()
            .unwrap_or(Kind::Linked)
    }
}

/// The shipped set of one release member.
#[derive(Debug, Clone)]
pub struct MemberSet {
    pub id: PackageId,
    pub name: String,
    pub version: Version,
    pub manifest_path: PathBuf,
    /// Every package in the set with its kind (the member itself is `Linked`).
    pub packages: BTreeMap<PackageId, Kind>,
    /// The dependency edges of the set (from → to): only links cargo follows for this target,
    /// these features and (with `--include-dev`) dev-dependencies. Paths and locations of
    /// findings use only these.
    pub edges: BTreeMap<PackageId, BTreeSet<PackageId>>,
    /// The part of `edges` that only `--include-dev` adds: the path to a linked or build-time
    /// package never goes through one of them.
    pub dev_edges: BTreeMap<PackageId, BTreeSet<PackageId>>,
}
