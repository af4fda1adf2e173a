//! Session encryption (ISO 18013-5 §9.1.1.5): ECDH between the ephemeral
//! keys, SKReader/SKDevice by HKDF-SHA256 salted with
//! SHA-256(SessionTranscriptBytes), and AES-256-GCM with IV = 8-byte
//! identifier ‖ 4-byte big-endian message counter.

use crate::cbor;
use crate::cose;
use crate::crypto::{self, PublicKey};
use crate::error::{err, Error, ErrorCode};
use crate::limits::Limits;
use crate::presentation::transcript::SessionTranscript;
use crate::reader_key::ReaderKey;
use zeroize::Zeroizing;

/// Which side of the session this endpoint is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The mdoc reader: encrypts with SKReader, decrypts with SKDevice.
    Reader,
    /// The mdoc (holder): encrypts with SKDevice, decrypts with SKReader.
    Device,
}

/// IV identifier of messages encrypted by the reader (§9.1.1.5).
const READER_IDENTIFIER: [u8; 8] = [0, 0, 0, 0, 0, 0, 0, 0];
/// IV identifier of messages encrypted by the mdoc (§9.1.1.5).
const DEVICE_IDENTIFIER: [u8; 8] = [0, 0, 0, 0, 0, 0, 0, 1];

/// The two session keys and both message counters of one session.
///
/// Counters start at 1 and grow by one per message in each direction; a
/// message that fails to decrypt (tampered, replayed, reordered, wrong key)
/// does not advance the counter and is reported as
/// [`ErrorCode::SessionDecryptionFailed`].
pub struct SessionCipher {
    role: Role,
    sk_reader: Zeroizing<[u8; 32]>,
    sk_device: Zeroizing<[u8; 32]>,
    send_counter: u32,
    receive_counter: u32,
}

impl core::fmt::Debug for SessionCipher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionCipher")
            .field("role", &self.role)
            .field("send_counter", &self.send_counter)
            .field("receive_counter", &self.receive_counter)
            .finish_non_exhaustive()
    }
}

/// Reads a `#6.24(bstr .cbor COSE_Key)` (or a bare COSE_Key) public key.
pub(crate) fn public_key_from_key_bytes(key_bytes: &[u8]) -> Result<PublicKey, Error> {
    let limits = Limits::default();
    let item = cbor::decode(key_bytes, &limits)?;
    match item.tag24_bytes() {
        Some(inner) => cose::public_key_from_cose(&cbor::decode(inner, &limits)?),
        None => cose::public_key_from_cose(&item),
    }
}

impl SessionCipher {
    /// Derives the session keys (§9.1.1.5) from this endpoint's ephemeral
    /// private key, the peer's ephemeral key bytes (EDeviceKeyBytes for the
    /// reader, EReaderKeyBytes for the mdoc) and the SessionTranscript.
    pub fn derive(
        role: Role,
        own_key: &ReaderKey,
        peer_key_bytes: &[u8],
        transcript: &SessionTranscript,
    ) -> Result<Self, Error> {
        let peer = public_key_from_key_bytes(peer_key_bytes)?;
        Self::derive_with(role, own_key, &peer, transcript)
    }

    pub(crate) fn derive_with(
        role: Role,
        own_key: &ReaderKey,
        peer: &PublicKey,
        transcript: &SessionTranscript,
    ) -> Result<Self, Error> {
        let z = own_key.key.ecdh(peer).ok_or_else(|| {
            err(
                ErrorCode::AlgorithmKeyMismatch,
                format!(
                    "session keys: ephemeral keys on different curves ({} and {})",
                    own_key.curve().name(),
                    peer.curve().name()
                ),
            )
        })?;
        let salt = crypto::sha256(transcript.as_tagged_bytes());
        let mut sk_reader = Zeroizing::new([0u8; 32]);
        let mut sk_device = Zeroizing::new([0u8; 32]);
        if !crypto::hkdf_sha256(&z, &salt, b"SKReader", sk_reader.as_mut())
            || !crypto::hkdf_sha256(&z, &salt, b"SKDevice", sk_device.as_mut())
        {
            return Err(err(ErrorCode::SessionProtocolError, "session keys: HKDF failed"));
        }
        Ok(SessionCipher {
            role,
            sk_reader,
            sk_device,
            send_counter: 1,
            receive_counter: 1,
        })
    }

    fn iv(identifier: &[u8; 8], counter: u32) -> [u8; 12] {
        let mut iv = [0u8; 12];
        iv[..8].copy_from_slice(identifier);
        iv[8..].copy_from_slice(&counter.to_be_bytes());
        iv
    }

    /// Encrypts the next outgoing message.
    pub fn encrypt(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        if self.send_counter == 0 {
            return Err(err(
                ErrorCode::SessionProtocolError,
                "session: message counter exhausted",
            ));
        }
        let (key, id) = match self.role {
            Role::Reader => (&self.sk_reader, &READER_IDENTIFIER),
            Role::Device => (&self.sk_device, &DEVICE_IDENTIFIER),
        };
        let ct = crypto::aes256gcm_encrypt(key, &Self::iv(id, self.send_counter), plaintext)
            .ok_or_else(|| err(ErrorCode::SessionProtocolError, "session: encryption failed"))?;
        self.send_counter = self.send_counter.wrapping_add(1);
        Ok(ct)
    }

    /// Decrypts the next incoming message (authenticated; the counter must
    /// be the expected one or the tag does not verify).
    pub fn decrypt(&mut self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        if self.receive_counter == 0 {
            return Err(err(
                ErrorCode::SessionProtocolError,
                "session: message counter exhausted",
            ));
        }
        let (key, id) = match self.role {
            Role::Reader => (&self.sk_device, &DEVICE_IDENTIFIER),
            Role::Device => (&self.sk_reader, &READER_IDENTIFIER),
        };
        let pt = crypto::aes256gcm_decrypt(key, &Self::iv(id, self.receive_counter), ciphertext).ok_or_else(|| {
            err(
                ErrorCode::SessionDecryptionFailed,
                format!(
                    "session message {} did not decrypt (tampered, replayed, out of order, or wrong key)",
                    self.receive_counter
                ),
            )
        })?;
        self.receive_counter = self.receive_counter.wrapping_add(1);
        Ok(pt)
    }

    /// The role of this endpoint.
    pub fn role(&self) -> Role {
        self.role
    }
}
