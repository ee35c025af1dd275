//! The clauses the evidence can be mapped to (IEC 62304, NIST SSDF, EU CRA), and `[evidence]`:
//! `require-clauses`, the clauses a release must evidence (a clause not evidenced holds the
//! release: `RE-CLAUSE-NOT-EVIDENCED`). Unknown ids are refused at load, each at its place.

use super::Policy;
use crate::error::Diagnostic;
use serde::Deserialize;
use serde_spanned::Spanned;

/// A clause of a standard or regulation: its stable id (what `require-clauses` names), the
/// document, the clause number as the document writes it, and its title (paraphrased).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clause {
    pub id: &'static str,
    pub standard: &'static str,
    /// The document's short name (`IEC 62304`, `NIST SSDF`, `EU CRA`).
    pub short: &'static str,
    pub clause: &'static str,
    pub title: &'static str,
}

const IEC: &str = "IEC 62304:2006+A1:2015";
const SSDF: &str = "NIST SP 800-218 (SSDF 1.1)";
const CRA: &str = "EU CRA (Regulation (EU) 2024/2847)";

const fn c(
    id: &'static str,
    standard: &'static str,
    clause: &'static str,
    title: &'static str,
) -> Clause {
    let short = match standard.as_bytes()[0] {
        b'I' => "IEC 62304",
        b'N' => "NIST SSDF",
        _ => "EU CRA",
    };
    Clause {
        id,
        standard,
        short,
        clause,
        title,
    }
}

/// Every clause of the clause map, in the map's order.
pub const CLAUSES: &[Clause] = &[
    c(
        "IEC62304-5.8.1",
        IEC,
        "5.8.1",
        "Ensure software verification is complete",
    ),
    c(
        "IEC62304-5.8.2",
        IEC,
        "5.8.2",
        "Document known residual anomalies",
    ),
    c(
        "IEC62304-5.8.3",
        IEC,
        "5.8.3",
        "Evaluate known residual anomalies",
    ),
    c("IEC62304-5.8.4", IEC, "5.8.4", "Document released versions"),
    c(
        "IEC62304-5.8.5",
        IEC,
        "5.8.5",
        "Document how released software was created",
    ),
    c(
        "IEC62304-5.8.6",
        IEC,
        "5.8.6",
        "Ensure activities and tasks are complete",
    ),
    c("IEC62304-5.8.7", IEC, "5.8.7", "Archive software"),
    c(
        "IEC62304-5.8.8",
        IEC,
        "5.8.8",
        "Assure reliable delivery of released software",
    ),
    c(
        "IEC62304-7.1.3",
        IEC,
        "7.1.3",
        "Evaluate published SOUP anomaly lists",
    ),
    c("IEC62304-8.1.2", IEC, "8.1.2", "Identify SOUP"),
    c(
        "SSDF-PO.1.3",
        SSDF,
        "PO.1.3",
        "Communicate requirements to third parties supplying components",
    ),
    c(
        "SSDF-PW.4.1",
        SSDF,
        "PW.4.1",
        "Acquire and maintain well-secured third-party components",
    ),
    c(
        "SSDF-PW.4.4",
        SSDF,
        "PW.4.4",
        "Verify third-party components comply with requirements throughout their life cycle",
    ),
    c(
        "SSDF-PS.1",
        SSDF,
        "PS.1",
        "Protect all forms of code from unauthorized access and tampering",
    ),
    c(
        "SSDF-PS.2",
        SSDF,
        "PS.2",
        "Provide a mechanism for verifying software release integrity",
    ),
    c(
        "SSDF-PS.3",
        SSDF,
        "PS.3",
        "Archive and protect each software release",
    ),
    c(
        "SSDF-RV.1",
        SSDF,
        "RV.1",
        "Identify and confirm vulnerabilities on an ongoing basis",
    ),
    c(
        "SSDF-RV.2",
        SSDF,
        "RV.2",
        "Assess, prioritize and remediate vulnerabilities",
    ),
    c(
        "CRA-I-II-1",
        CRA,
        "Annex I Part II (1)",
        "Identify and document vulnerabilities and components, with an SBOM",
    ),
    c(
        "CRA-I-II-2",
        CRA,
        "Annex I Part II (2)",
        "Address and remediate vulnerabilities without delay",
    ),
    c(
        "CRA-I-II-3",
        CRA,
        "Annex I Part II (3)",
        "Apply effective and regular tests and reviews of security",
    ),
    c(
        "CRA-I-II-4",
        CRA,
        "Annex I Part II (4)",
        "Publicly disclose information about fixed vulnerabilities",
    ),
    c(
        "CRA-I-II-5",
        CRA,
        "Annex I Part II (5)",
        "Put in place and enforce a coordinated vulnerability disclosure policy",
    ),
    c(
        "CRA-I-II-6",
        CRA,
        "Annex I Part II (6)",
        "Facilitate sharing of information about vulnerabilities (contact address)",
    ),
    c(
        "CRA-I-II-7",
        CRA,
        "Annex I Part II (7)",
        "Provide mechanisms to securely distribute updates",
    ),
    c(
        "CRA-I-II-8",
        CRA,
        "Annex I Part II (8)",
        "Disseminate security updates without delay, free of charge, with advisory messages",
    ),
    c(
        "CRA-Art13-8",
        CRA,
        "Art. 13(8)",
        "Handle vulnerabilities during the support period (at least five years)",
    ),
];

/// The clause with this id.
pub fn find(id: &str) -> Option<&'static Clause> {
    CLAUSES.iter().find(|c| c.id == id)
}

/// `[evidence]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EvidencePolicy {
    /// Clause ids (see [`CLAUSES`]) the release must evidence; one not evidenced holds the
    /// release (`RE-CLAUSE-NOT-EVIDENCED`).
    #[serde(default)]
    pub require_clauses: Vec<Spanned<String>>,
}

/// Every unknown or repeated clause id in `[evidence] require-clauses`, at its place.
pub fn validate(p: &Policy) -> Vec<Diagnostic> {
    let Some(e) = &p.data.evidence else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for id in &e.get_ref().require_clauses {
        let name = id.get_ref();
        if find(name).is_none() {
            let known: Vec<&str> = CLAUSES.iter().map(|c| c.id).collect();
            out.push(p.diagnostic(
                id.span(),
                format!(
                    "[evidence] `require-clauses`: unknown clause id `{}`; known ids: {}",
                    crate::util::text::clip(name, 80),
                    known.join(", ")
                ),
            ));
        } else if !seen.insert(name.as_str()) {
            out.push(p.diagnostic(
                id.span(),
                format!("[evidence] `require-clauses`: `{name}` is named twice"),
            ));
        }
    }
    out
}
