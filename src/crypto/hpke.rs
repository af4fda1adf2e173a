//! HPKE (RFC 9180) in base mode with the one suite online mdoc presentations
//! use: DHKEM(P-256, HKDF-SHA256) (KEM 0x0010), HKDF-SHA256 (KDF 0x0001),
//! AES-128-GCM (AEAD 0x0001) — ISO/IEC 18013-7 Annex C and Apple's
//! `APPLE-HPKE-v1` envelope.
//!
//! The primitive is the `hpke` crate (RustCrypto) under both backends; the
//! recipient key is a [`ReaderKey`] (any P-256 private key kakunin can read:
//! PKCS#8 or SEC1, PEM or DER, COSE_Key). Private keys are zeroized on drop by
//! the underlying crates; scalars copied out for the hand-over are held in
//! [`Zeroizing`] buffers.

use crate::error::{err, Error, ErrorCode};
use crate::reader_key::ReaderKey;
use crate::Curve;
use hpke::Deserializable;
#[cfg(any(test, feature = "internals"))]
use hpke::Serializable;
use zeroize::Zeroizing;

type Kem = hpke::kem::DhP256HkdfSha256;
type Kdf = hpke::kdf::HkdfSha256;
type Aead = hpke::aead::AesGcm128;

/// Length of `enc` for DHKEM(P-256): an uncompressed SEC1 point (RFC 9180 §7.1.1).
pub const ENC_LEN: usize = 65;

fn kem_private_key(key: &ReaderKey) -> Result<<Kem as hpke::Kem>::PrivateKey, Error> {
    if key.curve() != Curve::P256 {
        return Err(err(
            ErrorCode::HpkeKeyMismatch,
            "HPKE: the recipient key is not a P-256 key (DHKEM(P-256, HKDF-SHA256))",
        ));
    }
    let scalar = key.key.scalar_bytes();
    <Kem as hpke::Kem>::PrivateKey::from_bytes(&scalar)
        .map_err(|_| err(ErrorCode::HpkeKeyMismatch, "HPKE: unusable recipient key"))
}

/// The uncompressed SEC1 point (65 bytes) of a P-256 recipient key: the
/// `pkR` that a sender seals to.
pub fn public_key_bytes(key: &ReaderKey) -> Vec<u8> {
    key.key.public_key().to_bytes()
}

/// A fresh P-256 recipient key pair from the operating system's CSPRNG.
pub fn generate_key() -> Result<ReaderKey, Error> {
    ReaderKey::generate(Curve::P256)
}

#[cfg(any(test, feature = "internals"))]
/// `DeriveKeyPair(ikm)` for DHKEM(P-256, HKDF-SHA256) (RFC 9180 §7.1.3);
/// `ikm` must hold at least 32 bytes.
pub fn derive_key(ikm: &[u8]) -> Result<ReaderKey, Error> {
    if ikm.len() < 32 {
        return Err(err(ErrorCode::StructureInvalid, "HPKE: ikm shorter than 32 bytes"));
    }
    let (sk, _) = <Kem as hpke::Kem>::derive_keypair(ikm);
    let scalar = Zeroizing::new(sk.to_bytes().to_vec());
    ReaderKey::from_scalar(Curve::P256, &scalar)
}

/// `OpenBase(enc, skR, info, aad, ct)` (RFC 9180 §6.1): the plaintext, or
/// `hpke_decrypt_failed` when `enc` is not exactly a 65-byte uncompressed
/// point on P-256 (RFC 9180 §7.1.1 validates it), or the AEAD tag does not
/// verify under the keys derived from `info` (a wrong key, `enc`, `info`,
/// `aad` or ciphertext). Constant-time tag comparison is the AEAD's.
pub fn open(
    key: &ReaderKey,
    enc: &[u8],
    info: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let sk = kem_private_key(key)?;
    if enc.len() != ENC_LEN || enc.first() != Some(&0x04) {
        return Err(err(
            ErrorCode::HpkeDecryptFailed,
            "HPKE: enc is not a 65-byte uncompressed P-256 point",
        ));
    }
    let encapped = <Kem as hpke::Kem>::EncappedKey::from_bytes(enc)
        .map_err(|_| err(ErrorCode::HpkeDecryptFailed, "HPKE: enc is not a point on P-256"))?;
    hpke::single_shot_open::<Aead, Kdf, Kem>(&hpke::OpModeR::Base, &sk, &encapped, info, ciphertext, aad)
        .map(Zeroizing::new)
        .map_err(|_| {
            err(
                ErrorCode::HpkeDecryptFailed,
                "HPKE: decryption failed (wrong key, enc, info or ciphertext)",
            )
        })
}

#[cfg(any(test, feature = "internals"))]
/// `SealBase(pkR, info, aad, pt)` (RFC 9180 §6.1) with a fresh ephemeral key:
/// returns `(enc, ciphertext)`. `recipient` is the 65-byte uncompressed
/// point. This is the holder's side: kakunin's own tests and benches use it
/// (through `kakunin::internals`) to play the wallet.
pub fn seal(recipient: &[u8], info: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error> {
    seal_with_rng(recipient, info, aad, plaintext, &mut rand_core::OsRng)
}

#[cfg(any(test, feature = "internals"))]
/// [`seal`] with the ephemeral key derived from `ikm_e` instead of fresh
/// randomness, to reproduce the RFC 9180 Appendix A test vectors. Never use
/// a fixed `ikm_e` outside a known-answer test: it breaks confidentiality.
#[doc(hidden)]
pub fn seal_with_ikm(
    ikm_e: &[u8; 32],
    recipient: &[u8],
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    seal_with_rng(recipient, info, aad, plaintext, &mut FixedIkm(Zeroizing::new(*ikm_e)))
}

#[cfg(any(test, feature = "internals"))]
fn seal_with_rng<R: rand_core::RngCore + rand_core::CryptoRng>(
    recipient: &[u8],
    info: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut R,
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(recipient).map_err(|_| {
        err(
            ErrorCode::HpkeKeyMismatch,
            "HPKE: the recipient key is not a 65-byte uncompressed P-256 point",
        )
    })?;
    let (enc, ct) = hpke::single_shot_seal::<Aead, Kdf, Kem, R>(&hpke::OpModeS::Base, &pk, info, plaintext, aad, rng)
        .map_err(|_| err(ErrorCode::HpkeDecryptFailed, "HPKE: sealing failed"))?;
    Ok((enc.to_bytes().to_vec(), ct))
}

#[cfg(any(test, feature = "internals"))]
/// A "random" source that hands out one fixed `ikmE`, so that the KEM's
/// `GenerateKeyPair` (= `DeriveKeyPair(random ikm)`) reproduces a vector.
struct FixedIkm(Zeroizing<[u8; 32]>);

#[cfg(any(test, feature = "internals"))]
impl rand_core::RngCore for FixedIkm {
    fn next_u32(&mut self) -> u32 {
        0
    }
    fn next_u64(&mut self) -> u64 {
        0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.iter_mut().zip(self.0.iter()).for_each(|(d, s)| *d = *s);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

#[cfg(any(test, feature = "internals"))]
impl rand_core::CryptoRng for FixedIkm {}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 9180 Appendix A.3.1: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256,
    // AES-128-GCM, Base mode (values as published in the RFC).
    const INFO: &str = "4f6465206f6e2061204772656369616e2055726e";
    const IKM_E: &str = "4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e";
    const IKM_R: &str = "668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550";
    const SK_RM: &str = "f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2";
    const PK_RM: &str = "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0";
    const ENC: &str = "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4";
    const PT: &str = "4265617574792069732074727574682c20747275746820626561757479";
    // Encryption sequence number 0 (the only one a single-shot open sees).
    const AAD0: &str = "436f756e742d30";
    const CT0: &str = "5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513434";

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn rfc9180_a31_recipient_key_derivation() {
        let key = derive_key(&h(IKM_R)).unwrap();
        assert_eq!(hex::encode(key.key.scalar_bytes().as_slice()), SK_RM);
        assert_eq!(hex::encode(public_key_bytes(&key)), PK_RM);
    }

    #[test]
    fn rfc9180_a31_open() {
        let key = ReaderKey::from_scalar(Curve::P256, &h(SK_RM)).unwrap();
        let pt = open(&key, &h(ENC), &h(INFO), &h(AAD0), &h(CT0)).unwrap();
        assert_eq!(hex::encode(pt.as_slice()), PT);
    }

    #[test]
    fn rfc9180_a31_seal_is_reproduced() {
        let ikm: [u8; 32] = h(IKM_E).try_into().unwrap();
        let (enc, ct) = seal_with_ikm(&ikm, &h(PK_RM), &h(INFO), &h(AAD0), &h(PT)).unwrap();
        assert_eq!(hex::encode(enc), ENC);
        assert_eq!(hex::encode(ct), CT0);
    }

    #[test]
    fn every_input_is_bound() {
        let key = ReaderKey::from_scalar(Curve::P256, &h(SK_RM)).unwrap();
        let (enc, ct, info, aad) = (h(ENC), h(CT0), h(INFO), h(AAD0));
        let code = |r: Result<Zeroizing<Vec<u8>>, Error>| r.unwrap_err().code();
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert_eq!(code(open(&key, &enc, &info, &aad, &bad)), ErrorCode::HpkeDecryptFailed);
        assert_eq!(
            code(open(&key, &enc, b"other", &aad, &ct)),
            ErrorCode::HpkeDecryptFailed
        );
        assert_eq!(code(open(&key, &enc, &info, b"", &ct)), ErrorCode::HpkeDecryptFailed);
        let mut off_curve = enc.clone();
        off_curve[64] ^= 1;
        assert_eq!(
            code(open(&key, &off_curve, &info, &aad, &ct)),
            ErrorCode::HpkeDecryptFailed
        );
        assert_eq!(
            code(open(&key, &enc[..33], &info, &aad, &ct)),
            ErrorCode::HpkeDecryptFailed
        );
        assert_eq!(
            code(open(&key, &enc, &info, &aad, &ct[..10])),
            ErrorCode::HpkeDecryptFailed
        );
        let other = generate_key().unwrap();
        assert_eq!(code(open(&other, &enc, &info, &aad, &ct)), ErrorCode::HpkeDecryptFailed);
        let p384 = ReaderKey::generate(Curve::P384).unwrap();
        assert_eq!(code(open(&p384, &enc, &info, &aad, &ct)), ErrorCode::HpkeKeyMismatch);
    }

    #[test]
    fn fresh_seal_opens() {
        let key = generate_key().unwrap();
        let (enc, ct) = seal(&public_key_bytes(&key), b"info", b"", b"hello").unwrap();
        assert_eq!(enc.len(), ENC_LEN);
        assert_eq!(open(&key, &enc, b"info", b"", &ct).unwrap().as_slice(), b"hello");
    }
}
