//! Revocation, sans I/O: CRLs of the IACA for its Document Signers, and the
//! MSO `status` of ISO 18013-5 second edition (Token Status List or
//! identifier list). The application fetches (or caches) the bytes and
//! passes them in a [`RevocationData`] with the verification time; kakunin
//! says whether they are authentic, current, and what they mean.
//!
//! [`RevocationMode`]:
//! - `Off` (default): nothing is checked.
//! - `BestEffort`: the data that was passed and verifies is used. A listed
//!   Document Signer (`certificate_revoked`) or a revoked document
//!   (`document_revoked`) rejects even when the list is past its update
//!   time (a revocation is never undone); a current list that says
//!   suspended rejects (`document_suspended`). Missing, unusable or stale
//!   data does not reject.
//! - `Required`: every mechanism that applies must be checked with current
//!   data: a CRL of the DS's IACA (for a DS issued by an anchor; a pinned
//!   signer has no IACA to issue one), and the status token when the MSO has
//!   a `status` reference. Missing or unusable → `revocation_unavailable`;
//!   past its nextUpdate / exp / iat+ttl or older than
//!   [`RevocationPolicy::max_age_secs`] → `revocation_stale`.
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
use crate::profile::OID_EKU_MDL_DS_EUDI_ALIAS;
use crate::time::UnixTime;
use crate::trust::{TrustAnchor, TrustPath};
use crate::x509::{self, ParsedCertificate};
use status_list::{Listing, StatusReference};
use std::sync::Arc;

/// How revocation is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RevocationMode {
    /// No revocation check (default).
    #[default]
    Off,
    /// Use whatever authentic data was given; missing or stale data does not reject.
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
}

impl RevocationPolicy {
    /// A policy with `mode` and no maximum age.
    pub fn new(mode: RevocationMode) -> Self {
        RevocationPolicy {
            mode,
            max_age_secs: None,
        }
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

/// Checks the revocation of one verified document's Document Signer and
/// MSO status. Returns the errors to report under the policy.
#[allow(clippy::too_many_arguments)]
pub(crate) fn check(
    data: &RevocationData,
    policy: &RevocationPolicy,
    ds: &ParsedCertificate,
    anchor: &TrustAnchor,
    path: TrustPath,
    mso_status: Option<&[u8]>,
    now: UnixTime,
    skew: i64,
    limits: &Limits,
) -> Vec<Error> {
    let required = match policy.mode {
        RevocationMode::Off => return Vec::new(),
        RevocationMode::BestEffort => false,
        RevocationMode::Required => true,
    };
    let mut out = Vec::new();
    if path == TrustPath::IssuedByAnchor {
        out.extend(check_crls(data, policy, ds, anchor.certificate(), now, skew, required));
    }
    if let Some(raw) = mso_status {
        out.extend(check_status(
            data, policy, ds, anchor, path, raw, now, skew, limits, required,
        ));
    }
    out
}

fn check_crls(
    data: &RevocationData,
    policy: &RevocationPolicy,
    ds: &ParsedCertificate,
    iaca: &ParsedCertificate,
    now: UnixTime,
    skew: i64,
    required: bool,
) -> Vec<Error> {
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
            return vec![err(
                ErrorCode::CertificateRevoked,
                format!(
                    "Document Signer serial {} is on the CRL of {:?} (thisUpdate {})",
                    hex::encode(ds.serial_number()),
                    iaca.subject(),
                    crl.this_update()
                ),
            )];
        }
        match staleness(crl.this_update(), crl.next_update(), policy, now, skew, "CRL") {
            Some(e) => {
                problem = Some(e);
            }
            None => current = true,
        }
    }
    if current || !required {
        return Vec::new();
    }
    vec![problem.unwrap_or_else(|| {
        err(
            ErrorCode::RevocationUnavailable,
            format!("no CRL of {:?} was provided", iaca.subject()),
        )
    })]
}

/// A status-signing certificate must be issued by the DS's IACA, be valid,
/// not be a CA, and not be a Document Signer certificate (whose extKeyUsage
/// limits it to signing MSOs). The signature by the IACA is checked by the
/// caller (and remembered).
fn check_status_signer(
    signer: &ParsedCertificate,
    ds: &ParsedCertificate,
    anchor: &TrustAnchor,
    path: TrustPath,
    now: UnixTime,
    skew: i64,
) -> Result<(), Error> {
    if signer.der() == ds.der() {
        return Err(signer_error(
            "the Document Signer certificate may not sign status lists".into(),
        ));
    }
    if signer
        .ext_key_usage()
        .is_some_and(|e| e.contains(&x509::OID_EKU_MDL_DS) || e.contains(&OID_EKU_MDL_DS_EUDI_ALIAS))
    {
        return Err(signer_error(
            "its extKeyUsage is the mdoc Document Signer purpose".into(),
        ));
    }
    if signer.is_ca() {
        return Err(signer_error("it is a CA certificate".into()));
    }
    if signer.key_usage().is_some_and(|k| !k.digital_signature()) {
        return Err(signer_error("keyUsage lacks digitalSignature".into()));
    }
    // A pinned signer has no IACA that could have issued a status signer.
    if path != TrustPath::IssuedByAnchor || signer.issuer_der() != anchor.certificate().subject_der() {
        return Err(not_issued(signer));
    }
    signer
        .check_validity(now, skew, "status list signer")
        .map_err(|e| signer_error(e.message().to_owned()))
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
    ds: &ParsedCertificate,
    anchor: &TrustAnchor,
    path: TrustPath,
    raw: &[u8],
    now: UnixTime,
    skew: i64,
    limits: &Limits,
    required: bool,
) -> Vec<Error> {
    let reference = match StatusReference::parse(raw, limits) {
        Ok(r) => r,
        Err(e) if e.code() == ErrorCode::RevocationUnavailable => {
            return if required { vec![e] } else { Vec::new() };
        }
        Err(e) => return vec![e],
    };
    let uri = reference.uri();
    let mut problem: Option<Error> = None;
    let mut current = false;
    for token in data.tokens.iter().filter(|t| t.subject == uri) {
        if let Err(e) = verify_token(token, &reference, ds, anchor, path, now, skew) {
            problem.get_or_insert(e);
            continue;
        }
        if token.issued_at > now.offset(skew) {
            problem.get_or_insert(err(
                ErrorCode::RevocationUnavailable,
                format!("status list token for {uri:?} is issued in the future"),
            ));
            continue;
        }
        let stale = staleness(
            token.issued_at,
            Some(token.fresh_until().unwrap_or(UnixTime::from_secs(i64::MAX))),
            policy,
            now,
            skew,
            "status list token",
        );
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
            0 => {}
            1 => {
                return vec![err(
                    ErrorCode::DocumentRevoked,
                    format!(
                        "status list {uri:?} marks the document as revoked (iat {})",
                        token.issued_at
                    ),
                )]
            }
            2 if stale.is_none() => {
                return vec![err(
                    ErrorCode::DocumentSuspended,
                    format!(
                        "status list {uri:?} marks the document as suspended (iat {})",
                        token.issued_at
                    ),
                )]
            }
            2 => {}
            other => {
                problem.get_or_insert(err(
                    ErrorCode::RevocationUnavailable,
                    format!("status list {uri:?} holds the undefined status value {other}"),
                ));
                continue;
            }
        }
        match stale {
            Some(e) => problem = Some(e),
            None => current = true,
        }
    }
    if current || !required {
        return Vec::new();
    }
    vec![problem.unwrap_or_else(|| {
        err(
            ErrorCode::RevocationUnavailable,
            format!("no status list token for {uri:?} was provided"),
        )
    })]
}

fn verify_token(
    token: &StatusToken,
    reference: &StatusReference,
    ds: &ParsedCertificate,
    anchor: &TrustAnchor,
    path: TrustPath,
    now: UnixTime,
    skew: i64,
) -> Result<(), Error> {
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
        if let Err(e) = check_status_signer(&signer, ds, anchor, path, now, skew) {
            last = e;
            continue;
        }
        let key = (
            crate::crypto::sha256(signer.der()),
            crate::crypto::sha256(anchor.certificate().der()),
        );
        if token.verified.get() == Some(&key) {
            return Ok(());
        }
        if !signer.is_signed_by(anchor.certificate().public_key()).unwrap_or(false) {
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
