//! The workspace model: one guppy `PackageGraph` from one `cargo metadata`, and per release
//! member the *shipped set* — the packages compiled into its artifacts for one target and
//! feature selection.

use crate::error::{Error, Result};
use crate::findings::{Kind, PackageRef, Via};
use guppy::graph::cargo::{CargoOptions, CargoResolverVersion, CargoSet};
use guppy::graph::feature::{FeatureFilterFn, FeatureLabel, StandardFeatures};
use guppy::graph::{DependencyDirection, PackageGraph, PackageMetadata, PackageSource};
use guppy::platform::{Platform, PlatformSpec, TargetFeatures};
use guppy::{PackageId, Version};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};

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
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
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
}

/// The loaded workspace: the package graph and what ships.
pub struct Workspace {
    pub graph: PackageGraph,
    pub root: PathBuf,
    pub resolver: CargoResolverVersion,
}

impl Workspace {
    pub fn from_metadata_json(json: &str) -> Result<Workspace> {
        let graph = PackageGraph::from_json(json).map_err(|e| {
            Error::Environment(format!(
                "cannot build the package graph from cargo metadata: {e}"
            ))
        })?;
        let root = graph.workspace().root().as_std_path().to_path_buf();
        let resolver = read_resolver(&root)?;
        Ok(Workspace {
            graph,
            root,
            resolver,
        })
    }

    /// Members to release: `-p` names, else `--workspace` (all), else the policy's
    /// `[release] members`, else cargo's default members.
    pub fn select_members(
        &self,
        packages: &[String],
        workspace: bool,
        policy_members: &[String],
    ) -> Result<Vec<PackageMetadata<'_>>> {
        let ws = self.graph.workspace();
        let by_names = |names: &[String], flag: &str| -> Result<Vec<PackageMetadata<'_>>> {
            names
                .iter()
                .map(|n| {
                    ws.member_by_name(n).map_err(|_| {
                        let known: Vec<_> = ws.iter().map(|p| p.name().to_owned()).collect();
                        Error::usage(
                            flag,
                            format!(
                                "`{n}` is not a workspace member (members: {})",
                                known.join(", ")
                            ),
                        )
                    })
                })
                .collect()
        };
        let mut members = if !packages.is_empty() {
            by_names(packages, "--package")?
        } else if workspace {
            ws.iter().collect()
        } else if !policy_members.is_empty() {
            by_names(policy_members, "[release] members")?
        } else {
            ws.default_members().collect()
        };
        members.sort_by(|a, b| a.name().cmp(b.name()));
        members.dedup_by(|a, b| a.id() == b.id());
        Ok(members)
    }

    /// The target platform and a scope description.
    pub fn scope(&self, sel: &Selection) -> Scope {
        let target = if sel.all_platforms {
            "all".to_owned()
        } else {
            sel.target.clone().unwrap_or_else(host_triple)
        };
        let features = if sel.all_features {
            "all features".to_owned()
        } else {
            let mut f = if sel.no_default_features {
                "no default features".to_owned()
            } else {
                "default features".to_owned()
            };
            if !sel.features.is_empty() {
                f.push_str(&format!(" + {}", sel.features.join(",")));
            }
            f
        };
        let description = if sel.all_platforms {
            format!(
                "every package the lockfile resolves for any platform with {features}{} (widest scope, comparable with cargo-audit)",
                if sel.include_dev {
                    ", including dev-dependencies"
                } else {
                    ""
                }
            )
        } else {
            format!(
                "packages compiled into each release member's artifacts for {target} with {features}; build-time packages (build-script dependencies, proc-macros) reported separately{}",
                if sel.include_dev {
                    "; dev-dependencies included"
                } else {
                    "; dev-dependencies excluded"
                }
            )
        };
        Scope {
            target,
            all_platforms: sel.all_platforms,
            features: sel.features.clone(),
            all_features: sel.all_features,
            no_default_features: sel.no_default_features,
            include_dev: sel.include_dev,
            resolver: resolver_name(self.resolver).to_owned(),
            description,
        }
    }

    /// Computes the shipped set of one member.
    pub fn member_set(&self, member: &PackageMetadata<'_>, sel: &Selection) -> Result<MemberSet> {
        let without_dev = self.cargo_set(member, sel, false)?;
        let mut packages: BTreeMap<PackageId, Kind> = BTreeMap::new();
        for id in without_dev.1 {
            packages.insert(id, Kind::BuildTime);
        }
        for id in without_dev.0 {
            packages.insert(id, Kind::Linked);
        }
        if sel.include_dev {
            let with_dev = self.cargo_set(member, sel, true)?;
            for id in with_dev.0.into_iter().chain(with_dev.1) {
                packages.entry(id).or_insert(Kind::Dev);
            }
        }
        Ok(MemberSet {
            id: member.id().clone(),
            name: member.name().to_owned(),
            version: member.version().clone(),
            manifest_path: member.manifest_path().as_std_path().to_path_buf(),
            packages,
        })
    }

    /// (target packages, host-only packages) of a member.
    fn cargo_set(
        &self,
        member: &PackageMetadata<'_>,
        sel: &Selection,
        include_dev: bool,
    ) -> Result<(Vec<PackageId>, Vec<PackageId>)> {
        let member_name = member.name();
        let mut named: Vec<String> = Vec::new();
        for f in &sel.features {
            for f in f.split([',', ' ']).filter(|s| !s.is_empty()) {
                match f.split_once('/') {
                    Some((pkg, feat)) if pkg == member_name => named.push(feat.to_owned()),
                    Some(_) => {}
                    None => named.push(f.to_owned()),
                }
            }
        }
        for f in &named {
            if !member.named_features().any(|n| n == f) {
                return Err(Error::usage(
                    "--features",
                    format!("package `{member_name}` has no feature `{f}`"),
                ));
            }
        }
        let base = if sel.all_features {
            StandardFeatures::All
        } else if sel.no_default_features {
            StandardFeatures::None
        } else {
            StandardFeatures::Default
        };
        let filter = FeatureFilterFn::new(move |graph, feature_id| {
            use guppy::graph::feature::FeatureFilter;
            let mut base = base;
            if base.accept(graph, feature_id) {
                return true;
            }
            match feature_id.label() {
                FeatureLabel::Named(n) => named.iter().any(|f| f == n),
                _ => false,
            }
        });
        let initials = self
            .graph
            .resolve_ids([member.id()])
            .map_err(|e| Error::Environment(e.to_string()))?
            .to_feature_set(filter);
        let mut opts = CargoOptions::new();
        opts.set_resolver(self.resolver)
            .set_include_dev(include_dev);
        if sel.all_platforms {
            opts.set_target_platform(PlatformSpec::Any)
                .set_host_platform(PlatformSpec::Any);
        } else {
            let target = match &sel.target {
                Some(t) => Platform::new(t.clone(), TargetFeatures::Unknown).map_err(|e| {
                    Error::usage("--target", format!("unknown target triple `{t}`: {e}"))
                })?,
                None => Platform::build_target()
                    .map_err(|e| Error::Environment(format!("cannot determine host: {e}")))?,
            };
            let host = Platform::build_target()
                .map_err(|e| Error::Environment(format!("cannot determine host: {e}")))?;
            opts.set_target_platform(PlatformSpec::from(target))
                .set_host_platform(PlatformSpec::from(host));
        }
        let set = CargoSet::new(initials, self.graph.feature_graph().resolve_none(), &opts)
            .map_err(|e| Error::Environment(format!("cannot compute the shipped set: {e}")))?;
        let target: Vec<PackageId> = set
            .target_features()
            .to_package_set()
            .package_ids(DependencyDirection::Forward)
            .cloned()
            .collect();
        let target_set: BTreeSet<&PackageId> = target.iter().collect();
        let host: Vec<PackageId> = set
            .host_features()
            .to_package_set()
            .package_ids(DependencyDirection::Forward)
            .filter(|id| !target_set.contains(id))
            .cloned()
            .collect();
        Ok((target, host))
    }

    /// Aggregates member sets into one list of shipped packages, sorted by name and version.
    pub fn shipped_packages(&self, sets: &[MemberSet]) -> Vec<ShippedPackage> {
        let mut by_id: HashMap<&PackageId, ShippedPackage> = HashMap::new();
        for set in sets {
            for (id, kind) in &set.packages {
                let entry = by_id.entry(id).or_insert_with(|| {
                    let pkg = self.graph.metadata(id).expect("id from the graph");
                    package_from(&pkg)
                });
                entry.via.push((set.name.clone(), *kind));
            }
        }
        let mut out: Vec<ShippedPackage> = by_id.into_values().collect();
        for p in &mut out {
            p.via.sort();
        }
        out.sort_by(|a, b| {
            (a.name.as_str(), &a.version, &a.source).cmp(&(b.name.as_str(), &b.version, &b.source))
        });
        out
    }

    /// For a package, where it comes from in each member: member, kind and the shortest
    /// dependency path from the member to it.
    pub fn via(&self, id: &PackageId, sets: &[MemberSet]) -> Vec<Via> {
        let mut out = Vec::new();
        for set in sets {
            let Some(kind) = set.packages.get(id) else {
                continue;
            };
            let path = self.shortest_path(&set.id, id, &set.packages);
            out.push(Via {
                member: set.name.clone(),
                kind: *kind,
                path,
            });
        }
        out
    }

    fn shortest_path(
        &self,
        from: &PackageId,
        to: &PackageId,
        within: &BTreeMap<PackageId, Kind>,
    ) -> Vec<String> {
        let mut prev: HashMap<PackageId, PackageId> = HashMap::new();
        let mut queue = VecDeque::from([from.clone()]);
        let mut seen = BTreeSet::from([from.clone()]);
        while let Some(cur) = queue.pop_front() {
            if cur == *to {
                break;
            }
            let Ok(pkg) = self.graph.metadata(&cur) else {
                continue;
            };
            for link in pkg.direct_links() {
                let next = link.to().id();
                if within.contains_key(next) && seen.insert(next.clone()) {
                    prev.insert(next.clone(), cur.clone());
                    queue.push_back(next.clone());
                }
            }
        }
        let mut path = Vec::new();
        let mut cur = to.clone();
        loop {
            path.push(
                self.graph
                    .metadata(&cur)
                    .map(|p| p.name().to_owned())
                    .unwrap_or_default(),
            );
            match prev.get(&cur) {
                Some(p) => cur = p.clone(),
                None => break,
            }
        }
        path.reverse();
        path
    }
}

fn package_from(pkg: &PackageMetadata<'_>) -> ShippedPackage {
    ShippedPackage {
        id: pkg.id().clone(),
        name: pkg.name().to_owned(),
        version: pkg.version().clone(),
        source: Source::from_guppy(pkg.source()),
        license: pkg.license().map(str::to_owned),
        license_file: pkg.license_file().map(|p| p.as_str().to_owned()),
        dir: pkg
            .manifest_path()
            .parent()
            .map(|p| p.as_std_path().to_path_buf())
            .unwrap_or_default(),
        via: Vec::new(),
        in_house: false,
    }
}

pub fn resolver_name(r: CargoResolverVersion) -> &'static str {
    match r {
        CargoResolverVersion::V1 | CargoResolverVersion::V1Install => "1",
        CargoResolverVersion::V2 => "2",
        _ => "3",
    }
}

/// The host triple this tool was built for (the same as rustc's host on this machine).
pub fn host_triple() -> String {
    Platform::build_target()
        .map(|p| p.triple_str().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// The resolver the workspace declares: `workspace.resolver`, else `package.resolver`, else
/// the root package's edition default (2021 → 2, 2024 → 3), else 1 (cargo's default for a
/// virtual workspace without `resolver`).
fn read_resolver(root: &Path) -> Result<CargoResolverVersion> {
    let manifest = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| Error::io(format!("reading {}", manifest.display()), e))?;
    let value: toml::Table = toml::from_str(&text).map_err(|e| {
        Error::config_at(
            &manifest,
            &text,
            e.span(),
            e.message().trim_end().to_owned(),
        )
    })?;
    let get = |table: &str, key: &str| {
        value
            .get(table)
            .and_then(|t| t.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let declared = get("workspace", "resolver").or_else(|| get("package", "resolver"));
    let resolver = match declared.as_deref() {
        Some("1") => CargoResolverVersion::V1,
        Some("2") => CargoResolverVersion::V2,
        Some("3") => CargoResolverVersion::V3,
        Some(other) => {
            return Err(Error::Config {
                file: manifest,
                line: 1,
                column: 1,
                message: format!("unsupported resolver `{other}`"),
            });
        }
        None => match get("package", "edition").as_deref() {
            Some("2024") => CargoResolverVersion::V3,
            Some("2021") => CargoResolverVersion::V2,
            _ => CargoResolverVersion::V1,
        },
    };
    Ok(resolver)
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
            && text.lines().any(|l| l.trim() == "[workspace]")
        {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    start
}
