//! The pure-Rust backend: RustCrypto `p256`/`p384`/`p521`/`ecdsa`,
//! `ed25519-dalek`, `sha2`; HMAC (RFC 2104) and HKDF (RFC 5869) are written
//! here on top of `sha2` so that their keyed intermediates can be wiped (the
//! `hmac` and `hkdf` 0.12 crates keep them in state they never zeroize).

// Under `aws-lc` only the parsing and Ed25519 parts of this backend are used.
#![cfg_attr(feature = "aws-lc", allow(dead_code))]

use super::{Curve, Digest, DigestAlgorithm, SignatureAlgorithm, X509SignatureAlgorithm};
use ecdsa::signature::hazmat::PrehashVerifier;
use ecdsa::signature::Verifier;
use sha2::Digest as _;
use zeroize::Zeroizing;

pub(crate) fn digest(alg: DigestAlgorithm, data: &[u8]) -> Digest {
    match alg {
        DigestAlgorithm::Sha256 => Digest::from_slice(&sha2::Sha256::digest(data)),
        DigestAlgorithm::Sha384 => Digest::from_slice(&sha2::Sha384::digest(data)),
        DigestAlgorithm::Sha512 => Digest::from_slice(&sha2::Sha512::digest(data)),
    }
}

/// A parsed public key (parsed once, used many times).
#[derive(Clone)]
pub(crate) enum PublicKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(Box<p521::ecdsa::VerifyingKey>),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl core::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "PublicKey({}, {})",
            self.curve().name(),
            hex::encode(self.to_bytes())
        )
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.curve() == other.curve() && self.to_bytes() == other.to_bytes()
    }
}

impl PublicKey {
    /// Parses a SEC1 encoded point (or a raw 32-byte Ed25519 key).
    pub(crate) fn from_bytes(curve: Curve, bytes: &[u8]) -> Option<Self> {
        Some(match curve {
            Curve::P256 => PublicKey::P256(p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes).ok()?),
            Curve::P384 => PublicKey::P384(p384::ecdsa::VerifyingKey::from_sec1_bytes(bytes).ok()?),
            Curve::P521 => PublicKey::P521(Box::new(p521::ecdsa::VerifyingKey::from_sec1_bytes(bytes).ok()?)),
            Curve::Ed25519 => {
                let arr: [u8; 32] = bytes.try_into().ok()?;
                PublicKey::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(&arr).ok()?)
            }
        })
    }

    pub(crate) fn curve(&self) -> Curve {
        match self {
            PublicKey::P256(_) => Curve::P256,
            PublicKey::P384(_) => Curve::P384,
            PublicKey::P521(_) => Curve::P521,
            PublicKey::Ed25519(_) => Curve::Ed25519,
        }
    }

    /// Uncompressed SEC1 point, or the raw Ed25519 key.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        match self {
            PublicKey::P256(k) => k.to_encoded_point(false).as_bytes().to_vec(),
            PublicKey::P384(k) => k.to_encoded_point(false).as_bytes().to_vec(),
            PublicKey::P521(k) => k.to_encoded_point(false).as_bytes().to_vec(),
            PublicKey::Ed25519(k) => k.as_bytes().to_vec(),
        }
    }

    /// Verifies a COSE signature (fixed-size `r‖s` for ECDSA, RFC 9053 §2.1).
    /// The caller has checked that `alg` matches this key's curve.
    pub(crate) fn verify_cose(&self, alg: SignatureAlgorithm, msg: &[u8], sig: &[u8]) -> bool {
        match (self, alg) {
            (PublicKey::P256(k), SignatureAlgorithm::Es256) => p256::ecdsa::Signature::from_slice(sig)
                .map(|s| k.verify(msg, &s).is_ok())
                .unwrap_or(false),
            (PublicKey::P384(k), SignatureAlgorithm::Es384) => p384::ecdsa::Signature::from_slice(sig)
                .map(|s| k.verify(msg, &s).is_ok())
                .unwrap_or(false),
            (PublicKey::P521(k), SignatureAlgorithm::Es512) => p521::ecdsa::Signature::from_slice(sig)
                .map(|s| k.verify(msg, &s).is_ok())
                .unwrap_or(false),
            (PublicKey::Ed25519(k), SignatureAlgorithm::EdDsa) => match <[u8; 64]>::try_from(sig) {
                Ok(arr) => k
                    .verify_strict(msg, &ed25519_dalek::Signature::from_bytes(&arr))
                    .is_ok(),
                Err(_) => false,
            },
            _ => false,
        }
    }

    /// Verifies an X.509 signature (DER-encoded ECDSA, or Ed25519) over `msg`.
    pub(crate) fn verify_x509(&self, alg: X509SignatureAlgorithm, msg: &[u8], sig: &[u8]) -> bool {
        match (self, alg) {
            (PublicKey::Ed25519(k), X509SignatureAlgorithm::Ed25519) => match <[u8; 64]>::try_from(sig) {
                Ok(arr) => k
                    .verify_strict(msg, &ed25519_dalek::Signature::from_bytes(&arr))
                    .is_ok(),
                Err(_) => false,
            },
            (PublicKey::Ed25519(_), _) | (_, X509SignatureAlgorithm::Ed25519) => false,
            (k, X509SignatureAlgorithm::Ecdsa(h)) => {
                let d = digest(h, msg);
                let prehash = d.as_bytes();
                match k {
                    PublicKey::P256(k) => p256::ecdsa::Signature::from_der(sig)
                        .map(|s| k.verify_prehash(prehash, &s).is_ok())
                        .unwrap_or(false),
                    PublicKey::P384(k) => p384::ecdsa::Signature::from_der(sig)
                        .map(|s| k.verify_prehash(prehash, &s).is_ok())
                        .unwrap_or(false),
                    PublicKey::P521(k) => {
                        // ECDSA takes a hash shorter than the order whole, as
                        // an integer (FIPS 186-5 §6.4.1), but `ecdsa` refuses
                        // prehashes under half the field size: hand it the
                        // same integer left-padded, so that ecdsa-with-SHA256
                        // (RFC 5758 §3.2) verifies on P-521 too.
                        let mut z = [0u8; 66];
                        z.iter_mut().rev().zip(prehash.iter().rev()).for_each(|(d, s)| *d = *s);
                        p521::ecdsa::Signature::from_der(sig)
                            .map(|s| k.verify_prehash(&z, &s).is_ok())
                            .unwrap_or(false)
                    }
                    PublicKey::Ed25519(_) => false,
                }
            }
        }
    }
}

/// A private key for ECDH (the reader's ephemeral key). Zeroized on drop by
/// the underlying crates.
#[derive(Clone)]
pub(crate) enum PrivateKey {
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    P521(p521::SecretKey),
}

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PrivateKey({})", self.curve().name())
    }
}

impl PrivateKey {
    pub(crate) fn curve(&self) -> Curve {
        match self {
            PrivateKey::P256(_) => Curve::P256,
            PrivateKey::P384(_) => Curve::P384,
            PrivateKey::P521(_) => Curve::P521,
        }
    }

    /// From a big-endian scalar.
    pub(crate) fn from_scalar(curve: Curve, d: &[u8]) -> Option<Self> {
        Some(match curve {
            Curve::P256 => PrivateKey::P256(p256::SecretKey::from_slice(d).ok()?),
            Curve::P384 => PrivateKey::P384(p384::SecretKey::from_slice(d).ok()?),
            Curve::P521 => PrivateKey::P521(p521::SecretKey::from_slice(d).ok()?),
            Curve::Ed25519 => return None,
        })
    }

    /// From PKCS#8 or SEC1 DER.
    pub(crate) fn from_der(der: &[u8]) -> Option<Self> {
        use p256::pkcs8::DecodePrivateKey;
        if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
            return Some(PrivateKey::P256(k));
        }
        if let Ok(k) = p384::SecretKey::from_pkcs8_der(der) {
            return Some(PrivateKey::P384(k));
        }
        if let Ok(k) = p521::SecretKey::from_pkcs8_der(der) {
            return Some(PrivateKey::P521(k));
        }
        if let Ok(k) = p256::SecretKey::from_sec1_der(der) {
            return Some(PrivateKey::P256(k));
        }
        if let Ok(k) = p384::SecretKey::from_sec1_der(der) {
            return Some(PrivateKey::P384(k));
        }
        if let Ok(k) = p521::SecretKey::from_sec1_der(der) {
            return Some(PrivateKey::P521(k));
        }
        None
    }

    /// The big-endian private scalar (for handing the key to another backend
    /// or to HPKE, or persisting a verifier's key).
    pub(crate) fn scalar_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(match self {
            PrivateKey::P256(k) => k.to_bytes().to_vec(),
            PrivateKey::P384(k) => k.to_bytes().to_vec(),
            PrivateKey::P521(k) => k.to_bytes().to_vec(),
        })
    }

    /// The matching public key.
    pub(crate) fn public_key(&self) -> PublicKey {
        match self {
            PrivateKey::P256(k) => PublicKey::P256(p256::ecdsa::VerifyingKey::from(k.public_key())),
            PrivateKey::P384(k) => PublicKey::P384(p384::ecdsa::VerifyingKey::from(k.public_key())),
            PrivateKey::P521(k) => PublicKey::P521(Box::new(p521::ecdsa::VerifyingKey::from(ecdsa::VerifyingKey::<
                p521::NistP521,
            >::from(
                k.public_key()
            )))),
        }
    }

    /// ECDH: the x-coordinate of the shared point (SEC 1 §3.3.1), or `None`
    /// when the peer key is on another curve.
    pub(crate) fn ecdh(&self, peer: &PublicKey) -> Option<Zeroizing<Vec<u8>>> {
        match (self, peer) {
            (PrivateKey::P256(s), PublicKey::P256(p)) => {
                let ss = p256::ecdh::diffie_hellman(s.to_nonzero_scalar(), p.as_affine());
                Some(Zeroizing::new(ss.raw_secret_bytes().to_vec()))
            }
            (PrivateKey::P384(s), PublicKey::P384(p)) => {
                let ss = p384::ecdh::diffie_hellman(s.to_nonzero_scalar(), p.as_affine());
                Some(Zeroizing::new(ss.raw_secret_bytes().to_vec()))
            }
            (PrivateKey::P521(s), PublicKey::P521(p)) => {
                let point = p.to_encoded_point(false);
                let pk = p521::PublicKey::from_sec1_bytes(point.as_bytes()).ok()?;
                let ss = p521::ecdh::diffie_hellman(s.to_nonzero_scalar(), pk.as_affine());
                Some(Zeroizing::new(ss.raw_secret_bytes().to_vec()))
            }
            _ => None,
        }
    }
}

/// SHA-256 block size in bytes (the HMAC key block, RFC 2104 §2).
const SHA256_BLOCK: usize = 64;

/// HMAC-SHA256 (RFC 2104) over the concatenation of `parts`, into `out`.
///
/// Every keyed intermediate is wiped: the key block and the ipad/opad blocks
/// live in `Zeroizing` buffers, the inner hash too, and the hasher is always
/// finalized with reset, which overwrites its chaining value (derived from
/// the key after the first block) with the SHA-256 initial value. SHA-256
/// processes a full block as soon as it has one, so the key block never
/// stays in the hasher's buffer.
fn hmac_sha256(key: &[u8], parts: &[&[u8]], out: &mut [u8; 32]) {
    let mut h = sha2::Sha256::new();
    let mut k = Zeroizing::new([0u8; SHA256_BLOCK]);
    if key.len() > SHA256_BLOCK {
        let mut hk = Zeroizing::new([0u8; 32]);
        h.update(key);
        h.finalize_into_reset((&mut *hk).into());
        k.iter_mut().zip(hk.iter()).for_each(|(d, s)| *d = *s);
    } else {
        k.iter_mut().zip(key).for_each(|(d, s)| *d = *s);
    }
    let mut pad = Zeroizing::new([0u8; SHA256_BLOCK]);
    pad.iter_mut().zip(k.iter()).for_each(|(p, b)| *p = b ^ 0x36);
    h.update(pad.as_slice());
    for p in parts {
        h.update(p);
    }
    let mut inner = Zeroizing::new([0u8; 32]);
    h.finalize_into_reset((&mut *inner).into());
    pad.iter_mut().zip(k.iter()).for_each(|(p, b)| *p = b ^ 0x5c);
    h.update(pad.as_slice());
    h.update(inner.as_slice());
    h.finalize_into_reset(out.into());
}

/// HKDF-SHA256 (RFC 5869 §2.2–2.3) into `out`; `false` when `out` is longer
/// than 255 blocks. The pseudorandom key and every T(i) are wiped.
pub(crate) fn hkdf_sha256(ikm: &[u8], salt: &[u8], info: &[u8], out: &mut [u8]) -> bool {
    if out.len() > 255 * 32 {
        return false;
    }
    // An absent salt is HashLen zero bytes; as an HMAC key that is the same
    // as the empty key (both are zero-padded to the block).
    let mut prk = Zeroizing::new([0u8; 32]);
    hmac_sha256(salt, &[ikm], &mut prk);
    let mut t = Zeroizing::new([0u8; 32]);
    let mut next = Zeroizing::new([0u8; 32]);
    for (i, chunk) in out.chunks_mut(32).enumerate() {
        let counter = [u8::try_from(i + 1).unwrap_or(u8::MAX)];
        let previous: &[u8] = if i == 0 { &[] } else { t.as_slice() };
        hmac_sha256(prk.as_slice(), &[previous, info, &counter], &mut next);
        chunk.iter_mut().zip(next.iter()).for_each(|(d, s)| *d = *s);
        t.copy_from_slice(next.as_slice());
    }
    true
}

/// HMAC-SHA256 over `data`, compared with `tag` in constant time (`subtle`).
/// A tag of any length other than 32 bytes does not verify.
pub(crate) fn hmac_sha256_verify(key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    let mut expected = Zeroizing::new([0u8; 32]);
    hmac_sha256(key, &[data], &mut expected);
    tag.len() == expected.len() && bool::from(expected.as_slice().ct_eq(tag))
}

/// Fresh private key on `curve` from the operating system's CSPRNG
/// (`rand_core::OsRng`), for the reader's ephemeral key (ISO 18013-5 §9.1.1.4).
pub(crate) fn generate_private_key(curve: Curve) -> Option<PrivateKey> {
    let mut rng = rand_core::OsRng;
    Some(match curve {
        Curve::P256 => PrivateKey::P256(p256::SecretKey::random(&mut rng)),
        Curve::P384 => PrivateKey::P384(p384::SecretKey::random(&mut rng)),
        Curve::P521 => PrivateKey::P521(p521::SecretKey::random(&mut rng)),
        Curve::Ed25519 => return None,
    })
}

impl PrivateKey {
    /// An ECDSA signature in COSE form (fixed-size `r‖s`, RFC 9053 §2.1) over
    /// `msg`, hashed with the curve's COSE hash (ES256/ES384/ES512).
    /// Deterministic nonces (RFC 6979).
    pub(crate) fn sign_cose(&self, msg: &[u8]) -> Option<(SignatureAlgorithm, Vec<u8>)> {
        use ecdsa::signature::Signer;
        Some(match self {
            PrivateKey::P256(k) => {
                let s: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(k).try_sign(msg).ok()?;
                (SignatureAlgorithm::Es256, s.to_bytes().to_vec())
            }
            PrivateKey::P384(k) => {
                let s: p384::ecdsa::Signature = p384::ecdsa::SigningKey::from(k).try_sign(msg).ok()?;
                (SignatureAlgorithm::Es384, s.to_bytes().to_vec())
            }
            PrivateKey::P521(k) => {
                let sk = p521::ecdsa::SigningKey::from_slice(&k.to_bytes()).ok()?;
                let s: p521::ecdsa::Signature = sk.try_sign(msg).ok()?;
                (SignatureAlgorithm::Es512, s.to_bytes().to_vec())
            }
        })
    }
}

/// AES-256-GCM encryption (NIST SP 800-38D) with a 12-byte IV, no AAD;
/// returns ciphertext ‖ 16-byte tag.
pub(crate) fn aes256gcm_encrypt(key: &[u8; 32], iv: &[u8; 12], plaintext: &[u8]) -> Option<Vec<u8>> {
    use aes_gcm::aead::{Aead, KeyInit};
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(key).ok()?;
    cipher.encrypt(&aes_gcm::Nonce::from(*iv), plaintext).ok()
}

/// AES-256-GCM decryption of ciphertext ‖ tag; `None` when the tag does not
/// verify (the crate compares tags in constant time).
pub(crate) fn aes256gcm_decrypt(key: &[u8; 32], iv: &[u8; 12], ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    use aes_gcm::aead::{Aead, KeyInit};
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(key).ok()?;
    cipher
        .decrypt(&aes_gcm::Nonce::from(*iv), ciphertext)
        .ok()
        .map(Zeroizing::new)
}

/// AES-GCM decryption with a 16- or 32-byte key (AES-128/AES-256), a 12-byte
/// IV, a detached 16-byte tag and additional authenticated data (NIST SP
/// 800-38D; the JWE `A128GCM`/`A256GCM` content encryption of RFC 7518 §5.3).
/// `None` when the key or tag length is wrong or the tag does not verify (the
/// crate compares tags in constant time).
pub(crate) fn aes_gcm_decrypt_detached(
    key: &[u8],
    iv: &[u8; 12],
    ciphertext: &[u8],
    tag: &[u8],
    aad: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    use aes_gcm::aead::{AeadInPlace, KeyInit};
    if tag.len() != 16 {
        return None;
    }
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let nonce = aes_gcm::Nonce::from(*iv);
    let mut t = aes_gcm::Tag::default();
    t.copy_from_slice(tag);
    let tag = &t;
    let ok = match key.len() {
        16 => aes_gcm::Aes128Gcm::new_from_slice(key)
            .ok()?
            .decrypt_in_place_detached(&nonce, aad, &mut buf, tag)
            .is_ok(),
        32 => aes_gcm::Aes256Gcm::new_from_slice(key)
            .ok()?
            .decrypt_in_place_detached(&nonce, aad, &mut buf, tag)
            .is_ok(),
        _ => false,
    };
    ok.then_some(buf)
}
