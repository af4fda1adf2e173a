//! Online presentation, verifier side: ISO 18013-7 Annex C and Apple's
//! in-app envelope, and OpenID4VP 1.0, against simulated wallets.

#[path = "../support/mod.rs"]
mod support;
#[path = "../support/oid4vp_wallet.rs"]
mod wallet;

mod annex_c_apple;
mod openid4vp;
