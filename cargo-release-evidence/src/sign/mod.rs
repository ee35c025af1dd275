//! Sign-off and signing: OpenSSH allowed_signers (as ssh-keygen reads it), SSHSIG signatures,
//! approval records, `approve`, `sign` (readiness) and `verify`.

pub mod allowed_signers;
pub mod approval;
pub mod approve;
pub mod readiness;
pub mod sshsig;
pub mod tag;
pub mod verify;
