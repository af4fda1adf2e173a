//! The wallet's answer: the Authorization Response (OpenID4VP 1.0 §8), its
//! optional JWE encryption (§8.3) and the `vp_token` of `mso_mdoc`
//! presentations (§8.1, §B.2.4).

use base64::Engine;
use zeroize::Zeroize;

use super::{jwe, EncryptionKey, Flow, B64URL};
use crate::error::{structure, Error};
use crate::limits::Limits;
use crate::presentation::transcript::SessionTranscript;
use crate::time::UnixTime;
use crate::verifier::{DeviceAuthInput, Verification, Verifier};

/// One `mso_mdoc` presentation of a `vp_token`: the DCQL credential query id
/// it answers, its position in that id's array, and the DeviceResponse bytes
/// exactly as sent (base64url-decoded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Presentation {
    /// The DCQL credential query `id`.
    pub id: String,
    /// Index within the id's array.
    pub index: usize,
    /// The DeviceResponse (ISO 18013-5 §8.3.2.1.2.2) CBOR bytes.
    pub device_response: Vec<u8>,
}

impl Drop for Presentation {
    fn drop(&mut self) {
        // A DeviceResponse carries personal data.
        self.device_response.zeroize();
    }
}

/// Clears every string of a parsed JSON value (the decrypted plaintext holds
/// personal data). Depth is bounded by serde_json's recursion limit.
fn zeroize_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => s.zeroize(),
        serde_json::Value::Array(a) => a.iter_mut().for_each(zeroize_json),
        serde_json::Value::Object(o) => o.values_mut().for_each(zeroize_json),
        _ => {}
    }
}

fn parse_json(data: &[u8], what: &str) -> Result<serde_json::Value, Error> {
    if data.len() > Limits::DEFAULT.max_input_bytes {
        return Err(structure(format!("{what} exceeds the input size limit")));
    }
    serde_json::from_slice(data).map_err(|e| structure(format!("{what} is not JSON: {e}")))
}

fn presentations_of(v: &serde_json::Value) -> Result<Vec<Presentation>, Error> {
    let obj = v
        .as_object()
        .ok_or_else(|| structure("vp_token is not a JSON object"))?;
    if obj.is_empty() {
        return Err(structure("vp_token has no credential query id"));
    }
    let max = Limits::DEFAULT.max_documents;
    let mut out = Vec::new();
    for (id, list) in obj {
        let list = list
            .as_array()
            .ok_or_else(|| structure(format!("vp_token[{id:?}] is not an array (OpenID4VP 1.0 §8.1)")))?;
        if list.is_empty() {
            return Err(structure(format!("vp_token[{id:?}] is an empty array")));
        }
        for (index, item) in list.iter().enumerate() {
            let s = item
                .as_str()
                .ok_or_else(|| structure(format!("vp_token[{id:?}][{index}] is not a string")))?;
            let device_response = B64URL
                .decode(s)
                .map_err(|_| structure(format!("vp_token[{id:?}][{index}] is not base64url without padding")))?;
            if out.len() >= max {
                return Err(structure(format!("vp_token has more than {max} presentations")));
            }
            out.push(Presentation {
                id: id.clone(),
                index,
                device_response,
            });
        }
    }
    // Ids in lexicographic order whatever serde_json's map ordering
    // (a stable sort keeps each id's array order).
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Parses a `vp_token` JSON object `{"<DCQL id>": ["<b64url DeviceResponse>",
/// …], …}` (OpenID4VP 1.0 §8.1; §B.2.4 for `mso_mdoc`). Anything else — not
/// an object, no id, an id whose value is not a non-empty array of base64url
/// strings — is `structure_invalid`. Ids come out in lexicographic order.
pub fn parse_vp_token(json: &[u8]) -> Result<Vec<Presentation>, Error> {
    presentations_of(&parse_json(json, "vp_token")?)
}

/// Verifies every presentation of a `vp_token` against `transcript`. The
/// result lists the documents of all presentations (ids in lexicographic
/// order, then array order) and is valid only if every one is. Errors that
/// concern a whole presentation name it (`vp_token["id"][i]: …`).
pub fn verify_vp_token(
    verifier: &Verifier,
    vp_token: &[u8],
    transcript: &SessionTranscript,
    now: UnixTime,
) -> Verification {
    match parse_vp_token(vp_token) {
        Ok(p) => verify_presentations(verifier, &p, transcript, now),
        Err(e) => Verification::from_parts(Vec::new(), vec![e], Vec::new(), now),
    }
}

pub(crate) fn verify_presentations(
    verifier: &Verifier,
    presentations: &[Presentation],
    transcript: &SessionTranscript,
    now: UnixTime,
) -> Verification {
    let auth = DeviceAuthInput {
        session_transcript: Some(transcript),
        reader_key: None,
    };
    let mut documents = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for p in presentations {
        let (docs, errs, warns) = verifier
            .verify_device_response(&p.device_response, auth, now)
            .into_parts();
        documents.extend(docs);
        let ctx = format!("vp_token[{:?}][{}]", p.id, p.index);
        errors.extend(errs.into_iter().map(|e| e.context(&ctx)));
        warnings.extend(warns.into_iter().map(|e| e.context(&ctx)));
    }
    Verification::from_parts(documents, errors, warnings, now)
}

/// The parts of an Authorization Response, after decryption when it was
/// encrypted.
pub(crate) struct Opened {
    pub(crate) presentations: Vec<Presentation>,
    pub(crate) thumbprint: Option<[u8; 32]>,
}

/// Accepts the whole DC API credential object `{"protocol": "openid4vp-v1-…",
/// "data": {…}}` as well as its `data`.
fn unwrap_dc_api_credential(v: serde_json::Value) -> Result<serde_json::Value, Error> {
    let Some(obj) = v.as_object() else {
        return Err(structure("Authorization Response is not a JSON object"));
    };
    if !obj.contains_key("protocol") {
        return Ok(v);
    }
    let protocol = obj.get("protocol").and_then(serde_json::Value::as_str).unwrap_or("");
    if !matches!(
        protocol,
        "openid4vp-v1-unsigned" | "openid4vp-v1-signed" | "openid4vp-v1-multisigned"
    ) {
        return Err(structure(format!(
            "credential protocol {protocol:?} is not OpenID4VP 1.0"
        )));
    }
    let mut v = v;
    v.as_object_mut()
        .and_then(|o| o.remove("data"))
        .ok_or_else(|| structure("credential without \"data\""))
}

/// Opens an Authorization Response. With `key`, the response must be
/// `{"response": "<compact JWE>"}` whose plaintext holds `vp_token`; a plain
/// `vp_token` is then a downgrade and refused. Without `key`, the response
/// must be `{"vp_token": {…}}`.
pub(crate) fn open_response(response: &[u8], key: Option<&EncryptionKey>) -> Result<Opened, Error> {
    let v = unwrap_dc_api_credential(parse_json(response, "Authorization Response")?)?;
    let obj = v
        .as_object()
        .ok_or_else(|| structure("Authorization Response is not a JSON object"))?;
    match key {
        Some(key) => {
            if obj.contains_key("vp_token") {
                return Err(structure(
                    "an unencrypted vp_token where an encrypted response was requested (downgrade)",
                ));
            }
            let jwe_text = obj
                .get("response")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| structure("encrypted Authorization Response without a string \"response\""))?;
            let opened = jwe::decrypt(jwe_text, key)?;
            let mut inner = parse_json(&opened.plaintext, "JWE plaintext")?;
            let presentations = inner
                .as_object()
                .and_then(|o| o.get("vp_token"))
                .ok_or_else(|| structure("JWE plaintext without \"vp_token\""))
                .and_then(presentations_of);
            zeroize_json(&mut inner);
            Ok(Opened {
                presentations: presentations?,
                thumbprint: Some(key.thumbprint()),
            })
        }
        None => {
            if obj.contains_key("response") {
                return Err(structure(
                    "an encrypted response where none was requested: no decryption key",
                ));
            }
            let vp = obj
                .get("vp_token")
                .ok_or_else(|| structure("Authorization Response without \"vp_token\""))?;
            Ok(Opened {
                presentations: presentations_of(vp)?,
                thumbprint: None,
            })
        }
    }
}

/// Verifies an Authorization Response (OpenID4VP 1.0 §8) for `flow` and
/// `nonce`: with `key`, `{"response": "<compact JWE>"}` is decrypted
/// (ECDH-ES, A128GCM/A256GCM) and the key's RFC 7638 thumbprint enters the
/// SessionTranscript; a plain `vp_token` is then refused as a downgrade
/// (`structure_invalid`). Without `key`, `{"vp_token": {…}}` is verified
/// with a `null` thumbprint. The DC API credential object
/// `{"protocol": "openid4vp-v1-…", "data": {…}}` is accepted too.
///
/// A wrong nonce, client_id, response_uri, origin or key shows as
/// `device_signature_invalid` (the wallet signed another transcript).
pub fn verify_response(
    verifier: &Verifier,
    response: &[u8],
    key: Option<&EncryptionKey>,
    flow: &Flow,
    nonce: &str,
    now: UnixTime,
) -> Verification {
    match open_response(response, key) {
        Ok(o) => {
            let transcript = flow.session_transcript(nonce, o.thumbprint.as_ref());
            verify_presentations(verifier, &o.presentations, &transcript, now)
        }
        Err(e) => Verification::from_parts(Vec::new(), vec![e], Vec::new(), now),
    }
}
