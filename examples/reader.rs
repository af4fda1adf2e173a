//! `reader`: replay the reader side of a recorded proximity session
//! (ISO 18013-5 §9.1.1) and verify the holder's answer.
//!
//! ```text
//! reader --device-engagement FILE [--handover-select FILE [--handover-request FILE]]
//!        --reader-key FILE --device-request FILE [--session-data FILE]
//!        [--trust-anchor FILE]... [--at RFC3339] [--json]
//! ```
//!
//! It prints the SessionTranscript and the SessionEstablishment it produced
//! (hex). With `--session-data` it decrypts the DeviceResponse and verifies
//! it as `verify --device-request` does (the same JSON, under `"response"`):
//! bound to the `--device-request` it sent, so a document of a docType not
//! requested is `document_not_requested` and elements not requested are not
//! shown.
//! FILE: binary, hex text, or (engagement) the QR text `mdoc:…`.
//! `--help` describes every option with an example; `--version` prints the
//! version.
//! Exit 0 = valid (or no `--session-data` to verify), 1 = invalid:
//! including a SessionData that does not decrypt or carries no
//! DeviceResponse (status 10 or 11: `session_protocol_error`; status 20:
//! `session_terminated`), 2 = usage or I/O error.
//!
//! Replaying ISO 18013-5 Annex D (NFC negotiated handover):
//! ```text
//! D=tests/data/iso18013-5-annex-d
//! cargo run --example reader -- --device-engagement $D/device_engagement_nfc.hex \
//!   --handover-select $D/handover_select.hex --handover-request $D/handover_request.hex \
//!   --reader-key $D/e_reader_key.d.hex --device-request $D/device_request.hex \
//!   --session-data $D/session_data_device_response.hex --trust-anchor $D/iaca_cert.pem \
//!   --at 2021-01-01T00:00:00Z
//! ```

use kakunin::session::{DeviceEngagement, Handover, ReaderSession, SessionEvent};
use kakunin::{
    DocumentResult, ElementValue, Error, ErrorCode, ReaderKey, TrustStore, UnixTime, Verification, Verifier,
};
use std::process::ExitCode;

#[derive(Default)]
struct Args {
    engagement: Option<String>,
    select: Option<String>,
    request: Option<String>,
    reader_key: Option<String>,
    device_request: Option<String>,
    session_data: Option<String>,
    anchors: Vec<String>,
    at: Option<UnixTime>,
    json: bool,
}

const USAGE: &str = "usage: reader --device-engagement FILE [--handover-select FILE [--handover-request FILE]] \
                     --reader-key FILE --device-request FILE [--session-data FILE] [--trust-anchor FILE]... \
                     [--at RFC3339] [--json]\n(reader --help describes every option)";

/// `reader --help`: every option, what it does, an example.
const HELP: &str = "\
reader: replay the reader side of a recorded ISO/IEC 18013-5 proximity session
and verify the holder's answer. Prints the SessionTranscript and the
SessionEstablishment it produced (hex); with --session-data it decrypts the
DeviceResponse and verifies it, bound to the --device-request it sent.

FILE is binary CBOR or hex text (the engagement may also be the QR text mdoc:...).

  --device-engagement FILE  the holder's DeviceEngagement (required).
                            e.g. --device-engagement device_engagement.hex
  --handover-select FILE    NFC Handover Select message (negotiated or static
                            handover); without it the handover is QR.
                            e.g. --handover-select handover_select.hex
  --handover-request FILE   NFC Handover Request message (negotiated handover);
                            needs --handover-select.
                            e.g. --handover-request handover_request.hex
  --reader-key FILE         the reader's ephemeral private key (required): PEM,
                            DER, COSE_Key, or a raw scalar on the engagement's curve.
                            e.g. --reader-key e_reader_key.pem
  --device-request FILE     the DeviceRequest to send (required).
                            e.g. --device-request device_request.hex
  --session-data FILE       the holder's SessionData answer to decrypt and verify.
                            e.g. --session-data session_data.hex
  --trust-anchor FILE       an IACA certificate (PEM or DER); repeatable. Without
                            one every issuer is untrusted.
                            e.g. --trust-anchor iaca.pem
  --at RFC3339              the time to verify at (default: now).
                            e.g. --at 2026-01-31T09:00:00Z
  --json                    one JSON object on stdout.  e.g. --json
  -h, --help                print this help and exit.
  -V, --version             print the version and exit.

Exit status: 0 valid (or no --session-data to verify), 1 invalid (including a
SessionData that does not decrypt or carries no DeviceResponse), 2 usage or
input error.
";

/// What the command line asks for.
enum Command {
    Run(Args),
    Help,
    Version,
}

/// Parses the command line (`--flag value` or `--flag=value`; a value may
/// begin with `-`) and checks it, `--at` included, before anything runs.
fn parse_args() -> Result<Command, String> {
    use lexopt::prelude::*;
    let mut a = Args::default();
    let mut parser = lexopt::Parser::from_env();
    let value = |p: &mut lexopt::Parser| -> Result<String, String> {
        p.value().and_then(|v| v.string()).map_err(|e| e.to_string())
    };
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            Long("device-engagement") => a.engagement = Some(value(&mut parser)?),
            Long("handover-select") => a.select = Some(value(&mut parser)?),
            Long("handover-request") => a.request = Some(value(&mut parser)?),
            Long("reader-key") => a.reader_key = Some(value(&mut parser)?),
            Long("device-request") => a.device_request = Some(value(&mut parser)?),
            Long("session-data") => a.session_data = Some(value(&mut parser)?),
            Long("trust-anchor") => a.anchors.push(value(&mut parser)?),
            Long("at") => {
                let t = value(&mut parser)?;
                a.at = Some(
                    UnixTime::parse_rfc3339(&t)
                        .ok_or_else(|| format!("--at: expected RFC 3339, e.g. 2026-01-31T09:00:00Z, got {t:?}"))?,
                );
            }
            Long("json") => a.json = true,
            other => return Err(other.unexpected().to_string()),
        }
    }
    if a.engagement.is_none() {
        return Err("--device-engagement is required".into());
    }
    if a.reader_key.is_none() {
        return Err("--reader-key is required".into());
    }
    if a.device_request.is_none() {
        return Err("--device-request is required".into());
    }
    if a.request.is_some() && a.select.is_none() {
        return Err("--handover-request needs --handover-select".into());
    }
    Ok(Command::Run(a))
}

fn read_raw(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}

/// Binary, or hex text (whitespace ignored).
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

fn read_input(path: &str) -> Result<Vec<u8>, String> {
    read_raw(path).map(decode_hex_or_binary)
}

/// A file that must hold CBOR (binary, or hex text): anything else is an
/// input error that says so.
fn read_cbor(path: &str) -> Result<Vec<u8>, String> {
    let bytes = read_input(path)?;
    check_cbor(path, &bytes)?;
    Ok(bytes)
}

/// Whether `bytes` are one whole CBOR data item, by an independent parser
/// (ciborium); the session decodes them again, under kakunin's limits.
fn check_cbor(path: &str, bytes: &[u8]) -> Result<(), String> {
    let mut rest = bytes;
    match ciborium::from_reader::<ciborium::Value, _>(&mut rest) {
        Ok(_) if rest.is_empty() => Ok(()),
        _ => Err(format!("{path}: not CBOR nor hex text")),
    }
}

fn load_engagement(path: &str) -> Result<DeviceEngagement, String> {
    let raw = read_raw(path)?;
    let r = match std::str::from_utf8(&raw).map(str::trim) {
        Ok(t) if t.starts_with("mdoc:") => DeviceEngagement::from_qr(t),
        _ => {
            let bytes = decode_hex_or_binary(raw);
            check_cbor(path, &bytes).map_err(|e| format!("{e} (nor an mdoc: QR text)"))?;
            DeviceEngagement::from_bytes(&bytes)
        }
    };
    r.map_err(|e| format!("{path}: {e}"))
}

/// PEM/DER/COSE_Key, or a bare big-endian scalar (hex or binary) on the
/// engagement's curve.
fn load_reader_key(path: &str, curve: kakunin::Curve) -> Result<ReaderKey, String> {
    let raw = read_raw(path)?;
    if let Ok(k) = ReaderKey::from_bytes(&raw) {
        return Ok(k);
    }
    let decoded = decode_hex_or_binary(raw);
    if decoded.len() == curve.field_bytes() {
        if let Ok(k) = ReaderKey::from_scalar(curve, &decoded) {
            return Ok(k);
        }
    }
    ReaderKey::from_bytes(&decoded).map_err(|e| format!("{path}: {e}"))
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

enum Outcome {
    /// No session data given.
    NotRun,
    /// The DeviceResponse was decrypted and verified.
    Verified(Verification, bool),
    /// The SessionData carried no DeviceResponse (the holder ended the
    /// session, status 20, or reported an error, status 10 or 11), or could
    /// not be used.
    Failed(Error),
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Command::Run(a)) => a,
        Ok(Command::Help) => {
            println!("{HELP}\n{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("reader (kakunin) {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(m) => {
            eprintln!("reader: {m}");
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(m) => {
            eprintln!("reader: {m}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> Result<u8, String> {
    if args.session_data.is_some() && args.anchors.is_empty() {
        eprintln!("reader: warning: no --trust-anchor given: every issuer is untrusted");
    }
    let de_path = args.engagement.as_deref().unwrap_or_default();
    let given = load_engagement(de_path)?;
    let (engagement, handover) = match &args.select {
        None => (given, Handover::Qr),
        Some(sp) => {
            let select = read_input(sp)?;
            let request = args.request.as_deref().map(read_input).transpose()?;
            let (in_select, handover) =
                DeviceEngagement::from_nfc_handover(&select, request.as_deref()).map_err(|e| format!("{sp}: {e}"))?;
            // With NFC handover the engagement that counts is the one the
            // Handover Select carried: the transcript must use those bytes.
            if in_select.raw() != given.raw() {
                eprintln!(
                    "reader: note: {de_path} differs from the DeviceEngagement record in the Handover Select; \
                     using the Handover Select's (ISO 18013-5 §9.1.5.1)"
                );
            }
            (in_select, handover)
        }
    };
    let key_path = args.reader_key.as_deref().unwrap_or_default();
    let reader_key = load_reader_key(key_path, engagement.curve())?;
    let device_request = read_cbor(args.device_request.as_deref().unwrap_or_default())?;
    let mut session =
        ReaderSession::with_reader_key(engagement, handover, reader_key).map_err(|e| format!("{key_path}: {e}"))?;
    let establishment = session.establish(&device_request).map_err(|e| e.to_string())?;

    let outcome = match &args.session_data {
        None => Outcome::NotRun,
        Some(p) => {
            let sd = read_input(p)?;
            match session.receive(&sd) {
                Ok(SessionEvent::Response(r) | SessionEvent::ResponseAndTerminated(r)) => {
                    let mut builder = TrustStore::builder();
                    for path in &args.anchors {
                        let data = read_raw(path)?;
                        builder.add_pem_or_der(&data).map_err(|e| format!("{path}: {e}"))?;
                    }
                    let verifier = Verifier::new(builder.build());
                    let now = args.at.unwrap_or_else(UnixTime::now);
                    let v = session.verify_device_response(&verifier, &r, now);
                    let ok = v.is_valid();
                    Outcome::Verified(v, ok)
                }
                // No DeviceResponse: a verdict, never "valid".
                Ok(_) => Outcome::Failed(Error::new(
                    ErrorCode::SessionTerminated,
                    "the holder ended the session (status 20, ISO 18013-5 §9.1.1.4) without a DeviceResponse",
                )),
                Err(e) => Outcome::Failed(e),
            }
        }
    };

    let transcript = session.session_transcript();
    if args.json {
        let mut out = format!(
            "{{\"session_transcript\":\"{}\",\"session_transcript_bytes\":\"{}\",\"session_establishment\":\"{}\"",
            hex::encode(transcript.as_array_bytes()),
            hex::encode(transcript.as_tagged_bytes()),
            hex::encode(&establishment)
        );
        match &outcome {
            Outcome::NotRun => {}
            Outcome::Verified(v, _) => out.push_str(&format!(",\"response\":{}", v.to_json())),
            Outcome::Failed(e) => out.push_str(&format!(
                ",\"error\":{{\"code\":{},\"message\":{}}}",
                json_string(e.code().as_str()),
                json_string(e.message())
            )),
        }
        out.push('}');
        println!("{out}");
    } else {
        println!("SessionTranscript:    {}", hex::encode(transcript.as_array_bytes()));
        println!("SessionEstablishment: {}", hex::encode(&establishment));
        match &outcome {
            Outcome::NotRun => {}
            Outcome::Verified(v, _) => print_report(v),
            Outcome::Failed(e) => println!("\nSessionData rejected: {}: {}", e.code(), e.message()),
        }
    }
    Ok(match outcome {
        Outcome::NotRun => 0,
        Outcome::Verified(_, true) => 0,
        _ => 1,
    })
}

fn print_report(r: &Verification) {
    println!("\nResult: {}", if r.is_valid() { "VALID" } else { "INVALID" });
    for e in r.errors() {
        println!("  response error {}: {}", e.code(), e.message());
    }
    for (i, d) in r.documents().iter().enumerate() {
        match d {
            DocumentResult::Ok(doc) => {
                println!("\nDocument {i}: {} — verified", doc.doc_type());
                println!("  issuer:      {}", doc.issuer().subject);
                println!(
                    "  device auth: {}",
                    doc.device_auth().map_or("not checked", |k| k.as_str())
                );
                for (ns, id, value) in doc.elements() {
                    let shown = match value {
                        ElementValue::Bytes(b) => format!("<{} bytes>", b.len()),
                        ElementValue::Text(t) => t.clone(),
                        other => other.to_json(),
                    };
                    println!("  {ns} {id:<28} {shown}");
                }
            }
            DocumentResult::Err(rej) => {
                println!("\nDocument {i}: {} — REJECTED", rej.claimed_doc_type());
                for e in rej.errors() {
                    println!("  {}: {}", e.code(), e.message());
                }
            }
        }
    }
}
