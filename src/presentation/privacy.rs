//! Request policy: privacy by default for what a reader asks a holder for.
//!
//! Independent of the session engine: it produces and checks the content of
//! an ISO 18013-5 §8.3.2.1.2.1 `ItemsRequest` (docType, namespaces, element
//! identifiers, IntentToRetain), which the session layer wraps into a
//! DeviceRequest.
//!
//! Rules:
//! - `individual_number_unicode` (Japan's individual number, マイナンバー) is
//!   refused unless the caller enables it with a stated purpose: the number
//!   may only be collected for the statutory purposes of the My Number Act
//!   (行政手続における特定の個人を識別するための番号の利用等に関する法律 §19–§20);
//! - IntentToRetain is `false` unless set explicitly per element
//!   (ISO 18013-5 §8.3.2.1.2.1; data minimisation, GDPR Art. 5(1)(c), APPI);
//! - minimal requests: [`age_over_request`] asks for one `age_over_NN`
//!   element only; [`age_in_years_request`] and [`birth_date_request`] are
//!   the fallbacks, separate requests the caller sends only by explicit choice.

use crate::doctype::{
    AV_DOCTYPE, AV_NS, ISO23220_DOCTYPE, ISO23220_NS, JP_MNC_DOCTYPE, MDL_DOCTYPE, MDL_NS, PHOTOID_DOCTYPE,
    PID_DOCTYPE, PID_NS,
};
use core::fmt;

/// The element identifier of Japan's individual number (My Number).
pub const INDIVIDUAL_NUMBER: &str = "individual_number_unicode";

/// The legal age for alcohol and tobacco in Japan (未成年者飲酒禁止法 §1,
/// 未成年者喫煙禁止法 §1: under 20 prohibited).
pub const JP_ALCOHOL_TOBACCO_AGE: u8 = 20;

/// Why a request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyViolation {
    /// `individual_number_unicode` was requested without
    /// [`RequestPolicy::allow_individual_number`].
    IndividualNumberNotEnabled,
    /// A purpose must be a non-empty statement.
    PurposeMissing,
    /// The request asks for no element.
    EmptyRequest,
    /// The same element is requested twice.
    DuplicateElement {
        /// The namespace.
        namespace: String,
        /// The element identifier.
        element: String,
    },
    /// The docType or a namespace or identifier is empty.
    InvalidIdentifier,
}

impl PolicyViolation {
    /// A stable `snake_case` code.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyViolation::IndividualNumberNotEnabled => "individual_number_not_enabled",
            PolicyViolation::PurposeMissing => "purpose_missing",
            PolicyViolation::EmptyRequest => "empty_request",
            PolicyViolation::DuplicateElement { .. } => "duplicate_element",
            PolicyViolation::InvalidIdentifier => "invalid_identifier",
        }
    }
}

impl fmt::Display for PolicyViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyViolation::IndividualNumberNotEnabled => f.write_str(
                "individual_number_unicode may only be requested for a stated statutory purpose \
                 (RequestPolicy::allow_individual_number)",
            ),
            PolicyViolation::PurposeMissing => f.write_str("the purpose must not be empty"),
            PolicyViolation::EmptyRequest => f.write_str("the request asks for no element"),
            PolicyViolation::DuplicateElement { namespace, element } => {
                write!(f, "{namespace}/{element} is requested twice")
            }
            PolicyViolation::InvalidIdentifier => f.write_str("empty docType, namespace or element identifier"),
        }
    }
}

impl std::error::Error for PolicyViolation {}

/// One requested element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestedElement {
    /// The namespace.
    pub namespace: String,
    /// The element identifier.
    pub element: String,
    /// IntentToRetain (ISO 18013-5 §8.3.2.1.2.1); `false` unless set explicitly.
    pub intent_to_retain: bool,
}

/// The content of one ItemsRequest, checked by a [`RequestPolicy`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElementRequest {
    doc_type: String,
    elements: Vec<RequestedElement>,
    purpose: Option<String>,
}

impl ElementRequest {
    /// The requested docType.
    pub fn doc_type(&self) -> &str {
        &self.doc_type
    }

    /// The requested elements, in request order.
    pub fn elements(&self) -> &[RequestedElement] {
        &self.elements
    }

    /// The stated purpose, when the policy required one (individual number).
    pub fn purpose(&self) -> Option<&str> {
        self.purpose.as_deref()
    }

    /// `ItemsRequest = {"docType": tstr, "nameSpaces": {+ ns => {+ id => bool}}}`
    /// (ISO 18013-5 §8.3.2.1.2.1), deterministically encoded (RFC 8949 §4.2.1
    /// lengths; namespaces and elements in request order). Wrap it with
    /// `#6.24` for ItemsRequestBytes. The encoding is that of the shared
    /// request model, [`crate::presentation::request::ItemsRequest::to_cbor`].
    pub fn items_request_cbor(&self) -> Vec<u8> {
        crate::presentation::request::ItemsRequest::from(self).to_cbor()
    }
}

/// What a reader may ask for. [`RequestPolicy::default`] is strict.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestPolicy {
    individual_number_purpose: Option<String>,
}

impl RequestPolicy {
    /// The strict policy: no individual number.
    pub fn new() -> Self {
        RequestPolicy::default()
    }

    /// Enables requesting `individual_number_unicode` for `purpose` (for
    /// example "源泉徴収票の作成 (所得税法 §226)"); an empty purpose is refused.
    pub fn allow_individual_number(mut self, purpose: &str) -> Result<Self, PolicyViolation> {
        let p = purpose.trim();
        if p.is_empty() {
            return Err(PolicyViolation::PurposeMissing);
        }
        self.individual_number_purpose = Some(p.to_owned());
        Ok(self)
    }

    /// The stated purpose for the individual number, if enabled.
    pub fn individual_number_purpose(&self) -> Option<&str> {
        self.individual_number_purpose.as_deref()
    }

    /// Checks a request against this policy.
    pub fn check(&self, request: &ElementRequest) -> Result<(), PolicyViolation> {
        if request.doc_type.is_empty() {
            return Err(PolicyViolation::InvalidIdentifier);
        }
        if request.elements.is_empty() {
            return Err(PolicyViolation::EmptyRequest);
        }
        for (i, e) in request.elements.iter().enumerate() {
            if e.namespace.is_empty() || e.element.is_empty() {
                return Err(PolicyViolation::InvalidIdentifier);
            }
            if request
                .elements
                .iter()
                .take(i)
                .any(|o| o.namespace == e.namespace && o.element == e.element)
            {
                return Err(PolicyViolation::DuplicateElement {
                    namespace: e.namespace.clone(),
                    element: e.element.clone(),
                });
            }
            // Refused in any namespace: fail closed on look-alike placements.
            if e.element == INDIVIDUAL_NUMBER && self.individual_number_purpose.is_none() {
                return Err(PolicyViolation::IndividualNumberNotEnabled);
            }
        }
        Ok(())
    }
}

/// Builds an [`ElementRequest`]; every element has IntentToRetain `false`
/// unless added with [`RequestBuilder::element_retained`].
#[derive(Clone, Debug)]
pub struct RequestBuilder {
    doc_type: String,
    elements: Vec<RequestedElement>,
}

impl RequestBuilder {
    /// A request for `doc_type`.
    pub fn new(doc_type: &str) -> Self {
        RequestBuilder {
            doc_type: doc_type.to_owned(),
            elements: Vec::new(),
        }
    }

    /// Requests an element, not to be retained.
    pub fn element(mut self, namespace: &str, element: &str) -> Self {
        self.elements.push(RequestedElement {
            namespace: namespace.to_owned(),
            element: element.to_owned(),
            intent_to_retain: false,
        });
        self
    }

    /// Requests an element the reader declares it will retain.
    pub fn element_retained(mut self, namespace: &str, element: &str) -> Self {
        self.elements.push(RequestedElement {
            namespace: namespace.to_owned(),
            element: element.to_owned(),
            intent_to_retain: true,
        });
        self
    }

    /// Checks the request against `policy` and returns it.
    pub fn build(self, policy: &RequestPolicy) -> Result<ElementRequest, PolicyViolation> {
        let asks_number = self.elements.iter().any(|e| e.element == INDIVIDUAL_NUMBER);
        let request = ElementRequest {
            doc_type: self.doc_type,
            elements: self.elements,
            purpose: if asks_number {
                policy.individual_number_purpose.clone()
            } else {
                None
            },
        };
        policy.check(&request)?;
        Ok(request)
    }
}

/// The namespace that carries the age elements of a registered docType.
fn age_namespace(doc_type: &str) -> Option<&'static str> {
    match doc_type {
        MDL_DOCTYPE => Some(MDL_NS),
        PID_DOCTYPE => Some(PID_NS),
        AV_DOCTYPE => Some(AV_NS),
        ISO23220_DOCTYPE | PHOTOID_DOCTYPE | JP_MNC_DOCTYPE => Some(ISO23220_NS),
        _ => None,
    }
}

fn single(doc_type: &str, ns: &str, id: &str) -> Option<ElementRequest> {
    RequestBuilder::new(doc_type)
        .element(ns, id)
        .build(&RequestPolicy::new())
        .ok()
}

/// The minimal age request: the single element `age_over_NN` (ISO 18013-5
/// §7.2.5), not retained. `None` for an unregistered docType or `n > 99`.
pub fn age_over_request(doc_type: &str, n: u8) -> Option<ElementRequest> {
    if n > 99 {
        return None;
    }
    single(doc_type, age_namespace(doc_type)?, &format!("age_over_{n:02}"))
}

/// Japanese alcohol and tobacco sales: `age_over_20` only.
pub fn jp_alcohol_tobacco_request(doc_type: &str) -> Option<ElementRequest> {
    age_over_request(doc_type, JP_ALCOHOL_TOBACCO_AGE)
}

/// First fallback when `age_over_NN` is not provisioned: `age_in_years`
/// (reveals the exact age). `None` where the docType has no such element.
pub fn age_in_years_request(doc_type: &str) -> Option<ElementRequest> {
    match doc_type {
        AV_DOCTYPE => None,
        _ => single(doc_type, age_namespace(doc_type)?, "age_in_years"),
    }
}

/// Last fallback: `birth_date` (reveals the birth date). `None` where the
/// docType has no such element.
pub fn birth_date_request(doc_type: &str) -> Option<ElementRequest> {
    match doc_type {
        AV_DOCTYPE => None,
        _ => single(doc_type, age_namespace(doc_type)?, "birth_date"),
    }
}

/// The age requests in order of disclosure: `age_over_NN`, then
/// `age_in_years`, then `birth_date`; each a separate request, to be sent
/// only when the previous one could not answer.
pub fn age_request_steps(doc_type: &str, n: u8) -> Vec<ElementRequest> {
    [
        age_over_request(doc_type, n),
        age_in_years_request(doc_type),
        birth_date_request(doc_type),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor;

    #[test]
    fn items_request_encoding() {
        let r = jp_alcohol_tobacco_request(JP_MNC_DOCTYPE).unwrap();
        let bytes = r.items_request_cbor();
        let item = cbor::decode(&bytes, &crate::Limits::default()).unwrap();
        assert_eq!(
            item.get("docType").and_then(|d| d.value.as_text()),
            Some(JP_MNC_DOCTYPE)
        );
        let ns = item.get("nameSpaces").and_then(|n| n.get(ISO23220_NS)).unwrap();
        assert!(matches!(
            ns.get("age_over_20").map(|v| &v.value),
            Some(cbor::Value::Bool(false))
        ));
    }
}
