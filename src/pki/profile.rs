//! The certificate profiles of ISO 18013-5 Annex B: the IACA root
//! certificate (Annex B.1.2) checked when an anchor is loaded, and the
//! Document Signer certificate (Annex B.1.4) checked against its IACA when a
//! document is verified.
//!
//! The rules are listed once, on [`CertificateProfile`] (the public type,
//! so the list is in the API documentation); the README, docs/ and the trust
//! store documentation link there instead of repeating it. Change a rule
//! here and in that list together.

use crate::error::{err, Error, ErrorCode};
use crate::pki::x509::{self, ParsedCertificate};
use crate::time::UnixTime;
use crate::value::ElementValue;

/// How strictly the certificate profiles of ISO 18013-5 Annex B are
/// enforced. This is the one list of the rules; other documentation links
/// here.
///
/// Both profiles:
/// - the IACA root certificate (Annex B.1.2) is checked when an anchor is
///   loaded: self-signed (issuer = subject, the signature verifies with its
///   own key), basicConstraints cA, keyUsage keyCertSign and cRLSign, a
///   subjectKeyIdentifier, notBefore ≤ notAfter; its validity and
///   countryName are checked with each Document Signer;
/// - the Document Signer (DS) is not a CA; keyUsage is exactly
///   digitalSignature; issuer DN = IACA subject DN; authorityKeyIdentifier =
///   IACA subjectKeyIdentifier; countryName present and equal in DS and
///   IACA; stateOrProvinceName equal where the IACA has one; DS validity
///   inside the IACA validity; MSO `signed` inside the DS validity;
/// - a disclosed `issuing_jurisdiction` (any namespace) equal to the DS
///   stateOrProvinceName when the DS has one;
/// - the roles stay apart: a certificate whose extKeyUsage names the mdoc
///   Document Signer purpose never signs a status list, and a certificate
///   without extKeyUsage gets at most one role (under `AnnexB` it can only
///   sign status lists, because an `AnnexB` Document Signer must carry the
///   extKeyUsage; under `Interoperable` it can only sign MSOs);
/// - a pinned signer (a DS certificate trusted directly) has no IACA to
///   compare with: only its extKeyUsage is checked, and when present it
///   must name the mdoc DS purpose (exactly, under `AnnexB`).
///
/// Signature algorithms and curves: only ECDSA with SHA-256/384/512 on
/// P-256/P-384/P-521 and Ed25519 are implemented; any other key or
/// certificate signature algorithm is refused when the certificate is parsed
/// or its signature checked (`unsupported_algorithm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CertificateProfile {
    /// An explicit opt-in for issuers that break the letter of Annex B.1.4 in
    /// ways that do not weaken the chain itself: the DS extKeyUsage may be
    /// absent (the SPRIND/Bundesdruckerei DS has none) and, when present,
    /// must include 1.0.18013.5.1.2 or 1.3.130.2.0.0.1.2 (the mis-encoding of
    /// that OID that the EUDI reference issuer emits); a disclosed
    /// `issuing_country` is not compared with the DS countryName (the EUDI
    /// reference mDL says `GR` under a `UT` Document Signer); a disclosed
    /// `issuing_jurisdiction` is compared only when the DS has a
    /// stateOrProvinceName. The trade: with a multi-issuer trust list, one
    /// issuer's Document Signer can state another country as the issuing
    /// country.
    Interoperable,
    /// The letter of ISO 18013-5 Annex B.1.4 (default): in addition to the
    /// rules of both profiles, extKeyUsage must be present and be exactly
    /// 1.0.18013.5.1.2 (`certificate_profile_invalid`); a disclosed
    /// `issuing_country` must equal the DS countryName, and a disclosed
    /// `issuing_jurisdiction` must equal the DS stateOrProvinceName, which
    /// must then exist (`country_mismatch`).
    #[default]
    AnnexB,
}

/// X.520 countryName.
pub(crate) const OID_COUNTRY: &str = "2.5.4.6";
/// X.520 stateOrProvinceName.
pub(crate) const OID_STATE: &str = "2.5.4.8";

/// The OID 1.3.130.2.0.0.1.2 that EUDI reference Document Signers carry
/// in place of 1.0.18013.5.1.2.
pub(crate) const OID_EKU_MDL_DS_EUDI_ALIAS: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.3.130.2.0.0.1.2");

fn bad(who: &str, rule: &str) -> Error {
    err(ErrorCode::CertificateProfileInvalid, format!("{who}: {rule}"))
}

/// Whether a certificate presents itself as a certification authority:
/// basicConstraints cA and keyUsage keyCertSign.
pub(crate) fn claims_ca(cert: &ParsedCertificate) -> bool {
    cert.is_ca() && cert.key_usage().is_some_and(|k| k.key_cert_sign())
}

/// The IACA root certificate profile (ISO 18013-5 Annex B.1.2), checked when
/// an anchor is loaded: self-signed (issuer = subject, signature verifies
/// with its own key, by an allowed algorithm), basicConstraints cA,
/// keyUsage keyCertSign and cRLSign, a subjectKeyIdentifier, and
/// notBefore ≤ notAfter. The validity at verification time is checked
/// separately, against the time of each verification, and the IACA's
/// countryName together with the Document Signer's (so that a CA root used
/// for another purpose, such as a reader-authentication root without a
/// countryName, still loads).
pub(crate) fn check_iaca(cert: &ParsedCertificate) -> Result<(), Error> {
    let who = format!("trust anchor {:?}", cert.subject());
    if !cert.is_ca() {
        return Err(bad(
            &who,
            "basicConstraints does not mark it as a CA (IACA profile, Annex B.1.2)",
        ));
    }
    match cert.key_usage() {
        None => return Err(bad(&who, "keyUsage extension missing (IACA profile, Annex B.1.2)")),
        Some(k) if !k.key_cert_sign() => {
            return Err(bad(&who, "keyUsage lacks keyCertSign (IACA profile, Annex B.1.2)"))
        }
        Some(k) if !k.crl_sign() => return Err(bad(&who, "keyUsage lacks cRLSign (IACA profile, Annex B.1.2)")),
        Some(_) => {}
    }
    if cert.subject_der() != cert.issuer_der() {
        return Err(bad(
            &who,
            "issuer differs from subject: not a self-signed root (IACA profile, Annex B.1.2)",
        ));
    }
    if !cert.is_signed_by(cert.public_key())? {
        return Err(bad(&who, "self-signature does not verify (IACA profile, Annex B.1.2)"));
    }
    if cert.subject_key_identifier().is_none() {
        return Err(bad(&who, "subjectKeyIdentifier missing (IACA profile, Annex B.1.2)"));
    }
    if cert.not_after() < cert.not_before() {
        return Err(bad(&who, "notAfter precedes notBefore"));
    }
    Ok(())
}

/// The Document Signer certificate profile against its IACA (ISO 18013-5
/// Annex B.1.4). Returns every violation.
pub(crate) fn check_ds(ds: &ParsedCertificate, iaca: &ParsedCertificate, profile: CertificateProfile) -> Vec<Error> {
    let who = "Document Signer";
    let mut errs = Vec::new();
    let mut fail = |rule: &str| errs.push(bad(who, rule));
    if ds.is_ca() {
        fail("basicConstraints marks it as a CA (Annex B.1.4)");
    }
    match ds.key_usage() {
        None => fail("keyUsage extension missing (Annex B.1.4)"),
        Some(ku) if !ku.digital_signature() => fail("keyUsage lacks digitalSignature (Annex B.1.4)"),
        Some(ku) if *ku != x509_cert::ext::pkix::KeyUsage(x509_cert::ext::pkix::KeyUsages::DigitalSignature.into()) => {
            fail("keyUsage is not exactly digitalSignature (Annex B.1.4)")
        }
        Some(_) => {}
    }
    match (ds.ext_key_usage(), profile) {
        (Some(eku), CertificateProfile::AnnexB) => {
            if eku != [x509::OID_EKU_MDL_DS] {
                fail("extKeyUsage is not exactly 1.0.18013.5.1.2 (Annex B.1.4)");
            }
        }
        (Some(eku), _) => {
            if !eku.contains(&x509::OID_EKU_MDL_DS) && !eku.contains(&OID_EKU_MDL_DS_EUDI_ALIAS) {
                fail("extKeyUsage lacks 1.0.18013.5.1.2 (Annex B.1.4)");
            }
        }
        (None, CertificateProfile::AnnexB) => fail("extKeyUsage extension missing (Annex B.1.4)"),
        (None, _) => {}
    }
    if ds.issuer_der() != iaca.subject_der() {
        fail("issuer DN differs from the IACA subject DN (Annex B.1.4)");
    }
    match (ds.authority_key_identifier(), iaca.subject_key_identifier()) {
        (Some(aki), Some(ski)) if aki == ski => {}
        (None, _) => fail("authorityKeyIdentifier missing (Annex B.1.4)"),
        _ => fail("authorityKeyIdentifier differs from the IACA subjectKeyIdentifier (Annex B.1.4)"),
    }
    match (ds.subject_attribute(OID_COUNTRY), iaca.subject_attribute(OID_COUNTRY)) {
        (Some(a), Some(b)) if a == b => {}
        (None, _) => fail("subject countryName missing (Annex B.1.4)"),
        (_, None) => fail("IACA subject countryName missing (Annex B.1.2)"),
        _ => fail("countryName differs from the IACA countryName (Annex B.1.4)"),
    }
    if let Some(iaca_state) = iaca.subject_attribute(OID_STATE) {
        if ds.subject_attribute(OID_STATE).as_deref() != Some(iaca_state.as_str()) {
            fail("stateOrProvinceName differs from the IACA stateOrProvinceName (Annex B.1.4)");
        }
    }
    if ds.not_before() < iaca.not_before() || ds.not_after() > iaca.not_after() {
        fail("validity period is not inside the IACA validity period (Annex B.1.4)");
    }
    errs
}

/// The MSO must have been signed while the Document Signer certificate was
/// valid (ISO 18013-5 §9.1.2.4 validityInfo, Annex B.1.4).
pub(crate) fn check_signed_within(ds: &ParsedCertificate, signed: UnixTime) -> Result<(), Error> {
    if signed < ds.not_before() || signed > ds.not_after() {
        return Err(err(
            ErrorCode::CertificateProfileInvalid,
            format!(
                "MSO signed at {signed}, outside the Document Signer validity {} .. {} (Annex B.1.4)",
                ds.not_before(),
                ds.not_after()
            ),
        ));
    }
    Ok(())
}

/// A pinned signer's extKeyUsage (ISO 18013-5 Annex B.1.4): when present it
/// must name the mdoc Document Signer purpose — exactly 1.0.18013.5.1.2
/// under `AnnexB`; 1.0.18013.5.1.2 or the EUDI alias among others under
/// `Interoperable`. A certificate whose extKeyUsage names another purpose
/// (a status-list signer, a reader, a TLS server) never signs MSOs, even
/// when an operator pinned it. A pinned signer without extKeyUsage is the
/// operator's explicit choice of that key and is accepted.
pub(crate) fn check_pinned_signer(ds: &ParsedCertificate, profile: CertificateProfile) -> Option<Error> {
    let eku = ds.ext_key_usage()?;
    let ok = match profile {
        CertificateProfile::AnnexB => eku == [x509::OID_EKU_MDL_DS],
        _ => eku.contains(&x509::OID_EKU_MDL_DS) || eku.contains(&OID_EKU_MDL_DS_EUDI_ALIAS),
    };
    (!ok).then(|| {
        bad(
            "pinned Document Signer",
            "extKeyUsage does not name the mdoc Document Signer purpose 1.0.18013.5.1.2 (Annex B.1.4)",
        )
    })
}

/// The disclosed `issuing_country` / `issuing_jurisdiction` elements, given
/// as `(namespace, identifier, value)` in any namespace, against the DS
/// subject countryName / stateOrProvinceName (ISO 18013-5 §7.2.1 and Annex
/// B.1.4).
pub(crate) fn check_issuing_country<'e>(
    ds: &ParsedCertificate,
    elements: impl IntoIterator<Item = (&'e str, &'e str, &'e ElementValue)>,
    profile: CertificateProfile,
) -> Vec<Error> {
    let strict = profile == CertificateProfile::AnnexB;
    let mut errs = Vec::new();
    let country = ds.subject_attribute(OID_COUNTRY);
    let state = ds.subject_attribute(OID_STATE);
    for (ns, id, value) in elements {
        let ElementValue::Text(v) = value else { continue };
        match id {
            "issuing_country" if strict && country.as_deref() != Some(v.as_str()) => errs.push(err(
                ErrorCode::CountryMismatch,
                format!(
                    "{}/issuing_country differs from the Document Signer countryName (Annex B.1.4)",
                    ns
                ),
            )),
            "issuing_jurisdiction" => {
                let mismatch = match &state {
                    Some(s) => s != v,
                    None => strict,
                };
                if mismatch {
                    errs.push(err(
                        ErrorCode::CountryMismatch,
                        format!(
                            "{}/issuing_jurisdiction differs from the Document Signer stateOrProvinceName \
                             (Annex B.1.4)",
                            ns
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    errs
}
