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
            let b = data.get(pos..pos + 4).ok_or_else(|| bad("truncated payload length"))?;
            pos += 4;
            usize::try_from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])).map_err(|_| bad("payload too long"))?
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
                0x77 if value.len() == 4 => {
                    out.l2cap_psm = Some(u32::from_be_bytes([value[0], value[1], value[2], value[3]]));
                }
                _ => {}
            }
            pos += 1 + len;
        }
        Ok(out)
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

    /// The Bluetooth LE OOB carrier records.
    pub fn ble_carriers(&self) -> Result<Vec<BleOob>, Error> {
        self.records
            .iter()
            .filter(|r| r.tnf == Tnf::Media && r.record_type == BLE_OOB_TYPE)
            .map(|r| BleOob::parse(r.payload))
            .collect()
    }
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
