//! Trust stores, verifier configuration, session inputs and the verify calls.

use core::ffi::c_char;

use super::verification::kakunin_verification;
use super::{boundary, free_handle, need, out_ok, to_handle, try_mut, try_ref, try_slice, try_str, write_out};
use super::{kakunin_status, kakunin_status::*};
use crate::pki::profile::CertificateProfile;
use crate::pki::revocation::RevocationData;
use crate::pki::trust::{AnchorRole, TrustAnchor, TrustStore, TrustStoreBuilder};
use crate::presentation::transcript::SessionTranscript;
use crate::reader_key::ReaderKey;
use crate::verifier::{DeviceAuthInput, Policy, Verification, Verifier};
use crate::{Curve, UnixTime};

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

/// A SessionTranscript (ISO 18013-5 §9.1.5.1), kept as received. Immutable and
/// thread-safe. Free with `kakunin_session_transcript_free`.
pub struct kakunin_session_transcript {
    pub(super) inner: SessionTranscript,
}

/// The reader's ephemeral private key (EReaderKey.Priv), needed to verify a
/// `deviceMac`; zeroized when freed. Immutable and thread-safe. Free with
/// `kakunin_reader_key_free`.
pub struct kakunin_reader_key {
    pub(super) inner: ReaderKey,
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

// ---------------------------------------------------------------- trust store

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
            match need!(try_str(*p)) {
                Ok(s) => types.push(s),
                Err(e) => return e,
            }
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
    if let Err(e) = parsed {
        return kakunin_status::from_error(&e);
    }
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
                match need!(try_str(*p)) {
                    Ok(s) => types.push(s.to_owned()),
                    Err(e) => return e,
                }
            }
            Some(types)
        };
        let ders = match crate::pki::x509::certificates_from_pem_or_der(data) {
            Ok(d) => d,
            Err(e) => return kakunin_status::from_error(&e),
        };
        let mut anchors = Vec::with_capacity(ders.len());
        for der in &ders {
            let anchor = match make(der) {
                Ok(a) => a,
                Err(e) => return kakunin_status::from_error(&e),
            };
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
        write_out(out, to_handle(kakunin_trust_store { inner: builder.inner.build() }));
        KAKUNIN_OK
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
        match TrustStore::from_pem_or_der(data) {
            Ok(inner) => {
                write_out(out, to_handle(kakunin_trust_store { inner }));
                KAKUNIN_OK
            }
            Err(e) => kakunin_status::from_error(&e),
        }
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
        write_out(out, role as u32);
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

// ---------------------------------------------------------------- verifier

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
        write_out(out, to_handle(kakunin_verifier { inner: Verifier::new(trust.inner.clone()) }));
        KAKUNIN_OK
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
        write_out(out, to_handle(kakunin_verifier_builder { trust: trust.inner.clone(), policy: Policy::default(), revocation: RevocationData::new() }));
        KAKUNIN_OK
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
        builder.policy = builder.policy.clone().with_clock_skew(seconds);
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
        builder.policy = builder.policy.clone().with_anchor_as_signer(allow);
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
        write_out(out, to_handle(kakunin_verifier { inner }));
        KAKUNIN_OK
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

// ---------------------------------------------------------------- session inputs

/// Parses SessionTranscript bytes (the CBOR array, or the tag-24
/// SessionTranscriptBytes) as received. On error the status names the code
/// (e.g. `KAKUNIN_CBOR_MALFORMED`).
#[no_mangle]
pub extern "C" fn kakunin_session_transcript_new(
    data: *const u8,
    len: usize,
    out: *mut *mut kakunin_session_transcript,
) -> kakunin_status {
    boundary! {
        let data = need!(try_slice(data, len));
        let out = need!(out_ok(out));
        match SessionTranscript::from_bytes(data) {
            Ok(inner) => {
                write_out(out, to_handle(kakunin_session_transcript { inner }));
                KAKUNIN_OK
            }
            Err(e) => kakunin_status::from_error(&e),
        }
    }
}

/// Frees a session transcript. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_session_transcript_free(transcript: *mut kakunin_session_transcript) {
    boundary! { free_handle(transcript) }
}

/// A reader private key from PKCS#8 or SEC1 (PEM or DER) or a COSE_Key with `d`.
#[no_mangle]
pub extern "C" fn kakunin_reader_key_from_bytes(
    data: *const u8,
    len: usize,
    out: *mut *mut kakunin_reader_key,
) -> kakunin_status {
    boundary! {
        let data = need!(try_slice(data, len));
        let out = need!(out_ok(out));
        match ReaderKey::from_bytes(data) {
            Ok(inner) => {
                write_out(out, to_handle(kakunin_reader_key { inner }));
                KAKUNIN_OK
            }
            Err(e) => kakunin_status::from_error(&e),
        }
    }
}

/// A reader private key from a big-endian scalar on the curve with COSE `crv`
/// identifier `cose_curve` (1 = P-256, 2 = P-384, 3 = P-521; RFC 9053 §7.1).
#[no_mangle]
pub extern "C" fn kakunin_reader_key_from_scalar(
    cose_curve: u32,
    scalar: *const u8,
    len: usize,
    out: *mut *mut kakunin_reader_key,
) -> kakunin_status {
    boundary! {
        let scalar = need!(try_slice(scalar, len));
        let out = need!(out_ok(out));
        let curve = match Curve::from_cose(i64::from(cose_curve)) {
            Some(c @ (Curve::P256 | Curve::P384 | Curve::P521)) => c,
            _ => return KAKUNIN_INVALID_PARAMETER,
        };
        match ReaderKey::from_scalar(curve, scalar) {
            Ok(inner) => {
                write_out(out, to_handle(kakunin_reader_key { inner }));
                KAKUNIN_OK
            }
            Err(e) => kakunin_status::from_error(&e),
        }
    }
}

/// A reader ephemeral private key as a platform hands it over: any encoding of
/// `kakunin_reader_key_from_bytes`, an ANSI X9.63 private key `04 || X || Y || d`
/// (CryptoKit `x963Representation`; the public part must match `d`), or a bare
/// big-endian scalar of 32, 48 or 66 bytes (P-256/384/521; CryptoKit
/// `rawRepresentation`). For Apple ProximityReader's `ephemeralReaderKey`.
#[no_mangle]
pub extern "C" fn kakunin_reader_key_from_platform_bytes(
    data: *const u8,
    len: usize,
    out: *mut *mut kakunin_reader_key,
) -> kakunin_status {
    boundary! {
        let data = need!(try_slice(data, len));
        let out = need!(out_ok(out));
        match ReaderKey::from_platform_bytes(data) {
            Ok(inner) => {
                write_out(out, to_handle(kakunin_reader_key { inner }));
                KAKUNIN_OK
            }
            Err(e) => kakunin_status::from_error(&e),
        }
    }
}

/// Frees (and zeroizes) a reader key. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_reader_key_free(key: *mut kakunin_reader_key) {
    boundary! { free_handle(key) }
}

// ---------------------------------------------------------------- verify

fn finish(out: *mut *mut kakunin_verification, v: Verification) -> kakunin_status {
    write_out(out, to_handle(kakunin_verification::new(v)));
    KAKUNIN_OK
}

/// Verifies a DeviceResponse (ISO 18013-5 §8.3.2.1.2.2) completely at
/// `now_unix_secs`: issuer data authentication and device authentication of
/// every document. `transcript` and `reader_key` may be NULL (device
/// authentication then fails with `session_transcript_missing` /
/// `reader_key_missing`). Returns `KAKUNIN_OK` with a result handle whether
/// or not the response is valid: ask `kakunin_verification_is_valid`.
#[no_mangle]
pub extern "C" fn kakunin_verifier_verify_device_response(
    verifier: *const kakunin_verifier,
    device_response: *const u8,
    device_response_len: usize,
    transcript: *const kakunin_session_transcript,
    reader_key: *const kakunin_reader_key,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let verifier = need!(try_ref(verifier));
        let bytes = need!(try_slice(device_response, device_response_len));
        let out = need!(out_ok(out));
        let auth = DeviceAuthInput {
            session_transcript: try_ref(transcript).map(|t| &t.inner),
            reader_key: try_ref(reader_key).map(|k| &k.inner),
        };
        finish(out, verifier.inner.verify_device_response(bytes, auth, UnixTime::from_secs(now_unix_secs)))
    }
}

/// Verifies only the issuer side (issuerAuth, chain, MSO, digests) of every
/// document of a DeviceResponse; documents report `KAKUNIN_DEVICE_AUTH_NONE`.
#[no_mangle]
pub extern "C" fn kakunin_verifier_verify_device_response_issuer_only(
    verifier: *const kakunin_verifier,
    device_response: *const u8,
    device_response_len: usize,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let verifier = need!(try_ref(verifier));
        let bytes = need!(try_slice(device_response, device_response_len));
        let out = need!(out_ok(out));
        finish(out, verifier.inner.verify_device_response_issuer_only(bytes, UnixTime::from_secs(now_unix_secs)))
    }
}

/// Verifies an IssuerSigned structure (no device part); the result holds one
/// document. `doc_type` (NUL-terminated, may be NULL) must equal the signed
/// MSO docType when given.
#[no_mangle]
pub extern "C" fn kakunin_verifier_verify_issuer_signed(
    verifier: *const kakunin_verifier,
    issuer_signed: *const u8,
    issuer_signed_len: usize,
    doc_type: *const c_char,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let verifier = need!(try_ref(verifier));
        let bytes = need!(try_slice(issuer_signed, issuer_signed_len));
        let out = need!(out_ok(out));
        let doc_type = match try_str(doc_type) {
            None => None,
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => return e,
        };
        let now = UnixTime::from_secs(now_unix_secs);
        finish(out, Verification::from_document(verifier.inner.verify_issuer_signed(bytes, doc_type, now), now))
    }
}

/// Verifies one Document (`{docType, issuerSigned, deviceSigned?}`) on its
/// issuer side only; the result holds one document.
#[no_mangle]
pub extern "C" fn kakunin_verifier_verify_document_issuer_only(
    verifier: *const kakunin_verifier,
    document: *const u8,
    document_len: usize,
    now_unix_secs: i64,
    out: *mut *mut kakunin_verification,
) -> kakunin_status {
    boundary! {
        let verifier = need!(try_ref(verifier));
        let bytes = need!(try_slice(document, document_len));
        let out = need!(out_ok(out));
        let now = UnixTime::from_secs(now_unix_secs);
        finish(out, Verification::from_document(verifier.inner.verify_document_issuer_only(bytes, now), now))
    }
}
