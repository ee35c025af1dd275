//! The standard documents of one release artifact: its SBOM(s) and the VEX documents beside
//! them, as (file name, text, kind) for the evidence directory and the `sbom` command.

use super::{Options, SbomFormat};
use crate::sbom::{self, SbomModel};

/// The SBOM files of one artifact: (file name, text, kind), and the CycloneDX SBOM's serial
/// number (the VEX document refers to it).
pub fn sbom_files(
    opts: &Options,
    model: &SbomModel,
    file_name: &str,
) -> (Vec<(String, String, String)>, String) {
    let spec = opts.cyclonedx_version;
    let cdx = sbom::cyclonedx::render(model, spec, opts.sbom_vulnerabilities);
    let mut out = vec![(
        format!("{file_name}.cdx.json"),
        cdx.text,
        format!("cyclonedx-{}", spec.as_str()),
    )];
    // The SPDX documents' cost, printed with RELEASE_EVIDENCE_TIMINGS (bench/formats.sh).
    let timed = |kind: &str, render: fn(&SbomModel) -> String| {
        let t = std::time::Instant::now();
        let text = render(model);
        if std::env::var_os("RELEASE_EVIDENCE_TIMINGS").is_some() {
            eprintln!("timing: {kind} took {:?}", t.elapsed());
        }
        text
    };
    if opts.sbom_formats.contains(&SbomFormat::Spdx) {
        out.push((
            format!("{file_name}.spdx.json"),
            timed("spdx-2.3", sbom::spdx::render),
            "spdx-2.3".to_owned(),
        ));
    }
    if opts.sbom_formats.contains(&SbomFormat::Spdx3) {
        out.push((
            format!("{file_name}.spdx3.json"),
            timed("spdx-3.0.1", sbom::spdx3::render),
            "spdx-3.0.1".to_owned(),
        ));
    }
    (out, cdx.serial_number)
}

/// The VEX documents beside an artifact's SBOM: (file name, text, kind). OpenVEX is left out
/// when there is nothing to state.
pub fn vex_files(
    opts: &Options,
    model: &SbomModel,
    file_name: &str,
    sbom_serial: &str,
) -> Vec<(String, String, String)> {
    let spec = opts.cyclonedx_version;
    let mut out = vec![(
        format!("{file_name}.cdx.vex.json"),
        sbom::vex::cyclonedx::render(model, spec, sbom_serial).text,
        format!("cyclonedx-{}-vex", spec.as_str()),
    )];
    if let Some(text) = sbom::vex::openvex::render(model) {
        out.push((
            format!("{file_name}.openvex.json"),
            text,
            "openvex-0.2.0".to_owned(),
        ));
    }
    out
}
