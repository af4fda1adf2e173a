//! The demo fixtures under `demo/` are minted here by the library's test
//! issuer (tests/kit), so the demo card is produced by the same code
//! that mints the library's test vectors. DEMO ONLY: every key involved is
//! a public test key.
//!
//! `KAKUNIN_BLESS_DEMO=1 cargo test -p kakunin-counter --test demo_fixtures`
//! rewrites them; otherwise the test checks that the committed files are
//! exactly what the issuer mints (minting is deterministic: RFC 6979
//! signatures, fixed salts) and that they verify as the counter expects.

use kakunin_test_kit as support;

use ciborium::Value;
use support::jp_mnc::{MncHolder, MNC};
use support::keys::{CurvePki, TestKey};
use support::{full_date, CertSpec, DAY, T2024, YEAR};

/// 2049-12-31T00:00:00Z: the last day a UTCTime can name (RFC 5280 §4.1.2.5).
const END: i64 = 2_524_521_600;

fn demo_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo")
}

fn pki(name: &str, iaca_seed: u8, ds_seed: u8) -> CurvePki {
    let mut iaca = CertSpec::iaca(name);
    iaca.not_before = T2024 - YEAR;
    iaca.not_after = END;
    let mut ds = CertSpec::ds(&format!("{name} Document Signer"));
    ds.not_before = T2024 - 30 * DAY;
    ds.not_after = END - DAY;
    CurvePki::with_specs(iaca, TestKey::p256(iaca_seed), ds, TestKey::p256(ds_seed))
}

/// The demo holder: the library's My Number Card test profile (a name and
/// an address with U+3000 and a kanji outside the BMP).
fn holder() -> MncHolder {
    let hex = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/iso18013-5-annex-d/portrait.jpg.hex"),
    )
    .expect("Annex D portrait");
    MncHolder {
        full_name: Some("𠮷田\u{3000}花子".into()),
        address: Some("東京都千代田区霞が関一丁目２番３号\u{3000}𠮷野ハイツ１０１号".into()),
        birth_date_unicode: Some("平成2年4月1日".into()),
        sex_unicode: Some("女".into()),
        individual_number: Some("123456789018".into()),
        local_gov_code: Some("131016".into()),
        portrait: Some(hex::decode(hex.trim()).expect("hex")),
        sex: Some(2),
        birth_date: Some(full_date("1990-04-01")),
        age_in_years: None,
        age_over: vec![(18, true), (20, true), (65, false)],
    }
}

/// The IssuerSigned of a minted document.
fn issuer_signed(pki: &CurvePki) -> Vec<u8> {
    let mut spec = pki.spec();
    let h = holder().spec();
    spec.doc_type = h.doc_type;
    spec.namespaces = h.namespaces;
    spec.signed = T2024 - DAY;
    spec.valid_from = T2024 - DAY;
    spec.valid_until = END - 2 * DAY;
    let doc = pki.mint_document(&spec);
    let is = doc
        .as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_text() == Some("issuerSigned")))
        .map(|(_, v)| v.clone())
        .expect("issuerSigned");
    support::enc(&is)
}

fn pem(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from(
        "# DEMO ONLY: the kakunin-counter demo IACA. Its private key is a public test key\n\
         # (tests/kit, seed 0x21). Never trust this certificate outside --demo.\n\
         -----BEGIN CERTIFICATE-----\n",
    );
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

#[test]
fn demo_fixtures_are_what_the_test_issuer_mints() {
    let demo = pki("kakunin Demo IACA", 0x21, 0x22);
    let stranger = pki("Unknown Issuer IACA", 0x31, 0x32);
    let files = [
        ("demo-iaca.pem", pem(&demo.iaca_der).into_bytes()),
        ("demo-mnc-issuer-signed.cbor", issuer_signed(&demo)),
        ("untrusted-mnc-issuer-signed.cbor", issuer_signed(&stranger)),
    ];
    let bless = std::env::var_os("KAKUNIN_BLESS_DEMO").is_some();
    for (name, bytes) in &files {
        let path = demo_dir().join(name);
        if bless {
            std::fs::write(&path, bytes).unwrap();
        } else {
            let committed = std::fs::read(&path).unwrap_or_default();
            assert!(
                committed == *bytes,
                "{} differs from what the test issuer mints; rerun with KAKUNIN_BLESS_DEMO=1",
                path.display()
            );
        }
    }

    // The demo card verifies (issuer side) under the demo IACA now and until
    // 2049; the stranger's card does not.
    let trust = kakunin::TrustStore::from_pem_or_der(&files[0].1).unwrap();
    let verifier = kakunin::Verifier::new(trust);
    for at in [kakunin::UnixTime::now(), kakunin::UnixTime::from_secs(END - 3 * DAY)] {
        let r = verifier.verify_issuer_signed(&files[1].1, Some(MNC), at);
        assert!(r.is_ok(), "{r:?}");
    }
    let r = verifier.verify_issuer_signed(&files[2].1, Some(MNC), kakunin::UnixTime::now());
    let codes: Vec<_> = r.err().unwrap().errors().iter().map(|e| e.code()).collect();
    assert!(codes.contains(&kakunin::ErrorCode::IssuerChainUntrusted), "{codes:?}");
    let _ = Value::Null;
}
