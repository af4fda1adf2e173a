//! Trust anchors (IACA certificates) and Document Signer chain validation
//! (ISO 18013-5 §9.1.2.4, §9.3.3 and Annex B).
//!
//! The only certificates that confer trust are the anchors in a
//! [`TrustStore`]: a certificate that merely appears in an x5chain is never
//! trusted unless it is byte-identical to an anchor. The store is immutable
//! once built and cheap to clone and share across threads.
//!
//! Which Annex B rules a chain must also meet is chosen by
//! [`CertificateProfile`](crate::CertificateProfile); its documentation
//! holds the one list of them.

use crate::error::{err, Error, ErrorCode};
use crate::pki::ds_cache::DsCache;
use crate::pki::profile;
use crate::pki::x509::{self, ParsedCertificate};
use crate::time::UnixTime;
use std::sync::Arc;

/// What an anchor is trusted for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnchorRole {
    /// An IACA root (ISO 18013-5 Annex B.1.2): it vouches for the Document
    /// Signers (and CRLs, status-list signers) it issued.
    Iaca,
    /// A certificate trusted directly as a Document Signer key (a pinned
    /// signer): it matches only a byte-identical x5chain certificate, never
    /// vouches for another certificate, and is honoured only when
    /// [`Policy::allow_anchor_as_signer`](crate::Policy::allow_anchor_as_signer)
    /// is set.
    PinnedSigner,
}

/// One trusted certificate (an IACA, or a pinned signer), optionally
/// limited to some docTypes.
#[derive(Clone, Debug)]
pub struct TrustAnchor {
    pub(crate) cert: ParsedCertificate,
    doc_types: Option<Vec<String>>,
    role: AnchorRole,
    /// SHA-256 of the anchor DER (the anchor half of the DS cache key).
    fingerprint: [u8; 32],
}

impl TrustAnchor {
    /// Parses a DER certificate as an anchor valid for every docType, and
    /// decides its role:
    /// - a certificate that presents itself as a CA (basicConstraints cA and
    ///   keyUsage keyCertSign) must meet the IACA profile
    ///   ([`TrustAnchor::iaca`]), or it is refused with
    ///   `certificate_profile_invalid` naming the rule;
    /// - any other certificate (e.g. a Document Signer certificate, or a
    ///   self-signed test signer without keyUsage) becomes a
    ///   [`AnchorRole::PinnedSigner`]: trusted only as that exact signer.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let cert = x509::certificate_input(der)?;
        let role = if profile::claims_ca(&cert) {
            profile::check_iaca(&cert)?;
            AnchorRole::Iaca
        } else {
            AnchorRole::PinnedSigner
        };
        Ok(TrustAnchor {
            fingerprint: crate::crypto::sha256(der),
            cert,
            doc_types: None,
            role,
        })
    }

    /// Parses a DER certificate that must be an IACA root meeting ISO
    /// 18013-5 Annex B.1.2 (the rules are listed on
    /// [`CertificateProfile`](crate::CertificateProfile)), with an allowed
    /// algorithm and curve. Anything else is refused with
    /// `certificate_profile_invalid`; bytes that are not a certificate at all
    /// (e.g. a private key) with `not_a_certificate`.
    pub fn iaca(der: &[u8]) -> Result<Self, Error> {
        let cert = x509::certificate_input(der)?;
        profile::check_iaca(&cert)?;
        Ok(TrustAnchor {
            fingerprint: crate::crypto::sha256(der),
            cert,
            doc_types: None,
            role: AnchorRole::Iaca,
        })
    }

    /// Parses a DER certificate trusted only as a pinned Document Signer.
    pub fn pinned_signer(der: &[u8]) -> Result<Self, Error> {
        Ok(TrustAnchor {
            cert: x509::certificate_input(der)?,
            doc_types: None,
            role: AnchorRole::PinnedSigner,
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

    /// What this anchor is trusted for.
    pub fn role(&self) -> AnchorRole {
        self.role
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
///
/// Every certificate is checked on load: the ISO 18013-5 Annex D IACA is an
/// IACA (Annex B.1.2 profile); a file that holds no certificate at all is
/// refused with its own code.
///
/// ```
/// use kakunin::{AnchorRole, ErrorCode, TrustStore};
/// # macro_rules! data { ($f:literal) => { include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/", $f)) } }
/// # fn main() -> Result<(), kakunin::Error> {
/// let store = TrustStore::builder()
///     .add_pem_or_der(data!("iso18013-5-annex-d/iaca_cert.pem"))?
///     .add_pem_or_der_for(data!("aamva-vical/aamva_dts_root_ca.pem"), &["org.iso.18013.5.1.mDL"])?
///     .build();
/// assert_eq!(store.anchors().len(), 2);
/// assert_eq!(store.anchors()[0].role(), AnchorRole::Iaca);
///
/// let e = TrustStore::from_pem_or_der(data!("session-reader-pki/reader.key.pem")).unwrap_err();
/// assert_eq!(e.code(), ErrorCode::NotACertificate); // "PEM has no CERTIFICATE block (found PRIVATE KEY)"
/// # Ok(()) }
/// ```
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
            if let Some(a) = self
                .anchors
                .iter()
                .find(|a| a.role == AnchorRole::PinnedSigner && a.cert.der() == ds.der())
            {
                if a.covers(doc_type) {
                    return Ok((a, TrustPath::PinnedSigner));
                }
                scoped_out = true;
            }
        }
        let issuer = ds.issuer_raw();
        let mut ds_fingerprint = None;
        // Candidates by name; the signature decides. A key-identifier mismatch
        // is reported by the profile check (Annex B.1.4), not hidden here.
        for a in self.anchors.iter() {
            if a.role != AnchorRole::Iaca || a.cert.subject_raw() != issuer {
                continue;
            }
            // The one step the DS cache may answer; everything
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
