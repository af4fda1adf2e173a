//! Audit record of one verification, free of personal data.
//!
//! A counter must be able to show *that* it checked a document, and what it
//! asked for and received, without keeping *what* it read. The record holds:
//! the verification time; per document its docType, verdict, issuer (DS
//! certificate serial, IACA subjectKeyIdentifier), device authentication
//! kind, the element identifiers requested and returned, type warnings and
//! error codes — never an element value, never an error message (messages
//! are for the operator's screen, codes are for the log).

use crate::document::DocumentResult;
use crate::error::ErrorCode;
use crate::json::{write_str, JsonBuf};
use crate::presentation::privacy::ElementRequest;
use crate::time::UnixTime;
use crate::verifier::Verification;

/// The audit entry of one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditDocument {
    /// The verified docType, or the claimed one when rejected.
    pub doc_type: String,
    /// Whether the document verified.
    pub valid: bool,
    /// DS certificate serial, lowercase hex (empty when rejected).
    pub ds_serial_hex: String,
    /// subjectKeyIdentifier of the trust anchor (IACA), lowercase hex.
    pub iaca_key_id_hex: String,
    /// `"signature"`, `"mac"`, or `None` (issuer only / rejected).
    pub device_auth: Option<&'static str>,
    /// Issuer-signed element identifiers returned, `(namespace, ids)`.
    pub returned: Vec<(String, Vec<String>)>,
    /// Device-signed element identifiers returned.
    pub device_returned: Vec<(String, Vec<String>)>,
    /// `(namespace, element)` of registry type warnings.
    pub warnings: Vec<(String, String)>,
    /// Error codes of a rejected document.
    pub error_codes: Vec<ErrorCode>,
}

/// The audit record of one verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// The verification time.
    pub time: UnixTime,
    /// Whether the whole response verified.
    pub valid: bool,
    /// What was requested (identifiers, IntentToRetain, stated purpose).
    pub requested: Vec<ElementRequest>,
    /// Per-document entries, in response order.
    pub documents: Vec<AuditDocument>,
    /// Response-level error codes.
    pub error_codes: Vec<ErrorCode>,
}

impl AuditRecord {
    /// The record of `verification` (no request attached).
    pub fn new(verification: &Verification) -> Self {
        AuditRecord {
            time: verification.time(),
            valid: verification.is_valid(),
            requested: Vec::new(),
            documents: verification.documents().iter().map(audit_document).collect(),
            error_codes: verification.errors().iter().map(|e| e.code()).collect(),
        }
    }

    /// Attaches what the reader requested.
    pub fn with_requests(mut self, requests: &[ElementRequest]) -> Self {
        self.requested = requests.to_vec();
        self
    }

    /// The JSON form:
    /// `{"time","verdict","requested":[{"doc_type","purpose"?,"elements":{ns:{id:intent_to_retain}}}],
    /// "documents":[{"doc_type","verdict","issuer":{"ds_serial","iaca_key_id"},"device_auth",
    /// "returned":{ns:[id]},"device_returned":{ns:[id]},"warnings":[{"namespace","element"}],
    /// "error_codes":[code]}],"error_codes":[code]}`.
    pub fn to_json(&self) -> String {
        let mut o = JsonBuf::with_capacity(512);
        o.push_str("{\"time\":");
        write_str(&mut o, &self.time.to_rfc3339());
        o.push_str(",\"verdict\":");
        write_str(&mut o, verdict(self.valid));
        o.push_str(",\"requested\":[");
        for (i, r) in self.requested.iter().enumerate() {
            comma(&mut o, i);
            o.push_str("{\"doc_type\":");
            write_str(&mut o, r.doc_type());
            if let Some(p) = r.purpose() {
                o.push_str(",\"purpose\":");
                write_str(&mut o, p);
            }
            o.push_str(",\"elements\":{");
            let mut seen: Vec<&str> = Vec::new();
            for e in r.elements() {
                if seen.contains(&e.namespace.as_str()) {
                    continue;
                }
                comma(&mut o, seen.len());
                seen.push(&e.namespace);
                write_str(&mut o, &e.namespace);
                o.push_str(":{");
                for (j, x) in r.elements().iter().filter(|x| x.namespace == e.namespace).enumerate() {
                    comma(&mut o, j);
                    write_str(&mut o, &x.element);
                    o.push_str(if x.intent_to_retain { ":true" } else { ":false" });
                }
                o.push('}');
            }
            o.push_str("}}");
        }
        o.push_str("],\"documents\":[");
        for (i, d) in self.documents.iter().enumerate() {
            comma(&mut o, i);
            o.push_str("{\"doc_type\":");
            write_str(&mut o, &d.doc_type);
            o.push_str(",\"verdict\":");
            write_str(&mut o, verdict(d.valid));
            o.push_str(",\"issuer\":{\"ds_serial\":");
            write_str(&mut o, &d.ds_serial_hex);
            o.push_str(",\"iaca_key_id\":");
            write_str(&mut o, &d.iaca_key_id_hex);
            o.push_str("},\"device_auth\":");
            match d.device_auth {
                Some(k) => write_str(&mut o, k),
                None => o.push_str("null"),
            }
            o.push_str(",\"returned\":");
            write_ids(&mut o, &d.returned);
            o.push_str(",\"device_returned\":");
            write_ids(&mut o, &d.device_returned);
            o.push_str(",\"warnings\":[");
            for (j, (ns, id)) in d.warnings.iter().enumerate() {
                comma(&mut o, j);
                o.push_str("{\"namespace\":");
                write_str(&mut o, ns);
                o.push_str(",\"element\":");
                write_str(&mut o, id);
                o.push('}');
            }
            o.push_str("],\"error_codes\":");
            write_codes(&mut o, &d.error_codes);
            o.push('}');
        }
        o.push_str("],\"error_codes\":");
        write_codes(&mut o, &self.error_codes);
        o.push('}');
        o.into_string()
    }
}

fn audit_document(d: &DocumentResult) -> AuditDocument {
    match d {
        Ok(v) => {
            let ids = |nss: &[crate::document::Namespace]| {
                nss.iter()
                    .map(|n| (n.name.clone(), n.elements.iter().map(|(id, _)| id.clone()).collect()))
                    .collect()
            };
            AuditDocument {
                doc_type: v.doc_type().to_owned(),
                valid: true,
                ds_serial_hex: v.issuer().serial_hex.clone(),
                iaca_key_id_hex: v.issuer().anchor_key_id_hex.clone(),
                device_auth: v.device_auth().map(|k| k.as_str()),
                returned: ids(v.namespaces()),
                device_returned: ids(v.device_namespaces()),
                warnings: v
                    .warnings()
                    .iter()
                    .map(|w| (w.namespace.clone(), w.element.clone()))
                    .collect(),
                error_codes: Vec::new(),
            }
        }
        Err(r) => AuditDocument {
            doc_type: r.claimed_doc_type().to_owned(),
            valid: false,
            ds_serial_hex: String::new(),
            iaca_key_id_hex: String::new(),
            device_auth: None,
            returned: Vec::new(),
            device_returned: Vec::new(),
            warnings: Vec::new(),
            error_codes: r.errors().iter().map(|e| e.code()).collect(),
        },
    }
}

fn verdict(valid: bool) -> &'static str {
    if valid {
        "valid"
    } else {
        "invalid"
    }
}

fn comma(o: &mut JsonBuf, i: usize) {
    if i > 0 {
        o.push(',');
    }
}

fn write_ids(o: &mut JsonBuf, groups: &[(String, Vec<String>)]) {
    o.push('{');
    for (i, (ns, ids)) in groups.iter().enumerate() {
        comma(o, i);
        write_str(o, ns);
        o.push_str(":[");
        for (j, id) in ids.iter().enumerate() {
            comma(o, j);
            write_str(o, id);
        }
        o.push(']');
    }
    o.push('}');
}

fn write_codes(o: &mut JsonBuf, codes: &[ErrorCode]) {
    o.push('[');
    for (i, c) in codes.iter().enumerate() {
        comma(o, i);
        write_str(o, c.as_str());
    }
    o.push(']');
}
