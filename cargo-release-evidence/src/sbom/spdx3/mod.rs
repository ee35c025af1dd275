//! SPDX 3.0.1 JSON-LD of the same model (`--sbom-format spdx3`), written as
//! `<artifact>.spdx3.json` beside the SPDX 2.3 `<artifact>.spdx.json`.
//!
//! One `SpdxDocument` holding one `software_Sbom` whose root is the artifact: a
//! `software_Package` (SHA-256 and SHA-512, purl) with its `software_File`
//! (`hasDistributionArtifact`); every shipped package as a `software_Package` (version, purl,
//! download location, the lockfile's SHA-256 as a `Hash`, `suppliedBy`/`originatedBy` from its
//! authors); each declared license a `simplelicensing_LicenseExpression` linked by
//! `hasDeclaredLicense` (`hasConcludedLicense` is `NoAssertionLicense`, as SPDX 2.3's
//! `NOASSERTION`: the tool concludes nothing); the dependency edges of the SPDX 2.3 document as
//! `dependsOn` relationships, scoped by what the target is (`runtime` for linked, `build` for
//! build-time, `development` for dev packages).
//!
//! Deterministic: the document namespace is `https://spdx.org/spdxdocs/<name>-<uuid>` with the
//! UUID derived from everything the document is written from (a SHA-256 over the model's
//! fields, [`content_digest`]: the document is a function of them, so it is built and
//! serialized once), and every `spdxId` is the namespace plus a fragment made from stable data
//! (the component's bom-ref, the license expression, the agent's name), percent-encoded so
//! distinct data gives distinct ids. The `SpdxDocument` holds the SBOM; the SBOM lists every
//! other element.

pub mod types;

use super::{Component, SbomModel};
use crate::findings::Kind;
use std::collections::BTreeMap;
use types::{
    Agent, CONTEXT, CREATION_INFO, CreationInfo, DATA_LICENSE, Document, ExternalIdentifier,
    ExternalRef, File, Hash, LicenseExpression, NO_ASSERTION_LICENSE, Node, Package, Relationship,
    SPEC_VERSION, Sbom, SpdxDocument,
};

/// Percent-encodes what may not stand in an IRI fragment as it is (and `%` itself, so the
/// encoding is one-to-one).
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:@/?".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `Name <mail>` (cargo's authors) → (name, mail).
fn contact(author: &str) -> (String, Option<String>) {
    match author.split_once('<') {
        Some((name, rest))
            if rest.ends_with('>') && !name.trim().is_empty() && !rest.contains('<') =>
        {
            (
                name.trim().to_owned(),
                Some(rest.trim_end_matches('>').trim().to_owned()),
            )
        }
        _ => (author.trim().to_owned(), None),
    }
}

/// The document under construction: its namespace and the agents, licenses and
/// relationships collected (keyed by id, so they come out sorted and once).
struct Builder<'a> {
    ns: &'a str,
    agents: BTreeMap<String, Agent>,
    licenses: BTreeMap<String, LicenseExpression>,
    relationships: BTreeMap<String, Node>,
}

impl Builder<'_> {
    fn id(&self, local: &str) -> String {
        format!("{}#{local}", self.ns)
    }

    fn package_id(&self, bom_ref: &str, root_ref: &str) -> String {
        if bom_ref == root_ref {
            self.id("artifact")
        } else {
            self.id(&format!("package/{}", enc(bom_ref)))
        }
    }

    /// The agent of one author (or of a list of authors as one supplier).
    fn agent(&mut self, text: &str) -> String {
        let (name, mail) = contact(text);
        let mut local = format!("agent/{}", enc(&name));
        if let Some(m) = &mail {
            local.push('/');
            local.push_str(&enc(m));
        }
        let id = self.id(&local);
        self.agents.entry(id.clone()).or_insert_with(|| Agent {
            spdx_id: id.clone(),
            creation_info: CREATION_INFO,
            name,
            external_identifier: mail
                .map(|identifier| ExternalIdentifier {
                    ty: "ExternalIdentifier",
                    external_identifier_type: "email",
                    identifier,
                })
                .into_iter()
                .collect(),
        });
        id
    }

    /// (suppliedBy, originatedBy) of a package with these authors: as SPDX 2.3 and CycloneDX
    /// name the supplier, the authors together; each author an originator.
    fn makers(&mut self, authors: &[String]) -> (Option<String>, Vec<String>) {
        if authors.is_empty() {
            return (None, Vec::new());
        }
        let originators: Vec<String> = authors.iter().map(|a| self.agent(a)).collect();
        let supplier = if let [only] = originators.as_slice() {
            only.clone()
        } else {
            self.agent(&authors.join(", "))
        };
        (Some(supplier), originators)
    }

    fn relationship(
        &mut self,
        local: String,
        from: String,
        ty: &'static str,
        to: Vec<String>,
        scope: Option<&'static str>,
    ) {
        let id = self.id(&local);
        let r = Relationship {
            spdx_id: id.clone(),
            creation_info: CREATION_INFO,
            from,
            relationship_type: ty,
            to,
            completeness: None,
            scope,
        };
        let node = if scope.is_some() {
            Node::LifecycleScopedRelationship(r)
        } else {
            Node::Relationship(r)
        };
        self.relationships.insert(id, node);
    }

    /// `hasDeclaredLicense` (when the package declares one) and `hasConcludedLicense`
    /// (`NoAssertionLicense`) of the package `id` named `key` in relationship ids.
    fn licenses(&mut self, id: &str, key: &str, license: Option<&str>) {
        if let Some(expr) = license {
            let lic = self.id(&format!("license/{}", enc(expr)));
            self.licenses
                .entry(lic.clone())
                .or_insert_with(|| LicenseExpression {
                    spdx_id: lic.clone(),
                    creation_info: CREATION_INFO,
                    expression: expr.to_owned(),
                });
            self.relationship(
                format!("relationship/hasDeclaredLicense/{key}"),
                id.to_owned(),
                "hasDeclaredLicense",
                vec![lic],
                None,
            );
        }
        self.relationship(
            format!("relationship/hasConcludedLicense/{key}"),
            id.to_owned(),
            "hasConcludedLicense",
            vec![NO_ASSERTION_LICENSE.to_owned()],
            None,
        );
    }

    fn package(&mut self, c: &Component, root_ref: &str) -> Package {
        let id = self.package_id(&c.bom_ref, root_ref);
        let (supplied_by, originated_by) = self.makers(&c.authors);
        self.licenses(&id, &enc(&c.bom_ref), c.license.as_deref());
        Package {
            spdx_id: id,
            creation_info: CREATION_INFO,
            name: c.name.clone(),
            description: c.description.clone().filter(|d| !d.is_empty()),
            comment: format!("release-evidence kind: {}; source: {}", c.kind, c.source),
            version: c.version.clone(),
            purl: c.purl.clone(),
            download_location: c.is_crates_io.then(|| {
                format!(
                    "https://crates.io/api/v1/crates/{}/{}/download",
                    c.name, c.version
                )
            }),
            home_page: c.homepage.clone(),
            primary_purpose: "library",
            supplied_by,
            originated_by,
            verified_using: c.sha256.iter().map(|h| Hash::new("sha256", h)).collect(),
            external_ref: c
                .repository
                .iter()
                .map(|r| ExternalRef {
                    ty: "ExternalRef",
                    external_ref_type: "vcs",
                    locator: vec![r.clone()],
                })
                .collect(),
        }
    }
}

fn artifact_hashes(m: &SbomModel) -> Vec<Hash> {
    let a = &m.artifact;
    a.sha256
        .iter()
        .map(|h| Hash::new("sha256", h))
        .chain(a.sha512.iter().map(|h| Hash::new("sha512", h)))
        .collect()
}

/// The document under the namespace `ns`.
fn document(m: &SbomModel, name: &str, ns: &str) -> Document {
    let mut b = Builder {
        ns,
        agents: BTreeMap::new(),
        licenses: BTreeMap::new(),
        relationships: BTreeMap::new(),
    };
    let (doc_id, sbom_id, creator_id, tool_id) = (
        b.id("document"),
        b.id("sbom"),
        b.id("creator"),
        b.id("tool"),
    );
    let root_id = b.id("artifact");
    let file_id = b.id("artifact-file");
    let a = &m.artifact;

    // The artifact: the product's package and its deployable file.
    let (supplied_by, originated_by) = b.makers(&m.product_authors);
    b.licenses(&root_id, "artifact", m.product_license.as_deref());
    let root = Package {
        spdx_id: root_id.clone(),
        creation_info: CREATION_INFO,
        name: a.file_name.clone(),
        description: None,
        comment: format!(
            "release-evidence artifact kind: {}; package: {}; target: {}; profile: {}; features: {}; gate decision: {}",
            a.kind, m.product_name, m.target, m.profile, m.features, m.decision
        ),
        version: m.product_version.clone(),
        purl: m.product_purl.clone(),
        download_location: None,
        home_page: None,
        primary_purpose: if a.kind == "bin" {
            "application"
        } else {
            "library"
        },
        supplied_by,
        originated_by,
        verified_using: artifact_hashes(m),
        external_ref: m
            .product_repository
            .iter()
            .map(|r| ExternalRef {
                ty: "ExternalRef",
                external_ref_type: "vcs",
                locator: vec![r.clone()],
            })
            .collect(),
    };
    let file = File {
        spdx_id: file_id.clone(),
        creation_info: CREATION_INFO,
        name: a.file_name.clone(),
        file_kind: "file",
        primary_purpose: if a.kind == "bin" {
            "executable"
        } else {
            "library"
        },
        verified_using: artifact_hashes(m),
    };
    b.relationship(
        "relationship/hasDistributionArtifact/artifact".to_owned(),
        root_id.clone(),
        "hasDistributionArtifact",
        vec![file_id.clone()],
        None,
    );

    let packages: Vec<Package> = m
        .components
        .iter()
        .map(|c| b.package(c, &m.root_ref))
        .collect();

    // The SPDX 2.3 document's DEPENDS_ON edges, one relationship per source and scope.
    let kinds: BTreeMap<&str, Kind> = m
        .components
        .iter()
        .map(|c| (c.bom_ref.as_str(), c.kind))
        .collect();
    for (from, tos) in &m.dependencies {
        let mut by_scope: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        for to in tos {
            let scope = match kinds.get(to.as_str()) {
                Some(Kind::BuildTime) => "build",
                Some(Kind::Dev) => "development",
                _ => "runtime",
            };
            by_scope
                .entry(scope)
                .or_default()
                .push(b.package_id(to, &m.root_ref));
        }
        let from_id = b.package_id(from, &m.root_ref);
        let key = if *from == m.root_ref {
            "artifact".to_owned()
        } else {
            enc(from)
        };
        for (scope, to) in by_scope {
            b.relationship(
                format!("relationship/dependsOn/{scope}/{key}"),
                from_id.clone(),
                "dependsOn",
                to,
                Some(scope),
            );
        }
    }

    let tool_name = format!("{}-{}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
    let tool = Agent {
        spdx_id: tool_id.clone(),
        creation_info: CREATION_INFO,
        name: tool_name.clone(),
        external_identifier: Vec::new(),
    };
    let creator = Agent {
        spdx_id: creator_id.clone(),
        creation_info: CREATION_INFO,
        name: tool_name,
        external_identifier: Vec::new(),
    };

    // Every element but the document, in the graph's order.
    let mut elements = vec![
        creator_id.clone(),
        tool_id.clone(),
        root_id.clone(),
        file_id,
    ];
    elements.extend(packages.iter().map(|p| p.spdx_id.clone()));
    elements.extend(b.agents.keys().cloned());
    elements.extend(b.licenses.keys().cloned());
    elements.extend(b.relationships.keys().cloned());
    let sbom = Sbom {
        spdx_id: sbom_id.clone(),
        creation_info: CREATION_INFO,
        name: format!("SBOM of {}", a.file_name),
        sbom_type: vec!["build"],
        root_element: vec![root_id],
        element: elements,
    };

    let mut graph = vec![
        Node::CreationInfo(CreationInfo {
            id: CREATION_INFO,
            spec_version: SPEC_VERSION,
            created: m.timestamp.clone(),
            created_by: vec![creator_id],
            created_using: vec![tool_id],
        }),
        Node::SpdxDocument(SpdxDocument {
            spdx_id: doc_id,
            creation_info: CREATION_INFO,
            name: name.to_owned(),
            data_license: DATA_LICENSE,
            profile_conformance: vec!["core", "software", "simpleLicensing"],
            root_element: vec![sbom_id.clone()],
            element: vec![sbom_id],
        }),
        Node::Sbom(sbom),
        Node::SoftwareAgent(creator),
        Node::Tool(tool),
        Node::Package(root),
        Node::File(file),
    ];
    graph.extend(packages.into_iter().map(Node::Package));
    graph.extend(b.agents.into_values().map(Node::Agent));
    graph.extend(b.licenses.into_values().map(Node::LicenseExpression));
    graph.extend(b.relationships.into_values());
    Document {
        context: CONTEXT,
        graph,
    }
}

/// SHA-256 over every field of the model the document is written from (each one
/// length-prefixed, so the fields cannot run into each other), and the tool's version.
fn content_digest(m: &SbomModel) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    let opt = |s: &Option<String>| s.as_deref().map_or("-".to_owned(), |v| format!("={v}"));
    let a = &m.artifact;
    for s in [
        env!("CARGO_PKG_VERSION"),
        &m.product_name,
        &m.product_version,
        &m.product_purl,
        &a.file_name,
        &a.kind,
        &opt(&a.sha256),
        &opt(&a.sha512),
        &m.timestamp,
        &m.target,
        &m.profile,
        &m.features,
        &m.decision.to_string(),
        &opt(&m.product_license),
        &opt(&m.product_repository),
        &m.root_ref,
    ] {
        put(s);
    }
    put(&m.product_authors.len().to_string());
    for author in &m.product_authors {
        put(author);
    }
    put(&m.components.len().to_string());
    for c in &m.components {
        for s in [
            c.bom_ref.as_str(),
            &c.name,
            &c.version,
            &c.purl,
            &c.kind.to_string(),
            &c.source,
            &opt(&c.sha256),
            &opt(&c.license),
            &opt(&c.description),
            &opt(&c.repository),
            &opt(&c.homepage),
            if c.is_crates_io { "crates.io" } else { "other" },
        ] {
            put(s);
        }
        put(&c.authors.len().to_string());
        for author in &c.authors {
            put(author);
        }
    }
    put(&m.dependencies.len().to_string());
    for (from, tos) in &m.dependencies {
        put(from);
        put(&tos.len().to_string());
        for to in tos {
            put(to);
        }
    }
    hex::encode(h.finalize())
}

/// The canonical JSON-LD text (keys sorted, the same bytes for the same model).
pub fn render(m: &SbomModel) -> String {
    let name = format!("{}-{}", m.artifact.file_name, m.product_version);
    let ns = format!(
        "https://spdx.org/spdxdocs/{}-{}",
        enc(&name),
        super::cyclonedx::uuid_from_hex(&content_digest(m))
    );
    crate::util::canonical::json(&document(m, &name, &ns))
}
