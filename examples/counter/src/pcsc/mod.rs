//! Proximity over a PC/SC reader: NFC engagement and data retrieval with a
//! phone held on the counter's reader (ISO/IEC 18013-5 over NFC).
//!
//! The server calls [`reader_available`] to decide whether to offer
//! 「カードリーダーで確認」, and [`verify_proximity`] (on a blocking thread)
//! when the clerk presses it. This is the whole boundary with the rest of
//! the counter: what to request and whom to trust come in
//! [`ProximityInput`], a [`kakunin::Verification`] or a
//! [`ProximityError`] goes out; the server writes the audit record and
//! renders the verdict.
//!
//! This build has no PC/SC engine yet: no reader is reported, and
//! [`verify_proximity`] answers [`ProximityErrorKind::NoReader`].

use kakunin::privacy::ElementRequest;
use kakunin::{Verification, Verifier};
use std::time::Duration;

/// What one proximity verification needs.
pub struct ProximityInput<'a> {
    /// The verifier (trust anchors, revocation data, policy).
    pub verifier: &'a Verifier,
    /// What to request, one entry per docType (already checked by the
    /// privacy policy).
    pub requests: &'a [ElementRequest],
    /// A substring of the reader name; `None`: the first reader.
    pub reader: Option<&'a str>,
    /// How long to wait for the phone, and for each exchange.
    pub timeout: Duration,
}

/// Why a proximity verification produced no verdict on a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProximityErrorKind {
    /// No PC/SC reader (or not the configured one).
    NoReader,
    /// No phone was presented within the timeout.
    NoCard,
    /// The phone stopped answering within the timeout.
    Timeout,
    /// The phone went away or ended the exchange mid-session.
    HolderStopped,
    /// Any other reader or protocol failure.
    Other,
}

impl ProximityErrorKind {
    /// The counter reason code shown on screen (see [`crate::i18n`]).
    pub fn code(self) -> &'static str {
        match self {
            ProximityErrorKind::NoReader => "pcsc_no_reader",
            ProximityErrorKind::NoCard => "pcsc_no_card",
            ProximityErrorKind::Timeout => "pcsc_timeout",
            ProximityErrorKind::HolderStopped => "pcsc_holder_stopped",
            ProximityErrorKind::Other => "pcsc_error",
        }
    }
}

/// A proximity failure without a verification result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProximityError {
    /// What kind of failure.
    pub kind: ProximityErrorKind,
    /// Technical detail for the operator's log (never personal data).
    pub detail: String,
}

/// Whether a reader (the configured one, if named) is present now.
pub fn reader_available(_reader: Option<&str>) -> bool {
    false
}

/// Runs one proximity verification: waits for a phone on the reader,
/// engages over NFC, requests `input.requests` and verifies the response.
/// Blocking; the server runs it on a blocking thread.
pub fn verify_proximity(_input: &ProximityInput<'_>) -> Result<Verification, ProximityError> {
    Err(ProximityError {
        kind: ProximityErrorKind::NoReader,
        detail: "this build has no PC/SC support".into(),
    })
}
