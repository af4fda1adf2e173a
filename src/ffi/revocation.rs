//! Revocation data (CRLs, status-list tokens) and policy for the C ABI
//! (sans I/O). The application fetches the bytes; the
//! verifier judges them at the time it is given.

use super::verifier::kakunin_verifier_builder;
use super::{boundary, free_handle, need, ok, to_handle, try_mut, try_ref, try_slice};
use super::{kakunin_status, kakunin_status::*};
use crate::pki::revocation::{RevocationData, RevocationMode, RevocationPolicy};

/// How revocation is checked (`kakunin_verifier_builder_set_revocation_policy`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_revocation_mode {
    /// No revocation check (the default).
    KAKUNIN_REVOCATION_OFF = 1,
    /// Use whatever authentic data was given; missing or stale data does not reject.
    KAKUNIN_REVOCATION_BEST_EFFORT = 2,
    /// Every applicable mechanism (a CRL for the Document Signer, the status
    /// token when the MSO has a status reference) must be checked with current
    /// data; otherwise `revocation_unavailable` / `revocation_stale`.
    KAKUNIN_REVOCATION_REQUIRED = 3,
}

/// CRLs and status-list / identifier-list tokens the application fetched (or
/// cached). Not thread-safe while being filled; a verifier builder takes its
/// own copy, so it may be freed right after
/// `kakunin_verifier_builder_set_revocation_data`. Free with
/// `kakunin_revocation_data_free`.
pub struct kakunin_revocation_data {
    pub(crate) inner: RevocationData,
}

/// A new, empty set of revocation data (NULL only if a panic was caught).
#[no_mangle]
pub extern "C" fn kakunin_revocation_data_new() -> *mut kakunin_revocation_data {
    boundary! { to_handle(kakunin_revocation_data { inner: RevocationData::new() }) }
}

/// Adds a CRL (DER, from the IACA's CRL distribution point). Its structure is
/// checked now (a malformed CRL or one with a critical extension kakunin
/// cannot honour is refused and nothing is added); its signature and dates
/// when it is used.
#[no_mangle]
pub extern "C" fn kakunin_revocation_data_add_crl(
    data: *mut kakunin_revocation_data,
    der: *const u8,
    len: usize,
) -> kakunin_status {
    boundary! {
        let data = need!(try_mut(data));
        let der = need!(try_slice(der, len));
        ok!(data.inner.add_crl(der));
        KAKUNIN_OK
    }
}

/// Adds a Token Status List or identifier list token (COSE_Sign1 CWT bytes,
/// ISO 18013-5 second edition MSO `status`). Its structure is checked now
/// (on error nothing is added); its signature and time claims when it is used.
#[no_mangle]
pub extern "C" fn kakunin_revocation_data_add_status_token(
    data: *mut kakunin_revocation_data,
    token: *const u8,
    len: usize,
) -> kakunin_status {
    boundary! {
        let data = need!(try_mut(data));
        let token = need!(try_slice(token, len));
        ok!(data.inner.add_status_token(token));
        KAKUNIN_OK
    }
}

/// The number of CRLs held (0 for NULL).
#[no_mangle]
pub extern "C" fn kakunin_revocation_data_crl_count(data: *const kakunin_revocation_data) -> usize {
    boundary! { try_ref(data).map_or(0, |d| d.inner.crls().len()) }
}

/// The number of status tokens held (0 for NULL).
#[no_mangle]
pub extern "C" fn kakunin_revocation_data_status_token_count(data: *const kakunin_revocation_data) -> usize {
    boundary! { try_ref(data).map_or(0, |d| d.inner.status_tokens().len()) }
}

/// Frees revocation data. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_revocation_data_free(data: *mut kakunin_revocation_data) {
    boundary! { free_handle(data) }
}

/// Sets the revocation policy: `mode` is a `kakunin_revocation_mode` value;
/// `max_age_secs` > 0 also refuses a CRL or status token whose
/// thisUpdate / iat is older than that (0: no maximum age beyond the list's
/// own nextUpdate / exp / ttl).
#[no_mangle]
pub extern "C" fn kakunin_verifier_builder_set_revocation_policy(
    builder: *mut kakunin_verifier_builder,
    mode: u32,
    max_age_secs: u64,
) -> kakunin_status {
    boundary! {
        let builder = need!(try_mut(builder));
        let mode = match mode {
            1 => RevocationMode::Off,
            2 => RevocationMode::BestEffort,
            3 => RevocationMode::Required,
            _ => return KAKUNIN_INVALID_PARAMETER,
        };
        let mut policy = RevocationPolicy::new(mode);
        if max_age_secs > 0 {
            policy = policy.with_max_age_secs(max_age_secs);
        }
        builder.policy = builder.policy.clone().with_revocation(policy);
        KAKUNIN_OK
    }
}

/// Under `KAKUNIN_REVOCATION_REQUIRED`, whether a document whose Document
/// Signer is a pinned signer is accepted without revocation data (`exempt`
/// true) or rejected with `revocation_unavailable` (false, the default): no
/// IACA issues a CRL or a status-list signer for a pinned signer, so the
/// operator who pinned it must remove it from the trust store to revoke it.
/// Call after `kakunin_verifier_builder_set_revocation_policy`, which resets
/// it.
#[no_mangle]
pub extern "C" fn kakunin_verifier_builder_set_revocation_exempt_pinned_signers(
    builder: *mut kakunin_verifier_builder,
    exempt: bool,
) -> kakunin_status {
    boundary! {
        let builder = need!(try_mut(builder));
        let revocation = builder.policy.revocation.with_exempt_pinned_signers(exempt);
        builder.policy = builder.policy.clone().with_revocation(revocation);
        KAKUNIN_OK
    }
}

/// Gives verifiers built from `builder` (a copy of) `data`, replacing any
/// earlier data. `data` stays owned by the caller.
#[no_mangle]
pub extern "C" fn kakunin_verifier_builder_set_revocation_data(
    builder: *mut kakunin_verifier_builder,
    data: *const kakunin_revocation_data,
) -> kakunin_status {
    boundary! {
        let builder = need!(try_mut(builder));
        let data = need!(try_ref(data));
        builder.revocation = data.inner.clone();
        KAKUNIN_OK
    }
}
