//! `verify`: check an mdoc DeviceResponse (or IssuerSigned / Document) and
//! print a report. The command-line contract is documented in README.md.
//!
//! ```text
//! verify [--device-response FILE] [--trust-anchor FILE]... [--session-transcript FILE]
//!        [--reader-key FILE] [--at RFC3339] [--clock-skew SECONDS] [--json] [--issuer-only] [--audit]
//!        [--vical FILE --vical-anchor FILE]... [--crl FILE]... [--status-list FILE]...
//!        [--revocation off|best-effort|required]
//! ```
//! `--revocation` defaults to `off`, or to `best-effort` when a `--crl` or
//! `--status-list` is given. A VICAL that does not verify or is stale at
//! `--at` is a usage error (exit 2): the trust material itself is unusable.
//! Exit 0 = valid, 1 = invalid, 2 = usage or I/O error.
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
    DeviceAuthInput, DocumentResult, ElementValue, Policy, ReaderKey, RevocationData, RevocationMode, RevocationPolicy,
    SessionTranscript, TrustStore, UnixTime, Verification, Verifier,
};
use std::process::ExitCode;

const SAMPLE_RESPONSE: &str = "tests/data/iso18013-5-annex-d/device_response.hex";
const SAMPLE_IACA: &str = "tests/data/iso18013-5-annex-d/iaca_cert.pem";
const SAMPLE_TRANSCRIPT: &str = "tests/data/iso18013-5-annex-d/session_transcript_bytes.hex";
const SAMPLE_READER_KEY: &str = "tests/data/iso18013-5-annex-d/e_reader_key.d.hex";
const SAMPLE_TIME: &str = "2021-01-01T00:00:00Z";

struct Args {
    device_response: Option<String>,
    anchors: Vec<String>,
    transcript: Option<String>,
    reader_key: Option<String>,
    at: Option<String>,
    skew: i64,
    json: bool,
    issuer_only: bool,
    vicals: Vec<String>,
    vical_anchors: Vec<String>,
    crls: Vec<String>,
    status_lists: Vec<String>,
    revocation: Option<RevocationMode>,
    audit: bool,
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

fn usage(msg: &str) -> ExitCode {
    eprintln!("verify: {msg}");
    eprintln!(
        "usage: verify [--device-response FILE] [--trust-anchor FILE]... [--session-transcript FILE] \
         [--reader-key FILE] [--at RFC3339] [--clock-skew SECONDS] [--json] [--issuer-only] [--audit] \
         [--vical FILE --vical-anchor FILE]... [--crl FILE]... [--status-list FILE]... \
         [--revocation off|best-effort|required]"
    );
    ExitCode::from(2)
}

fn parse_args() -> Result<Args, String> {
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
        audit: false,
        dcapi_response: None,
        dcapi_request: None,
        origin: None,
        hpke_key: None,
        apple_identity: None,
        merchant_id: None,
        team_id: None,
        nonce: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (flag.clone(), None),
        };
        let mut value = |n: &str| inline.clone().or_else(|| it.next()).ok_or(format!("{n} needs a value"));
        match name.as_str() {
            "--device-response" => a.device_response = Some(value(&name)?),
            "--trust-anchor" => a.anchors.push(value(&name)?),
            "--session-transcript" => a.transcript = Some(value(&name)?),
            "--reader-key" => a.reader_key = Some(value(&name)?),
            "--at" => a.at = Some(value(&name)?),
            "--clock-skew" => {
                let v = value(&name)?;
                a.skew = v
                    .parse()
                    .map_err(|_| format!("--clock-skew: not a number of seconds: {v}"))?;
                if a.skew < 0 {
                    return Err("--clock-skew must not be negative".into());
                }
            }
            "--json" => a.json = true,
            "--issuer-only" => a.issuer_only = true,
            "--vical" => a.vicals.push(value(&name)?),
            "--vical-anchor" => a.vical_anchors.push(value(&name)?),
            "--crl" => a.crls.push(value(&name)?),
            "--status-list" => a.status_lists.push(value(&name)?),
            "--revocation" => {
                let v = value(&name)?;
                a.revocation = Some(
                    RevocationMode::parse(&v)
                        .ok_or(format!("--revocation: expected off, best-effort or required, got {v}"))?,
                );
            }
            "--audit" => a.audit = true,
            // Online presentations (values may begin with '-').
            "--dcapi-response" => a.dcapi_response = Some(value(&name)?),
            "--dcapi-request" => a.dcapi_request = Some(value(&name)?),
            "--origin" => a.origin = Some(value(&name)?),
            "--hpke-key" => a.hpke_key = Some(value(&name)?),
            "--apple-identity" => a.apple_identity = Some(value(&name)?),
            "--merchant-id" => a.merchant_id = Some(value(&name)?),
            "--team-id" => a.team_id = Some(value(&name)?),
            "--nonce" => a.nonce = Some(value(&name)?),
            "-h" | "--help" => return Err("help".into()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if !a.vicals.is_empty() && a.vical_anchors.is_empty() {
        return Err("--vical needs at least one --vical-anchor".into());
    }
    check_online_args(&a)?;
    Ok(a)
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
        Ok(a) => a,
        Err(m) => return usage(&m),
    };
    let sample = args.device_response.is_none() && args.dcapi_response.is_none() && args.apple_identity.is_none();
    if sample {
        args.device_response = Some(SAMPLE_RESPONSE.into());
        if args.anchors.is_empty() {
            args.anchors.push(SAMPLE_IACA.into());
        }
        args.transcript.get_or_insert_with(|| SAMPLE_TRANSCRIPT.into());
        args.reader_key.get_or_insert_with(|| SAMPLE_READER_KEY.into());
        args.at.get_or_insert_with(|| SAMPLE_TIME.into());
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
    if let Ok(k) = ReaderKey::from_bytes(&raw) {
        return Ok(k);
    }
    let decoded = decode_hex_or_binary(raw);
    if decoded.len() == 32 {
        if let Ok(k) = ReaderKey::from_scalar(kakunin::Curve::P256, &decoded) {
            return Ok(k);
        }
    }
    ReaderKey::from_bytes(&decoded).map_err(|e| format!("{path}: {e}"))
}

fn run(args: &Args, sample: bool) -> Result<bool, String> {
    let now = match &args.at {
        Some(t) => UnixTime::parse_rfc3339(t).ok_or_else(|| format!("--at: not an RFC 3339 date-time: {t}"))?,
        None => UnixTime::now(),
    };
    let mut builder = TrustStore::builder();
    for path in &args.anchors {
        let data = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        builder.add_pem_or_der(&data).map_err(|e| format!("{path}: {e}"))?;
    }
    add_vicals(args, now, &mut builder)?;
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
        .with_clock_skew(args.skew)
        .with_revocation(RevocationPolicy::new(mode));
    let verifier = Verifier::new(builder.build())
        .with_policy(policy)
        .with_revocation_data(revocation);
    let (result, protocol) = match run_online(args, &verifier, now)? {
        Some((result, protocol)) => (result, Some(protocol)),
        None => (run_proximity(args, &verifier, now)?, None),
    };
    report(args, sample, now, &result, protocol);
    Ok(result.is_valid())
}

fn run_proximity(args: &Args, verifier: &Verifier, now: UnixTime) -> Result<Verification, String> {
    let transcript = match &args.transcript {
        Some(p) => Some(SessionTranscript::from_bytes(&read_input(p)?).map_err(|e| format!("{p}: {e}"))?),
        None => None,
    };
    let reader_key = match &args.reader_key {
        Some(p) => Some(load_reader_key(p)?),
        None => None,
    };
    let path = args.device_response.as_deref().unwrap_or(SAMPLE_RESPONSE);
    let bytes = read_input(path)?;
    let auth = DeviceAuthInput {
        session_transcript: transcript.as_ref(),
        reader_key: reader_key.as_ref(),
    };
    Ok(verify_any(verifier, &bytes, auth, now, args.issuer_only))
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

/// Verifies each `--vical` against the `--vical-anchor`s at `now` and adds
/// its IACAs, scoped to their docTypes.
fn add_vicals(args: &Args, now: UnixTime, builder: &mut kakunin::TrustStoreBuilder) -> Result<(), String> {
    let mut anchors = Vec::new();
    for path in &args.vical_anchors {
        let data = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
        for der in kakunin::x509::certificates_from_pem_or_der(&data).map_err(|e| format!("{path}: {e}"))? {
            anchors.push(kakunin::x509::ParsedCertificate::from_der(&der).map_err(|e| format!("{path}: {e}"))?);
        }
    }
    let policy = VicalPolicy::default().with_clock_skew(args.skew);
    for path in &args.vicals {
        let vical = Vical::verify(&read_input(path)?, &anchors, now, &policy).map_err(|e| format!("{path}: {e}"))?;
        for (i, e) in vical.add_to(builder) {
            eprintln!("verify: note: {path}: entry {i} not loaded: {e}");
        }
    }
    Ok(())
}

/// A DeviceResponse, or (issuer side only) a Document or an IssuerSigned.
fn verify_any(v: &Verifier, bytes: &[u8], auth: DeviceAuthInput<'_>, now: UnixTime, issuer_only: bool) -> Verification {
    match kakunin::cbor::decode(bytes, &v.policy().limits) {
        Ok(item) if item.get("issuerAuth").is_some() => {
            Verification::from_document(v.verify_issuer_signed(bytes, None, now), now)
        }
        Ok(item) if item.get("docType").is_some() && item.get("documents").is_none() => {
            Verification::from_document(v.verify_document_issuer_only(bytes, now), now)
        }
        _ if issuer_only => v.verify_device_response_issuer_only(bytes, now),
        _ => v.verify_device_response(bytes, auth, now),
    }
}

fn print_report(r: &Verification) {
    println!("Result: {}", if r.is_valid() { "VALID" } else { "INVALID" });
    for e in r.errors() {
        println!("  response error {}: {}", e.code(), e.message());
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
    let b = doc.basic_info();
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
