//! A simulated phone at an NFC reader: an mdoc presenting as an NFC Forum
//! Type 4 Tag for engagement (static handover, or negotiated handover over
//! TNEP with a configurable number of "not ready" NLEN = 0 reads), then
//! answering data retrieval APDUs through [`NfcHolder`].

use super::holder::{Holder, NfcHolder};
use kakunin::session::Handover;
use kakunin::transport::ndef::{encode_message, parse_message, BleOob, NdefRecord, NfcCarrier, Tnf};
use kakunin::transport::nfc::{CommandApdu, INS_READ_BINARY, INS_SELECT, MDOC_AID, NDEF_TAG_AID};
use kakunin::transport::nfc_engagement::INS_UPDATE_BINARY;
use kakunin::transport::tnep::{self, ServiceParameter, HANDOVER_SERVICE, TNEP_VERSION};

/// How the tag engages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The NDEF file holds the Handover Select.
    Static,
    /// TNEP: the NDEF file holds Service Parameter records; each answer is
    /// hidden behind `busy_reads` reads of NLEN = 0.
    Negotiated { wt_int: u8, n_wait: u8, busy_reads: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    AwaitServiceSelect,
    AwaitHandoverRequest,
    Engaged,
}

pub struct Type4Holder {
    pub nfc: NfcHolder,
    pub mode: Mode,
    pub cc: Vec<u8>,
    /// The NDEF file: NLEN ‖ message, padded to the file size.
    pub file: Vec<u8>,
    pub handover_select: Vec<u8>,
    selected_file: Option<[u8; 2]>,
    stage: Stage,
    answer: Option<Vec<u8>>,
    busy_left: u32,
    /// NLEN = 0 answers given while "busy".
    pub busy_answers: u32,
    /// Command APDUs processed and bytes in each direction.
    pub apdus: usize,
    pub bytes_in: usize,
    pub bytes_out: usize,
    /// Corrupt the byte at this index of the next message published in the
    /// NDEF file (forged engagement).
    pub corrupt_next: Option<(usize, u8)>,
}

fn sw(mut data: Vec<u8>, sw1: u8, sw2: u8) -> Vec<u8> {
    data.extend_from_slice(&[sw1, sw2]);
    data
}

/// The Handover Select of an mdoc: `Hs` with one alternative carrier per
/// offered carrier (auxiliary reference `mdoc` to the engagement record),
/// the DeviceEngagement record, then the carrier records.
pub fn handover_select(device_engagement: &[u8], nfc: Option<NfcCarrier>, ble: Option<&BleOob>) -> Vec<u8> {
    let mut ac = Vec::new();
    let mut carriers: Vec<(&'static [u8], &'static [u8], Vec<u8>)> = Vec::new();
    if let Some(n) = nfc {
        carriers.push((b"iso.org:18013:nfc", b"nfc", n.encode()));
    }
    if let Some(b) = ble {
        carriers.push((b"application/vnd.bluetooth.le.oob", b"0", b.encode()));
    }
    for (_, id, _) in &carriers {
        let mut p = vec![0x01, id.len() as u8];
        p.extend_from_slice(id);
        p.extend_from_slice(&[0x01, 0x04]);
        p.extend_from_slice(b"mdoc");
        ac.push(p);
    }
    let nested: Vec<NdefRecord> = ac
        .iter()
        .map(|p| NdefRecord {
            tnf: Tnf::WellKnown,
            record_type: b"ac",
            id: b"",
            payload: p,
        })
        .collect();
    let mut hs_payload = vec![0x15];
    hs_payload.extend(encode_message(&nested));
    let mut records = vec![
        NdefRecord {
            tnf: Tnf::WellKnown,
            record_type: b"Hs",
            id: b"",
            payload: &hs_payload,
        },
        NdefRecord {
            tnf: Tnf::External,
            record_type: b"iso.org:18013:deviceengagement",
            id: b"mdoc",
            payload: device_engagement,
        },
    ];
    for (ty, id, payload) in &carriers {
        records.push(NdefRecord {
            tnf: if ty.starts_with(b"application/") {
                Tnf::Media
            } else {
                Tnf::External
            },
            record_type: ty,
            id,
            payload,
        });
    }
    encode_message(&records)
}

/// The initial NDEF message of a TNEP tag: a Service Parameter record for
/// an unrelated service and one for connection handover.
pub fn initial_tnep_message(wt_int: u8, n_wait: u8) -> Vec<u8> {
    let other = ServiceParameter {
        version: TNEP_VERSION,
        service: "urn:nfc:sn:example".into(),
        communication_mode: 0,
        wt_int,
        n_wait,
        max_message_size: 1024,
    }
    .encode();
    let handover = ServiceParameter {
        service: HANDOVER_SERVICE.into(),
        ..ServiceParameter::parse(&other).unwrap()
    }
    .encode();
    encode_message(&[
        NdefRecord {
            tnf: Tnf::WellKnown,
            record_type: b"Tp",
            id: b"",
            payload: &other,
        },
        NdefRecord {
            tnf: Tnf::WellKnown,
            record_type: b"Tp",
            id: b"",
            payload: &handover,
        },
    ])
}

pub const FILE_SIZE: u16 = 0x7FFF;

impl Type4Holder {
    /// `mle`/`mlc`: the Capability Container's limits; the holder offers
    /// data retrieval over NFC with `carrier`.
    pub fn new(
        holder: Holder,
        mode: Mode,
        carrier: Option<NfcCarrier>,
        ble: Option<BleOob>,
        mle: u16,
        mlc: u16,
    ) -> Self {
        let hs = handover_select(holder.engagement.raw(), carrier, ble.as_ref());
        let initial = match mode {
            Mode::Static => hs.clone(),
            Mode::Negotiated { wt_int, n_wait, .. } => initial_tnep_message(wt_int, n_wait),
        };
        let mut cc = vec![0x00, 0x0f, 0x20];
        cc.extend_from_slice(&mle.to_be_bytes());
        cc.extend_from_slice(&mlc.to_be_bytes());
        cc.extend_from_slice(&[0x04, 0x06, 0xE1, 0x04]);
        cc.extend_from_slice(&FILE_SIZE.to_be_bytes());
        cc.push(0x00);
        cc.push(if mode == Mode::Static { 0xFF } else { 0x00 });
        let response_chunk = carrier.map_or(256, |c| c.max_response_data);
        let mut t = Type4Holder {
            nfc: NfcHolder::new(holder, response_chunk),
            mode,
            cc,
            file: vec![0; usize::from(FILE_SIZE)],
            handover_select: hs.clone(),
            selected_file: None,
            stage: Stage::AwaitServiceSelect,
            answer: None,
            busy_left: 0,
            busy_answers: 0,
            apdus: 0,
            bytes_in: 0,
            bytes_out: 0,
            corrupt_next: None,
        };
        t.publish(initial);
        if mode == Mode::Static {
            t.stage = Stage::Engaged;
            t.nfc.holder.handover = Handover::Nfc {
                select: hs,
                request: None,
            };
        }
        t
    }

    fn publish(&mut self, mut message: Vec<u8>) {
        if let Some((i, v)) = self.corrupt_next.take() {
            if let Some(b) = message.get_mut(i) {
                *b = v;
            } else {
                message.truncate(i);
            }
        }
        self.file[..2].copy_from_slice(&(message.len() as u16).to_be_bytes());
        self.file[2..2 + message.len()].copy_from_slice(&message);
    }

    fn on_written(&mut self) {
        let n = usize::from(u16::from_be_bytes([self.file[0], self.file[1]]));
        let message = self.file[2..2 + n].to_vec();
        let records = parse_message(&message).unwrap();
        let answer = match self.stage {
            Stage::AwaitServiceSelect => {
                assert_eq!(records[0].record_type, tnep::SERVICE_SELECT_TYPE);
                assert_eq!(
                    tnep::parse_service_select(records[0].payload).unwrap(),
                    HANDOVER_SERVICE
                );
                self.stage = Stage::AwaitHandoverRequest;
                tnep::status_message(0)
            }
            Stage::AwaitHandoverRequest => {
                assert_eq!(records[0].record_type, b"Hr");
                self.stage = Stage::Engaged;
                self.nfc.holder.handover = Handover::Nfc {
                    select: self.handover_select.clone(),
                    request: Some(message),
                };
                self.handover_select.clone()
            }
            Stage::Engaged => panic!("write after engagement"),
        };
        self.answer = Some(answer);
        self.busy_left = match self.mode {
            Mode::Negotiated { busy_reads, .. } => busy_reads,
            Mode::Static => 0,
        };
    }

    /// Answers one command APDU.
    pub fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        self.apdus += 1;
        self.bytes_in += apdu.len();
        let r = self.process_inner(apdu);
        self.bytes_out += r.len();
        r
    }

    fn process_inner(&mut self, apdu: &[u8]) -> Vec<u8> {
        let c = CommandApdu::parse(apdu).unwrap();
        match (c.ins, c.p1) {
            (INS_SELECT, 0x04) if c.data == MDOC_AID => self.nfc.process(apdu),
            (INS_SELECT, 0x04) => {
                assert_eq!(c.data, NDEF_TAG_AID);
                self.selected_file = None;
                sw(Vec::new(), 0x90, 0x00)
            }
            (INS_SELECT, 0x00) => {
                self.selected_file = Some([c.data[0], c.data[1]]);
                sw(Vec::new(), 0x90, 0x00)
            }
            (INS_READ_BINARY, _) => {
                let off = usize::from(u16::from_be_bytes([c.p1, c.p2]));
                let le = c.le.unwrap();
                if self.selected_file == Some([0xE1, 0x04]) && off == 0 {
                    if let Some(answer) = self.answer.take() {
                        if self.busy_left > 0 {
                            self.busy_left -= 1;
                            self.busy_answers += 1;
                            self.answer = Some(answer);
                            return sw(vec![0, 0], 0x90, 0x00);
                        }
                        self.publish(answer);
                    }
                }
                let file = match self.selected_file {
                    Some([0xE1, 0x03]) => &self.cc,
                    Some([0xE1, 0x04]) => &self.file,
                    _ => return sw(Vec::new(), 0x69, 0x86),
                };
                let end = (off + le).min(file.len());
                sw(file[off.min(end)..end].to_vec(), 0x90, 0x00)
            }
            (INS_UPDATE_BINARY, _) => {
                if self.selected_file != Some([0xE1, 0x04]) || self.mode == Mode::Static {
                    return sw(Vec::new(), 0x69, 0x82);
                }
                let off = usize::from(u16::from_be_bytes([c.p1, c.p2]));
                self.file[off..off + c.data.len()].copy_from_slice(c.data);
                if off == 0 && c.data.len() >= 2 && c.data[..2] != [0, 0] {
                    self.on_written();
                } else if off == 0 {
                    // NLEN = 0: a write is starting; the answer slot is empty.
                    self.answer = None;
                }
                sw(Vec::new(), 0x90, 0x00)
            }
            _ => self.nfc.process(apdu),
        }
    }
}
