//! The C ABI (`include/kakunin.h`): a small, stable surface over the Rust API.
//!
//! Design (after rustls-ffi):
//! - Opaque, library-allocated handles with `_new`/`_free`; `_free(NULL)` is a no-op.
//! - Every fallible function returns a [`kakunin_status`] (`uint32_t` in C,
//!   `KAKUNIN_OK = 0`, append-only numbers grouped by kind) and writes its
//!   outputs through trailing out-params **only on success**.
//! - Functions that take a status or selector back take `uint32_t`, never a
//!   Rust enum: any integer can arrive from C.
//! - Every export runs inside a panic boundary ([`catch_unwind`]): a panic
//!   becomes `KAKUNIN_PANIC` (or NULL/false/0 for functions that return a
//!   value), never an abort of the host application.
//! - Every pointer argument is checked for NULL.
//!
//! This module is the only place in the crate where `unsafe` is allowed; each
//! unsafe block carries a `SAFETY` note. Everything here only calls the public
//! Rust API.
//!
//! [`catch_unwind`]: std::panic::catch_unwind

#![allow(non_camel_case_types)]
// The exports are `pub extern "C"` inside private modules: C reaches them
// through the linker, and cbindgen writes only `pub` items into the header.
#![allow(unreachable_pub)]

use core::ffi::c_char;
use std::ffi::CString;
use std::sync::OnceLock;

use crate::error::ErrorCode;

mod answers;
mod online;
mod openid4vp;
mod request;
mod revocation;
mod session;
mod transport;
// cbindgen writes each module's functions in the order the modules are
// declared, and rustfmt sorts only unbroken runs of `mod` lines: the comments
// between the modules below keep the order include/kakunin.h has always had.
// Trust anchors;
mod trust;
// the verifier and its policy;
mod verifier;
// the SessionTranscript
mod transcript;
// and the reader key that device authentication reads;
mod reader_key;
// the verify calls that take them;
mod verify;
// then the results.
mod verification;
mod vical;
mod warnings;

pub use answers::{
    kakunin_age_evidence, kakunin_age_verdict, kakunin_basic_item, kakunin_image_format, kakunin_warning_field,
};
pub use online::kakunin_annex_c_state;
pub use openid4vp::{kakunin_oid4vp_request_builder, kakunin_oid4vp_state};
pub use reader_key::kakunin_reader_key;
pub use revocation::{kakunin_revocation_data, kakunin_revocation_mode};
pub use session::{
    kakunin_ble_options, kakunin_buffer, kakunin_device_engagement, kakunin_device_request_builder,
    kakunin_items_request, kakunin_reader_auth_key, kakunin_reader_session, kakunin_retrieval_method,
    kakunin_session_event, kakunin_session_state,
};
pub use transcript::kakunin_session_transcript;
pub use transport::{
    kakunin_ble_characteristic, kakunin_ble_event, kakunin_ble_mode, kakunin_ble_reader, kakunin_gatt_ops,
    kakunin_nfc_event, kakunin_nfc_reader,
};
pub use trust::{kakunin_anchor_role, kakunin_trust_store, kakunin_trust_store_builder};
pub use verification::{
    kakunin_device_auth, kakunin_document_field, kakunin_element, kakunin_value_type, kakunin_verification,
};
pub use verifier::{kakunin_certificate_profile, kakunin_limit, kakunin_verifier, kakunin_verifier_builder};
pub use vical::kakunin_vical;

// The entry points the `c_abi` fuzz target drives through
// `crate::internals::fuzz`; they exist for nothing else.
#[cfg(feature = "internals")]
pub(crate) use reader_key::{
    kakunin_reader_key_free, kakunin_reader_key_from_bytes, kakunin_reader_key_from_platform_bytes,
    kakunin_reader_key_from_scalar,
};
#[cfg(feature = "internals")]
pub(crate) use transcript::{kakunin_session_transcript_free, kakunin_session_transcript_new};
#[cfg(feature = "internals")]
pub(crate) use trust::{kakunin_trust_store_free, kakunin_trust_store_from_pem_or_der};
#[cfg(feature = "internals")]
pub(crate) use verification::{
    kakunin_element_json, kakunin_verification_document_count, kakunin_verification_document_element,
    kakunin_verification_document_element_count, kakunin_verification_error, kakunin_verification_error_count,
    kakunin_verification_free, kakunin_verification_is_valid, kakunin_verification_json,
};
#[cfg(feature = "internals")]
pub(crate) use verifier::{kakunin_verifier_free, kakunin_verifier_new};
#[cfg(feature = "internals")]
pub(crate) use verify::{
    kakunin_verifier_verify_device_response, kakunin_verifier_verify_device_response_issuer_only,
    kakunin_verifier_verify_document_issuer_only, kakunin_verifier_verify_issuer_signed,
};

/// Major version of the library (agrees with Cargo.toml; checked by tests).
pub const KAKUNIN_VERSION_MAJOR: u32 = 0;
/// Minor version of the library.
pub const KAKUNIN_VERSION_MINOR: u32 = 1;
/// Patch version of the library.
pub const KAKUNIN_VERSION_PATCH: u32 = 0;
/// The library version as text.
pub const KAKUNIN_VERSION: &str = "0.1.0";
/// Version of the C ABI. Raised only when something is *added*; nothing is
/// ever removed or changed (deprecate, never delete).
pub const KAKUNIN_ABI_VERSION: u32 = 4;

/// The status every fallible function returns (`uint32_t` in C).
///
/// Numbers are stable and append-only, grouped by kind:
/// - `0`: success;
/// - `1..=99`: the caller passed something unusable (NULL, out of range, wrong type);
/// - `100..=199`: the library failed (a caught panic);
/// - `1000 + n`: the input was rejected with the stable error code `n`
///   (`ErrorCode::number()` in Rust; `kakunin_error_code_str(n)` gives its name).
///
/// A *verification* that rejects a document is not a failed call: the verify
/// functions return `KAKUNIN_OK` and a result handle that says why.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_status {
    /// Success.
    KAKUNIN_OK = 0,
    /// A required pointer argument was NULL.
    KAKUNIN_NULL_PARAMETER = 1,
    /// An argument has a value the function does not accept (unknown selector, negative skew, zero limit).
    KAKUNIN_INVALID_PARAMETER = 2,
    /// An index is past the end.
    KAKUNIN_OUT_OF_RANGE = 3,
    /// The requested item does not exist (element not disclosed, field absent).
    KAKUNIN_NOT_FOUND = 4,
    /// The element value is not of the requested type.
    KAKUNIN_WRONG_TYPE = 5,
    /// The document was rejected: it has no elements or issuer details, only errors.
    KAKUNIN_DOCUMENT_REJECTED = 6,
    /// The output buffer is too small.
    KAKUNIN_BUFFER_TOO_SMALL = 7,
    /// A C string argument is not valid UTF-8.
    KAKUNIN_INVALID_UTF8 = 8,
    /// A panic was caught at the ABI boundary (a bug in kakunin; please report it).
    KAKUNIN_PANIC = 100,
    /// The input was rejected with an error code this header does not name.
    KAKUNIN_INPUT_REJECTED = 1000,
    /// Input rejected: `cbor_malformed`.
    KAKUNIN_CBOR_MALFORMED = 1001,
    /// Input rejected: `structure_invalid`.
    KAKUNIN_STRUCTURE_INVALID = 1002,
    /// Input rejected: `unsupported_version`.
    KAKUNIN_UNSUPPORTED_VERSION = 1003,
    /// Input rejected: `unsupported_algorithm`.
    KAKUNIN_UNSUPPORTED_ALGORITHM = 1004,
    /// Input rejected: `issuer_signature_invalid`.
    KAKUNIN_ISSUER_SIGNATURE_INVALID = 1005,
    /// Input rejected: `issuer_chain_untrusted`.
    KAKUNIN_ISSUER_CHAIN_UNTRUSTED = 1006,
    /// Input rejected: `certificate_expired`.
    KAKUNIN_CERTIFICATE_EXPIRED = 1007,
    /// Input rejected: `certificate_not_yet_valid`.
    KAKUNIN_CERTIFICATE_NOT_YET_VALID = 1008,
    /// Input rejected: `certificate_profile_invalid`.
    KAKUNIN_CERTIFICATE_PROFILE_INVALID = 1009,
    /// Input rejected: `mso_doctype_mismatch`.
    KAKUNIN_MSO_DOCTYPE_MISMATCH = 1010,
    /// Input rejected: `mso_expired`.
    KAKUNIN_MSO_EXPIRED = 1011,
    /// Input rejected: `mso_not_yet_valid`.
    KAKUNIN_MSO_NOT_YET_VALID = 1012,
    /// Input rejected: `digest_mismatch`.
    KAKUNIN_DIGEST_MISMATCH = 1013,
    /// Input rejected: `digest_missing`.
    KAKUNIN_DIGEST_MISSING = 1014,
    /// Input rejected: `device_signature_invalid`.
    KAKUNIN_DEVICE_SIGNATURE_INVALID = 1015,
    /// Input rejected: `device_mac_invalid`.
    KAKUNIN_DEVICE_MAC_INVALID = 1016,
    /// Input rejected: `device_auth_missing`.
    KAKUNIN_DEVICE_AUTH_MISSING = 1017,
    /// Input rejected: `session_transcript_missing`.
    KAKUNIN_SESSION_TRANSCRIPT_MISSING = 1018,
    /// Input rejected: `reader_key_missing`.
    KAKUNIN_READER_KEY_MISSING = 1019,
    /// Input rejected: `algorithm_key_mismatch`.
    KAKUNIN_ALGORITHM_KEY_MISMATCH = 1020,
    /// Input rejected: `limit_exceeded`.
    KAKUNIN_LIMIT_EXCEEDED = 1021,
    /// Input rejected: `element_not_authorized`.
    KAKUNIN_ELEMENT_NOT_AUTHORIZED = 1022,
    /// Input rejected: `certificate_revoked`.
    KAKUNIN_CERTIFICATE_REVOKED = 1023,
    /// Input rejected: `document_revoked`.
    KAKUNIN_DOCUMENT_REVOKED = 1024,
    /// Input rejected: `document_suspended`.
    KAKUNIN_DOCUMENT_SUSPENDED = 1025,
    /// Input rejected: `revocation_unavailable`.
    KAKUNIN_REVOCATION_UNAVAILABLE = 1026,
    /// Input rejected: `revocation_stale`.
    KAKUNIN_REVOCATION_STALE = 1027,
    /// Input rejected: `trust_list_invalid`.
    KAKUNIN_TRUST_LIST_INVALID = 1028,
    /// Input rejected: `trust_list_stale`.
    KAKUNIN_TRUST_LIST_STALE = 1029,
    /// Input rejected: `country_mismatch`.
    KAKUNIN_COUNTRY_MISMATCH = 1030,
    /// Input rejected: `element_type_invalid`.
    KAKUNIN_ELEMENT_TYPE_INVALID = 1031,
    /// Input rejected: `no_documents`.
    KAKUNIN_NO_DOCUMENTS = 1032,
    /// Input rejected: `session_decryption_failed`.
    KAKUNIN_SESSION_DECRYPTION_FAILED = 1033,
    /// Input rejected: `session_protocol_error`.
    KAKUNIN_SESSION_PROTOCOL_ERROR = 1034,
    /// Input rejected: `reader_auth_invalid`.
    KAKUNIN_READER_AUTH_INVALID = 1035,
    /// Input rejected: `transport_error`.
    KAKUNIN_TRANSPORT_ERROR = 1036,
    /// Input rejected: `request_refused`.
    KAKUNIN_REQUEST_REFUSED = 1037,
    /// Input rejected: `document_not_requested`.
    KAKUNIN_DOCUMENT_NOT_REQUESTED = 1038,
    /// Input rejected: `session_terminated`.
    KAKUNIN_SESSION_TERMINATED = 1039,
    /// Input rejected: `hpke_decrypt_failed`.
    KAKUNIN_HPKE_DECRYPT_FAILED = 1040,
    /// Input rejected: `hpke_key_mismatch`.
    KAKUNIN_HPKE_KEY_MISMATCH = 1041,
    /// Input rejected: `session_transcript_mismatch`.
    KAKUNIN_SESSION_TRANSCRIPT_MISMATCH = 1042,
    /// Input rejected: `jwe_decrypt_failed`.
    KAKUNIN_JWE_DECRYPT_FAILED = 1043,
    /// Input rejected: `not_a_certificate`.
    KAKUNIN_NOT_A_CERTIFICATE = 1044,
}

/// Where the input-rejected statuses start: status = base + `ErrorCode::number()`.
pub const KAKUNIN_STATUS_ERROR_CODE_BASE: u32 = 1000;

/// `u32::from(value)` for the `#[repr(u32)]` enums handed to C as a
/// `uint32_t`: the value is the enum's discriminant.
macro_rules! c_enum_into_u32 {
    ($($e:ty),* $(,)?) => {$(
        impl From<$e> for u32 {
            // A `#[repr(u32)]` enum's discriminant is a `u32`: this `as`
            // neither truncates nor changes sign, and there is no other
            // safe way to read it.
            #[allow(clippy::as_conversions)]
            fn from(v: $e) -> u32 {
                v as u32
            }
        }
    )*};
}
c_enum_into_u32!(
    kakunin_status,
    kakunin_anchor_role,
    kakunin_ble_event,
    kakunin_device_auth,
    kakunin_document_field,
    kakunin_nfc_event,
    kakunin_retrieval_method,
    kakunin_session_event,
    kakunin_session_state,
);

impl kakunin_status {
    /// The status for an input rejected with `code`.
    pub(crate) fn from_error_code(code: ErrorCode) -> kakunin_status {
        use kakunin_status::*;
        // Matching on the stable number keeps this total when codes are
        // appended; a unit test checks that every code has its own status.
        match code.number() {
            1 => KAKUNIN_CBOR_MALFORMED,
            2 => KAKUNIN_STRUCTURE_INVALID,
            3 => KAKUNIN_UNSUPPORTED_VERSION,
            4 => KAKUNIN_UNSUPPORTED_ALGORITHM,
            5 => KAKUNIN_ISSUER_SIGNATURE_INVALID,
            6 => KAKUNIN_ISSUER_CHAIN_UNTRUSTED,
            7 => KAKUNIN_CERTIFICATE_EXPIRED,
            8 => KAKUNIN_CERTIFICATE_NOT_YET_VALID,
            9 => KAKUNIN_CERTIFICATE_PROFILE_INVALID,
            10 => KAKUNIN_MSO_DOCTYPE_MISMATCH,
            11 => KAKUNIN_MSO_EXPIRED,
            12 => KAKUNIN_MSO_NOT_YET_VALID,
            13 => KAKUNIN_DIGEST_MISMATCH,
            14 => KAKUNIN_DIGEST_MISSING,
            15 => KAKUNIN_DEVICE_SIGNATURE_INVALID,
            16 => KAKUNIN_DEVICE_MAC_INVALID,
            17 => KAKUNIN_DEVICE_AUTH_MISSING,
            18 => KAKUNIN_SESSION_TRANSCRIPT_MISSING,
            19 => KAKUNIN_READER_KEY_MISSING,
            20 => KAKUNIN_ALGORITHM_KEY_MISMATCH,
            21 => KAKUNIN_LIMIT_EXCEEDED,
            22 => KAKUNIN_ELEMENT_NOT_AUTHORIZED,
            23 => KAKUNIN_CERTIFICATE_REVOKED,
            24 => KAKUNIN_DOCUMENT_REVOKED,
            25 => KAKUNIN_DOCUMENT_SUSPENDED,
            26 => KAKUNIN_REVOCATION_UNAVAILABLE,
            27 => KAKUNIN_REVOCATION_STALE,
            28 => KAKUNIN_TRUST_LIST_INVALID,
            29 => KAKUNIN_TRUST_LIST_STALE,
            30 => KAKUNIN_COUNTRY_MISMATCH,
            31 => KAKUNIN_ELEMENT_TYPE_INVALID,
            32 => KAKUNIN_NO_DOCUMENTS,
            33 => KAKUNIN_SESSION_DECRYPTION_FAILED,
            34 => KAKUNIN_SESSION_PROTOCOL_ERROR,
            35 => KAKUNIN_READER_AUTH_INVALID,
            36 => KAKUNIN_TRANSPORT_ERROR,
            37 => KAKUNIN_REQUEST_REFUSED,
            38 => KAKUNIN_DOCUMENT_NOT_REQUESTED,
            39 => KAKUNIN_SESSION_TERMINATED,
            40 => KAKUNIN_HPKE_DECRYPT_FAILED,
            41 => KAKUNIN_HPKE_KEY_MISMATCH,
            42 => KAKUNIN_SESSION_TRANSCRIPT_MISMATCH,
            43 => KAKUNIN_JWE_DECRYPT_FAILED,
            44 => KAKUNIN_NOT_A_CERTIFICATE,
            _ => KAKUNIN_INPUT_REJECTED,
        }
    }
}

/// The one conversion from a rejected input to the status a call returns: it
/// records the error's full text (`"code: message"`, as the CLIs print it)
/// for [`kakunin_last_error_message`], then maps the code with
/// `kakunin_status::from_error_code`.
impl From<&crate::Error> for kakunin_status {
    fn from(e: &crate::Error) -> kakunin_status {
        last_error::set(&e.to_string());
        kakunin_status::from_error_code(e.code())
    }
}

/// The same conversion, for an owned error.
// It lets `ok!` take a `Result<_, Error>` as well as a `Result<_, kakunin_status>`.
impl From<crate::Error> for kakunin_status {
    fn from(e: crate::Error) -> kakunin_status {
        kakunin_status::from(&e)
    }
}

/// The per-thread text behind [`kakunin_last_error_message`].
///
/// Every export runs inside [`boundary!`]: a call that returns a failing
/// [`kakunin_status`] leaves a message here — the error's own text when the
/// function converted an error with `kakunin_status::from(&error)`, otherwise the
/// status description. Successful calls leave the previous message alone
/// (like `errno` or libgit2's `git_error_last`).
pub(crate) mod last_error {
    use core::cell::{Cell, RefCell};
    use std::ffi::CString;

    thread_local! {
        static MESSAGE: RefCell<Option<CString>> = const { RefCell::new(None) };
        static RECORDED: Cell<bool> = const { Cell::new(false) };
    }

    /// Records `text` as the message of the failing call in progress.
    pub(crate) fn set(text: &str) {
        // A message never holds NUL in practice; cut at one rather than drop it.
        let text = text.split('\0').next().unwrap_or_default();
        let c = CString::new(text).unwrap_or_default();
        MESSAGE.with(|m| *m.borrow_mut() = Some(c));
        RECORDED.with(|r| r.set(true));
    }

    /// Called when an export starts: returns the outer call's flag (exports
    /// may call each other) and starts a fresh one.
    pub(crate) fn enter() -> bool {
        RECORDED.with(|r| r.replace(false))
    }

    /// Called when an export returns `result`: a failing status without a
    /// recorded message gets the status description.
    pub(crate) fn leave<T: super::PanicValue>(result: &T, outer: bool) {
        if let Some(status) = result.failed_status() {
            if !RECORDED.with(Cell::get) {
                let text = super::status_text(u32::from(status)).to_string_lossy().into_owned();
                set(&text);
            }
        }
        RECORDED.with(|r| r.set(outer || r.get()));
    }

    /// The current message (empty when no call failed yet on this thread).
    pub(crate) fn with_ptr<R>(f: impl FnOnce(*const core::ffi::c_char) -> R) -> R {
        MESSAGE.with(|m| match m.borrow().as_ref() {
            Some(c) => f(c.as_ptr()),
            None => f(c"".as_ptr()),
        })
    }
}

/// What an export returns when a panic is caught at the boundary.
pub(crate) trait PanicValue {
    fn panic_value() -> Self;
    /// `Some(status)` when this return value reports a failed call.
    fn failed_status(&self) -> Option<kakunin_status> {
        None
    }
}

impl PanicValue for kakunin_status {
    fn panic_value() -> Self {
        kakunin_status::KAKUNIN_PANIC
    }
    fn failed_status(&self) -> Option<kakunin_status> {
        (*self != kakunin_status::KAKUNIN_OK).then_some(*self)
    }
}
impl<T> PanicValue for *mut T {
    fn panic_value() -> Self {
        core::ptr::null_mut()
    }
}
impl<T> PanicValue for *const T {
    fn panic_value() -> Self {
        core::ptr::null()
    }
}
impl PanicValue for bool {
    fn panic_value() -> Self {
        false
    }
}
impl PanicValue for usize {
    fn panic_value() -> Self {
        0
    }
}
impl PanicValue for u32 {
    fn panic_value() -> Self {
        0
    }
}
impl PanicValue for i64 {
    fn panic_value() -> Self {
        0
    }
}
impl PanicValue for () {
    fn panic_value() -> Self {}
}

/// Runs the body of an export, turning a panic into the return type's
/// [`PanicValue`] (for a status: `KAKUNIN_PANIC`). The body may `return` early.
/// A failing status also leaves its message for [`kakunin_last_error_message`].
macro_rules! boundary {
    ($($body:tt)*) => {{
        let outer = $crate::ffi::last_error::enter();
        let result = match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| { $($body)* })) {
            Ok(v) => v,
            Err(_) => $crate::ffi::PanicValue::panic_value(),
        };
        $crate::ffi::last_error::leave(&result, outer);
        result
    }};
}
pub(crate) use boundary;

/// `let x = need!(option)`: returns `KAKUNIN_NULL_PARAMETER` from the
/// boundary closure when the pointer argument was NULL.
macro_rules! need {
    ($e:expr) => {
        match $e {
            Some(v) => v,
            None => return $crate::ffi::kakunin_status::KAKUNIN_NULL_PARAMETER,
        }
    };
}
pub(crate) use need;

/// `let x = ok!(result)`: returns from the boundary closure on `Err` with its
/// status: a `kakunin_status` as it is, a `crate::Error` converted (which
/// records its message for `kakunin_last_error_message`).
macro_rules! ok {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return $crate::ffi::kakunin_status::from(e),
        }
    };
}
pub(crate) use ok;

/// A shared reference from a pointer the caller passed, `None` when NULL.
///
/// The ABI contract (stated in the header) is that every non-NULL pointer
/// argument points to a live object of the declared type.
pub(crate) fn try_ref<'a, T>(p: *const T) -> Option<&'a T> {
    // SAFETY: `p` is NULL (handled by `as_ref`) or, by the ABI contract, points
    // to a live, properly aligned `T` that the caller does not free or mutate
    // during this call.
    unsafe { p.as_ref() }
}

/// A mutable reference from a pointer the caller passed, `None` when NULL.
pub(crate) fn try_mut<'a, T>(p: *mut T) -> Option<&'a mut T> {
    // SAFETY: `p` is NULL (handled by `as_mut`) or, by the ABI contract, points
    // to a live `T` that no other thread uses during this call (builders are
    // documented as not thread-safe).
    unsafe { p.as_mut() }
}

/// The bytes `[data, data + len)`, `None` when `data` is NULL.
pub(crate) fn try_slice<'a>(data: *const u8, len: usize) -> Option<&'a [u8]> {
    try_slice_of(data, len)
}

/// The `len` items at `data`, `None` when `data` is NULL or `len` is absurd.
pub(crate) fn try_slice_of<'a, T>(data: *const T, len: usize) -> Option<&'a [T]> {
    if data.is_null() || len > isize::MAX.unsigned_abs() / core::mem::size_of::<T>().max(1) {
        return None;
    }
    // SAFETY: `data` is non-NULL and, by the ABI contract, points to `len`
    // readable, initialised, aligned items that stay unchanged during this
    // call; the total size fits `isize` (checked above).
    Some(unsafe { core::slice::from_raw_parts(data, len) })
}

/// A C string argument as UTF-8: `None` when NULL, `Some(Err)` when not UTF-8.
pub(crate) fn try_str<'a>(s: *const c_char) -> Option<Result<&'a str, kakunin_status>> {
    if s.is_null() {
        return None;
    }
    // SAFETY: `s` is non-NULL and, by the ABI contract, points to a
    // NUL-terminated string that stays unchanged during this call.
    let c = unsafe { core::ffi::CStr::from_ptr(s) };
    Some(c.to_str().map_err(|_| kakunin_status::KAKUNIN_INVALID_UTF8))
}

/// Writes `v` through an out-pointer already checked to be non-NULL.
pub(crate) fn write_out<T>(out: *mut T, v: T) {
    if out.is_null() {
        return;
    }
    // SAFETY: `out` is non-NULL and, by the ABI contract, points to writable
    // memory for one `T`. `write` does not drop the (possibly uninitialised)
    // old value.
    unsafe { out.write(v) }
}

/// Checks an out-pointer is non-NULL.
pub(crate) fn out_ok<T>(out: *mut T) -> Option<*mut T> {
    (!out.is_null()).then_some(out)
}

/// Moves `v` to the heap and hands ownership to C.
pub(crate) fn to_handle<T>(v: T) -> *mut T {
    Box::into_raw(Box::new(v))
}

/// Returns a new handle through an out-parameter: moves `value` to the heap,
/// writes the handle to `*out` and returns `KAKUNIN_OK`. Callers check `out`
/// with [`out_ok`] before they do any work; a NULL `out` here allocates
/// nothing and returns `KAKUNIN_NULL_PARAMETER`.
pub(crate) fn into_handle<T>(value: T, out: *mut *mut T) -> kakunin_status {
    if out.is_null() {
        return kakunin_status::KAKUNIN_NULL_PARAMETER;
    }
    write_out(out, to_handle(value));
    kakunin_status::KAKUNIN_OK
}

/// Takes back ownership of a handle and drops it; NULL is a no-op.
pub(crate) fn free_handle<T>(p: *mut T) {
    if p.is_null() {
        return;
    }
    // SAFETY: `p` is non-NULL and, by the ABI contract, was returned by this
    // library's `to_handle` for this type and is freed exactly once.
    drop(unsafe { Box::from_raw(p) });
}

/// A borrowed UTF-8 string: `len` bytes at `data`, owned by the handle it
/// came from and valid until that handle is freed. Not NUL-terminated unless
/// the function says so; print with `printf("%.*s", (int)s.len, s.data)`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct kakunin_str {
    /// First byte (never NULL when returned by kakunin).
    pub data: *const c_char,
    /// Length in bytes.
    pub len: usize,
}

impl kakunin_str {
    pub(crate) fn of(s: &str) -> Self {
        kakunin_str {
            data: s.as_ptr().cast(),
            len: s.len(),
        }
    }
}

/// A borrowed byte string, owned by the handle it came from and valid until
/// that handle is freed.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct kakunin_bytes {
    /// First byte (never NULL when returned by kakunin).
    pub data: *const u8,
    /// Length in bytes.
    pub len: usize,
}

impl kakunin_bytes {
    pub(crate) fn of(b: &[u8]) -> Self {
        kakunin_bytes {
            data: b.as_ptr(),
            len: b.len(),
        }
    }
}

/// The library version (`KAKUNIN_VERSION`), a static NUL-terminated string.
#[no_mangle]
pub extern "C" fn kakunin_version() -> *const c_char {
    boundary! { concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast() }
}

/// The ABI version (`KAKUNIN_ABI_VERSION`) of the linked library. A program
/// built against a header with a larger value needs a newer library.
#[no_mangle]
pub extern "C" fn kakunin_abi_version() -> u32 {
    boundary! { KAKUNIN_ABI_VERSION }
}

/// Static NUL-terminated strings for the error codes: (number, name, description).
fn code_strings() -> &'static [(u32, CString, CString)] {
    static TABLE: OnceLock<Vec<(u32, CString, CString)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ErrorCode::ALL
            .iter()
            .map(|c| {
                (
                    c.number(),
                    CString::new(c.as_str()).unwrap_or_default(),
                    CString::new(c.description()).unwrap_or_default(),
                )
            })
            .collect()
    })
}

/// A static, NUL-terminated description of a status (never NULL; nothing to free).
#[no_mangle]
pub extern "C" fn kakunin_status_str(status: u32) -> *const c_char {
    boundary! { status_text(status).as_ptr() }
}

/// The text of [`kakunin_status_str`].
fn status_text(status: u32) -> &'static core::ffi::CStr {
    let s: &'static core::ffi::CStr = match status {
        0 => c"success",
        1 => c"a required pointer argument was NULL",
        2 => c"invalid argument",
        3 => c"index out of range",
        4 => c"not found",
        5 => c"element value has another type",
        6 => c"document was rejected",
        7 => c"output buffer too small",
        8 => c"string argument is not valid UTF-8",
        100 => c"panic caught at the kakunin ABI boundary (a bug; please report it)",
        1000 => c"input rejected",
        n if n > KAKUNIN_STATUS_ERROR_CODE_BASE => {
            match code_strings()
                .iter()
                .find(|(num, _, _)| *num == n - KAKUNIN_STATUS_ERROR_CODE_BASE)
            {
                Some((_, _, d)) => d.as_c_str(),
                None => c"input rejected (unknown error code)",
            }
        }
        _ => c"unknown status",
    };
    s
}

/// The message of the last call **on this thread** that returned a status
/// other than `KAKUNIN_OK`: the same text the `verify` and `reader` tools
/// print (`"not_a_certificate: PEM has no CERTIFICATE block (found PRIVATE
/// KEY)"`), or the status description when the function has nothing more
/// specific to say. Empty (`""`) when no call has failed on this thread.
/// Never NULL.
///
/// Lifetime: the string is owned by the library and stays valid until the
/// next kakunin call on the same thread that fails (or the thread exits);
/// copy it if you need it longer. Successful calls do not clear it, so read
/// it only right after a call returned a failing status. Calls that return
/// a handle, a count or a bool (not a `kakunin_status`) do not set it.
/// A verification that *rejects a document* is not a failed call: its
/// reasons are in the result handle (`kakunin_verification_error`).
///
/// Since ABI 4.
#[no_mangle]
pub extern "C" fn kakunin_last_error_message() -> *const c_char {
    boundary! { last_error::with_ptr(|p| p) }
}

/// The stable `snake_case` name of error code `code` (`ErrorCode::as_str()`,
/// e.g. `"certificate_expired"` for 7), a static NUL-terminated string; NULL
/// when the number is unknown.
#[no_mangle]
pub extern "C" fn kakunin_error_code_str(code: u32) -> *const c_char {
    boundary! {
        code_strings()
            .iter()
            .find(|(n, _, _)| *n == code)
            .map_or(core::ptr::null(), |(_, s, _)| s.as_ptr())
    }
}

/// The error code number carried by an input-rejected status
/// (`status - KAKUNIN_STATUS_ERROR_CODE_BASE`), or 0 for any other status.
#[no_mangle]
pub extern "C" fn kakunin_status_error_code(status: u32) -> u32 {
    boundary! {
        match status.checked_sub(KAKUNIN_STATUS_ERROR_CODE_BASE) {
            Some(n) if ErrorCode::from_number(n).is_some() => n,
            _ => 0,
        }
    }
}

/// Parses an RFC 3339 date-time (`"2021-01-01T00:00:00Z"`) to Unix seconds
/// (any fraction is truncated towards the past).
#[no_mangle]
pub extern "C" fn kakunin_parse_rfc3339(text: *const c_char, out_unix_secs: *mut i64) -> kakunin_status {
    boundary! {
        let text = ok!(need!(try_str(text)));
        let out = need!(out_ok(out_unix_secs));
        match crate::time::UnixTime::parse_rfc3339(text) {
            Some(t) => {
                write_out(out, t.secs());
                kakunin_status::KAKUNIN_OK
            }
            None => kakunin_status::KAKUNIN_INVALID_PARAMETER,
        }
    }
}

/// Formats Unix seconds as RFC 3339 UTC (`"2021-01-01T00:00:00Z"`) into
/// `buf` (NUL-terminated). `*out_len` receives the length without the NUL.
/// Returns `KAKUNIN_BUFFER_TOO_SMALL` (writing nothing) when `buf_len` is too
/// small; 32 bytes always suffice.
#[no_mangle]
pub extern "C" fn kakunin_format_rfc3339(
    unix_secs: i64,
    buf: *mut c_char,
    buf_len: usize,
    out_len: *mut usize,
) -> kakunin_status {
    boundary! {
        let buf = need!(out_ok(buf));
        let out_len = need!(out_ok(out_len));
        let text = crate::time::UnixTime::from_secs(unix_secs).to_rfc3339();
        if text.len() >= buf_len {
            return kakunin_status::KAKUNIN_BUFFER_TOO_SMALL;
        }
        // SAFETY: `buf` is non-NULL and, by the ABI contract, points to
        // `buf_len` writable bytes; we write `text.len() + 1 <= buf_len` bytes.
        unsafe {
            core::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), text.len());
            buf.add(text.len()).write(0);
        }
        write_out(out_len, text.len());
        kakunin_status::KAKUNIN_OK
    }
}

// Not behind a cargo feature although only tests call it: it is part of the
// released ABI (include/kakunin.abi, include/kakunin.symbols, declared in
// include/kakunin.h), the Swift and Kotlin wrappers bind it, and CI runs the
// C tests that call it against the release library. A build without it would
// break programs linked against an earlier release, which the ABI rules forbid.
/// Debug hook: panics inside the ABI boundary and so always returns
/// `KAKUNIN_PANIC`. It exists so that tests and language bindings can check
/// that a panic never crosses into the host application. Never call it in
/// production code (the default panic hook prints a message to stderr).
#[no_mangle]
pub extern "C" fn kakunin_debug_panic() -> kakunin_status {
    boundary! {
        #[allow(clippy::panic)]
        {
            panic!("kakunin_debug_panic: deliberate panic to test the ABI boundary")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_has_its_own_status() {
        for c in ErrorCode::ALL {
            let s = kakunin_status::from_error_code(*c);
            assert_eq!(
                u32::from(s),
                KAKUNIN_STATUS_ERROR_CODE_BASE + c.number(),
                "append KAKUNIN_{} = {} to kakunin_status in src/ffi/mod.rs and regenerate include/kakunin.h",
                c.as_str().to_uppercase(),
                KAKUNIN_STATUS_ERROR_CODE_BASE + c.number()
            );
            assert_eq!(kakunin_status_error_code(u32::from(s)), c.number());
        }
    }

    #[test]
    fn version_constants_agree_with_cargo() {
        assert_eq!(KAKUNIN_VERSION, env!("CARGO_PKG_VERSION"));
        assert_eq!(KAKUNIN_VERSION_MAJOR.to_string(), env!("CARGO_PKG_VERSION_MAJOR"));
        assert_eq!(KAKUNIN_VERSION_MINOR.to_string(), env!("CARGO_PKG_VERSION_MINOR"));
        assert_eq!(KAKUNIN_VERSION_PATCH.to_string(), env!("CARGO_PKG_VERSION_PATCH"));
    }

    #[test]
    fn version_functions_agree_with_the_constants() {
        // SAFETY: kakunin_version returns a static NUL-terminated string.
        let v = unsafe { core::ffi::CStr::from_ptr(kakunin_version()) };
        assert_eq!(v.to_str(), Ok(KAKUNIN_VERSION));
        assert_eq!(kakunin_abi_version(), KAKUNIN_ABI_VERSION);
    }

    /// The header promises these handles may be shared across threads.
    #[test]
    fn immutable_handles_are_send_and_sync() {
        fn shareable<T: Send + Sync>() {}
        shareable::<kakunin_trust_store>();
        shareable::<kakunin_verifier>();
        shareable::<kakunin_session_transcript>();
        shareable::<kakunin_reader_key>();
        shareable::<kakunin_verification>();
        shareable::<kakunin_element>();
        shareable::<kakunin_vical>();
    }

    fn last_message() -> String {
        // SAFETY: kakunin_last_error_message returns a NUL-terminated string
        // that stays valid until the next failing call on this thread.
        unsafe { core::ffi::CStr::from_ptr(kakunin_last_error_message()) }
            .to_string_lossy()
            .into_owned()
    }

    /// A rejected input leaves its own text, whichever module the function
    /// is in (the online and OpenID4VP calls too).
    #[test]
    fn failed_calls_leave_the_error_text() {
        let junk = b"not a state";
        let mut annex_c = core::ptr::null_mut();
        let status = online::kakunin_annex_c_state_from_bytes(junk.as_ptr(), junk.len(), &mut annex_c);
        assert_eq!(status, kakunin_status::KAKUNIN_CBOR_MALFORMED);
        assert!(last_message().starts_with("cbor_malformed: "), "{}", last_message());
        let mut oid4vp = core::ptr::null_mut();
        let status = openid4vp::kakunin_oid4vp_state_deserialize(junk.as_ptr(), junk.len(), &mut oid4vp);
        assert_eq!(status, kakunin_status::KAKUNIN_STRUCTURE_INVALID);
        assert!(last_message().starts_with("structure_invalid: "), "{}", last_message());
        assert!(annex_c.is_null() && oid4vp.is_null());
    }

    #[test]
    fn panic_is_caught() {
        assert_eq!(kakunin_debug_panic(), kakunin_status::KAKUNIN_PANIC);
    }
}
