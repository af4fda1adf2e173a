//! The `verify` example's OpenID4VP modes (`--oid4vp-vp-token`,
//! `--oid4vp-response`): flags, verdicts, exit codes, and the EUDI wallet's
//! real capture.

use crate::support;
use crate::wallet;

use crate::{data, verify};
use base64::Engine;
use kakunin::presentation::online::openid4vp as oid4vp;
use support::examples::unique_dir;
use support::{data_file, hex_file, MdocSpec, TestPki};
use wallet::{JweOptions, B64};

/// Writes `content` to a file of its own: tests run in parallel threads of
/// one process, so a shared folder would let one test overwrite (truncate)
/// a file another is reading.
fn tmp(name: &str, content: &[u8]) -> String {
    let p = unique_dir("cli-oid4vp").join(name);
    std::fs::write(&p, content).unwrap();
    p.to_str().unwrap().to_owned()
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    let mut c: Vec<String> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect();
    for d in v["documents"].as_array().unwrap() {
        for e in d["errors"].as_array().unwrap() {
            c.push(e["code"].as_str().unwrap().to_owned());
        }
    }
    c
}

const EUDI: &str = "eudi-verifier-endpoint";
const EUDI_NONCE: &str = "706f6c4d-c92d-4472-9dbf-d814c94f90c2";
const EUDI_URI: &str = "http://localhost:0/wallet/direct_post/1234567890";

fn eudi_args(vp: &str, thumb: &str, nonce: &str) -> Vec<String> {
    [
        "--oid4vp-vp-token",
        vp,
        "--nonce",
        nonce,
        "--client-id",
        "Verifier",
        "--response-uri",
        EUDI_URI,
        "--jwk-thumbprint",
        thumb,
        "--trust-anchor",
        &data(&format!("{EUDI}/pid_issuer_ca_ut_02.pem")),
        "--at",
        "2025-12-19T09:19:37Z",
        // The EUDI reference DS does not meet the strict Annex B profile.
        "--profile",
        "interoperable",
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn eudi_capture_verifies_through_oid4vp_vp_token() {
    let vp = tmp(
        "eudi_vp_token.json",
        wallet::vp_token(&[("query_0", vec![hex_file(&format!("{EUDI}/mdl_device_response.hex"))])]).as_bytes(),
    );
    // The manifest's thumbprint of the verifier's encryption key.
    let jwk = String::from_utf8(data_file(&format!("{EUDI}/verifier_enc_jwk.json"))).unwrap();
    let thumb = B64.encode(oid4vp::jwk_thumbprint(&jwk).unwrap());
    let run = |a: Vec<String>| verify(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let (code, out, err) = run(eudi_args(&vp, &thumb, EUDI_NONCE));
    assert_eq!(code, 0, "{out}{err}");
    let v = json(&out);
    assert_eq!(v["status"], "valid");
    assert_eq!(v["protocol"], "openid4vp");
    assert_eq!(v["documents"][0]["doc_type"], "org.iso.18013.5.1.mDL");
    assert_eq!(v["documents"][0]["device_auth"], "signature");
    // Wrong nonce, wrong thumbprint: the device signature no longer verifies.
    for (t, n) in [(thumb.as_str(), "706f6c4d"), (&B64.encode([0u8; 32]), EUDI_NONCE)] {
        let (code, out, _) = run(eudi_args(&vp, t, n));
        assert_eq!(code, 1);
        assert_eq!(codes(&json(&out)), vec!["device_signature_invalid"]);
    }
}

struct Wallet {
    pki: TestPki,
    anchor: String,
}

fn wallet() -> Wallet {
    let pki = TestPki::new();
    let anchor = tmp("iaca.der", &pki.iaca_der);
    Wallet { pki, anchor }
}

const AT: &str = "2024-01-01T00:00:00Z";

#[test]
fn vp_token_mode_redirect_and_dc_api_with_dash_nonce() {
    let w = wallet();
    let nonce = "-x3F_dash-first";
    // Redirect, unencrypted (thumbprint null).
    let st = oid4vp::redirect_session_transcript("x509_san_dns:rp", nonce, None, "https://rp/post");
    let dr = wallet::device_response_for(&w.pki, &MdocSpec::default(), st.as_array_bytes());
    let vp = tmp("redirect.json", wallet::vp_token(&[("mdl", vec![dr])]).as_bytes());
    let base = ["--trust-anchor", &w.anchor, "--at", AT, "--json"];
    let mut a = vec!["--oid4vp-vp-token", &vp, "--nonce", nonce];
    a.extend(["--client-id", "x509_san_dns:rp", "--response-uri", "https://rp/post"]);
    a.extend(base);
    let (code, out, err) = verify(&a);
    assert_eq!(code, 0, "{out}{err}");
    // The same vp_token presented as a DC API response: another transcript.
    let mut b = vec!["--oid4vp-vp-token", &vp, "--nonce", nonce, "--origin", "https://rp"];
    b.extend(base);
    let (code, out, _) = verify(&b);
    assert_eq!(code, 1);
    assert_eq!(codes(&json(&out)), vec!["device_signature_invalid"]);
    // DC API with a thumbprint.
    let t = [5u8; 32];
    let st = oid4vp::dc_api_session_transcript("https://rp", nonce, Some(&t));
    let dr = wallet::device_response_for(&w.pki, &MdocSpec::default(), st.as_array_bytes());
    let vp = tmp("dcapi.json", wallet::vp_token(&[("mdl", vec![dr])]).as_bytes());
    let tb = B64.encode(t);
    let mut c = vec!["--oid4vp-vp-token", &vp, "--nonce", nonce, "--origin", "https://rp"];
    c.extend(["--jwk-thumbprint", &tb]);
    c.extend(base);
    assert_eq!(verify(&c).0, 0);
    // Wrong origin.
    let mut d = vec!["--oid4vp-vp-token", &vp, "--nonce", nonce, "--origin", "https://evil"];
    d.extend(["--jwk-thumbprint", &tb]);
    d.extend(base);
    assert_eq!(verify(&d).0, 1);
}

#[test]
fn malformed_wallet_input_gets_a_verdict() {
    let w = wallet();
    for (name, content) in [
        ("notjson.json", "{\"mdl\":"),
        ("array.json", "[]"),
        ("empty.json", "{\"mdl\":[]}"),
        ("notb64.json", "{\"mdl\":[\"***\"]}"),
    ] {
        let vp = tmp(name, content.as_bytes());
        let (code, out, err) = verify(&[
            "--oid4vp-vp-token",
            &vp,
            "--nonce",
            "n",
            "--origin",
            "https://rp",
            "--trust-anchor",
            &w.anchor,
            "--at",
            AT,
            "--json",
        ]);
        assert_eq!(code, 1, "{name}: {err}");
        let v = json(&out);
        assert_eq!(v["status"], "invalid");
        assert_eq!(codes(&v), vec!["structure_invalid"], "{name}");
    }
}

fn key_files() -> (p256::SecretKey, String, String) {
    let sk = p256::SecretKey::from_slice(&[0x21; 32]).unwrap();
    let pt = p256::EncodedPoint::from(sk.public_key());
    let jwk = serde_json::json!({
        "kty": "EC", "crv": "P-256",
        "x": B64.encode(pt.x().unwrap()), "y": B64.encode(pt.y().unwrap()), "d": B64.encode(sk.to_bytes()),
    });
    use p256::pkcs8::EncodePrivateKey;
    let pem = sk.to_pkcs8_pem(Default::default()).unwrap();
    (
        sk,
        tmp("key.jwk", jwk.to_string().as_bytes()),
        tmp("key.pem", pem.as_bytes()),
    )
}

#[test]
fn response_mode_decrypts_with_jwk_or_pem_and_refuses_downgrade() {
    let w = wallet();
    let (sk, jwk_path, pem_path) = key_files();
    let sec1 = sk.public_key().to_sec1_bytes().to_vec();
    let key = oid4vp::EncryptionKey::from_scalar(&sk.to_bytes()).unwrap();
    let nonce = "-nonce";
    let st = oid4vp::redirect_session_transcript("c", nonce, Some(&key.thumbprint()), "https://rp/post");
    let dr = wallet::device_response_for(&w.pki, &MdocSpec::default(), st.as_array_bytes());
    let token = wallet::vp_token(&[("mdl", vec![dr])]);
    let resp = tmp(
        "resp.json",
        wallet::encrypted_response(&sec1, &token, &JweOptions::default()).as_bytes(),
    );
    let run = |file: &str, key: &str, extra: &[&str]| {
        let mut a = vec!["--oid4vp-response", file, "--jwe-key", key, "--nonce", nonce];
        a.extend(["--client-id", "c", "--response-uri", "https://rp/post"]);
        a.extend(["--trust-anchor", &w.anchor, "--at", AT, "--json"]);
        a.extend(extra);
        verify(&a)
    };
    for k in [&jwk_path, &pem_path] {
        let (code, out, err) = run(&resp, k, &[]);
        assert_eq!(code, 0, "{out}{err}");
        assert_eq!(json(&out)["protocol"], "openid4vp");
    }
    // Downgrade: the plain vp_token where encryption was asked for.
    let plain = tmp("plain.json", wallet::plain_response(&token).as_bytes());
    let (code, out, _) = run(&plain, &jwk_path, &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&json(&out)), vec!["structure_invalid"]);
    // Tampered ciphertext, enc A192GCM, another recipient.
    let c = serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&resp).unwrap()).unwrap();
    let mut parts: Vec<String> = c["response"].as_str().unwrap().split('.').map(str::to_owned).collect();
    parts[3] = B64.encode(B64.decode(&parts[3]).unwrap().iter().map(|b| b ^ 1).collect::<Vec<_>>());
    let bad = tmp(
        "bad.json",
        serde_json::json!({"response": parts.join(".")}).to_string().as_bytes(),
    );
    let (code, out, _) = run(&bad, &jwk_path, &[]);
    assert_eq!((code, codes(&json(&out))), (1, vec!["jwe_decrypt_failed".to_owned()]));
    let a192 = JweOptions {
        enc: "A192GCM".into(),
        ..Default::default()
    };
    let bad = tmp("a192.json", wallet::encrypted_response(&sec1, &token, &a192).as_bytes());
    let (code, out, _) = run(&bad, &jwk_path, &[]);
    assert_eq!(
        (code, codes(&json(&out))),
        (1, vec!["unsupported_algorithm".to_owned()])
    );
    // The verifier's own inputs: a missing key file or conflicting flags exit 2.
    assert_eq!(run(&resp, "/nonexistent/key", &[]).0, 2);
    assert_eq!(run(&resp, &jwk_path, &["--origin", "https://rp"]).0, 2);
    assert_eq!(run(&resp, &jwk_path, &["--jwk-thumbprint", "AAAA"]).0, 2);
    assert_eq!(run(&resp, &jwk_path, &["--oid4vp-vp-token", &resp]).0, 2);
    assert_eq!(run(&resp, &jwk_path, &["--device-response", &resp]).0, 2);
}

#[test]
fn verifier_parameters_are_usage_errors() {
    let vp = tmp("u.json", b"{}");
    for a in [
        vec!["--oid4vp-vp-token", &vp, "--origin", "https://rp"],
        vec!["--oid4vp-vp-token", &vp, "--nonce", "n"],
        vec!["--oid4vp-vp-token", &vp, "--nonce", "n", "--client-id", "c"],
        vec![
            "--oid4vp-vp-token",
            &vp,
            "--nonce",
            "n",
            "--origin",
            "o",
            "--jwk-thumbprint",
            "AAAA",
        ],
        vec!["--oid4vp-response", &vp, "--nonce", "n", "--origin", "o"],
        vec!["--nonce", "n"],
        vec![
            "--oid4vp-vp-token",
            "/nonexistent/vp.json",
            "--nonce",
            "n",
            "--origin",
            "o",
        ],
    ] {
        let (code, _, err) = verify(&a);
        assert_eq!(code, 2, "{a:?}: {err}");
    }
}
