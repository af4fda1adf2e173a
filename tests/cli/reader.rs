//! The `reader` example's contract (examples/reader.rs): replaying Annex D.
//! `cargo test` builds the examples next to the test binaries.

use crate::support;

use std::path::PathBuf;
use support::annex_d;
use support::examples::TempDir;

fn d(name: &str) -> String {
    format!("{}/tests/data/iso18013-5-annex-d/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> (i32, String) {
    let (code, out, _) = crate::run_example("reader", args);
    (code, out)
}

fn annex_d_args(session_data: &str, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = [
        "--device-engagement",
        &d("device_engagement_nfc.hex"),
        "--handover-select",
        &d("handover_select.hex"),
        "--handover-request",
        &d("handover_request.hex"),
        "--reader-key",
        &d("e_reader_key.d.hex"),
        "--device-request",
        &d("device_request.hex"),
        "--session-data",
        session_data,
        "--trust-anchor",
        &d("iaca_cert.pem"),
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn field<'a>(json: &'a str, key: &str) -> &'a str {
    let start = json.find(&format!("\"{key}\":\"")).unwrap() + key.len() + 4;
    let len = json[start..].find('"').unwrap();
    &json[start..start + len]
}

#[test]
fn replays_annex_d_byte_identically_and_verifies() {
    let args = annex_d_args(
        &d("session_data_device_response.hex"),
        &["--at", "2021-01-01T00:00:00Z"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out) = run(&args);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        field(&out, "session_transcript"),
        hex::encode(annex_d("session_transcript.hex"))
    );
    assert_eq!(
        field(&out, "session_transcript_bytes"),
        hex::encode(annex_d("session_transcript_bytes.hex"))
    );
    assert_eq!(
        field(&out, "session_establishment"),
        hex::encode(annex_d("session_establishment.hex"))
    );
    assert!(out.contains("\"response\":{\"status\":\"valid\""), "{out}");
}

#[test]
fn expired_document_and_tampered_session_data_are_invalid() {
    // Today the Annex D DS certificate has expired: exit 1 like `verify`.
    let args = annex_d_args(&d("session_data_device_response.hex"), &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out) = run(&args);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("certificate_expired"), "{out}");

    let mut sd = annex_d("session_data_device_response.hex");
    let n = sd.len();
    sd[n - 1] ^= 1;
    let dir = TempDir::new("reader-tampered");
    let p = dir.path().join("session_data.bin");
    std::fs::write(&p, &sd).unwrap();
    let args = annex_d_args(p.to_str().unwrap(), &["--at", "2021-01-01T00:00:00Z"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out) = run(&args);
    std::fs::remove_file(&p).ok();
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("\"code\":\"session_decryption_failed\""), "{out}");
}

#[test]
fn qr_engagement_and_usage_errors() {
    use base64::Engine;
    let qr = format!(
        "mdoc:{}\n",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(annex_d("device_engagement.hex"))
    );
    let dir = TempDir::new("reader-qr");
    let p = dir.path().join("engagement.txt");
    std::fs::write(&p, qr).unwrap();
    let qr_path = p.to_str().unwrap().to_owned();
    let (code, out) = run(&[
        "--device-engagement",
        &qr_path,
        "--reader-key",
        &d("e_reader_key.d.hex"),
        "--device-request",
        &d("device_request.hex"),
        "--json",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(field(&out, "session_transcript").ends_with("f6"));
    assert!(!out.contains("\"response\""));
    // A QR engagement given with an NFC Handover Select: the transcript uses
    // the engagement the Handover Select carried (the Annex D pitfall), so
    // the replay still matches Annex D byte for byte.
    let (code, out) = run(&[
        "--device-engagement",
        &qr_path,
        "--handover-select",
        &d("handover_select.hex"),
        "--handover-request",
        &d("handover_request.hex"),
        "--reader-key",
        &d("e_reader_key.d.hex"),
        "--device-request",
        &d("device_request.hex"),
        "--json",
    ]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        field(&out, "session_establishment"),
        hex::encode(annex_d("session_establishment.hex"))
    );
    std::fs::remove_file(&p).ok();
    let (code, _) = run(&["--device-engagement", &d("device_engagement.hex")]);
    assert_eq!(code, 2);
    let (code, _) = run(&[
        "--device-engagement",
        "/nonexistent/de",
        "--reader-key",
        &d("e_reader_key.d.hex"),
        "--device-request",
        &d("device_request.hex"),
    ]);
    assert_eq!(code, 2);
}

/// The reader binds the response to the `--device-request` it sent: Annex D's
/// mDL answers a request for a PID with `document_not_requested`, and a
/// request for `family_name` alone shows that element only.
#[test]
fn the_response_is_bound_to_the_device_request_sent() {
    use kakunin::session::{DeviceRequestBuilder, ItemsRequest};
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reader_cli_requests");
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, items: ItemsRequest| {
        let mut b = DeviceRequestBuilder::new();
        b.add(&items).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, b.build()).unwrap();
        p.display().to_string()
    };
    let pid = write(
        "pid.cbor",
        ItemsRequest::new("eu.europa.ec.eudi.pid.1").element("eu.europa.ec.eudi.pid.1", "age_over_18"),
    );
    let name_only = write(
        "name.cbor",
        ItemsRequest::new("org.iso.18013.5.1.mDL").element("org.iso.18013.5.1", "family_name"),
    );
    let sd = d("session_data_device_response.hex");
    let with_request = |req: &str| {
        let mut args = annex_d_args(&sd, &["--at", "2021-01-01T00:00:00Z"]);
        let i = args.iter().position(|a| a == "--device-request").unwrap();
        args[i + 1] = req.to_owned();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&refs)
    };
    let (code, out) = with_request(&pid);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("\"document_not_requested\""), "{out}");
    assert!(!out.contains("\"Doe\""), "{out}");
    let (code, out) = with_request(&name_only);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\"family_name\":\"Doe\""), "{out}");
    assert!(!out.contains("document_number") && !out.contains("portrait"), "{out}");
}

/// A SessionData that carries no DeviceResponse is never "valid": the
/// holder's termination (status 20, Annex D's recorded message) is
/// `session_terminated`, its error statuses 10 and 11 are
/// `session_protocol_error`; each exits 1 with the code in the JSON and in
/// the text report.
#[test]
fn session_data_without_a_response_is_exit_1_with_a_session_code() {
    let dir = TempDir::new("reader-status");
    let status_only = |status: u8| {
        // {"status": status}
        let mut v = vec![0xa1, 0x66];
        v.extend_from_slice(b"status");
        v.push(status);
        let p = dir.path().join(format!("status{status}.cbor"));
        std::fs::write(&p, v).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let cases = [
        (d("session_termination.hex"), "session_terminated"),
        (status_only(10), "session_protocol_error"),
        (status_only(11), "session_protocol_error"),
    ];
    for (file, code_name) in &cases {
        let args = annex_d_args(file, &["--at", "2021-01-01T00:00:00Z"]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out) = run(&args);
        assert_eq!(code, 1, "{file}: {out}");
        assert!(
            out.contains(&format!("\"error\":{{\"code\":\"{code_name}\"")),
            "{file}: {out}"
        );
        assert!(!out.contains("\"response\""), "{file}: {out}");
        let text: Vec<&str> = args.iter().copied().filter(|a| *a != "--json").collect();
        let (code, out) = run(&text);
        assert_eq!(code, 1, "{file}: {out}");
        assert!(
            out.contains(&format!("SessionData rejected: {code_name}")),
            "{file}: {out}"
        );
    }
    for (file, _) in &cases[1..] {
        std::fs::remove_file(file).ok();
    }
}

fn run_err(args: &[&str]) -> (i32, String, String) {
    crate::run_example("reader", args)
}

#[test]
fn help_and_version_on_stdout() {
    let (code, out, err) = run_err(&["--help"]);
    assert_eq!(code, 0, "{err}");
    for f in [
        "--device-engagement",
        "--handover-select",
        "--handover-request",
        "--reader-key",
        "--device-request",
        "--session-data",
        "--trust-anchor",
        "--at",
        "--json",
    ] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(f)),
            "{f} not described:\n{out}"
        );
        assert!(out.contains(&format!("e.g. {f}")), "no example for {f}:\n{out}");
    }
    assert!(out.contains("--help") && out.contains("--version"), "{out}");
    let (code, out, _) = run_err(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("reader (kakunin) {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn bad_at_is_refused_before_anything_runs() {
    // No --session-data: nothing would be verified, yet the date is checked.
    let args = annex_d_args(&d("session_data_device_response.hex"), &["--at", "2026-01-31"]);
    let all: Vec<&str> = args.iter().map(String::as_str).collect();
    let i = all.iter().position(|a| *a == "--session-data").unwrap();
    let args: Vec<&str> = [&all[..i], &all[i + 2..]].concat();
    let (code, out, err) = run_err(&args);
    assert_eq!(code, 2, "{out}");
    assert!(out.is_empty(), "nothing ran: {out}");
    assert!(err.contains("expected RFC 3339, e.g. 2026-01-31T09:00:00Z"), "{err}");
}

#[test]
fn device_request_that_is_not_cbor_nor_hex_says_so() {
    let pem = d("iaca_cert.pem");
    let mut args = annex_d_args(&d("session_data_device_response.hex"), &[]);
    let i = args.iter().position(|a| a == "--device-request").unwrap();
    args[i + 1] = pem.clone();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = run_err(&args);
    assert_eq!(code, 2);
    assert!(err.contains(&format!("{pem}: not CBOR nor hex text")), "{err}");
}

#[test]
fn no_trust_anchor_is_a_warning_that_leaves_the_verdict_alone() {
    let args = annex_d_args(
        &d("session_data_device_response.hex"),
        &["--at", "2021-01-01T00:00:00Z"],
    );
    let with: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = run_err(&with);
    assert_eq!(code, 0);
    assert!(!err.contains("--trust-anchor"), "{err}");
    let i = with.iter().position(|a| *a == "--trust-anchor").unwrap();
    let without: Vec<&str> = [&with[..i], &with[i + 2..]].concat();
    let (code, out, err) = run_err(&without);
    assert_eq!(code, 1, "untrusted issuer: {out}");
    assert!(
        err.contains("no --trust-anchor given: every issuer is untrusted"),
        "{err}"
    );
    assert!(out.contains("\"response\":{\"status\":\"invalid\""), "{out}");
}
