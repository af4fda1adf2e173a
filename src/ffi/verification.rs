//! The verification result handle and its borrowed views.

use core::ffi::c_char;
use std::ffi::CString;
use std::sync::OnceLock;

use super::{boundary, free_handle, need, ok, out_ok, try_ref, try_str, write_out};
use super::{kakunin_bytes, kakunin_status, kakunin_status::*, kakunin_str};
use crate::document::{DeviceAuthKind, DocumentResult, Namespace};
use crate::error::Error;
use crate::pki::trust::TrustPath;
use crate::value::ElementValue;
use crate::verifier::Verification;

/// The result of a verification. Immutable and thread-safe. Every borrowed
/// view (`kakunin_str`, `kakunin_bytes`, `const kakunin_element *`) obtained
/// from it stays valid until it is freed with `kakunin_verification_free`.
///
/// Only documents whose every check passed expose elements and issuer
/// details; a rejected document exposes its claimed (unverified) docType and
/// its errors, nothing else.
pub struct kakunin_verification {
    pub(super) inner: Verification,
    docs: Vec<DocView>,
    json: OnceLock<CString>,
    pub(super) audit: OnceLock<CString>,
}

/// One verified element: namespace, identifier and value. A borrowed view
/// owned by its `kakunin_verification`; never freed on its own.
pub struct kakunin_element {
    namespace: String,
    identifier: String,
    value: ElementValue,
    device_signed: bool,
    json: OnceLock<String>,
}

impl Drop for kakunin_element {
    fn drop(&mut self) {
        self.value.zeroize();
        if let Some(j) = self.json.get_mut() {
            zeroize::Zeroize::zeroize(j);
        }
    }
}

/// Fields of a document (`kakunin_verification_document_field` and
/// `kakunin_verification_document_time`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_document_field {
    /// The docType (for a rejected document: the *claimed*, unverified docType).
    KAKUNIN_FIELD_DOC_TYPE = 1,
    /// Document Signer subject DN (RFC 4514).
    KAKUNIN_FIELD_ISSUER_SUBJECT = 2,
    /// Document Signer issuer DN.
    KAKUNIN_FIELD_ISSUER_ISSUER = 3,
    /// Document Signer serial number, lowercase hex.
    KAKUNIN_FIELD_ISSUER_SERIAL_HEX = 4,
    /// Subject DN of the trust anchor that vouched for the Document Signer.
    KAKUNIN_FIELD_ANCHOR_SUBJECT = 5,
    /// subjectKeyIdentifier of that anchor, lowercase hex (may be empty).
    KAKUNIN_FIELD_ANCHOR_KEY_ID_HEX = 6,
    /// issuerAuth signature algorithm (`"ES256"`, …).
    KAKUNIN_FIELD_SIGNATURE_ALGORITHM = 7,
    /// MSO digest algorithm (`"SHA-256"`, …).
    KAKUNIN_FIELD_DIGEST_ALGORITHM = 8,
    /// Device authentication: `"signature"` or `"mac"` (`KAKUNIN_NOT_FOUND` for issuer-only).
    KAKUNIN_FIELD_DEVICE_AUTH = 9,
    /// How trust was established: `"issued_by_anchor"` or `"pinned_signer"`.
    KAKUNIN_FIELD_TRUST_PATH = 10,
    /// MSO `signed` (RFC 3339 text, or Unix seconds via `_document_time`).
    KAKUNIN_FIELD_MSO_SIGNED = 11,
    /// MSO `validFrom`.
    KAKUNIN_FIELD_MSO_VALID_FROM = 12,
    /// MSO `validUntil`.
    KAKUNIN_FIELD_MSO_VALID_UNTIL = 13,
    /// MSO `expectedUpdate` (`KAKUNIN_NOT_FOUND` when absent).
    KAKUNIN_FIELD_MSO_EXPECTED_UPDATE = 14,
    /// Document Signer notBefore.
    KAKUNIN_FIELD_ISSUER_NOT_BEFORE = 15,
    /// Document Signer notAfter.
    KAKUNIN_FIELD_ISSUER_NOT_AFTER = 16,
    /// The verification time.
    KAKUNIN_FIELD_VERIFIED_AT = 17,
}

/// How the device authenticated (`kakunin_verification_document_device_auth`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_device_auth {
    /// Not checked (issuer-only verification).
    KAKUNIN_DEVICE_AUTH_NONE = 0,
    /// A COSE_Sign1 `deviceSignature`.
    KAKUNIN_DEVICE_AUTH_SIGNATURE = 1,
    /// A COSE_Mac0 `deviceMac`.
    KAKUNIN_DEVICE_AUTH_MAC = 2,
}

/// The type tag of an element value (`kakunin_element_type`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_value_type {
    /// Not an element (the pointer was NULL).
    KAKUNIN_VALUE_INVALID = 0,
    /// Text string: `kakunin_element_text`.
    KAKUNIN_VALUE_TEXT = 1,
    /// Integer: `kakunin_element_int`.
    KAKUNIN_VALUE_INTEGER = 2,
    /// Boolean: `kakunin_element_bool`.
    KAKUNIN_VALUE_BOOL = 3,
    /// Byte string: `kakunin_element_bytes`.
    KAKUNIN_VALUE_BYTES = 4,
    /// full-date (tag 1004), `YYYY-MM-DD`: `kakunin_element_date`.
    KAKUNIN_VALUE_FULL_DATE = 5,
    /// tdate (tag 0), RFC 3339: `kakunin_element_date`.
    KAKUNIN_VALUE_TDATE = 6,
    /// Array: `kakunin_element_json`.
    KAKUNIN_VALUE_ARRAY = 7,
    /// Map: `kakunin_element_json`.
    KAKUNIN_VALUE_MAP = 8,
    /// null.
    KAKUNIN_VALUE_NULL = 9,
    /// undefined.
    KAKUNIN_VALUE_UNDEFINED = 10,
    /// Floating-point number: `kakunin_element_json`.
    KAKUNIN_VALUE_FLOAT = 11,
    /// Another tagged value: `kakunin_element_json`.
    KAKUNIN_VALUE_TAGGED = 12,
    /// Another CBOR simple value: `kakunin_element_json`.
    KAKUNIN_VALUE_SIMPLE = 13,
}

struct DocView {
    /// `(field, text)` for the string fields.
    strings: Vec<(u32, String)>,
    /// `(field, unix seconds)` for the time fields.
    times: Vec<(u32, i64)>,
    elements: Vec<kakunin_element>,
    issuer_certificate: Vec<u8>,
}

fn trust_path_str(p: TrustPath) -> &'static str {
    match p {
        TrustPath::IssuedByAnchor => "issued_by_anchor",
        TrustPath::PinnedSigner => "pinned_signer",
    }
}

fn elements_of(namespaces: &[Namespace], device_signed: bool, out: &mut Vec<kakunin_element>) {
    for ns in namespaces {
        for (id, value) in &ns.elements {
            out.push(kakunin_element {
                namespace: ns.name.clone(),
                identifier: id.clone(),
                value: value.clone(),
                device_signed,
                json: OnceLock::new(),
            });
        }
    }
}

impl DocView {
    fn new(d: &DocumentResult, verified_at: i64) -> DocView {
        use kakunin_document_field::*;
        match d {
            Ok(doc) => {
                let is = doc.issuer();
                let v = doc.validity();
                let mut strings = vec![
                    (u32::from(KAKUNIN_FIELD_DOC_TYPE), doc.doc_type().to_owned()),
                    (u32::from(KAKUNIN_FIELD_ISSUER_SUBJECT), is.subject.clone()),
                    (u32::from(KAKUNIN_FIELD_ISSUER_ISSUER), is.issuer.clone()),
                    (u32::from(KAKUNIN_FIELD_ISSUER_SERIAL_HEX), is.serial_hex.clone()),
                    (u32::from(KAKUNIN_FIELD_ANCHOR_SUBJECT), is.anchor_subject.clone()),
                    (u32::from(KAKUNIN_FIELD_ANCHOR_KEY_ID_HEX), is.anchor_key_id_hex.clone()),
                    (
                        u32::from(KAKUNIN_FIELD_SIGNATURE_ALGORITHM),
                        is.signature_algorithm.name().to_owned(),
                    ),
                    (
                        u32::from(KAKUNIN_FIELD_DIGEST_ALGORITHM),
                        doc.digest_algorithm().name().to_owned(),
                    ),
                    (
                        u32::from(KAKUNIN_FIELD_TRUST_PATH),
                        trust_path_str(is.trust_path).to_owned(),
                    ),
                ];
                if let Some(k) = doc.device_auth() {
                    strings.push((u32::from(KAKUNIN_FIELD_DEVICE_AUTH), k.as_str().to_owned()));
                }
                let mut times = vec![
                    (u32::from(KAKUNIN_FIELD_MSO_SIGNED), v.signed),
                    (u32::from(KAKUNIN_FIELD_MSO_VALID_FROM), v.valid_from),
                    (u32::from(KAKUNIN_FIELD_MSO_VALID_UNTIL), v.valid_until),
                    (u32::from(KAKUNIN_FIELD_ISSUER_NOT_BEFORE), is.not_before),
                    (u32::from(KAKUNIN_FIELD_ISSUER_NOT_AFTER), is.not_after),
                    (u32::from(KAKUNIN_FIELD_VERIFIED_AT), doc.verified_at()),
                ];
                if let Some(t) = v.expected_update {
                    times.push((u32::from(KAKUNIN_FIELD_MSO_EXPECTED_UPDATE), t));
                }
                strings.extend(times.iter().map(|(f, t)| (*f, t.to_string())));
                let mut elements = Vec::new();
                elements_of(doc.namespaces(), false, &mut elements);
                elements_of(doc.device_namespaces(), true, &mut elements);
                DocView {
                    strings,
                    times: times.into_iter().map(|(f, t)| (f, t.secs())).collect(),
                    elements,
                    issuer_certificate: is.certificate_der.clone(),
                }
            }
            Err(rej) => DocView {
                strings: vec![(u32::from(KAKUNIN_FIELD_DOC_TYPE), rej.claimed_doc_type().to_owned())],
                times: vec![(u32::from(KAKUNIN_FIELD_VERIFIED_AT), verified_at)],
                elements: Vec::new(),
                issuer_certificate: Vec::new(),
            },
        }
    }
}

impl kakunin_verification {
    pub(crate) fn new(inner: Verification) -> Self {
        let at = inner.time().secs();
        let docs = inner.documents().iter().map(|d| DocView::new(d, at)).collect();
        kakunin_verification {
            inner,
            docs,
            json: OnceLock::new(),
            audit: OnceLock::new(),
        }
    }

    fn doc(&self, i: usize) -> Result<(&DocumentResult, &DocView), kakunin_status> {
        match (self.inner.documents().get(i), self.docs.get(i)) {
            (Some(d), Some(v)) => Ok((d, v)),
            _ => Err(KAKUNIN_OUT_OF_RANGE),
        }
    }

    /// The verified document `i` (`KAKUNIN_DOCUMENT_REJECTED` when it was rejected).
    pub(super) fn verified(&self, i: usize) -> Result<&crate::document::VerifiedDocument, kakunin_status> {
        match self.doc(i)? {
            (Ok(d), _) => Ok(d),
            (Err(_), _) => Err(KAKUNIN_DOCUMENT_REJECTED),
        }
    }

    fn verified_doc(&self, i: usize) -> Result<&DocView, kakunin_status> {
        match self.doc(i)? {
            (Ok(_), v) => Ok(v),
            (Err(_), _) => Err(KAKUNIN_DOCUMENT_REJECTED),
        }
    }
}

/// Whether the whole result is valid: at least one document, every document
/// verified, no response-level error. False for NULL.
#[no_mangle]
pub extern "C" fn kakunin_verification_is_valid(verification: *const kakunin_verification) -> bool {
    boundary! { try_ref(verification).is_some_and(|v| v.inner.is_valid()) }
}

/// The verification time, Unix seconds (0 for NULL).
#[no_mangle]
pub extern "C" fn kakunin_verification_time(verification: *const kakunin_verification) -> i64 {
    boundary! { try_ref(verification).map_or(0, |v| v.inner.time().secs()) }
}

/// The whole result as the JSON of the `verify` tool (the same text as the
/// Rust `Verification::to_json()`), NUL-terminated, borrowed from the handle.
#[no_mangle]
pub extern "C" fn kakunin_verification_json(
    verification: *const kakunin_verification,
    out: *mut kakunin_str,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out));
        let json = v.json.get_or_init(|| json_cstring(&v.inner));
        let bytes = json.as_bytes();
        write_out(out, kakunin_str { data: json.as_ptr(), len: bytes.len() });
        KAKUNIN_OK
    }
}

/// The JSON report as a C string. The intermediate `String` is wiped; the
/// returned buffer is wiped by `kakunin_verification`'s `Drop`.
fn json_cstring(v: &Verification) -> CString {
    let json = zeroize::Zeroizing::new(v.to_json());
    // Copied into a buffer with room for the NUL so that `CString` never
    // reallocates (a reallocation would leave an unwiped copy behind).
    let mut bytes = Vec::with_capacity(json.len() + 1);
    bytes.extend_from_slice(json.as_bytes());
    match CString::new(bytes) {
        Ok(c) => c,
        Err(e) => {
            // JSON escapes every control character, so this is unreachable;
            // wipe the rejected bytes anyway.
            zeroize::Zeroize::zeroize(&mut e.into_vec());
            CString::default()
        }
    }
}

impl Drop for kakunin_verification {
    fn drop(&mut self) {
        // The JSON export holds every disclosed element value.
        if let Some(json) = self.json.take() {
            zeroize::Zeroize::zeroize(&mut json.into_bytes_with_nul());
        }
    }
}

/// The number of response-level errors (structure, version, status; 0 for NULL).
#[no_mangle]
pub extern "C" fn kakunin_verification_error_count(verification: *const kakunin_verification) -> usize {
    boundary! { try_ref(verification).map_or(0, |v| v.inner.errors().len()) }
}

/// Writes an error's (or warning's) stable code number and borrowed message.
pub(super) fn write_error(e: &Error, code: *mut u32, message: *mut kakunin_str) {
    write_out(code, e.code().number());
    write_out(message, kakunin_str::of(e.message()));
}

/// Response-level error `index`: its stable code number (name:
/// `kakunin_error_code_str`) and human message (borrowed).
#[no_mangle]
pub extern "C" fn kakunin_verification_error(
    verification: *const kakunin_verification,
    index: usize,
    out_code: *mut u32,
    out_message: *mut kakunin_str,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let code = need!(out_ok(out_code));
        let message = need!(out_ok(out_message));
        let e = ok!(v.inner.errors().get(index).ok_or(KAKUNIN_OUT_OF_RANGE));
        write_error(e, code, message);
        KAKUNIN_OK
    }
}

/// The number of documents, in response order (0 for NULL).
#[no_mangle]
pub extern "C" fn kakunin_verification_document_count(verification: *const kakunin_verification) -> usize {
    boundary! { try_ref(verification).map_or(0, |v| v.docs.len()) }
}

/// Whether document `doc` passed every check.
#[no_mangle]
pub extern "C" fn kakunin_verification_document_is_valid(
    verification: *const kakunin_verification,
    doc: usize,
    out_valid: *mut bool,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out_valid));
        let (d, _) = ok!(v.doc(doc));
        write_out(out, d.is_ok());
        KAKUNIN_OK
    }
}

/// A text field of document `doc` (a `kakunin_document_field` value),
/// borrowed. For a rejected document only `KAKUNIN_FIELD_DOC_TYPE` (the
/// claimed docType) is available; other fields give `KAKUNIN_DOCUMENT_REJECTED`.
/// Time fields come as RFC 3339 text.
#[no_mangle]
pub extern "C" fn kakunin_verification_document_field(
    verification: *const kakunin_verification,
    doc: usize,
    field: u32,
    out: *mut kakunin_str,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out));
        let (d, view) = ok!(v.doc(doc));
        if !(1..=17).contains(&field) {
            return KAKUNIN_INVALID_PARAMETER;
        }
        match view.strings.iter().find(|(f, _)| *f == field) {
            Some((_, s)) => {
                write_out(out, kakunin_str::of(s));
                KAKUNIN_OK
            }
            None if d.is_err() => KAKUNIN_DOCUMENT_REJECTED,
            None => KAKUNIN_NOT_FOUND,
        }
    }
}

/// A time field of document `doc` (`KAKUNIN_FIELD_MSO_*`,
/// `KAKUNIN_FIELD_ISSUER_NOT_*`, `KAKUNIN_FIELD_VERIFIED_AT`) in Unix seconds.
#[no_mangle]
pub extern "C" fn kakunin_verification_document_time(
    verification: *const kakunin_verification,
    doc: usize,
    field: u32,
    out_unix_secs: *mut i64,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out_unix_secs));
        let (d, view) = ok!(v.doc(doc));
        if !(11..=17).contains(&field) {
            return KAKUNIN_INVALID_PARAMETER;
        }
        match view.times.iter().find(|(f, _)| *f == field) {
            Some((_, t)) => {
                write_out(out, *t);
                KAKUNIN_OK
            }
            None if d.is_err() => KAKUNIN_DOCUMENT_REJECTED,
            None => KAKUNIN_NOT_FOUND,
        }
    }
}

/// How document `doc` authenticated the device (a `kakunin_device_auth` value).
#[no_mangle]
pub extern "C" fn kakunin_verification_document_device_auth(
    verification: *const kakunin_verification,
    doc: usize,
    out: *mut u32,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out));
        let (d, _) = ok!(v.doc(doc));
        let d = ok!(d.as_ref().map_err(|_| KAKUNIN_DOCUMENT_REJECTED));
        let kind = match d.device_auth() {
            None => kakunin_device_auth::KAKUNIN_DEVICE_AUTH_NONE,
            Some(DeviceAuthKind::Signature) => kakunin_device_auth::KAKUNIN_DEVICE_AUTH_SIGNATURE,
            Some(DeviceAuthKind::Mac) => kakunin_device_auth::KAKUNIN_DEVICE_AUTH_MAC,
        };
        write_out(out, u32::from(kind));
        KAKUNIN_OK
    }
}

/// The Document Signer certificate (DER) of verified document `doc`, borrowed.
#[no_mangle]
pub extern "C" fn kakunin_verification_document_issuer_certificate(
    verification: *const kakunin_verification,
    doc: usize,
    out: *mut kakunin_bytes,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out));
        let view = ok!(v.verified_doc(doc));
        write_out(out, kakunin_bytes::of(&view.issuer_certificate));
        KAKUNIN_OK
    }
}

/// The number of errors of document `doc` (0 when it verified).
#[no_mangle]
pub extern "C" fn kakunin_verification_document_error_count(
    verification: *const kakunin_verification,
    doc: usize,
    out_count: *mut usize,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out_count));
        let (d, _) = ok!(v.doc(doc));
        write_out(out, d.as_ref().map_or_else(|r| r.errors().len(), |_| 0));
        KAKUNIN_OK
    }
}

/// Error `index` of rejected document `doc`: its stable code number (name:
/// `kakunin_error_code_str`) and human message (borrowed).
#[no_mangle]
pub extern "C" fn kakunin_verification_document_error(
    verification: *const kakunin_verification,
    doc: usize,
    index: usize,
    out_code: *mut u32,
    out_message: *mut kakunin_str,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let code = need!(out_ok(out_code));
        let message = need!(out_ok(out_message));
        let (d, _) = ok!(v.doc(doc));
        let errors = d.as_ref().map_or_else(|r| r.errors(), |_| &[]);
        let e = ok!(errors.get(index).ok_or(KAKUNIN_OUT_OF_RANGE));
        write_error(e, code, message);
        KAKUNIN_OK
    }
}

/// The number of verified elements of document `doc`: issuer-signed ones in
/// received order, then device-signed ones.
#[no_mangle]
pub extern "C" fn kakunin_verification_document_element_count(
    verification: *const kakunin_verification,
    doc: usize,
    out_count: *mut usize,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out_count));
        let view = ok!(v.verified_doc(doc));
        write_out(out, view.elements.len());
        KAKUNIN_OK
    }
}

/// Element `index` of verified document `doc` (borrowed; valid until the
/// verification is freed).
#[no_mangle]
pub extern "C" fn kakunin_verification_document_element(
    verification: *const kakunin_verification,
    doc: usize,
    index: usize,
    out: *mut *const kakunin_element,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out));
        let view = ok!(v.verified_doc(doc));
        let e = ok!(view.elements.get(index).ok_or(KAKUNIN_OUT_OF_RANGE));
        write_out(out, core::ptr::from_ref::<kakunin_element>(e));
        KAKUNIN_OK
    }
}

/// Finds an **issuer-signed** element of verified document `doc` by namespace
/// and identifier (ISO 18013-5 §9.1.2: data the issuer vouched for);
/// `KAKUNIN_NOT_FOUND` when the issuer did not disclose it. Never returns a
/// device-signed value, even of the same name: those come from the holder's
/// device (`kakunin_verification_document_find_device_element`).
#[no_mangle]
pub extern "C" fn kakunin_verification_document_find_element(
    verification: *const kakunin_verification,
    doc: usize,
    namespace_: *const c_char,
    identifier: *const c_char,
    out: *mut *const kakunin_element,
) -> kakunin_status {
    boundary! { find_element(verification, doc, namespace_, identifier, false, out) }
}

/// Finds a **device-signed** element of verified document `doc` (DeviceNameSpaces,
/// ISO 18013-5 §8.3.2.1.2.2: values the holder's device signed, within the
/// MSO keyAuthorizations) by namespace and identifier; `KAKUNIN_NOT_FOUND`
/// when none. Never returns an issuer-signed value.
#[no_mangle]
pub extern "C" fn kakunin_verification_document_find_device_element(
    verification: *const kakunin_verification,
    doc: usize,
    namespace_: *const c_char,
    identifier: *const c_char,
    out: *mut *const kakunin_element,
) -> kakunin_status {
    boundary! { find_element(verification, doc, namespace_, identifier, true, out) }
}

fn find_element(
    verification: *const kakunin_verification,
    doc: usize,
    namespace_: *const c_char,
    identifier: *const c_char,
    device_signed: bool,
    out: *mut *const kakunin_element,
) -> kakunin_status {
    let v = need!(try_ref(verification));
    let ns = ok!(need!(try_str(namespace_)));
    let id = ok!(need!(try_str(identifier)));
    let out = need!(out_ok(out));
    let view = ok!(v.verified_doc(doc));
    match view
        .elements
        .iter()
        .find(|e| e.device_signed == device_signed && e.namespace == ns && e.identifier == id)
    {
        Some(e) => {
            write_out(out, core::ptr::from_ref::<kakunin_element>(e));
            KAKUNIN_OK
        }
        None => KAKUNIN_NOT_FOUND,
    }
}

/// Frees a verification and every view borrowed from it. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_verification_free(verification: *mut kakunin_verification) {
    boundary! { free_handle(verification) }
}

// ---------------------------------------------------------------- elements

/// The element's namespace (borrowed).
#[no_mangle]
pub extern "C" fn kakunin_element_namespace(element: *const kakunin_element, out: *mut kakunin_str) -> kakunin_status {
    boundary! {
        let e = need!(try_ref(element));
        let out = need!(out_ok(out));
        write_out(out, kakunin_str::of(&e.namespace));
        KAKUNIN_OK
    }
}

/// The element's identifier (borrowed).
#[no_mangle]
pub extern "C" fn kakunin_element_identifier(element: *const kakunin_element, out: *mut kakunin_str) -> kakunin_status {
    boundary! {
        let e = need!(try_ref(element));
        let out = need!(out_ok(out));
        write_out(out, kakunin_str::of(&e.identifier));
        KAKUNIN_OK
    }
}

/// Whether the element is device-signed (authorised by the MSO keyAuthorizations).
#[no_mangle]
pub extern "C" fn kakunin_element_is_device_signed(element: *const kakunin_element) -> bool {
    boundary! { try_ref(element).is_some_and(|e| e.device_signed) }
}

/// The type tag of the element's value (`KAKUNIN_VALUE_INVALID` for NULL).
#[no_mangle]
pub extern "C" fn kakunin_element_type(element: *const kakunin_element) -> kakunin_value_type {
    use kakunin_value_type::*;
    boundary! {
        match try_ref(element).map(|e| &e.value) {
            None => KAKUNIN_VALUE_INVALID,
            Some(ElementValue::Text(_)) => KAKUNIN_VALUE_TEXT,
            Some(ElementValue::Integer(_)) => KAKUNIN_VALUE_INTEGER,
            Some(ElementValue::Bool(_)) => KAKUNIN_VALUE_BOOL,
            Some(ElementValue::Bytes(_)) => KAKUNIN_VALUE_BYTES,
            Some(ElementValue::FullDate(_)) => KAKUNIN_VALUE_FULL_DATE,
            Some(ElementValue::DateTime(_)) => KAKUNIN_VALUE_TDATE,
            Some(ElementValue::Array(_)) => KAKUNIN_VALUE_ARRAY,
            Some(ElementValue::Map(_)) => KAKUNIN_VALUE_MAP,
            Some(ElementValue::Null) => KAKUNIN_VALUE_NULL,
            Some(ElementValue::Undefined) => KAKUNIN_VALUE_UNDEFINED,
            Some(ElementValue::Float(_)) => KAKUNIN_VALUE_FLOAT,
            Some(ElementValue::Tagged(..)) => KAKUNIN_VALUE_TAGGED,
            Some(ElementValue::Simple(_)) => KAKUNIN_VALUE_SIMPLE,
        }
    }
}

impl super::PanicValue for kakunin_value_type {
    fn panic_value() -> Self {
        kakunin_value_type::KAKUNIN_VALUE_INVALID
    }
}

/// The text of a `KAKUNIN_VALUE_TEXT` element (borrowed, exactly as received).
#[no_mangle]
pub extern "C" fn kakunin_element_text(element: *const kakunin_element, out: *mut kakunin_str) -> kakunin_status {
    boundary! {
        let e = need!(try_ref(element));
        let out = need!(out_ok(out));
        let t = ok!(e.value.as_text().ok_or(KAKUNIN_WRONG_TYPE));
        write_out(out, kakunin_str::of(t));
        KAKUNIN_OK
    }
}

/// The date text of a `KAKUNIN_VALUE_FULL_DATE` (`YYYY-MM-DD`) or
/// `KAKUNIN_VALUE_TDATE` (RFC 3339) element (borrowed).
#[no_mangle]
pub extern "C" fn kakunin_element_date(element: *const kakunin_element, out: *mut kakunin_str) -> kakunin_status {
    boundary! {
        let e = need!(try_ref(element));
        let out = need!(out_ok(out));
        let t = ok!(e.value.as_date_text().ok_or(KAKUNIN_WRONG_TYPE));
        write_out(out, kakunin_str::of(t));
        KAKUNIN_OK
    }
}

/// The value of a `KAKUNIN_VALUE_INTEGER` element; `KAKUNIN_OUT_OF_RANGE`
/// when it does not fit `int64_t` (read it with `kakunin_element_json`).
#[no_mangle]
pub extern "C" fn kakunin_element_int(element: *const kakunin_element, out: *mut i64) -> kakunin_status {
    boundary! {
        let e = need!(try_ref(element));
        let out = need!(out_ok(out));
        match &e.value {
            ElementValue::Integer(i) => match i64::try_from(*i) {
                Ok(i) => {
                    write_out(out, i);
                    KAKUNIN_OK
                }
                Err(_) => KAKUNIN_OUT_OF_RANGE,
            },
            _ => KAKUNIN_WRONG_TYPE,
        }
    }
}

/// The value of a `KAKUNIN_VALUE_BOOL` element.
#[no_mangle]
pub extern "C" fn kakunin_element_bool(element: *const kakunin_element, out: *mut bool) -> kakunin_status {
    boundary! {
        let e = need!(try_ref(element));
        let out = need!(out_ok(out));
        let b = ok!(e.value.as_bool().ok_or(KAKUNIN_WRONG_TYPE));
        write_out(out, b);
        KAKUNIN_OK
    }
}

/// The bytes of a `KAKUNIN_VALUE_BYTES` element (borrowed; e.g. a portrait).
#[no_mangle]
pub extern "C" fn kakunin_element_bytes(element: *const kakunin_element, out: *mut kakunin_bytes) -> kakunin_status {
    boundary! {
        let e = need!(try_ref(element));
        let out = need!(out_ok(out));
        let b = ok!(e.value.as_bytes().ok_or(KAKUNIN_WRONG_TYPE));
        write_out(out, kakunin_bytes::of(b));
        KAKUNIN_OK
    }
}

/// The element's value as JSON (any type; the same form as in
/// `kakunin_verification_json`: bytes as `{"$bytes":"<base64>"}`), borrowed.
#[no_mangle]
pub extern "C" fn kakunin_element_json(element: *const kakunin_element, out: *mut kakunin_str) -> kakunin_status {
    boundary! {
        let e = need!(try_ref(element));
        let out = need!(out_ok(out));
        let json = e.json.get_or_init(|| e.value.to_json());
        write_out(out, kakunin_str::of(json));
        KAKUNIN_OK
    }
}
