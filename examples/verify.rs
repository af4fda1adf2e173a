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
//! Exit 0 = valid, 1 = invalid, 2 = usage or I/O error.

use kakunin::vical::{Vical, VicalPolicy};
use kakunin::{
    CertificateProfile, DeviceAuthInput, DocumentResult, ElementValue, ErrorCode, Policy, ReaderKey, Request,
    RevocationData, RevocationMode, RevocationPolicy, SessionTranscript, TrustStore, UnixTime, Verification, Verifier,
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
    profile: CertificateProfile,
    vical_last_issue_id: Option<u64>,
    audit: bool,
    device_request: Option<String>,
    oid4vp: oid4vp_mode::Flags,
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("verify: {msg}");
    eprintln!(
        "usage: verify [--device-response FILE] [--trust-anchor FILE]... [--session-transcript FILE] \
         [--reader-key FILE] [--at RFC3339] [--clock-skew SECONDS] [--json] [--issuer-only] [--audit] \
         [--vical FILE --vical-anchor FILE]... [--crl FILE]... [--status-list FILE]... \
         [--revocation off|best-effort|required] [--profile annex-b|interoperable] \
         [--vical-last-issue-id N] [--device-request FILE]\n       \
         verify --oid4vp-vp-token FILE --nonce NONCE (--client-id ID --response-uri URI | --origin ORIGIN) \
         [--jwk-thumbprint B64URL] COMMON\n       \
         verify --oid4vp-response FILE --jwe-key FILE --nonce NONCE \
         (--client-id ID --response-uri URI | --origin ORIGIN) COMMON"
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
        profile: CertificateProfile::AnnexB,
        vical_last_issue_id: None,
        audit: false,
        device_request: None,
        oid4vp: oid4vp_mode::Flags::default(),
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
            "--profile" => {
                a.profile = match value(&name)?.as_str() {
                    "annex-b" => CertificateProfile::AnnexB,
                    "interoperable" => CertificateProfile::Interoperable,
                    v => return Err(format!("--profile: expected annex-b or interoperable, got {v}")),
                };
            }
            "--vical-last-issue-id" => {
                let v = value(&name)?;
                a.vical_last_issue_id = Some(
                    v.parse()
                        .map_err(|_| format!("--vical-last-issue-id: not an unsigned integer: {v}"))?,
                );
            }
            "--audit" => a.audit = true,
            "--device-request" => a.device_request = Some(value(&name)?),
            // OpenID4VP modes: values may begin with '-' (a base64url nonce).
            n if oid4vp_mode::Flags::takes(n) => a.oid4vp.set(n, value(n)?),
            "-h" | "--help" => return Err("help".into()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if !a.vicals.is_empty() && a.vical_anchors.is_empty() {
        return Err("--vical needs at least one --vical-anchor".into());
    }
    a.oid4vp.check(
        a.device_response.is_some() || a.transcript.is_some() || a.reader_key.is_some() || a.device_request.is_some(),
    )?;
    Ok(a)
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
    let sample = args.device_response.is_none() && !args.oid4vp.active();
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
        .with_clock_skew(args.skew)
        .with_certificate_profile(args.profile)
        .with_revocation(RevocationPolicy::new(mode));
    let verifier = Verifier::new(builder.build())
        .with_policy(policy)
        .with_revocation_data(revocation);
    let oid4vp_result = oid4vp_mode::run(&args.oid4vp, &verifier, now)?;
    let protocol = if oid4vp_result.is_some() { "openid4vp" } else { "" };
    let mut result = match oid4vp_result {
        Some(r) => r,
        None => verify_proximity(args, &verifier, now)?,
    };
    // A VICAL that failed is a verdict on this response: the trust it was to
    // provide is missing.
    for e in vical_errors {
        result.add_error(e);
    }
    for w in vical_warnings {
        result.add_warning(w);
    }
    if args.json {
        let mut json = result.to_json();
        if !protocol.is_empty() {
            json = format!(
                "{},\"protocol\":\"{protocol}\"}}",
                json.strip_suffix('}').unwrap_or(&json)
            );
        }
        if args.audit {
            // The report object with one more member: the personal-data-free audit record.
            let audit = kakunin::audit::AuditRecord::new(&result).to_json();
            println!("{},\"audit\":{audit}}}", json.strip_suffix('}').unwrap_or(&json));
        } else {
            println!("{json}");
        }
    } else {
        if sample {
            println!(
                "Verifying the bundled ISO 18013-5 Annex D sample at {now} (DeviceMac with the Annex D reader key)\n"
            );
        }
        print_report(&result);
        if args.audit {
            println!(
                "\nAudit record: {}",
                kakunin::audit::AuditRecord::new(&result).to_json()
            );
        }
    }
    Ok(result.is_valid())
}

/// The proximity input mode: `--device-response` (or the bundled sample),
/// with its transcript, reader key and optional DeviceRequest.
fn verify_proximity(args: &Args, verifier: &Verifier, now: UnixTime) -> Result<Verification, String> {
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
    let request = match &args.device_request {
        Some(p) => Some(Request::from_device_request(&read_input(p)?).map_err(|e| format!("{p}: {e}"))?),
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
        for der in kakunin::x509::certificates_from_pem_or_der(&data).map_err(|e| format!("{path}: {e}"))? {
            anchors.push(kakunin::x509::ParsedCertificate::from_der(&der).map_err(|e| format!("{path}: {e}"))?);
        }
    }
    let mut policy = VicalPolicy::default()
        .with_clock_skew(args.skew)
        .with_content_commitment_signer(args.profile == CertificateProfile::Interoperable);
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
    let bare = match kakunin::cbor::decode(bytes, &v.policy().limits) {
        Ok(item) if item.get("issuerAuth").is_some() => Some(("an IssuerSigned", true)),
        Ok(item) if item.get("docType").is_some() && item.get("documents").is_none() => Some(("a Document", false)),
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
    pub struct Flags {
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
        pub fn takes(name: &str) -> bool {
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
        pub fn set(&mut self, name: &str, v: String) {
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

        /// Whether an OpenID4VP mode was asked for.
        pub fn active(&self) -> bool {
            self.vp_token.is_some() || self.response.is_some()
        }

        /// Exactly one input mode, and the parameters that mode needs.
        pub fn check(&self, proximity_flags: bool) -> Result<(), String> {
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
    pub fn run(f: &Flags, verifier: &Verifier, now: UnixTime) -> Result<Option<Verification>, String> {
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
