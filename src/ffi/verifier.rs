//! The verifier and its policy over the C ABI: `kakunin_verifier_builder`
//! sets the clock skew, the Document Signer profile (ISO 18013-5 Annex B.1.4)
//! and the resource limits over a trust store (its revocation settings are in
//! `revocation.rs`); `kakunin_verifier` is the immutable result that the
//! verify calls (`verify.rs`) run.

use super::trust::kakunin_trust_store;
use super::{boundary, free_handle, into_handle, need, out_ok, try_mut, try_ref};
use super::{kakunin_status, kakunin_status::*};
use crate::pki::profile::CertificateProfile;
use crate::pki::revocation::RevocationData;
use crate::pki::trust::TrustStore;
use crate::verifier::{Policy, Verifier};

/// Collects verification policy. Not thread-safe. Free with
/// `kakunin_verifier_builder_free`.
pub struct kakunin_verifier_builder {
    trust: TrustStore,
    pub(crate) policy: Policy,
    pub(crate) revocation: RevocationData,
}

/// An immutable verifier (trust store + policy). Thread-safe: may be shared
/// and used from many threads at once. Free with `kakunin_verifier_free`.
pub struct kakunin_verifier {
    pub(super) inner: Verifier,
}

/// Document Signer profile strictness (`kakunin_verifier_builder_set_certificate_profile`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_certificate_profile {
    /// An explicit opt-in for real issuers that break the letter of Annex
    /// B.1.4: a Document Signer without extKeyUsage (SPRIND) or with
    /// 1.3.130.2.0.0.1.2 (the EUDI reference issuer), and a disclosed
    /// `issuing_country` not compared with the DS countryName.
    KAKUNIN_PROFILE_INTEROPERABLE = 1,
    /// The letter of ISO 18013-5 Annex B.1.4 (the default).
    KAKUNIN_PROFILE_ANNEX_B = 2,
}

/// Resource limits (`kakunin_verifier_builder_set_limit`); see `Limits` in the Rust API.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_limit {
    /// Largest accepted input, in bytes.
    KAKUNIN_LIMIT_MAX_INPUT_BYTES = 1,
    /// Deepest CBOR nesting (at most 64: the decoder recurses per level).
    KAKUNIN_LIMIT_MAX_DEPTH = 2,
    /// Most CBOR data items in one decoded item.
    KAKUNIN_LIMIT_MAX_ITEMS = 3,
    /// Most entries in one CBOR array or map.
    KAKUNIN_LIMIT_MAX_CONTAINER_LEN = 4,
    /// Longest CBOR byte or text string.
    KAKUNIN_LIMIT_MAX_STRING_BYTES = 5,
    /// Most documents in one DeviceResponse.
    KAKUNIN_LIMIT_MAX_DOCUMENTS = 6,
    /// Most namespaces in one document.
    KAKUNIN_LIMIT_MAX_NAMESPACES = 7,
    /// Most elements in one document.
    KAKUNIN_LIMIT_MAX_ELEMENTS = 8,
    /// Most certificates in one x5chain.
    KAKUNIN_LIMIT_MAX_CERTIFICATES = 9,
    /// Largest certificate, in bytes of DER.
    KAKUNIN_LIMIT_MAX_CERTIFICATE_BYTES = 10,
}

/// A verifier with the default (strict) policy over `trust`. The verifier
/// keeps its own reference to the anchors.
#[no_mangle]
pub extern "C" fn kakunin_verifier_new(
    trust: *const kakunin_trust_store,
    out: *mut *mut kakunin_verifier,
) -> kakunin_status {
    boundary! {
        let trust = need!(try_ref(trust));
        let out = need!(out_ok(out));
        into_handle(kakunin_verifier { inner: Verifier::new(trust.inner.clone()) }, out)
    }
}

/// A verifier builder over `trust` with the default policy; adjust it with the
/// `kakunin_verifier_builder_set_*` functions, then call
/// `kakunin_verifier_builder_build`.
#[no_mangle]
pub extern "C" fn kakunin_verifier_builder_new(
    trust: *const kakunin_trust_store,
    out: *mut *mut kakunin_verifier_builder,
) -> kakunin_status {
    boundary! {
        let trust = need!(try_ref(trust));
        let out = need!(out_ok(out));
        let builder = kakunin_verifier_builder {
            trust: trust.inner.clone(),
            policy: Policy::default(),
            revocation: RevocationData::new(),
        };
        into_handle(builder, out)
    }
}

/// Tolerated clock difference in seconds for every validity check (default 0).
/// Negative values are `KAKUNIN_INVALID_PARAMETER`.
#[no_mangle]
pub extern "C" fn kakunin_verifier_builder_set_clock_skew(
    builder: *mut kakunin_verifier_builder,
    seconds: i64,
) -> kakunin_status {
    boundary! {
        let builder = need!(try_mut(builder));
        if seconds < 0 {
            return KAKUNIN_INVALID_PARAMETER;
        }
        builder.policy = builder.policy.clone().with_clock_skew_secs(seconds);
        KAKUNIN_OK
    }
}

/// Sets the Document Signer profile strictness: a `kakunin_certificate_profile`
/// value. The default is `KAKUNIN_PROFILE_ANNEX_B`.
#[no_mangle]
pub extern "C" fn kakunin_verifier_builder_set_certificate_profile(
    builder: *mut kakunin_verifier_builder,
    profile: u32,
) -> kakunin_status {
    boundary! {
        let builder = need!(try_mut(builder));
        let profile = match profile {
            1 => CertificateProfile::Interoperable,
            2 => CertificateProfile::AnnexB,
            _ => return KAKUNIN_INVALID_PARAMETER,
        };
        builder.policy = builder.policy.clone().with_certificate_profile(profile);
        KAKUNIN_OK
    }
}

/// Whether a Document Signer certificate that is itself an anchor (a pinned
/// signer) is accepted (default true).
#[no_mangle]
pub extern "C" fn kakunin_verifier_builder_set_allow_anchor_as_signer(
    builder: *mut kakunin_verifier_builder,
    allow: bool,
) -> kakunin_status {
    boundary! {
        let builder = need!(try_mut(builder));
        builder.policy = builder.policy.clone().with_allow_anchor_as_signer(allow);
        KAKUNIN_OK
    }
}

/// Sets one resource limit (`limit` is a `kakunin_limit` value; `value` > 0).
/// `KAKUNIN_LIMIT_MAX_DEPTH` above the hard ceiling (64, the nesting the
/// decoder's recursion may take on a small thread stack; `Limits::MAX_DEPTH_CEILING`)
/// is refused with `KAKUNIN_INVALID_PARAMETER`.
#[no_mangle]
pub extern "C" fn kakunin_verifier_builder_set_limit(
    builder: *mut kakunin_verifier_builder,
    limit: u32,
    value: usize,
) -> kakunin_status {
    boundary! {
        let builder = need!(try_mut(builder));
        if value == 0 {
            return KAKUNIN_INVALID_PARAMETER;
        }
        if limit == 2 && value > crate::limits::Limits::MAX_DEPTH_CEILING {
            return KAKUNIN_INVALID_PARAMETER;
        }
        let mut limits = builder.policy.limits;
        let slot = match limit {
            1 => &mut limits.max_input_bytes,
            2 => &mut limits.max_depth,
            3 => &mut limits.max_items,
            4 => &mut limits.max_container_len,
            5 => &mut limits.max_string_bytes,
            6 => &mut limits.max_documents,
            7 => &mut limits.max_namespaces,
            8 => &mut limits.max_elements,
            9 => &mut limits.max_certificates,
            10 => &mut limits.max_certificate_bytes,
            _ => return KAKUNIN_INVALID_PARAMETER,
        };
        *slot = value;
        builder.policy = builder.policy.clone().with_limits(limits);
        KAKUNIN_OK
    }
}

/// Builds a verifier from the builder's trust store and policy. The builder
/// is unchanged and may build more verifiers; it must still be freed.
#[no_mangle]
pub extern "C" fn kakunin_verifier_builder_build(
    builder: *const kakunin_verifier_builder,
    out: *mut *mut kakunin_verifier,
) -> kakunin_status {
    boundary! {
        let builder = need!(try_ref(builder));
        let out = need!(out_ok(out));
        let inner = Verifier::new(builder.trust.clone())
            .with_policy(builder.policy.clone())
            .with_revocation_data(builder.revocation.clone());
        into_handle(kakunin_verifier { inner }, out)
    }
}

/// Frees a verifier builder. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_verifier_builder_free(builder: *mut kakunin_verifier_builder) {
    boundary! { free_handle(builder) }
}

/// Frees a verifier. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_verifier_free(verifier: *mut kakunin_verifier) {
    boundary! { free_handle(verifier) }
}
