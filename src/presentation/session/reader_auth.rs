//! Reader authentication (ISO 18013-5 §9.1.4): a COSE_Sign1 with a detached
//! payload, ReaderAuthenticationBytes =
//! `#6.24(bstr .cbor ["ReaderAuthentication", SessionTranscript, ItemsRequestBytes])`,
//! and the reader certificate chain in `x5chain`.
//!
//! Signing goes through [`ReaderAuthSigner`], so the private key can live in
//! an HSM or a platform keystore; [`ReaderAuthKey`] is the in-memory signer.
//! Verification (for tests and holder-side tools) checks the signature, the
//! chain to a reader trust anchor and the reader certificate profile.

use crate::cbor::{self, Value};
use crate::cose::{self, CoseMessage, TAG_SIGN1};
use crate::crypto::{PrivateKey, SignatureAlgorithm};
use crate::error::{err, Error, ErrorCode};
use crate::limits::Limits;
use crate::pki::trust::{AnchorRole, TrustStore};
use crate::pki::x509::{self, ParsedCertificate};
use crate::presentation::transcript::SessionTranscript;
use crate::reader_key::ReaderKey;
use crate::time::UnixTime;

/// Signs ReaderAuth: a private key in memory ([`ReaderAuthKey`]) or a
/// callback into an HSM.
pub trait ReaderAuthSigner {
    /// The COSE algorithm the signature will use.
    fn algorithm(&self) -> SignatureAlgorithm;
    /// The reader certificate chain (DER), leaf first, for `x5chain`.
    fn certificate_chain(&self) -> &[Vec<u8>];
    /// Signs `to_be_signed` (the COSE Sig_structure) and returns the
    /// signature in COSE form (fixed-size `r‖s` for ECDSA).
    fn sign(&self, to_be_signed: &[u8]) -> Result<Vec<u8>, Error>;
}

/// An in-memory reader signing key with its certificate chain.
#[derive(Clone, Debug)]
pub struct ReaderAuthKey {
    key: PrivateKey,
    alg: SignatureAlgorithm,
    chain: Vec<Vec<u8>>,
}

impl ReaderAuthKey {
    /// A signer from a private key (see [`ReaderKey::from_bytes`] for the
    /// accepted encodings) and PEM or DER certificates, leaf first. The leaf
    /// certificate's key must be the key's public key.
    pub fn new(key: ReaderKey, chain_pem_or_der: &[u8]) -> Result<Self, Error> {
        let chain = x509::certificates_from_pem_or_der(chain_pem_or_der)?;
        let leaf = chain
            .first()
            .ok_or_else(|| err(ErrorCode::StructureInvalid, "reader certificate chain is empty"))?;
        let leaf = ParsedCertificate::from_der(leaf)?;
        if *leaf.public_key() != key.key.public_key() {
            return Err(err(
                ErrorCode::AlgorithmKeyMismatch,
                "the reader certificate does not hold the signing key's public key",
            ));
        }
        let alg = match key.curve() {
            crate::Curve::P256 => SignatureAlgorithm::Es256,
            crate::Curve::P384 => SignatureAlgorithm::Es384,
            _ => SignatureAlgorithm::Es512,
        };
        Ok(ReaderAuthKey {
            key: key.key,
            alg,
            chain,
        })
    }
}

impl ReaderAuthSigner for ReaderAuthKey {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.alg
    }

    fn certificate_chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn sign(&self, to_be_signed: &[u8]) -> Result<Vec<u8>, Error> {
        self.key
            .sign_cose(to_be_signed)
            .map(|(_, s)| s)
            .ok_or_else(|| err(ErrorCode::UnsupportedAlgorithm, "reader key cannot sign"))
    }
}

/// ReaderAuthenticationBytes for a transcript and ItemsRequestBytes (the
/// `#6.24(bstr)` item exactly as it appears in the DocRequest).
pub fn reader_authentication_bytes(transcript: &SessionTranscript, items_request_bytes: &[u8]) -> Vec<u8> {
    let array = transcript.as_array_bytes();
    let mut ra = Vec::with_capacity(array.len() + items_request_bytes.len() + 24);
    cbor::write_head(&mut ra, 4, 3);
    cbor::write_text(&mut ra, "ReaderAuthentication");
    ra.extend_from_slice(array);
    ra.extend_from_slice(items_request_bytes);
    cbor::tag24(&ra)
}

fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(protected.len() + payload.len() + 24);
    cbor::write_head(&mut out, 4, 4);
    cbor::write_text(&mut out, "Signature1");
    cbor::write_bytes(&mut out, protected);
    cbor::write_bytes(&mut out, &[]);
    cbor::write_bytes(&mut out, payload);
    out
}

/// Builds the ReaderAuth COSE_Sign1 (untagged, detached payload, alg in the
/// protected header, x5chain unprotected) over `items_request_bytes`.
pub(crate) fn sign_reader_auth(
    items_request_bytes: &[u8],
    transcript: &SessionTranscript,
    signer: &dyn ReaderAuthSigner,
) -> Result<Vec<u8>, Error> {
    let alg = signer.algorithm();
    let chain = signer.certificate_chain();
    if chain.is_empty() {
        return Err(err(ErrorCode::StructureInvalid, "ReaderAuth: empty certificate chain"));
    }
    let mut protected = Vec::new();
    cbor::write_head(&mut protected, 5, 1);
    cbor::write_head(&mut protected, 0, 1);
    let id = alg.cose_id();
    if id < 0 {
        cbor::write_head(&mut protected, 1, (-1 - id).unsigned_abs());
    } else {
        cbor::write_head(&mut protected, 0, id.unsigned_abs());
    }
    let payload = reader_authentication_bytes(transcript, items_request_bytes);
    let tbs = sig_structure(&protected, &payload);
    let signature = signer.sign(&tbs)?;
    if matches!(
        alg,
        SignatureAlgorithm::Es256 | SignatureAlgorithm::Es384 | SignatureAlgorithm::Es512
    ) && signature.len() != 2 * alg.curve().field_bytes()
    {
        return Err(err(
            ErrorCode::StructureInvalid,
            "ReaderAuth: the signer returned a signature of the wrong size (want r‖s, not DER)",
        ));
    }
    let mut out = Vec::new();
    cbor::write_head(&mut out, 4, 4);
    cbor::write_bytes(&mut out, &protected);
    cbor::write_head(&mut out, 5, 1);
    cbor::write_head(&mut out, 0, cose::HEADER_X5CHAIN.unsigned_abs());
    match chain {
        [one] => cbor::write_bytes(&mut out, one),
        many => {
            cbor::write_len(&mut out, 4, many.len());
            for c in many {
                cbor::write_bytes(&mut out, c);
            }
        }
    }
    out.push(0xf6);
    cbor::write_bytes(&mut out, &signature);
    Ok(out)
}

/// A ReaderAuth that verified.
#[derive(Clone, Debug)]
pub struct VerifiedReaderAuth {
    /// The reader (leaf) certificate.
    pub certificate: ParsedCertificate,
    /// Subject of the reader trust anchor it chains to.
    pub anchor_subject: String,
    /// The signature algorithm.
    pub algorithm: SignatureAlgorithm,
}

fn invalid(msg: impl Into<String>) -> Error {
    err(ErrorCode::ReaderAuthInvalid, msg)
}

/// Verifies a ReaderAuth over `items_request_bytes` (the `#6.24(bstr)` item
/// as received) and this session's transcript, against reader trust anchors
/// at `now`.
///
/// Checks: detached payload; protected `alg` matching the leaf key; the
/// signature; a path from the leaf to an anchor through CA certificates of
/// the x5chain (name, then signature, within every pathLenConstraint); only
/// a CA anchor ([`AnchorRole::Iaca`]) issues — a pinned anchor (a
/// certificate trusted as itself) never vouches for another certificate —
/// and every intermediate is a CA with keyUsage keyCertSign (RFC 5280
/// §4.2.1.3, §4.2.1.9);
/// validity of every certificate on the path; the leaf is not a CA and,
/// when it has an extKeyUsage, includes the mdoc reader purpose
/// 1.0.18013.5.1.6 (Annex B.1.7).
pub fn verify_reader_auth(
    reader_auth: &[u8],
    items_request_bytes: &[u8],
    transcript: &SessionTranscript,
    anchors: &TrustStore,
    now: UnixTime,
) -> Result<VerifiedReaderAuth, Error> {
    let limits = Limits::default();
    let item = cbor::decode(reader_auth, &limits)?;
    let msg = CoseMessage::parse(&item, TAG_SIGN1, "readerAuth", &limits)?;
    if msg.payload.is_some() {
        return Err(invalid("readerAuth: payload must be detached (nil)"));
    }
    let alg = msg.signature_algorithm("readerAuth")?;
    let chain = msg.x5chain("readerAuth", &limits)?;
    let leaf_der = chain.first().ok_or_else(|| invalid("readerAuth: x5chain is empty"))?;
    let leaf = ParsedCertificate::from_der(leaf_der)?;
    let payload = reader_authentication_bytes(transcript, items_request_bytes);
    let mut buf = Vec::new();
    if !cose::verify_sign1(&msg, alg, leaf.public_key(), &payload, &mut buf)? {
        return Err(invalid("readerAuth: signature does not verify"));
    }
    if leaf.is_ca() {
        return Err(err(
            ErrorCode::CertificateProfileInvalid,
            "reader certificate is a CA (Annex B.1.7)",
        ));
    }
    if let Some(eku) = leaf.ext_key_usage() {
        if !eku.contains(&x509::OID_EKU_MDL_READER) {
            return Err(err(
                ErrorCode::CertificateProfileInvalid,
                "reader certificate extKeyUsage lacks 1.0.18013.5.1.6 (Annex B.1.7)",
            ));
        }
    }
    // Walk leaf → (intermediates from x5chain) → anchor.
    let mut intermediates = Vec::new();
    for der in chain.iter().skip(1) {
        intermediates.push(ParsedCertificate::from_der(der)?);
    }
    let (anchor, path) = build_path(&leaf, &intermediates, anchors)?;
    leaf.check_validity(now, 0, "reader")?;
    for c in &path {
        c.check_validity(now, 0, "reader intermediate CA")?;
    }
    anchor.check_validity(now, 0, "reader root")?;
    Ok(VerifiedReaderAuth {
        anchor_subject: anchor.subject(),
        certificate: leaf,
        algorithm: alg,
    })
}

/// Finds anchor and intermediates (in issuing order from the leaf) such that
/// each certificate is issued (name and signature) by the next; the anchor
/// must be a CA anchor (a pinned anchor never issues), the intermediates CAs
/// with keyCertSign, and every pathLenConstraint must allow the path.
/// Bounded by the x5chain length (itself bounded by the limits).
fn build_path<'a>(
    leaf: &ParsedCertificate,
    intermediates: &'a [ParsedCertificate],
    anchors: &'a TrustStore,
) -> Result<(&'a ParsedCertificate, Vec<&'a ParsedCertificate>), Error> {
    let mut path: Vec<&'a ParsedCertificate> = Vec::new();
    let mut current = leaf;
    for _ in 0..=intermediates.len() {
        let issuer = current.issuer_der();
        // Only a CA anchor issues; its keyCertSign was checked when it loaded.
        for a in anchors.anchors().iter().filter(|a| a.role() == AnchorRole::Iaca) {
            let c = a.certificate();
            if c.subject_der() == issuer && current.is_signed_by(c.public_key())? {
                let allowed = c
                    .basic_constraints()
                    .and_then(|b| b.path_len_constraint)
                    .is_none_or(|n| usize::from(n) >= path.len());
                if allowed {
                    return Ok((c, path));
                }
            }
        }
        let mut next = None;
        for c in intermediates {
            if path.iter().any(|p| core::ptr::eq(*p, c)) {
                continue;
            }
            let allowed = c
                .basic_constraints()
                .and_then(|b| b.path_len_constraint)
                .is_none_or(|n| usize::from(n) >= path.len());
            let cert_sign = c.key_usage().is_some_and(|k| k.key_cert_sign());
            if c.subject_der() == issuer && c.is_ca() && cert_sign && allowed && current.is_signed_by(c.public_key())? {
                next = Some(c);
                break;
            }
        }
        match next {
            Some(c) => {
                path.push(c);
                current = c;
            }
            None => break,
        }
    }
    Err(invalid(format!(
        "reader certificate ({}) does not chain to any reader trust anchor",
        leaf.subject()
    )))
}

/// One DocRequest of a DeviceRequest, with its reader authentication result.
#[derive(Clone, Debug)]
pub struct DocRequestCheck {
    /// The docType of the ItemsRequest.
    pub doc_type: String,
    /// ItemsRequestBytes as received.
    pub items_request_bytes: Vec<u8>,
    /// `None` when the DocRequest has no readerAuth.
    pub reader_auth: Option<Result<VerifiedReaderAuth, Error>>,
}

/// Reads a DeviceRequest and verifies the ReaderAuth of each DocRequest
/// (holder-side tools; ISO 18013-5 §8.3.2.1.2.1, §9.1.4).
pub fn verify_device_request(
    device_request: &[u8],
    transcript: &SessionTranscript,
    anchors: &TrustStore,
    now: UnixTime,
) -> Result<Vec<DocRequestCheck>, Error> {
    let limits = Limits::default();
    let bad = |m: &str| err(ErrorCode::StructureInvalid, format!("DeviceRequest: {m}"));
    let item = cbor::decode(device_request, &limits)?;
    match item.get("version").and_then(|v| v.value.as_text()) {
        Some(v) if v.starts_with("1.") => {}
        Some(v) => {
            return Err(err(
                ErrorCode::UnsupportedVersion,
                format!("DeviceRequest version {v:?}"),
            ))
        }
        None => return Err(bad("version missing")),
    }
    let docs = item
        .get("docRequests")
        .and_then(|d| d.value.as_array())
        .ok_or_else(|| bad("docRequests missing"))?;
    let mut out = Vec::with_capacity(docs.len().min(limits.max_documents));
    for d in docs {
        if out.len() >= limits.max_documents {
            return Err(err(ErrorCode::LimitExceeded, "limit `max_documents` exceeded"));
        }
        let items = d.get("itemsRequest").ok_or_else(|| bad("itemsRequest missing"))?;
        let inner = items
            .tag24_bytes()
            .ok_or_else(|| bad("itemsRequest is not #6.24(bstr)"))?;
        let ir = cbor::decode(inner, &limits)?;
        let doc_type = match ir.get("docType").map(|v| &v.value) {
            Some(Value::Text(t)) => (*t).to_owned(),
            _ => return Err(bad("ItemsRequest docType missing")),
        };
        let reader_auth = d
            .get("readerAuth")
            .map(|ra| verify_reader_auth(ra.raw, items.raw, transcript, anchors, now));
        out.push(DocRequestCheck {
            doc_type,
            items_request_bytes: items.raw.to_vec(),
            reader_auth,
        });
    }
    Ok(out)
}
