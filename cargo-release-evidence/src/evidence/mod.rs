//! The evidence: its model (types only), the files it consists of (checksums, provenance), the
//! changes since the previous release, and the directory on disk (store, locate).

pub mod changes;
pub mod checksums;
pub mod clauses;
pub mod locate;
pub mod model;
pub mod previous;
pub mod provenance;
pub mod soup;
pub mod store;
pub mod support;

pub const MANIFEST_FILE: &str = "release-evidence.json";
pub const MANIFEST_YAML_FILE: &str = "release-evidence.yaml";
pub const RECORD_FILE: &str = "release-evidence.md";
pub const PAGE_FILE: &str = "release-evidence.html";
pub const SUMS_FILE: &str = "SHA256SUMS";
pub const PROVENANCE_FILE: &str = "provenance.intoto.json";
pub const ALLOWED_SIGNERS_FILE: &str = "allowed_signers";
/// The marker in every evidence directory this tool writes (see `store::guard`).
pub const MARKER_FILE: &str = "release-evidence.tag";
