//! Trust anchors over the C ABI: `kakunin_trust_store_builder` collects IACA
//! certificates (ISO 18013-5 Annex B.1.2) and pinned Document Signers, each
//! optionally limited to some docTypes; `kakunin_trust_store` is the
//! immutable set that issuer chains are validated against (§9.3.3).

use core::ffi::c_char;

use super::{
    boundary, free_handle, into_handle, need, ok, out_ok, to_handle, try_mut, try_ref, try_slice, try_str, write_out,
};
use super::{kakunin_status, kakunin_status::*};
use crate::pki::trust::{AnchorRole, TrustAnchor, TrustStore, TrustStoreBuilder};

/// Collects trust anchors (IACA certificates). Not thread-safe: use from one
/// thread at a time. Free with `kakunin_trust_store_builder_free`.
pub struct kakunin_trust_store_builder {
    pub(crate) inner: TrustStoreBuilder,
}

/// An immutable set of trust anchors. Thread-safe: may be shared and used from
/// many threads at once. Free with `kakunin_trust_store_free`.
pub struct kakunin_trust_store {
    pub(crate) inner: TrustStore,
}

/// What a trust anchor is trusted for (`kakunin_trust_store_builder_add_anchor`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_anchor_role {
    /// An IACA root (ISO 18013-5 Annex B.1.2): vouches for the Document
    /// Signers, CRLs and status-list signers it issued. Checked on load
    /// against the IACA profile (self-signed CA, keyCertSign + cRLSign,
    /// subjectKeyIdentifier, allowed algorithm and curve).
    KAKUNIN_ANCHOR_IACA = 1,
    /// A certificate trusted directly as one Document Signer (a pinned
    /// signer): it matches only a byte-identical x5chain certificate and
    /// vouches for nothing else; honoured only while
    /// `kakunin_verifier_builder_set_allow_anchor_as_signer` is true.
    KAKUNIN_ANCHOR_PINNED_SIGNER = 2,
}

/// A new, empty trust store builder (NULL only if a panic was caught).
#[no_mangle]
pub extern "C" fn kakunin_trust_store_builder_new() -> *mut kakunin_trust_store_builder {
    boundary! { to_handle(kakunin_trust_store_builder { inner: TrustStore::builder() }) }
}

/// Adds every certificate of PEM text (one or more `CERTIFICATE` blocks) or
/// one DER certificate as a trust anchor valid for every docType. On error
/// (`KAKUNIN_CBOR_MALFORMED`/`KAKUNIN_STRUCTURE_INVALID`-style input statuses)
/// nothing is added.
#[no_mangle]
pub extern "C" fn kakunin_trust_store_builder_add_pem_or_der(
    builder: *mut kakunin_trust_store_builder,
    data: *const u8,
    len: usize,
) -> kakunin_status {
    boundary! {
        let builder = need!(try_mut(builder));
        let data = need!(try_slice(data, len));
        add_anchors(builder, data, None)
    }
}

/// Like `kakunin_trust_store_builder_add_pem_or_der`, but the anchors may vouch
/// only for the `doc_types_len` docTypes in `doc_types` (NUL-terminated UTF-8).
#[no_mangle]
pub extern "C" fn kakunin_trust_store_builder_add_pem_or_der_for(
    builder: *mut kakunin_trust_store_builder,
    data: *const u8,
    len: usize,
    doc_types: *const *const c_char,
    doc_types_len: usize,
) -> kakunin_status {
    boundary! {
        let builder = need!(try_mut(builder));
        let data = need!(try_slice(data, len));
        let ptrs: &[*const c_char] = if doc_types_len == 0 {
            &[]
        } else {
            need!(super::try_slice_of(doc_types, doc_types_len))
        };
        let mut types = Vec::with_capacity(ptrs.len());
        for p in ptrs {
            types.push(ok!(need!(try_str(*p))));
        }
        add_anchors(builder, data, Some(&types))
    }
}

fn add_anchors(builder: &mut kakunin_trust_store_builder, data: &[u8], doc_types: Option<&[&str]>) -> kakunin_status {
    // Parse into a scratch builder first so that a failure adds nothing.
    let mut scratch = TrustStore::builder();
    let parsed = match doc_types {
        Some(t) => scratch.add_pem_or_der_for(data, t).map(|_| ()),
        None => scratch.add_pem_or_der(data).map(|_| ()),
    };
    ok!(parsed);
    for anchor in scratch.build().anchors() {
        builder.inner.add(anchor.clone());
    }
    KAKUNIN_OK
}

/// Adds every certificate of PEM text (or one DER certificate) with an
/// explicit `role` (a `kakunin_anchor_role` value) instead of deciding it from
/// the certificate as `kakunin_trust_store_builder_add_pem_or_der` does. When
/// `doc_types` is non-NULL the anchors may vouch only for those
/// `doc_types_len` docTypes (NUL-terminated UTF-8); NULL means every docType.
/// A certificate that does not meet the IACA profile is refused as an IACA
/// with `KAKUNIN_CERTIFICATE_PROFILE_INVALID`. On error nothing is added.
#[no_mangle]
pub extern "C" fn kakunin_trust_store_builder_add_anchor(
    builder: *mut kakunin_trust_store_builder,
    data: *const u8,
    len: usize,
    role: u32,
    doc_types: *const *const c_char,
    doc_types_len: usize,
) -> kakunin_status {
    boundary! {
        let builder = need!(try_mut(builder));
        let data = need!(try_slice(data, len));
        let make: fn(&[u8]) -> Result<TrustAnchor, crate::Error> = match role {
            1 => TrustAnchor::iaca,
            2 => TrustAnchor::pinned_signer,
            _ => return KAKUNIN_INVALID_PARAMETER,
        };
        let types = if doc_types.is_null() {
            None
        } else {
            let ptrs: &[*const c_char] = if doc_types_len == 0 {
                &[]
            } else {
                need!(super::try_slice_of(doc_types, doc_types_len))
            };
            let mut types = Vec::with_capacity(ptrs.len());
            for p in ptrs {
                types.push(ok!(need!(try_str(*p))).to_owned());
            }
            Some(types)
        };
        let ders = ok!(crate::pki::x509::certificates_from_pem_or_der(data));
        let mut anchors = Vec::with_capacity(ders.len());
        for der in &ders {
            let anchor = ok!(make(der));
            anchors.push(match &types {
                Some(t) => anchor.with_doc_types(t.iter().cloned()),
                None => anchor,
            });
        }
        for a in anchors {
            builder.inner.add(a);
        }
        KAKUNIN_OK
    }
}

/// Builds an immutable trust store from the anchors added so far and writes
/// it to `*out` (free with `kakunin_trust_store_free`). The builder is left
/// empty and may be reused; it must still be freed.
#[no_mangle]
pub extern "C" fn kakunin_trust_store_builder_build(
    builder: *mut kakunin_trust_store_builder,
    out: *mut *mut kakunin_trust_store,
) -> kakunin_status {
    boundary! {
        let builder = need!(try_mut(builder));
        let out = need!(out_ok(out));
        into_handle(kakunin_trust_store { inner: builder.inner.build() }, out)
    }
}

/// Frees a trust store builder. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_trust_store_builder_free(builder: *mut kakunin_trust_store_builder) {
    boundary! { free_handle(builder) }
}

/// A trust store from PEM text (one or more certificates) or one DER certificate.
#[no_mangle]
pub extern "C" fn kakunin_trust_store_from_pem_or_der(
    data: *const u8,
    len: usize,
    out: *mut *mut kakunin_trust_store,
) -> kakunin_status {
    boundary! {
        let data = need!(try_slice(data, len));
        let out = need!(out_ok(out));
        let inner = ok!(TrustStore::from_pem_or_der(data));
        into_handle(kakunin_trust_store { inner }, out)
    }
}

/// The number of anchors in a trust store (0 for NULL).
#[no_mangle]
pub extern "C" fn kakunin_trust_store_anchor_count(store: *const kakunin_trust_store) -> usize {
    boundary! { try_ref(store).map_or(0, |s| s.inner.anchors().len()) }
}

/// The role (a `kakunin_anchor_role` value) of anchor `index` of `store`.
#[no_mangle]
pub extern "C" fn kakunin_trust_store_anchor_role(
    store: *const kakunin_trust_store,
    index: usize,
    out_role: *mut u32,
) -> kakunin_status {
    boundary! {
        let store = need!(try_ref(store));
        let out = need!(out_ok(out_role));
        let Some(anchor) = store.inner.anchors().get(index) else { return KAKUNIN_OUT_OF_RANGE };
        let role = match anchor.role() {
            AnchorRole::Iaca => kakunin_anchor_role::KAKUNIN_ANCHOR_IACA,
            AnchorRole::PinnedSigner => kakunin_anchor_role::KAKUNIN_ANCHOR_PINNED_SIGNER,
        };
        write_out(out, u32::from(role));
        KAKUNIN_OK
    }
}

/// The docTypes anchor `index` of `store` may vouch for: `*out_count`
/// receives their number, or `SIZE_MAX` when the anchor is not scoped (it
/// vouches for every docType).
#[no_mangle]
pub extern "C" fn kakunin_trust_store_anchor_doc_type_count(
    store: *const kakunin_trust_store,
    index: usize,
    out_count: *mut usize,
) -> kakunin_status {
    boundary! {
        let store = need!(try_ref(store));
        let out = need!(out_ok(out_count));
        let Some(anchor) = store.inner.anchors().get(index) else { return KAKUNIN_OUT_OF_RANGE };
        write_out(out, anchor.doc_types().map_or(usize::MAX, <[String]>::len));
        KAKUNIN_OK
    }
}

/// DocType `doc_type_index` of anchor `index` of `store`, borrowed from the
/// store. `KAKUNIN_OUT_OF_RANGE` past the end (or for an unscoped anchor).
#[no_mangle]
pub extern "C" fn kakunin_trust_store_anchor_doc_type(
    store: *const kakunin_trust_store,
    index: usize,
    doc_type_index: usize,
    out: *mut super::kakunin_str,
) -> kakunin_status {
    boundary! {
        let store = need!(try_ref(store));
        let out = need!(out_ok(out));
        let Some(anchor) = store.inner.anchors().get(index) else { return KAKUNIN_OUT_OF_RANGE };
        let Some(t) = anchor.doc_types().and_then(|t| t.get(doc_type_index)) else { return KAKUNIN_OUT_OF_RANGE };
        write_out(out, super::kakunin_str::of(t));
        KAKUNIN_OK
    }
}

/// Frees a trust store. Verifiers built from it keep their own reference, so
/// the store may be freed as soon as they are built. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_trust_store_free(store: *mut kakunin_trust_store) {
    boundary! { free_handle(store) }
}
