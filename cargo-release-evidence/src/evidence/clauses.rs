//! The clause map (`clause-map.json`): each clause of IEC 62304 §5.8 / §7.1.3 / §8.1.2, the
//! NIST SSDF practices and the EU CRA's vulnerability-handling requirements, mapped to the
//! evidence file and field that satisfies it — computed from what this release's evidence
//! actually holds ([`Facts`]). A clause with nothing to show is `not-evidenced`; one that only
//! `sign` completes is `evidenced-after-sign`.

use crate::policy::clauses::{CLAUSES, Clause};
use serde::Serialize;

pub const FILE: &str = "clause-map.json";
const MANIFEST: &str = super::MANIFEST_FILE;

/// What this release's evidence holds, as far as the clauses ask.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The artifacts' file names (their copies in the evidence directory).
    pub artifacts: Vec<String>,
    /// The SBOM files (one CycloneDX document per artifact, SPDX when asked).
    pub sboms: Vec<String>,
    /// The CycloneDX VEX documents.
    pub vex: Vec<String>,
    /// `soup.json` is written (there are artifacts to list the SOUP of).
    pub soup: bool,
    /// The controlled build ran here (build record and provenance); `false` with `--no-build`.
    pub build: bool,
    /// `Some(identical)` when the build's reproducibility was checked.
    pub reproducible: Option<bool>,
    /// `[verification]`: the number of suites and of residual anomalies.
    pub verification: Option<(usize, usize)>,
    /// `[baseline]` is recorded (tag, signature, branch, clean tree).
    pub baseline: bool,
    /// The policy names release signers (`sign` can complete the signed evidence).
    pub release_signers: bool,
    /// The policy has `[[supplier]]` reviews of supplier deliveries.
    pub supplier_reviews: bool,
    /// `[lifecycle]`: recorded, with `support-until` and `patch-policy`.
    pub lifecycle: bool,
    pub support_until: Option<String>,
    pub patch_policy: bool,
    /// `[lifecycle]` `advisories-url`, `disclosure-policy` and `security-contact` as declared.
    pub advisories_url: Option<String>,
    pub disclosure_policy: bool,
    pub security_contact: Option<String>,
    /// The clause ids the policy requires (`[evidence] require-clauses`).
    pub required: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClauseMap {
    pub schema: &'static str,
    pub schema_version: u32,
    pub product: String,
    pub version: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Evidenced,
    /// The evidence is completed by `sign` (the signed readiness and attestations).
    EvidencedAfterSign,
    NotEvidenced,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Evidenced => "evidenced",
            Status::EvidencedAfterSign => "evidenced after sign",
            Status::NotEvidenced => "not evidenced",
        }
    }
}

/// One evidence file and the field in it (`` for the whole file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceRef {
    pub file: String,
    pub field: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: &'static str,
    pub standard: &'static str,
    #[serde(skip)]
    pub short: &'static str,
    pub clause: &'static str,
    pub title: &'static str,
    pub status: Status,
    pub evidence: Vec<EvidenceRef>,
    /// What the evidence shows, or why there is none.
    pub note: String,
    /// The policy requires this clause (`[evidence] require-clauses`).
    pub required: bool,
}

fn r(file: &str, field: &str) -> EvidenceRef {
    EvidenceRef {
        file: file.to_owned(),
        field: field.to_owned(),
    }
}

fn each(files: &[String], field: &str) -> Vec<EvidenceRef> {
    files.iter().map(|f| r(f, field)).collect()
}

type Found = (Status, Vec<EvidenceRef>, String);

fn yes(evidence: Vec<EvidenceRef>, note: impl Into<String>) -> Found {
    (Status::Evidenced, evidence, note.into())
}

fn no(note: impl Into<String>) -> Found {
    (Status::NotEvidenced, Vec::new(), note.into())
}

/// The map for a release, from its facts.
pub fn map(product: &str, version: &str, f: &Facts) -> ClauseMap {
    let rows = CLAUSES
        .iter()
        .map(|c| {
            let (status, evidence, note) = row(c, f);
            Row {
                id: c.id,
                standard: c.standard,
                short: c.short,
                clause: c.clause,
                title: c.title,
                status,
                evidence,
                note,
                required: f.required.iter().any(|r| r == c.id),
            }
        })
        .collect();
    ClauseMap {
        schema: "cargo-release-evidence/clause-map",
        schema_version: 1,
        product: product.to_owned(),
        version: version.to_owned(),
        rows,
    }
}

fn row(c: &Clause, f: &Facts) -> Found {
    let verification = |field: &str, note: &str| match f.verification {
        Some(_) => yes(vec![r(MANIFEST, field)], note),
        None => no("the policy has no [verification]: no verification evidence is recorded"),
    };
    let soup = |field: &str, note: &str| {
        if f.soup {
            yes(vec![r(super::soup::JSON_FILE, field)], note)
        } else {
            no("no SOUP list: the release has no artifact")
        }
    };
    match c.id {
        "IEC62304-5.8.1" => verification(
            "verification.checklist",
            "the verification record: suites, coverage, static analysis, trace matrix",
        ),
        "IEC62304-5.8.2" => verification(
            "verification.residual_anomalies",
            "the known residual anomalies, each accepted by name",
        ),
        "IEC62304-5.8.3" => verification(
            "verification.residual_anomalies[].evaluation",
            "each residual anomaly's evaluation (why it is no unacceptable risk)",
        ),
        "IEC62304-5.8.4" => yes(
            vec![
                r(MANIFEST, "product"),
                r(MANIFEST, "source"),
                r(MANIFEST, "artifacts"),
            ],
            "the released version, its source commit and the artifacts' digests",
        ),
        "IEC62304-5.8.5" if f.build => {
            let mut e = vec![
                r(MANIFEST, "build"),
                r(MANIFEST, "toolchain"),
                r(super::PROVENANCE_FILE, "predicate"),
            ];
            let note = match f.reproducible {
                Some(identical) => {
                    e.push(r(MANIFEST, "build.reproducibility"));
                    format!(
                        "the controlled build's command, environment and toolchain; rebuilt and compared: {}",
                        if identical { "identical" } else { "DIFFERENT" }
                    )
                }
                None => "the controlled build's command, environment and toolchain; reproducibility not checked".to_owned(),
            };
            yes(e, note)
        }
        "IEC62304-5.8.5" => no("--no-build: the artifacts were not built by this run"),
        "IEC62304-5.8.6" => verification(
            "verification.checklist",
            "the release checklist decided from the verification data, and the gate's decision",
        ),
        "IEC62304-5.8.7" | "SSDF-PS.3" => {
            let mut e = each(&f.artifacts, "");
            e.extend(each(&f.sboms, ""));
            if f.build {
                e.push(r(super::PROVENANCE_FILE, ""));
            }
            e.push(r(super::SUMS_FILE, ""));
            yes(
                e,
                "the artifacts' copies, SBOM and provenance, sealed by SHA256SUMS; retained with `ledger add`",
            )
        }
        "IEC62304-5.8.8" => yes(
            vec![r(super::SUMS_FILE, ""), r(MANIFEST, "artifacts[].sha256")],
            "every delivered file's digest; `verify` checks them (and the signature after sign)",
        ),
        "IEC62304-7.1.3" => soup(
            "items[].anomalies",
            "the RustSec advisories on each SOUP version (informational included) with their evaluation",
        ),
        "IEC62304-8.1.2" => soup(
            "items[]",
            "title, supplier and unique designation (version, purl, checksum) of each SOUP item",
        ),
        "SSDF-PO.1.3" if f.supplier_reviews => {
            let mut found = soup(
                "items[].approval",
                "supplier deliveries pinned and reviewed by [[supplier]] entries",
            );
            found.1.push(r(MANIFEST, "policy"));
            found
        }
        "SSDF-PO.1.3" => no("the policy has no [[supplier]] review of a supplier delivery"),
        "SSDF-PW.4.1" => soup(
            "items[].approval",
            "each third-party component's approval (who, when, why); unapproved ones hold the release",
        ),
        "SSDF-PW.4.4" => {
            let mut found = soup(
                "items[].support",
                "known vulnerabilities, yanked versions and maintenance status of each component",
            );
            if found.0 == Status::Evidenced {
                found.1.push(r(MANIFEST, "advisory_db"));
            }
            found
        }
        "SSDF-PS.1" if f.baseline => yes(
            vec![r(MANIFEST, "baseline"), r(MANIFEST, "source")],
            "the release's commit and tree, its tag and the tag's signature",
        ),
        "SSDF-PS.1" => {
            no("the policy has no [baseline]: the source's tag and signature are not recorded")
        }
        "SSDF-PS.2" if f.release_signers => {
            // The names `sign` writes (sign::approval, above this layer).
            let mut e = vec![
                r(super::SUMS_FILE, ""),
                r("SHA256SUMS.sig", ""),
                r("readiness.json", "signed_by"),
            ];
            e.extend(
                f.artifacts
                    .iter()
                    .map(|a| r(&format!("{a}.intoto.jsonl"), "")),
            );
            (
                Status::EvidencedAfterSign,
                e,
                "SHA256SUMS now; the release signature, the signed readiness record and the signed attestations are written by `sign`".to_owned(),
            )
        }
        "SSDF-PS.2" => no("the policy names no release signer: SHA256SUMS stays unsigned"),
        "SSDF-RV.1" | "CRA-I-II-1" => {
            let mut e = each(&f.sboms, "components");
            e.extend(each(&f.vex, "vulnerabilities"));
            e.push(r(MANIFEST, "advisory_db"));
            yes(
                e,
                "the components (SBOM) and every advisory on them from the dated advisory DB (VEX)",
            )
        }
        "SSDF-RV.2" | "CRA-I-II-2" => {
            let mut e = each(&f.vex, "vulnerabilities[].analysis");
            e.push(r(MANIFEST, "exceptions_applied"));
            e.push(r(MANIFEST, "gate.decision"));
            yes(
                e,
                "each advisory's status and response; an unaccepted vulnerability holds the release",
            )
        }
        "CRA-I-II-3" => match f.verification {
            Some((suites, _)) if suites > 0 => yes(
                vec![r(MANIFEST, "verification.suites")],
                "the test suites' results recorded for this release",
            ),
            _ => no("no test suite is recorded ([verification] suites)"),
        },
        "CRA-I-II-7" if f.lifecycle => yes(
            vec![r("update-manifest.json", ""), r(super::SUMS_FILE, "")],
            "the update handoff: artifacts, digests, rollback target",
        ),
        "CRA-I-II-7" => no("the policy has no [lifecycle]: no update-manifest.json"),
        "CRA-I-II-8" if f.patch_policy => yes(
            vec![r(MANIFEST, "lifecycle.patch_policy")],
            "the patch policy as declared",
        ),
        "CRA-I-II-8" => no("no [lifecycle] patch-policy is declared"),
        "CRA-Art13-8" => match &f.support_until {
            Some(day) => yes(
                vec![r(MANIFEST, "lifecycle.support_until")],
                format!("support period declared until {day}"),
            ),
            None => no("no [lifecycle] support-until is declared"),
        },
        "CRA-I-II-4" => match &f.advisories_url {
            Some(url) => {
                let mut e = vec![r(MANIFEST, "lifecycle.advisories_url")];
                e.extend(each(&f.vex, "vulnerabilities"));
                yes(
                    e,
                    format!(
                        "the status of every advisory on the release (fixed ones included) in its VEX documents, published at {url}"
                    ),
                )
            }
            None => no(
                "no [lifecycle] advisories-url is declared (where fixed vulnerabilities are disclosed)",
            ),
        },
        "CRA-I-II-5" if f.disclosure_policy => yes(
            vec![r(MANIFEST, "lifecycle.disclosure_policy")],
            "the coordinated vulnerability disclosure policy, by path and sha256",
        ),
        "CRA-I-II-5" => no("no [lifecycle] disclosure-policy file is declared"),
        "CRA-I-II-6" => match &f.security_contact {
            Some(c) => yes(
                vec![r(MANIFEST, "lifecycle.security_contact")],
                format!("vulnerabilities are reported to {c}"),
            ),
            None => no("no [lifecycle] security-contact is declared"),
        },
        _ => no("outside this release's evidence"),
    }
}
