//! Verified Issuer Certificate Authority Lists (VICAL, ISO 18013-5 Annex C.2;
//! published e.g. by the AAMVA Digital Trust Service): a COSE_Sign1 whose
//! x5chain leads from the VICAL signer, through optional intermediates, to a
//! VICAL anchor the application supplies; its payload lists IACA
//! certificates with the docTypes each may vouch for.
//!
//! The application fetches the VICAL bytes; [`Vical::verify`] checks the
//! signature, the signer certificate (extKeyUsage 1.0.18013.5.1.8 and
//! keyUsage digitalSignature, not a CA), the chain (every issuer a CA with
//! keyCertSign, every pathLenConstraint honoured), the dates against the
//! time it is given and, when the caller passes the last `vicalIssueID` it
//! accepted, that this one is not older (`trust_list_invalid`,
//! `trust_list_stale`), and [`Vical::add_to`] loads
//! the entries that meet the IACA profile into a trust store, scoped to
//! their docTypes.

use crate::cbor::{self, Item, Value};
use crate::cose::{self, CoseMessage, TAG_SIGN1};
use crate::error::{err, Error, ErrorCode};
use crate::limits::Limits;
use crate::pki::trust::{TrustAnchor, TrustStore, TrustStoreBuilder};
use crate::pki::x509::{self, ParsedCertificate};
use crate::time::UnixTime;

fn invalid(m: impl Into<String>) -> Error {
    err(ErrorCode::TrustListInvalid, format!("VICAL: {}", m.into()))
}

/// How a VICAL is judged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VicalPolicy {
    /// Tolerated clock difference in seconds.
    pub clock_skew_secs: i64,
    /// Refuse a VICAL whose `date` is older than this many seconds, even
    /// before its `nextUpdate` (or when it states none).
    pub max_age_secs: Option<u64>,
    /// Rollback protection: the `vicalIssueID` of the last VICAL the
    /// application accepted from this provider. A VICAL with a smaller
    /// `vicalIssueID`, or with none, is refused as `trust_list_stale` (an
    /// attacker who replays an older, genuinely signed list could otherwise
    /// bring back an IACA that was since removed). Default `None`: no check.
    pub last_issue_id: Option<u64>,
    /// Accept a VICAL signer whose keyUsage has contentCommitment
    /// (nonRepudiation) but not digitalSignature. The AAMVA production VICAL
    /// signer (`AAMVA Prod Vical-Signer-01`) is such a certificate; RFC 5280
    /// §4.2.1.3 counts both bits as signature verification. Default `false`:
    /// the signer must have digitalSignature, as ISO 18013-5 asks.
    pub allow_content_commitment_signer: bool,
}

impl VicalPolicy {
    /// Sets [`VicalPolicy::max_age_secs`].
    pub fn with_max_age_secs(mut self, secs: u64) -> Self {
        self.max_age_secs = Some(secs);
        self
    }

    /// Sets [`VicalPolicy::clock_skew_secs`].
    pub fn with_clock_skew_secs(mut self, secs: i64) -> Self {
        self.clock_skew_secs = secs.max(0);
        self
    }

    /// Sets [`VicalPolicy::last_issue_id`].
    pub fn with_last_issue_id(mut self, id: u64) -> Self {
        self.last_issue_id = Some(id);
        self
    }

    /// Sets [`VicalPolicy::allow_content_commitment_signer`].
    pub fn with_allow_content_commitment_signer(mut self, allow: bool) -> Self {
        self.allow_content_commitment_signer = allow;
        self
    }
}

/// One `CertificateInfo` of a VICAL.
#[derive(Clone, Debug)]
pub struct VicalEntry {
    /// The IACA certificate (DER).
    pub certificate: Vec<u8>,
    /// The docTypes it may vouch for.
    pub doc_types: Vec<String>,
    /// `issuingAuthority`, if given.
    pub issuing_authority: Option<String>,
    /// `issuingCountry`, if given.
    pub issuing_country: Option<String>,
}

/// A verified VICAL.
#[derive(Clone, Debug)]
pub struct Vical {
    provider: String,
    date: UnixTime,
    next_update: Option<UnixTime>,
    issue_id: Option<u64>,
    entries: Vec<VicalEntry>,
}

/// A `tdate` (`#6.0(tstr)`) or an epoch time (`#6.1(int)`).
fn date(item: &Item<'_>, what: &str) -> Result<UnixTime, Error> {
    match &item.value {
        Value::Tag(0, inner) => inner
            .value
            .as_text()
            .and_then(UnixTime::parse_rfc3339)
            .ok_or_else(|| invalid(format!("{what} is not an RFC 3339 date-time"))),
        Value::Tag(1, inner) => inner
            .value
            .as_i64()
            .map(UnixTime::from_secs)
            .ok_or_else(|| invalid(format!("{what} is not an integer epoch time"))),
        _ => Err(invalid(format!("{what} is not a tdate"))),
    }
}

/// Whether `ca` may issue a path below it with `below` intermediate CA
/// certificates between it and the VICAL signer (RFC 5280 §4.2.1.9).
fn path_len_allows(ca: &ParsedCertificate, below: usize) -> bool {
    ca.basic_constraints()
        .and_then(|b| b.path_len_constraint)
        .is_none_or(|n| usize::from(n) >= below)
}

/// Checks that `chain[0]` leads to one of `anchors`: each certificate is
/// signed by the next (a CA with keyCertSign) until one is signed by an
/// anchor or is an anchor. Every certificate on the path must be valid at
/// `now`, and every CA's pathLenConstraint must allow the intermediate CAs
/// below it (RFC 5280 §4.2.1.9).
fn check_chain(
    chain: &[ParsedCertificate],
    anchors: &[ParsedCertificate],
    now: UnixTime,
    skew: i64,
) -> Result<(), Error> {
    let too_long = |who: &ParsedCertificate| {
        invalid(format!(
            "the pathLenConstraint of {:?} does not allow this chain",
            who.subject()
        ))
    };
    for (i, cert) in chain.iter().enumerate() {
        cert.check_validity(now, skew, "VICAL chain")
            .map_err(|e| invalid(e.message()))?;
        // `chain[1..i]` are the intermediate CAs below `cert`.
        if i > 0 && !path_len_allows(cert, i - 1) {
            return Err(too_long(cert));
        }
        if anchors.iter().any(|a| a.der() == cert.der()) {
            return Ok(());
        }
        for a in anchors.iter().filter(|a| a.subject_der() == cert.issuer_der()) {
            if cert.is_signed_by(a.public_key()).unwrap_or(false) {
                a.check_validity(now, skew, "VICAL anchor")
                    .map_err(|e| invalid(e.message()))?;
                if !path_len_allows(a, i) {
                    return Err(too_long(a));
                }
                return Ok(());
            }
        }
        let Some(next) = chain.get(i + 1) else { break };
        let issued = next.subject_der() == cert.issuer_der()
            && next.is_ca()
            && next.key_usage().is_some_and(|k| k.key_cert_sign())
            && cert.is_signed_by(next.public_key()).unwrap_or(false);
        if !issued {
            return Err(invalid(format!(
                "x5chain[{i}] {:?} is not signed by x5chain[{}], a CA",
                cert.subject(),
                i + 1
            )));
        }
    }
    Err(invalid("x5chain does not lead to a VICAL trust anchor"))
}

/// The VICAL signer certificate: not a CA, extKeyUsage naming
/// 1.0.18013.5.1.8, keyUsage digitalSignature (or contentCommitment when the
/// policy allows it).
fn check_signer(signer: &ParsedCertificate, policy: &VicalPolicy) -> Result<(), Error> {
    if signer.is_ca() {
        return Err(invalid("the VICAL signer certificate is a CA"));
    }
    if !signer
        .ext_key_usage()
        .is_some_and(|e| e.contains(&x509::OID_EKU_VICAL_SIGNER))
    {
        return Err(invalid(
            "the VICAL signer certificate's extKeyUsage does not name 1.0.18013.5.1.8",
        ));
    }
    let signs = signer
        .key_usage()
        .is_some_and(|k| k.digital_signature() || (policy.allow_content_commitment_signer && k.non_repudiation()));
    if !signs {
        return Err(invalid(if policy.allow_content_commitment_signer {
            "the VICAL signer certificate's keyUsage has neither digitalSignature nor contentCommitment"
        } else {
            "the VICAL signer certificate's keyUsage lacks digitalSignature"
        }));
    }
    Ok(())
}

impl Vical {
    /// Verifies a VICAL (COSE_Sign1 bytes) against the VICAL anchors at `now`.
    pub fn verify(
        bytes: &[u8],
        anchors: &[ParsedCertificate],
        now: UnixTime,
        policy: &VicalPolicy,
    ) -> Result<Vical, Error> {
        let limits = Limits::default();
        let skew = policy.clock_skew_secs;
        let item = cbor::decode(bytes, &limits).map_err(|e| invalid(Error::from(e).to_string()))?;
        let msg = CoseMessage::parse(&item, TAG_SIGN1, "VICAL", &limits).map_err(|e| invalid(e.message()))?;
        let alg = msg.signature_algorithm("VICAL").map_err(|e| invalid(e.message()))?;
        let chain_der = msg.x5chain("VICAL", &limits).map_err(|e| invalid(e.message()))?;
        let mut chain = Vec::with_capacity(chain_der.len());
        for (i, der) in chain_der.iter().enumerate() {
            chain
                .push(ParsedCertificate::from_der(der).map_err(|e| invalid(format!("x5chain[{i}]: {}", e.message())))?);
        }
        let signer = chain.first().ok_or_else(|| invalid("x5chain is empty"))?;
        check_signer(signer, policy)?;
        let payload = msg.payload.ok_or_else(|| invalid("payload is detached"))?;
        if alg.curve() != signer.key_curve() {
            return Err(invalid("alg does not match the signer key"));
        }
        let mut buf = Vec::new();
        if !cose::verify_sign1(&msg, alg, signer.public_key(), payload, &mut buf).unwrap_or(false) {
            return Err(invalid("signature does not verify with the VICAL signer key"));
        }
        check_chain(&chain, anchors, now, skew)?;

        let body = cbor::decode(payload, &limits).map_err(|e| invalid(Error::from(e).to_string()))?;
        if body.value.as_map().is_none() {
            return Err(invalid("payload is not a map"));
        }
        match body.get("version").and_then(|v| v.value.as_text()) {
            Some("1.0") => {}
            Some(v) => return Err(invalid(format!("version {v:?} is not supported"))),
            None => return Err(invalid("version missing")),
        }
        let provider = body
            .get("vicalProvider")
            .and_then(|v| v.value.as_text())
            .ok_or_else(|| invalid("vicalProvider missing"))?
            .to_owned();
        let issued = date(body.get("date").ok_or_else(|| invalid("date missing"))?, "date")?;
        let next_update = match body.get("nextUpdate") {
            Some(n) => Some(date(n, "nextUpdate")?),
            None => None,
        };
        let issue_id = body.get("vicalIssueID").and_then(|v| v.value.as_u64());
        if issued > now.offset(skew) {
            return Err(invalid(format!("issued in the future ({issued})")));
        }
        if let Some(n) = next_update {
            if now.offset(-skew) > n {
                return Err(err(
                    ErrorCode::TrustListStale,
                    format!("VICAL of {issued} was due to be replaced at {n}"),
                ));
            }
        }
        if let Some(max) = policy.max_age_secs {
            if now.offset(-skew) > issued.offset(i64::try_from(max).unwrap_or(i64::MAX)) {
                return Err(err(
                    ErrorCode::TrustListStale,
                    format!("VICAL of {issued} is older than the maximum age of {max} s"),
                ));
            }
        }
        if let Some(last) = policy.last_issue_id {
            match issue_id {
                Some(id) if id >= last => {}
                Some(id) => {
                    return Err(err(
                        ErrorCode::TrustListStale,
                        format!("VICAL vicalIssueID {id} is older than the last accepted {last}"),
                    ))
                }
                None => {
                    return Err(err(
                        ErrorCode::TrustListStale,
                        format!("VICAL has no vicalIssueID to compare with the last accepted {last}"),
                    ))
                }
            }
        }
        let infos = body
            .get("certificateInfos")
            .and_then(|c| c.value.as_array())
            .ok_or_else(|| invalid("certificateInfos missing or not an array"))?;
        let mut entries = Vec::with_capacity(infos.len());
        for (i, info) in infos.iter().enumerate() {
            let bad = |m: &str| invalid(format!("certificateInfos[{i}]: {m}"));
            let certificate = info
                .get("certificate")
                .and_then(|c| c.value.as_bytes())
                .ok_or_else(|| bad("certificate missing or not bytes"))?
                .to_vec();
            let mut doc_types = Vec::new();
            if let Some(d) = info.get("docType") {
                for t in d.value.as_array().ok_or_else(|| bad("docType is not an array"))? {
                    doc_types.push(
                        t.value
                            .as_text()
                            .ok_or_else(|| bad("docType entry is not text"))?
                            .to_owned(),
                    );
                }
            }
            let text = |k: &str| info.get(k).and_then(|v| v.value.as_text()).map(str::to_owned);
            entries.push(VicalEntry {
                certificate,
                doc_types,
                issuing_authority: text("issuingAuthority"),
                issuing_country: text("issuingCountry"),
            });
        }
        Ok(Vical {
            provider,
            date: issued,
            next_update,
            issue_id,
            entries,
        })
    }

    /// `vicalProvider`.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// `date`: when the VICAL was issued.
    pub fn date(&self) -> UnixTime {
        self.date
    }

    /// `nextUpdate`, if stated: when the application should have fetched a newer one.
    pub fn next_update(&self) -> Option<UnixTime> {
        self.next_update
    }

    /// `vicalIssueID`, if stated.
    pub fn issue_id(&self) -> Option<u64> {
        self.issue_id
    }

    /// The listed entries.
    pub fn entries(&self) -> &[VicalEntry] {
        &self.entries
    }

    /// Adds every entry that meets the IACA profile (Annex B.1.2) to
    /// `builder`, scoped to its docTypes. An entry without docTypes, or whose
    /// certificate is not a valid IACA, is left out; the returned list says
    /// which and why (entry index, error).
    pub fn add_to(&self, builder: &mut TrustStoreBuilder) -> Vec<(usize, Error)> {
        let mut rejected = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if e.doc_types.is_empty() {
                rejected.push((
                    i,
                    invalid(format!("certificateInfos[{i}]: no docType: vouches for nothing")),
                ));
                continue;
            }
            match TrustAnchor::iaca(&e.certificate) {
                Ok(a) => {
                    builder.add(a.with_doc_types(e.doc_types.iter().cloned()));
                }
                Err(err) => rejected.push((i, err)),
            }
        }
        rejected
    }

    /// A trust store of the entries that meet the IACA profile (see [`Vical::add_to`]).
    pub fn trust_store(&self) -> (TrustStore, Vec<(usize, Error)>) {
        let mut b = TrustStore::builder();
        let rejected = self.add_to(&mut b);
        (b.build(), rejected)
    }
}
