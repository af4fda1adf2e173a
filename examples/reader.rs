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
    at: Option<String>,
    json: bool,
}

const USAGE: &str = "usage: reader --device-engagement FILE [--handover-select FILE [--handover-request FILE]] \
                     --reader-key FILE --device-request FILE [--session-data FILE] [--trust-anchor FILE]... \
                     [--at RFC3339] [--json]";

fn parse_args() -> Result<Args, String> {
    let mut a = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (flag.clone(), None),
        };
        let mut value = |n: &str| inline.clone().or_else(|| it.next()).ok_or(format!("{n} needs a value"));
        match name.as_str() {
            "--device-engagement" => a.engagement = Some(value(&name)?),
            "--handover-select" => a.select = Some(value(&name)?),
            "--handover-request" => a.request = Some(value(&name)?),
            "--reader-key" => a.reader_key = Some(value(&name)?),
            "--device-request" => a.device_request = Some(value(&name)?),
            "--session-data" => a.session_data = Some(value(&name)?),
            "--trust-anchor" => a.anchors.push(value(&name)?),
            "--at" => a.at = Some(value(&name)?),
            "--json" => a.json = true,
            "-h" | "--help" => return Err("help".into()),
            other => return Err(format!("unknown argument {other}")),
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
    Ok(a)
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

fn load_engagement(path: &str) -> Result<DeviceEngagement, String> {
    let raw = read_raw(path)?;
    let r = match std::str::from_utf8(&raw).map(str::trim) {
        Ok(t) if t.starts_with("mdoc:") => DeviceEngagement::from_qr(t),
        _ => DeviceEngagement::from_bytes(&decode_hex_or_binary(raw)),
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
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
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
        Ok(a) => a,
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
    let device_request = read_input(args.device_request.as_deref().unwrap_or_default())?;
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
                    let now = match &args.at {
                        Some(t) => {
                            UnixTime::parse_rfc3339(t).ok_or_else(|| format!("--at: not an RFC 3339 date-time: {t}"))?
                        }
                        None => UnixTime::now(),
                    };
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
