//! Online presentations through the browser's Digital Credentials API:
//! building the requests the page hands to `navigator.credentials.get`,
//! keeping their state server-side (one-time, expiring), and verifying the
//! credential the page posts back.
//!
//! The page offers the wallet two protocols in one call, and the wallet
//! answers with the one it supports:
//! - ISO/IEC 18013-7 Annex C (`org-iso-mdoc`; Safari and Apple Wallet),
//!   built and verified by [`kakunin::presentation::online::annex_c`];
//! - OpenID4VP 1.0 over the Digital Credentials API
//!   (`openid4vp-v1-unsigned`, response mode `dc_api.jwt`: the response is
//!   encrypted to a fresh per-request key; Chrome and Android wallets),
//!   built and verified by [`kakunin::presentation::online::openid4vp`].

use crate::audit_db::Channel;
use crate::config::Config;
use kakunin::presentation::online::{annex_c, openid4vp};
use kakunin::session::ItemsRequest;
use kakunin::{UnixTime, Verification};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Whether this build can verify online presentations.
pub const AVAILABLE: bool = true;

/// The Digital Credentials API protocol identifier of ISO/IEC 18013-7 Annex C.
pub const ANNEX_C_PROTOCOL: &str = "org-iso-mdoc";
/// The Digital Credentials API protocol identifier of an unsigned OpenID4VP 1.0 request.
pub const OPENID4VP_PROTOCOL: &str = "openid4vp-v1-unsigned";

/// At most this many requests wait for an answer at once (memory bound).
const MAX_PENDING: usize = 256;

/// The state of one request, kept until its response arrives. Holds the
/// request's private HPKE key (zeroized on drop by kakunin; never logged).
pub struct Pending {
    created: Instant,
    annex_c: annex_c::RequestState,
    openid4vp: openid4vp::RequestState,
}

/// Pending requests keyed by a random id.
pub struct RequestStore {
    ttl: Duration,
    map: Mutex<HashMap<String, Pending>>,
}

impl RequestStore {
    /// A store whose requests expire after `ttl`.
    pub fn new(ttl: Duration) -> Self {
        RequestStore {
            ttl,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Keeps `pending`; returns its id (`None` when too many are waiting).
    pub fn insert(&self, pending: Pending) -> Option<String> {
        let mut map = self.map.lock().ok()?;
        let ttl = self.ttl;
        map.retain(|_, p| p.created.elapsed() < ttl);
        if map.len() >= MAX_PENDING {
            return None;
        }
        let id = random_id()?;
        map.insert(id.clone(), pending);
        Some(id)
    }

    /// Takes the request `id` out (one-time); `None` if unknown or expired.
    pub fn take(&self, id: &str) -> Option<Pending> {
        let p = self.map.lock().ok()?.remove(id)?;
        (p.created.elapsed() < self.ttl).then_some(p)
    }
}

/// 128 random bits, base64url.
fn random_id() -> Option<String> {
    use base64::Engine;
    let mut b = [0u8; 16];
    rand_core::RngCore::try_fill_bytes(&mut rand_core::OsRng, &mut b).ok()?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

/// What checking a posted credential gave.
pub enum Checked {
    /// A verification result (valid or not).
    Verified(Channel, Verification),
    /// The counter could not take the response (counter reason code).
    CounterFailure(&'static str),
}

/// Builds the Digital Credentials API request (`{requests: [...]}`) for the
/// page at `origin`, and its state.
pub fn build(config: &Config, origin: &str) -> Result<(Value, Pending), &'static str> {
    let items: Vec<ItemsRequest> = config.requests.iter().map(ItemsRequest::from).collect();
    let reader_auth = config
        .reader_auth
        .as_ref()
        .map(|k| k as &dyn kakunin::session::ReaderAuthSigner);
    let request = annex_c::build_request(&items, origin, reader_auth).map_err(|e| {
        eprintln!("kakunin-counter: cannot build the Annex C request: {e}");
        "online_unavailable"
    })?;
    let data: Value = serde_json::from_str(&request.data).map_err(|_| "online_unavailable")?;
    let mut oid4vp = openid4vp::AuthorizationRequestBuilder::dc_api(origin, true);
    for (i, r) in config.requests.iter().enumerate() {
        oid4vp = oid4vp.credential(&format!("doc{i}"), r.clone());
    }
    let (authorization, oid4vp_state) = oid4vp.build().map_err(|e| {
        eprintln!("kakunin-counter: cannot build the OpenID4VP request: {e}");
        "online_unavailable"
    })?;
    let oid4vp_entry: Value =
        serde_json::from_str(&authorization.dc_api_request(None)).map_err(|_| "online_unavailable")?;
    let digital = json!({"requests": [{"protocol": ANNEX_C_PROTOCOL, "data": data}, oid4vp_entry]});
    Ok((
        digital,
        Pending {
            created: Instant::now(),
            annex_c: request.state,
            openid4vp: oid4vp_state,
        },
    ))
}

/// Verifies the credential (`{protocol, data}`) answering `pending`.
pub fn verify(pending: Pending, credential: &Value, config: &Config, _origin: &str) -> Checked {
    match credential.get("protocol").and_then(Value::as_str) {
        Some(ANNEX_C_PROTOCOL) => {
            // kakunin parses the credential itself (exactly {protocol, data}).
            let bytes = match serde_json::to_vec(credential) {
                Ok(b) => b,
                Err(_) => return Checked::CounterFailure("response_unreadable"),
            };
            let v = annex_c::verify_response(&config.verifier, &pending.annex_c, &bytes, UnixTime::now());
            Checked::Verified(Channel::OnlineAnnexC, v)
        }
        Some(OPENID4VP_PROTOCOL) => {
            let bytes = match serde_json::to_vec(credential) {
                Ok(b) => b,
                Err(_) => return Checked::CounterFailure("response_unreadable"),
            };
            let v = pending.openid4vp.verify(&config.verifier, &bytes, UnixTime::now());
            Checked::Verified(Channel::OnlineOpenId4Vp, v)
        }
        _ => Checked::CounterFailure("protocol_unsupported"),
    }
}
