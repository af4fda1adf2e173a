//! `verify`: check an mdoc DeviceResponse (or IssuerSigned / Document) and
//! print a report. The command-line contract is documented in README.md.
//!
//! ```text
//! verify [--device-response FILE] [--trust-anchor FILE]... [--session-transcript FILE]
//!        [--reader-key FILE] [--at RFC3339] [--clock-skew SECONDS] [--json] [--issuer-only] [--audit]
//!        [--vical FILE --vical-anchor FILE]... [--crl FILE]... [--status-list FILE]...
//!        [--revocation off|best-effort|required] [--profile annex-b|interoperable]
//!        [--vical-last-issue-id N] [--device-request FILE]
//! ```
//! `--device-request` binds the result to the DeviceRequest that was sent
//! (CBOR as sent, binary or hex): a document of a docType it does not ask
//! for is `document_not_requested`, and elements it does not ask for are
//! not reported. Without it every verified document and element is reported.
//! `--revocation` defaults to `off`, or to `best-effort` when a `--crl` or
//! `--status-list` is given. `--profile` defaults to `annex-b`, the letter of
//! ISO 18013-5 Annex B.1.4; `interoperable` is the explicit opt-in for
//! issuers that break it (see README "Deliberate choices"); it also accepts a
//! VICAL signer whose keyUsage is contentCommitment only (AAMVA's).
//! `--vical-last-issue-id` refuses an older VICAL (rollback). A VICAL that does
//! not verify or is stale at `--at` is a verdict like any other check: the
//! response is invalid (exit 1) with the top-level error `trust_list_invalid`
//! or `trust_list_stale`.
//! Exit 0 = valid, 1 = invalid, 2 = usage or I/O error. `--help` describes
//! every option with an example; `--version` prints the version. Without an
//! input mode it verifies the ISO 18013-5 Annex D sample embedded in the
//! binary, so the demo runs from any working directory.
//!
//! Online presentations (exactly one input mode per run; COMMON = the trust,
//! time, revocation, audit and output flags above):
//! ```text
//! verify --dcapi-response FILE --dcapi-request FILE --origin ORIGIN --hpke-key FILE  COMMON
//! verify --apple-identity FILE --merchant-id ID --team-id ID --nonce HEX --hpke-key FILE  COMMON
//! ```
//! What the verifier controls (its request, key, nonce, the flags) may exit
//! 2; whatever the wallet sent gets a verdict: exit 1 and the report.

use kakunin::vical::{Vical, VicalPolicy};
use kakunin::{
    CertificateProfile, DeviceAuthInput, DocumentResult, ElementValue, ErrorCode, Policy, ReaderKey, Request,
    RevocationData, RevocationMode, RevocationPolicy, SessionTranscript, TrustStore, UnixTime, Verification, Verifier,
};
use std::process::ExitCode;

/// The bundled ISO 18013-5 Annex D sample, embedded so that the no-argument
/// demo runs from any working directory.
const SAMPLE_RESPONSE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/iso18013-5-annex-d/device_response.hex"
));
const SAMPLE_IACA: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/iso18013-5-annex-d/iaca_cert.pem"
));
const SAMPLE_TRANSCRIPT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/iso18013-5-annex-d/session_transcript_bytes.hex"
));
const SAMPLE_READER_KEY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/iso18013-5-annex-d/e_reader_key.d.hex"
));
const SAMPLE_TIME: &str = "2021-01-01T00:00:00Z";

struct Args {
    device_response: Option<String>,
    anchors: Vec<String>,
    transcript: Option<String>,
    reader_key: Option<String>,
    at: Option<UnixTime>,
    skew: i64,
    json: bool,
    issuer_only: bool,
    vicals: Vec<String>,
    vical_anchors: Vec<String>,
    crls: Vec<String>,
    status_lists: Vec<String>,
    revocation: Option<RevocationMode>,
    profile: CertificateProfile,
    vical_last_issue_id: Option<u64>,
    audit: bool,
    device_request: Option<String>,
    oid4vp: oid4vp_mode::Flags,
    // Online presentations: ISO 18013-7 Annex C and Apple in-app.
    dcapi_response: Option<String>,
    dcapi_request: Option<String>,
    origin: Option<String>,
    hpke_key: Option<String>,
    apple_identity: Option<String>,
    merchant_id: Option<String>,
    team_id: Option<String>,
    nonce: Option<String>,
}

const USAGE: &str = "usage: verify [--device-response FILE] [--trust-anchor FILE]... [--session-transcript FILE] \
     [--reader-key FILE] [--at RFC3339] [--clock-skew SECONDS] [--json] [--issuer-only] [--audit] \
     [--vical FILE --vical-anchor FILE]... [--crl FILE]... [--status-list FILE]... \
     [--revocation off|best-effort|required] [--profile annex-b|interoperable] \
     [--vical-last-issue-id N] [--device-request FILE]\n       \
     verify --dcapi-response FILE --dcapi-request FILE --origin ORIGIN --hpke-key FILE COMMON\n       \
     verify --apple-identity FILE --merchant-id ID --team-id ID --nonce HEX --hpke-key FILE COMMON\n       \
     verify --oid4vp-vp-token FILE --nonce NONCE (--client-id ID --response-uri URI | --origin ORIGIN) \
     [--jwk-thumbprint B64URL] COMMON\n       \
     verify --oid4vp-response FILE --jwe-key FILE --nonce NONCE \
     (--client-id ID --response-uri URI | --origin ORIGIN) COMMON\n\
     (verify --help describes every option)";

/// `verify --help`: every option, what it does, an example.
const HELP: &str = "\
verify: check an ISO/IEC 18013-5 mdoc response and print a report.

Without an input mode it verifies the bundled ISO 18013-5 Annex D sample
(embedded in the program) at 2021-01-01T00:00:00Z.

Exactly one input mode per run:
  --device-response FILE   DeviceResponse (or, with --issuer-only, a Document or
                           IssuerSigned): binary CBOR or hex text.
                           e.g. --device-response response.cbor
  --dcapi-response FILE    ISO 18013-7 Annex C (Digital Credentials API): the
                           credential `data` JSON {\"response\": ...} or the whole credential.
                           e.g. --dcapi-response credential.json
  --apple-identity FILE    Apple Verify with Wallet: the raw CBOR envelope.
                           e.g. --apple-identity encrypted_data.cbor
  --oid4vp-vp-token FILE   OpenID4VP 1.0: the vp_token JSON object.
                           e.g. --oid4vp-vp-token vp_token.json
  --oid4vp-response FILE   OpenID4VP 1.0 encrypted Authorization Response JSON
                           {\"response\": \"<compact JWE>\"}.
                           e.g. --oid4vp-response response.json

Proximity (--device-response):
  --session-transcript FILE  SessionTranscript bytes (tag 24 or bare), binary or hex.
                           e.g. --session-transcript transcript.hex
  --reader-key FILE        the reader's ephemeral private key for DeviceMac: PEM,
                           DER, COSE_Key, or a raw P-256 scalar (binary or hex).
                           e.g. --reader-key e_reader_key.pem
  --device-request FILE    the DeviceRequest that was sent (CBOR as sent, binary or
                           hex): binds the report to what was asked for.
                           e.g. --device-request device_request.hex
  --issuer-only            check the issuer side only (no device authentication).
                           e.g. --issuer-only

Online presentations:
  --dcapi-request FILE     Annex C: the request `data` JSON the verifier sent.
                           e.g. --dcapi-request request.json
  --origin ORIGIN          the web origin, used verbatim (Annex C, OpenID4VP DC API).
                           e.g. --origin https://city.example.jp
  --hpke-key FILE          Annex C / Apple: the verifier's P-256 private key (PEM).
                           e.g. --hpke-key hpke_key.pem
  --merchant-id ID         Apple: the merchant identifier.
                           e.g. --merchant-id merchant.jp.example.city
  --team-id ID             Apple: the team identifier.
                           e.g. --team-id ABCDE12345
  --nonce NONCE            Apple: hex bytes; OpenID4VP: the request's nonce verbatim
                           (may begin with '-').
                           e.g. --nonce 00112233445566778899aabbccddeeff
  --client-id ID           OpenID4VP redirect flow: client_id with its prefix.
                           e.g. --client-id x509_san_dns:verifier.example.jp
  --response-uri URI       OpenID4VP redirect flow: the response_uri.
                           e.g. --response-uri https://verifier.example.jp/post
  --jwk-thumbprint B64URL  OpenID4VP vp_token: RFC 7638 thumbprint (base64url, no
                           padding) of the encryption key; absent = null.
                           e.g. --jwk-thumbprint 9s0Hj6I9Ykhkmc0fYvY5uG0xGN0o6hJ1t0b7wU0Z8eA
  --jwe-key FILE           OpenID4VP encrypted response: the verifier's P-256
                           private key, JWK (JSON) or PEM.
                           e.g. --jwe-key jwe_key.jwk

Trust, time and revocation (every mode):
  --trust-anchor FILE      an IACA certificate (PEM or DER); repeatable. Without
                           one (and no --vical) every issuer is untrusted.
                           e.g. --trust-anchor iaca.pem
  --vical FILE             a VICAL (ISO 18013-5 Annex C) adding IACAs; repeatable;
                           needs --vical-anchor.  e.g. --vical vical.cbor
  --vical-anchor FILE      a certificate trusted to sign VICALs; repeatable.
                           e.g. --vical-anchor vical_signer_ca.pem
  --vical-last-issue-id N  refuse a VICAL older than this issue ID (rollback).
                           e.g. --vical-last-issue-id 42
  --crl FILE               a CRL (PEM, DER or hex); repeatable.  e.g. --crl iaca.crl
  --status-list FILE       an IETF Token Status List token; repeatable.
                           e.g. --status-list status.cwt
  --revocation MODE        off | best-effort | required (default: off, or
                           best-effort when a --crl or --status-list is given).
                           e.g. --revocation required
  --profile PROFILE        annex-b (default, ISO 18013-5 Annex B.1.4) | interoperable.
                           e.g. --profile interoperable
  --at RFC3339             the time to verify at (default: now).
                           e.g. --at 2026-01-31T09:00:00Z
  --clock-skew SECONDS     tolerance for validity periods (default 0).
                           e.g. --clock-skew 60

Output:
  --json                   one JSON report on stdout.  e.g. --json
  --audit                  add the personal-data-free audit record.  e.g. --audit
  -h, --help               print this help and exit.
  -V, --version            print the version and exit.

Exit status: 0 valid, 1 invalid (whatever the wallet sent gets a verdict),
2 usage or input error on the verifier's side.
";

/// What the command line asks for.
enum Command {
    Run(Box<Args>),
    Help,
    Version,
}

/// Parses the command line (`--flag value` or `--flag=value`; a value may
/// begin with `-`), then checks the mode rules, all before anything runs.
fn parse_args() -> Result<Command, String> {
    use lexopt::prelude::*;
    let mut a = Args {
        device_response: None,
        anchors: Vec::new(),
        transcript: None,
        reader_key: None,
        at: None,
        skew: 0,
        json: false,
        issuer_only: false,
        vicals: Vec::new(),
        vical_anchors: Vec::new(),
        crls: Vec::new(),
        status_lists: Vec::new(),
        revocation: None,
        profile: CertificateProfile::AnnexB,
        vical_last_issue_id: None,
        audit: false,
        device_request: None,
        oid4vp: oid4vp_mode::Flags::default(),
        dcapi_response: None,
        dcapi_request: None,
        origin: None,
        hpke_key: None,
        apple_identity: None,
        merchant_id: None,
        team_id: None,
        nonce: None,
    };
    let mut parser = lexopt::Parser::from_env();
    let value = |p: &mut lexopt::Parser| -> Result<String, String> {
        p.value().and_then(|v| v.string()).map_err(|e| e.to_string())
    };
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        let name = match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            Long(n) => format!("--{n}"),
            other => return Err(other.unexpected().to_string()),
        };
        match name.as_str() {
            "--device-response" => a.device_response = Some(value(&mut parser)?),
            "--trust-anchor" => a.anchors.push(value(&mut parser)?),
            "--session-transcript" => a.transcript = Some(value(&mut parser)?),
            "--reader-key" => a.reader_key = Some(value(&mut parser)?),
            "--at" => a.at = Some(parse_at(&value(&mut parser)?)?),
            "--clock-skew" => {
                let v = value(&mut parser)?;
                a.skew = v
                    .parse()
                    .map_err(|_| format!("--clock-skew: not a number of seconds: {v}"))?;
                if a.skew < 0 {
                    return Err("--clock-skew must not be negative".into());
                }
            }
            "--json" => a.json = true,
            "--issuer-only" => a.issuer_only = true,
            "--vical" => a.vicals.push(value(&mut parser)?),
            "--vical-anchor" => a.vical_anchors.push(value(&mut parser)?),
            "--crl" => a.crls.push(value(&mut parser)?),
            "--status-list" => a.status_lists.push(value(&mut parser)?),
            "--revocation" => {
                let v = value(&mut parser)?;
                a.revocation = Some(
                    RevocationMode::parse(&v)
                        .ok_or(format!("--revocation: expected off, best-effort or required, got {v}"))?,
                );
            }
            "--profile" => {
                a.profile = match value(&mut parser)?.as_str() {
                    "annex-b" => CertificateProfile::AnnexB,
                    "interoperable" => CertificateProfile::Interoperable,
                    v => return Err(format!("--profile: expected annex-b or interoperable, got {v}")),
                };
            }
            "--vical-last-issue-id" => {
                let v = value(&mut parser)?;
                a.vical_last_issue_id = Some(
                    v.parse()
                        .map_err(|_| format!("--vical-last-issue-id: not an unsigned integer: {v}"))?,
                );
            }
            "--audit" => a.audit = true,
            "--device-request" => a.device_request = Some(value(&mut parser)?),
            // Online presentations. `--origin` and `--nonce` serve Annex C /
            // Apple and OpenID4VP alike.
            "--origin" | "--nonce" => {
                let v = value(&mut parser)?;
                if name == "--origin" {
                    a.origin = Some(v.clone());
                } else {
                    a.nonce = Some(v.clone());
                }
                a.oid4vp.set(&name, v);
            }
            "--dcapi-response" => a.dcapi_response = Some(value(&mut parser)?),
            "--dcapi-request" => a.dcapi_request = Some(value(&mut parser)?),
            "--hpke-key" => a.hpke_key = Some(value(&mut parser)?),
            "--apple-identity" => a.apple_identity = Some(value(&mut parser)?),
            "--merchant-id" => a.merchant_id = Some(value(&mut parser)?),
            "--team-id" => a.team_id = Some(value(&mut parser)?),
            n if oid4vp_mode::Flags::takes(n) => a.oid4vp.set(n, value(&mut parser)?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if !a.vicals.is_empty() && a.vical_anchors.is_empty() {
        return Err("--vical needs at least one --vical-anchor".into());
    }
    let hpke_mode = a.dcapi_response.is_some() || a.apple_identity.is_some();
    if hpke_mode {
        if a.oid4vp.active() || a.oid4vp.any_own() {
            return Err("--dcapi-response/--apple-identity exclude the OpenID4VP flags: one input mode per run".into());
        }
    } else {
        a.oid4vp.check(
            a.device_response.is_some()
                || a.transcript.is_some()
                || a.reader_key.is_some()
                || a.device_request.is_some(),
        )?;
    }
    check_online_args(&a)?;
    Ok(Command::Run(Box::new(a)))
}

/// `--at`: an RFC 3339 date-time, checked while parsing.
fn parse_at(t: &str) -> Result<UnixTime, String> {
    UnixTime::parse_rfc3339(t).ok_or_else(|| format!("--at: expected RFC 3339, e.g. 2026-01-31T09:00:00Z, got {t:?}"))
}

/// Online modes: exactly one input mode, and each mode's flags only with it.
fn check_online_args(a: &Args) -> Result<(), String> {
    let modes = [
        a.device_response.is_some(),
        a.dcapi_response.is_some(),
        a.apple_identity.is_some(),
    ];
    if modes.iter().filter(|m| **m).count() > 1 {
        return Err("give exactly one of --device-response, --dcapi-response, --apple-identity".into());
    }
    let need = |present: bool, flag: &str, mode: &str| {
        if present {
            Ok(())
        } else {
            Err(format!("{mode} needs {flag}"))
        }
    };
    if a.dcapi_response.is_some() {
        need(a.dcapi_request.is_some(), "--dcapi-request", "--dcapi-response")?;
        need(a.origin.is_some(), "--origin", "--dcapi-response")?;
        need(a.hpke_key.is_some(), "--hpke-key", "--dcapi-response")?;
    } else if a.dcapi_request.is_some() {
        return Err("--dcapi-request only goes with --dcapi-response".into());
    }
    if a.apple_identity.is_some() {
        need(a.merchant_id.is_some(), "--merchant-id", "--apple-identity")?;
        need(a.team_id.is_some(), "--team-id", "--apple-identity")?;
        need(a.nonce.is_some(), "--nonce", "--apple-identity")?;
        need(a.hpke_key.is_some(), "--hpke-key", "--apple-identity")?;
    } else if a.merchant_id.is_some() || a.team_id.is_some() {
        return Err("--merchant-id and --team-id only go with --apple-identity".into());
    }
    let online = a.dcapi_response.is_some() || a.apple_identity.is_some();
    if online && (a.transcript.is_some() || a.reader_key.is_some() || a.issuer_only) {
        return Err("--session-transcript, --reader-key and --issuer-only do not apply to online modes".into());
    }
    if !online && a.hpke_key.is_some() {
        return Err("--hpke-key only goes with --dcapi-response or --apple-identity".into());
    }
    Ok(())
}

/// Runs an online mode, if one was given: the verdict and its protocol name.
/// Errors are the verifier's own inputs (exit 2).
fn run_online(args: &Args, verifier: &Verifier, now: UnixTime) -> Result<Option<(Verification, &'static str)>, String> {
    use kakunin::presentation::online::{annex_c, apple};
    if let Some(response) = &args.dcapi_response {
        let (req_path, key_path) = (
            args.dcapi_request.as_deref().unwrap_or_default(),
            args.hpke_key.as_deref().unwrap_or_default(),
        );
        let request = std::fs::read(req_path).map_err(|e| format!("{req_path}: {e}"))?;
        let key = load_reader_key(key_path)?;
        let origin = args.origin.as_deref().unwrap_or_default();
        let state =
            annex_c::RequestState::from_request_data(&request, origin, key).map_err(|e| format!("{req_path}: {e}"))?;
        let bytes = std::fs::read(response).map_err(|e| format!("{response}: {e}"))?;
        return Ok(Some((
            annex_c::verify_response(verifier, &state, &bytes, now),
            annex_c::PROTOCOL,
        )));
    }
    if let Some(envelope) = &args.apple_identity {
        let key = load_reader_key(args.hpke_key.as_deref().unwrap_or_default())?;
        let nonce_hex = args.nonce.as_deref().unwrap_or_default();
        let nonce = hex::decode(nonce_hex.trim()).map_err(|_| format!("--nonce: not hex: {nonce_hex}"))?;
        let bytes = std::fs::read(envelope).map_err(|e| format!("{envelope}: {e}"))?;
        let context = apple::RequestContext {
            nonce: &nonce,
            merchant_id: args.merchant_id.as_deref().unwrap_or_default(),
            team_id: args.team_id.as_deref().unwrap_or_default(),
        };
        return Ok(Some((
            apple::verify_envelope(verifier, &key, context, &bytes, now),
            "apple-in-app",
        )));
    }
    Ok(None)
}

/// Reads a CRL: PEM (`X509 CRL`), DER, or hex.
fn read_crl(path: &str) -> Result<Vec<u8>, String> {
    let data = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    if let Some(text) = std::str::from_utf8(&data)
        .ok()
        .filter(|t| t.contains("-----BEGIN X509 CRL-----"))
    {
        let body: String = text
            .split("-----BEGIN X509 CRL-----")
            .nth(1)
            .and_then(|r| r.split("-----END X509 CRL-----").next())
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        return base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body.as_bytes())
            .map_err(|_| format!("{path}: invalid PEM"));
    }
    Ok(decode_hex_or_binary(data))
}

/// Reads a file: binary CBOR, or hex text (whitespace ignored).
fn read_input(path: &str) -> Result<Vec<u8>, String> {
    let data = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(decode_hex_or_binary(data))
}

/// Reads a file the verifier supplies that must hold CBOR (binary, or hex
/// text): anything else is an input error that says so.
fn read_cbor(path: &str) -> Result<Vec<u8>, String> {
    let bytes = read_input(path)?;
    peek_cbor(&bytes).ok_or_else(|| format!("{path}: not CBOR nor hex text"))?;
    Ok(bytes)
}

/// The input as one whole CBOR data item, decoded by an independent parser
/// (ciborium): the example only looks at the top-level shape; the verifier
/// decodes the bytes again, under its limits.
fn peek_cbor(bytes: &[u8]) -> Option<ciborium::Value> {
    let mut rest = bytes;
    let value = ciborium::from_reader(&mut rest).ok()?;
    rest.is_empty().then_some(value)
}

fn decode_hex_or_binary(data: Vec<u8>) -> Vec<u8> {
    let text: Option<String> = std::str::from_utf8(&data)
        .ok()
        .map(|t| t.chars().filter(|c| !c.is_whitespace()).collect());
    match text {
        Some(t) if !t.is_empty() && t.len() % 2 == 0 && t.bytes().all(|b| b.is_ascii_hexdigit()) => {
            hex::decode(&t).unwrap_or(data)
        }
        _ => data,
    }
}

fn main() -> ExitCode {
    let mut args = match parse_args() {
        Ok(Command::Run(a)) => a,
        Ok(Command::Help) => {
            println!("{HELP}\n{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("verify (kakunin) {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(m) => {
            eprintln!("verify: {m}");
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sample = args.device_response.is_none()
        && args.dcapi_response.is_none()
        && args.apple_identity.is_none()
        && !args.oid4vp.active();
    if sample {
        // The sample's own time; its IACA, transcript and reader key are
        // used below unless the flags name others.
        args.at = args.at.or_else(|| UnixTime::parse_rfc3339(SAMPLE_TIME));
    } else if args.anchors.is_empty() && args.vicals.is_empty() {
        eprintln!("verify: warning: no --trust-anchor given: every issuer is untrusted");
    }
    match run(&args, sample) {
        Ok(valid) => ExitCode::from(if valid { 0 } else { 1 }),
        Err(m) => {
            eprintln!("verify: {m}");
            ExitCode::from(2)
        }
    }
}

fn load_reader_key(path: &str) -> Result<ReaderKey, String> {
    let raw = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    reader_key_from_bytes(raw).map_err(|e| format!("{path}: {e}"))
}

/// PEM/DER/COSE_Key, or a bare P-256 scalar (binary or hex).
fn reader_key_from_bytes(raw: Vec<u8>) -> Result<ReaderKey, kakunin::Error> {
    if let Ok(k) = ReaderKey::from_bytes(&raw) {
        return Ok(k);
    }
    let decoded = decode_hex_or_binary(raw);
    if decoded.len() == 32 {
        if let Ok(k) = ReaderKey::from_scalar(kakunin::Curve::P256, &decoded) {
            return Ok(k);
        }
    }
    ReaderKey::from_bytes(&decoded)
}

fn run(args: &Args, sample: bool) -> Result<bool, String> {
    let now = args.at.unwrap_or_else(UnixTime::now);
    let mut builder = TrustStore::builder();
    if sample && args.anchors.is_empty() {
        builder
            .add_pem_or_der(SAMPLE_IACA)
            .map_err(|e| format!("bundled sample IACA: {e}"))?;
    }
    for path in &args.anchors {
        let data = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        builder.add_pem_or_der(&data).map_err(|e| format!("{path}: {e}"))?;
    }
    let (vical_errors, vical_warnings) = add_vicals(args, now, &mut builder)?;
    let mut revocation = RevocationData::new();
    for path in &args.crls {
        revocation
            .add_crl(&read_crl(path)?)
            .map_err(|e| format!("{path}: {e}"))?;
    }
    for path in &args.status_lists {
        revocation
            .add_status_token(&read_input(path)?)
            .map_err(|e| format!("{path}: {e}"))?;
    }
    let mode = args
        .revocation
        .unwrap_or(if args.crls.is_empty() && args.status_lists.is_empty() {
            RevocationMode::Off
        } else {
            RevocationMode::BestEffort
        });
    let policy = Policy::default()
        .with_clock_skew_secs(args.skew)
        .with_certificate_profile(args.profile)
        .with_revocation(RevocationPolicy::new(mode));
    let verifier = Verifier::new(builder.build())
        .with_policy(policy)
        .with_revocation_data(revocation);
    let (mut result, protocol) = match run_online(args, &verifier, now)? {
        Some((result, protocol)) => (result, Some(protocol)),
        None => match oid4vp_mode::run(&args.oid4vp, &verifier, now)? {
            Some(result) => (result, Some("openid4vp")),
            None => (verify_proximity(args, sample, &verifier, now)?, None),
        },
    };
    // A VICAL that failed is a verdict on this response: the trust it was to
    // provide is missing.
    for e in vical_errors {
        result.add_error(e);
    }
    for w in vical_warnings {
        result.add_warning(w);
    }
    report(args, sample, now, &result, protocol);
    Ok(result.is_valid())
}

fn report(args: &Args, sample: bool, now: UnixTime, result: &Verification, protocol: Option<&str>) {
    if args.json {
        let mut json = result.to_json();
        if let Some(p) = protocol {
            // Online presentations name their protocol in the report.
            json = format!("{},\"protocol\":\"{p}\"}}", json.strip_suffix('}').unwrap_or(&json));
        }
        if args.audit {
            // The report object with one more member: the personal-data-free audit record.
            let audit = kakunin::audit::AuditRecord::new(result).to_json();
            println!("{},\"audit\":{audit}}}", json.strip_suffix('}').unwrap_or(&json));
        } else {
            println!("{json}");
        }
    } else {
        if let Some(p) = protocol {
            println!("Protocol: {p}");
        }
        if sample {
            println!(
                "Verifying the bundled ISO 18013-5 Annex D sample at {now} (DeviceMac with the Annex D reader key)\n"
            );
        }
        print_report(result);
        if args.audit {
            println!("\nAudit record: {}", kakunin::audit::AuditRecord::new(result).to_json());
        }
    }
}

/// The proximity input mode: `--device-response` (or the bundled sample),
/// with its transcript, reader key and optional DeviceRequest.
fn verify_proximity(args: &Args, sample: bool, verifier: &Verifier, now: UnixTime) -> Result<Verification, String> {
    let transcript = match &args.transcript {
        Some(p) => Some(SessionTranscript::from_bytes(&read_cbor(p)?).map_err(|e| format!("{p}: {e}"))?),
        None if sample => Some(
            SessionTranscript::from_bytes(&decode_hex_or_binary(SAMPLE_TRANSCRIPT.as_bytes().to_vec()))
                .map_err(|e| format!("bundled sample transcript: {e}"))?,
        ),
        None => None,
    };
    let reader_key = match &args.reader_key {
        Some(p) => Some(load_reader_key(p)?),
        None if sample => Some(
            reader_key_from_bytes(SAMPLE_READER_KEY.as_bytes().to_vec())
                .map_err(|e| format!("bundled sample reader key: {e}"))?,
        ),
        None => None,
    };
    let bytes = match &args.device_response {
        Some(path) => read_input(path)?,
        None => decode_hex_or_binary(SAMPLE_RESPONSE.as_bytes().to_vec()),
    };
    let auth = DeviceAuthInput {
        session_transcript: transcript.as_ref(),
        reader_key: reader_key.as_ref(),
    };
    let request = match &args.device_request {
        Some(p) => Some(Request::from_device_request(&read_cbor(p)?).map_err(|e| format!("{p}: {e}"))?),
        None => None,
    };
    let mut result = verify_any(verifier, &bytes, auth, now, args.issuer_only);
    if let Some(r) = &request {
        result = result.bind(r);
    }
    Ok(result)
}

/// Verifies each `--vical` against the `--vical-anchor`s at `now` and adds
/// its IACAs, scoped to their docTypes. Returns, for the report, the VICALs
/// that do not verify or are stale (errors) and the entries left out of the
/// ones that do (warnings), each with its file name in the message; an
/// unreadable file is an I/O error.
#[allow(clippy::type_complexity)]
fn add_vicals(
    args: &Args,
    now: UnixTime,
    builder: &mut kakunin::TrustStoreBuilder,
) -> Result<(Vec<kakunin::Error>, Vec<kakunin::Error>), String> {
    let mut anchors = Vec::new();
    for path in &args.vical_anchors {
        let data = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        for der in kakunin::certificates_from_pem_or_der(&data).map_err(|e| format!("{path}: {e}"))? {
            anchors.push(kakunin::ParsedCertificate::from_der(&der).map_err(|e| format!("{path}: {e}"))?);
        }
    }
    let mut policy = VicalPolicy::default()
        .with_clock_skew_secs(args.skew)
        .with_allow_content_commitment_signer(args.profile == CertificateProfile::Interoperable);
    if let Some(id) = args.vical_last_issue_id {
        policy = policy.with_last_issue_id(id);
    }
    let mut failed = Vec::new();
    let mut left_out = Vec::new();
    for path in &args.vicals {
        match Vical::verify(&read_input(path)?, &anchors, now, &policy) {
            Ok(vical) => {
                for (i, e) in vical.add_to(builder) {
                    let message = format!("{path}: entry {i} not loaded: {}", e.message());
                    left_out.push(kakunin::Error::new(e.code(), message));
                }
            }
            Err(e) => failed.push(kakunin::Error::new(e.code(), format!("{path}: {}", e.message()))),
        }
    }
    Ok((failed, left_out))
}

/// A DeviceResponse; a bare Document or IssuerSigned only with
/// `--issuer-only`. Without it such input is `device_auth_missing`: it has no
/// DeviceResponse around it, so the tool will not decide on its own to skip
/// device authentication (a copied credential would replay that way).
fn verify_any(v: &Verifier, bytes: &[u8], auth: DeviceAuthInput<'_>, now: UnixTime, issuer_only: bool) -> Verification {
    let has = |item: &ciborium::Value, key: &str| {
        item.as_map()
            .is_some_and(|m| m.iter().any(|(k, _)| k.as_text() == Some(key)))
    };
    let bare = match peek_cbor(bytes) {
        Some(item) if has(&item, "issuerAuth") => Some(("an IssuerSigned", true)),
        Some(item) if has(&item, "docType") && !has(&item, "documents") => Some(("a Document", false)),
        _ => None,
    };
    match bare {
        Some((_, true)) if issuer_only => Verification::from_document(v.verify_issuer_signed(bytes, None, now), now),
        Some((_, false)) if issuer_only => Verification::from_document(v.verify_document_issuer_only(bytes, now), now),
        Some((what, _)) => Verification::from_error(
            kakunin::Error::new(
                ErrorCode::DeviceAuthMissing,
                format!(
                    "the input is {what}, not a DeviceResponse: device authentication cannot be checked \
                     (pass --issuer-only to verify the issuer side alone)"
                ),
            ),
            now,
        ),
        None if issuer_only => v.verify_device_response_issuer_only(bytes, now),
        None => v.verify_device_response(bytes, auth, now),
    }
}

fn print_report(r: &Verification) {
    println!("Result: {}", if r.is_valid() { "VALID" } else { "INVALID" });
    for e in r.errors() {
        println!("  response error {}: {}", e.code(), e.message());
    }
    for w in r.warnings() {
        println!("  response warning {}: {}", w.code(), w.message());
    }
    for (i, d) in r.documents().iter().enumerate() {
        print_document(i, d);
    }
}

fn print_document(i: usize, d: &DocumentResult) {
    match d {
        Ok(doc) => {
            println!("\nDocument {i}: {} — verified", doc.doc_type());
            let is = doc.issuer();
            println!("  issuer:      {} (serial {})", is.subject, is.serial_hex);
            println!("  trust anchor: {}", is.anchor_subject);
            let v = doc.validity();
            println!(
                "  MSO valid:   {} .. {} (signed {})",
                v.valid_from, v.valid_until, v.signed
            );
            println!(
                "  device auth: {}",
                doc.device_auth().map_or("not checked (issuer only)", |k| k.as_str())
            );
            print_basic_four(doc);
            for w in doc.policy_warnings() {
                println!("  warning:     {}: {}", w.code(), w.message());
            }
            for w in doc.warnings() {
                println!(
                    "  warning:     {}/{} is {}, expected {}",
                    w.namespace,
                    w.element,
                    w.received,
                    w.expected.as_str()
                );
            }
            for ns in doc.namespaces() {
                println!("  [{}]", ns.name);
                for (id, value) in &ns.elements {
                    println!("    {id:<28} {}", display_value(value));
                }
            }
            for ns in doc.device_namespaces() {
                println!("  [{}] (device-signed)", ns.name);
                for (id, value) in &ns.elements {
                    println!("    {id:<28} {}", display_value(value));
                }
            }
        }
        Err(rej) => {
            println!("\nDocument {i}: {} — REJECTED", rej.claimed_doc_type());
            for e in rej.errors() {
                println!("  {}: {}", e.code(), e.message());
            }
        }
    }
}

/// The basic four items of a My Number Card (券面事項), text as received.
fn print_basic_four(doc: &kakunin::VerifiedDocument) {
    if doc.doc_type() != kakunin::doctype::JP_MNC_DOCTYPE {
        return;
    }
    let b = doc.basic_info(kakunin::doctype::JP_MNC_DOCTYPE);
    let show = |v: Option<&str>| v.unwrap_or("(not disclosed)").to_owned();
    println!("  氏名 (name):         {}", show(b.full_name));
    println!("  住所 (address):      {}", show(b.address));
    println!("  生年月日 (birth):    {}", show(b.birth_date));
    println!("  性別 (sex):          {}", show(b.sex_text));
}

fn display_value(v: &ElementValue) -> String {
    match v {
        ElementValue::Bytes(b) => format!("<{} bytes>", b.len()),
        ElementValue::Text(t) => t.clone(),
        other => other.to_json(),
    }
}

/// The OpenID4VP 1.0 input modes (`--oid4vp-vp-token`, `--oid4vp-response`).
/// Inputs from the wallet (vp_token, Authorization Response, JWE) always get
/// a verdict; the verifier's own parameters (nonce, client_id, key, …) are
/// usage errors when missing, conflicting or unreadable.
mod oid4vp_mode {
    use base64::Engine;
    use kakunin::presentation::online::openid4vp::{self as oid4vp, EncryptionKey, Flow};
    use kakunin::{UnixTime, Verification, Verifier};

    /// The OpenID4VP flags of one run.
    #[derive(Default)]
    pub(crate) struct Flags {
        vp_token: Option<String>,
        response: Option<String>,
        jwe_key: Option<String>,
        nonce: Option<String>,
        client_id: Option<String>,
        response_uri: Option<String>,
        origin: Option<String>,
        jwk_thumbprint: Option<String>,
    }

    impl Flags {
        /// Whether `name` is one of these flags.
        pub(crate) fn takes(name: &str) -> bool {
            matches!(
                name,
                "--oid4vp-vp-token"
                    | "--oid4vp-response"
                    | "--jwe-key"
                    | "--nonce"
                    | "--client-id"
                    | "--response-uri"
                    | "--origin"
                    | "--jwk-thumbprint"
            )
        }

        /// Records a flag's value (the last one wins, as for the other flags).
        pub(crate) fn set(&mut self, name: &str, v: String) {
            let slot = match name {
                "--oid4vp-vp-token" => &mut self.vp_token,
                "--oid4vp-response" => &mut self.response,
                "--jwe-key" => &mut self.jwe_key,
                "--nonce" => &mut self.nonce,
                "--client-id" => &mut self.client_id,
                "--response-uri" => &mut self.response_uri,
                "--origin" => &mut self.origin,
                _ => &mut self.jwk_thumbprint,
            };
            *slot = Some(v);
        }

        /// Whether a flag only OpenID4VP takes was given (`--nonce` and
        /// `--origin` are shared with the Annex C and Apple modes).
        pub(crate) fn any_own(&self) -> bool {
            self.jwe_key.is_some()
                || self.client_id.is_some()
                || self.response_uri.is_some()
                || self.jwk_thumbprint.is_some()
        }

        /// Whether an OpenID4VP mode was asked for.
        pub(crate) fn active(&self) -> bool {
            self.vp_token.is_some() || self.response.is_some()
        }

        /// Exactly one input mode, and the parameters that mode needs.
        pub(crate) fn check(&self, proximity_flags: bool) -> Result<(), String> {
            let any = self.jwe_key.is_some()
                || self.nonce.is_some()
                || self.client_id.is_some()
                || self.response_uri.is_some()
                || self.origin.is_some()
                || self.jwk_thumbprint.is_some();
            if !self.active() {
                return if any {
                    Err(
                        "--nonce/--client-id/--response-uri/--origin/--jwe-key/--jwk-thumbprint need \
                         --oid4vp-vp-token or --oid4vp-response"
                            .into(),
                    )
                } else {
                    Ok(())
                };
            }
            if self.vp_token.is_some() && self.response.is_some() {
                return Err("--oid4vp-vp-token and --oid4vp-response are exclusive: one input mode per run".into());
            }
            if proximity_flags {
                return Err(
                    "an OpenID4VP mode takes no --device-response, --session-transcript or --reader-key".into(),
                );
            }
            if self.nonce.is_none() {
                return Err("OpenID4VP needs --nonce".into());
            }
            let redirect = self.client_id.is_some() || self.response_uri.is_some();
            match (redirect, self.origin.is_some()) {
                (true, true) => return Err("--origin excludes --client-id/--response-uri".into()),
                (false, false) => return Err("OpenID4VP needs --client-id and --response-uri, or --origin".into()),
                (true, false) if self.client_id.is_none() || self.response_uri.is_none() => {
                    return Err("a redirect flow needs both --client-id and --response-uri".into())
                }
                _ => {}
            }
            if self.response.is_some() {
                if self.jwe_key.is_none() {
                    return Err("--oid4vp-response needs --jwe-key".into());
                }
                if self.jwk_thumbprint.is_some() {
                    return Err("--jwk-thumbprint is derived from --jwe-key in --oid4vp-response mode".into());
                }
            } else if self.jwe_key.is_some() {
                return Err("--jwe-key belongs to --oid4vp-response".into());
            }
            Ok(())
        }

        fn flow(&self) -> Flow {
            match &self.origin {
                Some(origin) => Flow::DcApi { origin: origin.clone() },
                None => Flow::Redirect {
                    client_id: self.client_id.clone().unwrap_or_default(),
                    response_uri: self.response_uri.clone().unwrap_or_default(),
                },
            }
        }
    }

    fn read(path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(path).map_err(|e| format!("{path}: {e}"))
    }

    /// The verdict of an OpenID4VP mode, `None` when none was asked for.
    pub(crate) fn run(f: &Flags, verifier: &Verifier, now: UnixTime) -> Result<Option<Verification>, String> {
        let nonce = f.nonce.clone().unwrap_or_default();
        if let Some(path) = &f.vp_token {
            let thumbprint = match &f.jwk_thumbprint {
                Some(t) => Some(
                    base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(t)
                        .ok()
                        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                        .ok_or("--jwk-thumbprint: not base64url (no padding) of 32 bytes")?,
                ),
                None => None,
            };
            let transcript = f.flow().session_transcript(&nonce, thumbprint.as_ref());
            let data = read(path)?;
            return Ok(Some(oid4vp::verify_vp_token(verifier, &data, &transcript, now)));
        }
        if let Some(path) = &f.response {
            let key_path = f.jwe_key.as_deref().unwrap_or_default();
            let key = EncryptionKey::from_bytes(&read(key_path)?).map_err(|e| format!("{key_path}: {e}"))?;
            let data = read(path)?;
            return Ok(Some(oid4vp::verify_response(
                verifier,
                &data,
                Some(&key),
                &f.flow(),
                &nonce,
                now,
            )));
        }
        Ok(None)
    }
}
