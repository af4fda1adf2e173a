//! COSE structures used by mdoc (RFC 9052): COSE_Sign1, COSE_Mac0 and
//! COSE_Key, read from the borrowing CBOR tree so that protected headers and
//! payloads are verified over the bytes as received.
//!
//! Pitfalls handled here (see DESIGN.md): `alg` must be in the *protected*
//! header; a nil payload is detached and must be supplied by the caller,
//! never silently replaced by an empty one; ECDSA signatures are fixed-size
//! `r‖s`.

use crate::cbor::{self, Item, Value};
use crate::crypto::{Curve, PublicKey, SignatureAlgorithm};
use crate::error::{err, structure, Error, ErrorCode};
use crate::limits::Limits;

/// COSE header label `alg` (RFC 9052 §3.1).
pub(crate) const HEADER_ALG: i64 = 1;
/// COSE header label `crit` (RFC 9052 §3.1).
pub(crate) const HEADER_CRIT: i64 = 2;
/// COSE header label `typ` (RFC 9596).
pub(crate) const HEADER_TYP: i64 = 16;
/// COSE header label `x5chain` (RFC 9360).
pub(crate) const HEADER_X5CHAIN: i64 = 33;
/// CBOR tag of COSE_Sign1.
pub(crate) const TAG_SIGN1: u64 = 18;
/// CBOR tag of COSE_Mac0.
pub(crate) const TAG_MAC0: u64 = 17;

/// The parts of a COSE_Sign1 or COSE_Mac0, borrowed from the input.
#[derive(Debug)]
pub(crate) struct CoseMessage<'a> {
    /// The content of the protected-header bstr, as received.
    pub protected_raw: &'a [u8],
    /// The decoded protected header (an empty map when `protected_raw` is empty).
    pub protected: Option<Item<'a>>,
    /// The unprotected header map.
    pub unprotected: &'a Item<'a>,
    /// The payload, or `None` when detached (nil).
    pub payload: Option<&'a [u8]>,
    /// The signature or tag.
    pub tag_or_signature: &'a [u8],
}

impl<'a> CoseMessage<'a> {
    /// Reads a COSE message, tagged with `expected_tag` or untagged.
    pub(crate) fn parse(item: &'a Item<'a>, expected_tag: u64, what: &str, limits: &Limits) -> Result<Self, Error> {
        let inner = match &item.value {
            Value::Tag(t, inner) if *t == expected_tag => inner.as_ref(),
            Value::Tag(t, _) => return Err(structure(format!("{what}: unexpected CBOR tag {t}"))),
            _ => item,
        };
        let parts = match &inner.value {
            Value::Array(a) if a.len() == 4 => a,
            _ => return Err(structure(format!("{what}: not a 4-element COSE array"))),
        };
        let [p, u, pl, s] = parts.as_slice() else {
            return Err(structure(format!("{what}: not a 4-element COSE array")));
        };
        let protected_raw = p
            .value
            .as_bytes()
            .ok_or_else(|| structure(format!("{what}: protected header is not a byte string")))?;
        let protected = if protected_raw.is_empty() {
            None
        } else {
            let h = cbor::decode(protected_raw, limits).map_err(|e| Error::from(e).context(what))?;
            if h.value.as_map().is_none() {
                return Err(structure(format!("{what}: protected header is not a map")));
            }
            Some(h)
        };
        if u.value.as_map().is_none() {
            return Err(structure(format!("{what}: unprotected header is not a map")));
        }
        let payload = match &pl.value {
            Value::Bytes(b) => Some(*b),
            Value::Null => None,
            _ => return Err(structure(format!("{what}: payload is neither bstr nor nil"))),
        };
        let tag_or_signature = s
            .value
            .as_bytes()
            .ok_or_else(|| structure(format!("{what}: signature is not a byte string")))?;
        let msg = CoseMessage {
            protected_raw,
            protected,
            unprotected: u,
            payload,
            tag_or_signature,
        };
        msg.check_no_duplicate_labels(what)?;
        msg.check_crit(what, &[HEADER_ALG, HEADER_TYP, HEADER_X5CHAIN])?;
        Ok(msg)
    }

    /// `crit` (RFC 9052 §3.1): the signer requires the reader to understand
    /// and process the listed header parameters. It must sit in the protected
    /// bucket and be a non-empty array of labels (int or text). A label
    /// outside `understood` is one this reader would ignore, so the message
    /// is refused: the signer said it must not be accepted then.
    ///
    /// The code is `structure_invalid`, not `unsupported_algorithm`: the
    /// COSE profile of ISO 18013-5 (§9.1.2.4, §9.1.3) defines `alg` and
    /// `x5chain` only, so a message that makes another parameter critical
    /// falls outside that structure; no algorithm is involved.
    ///
    /// [`CoseMessage::parse`] checks against every label some kakunin reader
    /// processes (`alg`, `typ`, `x5chain`); call this again with the labels
    /// the caller itself processes.
    pub(crate) fn check_crit(&self, what: &str, understood: &[i64]) -> Result<(), Error> {
        if self.unprotected.get_int(HEADER_CRIT).is_some() {
            return Err(structure(format!(
                "{what}: crit (label 2) is in the unprotected header (RFC 9052 §3.1)"
            )));
        }
        let Some(crit) = self.protected.as_ref().and_then(|p| p.get_int(HEADER_CRIT)) else {
            return Ok(());
        };
        let labels = match crit.value.as_array() {
            Some(a) if !a.is_empty() => a,
            _ => {
                return Err(structure(format!(
                    "{what}: crit is not a non-empty array of labels (RFC 9052 §3.1)"
                )))
            }
        };
        for label in labels {
            match &label.value {
                Value::Unsigned(_) | Value::Negative(_) => match label.value.as_i64() {
                    Some(l) if understood.contains(&l) => {}
                    _ => {
                        return Err(structure(format!(
                            "{what}: crit names header parameter {} that is not processed here",
                            label
                                .value
                                .as_i64()
                                .map_or_else(|| "(out of range)".to_owned(), |l| l.to_string())
                        )))
                    }
                },
                Value::Text(t) => {
                    return Err(structure(format!(
                        "{what}: crit names header parameter {t:?} that is not processed here"
                    )))
                }
                _ => return Err(structure(format!("{what}: crit entry is not a header label"))),
            }
        }
        Ok(())
    }

    /// A label may not appear in both buckets (RFC 9052 §3).
    fn check_no_duplicate_labels(&self, what: &str) -> Result<(), Error> {
        let (Some(p), Some(u)) = (
            self.protected.as_ref().and_then(|p| p.value.as_map()),
            self.unprotected.value.as_map(),
        ) else {
            return Ok(());
        };
        // Sorted canonical labels: pairwise comparison of two large header
        // maps would be quadratic in attacker-chosen sizes.
        let mut labels: Vec<Vec<u8>> = p.iter().map(|(k, _)| cbor::canonical_key(&k.value)).collect();
        labels.sort_unstable();
        if u.iter()
            .any(|(k, _)| labels.binary_search(&cbor::canonical_key(&k.value)).is_ok())
        {
            return Err(structure(format!(
                "{what}: header label in both protected and unprotected headers"
            )));
        }
        Ok(())
    }

    /// The protected `alg` value (required in the protected header).
    pub(crate) fn protected_alg(&self, what: &str) -> Result<i64, Error> {
        let alg = self.protected.as_ref().and_then(|p| p.get_int(HEADER_ALG));
        match alg {
            Some(a) => a.value.as_i64().ok_or_else(|| {
                err(
                    ErrorCode::UnsupportedAlgorithm,
                    format!("{what}: alg is not an integer"),
                )
            }),
            None => {
                if self.unprotected.get_int(HEADER_ALG).is_some() {
                    Err(structure(format!("{what}: alg is only in the unprotected header")))
                } else {
                    Err(structure(format!("{what}: alg missing from the protected header")))
                }
            }
        }
    }

    /// The protected signature algorithm, mapped to the algorithms mdoc allows.
    pub(crate) fn signature_algorithm(&self, what: &str) -> Result<SignatureAlgorithm, Error> {
        let alg = self.protected_alg(what)?;
        SignatureAlgorithm::from_cose(alg).ok_or_else(|| {
            err(
                ErrorCode::UnsupportedAlgorithm,
                format!("{what}: COSE alg {alg} is not supported"),
            )
        })
    }

    /// A header value looked up in the protected header, then the unprotected one.
    pub(crate) fn header(&self, label: i64) -> Option<&Item<'a>> {
        self.protected
            .as_ref()
            .and_then(|p| p.get_int(label))
            .or_else(|| self.unprotected.get_int(label))
    }

    /// The `x5chain` certificates (RFC 9360: one bstr, or an array of bstr).
    pub(crate) fn x5chain(&self, what: &str, limits: &Limits) -> Result<Vec<&'a [u8]>, Error> {
        let Some(h) = self.header(HEADER_X5CHAIN) else {
            return Err(structure(format!("{what}: x5chain (label 33) missing")));
        };
        let chain: Vec<&'a [u8]> = match &h.value {
            Value::Bytes(b) => vec![*b],
            Value::Array(a) => {
                let mut v = Vec::with_capacity(a.len().min(limits.max_certificates));
                for c in a {
                    if v.len() >= limits.max_certificates {
                        return Err(err(ErrorCode::LimitExceeded, "limit `max_certificates` exceeded"));
                    }
                    v.push(
                        c.value
                            .as_bytes()
                            .ok_or_else(|| structure(format!("{what}: x5chain entry is not a byte string")))?,
                    );
                }
                v
            }
            _ => return Err(structure(format!("{what}: x5chain is neither bstr nor array"))),
        };
        if chain.is_empty() {
            return Err(structure(format!("{what}: x5chain is empty")));
        }
        if let Some(big) = chain.iter().find(|c| c.len() > limits.max_certificate_bytes) {
            return Err(err(
                ErrorCode::LimitExceeded,
                format!("limit `max_certificate_bytes` exceeded ({} bytes)", big.len()),
            ));
        }
        Ok(chain)
    }

    /// `Sig_structure` for COSE_Sign1 (RFC 9052 §4.4) over `payload`.
    pub(crate) fn sig_structure(&self, payload: &[u8], out: &mut Vec<u8>) {
        to_be_signed(b"Signature1", self.protected_raw, payload, out);
    }

    /// `MAC_structure` for COSE_Mac0 (RFC 9052 §6.3) over `payload`.
    pub(crate) fn mac_structure(&self, payload: &[u8], out: &mut Vec<u8>) {
        to_be_signed(b"MAC0", self.protected_raw, payload, out);
    }
}

fn to_be_signed(context: &[u8], protected: &[u8], payload: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.reserve(16 + protected.len() + payload.len());
    cbor::write_head(out, 4, 4);
    cbor::write_len(out, 3, context.len());
    out.extend_from_slice(context);
    cbor::write_bytes(out, protected);
    cbor::write_bytes(out, &[]);
    cbor::write_bytes(out, payload);
}

/// Verifies a COSE_Sign1 signature by `key` over `payload` (attached or
/// detached, as decided by the caller). Checks that `alg` matches the key.
pub(crate) fn verify_sign1(
    msg: &CoseMessage<'_>,
    alg: SignatureAlgorithm,
    key: &PublicKey,
    payload: &[u8],
    buf: &mut Vec<u8>,
) -> Result<bool, Error> {
    if alg.curve() != key.curve() {
        return Err(err(
            ErrorCode::AlgorithmKeyMismatch,
            format!("{} used with a {} key", alg.name(), key.curve().name()),
        ));
    }
    msg.sig_structure(payload, buf);
    Ok(key.verify_cose(alg, buf, msg.tag_or_signature))
}

/// Reads a COSE_Key public key (RFC 9053 §7): EC2 (P-256/384/521) or OKP (Ed25519).
pub(crate) fn public_key_from_cose(item: &Item<'_>) -> Result<PublicKey, Error> {
    let bad = |m: &str| structure(format!("COSE_Key: {m}"));
    if item.value.as_map().is_none() {
        return Err(bad("not a map"));
    }
    let kty = item
        .get_int(1)
        .and_then(|v| v.value.as_i64())
        .ok_or_else(|| bad("kty missing"))?;
    let crv_id = item
        .get_int(-1)
        .and_then(|v| v.value.as_i64())
        .ok_or_else(|| bad("crv missing"))?;
    let curve = Curve::from_cose(crv_id).ok_or_else(|| {
        err(
            ErrorCode::UnsupportedAlgorithm,
            format!("COSE_Key: curve {crv_id} is not supported"),
        )
    })?;
    let x = item
        .get_int(-2)
        .and_then(|v| v.value.as_bytes())
        .ok_or_else(|| bad("x missing"))?;
    let n = curve.field_bytes();
    // RFC 9053 §7.1.1 wants leading zeros kept; some issuers strip them
    // (seen in EUDI reference output). Left-padding yields the same point.
    let x = left_pad(x, n).ok_or_else(|| bad("x has the wrong length"))?;
    let x = x.as_slice();
    let sec1 = match (kty, curve) {
        (1, Curve::Ed25519) => x.to_vec(),
        (2, Curve::P256 | Curve::P384 | Curve::P521) => match item.get_int(-3).map(|v| &v.value) {
            Some(Value::Bytes(y)) if y.len() <= n && curve != Curve::Ed25519 => {
                let y = left_pad(y, n).ok_or_else(|| bad("y has the wrong length"))?;
                let mut p = Vec::with_capacity(1 + 2 * n);
                p.push(4);
                p.extend_from_slice(x);
                p.extend_from_slice(&y);
                p
            }
            Some(Value::Bool(sign)) => {
                let mut p = Vec::with_capacity(1 + n);
                p.push(if *sign { 3 } else { 2 });
                p.extend_from_slice(x);
                p
            }
            _ => return Err(bad("y missing or of the wrong length")),
        },
        _ => return Err(bad("kty does not match crv")),
    };
    PublicKey::from_bytes(curve, &sec1).ok_or_else(|| bad("point is not on the curve"))
}

fn left_pad(b: &[u8], n: usize) -> Option<Vec<u8>> {
    if b.len() > n || b.is_empty() {
        return None;
    }
    let mut v = vec![0u8; n - b.len()];
    v.extend_from_slice(b);
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_sig_structure_like_annex_d() {
        let auth = hex::decode(include_str!("../tests/data/iso18013-5-annex-d/issuer_auth.hex").trim()).unwrap();
        let expected =
            hex::decode(include_str!("../tests/data/iso18013-5-annex-d/issuer_auth_sig_structure.hex").trim()).unwrap();
        let item = cbor::decode(&auth, &Limits::default()).unwrap();
        let msg = CoseMessage::parse(&item, TAG_SIGN1, "issuerAuth", &Limits::default()).unwrap();
        let mut buf = Vec::new();
        msg.sig_structure(msg.payload.unwrap(), &mut buf);
        assert_eq!(buf, expected);
    }

    #[test]
    fn rejects_a_label_in_both_headers_whatever_its_encoding() {
        // [h'a10126', {0x18 0x01: -7}, h'', h''] — alg 1 written non-minimally.
        let b = hex::decode("8443a10126a1180126 40 40".replace(' ', "")).unwrap();
        let item = cbor::decode(&b, &Limits::default()).unwrap();
        let e = CoseMessage::parse(&item, TAG_SIGN1, "t", &Limits::default()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::StructureInvalid);
        // {4: h''} unprotected is fine.
        let b = hex::decode("8443a10126a10440 40 40".replace(' ', "")).unwrap();
        let item = cbor::decode(&b, &Limits::default()).unwrap();
        assert!(CoseMessage::parse(&item, TAG_SIGN1, "t", &Limits::default()).is_ok());
    }

    #[test]
    fn requires_protected_alg() {
        // [h'', {1: -7}, h'', h'']
        let b = hex::decode("8440a1012640 40".replace(' ', "")).unwrap();
        let item = cbor::decode(&b, &Limits::default()).unwrap();
        let msg = CoseMessage::parse(&item, TAG_SIGN1, "t", &Limits::default()).unwrap();
        let e = msg.signature_algorithm("t").unwrap_err();
        assert_eq!(e.code(), ErrorCode::StructureInvalid);
    }
}
