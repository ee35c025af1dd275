//! Raw signatures for DSSE by the release signer's SSH key, in the encodings DSSE
//! implementations use: Ed25519 (64 bytes), ECDSA P-256/P-384/P-521 (ASN.1 DER, SHA-256/384/512
//! as OpenSSH pairs them with the curve), RSA (RSASSA-PKCS1-v1_5 with SHA-256). Verification
//! takes a public key from the allowed_signers file the verifier chose.

use rsa::signature::{SignatureEncoding, Signer as _, Verifier as _};
use ssh_key::private::KeypairData;
use ssh_key::public::KeyData;
use ssh_key::{Algorithm, PrivateKey, PublicKey, Signature};

/// The signature scheme a key signs DSSE payloads with (securesystemslib's scheme names), or
/// `None` for key types we do not sign DSSE with (DSA, security keys).
pub fn scheme(key: &PublicKey) -> Option<&'static str> {
    match key.key_data() {
        KeyData::Ed25519(_) => Some("ed25519"),
        KeyData::Ecdsa(k) => Some(match k.curve() {
            ssh_key::EcdsaCurve::NistP256 => "ecdsa-sha2-nistp256",
            ssh_key::EcdsaCurve::NistP384 => "ecdsa-sha2-nistp384",
            ssh_key::EcdsaCurve::NistP521 => "ecdsa-sha2-nistp521",
        }),
        KeyData::Rsa(_) => Some("rsa-pkcs1v15-sha256"),
        _ => None,
    }
}

/// Signs `message` (a DSSE PAE) with the private key.
pub fn sign(key: &PrivateKey, message: &[u8]) -> Result<Vec<u8>, String> {
    let fail = |e: &dyn std::fmt::Display| format!("signing failed: {e}");
    match key.key_data() {
        KeypairData::Ed25519(_) | KeypairData::Ecdsa(_) => {
            let sig: Signature = key.key_data().try_sign(message).map_err(|e| fail(&e))?;
            if let Algorithm::Ecdsa { .. } = sig.algorithm() {
                let (r, s) = ssh_ecdsa_parts(sig.as_bytes()).ok_or("malformed ECDSA signature")?;
                Ok(der_signature(r, s))
            } else {
                Ok(sig.as_bytes().to_vec())
            }
        }
        KeypairData::Rsa(pair) => {
            let int = |m: &ssh_key::Mpint| {
                m.as_positive_bytes()
                    .map(rsa::BigUint::from_bytes_be)
                    .ok_or("malformed RSA key")
            };
            let private = rsa::RsaPrivateKey::from_components(
                int(&pair.public.n)?,
                int(&pair.public.e)?,
                int(&pair.private.d)?,
                vec![int(&pair.private.p)?, int(&pair.private.q)?],
            )
            .map_err(|e| fail(&e))?;
            let sig = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(private)
                .try_sign(message)
                .map_err(|e| fail(&e))?;
            Ok(sig.to_vec())
        }
        other => Err(format!(
            "a {} key cannot sign DSSE attestations",
            other.algorithm().map(|a| a.to_string()).unwrap_or_default()
        )),
    }
}

/// Whether `sig` is `key`'s signature of `message`.
pub fn verify(key: &PublicKey, message: &[u8], sig: &[u8]) -> bool {
    match key.key_data() {
        KeyData::Ed25519(_) => Signature::new(Algorithm::Ed25519, sig.to_vec())
            .is_ok_and(|s| key.key_data().verify(message, &s).is_ok()),
        KeyData::Ecdsa(k) => {
            let Some((r, s)) = der_parts(sig) else {
                return false;
            };
            let mut data = Vec::new();
            mpint(&mut data, r);
            mpint(&mut data, s);
            Signature::new(Algorithm::Ecdsa { curve: k.curve() }, data)
                .is_ok_and(|s| key.key_data().verify(message, &s).is_ok())
        }
        KeyData::Rsa(k) => {
            let (Some(n), Some(e)) = (k.n.as_positive_bytes(), k.e.as_positive_bytes()) else {
                return false;
            };
            let Ok(public) = rsa::RsaPublicKey::new(
                rsa::BigUint::from_bytes_be(n),
                rsa::BigUint::from_bytes_be(e),
            ) else {
                return false;
            };
            rsa::pkcs1v15::Signature::try_from(sig).is_ok_and(|s| {
                rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(public)
                    .verify(message, &s)
                    .is_ok()
            })
        }
        _ => false,
    }
}

/// `r` and `s` of an SSH ECDSA signature blob (`mpint r`, `mpint s`).
fn ssh_ecdsa_parts(blob: &[u8]) -> Option<(&[u8], &[u8])> {
    fn take(b: &[u8]) -> Option<(&[u8], usize)> {
        let len = u32::from_be_bytes(b.get(..4)?.try_into().ok()?) as usize;
        Some((b.get(4..4usize.checked_add(len)?)?, 4 + len))
    }
    let (r, used) = take(blob)?;
    let (s, used2) = take(&blob[used..])?;
    (used + used2 == blob.len()).then_some((r, s))
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[first..]
}

/// An SSH mpint of a positive integer given big-endian.
fn mpint(out: &mut Vec<u8>, b: &[u8]) {
    let b = strip_zeros(b);
    let pad = b.first().is_some_and(|&x| x & 0x80 != 0);
    out.extend_from_slice(&((b.len() + usize::from(pad)) as u32).to_be_bytes());
    if pad {
        out.push(0);
    }
    out.extend_from_slice(b);
}

fn der_len(out: &mut Vec<u8>, n: usize) {
    if n < 0x80 {
        out.push(n as u8);
    } else {
        out.extend_from_slice(&[0x81, n as u8]);
    }
}

/// ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }` (ECDSA-Sig-Value).
fn der_signature(r: &[u8], s: &[u8]) -> Vec<u8> {
    let int = |b: &[u8]| {
        let b = strip_zeros(b);
        let mut v = vec![0x02];
        let pad = b.is_empty() || b[0] & 0x80 != 0;
        der_len(&mut v, b.len() + usize::from(pad));
        if pad {
            v.push(0);
        }
        v.extend_from_slice(b);
        v
    };
    let body = [int(r), int(s)].concat();
    let mut out = vec![0x30];
    der_len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

/// `r` and `s` of a DER ECDSA-Sig-Value; `None` unless it is exactly that.
fn der_parts(der: &[u8]) -> Option<(&[u8], &[u8])> {
    fn header(b: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
        if *b.first()? != tag {
            return None;
        }
        let (len, rest) = match *b.get(1)? {
            n if n < 0x80 => (n as usize, b.get(2..)?),
            0x81 => (*b.get(2)? as usize, b.get(3..)?),
            _ => return None,
        };
        Some((rest.get(..len)?, rest.get(len..)?))
    }
    let (body, rest) = header(der, 0x30)?;
    let (r, body) = header(body, 0x02)?;
    let (s, body) = header(body, 0x02)?;
    (rest.is_empty() && body.is_empty()).then_some((r, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_round_trip() {
        let r = [0x80u8; 32];
        let s = [0x01u8; 66];
        let der = der_signature(&r, &s);
        let (r2, s2) = der_parts(&der).unwrap();
        assert_eq!(strip_zeros(r2), &r[..]);
        assert_eq!(s2, &s[..]);
        assert!(der_parts(&der[..der.len() - 1]).is_none());
    }
}
