//! Sign-off and signing: OpenSSH allowed_signers (as ssh-keygen reads it) and its patterns,
//! SSHSIG signatures, approval and readiness records, the approval rules, the trust root a
//! verifier chooses, `approve`, `sign` (readiness) and `verify`.

pub mod allowed_signers;
pub mod allowed_signers_line;
pub mod approval;
pub mod approve;
pub mod attest;
pub mod pattern;
pub mod readiness;
pub mod rules;
pub mod sshsig;
pub mod tag;
pub mod trust;
pub mod verify;
