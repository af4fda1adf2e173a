//! DeviceEngagement (ISO 18013-5 §8.2.1.1) read from a QR code (§8.2.2.3)
//! or an NFC handover (§8.2.2.1), kept byte for byte as received.

use crate::cbor::{self, Item, Value};
use crate::cose;
use crate::crypto::{Curve, PublicKey};
use crate::error::{err, Error, ErrorCode};
use crate::limits::Limits;
use crate::presentation::transcript::Handover;
use crate::presentation::transport::ndef::{BleOob, HandoverMessage};
use crate::presentation::transport::Uuid;

/// Largest DeviceEngagement accepted (a QR code holds < 3 KiB).
const MAX_ENGAGEMENT_BYTES: usize = 16 * 1024;

/// One way to reach the holder for data retrieval (ISO 18013-5 §8.2.1.1,
/// DeviceRetrievalMethod).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetrievalMethod {
    /// BLE (type 2), BleOptions.
    Ble {
        /// mdoc peripheral server mode supported (option 0).
        peripheral_server_mode: bool,
        /// mdoc central client mode supported (option 1).
        central_client_mode: bool,
        /// UUID of the peripheral server mode service (option 10).
        peripheral_server_uuid: Option<Uuid>,
        /// UUID of the central client mode service (option 11).
        central_client_uuid: Option<Uuid>,
        /// mdoc BLE device address for peripheral server mode (option 20).
        device_address: Option<Vec<u8>>,
        /// L2CAP PSM (option 21 in drafts of the second edition).
        l2cap_psm: Option<u64>,
    },
    /// NFC (type 1), NfcOptions.
    Nfc {
        /// Maximum command data length (option 0).
        max_command_data_length: u64,
        /// Maximum response data length (option 1).
        max_response_data_length: u64,
    },
    /// Wi-Fi Aware (type 3); options kept as received.
    WifiAware {
        /// The encoded options map.
        options: Vec<u8>,
    },
    /// Another type; kept as received.
    Other {
        /// The method type.
        method_type: u64,
        /// The encoded DeviceRetrievalMethod array.
        raw: Vec<u8>,
    },
}

/// A DeviceEngagement, with the bytes as received.
///
/// The SessionTranscript embeds [`DeviceEngagement::raw`] unchanged: wallets
/// add fields (second-edition keys, vendor keys) that a re-encoding would
/// drop or reorder, and the device signature would then fail.
#[derive(Clone, Debug)]
pub struct DeviceEngagement {
    raw: Vec<u8>,
    version: String,
    e_device_key_bytes: Vec<u8>,
    e_device_key: PublicKey,
    methods: Vec<RetrievalMethod>,
}

fn bad(msg: impl Into<String>) -> Error {
    err(ErrorCode::StructureInvalid, format!("DeviceEngagement: {}", msg.into()))
}

impl DeviceEngagement {
    /// Parses encoded DeviceEngagement bytes (ISO 18013-5 §8.2.1.1).
    pub fn from_bytes(raw: &[u8]) -> Result<Self, Error> {
        if raw.len() > MAX_ENGAGEMENT_BYTES {
            return Err(err(ErrorCode::LimitExceeded, "DeviceEngagement too large"));
        }
        let limits = Limits::default();
        let item = cbor::decode(raw, &limits)?;
        if item.value.as_map().is_none() {
            return Err(bad("not a map"));
        }
        let version = item
            .get_int(0)
            .and_then(|v| v.value.as_text())
            .ok_or_else(|| bad("version (0) missing"))?;
        if !version.starts_with("1.") {
            return Err(err(
                ErrorCode::UnsupportedVersion,
                format!("DeviceEngagement version {version:?}"),
            ));
        }
        let security = item
            .get_int(1)
            .and_then(|v| v.value.as_array())
            .ok_or_else(|| bad("Security (1) missing"))?;
        let [suite, key_bytes] = security else {
            return Err(bad("Security is not [cipherSuite, EDeviceKeyBytes]"));
        };
        if suite.value.as_i64() != Some(1) {
            return Err(err(
                ErrorCode::UnsupportedAlgorithm,
                "DeviceEngagement: cipher suite identifier is not 1",
            ));
        }
        let inner = key_bytes
            .tag24_bytes()
            .ok_or_else(|| bad("EDeviceKeyBytes is not #6.24(bstr)"))?;
        let key_item = cbor::decode(inner, &limits)?;
        let e_device_key = cose::public_key_from_cose(&key_item)?;
        if e_device_key.curve() == Curve::Ed25519 {
            return Err(err(
                ErrorCode::UnsupportedAlgorithm,
                "DeviceEngagement: EDeviceKey must be an ECDH curve (P-256/384/521)",
            ));
        }
        let mut methods = Vec::new();
        if let Some(m) = item.get_int(2) {
            let arr = m
                .value
                .as_array()
                .ok_or_else(|| bad("DeviceRetrievalMethods is not an array"))?;
            for method in arr {
                methods.push(parse_method(method)?);
            }
        }
        Ok(DeviceEngagement {
            raw: raw.to_vec(),
            version: version.to_owned(),
            e_device_key_bytes: key_bytes.raw.to_vec(),
            e_device_key,
            methods,
        })
    }

    /// Parses the text of an engagement QR code: `mdoc:` followed by the
    /// base64url DeviceEngagement (ISO 18013-5 §8.2.2.3). Padding and
    /// surrounding whitespace are tolerated.
    pub fn from_qr(text: &str) -> Result<Self, Error> {
        use base64::Engine;
        let t = text.trim();
        let b64 = t
            .strip_prefix("mdoc:")
            .ok_or_else(|| bad("QR payload does not start with \"mdoc:\""))?;
        let b64 = b64.trim_end_matches('=');
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(b64)
            .map_err(|_| bad("QR payload is not base64url"))?;
        Self::from_bytes(&raw)
    }

    /// The DeviceEngagement carried by an NFC Handover Select message. When
    /// the engagement lists no retrieval methods, the Handover Select's BLE
    /// carrier records become [`RetrievalMethod::Ble`] entries (LE role
    /// 0x00: mdoc peripheral server mode, 0x01: central client mode, 0x02 /
    /// 0x03: both; the UUID from the Select, else from the Request). The
    /// engagement bytes themselves are kept unchanged.
    ///
    /// Returns the engagement
    /// (static handover: `request` is `None`; negotiated handover: the
    /// Handover Request the reader sent), and the matching [`Handover`]
    /// for the SessionTranscript (ISO 18013-5 §8.2.2.1, §9.1.5.1).
    pub fn from_nfc_handover(select: &[u8], request: Option<&[u8]>) -> Result<(Self, Handover), Error> {
        let hs = HandoverMessage::parse(select, b"Hs")?;
        let de = hs
            .device_engagement()
            .ok_or_else(|| bad("Handover Select has no iso.org:18013:deviceengagement record"))?;
        let hr = request.map(|r| HandoverMessage::parse(r, b"Hr")).transpose()?;
        let mut engagement = Self::from_bytes(de)?;
        if engagement.methods.is_empty() {
            // §8.2.2.1: with NFC handover the carriers are alternative
            // carrier records, not DeviceRetrievalMethods.
            let hr_ble = match &hr {
                Some(m) => m.ble_carriers()?,
                None => Vec::new(),
            };
            for oob in hs.ble_carriers()? {
                engagement.methods.push(ble_from_oob(&oob, hr_ble.first()));
            }
        }
        Ok((
            engagement,
            Handover::Nfc {
                select: select.to_vec(),
                request: request.map(<[u8]>::to_vec),
            },
        ))
    }

    /// The BLE carriers offered in a Handover Select message.
    pub fn nfc_ble_carriers(select: &[u8]) -> Result<Vec<BleOob>, Error> {
        HandoverMessage::parse(select, b"Hs")?.ble_carriers()
    }

    /// The DeviceEngagement bytes as received.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The version string.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// EDeviceKeyBytes (`#6.24(bstr .cbor COSE_Key)`), as received.
    pub fn e_device_key_bytes(&self) -> &[u8] {
        &self.e_device_key_bytes
    }

    /// The curve of the holder's ephemeral key; the reader's key must use it.
    pub fn curve(&self) -> Curve {
        self.e_device_key.curve()
    }

    /// The holder's ephemeral public key as an uncompressed SEC1 point.
    pub fn e_device_key_sec1(&self) -> Vec<u8> {
        self.e_device_key.to_bytes()
    }

    pub(crate) fn e_device_key(&self) -> &PublicKey {
        &self.e_device_key
    }

    /// The device retrieval methods offered: the DeviceEngagement's own, or
    /// for an NFC handover whose engagement has none, the BLE carriers of the
    /// Handover Select (see [`DeviceEngagement::from_nfc_handover`]).
    pub fn retrieval_methods(&self) -> &[RetrievalMethod] {
        &self.methods
    }
}

/// Maps a BLE OOB record of the holder (and the reader's, for the UUID
/// offered in a negotiated handover) to a retrieval method.
fn ble_from_oob(oob: &BleOob, reader_oob: Option<&BleOob>) -> RetrievalMethod {
    let (peripheral, central) = match oob.le_role {
        Some(0x00) => (true, false),
        Some(0x01) => (false, true),
        _ => (true, true),
    };
    let uuid = oob
        .uuids
        .first()
        .or_else(|| reader_oob.and_then(|r| r.uuids.first()))
        .map(|u| Uuid(*u));
    RetrievalMethod::Ble {
        peripheral_server_mode: peripheral,
        central_client_mode: central,
        peripheral_server_uuid: if peripheral { uuid } else { None },
        central_client_uuid: if central { uuid } else { None },
        device_address: oob.device_address.clone(),
        l2cap_psm: oob.l2cap_psm.map(u64::from),
    }
}

fn opt_bool(map: &Item<'_>, k: i64) -> bool {
    matches!(map.get_int(k).map(|v| &v.value), Some(Value::Bool(true)))
}

fn opt_uuid(map: &Item<'_>, k: i64) -> Result<Option<Uuid>, Error> {
    match map.get_int(k) {
        None => Ok(None),
        Some(v) => {
            let b = v.value.as_bytes().ok_or_else(|| bad("BLE UUID is not a byte string"))?;
            let arr: [u8; 16] = b.try_into().map_err(|_| bad("BLE UUID is not 16 bytes"))?;
            Ok(Some(Uuid(arr)))
        }
    }
}

fn parse_method(method: &Item<'_>) -> Result<RetrievalMethod, Error> {
    let parts = method
        .value
        .as_array()
        .ok_or_else(|| bad("DeviceRetrievalMethod is not an array"))?;
    let [ty, _version, options, ..] = parts else {
        return Err(bad("DeviceRetrievalMethod is not [type, version, options]"));
    };
    let ty = ty
        .value
        .as_u64()
        .ok_or_else(|| bad("retrieval method type is not an integer"))?;
    if options.value.as_map().is_none() {
        return Err(bad("retrieval options are not a map"));
    }
    Ok(match ty {
        1 => {
            let n = |k| {
                options
                    .get_int(k)
                    .and_then(|v| v.value.as_u64())
                    .ok_or_else(|| bad("NFC options lack the maximum lengths"))
            };
            RetrievalMethod::Nfc {
                max_command_data_length: n(0)?,
                max_response_data_length: n(1)?,
            }
        }
        2 => RetrievalMethod::Ble {
            peripheral_server_mode: opt_bool(options, 0),
            central_client_mode: opt_bool(options, 1),
            peripheral_server_uuid: opt_uuid(options, 10)?,
            central_client_uuid: opt_uuid(options, 11)?,
            device_address: options.get_int(20).and_then(|v| v.value.as_bytes()).map(<[u8]>::to_vec),
            l2cap_psm: options.get_int(21).and_then(|v| v.value.as_u64()),
        },
        3 => RetrievalMethod::WifiAware {
            options: options.raw.to_vec(),
        },
        other => RetrievalMethod::Other {
            method_type: other,
            raw: method.raw.to_vec(),
        },
    })
}
