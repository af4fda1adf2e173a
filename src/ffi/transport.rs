//! The NFC and BLE framers (ISO 18013-5 §8.3.3) over the C ABI, as feed/next
//! state machines: the application hands in what its radio received and
//! gets back what to transmit. No threads, no timers, no I/O.

use super::session::kakunin_buffer;
use super::{boundary, free_handle, into_handle, need, ok, out_ok, try_mut, try_ref, try_slice, write_out};
use super::{kakunin_bytes, kakunin_status, kakunin_status::*};
use crate::presentation::transport::ble::{BleEvent, BleMode, BleReader, GattOut};
use crate::presentation::transport::nfc::{NfcConfig, NfcEvent, NfcReader};
use crate::presentation::transport::Uuid;

// ---------------------------------------------------------------- NFC

/// The reader's NFC data-retrieval APDU state machine (ISO 18013-5
/// §8.3.3.1.2: SELECT of the mdoc AID, ENVELOPE with command chaining, GET
/// RESPONSE, status words). Not thread-safe. Free with
/// `kakunin_nfc_reader_free`. Any framing error returns
/// `KAKUNIN_TRANSPORT_ERROR` and resets the machine.
pub struct kakunin_nfc_reader {
    inner: NfcReader,
}

/// What a response APDU meant (`kakunin_nfc_reader_on_response`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_nfc_event {
    /// The mdoc application is selected: send a message next.
    KAKUNIN_NFC_EVENT_SELECTED = 1,
    /// Transmit the returned command APDU next.
    KAKUNIN_NFC_EVENT_SEND = 2,
    /// The returned bytes are a complete session message from the mdoc.
    KAKUNIN_NFC_EVENT_MESSAGE = 3,
}

/// A new NFC framer. `max_command_data` is the mdoc's maxLenCommandData
/// (`kakunin_device_engagement_nfc_options`; clamped to 1..=255, or
/// 1..=65535 with `extended_length`); `max_message` bounds a reassembled
/// response (0 is `KAKUNIN_INVALID_PARAMETER`).
#[no_mangle]
pub extern "C" fn kakunin_nfc_reader_new(
    max_command_data: usize,
    extended_length: bool,
    max_message: usize,
    out: *mut *mut kakunin_nfc_reader,
) -> kakunin_status {
    boundary! {
        let out = need!(out_ok(out));
        if max_message == 0 {
            return KAKUNIN_INVALID_PARAMETER;
        }
        let config = NfcConfig { max_command_data, extended_length, max_message };
        into_handle(kakunin_nfc_reader { inner: NfcReader::new(config) }, out)
    }
}

/// The SELECT command APDU to transmit first.
#[no_mangle]
pub extern "C" fn kakunin_nfc_reader_select(
    reader: *mut kakunin_nfc_reader,
    out: *mut *mut kakunin_buffer,
) -> kakunin_status {
    boundary! {
        let r = need!(try_mut(reader));
        let out = need!(out_ok(out));
        into_handle(kakunin_buffer::of(r.inner.select()), out)
    }
}

/// Starts sending a session message (e.g. a SessionEstablishment): returns
/// the first ENVELOPE command APDU; the rest come from
/// `kakunin_nfc_reader_on_response`. Only after `KAKUNIN_NFC_EVENT_SELECTED`
/// or a received message.
#[no_mangle]
pub extern "C" fn kakunin_nfc_reader_send_message(
    reader: *mut kakunin_nfc_reader,
    message: *const u8,
    message_len: usize,
    out: *mut *mut kakunin_buffer,
) -> kakunin_status {
    boundary! {
        let r = need!(try_mut(reader));
        let message = need!(try_slice(message, message_len));
        let out = need!(out_ok(out));
        let apdu = ok!(r.inner.send_message(message));
        into_handle(kakunin_buffer::of(apdu), out)
    }
}

/// Feeds a response APDU (data ‖ SW1 SW2). On success `*out_event` receives
/// a `kakunin_nfc_event` value and `*out_bytes` the APDU to send
/// (`_SEND`), the session message (`_MESSAGE`), or NULL (`_SELECTED`).
#[no_mangle]
pub extern "C" fn kakunin_nfc_reader_on_response(
    reader: *mut kakunin_nfc_reader,
    response_apdu: *const u8,
    response_apdu_len: usize,
    out_event: *mut u32,
    out_bytes: *mut *mut kakunin_buffer,
) -> kakunin_status {
    boundary! {
        let r = need!(try_mut(reader));
        let rapdu = need!(try_slice(response_apdu, response_apdu_len));
        let out_event = need!(out_ok(out_event));
        let out_bytes = need!(out_ok(out_bytes));
        use kakunin_nfc_event::*;
        let (event, bytes) = match r.inner.on_response(rapdu) {
            Ok(NfcEvent::Selected) => (KAKUNIN_NFC_EVENT_SELECTED, core::ptr::null_mut()),
            Ok(NfcEvent::Send(b)) => (KAKUNIN_NFC_EVENT_SEND, kakunin_buffer::new(b)),
            Ok(NfcEvent::Message(b)) => (KAKUNIN_NFC_EVENT_MESSAGE, kakunin_buffer::new(b)),
            Err(e) => return kakunin_status::from(&e),
        };
        write_out(out_event, u32::from(event));
        write_out(out_bytes, bytes);
        KAKUNIN_OK
    }
}

/// Frees an NFC framer. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_nfc_reader_free(reader: *mut kakunin_nfc_reader) {
    boundary! { free_handle(reader) }
}

// ---------------------------------------------------------------- BLE

/// The reader's BLE GATT state machine for one connection (ISO 18013-5
/// §8.3.3.1.1): which characteristic carries what, start/end signalling,
/// ATT_MTU-sized chunks with the "more/last" prefix. Not thread-safe. Free
/// with `kakunin_ble_reader_free`.
pub struct kakunin_ble_reader {
    inner: BleReader,
}

/// The mdoc's GATT role (`kakunin_ble_reader_new`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_ble_mode {
    /// mdoc peripheral server: the reader is the GATT client (writes).
    KAKUNIN_BLE_PERIPHERAL_SERVER = 1,
    /// mdoc central client: the reader is the GATT server (notifications).
    KAKUNIN_BLE_CENTRAL_CLIENT = 2,
}

/// The service characteristics (`kakunin_ble_reader_characteristic`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_ble_characteristic {
    /// State (start 0x01 / end 0x02).
    KAKUNIN_BLE_STATE = 1,
    /// Client2Server.
    KAKUNIN_BLE_CLIENT2SERVER = 2,
    /// Server2Client.
    KAKUNIN_BLE_SERVER2CLIENT = 3,
}

/// What received GATT bytes meant (`kakunin_ble_reader_on_received`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kakunin_ble_event {
    /// A chunk of a longer message; nothing to do yet.
    KAKUNIN_BLE_EVENT_PARTIAL = 1,
    /// The mdoc signalled start (central client mode): send the SessionEstablishment.
    KAKUNIN_BLE_EVENT_STARTED = 2,
    /// The returned bytes are a complete session message.
    KAKUNIN_BLE_EVENT_MESSAGE = 3,
    /// The mdoc ended the session (State 0x02).
    KAKUNIN_BLE_EVENT_ENDED = 4,
}

/// GATT operations to perform, in order: writes (the reader is the client)
/// or notifications (the reader is the server). Immutable and thread-safe.
/// Free with `kakunin_gatt_ops_free`.
pub struct kakunin_gatt_ops {
    ops: Vec<GattOut>,
}

/// A BLE framer for `mode` (a `kakunin_ble_mode` value) with the negotiated
/// ATT_MTU; `max_message` bounds a reassembled message.
#[no_mangle]
pub extern "C" fn kakunin_ble_reader_new(
    mode: u32,
    att_mtu: usize,
    max_message: usize,
    out: *mut *mut kakunin_ble_reader,
) -> kakunin_status {
    boundary! {
        let out = need!(out_ok(out));
        let mode = match mode {
            1 => BleMode::PeripheralServer,
            2 => BleMode::CentralClient,
            _ => return KAKUNIN_INVALID_PARAMETER,
        };
        let inner = ok!(BleReader::new(mode, att_mtu, max_message));
        into_handle(kakunin_ble_reader { inner }, out)
    }
}

/// The 16-byte UUID (big-endian) of characteristic `which` (a
/// `kakunin_ble_characteristic` value) for this reader's mode.
#[no_mangle]
pub extern "C" fn kakunin_ble_reader_characteristic(
    reader: *const kakunin_ble_reader,
    which: u32,
    out_uuid: *mut [u8; 16],
) -> kakunin_status {
    boundary! {
        let r = need!(try_ref(reader));
        let out = need!(out_ok(out_uuid));
        let (state, c2s, s2c) = r.inner.characteristics();
        let u = match which {
            1 => state,
            2 => c2s,
            3 => s2c,
            _ => return KAKUNIN_INVALID_PARAMETER,
        };
        write_out(out, u.0);
        KAKUNIN_OK
    }
}

/// Peripheral server mode: the State write (0x01) that starts the session,
/// to perform after subscribing to Server2Client notifications.
#[no_mangle]
pub extern "C" fn kakunin_ble_reader_start(
    reader: *mut kakunin_ble_reader,
    out: *mut *mut kakunin_gatt_ops,
) -> kakunin_status {
    boundary! {
        let r = need!(try_mut(reader));
        let out = need!(out_ok(out));
        let op = ok!(r.inner.start());
        into_handle(kakunin_gatt_ops { ops: vec![op] }, out)
    }
}

/// The GATT operations that carry `message` (chunked to the ATT_MTU).
#[no_mangle]
pub extern "C" fn kakunin_ble_reader_send(
    reader: *mut kakunin_ble_reader,
    message: *const u8,
    message_len: usize,
    out: *mut *mut kakunin_gatt_ops,
) -> kakunin_status {
    boundary! {
        let r = need!(try_mut(reader));
        let message = need!(try_slice(message, message_len));
        let out = need!(out_ok(out));
        let ops = ok!(r.inner.send(message));
        into_handle(kakunin_gatt_ops { ops }, out)
    }
}

/// Feeds a value received on the characteristic with UUID `characteristic`
/// (16 bytes, big-endian). On success `*out_event` receives a
/// `kakunin_ble_event` value and `*out_message` the complete message
/// (`_MESSAGE`) or NULL.
#[no_mangle]
pub extern "C" fn kakunin_ble_reader_on_received(
    reader: *mut kakunin_ble_reader,
    characteristic: *const [u8; 16],
    value: *const u8,
    value_len: usize,
    out_event: *mut u32,
    out_message: *mut *mut kakunin_buffer,
) -> kakunin_status {
    boundary! {
        let r = need!(try_mut(reader));
        let characteristic = Uuid(*need!(try_ref(characteristic)));
        let value = need!(try_slice(value, value_len));
        let out_event = need!(out_ok(out_event));
        let out_message = need!(out_ok(out_message));
        use kakunin_ble_event::*;
        let (event, message) = match r.inner.on_received(characteristic, value) {
            Ok(BleEvent::Partial) => (KAKUNIN_BLE_EVENT_PARTIAL, core::ptr::null_mut()),
            Ok(BleEvent::Started) => (KAKUNIN_BLE_EVENT_STARTED, core::ptr::null_mut()),
            Ok(BleEvent::Message(m)) => (KAKUNIN_BLE_EVENT_MESSAGE, kakunin_buffer::new(m)),
            Ok(BleEvent::Ended) => (KAKUNIN_BLE_EVENT_ENDED, core::ptr::null_mut()),
            Err(e) => return kakunin_status::from(&e),
        };
        write_out(out_event, u32::from(event));
        write_out(out_message, message);
        KAKUNIN_OK
    }
}

/// The State operation (0x02) that ends the session.
#[no_mangle]
pub extern "C" fn kakunin_ble_reader_end(
    reader: *mut kakunin_ble_reader,
    out: *mut *mut kakunin_gatt_ops,
) -> kakunin_status {
    boundary! {
        let r = need!(try_mut(reader));
        let out = need!(out_ok(out));
        into_handle(kakunin_gatt_ops { ops: vec![r.inner.end()] }, out)
    }
}

/// Frees a BLE framer. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_ble_reader_free(reader: *mut kakunin_ble_reader) {
    boundary! { free_handle(reader) }
}

/// The number of operations (0 for NULL).
#[no_mangle]
pub extern "C" fn kakunin_gatt_ops_count(ops: *const kakunin_gatt_ops) -> usize {
    boundary! { try_ref(ops).map_or(0, |o| o.ops.len()) }
}

/// Operation `index`: the characteristic's UUID (16 bytes, big-endian) and
/// the value to write or notify (borrowed from `ops`).
#[no_mangle]
pub extern "C" fn kakunin_gatt_ops_get(
    ops: *const kakunin_gatt_ops,
    index: usize,
    out_characteristic: *mut [u8; 16],
    out_value: *mut kakunin_bytes,
) -> kakunin_status {
    boundary! {
        let o = need!(try_ref(ops));
        let out_c = need!(out_ok(out_characteristic));
        let out_v = need!(out_ok(out_value));
        let Some(op) = o.ops.get(index) else {
            return KAKUNIN_OUT_OF_RANGE;
        };
        write_out(out_c, op.characteristic.0);
        write_out(out_v, kakunin_bytes::of(&op.value));
        KAKUNIN_OK
    }
}

/// Frees GATT operations. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_gatt_ops_free(ops: *mut kakunin_gatt_ops) {
    boundary! { free_handle(ops) }
}
