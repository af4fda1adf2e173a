//! The cryptographic primitives kakunin needs, behind one internal interface.
//!
//! Nothing outside this module touches a curve, a hash or a MAC. Every
//! primitive is a thin call into a well-reviewed crate, never an
//! implementation of our own. Two backends implement the same interface
//! (the types `PublicKey` / `PrivateKey` with the same methods, and the free
//! functions `digest`, `hkdf_sha256`, `hmac_sha256_verify`); a cargo feature
//! picks one at compile time:
//!
//! - default: pure-Rust RustCrypto (`rustcrypto.rs`), no C toolchain, easy to
//!   cross-compile for every kiosk;
//! - feature `aws-lc`: aws-lc-rs (`awslc.rs`) for ECDSA, ECDH, SHA-2, HMAC and
//!   HKDF, about 4× faster on P-256.
//!
//! `BACKEND` names the backend compiled in (for the tests and benches).

#[cfg(feature = "aws-lc")]
mod awslc;
// `pub` for `kakunin::internals::crypto`: without the `internals` feature
// nothing outside the crate reaches it.
#[cfg_attr(not(feature = "internals"), allow(unreachable_pub))]
pub mod hpke;
mod rustcrypto;

#[cfg(feature = "aws-lc")]
use awslc as backend;
#[cfg(not(feature = "aws-lc"))]
use rustcrypto as backend;

pub(crate) use backend::{generate_private_key, hkdf_sha256, hmac_sha256_verify, PrivateKey, PublicKey};
// AES-GCM (session encryption) is the same RustCrypto code under both backends.
pub(crate) use rustcrypto::{aes256gcm_decrypt, aes256gcm_encrypt, aes_gcm_decrypt_detached};

/// The name of the cryptographic backend compiled in: `"rustcrypto"` (default)
/// or `"aws-lc"` (cargo feature `aws-lc`).
#[cfg(all(feature = "internals", not(feature = "aws-lc")))]
pub const BACKEND: &str = "rustcrypto";
/// The name of the cryptographic backend compiled in: `"rustcrypto"` (default)
/// or `"aws-lc"` (cargo feature `aws-lc`).
#[cfg(all(feature = "internals", feature = "aws-lc"))]
pub const BACKEND: &str = "aws-lc";

/// Elliptic curves a key may live on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Curve {
    /// NIST P-256 (secp256r1), COSE crv 1.
    P256,
    /// NIST P-384 (secp384r1), COSE crv 2.
    P384,
    /// NIST P-521 (secp521r1), COSE crv 3.
    P521,
    /// Ed25519, COSE crv 6.
    Ed25519,
}

impl Curve {
    /// The curve name as used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            Curve::Ed25519 => "Ed25519",
        }
    }

    /// The curve for a COSE `crv` value (RFC 9053 §7.1).
    pub fn from_cose(crv: i64) -> Option<Curve> {
        match crv {
            1 => Some(Curve::P256),
            2 => Some(Curve::P384),
            3 => Some(Curve::P521),
            6 => Some(Curve::Ed25519),
            _ => None,
        }
    }

    /// The COSE `crv` value.
    pub fn cose_id(self) -> i64 {
        match self {
            Curve::P256 => 1,
            Curve::P384 => 2,
            Curve::P521 => 3,
            Curve::Ed25519 => 6,
        }
    }

    /// Size of one field element / scalar in bytes.
    pub fn field_bytes(self) -> usize {
        match self {
            Curve::P256 | Curve::Ed25519 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
}

/// COSE signature algorithms accepted for mdoc (ISO 18013-5 §9.1.2.4, RFC 9053).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// ECDSA with SHA-256 on P-256 (COSE -7).
    Es256,
    /// ECDSA with SHA-384 on P-384 (COSE -35).
    Es384,
    /// ECDSA with SHA-512 on P-521 (COSE -36).
    Es512,
    /// EdDSA on Ed25519 (COSE -8).
    EdDsa,
}

impl SignatureAlgorithm {
    /// Maps a COSE `alg` value.
    pub fn from_cose(alg: i64) -> Option<Self> {
        match alg {
            -7 => Some(SignatureAlgorithm::Es256),
            -35 => Some(SignatureAlgorithm::Es384),
            -36 => Some(SignatureAlgorithm::Es512),
            -8 => Some(SignatureAlgorithm::EdDsa),
            _ => None,
        }
    }

    /// The COSE `alg` value.
    pub fn cose_id(self) -> i64 {
        match self {
            SignatureAlgorithm::Es256 => -7,
            SignatureAlgorithm::Es384 => -35,
            SignatureAlgorithm::Es512 => -36,
            SignatureAlgorithm::EdDsa => -8,
        }
    }

    /// The one curve this algorithm may be used with in an mdoc.
    pub fn curve(self) -> Curve {
        match self {
            SignatureAlgorithm::Es256 => Curve::P256,
            SignatureAlgorithm::Es384 => Curve::P384,
            SignatureAlgorithm::Es512 => Curve::P521,
            SignatureAlgorithm::EdDsa => Curve::Ed25519,
        }
    }

    /// The algorithm's name.
    pub fn name(self) -> &'static str {
        match self {
            SignatureAlgorithm::Es256 => "ES256",
            SignatureAlgorithm::Es384 => "ES384",
            SignatureAlgorithm::Es512 => "ES512",
            SignatureAlgorithm::EdDsa => "EdDSA",
        }
    }
}

/// Digest algorithms (MSO `digestAlgorithm`, X.509 signature hashes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// Maps an MSO `digestAlgorithm` name (ISO 18013-5 §9.1.2.5).
    pub fn from_mso_name(s: &str) -> Option<Self> {
        match s {
            "SHA-256" => Some(DigestAlgorithm::Sha256),
            "SHA-384" => Some(DigestAlgorithm::Sha384),
            "SHA-512" => Some(DigestAlgorithm::Sha512),
            _ => None,
        }
    }

    /// The MSO name.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha384 => "SHA-384",
            DigestAlgorithm::Sha512 => "SHA-512",
        }
    }

    /// Hashes `data`.
    pub(crate) fn digest(self, data: &[u8]) -> Digest {
        backend::digest(self, data)
    }
}

/// A digest value (up to 64 bytes), compared by value.
#[derive(Clone, Copy)]
pub(crate) struct Digest {
    buf: [u8; 64],
    len: usize,
}

impl Digest {
    pub(crate) fn from_slice(s: &[u8]) -> Self {
        let mut buf = [0u8; 64];
        let len = s.len().min(64);
        buf.iter_mut().zip(s).for_each(|(d, b)| *d = *b);
        Digest { buf, len }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&self.buf)
    }
}

/// Signature algorithm of an X.509 certificate or CRL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum X509SignatureAlgorithm {
    Ecdsa(DigestAlgorithm),
    Ed25519,
}

/// Fills `out` from the operating system's CSPRNG (`rand_core::OsRng`);
/// `false` when the OS has no randomness to give.
pub(crate) fn random_bytes(out: &mut [u8]) -> bool {
    rand_core::RngCore::try_fill_bytes(&mut rand_core::OsRng, out).is_ok()
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let d = backend::digest(DigestAlgorithm::Sha256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_bytes());
    out
}

/// The active backend's primitives, reachable (through `kakunin::internals`)
/// only so that the benches can time them in the same run as a full
/// verification (overhead = full time / sum of its primitives). Not API.
#[cfg(feature = "internals")]
pub mod primitives {
    use super::{Curve, PrivateKey, PublicKey, SignatureAlgorithm, X509SignatureAlgorithm};

    /// A public key parsed once by the active backend.
    #[derive(Clone, Debug)]
    pub struct VerifyKey(PublicKey);

    impl VerifyKey {
        /// From a SEC1 point.
        pub fn from_sec1(curve: Curve, bytes: &[u8]) -> Option<Self> {
            PublicKey::from_bytes(curve, bytes).map(VerifyKey)
        }

        /// One COSE signature verification (hashing `msg` included).
        pub fn verify_cose(&self, alg: SignatureAlgorithm, msg: &[u8], sig: &[u8]) -> bool {
            self.0.verify_cose(alg, msg, sig)
        }

        /// One X.509 ECDSA-with-SHA-256 verification (DER signature).
        pub fn verify_x509_ecdsa_sha256(&self, msg: &[u8], der_sig: &[u8]) -> bool {
            self.0.verify_x509(
                X509SignatureAlgorithm::Ecdsa(super::DigestAlgorithm::Sha256),
                msg,
                der_sig,
            )
        }
    }

    /// A private key for ECDH.
    #[derive(Clone, Debug)]
    pub struct EcdhKey(PrivateKey);

    impl EcdhKey {
        /// From a big-endian scalar.
        pub fn from_scalar(curve: Curve, d: &[u8]) -> Option<Self> {
            PrivateKey::from_scalar(curve, d).map(EcdhKey)
        }

        /// One ECDH; returns the first byte of the shared secret (to keep the
        /// optimiser honest).
        pub fn ecdh(&self, peer: &VerifyKey) -> Option<u8> {
            self.0.ecdh(&peer.0).and_then(|z| z.first().copied())
        }
    }

    /// SHA-256.
    pub fn sha256(data: &[u8]) -> [u8; 32] {
        super::sha256(data)
    }

    /// HKDF-SHA256 to a 32-byte key, then HMAC-SHA256 over `data` against `tag`.
    pub fn hkdf_hmac(ikm: &[u8], salt: &[u8], info: &[u8], data: &[u8], tag: &[u8]) -> bool {
        let mut key = zeroize::Zeroizing::new([0u8; 32]);
        super::hkdf_sha256(ikm, salt, info, key.as_mut()) && super::hmac_sha256_verify(key.as_ref(), data, tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecdsa::signature::Signer;

    fn check(key: &PublicKey, alg: SignatureAlgorithm, msg: &[u8], sig: &[u8]) {
        assert!(key.verify_cose(alg, msg, sig), "{alg:?} must verify");
        assert!(
            !key.verify_cose(alg, b"other message", sig),
            "{alg:?} must fail on another message"
        );
        let mut bad = sig.to_vec();
        bad[3] ^= 0x40;
        assert!(!key.verify_cose(alg, msg, &bad), "{alg:?} must fail on a flipped bit");
        assert!(
            !key.verify_cose(alg, msg, &sig[..sig.len() - 1]),
            "{alg:?} must fail on a short signature"
        );
    }

    #[test]
    fn every_cose_algorithm_verifies_fixed_size_signatures() {
        let msg = b"Sig_structure bytes";
        let k256 = p256::ecdsa::SigningKey::from_slice(&[0x21; 32]).unwrap();
        let s: p256::ecdsa::Signature = k256.sign(msg);
        let pk = PublicKey::from_bytes(Curve::P256, k256.verifying_key().to_encoded_point(false).as_bytes()).unwrap();
        check(&pk, SignatureAlgorithm::Es256, msg, &s.to_bytes());

        let k384 = p384::ecdsa::SigningKey::from_slice(&[0x22; 48]).unwrap();
        let s: p384::ecdsa::Signature = k384.sign(msg);
        let pk = PublicKey::from_bytes(Curve::P384, k384.verifying_key().to_encoded_point(false).as_bytes()).unwrap();
        check(&pk, SignatureAlgorithm::Es384, msg, &s.to_bytes());

        let mut d521 = [0x23; 66];
        d521[0] = 0x01;
        let k521 = p521::ecdsa::SigningKey::from_slice(&d521).unwrap();
        let s: p521::ecdsa::Signature = k521.sign(msg);
        let vk = p521::ecdsa::VerifyingKey::from(&k521);
        let pk = PublicKey::from_bytes(Curve::P521, vk.to_encoded_point(false).as_bytes()).unwrap();
        check(&pk, SignatureAlgorithm::Es512, msg, &s.to_bytes());

        let ked = ed25519_dalek::SigningKey::from_bytes(&[0x24; 32]);
        let s = ked.sign(msg);
        let pk = PublicKey::from_bytes(Curve::Ed25519, ked.verifying_key().as_bytes()).unwrap();
        check(&pk, SignatureAlgorithm::EdDsa, msg, &s.to_bytes());
    }

    #[test]
    fn der_signatures_are_not_cose_signatures() {
        let msg = b"m";
        let k = p256::ecdsa::SigningKey::from_slice(&[0x21; 32]).unwrap();
        let s: p256::ecdsa::Signature = k.sign(msg);
        let pk = PublicKey::from_bytes(Curve::P256, k.verifying_key().to_encoded_point(false).as_bytes()).unwrap();
        assert!(!pk.verify_cose(SignatureAlgorithm::Es256, msg, s.to_der().as_bytes()));
        // And an algorithm for another curve never verifies.
        assert!(!pk.verify_cose(SignatureAlgorithm::Es384, msg, &s.to_bytes()));
    }

    #[test]
    fn x509_ecdsa_on_p521_verifies_with_every_hash() {
        // ecdsa-with-SHA256/384/512 on P-521 (RFC 5758 §3.2): the hash is
        // used whole as an integer (FIPS 186-5 §6.4.1), i.e. left-padded.
        use ecdsa::signature::hazmat::PrehashSigner;
        let mut d = [0x23; 66];
        d[0] = 0x01;
        let k = p521::ecdsa::SigningKey::from_slice(&d).unwrap();
        let vk = p521::ecdsa::VerifyingKey::from(&k);
        let pk = PublicKey::from_bytes(Curve::P521, vk.to_encoded_point(false).as_bytes()).unwrap();
        let tbs = b"tbsCertificate";
        for h in [
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
            let mut z = vec![0u8; 66 - h.digest(tbs).as_bytes().len()];
            z.extend_from_slice(h.digest(tbs).as_bytes());
            let s: p521::ecdsa::Signature = k.sign_prehash(&z).unwrap();
            let der = s.to_der();
            assert!(
                pk.verify_x509(X509SignatureAlgorithm::Ecdsa(h), tbs, der.as_bytes()),
                "{h:?}"
            );
            let other = if h == DigestAlgorithm::Sha256 {
                DigestAlgorithm::Sha512
            } else {
                DigestAlgorithm::Sha256
            };
            assert!(!pk.verify_x509(X509SignatureAlgorithm::Ecdsa(other), tbs, der.as_bytes()));
        }
    }

    #[test]
    fn ecdh_on_each_nist_curve_agrees() {
        for curve in [Curve::P256, Curve::P384, Curve::P521] {
            let n = curve.field_bytes();
            let mut a = vec![0x31; n];
            let mut b = vec![0x32; n];
            if curve == Curve::P521 {
                a[0] = 1;
                b[0] = 1;
            }
            let ka = PrivateKey::from_scalar(curve, &a).unwrap();
            let kb = PrivateKey::from_scalar(curve, &b).unwrap();
            let z1 = ka.ecdh(&kb.public_key()).unwrap();
            let z2 = kb.ecdh(&ka.public_key()).unwrap();
            assert_eq!(*z1, *z2);
            assert_eq!(z1.len(), n);
        }
        let p256 = PrivateKey::from_scalar(Curve::P256, &[0x31; 32]).unwrap();
        let p384 = PrivateKey::from_scalar(Curve::P384, &[0x31; 48]).unwrap();
        assert!(p256.ecdh(&p384.public_key()).is_none());
    }

    #[test]
    fn hkdf_and_hmac_match_rfc_vectors() {
        // RFC 5869 test case 1.
        let ikm = [0x0b; 22];
        let salt: Vec<u8> = (0u8..=0x0c).collect();
        let info: Vec<u8> = (0xf0u8..=0xf9).collect();
        let mut okm = [0u8; 42];
        assert!(hkdf_sha256(&ikm, &salt, &info, &mut okm));
        assert_eq!(
            hex::encode(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
        // RFC 4231 test case 2.
        let tag = hex::decode("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843").unwrap();
        assert!(hmac_sha256_verify(b"Jefe", b"what do ya want for nothing?", &tag));
        let mut bad = tag.clone();
        bad[31] ^= 1;
        assert!(!hmac_sha256_verify(b"Jefe", b"what do ya want for nothing?", &bad));
        assert!(!hmac_sha256_verify(
            b"Jefe",
            b"what do ya want for nothing?",
            &tag[..16]
        ));
        // RFC 5869 test case 2: 82 bytes of output (three blocks), long inputs.
        let ikm: Vec<u8> = (0u8..=0x4f).collect();
        let salt: Vec<u8> = (0x60u8..=0xaf).collect();
        let info: Vec<u8> = (0xb0u8..=0xff).collect();
        let mut okm = [0u8; 82];
        assert!(hkdf_sha256(&ikm, &salt, &info, &mut okm));
        assert_eq!(
            hex::encode(okm),
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c\
             59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71\
             cc30c58179ec3e87c14c01d5c1f3434f1d87"
        );
        // RFC 5869 test case 3: empty salt and info.
        let mut okm = [0u8; 42];
        assert!(hkdf_sha256(&[0x0b; 22], &[], &[], &mut okm));
        assert_eq!(
            hex::encode(okm),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
        );
        // More than 255 blocks cannot be derived.
        let mut too_long = vec![0u8; 255 * 32 + 1];
        assert!(!hkdf_sha256(&[1], &[], &[], &mut too_long));
        // RFC 4231 test case 6: a key longer than the block is hashed first.
        let tag = hex::decode("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54").unwrap();
        assert!(hmac_sha256_verify(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            &tag
        ));
        // RFC 4231 test case 1 (a 20-byte key).
        let tag = hex::decode("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7").unwrap();
        assert!(hmac_sha256_verify(&[0x0b; 20], b"Hi There", &tag));
    }
}
