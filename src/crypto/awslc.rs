//! The optional `aws-lc` backend (cargo feature `aws-lc`): ECDSA P-256/384/521
//! verification, ECDH, SHA-2, HMAC and HKDF from aws-lc-rs, which is about 4×
//! faster than RustCrypto `p256` on P-256.
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

    /// The big-endian private scalar (to persist a verifier's key, or to hand
    /// it to HPKE).
    pub(crate) fn scalar_bytes(&self) -> Zeroizing<Vec<u8>> {
        self.rc.scalar_bytes()
    }

    /// The matching public key.
    pub(crate) fn public_key(&self) -> PublicKey {
        PublicKey::from_rc(self.rc.public_key())
    }

    /// Signs a COSE Sig_structure (reader authentication), fixed-size `r‖s`.
    pub(crate) fn sign_cose(&self, msg: &[u8]) -> Option<(SignatureAlgorithm, Vec<u8>)> {
        self.rc.sign_cose(msg)
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
/// A fresh private key on `curve` from the operating system's RNG.
pub(crate) fn generate_private_key(curve: Curve) -> Option<PrivateKey> {
    rc::generate_private_key(curve).and_then(PrivateKey::from_rc)
}

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

/// Both backends must give the same answer on the same input, valid or forged
/// (the backend choice must never change a verdict).
#[cfg(test)]
mod tests {
    use super::*;

    fn annex(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/data/iso18013-5-annex-d/{name}", env!("CARGO_MANIFEST_DIR"));
        hex::decode(std::fs::read_to_string(path).unwrap().trim()).unwrap()
    }

    fn point(prefix: &str) -> Vec<u8> {
        let mut p = vec![4u8];
        p.extend(annex(&format!("{prefix}.x.hex")));
        p.extend(annex(&format!("{prefix}.y.hex")));
        p
    }

    /// The Document Signer key, its issuerAuth Sig_structure and signature.
    fn issuer_auth() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        use der::Decode;
        let ds = x509_cert::Certificate::from_der(&annex("ds_cert.der.hex")).unwrap();
        let key = ds
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
            .to_vec();
        let auth = annex("issuer_auth.hex");
        (
            key,
            annex("issuer_auth_sig_structure.hex"),
            auth[auth.len() - 64..].to_vec(),
        )
    }

    #[test]
    fn cose_signatures_agree_valid_forged_and_high_s() {
        use p256::elliptic_curve::PrimeField;
        let (key, msg, sig) = issuer_auth();
        let a = PublicKey::from_bytes(Curve::P256, &key).unwrap();
        let r = rc::PublicKey::from_bytes(Curve::P256, &key).unwrap();
        let alg = SignatureAlgorithm::Es256;
        let mut flipped = sig.clone();
        flipped[10] ^= 1;
        // s' = n - s: the other valid-looking encoding of the same signature.
        let s_bytes: [u8; 32] = sig[32..].try_into().unwrap();
        let s = Option::<p256::Scalar>::from(p256::Scalar::from_repr(s_bytes.into())).unwrap();
        let mut high_s = sig[..32].to_vec();
        high_s.extend_from_slice(&(-s).to_bytes());
        let mut other_msg = msg.clone();
        other_msg[20] ^= 1;
        let cases: [(&[u8], &[u8]); 5] = [
            (&msg, &sig),
            (&msg, &flipped),
            (&msg, &high_s),
            (&other_msg, &sig),
            (&msg, &sig[..63]),
        ];
        for (i, (m, s)) in cases.iter().enumerate() {
            assert_eq!(a.verify_cose(alg, m, s), r.verify_cose(alg, m, s), "case {i}");
        }
        assert!(a.verify_cose(alg, &msg, &sig));
        assert!(!a.verify_cose(alg, &msg, &flipped));
        assert!(!a.verify_cose(SignatureAlgorithm::Es384, &msg, &sig));
    }

    #[test]
    fn x509_signatures_agree() {
        use der::{Decode, Encode};
        let iaca = x509_cert::Certificate::from_der(&annex("iaca_cert.der.hex")).unwrap();
        let ds = x509_cert::Certificate::from_der(&annex("ds_cert.der.hex")).unwrap();
        let key = iaca
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes();
        let a = PublicKey::from_bytes(Curve::P256, key).unwrap();
        let r = rc::PublicKey::from_bytes(Curve::P256, key).unwrap();
        let tbs = ds.tbs_certificate.to_der().unwrap();
        let sig = ds.signature.raw_bytes().to_vec();
        let mut bad = sig.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        for h in [DigestAlgorithm::Sha256, DigestAlgorithm::Sha384] {
            let alg = X509SignatureAlgorithm::Ecdsa(h);
            // The cached parse for SHA-256 must not answer for SHA-384.
            for s in [&sig, &bad] {
                assert_eq!(a.verify_x509(alg, &tbs, s), r.verify_x509(alg, &tbs, s), "{h:?}");
            }
        }
        let alg = X509SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256);
        assert!(a.verify_x509(alg, &tbs, &sig));
        assert!(!a.verify_x509(alg, &tbs, &bad));
    }

    #[test]
    fn ecdh_hkdf_hmac_digest_agree() {
        let d = annex("e_reader_key.d.hex");
        let peer = point("s_device_key");
        let a = PrivateKey::from_scalar(Curve::P256, &d).unwrap();
        let r = rc::PrivateKey::from_scalar(Curve::P256, &d).unwrap();
        let za = a.ecdh(&PublicKey::from_bytes(Curve::P256, &peer).unwrap()).unwrap();
        let zr = r.ecdh(&rc::PublicKey::from_bytes(Curve::P256, &peer).unwrap()).unwrap();
        assert_eq!(*za, *zr);
        assert_eq!(*za, annex("e_mac_shared_secret.hex"));
        // A peer on another curve is refused by both.
        let p384 = rc::PrivateKey::from_scalar(Curve::P384, &[7u8; 48])
            .unwrap()
            .public_key();
        assert!(a.ecdh(&PublicKey::from_rc(p384.clone())).is_none());
        assert!(r.ecdh(&p384).is_none());
        assert_eq!(a.public_key(), PublicKey::from_rc(r.public_key()));

        let salt = super::digest(DigestAlgorithm::Sha256, &annex("session_transcript_bytes.hex"));
        assert_eq!(
            salt.as_bytes(),
            rc::digest(DigestAlgorithm::Sha256, &annex("session_transcript_bytes.hex")).as_bytes()
        );
        let (mut ka, mut kr) = ([0u8; 32], [0u8; 32]);
        assert!(hkdf_sha256(&za, salt.as_bytes(), b"EMacKey", &mut ka));
        assert!(rc::hkdf_sha256(&za, salt.as_bytes(), b"EMacKey", &mut kr));
        assert_eq!(ka, kr);
        assert_eq!(ka.to_vec(), annex("e_mac_key.hex"));
        let mac = annex("mac_structure.hex");
        let da = annex("device_auth.hex");
        let tag = &da[da.len() - 32..];
        for t in [tag, &tag[..31], &[0u8; 32][..]] {
            assert_eq!(hmac_sha256_verify(&ka, &mac, t), rc::hmac_sha256_verify(&ka, &mac, t));
        }
        assert!(hmac_sha256_verify(&ka, &mac, tag));
        for alg in [DigestAlgorithm::Sha384, DigestAlgorithm::Sha512] {
            assert_eq!(super::digest(alg, &mac).as_bytes(), rc::digest(alg, &mac).as_bytes());
        }
    }
}
