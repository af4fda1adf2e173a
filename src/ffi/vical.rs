//! Verified Issuer Certificate Authority Lists (VICAL, ISO 18013-5 Annex
//! C.2) for the C ABI: verify a VICAL the application fetched against its
//! VICAL anchors at a time, read it, and load its IACAs (scoped to their
//! docTypes) into a trust store builder.

use super::trust::{kakunin_trust_store, kakunin_trust_store_builder};
use super::{boundary, free_handle, into_handle, need, ok, out_ok, try_mut, try_ref, try_slice, write_out};
use super::{kakunin_bytes, kakunin_str};
use super::{kakunin_status, kakunin_status::*};
use crate::error::Error;
use crate::pki::trust::TrustStore;
use crate::pki::vical::{Vical, VicalPolicy};
use crate::pki::x509;
use crate::time::UnixTime;

/// A verified VICAL, with the trust store of its entries that meet the IACA
/// profile and the list of entries left out. Immutable and thread-safe.
/// Free with `kakunin_vical_free`.
pub struct kakunin_vical {
    vical: Vical,
    store: TrustStore,
    rejected: Vec<(usize, Error)>,
}

/// Verifies a VICAL (COSE_Sign1 bytes) at `now_unix_secs` against the VICAL
/// anchors in `anchors` (PEM text with one or more certificates, or one DER
/// certificate): signature, x5chain to an anchor, and freshness.
/// `clock_skew_secs` (at least 0) is the tolerated clock difference; a nonzero
/// `max_age_secs` also refuses a VICAL whose `date` is older than that (0: only its
/// `nextUpdate` counts). On success `*out` receives the VICAL (free with
/// `kakunin_vical_free`). A stale VICAL is `KAKUNIN_TRUST_LIST_STALE`; a bad
/// signature, chain or structure `KAKUNIN_TRUST_LIST_INVALID`; unusable anchors
/// their own input status. The VICAL signer must carry extKeyUsage
/// 1.0.18013.5.1.8 and keyUsage digitalSignature; for the AAMVA production
/// VICAL (keyUsage nonRepudiation only) use
/// `kakunin_vical_verify_with_options` with
/// `KAKUNIN_VICAL_ALLOW_CONTENT_COMMITMENT_SIGNER`.
#[no_mangle]
pub extern "C" fn kakunin_vical_verify(
    vical: *const u8,
    vical_len: usize,
    anchors: *const u8,
    anchors_len: usize,
    now_unix_secs: i64,
    clock_skew_secs: i64,
    max_age_secs: u64,
    out: *mut *mut kakunin_vical,
) -> kakunin_status {
    boundary! {
        verify_with(
            vical,
            vical_len,
            anchors,
            anchors_len,
            now_unix_secs,
            clock_skew_secs,
            max_age_secs,
            VicalPolicy::default(),
            out,
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn verify_with(
    vical: *const u8,
    vical_len: usize,
    anchors: *const u8,
    anchors_len: usize,
    now_unix_secs: i64,
    clock_skew_secs: i64,
    max_age_secs: u64,
    mut policy: VicalPolicy,
    out: *mut *mut kakunin_vical,
) -> kakunin_status {
    let bytes = need!(try_slice(vical, vical_len));
    let anchor_bytes = need!(try_slice(anchors, anchors_len));
    let out = need!(out_ok(out));
    if clock_skew_secs < 0 {
        return KAKUNIN_INVALID_PARAMETER;
    }
    let ders = ok!(x509::certificates_from_pem_or_der(anchor_bytes));
    let mut certs = Vec::with_capacity(ders.len());
    for der in &ders {
        certs.push(ok!(x509::certificate_input(der)));
    }
    policy = policy.with_clock_skew_secs(clock_skew_secs);
    if max_age_secs > 0 {
        policy = policy.with_max_age_secs(max_age_secs);
    }
    let vical = ok!(Vical::verify(
        bytes,
        &certs,
        UnixTime::from_secs(now_unix_secs),
        &policy
    ));
    let (store, rejected) = vical.trust_store();
    into_handle(kakunin_vical { vical, store, rejected }, out)
}

/// `kakunin_vical_verify_with_options`: accept a VICAL signer whose keyUsage
/// has contentCommitment (nonRepudiation) but not digitalSignature, as the
/// AAMVA production signer does.
pub const KAKUNIN_VICAL_ALLOW_CONTENT_COMMITMENT_SIGNER: u32 = 1;

/// Like `kakunin_vical_verify`, with rollback protection and options:
/// `has_last_issue_id` true refuses (`KAKUNIN_TRUST_LIST_STALE`) a VICAL
/// whose `vicalIssueID` is smaller than `last_issue_id` (the last one the
/// application accepted) or absent; `flags` is 0 or
/// `KAKUNIN_VICAL_ALLOW_CONTENT_COMMITMENT_SIGNER` (other bits:
/// `KAKUNIN_INVALID_PARAMETER`).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn kakunin_vical_verify_with_options(
    vical: *const u8,
    vical_len: usize,
    anchors: *const u8,
    anchors_len: usize,
    now_unix_secs: i64,
    clock_skew_secs: i64,
    max_age_secs: u64,
    has_last_issue_id: bool,
    last_issue_id: u64,
    flags: u32,
    out: *mut *mut kakunin_vical,
) -> kakunin_status {
    boundary! {
        if flags & !KAKUNIN_VICAL_ALLOW_CONTENT_COMMITMENT_SIGNER != 0 {
            return KAKUNIN_INVALID_PARAMETER;
        }
        let mut policy = VicalPolicy::default()
            .with_allow_content_commitment_signer(flags & KAKUNIN_VICAL_ALLOW_CONTENT_COMMITMENT_SIGNER != 0);
        if has_last_issue_id {
            policy = policy.with_last_issue_id(last_issue_id);
        }
        verify_with(vical, vical_len, anchors, anchors_len, now_unix_secs, clock_skew_secs, max_age_secs, policy, out)
    }
}

/// Frees a VICAL. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_vical_free(vical: *mut kakunin_vical) {
    boundary! { free_handle(vical) }
}

/// `vicalProvider`, borrowed from the VICAL handle.
#[no_mangle]
pub extern "C" fn kakunin_vical_provider(vical: *const kakunin_vical, out: *mut kakunin_str) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(vical));
        let out = need!(out_ok(out));
        write_out(out, kakunin_str::of(v.vical.provider()));
        KAKUNIN_OK
    }
}

/// `date` (when the VICAL was issued), in Unix seconds.
#[no_mangle]
pub extern "C" fn kakunin_vical_date(vical: *const kakunin_vical, out_unix_secs: *mut i64) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(vical));
        let out = need!(out_ok(out_unix_secs));
        write_out(out, v.vical.date().secs());
        KAKUNIN_OK
    }
}

/// `nextUpdate` in Unix seconds: when the application should have fetched a
/// newer VICAL. `KAKUNIN_NOT_FOUND` when the VICAL states none.
#[no_mangle]
pub extern "C" fn kakunin_vical_next_update(vical: *const kakunin_vical, out_unix_secs: *mut i64) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(vical));
        let out = need!(out_ok(out_unix_secs));
        let Some(t) = v.vical.next_update() else { return KAKUNIN_NOT_FOUND };
        write_out(out, t.secs());
        KAKUNIN_OK
    }
}

/// `vicalIssueID`. `KAKUNIN_NOT_FOUND` when the VICAL states none.
#[no_mangle]
pub extern "C" fn kakunin_vical_issue_id(vical: *const kakunin_vical, out_id: *mut u64) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(vical));
        let out = need!(out_ok(out_id));
        let Some(id) = v.vical.issue_id() else { return KAKUNIN_NOT_FOUND };
        write_out(out, id);
        KAKUNIN_OK
    }
}

/// The number of listed entries (`certificateInfos`), loadable or not (0 for NULL).
#[no_mangle]
pub extern "C" fn kakunin_vical_entry_count(vical: *const kakunin_vical) -> usize {
    boundary! { try_ref(vical).map_or(0, |v| v.vical.entries().len()) }
}

/// The IACA certificate (DER) of entry `index`, borrowed from the VICAL handle.
#[no_mangle]
pub extern "C" fn kakunin_vical_entry_certificate(
    vical: *const kakunin_vical,
    index: usize,
    out: *mut kakunin_bytes,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(vical));
        let out = need!(out_ok(out));
        let Some(e) = v.vical.entries().get(index) else { return KAKUNIN_OUT_OF_RANGE };
        write_out(out, kakunin_bytes::of(&e.certificate));
        KAKUNIN_OK
    }
}

/// The number of docTypes entry `index` may vouch for.
#[no_mangle]
pub extern "C" fn kakunin_vical_entry_doc_type_count(
    vical: *const kakunin_vical,
    index: usize,
    out_count: *mut usize,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(vical));
        let out = need!(out_ok(out_count));
        let Some(e) = v.vical.entries().get(index) else { return KAKUNIN_OUT_OF_RANGE };
        write_out(out, e.doc_types.len());
        KAKUNIN_OK
    }
}

/// DocType `doc_type_index` of entry `index`, borrowed from the VICAL handle.
#[no_mangle]
pub extern "C" fn kakunin_vical_entry_doc_type(
    vical: *const kakunin_vical,
    index: usize,
    doc_type_index: usize,
    out: *mut kakunin_str,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(vical));
        let out = need!(out_ok(out));
        let Some(e) = v.vical.entries().get(index) else { return KAKUNIN_OUT_OF_RANGE };
        let Some(t) = e.doc_types.get(doc_type_index) else { return KAKUNIN_OUT_OF_RANGE };
        write_out(out, kakunin_str::of(t));
        KAKUNIN_OK
    }
}

/// `issuingCountry` of entry `index`, borrowed from the VICAL handle;
/// `KAKUNIN_NOT_FOUND` when absent.
#[no_mangle]
pub extern "C" fn kakunin_vical_entry_issuing_country(
    vical: *const kakunin_vical,
    index: usize,
    out: *mut kakunin_str,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(vical));
        let out = need!(out_ok(out));
        let Some(e) = v.vical.entries().get(index) else { return KAKUNIN_OUT_OF_RANGE };
        let Some(c) = e.issuing_country.as_deref() else { return KAKUNIN_NOT_FOUND };
        write_out(out, kakunin_str::of(c));
        KAKUNIN_OK
    }
}

/// `issuingAuthority` of entry `index`, borrowed from the VICAL handle;
/// `KAKUNIN_NOT_FOUND` when absent.
#[no_mangle]
pub extern "C" fn kakunin_vical_entry_issuing_authority(
    vical: *const kakunin_vical,
    index: usize,
    out: *mut kakunin_str,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(vical));
        let out = need!(out_ok(out));
        let Some(e) = v.vical.entries().get(index) else { return KAKUNIN_OUT_OF_RANGE };
        let Some(a) = e.issuing_authority.as_deref() else { return KAKUNIN_NOT_FOUND };
        write_out(out, kakunin_str::of(a));
        KAKUNIN_OK
    }
}

/// Adds the VICAL's loadable IACAs (those meeting the IACA profile, each
/// scoped to its docTypes) to `builder`, beside any anchors already there.
/// `*out_added` receives how many were added (may be NULL).
#[no_mangle]
pub extern "C" fn kakunin_vical_add_to(
    vical: *const kakunin_vical,
    builder: *mut kakunin_trust_store_builder,
    out_added: *mut usize,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(vical));
        let builder = need!(try_mut(builder));
        for a in v.store.anchors() {
            builder.inner.add(a.clone());
        }
        write_out(out_added, v.store.anchors().len());
        KAKUNIN_OK
    }
}

/// A trust store of only the VICAL's loadable IACAs (scoped to their
/// docTypes); free with `kakunin_trust_store_free`.
#[no_mangle]
pub extern "C" fn kakunin_vical_trust_store(
    vical: *const kakunin_vical,
    out: *mut *mut kakunin_trust_store,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(vical));
        let out = need!(out_ok(out));
        into_handle(kakunin_trust_store { inner: v.store.clone() }, out)
    }
}

/// The number of entries left out of the trust store (no docType, or not a
/// valid IACA); 0 for NULL.
#[no_mangle]
pub extern "C" fn kakunin_vical_rejected_count(vical: *const kakunin_vical) -> usize {
    boundary! { try_ref(vical).map_or(0, |v| v.rejected.len()) }
}

/// Rejected entry `index` (0 .. `kakunin_vical_rejected_count`):
/// `*out_entry_index` receives its position among the VICAL's entries,
/// `*out_reason` the status of why it was left out, and `*out_message` (may be
/// NULL) a message naming the rule, borrowed from the VICAL handle.
#[no_mangle]
pub extern "C" fn kakunin_vical_rejected(
    vical: *const kakunin_vical,
    index: usize,
    out_entry_index: *mut usize,
    out_reason: *mut u32,
    out_message: *mut kakunin_str,
) -> kakunin_status {
    boundary! {
        let v = need!(try_ref(vical));
        let out_entry = need!(out_ok(out_entry_index));
        let out_reason = need!(out_ok(out_reason));
        let Some((entry, e)) = v.rejected.get(index) else { return KAKUNIN_OUT_OF_RANGE };
        write_out(out_entry, *entry);
        write_out(out_reason, u32::from(kakunin_status::from_error_code(e.code())));
        write_out(out_message, kakunin_str::of(e.message()));
        KAKUNIN_OK
    }
}
