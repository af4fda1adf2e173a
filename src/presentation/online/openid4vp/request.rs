//! The verifier's request (OpenID4VP 1.0 §5): a DCQL query for `mso_mdoc`
//! credentials (§6, §B.2.3), the request object JSON, its optional JWS
//! signature (RFC 9101, ES256 with `x5c`), and the state the verifier keeps
//! until the response arrives.

use base64::Engine;
use serde_json::{json, Map, Value};
use zeroize::Zeroizing;

use super::response::{open_response, verify_presentations};
use super::{EncryptionKey, Flow, B64URL};
use crate::error::{err, Error, ErrorCode};
use crate::presentation::privacy::ElementRequest;
use crate::presentation::session::ReaderAuthSigner;
use crate::time::UnixTime;
use crate::verifier::{Verification, Verifier};
use crate::SignatureAlgorithm;

/// The `response_mode` of the request (OpenID4VP 1.0 §8.2, §8.3, Appendix A).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseMode {
    /// `direct_post`: the wallet POSTs `vp_token` to `response_uri` in clear.
    DirectPost,
    /// `direct_post.jwt`: the wallet POSTs a JWE-encrypted response.
    DirectPostJwt,
    /// `dc_api`: the Digital Credentials API returns `vp_token` in clear.
    DcApi,
    /// `dc_api.jwt`: the Digital Credentials API returns a JWE.
    DcApiJwt,
}

impl ResponseMode {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::DirectPost => "direct_post",
            ResponseMode::DirectPostJwt => "direct_post.jwt",
            ResponseMode::DcApi => "dc_api",
            ResponseMode::DcApiJwt => "dc_api.jwt",
        }
    }

    /// From the wire name.
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "direct_post" => ResponseMode::DirectPost,
            "direct_post.jwt" => ResponseMode::DirectPostJwt,
            "dc_api" => ResponseMode::DcApi,
            "dc_api.jwt" => ResponseMode::DcApiJwt,
            _ => return None,
        })
    }

    /// Whether the response is JWE-encrypted.
    pub fn is_encrypted(self) -> bool {
        matches!(self, ResponseMode::DirectPostJwt | ResponseMode::DcApiJwt)
    }

    /// Whether the request travels over the Digital Credentials API.
    pub fn is_dc_api(self) -> bool {
        matches!(self, ResponseMode::DcApi | ResponseMode::DcApiJwt)
    }
}

/// One DCQL credential query (OpenID4VP 1.0 §6.1) for an mdoc: an `id` and
/// the elements to ask for. The [`ElementRequest`] comes from
/// [`RequestBuilder::build`](crate::presentation::privacy::RequestBuilder::build), so the
/// privacy policy has already been applied (no individual number without a
/// stated purpose; `intent_to_retain` false unless set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DcqlCredential {
    /// The credential query id: non-empty, ASCII letters, digits, `_`, `-`.
    pub id: String,
    /// The docType and elements.
    pub request: ElementRequest,
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn dcql_value(credentials: &[DcqlCredential]) -> Result<Value, Error> {
    if credentials.is_empty() {
        return Err(err(ErrorCode::StructureInvalid, "DCQL: no credential query"));
    }
    let mut list = Vec::new();
    for (i, c) in credentials.iter().enumerate() {
        if !valid_id(&c.id) {
            return Err(err(
                ErrorCode::StructureInvalid,
                format!("DCQL: credential id {:?} must be non-empty [A-Za-z0-9_-]", c.id),
            ));
        }
        if credentials.iter().take(i).any(|o| o.id == c.id) {
            return Err(err(
                ErrorCode::StructureInvalid,
                format!("DCQL: duplicate id {:?}", c.id),
            ));
        }
        let claims: Vec<Value> = c
            .request
            .elements()
            .iter()
            .map(|e| json!({"path": [e.namespace, e.element], "intent_to_retain": e.intent_to_retain}))
            .collect();
        list.push(json!({
            "id": c.id,
            "format": "mso_mdoc",
            "meta": {"doctype_value": c.request.doc_type()},
            "claims": claims,
        }));
    }
    Ok(json!({ "credentials": list }))
}

/// The DCQL query JSON (OpenID4VP 1.0 §6, `mso_mdoc` claims by
/// `path: [namespace, element]` with `intent_to_retain`, §B.2.3).
pub fn dcql_query_json(credentials: &[DcqlCredential]) -> Result<String, Error> {
    Ok(dcql_value(credentials)?.to_string())
}

/// Builds an OpenID4VP 1.0 authorization request for mdoc credentials.
#[derive(Clone, Debug)]
pub struct AuthorizationRequestBuilder {
    mode: ResponseMode,
    flow: Flow,
    client_id: Option<String>,
    nonce: Option<String>,
    credentials: Vec<DcqlCredential>,
    key: Option<EncryptionKey>,
    enc_values: Vec<&'static str>,
}

impl AuthorizationRequestBuilder {
    /// A request answered through redirects to `response_uri`
    /// (`direct_post` or `direct_post.jwt`). `client_id` keeps its prefix.
    pub fn redirect(client_id: &str, response_uri: &str, encrypted: bool) -> Self {
        Self::new(
            if encrypted {
                ResponseMode::DirectPostJwt
            } else {
                ResponseMode::DirectPost
            },
            Flow::Redirect {
                client_id: client_id.into(),
                response_uri: response_uri.into(),
            },
            Some(client_id.into()),
        )
    }

    /// A request over the Digital Credentials API from the web `origin`
    /// (`dc_api` or `dc_api.jwt`).
    pub fn dc_api(origin: &str, encrypted: bool) -> Self {
        Self::new(
            if encrypted {
                ResponseMode::DcApiJwt
            } else {
                ResponseMode::DcApi
            },
            Flow::DcApi { origin: origin.into() },
            None,
        )
    }

    fn new(mode: ResponseMode, flow: Flow, client_id: Option<String>) -> Self {
        AuthorizationRequestBuilder {
            mode,
            flow,
            client_id,
            nonce: None,
            credentials: Vec::new(),
            key: None,
            enc_values: vec!["A128GCM", "A256GCM"],
        }
    }

    /// The `client_id` of a signed DC API request (unsigned DC API requests
    /// carry none; OpenID4VP 1.0 §A.2).
    pub fn client_id(mut self, client_id: &str) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// A caller-chosen nonce (default: 32 fresh random bytes, base64url).
    pub fn nonce(mut self, nonce: &str) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// Adds a DCQL credential query.
    pub fn credential(mut self, id: &str, request: ElementRequest) -> Self {
        self.credentials.push(DcqlCredential { id: id.into(), request });
        self
    }

    /// The response-encryption key (default: a fresh P-256 key per request,
    /// for the `.jwt` response modes).
    pub fn encryption_key(mut self, key: EncryptionKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Only offer `A256GCM` in `encrypted_response_enc_values_supported`
    /// (default: `A128GCM` and `A256GCM`).
    pub fn only_a256gcm(mut self) -> Self {
        self.enc_values = vec!["A256GCM"];
        self
    }

    /// The request object and the state to keep until the response.
    pub fn build(self) -> Result<(AuthorizationRequest, RequestState), Error> {
        let nonce = match self.nonce {
            Some(n) if n.is_empty() => return Err(err(ErrorCode::StructureInvalid, "empty nonce")),
            Some(n) => n,
            None => {
                let mut b = [0u8; 32];
                rand_core::RngCore::try_fill_bytes(&mut rand_core::OsRng, &mut b)
                    .map_err(|_| err(ErrorCode::StructureInvalid, "no randomness for the nonce"))?;
                B64URL.encode(b)
            }
        };
        if let Flow::Redirect {
            client_id,
            response_uri,
        } = &self.flow
        {
            if client_id.is_empty() || response_uri.is_empty() {
                return Err(err(
                    ErrorCode::StructureInvalid,
                    "redirect requests need a client_id and a response_uri",
                ));
            }
        }
        let key = if self.mode.is_encrypted() {
            Some(match self.key {
                Some(k) => k,
                None => EncryptionKey::generate()?,
            })
        } else {
            None
        };
        let mut obj = Map::new();
        obj.insert("response_type".into(), "vp_token".into());
        obj.insert("response_mode".into(), self.mode.as_str().into());
        if let Some(c) = &self.client_id {
            obj.insert("client_id".into(), c.as_str().into());
        }
        if let Flow::Redirect { response_uri, .. } = &self.flow {
            obj.insert("response_uri".into(), response_uri.as_str().into());
        }
        obj.insert("nonce".into(), nonce.as_str().into());
        obj.insert("dcql_query".into(), dcql_value(&self.credentials)?);
        let mut meta = Map::new();
        meta.insert(
            "vp_formats_supported".into(),
            json!({"mso_mdoc": {"issuerauth_alg_values": [-7, -35, -36, -8],
                                "deviceauth_alg_values": [-7, -35, -36, -8]}}),
        );
        if let Some(k) = &key {
            meta.insert("jwks".into(), json!({ "keys": [k.public_jwk(None)] }));
            meta.insert("encrypted_response_enc_values_supported".into(), json!(self.enc_values));
        }
        obj.insert("client_metadata".into(), Value::Object(meta));
        let expected = self
            .credentials
            .iter()
            .map(|c| (c.id.clone(), c.request.doc_type().to_owned()))
            .collect();
        let state = RequestState {
            mode: self.mode,
            flow: self.flow.clone(),
            nonce,
            key,
            expected,
        };
        Ok((
            AuthorizationRequest {
                object: obj,
                flow: self.flow,
                has_client_id: self.client_id.is_some(),
            },
            state,
        ))
    }
}

/// An authorization request / request object (OpenID4VP 1.0 §5).
#[derive(Clone, Debug)]
pub struct AuthorizationRequest {
    object: Map<String, Value>,
    flow: Flow,
    has_client_id: bool,
}

impl AuthorizationRequest {
    /// The request parameters as a JSON object (an unsigned request; over
    /// the DC API, the `data` of `openid4vp-v1-unsigned`).
    pub fn to_json(&self) -> String {
        Value::Object(self.object.clone()).to_string()
    }

    /// The request object signed as a compact JWS (RFC 7515, RFC 9101):
    /// header `{"alg":"ES256"|"ES384"|"ES512","typ":"oauth-authz-req+jwt",
    /// "x5c":[…]}` with the signer's certificate chain, leaf first. Over the
    /// DC API the payload also carries `expected_origins` (OpenID4VP 1.0
    /// §A.2) and needs a `client_id`. The signer is a key in memory
    /// ([`ReaderAuthKey`](crate::presentation::session::ReaderAuthKey)) or any callback
    /// implementing [`ReaderAuthSigner`] (HSM, platform keystore).
    pub fn sign(&self, signer: &dyn ReaderAuthSigner) -> Result<String, Error> {
        let alg = match signer.algorithm() {
            SignatureAlgorithm::Es256 => "ES256",
            SignatureAlgorithm::Es384 => "ES384",
            SignatureAlgorithm::Es512 => "ES512",
            other => {
                return Err(err(
                    ErrorCode::UnsupportedAlgorithm,
                    format!("request object signing with {}", other.name()),
                ))
            }
        };
        if !self.has_client_id {
            return Err(err(ErrorCode::StructureInvalid, "a signed request needs a client_id"));
        }
        let chain = signer.certificate_chain();
        if chain.is_empty() {
            return Err(err(ErrorCode::StructureInvalid, "a signed request needs an x5c chain"));
        }
        let x5c: Vec<String> = chain
            .iter()
            .map(|c| base64::engine::general_purpose::STANDARD.encode(c))
            .collect();
        let header = json!({"alg": alg, "typ": "oauth-authz-req+jwt", "x5c": x5c});
        let mut payload = self.object.clone();
        if let Flow::DcApi { origin } = &self.flow {
            payload.insert("expected_origins".into(), json!([origin]));
        }
        let signing_input = format!(
            "{}.{}",
            B64URL.encode(header.to_string()),
            B64URL.encode(Value::Object(payload).to_string())
        );
        let sig = signer.sign(signing_input.as_bytes())?;
        Ok(format!("{signing_input}.{}", B64URL.encode(sig)))
    }

    /// The Digital Credentials API request entry `{"protocol": …, "data":
    /// …}`: `openid4vp-v1-unsigned` with the request itself, or, given a
    /// signed request object from [`sign`](Self::sign),
    /// `openid4vp-v1-signed` with `{"request": jws}`.
    pub fn dc_api_request(&self, signed: Option<&str>) -> String {
        match signed {
            Some(jws) => json!({"protocol": "openid4vp-v1-signed", "data": {"request": jws}}).to_string(),
            None => {
                json!({"protocol": "openid4vp-v1-unsigned", "data": Value::Object(self.object.clone())}).to_string()
            }
        }
    }
}

/// What the verifier keeps between sending the request and receiving the
/// response: response mode, flow (client_id + response_uri, or origin),
/// nonce, the response-encryption private key and the requested ids and
/// docTypes. Serialise it with [`to_bytes`](Self::to_bytes) to store it
/// server-side; the key is zeroized on drop and never printed.
#[derive(Clone)]
pub struct RequestState {
    mode: ResponseMode,
    flow: Flow,
    nonce: String,
    key: Option<EncryptionKey>,
    expected: Vec<(String, String)>,
}

impl core::fmt::Debug for RequestState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RequestState")
            .field("mode", &self.mode)
            .field("flow", &self.flow)
            .field("encrypted", &self.key.is_some())
            .finish_non_exhaustive()
    }
}

fn bad_state(m: &str) -> Error {
    err(ErrorCode::StructureInvalid, format!("request state: {m}"))
}

impl RequestState {
    /// The nonce of the request.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The flow (redirect or DC API) and its binding parameters.
    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    /// The response mode.
    pub fn response_mode(&self) -> ResponseMode {
        self.mode
    }

    /// The response-encryption key, for the `.jwt` response modes.
    pub fn encryption_key(&self) -> Option<&EncryptionKey> {
        self.key.as_ref()
    }

    /// The SessionTranscript a correct response is signed over.
    pub fn session_transcript(&self) -> crate::SessionTranscript {
        let t = self.key.as_ref().map(EncryptionKey::thumbprint);
        self.flow.session_transcript(&self.nonce, t.as_ref())
    }

    /// A JSON serialisation (it contains the private key: store it
    /// server-side only; the buffer is zeroized on drop).
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut m = Map::new();
        m.insert("v".into(), 1.into());
        m.insert("response_mode".into(), self.mode.as_str().into());
        m.insert("nonce".into(), self.nonce.as_str().into());
        match &self.flow {
            Flow::Redirect {
                client_id,
                response_uri,
            } => {
                m.insert("client_id".into(), client_id.as_str().into());
                m.insert("response_uri".into(), response_uri.as_str().into());
            }
            Flow::DcApi { origin } => {
                m.insert("origin".into(), origin.as_str().into());
            }
        }
        if let Some(k) = &self.key {
            let d = k.scalar_bytes();
            m.insert("key".into(), B64URL.encode(d.as_slice()).into());
        }
        let creds: Vec<Value> = self
            .expected
            .iter()
            .map(|(id, dt)| json!({"id": id, "doctype": dt}))
            .collect();
        m.insert("credentials".into(), creds.into());
        let mut v = Value::Object(m);
        let out = Zeroizing::new(v.to_string().into_bytes());
        if let Some(Value::String(s)) = v.get_mut("key") {
            zeroize::Zeroize::zeroize(s);
        }
        out
    }

    /// Restores a state serialised by [`to_bytes`](Self::to_bytes).
    pub fn from_bytes(data: &[u8]) -> Result<Self, Error> {
        let mut v: Value = serde_json::from_slice(data).map_err(|_| bad_state("not JSON"))?;
        let result = Self::from_value(&v);
        if let Some(Value::String(s)) = v.get_mut("key") {
            zeroize::Zeroize::zeroize(s);
        }
        result
    }

    fn from_value(v: &Value) -> Result<Self, Error> {
        let s = |name: &str| v.get(name).and_then(Value::as_str);
        if v.get("v").and_then(Value::as_u64) != Some(1) {
            return Err(bad_state("unknown version"));
        }
        let mode = s("response_mode")
            .and_then(ResponseMode::from_name)
            .ok_or_else(|| bad_state("response_mode"))?;
        let nonce = s("nonce").ok_or_else(|| bad_state("nonce"))?.to_owned();
        let flow = if mode.is_dc_api() {
            Flow::DcApi {
                origin: s("origin").ok_or_else(|| bad_state("origin"))?.to_owned(),
            }
        } else {
            Flow::Redirect {
                client_id: s("client_id").ok_or_else(|| bad_state("client_id"))?.to_owned(),
                response_uri: s("response_uri").ok_or_else(|| bad_state("response_uri"))?.to_owned(),
            }
        };
        let key = match s("key") {
            Some(k) => {
                let d = Zeroizing::new(B64URL.decode(k).map_err(|_| bad_state("key"))?);
                Some(EncryptionKey::from_scalar(&d)?)
            }
            None => None,
        };
        if key.is_some() != mode.is_encrypted() {
            return Err(bad_state("key does not match the response mode"));
        }
        let mut expected = Vec::new();
        for c in v
            .get("credentials")
            .and_then(Value::as_array)
            .ok_or_else(|| bad_state("credentials"))?
        {
            let id = c
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| bad_state("credential id"))?;
            let dt = c
                .get("doctype")
                .and_then(Value::as_str)
                .ok_or_else(|| bad_state("credential doctype"))?;
            expected.push((id.to_owned(), dt.to_owned()));
        }
        Ok(RequestState {
            mode,
            flow,
            nonce,
            key,
            expected,
        })
    }

    /// Verifies the wallet's Authorization Response (the JSON the
    /// `response_uri` received, or the DC API credential / its `data`). For
    /// the `.jwt` modes it must be a JWE (a plain `vp_token` is a downgrade:
    /// `structure_invalid`). Every presentation of every id is verified over
    /// this request's SessionTranscript; an id the request did not ask for
    /// is `structure_invalid`, and a document whose docType is not the one
    /// its DCQL query asked for is `document_not_requested`.
    pub fn verify(&self, verifier: &Verifier, response: &[u8], now: UnixTime) -> Verification {
        let opened = match open_response(response, self.key.as_ref()) {
            Ok(o) => o,
            Err(e) => return Verification::from_parts(Vec::new(), vec![e], Vec::new(), now),
        };
        if let Some(p) = opened
            .presentations
            .iter()
            .find(|p| !self.expected.iter().any(|(id, _)| *id == p.id))
        {
            let e = err(
                ErrorCode::StructureInvalid,
                format!("vp_token id {:?} was not in the DCQL query", p.id),
            );
            return Verification::from_parts(Vec::new(), vec![e], Vec::new(), now);
        }
        let transcript = self.flow.session_transcript(&self.nonce, opened.thumbprint.as_ref());
        let mut documents = Vec::new();
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        for p in &opened.presentations {
            let (docs, errs, warns) =
                verify_presentations(verifier, core::slice::from_ref(p), &transcript, now).into_parts();
            let want = self
                .expected
                .iter()
                .find(|(id, _)| *id == p.id)
                .map(|(_, dt)| dt.as_str())
                .unwrap_or_default();
            for d in &docs {
                let got = match d {
                    Ok(v) => v.doc_type(),
                    Err(r) => r.claimed_doc_type(),
                };
                if got != want {
                    errors.push(err(
                        ErrorCode::DocumentNotRequested,
                        format!(
                            "vp_token[{:?}][{}]: docType {got:?}, but the query asked for {want:?}",
                            p.id, p.index
                        ),
                    ));
                }
            }
            documents.extend(docs);
            errors.extend(errs);
            warnings.extend(warns);
        }
        Verification::from_parts(documents, errors, warnings, now)
    }
}
