//! Online presentations through the browser's Digital Credentials API:
//! building the requests the page hands to `navigator.credentials.get`,
//! keeping their state server-side (one-time, expiring), and verifying the
//! credential the page posts back.

use crate::audit_db::Channel;
use crate::config::Config;
use kakunin::{ErrorCode, Verification};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Whether this build can verify online presentations.
pub const AVAILABLE: bool = false;

/// At most this many requests wait for an answer at once (memory bound).
const MAX_PENDING: usize = 256;

/// The state of one request, kept until its response arrives.
pub struct Pending {
    created: Instant,
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
    /// Rejected before any document was verified.
    Rejected(Channel, ErrorCode),
    /// The counter could not take the response (counter reason code).
    CounterFailure(&'static str),
}

/// Builds the Digital Credentials API request (`{requests: [...]}`) and
/// its state.
pub fn build(_config: &Config, _origin: &str) -> Result<(Value, Pending), &'static str> {
    Err("online_unavailable")
}

/// Verifies the credential (`{protocol, data}`) answering `pending`.
pub fn verify(_pending: Pending, _credential: &Value, _config: &Config, _origin: &str) -> Checked {
    Checked::CounterFailure("online_unavailable")
}
