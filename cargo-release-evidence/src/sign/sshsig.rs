//! SSH signatures (SSHSIG) with the `ssh-key` crate, verifiable with
//! `ssh-keygen -Y verify`. Keys in ssh-agent or on a hardware token are used through
//! `ssh-keygen -Y sign` (duct) when `--key` names a public key.

use crate::error::{Error, Result};
use rsa::signature::{SignatureEncoding, Signer as _};
use ssh_key::private::KeypairData;
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};
use std::path::{Path, PathBuf};

/// Namespace of approval signatures.
pub const APPROVAL_NAMESPACE: &str = "release-evidence-approval-v1";
/// Namespace of the release signature over SHA256SUMS.
pub const ARTIFACT_NAMESPACE: &str = "release-evidence-artifact-v1";

pub enum Signer {
    /// A private key file, signed in-process (deterministic for Ed25519).
    Native(Box<PrivateKey>),
    /// `ssh-keygen -Y sign -f key_path`: a public key whose private half is in ssh-agent or on
    /// a token, or an unencrypted private key the `ssh-key` crate cannot read.
    SshKeygen {
        key_path: PathBuf,
        public: PublicKey,
    },
}

impl Signer {
    /// Loads `--key`: an OpenSSH private key (decrypted with the passphrase from
    /// `passphrase_file`, or asked for on a terminal) or a public key (agent/token signing).
    pub fn load(key: &Path, passphrase_file: Option<&Path>) -> Result<Signer> {
        let text = std::fs::read_to_string(key)
            .map_err(|e| Error::io(format!("reading --key {}", key.display()), e))?;
        if text.contains("BEGIN OPENSSH PRIVATE KEY") {
            let mut private = match PrivateKey::from_openssh(&text) {
                Ok(k) => k,
                // ssh-key 0.6.7 cannot read an ECDSA private scalar with a leading zero byte
                // (about half of all P-521 keys): OpenSSH signs with the key file instead.
                Err(e) => {
                    return keygen_public_of(key).map_err(|_| {
                        Error::usage(
                            "--key",
                            format!("{} is not a valid OpenSSH private key: {e}", key.display()),
                        )
                    });
                }
            };
            if private.is_encrypted() {
                let passphrase = match passphrase_file {
                    Some(f) => std::fs::read_to_string(f)
                        .map_err(|e| {
                            Error::io(format!("reading --passphrase-file {}", f.display()), e)
                        })?
                        .trim_end_matches(['\n', '\r'])
                        .to_owned(),
                    None => {
                        use std::io::IsTerminal;
                        if !std::io::stdin().is_terminal() {
                            return Err(Error::usage(
                                "--passphrase-file",
                                format!(
                                    "{} is encrypted and there is no terminal to ask for its passphrase",
                                    key.display()
                                ),
                            ));
                        }
                        rpassword::prompt_password(format!("Passphrase for {}: ", key.display()))
                            .map_err(|e| Error::io("reading the passphrase", e))?
                    }
                };
                private = private.decrypt(passphrase.as_bytes()).map_err(|e| match e {
                    ssh_key::Error::Crypto => Error::usage(
                        "--passphrase-file",
                        format!("wrong passphrase for {}", key.display()),
                    ),
                    other => Error::usage(
                        "--key",
                        format!(
                            "{} cannot be read after decryption ({other}); add it to ssh-agent (`ssh-add`) and pass its public key as --key",
                            key.display()
                        ),
                    ),
                })?;
            }
            return Ok(Signer::Native(Box::new(private)));
        }
        let public = PublicKey::from_openssh(text.trim()).map_err(|e| {
            Error::usage(
                "--key",
                format!(
                    "{} is neither an OpenSSH private key nor a public key: {e}",
                    key.display()
                ),
            )
        })?;
        Ok(Signer::SshKeygen {
            key_path: key.to_path_buf(),
            public,
        })
    }

    pub fn public_key(&self) -> PublicKey {
        match self {
            Signer::Native(k) => k.public_key().clone(),
            Signer::SshKeygen { public, .. } => public.clone(),
        }
    }

    /// An armored SSH signature (`-----BEGIN SSH SIGNATURE-----`, LF) of `message`.
    pub fn sign(&self, namespace: &str, message: &[u8]) -> Result<String> {
        match self {
            Signer::Native(k) => sign_native(k, namespace, message)
                .and_then(|s| s.to_pem(LineEnding::LF))
                .map_err(|e| Error::Environment(format!("signing failed: {e}"))),
            Signer::SshKeygen { key_path, .. } => {
                let dir = tempfile::tempdir().map_err(|e| Error::io("creating a temp dir", e))?;
                let file = dir.path().join("message");
                std::fs::write(&file, message).map_err(|e| Error::io("writing the message", e))?;
                let out = duct::cmd(
                    "ssh-keygen",
                    [
                        "-Y".as_ref(),
                        "sign".as_ref(),
                        "-f".as_ref(),
                        key_path.as_os_str(),
                        "-n".as_ref(),
                        namespace.as_ref(),
                        file.as_os_str(),
                    ],
                )
                .stderr_capture()
                .stdout_capture()
                .unchecked()
                .run()
                .map_err(|e| Error::Command {
                    command: "ssh-keygen -Y sign".into(),
                    message: e.to_string(),
                })?;
                if !out.status.success() {
                    return Err(Error::Command {
                        command: format!("ssh-keygen -Y sign -f {}", key_path.display()),
                        message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
                    });
                }
                std::fs::read_to_string(dir.path().join("message.sig"))
                    .map_err(|e| Error::io("reading the signature ssh-keygen wrote", e))
            }
        }
    }
}

/// The signer of an unencrypted private key file, by OpenSSH: its public key from
/// `ssh-keygen -y` (which fails, asking nothing, for an encrypted key).
fn keygen_public_of(key: &Path) -> Result<Signer> {
    let out = duct::cmd(
        "ssh-keygen",
        [
            "-y".as_ref(),
            "-P".as_ref(),
            "".as_ref(),
            "-f".as_ref(),
            key.as_os_str(),
        ],
    )
    .stdin_null()
    .stderr_capture()
    .stdout_capture()
    .unchecked()
    .run()
    .map_err(|e| Error::Command {
        command: "ssh-keygen -y".into(),
        message: e.to_string(),
    })?;
    let public = PublicKey::from_openssh(String::from_utf8_lossy(&out.stdout).trim())
        .ok()
        .filter(|_| out.status.success())
        .ok_or_else(|| Error::Command {
            command: format!("ssh-keygen -y -f {}", key.display()),
            message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })?;
    Ok(Signer::SshKeygen {
        key_path: key.to_path_buf(),
        public,
    })
}

/// An SSHSIG (sha512) by a private key held in memory.
fn sign_native(key: &PrivateKey, namespace: &str, message: &[u8]) -> ssh_key::Result<SshSig> {
    let KeypairData::Rsa(pair) = key.key_data() else {
        return key.sign(namespace, HashAlg::Sha512, message);
    };
    // ssh-key 0.6.7 converts an RSA key for signing from the primes (p, p) instead of (p, q)
    // (fixed upstream after 0.6.7: RustCrypto/SSH#217), which rsa >= 0.9.7 rejects as
    // "cryptographic error". Sign with the rsa crate from the right components:
    // RSASSA-PKCS1-v1_5 with SHA-512, i.e. `rsa-sha2-512`, as `ssh-keygen -Y sign` does.
    let int = |m: &ssh_key::Mpint| {
        m.as_positive_bytes()
            .map(rsa::BigUint::from_bytes_be)
            .ok_or(ssh_key::Error::Crypto)
    };
    let private = rsa::RsaPrivateKey::from_components(
        int(&pair.public.n)?,
        int(&pair.public.e)?,
        int(&pair.private.d)?,
        vec![int(&pair.private.p)?, int(&pair.private.q)?],
    )
    .map_err(|_| ssh_key::Error::Crypto)?;
    let data = SshSig::signed_data(namespace, HashAlg::Sha512, message)?;
    let signature = rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(private)
        .try_sign(&data)
        .map_err(|_| ssh_key::Error::Crypto)?;
    let signature = ssh_key::Signature::new(
        Algorithm::Rsa {
            hash: Some(HashAlg::Sha512),
        },
        signature.to_vec(),
    )?;
    SshSig::new(
        key.public_key().key_data().clone(),
        namespace,
        HashAlg::Sha512,
        signature,
    )
}

/// `SHA256:…` fingerprint, as ssh-keygen prints it.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigError {
    Malformed(String),
    WrongNamespace { found: String },
    BadSignature,
}

impl std::fmt::Display for SigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SigError::Malformed(e) => write!(f, "signature file is malformed ({e})"),
            SigError::WrongNamespace { found } => {
                write!(f, "signature has namespace `{found}`, not the expected one")
            }
            SigError::BadSignature => f.write_str("signature does not match the signed file"),
        }
    }
}

/// Verifies an armored signature over `message` in `namespace`; returns the signing key.
pub fn verify(sig_pem: &[u8], namespace: &str, message: &[u8]) -> Result<PublicKey, SigError> {
    let sig = SshSig::from_pem(sig_pem).map_err(|e| SigError::Malformed(e.to_string()))?;
    if sig.namespace() != namespace {
        return Err(SigError::WrongNamespace {
            found: sig.namespace().to_owned(),
        });
    }
    let key = PublicKey::from(sig.public_key().clone());
    key.verify(namespace, message, &sig)
        .map_err(|_| SigError::BadSignature)?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keygen(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
        let path = dir.join(name);
        let out = std::process::Command::new("ssh-keygen")
            .args(["-q", "-N", "", "-f"])
            .arg(&path)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        path
    }

    #[test]
    fn rsa_keys_sign_with_rsa_sha2_512() {
        let dir = tempfile::tempdir().unwrap();
        let key = keygen(dir.path(), "rsa", &["-t", "rsa", "-b", "2048"]);
        let signer = Signer::load(&key, None).unwrap();
        assert!(matches!(signer, Signer::Native(_)));
        let sig = signer.sign(APPROVAL_NAMESPACE, b"record").unwrap();
        let parsed = SshSig::from_pem(&sig).unwrap();
        assert_eq!(
            parsed.algorithm(),
            Algorithm::Rsa {
                hash: Some(HashAlg::Sha512)
            }
        );
        let public = verify(sig.as_bytes(), APPROVAL_NAMESPACE, b"record").unwrap();
        assert_eq!(public.key_data(), signer.public_key().key_data());
        assert_eq!(
            verify(sig.as_bytes(), APPROVAL_NAMESPACE, b"other"),
            Err(SigError::BadSignature)
        );
    }

    #[test]
    fn p521_keys_ssh_key_cannot_read_are_signed_by_ssh_keygen() {
        let dir = tempfile::tempdir().unwrap();
        // About half of all P-521 keys have a private scalar with a leading zero byte, which
        // ssh-key 0.6.7 cannot read; find one (the chance of 64 misses is 2^-64).
        let unreadable = (0..64)
            .map(|i| {
                keygen(
                    dir.path(),
                    &format!("p521-{i}"),
                    &["-t", "ecdsa", "-b", "521"],
                )
            })
            .find(|k| PrivateKey::from_openssh(std::fs::read_to_string(k).unwrap()).is_err())
            .expect("a P-521 key ssh-key cannot read");
        let signer = Signer::load(&unreadable, None).unwrap();
        assert!(matches!(signer, Signer::SshKeygen { .. }));
        let sig = signer.sign(ARTIFACT_NAMESPACE, b"sums").unwrap();
        let public = verify(sig.as_bytes(), ARTIFACT_NAMESPACE, b"sums").unwrap();
        assert_eq!(public.key_data(), signer.public_key().key_data());
    }
}
