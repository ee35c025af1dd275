//! SBOMs of one release artifact: exactly the member's shipped set. One model is built from
//! the gate's data and rendered as CycloneDX 1.6 (or 1.5) JSON and, on request, SPDX 2.3 JSON
//! and SPDX 3.0.1 JSON-LD;
//! the advisory status of the shipped set goes into VEX documents beside it (`vex/`).
//!
//! Build-time packages (build-script dependencies, proc-macros) are listed with CycloneDX
//! scope `excluded` and the property `release-evidence:kind = build-time`; dev-dependencies
//! only appear with `--include-dev` (kind `dev`, scope `excluded`).

pub mod cyclonedx;
pub mod spdx;
pub mod spdx3;
pub mod vex;
mod vulns;

use crate::findings::{Decision, Kind};
use crate::gate::GateRun;
use crate::util::time::Day;
use crate::workspace::lockfile::LockInfo;
use crate::workspace::{MemberSet, Source};
use std::collections::{BTreeMap, BTreeSet};

/// The release artifact an SBOM describes.
#[derive(Debug, Clone)]
pub struct ArtifactInfo {
    pub file_name: String,
    pub kind: String,
    pub sha256: Option<String>,
    /// SHA-512 of the artifact (BSI TR-03183-2), when the file is at hand.
    pub sha512: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Component {
    pub bom_ref: String,
    pub name: String,
    pub version: String,
    pub purl: String,
    pub kind: Kind,
    /// Stable source text (`crates.io`, `git+URL#commit`, `path+rel`, `workspace+rel`).
    pub source: String,
    pub sha256: Option<String>,
    pub license: Option<String>,
    pub authors: Vec<String>,
    pub description: Option<String>,
    pub repository: Option<String>,
    pub homepage: Option<String>,
    pub is_workspace: bool,
    pub is_crates_io: bool,
    /// A git, other-registry or out-of-workspace path package that is not in-house: a supplier
    /// input needing a `[[supplier]]` review.
    pub supplier_input: bool,
}

#[derive(Debug, Clone)]
pub struct Accepted {
    pub reason: String,
    pub approved_by: String,
    pub expires: Day,
    /// Why the product is not affected, when the exception says so.
    pub justification: Option<crate::policy::values::VexJustification>,
}

#[derive(Debug, Clone)]
pub struct Vuln {
    pub id: String,
    /// The affected crate's name.
    pub package: String,
    pub aliases: Vec<String>,
    pub title: String,
    pub url: Option<String>,
    pub date: String,
    pub recommendation: String,
    /// `vulnerability`, `unmaintained`, `unsound`, `notice`, …
    pub kind: String,
    pub component_ref: String,
    pub version: String,
    pub accepted: Option<Accepted>,
}

/// Everything an SBOM says, independent of format. Lists are sorted.
#[derive(Debug, Clone)]
pub struct SbomModel {
    pub product_name: String,
    pub product_version: String,
    pub product_purl: String,
    pub artifact: ArtifactInfo,
    /// RFC 3339, UTC, seconds precision.
    pub timestamp: String,
    pub target: String,
    pub profile: String,
    pub features: String,
    pub decision: Decision,
    pub components: Vec<Component>,
    /// bom-ref → refs it depends on (the product's own edges under `root_ref`).
    pub dependencies: BTreeMap<String, BTreeSet<String>>,
    pub root_ref: String,
    /// The gate's advisory hits on the shipped set.
    pub vulnerabilities: Vec<Vuln>,
    /// Advisories about shipped crates whose shipped version is a patched one (`accepted` is
    /// `None`), for the VEX documents' `fixed` statements.
    pub fixed: Vec<Vuln>,
    /// The product's own package data (license, authors, repository).
    pub product_license: Option<String>,
    pub product_authors: Vec<String>,
    pub product_repository: Option<String>,
}

/// Inputs besides the gate run.
pub struct Context<'a> {
    pub run: &'a GateRun,
    pub checksums: &'a LockInfo,
    pub timestamp: String,
    pub profile: String,
    /// The member's decision, computed once (gate plus build findings).
    pub decision: Decision,
}

pub fn purl(name: &str, version: &str, source: &Source) -> String {
    let base = format!("pkg:cargo/{name}@{version}");
    match source {
        Source::CratesIo | Source::Workspace(_) | Source::Path(_) => base,
        Source::Registry(url) => format!("{base}?repository_url={}", pct(url)),
        Source::Git { url, commit } => {
            format!("{base}?vcs_url={}", pct(&format!("git+{url}@{commit}")))
        }
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Builds the model of one member's artifact.
pub fn model(
    cx: &Context<'_>,
    set: &MemberSet,
    artifact: ArtifactInfo,
) -> crate::error::Result<SbomModel> {
    let ws = &cx.run.workspace;
    let mut refs: BTreeMap<guppy::PackageId, String> = BTreeMap::new();
    let mut seen_refs: BTreeSet<String> = BTreeSet::new();
    let mut components = Vec::new();
    let by_id: BTreeMap<&guppy::PackageId, &crate::workspace::ShippedPackage> =
        cx.run.packages.iter().map(|p| (&p.id, p)).collect();
    for (id, kind) in &set.packages {
        if *id == set.id {
            continue;
        }
        let Some(pkg) = by_id.get(id) else { continue };
        let meta = ws.graph.metadata(id).expect("id from graph");
        let version = pkg.version.to_string();
        let mut bom_ref = purl(&pkg.name, &version, &pkg.source);
        if !seen_refs.insert(bom_ref.clone()) {
            bom_ref = format!("{bom_ref}#{}", pkg.source.display());
            seen_refs.insert(bom_ref.clone());
        }
        let sha256 = match &pkg.source {
            Source::CratesIo | Source::Registry(_) => cx
                .checksums
                .checksum(&pkg.name, &version, &pkg.source)
                .cloned(),
            Source::Path(_) => crate::util::digest::dir_digest(&pkg.dir).ok(),
            _ => None,
        };
        components.push(Component {
            bom_ref: bom_ref.clone(),
            name: pkg.name.clone(),
            version: version.clone(),
            purl: purl(&pkg.name, &version, &pkg.source),
            kind: *kind,
            source: pkg.source.display(),
            sha256,
            license: pkg.license.as_deref().map(normalize_license),
            authors: meta.authors().to_vec(),
            description: meta.description().map(|d| d.trim().to_owned()),
            repository: meta.repository().map(str::to_owned),
            homepage: meta.homepage().map(str::to_owned),
            is_workspace: matches!(pkg.source, Source::Workspace(_)),
            is_crates_io: pkg.source == Source::CratesIo,
            supplier_input: pkg.is_supplier_input(),
        });
        refs.insert((*id).clone(), bom_ref);
    }
    components.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));

    let root_ref = format!("artifact:{}", artifact.file_name);
    // The set's own edges: only links cargo follows for this target and these features.
    let mut dependencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for id in set.packages.keys() {
        let from = if *id == set.id {
            root_ref.clone()
        } else {
            match refs.get(id) {
                Some(r) => r.clone(),
                None => continue,
            }
        };
        let deps = dependencies.entry(from).or_default();
        for to in set.edges.get(id).into_iter().flatten() {
            if let Some(r) = refs.get(to) {
                deps.insert(r.clone());
            }
        }
    }

    let vulnerabilities = vulns::hits(cx, set, &refs);
    let fixed = vulns::fixed(cx, &components);
    let product = ws.graph.metadata(&set.id).expect("member id from graph");

    let scope = ws.scope(&cx.run.selection);
    let features = if scope.all_features {
        "all".to_owned()
    } else {
        let mut f = if scope.no_default_features {
            vec!["no-default-features".to_owned()]
        } else {
            vec!["default".to_owned()]
        };
        f.extend(scope.features.iter().cloned());
        f.join(",")
    };
    Ok(SbomModel {
        product_name: set.name.clone(),
        product_version: set.version.to_string(),
        product_purl: purl(&set.name, &set.version.to_string(), &Source::CratesIo),
        artifact,
        timestamp: cx.timestamp.clone(),
        target: scope.target,
        profile: cx.profile.clone(),
        features,
        decision: cx.decision,
        components,
        dependencies,
        root_ref,
        vulnerabilities,
        fixed,
        product_license: product.license().map(normalize_license),
        product_authors: product.authors().to_vec(),
        product_repository: product.repository().map(str::to_owned),
    })
}

/// `MIT/Apache-2.0` (old cargo style) → `MIT OR Apache-2.0`.
fn normalize_license(l: &str) -> String {
    if l.contains('/') {
        l.split('/').map(str::trim).collect::<Vec<_>>().join(" OR ")
    } else {
        l.trim().to_owned()
    }
}
