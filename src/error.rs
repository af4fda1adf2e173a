//! Stable error codes.
//!
//! Every rejection kakunin produces carries one [`ErrorCode`]. The string form
//! ([`ErrorCode::as_str`]) and the number ([`ErrorCode::number`]) are API: they
//! never change meaning and are never renamed or reused. New codes are only
//! ever appended.

use core::fmt;

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $num:literal, $s:literal, $msg:literal; )*) => {
        /// Why a document or a response was rejected.
        ///
        /// The `snake_case` string of each code ([`ErrorCode::as_str`]) and its
        /// number ([`ErrorCode::number`]) are stable across releases.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in numeric order.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The stable `snake_case` identifier of this code.
            pub const fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $s, )* }
            }

            /// The stable number of this code (also used by the C ABI).
            pub const fn number(self) -> u32 {
                match self { $( ErrorCode::$variant => $num, )* }
            }

            /// A short human description of what the code means.
            pub const fn description(self) -> &'static str {
                match self { $( ErrorCode::$variant => $msg, )* }
            }

            /// Looks a code up by its stable string.
            pub fn from_str_code(s: &str) -> Option<ErrorCode> {
                match s { $( $s => Some(ErrorCode::$variant), )* _ => None }
            }

            /// Looks a code up by its stable number.
            pub fn from_number(n: u32) -> Option<ErrorCode> {
                match n { $( $num => Some(ErrorCode::$variant), )* _ => None }
            }
        }
    };
}

error_codes! {
    /// The bytes are not well-formed CBOR, have trailing bytes, duplicate map
    /// keys, or a declared length beyond the input (RFC 8949; ISO 18013-5 §8.6).
    CborMalformed = 1, "cbor_malformed", "malformed CBOR";
    /// Well-formed CBOR whose structure does not follow the CDDL of ISO 18013-5:
    /// also both deviceSignature and deviceMac in one DeviceAuth, a digestID
    /// disclosed twice, and a COSE `crit` header naming a parameter kakunin
    /// does not process (RFC 9052 §3.1).
    StructureInvalid = 2, "structure_invalid", "structure does not match ISO 18013-5";
    /// A `version` field has a value this library does not implement.
    UnsupportedVersion = 3, "unsupported_version", "unsupported version";
    /// An algorithm (signature, MAC, digest, curve) is not supported.
    UnsupportedAlgorithm = 4, "unsupported_algorithm", "unsupported algorithm";
    /// The issuerAuth COSE_Sign1 signature does not verify (ISO 18013-5 §9.1.2.4).
    IssuerSignatureInvalid = 5, "issuer_signature_invalid", "issuer signature invalid";
    /// The Document Signer certificate does not chain to a trust anchor.
    IssuerChainUntrusted = 6, "issuer_chain_untrusted", "issuer certificate chain untrusted";
    /// A certificate is past its notAfter at the verification time.
    CertificateExpired = 7, "certificate_expired", "certificate expired";
    /// A certificate is before its notBefore at the verification time.
    CertificateNotYetValid = 8, "certificate_not_yet_valid", "certificate not yet valid";
    /// A certificate violates the ISO 18013-5 Annex B profile.
    CertificateProfileInvalid = 9, "certificate_profile_invalid", "certificate profile invalid";
    /// The MSO docType differs from the Document's docType (ISO 18013-5 §9.3.1).
    MsoDoctypeMismatch = 10, "mso_doctype_mismatch", "MSO docType does not match the document";
    /// The MSO validUntil has passed.
    MsoExpired = 11, "mso_expired", "MSO expired";
    /// The MSO validFrom (or signed) lies in the future.
    MsoNotYetValid = 12, "mso_not_yet_valid", "MSO not yet valid";
    /// A disclosed element's digest differs from the MSO valueDigests.
    DigestMismatch = 13, "digest_mismatch", "element digest mismatch";
    /// A disclosed element has no digest in the MSO (its namespace or its
    /// digestID is absent from valueDigests). A digestID disclosed twice is
    /// [`ErrorCode::StructureInvalid`].
    DigestMissing = 14, "digest_missing", "element digest missing";
    /// The deviceSignature does not verify (ISO 18013-5 §9.1.3.6).
    DeviceSignatureInvalid = 15, "device_signature_invalid", "device signature invalid";
    /// The deviceMac does not verify (ISO 18013-5 §9.1.3.5).
    DeviceMacInvalid = 16, "device_mac_invalid", "device MAC invalid";
    /// The document has no device authentication (no deviceSigned, or a
    /// DeviceAuth with neither deviceSignature nor deviceMac), or the input
    /// cannot carry one where it is required. Both kinds present is
    /// [`ErrorCode::StructureInvalid`].
    DeviceAuthMissing = 17, "device_auth_missing", "device authentication missing";
    /// Device authentication needs the SessionTranscript, and none was given.
    SessionTranscriptMissing = 18, "session_transcript_missing", "session transcript missing";
    /// deviceMac needs the reader's ephemeral private key, and none was given.
    ReaderKeyMissing = 19, "reader_key_missing", "reader private key missing";
    /// The COSE `alg` does not match the key it is used with.
    AlgorithmKeyMismatch = 20, "algorithm_key_mismatch", "algorithm does not match the key";
    /// A configured resource limit was exceeded.
    LimitExceeded = 21, "limit_exceeded", "limit exceeded";
    /// A device-signed element is not authorised by the MSO keyAuthorizations.
    ElementNotAuthorized = 22, "element_not_authorized", "device-signed element not authorised";
    /// The DS certificate is on the issuer's CRL.
    CertificateRevoked = 23, "certificate_revoked", "certificate revoked";
    /// The status list marks the document as revoked.
    DocumentRevoked = 24, "document_revoked", "document revoked";
    /// The status list marks the document as suspended.
    DocumentSuspended = 25, "document_suspended", "document suspended";
    /// Revocation data was required and is missing or unusable.
    RevocationUnavailable = 26, "revocation_unavailable", "revocation information unavailable";
    /// Revocation data is past its next update.
    RevocationStale = 27, "revocation_stale", "revocation information stale";
    /// A trust list (VICAL) is malformed or its signature does not verify.
    TrustListInvalid = 28, "trust_list_invalid", "trust list invalid";
    /// A trust list is past its nextUpdate.
    TrustListStale = 29, "trust_list_stale", "trust list stale";
    /// The issuing country does not match the DS certificate.
    CountryMismatch = 30, "country_mismatch", "issuing country mismatch";
    /// A verified element's type contradicts the document-type registry.
    ElementTypeInvalid = 31, "element_type_invalid", "element type invalid";
    /// The DeviceResponse carries no document, or a non-zero status.
    NoDocuments = 32, "no_documents", "response carries no document";
    /// A session message did not decrypt: wrong key, tampered ciphertext, or
    /// an out-of-order / replayed message counter (ISO 18013-5 §9.1.1.5).
    SessionDecryptionFailed = 33, "session_decryption_failed", "session message decryption failed";
    /// A session message arrived in the wrong state, is malformed for its
    /// role, or the peer ended the session with an error status (ISO 18013-5 §9.1.1.4).
    SessionProtocolError = 34, "session_protocol_error", "session protocol error";
    /// A ReaderAuth signature does not verify or its certificate does not
    /// chain to a reader trust anchor (ISO 18013-5 §9.1.4).
    ReaderAuthInvalid = 35, "reader_auth_invalid", "reader authentication invalid";
    /// NFC APDU or BLE GATT framing was malformed or out of sequence
    /// (ISO 18013-5 §8.3.3).
    TransportError = 36, "transport_error", "transport framing error";
    /// A DeviceRequest asked for an element the request policy refuses
    /// (e.g. `individual_number_unicode` without a stated purpose).
    RequestRefused = 37, "request_refused", "request refused by the privacy policy";
    /// The response carries a document of a docType the request did not ask
    /// for (ISO 18013-5 §8.3.2.1.2.2: a response answers its request).
    DocumentNotRequested = 38, "document_not_requested", "document not requested";
    /// The holder ended the session (SessionData status 20, ISO 18013-5
    /// §9.1.1.4) without sending a DeviceResponse.
    SessionTerminated = 39, "session_terminated", "session terminated by the holder";
    /// An HPKE-sealed response (ISO 18013-7 Annex C, Apple in-app) did not
    /// open: tampered `enc` or ciphertext, wrong key or wrong `info` (RFC 9180).
    HpkeDecryptFailed = 40, "hpke_decrypt_failed", "HPKE decryption failed";
    /// The supplied decryption key is not the recipient key the request or
    /// the envelope names.
    HpkeKeyMismatch = 41, "hpke_key_mismatch", "HPKE key does not match the recipient";
    /// A SessionTranscript hash carried by the envelope (Apple `infoHash`)
    /// differs from the transcript the verifier computed.
    SessionTranscriptMismatch = 42, "session_transcript_mismatch", "session transcript mismatch";
    /// A JWE (RFC 7516, ECDH-ES) did not decrypt: key agreement failed, the
    /// `epk` is not on the curve, or AES-GCM authentication failed.
    JweDecryptFailed = 43, "jwe_decrypt_failed", "JWE decryption failed";
    /// A PEM or DER input given as a certificate is not an X.509 certificate
    /// at all (a private key, a CRL, text).
    NotACertificate = 44, "not_a_certificate", "input is not a certificate";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejection: a stable [`ErrorCode`] and a human message.
///
/// Messages name the structure and the rule that failed; they never carry an
/// element value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    /// Creates an error with a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Prefixes the message with where the error happened.
    pub(crate) fn context(mut self, ctx: &str) -> Self {
        self.message = format!("{ctx}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// Shorthand for building an [`Error`].
pub(crate) fn err(code: ErrorCode, message: impl Into<String>) -> Error {
    Error::new(code, message)
}

/// An [`ErrorCode::StructureInvalid`] error: the input is well-formed CBOR
/// (or JSON) but not the structure the standard defines.
pub(crate) fn structure(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::StructureInvalid, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "duplicate {}", c);
            assert_eq!(ErrorCode::from_str_code(c.as_str()), Some(*c));
            assert_eq!(ErrorCode::from_number(c.number()), Some(*c));
        }
        assert_eq!(ErrorCode::from_str_code("nope"), None);
    }
}
