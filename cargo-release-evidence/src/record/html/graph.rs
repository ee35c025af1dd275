//! The shipped set as a graph for the page: the SBOM model's components and `dependencies`
//! (exactly the member's edges for the target and features), each package marked from the
//! manifest's findings and the model's advisories (never decided here), its depth from the
//! artifact, and the path to each flagged package. Then which part is drawn: everything when
//! it is small, otherwise the flagged packages with their paths and the rest collapsed into one
//! node per depth (every package stays in the list beside the drawing).

use crate::findings::{Code, Finding, Kind, Severity};
use crate::sbom::SbomModel;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Drawn in full up to this many packages and edges (the layout stays well under 50 ms).
const FULL_NODES: usize = 45;
const FULL_EDGES: usize = 90;
/// At most this many packages are drawn in the focused view (the rest are grouped by depth).
pub(super) const FOCUS_NODES: usize = 48;

/// Why a package is marked. Several may apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks {
    /// An advisory affects it and no exception accepts it.
    pub advisory: bool,
    /// An approval finding (missing, pending review, version or source mismatch).
    pub approval: bool,
    /// Any other finding of severity error (license, source, supplier pin, yanked, …).
    pub blocking: bool,
    /// An advisory affects it and a recorded exception accepts the risk.
    pub exception: bool,
    /// A git, other-registry or out-of-workspace path package (a supplier input).
    pub supplier: bool,
    /// A warning about it (a non-blocking informational advisory, an unchecked yanked state).
    pub warning: bool,
}

impl Marks {
    pub fn any(&self) -> bool {
        self.advisory
            || self.approval
            || self.blocking
            || self.exception
            || self.supplier
            || self.warning
    }

    /// Blocks the release (drawn red).
    pub fn hot(&self) -> bool {
        self.advisory || self.approval || self.blocking
    }

    /// 2: blocks the release; 1: an accepted risk or a warning; 0: only a supplier input.
    pub fn level(&self) -> u8 {
        if self.hot() {
            2
        } else if self.exception || self.warning {
            1
        } else {
            0
        }
    }

    /// Lower is more important: the order flagged packages get drawn in the focused view.
    fn priority(&self) -> u8 {
        match () {
            _ if self.advisory => 0,
            _ if self.approval || self.blocking => 1,
            _ if self.exception => 2,
            _ if self.warning => 3,
            _ => 4,
        }
    }

    /// Short tags, in a fixed order, with their CSS class.
    pub fn tags(&self) -> Vec<(&'static str, &'static str)> {
        let mut t = Vec::new();
        if self.advisory {
            t.push(("advisory", "t-adv"));
        }
        if self.approval {
            t.push(("approval", "t-apr"));
        }
        if self.blocking {
            t.push(("finding", "t-err"));
        }
        if self.exception {
            t.push(("risk accepted", "t-exc"));
        }
        if self.warning {
            t.push(("warning", "t-warn"));
        }
        if self.supplier {
            t.push(("supplier", "t-sup"));
        }
        t
    }
}

#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    pub version: String,
    pub kind: Kind,
    pub source: String,
    pub license: Option<String>,
    /// Shortest distance from the artifact (`None`: not reachable, which the SBOM never has).
    pub depth: Option<usize>,
    pub marks: Marks,
    /// Advisory ids concerning it.
    pub advisories: Vec<String>,
    /// On the path to a flagged package.
    pub on_path: bool,
}

/// The member's shipped graph. Node 0 is the artifact.
#[derive(Debug, Clone)]
pub struct ShippedGraph {
    pub nodes: Vec<Node>,
    /// Sorted, without duplicates or self-edges.
    pub edges: Vec<(usize, usize)>,
    /// BFS parent of each node (the first found in sorted order): the path to it.
    parent: Vec<Option<usize>>,
}

impl ShippedGraph {
    /// The graph of `model`, marked from the member's `findings` (the manifest's).
    pub fn new(findings: &[Finding], model: &SbomModel) -> ShippedGraph {
        let mut nodes = vec![Node {
            name: model.artifact.file_name.clone(),
            version: model.product_version.clone(),
            kind: Kind::Linked,
            source: "artifact".to_owned(),
            license: None,
            depth: Some(0),
            marks: Marks::default(),
            advisories: Vec::new(),
            on_path: false,
        }];
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        index.insert(model.root_ref.as_str(), 0);
        for c in &model.components {
            index.insert(c.bom_ref.as_str(), nodes.len());
            nodes.push(Node {
                name: c.name.clone(),
                version: c.version.clone(),
                kind: c.kind,
                source: c.source.clone(),
                license: c.license.clone(),
                depth: None,
                marks: Marks {
                    supplier: c.supplier_input,
                    ..Marks::default()
                },
                advisories: Vec::new(),
                on_path: false,
            });
        }
        let mut edges = BTreeSet::new();
        for (from, tos) in &model.dependencies {
            let Some(&a) = index.get(from.as_str()) else {
                continue;
            };
            for to in tos {
                if let Some(&b) = index.get(to.as_str())
                    && a != b
                {
                    edges.insert((a, b));
                }
            }
        }
        for v in &model.vulnerabilities {
            if let Some(&i) = index.get(v.component_ref.as_str()) {
                let n = &mut nodes[i];
                n.advisories.push(v.id.clone());
                // Whether it blocks is the gate's call, read from the findings below.
                n.marks.exception |= v.accepted.is_some();
            }
        }
        // The manifest's findings about packages (by name, version and source).
        let by_key: BTreeMap<(&str, &str, &str), usize> = nodes
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, n)| ((n.name.as_str(), n.version.as_str(), n.source.as_str()), i))
            .collect();
        let mut found: Vec<(usize, Code, Severity)> = Vec::new();
        for f in findings {
            let Some(p) = &f.package else { continue };
            if let Some(&i) = by_key.get(&(p.name.as_str(), p.version.as_str(), p.source.as_str()))
            {
                found.push((i, f.code, f.severity));
            }
        }
        for (i, code, severity) in found {
            let marks = &mut nodes[i].marks;
            match (code, severity) {
                (Code::VulnerabilityAccepted, _) => marks.exception = true,
                (Code::Vulnerability | Code::Informational, Severity::Error) => {
                    marks.advisory = true
                }
                (
                    Code::ApprovalMissing
                    | Code::ApprovalPending
                    | Code::ApprovalVersionMismatch
                    | Code::ApprovalSourceMismatch,
                    Severity::Error,
                ) => marks.approval = true,
                (_, Severity::Error) => marks.blocking = true,
                (_, Severity::Warning) => marks.warning = true,
            }
        }
        let mut g = ShippedGraph {
            parent: vec![None; nodes.len()],
            nodes,
            edges: edges.into_iter().collect(),
        };
        g.depths();
        g
    }

    /// Breadth-first from the artifact over the sorted edges: depths and shortest paths.
    fn depths(&mut self) {
        let mut out: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for &(a, b) in &self.edges {
            out[a].push(b);
        }
        let mut queue = VecDeque::from([0]);
        while let Some(a) = queue.pop_front() {
            let d = self.nodes[a].depth.unwrap_or(0);
            for &b in &out[a] {
                if self.nodes[b].depth.is_none() {
                    self.nodes[b].depth = Some(d + 1);
                    self.parent[b] = Some(a);
                    queue.push_back(b);
                }
            }
        }
        let flagged: Vec<usize> = (1..self.nodes.len())
            .filter(|&i| self.nodes[i].marks.any())
            .collect();
        for i in flagged {
            for p in self.path(i) {
                self.nodes[p].on_path = true;
            }
        }
    }

    /// Node indices from the artifact to `i` (inclusive); just `[i]` when unreachable.
    pub fn path(&self, i: usize) -> Vec<usize> {
        let mut p = vec![i];
        let mut at = i;
        while let Some(up) = self.parent[at] {
            p.push(up);
            at = up;
        }
        p.reverse();
        p
    }

    /// The flagged packages, most important first, then by name and version.
    pub fn flagged(&self) -> Vec<usize> {
        let mut f: Vec<usize> = (1..self.nodes.len())
            .filter(|&i| self.nodes[i].marks.any())
            .collect();
        f.sort_by(|&a, &b| {
            let (x, y) = (&self.nodes[a], &self.nodes[b]);
            (x.marks.priority(), &x.name, &x.version, a).cmp(&(
                y.marks.priority(),
                &y.name,
                &y.version,
                b,
            ))
        });
        f
    }

    /// What to draw.
    pub fn drawing(&self) -> Drawing {
        if self.nodes.len() <= FULL_NODES && self.edges.len() <= FULL_EDGES {
            return Drawing {
                packages: (0..self.nodes.len()).collect(),
                groups: Vec::new(),
                edges: self
                    .edges
                    .iter()
                    .map(|&(a, b)| (End::Package(a), End::Package(b)))
                    .collect(),
                complete: true,
            };
        }
        self.focused()
    }

    /// The artifact, the flagged packages with their paths (most important first, while they
    /// fit), the artifact's direct dependencies, and one group node per depth for the rest.
    fn focused(&self) -> Drawing {
        let mut shown = BTreeSet::from([0usize]);
        for i in self.flagged() {
            let path = self.path(i);
            let new = path.iter().filter(|p| !shown.contains(*p)).count();
            if shown.len() + new <= FOCUS_NODES {
                shown.extend(path);
            }
        }
        for &(a, b) in &self.edges {
            if a == 0 && shown.len() < FOCUS_NODES {
                shown.insert(b);
            }
        }
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if !shown.contains(&i) {
                groups.entry(n.depth.unwrap_or(0)).or_default().push(i);
            }
        }
        let group_of = |i: usize| End::Group(self.nodes[i].depth.unwrap_or(0));
        let mut edges = BTreeSet::new();
        for &(a, b) in &self.edges {
            match (shown.contains(&a), shown.contains(&b)) {
                // Between drawn packages: the paths (tree edges) only, so the layout stays small.
                (true, true) if self.parent[b] == Some(a) => {
                    edges.insert((End::Package(a), End::Package(b)));
                }
                (true, false) if self.parent[b] == Some(a) => {
                    edges.insert((End::Package(a), group_of(b)));
                }
                (false, false) if self.parent[b] == Some(a) => {
                    edges.insert((group_of(a), group_of(b)));
                }
                _ => {}
            }
        }
        Drawing {
            packages: shown.into_iter().collect(),
            groups: groups.into_iter().collect(),
            edges: edges.into_iter().collect(),
            complete: false,
        }
    }
}

/// One end of a drawn edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum End {
    Package(usize),
    /// The collapsed packages at this depth.
    Group(usize),
}

/// The part of the graph that is drawn.
#[derive(Debug, Clone)]
pub struct Drawing {
    pub packages: Vec<usize>,
    /// (depth, packages collapsed into one node).
    pub groups: Vec<(usize, Vec<usize>)>,
    pub edges: Vec<(End, End)>,
    /// Every package and edge is drawn.
    pub complete: bool,
}
