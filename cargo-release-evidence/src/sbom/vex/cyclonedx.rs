//! The CycloneDX VEX document: a BOM holding only `vulnerabilities`, whose `affects` point at
//! the SBOM's components by BOM-Link (`urn:cdx:<SBOM serial>/1#<bom-ref>`), so a consumer
//! joins the two documents without guessing.

use crate::sbom::SbomModel;
use crate::sbom::cyclonedx::types::{Bom, prop};
use crate::sbom::cyclonedx::{self, Rendered, SpecVersion, vulns};

/// `sbom_serial` is the SBOM's `serialNumber` (`urn:uuid:…`).
pub fn render(m: &SbomModel, spec: SpecVersion, sbom_serial: &str) -> Rendered {
    let statements = super::statements(m, true);
    let uuid = sbom_serial.trim_start_matches("urn:uuid:");
    let link = |bom_ref: &str| format!("urn:cdx:{uuid}/1#{}", pct(bom_ref));
    let bom = Bom {
        bom_format: "CycloneDX",
        spec_version: spec.as_str(),
        serial_number: String::new(),
        version: 1,
        metadata: cyclonedx::metadata(
            m,
            spec,
            vec![
                prop("sbom-serial-number", sbom_serial),
                prop("gate-decision", m.decision.to_string()),
            ],
        ),
        components: None,
        dependencies: None,
        vulnerabilities: vulns::render(&statements, link),
    };
    cyclonedx::finish(bom)
}

/// Percent-encodes a bom-ref for the fragment of a BOM-Link (RFC 3986 unreserved kept).
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
