//! Verification results: a document's elements are reachable only through
//! [`VerifiedDocument`]; a rejected document carries its errors and nothing else.

use crate::crypto::{DigestAlgorithm, SignatureAlgorithm};
use crate::error::Error;
use crate::mso::ValidityInfo;
use crate::pki::trust::TrustPath;
use crate::time::UnixTime;
use crate::value::ElementValue;
use core::fmt;

/// How the device proved possession of the MSO device key (ISO 18013-5 §9.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeviceAuthKind {
    /// A COSE_Sign1 `deviceSignature`.
    Signature,
    /// A COSE_Mac0 `deviceMac` (ECDH with the reader key).
    Mac,
}

impl DeviceAuthKind {
    /// `"signature"` or `"mac"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceAuthKind::Signature => "signature",
            DeviceAuthKind::Mac => "mac",
        }
    }
}

/// Who signed the document: the Document Signer certificate and its anchor.
#[derive(Clone, Debug)]
pub struct IssuerSummary {
    /// DS subject DN (RFC 4514).
    pub subject: String,
    /// DS issuer DN (RFC 4514).
    pub issuer: String,
    /// DS serial number, lowercase hex.
    pub serial_hex: String,
    /// DS notBefore.
    pub not_before: UnixTime,
    /// DS notAfter.
    pub not_after: UnixTime,
    /// Subject DN of the trust anchor that vouched for the DS.
    pub anchor_subject: String,
    /// subjectKeyIdentifier of that anchor, lowercase hex (empty when absent).
    pub anchor_key_id_hex: String,
    /// How trust was established.
    pub trust_path: TrustPath,
    /// The issuerAuth signature algorithm.
    pub signature_algorithm: SignatureAlgorithm,
    /// The DS certificate DER.
    pub certificate_der: Vec<u8>,
}

/// The elements of one namespace, in received order.
///
/// `Debug` shows element identifiers only, never values, so that logging a
/// result cannot leak personal data. Values are zeroized when a `Namespace`
/// is dropped: also those of a document rejected after its digests were
/// checked, which never reach a [`VerifiedDocument`].
#[derive(Clone, Default)]
pub struct Namespace {
    /// The namespace identifier.
    pub name: String,
    /// `(elementIdentifier, value)` pairs.
    pub elements: Vec<(String, ElementValue)>,
}

impl fmt::Debug for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Namespace")
            .field("name", &self.name)
            .field("elements", &self.elements.iter().map(|(id, _)| id).collect::<Vec<_>>())
            .finish()
    }
}

impl fmt::Debug for VerifiedDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedDocument")
            .field("doc_type", &self.doc_type)
            .field("issuer_serial_hex", &self.issuer.serial_hex)
            .field("device_auth", &self.device_auth)
            .field("namespaces", &self.namespaces)
            .field("device_namespaces", &self.device_namespaces)
            .field("verified_at", &self.verified_at)
            .field("warnings", &self.warnings)
            .field("policy_warnings", &self.policy_warnings)
            .finish_non_exhaustive()
    }
}

impl Namespace {
    /// The value of `id`, if disclosed.
    pub fn get(&self, id: &str) -> Option<&ElementValue> {
        self.elements.iter().find(|(k, _)| k == id).map(|(_, v)| v)
    }
}

/// A document whose every check passed.
///
/// Element values are zeroized when this is dropped (each [`Namespace`]
/// zeroizes its own). `Debug` shows element identifiers only, never values.
pub struct VerifiedDocument {
    pub(crate) doc_type: String,
    pub(crate) issuer: IssuerSummary,
    pub(crate) validity: ValidityInfo,
    pub(crate) digest_algorithm: DigestAlgorithm,
    pub(crate) device_auth: Option<DeviceAuthKind>,
    pub(crate) namespaces: Vec<Namespace>,
    pub(crate) device_namespaces: Vec<Namespace>,
    pub(crate) verified_at: UnixTime,
    /// Registered elements of an unexpected (not security-relevant) type.
    pub(crate) warnings: Vec<TypeWarning>,
    /// Problems a best-effort policy tolerated.
    pub(crate) policy_warnings: Vec<crate::error::Error>,
}

impl VerifiedDocument {
    /// The docType (equal to the signed MSO docType).
    pub fn doc_type(&self) -> &str {
        &self.doc_type
    }

    /// The issuer (Document Signer) summary.
    pub fn issuer(&self) -> &IssuerSummary {
        &self.issuer
    }

    /// The MSO validity information.
    pub fn validity(&self) -> &ValidityInfo {
        &self.validity
    }

    /// The MSO digest algorithm.
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.digest_algorithm
    }

    /// The device authentication that was verified, or `None` for
    /// issuer-only verification.
    pub fn device_auth(&self) -> Option<DeviceAuthKind> {
        self.device_auth
    }

    /// The time the document was verified at.
    pub fn verified_at(&self) -> UnixTime {
        self.verified_at
    }

    /// Registered elements whose type contradicts the document-type registry
    /// but that are not security-relevant (kept, flagged). Identifiers and
    /// type names only.
    pub fn warnings(&self) -> &[TypeWarning] {
        &self.warnings
    }

    /// What a best-effort policy tolerated for this document, each with a
    /// stable code: revocation data that was missing or unusable
    /// (`revocation_unavailable`) or past its update time
    /// (`revocation_stale`) under
    /// [`RevocationMode::BestEffort`](crate::RevocationMode::BestEffort).
    /// Empty when nothing was tolerated. These never make a document valid
    /// that a stricter policy would reject for another reason; they say what
    /// was not proven.
    pub fn policy_warnings(&self) -> &[crate::error::Error] {
        &self.policy_warnings
    }

    /// Issuer-signed elements by namespace, in received order.
    pub fn namespaces(&self) -> &[Namespace] {
        &self.namespaces
    }

    /// Device-signed elements (authorised by the MSO keyAuthorizations).
    pub fn device_namespaces(&self) -> &[Namespace] {
        &self.device_namespaces
    }

    /// An issuer-signed element.
    pub fn element(&self, namespace: &str, id: &str) -> Option<&ElementValue> {
        self.namespaces
            .iter()
            .find(|n| n.name == namespace)
            .and_then(|n| n.get(id))
    }

    /// Iterates over `(namespace, identifier, value)` of issuer-signed elements.
    pub fn elements(&self) -> impl Iterator<Item = (&str, &str, &ElementValue)> {
        self.namespaces
            .iter()
            .flat_map(|n| n.elements.iter().map(move |(id, v)| (n.name.as_str(), id.as_str(), v)))
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        for (_, v) in self.elements.iter_mut() {
            v.zeroize();
        }
    }
}

impl zeroize::ZeroizeOnDrop for Namespace {}

/// A document that failed at least one check. It carries the docType the
/// document *claimed* (unverified) and why it was rejected; no element.
#[derive(Clone, Debug)]
pub struct RejectedDocument {
    pub(crate) claimed_doc_type: String,
    pub(crate) errors: Vec<Error>,
}

impl RejectedDocument {
    /// The docType the document claimed (not verified; may be empty).
    pub fn claimed_doc_type(&self) -> &str {
        &self.claimed_doc_type
    }

    /// Every reason for rejection (at least one).
    pub fn errors(&self) -> &[Error] {
        &self.errors
    }
}

/// The outcome for one document.
pub type DocumentResult = Result<VerifiedDocument, RejectedDocument>;

#[cfg(test)]
mod tests {
    use super::*;

    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}

    /// Every holder of verified element values wipes them when dropped: a
    /// namespace (also one of a document rejected after its digests were
    /// checked), and so a verified document, which holds only namespaces.
    #[test]
    fn element_holders_zeroize_on_drop() {
        wiped_on_drop::<Namespace>();
        wiped_on_drop::<Vec<Namespace>>();
        let mut ns = Namespace {
            name: "org.iso.18013.5.1".into(),
            elements: vec![("family_name".into(), ElementValue::Text("Yamada".into()))],
        };
        // What Drop runs, observed before the memory is released.
        for (_, v) in ns.elements.iter_mut() {
            v.zeroize();
        }
        assert_eq!(ns.get("family_name"), Some(&ElementValue::Text(String::new())));
    }
}

/// A registered element whose type differs from the registry, kept because
/// it is not security-relevant. Carries identifiers and type names only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeWarning {
    /// The namespace.
    pub namespace: String,
    /// The element identifier.
    pub element: String,
    /// The registered type.
    pub expected: crate::doctype::ValueType,
    /// The received kind ([`ElementValue::type_name`]).
    pub received: &'static str,
    /// The element was device-signed.
    pub device_signed: bool,
}
