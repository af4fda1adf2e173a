//! The verifier: DeviceResponse bytes → verified documents or precise
//! rejections (ISO 18013-5 §9.1.2 – §9.3).

use crate::cbor::{self, Item};
use crate::cose::{self, CoseMessage, TAG_MAC0, TAG_SIGN1};
use crate::crypto::{self, hkdf_sha256, hmac_sha256_verify};
use crate::device_auth::{ReaderKey, SessionTranscript};
use crate::document::{DeviceAuthKind, DocumentResult, IssuerSummary, Namespace, RejectedDocument, VerifiedDocument};
use crate::ds_cache::DsCache;
use crate::error::{err, Error, ErrorCode};
use crate::json::write_str;
use crate::limits::Limits;
use crate::mso::Mso;
use crate::profile;
use crate::revocation::{self, RevocationData, RevocationPolicy};
use crate::time::UnixTime;
use crate::trust::{self, CertificateProfile, TrustStore};
use crate::value::ElementValue;
use std::collections::BTreeSet;

/// Verification policy. [`Policy::default`] is strict.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy {
    /// Tolerated clock difference, in seconds, applied to every validity
    /// check (MSO validityInfo and certificates). Default 0.
    pub clock_skew_secs: i64,
    /// Resource limits on the input.
    pub limits: Limits,
    /// Accept a Document Signer certificate that is itself a trust anchor of
    /// role [`AnchorRole::PinnedSigner`](crate::AnchorRole::PinnedSigner)
    /// (an IACA never signs MSOs), skipping the DS profile rules for it. An operator
    /// who adds a certificate as an anchor trusts that key directly. Default
    /// `true`; set to `false` to require the IACA → DS path of Annex B.
    pub allow_anchor_as_signer: bool,
    /// How strictly the Document Signer profile (Annex B.1.4) is enforced.
    pub certificate_profile: CertificateProfile,
    /// Revocation checking (CRL, MSO status); default off.
    pub revocation: RevocationPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            clock_skew_secs: 0,
            limits: Limits::default(),
            allow_anchor_as_signer: true,
            certificate_profile: CertificateProfile::Interoperable,
            revocation: RevocationPolicy::default(),
        }
    }
}

impl Policy {
    /// Sets the clock skew in seconds.
    pub fn with_clock_skew(mut self, secs: i64) -> Self {
        self.clock_skew_secs = secs.max(0);
        self
    }

    /// Sets the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets [`Policy::certificate_profile`].
    pub fn with_certificate_profile(mut self, profile: CertificateProfile) -> Self {
        self.certificate_profile = profile;
        self
    }

    /// Sets [`Policy::revocation`].
    pub fn with_revocation(mut self, revocation: RevocationPolicy) -> Self {
        self.revocation = revocation;
        self
    }

    /// Sets [`Policy::allow_anchor_as_signer`].
    pub fn with_anchor_as_signer(mut self, allow: bool) -> Self {
        self.allow_anchor_as_signer = allow;
        self
    }
}

/// What device authentication needs from the session (ISO 18013-5 §9.1.3).
#[derive(Clone, Copy, Debug, Default)]
pub struct DeviceAuthInput<'a> {
    /// The SessionTranscript of the session, as received.
    pub session_transcript: Option<&'a SessionTranscript>,
    /// The reader's ephemeral private key (for `deviceMac`).
    pub reader_key: Option<&'a ReaderKey>,
}

/// Verifies mdoc responses against a trust store. Immutable, `Send + Sync`,
/// cheap to clone.
///
/// The ISO 18013-5 Annex D response (device authentication by MAC, so the
/// reader's ephemeral key is needed), verified as of 2021-01-01 and again
/// after its Document Signer certificate expired:
///
/// ```
/// use kakunin::{Curve, DeviceAuthInput, ErrorCode, ReaderKey, SessionTranscript, TrustStore, UnixTime, Verifier};
/// # macro_rules! annex_d { ($f:literal) => { include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/iso18013-5-annex-d/", $f)) } }
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let trust = TrustStore::from_pem_or_der(annex_d!("iaca_cert.pem").as_bytes())?;
/// let transcript = SessionTranscript::from_bytes(&hex::decode(annex_d!("session_transcript_bytes.hex").trim())?)?;
/// let reader_key = ReaderKey::from_scalar(Curve::P256, &hex::decode(annex_d!("e_reader_key.d.hex").trim())?)?;
/// let response = hex::decode(annex_d!("device_response.hex").trim())?;
///
/// let verifier = Verifier::new(trust);
/// let auth = DeviceAuthInput { session_transcript: Some(&transcript), reader_key: Some(&reader_key) };
/// let at = UnixTime::parse_rfc3339("2021-01-01T00:00:00Z").ok_or("time")?;
/// let documents = verifier.verify_device_response(&response, auth, at).into_verified().map_err(|_| "rejected")?;
/// let family_name = documents[0].element("org.iso.18013.5.1", "family_name");
/// assert_eq!(family_name.and_then(|v| v.as_text()), Some("Doe"));
///
/// // Fail closed: in 2026 the signer has expired, and no element is reachable.
/// let later = UnixTime::parse_rfc3339("2026-06-01T00:00:00Z").ok_or("time")?;
/// let result = verifier.verify_device_response(&response, auth, later);
/// assert!(!result.is_valid());
/// assert!(result.error_codes().contains(&ErrorCode::CertificateExpired));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    trust: TrustStore,
    policy: Policy,
    revocation: RevocationData,
    /// Verified DS chain signatures, shared by clones.
    ds_cache: DsCache,
}

// A verifier is shared across threads: keep it `Send + Sync`.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Verifier>();
};

/// The result of verifying a DeviceResponse.
#[derive(Debug)]
pub struct Verification {
    documents: Vec<DocumentResult>,
    errors: Vec<Error>,
    time: UnixTime,
}

impl Verification {
    /// `true` only when there is at least one document, every document
    /// verified, and there is no response-level error.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty() && !self.documents.is_empty() && self.documents.iter().all(Result::is_ok)
    }

    /// Per-document outcomes, in response order.
    pub fn documents(&self) -> &[DocumentResult] {
        &self.documents
    }

    /// Response-level errors (structure, version, status, no documents).
    pub fn errors(&self) -> &[Error] {
        &self.errors
    }

    /// The verification time used.
    pub fn time(&self) -> UnixTime {
        self.time
    }

    /// A one-document result (for issuer-only verification of a Document or
    /// an IssuerSigned structure).
    pub fn from_document(document: DocumentResult, time: UnixTime) -> Self {
        Verification {
            documents: vec![document],
            errors: Vec::new(),
            time,
        }
    }

    /// The verified documents, only when the whole response is valid.
    pub fn into_verified(self) -> Result<Vec<VerifiedDocument>, Verification> {
        if !self.is_valid() {
            return Err(self);
        }
        // `is_valid` established that every outcome is `Ok`.
        Ok(self.documents.into_iter().filter_map(Result::ok).collect())
    }

    /// Every error code of the response and its documents.
    pub fn error_codes(&self) -> Vec<ErrorCode> {
        let mut v: Vec<ErrorCode> = self.errors.iter().map(Error::code).collect();
        for d in &self.documents {
            if let Err(r) = d {
                v.extend(r.errors.iter().map(Error::code));
            }
        }
        v
    }

    /// The JSON report of the `verify` contract:
    /// `{"status","documents":[{"doc_type","valid","device_auth","elements","errors"}],"errors"}`.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(1024);
        out.push_str("{\"status\":");
        write_str(&mut out, if self.is_valid() { "valid" } else { "invalid" });
        out.push_str(",\"documents\":[");
        for (i, d) in self.documents.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_document_json(d, &mut out);
        }
        out.push_str("],\"errors\":");
        write_errors_json(&self.errors, &mut out);
        out.push('}');
        out
    }
}

pub(crate) fn write_errors_json(errors: &[Error], out: &mut String) {
    out.push('[');
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"code\":");
        write_str(out, e.code().as_str());
        out.push_str(",\"message\":");
        write_str(out, e.message());
        out.push('}');
    }
    out.push(']');
}

pub(crate) fn write_document_json(d: &DocumentResult, out: &mut String) {
    out.push_str("{\"doc_type\":");
    match d {
        Ok(v) => {
            write_str(out, v.doc_type());
            out.push_str(",\"valid\":true,\"device_auth\":");
            match v.device_auth() {
                Some(k) => write_str(out, k.as_str()),
                None => out.push_str("null"),
            }
            out.push_str(",\"elements\":");
            VerifiedDocument::write_elements_json(v.namespaces(), out);
            if !v.device_namespaces().is_empty() {
                out.push_str(",\"device_elements\":");
                VerifiedDocument::write_elements_json(v.device_namespaces(), out);
            }
            out.push_str(",\"errors\":[]");
        }
        Err(r) => {
            write_str(out, r.claimed_doc_type());
            out.push_str(",\"valid\":false,\"device_auth\":null,\"elements\":{},\"errors\":");
            write_errors_json(r.errors(), out);
        }
    }
    out.push('}');
}

/// Which part of a document to verify.
#[derive(Clone, Copy)]
enum Mode<'i> {
    Full(DeviceAuthInput<'i>),
    IssuerOnly,
}

fn structure(m: impl Into<String>) -> Error {
    err(ErrorCode::StructureInvalid, m)
}

impl Verifier {
    /// A verifier with the default [`Policy`].
    pub fn new(trust: TrustStore) -> Self {
        Verifier {
            trust,
            policy: Policy::default(),
            revocation: RevocationData::default(),
            ds_cache: DsCache::default(),
        }
    }

    /// Sets the CRLs and status tokens used under [`Policy::revocation`].
    pub fn with_revocation_data(mut self, data: RevocationData) -> Self {
        self.revocation = data;
        self
    }

    /// Replaces the Document Signer cache (e.g. [`DsCache::disabled`], or
    /// one cache shared by verifiers built from successive trust lists).
    pub fn with_ds_cache(mut self, cache: DsCache) -> Self {
        self.ds_cache = cache;
        self
    }

    /// The Document Signer cache.
    pub fn ds_cache(&self) -> &DsCache {
        &self.ds_cache
    }

    /// Replaces the policy.
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The trust store.
    pub fn trust_store(&self) -> &TrustStore {
        &self.trust
    }

    /// Verifies a DeviceResponse (ISO 18013-5 §8.3.2.1.2.2) completely:
    /// issuer data authentication and device authentication of every document.
    pub fn verify_device_response(
        &self,
        device_response: &[u8],
        auth: DeviceAuthInput<'_>,
        now: UnixTime,
    ) -> Verification {
        self.verify_response(device_response, Mode::Full(auth), now)
    }

    /// Verifies only the issuer side (issuerAuth, chain, MSO, digests) of every
    /// document of a DeviceResponse, for flows whose device authentication
    /// cannot be checked. Documents report `device_auth() == None`.
    pub fn verify_device_response_issuer_only(&self, device_response: &[u8], now: UnixTime) -> Verification {
        self.verify_response(device_response, Mode::IssuerOnly, now)
    }

    /// Verifies an IssuerSigned structure (no device part). The docType is
    /// taken from the signed MSO, and must equal `doc_type` when given.
    pub fn verify_issuer_signed(&self, issuer_signed: &[u8], doc_type: Option<&str>, now: UnixTime) -> DocumentResult {
        let limits = &self.policy.limits;
        let reject = |e: Error| RejectedDocument {
            claimed_doc_type: doc_type.unwrap_or_default().to_owned(),
            errors: vec![e],
        };
        let item = cbor::decode(issuer_signed, limits).map_err(|e| reject(e.into()))?;
        let mut errors = Vec::new();
        match self.verify_issuer_part(&item, doc_type, now, &mut errors) {
            Some(part) if errors.is_empty() => part.into_document(None, Vec::new(), now),
            _ => {
                let claimed = match doc_type {
                    Some(d) => d.to_owned(),
                    None => claimed_mso_doc_type(&item, limits).unwrap_or_default(),
                };
                Err(RejectedDocument {
                    claimed_doc_type: claimed,
                    errors,
                })
            }
        }
    }

    /// Verifies one Document (`{docType, issuerSigned, deviceSigned?}`) on
    /// its issuer side only.
    pub fn verify_document_issuer_only(&self, document: &[u8], now: UnixTime) -> DocumentResult {
        let limits = &self.policy.limits;
        match cbor::decode(document, limits) {
            Ok(item) => self.verify_document(&item, Mode::IssuerOnly, now),
            Err(e) => Err(RejectedDocument {
                claimed_doc_type: String::new(),
                errors: vec![e.into()],
            }),
        }
    }

    fn verify_response(&self, bytes: &[u8], mode: Mode<'_>, now: UnixTime) -> Verification {
        let mut v = Verification {
            documents: Vec::new(),
            errors: Vec::new(),
            time: now,
        };
        let limits = &self.policy.limits;
        let item = match cbor::decode(bytes, limits) {
            Ok(i) => i,
            Err(e) => {
                v.errors.push(Error::from(e).context("DeviceResponse"));
                return v;
            }
        };
        if item.value.as_map().is_none() {
            v.errors.push(structure("DeviceResponse is not a map"));
            return v;
        }
        match item.get("version").and_then(|x| x.value.as_text()) {
            Some("1.0") => {}
            Some(other) => {
                v.errors.push(err(
                    ErrorCode::UnsupportedVersion,
                    format!("DeviceResponse version {other:?} is not supported"),
                ));
                return v;
            }
            None => {
                v.errors.push(structure("DeviceResponse: version missing"));
                return v;
            }
        }
        match item.get("status").and_then(|x| x.value.as_u64()) {
            Some(0) => {}
            Some(s) => v.errors.push(err(
                ErrorCode::NoDocuments,
                format!("DeviceResponse status {s} (ISO 18013-5 §8.3.2.1.2.3)"),
            )),
            None => {
                v.errors.push(structure("DeviceResponse: status missing"));
                return v;
            }
        }
        let docs = match item.get("documents") {
            None => &[][..],
            Some(d) => match d.value.as_array() {
                Some(a) => a,
                None => {
                    v.errors.push(structure("DeviceResponse: documents is not an array"));
                    return v;
                }
            },
        };
        if docs.len() > limits.max_documents {
            v.errors
                .push(err(ErrorCode::LimitExceeded, "limit `max_documents` exceeded"));
            return v;
        }
        if docs.is_empty() && v.errors.is_empty() {
            v.errors
                .push(err(ErrorCode::NoDocuments, "DeviceResponse carries no document"));
        }
        for d in docs {
            v.documents.push(self.verify_document(d, mode, now));
        }
        v
    }

    fn verify_document(&self, doc: &Item<'_>, mode: Mode<'_>, now: UnixTime) -> DocumentResult {
        let claimed = doc
            .get("docType")
            .and_then(|d| d.value.as_text())
            .unwrap_or_default()
            .to_owned();
        let reject = |errors: Vec<Error>| {
            Err(RejectedDocument {
                claimed_doc_type: claimed.clone(),
                errors,
            })
        };
        if doc.value.as_map().is_none() {
            return reject(vec![structure("Document is not a map")]);
        }
        if doc.get("docType").and_then(|d| d.value.as_text()).is_none() {
            return reject(vec![structure("Document: docType missing or not text")]);
        }
        let Some(issuer_signed) = doc.get("issuerSigned") else {
            return reject(vec![structure("Document: issuerSigned missing")]);
        };
        let mut errors = Vec::new();
        let part = self.verify_issuer_part(issuer_signed, Some(&claimed), now, &mut errors);
        let Some(part) = part else {
            return reject(errors);
        };
        let (kind, device_ns) = match mode {
            Mode::IssuerOnly => (None, Vec::new()),
            Mode::Full(auth) => match self.verify_device_part(doc, &claimed, &part.mso, auth) {
                Ok((k, ns)) => (Some(k), ns),
                Err(e) => {
                    errors.push(e);
                    (None, Vec::new())
                }
            },
        };
        if !errors.is_empty() {
            return reject(errors);
        }
        part.into_document(kind, device_ns, now)
    }

    /// Issuer data authentication (ISO 18013-5 §9.1.2, §9.3.1). Returns the
    /// verified part, or `None` when a check could not even be attempted;
    /// every failure is pushed to `errors`.
    fn verify_issuer_part<'a>(
        &self,
        issuer_signed: &'a Item<'a>,
        doc_type: Option<&str>,
        now: UnixTime,
        errors: &mut Vec<Error>,
    ) -> Option<IssuerPart<'a>> {
        let limits = &self.policy.limits;
        let skew = self.policy.clock_skew_secs;
        macro_rules! fatal {
            ($e:expr) => {{
                errors.push($e);
                return None;
            }};
        }
        if issuer_signed.value.as_map().is_none() {
            fatal!(structure("IssuerSigned is not a map"));
        }
        // IssuerSigned = {? "nameSpaces", "issuerAuth"} (ISO 18013-5 §8.3.2.1.2.2).
        // It is not signed: an unknown key (e.g. a mangled "nameSpaces") is
        // refused rather than read as "nothing disclosed".
        let unknown_key = issuer_signed
            .value
            .as_map()
            .unwrap_or_default()
            .iter()
            .any(|(k, _)| !matches!(k.value.as_text(), Some("nameSpaces" | "issuerAuth")));
        if unknown_key {
            fatal!(structure("IssuerSigned has a key other than nameSpaces and issuerAuth"));
        }
        let Some(auth_item) = issuer_signed.get("issuerAuth") else {
            fatal!(structure("IssuerSigned: issuerAuth missing"));
        };
        let auth = match CoseMessage::parse(auth_item, TAG_SIGN1, "issuerAuth", limits) {
            Ok(a) => a,
            Err(e) => fatal!(e),
        };
        let alg = match auth.signature_algorithm("issuerAuth") {
            Ok(a) => a,
            Err(e) => fatal!(e),
        };
        let chain = match auth.x5chain("issuerAuth", limits) {
            Ok(c) => c,
            Err(e) => fatal!(e),
        };
        let Some(ds_der) = chain.first() else {
            fatal!(structure("issuerAuth: x5chain is empty"));
        };
        let ds = match self.ds_cache.parse_ds(ds_der) {
            Ok(c) => c,
            Err(e) => fatal!(e.context("Document Signer certificate")),
        };
        let Some(payload) = auth.payload else {
            fatal!(structure("issuerAuth: payload (MobileSecurityObjectBytes) is detached"));
        };
        // Read the MSO docType before trust so that anchors scoped to docTypes
        // are matched against the signed docType, never the claimed one alone.
        let mso_item = match cbor::decode(payload, limits) {
            Ok(i) => i,
            Err(e) => fatal!(Error::from(e).context("MobileSecurityObjectBytes")),
        };
        let Some(mso_bytes) = mso_item.tag24_bytes() else {
            fatal!(structure(
                "issuerAuth payload is not MobileSecurityObjectBytes (#6.24(bstr))"
            ));
        };
        let mso_tree = match cbor::decode(mso_bytes, limits) {
            Ok(i) => i,
            Err(e) => fatal!(Error::from(e).context("MobileSecurityObject")),
        };
        let mso_doc_type = mso_tree
            .get("docType")
            .and_then(|d| d.value.as_text())
            .unwrap_or_default()
            .to_owned();
        let scope_doc_type = doc_type.unwrap_or(&mso_doc_type);

        let (anchor, path) =
            match self
                .trust
                .find_issuer(&ds, scope_doc_type, self.policy.allow_anchor_as_signer, &self.ds_cache)
            {
                Ok(x) => x,
                Err(e) => fatal!(e),
            };
        if alg.curve() != ds.key_curve() {
            fatal!(err(
                ErrorCode::AlgorithmKeyMismatch,
                format!(
                    "issuerAuth: {} with a {} Document Signer key",
                    alg.name(),
                    ds.key_curve().name()
                )
            ));
        }
        let mut buf = Vec::new();
        match cose::verify_sign1(&auth, alg, ds.public_key(), payload, &mut buf) {
            Ok(true) => {}
            Ok(false) => fatal!(err(
                ErrorCode::IssuerSignatureInvalid,
                "issuerAuth signature does not verify with the Document Signer key"
            )),
            Err(e) => fatal!(e),
        }
        errors.extend(trust::check_validity(&ds, anchor, now, skew));
        if path == trust::TrustPath::IssuedByAnchor {
            errors.extend(trust::check_ds_profile(&ds, anchor, self.policy.certificate_profile));
        }

        // The MSO is authentic from here on.
        let mso = match Mso::parse(&mso_tree) {
            Ok(m) => m,
            Err(e) => fatal!(e),
        };
        if let Some(dt) = doc_type {
            if mso.doc_type != dt {
                errors.push(err(
                    ErrorCode::MsoDoctypeMismatch,
                    format!("MSO docType {:?} differs from the document's {:?}", mso.doc_type, dt),
                ));
            }
        }
        if let Err(e) = profile::check_signed_within(&ds, mso.validity.signed) {
            errors.push(e);
        }
        errors.extend(revocation::check(
            &self.revocation,
            &self.policy.revocation,
            &ds,
            anchor,
            path,
            mso.status,
            now,
            skew,
            limits,
        ));
        let v = mso.validity;
        if now.offset(skew) < v.valid_from {
            errors.push(err(
                ErrorCode::MsoNotYetValid,
                format!("MSO is valid from {}", v.valid_from),
            ));
        } else if now.offset(skew) < v.signed {
            errors.push(err(
                ErrorCode::MsoNotYetValid,
                format!("MSO is signed in the future ({})", v.signed),
            ));
        }
        if now.offset(-skew) > v.valid_until {
            errors.push(err(ErrorCode::MsoExpired, format!("MSO expired at {}", v.valid_until)));
        }

        let namespaces = match self.check_digests(issuer_signed, &mso) {
            Ok(n) => n,
            Err(e) => fatal!(e),
        };
        errors.extend(profile::check_issuing_country(
            &ds,
            &namespaces,
            self.policy.certificate_profile,
        ));
        let issuer = IssuerSummary {
            subject: ds.subject(),
            issuer: ds.issuer(),
            serial_hex: hex::encode(ds.serial_number()),
            not_before: ds.not_before(),
            not_after: ds.not_after(),
            anchor_subject: anchor.certificate().subject(),
            anchor_key_id_hex: anchor
                .certificate()
                .subject_key_identifier()
                .map(hex::encode)
                .unwrap_or_default(),
            trust_path: path,
            signature_algorithm: alg,
            certificate_der: ds.der().to_vec(),
        };
        Some(IssuerPart {
            doc_type: mso_doc_type,
            mso,
            issuer,
            namespaces,
        })
    }

    /// Hashes every disclosed IssuerSignedItemBytes as received and compares
    /// it with the MSO valueDigests (ISO 18013-5 §9.3.1 steps 6–7).
    fn check_digests(&self, issuer_signed: &Item<'_>, mso: &Mso<'_>) -> Result<Vec<Namespace>, Error> {
        let limits = &self.policy.limits;
        let mut out = Vec::new();
        let Some(ns_item) = issuer_signed.get("nameSpaces") else {
            return Ok(out);
        };
        let ns_map = ns_item
            .value
            .as_map()
            .ok_or_else(|| structure("IssuerNameSpaces is not a map"))?;
        if ns_map.len() > limits.max_namespaces {
            return Err(err(ErrorCode::LimitExceeded, "limit `max_namespaces` exceeded"));
        }
        let mut total = 0usize;
        for (ns_key, items) in ns_map {
            let ns = ns_key
                .value
                .as_text()
                .ok_or_else(|| structure("namespace is not text"))?;
            let digests = mso.value_digests.get(ns).ok_or_else(|| {
                err(
                    ErrorCode::DigestMissing,
                    format!("namespace {ns:?} has no digests in the MSO"),
                )
            })?;
            let items = items
                .value
                .as_array()
                .ok_or_else(|| structure(format!("namespace {ns:?}: items are not an array")))?;
            total += items.len();
            if total > limits.max_elements {
                return Err(err(ErrorCode::LimitExceeded, "limit `max_elements` exceeded"));
            }
            let mut seen_ids = BTreeSet::new();
            let mut elements: Vec<(String, ElementValue)> = Vec::with_capacity(items.len());
            for it in items {
                let inner = it.tag24_bytes().ok_or_else(|| {
                    structure(format!(
                        "namespace {ns:?}: item is not IssuerSignedItemBytes (#6.24(bstr))"
                    ))
                })?;
                let tree = cbor::decode(inner, limits).map_err(|e| Error::from(e).context("IssuerSignedItem"))?;
                if tree.value.as_map().is_none() {
                    return Err(structure("IssuerSignedItem is not a map"));
                }
                let digest_id = tree
                    .get("digestID")
                    .and_then(|d| d.value.as_u64())
                    .ok_or_else(|| structure("IssuerSignedItem: digestID missing or not an unsigned integer"))?;
                let id = tree
                    .get("elementIdentifier")
                    .and_then(|d| d.value.as_text())
                    .ok_or_else(|| structure("IssuerSignedItem: elementIdentifier missing or not text"))?;
                tree.get("random")
                    .and_then(|d| d.value.as_bytes())
                    .ok_or_else(|| structure(format!("{ns}/{id}: random missing or not a byte string")))?;
                let value = tree
                    .get("elementValue")
                    .ok_or_else(|| structure(format!("{ns}/{id}: elementValue missing")))?;
                let expected = digests.get(&digest_id).ok_or_else(|| {
                    err(
                        ErrorCode::DigestMissing,
                        format!("{ns}/{id}: digestID {digest_id} is not in the MSO"),
                    )
                })?;
                if !seen_ids.insert(digest_id) {
                    return Err(err(
                        ErrorCode::DigestMissing,
                        format!("{ns}/{id}: digestID {digest_id} disclosed twice"),
                    ));
                }
                let actual = mso.digest_algorithm.digest(it.raw);
                if actual.as_bytes() != *expected {
                    return Err(err(
                        ErrorCode::DigestMismatch,
                        format!("digest of {ns}/{id} does not match the MSO"),
                    ));
                }
                if elements.iter().any(|(k, _)| k == id) {
                    return Err(structure(format!("{ns}/{id} disclosed twice")));
                }
                elements.push((id.to_owned(), ElementValue::from_cbor(value)));
            }
            out.push(Namespace {
                name: ns.to_owned(),
                elements,
            });
        }
        Ok(out)
    }

    /// mdoc authentication (ISO 18013-5 §9.1.3).
    fn verify_device_part(
        &self,
        doc: &Item<'_>,
        doc_type: &str,
        mso: &Mso<'_>,
        auth: DeviceAuthInput<'_>,
    ) -> Result<(DeviceAuthKind, Vec<Namespace>), Error> {
        let limits = &self.policy.limits;
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
            _ => {
                return Err(err(
                    ErrorCode::DeviceAuthMissing,
                    "DeviceAuth must hold exactly one of deviceSignature and deviceMac",
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
            let mut elements = Vec::with_capacity(items.len());
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
                elements.push((id.to_owned(), ElementValue::from_cbor(value)));
            }
            out.push(Namespace {
                name: ns.to_owned(),
                elements,
            });
        }
        Ok((kind, out))
    }
}

/// The docType an IssuerSigned's MSO claims, read without verifying anything
/// (used only to label a rejection).
fn claimed_mso_doc_type(issuer_signed: &Item<'_>, limits: &Limits) -> Option<String> {
    let auth = issuer_signed.get("issuerAuth")?;
    let msg = CoseMessage::parse(auth, TAG_SIGN1, "issuerAuth", limits).ok()?;
    let payload = cbor::decode(msg.payload?, limits).ok()?;
    let mso = cbor::decode(payload.tag24_bytes()?, limits).ok()?;
    mso.get("docType")?.value.as_text().map(str::to_owned)
}

/// The verified issuer side of a document.
struct IssuerPart<'a> {
    doc_type: String,
    mso: Mso<'a>,
    issuer: IssuerSummary,
    namespaces: Vec<Namespace>,
}

impl IssuerPart<'_> {
    fn into_document(
        self,
        device_auth: Option<DeviceAuthKind>,
        device_namespaces: Vec<Namespace>,
        now: UnixTime,
    ) -> DocumentResult {
        // Element types against the document-type registry (src/doctype).
        crate::doctype::check_document(VerifiedDocument {
            doc_type: self.doc_type,
            issuer: self.issuer,
            validity: self.mso.validity,
            digest_algorithm: self.mso.digest_algorithm,
            device_auth,
            namespaces: self.namespaces,
            device_namespaces,
            verified_at: now,
            warnings: Vec::new(),
        })
    }
}
