//! The optional `aws-lc` backend (cargo feature `aws-lc`): ECDSA P-256/384/521
//! verification, ECDH, SHA-2, HMAC and HKDF from aws-lc-rs, which is about 4×
//! faster than RustCrypto `p256` on P-256 (issue 7).
//!
//! The key types wrap the RustCrypto ones (which keep parsing, encoding and
//! equality identical between backends, and Ed25519 stays on
//! `ed25519-dalek` with `verify_strict` so both backends accept exactly the
//! same signatures) and add a key parsed once by aws-lc for the hot path.

use super::rustcrypto as rc;
use super::{Curve, Digest, DigestAlgorithm, SignatureAlgorithm, X509SignatureAlgorithm};
use aws_lc_rs::{agreement, digest as lc_digest, hkdf, hmac, signature};
use std::sync::{Arc, OnceLock};
use zeroize::Zeroizing;

pub(crate) fn digest(alg: DigestAlgorithm, data: &[u8]) -> Digest {
    let a = match alg {
        DigestAlgorithm::Sha256 => &lc_digest::SHA256,
        DigestAlgorithm::Sha384 => &lc_digest::SHA384,
        DigestAlgorithm::Sha512 => &lc_digest::SHA512,
    };
    Digest::from_slice(lc_digest::digest(a, data).as_ref())
}

/// The COSE (fixed-size `r‖s`) verification algorithm of a curve.
fn cose_algorithm(curve: Curve) -> Option<&'static signature::EcdsaVerificationAlgorithm> {
    match curve {
        Curve::P256 => Some(&signature::ECDSA_P256_SHA256_FIXED),
        Curve::P384 => Some(&signature::ECDSA_P384_SHA384_FIXED),
        Curve::P521 => Some(&signature::ECDSA_P521_SHA512_FIXED),
        Curve::Ed25519 => None,
    }
}

/// The X.509 (DER signature) verification algorithm of a curve and hash.
fn x509_algorithm(curve: Curve, h: DigestAlgorithm) -> Option<&'static signature::EcdsaVerificationAlgorithm> {
    use DigestAlgorithm::*;
    match (curve, h) {
        (Curve::P256, Sha256) => Some(&signature::ECDSA_P256_SHA256_ASN1),
        (Curve::P256, Sha384) => Some(&signature::ECDSA_P256_SHA384_ASN1),
        (Curve::P256, Sha512) => Some(&signature::ECDSA_P256_SHA512_ASN1),
        (Curve::P384, Sha256) => Some(&signature::ECDSA_P384_SHA256_ASN1),
        (Curve::P384, Sha384) => Some(&signature::ECDSA_P384_SHA384_ASN1),
        (Curve::P384, Sha512) => Some(&signature::ECDSA_P384_SHA512_ASN1),
        (Curve::P521, Sha256) => Some(&signature::ECDSA_P521_SHA256_ASN1),
        (Curve::P521, Sha384) => Some(&signature::ECDSA_P521_SHA384_ASN1),
        (Curve::P521, Sha512) => Some(&signature::ECDSA_P521_SHA512_ASN1),
        (Curve::Ed25519, _) => None,
    }
}

/// A parsed public key (parsed once, used many times).
///
/// RustCrypto validates the point when the key is built; aws-lc parses it
/// lazily, once per use (COSE or X.509), so a key that is only used for ECDH
/// (a `deviceMac` device key) or only for X.509 (an anchor) is parsed only for
/// that. Should aws-lc refuse a point RustCrypto accepted, verification
/// fails closed.
#[derive(Clone)]
pub(crate) struct PublicKey {
    rc: rc::PublicKey,
    cose: OnceLock<Option<signature::ParsedPublicKey>>,
    /// The key for the X.509 signature hash it was first used with.
    x509: OnceLock<Option<(DigestAlgorithm, signature::ParsedPublicKey)>>,
}

impl core::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.rc.fmt(f)
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.rc == other.rc
    }
}

impl PublicKey {
    /// Parses a SEC1 encoded point (or a raw 32-byte Ed25519 key).
    pub(crate) fn from_bytes(curve: Curve, bytes: &[u8]) -> Option<Self> {
        rc::PublicKey::from_bytes(curve, bytes).map(Self::from_rc)
    }

    fn from_rc(rc: rc::PublicKey) -> Self {
        PublicKey {
            rc,
            cose: OnceLock::new(),
            x509: OnceLock::new(),
        }
    }

    /// The uncompressed point for aws-lc (a compressed one was decompressed
    /// by RustCrypto).
    fn parse(&self, alg: &'static signature::EcdsaVerificationAlgorithm) -> Option<signature::ParsedPublicKey> {
        signature::ParsedPublicKey::new(alg, self.rc.to_bytes()).ok()
    }

    pub(crate) fn curve(&self) -> Curve {
        self.rc.curve()
    }

    /// Uncompressed SEC1 point, or the raw Ed25519 key.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        self.rc.to_bytes()
    }

    /// Verifies a COSE signature (fixed-size `r‖s` for ECDSA, RFC 9053 §2.1).
    /// The caller has checked that `alg` matches this key's curve.
    pub(crate) fn verify_cose(&self, alg: SignatureAlgorithm, msg: &[u8], sig: &[u8]) -> bool {
        if alg == SignatureAlgorithm::EdDsa {
            return self.rc.verify_cose(alg, msg, sig);
        }
        if alg.curve() != self.curve() {
            return false;
        }
        let key = self
            .cose
            .get_or_init(|| cose_algorithm(self.curve()).and_then(|a| self.parse(a)));
        key.as_ref().is_some_and(|k| k.verify_sig(msg, sig).is_ok())
    }

    /// Verifies an X.509 signature (DER-encoded ECDSA, or Ed25519) over `msg`.
    pub(crate) fn verify_x509(&self, alg: X509SignatureAlgorithm, msg: &[u8], sig: &[u8]) -> bool {
        let X509SignatureAlgorithm::Ecdsa(h) = alg else {
            return self.rc.verify_x509(alg, msg, sig);
        };
        let Some(a) = x509_algorithm(self.curve(), h) else {
            return false;
        };
        let cached = self.x509.get_or_init(|| self.parse(a).map(|k| (h, k)));
        match cached {
            Some((h0, k)) if *h0 == h => k.verify_sig(msg, sig).is_ok(),
            // Another hash than the first one used: parse for this call.
            Some(_) => self.parse(a).is_some_and(|k| k.verify_sig(msg, sig).is_ok()),
            None => false,
        }
    }
}

/// A private key for ECDH (the reader's ephemeral key). The RustCrypto key
/// zeroizes on drop; aws-lc clears the scalar when the key is freed.
#[derive(Clone)]
pub(crate) struct PrivateKey {
    rc: rc::PrivateKey,
    fast: Arc<agreement::PrivateKey>,
}

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.rc.fmt(f)
    }
}

fn agreement_algorithm(curve: Curve) -> Option<&'static agreement::Algorithm> {
    match curve {
        Curve::P256 => Some(&agreement::ECDH_P256),
        Curve::P384 => Some(&agreement::ECDH_P384),
        Curve::P521 => Some(&agreement::ECDH_P521),
        Curve::Ed25519 => None,
    }
}

impl PrivateKey {
    fn from_rc(rc: rc::PrivateKey) -> Option<Self> {
        let alg = agreement_algorithm(rc.curve())?;
        let scalar = rc.scalar_bytes();
        let fast = agreement::PrivateKey::from_private_key(alg, &scalar).ok()?;
        Some(PrivateKey {
            rc,
            fast: Arc::new(fast),
        })
    }

    pub(crate) fn curve(&self) -> Curve {
        self.rc.curve()
    }

    /// From a big-endian scalar.
    pub(crate) fn from_scalar(curve: Curve, d: &[u8]) -> Option<Self> {
        Self::from_rc(rc::PrivateKey::from_scalar(curve, d)?)
    }

    /// From PKCS#8 or SEC1 DER.
    pub(crate) fn from_der(der: &[u8]) -> Option<Self> {
        Self::from_rc(rc::PrivateKey::from_der(der)?)
    }

    /// The matching public key.
    pub(crate) fn public_key(&self) -> PublicKey {
        PublicKey::from_rc(self.rc.public_key())
    }

    /// ECDH: the x-coordinate of the shared point (SEC 1 §3.3.1), or `None`
    /// when the peer key is on another curve.
    pub(crate) fn ecdh(&self, peer: &PublicKey) -> Option<Zeroizing<Vec<u8>>> {
        if peer.curve() != self.curve() {
            return None;
        }
        let alg = agreement_algorithm(self.curve())?;
        let point = peer.to_bytes();
        let peer = agreement::UnparsedPublicKey::new(alg, &point);
        agreement::agree(&self.fast, peer, (), |z| Ok(Zeroizing::new(z.to_vec()))).ok()
    }
}

/// HKDF output length for aws-lc's typed `expand`.
struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

/// HKDF-SHA256 (RFC 5869) into `out`.
pub(crate) fn hkdf_sha256(ikm: &[u8], salt: &[u8], info: &[u8], out: &mut [u8]) -> bool {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(ikm);
    let info = [info];
    match prk.expand(&info, Len(out.len())) {
        Ok(okm) => okm.fill(out).is_ok(),
        Err(_) => false,
    }
}

/// HMAC-SHA256 over `data`, compared with `tag` in constant time
/// (`hmac::verify` uses aws-lc's `CRYPTO_memcmp`).
pub(crate) fn hmac_sha256_verify(key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::verify(&key, data, tag).is_ok()
}
