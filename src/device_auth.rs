//! mdoc authentication (ISO 18013-5 §9.1.3): the DeviceSigned part of a
//! Document — `deviceSignature` or `deviceMac` over DeviceAuthenticationBytes,
//! and the device-signed elements the MSO keyAuthorizations allow — and the
//! reader's ephemeral private key that `deviceMac` needs.

use crate::cbor::{self, Item};
use crate::cose::{self, CoseMessage, TAG_MAC0, TAG_SIGN1};
use crate::crypto::{self, hkdf_sha256, hmac_sha256_verify, Curve, PrivateKey};
use crate::document::{DeviceAuthKind, Namespace};
use crate::error::{err, Error, ErrorCode};
use crate::limits::Limits;
use crate::mso::Mso;
use crate::value::ElementValue;
use crate::verifier::{structure, DeviceAuthInput};

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

/// mdoc authentication (ISO 18013-5 §9.1.3).
pub(crate) fn verify_device_part(
    doc: &Item<'_>,
    doc_type: &str,
    mso: &Mso<'_>,
    auth: DeviceAuthInput<'_>,
    limits: &Limits,
) -> Result<(DeviceAuthKind, Vec<Namespace>), Error> {
    let device_signed = doc
        .get("deviceSigned")
        .ok_or_else(|| err(ErrorCode::DeviceAuthMissing, "Document: deviceSigned missing"))?;
    if device_signed.value.as_map().is_none() {
        return Err(structure("DeviceSigned is not a map"));
    }
    let ns_bytes_item = device_signed
        .get("nameSpaces")
        .ok_or_else(|| structure("DeviceSigned: nameSpaces missing"))?;
    let ns_inner = ns_bytes_item
        .tag24_bytes()
        .ok_or_else(|| structure("DeviceSigned: nameSpaces is not DeviceNameSpacesBytes (#6.24(bstr))"))?;
    let device_auth = device_signed
        .get("deviceAuth")
        .ok_or_else(|| err(ErrorCode::DeviceAuthMissing, "DeviceSigned: deviceAuth missing"))?;
    if device_auth.value.as_map().is_none() {
        return Err(structure("DeviceAuth is not a map"));
    }
    let sig = device_auth.get("deviceSignature");
    let mac = device_auth.get("deviceMac");
    let other =
        device_auth.value.as_map().map_or(0, <[_]>::len) - usize::from(sig.is_some()) - usize::from(mac.is_some());
    if other != 0 {
        return Err(structure("DeviceAuth has unknown entries"));
    }
    let transcript = auth.session_transcript.ok_or_else(|| {
        err(
            ErrorCode::SessionTranscriptMissing,
            "device authentication needs the SessionTranscript",
        )
    })?;

    // DeviceAuthenticationBytes = #6.24(bstr .cbor ["DeviceAuthentication",
    // SessionTranscript, DocType, DeviceNameSpacesBytes]) — the transcript
    // and DeviceNameSpacesBytes exactly as received.
    let mut da = Vec::with_capacity(64 + transcript.as_array_bytes().len() + ns_bytes_item.raw.len());
    cbor::write_head(&mut da, 4, 4);
    cbor::write_text(&mut da, "DeviceAuthentication");
    da.extend_from_slice(transcript.as_array_bytes());
    cbor::write_text(&mut da, doc_type);
    da.extend_from_slice(ns_bytes_item.raw);
    let da_bytes = cbor::tag24(&da);

    let mut buf = Vec::new();
    let kind = match (sig, mac) {
        (Some(s), None) => {
            let msg = CoseMessage::parse(s, TAG_SIGN1, "deviceSignature", limits)?;
            msg.check_crit("deviceSignature", &[cose::HEADER_ALG])?;
            let alg = msg.signature_algorithm("deviceSignature")?;
            if let Some(p) = msg.payload {
                if p != da_bytes.as_slice() {
                    return Err(err(
                        ErrorCode::DeviceSignatureInvalid,
                        "deviceSignature: attached payload differs from DeviceAuthenticationBytes",
                    ));
                }
            }
            if !cose::verify_sign1(&msg, alg, &mso.device_key, &da_bytes, &mut buf)? {
                return Err(err(
                    ErrorCode::DeviceSignatureInvalid,
                    "deviceSignature does not verify with the MSO deviceKey",
                ));
            }
            DeviceAuthKind::Signature
        }
        (None, Some(m)) => {
            let msg = CoseMessage::parse(m, TAG_MAC0, "deviceMac", limits)?;
            msg.check_crit("deviceMac", &[cose::HEADER_ALG])?;
            let alg = msg.protected_alg("deviceMac")?;
            if alg != 5 {
                return Err(err(
                    ErrorCode::UnsupportedAlgorithm,
                    format!("deviceMac: COSE alg {alg} is not HMAC 256/256 (5)"),
                ));
            }
            let reader = auth.reader_key.ok_or_else(|| {
                err(
                    ErrorCode::ReaderKeyMissing,
                    "deviceMac needs the reader's ephemeral private key",
                )
            })?;
            if reader.key.curve() != mso.device_key.curve() {
                return Err(err(
                    ErrorCode::AlgorithmKeyMismatch,
                    format!(
                        "reader key on {} but the MSO deviceKey is on {}",
                        reader.key.curve().name(),
                        mso.device_key.curve().name()
                    ),
                ));
            }
            if let Some(p) = msg.payload {
                if p != da_bytes.as_slice() {
                    return Err(err(
                        ErrorCode::DeviceMacInvalid,
                        "deviceMac: attached payload differs from DeviceAuthenticationBytes",
                    ));
                }
            }
            let z = reader
                .key
                .ecdh(&mso.device_key)
                .ok_or_else(|| err(ErrorCode::AlgorithmKeyMismatch, "ECDH with the MSO deviceKey failed"))?;
            let salt = crypto::sha256(transcript.as_tagged_bytes());
            let mut key = zeroize::Zeroizing::new([0u8; 32]);
            if !hkdf_sha256(&z, &salt, b"EMacKey", key.as_mut()) {
                return Err(err(ErrorCode::DeviceMacInvalid, "EMacKey derivation failed"));
            }
            msg.mac_structure(&da_bytes, &mut buf);
            if !hmac_sha256_verify(key.as_ref(), &buf, msg.tag_or_signature) {
                return Err(err(ErrorCode::DeviceMacInvalid, "deviceMac tag does not verify"));
            }
            DeviceAuthKind::Mac
        }
        // DeviceAuth is a choice of one (ISO 18013-5 §8.3.2.1.2.2): both
        // present is a malformed structure, neither is missing authentication.
        (Some(_), Some(_)) => {
            return Err(structure(
                "DeviceAuth holds both deviceSignature and deviceMac; exactly one is allowed",
            ))
        }
        (None, None) => {
            return Err(err(
                ErrorCode::DeviceAuthMissing,
                "DeviceAuth holds neither deviceSignature nor deviceMac",
            ))
        }
    };

    // Device-signed elements are only as good as the MSO authorises them.
    let tree = cbor::decode(ns_inner, limits).map_err(|e| Error::from(e).context("DeviceNameSpaces"))?;
    let map = tree
        .value
        .as_map()
        .ok_or_else(|| structure("DeviceNameSpaces is not a map"))?;
    if map.len() > limits.max_namespaces {
        return Err(err(ErrorCode::LimitExceeded, "limit `max_namespaces` exceeded"));
    }
    let mut out = Vec::with_capacity(map.len());
    let mut total = 0usize;
    for (ns, items) in map {
        let ns = ns
            .value
            .as_text()
            .ok_or_else(|| structure("device namespace is not text"))?;
        let items = items
            .value
            .as_map()
            .ok_or_else(|| structure("DeviceSignedItems is not a map"))?;
        total += items.len();
        if total > limits.max_elements {
            return Err(err(ErrorCode::LimitExceeded, "limit `max_elements` exceeded"));
        }
        let mut namespace = Namespace {
            name: ns.to_owned(),
            elements: Vec::with_capacity(items.len()),
        };
        for (id, value) in items {
            let id = id
                .value
                .as_text()
                .ok_or_else(|| structure("device element identifier is not text"))?;
            if !mso.key_authorizations.allows(ns, id) {
                return Err(err(
                    ErrorCode::ElementNotAuthorized,
                    format!("device-signed {ns}/{id} is not authorised by the MSO keyAuthorizations"),
                ));
            }
            namespace.elements.push((id.to_owned(), ElementValue::from_cbor(value)));
        }
        out.push(namespace);
    }
    Ok((kind, out))
}
