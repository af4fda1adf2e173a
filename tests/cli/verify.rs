//! The `verify` example's command-line contract (flags, JSON shape, exit codes).

use crate::support::examples::{example, TempDir};
use crate::{data, verify};
use std::path::PathBuf;
use std::process::Command;

#[test]
fn no_arguments_verifies_the_bundled_sample() {
    let (code, out, _) = verify(&[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("VALID"));
    assert!(out.contains("family_name"));
}

#[test]
fn json_report_for_annex_d() {
    let (code, out, _) = verify(&["--json"]);
    assert_eq!(code, 0);
    let line = out.trim();
    assert!(line.starts_with("{\"status\":\"valid\",\"documents\":[{\"doc_type\":\"org.iso.18013.5.1.mDL\",\"valid\":true,\"device_auth\":\"mac\",\"elements\":{\"org.iso.18013.5.1\":{\"family_name\":\"Doe\""), "{line}");
    assert!(line.contains("\"issue_date\":\"2019-10-20\""));
    assert!(line.contains("\"document_number\":\"123456789\""));
    assert!(line.contains("\"portrait\":{\"$bytes\":\"/9j/"));
    assert!(line.contains("\"driving_privileges\":[{\"vehicle_category_code\":\"A\",\"issue_date\":\"2018-08-09\""));
    assert!(line.ends_with("\"errors\":[],\"warnings\":[]}"), "{line}");
}

#[test]
fn annex_d_today_is_invalid_with_certificate_expired() {
    let (code, out, _) = verify(&[
        "--device-response",
        &data("iso18013-5-annex-d/device_response.hex"),
        "--trust-anchor",
        &data("iso18013-5-annex-d/iaca_cert.pem"),
        "--session-transcript",
        &data("iso18013-5-annex-d/session_transcript_bytes.hex"),
        "--reader-key",
        &data("iso18013-5-annex-d/e_reader_key.d.hex"),
        "--json",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("\"status\":\"invalid\""));
    assert!(
        out.contains(
            "\"valid\":false,\"device_auth\":null,\"elements\":{},\"errors\":[{\"code\":\"certificate_expired\""
        ),
        "{out}"
    );
}

#[test]
fn eudi_mdl_with_binary_transcript_and_rfc3339_time() {
    let st = hex::decode(
        std::fs::read_to_string(data("eudi-verifier-endpoint/mdl_session_transcript.hex"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    let dir = TempDir::new("cli-st");
    let path = dir.path().join("transcript.cbor");
    std::fs::write(&path, st).unwrap();
    let (code, out, err) = verify(&[
        "--device-response",
        &data("eudi-verifier-endpoint/mdl_device_response.hex"),
        "--trust-anchor",
        &data("eudi-verifier-endpoint/pid_issuer_ca_ut_02.pem"),
        "--session-transcript",
        path.to_str().unwrap(),
        "--at",
        "2025-12-19T09:19:37Z",
        "--profile",
        "interoperable",
        "--json",
    ]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("\"device_auth\":\"signature\""));
}

#[test]
fn clock_skew_flag() {
    // The SPRIND MSO expired at 2024-08-26T14:49:42Z.
    let args = |skew: &'static str| {
        vec![
            "--device-response".to_string(),
            data("sprind-funke-pid/pid_issuer_signed.hex"),
            "--trust-anchor".into(),
            data("sprind-funke-pid/sprind_funke_issuing_ca.pem"),
            "--at".into(),
            "2024-08-26T14:50:00Z".into(),
            "--clock-skew".into(),
            skew.into(),
            "--profile".into(),
            "interoperable".into(),
            "--issuer-only".into(),
        ]
    };
    let run = |a: Vec<String>| verify(&a.iter().map(String::as_str).collect::<Vec<_>>()).0;
    assert_eq!(run(args("0")), 1);
    assert_eq!(run(args("60")), 0);
}

#[test]
fn usage_and_io_errors_exit_2() {
    let (code, _, err) = verify(&["--bogus"]);
    assert_eq!(code, 2);
    assert!(!err.is_empty());
    let (code, _, err) = verify(&["--device-response", "/nonexistent/file"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/file"));
    let (code, _, _) = verify(&["--at", "yesterday"]);
    assert_eq!(code, 2);
}

#[test]
fn reader_key_as_pkcs8_pem_sec1_der_and_cose_key() {
    use p256::pkcs8::{EncodePrivateKey, LineEnding};
    let d = hex::decode(
        std::fs::read_to_string(data("iso18013-5-annex-d/e_reader_key.d.hex"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    let sk = p256::SecretKey::from_slice(&d).unwrap();
    let dir = TempDir::new("cli-rk");
    let pem = dir.path().join("reader_key.pem");
    std::fs::write(&pem, sk.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes()).unwrap();
    let sec1 = dir.path().join("reader_key.der");
    std::fs::write(&sec1, sk.to_sec1_der().unwrap().as_slice()).unwrap();
    for key in [&pem, &sec1] {
        let (code, out, err) = verify(&["--reader-key", key.to_str().unwrap(), "--json"]);
        assert_eq!(code, 0, "{}: {out}{err}", key.display());
        assert!(out.contains("\"device_auth\":\"mac\""));
    }
    // A key that is not the reader's: the MAC must fail (exit 1).
    let other = p256::SecretKey::from_slice(&[0x42; 32]).unwrap();
    std::fs::write(&pem, other.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes()).unwrap();
    let (code, out, _) = verify(&["--reader-key", pem.to_str().unwrap(), "--json"]);
    assert_eq!(code, 1);
    assert!(out.contains("device_mac_invalid"));
    let _ = std::fs::remove_file(&pem);
    let _ = std::fs::remove_file(&sec1);
}

/// `--device-request FILE` binds the report to the DeviceRequest sent: a
/// docType it does not ask for is `document_not_requested` (exit 1), and
/// elements it does not ask for are not reported.
#[test]
fn device_request_binds_the_report() {
    use kakunin::session::{DeviceRequestBuilder, ItemsRequest};
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_device_request");
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
    let annex_d_request = data("iso18013-5-annex-d/device_request.hex");

    let (code, out, _) = verify(&["--json", "--device-request", &pid]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("\"code\":\"document_not_requested\""), "{out}");
    let (code, out, _) = verify(&["--json", "--device-request", &name_only]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\"family_name\":\"Doe\""), "{out}");
    assert!(!out.contains("document_number") && !out.contains("portrait"), "{out}");
    // The request Annex D actually sent asks for all six elements.
    let (code, out, _) = verify(&["--json", "--device-request", &annex_d_request]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, verify(&["--json"]).1);
    // A file that is not a DeviceRequest is a usage error.
    let (code, _, err) = verify(&["--json", "--device-request", &data("iso18013-5-annex-d/iaca_cert.pem")]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn profile_flag_defaults_to_annex_b() {
    // The EUDI reference mDL's DS carries extKeyUsage 1.3.130.2.0.0.1.2 and
    // says issuing_country GR under a UT DS: refused by default.
    let base = [
        "--device-response",
        &data("eudi-verifier-endpoint/mdl_device_response.hex"),
        "--trust-anchor",
        &data("eudi-verifier-endpoint/pid_issuer_ca_ut_02.pem"),
        "--at",
        "2025-12-19T09:19:37Z",
        "--issuer-only",
        "--json",
    ]
    .map(String::from);
    let run = |extra: &[&str]| {
        let mut a: Vec<&str> = base.iter().map(String::as_str).collect();
        a.extend_from_slice(extra);
        verify(&a)
    };
    for extra in [&[][..], &["--profile", "annex-b"][..]] {
        let (code, out, _) = run(extra);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("certificate_profile_invalid"), "{out}");
    }
    let (code, out, _) = run(&["--profile", "interoperable"]);
    assert_eq!(code, 0, "{out}");
    let (code, _, err) = run(&["--profile", "lenient"]);
    assert_eq!(code, 2);
    assert!(err.contains("--profile"), "{err}");
}

/// A Document or IssuerSigned cut out of a DeviceResponse carries no proof
/// that the holder's device took part in this session. The tool must not
/// decide by itself to skip device authentication: without `--issuer-only`
/// such input is `device_auth_missing`, even when a transcript and a reader
/// key were given (a copied credential replays that way).
#[test]
fn bare_document_or_issuer_signed_is_not_downgraded_silently() {
    let hex_text = std::fs::read_to_string(data("iso18013-5-annex-d/device_response.hex")).unwrap();
    let response = hex::decode(hex_text.trim()).unwrap();
    let limits = kakunin::Limits::default();
    let item = kakunin::internals::cbor::decode(&response, &limits).unwrap();
    let document = item.get("documents").unwrap().value.as_array().unwrap()[0].clone();
    let issuer_signed = document.get("issuerSigned").unwrap().raw.to_vec();
    let document = document.raw.to_vec();
    let dir = TempDir::new("cli-bare");
    for (name, bytes) in [("document", document), ("issuer-signed", issuer_signed)] {
        let path = dir.path().join(format!("{name}.cbor"));
        std::fs::write(&path, bytes).unwrap();
        let file = path.to_str().unwrap();
        let full = [
            "--device-response",
            file,
            "--trust-anchor",
            &data("iso18013-5-annex-d/iaca_cert.pem"),
            "--session-transcript",
            &data("iso18013-5-annex-d/session_transcript_bytes.hex"),
            "--reader-key",
            &data("iso18013-5-annex-d/e_reader_key.d.hex"),
            "--at",
            "2021-01-01T00:00:00Z",
        ];
        let (code, out, err) = verify(&[&full[..], &["--json"]].concat());
        assert_eq!(code, 1, "{name}: {out}{err}");
        assert!(
            out.starts_with("{\"status\":\"invalid\",\"documents\":[],\"errors\":[{\"code\":\"device_auth_missing\""),
            "{name}: {out}"
        );
        assert!(!out.contains("Doe"), "{name}: no element of an unverified input: {out}");
        let (code, out, _) = verify(&full);
        assert_eq!(code, 1, "{name}: {out}");
        assert!(
            out.contains("INVALID") && out.contains("device_auth_missing"),
            "{name}: {out}"
        );
        // Issuer-only is an explicit choice of the operator.
        let (code, out, err) = verify(&[&full[..], &["--json", "--issuer-only"]].concat());
        assert_eq!(code, 0, "{name}: {out}{err}");
        assert!(out.contains("\"device_auth\":null"), "{name}: {out}");
        let _ = std::fs::remove_file(&path);
    }
}

/// Every flag `verify` takes; `--help` must describe each one.
const VERIFY_FLAGS: &[&str] = &[
    "--device-response",
    "--trust-anchor",
    "--session-transcript",
    "--reader-key",
    "--at",
    "--clock-skew",
    "--json",
    "--issuer-only",
    "--audit",
    "--vical",
    "--vical-anchor",
    "--crl",
    "--status-list",
    "--revocation",
    "--profile",
    "--vical-last-issue-id",
    "--device-request",
    "--dcapi-response",
    "--dcapi-request",
    "--origin",
    "--hpke-key",
    "--apple-identity",
    "--merchant-id",
    "--team-id",
    "--nonce",
    "--oid4vp-vp-token",
    "--oid4vp-response",
    "--jwe-key",
    "--client-id",
    "--response-uri",
    "--jwk-thumbprint",
    "--help",
    "--version",
];

#[test]
fn help_on_stdout_describes_every_flag_with_an_example() {
    for flag in ["--help", "-h"] {
        let (code, out, err) = verify(&[flag]);
        assert_eq!(code, 0, "{flag}: {err}");
        assert!(err.is_empty(), "{flag}: help goes to stdout: {err}");
        for f in VERIFY_FLAGS {
            let described = out
                .lines()
                .any(|l| l.trim_start().starts_with(f) || l.contains(&format!(", {f}")));
            assert!(described, "{f} is not described in --help:\n{out}");
        }
        // Every option that takes a value shows one in use.
        for f in VERIFY_FLAGS.iter().filter(|f| !["--help", "--version"].contains(f)) {
            assert!(
                out.contains(&format!("e.g. {f} ")) || out.contains(&format!("e.g. {f}\n")),
                "no example for {f}:\n{out}"
            );
        }
    }
}

#[test]
fn version_prints_the_crate_version() {
    let (code, out, _) = verify(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("verify (kakunin) {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn bad_at_says_what_is_expected_before_anything_runs() {
    // Even with an input that does not exist: --at is checked first.
    let (code, out, err) = verify(&["--device-response", "/nonexistent/file", "--at", "31/01/2026"]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("expected RFC 3339, e.g. 2026-01-31T09:00:00Z"), "{err}");
    assert!(
        !err.contains("/nonexistent/file: "),
        "nothing ran before --at was checked: {err}"
    );
}

#[test]
fn verifier_input_that_is_not_cbor_nor_hex_says_so() {
    let pem = data("iso18013-5-annex-d/iaca_cert.pem");
    for flag in ["--session-transcript", "--device-request"] {
        let (code, out, err) = verify(&[
            "--device-response",
            &data("iso18013-5-annex-d/device_response.hex"),
            "--trust-anchor",
            &pem,
            flag,
            &pem,
        ]);
        assert_eq!(code, 2, "{flag}: {out}");
        assert!(err.contains(&format!("{pem}: not CBOR nor hex text")), "{flag}: {err}");
    }
}

#[test]
fn no_trust_anchor_is_a_warning_that_leaves_the_verdict_alone() {
    let response = data("iso18013-5-annex-d/device_response.hex");
    let (code, out, err) = verify(&["--device-response", &response, "--at", "2021-01-01T00:00:00Z", "--json"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("no --trust-anchor given: every issuer is untrusted"),
        "{err}"
    );
    assert!(
        out.starts_with("{\"status\":\"invalid\""),
        "the report is unchanged on stdout: {out}"
    );
    // With an anchor: no note. The demo (no arguments) brings its own: no note either.
    let (_, _, err) = verify(&[
        "--device-response",
        &response,
        "--trust-anchor",
        &data("iso18013-5-annex-d/iaca_cert.pem"),
    ]);
    assert!(!err.contains("--trust-anchor"), "{err}");
    let (code, _, err) = verify(&[]);
    assert_eq!(code, 0);
    assert!(err.is_empty(), "{err}");
}

#[test]
fn demo_runs_from_any_working_directory() {
    let dir = TempDir::new("cli-demo");
    let run_in = |cwd: &std::path::Path, args: &[&str]| {
        let out = Command::new(example("verify"))
            .args(args)
            .current_dir(cwd)
            .output()
            .unwrap();
        (out.status.code(), out.stdout)
    };
    for args in [&[][..], &["--json"][..]] {
        let elsewhere = run_in(dir.path(), args);
        let home = run_in(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), args);
        assert_eq!(elsewhere.0, Some(0), "{}", String::from_utf8_lossy(&elsewhere.1));
        assert_eq!(
            elsewhere, home,
            "the demo's output does not depend on the working directory"
        );
    }
}

#[test]
fn flag_values_may_begin_with_a_dash_and_repeat() {
    // A value that begins with '-' is a value, as `--flag value` or `--flag=value`.
    for args in [
        &["--at", "-2021-01-01T00:00:00Z"][..],
        &["--at=-2021-01-01T00:00:00Z"][..],
    ] {
        let (code, _, err) = verify(args);
        assert_eq!(code, 2);
        assert!(err.contains("got \"-2021-01-01T00:00:00Z\""), "{err}");
    }
    let pem = data("iso18013-5-annex-d/iaca_cert.pem");
    let (code, _, _) = verify(&["--trust-anchor", "/nonexistent/anchor", "--trust-anchor", &pem]);
    assert_eq!(code, 2, "every --trust-anchor is read");
    let (code, _, _) = verify(&["--trust-anchor", &pem, "--trust-anchor", &pem, "--json"]);
    assert_eq!(code, 0);
}
