//! The architecture as a test: no import cycles between files of the library, lower layers
//! never import higher ones, no Rust file of the repository over 500 lines, clap only in the CLI
//! layer, and ARCHITECTURE.md names every folder.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// Top-level modules from the lowest layer to the highest. A module may import its own layer
/// or lower ones only. (Same order as ARCHITECTURE.md.)
const LAYERS: &[&[&str]] = &[
    &["util", "error", "findings"],
    &["policy"],
    &["workspace"],
    &["advisories"],
    &["checks"],
    &["gate"],
    &["verification"],
    &["build"],
    &["sbom"],
    &["evidence"],
    &["record"],
    &["sign"],
    &["inspect"],
    &["adopt"],
    &["review"],
    &["report"],
    &["ledger"],
    &["pipeline"],
    &["render"],
    &["cli"],
    &["commands"],
    &["lib"],
];

fn src() -> PathBuf {
    release_evidence_tests::repo_root().join("cargo-release-evidence/src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `a/b.rs` → `a::b`, `a/mod.rs` → `a`, `lib.rs` → `` (the crate root).
fn module_of(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|l| l == "mod" || l == "lib" || l == "main")
    {
        parts.pop();
    }
    parts.join("::")
}

/// Every `crate::…` path a file names (in `use` trees and in expressions/types).
struct Paths {
    found: BTreeSet<Vec<String>>,
    module: Vec<String>,
}

impl Paths {
    fn add(&mut self, segs: Vec<String>) {
        match segs.first().map(String::as_str) {
            Some("crate") => {
                self.found.insert(segs[1..].to_vec());
            }
            Some("super") => {
                // Resolve `super::` against the file's module (a mod.rs is its own module).
                let mut base = self.module.clone();
                let mut rest = &segs[..];
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                self.found.insert(base);
            }
            _ => {}
        }
    }

    fn tree(&mut self, prefix: Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                let mut v = prefix;
                v.push(p.ident.to_string());
                self.tree(v, &p.tree);
            }
            syn::UseTree::Name(n) => {
                let mut v = prefix;
                if n.ident != "self" {
                    v.push(n.ident.to_string());
                }
                self.add(v);
            }
            syn::UseTree::Rename(r) => {
                let mut v = prefix;
                v.push(r.ident.to_string());
                self.add(v);
            }
            syn::UseTree::Glob(_) => self.add(prefix),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.tree(prefix.clone(), t);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_use(&mut self, i: &'ast syn::ItemUse) {
        self.tree(Vec::new(), &i.tree);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        self.add(p.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, p);
    }
}

struct Crate {
    /// module path → file (relative to src/)
    files: BTreeMap<String, PathBuf>,
    /// file module → modules it imports (resolved to files)
    deps: BTreeMap<String, BTreeSet<String>>,
    text: BTreeMap<String, String>,
}

fn load() -> Crate {
    let mut paths = Vec::new();
    rust_files(&src(), &mut paths);
    let mut files = BTreeMap::new();
    let mut text = BTreeMap::new();
    for p in &paths {
        let rel = p.strip_prefix(src()).unwrap().to_path_buf();
        let m = module_of(&rel);
        if rel == Path::new("main.rs") {
            continue;
        }
        text.insert(m.clone(), std::fs::read_to_string(p).unwrap());
        files.insert(m, rel);
    }
    let mut deps = BTreeMap::new();
    for (m, t) in &text {
        let ast = syn::parse_file(t).unwrap_or_else(|e| panic!("{m}: {e}"));
        let module: Vec<String> = if m.is_empty() {
            Vec::new()
        } else {
            m.split("::").map(str::to_owned).collect()
        };
        // `super` in a mod.rs refers to the parent of the folder; in a.rs to the parent too.
        let mut v = Paths {
            found: BTreeSet::new(),
            module,
        };
        v.visit_file(&ast);
        let mut targets = BTreeSet::new();
        for path in v.found {
            // The longest prefix that is a file of the crate.
            let mut best = None;
            for n in (1..=path.len()).rev() {
                let candidate = path[..n].join("::");
                if files.contains_key(&candidate) {
                    best = Some(candidate);
                    break;
                }
            }
            if let Some(t) = best
                && t != *m
            {
                targets.insert(t);
            }
        }
        deps.insert(m.clone(), targets);
    }
    Crate { files, deps, text }
}

fn layer(module: &str) -> usize {
    let top = if module.is_empty() {
        "lib"
    } else {
        module.split("::").next().unwrap()
    };
    LAYERS
        .iter()
        .position(|l| l.contains(&top))
        .unwrap_or_else(|| panic!("top-level module `{top}` is not in LAYERS: add it"))
}

#[test]
fn no_import_cycles_between_files() {
    let c = load();
    // Tarjan-free check: repeatedly remove files with no remaining dependencies.
    let mut remaining: BTreeMap<&String, BTreeSet<&String>> = c
        .deps
        .iter()
        .map(|(m, d)| (m, d.iter().filter(|t| t != &m).collect()))
        .collect();
    loop {
        let leaves: Vec<&String> = remaining
            .iter()
            .filter(|(_, d)| d.is_empty())
            .map(|(m, _)| *m)
            .collect();
        if leaves.is_empty() {
            break;
        }
        for l in &leaves {
            remaining.remove(l);
        }
        for d in remaining.values_mut() {
            for l in &leaves {
                d.remove(l);
            }
        }
    }
    // Modules declaring submodules (`mod.rs`, `lib.rs`) name them; that is not an import.
    assert!(
        remaining.is_empty(),
        "import cycle among: {:#?}",
        remaining.keys().collect::<Vec<_>>()
    );
}

#[test]
fn lower_layers_never_import_higher_ones() {
    let c = load();
    let mut bad = Vec::new();
    for (m, deps) in &c.deps {
        for d in deps {
            if layer(d) > layer(m) {
                bad.push(format!("{} ({}) imports {}", m, c.files[m].display(), d));
            }
        }
    }
    assert!(bad.is_empty(), "layering violations:\n{}", bad.join("\n"));
}

#[test]
fn no_source_file_over_500_lines() {
    let root = release_evidence_tests::repo_root();
    let mut files = Vec::new();
    our_rust_files(&root, &root, &mut files);
    // The walk must reach every place our Rust lives, so the limit is never checked on nothing.
    for dir in [
        "cargo-release-evidence/src",
        "cargo-release-evidence/tests",
        "release-evidence-build/src",
        "tests/src",
        "tests/tests",
        "fuzz/fuzz_targets",
    ] {
        assert!(
            files.iter().any(|f| f.starts_with(root.join(dir))),
            "no Rust file found under {dir}"
        );
    }
    let big: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > 500).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(big.is_empty(), "{big:?}");
}

/// Every `.rs` file of the repository that is ours: the subcommand (src and tests), the build
/// crate, the test crate (src and tests), the fuzz targets, the benches. Skipped: build output
/// (`target/`), the validators' `node_modules/` and `.venv/`, `.git/`, and the fixture
/// workspaces (`tests/fixtures/`, `example-workspace/`): they are sample data the tool runs on,
/// standing for a user's or supplier's code, not our source (none is near 500 lines today).
fn our_rust_files(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            let name = p.file_name().unwrap_or_default();
            let skipped = ["target", "node_modules", ".venv", ".git"]
                .iter()
                .any(|s| name == *s)
                || p == root.join("tests/fixtures")
                || p == root.join("example-workspace");
            if !skipped {
                our_rust_files(root, &p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn clap_types_only_in_the_cli_layer() {
    let c = load();
    let bad: Vec<&String> = c
        .text
        .iter()
        .filter(|(m, t)| {
            let top = m.split("::").next().unwrap_or("");
            !(m.is_empty() || top == "cli" || top == "commands")
                && (t.contains("GlobalArgs") || t.contains("clap::"))
        })
        .map(|(m, _)| m)
        .collect();
    assert!(
        bad.is_empty(),
        "clap types outside cli/commands/lib: {bad:?}"
    );
}

#[test]
fn architecture_md_names_every_folder() {
    let doc = std::fs::read_to_string(release_evidence_tests::repo_root().join("ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md exists");
    for e in std::fs::read_dir(src()).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            let name = format!("{}/", e.file_name().to_string_lossy());
            assert!(
                doc.contains(&name),
                "ARCHITECTURE.md does not describe `{name}`"
            );
        }
    }
}

#[test]
fn the_import_graph_is_read() {
    // Guards the checks above against reading nothing.
    let c = load();
    assert!(
        c.deps["gate"].contains("workspace::metadata"),
        "{:?}",
        c.deps["gate"]
    );
    assert!(c.deps["pipeline::release"].contains("record::markdown"));
    assert!(c.deps["policy::load"].contains("policy::validate"));
}

#[test]
fn readme_layout_matches_the_tree() {
    let root = release_evidence_tests::repo_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme
        .split("\n## Repository layout\n")
        .nth(1)
        .expect("README has a `## Repository layout` section");
    let block = section
        .split("```\n")
        .nth(1)
        .expect("the layout is a code block");
    // `path   description` lines; an indented path is inside the last top-level one, and a
    // line indented further continues a description.
    let mut base = PathBuf::new();
    let mut listed = BTreeSet::new();
    for line in block.lines() {
        let indent = line.len() - line.trim_start().len();
        let Some(path) = line.split_whitespace().next() else {
            continue;
        };
        let full = match indent {
            0 => {
                base = PathBuf::from(path);
                base.clone()
            }
            1..=4 => base.join(path),
            _ => continue,
        };
        assert!(
            root.join(&full).exists(),
            "README layout names `{}`, which does not exist",
            full.display()
        );
        listed.insert(full);
    }
    for e in std::fs::read_dir(src()).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            let rel = Path::new("cargo-release-evidence/src").join(e.file_name());
            assert!(
                listed.contains(&rel),
                "README layout does not list `{}`",
                rel.display()
            );
        }
    }
}
