use super::*;
use crate::workspace::{Selection, Workspace};
use guppy::graph::{BuildTargetId, DependencyDirection, PackageGraph};

fn doc() -> String {
    r#"{"packages":[
      {"name":"app","version":"0.1.0","id":"path+file:///w/app#0.1.0","source":null,
       "metadata":{"release":{"x":1}},
       "dependencies":[{"name":"dep","kind":null},{"name":"tester","kind":"dev"}],
       "targets":[{"kind":["bin"],"name":"app"},{"kind":["test"],"name":"t"}]},
      {"name":"dep","version":"1.0.0","id":"registry+x#dep@1.0.0","source":"registry+x",
       "metadata":{"docs":{"rs":{"all-features":true}}},
       "dependencies":[{"name":"x","kind":null},{"name":"cc","kind":"build"},{"name":"quickcheck","kind":"dev"}],
       "targets":[{"kind":["lib"],"name":"dep"},{"kind":["custom-build"],"name":"build-script-build"},
                  {"kind":["test"],"name":"it"},{"kind":["example"],"name":"ex"},
                  {"kind":["bench"],"name":"b"},{"kind":["bin"],"name":"tool"}]},
      {"name":"g","version":"0.2.0","id":"git+https://e/g#g@0.2.0","source":"git+https://e/g",
       "metadata":null,"dependencies":[{"name":"d","kind":"dev"}],
       "targets":[{"kind":["proc-macro"],"name":"g"},{"kind":["test"],"name":"t"}]}
    ],"workspace_members":["path+file:///w/app#0.1.0"],"resolve":null,"version":1,
    "tab\tkey":"kept"}"#
        .to_owned()
}

fn names(list: &serde_json::Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| match &t[field] {
            serde_json::Value::Array(a) => a[0].as_str().unwrap().to_owned(),
            v => v.as_str().unwrap().to_owned(),
        })
        .collect()
}

#[test]
fn a_registry_or_git_package_loses_dev_deps_test_targets_and_metadata_and_a_path_package_nothing() {
    let text = doc();
    let out: serde_json::Value = serde_json::from_str(&trim(text.clone())).unwrap();
    let before: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        out["packages"][0], before["packages"][0],
        "the path package is whole"
    );
    let dep = &out["packages"][1];
    assert_eq!(dep["metadata"], serde_json::Value::Null);
    assert_eq!(names(&dep["targets"], "kind"), ["lib", "custom-build"]);
    assert_eq!(names(&dep["dependencies"], "name"), ["x", "cc"]);
    let git = &out["packages"][2];
    assert_eq!(names(&git["targets"], "kind"), ["proc-macro"]);
    assert_eq!(git["dependencies"], serde_json::json!([]));
    for key in ["workspace_members", "resolve", "version", "tab\tkey"] {
        assert_eq!(out[key], before[key], "{key}");
    }
    for (i, p) in before["packages"].as_array().unwrap().iter().enumerate() {
        for key in ["name", "version", "id", "source"] {
            assert_eq!(out["packages"][i][key], p[key], "{key}");
        }
    }
}

#[test]
fn text_of_an_unexpected_shape_is_returned_unchanged() {
    for text in [
        "not json",
        "[]",
        r#"{"workspace_members":[]}"#,
        r#"{"packages":{},"workspace_members":[]}"#,
        r#"{"packages":[{"name":"no source"}],"workspace_members":[]}"#,
        r#"{"packages":[{"source":"r","id":"i","targets":[{"name":"no kind"}]}],"workspace_members":[]}"#,
        r#"{"packages":[{"source":"r","id":"i","dependencies":[{"name":"d","kind":7}]}],"workspace_members":[]}"#,
        r#"{"packages":[],"packages":[],"workspace_members":[]}"#,
        r#"{"packages":[],"version":1,"version":2,"workspace_members":[]}"#,
        r#"{"packages":[{"source":null,"id":"a","id":"b"}],"workspace_members":[]}"#,
        r#"{"packages":[{"source":null,"targets":[],"targets":[]}],"workspace_members":[]}"#,
        r#"{"packages":[{"source":"r","id":"i","targets":[{"kind":["lib"],"kind":["test"]}]}],"workspace_members":[]}"#,
        r#"{"packages":[]} trailing"#,
        r#"{"packages":[]}"#,
        r#"{"packages":[{"source":"r","id":"r#a@1","metadata":{}}],"workspace_members":["r#a@1"]}"#,
        r#"{"packages":[{"source":"r","id":"r#a@1","metadata":{}}],"workspace_members":["r#\u0061@1"]}"#,
        r#"{"packages":[{"source":"r"}],"workspace_members":[]}"#,
    ] {
        assert_eq!(trim(text.to_owned()), text);
    }
    // The same package, not named a member, is trimmed.
    assert_eq!(
        trim(r#"{"packages":[{"source":"r","id":"r#a@1","metadata":{}}],"workspace_members":["r#b@1"]}"#.to_owned()),
        r#"{"packages":[{"source":"r","id":"r#a@1","metadata":null}],"workspace_members":["r#b@1"]}"#
    );
}

/// The graph built from the trimmed fixture (847 packages of a real workspace) is the graph
/// built from the whole text in everything read: packages, links with their kinds and
/// platforms, proc-macro and build-script flags, library targets and the shipped sets.
#[test]
fn the_trimmed_graph_gives_the_same_packages_links_and_shipped_sets() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/metadata/large.json"
    );
    let json = std::fs::read_to_string(path).unwrap();
    let trimmed = trim(json.clone());
    assert!(trimmed.len() < json.len() * 9 / 10, "it trims");
    let whole =
        PackageGraph::from_metadata(guppy::CargoMetadata::parse_json(&json).unwrap()).unwrap();
    let ws = Workspace::from_metadata(trimmed, None).unwrap();
    let describe = |g: &PackageGraph| -> Vec<String> {
        let mut lines = Vec::new();
        for p in g.packages() {
            lines.push(format!(
                "{} proc-macro={} build-script={} lib={} features={:?}",
                p.id(),
                p.is_proc_macro(),
                p.has_build_script(),
                p.build_target(&BuildTargetId::Library).is_some(),
                p.named_features().collect::<Vec<_>>(),
            ));
            for link in p.direct_links_directed(DependencyDirection::Forward) {
                lines.push(format!(
                    "  {} -> {} as {} normal={:?} build={:?} dev={:?}",
                    link.from().id(),
                    link.to().id(),
                    link.dep_name(),
                    link.normal(),
                    link.build(),
                    link.dev(),
                ));
            }
        }
        lines.sort();
        lines
    };
    let (a, b) = (describe(&ws.graph), describe(&whole));
    assert_eq!(a.len(), b.len());
    if let Some((a, b)) = a.iter().zip(&b).find(|(a, b)| a != b) {
        panic!("trimmed:\n{a}\nwhole:\n{b}");
    }
    let whole = Workspace {
        graph: whole,
        root: ws.root.clone(),
        resolver: ws.resolver,
    };
    for sel in [
        Selection::default(),
        Selection {
            all_platforms: true,
            all_features: true,
            include_dev: true,
            ..Selection::default()
        },
    ] {
        for member in ws.graph.workspace().iter() {
            let a = ws.member_set(&member, &sel).unwrap();
            let other = whole.graph.metadata(member.id()).unwrap();
            let b = whole.member_set(&other, &sel).unwrap();
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
        }
    }
}
