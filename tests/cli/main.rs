//! The command-line examples as processes: `verify` (offline, online,
//! OpenID4VP, trust and revocation flags, document types) and `reader`
//! (Annex D replay). Binaries come from `support::examples::example`, input
//! files go in a folder of their own per test (`support::examples::TempDir`).

use kakunin_test_kit as support;
use kakunin_test_kit::oid4vp_wallet as wallet;

mod doctypes;
mod online;
mod openid4vp;
mod reader;
mod trust;
mod verify;
