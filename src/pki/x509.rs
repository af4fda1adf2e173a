//! X.509 certificates as mdoc uses them (ISO 18013-5 Annex B): parsing with
//! `x509-cert`, signature verification over the *received* `tbsCertificate`
//! bytes, validity, and the extensions the IACA / Document Signer profiles
//! look at.

use crate::crypto::{Curve, DigestAlgorithm, PublicKey, X509SignatureAlgorithm};
use crate::error::{err, Error, ErrorCode};
use crate::time::UnixTime;
use der::Decode;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier,
};

/// The parsing profile: RFC 5280 as `x509-cert` implements it, except that a
/// serialNumber may be longer than 20 octets. RFC 5280 §4.1.2.2 caps what a
/// CA *issues*; real mdoc issuers' Document Signers exceed it, and the serial
/// plays no part in any mdoc check (it is only reported and matched against
/// CRL entries, byte for byte). The certificate as a whole stays bounded by
/// `Limits::max_certificate_bytes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LongSerials;

impl x509_cert::certificate::Profile for LongSerials {
    fn check_serial_number(_serial: &x509_cert::serial_number::SerialNumber<Self>) -> der::Result<()> {
        Ok(())
    }
}

/// A certificate as `x509-cert` parses it under [`LongSerials`].
pub(crate) type Certificate = x509_cert::certificate::CertificateInner<LongSerials>;

/// Why `x509-cert` refused a certificate, in words that name the cause:
/// bytes that are not DER at all, DER that is not a certificate, or a field
/// value RFC 5280 does not allow.
fn describe_parse_error(e: &der::Error) -> String {
    use der::ErrorKind as K;
    let at = e.position().map(|p| format!(" (at byte {p})")).unwrap_or_default();
    match e.kind() {
        K::TagUnexpected {
            expected: Some(want),
            actual,
        } => {
            format!("not an X.509 certificate: {actual} where RFC 5280 has {want}{at}")
        }
        K::TagUnexpected { expected: None, actual } => {
            format!("not an X.509 certificate: unexpected {actual}{at}")
        }
        K::Value { tag } => format!("certificate {tag} value not allowed by RFC 5280{at}"),
        K::DateTime => format!("certificate validity is not a valid UTCTime/GeneralizedTime{at}"),
        K::OidMalformed => format!("certificate has a malformed OBJECT IDENTIFIER{at}"),
        K::Utf8(_) => format!("certificate has a string that is not valid UTF-8{at}"),
        K::Incomplete { .. }
        | K::TrailingData { .. }
        | K::IndefiniteLength
        | K::Length { .. }
        | K::Noncanonical { .. }
        | K::Overflow
        | K::Overlength
        | K::TagNumberInvalid
        | K::TagUnknown { .. }
        | K::TagModeUnknown => format!("certificate is not valid DER: {}{at}", e.kind()),
        other => format!("certificate could not be parsed as X.509: {other}{at}"),
    }
}

/// EKU of an mdoc Document Signer (ISO 18013-5 Annex B.1.4): 1.0.18013.5.1.2.
pub(crate) const OID_EKU_MDL_DS: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.0.18013.5.1.2");
/// EKU of an mdoc reader authentication certificate: 1.0.18013.5.1.6.
pub(crate) const OID_EKU_MDL_READER: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.0.18013.5.1.6");
/// extKeyUsage of a VICAL signer certificate (ISO 18013-5 Annex C).
pub(crate) const OID_EKU_VICAL_SIGNER: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.0.18013.5.1.8");

// OIDs are compared as decoded values, never through strings (no OID text formatting on the hot path).
type Oid = der::asn1::ObjectIdentifier;
const OID_EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const OID_P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: Oid = Oid::new_unwrap("1.3.132.0.34");
const OID_P521: Oid = Oid::new_unwrap("1.3.132.0.35");
const OID_ED25519: Oid = Oid::new_unwrap("1.3.101.112");
const OID_ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
const OID_ECDSA_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
const OID_ECDSA_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");

const OID_BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
const OID_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
const OID_EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
const OID_SKI: Oid = Oid::new_unwrap("2.5.29.14");
const OID_AKI: Oid = Oid::new_unwrap("2.5.29.35");
/// Extensions a critical flag may be set on without failing the certificate.
const UNDERSTOOD: &[Oid] = &[
    OID_BASIC_CONSTRAINTS,
    OID_KEY_USAGE,
    OID_EXT_KEY_USAGE,
    OID_SKI,
    OID_AKI,
    Oid::new_unwrap("2.5.29.17"), // subjectAltName
    Oid::new_unwrap("2.5.29.18"), // issuerAltName
    Oid::new_unwrap("2.5.29.31"), // cRLDistributionPoints
    Oid::new_unwrap("2.5.29.32"), // certificatePolicies
];

/// A parsed certificate with the fields kakunin checks, owning its DER.
#[derive(Clone, Debug)]
pub struct ParsedCertificate {
    der: Vec<u8>,
    tbs_range: (usize, usize),
    /// The received issuer and subject Name TLVs (ranges of `der`).
    issuer_range: (usize, usize),
    subject_range: (usize, usize),
    cert: Certificate,
    public_key: PublicKey,
    signature_algorithm: Option<X509SignatureAlgorithm>,
    not_before: UnixTime,
    not_after: UnixTime,
    basic_constraints: Option<BasicConstraints>,
    key_usage: Option<KeyUsage>,
    ext_key_usage: Option<Vec<der::asn1::ObjectIdentifier>>,
    ski: Option<Vec<u8>>,
    aki: Option<Vec<u8>>,
}

fn bad(msg: impl Into<String>) -> Error {
    err(ErrorCode::CertificateProfileInvalid, msg)
}

/// The (issuer, subject) Name TLV ranges of `der`, walking the received
/// tbsCertificate (RFC 5280 §4.1): `[0] version`, serialNumber, signature,
/// issuer, validity, subject.
fn name_ranges(der: &[u8], tbs: (usize, usize)) -> Option<((usize, usize), (usize, usize))> {
    let (hdr, _) = der_tlv(der.get(tbs.0..tbs.1)?)?;
    let mut pos = tbs.0 + hdr;
    let mut next = || -> Option<(u8, (usize, usize))> {
        let rest = der.get(pos..tbs.1)?;
        let (_, len) = der_tlv(rest)?;
        let r = (pos, pos + len);
        pos += len;
        Some((*rest.first()?, r))
    };
    let (mut tag, _) = next()?;
    if tag == 0xa0 {
        tag = next()?.0; // serialNumber
    }
    if tag != 0x02 {
        return None;
    }
    next()?; // signature
    let (t_issuer, issuer) = next()?;
    next()?; // validity
    let (t_subject, subject) = next()?;
    (t_issuer == 0x30 && t_subject == 0x30).then_some((issuer, subject))
}

/// Splits one DER TLV at the start of `input`: returns (header length, total length).
pub(crate) fn der_tlv(input: &[u8]) -> Option<(usize, usize)> {
    let first_len = *input.get(1)?;
    let (hdr, len) = if first_len < 0x80 {
        (2usize, usize::from(first_len))
    } else {
        let n = usize::from(first_len & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*input.get(2 + i)?);
        }
        (2 + n, len)
    };
    let total = hdr.checked_add(len)?;
    (total <= input.len()).then_some((hdr, total))
}

impl ParsedCertificate {
    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let cert = Certificate::from_der(der)
            .map_err(|e| err(ErrorCode::CertificateProfileInvalid, describe_parse_error(&e)))?;
        // The received tbsCertificate bytes: first TLV inside the outer SEQUENCE.
        let (outer_hdr, _) = der_tlv(der).ok_or_else(|| bad("certificate framing"))?;
        let rest = der.get(outer_hdr..).ok_or_else(|| bad("certificate framing"))?;
        let (_, tbs_len) = der_tlv(rest).ok_or_else(|| bad("certificate framing"))?;
        let tbs_range = (outer_hdr, outer_hdr + tbs_len);

        let (issuer_range, subject_range) = name_ranges(der, tbs_range).ok_or_else(|| bad("certificate framing"))?;

        let tbs = &cert.tbs_certificate;
        let spki = &tbs.subject_public_key_info;
        let alg = spki.algorithm.oid;
        let key_bytes = spki.subject_public_key.raw_bytes();
        let curve = if alg == OID_EC_PUBLIC_KEY {
            let param = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<Oid>().ok());
            match param {
                Some(OID_P256) => Curve::P256,
                Some(OID_P384) => Curve::P384,
                Some(OID_P521) => Curve::P521,
                _ => {
                    return Err(err(
                        ErrorCode::UnsupportedAlgorithm,
                        "certificate key: unsupported EC curve",
                    ))
                }
            }
        } else if alg == OID_ED25519 {
            Curve::Ed25519
        } else {
            return Err(err(
                ErrorCode::UnsupportedAlgorithm,
                format!("certificate key algorithm {alg} is not supported"),
            ));
        };
        let public_key = PublicKey::from_bytes(curve, key_bytes)
            .ok_or_else(|| bad("certificate public key is not a valid point"))?;
        let signature_algorithm = x509_signature_algorithm(&cert.signature_algorithm.oid);
        let not_before = to_time(tbs.validity.not_before);
        let not_after = to_time(tbs.validity.not_after);

        let mut basic_constraints = None;
        let mut key_usage = None;
        let mut ext_key_usage = None;
        let mut ski = None;
        let mut aki = None;
        let mut seen: Vec<Oid> = Vec::new();
        for ext in tbs.extensions.iter().flatten() {
            let oid = ext.extn_id;
            if seen.contains(&oid) {
                return Err(bad(format!("extension {oid} appears twice (RFC 5280 §4.2)")));
            }
            let v = ext.extn_value.as_bytes();
            let dec_err = |name: &str| bad(format!("{name} extension is malformed"));
            match oid {
                OID_BASIC_CONSTRAINTS => {
                    basic_constraints = Some(BasicConstraints::from_der(v).map_err(|_| dec_err("basicConstraints"))?)
                }
                OID_KEY_USAGE => key_usage = Some(KeyUsage::from_der(v).map_err(|_| dec_err("keyUsage"))?),
                OID_EXT_KEY_USAGE => {
                    ext_key_usage = Some(ExtendedKeyUsage::from_der(v).map_err(|_| dec_err("extKeyUsage"))?.0)
                }
                OID_SKI => {
                    ski = Some(
                        SubjectKeyIdentifier::from_der(v)
                            .map_err(|_| dec_err("subjectKeyIdentifier"))?
                            .0
                            .as_bytes()
                            .to_vec(),
                    )
                }
                OID_AKI => {
                    let a = AuthorityKeyIdentifier::from_der(v).map_err(|_| dec_err("authorityKeyIdentifier"))?;
                    aki = a.key_identifier.map(|k| k.as_bytes().to_vec());
                }
                other => {
                    if ext.critical && !UNDERSTOOD.contains(&other) {
                        return Err(bad(format!("unknown critical extension {other}")));
                    }
                }
            }
            seen.push(oid);
        }
        // Built last so that the decoded certificate moves in, never cloned.
        let parsed = ParsedCertificate {
            der: der.to_vec(),
            tbs_range,
            issuer_range,
            subject_range,
            public_key,
            signature_algorithm,
            not_before,
            not_after,
            basic_constraints,
            key_usage,
            ext_key_usage,
            ski,
            aki,
            cert,
        };
        Ok(parsed)
    }

    /// The certificate as DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The received `tbsCertificate` bytes.
    pub(crate) fn tbs_bytes(&self) -> &[u8] {
        self.der.get(self.tbs_range.0..self.tbs_range.1).unwrap_or(&[])
    }

    /// The subject public key.
    pub(crate) fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The curve of the subject public key.
    pub fn key_curve(&self) -> Curve {
        self.public_key.curve()
    }

    /// notBefore.
    pub fn not_before(&self) -> UnixTime {
        self.not_before
    }

    /// notAfter.
    pub fn not_after(&self) -> UnixTime {
        self.not_after
    }

    /// The serial number, big-endian bytes as encoded.
    pub fn serial_number(&self) -> &[u8] {
        self.cert.tbs_certificate.serial_number.as_bytes()
    }

    /// The subject DN in RFC 4514 form.
    pub fn subject(&self) -> String {
        crate::pki::x509_name::to_rfc4514(&self.cert.tbs_certificate.subject)
    }

    /// The issuer DN in RFC 4514 form.
    pub fn issuer(&self) -> String {
        crate::pki::x509_name::to_rfc4514(&self.cert.tbs_certificate.issuer)
    }

    /// DER of the subject Name.
    pub fn subject_der(&self) -> Vec<u8> {
        self.subject_raw().to_vec()
    }

    /// DER of the issuer Name.
    pub fn issuer_der(&self) -> Vec<u8> {
        self.issuer_raw().to_vec()
    }

    /// The subject Name exactly as received (x509-cert accepts DER only, so
    /// this equals its re-encoding, without the allocation).
    pub(crate) fn subject_raw(&self) -> &[u8] {
        self.der.get(self.subject_range.0..self.subject_range.1).unwrap_or(&[])
    }

    /// The issuer Name exactly as received.
    pub(crate) fn issuer_raw(&self) -> &[u8] {
        self.der.get(self.issuer_range.0..self.issuer_range.1).unwrap_or(&[])
    }

    /// subjectKeyIdentifier, if present.
    pub fn subject_key_identifier(&self) -> Option<&[u8]> {
        self.ski.as_deref()
    }

    /// authorityKeyIdentifier keyIdentifier, if present.
    pub fn authority_key_identifier(&self) -> Option<&[u8]> {
        self.aki.as_deref()
    }

    /// Whether basicConstraints marks this certificate as a CA.
    pub fn is_ca(&self) -> bool {
        self.basic_constraints.as_ref().is_some_and(|b| b.ca)
    }

    /// The basicConstraints extension, if present.
    pub(crate) fn basic_constraints(&self) -> Option<&BasicConstraints> {
        self.basic_constraints.as_ref()
    }

    /// The keyUsage extension, if present.
    pub(crate) fn key_usage(&self) -> Option<&KeyUsage> {
        self.key_usage.as_ref()
    }

    /// The extKeyUsage OIDs, if the extension is present.
    pub(crate) fn ext_key_usage(&self) -> Option<&[der::asn1::ObjectIdentifier]> {
        self.ext_key_usage.as_deref()
    }

    /// An attribute (e.g. countryName `2.5.4.6`) of the subject, as a string.
    pub fn subject_attribute(&self, oid: &str) -> Option<String> {
        name_attribute(&self.cert.tbs_certificate.subject, oid)
    }

    /// An attribute of the issuer Name, as a string.
    pub fn issuer_attribute(&self, oid: &str) -> Option<String> {
        name_attribute(&self.cert.tbs_certificate.issuer, oid)
    }

    /// Whether `issuer` (by its key) signed this certificate.
    pub(crate) fn is_signed_by(&self, issuer: &PublicKey) -> Result<bool, Error> {
        // The outer label decides how to verify; it must be the one the
        // issuer signed inside tbsCertificate (RFC 5280 §4.1.1.2).
        if self.cert.signature_algorithm != self.cert.tbs_certificate.signature {
            return Err(bad(
                "signatureAlgorithm differs from tbsCertificate.signature (RFC 5280 §4.1.1.2)",
            ));
        }
        let alg = self.signature_algorithm.ok_or_else(|| {
            err(
                ErrorCode::UnsupportedAlgorithm,
                format!(
                    "certificate signature algorithm {} is not supported",
                    self.cert.signature_algorithm.oid
                ),
            )
        })?;
        let sig = self
            .cert
            .signature
            .as_bytes()
            .ok_or_else(|| bad("signature BIT STRING has unused bits"))?;
        Ok(issuer.verify_x509(alg, self.tbs_bytes(), sig))
    }

    /// Checks notBefore ≤ now ≤ notAfter (with `skew` seconds of tolerance).
    pub(crate) fn check_validity(&self, now: UnixTime, skew: i64, what: &str) -> Result<(), Error> {
        if now.offset(skew) < self.not_before {
            return Err(err(
                ErrorCode::CertificateNotYetValid,
                format!("{what} certificate is valid from {}", self.not_before),
            ));
        }
        if now.offset(-skew) > self.not_after {
            return Err(err(
                ErrorCode::CertificateExpired,
                format!("{what} certificate expired at {}", self.not_after),
            ));
        }
        Ok(())
    }
}

/// The signature algorithms ISO 18013-5 Annex B allows for certificates and
/// CRLs that kakunin implements (ECDSA with SHA-2, Ed25519).
pub(crate) fn x509_signature_algorithm(oid: &der::asn1::ObjectIdentifier) -> Option<X509SignatureAlgorithm> {
    match *oid {
        OID_ECDSA_SHA256 => Some(X509SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256)),
        OID_ECDSA_SHA384 => Some(X509SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha384)),
        OID_ECDSA_SHA512 => Some(X509SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha512)),
        OID_ED25519 => Some(X509SignatureAlgorithm::Ed25519),
        _ => None,
    }
}

fn name_attribute(name: &x509_cert::name::Name, oid: &str) -> Option<String> {
    let oid = Oid::new(oid).ok()?;
    for rdn in name.0.iter() {
        for atv in rdn.0.iter() {
            if atv.oid == oid {
                let v = &atv.value;
                if let Ok(s) = v.decode_as::<der::asn1::PrintableStringRef<'_>>() {
                    return Some(s.as_str().to_owned());
                }
                if let Ok(s) = v.decode_as::<der::asn1::Utf8StringRef<'_>>() {
                    return Some(s.as_str().to_owned());
                }
                if let Ok(s) = v.decode_as::<der::asn1::Ia5StringRef<'_>>() {
                    return Some(s.as_str().to_owned());
                }
                return Some(String::from_utf8_lossy(v.value()).into_owned());
            }
        }
    }
    None
}

pub(crate) fn to_time(t: x509_cert::time::Time) -> UnixTime {
    UnixTime::from_secs(i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX))
}

/// Reads certificates from PEM text (one or more `CERTIFICATE` blocks) or DER.
pub fn certificates_from_pem_or_der(data: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    let text = core::str::from_utf8(data).ok().filter(|t| t.contains("-----BEGIN"));
    let Some(text) = text else {
        return Ok(vec![data.to_vec()]);
    };
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let after = rest.get(start + 27..).unwrap_or("");
        let end = after
            .find("-----END CERTIFICATE-----")
            .ok_or_else(|| bad("PEM: missing END CERTIFICATE"))?;
        let body: String = after
            .get(..end)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        out.push(
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body.as_bytes())
                .ok()
                .ok_or_else(|| bad("PEM: invalid base64"))?,
        );
        rest = after.get(end + 25..).unwrap_or("");
    }
    if out.is_empty() {
        // PEM text without a certificate (a private key, a CSR, a public key):
        // say what was found, with its own code, so the caller can tell
        // "wrong file" from "a certificate kakunin refuses".
        let label = text
            .split("-----BEGIN ")
            .nth(1)
            .and_then(|rest| rest.split("-----").next())
            .filter(|l| !l.is_empty() && l.len() <= 64)
            .unwrap_or("unknown");
        return Err(err(
            ErrorCode::NotACertificate,
            format!("PEM has no CERTIFICATE block (found {label})"),
        ));
    }
    Ok(out)
}

/// Parses DER given as a certificate by the caller (a trust anchor, a VICAL
/// anchor): bytes that do not decode as an X.509 `Certificate` (RFC 5280
/// §4.1) at all — a private key, a public key, random bytes — are refused
/// with [`ErrorCode::NotACertificate`]; a certificate that decodes but breaks
/// the profile keeps [`ErrorCode::CertificateProfileInvalid`].
pub(crate) fn certificate_input(der: &[u8]) -> Result<ParsedCertificate, Error> {
    if let Err(e) = Certificate::from_der(der) {
        return Err(err(
            ErrorCode::NotACertificate,
            format!("input is not a DER X.509 certificate: {e}"),
        ));
    }
    ParsedCertificate::from_der(der)
}
