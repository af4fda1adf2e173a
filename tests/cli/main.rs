//! The command-line examples as processes: `verify` (offline, online,
//! OpenID4VP, trust and revocation flags, document types) and `reader`
//! (Annex D replay). Binaries come from `support::example`.

#[path = "../support/mod.rs"]
mod support;
#[path = "../support/oid4vp_wallet.rs"]
mod wallet;

mod doctypes;
mod online;
mod openid4vp;
mod reader;
mod trust;
mod verify;
