//! Online presentations: responses that arrive over the internet rather than
//! over NFC or BLE.
//!
//! - [`annex_c`]: ISO/IEC 18013-7 Annex C, the W3C Digital Credentials API
//!   protocol `org-iso-mdoc` (HPKE-sealed DeviceResponse).
//! - [`apple`]: Apple's in-app "Verify with Wallet" (`APPLE-HPKE-v1` envelope).
//! - [`openid4vp`]: OpenID for Verifiable Presentations 1.0, credential
//!   format `mso_mdoc`, plain or JWE-encrypted responses.
//!
//! Each flow is sans I/O: it builds the request the verifier sends, keeps
//! the state the verifier must remember, and turns the wallet's answer into
//! the same [`Verification`](crate::Verification) as proximity.

pub mod annex_c;
pub mod apple;
pub mod openid4vp;
