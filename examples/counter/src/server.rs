//! The HTTP server: the clerk's page, its JSON API, the audit log.
//!
//! | route | what |
//! |---|---|
//! | `GET /` `/app.js` `/app.css` | the page (embedded, no build step, no CDN) |
//! | `GET /api/config` | what the page needs to know (demo, reader, clear time) |
//! | `POST /api/request` | a new online request: `{id, digital: {requests: [...]}}` |
//! | `POST /api/response` | `{id, credential: {protocol, data}}` → the verdict |
//! | `POST /api/pcsc` | one proximity verification through the card reader |
//! | `GET /audit`, `/audit.csv` | the audit log, as a page and as CSV |
//! | `POST /api/demo/wallet` | `--demo` only: the simulated phone |
//!
//! Request state stays here (one-time, expiring); personal data exists only
//! in the body of the `/api/response` and `/api/pcsc` answers.

use crate::audit_db::{AuditDb, Channel};
use crate::config::Config;
use crate::online::{self, RequestStore};
use crate::verdict::{self, Outcome};
use crate::{page, pcsc, wallet};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// Everything a request handler needs.
pub struct AppState {
    /// The configuration (verifier, requests, timing).
    pub config: Config,
    /// The audit log.
    pub db: AuditDb,
    /// Pending online requests.
    pub store: RequestStore,
    /// The page origin as the browser sees it.
    pub origin: String,
}

/// The router of the counter.
pub fn router(state: Arc<AppState>) -> Router {
    let mut r = Router::new()
        .route("/", get(index))
        .route("/app.js", get(app_js))
        .route("/app.css", get(app_css))
        .route("/api/config", get(api_config))
        .route("/api/request", post(api_request))
        .route("/api/response", post(api_response))
        .route("/api/pcsc", post(api_pcsc))
        .route("/audit", get(audit_page))
        .route("/audit.csv", get(audit_csv));
    if state.config.demo {
        r = r.route("/api/demo/wallet", post(api_demo_wallet));
    }
    r.layer(DefaultBodyLimit::max(4 << 20))
        .layer(axum::middleware::from_fn_with_state(state.clone(), same_origin))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// A POST from a page of another origin is refused: another site open in
/// the counter's browser must not start requests or reader sessions, and a
/// page opened under another address would fail the Annex C / OpenID4VP
/// transcript anyway (the origin is part of it) — say so plainly instead.
async fn same_origin(
    State(s): State<Arc<AppState>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if req.method() == axum::http::Method::POST {
        if let Some(origin) = req.headers().get(header::ORIGIN) {
            if origin.as_bytes() != s.origin.as_bytes() {
                return (StatusCode::FORBIDDEN, Json(verdict::counter_failure("origin_mismatch"))).into_response();
            }
        }
    }
    next.run(req).await
}

async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // Verdicts carry personal data: never cache anything.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn index() -> Html<&'static str> {
    Html(page::INDEX_HTML)
}

async fn app_js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], page::APP_JS)
}

async fn app_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], page::APP_CSS)
}

fn pcsc_available(s: &AppState) -> bool {
    s.config.pcsc.enabled && pcsc::reader_available(s.config.pcsc.reader.as_deref())
}

async fn api_config(State(s): State<Arc<AppState>>) -> Json<Value> {
    let pcsc = {
        let s = s.clone();
        tokio::task::spawn_blocking(move || pcsc_available(&s))
            .await
            .unwrap_or(false)
    };
    Json(json!({
        "demo": s.config.demo,
        "screen_clear_seconds": s.config.screen_clear_seconds,
        "pcsc": pcsc,
        "online": online::AVAILABLE,
        "age_over": s.config.age_over,
        "doc_types": s.config.allowed_doc_types().collect::<Vec<_>>(),
        "individual_number": s.config.requests_individual_number(),
    }))
}

async fn api_request(State(s): State<Arc<AppState>>) -> Response {
    match online::build(&s.config, &s.origin) {
        Ok((digital, pending)) => match s.store.insert(pending) {
            Some(id) => Json(json!({"id": id, "digital": digital})).into_response(),
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(verdict::counter_failure("online_unavailable")),
            )
                .into_response(),
        },
        Err(code) => (StatusCode::SERVICE_UNAVAILABLE, Json(verdict::counter_failure(code))).into_response(),
    }
}

#[derive(Deserialize)]
struct ResponseBody {
    id: String,
    credential: Value,
}

async fn api_response(
    State(s): State<Arc<AppState>>,
    body: Result<Json<ResponseBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(body)) = body else {
        return (
            StatusCode::BAD_REQUEST,
            Json(verdict::counter_failure("response_unreadable")),
        )
            .into_response();
    };
    let Some(pending) = s.store.take(&body.id) else {
        return Json(verdict::counter_failure("request_expired")).into_response();
    };
    let s2 = s.clone();
    // Decryption and verification are CPU work: keep them off the I/O threads.
    let result = tokio::task::spawn_blocking(move || {
        let checked = online::verify(pending, &body.credential, &s2.config, &s2.origin);
        match checked {
            online::Checked::Verified(channel, v) => Ok((channel, verdict::outcome(v, &s2.config))),
            online::Checked::CounterFailure(code) => Err(code),
        }
    })
    .await;
    match result {
        Ok(Ok((channel, outcome))) => finish(&s, channel, outcome),
        Ok(Err(code)) => Json(verdict::counter_failure(code)).into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(verdict::counter_failure("response_unreadable")),
        )
            .into_response(),
    }
}

async fn api_pcsc(State(s): State<Arc<AppState>>) -> Response {
    if !s.config.pcsc.enabled {
        return Json(verdict::counter_failure("pcsc_no_reader")).into_response();
    }
    let s2 = s.clone();
    let result = tokio::task::spawn_blocking(move || {
        let input = pcsc::ProximityInput {
            verifier: &s2.config.verifier,
            requests: &s2.config.requests,
            reader: s2.config.pcsc.reader.as_deref(),
            timeout: s2.config.pcsc.timeout,
        };
        pcsc::verify_proximity(&input).map(|v| verdict::outcome(v, &s2.config))
    })
    .await;
    match result {
        Ok(Ok(outcome)) => finish(&s, Channel::Pcsc, outcome),
        Ok(Err(e)) => {
            eprintln!("kakunin-counter: card reader: {}: {}", e.kind.code(), e.detail);
            Json(verdict::counter_failure(e.kind.code())).into_response()
        }
        Err(_) => Json(verdict::counter_failure("pcsc_error")).into_response(),
    }
}

/// Appends the audit record and answers with the verdict.
fn finish(s: &AppState, channel: Channel, outcome: Outcome) -> Response {
    let Outcome { mut page, record, .. } = outcome;
    match s.db.append(channel, &record) {
        Ok(id) => {
            page["audit_id"] = json!(id);
            page["channel"] = json!(channel.as_str());
            Json(page).into_response()
        }
        Err(e) => {
            // No audit record, no verdict: the counter must be able to show
            // that it checked.
            eprintln!("kakunin-counter: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "audit log write failed").into_response()
        }
    }
}

async fn audit_page(State(s): State<Arc<AppState>>) -> Response {
    match s.db.rows(Some(500)) {
        Ok(rows) => Html(page::audit_html(&rows, s.config.demo)).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

async fn audit_csv(State(s): State<Arc<AppState>>) -> Response {
    match s.db.csv() {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"kakunin-counter-audit.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

#[derive(Deserialize)]
struct DemoWalletBody {
    digital: Value,
    #[serde(default)]
    variant: Option<String>,
}

async fn api_demo_wallet(State(s): State<Arc<AppState>>, Json(body): Json<DemoWalletBody>) -> Response {
    let variant = match body.variant.as_deref().map(wallet::Variant::parse) {
        None => wallet::Variant::Valid,
        Some(Some(v)) => v,
        Some(None) => return (StatusCode::BAD_REQUEST, "unknown variant").into_response(),
    };
    let origin = s.origin.clone();
    let result = tokio::task::spawn_blocking(move || wallet::present(&body.digital, &origin, variant)).await;
    match result {
        Ok(Ok(credential)) => Json(credential).into_response(),
        Ok(Err(e)) => (StatusCode::BAD_REQUEST, e).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
