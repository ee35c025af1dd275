//! The drawing as inline SVG. The layout is dagre's (a port of dagre.js: layered, network
//! simplex ranks, barycenter crossing reduction, Brandes–Köpf coordinates, routed edges); this
//! file only sizes the boxes, feeds the graph in a fixed order and writes the result. The same
//! graph always gives the same bytes: node and edge order are sorted, coordinates are printed
//! with one decimal, and labels use a monospace font so box widths follow from the text.

use super::graph::{Drawing, End, ShippedGraph};
use super::text::esc;
use crate::findings::Kind;
use dagre::graph::{Graph, GraphOptions};
use dagre::{EdgeLabel, LayoutOptions, NodeLabel, RankDir};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Width of one label character (monospace, 11px) and box padding.
const CHAR_W: f64 = 6.7;
const PAD: f64 = 14.0;
const LINE_H: f64 = 15.0;
const MARGIN: f64 = 10.0;

struct BoxText {
    id: String,
    lines: Vec<String>,
    width: f64,
    height: f64,
}

fn sized(id: String, lines: Vec<String>) -> BoxText {
    let chars = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    BoxText {
        id,
        width: (chars as f64 * CHAR_W + PAD).round(),
        height: lines.len() as f64 * LINE_H + 8.0,
        lines,
    }
}

fn end_id(e: End) -> String {
    match e {
        End::Package(i) => format!("p{i}"),
        End::Group(d) => format!("g{d}"),
    }
}

/// The SVG of `drawing` (a part of `g`).
pub fn render(g: &ShippedGraph, drawing: &Drawing, title: &str) -> String {
    let mut boxes: Vec<BoxText> = Vec::new();
    for &i in &drawing.packages {
        let n = &g.nodes[i];
        let mut lines = vec![format!("{} {}", n.name, n.version)];
        let tags: Vec<&str> = n.marks.tags().iter().map(|t| t.0).collect();
        if !tags.is_empty() {
            lines.push(tags.join(" · "));
        }
        boxes.push(sized(format!("p{i}"), lines));
    }
    for (depth, members) in &drawing.groups {
        boxes.push(sized(
            format!("g{depth}"),
            vec![
                format!("+{} more", members.len()),
                format!("at depth {depth}"),
            ],
        ));
    }

    let mut dg: Graph<NodeLabel, EdgeLabel> = Graph::with_options(GraphOptions {
        directed: true,
        multigraph: false,
        compound: false,
    });
    for b in &boxes {
        dg.set_node(
            b.id.clone(),
            Some(NodeLabel {
                width: b.width,
                height: b.height,
                ..NodeLabel::default()
            }),
        );
    }
    for (a, b) in &drawing.edges {
        dg.set_edge(end_id(*a), end_id(*b), Some(EdgeLabel::default()), None);
    }
    dagre::layout(
        &mut dg,
        Some(LayoutOptions {
            rankdir: RankDir::LR,
            nodesep: 10.0,
            edgesep: 8.0,
            ranksep: 46.0,
            ..LayoutOptions::default()
        }),
    );

    // Positions, then the bounding box.
    let mut centers: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for b in &boxes {
        let (x, y) = dg
            .node(&b.id)
            .map(|n| (n.x.unwrap_or(0.0), n.y.unwrap_or(0.0)))
            .unwrap_or((0.0, 0.0));
        x0 = x0.min(x - b.width / 2.0);
        x1 = x1.max(x + b.width / 2.0);
        y0 = y0.min(y - b.height / 2.0);
        y1 = y1.max(y + b.height / 2.0);
        centers.insert(b.id.clone(), (x, y));
    }
    let mut routes: Vec<Vec<(f64, f64)>> = Vec::new();
    for (a, b) in &drawing.edges {
        let pts: Vec<(f64, f64)> = dg
            .edge(&end_id(*a), &end_id(*b), None)
            .map(|e| e.points.iter().map(|p| (p.x, p.y)).collect())
            .unwrap_or_default();
        for &(x, y) in &pts {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        routes.push(pts);
    }
    if boxes.is_empty() {
        (x0, y0, x1, y1) = (0.0, 0.0, 0.0, 0.0);
    }
    let (dx, dy) = (MARGIN - x0, MARGIN - y0);
    let (w, h) = (x1 - x0 + 2.0 * MARGIN, y1 - y0 + 2.0 * MARGIN);

    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg class=\"depgraph\" viewBox=\"0 0 {w:.1} {h:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" role=\"img\" aria-labelledby=\"depgraph-title\">\n<title id=\"depgraph-title\">{}</title>",
        esc(title)
    );
    s.push_str(
        "<defs>\
<marker id=\"ah\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L8,4L0,8z\" class=\"ah\"/></marker>\
<marker id=\"ah-build\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L8,4L0,8z\" class=\"ah-build\"/></marker>\
<marker id=\"ah-hot\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L8,4L0,8z\" class=\"ah-hot\"/></marker>\
<marker id=\"ah-flag\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L8,4L0,8z\" class=\"ah-flag\"/></marker>\
<marker id=\"ah-sup\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L8,4L0,8z\" class=\"ah-sup\"/></marker>\
</defs>\n<g class=\"edges\">\n",
    );
    let heat = edge_heat(g);
    for ((a, b), pts) in drawing.edges.iter().zip(&routes) {
        let (class, marker) = match (a, b) {
            (End::Package(a), End::Package(b)) => match heat.get(&(*a, *b)) {
                Some(2) => ("e hot", "ah-hot"),
                Some(1) => ("e flag", "ah-flag"),
                Some(_) => ("e sup", "ah-sup"),
                None if g.nodes[*b].kind != Kind::Linked => ("e build", "ah-build"),
                None => ("e", "ah"),
            },
            _ => ("e grp", "ah-build"),
        };
        let moved: Vec<(f64, f64)> = pts.iter().map(|(x, y)| (x + dx, y + dy)).collect();
        let _ = writeln!(
            s,
            "<path class=\"{class}\" d=\"{}\" marker-end=\"url(#{marker})\"/>",
            basis(&moved)
        );
    }
    s.push_str("</g>\n<g class=\"nodes\">\n");
    for b in &boxes {
        let (cx, cy) = centers[&b.id];
        let (x, y) = (cx - b.width / 2.0 + dx, cy - b.height / 2.0 + dy);
        let (class, tip, name) = node_meta(g, drawing, &b.id);
        let _ = write!(
            s,
            "<g class=\"{class}\" data-name=\"{}\"><title>{}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"4\"/>",
            esc(&name),
            esc(&tip),
            b.width,
            b.height
        );
        for (k, line) in b.lines.iter().enumerate() {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\"{}>{}</text>",
                x + PAD / 2.0,
                y + 15.0 + k as f64 * LINE_H,
                if k == 0 { "" } else { " class=\"sub\"" },
                esc(line)
            );
        }
        s.push_str("</g>\n");
    }
    s.push_str("</g>\n</svg>\n");
    s
}

/// Edges on the path to a flagged package: 2 when the package blocks the release, 1 for an
/// accepted risk or a warning, 0 for a supplier input.
fn edge_heat(g: &ShippedGraph) -> BTreeMap<(usize, usize), u8> {
    let mut heat = BTreeMap::new();
    for f in g.flagged() {
        let level = g.nodes[f].marks.level();
        let path = g.path(f);
        for w in path.windows(2) {
            let e = heat.entry((w[0], w[1])).or_insert(level);
            *e = (*e).max(level);
        }
    }
    heat
}

/// (CSS classes, tooltip, name) of a drawn box.
fn node_meta(g: &ShippedGraph, drawing: &Drawing, id: &str) -> (String, String, String) {
    if let Some(d) = id.strip_prefix('g') {
        let depth: usize = d.parse().unwrap_or(0);
        let members = drawing
            .groups
            .iter()
            .find(|(k, _)| *k == depth)
            .map(|(_, m)| m.as_slice())
            .unwrap_or_default();
        let names: Vec<String> = members
            .iter()
            .map(|&i| format!("{} {}", g.nodes[i].name, g.nodes[i].version))
            .collect();
        return (
            "n grp".to_owned(),
            format!(
                "{} more packages at depth {depth} (see the list): {}",
                members.len(),
                names.join(", ")
            ),
            String::new(),
        );
    }
    let i: usize = id[1..].parse().unwrap_or(0);
    let n = &g.nodes[i];
    let mut class = vec!["n"];
    if i == 0 {
        class.push("root");
    } else if n.kind != Kind::Linked {
        class.push("build");
    }
    for (_, c) in n.marks.tags() {
        class.push(c);
    }
    match n.marks.level() {
        2 => class.push("hot"),
        1 => class.push("flag"),
        _ => {}
    }
    let mut tip = if i == 0 {
        format!("{} {} (the artifact)", n.name, n.version)
    } else {
        format!("{} {} ({}) — {}", n.name, n.version, n.source, n.kind)
    };
    if let Some(d) = n.depth.filter(|d| *d > 0) {
        let _ = write!(tip, ", depth {d}");
    }
    if !n.advisories.is_empty() {
        let _ = write!(tip, "; {}", n.advisories.join(", "));
    }
    (class.join(" "), tip, n.name.clone())
}

/// A smooth path through the points (the uniform B-spline of d3's `curveBasis`, which is what
/// dagre's routes are made for): starts and ends exactly at the first and last point.
fn basis(p: &[(f64, f64)]) -> String {
    let mut d = String::new();
    match p {
        [] => return d,
        [a] => {
            let _ = write!(d, "M{:.1},{:.1}", a.0, a.1);
            return d;
        }
        [a, b] => {
            let _ = write!(d, "M{:.1},{:.1}L{:.1},{:.1}", a.0, a.1, b.0, b.1);
            return d;
        }
        _ => {}
    }
    let _ = write!(d, "M{:.1},{:.1}", p[0].0, p[0].1);
    let _ = write!(
        d,
        "L{:.1},{:.1}",
        (5.0 * p[0].0 + p[1].0) / 6.0,
        (5.0 * p[0].1 + p[1].1) / 6.0
    );
    let bez = |d: &mut String, a: (f64, f64), b: (f64, f64), c: (f64, f64)| {
        let _ = write!(
            d,
            "C{:.1},{:.1},{:.1},{:.1},{:.1},{:.1}",
            (2.0 * a.0 + b.0) / 3.0,
            (2.0 * a.1 + b.1) / 3.0,
            (a.0 + 2.0 * b.0) / 3.0,
            (a.1 + 2.0 * b.1) / 3.0,
            (a.0 + 4.0 * b.0 + c.0) / 6.0,
            (a.1 + 4.0 * b.1 + c.1) / 6.0
        );
    };
    for k in 2..p.len() {
        bez(&mut d, p[k - 2], p[k - 1], p[k]);
    }
    let n = p.len();
    bez(&mut d, p[n - 2], p[n - 1], p[n - 1]);
    let _ = write!(d, "L{:.1},{:.1}", p[n - 1].0, p[n - 1].1);
    d
}

#[cfg(test)]
mod tests {
    #[test]
    fn basis_starts_and_ends_on_the_points() {
        let d = super::basis(&[(0.0, 0.0), (10.0, 0.0), (20.0, 10.0)]);
        assert!(d.starts_with("M0.0,0.0L1.7,0.0C"), "{d}");
        assert!(d.ends_with("L20.0,10.0"), "{d}");
        assert_eq!(super::basis(&[(1.0, 2.0), (3.0, 4.0)]), "M1.0,2.0L3.0,4.0");
    }
}
