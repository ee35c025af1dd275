//! Adopting the tool on an existing project: `init` writes a starting policy from the shipped
//! sets.

pub mod init;
