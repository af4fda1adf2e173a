//! The `verify` example's online modes: `--dcapi-response` (ISO 18013-7
//! Annex C) and `--apple-identity` (Apple in-app), driven as a process.
//! Inputs the verifier controls may exit 2; whatever the wallet sent gets a
//! verdict (exit 1 and the JSON report).

use crate::support;

use crate::verify;
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use std::path::Path;
use support::examples::TempDir;
use support::online::{self as wallet, AppleRequest, AppleTamper, Tamper};
use support::{MdocSpec, TestPki, T2024};

const ORIGIN: &str = "https://city.example.jp";

fn at() -> String {
    kakunin::UnixTime::from_secs(T2024 + 3600).to_rfc3339()
}

fn hpke_key(seed: u8) -> (p256::SecretKey, Vec<u8>) {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    let sk = p256::SecretKey::from_slice(&[seed; 32]).unwrap();
    let point = sk.public_key().to_encoded_point(false).as_bytes().to_vec();
    (sk, point)
}

struct AnnexC {
    files: TempDir,
    anchor: String,
    request: String,
    key: String,
    response: String,
}

fn annex_c(name: &str, tamper: &Tamper) -> AnnexC {
    let files = TempDir::new(name);
    let pki = TestPki::new();
    let (sk, point) = hpke_key(0x42);
    let request = wallet::annex_c_request_for(&point, &[0x11; 16]);
    let response = wallet::annex_c_response(&pki, &MdocSpec::default(), &request, ORIGIN, tamper);
    AnnexC {
        anchor: files.put("iaca.der", &pki.iaca_der),
        request: files.put("request.json", &request),
        key: files.put("hpke.pem", sk.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes()),
        response: files.put("response.json", &response),
        files,
    }
}

fn run_annex_c(c: &AnnexC, origin: &str) -> (i32, String, String) {
    let at = at();
    verify(&[
        "--dcapi-response",
        &c.response,
        "--dcapi-request",
        &c.request,
        "--origin",
        origin,
        "--hpke-key",
        &c.key,
        "--trust-anchor",
        &c.anchor,
        "--at",
        &at,
        "--json",
    ])
}

fn first_code(json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap_or_else(|_| panic!("JSON report: {json}"));
    v["errors"][0]["code"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| v["documents"][0]["errors"][0]["code"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[test]
fn dcapi_valid_response() {
    let c = annex_c("valid", &Tamper::default());
    let (code, out, err) = run_annex_c(&c, ORIGIN);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("{\"status\":\"valid\""), "{out}");
    assert!(out.trim().ends_with(",\"protocol\":\"org-iso-mdoc\"}"), "{out}");
    // The whole credential object is accepted too.
    let whole = std::fs::read_to_string(&c.response).unwrap();
    std::fs::write(
        &c.response,
        format!("{{\"protocol\":\"org-iso-mdoc\",\"data\":{whole}}}"),
    )
    .unwrap();
    assert_eq!(run_annex_c(&c, ORIGIN).0, 0);
}

#[test]
fn dcapi_wallet_side_failures_get_a_verdict() {
    let c = annex_c("wallet", &Tamper::default());
    let (code, out, _) = run_annex_c(&c, "https://other.example");
    assert_eq!((code, first_code(&out).as_str()), (1, "hpke_decrypt_failed"), "{out}");
    // An origin beginning with '-' is a value, not a flag.
    let (code, out, _) = run_annex_c(&c, "-x3F");
    assert_eq!((code, first_code(&out).as_str()), (1, "hpke_decrypt_failed"), "{out}");
    for (body, want) in [
        ("{", "structure_invalid"),
        ("{\"response\":\"!!\"}", "structure_invalid"),
        ("{\"response\":\"_w\"}", "cbor_malformed"),
        ("", "structure_invalid"),
    ] {
        std::fs::write(&c.response, body).unwrap();
        let (code, out, _) = run_annex_c(&c, ORIGIN);
        assert_eq!((code, first_code(&out).as_str()), (1, want), "{body}: {out}");
    }
    let t = annex_c(
        "tag24",
        &Tamper {
            tag24_info: true,
            ..Tamper::default()
        },
    );
    let (code, out, _) = run_annex_c(&t, ORIGIN);
    assert_eq!((code, first_code(&out).as_str()), (1, "hpke_decrypt_failed"), "{out}");
}

#[test]
fn dcapi_key_mismatch_is_a_verdict() {
    let c = annex_c("mismatch", &Tamper::default());
    let (other, _) = hpke_key(0x43);
    std::fs::write(&c.key, other.to_sec1_pem(LineEnding::LF).unwrap().as_bytes()).unwrap();
    let (code, out, _) = run_annex_c(&c, ORIGIN);
    assert_eq!((code, first_code(&out).as_str()), (1, "hpke_key_mismatch"), "{out}");
}

#[test]
fn dcapi_verifier_inputs_exit_2() {
    let c = annex_c("usage", &Tamper::default());
    let at = at();
    // Conflicting modes.
    let (code, _, err) = verify(&[
        "--dcapi-response",
        &c.response,
        "--device-response",
        &c.response,
        "--dcapi-request",
        &c.request,
        "--origin",
        ORIGIN,
        "--hpke-key",
        &c.key,
        "--trust-anchor",
        &c.anchor,
    ]);
    assert_eq!(code, 2, "{err}");
    // A missing flag of the mode.
    let (code, _, _) = verify(&[
        "--dcapi-response",
        &c.response,
        "--origin",
        ORIGIN,
        "--hpke-key",
        &c.key,
    ]);
    assert_eq!(code, 2);
    // An unreadable request or key.
    let missing = c.files.path().join("nope").to_str().unwrap().to_owned();
    for (req, key) in [(&missing, &c.key), (&c.request, &missing)] {
        let (code, _, _) = verify(&[
            "--dcapi-response",
            &c.response,
            "--dcapi-request",
            req,
            "--origin",
            ORIGIN,
            "--hpke-key",
            key,
            "--trust-anchor",
            &c.anchor,
            "--at",
            &at,
        ]);
        assert_eq!(code, 2);
    }
    // A request that is not a request.
    std::fs::write(&c.request, "{}").unwrap();
    assert_eq!(run_annex_c(&c, ORIGIN).0, 2);
}

struct Apple {
    _files: TempDir,
    anchor: String,
    key: String,
    envelope: String,
    req: AppleRequest,
}

fn apple(name: &str, t: &AppleTamper) -> Apple {
    let files = TempDir::new(name);
    let pki = TestPki::new();
    let (sk, point) = hpke_key(0x44);
    let req = AppleRequest {
        nonce: vec![0xa7; 32],
        merchant_id: "merchant.jp.example.city".into(),
        team_id: "ABCDE12345".into(),
        recipient: point,
    };
    let envelope = wallet::apple_envelope(&pki, &MdocSpec::default(), &req, t);
    Apple {
        anchor: files.put("iaca.der", &pki.iaca_der),
        key: files.put("hpke.pem", sk.to_sec1_pem(LineEnding::LF).unwrap().as_bytes()),
        envelope: files.put("envelope.cbor", &envelope),
        req,
        _files: files,
    }
}

fn run_apple(a: &Apple, nonce: &str, merchant: &str, team: &str) -> (i32, String, String) {
    let at = at();
    verify(&[
        "--apple-identity",
        &a.envelope,
        "--merchant-id",
        merchant,
        "--team-id",
        team,
        "--nonce",
        nonce,
        "--hpke-key",
        &a.key,
        "--trust-anchor",
        &a.anchor,
        "--at",
        &at,
        "--json",
    ])
}

#[test]
fn apple_modes() {
    let a = apple("apple", &AppleTamper::default());
    let nonce = hex::encode(&a.req.nonce);
    let (code, out, err) = run_apple(&a, &nonce, &a.req.merchant_id, &a.req.team_id);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.trim().ends_with(",\"protocol\":\"apple-in-app\"}"), "{out}");
    let (code, out, _) = run_apple(&a, &nonce, &a.req.merchant_id, "-TEAM");
    assert_eq!(
        (code, first_code(&out).as_str()),
        (1, "session_transcript_mismatch"),
        "{out}"
    );
    let (code, out, _) = run_apple(&a, &"00".repeat(32), &a.req.merchant_id, &a.req.team_id);
    assert_eq!(
        (code, first_code(&out).as_str()),
        (1, "session_transcript_mismatch"),
        "{out}"
    );
    // A nonce that is not hex is the verifier's mistake.
    assert_eq!(run_apple(&a, "zz", &a.req.merchant_id, &a.req.team_id).0, 2);
    std::fs::write(&a.envelope, b"\xa1").unwrap();
    let (code, out, _) = run_apple(&a, &nonce, &a.req.merchant_id, &a.req.team_id);
    assert_eq!((code, first_code(&out).as_str()), (1, "cbor_malformed"), "{out}");
    let alg = apple(
        "alg",
        &AppleTamper {
            algorithm: Some("EC_v1".into()),
            ..AppleTamper::default()
        },
    );
    let (code, out, _) = run_apple(&alg, &nonce, &alg.req.merchant_id, &alg.req.team_id);
    assert_eq!((code, first_code(&out).as_str()), (1, "unsupported_algorithm"), "{out}");
    // Apple flags without the Apple mode.
    let (code, _, _) = verify(&[
        "--merchant-id",
        "m",
        "--device-response",
        Path::new(&a.envelope).to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
}
