//! The reader side of a proximity session (ISO 18013-5 §8, §9.1.1), sans I/O.
//!
//! The application moves bytes over its own NFC reader or BLE stack (see
//! [`crate::presentation::transport`] for the framing); [`ReaderSession`] says what to
//! send and what the received bytes mean:
//!
//! 1. read the [`DeviceEngagement`] from the QR code
//!    ([`DeviceEngagement::from_qr`]) or the NFC Handover Select
//!    ([`DeviceEngagement::from_nfc_handover`]);
//! 2. [`ReaderSession::new`] makes an ephemeral reader key on the holder
//!    key's curve and the SessionTranscript from the bytes as received;
//! 3. build a DeviceRequest ([`DeviceRequestBuilder`], optionally with
//!    ReaderAuth over [`ReaderSession::session_transcript`]) and send
//!    [`ReaderSession::establish`]'s SessionEstablishment;
//! 4. feed each received SessionData to [`ReaderSession::receive`] to get the
//!    DeviceResponse, then verify it with
//!    [`ReaderSession::verify_device_response`], which uses this session's
//!    transcript and reader key and binds the response to the DeviceRequest
//!    sent (documents and elements not requested are not returned, see
//!    [`crate::presentation::request`]);
//! 5. [`ReaderSession::terminate`] gives the status-20 message.
//!
//! Every out-of-order call, bad counter, failed tag or error status is an
//! [`Error`] with [`ErrorCode::SessionDecryptionFailed`] or
//! [`ErrorCode::SessionProtocolError`], after which the session is closed.
//!
//! ## Apple ProximityReader (iOS "Tap to Present ID")
//!
//! On iOS, `MobileDocumentReader` runs the session itself and hands the app
//! the raw `responseData` (a DeviceResponse), the `sessionTranscript` bytes
//! and, for mdocs that authenticate with a MAC, the `ephemeralReaderKey`.
//! No [`ReaderSession`] is needed: verify directly with
//! [`SessionTranscript::from_bytes`] (it accepts the array or the
//! `#6.24`-wrapped SessionTranscriptBytes) and
//! [`ReaderKey::from_platform_bytes`] (raw scalar, X9.63, PKCS#8/SEC1 or
//! COSE_Key). Pass the transcript bytes unchanged: a re-encoding breaks
//! device authentication. A deviceSignature needs only the transcript; a
//! deviceMac also needs the reader key (`ephemeralReaderKey`, iOS 26.4+).
//!
//! ```no_run
//! # use kakunin::*;
//! # fn f(response_data: &[u8], session_transcript: &[u8], ephemeral_reader_key: &[u8], trust: TrustStore) -> Result<(), Error> {
//! let transcript = SessionTranscript::from_bytes(session_transcript)?;
//! let reader_key = ReaderKey::from_platform_bytes(ephemeral_reader_key)?;
//! let auth = DeviceAuthInput { session_transcript: Some(&transcript), reader_key: Some(&reader_key) };
//! let result = Verifier::new(trust).verify_device_response(response_data, auth, UnixTime::now());
//! # let _ = result; Ok(()) }
//! ```

mod device_request;
mod encryption;
mod engagement;
mod establishment;
mod reader_auth;
mod transcript;

pub use crate::presentation::request::ItemsRequest;
pub use crate::presentation::transcript::Handover;
pub use crate::presentation::transport::Uuid;
pub use device_request::DeviceRequestBuilder;
pub use encryption::{Role, SessionCipher};
pub use engagement::{DeviceEngagement, RetrievalMethod};
pub use establishment::{SessionData, SessionEstablishment, SessionStatus};
pub use reader_auth::{
    reader_authentication_bytes, verify_device_request, verify_reader_auth, DocRequestCheck, ReaderAuthKey,
    ReaderAuthSigner, VerifiedReaderAuth,
};
pub use transcript::build_session_transcript;

use crate::error::{err, Error, ErrorCode};
use crate::presentation::request::Request;
use crate::presentation::transcript::SessionTranscript;
use crate::reader_key::ReaderKey;
use crate::time::UnixTime;
use crate::verifier::{DeviceAuthInput, Verification, Verifier};

/// A fresh ephemeral key on `curve` (P-256, P-384 or P-521), for a reader
/// (or, in holder-side tools and tests, an mdoc).
pub fn generate_ephemeral_key(curve: crate::Curve) -> Result<ReaderKey, Error> {
    ReaderKey::generate(curve)
}

/// `#6.24(bstr .cbor COSE_Key)` of an ephemeral key's public part: the
/// EReaderKeyBytes of a SessionEstablishment (or EDeviceKeyBytes).
pub fn ephemeral_key_bytes(key: &ReaderKey) -> Vec<u8> {
    transcript::e_reader_key_bytes(&key.key.public_key())
}

/// An ephemeral reader private key handed over by a platform; see
/// [`ReaderKey::from_platform_bytes`], which this forwards to.
#[deprecated(note = "use `ReaderKey::from_platform_bytes`")]
pub fn ephemeral_reader_key_from_bytes(data: &[u8]) -> Result<ReaderKey, Error> {
    ReaderKey::from_platform_bytes(data)
}

/// Where a [`ReaderSession`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionState {
    /// Keys derived; the SessionEstablishment has not been produced yet.
    Ready,
    /// A request was sent; waiting for the holder's SessionData.
    AwaitingResponse,
    /// A response arrived; another request may be sent, or the session ended.
    Idle,
    /// Terminated (by either side) or failed; no more messages.
    Closed,
}

/// What a received SessionData meant.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionEvent {
    /// A DeviceResponse; the session stays open.
    Response(Vec<u8>),
    /// A DeviceResponse together with status 20: the holder ended the session.
    ResponseAndTerminated(Vec<u8>),
    /// Status 20 alone: the holder ended the session.
    Terminated,
}

/// The reader's side of one session: an owned value with a
/// produce/feed interface, no I/O, no threads, no timers.
///
/// ```no_run
/// use kakunin::session::{DeviceEngagement, DeviceRequestBuilder, ItemsRequest, ReaderSession, SessionEvent};
/// # fn radio(_: &[u8]) -> Vec<u8> { Vec::new() }
/// # fn f(handover_select: &[u8], verifier: kakunin::Verifier) -> Result<(), kakunin::Error> {
/// let (engagement, handover) = DeviceEngagement::from_nfc_handover(handover_select, None)?;
/// let mut session = ReaderSession::new(engagement, handover)?;
/// let request = DeviceRequestBuilder::new()
///     .add(&ItemsRequest::new("org.iso.18013.5.1.mDL").element("org.iso.18013.5.1", "age_over_18"))?
///     .build();
/// let reply = radio(&session.establish(&request)?);
/// if let SessionEvent::Response(response) = session.receive(&reply)? {
///     let result = session.verify_device_response(&verifier, &response, kakunin::UnixTime::now());
///     println!("valid: {}", result.is_valid());
/// }
/// radio(&session.terminate());
/// # Ok(()) }
/// ```
///
/// Replaying the ISO 18013-5 Annex D session (NFC negotiated handover, the
/// recorded reader key) reproduces its messages byte for byte:
///
/// ```
/// use kakunin::session::{DeviceEngagement, ReaderSession, SessionEvent};
/// use kakunin::{Curve, ReaderKey, TrustStore, UnixTime, Verifier};
/// # macro_rules! annex_d { ($f:literal) => { hex::decode(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/iso18013-5-annex-d/", $f)).trim()) } }
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (engagement, handover) =
///     DeviceEngagement::from_nfc_handover(&annex_d!("handover_select.hex")?, Some(&annex_d!("handover_request.hex")?))?;
/// let reader_key = ReaderKey::from_scalar(Curve::P256, &annex_d!("e_reader_key.d.hex")?)?;
/// let mut session = ReaderSession::with_reader_key(engagement, handover, reader_key)?;
///
/// let establishment = session.establish(&annex_d!("device_request.hex")?)?;
/// assert_eq!(establishment, annex_d!("session_establishment.hex")?);
/// let event = session.receive(&annex_d!("session_data_device_response.hex")?)?;
/// let SessionEvent::Response(response) = event else { return Err("no response".into()) };
///
/// let iaca = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/iso18013-5-annex-d/iaca_cert.pem"));
/// let verifier = Verifier::new(TrustStore::from_pem_or_der(iaca)?);
/// let at = UnixTime::parse_rfc3339("2021-01-01T00:00:00Z").ok_or("time")?;
/// assert!(verifier.verify_device_response(&response, session.device_auth_input(), at).is_valid());
/// assert_eq!(session.terminate(), annex_d!("session_termination.hex")?);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ReaderSession {
    engagement: DeviceEngagement,
    handover: Handover,
    reader_key: ReaderKey,
    e_reader_key_bytes: Vec<u8>,
    transcript: SessionTranscript,
    cipher: SessionCipher,
    state: SessionState,
    /// What the last DeviceRequest sent asked for (empty when it could not
    /// be read: then no document is accepted).
    requested: Request,
}

fn protocol(msg: impl Into<String>) -> Error {
    err(ErrorCode::SessionProtocolError, msg)
}

impl ReaderSession {
    /// Starts a session with a fresh ephemeral reader key on the curve of
    /// the holder's EDeviceKey (P-256, P-384 or P-521).
    pub fn new(engagement: DeviceEngagement, handover: Handover) -> Result<Self, Error> {
        let key = generate_ephemeral_key(engagement.curve())?;
        Self::with_reader_key(engagement, handover, key)
    }

    /// Starts a session with a given ephemeral reader key (tests, replays).
    pub fn with_reader_key(
        engagement: DeviceEngagement,
        handover: Handover,
        reader_key: ReaderKey,
    ) -> Result<Self, Error> {
        if reader_key.curve() != engagement.curve() {
            return Err(err(
                ErrorCode::AlgorithmKeyMismatch,
                format!(
                    "reader key is {} but the holder's EDeviceKey is {}",
                    reader_key.curve().name(),
                    engagement.curve().name()
                ),
            ));
        }
        let e_reader_key_bytes = transcript::e_reader_key_bytes(&reader_key.key.public_key());
        let transcript = build_session_transcript(&engagement, &e_reader_key_bytes, &handover)?;
        let cipher = SessionCipher::derive_with(Role::Reader, &reader_key, engagement.e_device_key(), &transcript)?;
        Ok(ReaderSession {
            engagement,
            handover,
            reader_key,
            e_reader_key_bytes,
            transcript,
            cipher,
            state: SessionState::Ready,
            requested: Request::new(),
        })
    }

    /// The SessionTranscript of this session (for ReaderAuth and for
    /// verifying the DeviceResponse).
    pub fn session_transcript(&self) -> &SessionTranscript {
        &self.transcript
    }

    /// The reader's ephemeral private key (needed to verify a deviceMac).
    pub fn reader_key(&self) -> &ReaderKey {
        &self.reader_key
    }

    /// The inputs of device authentication for
    /// [`Verifier::verify_device_response`](crate::Verifier::verify_device_response).
    pub fn device_auth_input(&self) -> DeviceAuthInput<'_> {
        DeviceAuthInput {
            session_transcript: Some(&self.transcript),
            reader_key: Some(&self.reader_key),
        }
    }

    /// What the last DeviceRequest sent in this session asked for (read from
    /// the bytes given to [`ReaderSession::establish`] or
    /// [`ReaderSession::request`]; empty before the first request or when
    /// those bytes were not a readable DeviceRequest).
    pub fn requested(&self) -> &Request {
        &self.requested
    }

    /// Verifies a DeviceResponse received in this session: device
    /// authentication with this session's transcript and reader key, and
    /// the result bound to the last DeviceRequest sent
    /// ([`Verification::bind`]): a document of a docType not requested is
    /// `document_not_requested`, and elements not requested are not
    /// returned. A session whose request could not be read accepts no
    /// document.
    pub fn verify_device_response(&self, verifier: &Verifier, device_response: &[u8], now: UnixTime) -> Verification {
        verifier.verify_device_response_for(&self.requested, device_response, self.device_auth_input(), now)
    }

    /// EReaderKeyBytes as sent in the SessionEstablishment.
    pub fn e_reader_key_bytes(&self) -> &[u8] {
        &self.e_reader_key_bytes
    }

    /// The holder's engagement.
    pub fn engagement(&self) -> &DeviceEngagement {
        &self.engagement
    }

    /// The handover used in the transcript.
    pub fn handover(&self) -> &Handover {
        &self.handover
    }

    /// The current state.
    pub fn state(&self) -> SessionState {
        self.state
    }

    /// Encrypts the first DeviceRequest into the SessionEstablishment
    /// message to send (ISO 18013-5 §9.1.1.4). Only once, first.
    pub fn establish(&mut self, device_request: &[u8]) -> Result<Vec<u8>, Error> {
        let data = self.encrypt_request(
            SessionState::Ready,
            "SessionEstablishment can only be sent first",
            device_request,
        )?;
        Ok(SessionEstablishment::encode(&self.e_reader_key_bytes, &data))
    }

    /// Encrypts a further DeviceRequest into a SessionData message, after a
    /// response has arrived.
    pub fn request(&mut self, device_request: &[u8]) -> Result<Vec<u8>, Error> {
        let data = self.encrypt_request(
            SessionState::Idle,
            "a further request needs a completed exchange",
            device_request,
        )?;
        Ok(SessionData::encode(Some(&data), None))
    }

    /// Encrypts `device_request` when the session is in state `expected`
    /// (else a protocol error saying `refusal`), and remembers what it asks
    /// for: the answer is bound to it. A failed encryption closes the session.
    fn encrypt_request(
        &mut self,
        expected: SessionState,
        refusal: &str,
        device_request: &[u8],
    ) -> Result<Vec<u8>, Error> {
        if self.state != expected {
            return Err(protocol(format!("{refusal} (state {:?})", self.state)));
        }
        let data = self
            .cipher
            .encrypt(device_request)
            .inspect_err(|_| self.state = SessionState::Closed)?;
        self.state = SessionState::AwaitingResponse;
        self.requested = Request::from_device_request(device_request).unwrap_or_default();
        Ok(data)
    }

    /// Reads a SessionData message from the holder: the answer to the
    /// outstanding request or, between requests, a status-only message (for
    /// example the holder's termination). Any error closes the
    /// session; then send [`ReaderSession::error_message`] (status 10 or 11)
    /// or nothing, as the transport requires.
    pub fn receive(&mut self, session_data: &[u8]) -> Result<SessionEvent, Error> {
        let r = self.receive_inner(session_data);
        if r.is_err() {
            self.state = SessionState::Closed;
        }
        r
    }

    fn receive_inner(&mut self, session_data: &[u8]) -> Result<SessionEvent, Error> {
        if !matches!(self.state, SessionState::AwaitingResponse | SessionState::Idle) {
            return Err(protocol(format!("SessionData not expected (state {:?})", self.state)));
        }
        let msg = SessionData::parse(session_data)?;
        if self.state == SessionState::Idle && msg.data.is_some() {
            return Err(protocol(
                "SessionData with data arrived while no request was outstanding",
            ));
        }
        let status = match msg.status {
            None => None,
            Some(code) => match SessionStatus::from_code(code) {
                Some(SessionStatus::Termination) => Some(SessionStatus::Termination),
                Some(SessionStatus::EncryptionError) => {
                    return Err(protocol(
                        "the holder ended the session: session encryption error (status 10)",
                    ))
                }
                Some(SessionStatus::DecodingError) => {
                    return Err(protocol(
                        "the holder ended the session: CBOR decoding error (status 11)",
                    ))
                }
                None => return Err(protocol(format!("unknown session status {code}"))),
            },
        };
        match (msg.data, status) {
            (Some(ct), st) => {
                let pt = self.cipher.decrypt(&ct)?;
                if st.is_some() {
                    self.state = SessionState::Closed;
                    Ok(SessionEvent::ResponseAndTerminated(pt.to_vec()))
                } else {
                    self.state = SessionState::Idle;
                    Ok(SessionEvent::Response(pt.to_vec()))
                }
            }
            (None, Some(_)) => {
                self.state = SessionState::Closed;
                Ok(SessionEvent::Terminated)
            }
            (None, None) => Err(protocol("SessionData carries neither data nor status")),
        }
    }

    /// The SessionData `{status: 20}` that ends the session (§9.1.1.4);
    /// the session is closed afterwards.
    pub fn terminate(&mut self) -> Vec<u8> {
        self.state = SessionState::Closed;
        SessionData::encode(None, Some(SessionStatus::Termination))
    }

    /// The SessionData carrying an error status (10 or 11) to send after a
    /// failed [`ReaderSession::receive`]; the session is closed.
    pub fn error_message(&mut self, status: SessionStatus) -> Vec<u8> {
        self.state = SessionState::Closed;
        SessionData::encode(None, Some(status))
    }
}
