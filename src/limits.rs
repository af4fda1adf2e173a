//! Resource limits applied to untrusted input.
//!
//! Every limit exists so that the size of the input, never its content, bounds
//! the memory, time and stack that a verification may use. Exceeding one
//! yields [`ErrorCode::LimitExceeded`](crate::ErrorCode::LimitExceeded) with a
//! message naming the limit.

/// Configurable resource limits. [`Limits::default`] is sized for real
/// credentials (several documents, each with a 100 KB portrait) and for a
/// kiosk thread with a small stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest accepted input (DeviceResponse, IssuerSigned, transcript), in bytes.
    pub max_input_bytes: usize,
    /// Deepest CBOR nesting (arrays, maps, tags) accepted in one decoded item.
    /// Decoding is recursive: this also bounds stack use. Values above
    /// [`Limits::MAX_DEPTH_CEILING`] have no effect: the decoder never nests
    /// deeper than the ceiling, whatever this field says.
    pub max_depth: usize,
    /// Most CBOR data items in one decoded item (bounds the decoded tree size).
    pub max_items: usize,
    /// Most entries in one CBOR array or map.
    pub max_container_len: usize,
    /// Longest CBOR byte or text string, in bytes (a portrait is a byte string).
    pub max_string_bytes: usize,
    /// Most documents in one DeviceResponse.
    pub max_documents: usize,
    /// Most namespaces in one document (issuer- or device-signed).
    pub max_namespaces: usize,
    /// Most elements disclosed in one document, all namespaces together.
    pub max_elements: usize,
    /// Most certificates in one x5chain.
    pub max_certificates: usize,
    /// Largest certificate, in bytes of DER.
    pub max_certificate_bytes: usize,
}

impl Limits {
    /// The hard ceiling on CBOR nesting: [`Limits::max_depth`] can lower it,
    /// never raise it.
    ///
    /// Decoding, comparing map keys, converting element values and dropping a
    /// decoded tree all recurse once per nesting level. Measured on x86-64,
    /// one level of the decoder takes about 448 bytes of stack in release
    /// builds and 2.7 KB in debug builds, so 64 levels need about 28 KiB
    /// (release): within a 64 KiB kiosk or FFI thread with room for the rest
    /// of a verification, and within musl's 128 KiB default thread stack.
    /// Real mdoc data nests far less (a DeviceResponse is about 8 levels deep
    /// down to an IssuerSignedItemBytes, which is decoded on its own, and the
    /// deepest registered element value, `driving_privileges`, 4 more).
    pub const MAX_DEPTH_CEILING: usize = 64;

    /// The default limits (also available as [`Limits::default`]).
    pub const DEFAULT: Limits = Limits {
        max_input_bytes: 4 * 1024 * 1024,
        max_depth: 24,
        max_items: 200_000,
        max_container_len: 10_000,
        max_string_bytes: 2 * 1024 * 1024,
        max_documents: 16,
        max_namespaces: 64,
        max_elements: 2_048,
        max_certificates: 8,
        max_certificate_bytes: 16 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
