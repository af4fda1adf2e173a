//! A simulated holder (test-only mdoc device): answers a reader's session
//! messages with a canned DeviceResponse, over raw messages, NFC APDUs or
//! BLE chunks. It uses the public session API in the Device role.

use super::annex_d;
use kakunin::internals::cbor;
use kakunin::session::{
    build_session_transcript, ephemeral_key_bytes, generate_ephemeral_key, DeviceEngagement, Handover, Role,
    SessionCipher, SessionData, SessionEstablishment,
};
use kakunin::transport::ble::BleFramer;
use kakunin::transport::nfc::{
    decapsulate, encapsulate, CommandApdu, CLA_CHAINING, INS_ENVELOPE, INS_GET_RESPONSE, INS_SELECT, MDOC_AID,
};
use kakunin::{Curve, ReaderKey};

/// Mints a DeviceResponse for a SessionTranscript (array bytes).
pub type Minter = Box<dyn FnMut(&[u8]) -> Vec<u8> + Send>;

pub struct Holder {
    device_key: ReaderKey,
    pub engagement: DeviceEngagement,
    pub handover: Handover,
    cipher: Option<SessionCipher>,
    /// The plaintext DeviceResponse sent for every request.
    pub response: Vec<u8>,
    /// Flip one ciphertext bit in the next answer.
    pub tamper_next: bool,
    /// The decrypted DeviceRequests received.
    pub requests: Vec<Vec<u8>>,
    pub terminated: bool,
    /// Mints the DeviceResponse for the session's transcript (array bytes);
    /// replaces `response` when set.
    pub mint: Option<Minter>,
    transcript: Vec<u8>,
}

impl Holder {
    /// The Annex D mdoc: its EDeviceKey, NFC negotiated handover, DeviceResponse.
    pub fn annex_d() -> Self {
        let select = annex_d("handover_select.hex");
        let request = annex_d("handover_request.hex");
        let (engagement, handover) = DeviceEngagement::from_nfc_handover(&select, Some(&request)).unwrap();
        Holder {
            device_key: ReaderKey::from_scalar(Curve::P256, &annex_d("e_device_key.d.hex")).unwrap(),
            engagement,
            handover,
            cipher: None,
            response: annex_d("device_response.hex"),
            tamper_next: false,
            requests: Vec::new(),
            terminated: false,
            mint: None,
            transcript: Vec::new(),
        }
    }

    /// A holder with a fresh key on `curve`, engaged by QR (BLE central
    /// client mode), answering with `response`.
    pub fn fresh(curve: Curve, response: Vec<u8>) -> Self {
        let device_key = generate_ephemeral_key(curve).unwrap();
        let key_bytes = ephemeral_key_bytes(&device_key);
        let mut de = Vec::new();
        cbor::write_head(&mut de, 5, 3);
        de.extend_from_slice(&[0x00]);
        cbor::write_text(&mut de, "1.0");
        de.extend_from_slice(&[0x01, 0x82, 0x01]);
        de.extend_from_slice(&key_bytes);
        de.extend_from_slice(&[0x02, 0x81, 0x83, 0x02, 0x01]);
        cbor::write_head(&mut de, 5, 3);
        de.extend_from_slice(&[0x00, 0xf4, 0x01, 0xf5, 0x0b]);
        cbor::write_bytes(&mut de, &[0x11; 16]);
        Holder {
            device_key,
            engagement: DeviceEngagement::from_bytes(&de).unwrap(),
            handover: Handover::Qr,
            cipher: None,
            response,
            tamper_next: false,
            requests: Vec::new(),
            terminated: false,
            mint: None,
            transcript: Vec::new(),
        }
    }

    /// A holder with a fresh key on `curve` engaged over NFC: its
    /// DeviceEngagement lists no retrieval methods (the Handover Select's
    /// carrier records do, ISO 18013-5 §8.2.2.1). The handover is set by the
    /// tag simulation once the Handover Select has been read.
    pub fn fresh_nfc(curve: Curve, response: Vec<u8>) -> Self {
        let device_key = generate_ephemeral_key(curve).unwrap();
        let key_bytes = ephemeral_key_bytes(&device_key);
        let mut de = Vec::new();
        cbor::write_head(&mut de, 5, 2);
        de.extend_from_slice(&[0x00]);
        cbor::write_text(&mut de, "1.0");
        de.extend_from_slice(&[0x01, 0x82, 0x01]);
        de.extend_from_slice(&key_bytes);
        Holder {
            device_key,
            engagement: DeviceEngagement::from_bytes(&de).unwrap(),
            handover: Handover::Qr,
            cipher: None,
            response,
            tamper_next: false,
            requests: Vec::new(),
            terminated: false,
            mint: None,
            transcript: Vec::new(),
        }
    }

    /// Handles one session message; returns the SessionData to send back
    /// (empty after a termination).
    pub fn on_message(&mut self, msg: &[u8]) -> Vec<u8> {
        let request = match &mut self.cipher {
            None => {
                let se = SessionEstablishment::parse(msg).unwrap();
                let transcript =
                    build_session_transcript(&self.engagement, &se.e_reader_key_bytes, &self.handover).unwrap();
                let mut c =
                    SessionCipher::derive(Role::Device, &self.device_key, &se.e_reader_key_bytes, &transcript).unwrap();
                let pt = c.decrypt(&se.data).unwrap();
                self.cipher = Some(c);
                self.transcript = transcript.as_array_bytes().to_vec();
                pt.to_vec()
            }
            Some(c) => {
                let sd = SessionData::parse(msg).unwrap();
                if sd.status == Some(20) {
                    self.terminated = true;
                    return Vec::new();
                }
                c.decrypt(sd.data.as_deref().unwrap()).unwrap().to_vec()
            }
        };
        self.requests.push(request);
        if let Some(mint) = self.mint.as_mut() {
            self.response = mint(&self.transcript);
        }
        let c = self.cipher.as_mut().unwrap();
        let mut ct = c.encrypt(&self.response).unwrap();
        if self.tamper_next {
            self.tamper_next = false;
            ct[3] ^= 0x01;
        }
        SessionData::encode(Some(&ct), None)
    }
}

/// The holder behind an NFC APDU interface.
pub struct NfcHolder {
    pub holder: Holder,
    /// Bytes of response data per response APDU (forces GET RESPONSE).
    pub response_chunk: usize,
    selected: bool,
    incoming: Vec<u8>,
    outgoing: Vec<u8>,
    pub chained_commands: usize,
    pub get_responses: usize,
}

fn sw(data: &[u8], sw1: u8, sw2: u8) -> Vec<u8> {
    let mut v = data.to_vec();
    v.extend_from_slice(&[sw1, sw2]);
    v
}

impl NfcHolder {
    pub fn new(holder: Holder, response_chunk: usize) -> Self {
        NfcHolder {
            holder,
            response_chunk,
            selected: false,
            incoming: Vec::new(),
            outgoing: Vec::new(),
            chained_commands: 0,
            get_responses: 0,
        }
    }

    fn next_response(&mut self, le: usize) -> Vec<u8> {
        let n = self.outgoing.len().min(self.response_chunk).min(le);
        let chunk: Vec<u8> = self.outgoing.drain(..n).collect();
        match self.outgoing.len() {
            0 => sw(&chunk, 0x90, 0x00),
            r => sw(&chunk, 0x61, if r > 255 { 0 } else { r as u8 }),
        }
    }

    /// Answers one command APDU.
    pub fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        let c = CommandApdu::parse(apdu).unwrap();
        match c.ins {
            INS_SELECT => {
                assert_eq!(c.data, MDOC_AID);
                self.selected = true;
                sw(&[], 0x90, 0x00)
            }
            INS_ENVELOPE => {
                assert!(self.selected);
                self.incoming.extend_from_slice(c.data);
                if c.cla & CLA_CHAINING != 0 {
                    self.chained_commands += 1;
                    return sw(&[], 0x90, 0x00);
                }
                let msg = decapsulate(&self.incoming).unwrap().to_vec();
                self.incoming.clear();
                let answer = self.holder.on_message(&msg);
                self.outgoing = encapsulate(&answer);
                self.next_response(c.le.unwrap())
            }
            INS_GET_RESPONSE => {
                self.get_responses += 1;
                self.next_response(c.le.unwrap())
            }
            _ => sw(&[], 0x6D, 0x00),
        }
    }
}

/// The holder behind BLE GATT chunks.
pub struct BleHolder {
    pub holder: Holder,
    framer: BleFramer,
}

impl BleHolder {
    pub fn new(holder: Holder, mtu: usize) -> Self {
        BleHolder {
            holder,
            framer: BleFramer::new(mtu, 1 << 22).unwrap(),
        }
    }

    /// Takes one written chunk; returns the chunks to notify once a whole
    /// message has arrived.
    pub fn on_write(&mut self, chunk: &[u8]) -> Vec<Vec<u8>> {
        match self.framer.push(chunk).unwrap() {
            None => Vec::new(),
            Some(msg) => {
                let answer = self.holder.on_message(&msg);
                if answer.is_empty() {
                    Vec::new()
                } else {
                    self.framer.split(&answer)
                }
            }
        }
    }
}
