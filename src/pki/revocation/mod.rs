//! Revocation, sans I/O: CRLs of the IACA for its Document Signers, and the
//! MSO `status` of ISO 18013-5 second edition (Token Status List or
//! identifier list). The application fetches (or caches) the bytes and
//! passes them in a [`RevocationData`] with the verification time; kakunin
//! says whether they are authentic, current, and what they mean.
//!
//! Two rules hold in every mode that checks anything:
//! - A revocation is final. A listed Document Signer
//!   (`certificate_revoked`) or a document marked revoked
//!   (`document_revoked`) or suspended (`document_suspended`) by authentic
//!   data rejects even when that data is past its update time, or its
//!   status-list signer certificate has expired since: only "not revoked"
//!   needs current data. (A suspension is lifted only by a newer authentic
//!   token saying "valid".)
//! - A status-list signer certificate is judged at the token's `iat`: it must
//!   have been valid when it signed. The token's freshness is judged at the
//!   verification time.
//!
//! [`RevocationMode`]:
//! - `Off` (default): nothing is checked.
//! - `BestEffort`: the data that was passed and verifies is used. Missing,
//!   unusable or stale data does not reject; each such problem is reported
//!   as a warning (`revocation_unavailable`, `revocation_stale`) on the
//!   verified document
//!   ([`VerifiedDocument::policy_warnings`](crate::VerifiedDocument::policy_warnings)).
//! - `Required`: every mechanism that applies must be checked with current
//!   data: a CRL of the DS's IACA, and the status token when the MSO has a
//!   `status` reference. Missing or unusable → `revocation_unavailable`;
//!   past its nextUpdate / exp / iat+ttl, without any of them (a CRL without
//!   nextUpdate, a status token with neither `exp` nor `ttl`), or older than
//!   [`RevocationPolicy::max_age_secs`] → `revocation_stale`. A pinned signer
//!   has no IACA to issue a CRL or a status-list signer, so its documents are
//!   rejected with `revocation_unavailable` unless the operator sets
//!   [`RevocationPolicy::exempt_pinned_signers`].
//!
//! A [`RevocationData`] is shared by every verification that uses it: each
//! CRL and status token remembers the issuer (by SHA-256 of its certificate)
//! whose key verified its signature, so repeat documents skip that work,
//! while another issuer of the same name is verified afresh.

mod crl;
mod status_list;

pub use crl::Crl;
pub use status_list::{StatusToken, MAX_STATUS_LIST_BYTES};

use crate::error::{err, Error, ErrorCode};
use crate::limits::Limits;
use crate::pki::profile::CertificateProfile;
use crate::pki::profile::OID_EKU_MDL_DS_EUDI_ALIAS;
use crate::pki::trust::{AnchorRole, TrustAnchor, TrustPath, TrustStore};
use crate::pki::x509::{self, ParsedCertificate};
use crate::time::UnixTime;
use status_list::{Listing, StatusReference};
use std::sync::Arc;

/// How revocation is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RevocationMode {
    /// No revocation check (default).
    #[default]
    Off,
    /// Use whatever authentic data was given; missing or stale data does not
    /// reject but is reported as a warning.
    BestEffort,
    /// Every applicable mechanism must be checked with current data.
    Required,
}

impl RevocationMode {
    /// Parses `off`, `best-effort` or `required`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "off" => Some(RevocationMode::Off),
            "best-effort" => Some(RevocationMode::BestEffort),
            "required" => Some(RevocationMode::Required),
            _ => None,
        }
    }
}

/// Revocation policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RevocationPolicy {
    /// What is checked.
    pub mode: RevocationMode,
    /// Refuse a CRL or status token whose thisUpdate / iat is older than this
    /// many seconds (in addition to its own nextUpdate / exp / ttl).
    pub max_age_secs: Option<u64>,
    /// Under `Required`, accept a document whose Document Signer is a pinned
    /// signer without any revocation data (no IACA issues a CRL or a
    /// status-list signer for it). The trade: the operator who pinned the
    /// key must remove it from the trust store to revoke it, and an MSO
    /// `status` of such a document is not checked. Default `false`: such a
    /// document is rejected with `revocation_unavailable` under `Required`
    /// (and carries a warning under `BestEffort`).
    pub exempt_pinned_signers: bool,
}

impl RevocationPolicy {
    /// A policy with `mode` and no maximum age.
    pub fn new(mode: RevocationMode) -> Self {
        RevocationPolicy {
            mode,
            max_age_secs: None,
            exempt_pinned_signers: false,
        }
    }

    /// Sets [`RevocationPolicy::exempt_pinned_signers`].
    pub fn with_exempt_pinned_signers(mut self, exempt: bool) -> Self {
        self.exempt_pinned_signers = exempt;
        self
    }

    /// Sets [`RevocationPolicy::max_age_secs`].
    pub fn with_max_age_secs(mut self, secs: u64) -> Self {
        self.max_age_secs = Some(secs);
        self
    }
}

/// The CRLs and status tokens the application fetched. Cheap to clone
/// (shared); build a new one when fresh data arrives.
#[derive(Clone, Debug, Default)]
pub struct RevocationData {
    crls: Arc<Vec<Crl>>,
    tokens: Arc<Vec<StatusToken>>,
}

impl RevocationData {
    /// No data.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a CRL (DER). Structure is checked now, the signature when used.
    pub fn add_crl(&mut self, der: &[u8]) -> Result<&mut Self, Error> {
        let crl = Crl::from_der(der)?;
        Arc::make_mut(&mut self.crls).push(crl);
        Ok(self)
    }

    /// Adds a status list or identifier list token (COSE_Sign1 CWT bytes).
    pub fn add_status_token(&mut self, bytes: &[u8]) -> Result<&mut Self, Error> {
        let t = StatusToken::from_bytes(bytes, &Limits::default())?;
        Arc::make_mut(&mut self.tokens).push(t);
        Ok(self)
    }

    /// The CRLs.
    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }

    /// The status tokens.
    pub fn status_tokens(&self) -> &[StatusToken] {
        &self.tokens
    }
}

/// Freshness of a list at `now`.
fn staleness(
    this_update: UnixTime,
    next_update: Option<UnixTime>,
    policy: &RevocationPolicy,
    now: UnixTime,
    skew: i64,
    what: &str,
) -> Option<Error> {
    let Some(next) = next_update else {
        return Some(err(
            ErrorCode::RevocationStale,
            format!("{what} states no next update time, so it is never current"),
        ));
    };
    if now.offset(-skew) > next {
        return Some(err(
            ErrorCode::RevocationStale,
            format!("{what} was due to be replaced at {next}"),
        ));
    }
    if let Some(max) = policy.max_age_secs {
        if now.offset(-skew) > this_update.offset(i64::try_from(max).unwrap_or(i64::MAX)) {
            return Some(err(
                ErrorCode::RevocationStale,
                format!("{what} of {this_update} is older than the maximum age of {max} s"),
            ));
        }
    }
    None
}

/// What revocation checking found for one document: `errors` reject it,
/// `warnings` are the problems a best-effort policy tolerated.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) errors: Vec<Error>,
    pub(crate) warnings: Vec<Error>,
}

impl Outcome {
    /// A problem that rejects under `Required` and is a warning otherwise.
    fn problem(&mut self, e: Error, required: bool) {
        if required {
            self.errors.push(e);
        } else {
            self.warnings.push(e);
        }
    }
}

/// What the verifier knows about the document whose revocation is checked.
pub(crate) struct Subject<'a> {
    /// The Document Signer certificate.
    pub(crate) ds: &'a ParsedCertificate,
    /// The anchor that vouched for it (its IACA, or the pinned signer itself).
    pub(crate) anchor: &'a TrustAnchor,
    /// How the DS was trusted.
    pub(crate) path: TrustPath,
    /// The MSO `status` as received, if any.
    pub(crate) mso_status: Option<&'a [u8]>,
    /// The certificate profile in force (decides the role of a certificate
    /// without extKeyUsage).
    pub(crate) profile: CertificateProfile,
    /// The trust store (a pinned signer never signs status lists).
    pub(crate) trust: &'a TrustStore,
}

/// Checks the revocation of one verified document's Document Signer and
/// MSO status under the policy.
pub(crate) fn check(
    data: &RevocationData,
    policy: &RevocationPolicy,
    subject: &Subject<'_>,
    now: UnixTime,
    skew: i64,
    limits: &Limits,
) -> Outcome {
    let required = match policy.mode {
        RevocationMode::Off => return Outcome::default(),
        RevocationMode::BestEffort => false,
        RevocationMode::Required => true,
    };
    let mut out = Outcome::default();
    if subject.path != TrustPath::IssuedByAnchor {
        if !policy.exempt_pinned_signers {
            out.problem(
                err(
                    ErrorCode::RevocationUnavailable,
                    format!(
                        "the Document Signer ({}) is a pinned signer: no IACA issues a CRL or a status-list \
                         signer for it, so its revocation cannot be checked",
                        subject.ds.subject()
                    ),
                ),
                required,
            );
        }
        return out;
    }
    check_crls(
        data,
        policy,
        subject.ds,
        subject.anchor.certificate(),
        now,
        skew,
        required,
        &mut out,
    );
    if let Some(raw) = subject.mso_status {
        check_status(data, policy, subject, raw, now, skew, limits, required, &mut out);
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn check_crls(
    data: &RevocationData,
    policy: &RevocationPolicy,
    ds: &ParsedCertificate,
    iaca: &ParsedCertificate,
    now: UnixTime,
    skew: i64,
    required: bool,
    out: &mut Outcome,
) {
    let mut problem: Option<Error> = None;
    let mut current = false;
    for crl in data.crls.iter().filter(|c| c.is_issued_by_name(iaca)) {
        if let Err(e) = crl.verify_signature(iaca) {
            problem.get_or_insert(e);
            continue;
        }
        if crl.this_update() > now.offset(skew) {
            problem.get_or_insert(err(
                ErrorCode::RevocationUnavailable,
                format!(
                    "CRL of {:?} is issued in the future ({})",
                    iaca.subject(),
                    crl.this_update()
                ),
            ));
            continue;
        }
        if crl.lists(ds) {
            out.errors.push(err(
                ErrorCode::CertificateRevoked,
                format!(
                    "Document Signer serial {} is on the CRL of {:?} (thisUpdate {})",
                    hex::encode(ds.serial_number()),
                    iaca.subject(),
                    crl.this_update()
                ),
            ));
            return;
        }
        match staleness(crl.this_update(), crl.next_update(), policy, now, skew, "CRL") {
            Some(e) => {
                problem = Some(e);
            }
            None => current = true,
        }
    }
    if current {
        return;
    }
    out.problem(
        problem.unwrap_or_else(|| {
            err(
                ErrorCode::RevocationUnavailable,
                format!("no CRL of {:?} was provided", iaca.subject()),
            )
        }),
        required,
    );
}

/// A status-signing certificate must be issued by the DS's IACA, have been
/// valid when it signed (the token's `iat`), not be a CA, and keep to its
/// role: not the Document Signer, not a pinned signer, no extKeyUsage naming
/// the mdoc Document Signer purpose, and — under the interoperable profile,
/// where a certificate without extKeyUsage may sign MSOs — an extKeyUsage.
/// The signature by the IACA is checked by the caller (and remembered).
fn check_status_signer(signer: &ParsedCertificate, subject: &Subject<'_>, issued_at: UnixTime) -> Result<(), Error> {
    if signer.der() == subject.ds.der() {
        return Err(signer_error(
            "the Document Signer certificate may not sign status lists".into(),
        ));
    }
    match signer.ext_key_usage() {
        Some(e) if e.contains(&x509::OID_EKU_MDL_DS) || e.contains(&OID_EKU_MDL_DS_EUDI_ALIAS) => {
            return Err(signer_error(
                "its extKeyUsage is the mdoc Document Signer purpose".into(),
            ));
        }
        None if subject.profile != CertificateProfile::AnnexB => {
            return Err(signer_error(
                "it has no extKeyUsage, and under the interoperable profile such a certificate may sign MSOs \
                 (one certificate, one role)"
                    .into(),
            ));
        }
        _ => {}
    }
    if subject
        .trust
        .anchors()
        .iter()
        .any(|a| a.role() == AnchorRole::PinnedSigner && a.certificate().der() == signer.der())
    {
        return Err(signer_error("it is a pinned Document Signer in the trust store".into()));
    }
    if signer.is_ca() {
        return Err(signer_error("it is a CA certificate".into()));
    }
    if signer.key_usage().is_some_and(|k| !k.digital_signature()) {
        return Err(signer_error("keyUsage lacks digitalSignature".into()));
    }
    if signer.issuer_der() != subject.anchor.certificate().subject_der() {
        return Err(not_issued(signer));
    }
    signer
        .check_validity(issued_at, 0, "status list signer")
        .map_err(|e| signer_error(format!("at the token's iat {issued_at}: {}", e.message())))
}

fn signer_error(m: String) -> Error {
    err(ErrorCode::RevocationUnavailable, format!("status list signer: {m}"))
}

fn not_issued(signer: &ParsedCertificate) -> Error {
    signer_error(format!(
        "{:?} is not issued by the Document Signer's IACA",
        signer.subject()
    ))
}

#[allow(clippy::too_many_arguments)]
fn check_status(
    data: &RevocationData,
    policy: &RevocationPolicy,
    subject: &Subject<'_>,
    raw: &[u8],
    now: UnixTime,
    skew: i64,
    limits: &Limits,
    required: bool,
    out: &mut Outcome,
) {
    let reference = match StatusReference::parse(raw, limits) {
        Ok(r) => r,
        Err(e) if e.code() == ErrorCode::RevocationUnavailable => {
            out.problem(e, required);
            return;
        }
        Err(e) => {
            out.errors.push(e);
            return;
        }
    };
    let uri = reference.uri();
    let mut problem: Option<Error> = None;
    // The newest authentic token saying "suspended" and the newest current one
    // saying "valid": a suspension stands unless a newer token lifts it.
    let mut suspended: Option<UnixTime> = None;
    let mut valid_current: Option<UnixTime> = None;
    for token in data.tokens.iter().filter(|t| t.subject == uri) {
        if token.issued_at > now.offset(skew) {
            problem.get_or_insert(err(
                ErrorCode::RevocationUnavailable,
                format!("status list token for {uri:?} is issued in the future"),
            ));
            continue;
        }
        if let Err(e) = verify_token(token, &reference, subject) {
            problem.get_or_insert(e);
            continue;
        }
        let status = match (&token.listing, &reference) {
            (Listing::Bits { bits, list }, StatusReference::StatusList { idx, .. }) => {
                match StatusToken::status_at(*bits, list, *idx) {
                    Some(s) => s,
                    None => {
                        problem.get_or_insert(err(
                            ErrorCode::RevocationUnavailable,
                            format!("status list {uri:?} has no entry {idx}"),
                        ));
                        continue;
                    }
                }
            }
            (Listing::Identifiers(ids), StatusReference::IdentifierList { id, .. }) => {
                u8::from(ids.iter().any(|x| x == id))
            }
            _ => {
                problem.get_or_insert(err(
                    ErrorCode::RevocationUnavailable,
                    format!("token for {uri:?} is not the kind of list the MSO refers to"),
                ));
                continue;
            }
        };
        match status {
            0 => match staleness(
                token.issued_at,
                token.fresh_until(),
                policy,
                now,
                skew,
                "status list token",
            ) {
                Some(e) => problem = Some(e),
                None => valid_current = valid_current.max(Some(token.issued_at)),
            },
            1 => {
                // Final, however old the token or its signer now is.
                out.errors.push(err(
                    ErrorCode::DocumentRevoked,
                    format!(
                        "status list {uri:?} marks the document as revoked (iat {})",
                        token.issued_at
                    ),
                ));
                return;
            }
            2 => suspended = suspended.max(Some(token.issued_at)),
            other => {
                problem.get_or_insert(err(
                    ErrorCode::RevocationUnavailable,
                    format!("status list {uri:?} holds the undefined status value {other}"),
                ));
            }
        }
    }
    if let Some(iat) = suspended {
        if valid_current.is_none_or(|v| v <= iat) {
            out.errors.push(err(
                ErrorCode::DocumentSuspended,
                format!("status list {uri:?} marks the document as suspended (iat {iat})"),
            ));
            return;
        }
    }
    if valid_current.is_some() {
        return;
    }
    out.problem(
        problem.unwrap_or_else(|| {
            err(
                ErrorCode::RevocationUnavailable,
                format!("no status list token for {uri:?} was provided"),
            )
        }),
        required,
    );
}

fn verify_token(token: &StatusToken, reference: &StatusReference, subject: &Subject<'_>) -> Result<(), Error> {
    let anchor = subject.anchor.certificate();
    let candidates = reference
        .certificate()
        .into_iter()
        .chain(token.x5chain.first().map(Vec::as_slice));
    let mut last = err(
        ErrorCode::RevocationUnavailable,
        "status list token: no signer certificate (neither x5chain nor MSO status certificate)",
    );
    for der in candidates {
        let signer = match ParsedCertificate::from_der(der) {
            Ok(c) => c,
            Err(e) => {
                last = err(
                    ErrorCode::RevocationUnavailable,
                    format!("status list signer: {}", e.message()),
                );
                continue;
            }
        };
        if let Err(e) = check_status_signer(&signer, subject, token.issued_at) {
            last = e;
            continue;
        }
        let key = (crate::crypto::sha256(signer.der()), crate::crypto::sha256(anchor.der()));
        if token.verified.get() == Some(&key) {
            return Ok(());
        }
        if !signer.is_signed_by(anchor.public_key()).unwrap_or(false) {
            last = not_issued(&signer);
            continue;
        }
        if token.alg.curve() != signer.key_curve() {
            last = err(
                ErrorCode::RevocationUnavailable,
                "status list token: alg does not match the signer key",
            );
            continue;
        }
        if signer
            .public_key()
            .verify_cose(token.alg, &token.sig_structure(), &token.signature)
        {
            let _ = token.verified.set(key);
            return Ok(());
        }
        last = err(
            ErrorCode::RevocationUnavailable,
            "status list token: signature does not verify",
        );
    }
    Err(last)
}
