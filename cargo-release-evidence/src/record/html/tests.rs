//! Tests of the graph model and its drawing on synthetic shipped sets.

use super::graph::*;
use super::svg;
use crate::findings::{Code, Decision, Finding, Kind, PackageRef};
use crate::sbom::{ArtifactInfo, Component, SbomModel};
use std::collections::{BTreeMap, BTreeSet};

/// A synthetic shipped set of `n` packages, shallow and wide with shared dependencies like
/// a large workspace's (depth about log2 n).
fn model(n: usize) -> SbomModel {
    let name = |i: usize| format!("crate-{i:03}");
    let components: Vec<Component> = (0..n)
        .map(|i| Component {
            bom_ref: format!("pkg:cargo/{}@1.0.0", name(i)),
            name: name(i),
            version: "1.0.0".into(),
            purl: format!("pkg:cargo/{}@1.0.0", name(i)),
            kind: if i % 5 == 4 {
                Kind::BuildTime
            } else {
                Kind::Linked
            },
            source: "crates.io".into(),
            sha256: None,
            license: Some("MIT".into()),
            authors: Vec::new(),
            description: None,
            repository: None,
            homepage: None,
            is_workspace: false,
            is_crates_io: true,
            supplier_input: i == 7,
        })
        .collect();
    let mut dependencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    dependencies.insert(
        "artifact:app".into(),
        BTreeSet::from([components[0].bom_ref.clone(), components[1].bom_ref.clone()]),
    );
    for i in 0..n {
        let deps = dependencies
            .entry(components[i].bom_ref.clone())
            .or_default();
        for j in [2 * i + 2, 2 * i + 3, 3 * i + 4] {
            if j < n {
                deps.insert(components[j].bom_ref.clone());
            }
        }
    }
    SbomModel {
        product_name: "app".into(),
        product_version: "1.0.0".into(),
        product_purl: "pkg:cargo/app@1.0.0".into(),
        artifact: ArtifactInfo {
            file_name: "app".into(),
            kind: "bin".into(),
            sha256: None,
            sha512: None,
        },
        timestamp: "2026-01-01T00:00:00Z".into(),
        target: "x86_64-unknown-linux-gnu".into(),
        profile: "release".into(),
        features: "default".into(),
        decision: Decision::Hold,
        components,
        dependencies,
        root_ref: "artifact:app".into(),
        vulnerabilities: Vec::new(),
        fixed: Vec::new(),
        product_license: None,
        product_authors: Vec::new(),
        product_repository: None,
    }
}

fn finding_about(i: usize) -> Finding {
    Finding::new(Code::ApprovalMissing, "no approval", "approve it").package(PackageRef {
        name: format!("crate-{i:03}"),
        version: "1.0.0".into(),
        source: "crates.io".into(),
    })
}

#[test]
fn small_sets_are_drawn_whole() {
    let g = ShippedGraph::new(&[], &model(20));
    let d = g.drawing();
    assert!(d.complete);
    assert_eq!(d.packages.len(), 21);
    assert_eq!(d.edges.len(), g.edges.len());
}

#[test]
fn large_sets_draw_the_flagged_paths_and_group_the_rest_by_depth() {
    let findings = [finding_about(799), finding_about(420)];
    let g = ShippedGraph::new(&findings, &model(800));
    let d = g.drawing();
    assert!(!d.complete);
    assert!(d.packages.len() <= FOCUS_NODES, "{}", d.packages.len());
    // Every flagged package is drawn with its whole path from the artifact.
    for i in [800, 421, 8] {
        assert!(g.nodes[i].marks.any(), "{i}");
        for p in g.path(i) {
            assert!(d.packages.contains(&p), "{p} on the path to {i}");
        }
    }
    assert_eq!(g.path(800)[0], 0);
    // Every package is drawn or in exactly one group.
    let mut all: Vec<usize> = d.packages.clone();
    all.extend(d.groups.iter().flat_map(|(_, m)| m.iter().copied()));
    all.sort();
    assert_eq!(all, (0..g.nodes.len()).collect::<Vec<_>>());
    // The drawing is laid out the same way every time.
    let a = svg::render(&g, &d, "t");
    assert_eq!(a, svg::render(&g, &d, "t"));
    assert!(
        a.contains("crate-799 1.0.0"),
        "the flagged package is drawn"
    );
    assert!(a.contains("more packages at depth"));
}

#[test]
fn cycles_and_tiny_sets_lay_out() {
    // Dev-dependency cycles exist (`--include-dev`): a → b → a.
    let mut m = model(6);
    let (a, b) = (
        m.components[0].bom_ref.clone(),
        m.components[2].bom_ref.clone(),
    );
    m.dependencies.entry(b).or_default().insert(a);
    let g = ShippedGraph::new(&[], &m);
    let svg = svg::render(&g, &g.drawing(), "t");
    assert!(
        svg.contains("crate-000 1.0.0") && !svg.contains("NaN"),
        "{svg}"
    );
    let mut one = model(2);
    one.dependencies.clear();
    let g = ShippedGraph::new(&[], &one);
    let svg = svg::render(&g, &g.drawing(), "t");
    assert!(
        svg.contains("crate-000 1.0.0") && !svg.contains("NaN"),
        "{svg}"
    );
    assert_eq!(g.nodes[1].depth, None, "unreachable without edges");
}
