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
//! Inside: [`link`] reaches the phone through PC/SC (the `pcsc` crate) with
//! a deadline on every APDU; [`tap`] runs kakunin's sans-I/O engines over
//! it — NFC engagement (static or TNEP negotiated handover), the session,
//! data retrieval over NFC (extended length APDUs when the reader carries
//! them) or over BLE through the [`ble`] adapter trait — and verifies the
//! response with the session's transcript.

pub mod ble;
pub mod link;
pub mod tap;

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
pub fn reader_available(reader: Option<&str>) -> bool {
    link::readers().is_ok_and(|names| link::pick(&names, reader).is_some())
}

/// Runs one proximity verification: waits for a phone on the reader,
/// engages over NFC, requests `input.requests` and verifies the response.
/// Blocking; the server runs it on a blocking thread. Every wait is bounded
/// by `input.timeout`: a phone that stops answering ends the tap with
/// [`ProximityErrorKind::Timeout`].
pub fn verify_proximity(input: &ProximityInput<'_>) -> Result<Verification, ProximityError> {
    verify_proximity_with(input, None).map(|r| r.verification)
}

/// [`verify_proximity`] with an optional BLE adapter, returning the tap's
/// round-trip counts and timing too.
pub fn verify_proximity_with(
    input: &ProximityInput<'_>,
    ble: Option<&mut dyn ble::BleCentral>,
) -> Result<tap::TapReport, ProximityError> {
    let mut card = link::PcscLink::wait_for_card(input.reader, input.timeout).map_err(|e| match e {
        link::ConnectError::NoReader(d) => ProximityError {
            kind: ProximityErrorKind::NoReader,
            detail: d,
        },
        link::ConnectError::NoCard => ProximityError {
            kind: ProximityErrorKind::NoCard,
            detail: format!("no phone on the reader within {} s", input.timeout.as_secs()),
        },
        link::ConnectError::Reader(d) => ProximityError {
            kind: ProximityErrorKind::Other,
            detail: d,
        },
    })?;
    tap::run_tap(&mut card, input, ble)
}
