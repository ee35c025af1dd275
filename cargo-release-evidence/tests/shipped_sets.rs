//! The shipped-set logic (`workspace::graph`) on checked-in `cargo metadata` JSON of real
//! workspaces (`tests/fixtures/metadata/*.json`, made by `generate.sh` there from
//! `tests/fixtures/workspaces/`). No cargo runs here: the graph is built from the JSON.

use cargo_release_evidence::error::Error;
use cargo_release_evidence::findings::Kind;
use cargo_release_evidence::workspace::{MemberSet, Selection, Workspace};
use guppy::graph::cargo::CargoResolverVersion;
use std::collections::BTreeMap;
use std::path::PathBuf;

const LINUX: &str = "x86_64-unknown-linux-gnu";
const WINDOWS: &str = "x86_64-pc-windows-msvc";

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/metadata")
        .join(format!("{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn workspace(name: &str, declared: Option<CargoResolverVersion>) -> Workspace {
    Workspace::from_metadata(fixture(name), declared).expect("graph from the fixture")
}

fn on(target: &str) -> Selection {
    Selection {
        target: Some(target.to_owned()),
        ..Selection::default()
    }
}

fn with_features(target: &str, features: &[&str]) -> Selection {
    Selection {
        features: features.iter().map(|f| (*f).to_owned()).collect(),
        ..on(target)
    }
}

fn set_of(ws: &Workspace, member: &str, sel: &Selection) -> MemberSet {
    let m = ws
        .graph
        .workspace()
        .member_by_name(member)
        .expect("member exists");
    ws.member_set(&m, sel).expect("shipped set")
}

/// `name → kind` of every package in the set, the member included.
fn kinds(ws: &Workspace, set: &MemberSet) -> BTreeMap<String, Kind> {
    set.packages
        .iter()
        .map(|(id, kind)| (ws.graph.metadata(id).unwrap().name().to_owned(), *kind))
        .collect()
}

fn named(pairs: &[(&str, Kind)]) -> BTreeMap<String, Kind> {
    pairs.iter().map(|(n, k)| ((*n).to_owned(), *k)).collect()
}

/// The `via` path (package names) from the set's member to the package named `name`.
fn via(ws: &Workspace, set: &MemberSet, name: &str) -> (Kind, Vec<String>) {
    let id = set
        .packages
        .keys()
        .find(|id| ws.graph.metadata(id).unwrap().name() == name)
        .unwrap_or_else(|| panic!("{name} is not in the set"));
    let mut v = ws.via(id, std::slice::from_ref(set));
    assert_eq!(v.len(), 1);
    let v = v.remove(0);
    assert_eq!(v.member, set.name);
    (v.kind, v.path)
}

fn path(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

// The issue-9 bug: `crc` (optional, feature `net`) depends on `crc-catalog`, which is also a
// dev-dependency of `pkg`. The path must use the shipped edges: pkg → crc → crc-catalog.
#[test]
fn path_to_a_crate_behind_an_optional_dependency_avoids_the_dev_edge() {
    let ws = workspace("optional-via", Some(CargoResolverVersion::V2));
    let set = set_of(&ws, "pkg", &with_features(LINUX, &["net"]));
    assert_eq!(
        kinds(&ws, &set),
        named(&[
            ("pkg", Kind::Linked),
            ("crc", Kind::Linked),
            ("crc-catalog", Kind::Linked),
        ])
    );
    assert_eq!(
        via(&ws, &set, "crc-catalog"),
        (Kind::Linked, path(&["pkg", "crc", "crc-catalog"]))
    );
    // The dev-dependency edge is not an edge of the shipped set at all.
    let catalog = set
        .packages
        .keys()
        .find(|id| ws.graph.metadata(id).unwrap().name() == "crc-catalog")
        .unwrap();
    assert!(!set.edges[&set.id].contains(catalog));
}

#[test]
fn optional_dependency_ships_only_with_its_feature_and_dev_dependencies_only_on_request() {
    let ws = workspace("optional-via", Some(CargoResolverVersion::V2));
    let set = set_of(&ws, "pkg", &on(LINUX));
    assert_eq!(kinds(&ws, &set), named(&[("pkg", Kind::Linked)]));

    let with_dev = Selection {
        include_dev: true,
        ..on(LINUX)
    };
    let set = set_of(&ws, "pkg", &with_dev);
    assert_eq!(
        kinds(&ws, &set),
        named(&[("pkg", Kind::Linked), ("crc-catalog", Kind::Dev)])
    );
    assert_eq!(
        via(&ws, &set, "crc-catalog"),
        (Kind::Dev, path(&["pkg", "crc-catalog"]))
    );

    let all = Selection {
        all_features: true,
        ..on(LINUX)
    };
    let set = set_of(&ws, "pkg", &all);
    assert_eq!(
        via(&ws, &set, "crc-catalog"),
        (Kind::Linked, path(&["pkg", "crc", "crc-catalog"]))
    );
}

#[test]
fn target_specific_dependencies_follow_the_target() {
    let ws = workspace("shapes", Some(CargoResolverVersion::V2));
    let linux = kinds(&ws, &set_of(&ws, "app", &on(LINUX)));
    assert_eq!(linux.get("itoa"), Some(&Kind::Linked));
    assert_eq!(linux.get("windows-link"), None);

    let windows = kinds(&ws, &set_of(&ws, "app", &on(WINDOWS)));
    assert_eq!(windows.get("windows-link"), Some(&Kind::Linked));
    assert_eq!(windows.get("itoa"), None);

    let any = Selection {
        all_platforms: true,
        ..Selection::default()
    };
    let any = kinds(&ws, &set_of(&ws, "app", &any));
    assert_eq!(any.get("itoa"), Some(&Kind::Linked));
    assert_eq!(any.get("windows-link"), Some(&Kind::Linked));
}

#[test]
fn build_time_packages_are_kept_apart_from_linked_ones() {
    let ws = workspace("shapes", Some(CargoResolverVersion::V2));
    let set = set_of(&ws, "app", &on(LINUX));
    assert_eq!(
        kinds(&ws, &set),
        named(&[
            ("app", Kind::Linked),
            // Both a normal and a build-dependency: it is linked.
            ("cfg-if", Kind::Linked),
            ("core-lib", Kind::Linked),
            ("itoa", Kind::Linked),
            // A build-dependency and a proc-macro only run at build time.
            ("autocfg", Kind::BuildTime),
            ("derive-lib", Kind::BuildTime),
        ])
    );
    assert_eq!(
        via(&ws, &set, "autocfg"),
        (Kind::BuildTime, path(&["app", "autocfg"]))
    );
    assert_eq!(
        via(&ws, &set, "derive-lib"),
        (Kind::BuildTime, path(&["app", "derive-lib"]))
    );
    // The dev-dependency joins only with include_dev, as `dev`.
    let with_dev = Selection {
        include_dev: true,
        ..on(LINUX)
    };
    let set = set_of(&ws, "app", &with_dev);
    assert_eq!(kinds(&ws, &set).get("lazy_static"), Some(&Kind::Dev));
}

#[test]
fn features_of_a_dependency_named_on_the_command_line() {
    let ws = workspace("shapes", Some(CargoResolverVersion::V2));
    let members = ws.select_members(&["app".to_owned()], false, &[]).unwrap();
    let sel = with_features(LINUX, &["core-lib/hexdump"]);
    ws.check_features(&members, &sel).unwrap();
    let set = set_of(&ws, "app", &sel);
    assert_eq!(
        via(&ws, &set, "hex"),
        (Kind::Linked, path(&["app", "core-lib", "hex"]))
    );
    // Without it, hex does not ship; on core-lib itself, its own feature name works.
    assert_eq!(kinds(&ws, &set_of(&ws, "app", &on(LINUX))).get("hex"), None);
    let core = set_of(&ws, "core-lib", &with_features(LINUX, &["hexdump"]));
    assert_eq!(
        via(&ws, &core, "hex"),
        (Kind::Linked, path(&["core-lib", "hex"]))
    );
}

#[test]
fn unknown_features_are_usage_errors_naming_the_flag() {
    let ws = workspace("shapes", Some(CargoResolverVersion::V2));
    let members = ws.select_members(&["app".to_owned()], false, &[]).unwrap();
    let cases = [
        (
            "nope",
            "none of the selected packages (app) has a feature `nope`",
        ),
        (
            "core-lib/nope",
            "`core-lib/nope`: package `core-lib` has no feature `nope`",
        ),
        (
            "hex/serde",
            "`hex/serde`: `hex` is neither a selected package nor a dependency of one",
        ),
    ];
    for (feature, expected) in cases {
        let err = ws
            .check_features(&members, &with_features(LINUX, &[feature]))
            .expect_err(feature);
        match err {
            Error::Usage { flag, message } => {
                assert_eq!(flag, "--features");
                assert_eq!(message, expected);
            }
            other => panic!("{feature}: not a usage error: {other}"),
        }
    }
}

#[test]
fn unknown_member_is_a_usage_error() {
    let ws = workspace("shapes", Some(CargoResolverVersion::V2));
    let err = ws
        .select_members(&["nope".to_owned()], false, &[])
        .expect_err("unknown member");
    assert_eq!(
        err.to_string(),
        "invalid value for `--package`: `nope` is not a workspace member (members: app, core-lib, derive-lib)"
    );
}

#[test]
fn resolver_follows_the_edition_when_none_is_declared() {
    // `edition = "2024"` on the root package → resolver 3.
    assert_eq!(
        workspace("edition-2024", None).resolver,
        CargoResolverVersion::V3
    );
    // `edition.workspace = true` inherits 2024 → resolver 3 too.
    assert_eq!(
        workspace("edition-inherited", None).resolver,
        CargoResolverVersion::V3
    );
    // 2021 → 2.
    assert_eq!(
        workspace("optional-via", None).resolver,
        CargoResolverVersion::V2
    );
    // A virtual workspace without `resolver` gets 1, as cargo does.
    assert_eq!(workspace("shapes", None).resolver, CargoResolverVersion::V1);
    // A declared resolver wins over the edition.
    assert_eq!(
        workspace("edition-2024", Some(CargoResolverVersion::V2)).resolver,
        CargoResolverVersion::V2
    );
}

// With `--include-dev` the dev-dependency edge joins the set, but crc-catalog still ships
// linked through crc: its path must not take the dev edge.
#[test]
fn with_dev_dependencies_a_linked_package_keeps_its_shipped_path() {
    let ws = workspace("optional-via", Some(CargoResolverVersion::V2));
    let sel = Selection {
        include_dev: true,
        ..with_features(LINUX, &["net"])
    };
    let set = set_of(&ws, "pkg", &sel);
    assert_eq!(
        via(&ws, &set, "crc-catalog"),
        (Kind::Linked, path(&["pkg", "crc", "crc-catalog"]))
    );
}

// The build's cross-check names packages (`name version`) from the graph, by cargo's exact id.
#[test]
fn build_set_check_names_packages_from_the_graph() {
    use cargo_release_evidence::build::controlled::ShippedSet;
    let ws = workspace("optional-via", Some(CargoResolverVersion::V2));
    let set = set_of(&ws, "pkg", &with_features(LINUX, &["net"]));
    let shipped = ShippedSet {
        ids: set.packages.keys().map(|id| id.repr().to_owned()).collect(),
        graph: Some(&ws.graph),
    };
    let names: Vec<String> = shipped.ids.iter().map(|id| shipped.name(id)).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, ["crc 3.4.0", "crc-catalog 2.5.0", "pkg 0.1.0"]);
    // An id the graph does not know is shown as cargo wrote it.
    let unknown = "registry+https://github.com/rust-lang/crates.io-index#nope@1.0.0";
    assert_eq!(shipped.name(unknown), unknown);
}
