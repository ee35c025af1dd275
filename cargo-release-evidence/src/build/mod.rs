//! The build stage: the controlled `cargo build` through duct (`cargo`), the rustflags and
//! environment it runs with (`rustflags`, `env`), its record (`record`), and the rebuild in a
//! fresh source copy that proves reproducibility (`source_copy`, `reproduce`), and what in a
//! recorded build must not run on a verifier's machine unless trusted (`untrusted`).

pub mod cargo;
pub mod controlled;
pub mod env;
pub mod record;
pub mod reproduce;
pub mod rustflags;
pub mod source_copy;
pub mod untrusted;
