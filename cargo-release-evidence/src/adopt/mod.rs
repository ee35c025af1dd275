//! Adopting the tool on an existing project: `init` writes a starting policy from the shipped
//! sets; `export` writes the peer tools' configuration from the policy.

pub mod export;
pub mod import;
pub mod init;
