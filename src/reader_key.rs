//! The reader's private key: EReaderKey.Priv of a proximity session
//! (ISO 18013-5 §9.1.1.4), whose ECDH with the device key derives the
//! `deviceMac` key (§9.1.3.5), and the HPKE recipient key of an online
//! presentation (ISO 18013-7 Annex C, RFC 9180) — one private-key type for
//! both, zeroized on drop.

use crate::cbor;
use crate::cose;
use crate::crypto::{self, Curve, PrivateKey};
use crate::error::{err, Error, ErrorCode};
use crate::limits::Limits;

/// The reader's ephemeral private key (EReaderKey.Priv), needed to verify a
/// `deviceMac`. Zeroized on drop.
#[derive(Clone, Debug)]
pub struct ReaderKey {
    pub(crate) key: PrivateKey,
}

impl ReaderKey {
    /// A fresh private key on `curve` from the operating system's CSPRNG
    /// (an ephemeral EReaderKey or an HPKE recipient key).
    pub(crate) fn generate(curve: Curve) -> Result<Self, Error> {
        crypto::generate_private_key(curve)
            .map(|key| ReaderKey { key })
            .ok_or_else(|| {
                err(
                    ErrorCode::UnsupportedAlgorithm,
                    format!("no ephemeral key on {}", curve.name()),
                )
            })
    }

    /// From a big-endian private scalar on `curve` (P-256, P-384 or P-521).
    pub fn from_scalar(curve: Curve, d: &[u8]) -> Result<Self, Error> {
        PrivateKey::from_scalar(curve, d)
            .map(|key| ReaderKey { key })
            .ok_or_else(|| err(ErrorCode::StructureInvalid, "reader key: invalid private scalar"))
    }

    /// From PKCS#8 or SEC1, PEM or DER, or a COSE_Key with `d`.
    pub fn from_bytes(data: &[u8]) -> Result<Self, Error> {
        if let Ok(text) = core::str::from_utf8(data) {
            if text.contains("-----BEGIN") {
                return Self::from_pem(text);
            }
        }
        if let Some(key) = PrivateKey::from_der(data) {
            return Ok(ReaderKey { key });
        }
        Self::from_cose_key(data)
    }

    fn from_pem(text: &str) -> Result<Self, Error> {
        let bad = || err(ErrorCode::StructureInvalid, "reader key: unreadable PEM");
        let start = text.find("-----BEGIN").ok_or_else(bad)?;
        let body_start = text
            .get(start..)
            .and_then(|t| t.find('\n'))
            .map(|i| start + i + 1)
            .ok_or_else(bad)?;
        let end = text
            .get(body_start..)
            .and_then(|t| t.find("-----END"))
            .map(|i| body_start + i)
            .ok_or_else(bad)?;
        let body: String = text
            .get(body_start..end)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = zeroize::Zeroizing::new(
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body.as_bytes()).map_err(|_| bad())?,
        );
        PrivateKey::from_der(&der).map(|key| ReaderKey { key }).ok_or_else(bad)
    }

    /// From a COSE_Key (EC2) carrying the private `d` (RFC 9053 §7.1.1).
    pub fn from_cose_key(data: &[u8]) -> Result<Self, Error> {
        let bad = |m: &str| err(ErrorCode::StructureInvalid, format!("reader key: {m}"));
        let item = cbor::decode(data, &Limits::default())?;
        let item = match item.tag24_bytes() {
            Some(inner) => cbor::decode(inner, &Limits::default())?,
            None => item,
        };
        let crv = item
            .get_int(-1)
            .and_then(|v| v.value.as_i64())
            .ok_or_else(|| bad("COSE_Key crv missing"))?;
        let curve = Curve::from_cose(crv).ok_or_else(|| bad("unsupported curve"))?;
        let d = item
            .get_int(-4)
            .and_then(|v| v.value.as_bytes())
            .ok_or_else(|| bad("COSE_Key d missing"))?;
        let key = Self::from_scalar(curve, d)?;
        if item.get_int(-2).is_some() {
            let public = cose::public_key_from_cose(&item)?;
            if public != key.key.public_key() {
                return Err(bad("COSE_Key x/y do not match d"));
            }
        }
        Ok(key)
    }

    /// An ephemeral reader private key handed over by a platform (the C
    /// `kakunin_reader_key_from_platform_bytes`), in any of the
    /// usual encodings: those of [`ReaderKey::from_bytes`] (PKCS#8 or SEC1, PEM
    /// or DER; COSE_Key), an ANSI X9.63 private key `04 ‖ X ‖ Y ‖ d` (CryptoKit's
    /// `x963Representation`; the public part must match `d`), or a bare
    /// big-endian scalar of 32, 48 or 66 bytes (P-256, P-384, P-521; CryptoKit's
    /// `rawRepresentation`).
    ///
    /// Apple's ProximityReader documents `ephemeralReaderKey` only as `Data`;
    /// this accepts every encoding it could reasonably carry.
    pub fn from_platform_bytes(data: &[u8]) -> Result<Self, Error> {
        let curves = [Curve::P256, Curve::P384, Curve::P521];
        for c in curves {
            let n = c.field_bytes();
            if data.len() == n {
                return Self::from_scalar(c, data);
            }
            if data.len() == 1 + 3 * n && data.first() == Some(&4) {
                let (public, d) = data.split_at(1 + 2 * n);
                let key = Self::from_scalar(c, d)?;
                if key.key.public_key().to_bytes() != public {
                    return Err(err(
                        ErrorCode::StructureInvalid,
                        "reader key: X9.63 public point does not match the private scalar",
                    ));
                }
                return Ok(key);
            }
        }
        Self::from_bytes(data)
    }

    /// The curve of the key.
    pub fn curve(&self) -> Curve {
        self.key.curve()
    }
}
