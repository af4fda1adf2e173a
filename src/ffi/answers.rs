//! Counter answers (age, basic identity items, portrait), type warnings and
//! the audit record of a verified document, all computed by the Rust API
//! from verified, issuer-signed elements only.
//!
//! Answers come only from a registered docType and only from the
//! namespaces its registry entry lists. The `_for_doc_type` functions also
//! take the docType the caller expects and answer nothing (unknown /
//! `KAKUNIN_NOT_FOUND`) for a document of another docType; the older
//! functions answer for the document's own docType.

use core::ffi::c_char;
use std::ffi::CString;

use super::verification::kakunin_verification;
use super::{boundary, need, ok, out_ok, try_ref, try_str, write_out};
use super::{kakunin_bytes, kakunin_status, kakunin_status::*, kakunin_str};
use crate::answers::{AgeAnswer, ImageFormat};
use crate::audit::AuditRecord;
use crate::document::VerifiedDocument;

/// The verdict of an age question (`AgeVerdict::number()` in Rust).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_age_verdict {
    /// Nothing disclosed decides the question (or a birth date on a birthday boundary).
    KAKUNIN_AGE_UNKNOWN = 0,
    /// The holder is at least N.
    KAKUNIN_AGE_AT_LEAST = 1,
    /// The holder is under N.
    KAKUNIN_AGE_UNDER = 2,
    /// The disclosed age elements contradict each other: trust none.
    KAKUNIN_AGE_CONTRADICTORY = 3,
}

/// The element an age verdict rests on (`AgeEvidence::number()` in Rust).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_age_evidence {
    /// No age element was disclosed.
    KAKUNIN_AGE_EVIDENCE_NONE = 0,
    /// `age_over_NN` (its NN is returned separately).
    KAKUNIN_AGE_EVIDENCE_AGE_OVER = 1,
    /// `age_in_years`.
    KAKUNIN_AGE_EVIDENCE_AGE_IN_YEARS = 2,
    /// The birth date, compared with the verification time.
    KAKUNIN_AGE_EVIDENCE_BIRTH_DATE = 3,
}

/// Portrait image formats (`ImageFormat::number()` in Rust).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_image_format {
    /// Neither JPEG nor JPEG 2000.
    KAKUNIN_IMAGE_UNKNOWN = 0,
    /// JPEG.
    KAKUNIN_IMAGE_JPEG = 1,
    /// JPEG 2000.
    KAKUNIN_IMAGE_JPEG2000 = 2,
}

/// Basic identity items (`kakunin_verification_document_basic_item`), found
/// through the document-type registry (`VerifiedDocument::basic_info`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_basic_item {
    /// Full name (e.g. My Number Card 氏名).
    KAKUNIN_BASIC_FULL_NAME = 1,
    /// Family name (the Latin form when only that is disclosed).
    KAKUNIN_BASIC_FAMILY_NAME = 2,
    /// Given name (the Latin form when only that is disclosed).
    KAKUNIN_BASIC_GIVEN_NAME = 3,
    /// Address.
    KAKUNIN_BASIC_ADDRESS = 4,
    /// Birth date as text.
    KAKUNIN_BASIC_BIRTH_DATE = 5,
    /// Sex as text.
    KAKUNIN_BASIC_SEX_TEXT = 6,
}

/// Fields of a type warning (`kakunin_verification_document_warning`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_warning_field {
    /// The namespace.
    KAKUNIN_WARNING_NAMESPACE = 1,
    /// The element identifier.
    KAKUNIN_WARNING_ELEMENT = 2,
    /// The registered type.
    KAKUNIN_WARNING_EXPECTED = 3,
    /// The received kind of value.
    KAKUNIN_WARNING_RECEIVED = 4,
}

fn write_age(a: AgeAnswer, verdict: *mut u32, evidence: *mut u32, nn: *mut u32) -> kakunin_status {
    write_out(verdict, a.verdict.number());
    write_out(evidence, a.evidence.number());
    write_out(nn, u32::from(a.evidence.nn()));
    KAKUNIN_OK
}

/// "Is the holder of verified document `doc` at least `years` old?" at the
/// verification time, deciding a birth date in every time zone (UTC−12 …
/// UTC+14; on a birthday boundary the verdict is `KAKUNIN_AGE_UNKNOWN`).
/// Writes a `kakunin_age_verdict`, a `kakunin_age_evidence` and the NN of
/// `age_over_NN` (else 0). `years` above 255 is `KAKUNIN_INVALID_PARAMETER`.
#[no_mangle]
pub extern "C" fn kakunin_verification_document_age_at_least(
    verification: *const kakunin_verification,
    doc: usize,
    years: u32,
    out_verdict: *mut u32,
    out_evidence: *mut u32,
    out_evidence_nn: *mut u32,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let (verdict, evidence, nn) =
            (need!(out_ok(out_verdict)), need!(out_ok(out_evidence)), need!(out_ok(out_evidence_nn)));
        let d = ok!(v.verified(doc));
        let n = ok!(u8::try_from(years).map_err(|_| KAKUNIN_INVALID_PARAMETER));
        write_age(d.age_at_least(d.doc_type(), n), verdict, evidence, nn)
    }
}

/// As `kakunin_verification_document_age_at_least`, with the counter's local
/// calendar date at `utc_offset_secs` from UTC (Japan: 32400).
#[no_mangle]
pub extern "C" fn kakunin_verification_document_age_at_least_at_offset(
    verification: *const kakunin_verification,
    doc: usize,
    years: u32,
    utc_offset_secs: i32,
    out_verdict: *mut u32,
    out_evidence: *mut u32,
    out_evidence_nn: *mut u32,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let (verdict, evidence, nn) =
            (need!(out_ok(out_verdict)), need!(out_ok(out_evidence)), need!(out_ok(out_evidence_nn)));
        let d = ok!(v.verified(doc));
        let n = ok!(u8::try_from(years).map_err(|_| KAKUNIN_INVALID_PARAMETER));
        write_age(d.age_at_least_at_offset(d.doc_type(), n, utc_offset_secs), verdict, evidence, nn)
    }
}

/// A basic identity item (a `kakunin_basic_item` value) of verified document
/// `doc`, borrowed; `KAKUNIN_NOT_FOUND` when not disclosed.
#[no_mangle]
pub extern "C" fn kakunin_verification_document_basic_item(
    verification: *const kakunin_verification,
    doc: usize,
    item: u32,
    out: *mut kakunin_str,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out));
        let d = ok!(v.verified(doc));
        basic_item(d, d.doc_type(), item, out)
    }
}

fn basic_item(d: &VerifiedDocument, doc_type: &str, item: u32, out: *mut kakunin_str) -> kakunin_status {
    let b = d.basic_info(doc_type);
    let value = match item {
        1 => b.full_name,
        2 => b.family_name,
        3 => b.given_name,
        4 => b.address,
        5 => b.birth_date,
        6 => b.sex_text,
        _ => return KAKUNIN_INVALID_PARAMETER,
    };
    match value {
        Some(s) => {
            write_out(out, kakunin_str::of(s));
            KAKUNIN_OK
        }
        None => KAKUNIN_NOT_FOUND,
    }
}

/// The sex code (ISO/IEC 5218) of verified document `doc`; `KAKUNIN_NOT_FOUND` when not disclosed.
#[no_mangle]
pub extern "C" fn kakunin_verification_document_sex_code(
    verification: *const kakunin_verification,
    doc: usize,
    out: *mut u32,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out));
        let d = ok!(v.verified(doc));
        sex_code(d, d.doc_type(), out)
    }
}

fn sex_code(d: &VerifiedDocument, doc_type: &str, out: *mut u32) -> kakunin_status {
    match d.basic_info(doc_type).sex_code {
        Some(c) => {
            write_out(out, c);
            KAKUNIN_OK
        }
        None => KAKUNIN_NOT_FOUND,
    }
}

/// The portrait of verified document `doc` (borrowed bytes) and its
/// `kakunin_image_format`; `KAKUNIN_NOT_FOUND` when not disclosed.
#[no_mangle]
pub extern "C" fn kakunin_verification_document_portrait(
    verification: *const kakunin_verification,
    doc: usize,
    out_image: *mut kakunin_bytes,
    out_format: *mut u32,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let image = need!(out_ok(out_image));
        let format = need!(out_ok(out_format));
        let d = ok!(v.verified(doc));
        portrait(d, d.doc_type(), image, format)
    }
}

fn portrait(d: &VerifiedDocument, doc_type: &str, image: *mut kakunin_bytes, format: *mut u32) -> kakunin_status {
    match d.portrait(doc_type) {
        Some(p) => {
            write_out(image, kakunin_bytes::of(p.bytes));
            write_out(format, ImageFormat::number(p.format));
            KAKUNIN_OK
        }
        None => KAKUNIN_NOT_FOUND,
    }
}

// ------------------------------------------------- answers for a named docType

/// As `kakunin_verification_document_age_at_least`, for a document the
/// caller expects to be of docType `doc_type` (NUL-terminated, e.g.
/// `"org.iso.18013.5.1.mDL"`): `KAKUNIN_AGE_UNKNOWN` with no evidence when
/// the document is of another docType or `doc_type` is not registered.
#[no_mangle]
pub extern "C" fn kakunin_verification_document_age_at_least_for_doc_type(
    verification: *const kakunin_verification,
    doc: usize,
    doc_type: *const c_char,
    years: u32,
    out_verdict: *mut u32,
    out_evidence: *mut u32,
    out_evidence_nn: *mut u32,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let doc_type = ok!(need!(try_str(doc_type)));
        let (verdict, evidence, nn) =
            (need!(out_ok(out_verdict)), need!(out_ok(out_evidence)), need!(out_ok(out_evidence_nn)));
        let d = ok!(v.verified(doc));
        let n = ok!(u8::try_from(years).map_err(|_| KAKUNIN_INVALID_PARAMETER));
        write_age(d.age_at_least(doc_type, n), verdict, evidence, nn)
    }
}

/// As `kakunin_verification_document_age_at_least_at_offset`, for a
/// document expected to be of docType `doc_type` (see
/// `kakunin_verification_document_age_at_least_for_doc_type`).
#[no_mangle]
pub extern "C" fn kakunin_verification_document_age_at_least_at_offset_for_doc_type(
    verification: *const kakunin_verification,
    doc: usize,
    doc_type: *const c_char,
    years: u32,
    utc_offset_secs: i32,
    out_verdict: *mut u32,
    out_evidence: *mut u32,
    out_evidence_nn: *mut u32,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let doc_type = ok!(need!(try_str(doc_type)));
        let (verdict, evidence, nn) =
            (need!(out_ok(out_verdict)), need!(out_ok(out_evidence)), need!(out_ok(out_evidence_nn)));
        let d = ok!(v.verified(doc));
        let n = ok!(u8::try_from(years).map_err(|_| KAKUNIN_INVALID_PARAMETER));
        write_age(d.age_at_least_at_offset(doc_type, n, utc_offset_secs), verdict, evidence, nn)
    }
}

/// As `kakunin_verification_document_basic_item`, for a document expected
/// to be of docType `doc_type`: `KAKUNIN_NOT_FOUND` when it is of another
/// docType or `doc_type` is not registered.
#[no_mangle]
pub extern "C" fn kakunin_verification_document_basic_item_for_doc_type(
    verification: *const kakunin_verification,
    doc: usize,
    doc_type: *const c_char,
    item: u32,
    out: *mut kakunin_str,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let doc_type = ok!(need!(try_str(doc_type)));
        let out = need!(out_ok(out));
        let d = ok!(v.verified(doc));
        basic_item(d, doc_type, item, out)
    }
}

/// As `kakunin_verification_document_sex_code`, for a document expected to
/// be of docType `doc_type` (`KAKUNIN_NOT_FOUND` otherwise).
#[no_mangle]
pub extern "C" fn kakunin_verification_document_sex_code_for_doc_type(
    verification: *const kakunin_verification,
    doc: usize,
    doc_type: *const c_char,
    out: *mut u32,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let doc_type = ok!(need!(try_str(doc_type)));
        let out = need!(out_ok(out));
        let d = ok!(v.verified(doc));
        sex_code(d, doc_type, out)
    }
}

/// As `kakunin_verification_document_portrait`, for a document expected to
/// be of docType `doc_type` (`KAKUNIN_NOT_FOUND` otherwise).
#[no_mangle]
pub extern "C" fn kakunin_verification_document_portrait_for_doc_type(
    verification: *const kakunin_verification,
    doc: usize,
    doc_type: *const c_char,
    out_image: *mut kakunin_bytes,
    out_format: *mut u32,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let doc_type = ok!(need!(try_str(doc_type)));
        let image = need!(out_ok(out_image));
        let format = need!(out_ok(out_format));
        let d = ok!(v.verified(doc));
        portrait(d, doc_type, image, format)
    }
}

/// The number of type warnings of verified document `doc` (elements whose
/// type contradicts the registry without affecting security).
#[no_mangle]
pub extern "C" fn kakunin_verification_document_warning_count(
    verification: *const kakunin_verification,
    doc: usize,
    out_count: *mut usize,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out_count));
        let d = ok!(v.verified(doc));
        write_out(out, d.warnings().len());
        KAKUNIN_OK
    }
}

/// A field (a `kakunin_warning_field` value) of type warning `index` of
/// verified document `doc`, borrowed.
#[no_mangle]
pub extern "C" fn kakunin_verification_document_warning(
    verification: *const kakunin_verification,
    doc: usize,
    index: usize,
    field: u32,
    out: *mut kakunin_str,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out));
        let d = ok!(v.verified(doc));
        let w = ok!(d.warnings().get(index).ok_or(KAKUNIN_OUT_OF_RANGE));
        let s: &str = match field {
            1 => &w.namespace,
            2 => &w.element,
            3 => w.expected.as_str(),
            4 => w.received,
            _ => return KAKUNIN_INVALID_PARAMETER,
        };
        write_out(out, kakunin_str::of(s));
        KAKUNIN_OK
    }
}

/// The personal-data-free audit record of the verification as JSON
/// (`AuditRecord::new(..).to_json()` in Rust), NUL-terminated, borrowed.
#[no_mangle]
pub extern "C" fn kakunin_verification_audit_json(
    verification: *const kakunin_verification,
    out: *mut kakunin_str,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out));
        let json = v
            .audit
            .get_or_init(|| CString::new(AuditRecord::new(&v.inner).to_json()).unwrap_or_default());
        let data: *const c_char = json.as_ptr();
        write_out(out, kakunin_str { data, len: json.as_bytes().len() });
        KAKUNIN_OK
    }
}
