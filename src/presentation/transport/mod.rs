//! Transport framing for proximity data retrieval (ISO 18013-5 §8.3.3),
//! sans I/O: state machines that take received bytes and return the bytes
//! to send. No threads, no timers; the application owns the radio.
//!
//! - [`nfc`]: APDUs of NFC data retrieval (SELECT, ENVELOPE with command
//!   chaining, GET RESPONSE, extended length, status words).
//! - [`ble`]: GATT characteristics and MTU-sized chunks with the
//!   "more/last" prefix byte.
//! - [`ndef`]: NDEF messages of NFC connection handover.
//! - [`nfc_engagement`]: NFC engagement as a Type 4 Tag reader, static and
//!   negotiated handover.
//! - [`tnep`]: records of the NFC Forum Tag NDEF Exchange Protocol.

pub mod ble;
pub mod ndef;
pub mod nfc;
pub mod nfc_engagement;
pub mod tnep;
mod uuid;

pub use uuid::Uuid;
