//! NFC data retrieval framing, reader side (ISO 18013-5 §8.3.3.1.2;
//! ISO/IEC 7816-4 APDUs).
//!
//! The reader SELECTs the mdoc application, then sends each session message
//! (SessionEstablishment or SessionData) wrapped in a BER-TLV `53` data
//! object inside ENVELOPE commands (INS `C3`), chained with CLA `10` when it
//! does not fit one command. The mdoc answers the last ENVELOPE with the
//! start of its (TLV-wrapped) message and `61xx` while more remains, which
//! the reader fetches with GET RESPONSE (INS `C0`).

use crate::error::{err, Error, ErrorCode};
use std::collections::VecDeque;

/// AID of the mdoc data-retrieval application (ISO 18013-5 §8.3.3.1.2).
pub const MDOC_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x48, 0x04, 0x00];
/// INS of ENVELOPE (ISO/IEC 7816-4 §11.5.4).
pub const INS_ENVELOPE: u8 = 0xC3;
/// INS of GET RESPONSE (ISO/IEC 7816-4 §11.5.3).
pub const INS_GET_RESPONSE: u8 = 0xC0;
/// INS of SELECT (ISO/IEC 7816-4 §11.2.2).
pub const INS_SELECT: u8 = 0xA4;
/// CLA bit of command chaining (ISO/IEC 7816-4 §5.4.1).
pub const CLA_CHAINING: u8 = 0x10;
/// Tag of the data object that encapsulates session messages.
pub const TAG_ENCAPSULATED: u8 = 0x53;

fn framing(msg: impl Into<String>) -> Error {
    err(ErrorCode::TransportError, format!("NFC: {}", msg.into()))
}

/// Wraps a session message in the BER-TLV `53` data object.
pub fn encapsulate(message: &[u8]) -> Vec<u8> {
    let n = message.len();
    let mut out = Vec::with_capacity(n + 5);
    out.push(TAG_ENCAPSULATED);
    if let Ok(b) = u8::try_from(n) {
        if b < 0x80 {
            out.push(b);
        } else {
            out.extend_from_slice(&[0x81, b]);
        }
    } else if let Ok(h) = u16::try_from(n) {
        out.push(0x82);
        out.extend_from_slice(&h.to_be_bytes());
    } else {
        // Three length bytes: the low 24 bits.
        let [.., a, b, c] = n.to_be_bytes();
        out.extend_from_slice(&[0x83, a, b, c]);
    }
    out.extend_from_slice(message);
    out
}

/// Unwraps a BER-TLV `53` data object that spans all of `data`.
pub fn decapsulate(data: &[u8]) -> Result<&[u8], Error> {
    let (&tag, rest) = data
        .split_first()
        .ok_or_else(|| framing("empty encapsulated message"))?;
    if tag != TAG_ENCAPSULATED {
        return Err(framing(format!("encapsulation tag {tag:#04x}, expected 0x53")));
    }
    let (&first, rest) = rest.split_first().ok_or_else(|| framing("truncated TLV length"))?;
    let (len, body) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81..=0x83 => {
            let k = usize::from(first - 0x80);
            let lb = rest.get(..k).ok_or_else(|| framing("truncated TLV length"))?;
            let len = lb.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b));
            (len, rest.get(k..).unwrap_or_default())
        }
        _ => return Err(framing("unsupported TLV length form")),
    };
    if body.len() != len {
        return Err(framing(format!("TLV length {len} but {} bytes present", body.len())));
    }
    Ok(body)
}

/// A command APDU, borrowed (for holder-side tools and tests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandApdu<'a> {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data (empty when absent).
    pub data: &'a [u8],
    /// Expected response length Ne (`None`: absent; 256 or 65536 for `00`).
    pub le: Option<usize>,
    /// Whether the extended length form was used.
    pub extended: bool,
}

impl<'a> CommandApdu<'a> {
    /// Parses the four cases of ISO/IEC 7816-4 §5.1 in short and extended form.
    pub fn parse(apdu: &'a [u8]) -> Result<Self, Error> {
        let (hdr, body) = apdu
            .split_at_checked(4)
            .ok_or_else(|| framing("APDU shorter than 4 bytes"))?;
        let &[cla, ins, p1, p2] = hdr else {
            return Err(framing("APDU shorter than 4 bytes"));
        };
        let mk = |data, le, extended| CommandApdu {
            cla,
            ins,
            p1,
            p2,
            data,
            le,
            extended,
        };
        let short_le = |b: u8| if b == 0 { 256 } else { usize::from(b) };
        let ext_le = |b: [u8; 2]| match u16::from_be_bytes(b) {
            0 => 65536,
            n => usize::from(n),
        };
        match body {
            [] => Ok(mk(&[], None, false)),
            [le] => Ok(mk(&[], Some(short_le(*le)), false)),
            [0, a, b] => Ok(mk(&[], Some(ext_le([*a, *b])), true)),
            [0, a, b, rest @ ..] => {
                let lc = usize::from(u16::from_be_bytes([*a, *b]));
                if lc == 0 {
                    return Err(framing("extended Lc of zero"));
                }
                match rest.split_at_checked(lc) {
                    Some((data, [])) => Ok(mk(data, None, true)),
                    Some((data, &[x, y])) => Ok(mk(data, Some(ext_le([x, y])), true)),
                    _ => Err(framing("extended APDU length mismatch")),
                }
            }
            [lc, rest @ ..] => {
                let lc = usize::from(*lc);
                match rest.split_at_checked(lc) {
                    Some((data, [])) => Ok(mk(data, None, false)),
                    Some((data, &[le])) => Ok(mk(data, Some(short_le(le)), false)),
                    _ => Err(framing("short APDU length mismatch")),
                }
            }
        }
    }
}

/// Builds a command APDU (short form when it fits and `extended` is false).
pub fn command_apdu(cla: u8, ins: u8, p1: u8, p2: u8, data: &[u8], le: Option<usize>, extended: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 9);
    out.extend_from_slice(&[cla, ins, p1, p2]);
    if extended {
        if !data.is_empty() {
            // Lc in two bytes: the low 16 bits.
            let [.., hi, lo] = data.len().to_be_bytes();
            out.extend_from_slice(&[0, hi, lo]);
            out.extend_from_slice(data);
        }
        if let Some(le) = le {
            if data.is_empty() {
                out.push(0);
            }
            // An Le of 65536 (or more) is encoded as 00 00.
            out.extend_from_slice(&u16::try_from(le).unwrap_or(0).to_be_bytes());
        }
    } else {
        if !data.is_empty() {
            // Lc in one byte: the low 8 bits.
            let [.., lc] = data.len().to_be_bytes();
            out.push(lc);
            out.extend_from_slice(data);
        }
        if let Some(le) = le {
            // An Le of 256 (or more) is encoded as 00.
            out.push(u8::try_from(le).unwrap_or(0));
        }
    }
    out
}

/// Limits of the reader's NFC framing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NfcConfig {
    /// Most command data bytes per APDU (the mdoc's NfcOptions
    /// maxLenCommandData; at most 255 without extended length).
    pub max_command_data: usize,
    /// Use extended length APDUs.
    pub extended_length: bool,
    /// Largest reassembled response accepted.
    pub max_message: usize,
}

impl Default for NfcConfig {
    fn default() -> Self {
        NfcConfig {
            max_command_data: 255,
            extended_length: false,
            max_message: 4 * 1024 * 1024,
        }
    }
}

/// What a response APDU meant.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NfcEvent {
    /// The mdoc application is selected; send a message next.
    Selected,
    /// Transmit this command APDU next.
    Send(Vec<u8>),
    /// A complete session message from the mdoc (TLV removed).
    Message(Vec<u8>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    Selecting,
    Ready,
    Chaining,
    Receiving,
}

/// The reader's NFC APDU state machine.
#[derive(Debug)]
pub struct NfcReader {
    config: NfcConfig,
    state: State,
    pending: VecDeque<Vec<u8>>,
    response: Vec<u8>,
}

impl NfcReader {
    /// A new framer.
    pub fn new(config: NfcConfig) -> Self {
        NfcReader {
            config,
            state: State::Idle,
            pending: VecDeque::new(),
            response: Vec::new(),
        }
    }

    /// The SELECT (by AID, no response data) to send first.
    pub fn select(&mut self) -> Vec<u8> {
        self.state = State::Selecting;
        command_apdu(0x00, INS_SELECT, 0x04, 0x0C, &MDOC_AID, None, false)
    }

    fn le(&self) -> usize {
        if self.config.extended_length {
            65536
        } else {
            256
        }
    }

    /// Starts sending a session message: returns the first ENVELOPE APDU;
    /// the rest follow from [`NfcReader::on_response`].
    pub fn send_message(&mut self, message: &[u8]) -> Result<Vec<u8>, Error> {
        if self.state != State::Ready {
            return Err(framing(format!("cannot send a message in state {:?}", self.state)));
        }
        let cap = if self.config.extended_length { 65535 } else { 255 };
        let chunk = self.config.max_command_data.clamp(1, cap);
        let body = encapsulate(message);
        let mut chunks: Vec<&[u8]> = body.chunks(chunk).collect();
        let last = chunks.pop().unwrap_or_default();
        self.pending.clear();
        for c in chunks {
            self.pending.push_back(command_apdu(
                CLA_CHAINING,
                INS_ENVELOPE,
                0,
                0,
                c,
                None,
                self.config.extended_length,
            ));
        }
        let le = self.le();
        self.pending.push_back(command_apdu(
            0x00,
            INS_ENVELOPE,
            0,
            0,
            last,
            Some(le),
            self.config.extended_length,
        ));
        self.response.clear();
        self.state = if self.pending.len() > 1 {
            State::Chaining
        } else {
            State::Receiving
        };
        self.pending.pop_front().ok_or_else(|| framing("nothing to send"))
    }

    /// Feeds a response APDU (data ‖ SW1 SW2).
    pub fn on_response(&mut self, rapdu: &[u8]) -> Result<NfcEvent, Error> {
        let r = self.on_response_inner(rapdu);
        if r.is_err() {
            self.state = State::Idle;
            self.pending.clear();
            self.response.clear();
        }
        r
    }

    fn on_response_inner(&mut self, rapdu: &[u8]) -> Result<NfcEvent, Error> {
        let split = rapdu
            .len()
            .checked_sub(2)
            .ok_or_else(|| framing("response APDU shorter than 2 bytes"))?;
        let (data, sw) = rapdu.split_at(split);
        let &[sw1, sw2] = sw else {
            return Err(framing("response APDU shorter than 2 bytes"));
        };
        match self.state {
            State::Idle | State::Ready => Err(framing("unexpected response APDU")),
            State::Selecting => {
                if (sw1, sw2) != (0x90, 0x00) {
                    return Err(framing(format!("SELECT of the mdoc AID failed: SW {sw1:02X}{sw2:02X}")));
                }
                self.state = State::Ready;
                Ok(NfcEvent::Selected)
            }
            State::Chaining => {
                if (sw1, sw2) != (0x90, 0x00) || !data.is_empty() {
                    return Err(framing(format!("chained ENVELOPE refused: SW {sw1:02X}{sw2:02X}")));
                }
                let next = self
                    .pending
                    .pop_front()
                    .ok_or_else(|| framing("chaining out of sequence"))?;
                if self.pending.is_empty() {
                    self.state = State::Receiving;
                }
                Ok(NfcEvent::Send(next))
            }
            State::Receiving => {
                if self.response.len() + data.len() > self.config.max_message {
                    return Err(err(ErrorCode::LimitExceeded, "NFC: response larger than max_message"));
                }
                self.response.extend_from_slice(data);
                match (sw1, sw2) {
                    (0x90, 0x00) => {
                        let msg = decapsulate(&self.response)?.to_vec();
                        self.response.clear();
                        self.state = State::Ready;
                        Ok(NfcEvent::Message(msg))
                    }
                    (0x61, xx) => {
                        let le = if xx == 0 { self.le() } else { usize::from(xx) };
                        Ok(NfcEvent::Send(command_apdu(
                            0x00,
                            INS_GET_RESPONSE,
                            0,
                            0,
                            &[],
                            Some(le),
                            self.config.extended_length,
                        )))
                    }
                    _ => Err(framing(format!("mdoc answered SW {sw1:02X}{sw2:02X}"))),
                }
            }
        }
    }
}

/// AID of the NFC Forum Type 4 Tag NDEF application (NFC Forum T4T 1.0 §5.1).
pub const NDEF_TAG_AID: [u8; 7] = [0xD2, 0x76, 0x00, 0x00, 0x85, 0x01, 0x01];
/// File id of the Type 4 Tag Capability Container.
pub const CC_FILE_ID: [u8; 2] = [0xE1, 0x03];

/// The data of a Type 4 Tag response APDU that ended in SW 9000 (NFC Forum
/// Type 4 Tag 2.0 §5.1.1); any other status word, or a response shorter
/// than its status word, is a framing error naming the reader's `state`.
pub(crate) fn tag_response_data<'a>(rapdu: &'a [u8], state: &dyn core::fmt::Debug) -> Result<&'a [u8], Error> {
    let split = rapdu
        .len()
        .checked_sub(2)
        .ok_or_else(|| framing("response APDU shorter than 2 bytes"))?;
    let (data, sw) = rapdu.split_at(split);
    let &[sw1, sw2] = sw else {
        return Err(framing("response APDU shorter than 2 bytes"));
    };
    if (sw1, sw2) != (0x90, 0x00) {
        return Err(framing(format!(
            "tag answered SW {sw1:02X}{sw2:02X} in state {state:?}"
        )));
    }
    Ok(data)
}
/// INS of READ BINARY (ISO/IEC 7816-4 §11.3.3).
pub const INS_READ_BINARY: u8 = 0xB0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlv_round_trip_all_length_forms() {
        for n in [0usize, 1, 127, 128, 255, 256, 65535, 65536, 70000] {
            let m = vec![0xabu8; n];
            assert_eq!(decapsulate(&encapsulate(&m)).unwrap(), m.as_slice(), "n={n}");
        }
        assert!(decapsulate(&[0x53, 0x05, 1, 2]).is_err());
        assert!(decapsulate(&[0x54, 0x00]).is_err());
        assert!(decapsulate(&[0x53, 0x84, 0, 0, 0, 1, 0]).is_err());
    }

    #[test]
    fn apdu_round_trip() {
        for ext in [false, true] {
            for (data, le) in [
                (&b""[..], None),
                (&b""[..], Some(256)),
                (&b"abc"[..], None),
                (&b"abc"[..], Some(7)),
            ] {
                let le = if ext {
                    le.map(|l| if l == 256 { 65536 } else { l })
                } else {
                    le
                };
                let a = command_apdu(0, INS_ENVELOPE, 0, 0, data, le, ext);
                let p = CommandApdu::parse(&a).unwrap();
                assert_eq!((p.data, p.le), (data, le));
            }
        }
        assert!(CommandApdu::parse(&[0, 1, 2]).is_err());
        assert!(CommandApdu::parse(&[0, 0xC3, 0, 0, 5, 1, 2]).is_err());
    }

    #[test]
    fn rejects_out_of_sequence_and_bad_status() {
        let mut r = NfcReader::new(NfcConfig::default());
        assert!(r.on_response(&[0x90, 0x00]).is_err());
        assert!(r.send_message(b"x").is_err());
        r.select();
        assert!(r.on_response(&[0x6A, 0x82]).is_err());
        r.select();
        assert_eq!(r.on_response(&[0x90, 0x00]).unwrap(), NfcEvent::Selected);
        r.send_message(b"hello").unwrap();
        assert!(r.on_response(&[0x6F, 0x00]).is_err());
    }
}
