//! DSSE envelopes (secure-systems-lab/dsse `envelope.md`, `protocol.md`): the payload signed
//! over its pre-authentication encoding (PAE), so the payload type is signed too.

use base64ct::Encoding;
use serde::{Deserialize, Serialize};

/// The in-toto payload type.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// Base64 of the payload bytes.
    pub payload: String,
    pub signatures: Vec<EnvelopeSignature>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// Unauthenticated hint: the SSH key's fingerprint (`SHA256:…`). Emitted always, since
    /// some verifiers (securesystemslib) only try the key whose id it names.
    #[serde(default)]
    pub keyid: String,
    /// Base64 of the signature over the PAE.
    pub sig: String,
}

/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in decimal bytes.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

pub fn encode(bytes: &[u8]) -> String {
    base64ct::Base64::encode_string(bytes)
}

/// Decodes standard or URL-safe base64, padded or not (DSSE verifiers must accept both).
pub fn decode(text: &str) -> Option<Vec<u8>> {
    base64ct::Base64::decode_vec(text)
        .or_else(|_| base64ct::Base64Unpadded::decode_vec(text))
        .or_else(|_| base64ct::Base64Url::decode_vec(text))
        .or_else(|_| base64ct::Base64UrlUnpadded::decode_vec(text))
        .ok()
}

/// A signature's bytes (`None`: not base64).
pub type Decoded = Option<Vec<u8>>;

impl Envelope {
    /// An envelope of `payload` with one signature made by `sign` over the PAE.
    pub fn sign(
        payload: &[u8],
        keyid: &str,
        sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, String>,
    ) -> Result<Envelope, String> {
        let sig = sign(&pae(PAYLOAD_TYPE, payload))?;
        Ok(Envelope {
            payload_type: PAYLOAD_TYPE.to_owned(),
            payload: encode(payload),
            signatures: vec![EnvelopeSignature {
                keyid: keyid.to_owned(),
                sig: encode(&sig),
            }],
        })
    }

    /// The payload bytes, and for each signature its decoded bytes (`None`: not base64).
    pub fn open(&self) -> Option<(Vec<u8>, Vec<Decoded>)> {
        let payload = decode(&self.payload)?;
        let sigs = self.signatures.iter().map(|s| decode(&s.sig)).collect();
        Some((payload, sigs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_is_the_protocol_example() {
        // secure-systems-lab/dsse protocol.md test vector.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }

    #[test]
    fn decode_accepts_both_alphabets() {
        assert_eq!(decode("-_8").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(decode("+/8=").unwrap(), vec![0xfb, 0xff]);
        assert!(decode("not base64!").is_none());
    }
}
