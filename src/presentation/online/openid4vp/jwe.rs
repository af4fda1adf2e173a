//! JWE decryption for encrypted OpenID4VP responses (`direct_post.jwt`,
//! `dc_api.jwt`, OpenID4VP 1.0 §8.3): compact serialization (RFC 7516 §7.1),
//! `alg` = `ECDH-ES` direct key agreement on P-256 (RFC 7518 §4.6), `enc` =
//! `A128GCM` or `A256GCM` (RFC 7518 §5.3).
//!
//! Composed from the crypto backend (ECDH), SHA-256 (the Concat KDF of NIST
//! SP 800-56A §5.8.1 as profiled by RFC 7518 §4.6.2) and AES-GCM; no JOSE
//! crate without OpenSSL does this through kakunin's backends.
//!
//! Errors: an `alg` other than `ECDH-ES`, an `enc` other than
//! `A128GCM`/`A256GCM`, `zip` or `crit` → `unsupported_algorithm`; a
//! malformed token or header → `structure_invalid`; an `epk` not on the
//! curve, a failed key agreement or a GCM tag that does not verify →
//! `jwe_decrypt_failed`.

use base64::Engine;
use zeroize::{Zeroize, Zeroizing};

use super::{p256_public_from_jwk, EncryptionKey, B64URL};
use crate::crypto;
use crate::error::{err, Error, ErrorCode};
use crate::limits::Limits;

/// Content encryption algorithms accepted (RFC 7518 §5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentEncryption {
    /// AES-128-GCM.
    A128Gcm,
    /// AES-256-GCM.
    A256Gcm,
}

impl ContentEncryption {
    /// The JOSE `enc` name.
    pub fn name(self) -> &'static str {
        match self {
            ContentEncryption::A128Gcm => "A128GCM",
            ContentEncryption::A256Gcm => "A256GCM",
        }
    }

    /// From the JOSE `enc` name.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "A128GCM" => Some(ContentEncryption::A128Gcm),
            "A256GCM" => Some(ContentEncryption::A256Gcm),
            _ => None,
        }
    }

    /// The key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            ContentEncryption::A128Gcm => 16,
            ContentEncryption::A256Gcm => 32,
        }
    }
}

/// A decrypted JWE: the plaintext (zeroized on drop) and what the protected
/// header said.
pub struct Decrypted {
    /// The plaintext.
    pub plaintext: Zeroizing<Vec<u8>>,
    /// The content encryption used.
    pub enc: ContentEncryption,
    /// `apu` (Agreement PartyUInfo), decoded; empty when absent.
    pub apu: Vec<u8>,
    /// `apv` (Agreement PartyVInfo), decoded; empty when absent.
    pub apv: Vec<u8>,
    /// `kid` of the protected header, if any.
    pub kid: Option<String>,
}

impl core::fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Decrypted")
            .field("enc", &self.enc)
            .field("plaintext_len", &self.plaintext.len())
            .finish_non_exhaustive()
    }
}

fn structure(m: impl Into<String>) -> Error {
    err(ErrorCode::StructureInvalid, format!("JWE: {}", m.into()))
}

fn failed(m: &str) -> Error {
    err(ErrorCode::JweDecryptFailed, format!("JWE: {m}"))
}

fn part(s: &str, name: &str) -> Result<Vec<u8>, Error> {
    B64URL
        .decode(s)
        .map_err(|_| structure(format!("{name} is not base64url without padding")))
}

/// Concat KDF (NIST SP 800-56A §5.8.1, one SHA-256 round) for ECDH-ES
/// direct key agreement (RFC 7518 §4.6.2): `SHA-256(00000001 ‖ Z ‖
/// AlgorithmID ‖ PartyUInfo ‖ PartyVInfo ‖ SuppPubInfo)` where AlgorithmID is
/// the `enc` value, each prefixed by its 32-bit big-endian length, and
/// SuppPubInfo is the key length in bits; truncated to the key length.
pub(crate) fn concat_kdf(z: &[u8], enc: ContentEncryption, apu: &[u8], apv: &[u8]) -> Zeroizing<Vec<u8>> {
    let len32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes();
    let alg = enc.name().as_bytes();
    let mut input = Zeroizing::new(Vec::with_capacity(4 + z.len() + 16 + alg.len() + apu.len() + apv.len()));
    input.extend_from_slice(&1u32.to_be_bytes());
    input.extend_from_slice(z);
    input.extend_from_slice(&len32(alg.len()));
    input.extend_from_slice(alg);
    input.extend_from_slice(&len32(apu.len()));
    input.extend_from_slice(apu);
    input.extend_from_slice(&len32(apv.len()));
    input.extend_from_slice(apv);
    input.extend_from_slice(&len32(enc.key_len() * 8));
    let mut digest = crypto::sha256(&input);
    let key = Zeroizing::new(digest.get(..enc.key_len()).unwrap_or_default().to_vec());
    digest.zeroize();
    key
}

/// Decrypts a JWE in compact serialization with the verifier's key.
pub fn decrypt(compact: &str, key: &EncryptionKey) -> Result<Decrypted, Error> {
    if compact.len() > Limits::DEFAULT.max_input_bytes {
        return Err(structure("token exceeds the input size limit"));
    }
    let mut parts = compact.trim().split('.');
    let (Some(h64), Some(ek64), Some(iv64), Some(ct64), Some(tag64), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(structure("compact serialization needs exactly five parts"));
    };
    let header_bytes = part(h64, "protected header")?;
    let header: serde_json::Value =
        serde_json::from_slice(&header_bytes).map_err(|e| structure(format!("protected header: {e}")))?;
    let header = header
        .as_object()
        .ok_or_else(|| structure("protected header is not a JSON object"))?;
    let text = |name: &str| header.get(name).and_then(serde_json::Value::as_str);
    match text("alg") {
        Some("ECDH-ES") => {}
        Some(other) => {
            return Err(err(
                ErrorCode::UnsupportedAlgorithm,
                format!("JWE alg {other:?}: only ECDH-ES is supported"),
            ))
        }
        None => return Err(structure("protected header without a string \"alg\"")),
    }
    let enc = match text("enc") {
        Some(e) => ContentEncryption::from_name(e).ok_or_else(|| {
            err(
                ErrorCode::UnsupportedAlgorithm,
                format!("JWE enc {e:?}: only A128GCM and A256GCM are supported"),
            )
        })?,
        None => return Err(structure("protected header without a string \"enc\"")),
    };
    if header.contains_key("zip") {
        return Err(err(
            ErrorCode::UnsupportedAlgorithm,
            "JWE: compression (zip) is not supported",
        ));
    }
    if header.contains_key("crit") {
        return Err(err(
            ErrorCode::UnsupportedAlgorithm,
            "JWE: no critical header extension is supported",
        ));
    }
    if !ek64.is_empty() {
        return Err(structure("ECDH-ES direct key agreement has an empty encrypted key"));
    }
    let opt_b64 = |name: &str| -> Result<Vec<u8>, Error> {
        match header.get(name) {
            None => Ok(Vec::new()),
            Some(serde_json::Value::String(s)) => part(s, name),
            Some(_) => Err(structure(format!("\"{name}\" is not a string"))),
        }
    };
    let apu = opt_b64("apu")?;
    let apv = opt_b64("apv")?;
    let epk = header
        .get("epk")
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| structure("protected header without an \"epk\" object"))?;
    let epk = p256_public_from_jwk(epk, ErrorCode::JweDecryptFailed).map_err(|e| e.context("JWE epk"))?;
    let iv = part(iv64, "initialization vector")?;
    let iv: [u8; 12] = iv
        .as_slice()
        .try_into()
        .map_err(|_| failed("initialization vector is not 96 bits"))?;
    let ciphertext = part(ct64, "ciphertext")?;
    let tag = part(tag64, "authentication tag")?;
    if tag.len() != 16 {
        return Err(failed("authentication tag is not 128 bits"));
    }
    let z = key
        .private_key()
        .ecdh(&epk)
        .ok_or_else(|| failed("ECDH key agreement failed"))?;
    let cek = concat_kdf(&z, enc, &apu, &apv);
    // RFC 7516 §5.2 step 14: AAD = ASCII(BASE64URL(UTF8(JWE Protected Header))).
    let plaintext = crypto::aes_gcm_decrypt_detached(&cek, &iv, &ciphertext, &tag, h64.as_bytes())
        .ok_or_else(|| failed("AES-GCM authentication failed (wrong key or altered token)"))?;
    Ok(Decrypted {
        plaintext,
        enc,
        apu,
        apv,
        kid: text("kid").map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_kdf_matches_rfc7518_appendix_c() {
        // RFC 7518 Appendix C: ECDH-ES, enc A128GCM, apu "Alice", apv "Bob".
        let z = [
            158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49, 110, 163, 218, 128,
            106, 72, 246, 218, 167, 121, 140, 254, 144, 196,
        ];
        let k = concat_kdf(&z, ContentEncryption::A128Gcm, b"Alice", b"Bob");
        assert_eq!(
            k.as_slice(),
            &[86, 170, 141, 234, 248, 35, 109, 32, 92, 34, 40, 205, 113, 167, 16, 26]
        );
    }
}
