//! Helpers shared by the release gate tests (`gate.rs`, `gate_scope.rs`).

/// The exception accepting the example's smallvec advisory.
pub const EXCEPTION: &str = r#"
[[advisories.exception]]
id = "RUSTSEC-2021-0003"
crate = "smallvec"
reason = "SmallVec::insert_many is never called; the buffer is only pushed and drained"
approved-by = "security@example.com"
expires = 2027-06-30
"#;
