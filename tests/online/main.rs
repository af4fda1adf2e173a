//! Online presentation, verifier side: ISO 18013-7 Annex C and Apple's
//! in-app envelope, and OpenID4VP 1.0, against simulated wallets.

use kakunin_test_kit as support;
use kakunin_test_kit::oid4vp_wallet as wallet;

mod annex_c_apple;
mod openid4vp;
