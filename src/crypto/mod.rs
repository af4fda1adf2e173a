//! The cryptographic primitives kakunin needs, behind one internal interface.
//!
//! Nothing outside this module touches a curve, a hash or a MAC. The
//! default backend is pure-Rust RustCrypto (`rustcrypto.rs`); every
//! primitive is a thin call into a well-reviewed crate, never an
//! implementation of our own.

mod rustcrypto;

pub(crate) use rustcrypto::{hkdf_sha256, hmac_sha256_verify, PrivateKey, PublicKey};

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
        rustcrypto::digest(self, data)
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

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let d = rustcrypto::digest(DigestAlgorithm::Sha256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_bytes());
    out
}
