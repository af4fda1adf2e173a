//! Warnings of a verification: what a best-effort policy tolerated (stale,
//! unusable or missing revocation data), per document and for the whole
//! response, each with a stable code (`kakunin_error_code_str`) and a
//! human message. They never change the verdict.

use super::verification::{kakunin_verification, write_error};
use super::{boundary, kakunin_status, kakunin_status::*, kakunin_str, need, ok, out_ok, try_ref, write_out};
use crate::error::Error;

/// The warnings of document `doc`: a verified document's
/// (`VerifiedDocument::policy_warnings`); none for a rejected one, whose
/// errors say why it failed.
fn document_warnings(v: &kakunin_verification, doc: usize) -> Result<&[Error], kakunin_status> {
    match v.inner.documents().get(doc) {
        Some(Ok(d)) => Ok(d.policy_warnings()),
        Some(Err(_)) => Ok(&[]),
        None => Err(KAKUNIN_OUT_OF_RANGE),
    }
}

/// The number of response-level warnings (0 for NULL).
#[no_mangle]
pub extern "C" fn kakunin_verification_warning_count(verification: *const kakunin_verification) -> usize {
    boundary! { try_ref(verification).map_or(0, |v| v.inner.warnings().len()) }
}

/// Response-level warning `index`: its stable code number (name:
/// `kakunin_error_code_str`) and human message (borrowed from
/// `verification`).
#[no_mangle]
pub extern "C" fn kakunin_verification_warning(
    verification: *const kakunin_verification,
    index: usize,
    out_code: *mut u32,
    out_message: *mut kakunin_str,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let code = need!(out_ok(out_code));
        let message = need!(out_ok(out_message));
        let w = ok!(v.inner.warnings().get(index).ok_or(KAKUNIN_OUT_OF_RANGE));
        write_error(w, code, message);
        KAKUNIN_OK
    }
}

/// The number of warnings of document `doc`: what a best-effort policy
/// tolerated for it (`revocation_unavailable`, `revocation_stale`); 0 for a
/// rejected document.
#[no_mangle]
pub extern "C" fn kakunin_verification_document_policy_warning_count(
    verification: *const kakunin_verification,
    doc: usize,
    out_count: *mut usize,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(verification));
        let out = need!(out_ok(out_count));
        let w = ok!(document_warnings(v, doc));
        write_out(out, w.len());
        KAKUNIN_OK
    }
}

/// Warning `index` of document `doc`: its stable code number (name:
/// `kakunin_error_code_str`) and human message (borrowed from
/// `verification`).
#[no_mangle]
pub extern "C" fn kakunin_verification_document_policy_warning(
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
        let w = ok!(document_warnings(v, doc));
        let w = ok!(w.get(index).ok_or(KAKUNIN_OUT_OF_RANGE));
        write_error(w, code, message);
        KAKUNIN_OK
    }
}
