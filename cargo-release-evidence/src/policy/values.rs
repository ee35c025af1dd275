//! Validated scalar values of the policy file. Each validates while it is deserialized, so a
//! bad value is reported with the file, line and column of the value itself.

use serde::Deserialize;
use serde::de::{self, Deserializer};
use std::fmt;

pub use crate::util::time::Day;

/// A semver requirement such as `=0.6.13`, `^1.2` or `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionReq(pub semver::VersionReq);

impl<'de> Deserialize<'de> for VersionReq {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        semver::VersionReq::parse(&s).map(VersionReq).map_err(|e| {
            de::Error::custom(format!(
                "expected a semver requirement like \"=1.2.3\" or \"*\", found `{s}`: {e}"
            ))
        })
    }
}

impl fmt::Display for VersionReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Parses an SPDX license id as the allow-lists use it: one license, optionally with a `WITH`
/// exception (`Apache-2.0 WITH LLVM-exception`), or a `LicenseRef-…`.
pub fn licensee(text: &str) -> Result<spdx::Licensee, String> {
    spdx::Licensee::parse(text).map_err(|e| {
        format!(
            "expected an SPDX license id (e.g. \"MIT\", \"Apache-2.0 WITH LLVM-exception\", \"LicenseRef-Name\"), found `{text}`: {}",
            e.reason
        )
    })
}

/// A lowercase hex sha256 digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sha256Hex(pub String);

impl<'de> Deserialize<'de> for Sha256Hex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Sha256Hex(s.to_ascii_lowercase()))
        } else {
            Err(de::Error::custom(format!(
                "expected a sha256 digest (64 hex digits), found `{s}`"
            )))
        }
    }
}

/// A full git commit id (40 hex digits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitCommit(pub String);

impl<'de> Deserialize<'de> for GitCommit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(GitCommit(s.to_ascii_lowercase()))
        } else {
            Err(de::Error::custom(format!(
                "expected a full git commit id (40 hex digits), found `{s}`"
            )))
        }
    }
}

/// A RustSec advisory id (`RUSTSEC-2021-0003`) or an alias (`CVE-…`, `GHSA-…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryId(pub String);

impl<'de> Deserialize<'de> for AdvisoryId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let ok = ["RUSTSEC-", "CVE-", "GHSA-"]
            .iter()
            .any(|p| s.starts_with(p) && s.len() > p.len());
        if ok {
            Ok(AdvisoryId(s))
        } else {
            Err(de::Error::custom(format!(
                "expected an advisory id like \"RUSTSEC-2021-0003\" (or a CVE-/GHSA- alias), found `{s}`"
            )))
        }
    }
}

/// `justification` of an advisory exception: the OpenVEX status justifications (VEX status
/// `not_affected`), validated where they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VexJustification {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

impl VexJustification {
    /// The OpenVEX value.
    pub fn as_str(self) -> &'static str {
        match self {
            VexJustification::ComponentNotPresent => "component_not_present",
            VexJustification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            VexJustification::VulnerableCodeNotInExecutePath => {
                "vulnerable_code_not_in_execute_path"
            }
            VexJustification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            VexJustification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }

    /// The CycloneDX `analysis.justification` closest in meaning.
    pub fn cyclonedx(self) -> &'static str {
        match self {
            VexJustification::ComponentNotPresent | VexJustification::VulnerableCodeNotPresent => {
                "code_not_present"
            }
            VexJustification::VulnerableCodeNotInExecutePath => "code_not_reachable",
            VexJustification::VulnerableCodeCannotBeControlledByAdversary => "requires_environment",
            VexJustification::InlineMitigationsAlreadyExist => "protected_by_mitigating_control",
        }
    }
}
