//! Trust anchors (IACA certificates) and Document Signer chain validation
//! (ISO 18013-5 §9.1.2.4, §9.3.3 and Annex B).
//!
//! The only certificates that confer trust are the anchors in a
//! [`TrustStore`]: a certificate that merely appears in an x5chain is never
//! trusted unless it is byte-identical to an anchor. The store is immutable
//! once built and cheap to clone and share across threads.

use crate::ds_cache::DsCache;
use crate::error::{err, Error, ErrorCode};
use crate::time::UnixTime;
use crate::x509::{self, ParsedCertificate};
use std::sync::Arc;

/// One trusted IACA certificate, optionally limited to some docTypes.
#[derive(Clone, Debug)]
pub struct TrustAnchor {
    cert: ParsedCertificate,
    doc_types: Option<Vec<String>>,
    /// SHA-256 of the anchor DER (the anchor half of the DS cache key).
    fingerprint: [u8; 32],
}

impl TrustAnchor {
    /// Parses a DER certificate as an anchor valid for every docType.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        Ok(TrustAnchor {
            cert: ParsedCertificate::from_der(der)?,
            doc_types: None,
            fingerprint: crate::crypto::sha256(der),
        })
    }

    /// Limits this anchor to the given docTypes.
    pub fn with_doc_types<I, S>(mut self, doc_types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.doc_types = Some(doc_types.into_iter().map(Into::into).collect());
        self
    }

    /// The anchor certificate.
    pub fn certificate(&self) -> &ParsedCertificate {
        &self.cert
    }

    /// The docTypes this anchor may vouch for (`None`: any).
    pub fn doc_types(&self) -> Option<&[String]> {
        self.doc_types.as_deref()
    }

    /// Whether this anchor may vouch for `doc_type`.
    pub fn covers(&self, doc_type: &str) -> bool {
        self.doc_types.as_ref().is_none_or(|d| d.iter().any(|t| t == doc_type))
    }
}

/// An immutable set of trust anchors. Cloning shares the anchors.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    anchors: Arc<Vec<TrustAnchor>>,
}

/// Builds a [`TrustStore`].
#[derive(Debug, Default)]
pub struct TrustStoreBuilder {
    anchors: Vec<TrustAnchor>,
}

impl TrustStoreBuilder {
    /// Adds an anchor.
    pub fn add(&mut self, anchor: TrustAnchor) -> &mut Self {
        self.anchors.push(anchor);
        self
    }

    /// Adds every certificate of PEM text (or one DER certificate).
    pub fn add_pem_or_der(&mut self, data: &[u8]) -> Result<&mut Self, Error> {
        for der in x509::certificates_from_pem_or_der(data)? {
            self.anchors.push(TrustAnchor::from_der(&der)?);
        }
        Ok(self)
    }

    /// Adds every certificate of PEM text (or one DER certificate), limited to `doc_types`.
    pub fn add_pem_or_der_for(&mut self, data: &[u8], doc_types: &[&str]) -> Result<&mut Self, Error> {
        for der in x509::certificates_from_pem_or_der(data)? {
            self.anchors
                .push(TrustAnchor::from_der(&der)?.with_doc_types(doc_types.iter().copied()));
        }
        Ok(self)
    }

    /// Freezes the store.
    pub fn build(&mut self) -> TrustStore {
        TrustStore {
            anchors: Arc::new(core::mem::take(&mut self.anchors)),
        }
    }
}

/// How a Document Signer certificate was found trustworthy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustPath {
    /// The DS certificate is signed by an anchor (the normal IACA → DS path).
    IssuedByAnchor,
    /// The DS certificate is itself an anchor (a pinned signer; allowed by
    /// [`Policy::allow_anchor_as_signer`](crate::Policy::allow_anchor_as_signer)).
    PinnedSigner,
}

impl TrustStore {
    /// A builder.
    pub fn builder() -> TrustStoreBuilder {
        TrustStoreBuilder::default()
    }

    /// A store from PEM text (one or more certificates) or a DER certificate.
    pub fn from_pem_or_der(data: &[u8]) -> Result<Self, Error> {
        Ok(TrustStore::builder().add_pem_or_der(data)?.build())
    }

    /// The anchors.
    pub fn anchors(&self) -> &[TrustAnchor] {
        &self.anchors
    }

    /// Whether the store has no anchor.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Finds the anchor that vouches for `ds` for `doc_type`.
    ///
    /// Anchors are matched by issuer/subject name (and AKI/SKI where both
    /// are present), then the DS signature is verified with the anchor key.
    pub(crate) fn find_issuer(
        &self,
        ds: &ParsedCertificate,
        doc_type: &str,
        allow_pinned: bool,
        cache: &DsCache,
    ) -> Result<(&TrustAnchor, TrustPath), Error> {
        let mut scoped_out = false;
        if allow_pinned {
            if let Some(a) = self.anchors.iter().find(|a| a.cert.der() == ds.der()) {
                if a.covers(doc_type) {
                    return Ok((a, TrustPath::PinnedSigner));
                }
                scoped_out = true;
            }
        }
        let issuer = ds.issuer_raw();
        let mut ds_fingerprint = None;
        for a in self.anchors.iter() {
            if a.cert.subject_raw() != issuer {
                continue;
            }
            if let (Some(aki), Some(ski)) = (ds.authority_key_identifier(), a.cert.subject_key_identifier()) {
                if aki != ski {
                    continue;
                }
            }
            // The one step the DS cache may answer (issue 7); everything
            // after it (scope, validity, profile) is evaluated every time.
            let ds_fp = ds_fingerprint.get_or_insert_with(|| crate::crypto::sha256(ds.der()));
            if !cache.check(ds_fp, &a.fingerprint, || ds.is_signed_by(a.cert.public_key()))? {
                continue;
            }
            if !a.covers(doc_type) {
                scoped_out = true;
                continue;
            }
            return Ok((a, TrustPath::IssuedByAnchor));
        }
        Err(err(
            ErrorCode::IssuerChainUntrusted,
            if scoped_out {
                format!("the Document Signer's trust anchor is not trusted for docType {doc_type:?}")
            } else {
                format!(
                    "Document Signer certificate ({}) is not issued by any trust anchor",
                    ds.subject()
                )
            },
        ))
    }
}

/// How strictly certificate profiles are enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CertificateProfile {
    /// The rules every issuer seen in the field meets (default): the DS is
    /// not a CA, has keyUsage digitalSignature, and an extKeyUsage, when
    /// present, includes the mdoc DS purpose 1.0.18013.5.1.2 (or
    /// 1.3.130.2.0.0.1.2, the mis-encoding of that OID that the EUDI
    /// reference issuer emits).
    #[default]
    Interoperable,
    /// The letter of ISO 18013-5 Annex B.1.4: extKeyUsage must be present
    /// and be exactly 1.0.18013.5.1.2.
    AnnexB,
}

/// The OID 1.3.130.2.0.0.1.2 that EUDI reference Document Signers carry
/// in place of 1.0.18013.5.1.2.
const OID_EKU_MDL_DS_EUDI_ALIAS: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.130.2.0.0.1.2");

/// Checks the Document Signer certificate profile (ISO 18013-5 Annex B.1.4).
pub(crate) fn check_ds_profile(ds: &ParsedCertificate, profile: CertificateProfile) -> Result<(), Error> {
    let bad = |m: &str| err(ErrorCode::CertificateProfileInvalid, format!("Document Signer: {m}"));
    if ds.is_ca() {
        return Err(bad("basicConstraints marks it as a CA (Annex B.1.4)"));
    }
    match ds.key_usage() {
        Some(ku) if ku.digital_signature() => {}
        Some(_) => return Err(bad("keyUsage lacks digitalSignature (Annex B.1.4)")),
        None => return Err(bad("keyUsage extension missing (Annex B.1.4)")),
    }
    match (ds.ext_key_usage(), profile) {
        (Some(eku), CertificateProfile::AnnexB) => {
            if eku != [x509::OID_EKU_MDL_DS] {
                return Err(bad("extKeyUsage is not exactly 1.0.18013.5.1.2 (Annex B.1.4)"));
            }
        }
        (Some(eku), CertificateProfile::Interoperable) => {
            if !eku.contains(&x509::OID_EKU_MDL_DS) && !eku.contains(&OID_EKU_MDL_DS_EUDI_ALIAS) {
                return Err(bad("extKeyUsage lacks 1.0.18013.5.1.2 (Annex B.1.4)"));
            }
        }
        (None, CertificateProfile::AnnexB) => return Err(bad("extKeyUsage extension missing (Annex B.1.4)")),
        (None, CertificateProfile::Interoperable) => {}
    }
    Ok(())
}

/// Checks validity of both certificates at `now`.
pub(crate) fn check_validity(ds: &ParsedCertificate, anchor: &TrustAnchor, now: UnixTime, skew: i64) -> Vec<Error> {
    let mut errs = Vec::new();
    if let Err(e) = ds.check_validity(now, skew, "Document Signer") {
        errs.push(e);
    }
    if anchor.cert.der() != ds.der() {
        if let Err(e) = anchor.cert.check_validity(now, skew, "IACA") {
            errs.push(e);
        }
    }
    errs
}
