//! # kakunin — 確認, verification of ISO/IEC 18013-5 mobile documents
//!
//! kakunin turns the bytes a holder's phone presents (a DeviceResponse, an
//! IssuerSigned structure) into **either** attributes a counter can trust
//! **or** a precise, machine-readable reason for rejection.
//!
//! ```no_run
//! use kakunin::{DeviceAuthInput, SessionTranscript, TrustStore, UnixTime, Verifier};
//! # fn main() -> Result<(), kakunin::Error> {
//! let trust = TrustStore::from_pem_or_der(&std::fs::read("iaca.pem").unwrap())?;
//! let verifier = Verifier::new(trust);
//! let transcript = SessionTranscript::from_bytes(&std::fs::read("transcript.cbor").unwrap())?;
//! let response = std::fs::read("device_response.cbor").unwrap();
//! let auth = DeviceAuthInput { session_transcript: Some(&transcript), reader_key: None };
//! let result = verifier.verify_device_response(&response, auth, UnixTime::now());
//! match result.into_verified() {
//!     Ok(documents) => {
//!         for doc in &documents {
//!             println!("{}: {:?}", doc.doc_type(), doc.element("org.iso.18013.5.1", "age_over_20"));
//!         }
//!     }
//!     Err(rejected) => eprintln!("rejected: {:?}", rejected.error_codes()),
//! }
//! # Ok(()) }
//! ```
//!
//! Design rules: elements are reachable only through [`VerifiedDocument`];
//! every rejection carries a stable [`ErrorCode`]; digests and signatures
//! are computed over the bytes as received; input size bounds all work
//! ([`Limits`]).

#![deny(missing_docs)]
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)
)]

mod answers;
// `pub` items for `kakunin::internals::cbor`: without the `internals`
// feature nothing outside the crate reaches them.
#[cfg_attr(not(feature = "internals"), allow(unreachable_pub))]
mod cbor;
mod cose;
mod crypto;
mod device_auth;
pub mod doctype;
mod doctype_check;
mod document;
mod error;
// The C ABI (`include/kakunin.h`), compiled only with the `capi` feature so
// that Rust dependents get no `#[no_mangle]` symbols (two versions of the
// crate in one build would clash on them).
#[cfg(feature = "capi")]
#[allow(unsafe_code)]
pub mod ffi;
// Fuzz entry points and the internals kakunin's own tests and benches drive;
// not API (see the module doc), compiled only with the `internals` feature.
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod internals;
mod issuer_auth;
mod json;
mod limits;
mod mso;
mod pki;
pub mod presentation;
mod reader_key;
mod report;
mod response;
mod time;
mod value;
mod verifier;

// The public module paths predate the pki/ and presentation/ folders; they
// stay where users import them from.
pub use pki::{revocation, vical};
pub use presentation::{audit, privacy, request, session, transport};

pub use answers::{AgeAnswer, AgeEvidence, AgeVerdict, BasicInfo, ImageFormat, Portrait};
pub use crypto::{Curve, DigestAlgorithm, SignatureAlgorithm};
pub use document::{
    DeviceAuthKind, DocumentResult, IssuerSummary, Namespace, RejectedDocument, TypeWarning, VerifiedDocument,
};
pub use error::{Error, ErrorCode};
pub use limits::Limits;
pub use mso::ValidityInfo;
pub use pki::ds_cache::{DsCache, DsCacheStats, DEFAULT_DS_CACHE_CAPACITY};
pub use pki::profile::CertificateProfile;
pub use pki::trust::{AnchorRole, TrustAnchor, TrustPath, TrustStore, TrustStoreBuilder};
pub use pki::x509::{certificates_from_pem_or_der, ParsedCertificate};
pub use presentation::transcript::SessionTranscript;
pub use reader_key::ReaderKey;
pub use request::{ItemsRequest, Request};
pub use revocation::{RevocationData, RevocationMode, RevocationPolicy};
pub use time::{FullDate, UnixTime};
pub use value::ElementValue;
pub use verifier::{DeviceAuthInput, Policy, Verification, Verifier};

/// The README's Rust snippets are compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
