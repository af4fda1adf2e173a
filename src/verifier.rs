//! The verifier: DeviceResponse bytes → verified documents or precise
//! rejections (ISO 18013-5 §9.1.2 – §9.3).

use crate::cbor::{self, Item};
use crate::device_auth::verify_device_part;
use crate::doctype_check::check_element_types;
use crate::document::{DocumentResult, RejectedDocument, VerifiedDocument};
use crate::error::{err, Error, ErrorCode};
use crate::issuer_auth::claimed_mso_doc_type;
use crate::limits::Limits;
use crate::pki::ds_cache::DsCache;
use crate::pki::profile::CertificateProfile;
use crate::pki::revocation::{RevocationData, RevocationPolicy};
use crate::pki::trust::TrustStore;
use crate::presentation::transcript::SessionTranscript;
use crate::reader_key::ReaderKey;
use crate::response::{DeviceResponse, Document};
use crate::time::UnixTime;

/// Verification policy.
///
/// [`Policy::default`] enforces the certificate profiles to the letter
/// ([`CertificateProfile::AnnexB`]) with no clock skew, but it is not every
/// check kakunin can make: it accepts a Document Signer that is itself a
/// pinned trust anchor ([`Policy::allow_anchor_as_signer`] is `true`) and it
/// checks no revocation ([`Policy::revocation`] is off). For the strictest
/// verification also call [`Policy::with_allow_anchor_as_signer`]`(false)`, set a
/// [`RevocationPolicy`] of mode
/// [`Required`](crate::RevocationMode::Required), and give the verifier its
/// data ([`Verifier::with_revocation_data`]).
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
    /// (an IACA never signs MSOs). Of the DS profile rules only one applies
    /// to it, as there is no IACA to compare with: an extKeyUsage, when
    /// present, must name the mdoc Document Signer purpose. An operator
    /// who adds a certificate as an anchor trusts that key directly. Default
    /// `true`; set to `false` to require the IACA → DS path of Annex B.
    pub allow_anchor_as_signer: bool,
    /// How strictly the Document Signer profile (Annex B.1.4) is enforced.
    /// Default [`CertificateProfile::AnnexB`], the letter of the standard;
    /// [`CertificateProfile::Interoperable`] is an explicit opt-in.
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
            certificate_profile: CertificateProfile::AnnexB,
            revocation: RevocationPolicy::default(),
        }
    }
}

impl Policy {
    /// Sets the clock skew in seconds.
    pub fn with_clock_skew_secs(mut self, secs: i64) -> Self {
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
    pub fn with_allow_anchor_as_signer(mut self, allow: bool) -> Self {
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
    pub(crate) trust: TrustStore,
    pub(crate) policy: Policy,
    pub(crate) revocation: RevocationData,
    /// Verified DS chain signatures, shared by clones.
    pub(crate) ds_cache: DsCache,
}

// A verifier is shared across threads: keep it `Send + Sync`.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Verifier>();
};

/// The result of verifying a DeviceResponse.
#[derive(Debug)]
pub struct Verification {
    pub(crate) documents: Vec<DocumentResult>,
    errors: Vec<Error>,
    warnings: Vec<Error>,
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

    /// Response-level warnings: problems the caller's policy tolerated that
    /// concern the whole response rather than one document (e.g. revocation
    /// data the application could not use under a best-effort policy). Each
    /// has a stable code and a message; per-document warnings are in
    /// [`VerifiedDocument::policy_warnings`].
    pub fn warnings(&self) -> &[Error] {
        &self.warnings
    }

    /// Adds a response-level error found outside the verifier, such as a
    /// trust list that did not verify (`trust_list_invalid`) or is stale
    /// (`trust_list_stale`): the response is then invalid. An error can only
    /// be added, never removed.
    pub fn add_error(&mut self, error: Error) {
        self.errors.push(error);
    }

    /// Adds a response-level warning found outside the verifier (see
    /// [`Verification::warnings`]). It does not change the verdict.
    pub fn add_warning(&mut self, warning: Error) {
        self.warnings.push(warning);
    }

    /// A one-document result (for issuer-only verification of a Document or
    /// an IssuerSigned structure).
    pub fn from_document(document: DocumentResult, time: UnixTime) -> Self {
        Verification {
            documents: vec![document],
            errors: Vec::new(),
            warnings: Vec::new(),
            time,
        }
    }

    /// A result without documents that carries one response-level error:
    /// for input that cannot be verified the way the caller asked (for
    /// example a bare Document where device authentication, ISO 18013-5
    /// §9.1.3, is required). Never valid.
    pub fn from_error(error: Error, time: UnixTime) -> Self {
        Verification {
            documents: Vec::new(),
            errors: vec![error],
            warnings: Vec::new(),
            time,
        }
    }

    /// A result assembled from parts (online flows that carry several
    /// DeviceResponses, or fail before any of them).
    pub(crate) fn from_parts(
        documents: Vec<DocumentResult>,
        errors: Vec<Error>,
        warnings: Vec<Error>,
        time: UnixTime,
    ) -> Self {
        Verification {
            documents,
            errors,
            warnings,
            time,
        }
    }

    /// Splits a result into its documents, response-level errors and warnings.
    pub(crate) fn into_parts(self) -> (Vec<DocumentResult>, Vec<Error>, Vec<Error>) {
        (self.documents, self.errors, self.warnings)
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
    /// `{"status","documents":[{"doc_type","valid","device_auth","elements","errors","warnings"}],"errors","warnings"}`.
    /// `"warnings"` (`[{"code","message"}]`) is always present, an empty
    /// array when nothing was tolerated; a rejected document's is always empty
    /// (its errors say why it failed).
    pub fn to_json(&self) -> String {
        crate::report::verification_json(self)
    }
}

/// Which part of a document to verify.
#[derive(Clone, Copy)]
enum Mode<'i> {
    Full(DeviceAuthInput<'i>),
    IssuerOnly,
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
            Some(part) if errors.is_empty() => check_element_types(part.into_document(None, Vec::new(), now)),
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
            warnings: Vec::new(),
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
        let response = match DeviceResponse::read(&item, limits) {
            Ok(r) => r,
            Err(e) => {
                v.errors.push(e);
                return v;
            }
        };
        if response.status != 0 {
            v.errors.push(err(
                ErrorCode::NoDocuments,
                format!("DeviceResponse status {} (ISO 18013-5 §8.3.2.1.2.3)", response.status),
            ));
        }
        let docs = response.documents;
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
        let claimed = Document::claimed_doc_type(doc);
        let reject = |errors: Vec<Error>| {
            Err(RejectedDocument {
                claimed_doc_type: claimed.clone(),
                errors,
            })
        };
        let document = match Document::read(doc) {
            Ok(d) => d,
            Err(e) => return reject(vec![e]),
        };
        let mut errors = Vec::new();
        let part = self.verify_issuer_part(document.issuer_signed, Some(document.doc_type), now, &mut errors);
        let Some(part) = part else {
            return reject(errors);
        };
        let (kind, device_ns) = match mode {
            Mode::IssuerOnly => (None, Vec::new()),
            Mode::Full(auth) => match verify_device_part(&document, &part.mso, auth, &self.policy.limits) {
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
        // Element types against the document-type registry, last.
        check_element_types(part.into_document(kind, device_ns, now))
    }
}
