//! The online path without a browser: request → simulated phone → verdict,
//! through the same functions the server calls.

use kakunin_counter::config::{self, Config};
use kakunin_counter::online::{self, Checked, RequestStore};
use kakunin_counter::verdict;
use kakunin_counter::wallet::{self, Variant};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const ORIGIN: &str = "https://counter.example.lg.jp";

fn demo_config(extra: &str) -> Config {
    config::from_str(extra, Path::new("counter.toml"), true).unwrap()
}

/// One round trip; returns the page JSON and the audit record JSON.
fn round_trip(cfg: &Config, variant: Variant, wallet_origin: &str) -> (Value, String) {
    let (digital, pending) = online::build(cfg, ORIGIN).unwrap();
    let credential = wallet::present(&digital, wallet_origin, variant).unwrap();
    match online::verify(pending, &credential, cfg, ORIGIN) {
        Checked::Verified(_, v) => {
            let o = verdict::outcome(v, cfg);
            (o.page, o.record.to_json())
        }
        Checked::CounterFailure(code) => panic!("{code}"),
    }
}

fn items(page: &Value) -> Vec<(String, String)> {
    page["documents"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["key"].as_str().unwrap().to_owned(), i["value"].to_string()))
        .collect()
}

#[test]
fn online_valid_card_shows_the_basic_four_and_the_age_answer() {
    let cfg = demo_config("");
    let (page, audit) = round_trip(&cfg, Variant::Valid, ORIGIN);
    assert_eq!(page["valid"], Value::Bool(true), "{page}");
    let keys: Vec<String> = items(&page).into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["full_name", "address", "birth_date", "sex"]);
    assert_eq!(page["documents"][0]["ages"][0]["verdict"], "at_least");
    assert_eq!(page["documents"][0]["ages"][0]["evidence"], "age_over_20");
    assert_eq!(page["documents"][0]["portrait"]["format"], "jpeg");
    assert!(
        !audit.contains("花子") && audit.contains("full_name_unicode"),
        "{audit}"
    );
}

#[test]
fn online_my_number_only_with_a_statutory_purpose() {
    let cfg = demo_config("");
    let (digital, _) = online::build(&cfg, ORIGIN).unwrap();
    assert!(!digital.to_string().contains("individual_number"));
    let (page, _) = round_trip(&cfg, Variant::Valid, ORIGIN);
    assert!(!page.to_string().contains("123456789018"));

    let cfg = demo_config("[request]\nstatutory_purpose = \"源泉徴収票の作成（所得税法第226条）\"\n");
    let (page, audit) = round_trip(&cfg, Variant::Valid, ORIGIN);
    assert!(items(&page)
        .iter()
        .any(|(k, v)| k == "individual_number" && v.contains("123456789018")));
    // The audit record names the element and the purpose, never the number.
    assert!(
        audit.contains("individual_number_unicode") && audit.contains("所得税法"),
        "{audit}"
    );
    assert!(!audit.contains("123456789018"), "{audit}");
}

#[test]
fn online_refusals_carry_their_codes_and_no_item() {
    let cfg = demo_config("");
    for (variant, origin, code) in [
        (Variant::Tampered, ORIGIN, "digest_mismatch"),
        (Variant::Untrusted, ORIGIN, "issuer_chain_untrusted"),
        (Variant::Garbled, ORIGIN, "hpke_decrypt_failed"),
        // A phone answering a page on another origin (a relayed request).
        (Variant::Valid, "https://evil.example", "hpke_decrypt_failed"),
    ] {
        let (page, audit) = round_trip(&cfg, variant, origin);
        assert_eq!(page["valid"], Value::Bool(false), "{variant:?}");
        assert_eq!(page["documents"], Value::Array(vec![]), "{variant:?}");
        assert!(
            page["reasons"].as_array().unwrap().iter().any(|r| r["code"] == code),
            "{variant:?}: {page}"
        );
        assert!(
            audit.contains(code) && audit.contains("\"verdict\":\"invalid\""),
            "{audit}"
        );
    }
}

#[test]
fn online_requests_are_one_time_and_expire() {
    let cfg = demo_config("");
    let store = RequestStore::new(Duration::from_secs(60));
    let (_, pending) = online::build(&cfg, ORIGIN).unwrap();
    let id = store.insert(pending).unwrap();
    assert_eq!(id.len(), 22);
    assert!(store.take(&id).is_some());
    assert!(store.take(&id).is_none(), "a request answers once");

    let store = RequestStore::new(Duration::from_millis(50));
    let (_, pending) = online::build(&cfg, ORIGIN).unwrap();
    let id = store.insert(pending).unwrap();
    std::thread::sleep(Duration::from_millis(80));
    assert!(store.take(&id).is_none(), "expired");
}

#[test]
fn online_unknown_protocol_is_a_counter_failure() {
    let cfg = demo_config("");
    let (_, pending) = online::build(&cfg, ORIGIN).unwrap();
    let cred = serde_json::json!({"protocol": "something-else", "data": {}});
    assert!(matches!(
        online::verify(pending, &cred, &cfg, ORIGIN),
        Checked::CounterFailure("protocol_unsupported")
    ));
}
