//! BLE data retrieval behind an adapter trait (ISO 18013-5 §8.3.3.1.1).
//!
//! Some phones answer NFC engagement with a Handover Select that offers only
//! a Bluetooth LE carrier. The counter then needs a BLE central; which stack
//! depends on the platform (BlueZ over D-Bus on Linux, CoreBluetooth on macOS,
//! WinRT on Windows), so the session logic talks to a [`BleCentral`] and the
//! binary plugs in a real one. The framing (state characteristic, 1-byte
//! "more/last" chunk prefix, MTU-sized chunks) is kakunin's sans-I/O
//! [`BleReader`]; this module only moves its writes and notifications.
//!
//! ## Hardware path
//!
//! A production build implements [`BleCentral`] with a cross-platform crate
//! such as `btleplug` (BlueZ/CoreBluetooth/WinRT): `connect` scans for the
//! service UUID from the engagement (mdoc peripheral server mode), connects,
//! negotiates the ATT MTU and subscribes to the State and Server2Client
//! characteristics; `write` is a GATT write without response;
//! `next_notification` waits on the notification stream. The counter ships
//! without a BLE stack (no Bluetooth in CI, and a kiosk PC often has none);
//! the flow is tested through this trait with a fake phone.

use kakunin::session::Uuid;
use kakunin::transport::ble::{BleEvent, BleMode, BleReader};
use std::time::Duration;

/// A BLE central (GATT client) able to reach an mdoc in peripheral server
/// mode.
pub trait BleCentral {
    /// Finds the mdoc advertising `service` (optionally at `address`, as sent
    /// in the engagement), connects, subscribes to the State and
    /// Server2Client characteristics and returns the ATT MTU.
    fn connect(&mut self, service: Uuid, address: Option<&[u8]>, timeout: Duration) -> Result<usize, String>;
    /// Writes `value` to `characteristic` (write without response).
    fn write(&mut self, characteristic: Uuid, value: &[u8]) -> Result<(), String>;
    /// The next notification: characteristic and value; `Err` on timeout or
    /// disconnection.
    fn next_notification(&mut self, timeout: Duration) -> Result<(Uuid, Vec<u8>), String>;
    /// Disconnects (idempotent).
    fn disconnect(&mut self);
}

/// Sends one session message over BLE and returns the holder's answer.
/// `max_message` bounds the reassembled answer.
pub fn exchange(
    central: &mut dyn BleCentral,
    service: Uuid,
    address: Option<&[u8]>,
    message: &[u8],
    timeout: Duration,
    max_message: usize,
) -> Result<Vec<u8>, String> {
    let mtu = central.connect(service, address, timeout)?;
    let result = (|| {
        let mut reader = BleReader::new(BleMode::PeripheralServer, mtu, max_message).map_err(|e| e.to_string())?;
        let start = reader.start().map_err(|e| e.to_string())?;
        central.write(start.characteristic, &start.value)?;
        for w in reader.send(message).map_err(|e| e.to_string())? {
            central.write(w.characteristic, &w.value)?;
        }
        loop {
            let (ch, value) = central.next_notification(timeout)?;
            match reader.on_received(ch, &value).map_err(|e| e.to_string())? {
                BleEvent::Message(m) => {
                    let end = reader.end();
                    let _ = central.write(end.characteristic, &end.value);
                    return Ok(m);
                }
                BleEvent::Ended => return Err("the phone ended the BLE session".into()),
                _ => {}
            }
        }
    })();
    central.disconnect();
    result
}
