//! NDEF messages of NFC connection handover (NFC Forum NDEF 1.0 and
//! Connection Handover 1.5), as used for device engagement by ISO 18013-5
//! §8.2.2.1: the Handover Select message carries the
//! `iso.org:18013:deviceengagement` record and the alternative carriers
//! (for example a Bluetooth LE OOB record).
//!
//! Only parsing: the reader keeps the messages as received, because the
//! SessionTranscript embeds them byte for byte (ISO 18013-5 §9.1.5.1).

use crate::error::{err, Error, ErrorCode};

/// The most records accepted in one NDEF message (including nested ones).
const MAX_RECORDS: usize = 64;

/// NDEF Type Name Format (NDEF 1.0 §3.2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Tnf {
    /// 0x00.
    Empty,
    /// 0x01: NFC Forum well-known type (`Hs`, `Hr`, `ac`, `cr`).
    WellKnown,
    /// 0x02: media type (RFC 2046), e.g. `application/vnd.bluetooth.le.oob`.
    Media,
    /// 0x03: absolute URI.
    AbsoluteUri,
    /// 0x04: NFC Forum external type, e.g. `iso.org:18013:deviceengagement`.
    External,
    /// 0x05.
    Unknown,
    /// 0x06.
    Unchanged,
}

/// One NDEF record, borrowed from the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NdefRecord<'a> {
    /// Type Name Format.
    pub tnf: Tnf,
    /// The record type.
    pub record_type: &'a [u8],
    /// The record id (empty when absent).
    pub id: &'a [u8],
    /// The payload.
    pub payload: &'a [u8],
}

fn bad(msg: impl Into<String>) -> Error {
    err(ErrorCode::StructureInvalid, format!("NDEF: {}", msg.into()))
}

/// Parses an NDEF message into its records (NDEF 1.0 §3.2). Chunked records
/// are rejected (connection handover never uses them); the first record must
/// carry MB and the last ME.
pub fn parse_message(data: &[u8]) -> Result<Vec<NdefRecord<'_>>, Error> {
    let mut records = Vec::new();
    let mut pos = 0usize;
    let byte = |p: usize| data.get(p).copied().ok_or_else(|| bad("truncated record header"));
    loop {
        if records.len() >= MAX_RECORDS {
            return Err(err(ErrorCode::LimitExceeded, "NDEF: too many records"));
        }
        let flags = byte(pos)?;
        let mb = flags & 0x80 != 0;
        let me = flags & 0x40 != 0;
        let cf = flags & 0x20 != 0;
        let sr = flags & 0x10 != 0;
        let il = flags & 0x08 != 0;
        let tnf = match flags & 0x07 {
            0 => Tnf::Empty,
            1 => Tnf::WellKnown,
            2 => Tnf::Media,
            3 => Tnf::AbsoluteUri,
            4 => Tnf::External,
            5 => Tnf::Unknown,
            6 => Tnf::Unchanged,
            _ => return Err(bad("reserved TNF 7")),
        };
        if mb != records.is_empty() {
            return Err(bad("message-begin flag misplaced"));
        }
        if cf {
            return Err(bad("chunked records are not supported"));
        }
        let type_len = usize::from(byte(pos + 1)?);
        pos += 2;
        let payload_len = if sr {
            let n = usize::from(byte(pos)?);
            pos += 1;
            n
        } else {
            let Some(&[b0, b1, b2, b3]) = data.get(pos..pos + 4) else {
                return Err(bad("truncated payload length"));
            };
            pos += 4;
            usize::try_from(u32::from_be_bytes([b0, b1, b2, b3])).map_err(|_| bad("payload too long"))?
        };
        let id_len = if il {
            let n = usize::from(byte(pos)?);
            pos += 1;
            n
        } else {
            0
        };
        let mut take = |n: usize, what: &str| -> Result<&[u8], Error> {
            let end = pos.checked_add(n).ok_or_else(|| bad(format!("{what} overflows")))?;
            let s = data.get(pos..end).ok_or_else(|| bad(format!("truncated {what}")))?;
            pos = end;
            Ok(s)
        };
        let record_type = take(type_len, "type")?;
        let id = take(id_len, "id")?;
        let payload = take(payload_len, "payload")?;
        records.push(NdefRecord {
            tnf,
            record_type,
            id,
            payload,
        });
        if me {
            if pos != data.len() {
                return Err(bad("bytes after the message-end record"));
            }
            return Ok(records);
        }
    }
}

/// Record type of the ISO 18013-5 device engagement record (§8.2.2.1).
pub const DEVICE_ENGAGEMENT_TYPE: &[u8] = b"iso.org:18013:deviceengagement";
/// Record type of the Bluetooth LE OOB carrier configuration record.
pub const BLE_OOB_TYPE: &[u8] = b"application/vnd.bluetooth.le.oob";

/// A Bluetooth LE carrier configuration record (Bluetooth Secure Simple
/// Pairing Using NFC §3; AD structures of Core Specification Supplement §1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BleOob {
    /// LE Role AD value (0x00 peripheral only, 0x01 central only, 0x02 both
    /// with peripheral preferred, 0x03 both with central preferred).
    pub le_role: Option<u8>,
    /// 128-bit service UUIDs (complete or incomplete list), big-endian.
    pub uuids: Vec<[u8; 16]>,
    /// LE Bluetooth device address (6 bytes, as sent: little-endian) and,
    /// when present, the address type byte.
    pub device_address: Option<Vec<u8>>,
    /// The L2CAP PSM (AD type 0x77, as used by drafts of ISO 18013-5 second edition).
    pub l2cap_psm: Option<u32>,
}

impl BleOob {
    /// Parses the AD structures of a BLE OOB record payload.
    pub fn parse(payload: &[u8]) -> Result<Self, Error> {
        let mut out = BleOob::default();
        let mut pos = 0usize;
        while pos < payload.len() {
            let len = usize::from(payload.get(pos).copied().unwrap_or(0));
            if len == 0 {
                // Zero-length AD structure: early end of significant data.
                break;
            }
            let ad = payload
                .get(pos + 1..pos + 1 + len)
                .ok_or_else(|| bad("truncated BLE OOB AD structure"))?;
            let (ty, value) = ad.split_first().ok_or_else(|| bad("empty BLE OOB AD structure"))?;
            match *ty {
                0x1c => out.le_role = value.first().copied(),
                0x06 | 0x07 => {
                    if value.len() % 16 != 0 {
                        return Err(bad("BLE OOB UUID list is not a multiple of 16 bytes"));
                    }
                    for c in value.chunks_exact(16) {
                        let mut u = [0u8; 16];
                        // AD data is little-endian; UUIDs are shown big-endian.
                        for (d, s) in u.iter_mut().zip(c.iter().rev()) {
                            *d = *s;
                        }
                        out.uuids.push(u);
                    }
                }
                0x1b => out.device_address = Some(value.to_vec()),
                0x77 => {
                    if let &[b0, b1, b2, b3] = value {
                        out.l2cap_psm = Some(u32::from_be_bytes([b0, b1, b2, b3]));
                    }
                }
                _ => {}
            }
            pos += 1 + len;
        }
        Ok(out)
    }
}

/// Record type of the ISO 18013-5 NFC carrier configuration record
/// (§8.2.2.2: device retrieval over NFC, external type, id `nfc`).
pub const NFC_CARRIER_TYPE: &[u8] = b"iso.org:18013:nfc";

/// The NFC carrier configuration of ISO 18013-5 §8.2.2.2: the largest
/// command and response data fields the mdoc handles in data retrieval
/// (the same numbers as the DeviceEngagement's NfcOptions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NfcCarrier {
    /// Maximum command data length (data type 0x01).
    pub max_command_data: usize,
    /// Maximum response data length (data type 0x02).
    pub max_response_data: usize,
}

impl NfcCarrier {
    /// Parses the payload: version `01`, then for each of the two data types a
    /// length byte (type byte plus value bytes), the type and a big-endian value.
    pub fn parse(payload: &[u8]) -> Result<Self, Error> {
        let (&version, mut rest) = payload.split_first().ok_or_else(|| bad("empty NFC carrier record"))?;
        if version != 0x01 {
            return Err(err(
                ErrorCode::UnsupportedVersion,
                format!("NDEF: NFC carrier record version {version:#04x}"),
            ));
        }
        let mut field = |want: u8, max_value_len: usize| -> Result<usize, Error> {
            let (&len, tail) = rest.split_first().ok_or_else(|| bad("truncated NFC carrier record"))?;
            let len = usize::from(len);
            let body = tail.get(..len).ok_or_else(|| bad("truncated NFC carrier record"))?;
            let (&ty, value) = body.split_first().ok_or_else(|| bad("empty NFC carrier field"))?;
            if ty != want || value.is_empty() || value.len() > max_value_len {
                return Err(bad(format!("NFC carrier field {ty:#04x} malformed")));
            }
            rest = tail.get(len..).unwrap_or_default();
            Ok(value.iter().fold(0usize, |a, b| (a << 8) | usize::from(*b)))
        };
        let max_command_data = field(0x01, 2)?;
        let max_response_data = field(0x02, 3)?;
        if max_command_data == 0 || max_response_data == 0 {
            return Err(bad("NFC carrier record announces a zero length"));
        }
        Ok(NfcCarrier {
            max_command_data,
            max_response_data,
        })
    }

    /// Encodes the payload (each value in the fewest bytes).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![0x01];
        for (ty, v, max) in [
            (0x01u8, self.max_command_data.min(0xFFFF), 2usize),
            (0x02, self.max_response_data.min(0xFF_FFFF), 3),
        ] {
            // `v` is capped at 3 bytes just above: the fallback is unreachable.
            let bytes = u32::try_from(v).unwrap_or(u32::MAX).to_be_bytes();
            let skip = bytes.iter().take_while(|b| **b == 0).count().min(3);
            let value = bytes.get(skip.max(4 - max)..).unwrap_or_default();
            // At most 3 value bytes: the fallback is unreachable.
            out.push(u8::try_from(value.len() + 1).unwrap_or(u8::MAX));
            out.push(ty);
            out.extend_from_slice(value);
        }
        out
    }
}

/// A parsed Handover Select (or Handover Request) message.
#[derive(Clone, Debug)]
pub struct HandoverMessage<'a> {
    /// Connection Handover version byte (0x15 for 1.5).
    pub version: u8,
    /// All records of the message after the `Hs`/`Hr` record.
    pub records: Vec<NdefRecord<'a>>,
}

impl<'a> HandoverMessage<'a> {
    /// Parses a message whose first record is the well-known `expected`
    /// type (`b"Hs"` or `b"Hr"`).
    pub fn parse(data: &'a [u8], expected: &[u8]) -> Result<Self, Error> {
        let mut records = parse_message(data)?;
        let first = records.first().ok_or_else(|| bad("empty message"))?;
        if first.tnf != Tnf::WellKnown || first.record_type != expected {
            return Err(bad(format!(
                "first record is not a Handover {} record",
                String::from_utf8_lossy(expected)
            )));
        }
        let version = first
            .payload
            .first()
            .copied()
            .ok_or_else(|| bad("handover record without version"))?;
        if version >> 4 != 1 {
            return Err(err(
                ErrorCode::UnsupportedVersion,
                format!("NDEF: connection handover version {version:#04x}"),
            ));
        }
        records.remove(0);
        Ok(HandoverMessage { version, records })
    }

    /// The payload of the `iso.org:18013:deviceengagement` record, if any.
    pub fn device_engagement(&self) -> Option<&'a [u8]> {
        self.records
            .iter()
            .find(|r| r.tnf == Tnf::External && r.record_type == DEVICE_ENGAGEMENT_TYPE)
            .map(|r| r.payload)
    }

    /// The NFC carrier record (ISO 18013-5 §8.2.2.2), if the message has one.
    pub fn nfc_carrier(&self) -> Result<Option<NfcCarrier>, Error> {
        self.records
            .iter()
            .find(|r| r.tnf == Tnf::External && r.record_type == NFC_CARRIER_TYPE)
            .map(|r| NfcCarrier::parse(r.payload))
            .transpose()
    }

    /// The Bluetooth LE OOB carrier records.
    pub fn ble_carriers(&self) -> Result<Vec<BleOob>, Error> {
        self.records
            .iter()
            .filter(|r| r.tnf == Tnf::Media && r.record_type == BLE_OOB_TYPE)
            .map(|r| BleOob::parse(r.payload))
            .collect()
    }
}

/// The first 255 bytes of `b` at most, and their length (for a one-byte
/// length field that cuts longer fields off at 255).
pub(crate) fn up_to_255(b: &[u8]) -> (&[u8], u8) {
    let n = u8::try_from(b.len()).unwrap_or(u8::MAX);
    (b.get(..usize::from(n)).unwrap_or(b), n)
}

fn tnf_code(tnf: Tnf) -> u8 {
    match tnf {
        Tnf::Empty => 0,
        Tnf::WellKnown => 1,
        Tnf::Media => 2,
        Tnf::AbsoluteUri => 3,
        Tnf::External => 4,
        Tnf::Unknown => 5,
        Tnf::Unchanged => 6,
    }
}

/// Encodes records as one NDEF message (MB on the first, ME on the last;
/// short records when the payload fits 255 bytes; IL when an id is set).
/// Types and ids longer than 255 bytes are cut off at 255.
pub fn encode_message(records: &[NdefRecord<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let last = records.len().saturating_sub(1);
    for (i, r) in records.iter().enumerate() {
        let (ty, ty_len) = up_to_255(r.record_type);
        let (id, id_len) = up_to_255(r.id);
        let short = u8::try_from(r.payload.len()).ok();
        let mut flags = tnf_code(r.tnf);
        if i == 0 {
            flags |= 0x80;
        }
        if i == last {
            flags |= 0x40;
        }
        if short.is_some() {
            flags |= 0x10;
        }
        if !id.is_empty() {
            flags |= 0x08;
        }
        out.push(flags);
        out.push(ty_len);
        if let Some(n) = short {
            out.push(n);
        } else {
            // The 4-byte PAYLOAD_LENGTH: the low 32 bits (a payload beyond
            // 4 GiB cannot be sent).
            let [.., a, b, c, d] = r.payload.len().to_be_bytes();
            out.extend_from_slice(&[a, b, c, d]);
        }
        if !id.is_empty() {
            out.push(id_len);
        }
        out.extend_from_slice(ty);
        out.extend_from_slice(id);
        out.extend_from_slice(r.payload);
    }
    out
}

impl BleOob {
    /// Encodes the AD structures (device address, LE role, complete list of
    /// 128-bit UUIDs, L2CAP PSM), in the order of ISO 18013-5 Annex D.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(a) = &self.device_address {
            // An AD structure's length byte counts the type byte too.
            if let Ok(n @ 0..=254) = u8::try_from(a.len()) {
                out.push(n + 1);
                out.push(0x1b);
                out.extend_from_slice(a);
            }
        }
        if let Some(role) = self.le_role {
            out.extend_from_slice(&[0x02, 0x1c, role]);
        }
        // At most 15 UUIDs, so that their AD structure's length fits one byte.
        let n = u8::try_from(self.uuids.len()).unwrap_or(u8::MAX).min(15);
        let uuids = self.uuids.get(..usize::from(n)).unwrap_or(&self.uuids);
        if !uuids.is_empty() {
            out.push(16 * n + 1);
            out.push(0x07);
            for u in uuids {
                out.extend(u.iter().rev());
            }
        }
        if let Some(psm) = self.l2cap_psm {
            out.extend_from_slice(&[0x05, 0x77]);
            out.extend_from_slice(&psm.to_be_bytes());
        }
        out
    }
}

/// Builds the Handover Request message a reader sends in negotiated
/// handover (NFC Forum Connection Handover 1.5 §6.1, ISO 18013-5
/// §8.2.2.1): an `Hr` record (version 1.5) holding a collision-resolution
/// record with `random_number` and one active alternative-carrier record per
/// carrier (referenced by the carrier record's id), followed by the carrier
/// records themselves. Every carrier record must have a non-empty id.
///
/// The SessionTranscript embeds these bytes as sent.
pub fn handover_request(random_number: u16, carriers: &[NdefRecord<'_>]) -> Result<Vec<u8>, Error> {
    let cr = random_number.to_be_bytes();
    let mut ac_payloads = Vec::with_capacity(carriers.len());
    for c in carriers {
        let Ok(id_len @ 1..) = u8::try_from(c.id.len()) else {
            return Err(bad("a carrier record needs an id of 1..=255 bytes"));
        };
        let mut p = vec![0x01, id_len];
        p.extend_from_slice(c.id);
        p.push(0x00);
        ac_payloads.push(p);
    }
    let mut nested = vec![NdefRecord {
        tnf: Tnf::WellKnown,
        record_type: b"cr",
        id: b"",
        payload: &cr,
    }];
    for p in &ac_payloads {
        nested.push(NdefRecord {
            tnf: Tnf::WellKnown,
            record_type: b"ac",
            id: b"",
            payload: p,
        });
    }
    let mut hr_payload = vec![0x15];
    hr_payload.extend(encode_message(&nested));
    let mut records = vec![NdefRecord {
        tnf: Tnf::WellKnown,
        record_type: b"Hr",
        id: b"",
        payload: &hr_payload,
    }];
    records.extend(carriers.iter().cloned());
    Ok(encode_message(&records))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annex_d(name: &str) -> Vec<u8> {
        let p = format!("{}/tests/data/iso18013-5-annex-d/{name}", env!("CARGO_MANIFEST_DIR"));
        hex::decode(std::fs::read_to_string(p).unwrap().trim()).unwrap()
    }

    #[test]
    fn parses_annex_d_handover_select() {
        let hs = annex_d("handover_select.hex");
        let msg = HandoverMessage::parse(&hs, b"Hs").unwrap();
        assert_eq!(msg.version, 0x15);
        assert_eq!(
            msg.device_engagement().unwrap(),
            annex_d("device_engagement_nfc.hex").as_slice()
        );
        let ble = msg.ble_carriers().unwrap();
        assert_eq!(ble.len(), 1);
        assert_eq!(ble[0].le_role, Some(0x01));
    }

    #[test]
    fn parses_annex_d_handover_request() {
        let hr = annex_d("handover_request.hex");
        let msg = HandoverMessage::parse(&hr, b"Hr").unwrap();
        let ble = msg.ble_carriers().unwrap();
        assert_eq!(ble.len(), 1);
        assert_eq!(ble[0].uuids.len(), 1);
        assert!(HandoverMessage::parse(&hr, b"Hs").is_err());
    }

    #[test]
    fn rebuilds_annex_d_handover_request() {
        let hr = annex_d("handover_request.hex");
        let msg = HandoverMessage::parse(&hr, b"Hr").unwrap();
        // Re-encode the BLE OOB payload from its parsed form, the rest as is.
        let ble = BleOob::parse(msg.records[0].payload).unwrap();
        assert_eq!(ble.le_role, Some(0x02));
        let ble_payload = ble.encode();
        assert_eq!(ble_payload, msg.records[0].payload);
        let mut carriers = msg.records.clone();
        carriers[0].payload = &ble_payload;
        assert_eq!(handover_request(0x0102, &carriers).unwrap(), hr);
        // The Handover Select round-trips through the encoder too.
        let hs = annex_d("handover_select.hex");
        assert_eq!(encode_message(&parse_message(&hs).unwrap()), hs);
        let mut no_id = carriers.clone();
        no_id[0].id = b"";
        assert!(handover_request(1, &no_id).is_err());
    }

    #[test]
    fn nfc_carrier_round_trip_and_rejects_malformed() {
        for (c, r) in [(255, 256), (0xFFFF, 0x10000), (1, 0xFF_FFFF)] {
            let n = NfcCarrier {
                max_command_data: c,
                max_response_data: r,
            };
            assert_eq!(NfcCarrier::parse(&n.encode()).unwrap(), n);
        }
        assert_eq!(
            NfcCarrier::parse(&[1, 3, 1, 0xFF, 0xFF, 4, 2, 1, 0, 0]).unwrap(),
            NfcCarrier {
                max_command_data: 0xFFFF,
                max_response_data: 0x10000
            }
        );
        for bad in [
            &[][..],
            &[2, 2, 1, 1, 2, 2, 1],
            &[1, 2, 1],
            &[1, 2, 2, 1, 2, 1, 1],
            &[1, 2, 1, 0, 2, 2, 1],
        ] {
            assert!(NfcCarrier::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rejects_truncated_and_trailing() {
        let hs = annex_d("handover_select.hex");
        for cut in [1, 5, hs.len() / 2, hs.len() - 1] {
            assert!(parse_message(&hs[..cut]).is_err(), "cut at {cut}");
        }
        let mut long = hs.clone();
        long.push(0);
        assert!(parse_message(&long).is_err());
    }
}
