//! Certificate revocation lists (RFC 5280 §5) issued by an IACA for its
//! Document Signers (ISO 18013-5 Annex B, CRL profile). The caller passes
//! the CRL DER it fetched; nothing here does I/O.

use crate::crypto::X509SignatureAlgorithm;
use crate::error::{err, Error, ErrorCode};
use crate::pki::x509::{self, ParsedCertificate};
use crate::time::UnixTime;
use der::{Decode, Encode};
use std::sync::OnceLock;
use x509_cert::crl::CertificateList;

/// CRL extensions kakunin understands (a critical one it does not
/// understand makes the CRL unusable, RFC 5280 §5.2).
const UNDERSTOOD: &[&str] = &[
    "2.5.29.20", // cRLNumber
    "2.5.29.35", // authorityKeyIdentifier
];

/// A parsed CRL, owning its DER.
#[derive(Clone, Debug)]
pub struct Crl {
    der: Vec<u8>,
    tbs_range: (usize, usize),
    issuer_der: Vec<u8>,
    signature_algorithm: Option<X509SignatureAlgorithm>,
    signature: Vec<u8>,
    this_update: UnixTime,
    next_update: Option<UnixTime>,
    revoked: Vec<Vec<u8>>,
    /// SHA-256 of the issuer certificate whose key verified the signature:
    /// shared data is verified once, not once per document.
    verified_by: OnceLock<[u8; 32]>,
}

fn invalid(m: impl Into<String>) -> Error {
    err(ErrorCode::RevocationUnavailable, format!("CRL: {}", m.into()))
}

impl Crl {
    /// Parses a DER CRL. Delta CRLs and CRLs with a critical extension
    /// kakunin does not understand (e.g. a partitioning
    /// issuingDistributionPoint) are refused: they cannot prove that a
    /// certificate is *not* revoked.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let list = CertificateList::from_der(der).map_err(|e| invalid(format!("not valid DER: {e}")))?;
        let (outer, _) = x509::der_tlv(der).ok_or_else(|| invalid("framing"))?;
        let rest = der.get(outer..).ok_or_else(|| invalid("framing"))?;
        let (_, tbs_len) = x509::der_tlv(rest).ok_or_else(|| invalid("framing"))?;
        let tbs = &list.tbs_cert_list;
        for ext in tbs.crl_extensions.iter().flatten() {
            let oid = ext.extn_id.to_string();
            if ext.critical && !UNDERSTOOD.contains(&oid.as_str()) {
                return Err(invalid(format!("unsupported critical extension {oid}")));
            }
            if oid == "2.5.29.27" {
                return Err(invalid("delta CRLs are not supported"));
            }
        }
        let mut revoked = Vec::new();
        for entry in tbs.revoked_certificates.iter().flatten() {
            for ext in entry.crl_entry_extensions.iter().flatten() {
                // reasonCode (2.5.29.21) and invalidityDate (2.5.29.24) do not
                // change that the serial is listed; certificateIssuer
                // (2.5.29.29) would make this an indirect CRL.
                let oid = ext.extn_id.to_string();
                if ext.critical || oid == "2.5.29.29" {
                    return Err(invalid(format!("unsupported entry extension {oid}")));
                }
            }
            revoked.push(entry.serial_number.as_bytes().to_vec());
        }
        Ok(Crl {
            der: der.to_vec(),
            tbs_range: (outer, outer + tbs_len),
            issuer_der: tbs.issuer.to_der().map_err(|_| invalid("issuer name"))?,
            signature_algorithm: x509::x509_signature_algorithm(&list.signature_algorithm.oid),
            signature: list
                .signature
                .as_bytes()
                .ok_or_else(|| invalid("signature BIT STRING has unused bits"))?
                .to_vec(),
            this_update: x509::to_time(tbs.this_update),
            next_update: tbs.next_update.map(x509::to_time),
            revoked,
            verified_by: OnceLock::new(),
        })
    }

    /// thisUpdate.
    pub fn this_update(&self) -> UnixTime {
        self.this_update
    }

    /// nextUpdate, if the CRL states one.
    pub fn next_update(&self) -> Option<UnixTime> {
        self.next_update
    }

    /// Whether this CRL names `issuer` as its issuer.
    pub(crate) fn is_issued_by_name(&self, issuer: &ParsedCertificate) -> bool {
        self.issuer_der == issuer.subject_der()
    }

    /// Verifies the CRL signature with the issuer's key over the received
    /// `tbsCertList` bytes. The issuer must be allowed to sign CRLs
    /// (keyUsage cRLSign, RFC 5280 §4.2.1.3).
    pub(crate) fn verify_signature(&self, issuer: &ParsedCertificate) -> Result<(), Error> {
        if !issuer.key_usage().is_some_and(|k| k.crl_sign()) {
            return Err(invalid("the issuer's keyUsage lacks cRLSign"));
        }
        let issuer_hash = crate::crypto::sha256(issuer.der());
        if self.verified_by.get() == Some(&issuer_hash) {
            return Ok(());
        }
        let alg = self
            .signature_algorithm
            .ok_or_else(|| invalid("signature algorithm is not supported"))?;
        let tbs = self
            .der
            .get(self.tbs_range.0..self.tbs_range.1)
            .ok_or_else(|| invalid("framing"))?;
        if !issuer.public_key().verify_x509(alg, tbs, &self.signature) {
            return Err(invalid(format!(
                "signature does not verify with {:?}",
                issuer.subject()
            )));
        }
        // Only one issuer is remembered; another (same-named) one re-verifies.
        let _ = self.verified_by.set(issuer_hash);
        Ok(())
    }

    /// Whether `cert`'s serial number is listed.
    pub(crate) fn lists(&self, cert: &ParsedCertificate) -> bool {
        self.revoked.iter().any(|s| s.as_slice() == cert.serial_number())
    }
}
