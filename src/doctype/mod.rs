//! Document-type registry: the docTypes, namespaces and data elements kakunin
//! knows, with the CBOR type each element must have (ISO 18013-5 §7.2.1
//! Table 5, ISO/IEC 23220-2, the EUDI PID and age-verification rulebooks,
//! the AAMVA mDL guidelines and Japan's My Number Card profile).
//!
//! This module is the registry only. After every cryptographic check
//! passed, the verifier checks each verified element against it (the last
//! step of verification):
//! - a *security-relevant* element (age_over_NN, age_in_years,
//!   age_birth_year, birth dates, portrait) of the wrong type rejects the
//!   document with [`ErrorCode::ElementTypeInvalid`](crate::ErrorCode::ElementTypeInvalid): answers such as
//!   [`VerifiedDocument::age_at_least`](crate::VerifiedDocument::age_at_least) rely on them;
//! - any other registered element of the wrong type is kept and flagged as a
//!   [`TypeWarning`] ([`VerifiedDocument::warnings`](crate::VerifiedDocument::warnings));
//! - unknown docTypes, namespaces and elements verify and are typed generically.
//!
//! Messages and warnings name the element and the types, never the value.

mod tables;

use crate::time::{FullDate, UnixTime};
use crate::value::ElementValue;

pub use crate::document::TypeWarning;

pub use tables::{
    AAMVA_NS, AV_DOCTYPE, AV_NS, ISO23220_DOCTYPE, ISO23220_NS, JP_MNC_DOCTYPE, JP_MNC_NS, MDL_DOCTYPE, MDL_NS,
    PHOTOID_DOCTYPE, PHOTOID_NS, PID_DOCTYPE, PID_NS,
};

/// The CBOR type a registered element must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueType {
    /// `tstr`.
    Text,
    /// `uint`.
    Uint,
    /// `bool`.
    Bool,
    /// `bstr`.
    Bytes,
    /// A calendar date: `full-date` (tag 1004, ISO 18013-5 §7.2.1), or a
    /// `tstr` holding an RFC 3339 full-date, as the EUDI PID and ISO/IEC
    /// 23220-2 deployments send it. The text must be a valid date.
    FullDate,
    /// `tdate` (tag 0) or `full-date` (tag 1004) (ISO 18013-5 Table 5
    /// issue_date/expiry_date), or a `tstr` holding either.
    Date,
    /// ISO/IEC 23220-2 birth date: a [`ValueType::FullDate`], or the map
    /// `{ "birth_date": full-date, ? "approximate_mask": tstr }`.
    BirthDate,
    /// ISO 18013-5 §7.2.4 DrivingPrivileges: an array of maps.
    DrivingPrivileges,
    /// `tstr` or an array of `tstr` (EUDI PID nationality, rulebook v1.0 vs. later).
    TextOrTextArray,
    /// An array.
    Array,
    /// A map.
    Map,
    /// Any value.
    Any,
}

impl ValueType {
    /// A short name (`"tstr"`, `"uint"`, `"full-date"` …) for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Text => "tstr",
            ValueType::Uint => "uint",
            ValueType::Bool => "bool",
            ValueType::Bytes => "bstr",
            ValueType::FullDate => "full-date",
            ValueType::Date => "tdate or full-date",
            ValueType::BirthDate => "full-date or birth_date map",
            ValueType::DrivingPrivileges => "array of maps",
            ValueType::TextOrTextArray => "tstr or array of tstr",
            ValueType::Array => "array",
            ValueType::Map => "map",
            ValueType::Any => "any",
        }
    }

    /// Whether `v` has this type (dates must also be valid dates).
    pub fn accepts(self, v: &ElementValue) -> bool {
        match (self, v) {
            (ValueType::Any, _) => true,
            (ValueType::Text, ElementValue::Text(_)) => true,
            (ValueType::Uint, ElementValue::Integer(i)) => *i >= 0,
            (ValueType::Bool, ElementValue::Bool(_)) => true,
            (ValueType::Bytes, ElementValue::Bytes(_)) => true,
            (ValueType::FullDate, ElementValue::FullDate(s) | ElementValue::Text(s)) => FullDate::parse(s).is_some(),
            (ValueType::Date, ElementValue::FullDate(s)) => FullDate::parse(s).is_some(),
            (ValueType::Date, ElementValue::DateTime(s)) => UnixTime::parse_rfc3339(s).is_some(),
            (ValueType::Date, ElementValue::Text(s)) => {
                FullDate::parse(s).is_some() || UnixTime::parse_rfc3339(s).is_some()
            }
            (ValueType::BirthDate, ElementValue::Map(m)) => birth_date_map_ok(m),
            (ValueType::BirthDate, other) => ValueType::FullDate.accepts(other),
            (ValueType::DrivingPrivileges, ElementValue::Array(a)) => {
                a.iter().all(|e| matches!(e, ElementValue::Map(_)))
            }
            (ValueType::TextOrTextArray, ElementValue::Text(_)) => true,
            (ValueType::TextOrTextArray, ElementValue::Array(a)) => {
                a.iter().all(|e| matches!(e, ElementValue::Text(_)))
            }
            (ValueType::Array, ElementValue::Array(_)) => true,
            (ValueType::Map, ElementValue::Map(_)) => true,
            _ => false,
        }
    }
}

/// ISO/IEC 23220-2 `birth_date` map: a `birth_date` full-date, an optional
/// `approximate_mask` text, nothing else.
fn birth_date_map_ok(m: &[(ElementValue, ElementValue)]) -> bool {
    let mut date = false;
    for (k, v) in m {
        match k.as_text() {
            Some("birth_date") if ValueType::FullDate.accepts(v) && !date => date = true,
            Some("approximate_mask") if matches!(v, ElementValue::Text(_)) => {}
            _ => return false,
        }
    }
    date
}

/// What an element means to the answers kakunin gives
/// ([`VerifiedDocument::age_at_least`](crate::VerifiedDocument::age_at_least), [`VerifiedDocument::basic_info`](crate::VerifiedDocument::basic_info)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ElementRole {
    /// Family name (Unicode).
    FamilyName,
    /// Given name (Unicode).
    GivenName,
    /// Family name, Latin-1 / visual-inspection-zone spelling.
    FamilyNameLatin,
    /// Given name, Latin-1 / visual-inspection-zone spelling.
    GivenNameLatin,
    /// The full name in one string (My Number Card 氏名).
    FullName,
    /// Birth date as a calendar date.
    BirthDate,
    /// Birth date as free text (My Number Card 生年月日).
    BirthDateText,
    /// Resident address in one string.
    Address,
    /// Sex as an ISO/IEC 5218 code.
    SexCode,
    /// Sex as text (My Number Card 性別).
    SexText,
    /// The holder's portrait.
    Portrait,
    /// `age_over_NN`.
    AgeOver,
    /// `age_in_years`.
    AgeInYears,
    /// `age_birth_year`.
    AgeBirthYear,
    /// The Japanese individual number (My Number).
    IndividualNumber,
}

/// One registered data element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElementSpec {
    /// The elementIdentifier (`"age_over_NN"` for the pattern).
    pub id: &'static str,
    /// The expected type.
    pub value_type: ValueType,
    /// A wrong type rejects the document (instead of a warning).
    pub security_relevant: bool,
    /// What answers use it for (`None`: no answer does).
    pub role: Option<ElementRole>,
}

/// The element table of one namespace.
#[derive(Debug)]
pub struct NamespaceSpec {
    /// The namespace identifier this table is defined for.
    pub name: &'static str,
    /// The fixed elements.
    pub elements: &'static [ElementSpec],
    /// Whether `age_over_NN` (NN = two digits) is defined here.
    pub age_over_nn: bool,
    /// Whether `biometric_template_xx` is defined here (ISO 18013-5 Table 5).
    pub biometric_templates: bool,
    /// Where the element facts come from.
    pub source: &'static str,
}

/// A registered docType and the namespaces it uses.
#[derive(Debug)]
pub struct DocTypeSpec {
    /// The docType.
    pub doc_type: &'static str,
    /// `(namespace identifier, element table)`; a table may serve an
    /// identifier it was not defined for (see the photo ID entry).
    pub namespaces: &'static [(&'static str, &'static NamespaceSpec)],
    /// Where the docType comes from.
    pub source: &'static str,
}

/// Every registered docType.
pub fn doc_types() -> &'static [DocTypeSpec] {
    tables::DOC_TYPES
}

/// The registered docType `doc_type`.
pub fn doc_type(doc_type: &str) -> Option<&'static DocTypeSpec> {
    tables::DOC_TYPES.iter().find(|d| d.doc_type == doc_type)
}

/// The element table used for `namespace` inside `doc_type`: the docType's
/// own mapping first, then the table defined for that namespace identifier.
pub fn namespace(doc_type_id: &str, namespace: &str) -> Option<&'static NamespaceSpec> {
    if let Some(d) = doc_type(doc_type_id) {
        if let Some((_, t)) = d.namespaces.iter().find(|(n, _)| *n == namespace) {
            return Some(t);
        }
    }
    tables::NAMESPACES.iter().copied().find(|t| t.name == namespace)
}

/// The registered element `id` of `namespace` inside `doc_type`.
pub fn element(doc_type_id: &str, namespace_id: &str, id: &str) -> Option<ElementSpec> {
    element_in(namespace(doc_type_id, namespace_id)?, id)
}

/// The element `id` of `namespace` only when `doc_type` is registered and
/// its own entry lists `namespace` (no fallback to the table defined for
/// that namespace identifier). Answers use this: a registered namespace
/// means something only inside the docTypes that define it, so a document
/// of another docType (an IACA scoped to a loyalty card, say) cannot vouch
/// `org.iso.18013.5.1/age_over_20`.
pub fn registered_element(doc_type_id: &str, namespace_id: &str, id: &str) -> Option<ElementSpec> {
    let (_, table) = doc_type(doc_type_id)?
        .namespaces
        .iter()
        .find(|(n, _)| *n == namespace_id)?;
    element_in(table, id)
}

fn element_in(table: &NamespaceSpec, id: &str) -> Option<ElementSpec> {
    if let Some(e) = table.elements.iter().find(|e| e.id == id) {
        return Some(*e);
    }
    if table.age_over_nn && age_over_nn(id).is_some() {
        return Some(ElementSpec {
            id: "age_over_NN",
            value_type: ValueType::Bool,
            security_relevant: true,
            role: Some(ElementRole::AgeOver),
        });
    }
    if table.biometric_templates && id.starts_with("biometric_template_") && id.len() > 19 {
        return Some(ElementSpec {
            id: "biometric_template_xx",
            value_type: ValueType::Bytes,
            security_relevant: false,
            role: None,
        });
    }
    None
}

/// `NN` of an `age_over_NN` identifier (exactly two digits, ISO 18013-5 §7.2.5).
pub fn age_over_nn(id: &str) -> Option<u8> {
    let d = id.strip_prefix("age_over_")?.as_bytes();
    match d {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => Some((a - b'0') * 10 + (b - b'0')),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_over_pattern() {
        assert_eq!(age_over_nn("age_over_20"), Some(20));
        assert_eq!(age_over_nn("age_over_5"), None);
        assert_eq!(age_over_nn("age_over_200"), None);
        assert_eq!(age_over_nn("age_over_２０"), None);
        let e = element(MDL_DOCTYPE, MDL_NS, "age_over_65");
        assert_eq!(e.and_then(|e| e.role), Some(ElementRole::AgeOver));
        assert!(element(MDL_DOCTYPE, MDL_NS, "age_over_x1").is_none());
    }

    #[test]
    fn dates_must_be_dates() {
        assert!(ValueType::FullDate.accepts(&ElementValue::FullDate("1990-04-01".into())));
        assert!(ValueType::FullDate.accepts(&ElementValue::Text("1990-04-01".into())));
        assert!(!ValueType::FullDate.accepts(&ElementValue::Text("1990-02-30".into())));
        assert!(!ValueType::FullDate.accepts(&ElementValue::FullDate("yesterday".into())));
        assert!(!ValueType::FullDate.accepts(&ElementValue::Integer(19900401)));
        assert!(ValueType::Date.accepts(&ElementValue::DateTime("2024-01-01T00:00:00Z".into())));
        let nested = ElementValue::Map(vec![
            (
                ElementValue::Text("birth_date".into()),
                ElementValue::FullDate("1990-04-01".into()),
            ),
            (
                ElementValue::Text("approximate_mask".into()),
                ElementValue::Text("00001111".into()),
            ),
        ]);
        assert!(ValueType::BirthDate.accepts(&nested));
        let bad = ElementValue::Map(vec![(ElementValue::Text("year".into()), ElementValue::Integer(1990))]);
        assert!(!ValueType::BirthDate.accepts(&bad));
        assert!(!ValueType::Uint.accepts(&ElementValue::Integer(-1)));
    }

    #[test]
    fn every_table_is_consistent() {
        for d in doc_types() {
            assert!(!d.namespaces.is_empty(), "{}", d.doc_type);
            for (ns, t) in d.namespaces {
                let mut ids: Vec<_> = t.elements.iter().map(|e| e.id).collect();
                ids.sort_unstable();
                let n = ids.len();
                ids.dedup();
                assert_eq!(n, ids.len(), "duplicate element in {ns}");
                for e in t.elements {
                    let sec = matches!(
                        e.role,
                        Some(
                            ElementRole::AgeOver
                                | ElementRole::AgeInYears
                                | ElementRole::AgeBirthYear
                                | ElementRole::BirthDate
                                | ElementRole::BirthDateText
                                | ElementRole::Portrait
                        )
                    );
                    assert_eq!(sec, e.security_relevant, "{ns}/{}", e.id);
                }
            }
        }
        let mnc = doc_type(JP_MNC_DOCTYPE).map(|d| d.namespaces.len());
        assert_eq!(mnc, Some(2));
    }
}
