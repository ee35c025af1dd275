//! CycloneDX JSON, 1.6 by default (BSI TR-03183-2 fields) or 1.5, with our own serde types
//! (validated strictly by `cyclonedx-python-lib` in the tests). Deterministic: no random
//! serial number (it is derived from the content), the timestamp is given, bom-refs are purls,
//! lists are sorted. The advisory status goes into the VEX documents (`sbom::vex`); with
//! `--sbom-vulnerabilities` it is also written into the SBOM, as before 1.6.

pub mod types;
pub mod vulns;

use super::{Component, SbomModel};
use crate::findings::Kind;
use types::{
    Bom, Comp, Contact, Dependency, Entity, ExternalReference, Hash, LicenseChoice, Metadata,
    Property, ToolComponent, Tools, named, prop,
};

/// The CycloneDX specification version written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SpecVersion {
    V1_5,
    #[default]
    V1_6,
    /// 1.7 on request: the 1.6 document (1.7 adds no field we need), validated against 1.7.
    V1_7,
}

impl SpecVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_5 => "1.5",
            SpecVersion::V1_6 => "1.6",
            SpecVersion::V1_7 => "1.7",
        }
    }
}

/// A rendered CycloneDX document and its serial number.
pub struct Rendered {
    pub text: String,
    pub serial_number: String,
}

fn hashes<'a>(sha256: Option<&'a str>, sha512: Option<&'a str>) -> Vec<Hash<'a>> {
    let mut out = Vec::new();
    if let Some(content) = sha256 {
        out.push(Hash {
            alg: "SHA-256",
            content,
        });
    }
    if let Some(content) = sha512 {
        out.push(Hash {
            alg: "SHA-512",
            content,
        });
    }
    out
}

/// `Name <mail>` (cargo's authors) → a contact.
fn contact(author: &str) -> Contact {
    match author.split_once('<') {
        Some((name, rest)) if rest.ends_with('>') && !name.trim().is_empty() => Contact {
            name: name.trim().to_owned(),
            email: Some(rest.trim_end_matches('>').trim().to_owned()),
        },
        _ => Contact {
            name: author.trim().to_owned(),
            email: None,
        },
    }
}

/// The supplier as the package names it: its authors, with its repository.
fn supplier(authors: &[String], repository: Option<&str>) -> Option<Entity> {
    (!authors.is_empty()).then(|| Entity {
        name: authors.join(", "),
        url: repository
            .filter(|r| r.starts_with("https://") || r.starts_with("http://"))
            .map(str::to_owned)
            .into_iter()
            .collect(),
    })
}

fn licenses(license: Option<&str>, spec: SpecVersion) -> Vec<LicenseChoice<'_>> {
    license
        .map(|expression| {
            vec![LicenseChoice {
                expression,
                acknowledgement: (spec != SpecVersion::V1_5).then_some("declared"),
            }]
        })
        .unwrap_or_default()
}

fn authors(c: &[String], spec: SpecVersion) -> (Option<String>, Vec<Contact>) {
    match spec {
        SpecVersion::V1_5 => ((!c.is_empty()).then(|| c.join(", ")), Vec::new()),
        SpecVersion::V1_6 | SpecVersion::V1_7 => (None, c.iter().map(|a| contact(a)).collect()),
    }
}

fn component(c: &Component, spec: SpecVersion) -> Comp<'_> {
    let (scope, kind) = match c.kind {
        Kind::Linked => ("required", "linked"),
        Kind::BuildTime => ("excluded", "build-time"),
        Kind::Dev => ("excluded", "dev"),
    };
    let mut external_references = Vec::new();
    if let Some(r) = &c.repository {
        external_references.push(ExternalReference {
            ty: "vcs",
            url: r,
            hashes: Vec::new(),
        });
    }
    if let Some(h) = &c.homepage {
        external_references.push(ExternalReference {
            ty: "website",
            url: h,
            hashes: Vec::new(),
        });
    }
    let mut properties = vec![prop("kind", kind), prop("source", c.source.clone())];
    if c.sha256.is_some() && (c.is_crates_io || c.source.starts_with("registry+")) {
        // The lockfile's checksum is the digest of this file, the package as delivered.
        properties.push(named(
            "bsi:component:filename",
            format!("{}-{}.crate", c.name, c.version),
        ));
        properties.push(named("bsi:component:archive", "archive"));
        properties.push(named("bsi:component:executable", "non-executable"));
    }
    let (author, authors) = authors(&c.authors, spec);
    Comp {
        ty: "library",
        bom_ref: &c.bom_ref,
        supplier: supplier(&c.authors, c.repository.as_deref()),
        author,
        authors,
        name: &c.name,
        version: &c.version,
        description: c.description.as_deref(),
        scope: Some(scope),
        hashes: hashes(c.sha256.as_deref(), None),
        licenses: licenses(c.license.as_deref(), spec),
        purl: &c.purl,
        external_references,
        properties,
    }
}

/// `bin` → executable, not an archive; `rlib`/`staticlib`/`lib` → an `ar` archive of object
/// code; shared libraries (`cdylib`, `dylib`, `proc-macro`) → loadable code.
fn artifact_properties(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "bin" | "cdylib" | "dylib" | "proc-macro" => ("executable", "no archive"),
        _ => ("non-executable", "archive"),
    }
}

/// The product: the release artifact, with its SHA-256 and SHA-512, file name and kind.
pub fn root(m: &SbomModel, spec: SpecVersion) -> Comp<'_> {
    let product_ty = match m.artifact.kind.as_str() {
        "bin" => "application",
        _ => "library",
    };
    let a = &m.artifact;
    let (executable, archive) = artifact_properties(&a.kind);
    let (author, authors) = authors(&m.product_authors, spec);
    let sha512 = a.sha512.as_deref();
    Comp {
        ty: product_ty,
        bom_ref: &m.root_ref,
        supplier: supplier(&m.product_authors, m.product_repository.as_deref()),
        author,
        authors,
        name: &a.file_name,
        version: &m.product_version,
        description: None,
        scope: None,
        hashes: hashes(a.sha256.as_deref(), sha512),
        licenses: licenses(m.product_license.as_deref(), spec),
        purl: &m.product_purl,
        // The deployable file and its SHA-512 where TR-03183-2 looks for it.
        external_references: sha512
            .map(|content| ExternalReference {
                ty: "distribution",
                url: &a.file_name,
                hashes: vec![Hash {
                    alg: "SHA-512",
                    content,
                }],
            })
            .into_iter()
            .collect(),
        properties: vec![
            named("bsi:component:archive", archive),
            named("bsi:component:executable", executable),
            named("bsi:component:filename", a.file_name.clone()),
            prop("artifact-kind", a.kind.clone()),
            prop("package", m.product_name.clone()),
        ],
    }
}

pub fn tools() -> Tools {
    Tools {
        components: vec![ToolComponent {
            ty: "application",
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }],
    }
}

/// The metadata both the SBOM and the VEX document carry.
pub fn metadata(m: &SbomModel, spec: SpecVersion, properties: Vec<Property>) -> Metadata<'_> {
    let maker = supplier(&m.product_authors, m.product_repository.as_deref());
    Metadata {
        timestamp: &m.timestamp,
        tools: tools(),
        component: root(m, spec),
        manufacturer: maker.clone().filter(|_| spec != SpecVersion::V1_5),
        supplier: maker,
        properties,
    }
}

/// Sets the serial number from the content (so the same release gives the same one) and
/// renders the canonical text.
pub fn finish(bom: Bom<'_>) -> Rendered {
    // The serial number is derived from the document with an empty one. It is serialized once:
    // in the canonical text (keys sorted) the top level's `"serialNumber": ""` is the
    // only such member (components carry none), and the serial takes its place; the text is
    // the one a second serialization with the serial set would give.
    debug_assert!(bom.serial_number.is_empty());
    let text = crate::util::canonical::json(&bom);
    let digest = crate::util::digest::sha256_hex(text.as_bytes());
    let serial_number = format!("urn:uuid:{}", uuid_from_hex(&digest));
    let empty = "\"serialNumber\": \"\"";
    let text = match text.find(empty) {
        Some(at) if text[at + empty.len()..].find(empty).is_none() => format!(
            "{}\"serialNumber\": \"{serial_number}\"{}",
            &text[..at],
            &text[at + empty.len()..]
        ),
        // Not the expected layout: serialize again rather than guess.
        _ => {
            let mut bom = bom;
            bom.serial_number = serial_number.clone();
            crate::util::canonical::json(&bom)
        }
    };
    Rendered {
        text,
        serial_number,
    }
}

/// Renders the model as a CycloneDX SBOM; `with_vulnerabilities` keeps the old layout with
/// the advisory analysis inside.
pub fn render(m: &SbomModel, spec: SpecVersion, with_vulnerabilities: bool) -> Rendered {
    let dependencies = m
        .dependencies
        .iter()
        .map(|(from, to)| Dependency {
            reference: from,
            depends_on: to.iter().map(String::as_str).collect(),
        })
        .collect();
    let statements = if with_vulnerabilities {
        super::vex::statements(m, false)
    } else {
        Vec::new()
    };
    let bom = Bom {
        bom_format: "CycloneDX",
        spec_version: spec.as_str(),
        serial_number: String::new(),
        version: 1,
        metadata: metadata(
            m,
            spec,
            vec![
                prop("target", m.target.clone()),
                prop("profile", m.profile.clone()),
                prop("features", m.features.clone()),
                prop("gate-decision", m.decision.to_string()),
            ],
        ),
        components: Some(m.components.iter().map(|c| component(c, spec)).collect()),
        dependencies: Some(dependencies),
        vulnerabilities: vulns::render(&statements, str::to_owned),
    };
    finish(bom)
}

/// A name-based (version 8 layout) UUID from the first 16 bytes of a hex digest.
pub fn uuid_from_hex(hex: &str) -> String {
    let mut h: Vec<char> = hex.chars().take(32).collect();
    h[12] = '8';
    let variant = u8::from_str_radix(&h[16].to_string(), 16).unwrap_or(0) & 0x3 | 0x8;
    h[16] = char::from_digit(u32::from(variant), 16).unwrap_or('8');
    let s: String = h.into_iter().collect();
    format!(
        "{}-{}-{}-{}-{}",
        &s[0..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..32]
    )
}
