//! BLE GATT framing for data retrieval (ISO 18013-5 §8.3.3.1.1).
//!
//! Session messages travel in writes to / notifications from the
//! Client2Server and Server2Client characteristics. Each write or
//! notification carries at most ATT_MTU − 3 bytes; its first byte is `0x01`
//! when more chunks of the same message follow and `0x00` on the last one.
//! The State characteristic carries `0x01` (start) and `0x02` (end).

use crate::crypto;
use crate::error::{err, Error, ErrorCode};
use crate::presentation::transport::Uuid;

/// State characteristic value: start of data transfer.
pub const STATE_START: u8 = 0x01;
/// State characteristic value: end of session.
pub const STATE_END: u8 = 0x02;
/// Chunk prefix: more chunks of this message follow.
pub const PREFIX_MORE: u8 = 0x01;
/// Chunk prefix: last chunk of this message.
pub const PREFIX_LAST: u8 = 0x00;

const fn uuid(n: u8) -> Uuid {
    Uuid([
        0, 0, 0, n, 0xA1, 0x23, 0x48, 0xCE, 0x89, 0x6B, 0x4C, 0x76, 0x97, 0x33, 0x73, 0xE6,
    ])
}

/// Characteristics of the mdoc peripheral server mode service (§8.3.3.1.1.4).
pub mod peripheral_server {
    use super::{uuid, Uuid};
    /// State characteristic.
    pub const STATE: Uuid = uuid(0x01);
    /// Client2Server characteristic (reader writes).
    pub const CLIENT2SERVER: Uuid = uuid(0x02);
    /// Server2Client characteristic (mdoc notifies).
    pub const SERVER2CLIENT: Uuid = uuid(0x03);
    /// L2CAP characteristic (second edition drafts).
    pub const L2CAP: Uuid = uuid(0x0A);
}

/// Characteristics of the mdoc central client mode service (§8.3.3.1.1.5),
/// hosted by the reader.
pub mod central_client {
    use super::{uuid, Uuid};
    /// State characteristic.
    pub const STATE: Uuid = uuid(0x05);
    /// Client2Server characteristic (mdoc writes).
    pub const CLIENT2SERVER: Uuid = uuid(0x06);
    /// Server2Client characteristic (reader notifies).
    pub const SERVER2CLIENT: Uuid = uuid(0x07);
    /// Ident characteristic (the reader's value of [`super::ble_ident`]).
    pub const IDENT: Uuid = uuid(0x08);
    /// L2CAP characteristic (second edition drafts).
    pub const L2CAP: Uuid = uuid(0x0B);
}

fn framing(msg: impl Into<String>) -> Error {
    err(ErrorCode::TransportError, format!("BLE: {}", msg.into()))
}

/// The Ident value: HKDF-SHA256(EDeviceKeyBytes, no salt, "BLEIdent", 16)
/// (§8.3.3.1.1.4), which lets the holder check it reached the right reader
/// or lets a reader identify the right peripheral. `e_device_key_bytes` is
/// EDeviceKeyBytes as received, e.g.
/// [`DeviceEngagement::e_device_key_bytes`](crate::presentation::session::DeviceEngagement::e_device_key_bytes).
pub fn ble_ident(e_device_key_bytes: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    // HKDF with an empty salt equals HKDF with no salt (RFC 5869 §2.2).
    let _ = crypto::hkdf_sha256(e_device_key_bytes, &[], b"BLEIdent", &mut out);
    out
}

/// Splits and reassembles session messages for one BLE connection.
#[derive(Debug)]
pub struct BleFramer {
    mtu: usize,
    max_message: usize,
    incoming: Vec<u8>,
}

impl BleFramer {
    /// A framer for a negotiated ATT_MTU (23..=517) and a cap on the size of
    /// a reassembled message.
    pub fn new(att_mtu: usize, max_message: usize) -> Result<Self, Error> {
        if !(23..=517).contains(&att_mtu) {
            return Err(framing(format!("ATT_MTU {att_mtu} outside 23..=517")));
        }
        Ok(BleFramer {
            mtu: att_mtu,
            max_message,
            incoming: Vec::new(),
        })
    }

    /// The chunks (each at most ATT_MTU − 3 bytes, prefix included) to write
    /// or notify, in order.
    pub fn split(&self, message: &[u8]) -> Vec<Vec<u8>> {
        let room = self.mtu - 4;
        let mut out = Vec::with_capacity(message.len() / room + 1);
        let mut chunks = message.chunks(room).peekable();
        if chunks.peek().is_none() {
            out.push(vec![PREFIX_LAST]);
        }
        while let Some(c) = chunks.next() {
            let mut v = Vec::with_capacity(c.len() + 1);
            v.push(if chunks.peek().is_some() {
                PREFIX_MORE
            } else {
                PREFIX_LAST
            });
            v.extend_from_slice(c);
            out.push(v);
        }
        out
    }

    /// Feeds one received chunk; returns the message when its last chunk
    /// arrives. Errors leave the framer empty.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        let r = self.push_inner(chunk);
        if r.is_err() {
            self.incoming.clear();
        }
        r
    }

    fn push_inner(&mut self, chunk: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        if chunk.len() > self.mtu - 3 {
            return Err(framing(format!("chunk of {} bytes exceeds ATT_MTU − 3", chunk.len())));
        }
        let (&prefix, data) = chunk.split_first().ok_or_else(|| framing("empty chunk"))?;
        if self.incoming.len() + data.len() > self.max_message {
            return Err(err(ErrorCode::LimitExceeded, "BLE: message larger than max_message"));
        }
        match prefix {
            PREFIX_MORE => {
                self.incoming.extend_from_slice(data);
                Ok(None)
            }
            PREFIX_LAST => {
                self.incoming.extend_from_slice(data);
                Ok(Some(core::mem::take(&mut self.incoming)))
            }
            other => Err(framing(format!("chunk prefix {other:#04x} is neither 0x00 nor 0x01"))),
        }
    }

    /// Interprets a State characteristic value.
    pub fn on_state(value: &[u8]) -> Result<u8, Error> {
        match value {
            [STATE_START] => Ok(STATE_START),
            [STATE_END] => Ok(STATE_END),
            _ => Err(framing("State value is neither 0x01 nor 0x02")),
        }
    }

    /// Whether a partial message is buffered.
    pub fn has_partial(&self) -> bool {
        !self.incoming.is_empty()
    }
}

/// Which GATT role the mdoc takes (ISO 18013-5 §8.3.3.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BleMode {
    /// mdoc peripheral server mode: the mdoc hosts the service, the reader
    /// is the GATT client (writes Client2Server and State, receives
    /// Server2Client notifications).
    PeripheralServer,
    /// mdoc central client mode: the reader hosts the service, the mdoc is
    /// the GATT client (the reader receives Client2Server and State writes,
    /// sends Server2Client notifications).
    CentralClient,
}

/// One GATT operation for the application to perform: a write (the reader
/// is the client) or a notification (the reader is the server).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GattOut {
    /// The characteristic.
    pub characteristic: Uuid,
    /// The value.
    pub value: Vec<u8>,
}

/// What received GATT bytes meant.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BleEvent {
    /// A chunk of a longer message; nothing to do yet.
    Partial,
    /// The mdoc signalled start (central client mode): send the SessionEstablishment.
    Started,
    /// A complete session message.
    Message(Vec<u8>),
    /// The mdoc signalled the end of the session (State 0x02).
    Ended,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BleState {
    Idle,
    Started,
    Ended,
}

/// The reader's BLE transport state machine for one connection: which
/// characteristic carries what, start/end signalling, chunking.
#[derive(Debug)]
pub struct BleReader {
    mode: BleMode,
    framer: BleFramer,
    state: BleState,
}

impl BleReader {
    /// A reader for `mode` with the negotiated ATT_MTU.
    pub fn new(mode: BleMode, att_mtu: usize, max_message: usize) -> Result<Self, Error> {
        Ok(BleReader {
            mode,
            framer: BleFramer::new(att_mtu, max_message)?,
            state: BleState::Idle,
        })
    }

    /// The (State, Client2Server, Server2Client) characteristics of the mode.
    pub fn characteristics(&self) -> (Uuid, Uuid, Uuid) {
        match self.mode {
            BleMode::PeripheralServer => (
                peripheral_server::STATE,
                peripheral_server::CLIENT2SERVER,
                peripheral_server::SERVER2CLIENT,
            ),
            BleMode::CentralClient => (
                central_client::STATE,
                central_client::CLIENT2SERVER,
                central_client::SERVER2CLIENT,
            ),
        }
    }

    /// Peripheral server mode: the State write (0x01) that starts the
    /// session, to send after subscribing to Server2Client notifications.
    pub fn start(&mut self) -> Result<GattOut, Error> {
        if self.mode != BleMode::PeripheralServer || self.state != BleState::Idle {
            return Err(framing(
                "start is the reader's move only once, in peripheral server mode",
            ));
        }
        self.state = BleState::Started;
        Ok(GattOut {
            characteristic: self.characteristics().0,
            value: vec![STATE_START],
        })
    }

    /// The writes (peripheral server mode) or notifications (central client
    /// mode) that carry `message`.
    pub fn send(&mut self, message: &[u8]) -> Result<Vec<GattOut>, Error> {
        if self.state != BleState::Started {
            return Err(framing(format!("cannot send in state {:?}", self.state)));
        }
        let (_, c2s, s2c) = self.characteristics();
        let characteristic = match self.mode {
            BleMode::PeripheralServer => c2s,
            BleMode::CentralClient => s2c,
        };
        Ok(self
            .framer
            .split(message)
            .into_iter()
            .map(|value| GattOut { characteristic, value })
            .collect())
    }

    /// Feeds a notification (peripheral server mode) or a write (central
    /// client mode) received on `characteristic`.
    pub fn on_received(&mut self, characteristic: Uuid, value: &[u8]) -> Result<BleEvent, Error> {
        let (state, c2s, s2c) = self.characteristics();
        if self.state == BleState::Ended {
            return Err(framing("data after the end of the session"));
        }
        if characteristic == state {
            return match (BleFramer::on_state(value)?, self.mode, self.state) {
                (STATE_END, _, _) => {
                    self.state = BleState::Ended;
                    Ok(BleEvent::Ended)
                }
                (_, BleMode::CentralClient, BleState::Idle) => {
                    self.state = BleState::Started;
                    Ok(BleEvent::Started)
                }
                _ => Err(framing("unexpected State start")),
            };
        }
        let incoming = match self.mode {
            BleMode::PeripheralServer => s2c,
            BleMode::CentralClient => c2s,
        };
        if characteristic != incoming {
            return Err(framing(format!("data on unexpected characteristic {characteristic}")));
        }
        if self.state != BleState::Started {
            return Err(framing("data before the session started"));
        }
        Ok(match self.framer.push(value)? {
            Some(m) => BleEvent::Message(m),
            None => BleEvent::Partial,
        })
    }

    /// The State write/notification (0x02) that ends the session.
    pub fn end(&mut self) -> GattOut {
        self.state = BleState::Ended;
        GattOut {
            characteristic: self.characteristics().0,
            value: vec![STATE_END],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_reassemble_all_sizes() {
        let f = BleFramer::new(23, 1 << 20).unwrap();
        for n in [0usize, 1, 18, 19, 20, 38, 39, 1000] {
            let m: Vec<u8> = (0..=u8::MAX).cycle().take(n).collect();
            let chunks = f.split(&m);
            assert!(chunks.iter().all(|c| c.len() <= 20));
            let mut r = BleFramer::new(23, 1 << 20).unwrap();
            let mut got = None;
            for (i, c) in chunks.iter().enumerate() {
                let out = r.push(c).unwrap();
                assert_eq!(out.is_some(), i == chunks.len() - 1);
                got = got.or(out);
            }
            assert_eq!(got.unwrap(), m, "n={n}");
        }
    }

    #[test]
    fn rejects_bad_chunks() {
        let mut r = BleFramer::new(23, 30).unwrap();
        assert!(r.push(&[]).is_err());
        assert!(r.push(&[0x02, 1]).is_err());
        assert!(r.push(&[0x01; 21]).is_err());
        r.push(&[0x01; 20]).unwrap();
        assert!(r.push(&[0x01; 20]).is_err(), "over max_message");
        assert!(!r.has_partial());
        assert!(BleFramer::new(22, 10).is_err());
        assert!(BleFramer::on_state(&[3]).is_err());
    }

    #[test]
    fn reader_state_machine_in_both_modes() {
        let mut r = BleReader::new(BleMode::PeripheralServer, 23, 1 << 16).unwrap();
        assert!(r.send(b"x").is_err(), "not started");
        let st = r.start().unwrap();
        assert_eq!(
            (st.characteristic, st.value),
            (peripheral_server::STATE, vec![STATE_START])
        );
        assert!(r.start().is_err());
        let out = r.send(&[7u8; 50]).unwrap();
        assert!(out.iter().all(|o| o.characteristic == peripheral_server::CLIENT2SERVER));
        assert!(
            r.on_received(peripheral_server::CLIENT2SERVER, &[0]).is_err(),
            "wrong direction"
        );
        assert_eq!(
            r.on_received(peripheral_server::SERVER2CLIENT, &[1, 9]).unwrap(),
            BleEvent::Partial
        );
        assert_eq!(
            r.on_received(peripheral_server::SERVER2CLIENT, &[0, 8]).unwrap(),
            BleEvent::Message(vec![9, 8])
        );
        assert_eq!(
            r.on_received(peripheral_server::STATE, &[STATE_END]).unwrap(),
            BleEvent::Ended
        );
        assert!(r.on_received(peripheral_server::SERVER2CLIENT, &[0]).is_err());

        let mut c = BleReader::new(BleMode::CentralClient, 23, 1 << 16).unwrap();
        assert!(c.start().is_err());
        assert!(
            c.on_received(central_client::CLIENT2SERVER, &[0, 1]).is_err(),
            "before start"
        );
        assert_eq!(
            c.on_received(central_client::STATE, &[STATE_START]).unwrap(),
            BleEvent::Started
        );
        let out = c.send(b"hi").unwrap();
        assert_eq!(out[0].characteristic, central_client::SERVER2CLIENT);
        assert_eq!(
            c.on_received(central_client::CLIENT2SERVER, &[0, 1]).unwrap(),
            BleEvent::Message(vec![1])
        );
        assert_eq!(c.end().value, vec![STATE_END]);
    }

    #[test]
    fn uuids_match_the_standard_text() {
        assert_eq!(
            peripheral_server::STATE.to_string(),
            "00000001-a123-48ce-896b-4c76973373e6"
        );
        assert_eq!(
            central_client::IDENT.to_string(),
            "00000008-a123-48ce-896b-4c76973373e6"
        );
    }
}
