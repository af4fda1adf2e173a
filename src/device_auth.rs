//! mdoc authentication (ISO 18013-5 §9.1.3): the DeviceSigned part of a
//! Document — `deviceSignature` or `deviceMac` over DeviceAuthenticationBytes,
//! and the device-signed elements the MSO keyAuthorizations allow. The
//! reader's private key that `deviceMac` needs is [`ReaderKey`](crate::ReaderKey).

use crate::cbor;
use crate::cose::{self, CoseMessage, TAG_MAC0, TAG_SIGN1};
use crate::crypto::{self, hkdf_sha256, hmac_sha256_verify};
use crate::document::{DeviceAuthKind, Namespace};
use crate::error::{err, structure, Error, ErrorCode};
use crate::limits::Limits;
use crate::mso::Mso;
use crate::response::{DeviceAuth, DeviceSigned, Document};
use crate::value::ElementValue;
use crate::verifier::DeviceAuthInput;

/// mdoc authentication (ISO 18013-5 §9.1.3).
pub(crate) fn verify_device_part(
    document: &Document<'_>,
    mso: &Mso<'_>,
    auth: DeviceAuthInput<'_>,
    limits: &Limits,
) -> Result<(DeviceAuthKind, Vec<Namespace>), Error> {
    let doc_type = document.doc_type;
    let device_signed = DeviceSigned::read(document.device_signed)?;
    let transcript = auth.session_transcript.ok_or_else(|| {
        err(
            ErrorCode::SessionTranscriptMissing,
            "device authentication needs the SessionTranscript",
        )
    })?;

    // DeviceAuthenticationBytes = #6.24(bstr .cbor ["DeviceAuthentication",
    // SessionTranscript, DocType, DeviceNameSpacesBytes]) — the transcript
    // and DeviceNameSpacesBytes exactly as received.
    let mut da = Vec::with_capacity(64 + transcript.as_array_bytes().len() + device_signed.name_spaces_bytes.len());
    cbor::write_head(&mut da, 4, 4);
    cbor::write_text(&mut da, "DeviceAuthentication");
    da.extend_from_slice(transcript.as_array_bytes());
    cbor::write_text(&mut da, doc_type);
    da.extend_from_slice(device_signed.name_spaces_bytes);
    let da_bytes = cbor::tag24(&da);

    let mut buf = Vec::new();
    let kind = match device_signed.device_auth {
        DeviceAuth::Signature(s) => {
            let msg = CoseMessage::parse(s, TAG_SIGN1, "deviceSignature", limits)?;
            msg.check_crit("deviceSignature", &[cose::HEADER_ALG])?;
            let alg = msg.signature_algorithm("deviceSignature")?;
            if let Some(p) = msg.payload {
                if p != da_bytes.as_slice() {
                    return Err(err(
                        ErrorCode::DeviceSignatureInvalid,
                        "deviceSignature: attached payload differs from DeviceAuthenticationBytes",
                    ));
                }
            }
            if !cose::verify_sign1(&msg, alg, &mso.device_key, &da_bytes, &mut buf)? {
                return Err(err(
                    ErrorCode::DeviceSignatureInvalid,
                    "deviceSignature does not verify with the MSO deviceKey",
                ));
            }
            DeviceAuthKind::Signature
        }
        DeviceAuth::Mac(m) => {
            let msg = CoseMessage::parse(m, TAG_MAC0, "deviceMac", limits)?;
            msg.check_crit("deviceMac", &[cose::HEADER_ALG])?;
            let alg = msg.protected_alg("deviceMac")?;
            if alg != 5 {
                return Err(err(
                    ErrorCode::UnsupportedAlgorithm,
                    format!("deviceMac: COSE alg {alg} is not HMAC 256/256 (5)"),
                ));
            }
            let reader = auth.reader_key.ok_or_else(|| {
                err(
                    ErrorCode::ReaderKeyMissing,
                    "deviceMac needs the reader's ephemeral private key",
                )
            })?;
            if reader.key.curve() != mso.device_key.curve() {
                return Err(err(
                    ErrorCode::AlgorithmKeyMismatch,
                    format!(
                        "reader key on {} but the MSO deviceKey is on {}",
                        reader.key.curve().name(),
                        mso.device_key.curve().name()
                    ),
                ));
            }
            if let Some(p) = msg.payload {
                if p != da_bytes.as_slice() {
                    return Err(err(
                        ErrorCode::DeviceMacInvalid,
                        "deviceMac: attached payload differs from DeviceAuthenticationBytes",
                    ));
                }
            }
            let z = reader
                .key
                .ecdh(&mso.device_key)
                .ok_or_else(|| err(ErrorCode::AlgorithmKeyMismatch, "ECDH with the MSO deviceKey failed"))?;
            let salt = crypto::sha256(transcript.as_tagged_bytes());
            let mut key = zeroize::Zeroizing::new([0u8; 32]);
            if !hkdf_sha256(&z, &salt, b"EMacKey", key.as_mut()) {
                return Err(err(ErrorCode::DeviceMacInvalid, "EMacKey derivation failed"));
            }
            msg.mac_structure(&da_bytes, &mut buf);
            if !hmac_sha256_verify(key.as_ref(), &buf, msg.tag_or_signature) {
                return Err(err(ErrorCode::DeviceMacInvalid, "deviceMac tag does not verify"));
            }
            DeviceAuthKind::Mac
        } // DeviceAuth is a choice of one (ISO 18013-5 §8.3.2.1.2.2): both
          // present is a malformed structure, neither is missing authentication.
    };

    // Device-signed elements are only as good as the MSO authorises them.
    let tree =
        cbor::decode(device_signed.name_spaces, limits).map_err(|e| Error::from(e).context("DeviceNameSpaces"))?;
    let map = tree
        .value
        .as_map()
        .ok_or_else(|| structure("DeviceNameSpaces is not a map"))?;
    if map.len() > limits.max_namespaces {
        return Err(err(ErrorCode::LimitExceeded, "limit `max_namespaces` exceeded"));
    }
    let mut out = Vec::with_capacity(map.len());
    let mut total = 0usize;
    for (ns, items) in map {
        let ns = ns
            .value
            .as_text()
            .ok_or_else(|| structure("device namespace is not text"))?;
        let items = items
            .value
            .as_map()
            .ok_or_else(|| structure("DeviceSignedItems is not a map"))?;
        total += items.len();
        if total > limits.max_elements {
            return Err(err(ErrorCode::LimitExceeded, "limit `max_elements` exceeded"));
        }
        let mut namespace = Namespace {
            name: ns.to_owned(),
            elements: Vec::with_capacity(items.len()),
        };
        for (id, value) in items {
            let id = id
                .value
                .as_text()
                .ok_or_else(|| structure("device element identifier is not text"))?;
            if !mso.key_authorizations.allows(ns, id) {
                return Err(err(
                    ErrorCode::ElementNotAuthorized,
                    format!("device-signed {ns}/{id} is not authorised by the MSO keyAuthorizations"),
                ));
            }
            namespace.elements.push((id.to_owned(), ElementValue::from_cbor(value)));
        }
        out.push(namespace);
    }
    Ok((kind, out))
}
