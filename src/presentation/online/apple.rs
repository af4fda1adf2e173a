//! Apple "Verify with Wallet" in apps: the `APPLE-HPKE-v1` envelope.
