//! NFC device engagement, reader side (ISO 18013-5 §8.2.2.1), sans I/O:
//! the mdoc presents itself as an NFC Forum Type 4 Tag and the reader
//! reads its NDEF file.
//!
//! 1. SELECT the NDEF Tag Application, SELECT and READ the Capability
//!    Container (MLe, MLc, NDEF file id, size and access), SELECT the NDEF
//!    file, READ its length NLEN and then the message in chunks of at most
//!    MLe bytes (NFC Forum Type 4 Tag, NDEF read procedure).
//! 2. **Static handover**: that message is the Handover Select, with the
//!    `iso.org:18013:deviceengagement` record.
//! 3. **Negotiated handover**: that message holds TNEP Service Parameter
//!    records; when one names `urn:nfc:sn:handover`, the reader writes a
//!    Service Select with UPDATE BINARY (NFC Forum Type 4 Tag NDEF write
//!    procedure: NLEN 0, the message, then NLEN), waits t_wait and reads the
//!    TNEP Status; then writes the Handover Request and reads the Handover
//!    Select the same way. While the mdoc is not ready it shows NLEN = 0
//!    (or the reader's own message); the reader polls again after t_wait, at
//!    most N_wait times (TNEP 1.0 §4.1.6–4.1.7), then gives up.
//!
//! The result keeps the DeviceEngagement, Handover Select and Handover
//! Request bytes exactly as received or sent: the SessionTranscript embeds
//! them (ISO 18013-5 §9.1.5.1). Pass them to
//! [`DeviceEngagement::from_nfc_handover`](crate::presentation::session::DeviceEngagement::from_nfc_handover)
//! and then to [`ReaderSession`](crate::presentation::session::ReaderSession).
//!
//! Every unexpected status word, malformed Capability Container or record,
//! oversize length or exhausted poll is an [`Error`] with
//! [`ErrorCode::TransportError`] (or [`ErrorCode::LimitExceeded`] /
//! [`ErrorCode::StructureInvalid`] for sizes and NDEF syntax); the engine is
//! then finished and must be restarted.

use crate::error::{err, Error, ErrorCode};
use crate::presentation::transport::ndef::{parse_message, HandoverMessage, NfcCarrier, Tnf};
use crate::presentation::transport::nfc::{
    command_apdu, tag_response_data, CC_FILE_ID, INS_READ_BINARY, INS_SELECT, NDEF_TAG_AID,
};
use crate::presentation::transport::tnep::{self, ServiceParameter, HANDOVER_SERVICE};
use core::time::Duration;
use std::collections::VecDeque;

/// INS of UPDATE BINARY (ISO/IEC 7816-4 §11.3.5).
pub const INS_UPDATE_BINARY: u8 = 0xD6;

fn framing(msg: impl Into<String>) -> Error {
    err(ErrorCode::TransportError, format!("NFC engagement: {}", msg.into()))
}

/// Settings of the engagement reader.
#[derive(Clone, Debug)]
pub struct EngagementConfig {
    /// Largest NDEF message accepted from the tag.
    pub max_message: usize,
    /// The reader (and its driver) handles extended length APDUs: READ and
    /// UPDATE BINARY may then move up to the tag's MLe / MLc bytes at once.
    pub extended_length: bool,
    /// The Handover Request to write in negotiated handover (build it with
    /// [`handover_request`](crate::presentation::transport::ndef::handover_request)); it
    /// goes into the SessionTranscript as sent.
    pub handover_request: Vec<u8>,
}

impl Default for EngagementConfig {
    fn default() -> Self {
        EngagementConfig {
            max_message: 64 * 1024,
            extended_length: false,
            handover_request: Vec::new(),
        }
    }
}

/// What a response APDU meant.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EngagementEvent {
    /// Transmit this command APDU next.
    Send(Vec<u8>),
    /// Wait `delay` (the tag's t_wait), then transmit `apdu`.
    SendAfter {
        /// How long to wait first.
        delay: Duration,
        /// The command APDU.
        apdu: Vec<u8>,
    },
    /// Engagement finished.
    Done(NfcEngagement),
}

/// How the engagement went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandoverKind {
    /// The NDEF file held the Handover Select.
    Static,
    /// TNEP service exchange of Handover Request and Handover Select.
    Negotiated,
}

/// The outcome of NFC engagement: the bytes as received and sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NfcEngagement {
    /// Static or negotiated.
    pub kind: HandoverKind,
    /// The payload of the `iso.org:18013:deviceengagement` record.
    pub device_engagement: Vec<u8>,
    /// The Handover Select message.
    pub handover_select: Vec<u8>,
    /// The Handover Request message written (negotiated handover only).
    pub handover_request: Option<Vec<u8>>,
    /// The mdoc's NFC carrier (data retrieval over NFC), if offered.
    pub nfc: Option<NfcCarrier>,
    /// How many times the reader found NLEN = 0 and polled again.
    pub polls: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// The tag's initial NDEF message.
    Initial,
    /// The TNEP Status after the Service Select.
    Status,
    /// The Handover Select after the Handover Request.
    Select,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    SelectApp,
    SelectCc,
    ReadCc,
    SelectNdef,
    ReadLength(Phase),
    ReadBody(Phase),
    Writing(Phase),
    Done,
}

/// The reader's NFC engagement state machine (static and negotiated
/// handover). See the [module documentation](self).
#[derive(Debug)]
pub struct NfcEngagementReader {
    config: EngagementConfig,
    state: State,
    mle: usize,
    mlc: usize,
    file_size: usize,
    writable: bool,
    length: usize,
    message: Vec<u8>,
    written: Vec<u8>,
    writes: VecDeque<Vec<u8>>,
    service: Option<ServiceParameter>,
    polls_left: u8,
    polls: u32,
}

impl NfcEngagementReader {
    /// A new engine.
    pub fn new(config: EngagementConfig) -> Self {
        NfcEngagementReader {
            config,
            state: State::Idle,
            mle: 0,
            mlc: 0,
            file_size: 0,
            writable: false,
            length: 0,
            message: Vec::new(),
            written: Vec::new(),
            writes: VecDeque::new(),
            service: None,
            polls_left: 0,
            polls: 0,
        }
    }

    /// The first command: SELECT of the NDEF Tag Application.
    pub fn start(&mut self) -> Vec<u8> {
        *self = NfcEngagementReader::new(core::mem::take(&mut self.config));
        self.state = State::SelectApp;
        command_apdu(0x00, INS_SELECT, 0x04, 0x00, &NDEF_TAG_AID, Some(256), false)
    }

    fn read(&self, offset: usize, len: usize) -> Vec<u8> {
        // P1-P2: the offset's low 16 bits.
        let [.., p1, p2] = offset.to_be_bytes();
        command_apdu(0x00, INS_READ_BINARY, p1, p2, &[], Some(len), len > 256)
    }

    fn next_body_read(&self) -> Vec<u8> {
        let done = self.message.len();
        let len = self.length.saturating_sub(done).min(self.mle);
        self.read(2 + done, len)
    }

    fn update(&self, offset: usize, data: &[u8]) -> Vec<u8> {
        // P1-P2: the offset's low 16 bits.
        let [.., p1, p2] = offset.to_be_bytes();
        command_apdu(0x00, INS_UPDATE_BINARY, p1, p2, data, None, data.len() > 255)
    }

    fn wait(&self) -> Duration {
        self.service
            .as_ref()
            .map_or(Duration::ZERO, ServiceParameter::wait_time)
    }

    /// Queues the NDEF write procedure for `message` and returns its first
    /// UPDATE BINARY.
    fn write(&mut self, message: Vec<u8>, phase: Phase) -> Result<EngagementEvent, Error> {
        if !self.writable {
            return Err(framing("the NDEF file is read-only; negotiated handover impossible"));
        }
        // The size check gives the 2-byte NLEN field.
        let nlen = match u16::try_from(message.len()) {
            Ok(n @ 1..=0x7FFD) if message.len() + 2 <= self.file_size => n.to_be_bytes(),
            _ => {
                return Err(framing(format!(
                    "a {}-byte message does not fit the {}-byte NDEF file",
                    message.len(),
                    self.file_size
                )))
            }
        };
        if let Some(sp) = &self.service {
            if message.len() > usize::from(sp.max_message_size) {
                return Err(framing("message larger than the service's maximum NDEF message size"));
            }
        }
        self.writes.clear();
        if message.len() + 2 <= self.mlc {
            let mut all = nlen.to_vec();
            all.extend_from_slice(&message);
            self.writes.push_back(self.update(0, &all));
        } else {
            self.writes.push_back(self.update(0, &[0, 0]));
            let mut off = 0;
            for chunk in message.chunks(self.mlc.max(1)) {
                self.writes.push_back(self.update(2 + off, chunk));
                off += chunk.len();
            }
            self.writes.push_back(self.update(0, &nlen));
        }
        self.written = message;
        self.state = State::Writing(phase);
        let first = self.writes.pop_front().ok_or_else(|| framing("nothing to write"))?;
        Ok(EngagementEvent::Send(first))
    }

    /// Feeds a response APDU (data ‖ SW1 SW2).
    pub fn on_response(&mut self, rapdu: &[u8]) -> Result<EngagementEvent, Error> {
        let r = self.on_response_inner(rapdu);
        if r.is_err() {
            self.state = State::Idle;
            self.message.clear();
            self.writes.clear();
        }
        r
    }

    fn on_response_inner(&mut self, rapdu: &[u8]) -> Result<EngagementEvent, Error> {
        let data = tag_response_data(rapdu, &self.state)?;
        match self.state {
            State::Idle | State::Done => Err(framing("unexpected response APDU")),
            State::SelectApp => {
                self.state = State::SelectCc;
                Ok(EngagementEvent::Send(command_apdu(
                    0x00,
                    INS_SELECT,
                    0x00,
                    0x0C,
                    &CC_FILE_ID,
                    None,
                    false,
                )))
            }
            State::SelectCc => {
                self.state = State::ReadCc;
                Ok(EngagementEvent::Send(self.read(0, 15)))
            }
            State::ReadCc => self.on_cc(data),
            State::SelectNdef => {
                self.state = State::ReadLength(Phase::Initial);
                Ok(EngagementEvent::Send(self.read(0, 2)))
            }
            State::Writing(phase) => {
                if !data.is_empty() {
                    return Err(framing("UPDATE BINARY answered with data"));
                }
                match self.writes.pop_front() {
                    Some(next) => Ok(EngagementEvent::Send(next)),
                    None => {
                        self.state = State::ReadLength(phase);
                        Ok(EngagementEvent::SendAfter {
                            delay: self.wait(),
                            apdu: self.read(0, 2),
                        })
                    }
                }
            }
            State::ReadLength(phase) => {
                let &[n0, n1] = data else {
                    return Err(framing("NLEN is not 2 bytes"));
                };
                let len = usize::from(u16::from_be_bytes([n0, n1]));
                if len == 0 {
                    return self.poll(phase);
                }
                if len > 0x7FFD {
                    // READ BINARY addresses 15-bit offsets (ISO/IEC 7816-4 §11.3.3).
                    return Err(framing("NDEF message beyond READ BINARY's 15-bit offsets"));
                }
                if len > self.config.max_message || len + 2 > self.file_size.max(2) {
                    return Err(err(
                        ErrorCode::LimitExceeded,
                        "NFC engagement: NDEF message larger than the limit or the NDEF file",
                    ));
                }
                self.length = len;
                self.message.clear();
                self.state = State::ReadBody(phase);
                Ok(EngagementEvent::Send(self.next_body_read()))
            }
            State::ReadBody(phase) => {
                let want = self.length.saturating_sub(self.message.len()).min(self.mle);
                if data.is_empty() || data.len() > want {
                    return Err(framing("READ BINARY returned an unexpected length"));
                }
                self.message.extend_from_slice(data);
                if self.message.len() < self.length {
                    return Ok(EngagementEvent::Send(self.next_body_read()));
                }
                let message = core::mem::take(&mut self.message);
                if phase != Phase::Initial && message == self.written {
                    // The mdoc has not replaced the reader's message yet.
                    return self.poll(phase);
                }
                self.on_message(phase, message)
            }
        }
    }

    fn on_cc(&mut self, data: &[u8]) -> Result<EngagementEvent, Error> {
        // CCLEN(2) mapping version(1) MLe(2) MLc(2), then the NDEF File Control
        // TLV: T=04 L=06 file id(2) max NDEF file size(2) read(1) write(1).
        let Some(
            &[_, _, version, mle_hi, mle_lo, mlc_hi, mlc_lo, tlv_t, tlv_l, fid_hi, fid_lo, size_hi, size_lo, read_access, write_access],
        ) = data.get(..15)
        else {
            return Err(framing("Capability Container shorter than 15 bytes"));
        };
        if version >> 4 != 2 && version >> 4 != 3 {
            return Err(framing(format!("Type 4 Tag mapping version {version:#04x}")));
        }
        let mle = usize::from(u16::from_be_bytes([mle_hi, mle_lo]));
        let mlc = usize::from(u16::from_be_bytes([mlc_hi, mlc_lo]));
        if mle < 0x0f || mlc == 0 {
            return Err(framing("Capability Container MLe below 15 or MLc zero"));
        }
        if tlv_t != 0x04 || tlv_l != 0x06 {
            return Err(framing("Capability Container lacks an NDEF File Control TLV"));
        }
        if read_access != 0x00 {
            return Err(framing("NDEF file is not readable"));
        }
        let (mle_cap, mlc_cap) = if self.config.extended_length {
            (65535, 65535)
        } else {
            (256, 255)
        };
        self.mle = mle.min(mle_cap);
        self.mlc = mlc.min(mlc_cap);
        self.file_size = usize::from(u16::from_be_bytes([size_hi, size_lo]));
        self.writable = write_access == 0x00;
        self.state = State::SelectNdef;
        Ok(EngagementEvent::Send(command_apdu(
            0x00,
            INS_SELECT,
            0x00,
            0x0C,
            &[fid_hi, fid_lo],
            None,
            false,
        )))
    }

    fn poll(&mut self, phase: Phase) -> Result<EngagementEvent, Error> {
        if phase == Phase::Initial {
            return Err(framing("the tag holds no NDEF message"));
        }
        if self.polls_left == 0 {
            return Err(framing(format!(
                "the mdoc did not answer within its {} waiting time extensions",
                self.service.as_ref().map_or(0, |s| s.n_wait)
            )));
        }
        self.polls_left -= 1;
        self.polls += 1;
        self.state = State::ReadLength(phase);
        Ok(EngagementEvent::SendAfter {
            delay: self.wait(),
            apdu: self.read(0, 2),
        })
    }

    fn on_message(&mut self, phase: Phase, message: Vec<u8>) -> Result<EngagementEvent, Error> {
        let records = parse_message(&message)?;
        match phase {
            Phase::Initial => {
                let service = records
                    .iter()
                    .filter(|r| r.tnf == Tnf::WellKnown && r.record_type == tnep::SERVICE_PARAMETER_TYPE)
                    .map(|r| ServiceParameter::parse(r.payload))
                    .find(|sp| sp.as_ref().map_or(true, |sp| sp.service == HANDOVER_SERVICE))
                    .transpose()?;
                match service {
                    None => self.finish(HandoverKind::Static, message, None),
                    Some(sp) => {
                        if sp.communication_mode != 0 {
                            return Err(framing("handover service is not in single response mode"));
                        }
                        if self.config.handover_request.is_empty() {
                            return Err(framing("negotiated handover needs a Handover Request"));
                        }
                        self.polls_left = sp.n_wait;
                        self.service = Some(sp);
                        self.write(tnep::service_select_message(HANDOVER_SERVICE), Phase::Status)
                    }
                }
            }
            Phase::Status => {
                let status = records
                    .iter()
                    .find(|r| r.tnf == Tnf::WellKnown && r.record_type == tnep::STATUS_TYPE)
                    .ok_or_else(|| framing("no TNEP Status record after the Service Select"))?;
                let status = tnep::parse_status(status.payload)?;
                if status != 0x00 {
                    return Err(framing(format!(
                        "the mdoc refused the handover service: TNEP status {status:#04x}"
                    )));
                }
                self.polls_left = self.service.as_ref().map_or(0, |s| s.n_wait);
                let hr = self.config.handover_request.clone();
                self.write(hr, Phase::Select)
            }
            Phase::Select => {
                let hr = core::mem::take(&mut self.written);
                self.finish(HandoverKind::Negotiated, message, Some(hr))
            }
        }
    }

    fn finish(
        &mut self,
        kind: HandoverKind,
        handover_select: Vec<u8>,
        handover_request: Option<Vec<u8>>,
    ) -> Result<EngagementEvent, Error> {
        let hs = HandoverMessage::parse(&handover_select, b"Hs")?;
        let device_engagement = hs
            .device_engagement()
            .ok_or_else(|| {
                err(
                    ErrorCode::StructureInvalid,
                    "NFC engagement: Handover Select has no iso.org:18013:deviceengagement record",
                )
            })?
            .to_vec();
        let nfc = hs.nfc_carrier()?;
        self.state = State::Done;
        Ok(EngagementEvent::Done(NfcEngagement {
            kind,
            device_engagement,
            handover_select,
            handover_request,
            nfc,
            polls: self.polls,
        }))
    }
}
