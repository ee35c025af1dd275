//! The shipped sets: per release member, the packages compiled into its artifacts for one
//! target and feature selection (guppy's `CargoSet`, with the resolver the workspace
//! declares), the edges between them, and dependency paths along those edges only.

use super::Workspace;
use super::model::{MemberSet, Scope, Selection, ShippedPackage, Source};
use crate::error::{Error, Result};
use crate::findings::{Kind, Via};
use guppy::PackageId;
use guppy::graph::cargo::{CargoOptions, CargoResolverVersion, CargoSet};
use guppy::graph::feature::{FeatureFilterFn, FeatureLabel, StandardFeatures};
use guppy::graph::{DependencyDirection, PackageMetadata};
use guppy::platform::{Platform, PlatformSpec, TargetFeatures};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

type Edges = BTreeMap<PackageId, BTreeSet<PackageId>>;

impl Workspace {
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

    /// Checks `--features` against the selected members as cargo does: a plain feature must
    /// exist in at least one selected member; `pkg/feat` needs `pkg` to be a selected member
    /// or a dependency of one, and `feat` to exist there.
    pub fn check_features(&self, members: &[PackageMetadata<'_>], sel: &Selection) -> Result<()> {
        for f in requested_features(sel) {
            match f.split_once('/') {
                None => {
                    if !members.iter().any(|m| m.named_features().any(|n| n == f)) {
                        let names: Vec<&str> = members.iter().map(|m| m.name()).collect();
                        return Err(Error::usage(
                            "--features",
                            format!(
                                "none of the selected packages ({}) has a feature `{f}`",
                                names.join(", ")
                            ),
                        ));
                    }
                }
                Some((pkg, feat)) => {
                    let targets = self.feature_owners(members, pkg);
                    if targets.is_empty() {
                        return Err(Error::usage(
                            "--features",
                            format!(
                                "`{f}`: `{pkg}` is neither a selected package nor a dependency of one"
                            ),
                        ));
                    }
                    if !targets
                        .iter()
                        .any(|p| p.named_features().any(|n| n == feat))
                    {
                        return Err(Error::usage(
                            "--features",
                            format!("`{f}`: package `{pkg}` has no feature `{feat}`"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The packages `pkg/…` in `--features` refers to: a selected member named `pkg`, or the
    /// dependencies a selected member names `pkg`.
    fn feature_owners<'g>(
        &'g self,
        members: &[PackageMetadata<'g>],
        pkg: &str,
    ) -> Vec<PackageMetadata<'g>> {
        let mut out = Vec::new();
        for m in members {
            if m.name() == pkg {
                out.push(*m);
            }
            for link in m.direct_links() {
                if link.dep_name() == pkg || link.to().name() == pkg {
                    out.push(link.to());
                }
            }
        }
        out
    }

    /// Computes the shipped set of one member.
    pub fn member_set(&self, member: &PackageMetadata<'_>, sel: &Selection) -> Result<MemberSet> {
        let without_dev = self.cargo_set(member, sel, false)?;
        let mut packages: BTreeMap<PackageId, Kind> = BTreeMap::new();
        for id in without_dev.host {
            packages.insert(id, Kind::BuildTime);
        }
        for id in without_dev.target {
            packages.insert(id, Kind::Linked);
        }
        let mut edges = without_dev.edges;
        let mut dev_edges = Edges::new();
        if sel.include_dev {
            let with_dev = self.cargo_set(member, sel, true)?;
            for id in with_dev.target.into_iter().chain(with_dev.host) {
                packages.entry(id).or_insert(Kind::Dev);
            }
            for (from, to) in with_dev.edges {
                let known = edges.get(&from);
                let added: BTreeSet<PackageId> = to
                    .into_iter()
                    .filter(|t| !known.is_some_and(|k| k.contains(t)))
                    .collect();
                if !added.is_empty() {
                    dev_edges.insert(from, added);
                }
            }
            for (from, to) in &dev_edges {
                edges
                    .entry(from.clone())
                    .or_default()
                    .extend(to.iter().cloned());
            }
        }
        Ok(MemberSet {
            id: member.id().clone(),
            name: member.name().to_owned(),
            version: member.version().clone(),
            manifest_path: member.manifest_path().as_std_path().to_path_buf(),
            packages,
            edges,
            dev_edges,
        })
    }

    /// Target packages, host-only packages and the edges cargo follows for a member.
    fn cargo_set(
        &self,
        member: &PackageMetadata<'_>,
        sel: &Selection,
        include_dev: bool,
    ) -> Result<CargoSetIds> {
        let member_name = member.name();
        let mut named: Vec<String> = Vec::new();
        let mut on_deps: Vec<(PackageId, String)> = Vec::new();
        for f in requested_features(sel) {
            match f.split_once('/') {
                None => {
                    if member.named_features().any(|n| n == f) {
                        named.push(f.to_owned());
                    }
                }
                Some((pkg, feat)) if pkg == member_name => named.push(feat.to_owned()),
                Some((pkg, feat)) => {
                    for link in member.direct_links() {
                        if link.dep_name() == pkg || link.to().name() == pkg {
                            on_deps.push((link.to().id().clone(), feat.to_owned()));
                        }
                    }
                }
            }
        }
        let base = if sel.all_features {
            StandardFeatures::All
        } else if sel.no_default_features {
            StandardFeatures::None
        } else {
            StandardFeatures::Default
        };
        let member_id = member.id().clone();
        let mut ids: Vec<PackageId> = vec![member_id.clone()];
        ids.extend(on_deps.iter().map(|(id, _)| id.clone()));
        ids.sort();
        ids.dedup();
        // The member's base/default features and named features; on a dependency named by
        // `--features dep/feat`, only `feat` (its defaults come through the member's link).
        let filter = FeatureFilterFn::new(move |graph, feature_id| {
            use guppy::graph::feature::FeatureFilter;
            let is_member = *feature_id.package_id() == member_id;
            let mut base = base;
            match feature_id.label() {
                FeatureLabel::Base => true,
                FeatureLabel::Named(n) => {
                    (is_member && (base.accept(graph, feature_id) || named.iter().any(|f| f == n)))
                        || on_deps
                            .iter()
                            .any(|(id, f)| feature_id.package_id() == id && f == n)
                }
                _ => is_member && base.accept(graph, feature_id),
            }
        });
        let initials = self
            .graph
            .resolve_ids(ids.iter())
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
        let mut edges = Edges::new();
        for link in set
            .target_links()
            .chain(set.host_links())
            .chain(set.build_dep_links())
            .chain(set.proc_macro_links())
        {
            edges
                .entry(link.from().id().clone())
                .or_default()
                .insert(link.to().id().clone());
        }
        Ok(CargoSetIds {
            target,
            host,
            edges,
        })
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
    /// dependency path from the member to it, along the set's own edges.
    pub fn via(&self, id: &PackageId, sets: &[MemberSet]) -> Vec<Via> {
        let mut out = Vec::new();
        for set in sets {
            let Some(kind) = set.packages.get(id) else {
                continue;
            };
            // A linked or build-time package ships without dev-dependencies: its path does
            // too. Only a dev package's path takes a dev-dependency edge.
            let none = Edges::new();
            let avoid = if *kind == Kind::Dev {
                &none
            } else {
                &set.dev_edges
            };
            let path = shortest_path_avoiding(&set.id, id, &set.edges, avoid)
                .iter()
                .map(|p| {
                    self.graph
                        .metadata(p)
                        .map(|m| m.name().to_owned())
                        .unwrap_or_default()
                })
                .collect();
            out.push(Via {
                member: set.name.clone(),
                kind: *kind,
                path,
            });
        }
        out
    }
}

struct CargoSetIds {
    target: Vec<PackageId>,
    host: Vec<PackageId>,
    edges: Edges,
}

/// Every feature named by `--features` (comma or space separated, repeatable).
fn requested_features(sel: &Selection) -> impl Iterator<Item = &str> {
    sel.features
        .iter()
        .flat_map(|f| f.split([',', ' ']))
        .filter(|s| !s.is_empty())
}

/// The package ids from `from` to `to` (inclusive) along `edges` (breadth first, so the
/// shortest; ties broken by package id order). Just `[to]` when unreachable.
pub fn shortest_path(from: &PackageId, to: &PackageId, edges: &Edges) -> Vec<PackageId> {
    shortest_path_avoiding(from, to, edges, &Edges::new())
}

/// [`shortest_path`] along `edges` except those in `avoid`.
pub fn shortest_path_avoiding(
    from: &PackageId,
    to: &PackageId,
    edges: &Edges,
    avoid: &Edges,
) -> Vec<PackageId> {
    let mut prev: HashMap<&PackageId, &PackageId> = HashMap::new();
    let mut queue = VecDeque::from([from]);
    let mut seen = BTreeSet::from([from]);
    while let Some(cur) = queue.pop_front() {
        if cur == to {
            break;
        }
        let avoided = avoid.get(cur);
        for next in edges.get(cur).into_iter().flatten() {
            if avoided.is_some_and(|a| a.contains(next)) {
                continue;
            }
            if seen.insert(next) {
                prev.insert(next, cur);
                queue.push_back(next);
            }
        }
    }
    let mut path = vec![to.clone()];
    let mut cur = to;
    while let Some(p) = prev.get(cur) {
        path.push((*p).clone());
        cur = p;
    }
    path.reverse();
    path
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
