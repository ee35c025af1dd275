//! The "What ships" section: the drawn dependency graph with its legend, the flagged packages
//! with the path through which each arrives, and every package in a searchable list.

use super::data::Page;
use super::graph::{Marks, ShippedGraph};
use super::svg;
use super::text::{Html, plural};
use crate::findings::Kind;
use std::fmt::Write;

pub fn section(h: &mut Html, p: &Page<'_>) {
    let Some(model) = p.models.first() else {
        h.section("shipped", "What ships", |h| {
            h.raw("<p>No artifact, so no SBOM and no graph.</p>\n");
        });
        return;
    };
    let g = ShippedGraph::new(&p.m.gate.findings, model);
    let count = |k: Kind| g.nodes.iter().skip(1).filter(|n| n.kind == k).count();
    let (linked, build, dev) = (
        count(Kind::Linked),
        count(Kind::BuildTime),
        count(Kind::Dev),
    );
    h.section("shipped", "What ships", |h| {
        let mut summary = format!(
            "{} — {} linked into the artifact, {} run only at build time (build scripts, proc-macros and their dependencies)",
            plural(g.nodes.len() - 1, "package"),
            linked,
            build
        );
        if dev > 0 {
            let _ = write!(summary, ", {dev} dev-only");
        }
        summary.push_str(&format!(
            ". Target {}, {}.",
            model.target,
            if model.features == "default" {
                "default features".to_owned()
            } else {
                format!("features {}", model.features)
            }
        ));
        h.el("p", "", &summary).raw("\n");
        if p.models.len() > 1 {
            let names: Vec<&str> = p
                .models
                .iter()
                .map(|m| m.artifact.file_name.as_str())
                .collect();
            h.el(
                "p",
                "note",
                &format!(
                    "The artifacts {} are built from the same shipped set; the graph starts at {}.",
                    names.join(", "),
                    model.artifact.file_name
                ),
            );
        }
        graph(h, p, &g);
        flagged(h, &g);
        list(h, &g);
    });
}

fn graph(h: &mut Html, p: &Page<'_>, g: &ShippedGraph) {
    let drawing = g.drawing();
    let title = format!(
        "Dependency graph of {} {}: the packages that ship for {}",
        p.m.product.name, p.m.product.version, p.m.target
    );
    h.raw("<figure class=\"graph\">\n<div class=\"graph-wrap\">\n");
    h.raw(&svg::render(g, &drawing, &title));
    h.raw("</div>\n<figcaption>");
    if drawing.complete {
        h.text("Every package and dependency edge of the shipped set, from the artifact (left) to its leaves. ");
    } else {
        h.text(&format!(
            "{} of {} packages drawn: the artifact, its direct dependencies and the path to each flagged package (most important first); the other packages are collapsed into one box per depth and listed below. Edges shown are the shortest paths; the SBOM holds every edge. ",
            drawing.packages.len() - 1,
            g.nodes.len() - 1
        ));
    }
    h.raw("</figcaption>\n");
    h.raw(LEGEND);
    h.raw("</figure>\n");
}

const LEGEND: &str = "<ul class=\"legend\">\
<li><span class=\"sw linked\"></span>linked into the artifact</li>\
<li><span class=\"sw build\"></span>build time only</li>\
<li><span class=\"sw hot\"></span>blocks the release (advisory, approval, other finding) and its path</li>\
<li><span class=\"sw flag\"></span>risk accepted or warning, and its path</li>\
<li><span class=\"sw sup\"></span>supplier input (git, other registry, vendored path)</li>\
</ul>\n";

fn tags(h: &mut Html, marks: &Marks) {
    for (label, class) in marks.tags() {
        let _ = write!(h.out, "<span class=\"tag {class}\">{label}</span> ");
    }
}

fn flagged(h: &mut Html, g: &ShippedGraph) {
    let flagged = g.flagged();
    h.raw("<h3>Flagged packages and how they arrive</h3>\n");
    if flagged.is_empty() {
        h.raw("<p>None: no advisory, approval finding, accepted risk or supplier input.</p>\n");
        return;
    }
    h.table(
        "flagged",
        &["package", "marks", "path from the artifact"],
        &flagged,
        |h, &i| {
            let n = &g.nodes[i];
            h.td("", &format!("{} {}", n.name, n.version));
            h.raw("<td>");
            tags(h, &n.marks);
            if !n.advisories.is_empty() {
                h.text(&n.advisories.join(", "));
            }
            h.raw("</td>");
            let path: Vec<String> = g.path(i).iter().map(|&k| g.nodes[k].name.clone()).collect();
            h.td("path", &path.join(" → "));
        },
    );
}

fn list(h: &mut Html, g: &ShippedGraph) {
    let mut rows: Vec<usize> = (1..g.nodes.len()).collect();
    rows.sort_by(|&a, &b| {
        let (x, y) = (&g.nodes[a], &g.nodes[b]);
        (&x.name, &x.version, &x.source).cmp(&(&y.name, &y.version, &y.source))
    });
    let _ = write!(
        h.out,
        "<h3>All packages ({})</h3>\n<p class=\"no-print\"><input type=\"search\" id=\"pkg-filter\" placeholder=\"Filter packages (name, version, source, license, mark)\" aria-label=\"Filter packages\" hidden></p>\n",
        rows.len()
    );
    h.raw("<div id=\"pkg-list\">\n");
    h.table(
        "packages",
        &[
            "package", "version", "kind", "source", "license", "depth", "marks",
        ],
        &rows,
        |h, &i| {
            let n = &g.nodes[i];
            h.td("", &n.name)
                .td("nw", &n.version)
                .td("nw", &n.kind.to_string())
                .td("src", &n.source)
                .td("", n.license.as_deref().unwrap_or("—"))
                .td(
                    "num nw",
                    &n.depth.map_or_else(|| "—".to_owned(), |d| d.to_string()),
                );
            h.raw("<td>");
            tags(h, &n.marks);
            h.raw("</td>");
        },
    );
    h.raw("</div>\n");
}
