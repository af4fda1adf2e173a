//! Document status (ISO 18013-5 second edition MSO `status`): a Token
//! Status List (IETF draft-ietf-oauth-status-list, CWT form) or an
//! identifier list, each a COSE_Sign1 CWT that the caller fetched from the
//! `uri` in the MSO and passes as bytes.
//!
//! Token Status List CWT: protected `typ` (16) =
//! `application/statuslist+cwt`; claims `sub` (2) = the list URI, `iat`
//! (6), optional `exp` (4) and `ttl` (65534), and `status_list` (65533) =
//! `{"bits": 1/2/4/8, "lst": zlib(bit list)}`. Entry `idx` is read
//! least-significant bits first: 0 valid, 1 invalid (revoked), 2 suspended.
//! Identifier list CWT: claim `identifier_list` (65530) =
//! `{"identifiers": {id: info}}`; a listed id is revoked.

use crate::cbor::{self, Item, Value};
use crate::cose::{CoseMessage, TAG_SIGN1};
use crate::crypto::SignatureAlgorithm;
use crate::error::{err, Error, ErrorCode};
use crate::limits::Limits;
use crate::time::UnixTime;
use std::io::Read;
use std::sync::OnceLock;

/// The largest decompressed status list accepted (bytes).
pub const MAX_STATUS_LIST_BYTES: usize = 16 * 1024 * 1024;

const CLAIM_SUB: i64 = 2;
const CLAIM_EXP: i64 = 4;
const CLAIM_IAT: i64 = 6;
const CLAIM_TTL: i64 = 65534;
const CLAIM_STATUS_LIST: i64 = 65533;
const CLAIM_IDENTIFIER_LIST: i64 = 65530;
const HEADER_TYP: i64 = 16;

fn invalid(m: impl Into<String>) -> Error {
    err(
        ErrorCode::RevocationUnavailable,
        format!("status list token: {}", m.into()),
    )
}

/// What a status token lists.
#[derive(Clone, Debug)]
pub(crate) enum Listing {
    /// A Token Status List: `bits` per entry over `list` (decompressed).
    Bits { bits: u8, list: Vec<u8> },
    /// An identifier list: the listed identifiers.
    Identifiers(Vec<Vec<u8>>),
}

/// A parsed (not yet verified) status list or identifier list token,
/// owning every piece its signature check needs.
#[derive(Clone, Debug)]
pub struct StatusToken {
    pub(crate) protected_raw: Vec<u8>,
    pub(crate) payload: Vec<u8>,
    pub(crate) signature: Vec<u8>,
    pub(crate) alg: SignatureAlgorithm,
    pub(crate) x5chain: Vec<Vec<u8>>,
    pub(crate) subject: String,
    pub(crate) issued_at: UnixTime,
    pub(crate) expires: Option<UnixTime>,
    pub(crate) ttl: Option<u64>,
    pub(crate) listing: Listing,
    /// (SHA-256 of the signer certificate, SHA-256 of the anchor) once the
    /// token signature and the signer's issuance by the anchor verified.
    pub(crate) verified: OnceLock<([u8; 32], [u8; 32])>,
}

fn int_claim(claims: &Item<'_>, key: i64, what: &str) -> Result<Option<u64>, Error> {
    match claims.get_int(key) {
        None => Ok(None),
        Some(v) => match &v.value {
            Value::Unsigned(n) => Ok(Some(*n)),
            // A NumericDate may be a float; whole seconds are enough here.
            // In range by the guard: float to integer has no `From`.
            #[allow(clippy::as_conversions)]
            Value::Float(f) if *f >= 0.0 && f.is_finite() && *f < 1e15 => Ok(Some(f.trunc() as u64)),
            _ => Err(invalid(format!("{what} is not a non-negative number"))),
        },
    }
}

fn to_time(secs: u64) -> UnixTime {
    UnixTime::from_secs(i64::try_from(secs).unwrap_or(i64::MAX))
}

impl StatusToken {
    /// Parses a status list token (COSE_Sign1 CWT, tagged or not).
    pub fn from_bytes(bytes: &[u8], limits: &Limits) -> Result<Self, Error> {
        let item = cbor::decode(bytes, limits).map_err(|e| invalid(Error::from(e).to_string()))?;
        let item = match &item.value {
            // A CWT may carry the CWT tag (61) around the COSE tag.
            Value::Tag(61, inner) => inner.as_ref(),
            _ => &item,
        };
        let msg = CoseMessage::parse(item, TAG_SIGN1, "status list token", limits).map_err(|e| invalid(e.message()))?;
        let alg = msg
            .signature_algorithm("status list token")
            .map_err(|e| invalid(e.message()))?;
        let typ = msg
            .protected
            .as_ref()
            .and_then(|p| p.get_int(HEADER_TYP))
            .and_then(|t| t.value.as_text());
        let listing_kind = match typ {
            Some("application/statuslist+cwt") => "status",
            Some("application/identifierlist+cwt") => "identifier",
            // The identifier list has no registered media type yet: accept an
            // absent typ only for a token carrying an identifier list.
            None => "identifier",
            Some(other) => return Err(invalid(format!("typ {other:?} is not application/statuslist+cwt"))),
        };
        let x5chain = match msg.header(crate::cose::HEADER_X5CHAIN) {
            Some(_) => msg
                .x5chain("status list token", limits)
                .map_err(|e| invalid(e.message()))?
                .into_iter()
                .map(<[u8]>::to_vec)
                .collect(),
            None => Vec::new(),
        };
        let payload = msg.payload.ok_or_else(|| invalid("payload is detached"))?;
        let claims = cbor::decode(payload, limits).map_err(|e| invalid(Error::from(e).to_string()))?;
        if claims.value.as_map().is_none() {
            return Err(invalid("claims are not a map"));
        }
        let subject = claims
            .get_int(CLAIM_SUB)
            .and_then(|s| s.value.as_text())
            .ok_or_else(|| invalid("sub (2) missing or not text"))?
            .to_owned();
        let issued_at = to_time(int_claim(&claims, CLAIM_IAT, "iat (6)")?.ok_or_else(|| invalid("iat (6) missing"))?);
        let expires = int_claim(&claims, CLAIM_EXP, "exp (4)")?.map(to_time);
        let ttl = int_claim(&claims, CLAIM_TTL, "ttl (65534)")?;
        let listing = if let Some(sl) = claims.get_int(CLAIM_STATUS_LIST) {
            if listing_kind != "status" {
                return Err(invalid("status_list claim without typ application/statuslist+cwt"));
            }
            let bits = sl
                .get("bits")
                .and_then(|b| b.value.as_u64())
                .ok_or_else(|| invalid("status_list.bits missing"))?;
            let bits = match u8::try_from(bits) {
                Ok(b @ (1 | 2 | 4 | 8)) => b,
                _ => return Err(invalid(format!("status_list.bits {bits} is not 1, 2, 4 or 8"))),
            };
            let lst = sl
                .get("lst")
                .and_then(|l| l.value.as_bytes())
                .ok_or_else(|| invalid("status_list.lst missing or not bytes"))?;
            let mut list = Vec::new();
            // One byte past the limit tells "at the limit" from "over it"
            // (16 MiB fits `u64`: the fallback is unreachable).
            let cap = u64::try_from(MAX_STATUS_LIST_BYTES).map_or(u64::MAX, |n| n + 1);
            let mut dec = flate2::read::ZlibDecoder::new(lst).take(cap);
            dec.read_to_end(&mut list)
                .map_err(|e| invalid(format!("status_list.lst is not zlib data: {e}")))?;
            if list.len() > MAX_STATUS_LIST_BYTES {
                return Err(invalid("decompressed status list exceeds MAX_STATUS_LIST_BYTES"));
            }
            Listing::Bits { bits, list }
        } else if let Some(il) = claims.get_int(CLAIM_IDENTIFIER_LIST) {
            let ids = il
                .get("identifiers")
                .and_then(|i| i.value.as_map())
                .ok_or_else(|| invalid("identifier_list.identifiers missing or not a map"))?;
            let mut out = Vec::with_capacity(ids.len());
            for (k, _) in ids {
                out.push(
                    k.value
                        .as_bytes()
                        .ok_or_else(|| invalid("identifier is not a byte string"))?
                        .to_vec(),
                );
            }
            Listing::Identifiers(out)
        } else {
            return Err(invalid("neither status_list (65533) nor identifier_list (65530) claim"));
        };
        Ok(StatusToken {
            protected_raw: msg.protected_raw.to_vec(),
            payload: payload.to_vec(),
            signature: msg.tag_or_signature.to_vec(),
            alg,
            x5chain,
            subject,
            issued_at,
            expires,
            ttl,
            listing,
            verified: OnceLock::new(),
        })
    }

    /// The `sub` claim: the URI the list is published at.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The `iat` claim.
    pub fn issued_at(&self) -> UnixTime {
        self.issued_at
    }

    /// When the token stops being current: the earlier of `exp` and
    /// `iat + ttl`, if either is given.
    pub fn fresh_until(&self) -> Option<UnixTime> {
        let by_ttl = self
            .ttl
            .map(|t| self.issued_at.offset(i64::try_from(t).unwrap_or(i64::MAX)));
        match (self.expires, by_ttl) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The COSE Sig_structure the signer signed (RFC 9052 §4.4).
    pub(crate) fn sig_structure(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 + self.protected_raw.len() + self.payload.len());
        cbor::write_head(&mut out, 4, 4);
        cbor::write_text(&mut out, "Signature1");
        cbor::write_bytes(&mut out, &self.protected_raw);
        cbor::write_bytes(&mut out, &[]);
        cbor::write_bytes(&mut out, &self.payload);
        out
    }

    /// The status value at `idx` of a Token Status List, `None` when out of bounds.
    pub(crate) fn status_at(bits: u8, list: &[u8], idx: u64) -> Option<u8> {
        let per_byte = 8 / u64::from(bits);
        let byte = usize::try_from(idx / per_byte).ok()?;
        let shift = (idx % per_byte) * u64::from(bits);
        let b = *list.get(byte)?;
        let mask = if bits == 8 { 0xff } else { (1u8 << bits) - 1 };
        Some((b >> shift) & mask)
    }
}

/// The MSO `status` reference (ISO 18013-5 second edition).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StatusReference {
    /// `status_list: {idx, uri, ?certificate}`.
    StatusList {
        idx: u64,
        uri: String,
        certificate: Option<Vec<u8>>,
    },
    /// `identifier_list: {id, uri, ?certificate}`.
    IdentifierList {
        id: Vec<u8>,
        uri: String,
        certificate: Option<Vec<u8>>,
    },
}

impl StatusReference {
    /// Reads the MSO `status` map from its received bytes.
    pub(crate) fn parse(raw: &[u8], limits: &Limits) -> Result<Self, Error> {
        let bad = |m: &str| err(ErrorCode::StructureInvalid, format!("MSO status: {m}"));
        let item = cbor::decode(raw, limits).map_err(Error::from)?;
        if item.value.as_map().is_none() {
            return Err(bad("not a map"));
        }
        let uri_cert = |m: &Item<'_>| -> Result<(String, Option<Vec<u8>>), Error> {
            let uri = m
                .get("uri")
                .and_then(|u| u.value.as_text())
                .ok_or_else(|| bad("uri missing or not text"))?;
            let cert = match m.get("certificate") {
                None => None,
                Some(c) => Some(
                    c.value
                        .as_bytes()
                        .ok_or_else(|| bad("certificate is not bytes"))?
                        .to_vec(),
                ),
            };
            Ok((uri.to_owned(), cert))
        };
        if let Some(sl) = item.get("status_list") {
            let idx = sl
                .get("idx")
                .and_then(|i| i.value.as_u64())
                .ok_or_else(|| bad("status_list.idx missing or not an unsigned integer"))?;
            let (uri, certificate) = uri_cert(sl)?;
            return Ok(StatusReference::StatusList { idx, uri, certificate });
        }
        if let Some(il) = item.get("identifier_list") {
            let id = il
                .get("id")
                .and_then(|i| i.value.as_bytes())
                .ok_or_else(|| bad("identifier_list.id missing or not bytes"))?
                .to_vec();
            let (uri, certificate) = uri_cert(il)?;
            return Ok(StatusReference::IdentifierList { id, uri, certificate });
        }
        Err(err(
            ErrorCode::RevocationUnavailable,
            "MSO status names no supported mechanism (status_list, identifier_list)",
        ))
    }

    /// The URI of the list.
    pub(crate) fn uri(&self) -> &str {
        match self {
            StatusReference::StatusList { uri, .. } | StatusReference::IdentifierList { uri, .. } => uri,
        }
    }

    /// The status-signing certificate the MSO names, if any.
    pub(crate) fn certificate(&self) -> Option<&[u8]> {
        match self {
            StatusReference::StatusList { certificate, .. } | StatusReference::IdentifierList { certificate, .. } => {
                certificate.as_deref()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_lsb_first() {
        // Example of draft-ietf-oauth-status-list §4.1: bits 1, byte 0xB9 = 1011 1001.
        let list = [0xb9u8, 0xa3];
        let got: Vec<u8> = (0..16).map(|i| StatusToken::status_at(1, &list, i).unwrap()).collect();
        assert_eq!(got, [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]);
        // bits 2: 0xc9 = 11 00 10 01 → entries 1, 2, 0, 3.
        let got: Vec<u8> = (0..4).map(|i| StatusToken::status_at(2, &[0xc9], i).unwrap()).collect();
        assert_eq!(got, [1, 2, 0, 3]);
        assert_eq!(StatusToken::status_at(8, &[7, 9], 1), Some(9));
        assert_eq!(StatusToken::status_at(4, &[0x21], 2), None);
    }
}
