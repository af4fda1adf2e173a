//! The counter's OpenID4VP path (`openid4vp-v1-unsigned`, `dc_api.jwt`),
//! answered by the library's OpenID4VP test wallet: a DeviceResponse signed
//! over the OpenID4VPDCAPIHandover transcript, in a vp_token, in a JWE to
//! the request's key — built on its own code path, not kakunin's.

use kakunin_test_kit as support;
use kakunin_test_kit::oid4vp_wallet;

use base64::Engine;
use kakunin::presentation::online::openid4vp;
use kakunin_counter::config;
use kakunin_counter::online::{self, Checked, OPENID4VP_PROTOCOL};
use kakunin_counter::verdict;
use serde_json::{json, Value};
use support::jp_mnc::MncHolder;
use support::{full_date, TestPki, T2024, YEAR};

const ORIGIN: &str = "https://counter.example.lg.jp";

fn holder_spec() -> support::MdocSpec {
    let mut spec = MncHolder {
        full_name: Some("髙橋\u{3000}𠮷郎".into()),
        address: Some("大阪府大阪市北区中之島１－３－２０".into()),
        birth_date_unicode: Some("平成16年1月1日".into()),
        sex_unicode: Some("男".into()),
        individual_number: None,
        local_gov_code: None,
        portrait: None,
        sex: Some(1),
        birth_date: Some(full_date("2004-01-01")),
        age_in_years: None,
        age_over: vec![(18, true), (20, true)],
    }
    .spec();
    spec.valid_until = T2024 + 5 * YEAR;
    spec
}

/// Builds a request, answers it as the wallet on `wallet_origin`, verifies.
fn round_trip(wallet_origin: &str) -> Value {
    let pki = TestPki::new();
    // One folder per call: both tests run at once in this process.
    let tmp = support::examples::TempDir::new("counter-oid4vp");
    let dir = tmp.path();
    let iaca = dir.join("iaca.der");
    std::fs::write(&iaca, &pki.iaca_der).unwrap();
    let cfg = config::from_str(
        &format!("[trust]\niaca = [{:?}]\n", iaca.display().to_string()),
        &dir.join("c.toml"),
        false,
    )
    .unwrap();

    let (digital, pending) = online::build(&cfg, ORIGIN).unwrap();
    let entry = digital["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["protocol"] == OPENID4VP_PROTOCOL)
        .expect("an OpenID4VP request next to Annex C")
        .clone();
    let data = &entry["data"];
    assert_eq!(data["response_mode"], "dc_api.jwt");
    assert_eq!(
        data["dcql_query"]["credentials"][0]["meta"]["doctype_value"],
        "org.iso.23220.1.jp.mnc"
    );
    let nonce = data["nonce"].as_str().unwrap();
    let jwk = &data["client_metadata"]["jwks"]["keys"][0];
    let thumb = openid4vp::jwk_thumbprint(&jwk.to_string()).unwrap();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut sec1 = vec![0x04];
    sec1.extend(b64.decode(jwk["x"].as_str().unwrap()).unwrap());
    sec1.extend(b64.decode(jwk["y"].as_str().unwrap()).unwrap());

    let transcript = openid4vp::dc_api_session_transcript(wallet_origin, nonce, Some(&thumb));
    let dr = oid4vp_wallet::device_response_for(&pki, &holder_spec(), transcript.as_array_bytes());
    let vp = oid4vp_wallet::vp_token(&[("doc0", vec![dr])]);
    let response: Value =
        serde_json::from_str(&oid4vp_wallet::encrypted_response(&sec1, &vp, &Default::default())).unwrap();
    let credential = json!({"protocol": OPENID4VP_PROTOCOL, "data": response});
    match online::verify(pending, &credential, &cfg, ORIGIN) {
        Checked::Verified(channel, v) => {
            assert_eq!(channel.as_str(), "online/openid4vp");
            verdict::outcome(v, &cfg).page
        }
        Checked::CounterFailure(c) => panic!("{c}"),
    }
}

#[test]
fn online_openid4vp_answer_is_verified() {
    let page = round_trip(ORIGIN);
    assert_eq!(page["valid"], Value::Bool(true), "{page}");
    assert_eq!(page["documents"][0]["items"][0]["value"], "髙橋\u{3000}𠮷郎");
    assert_eq!(page["documents"][0]["ages"][0]["evidence"], "age_over_20");
}

#[test]
fn online_openid4vp_answer_for_another_origin_is_refused() {
    let page = round_trip("https://evil.example");
    assert_eq!(page["valid"], Value::Bool(false), "{page}");
    assert_eq!(page["documents"], json!([]));
    assert!(
        page["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "device_signature_invalid"),
        "{page}"
    );
}
