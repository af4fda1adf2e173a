//! The element-type step of verification: every verified element against
//! the document-type registry (`crate::doctype`; ISO 18013-5 §7.2.1 Table 5
//! and the other profiles listed there). A security-relevant element of the
//! wrong type rejects the document (`element_type_invalid`); any other
//! registered element of the wrong type is kept as a [`TypeWarning`].

use crate::doctype::element;
use crate::document::{DocumentResult, Namespace, RejectedDocument, TypeWarning, VerifiedDocument};
use crate::error::{err, Error, ErrorCode};

/// Checks every element of a verified document against the registry: a
/// security-relevant contradiction rejects it with `element_type_invalid`,
/// others become [`TypeWarning`]s.
pub(crate) fn check_element_types(mut doc: VerifiedDocument) -> DocumentResult {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    check_namespaces(&doc.doc_type, &doc.namespaces, false, &mut errors, &mut warnings);
    check_namespaces(&doc.doc_type, &doc.device_namespaces, true, &mut errors, &mut warnings);
    if errors.is_empty() {
        doc.warnings = warnings;
        Ok(doc)
    } else {
        Err(RejectedDocument {
            claimed_doc_type: doc.doc_type.clone(),
            errors,
        })
    }
}

fn check_namespaces(
    doc_type: &str,
    namespaces: &[Namespace],
    device_signed: bool,
    errors: &mut Vec<Error>,
    warnings: &mut Vec<TypeWarning>,
) {
    for ns in namespaces {
        for (id, v) in &ns.elements {
            let Some(spec) = element(doc_type, &ns.name, id) else {
                continue;
            };
            if spec.value_type.accepts(v) {
                continue;
            }
            if spec.security_relevant {
                errors.push(err(
                    ErrorCode::ElementTypeInvalid,
                    format!(
                        "{}{}/{id}: expected {}, received {}",
                        if device_signed { "device-signed " } else { "" },
                        ns.name,
                        spec.value_type.as_str(),
                        v.type_name()
                    ),
                ));
            } else {
                warnings.push(TypeWarning {
                    namespace: ns.name.clone(),
                    element: id.clone(),
                    expected: spec.value_type,
                    received: v.type_name(),
                    device_signed,
                });
            }
        }
    }
}
