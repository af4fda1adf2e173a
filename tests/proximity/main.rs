//! Proximity presentation (ISO 18013-5): the reader session against
//! Annex D, mutated session input, and round trips with a simulated holder
//! over NFC (engagement included) and BLE.

use kakunin_test_kit as support;

mod nfc_engagement;
mod session;
mod session_robustness;
mod transport;
