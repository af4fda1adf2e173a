//! The reader's ephemeral private key (EReaderKey.Priv, ISO 18013-5
//! §9.1.1.4) as a C handle: a `deviceMac` (§9.1.3.5) is checked with the key
//! it derives by ECDH. The same handle is the private key of a reader
//! authentication key and the HPKE recipient key of online presentations.

use super::{boundary, free_handle, into_handle, need, ok, out_ok, try_slice};
use super::{kakunin_status, kakunin_status::*};
use crate::reader_key::ReaderKey;
use crate::Curve;

/// The reader's ephemeral private key (EReaderKey.Priv), needed to verify a
/// `deviceMac`; zeroized when freed. Immutable and thread-safe. Free with
/// `kakunin_reader_key_free`.
pub struct kakunin_reader_key {
    pub(super) inner: ReaderKey,
}

/// A reader private key from PKCS#8 or SEC1 (PEM or DER) or a COSE_Key with `d`.
#[no_mangle]
pub extern "C" fn kakunin_reader_key_from_bytes(
    data: *const u8,
    len: usize,
    out: *mut *mut kakunin_reader_key,
) -> kakunin_status {
    boundary! {
        let data = need!(try_slice(data, len));
        let out = need!(out_ok(out));
        let inner = ok!(ReaderKey::from_bytes(data));
        into_handle(kakunin_reader_key { inner }, out)
    }
}

/// A reader private key from a big-endian scalar on the curve with COSE `crv`
/// identifier `cose_curve` (1 = P-256, 2 = P-384, 3 = P-521; RFC 9053 §7.1).
#[no_mangle]
pub extern "C" fn kakunin_reader_key_from_scalar(
    cose_curve: u32,
    scalar: *const u8,
    len: usize,
    out: *mut *mut kakunin_reader_key,
) -> kakunin_status {
    boundary! {
        let scalar = need!(try_slice(scalar, len));
        let out = need!(out_ok(out));
        let curve = match Curve::from_cose(i64::from(cose_curve)) {
            Some(c @ (Curve::P256 | Curve::P384 | Curve::P521)) => c,
            _ => return KAKUNIN_INVALID_PARAMETER,
        };
        let inner = ok!(ReaderKey::from_scalar(curve, scalar));
        into_handle(kakunin_reader_key { inner }, out)
    }
}

/// A reader ephemeral private key as a platform hands it over: any encoding of
/// `kakunin_reader_key_from_bytes`, an ANSI X9.63 private key `04 || X || Y || d`
/// (CryptoKit `x963Representation`; the public part must match `d`), or a bare
/// big-endian scalar of 32, 48 or 66 bytes (P-256/384/521; CryptoKit
/// `rawRepresentation`). For Apple ProximityReader's `ephemeralReaderKey`.
#[no_mangle]
pub extern "C" fn kakunin_reader_key_from_platform_bytes(
    data: *const u8,
    len: usize,
    out: *mut *mut kakunin_reader_key,
) -> kakunin_status {
    boundary! {
        let data = need!(try_slice(data, len));
        let out = need!(out_ok(out));
        let inner = ok!(ReaderKey::from_platform_bytes(data));
        into_handle(kakunin_reader_key { inner }, out)
    }
}

/// Frees (and zeroizes) a reader key. NULL is a no-op.
#[no_mangle]
pub extern "C" fn kakunin_reader_key_free(key: *mut kakunin_reader_key) {
    boundary! { free_handle(key) }
}
