//! Entry points for the fuzz targets in `fuzz/` and for their stable replay
//! in `tests/fuzz/regressions.rs`. Not part of kakunin's API (see
//! [`crate::internals`]).
//!
//! Each function feeds arbitrary bytes to one layer of kakunin exactly as
//! the verifier does, touches every accessor of what comes back, and checks
//! the invariants that must hold for *any* input. A panic, a hang or an
//! allocation blow-up anywhere below is a bug; an `Err(Violation)` is a broken
//! invariant that the fuzz target turns into a crash. Rejecting the input is
//! the normal, expected outcome and returns `Ok(())`.

use crate::cbor::{self, Item, Value};
use crate::cose::{self, CoseMessage, TAG_MAC0, TAG_SIGN1};
use crate::crypto::{hmac_sha256_verify, PublicKey};
use crate::error::{Error, ErrorCode};
use crate::limits::Limits;
use crate::mso::Mso;
use crate::pki::profile::CertificateProfile;
use crate::pki::trust::{self, TrustStore};
use crate::pki::x509::{self, ParsedCertificate};
use crate::presentation::transcript::SessionTranscript;
use crate::reader_key::ReaderKey;
use crate::time::UnixTime;
use crate::value::ElementValue;
use crate::verifier::{DeviceAuthInput, Verifier};

/// An invariant that failed for some input (the text says which).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Violation(pub &'static str);

fn check(ok: bool, what: &'static str) -> Result<(), Violation> {
    if ok {
        Ok(())
    } else {
        Err(Violation(what))
    }
}

/// Limits used by every fuzz entry point: the defaults, so that the fuzzer
/// explores what production accepts.
fn limits() -> Limits {
    Limits::default()
}

/// `fuzz_targets/cbor.rs`: the CBOR decoder itself.
///
/// Invariants: a decoded item spans the whole input; every container's raw
/// bytes are its head followed by exactly its children's raw bytes (so the
/// received bytes are kept, never re-encoded); no item is nested deeper
/// than `max_depth`; semantic equality is reflexive; a limit error names a
/// [`Limits`] field and becomes `limit_exceeded`.
pub fn cbor(data: &[u8]) -> Result<(), Violation> {
    let limits = limits();
    match cbor::decode(data, &limits) {
        Ok(item) => {
            check(item.raw == data, "top-level raw differs from the input")?;
            check_item(&item, 0, &limits)?;
            check(item.value.same_as(&item.value), "same_as is not reflexive")?;
            let value = ElementValue::from_cbor(&item);
            let _ = value.to_json();
            let mut v = value;
            v.zeroize();
            Ok(())
        }
        Err(cbor::DecodeError::Limit(which)) => {
            check(LIMIT_NAMES.contains(&which), "limit error names no Limits field")?;
            check(
                Error::from(cbor::DecodeError::Limit(which)).code() == ErrorCode::LimitExceeded,
                "limit error is not limit_exceeded",
            )
        }
        Err(cbor::DecodeError::Malformed(_)) => Ok(()),
    }
}

const LIMIT_NAMES: &[&str] = &[
    "max_input_bytes",
    "max_depth",
    "max_items",
    "max_container_len",
    "max_string_bytes",
];

/// Checks that `item.raw` is a head followed by the children's raw bytes,
/// back to back, and that depth stays within the limit. Recursion is bounded
/// by the decoder's depth limit.
fn check_item(item: &Item<'_>, depth: usize, limits: &Limits) -> Result<(), Violation> {
    check(depth <= limits.max_depth, "item deeper than max_depth")?;
    let children: Vec<&Item<'_>> = match &item.value {
        Value::Array(a) => a.iter().collect(),
        Value::Map(m) => m.iter().flat_map(|(k, v)| [k, v]).collect(),
        Value::Tag(_, inner) => vec![inner.as_ref()],
        _ => return Ok(()),
    };
    let indefinite = item.raw.first().is_some_and(|b| b & 0x1f == 31);
    let body_len: usize = children.iter().map(|c| c.raw.len()).sum::<usize>() + usize::from(indefinite);
    check(body_len < item.raw.len(), "container has no head")?;
    let head_len = item.raw.len() - body_len;
    let mut rebuilt = Vec::with_capacity(item.raw.len());
    rebuilt.extend_from_slice(item.raw.get(..head_len).unwrap_or_default());
    for c in &children {
        rebuilt.extend_from_slice(c.raw);
        check_item(c, depth + 1, limits)?;
    }
    if indefinite {
        rebuilt.push(0xff);
    }
    check(
        rebuilt == item.raw,
        "children's raw bytes do not reassemble their container",
    )
}

/// `fuzz_targets/cose.rs`: COSE_Sign1 / COSE_Mac0 parsing (both tags),
/// header access, x5chain, Sig_structure / MAC_structure, signature and MAC
/// checks with fixed keys, and COSE_Key parsing of the same bytes.
pub fn cose(data: &[u8]) -> Result<(), Violation> {
    let limits = limits();
    let Ok(item) = cbor::decode(data, &limits) else {
        return Ok(());
    };
    let _ = cose::public_key_from_cose(&item);
    let mut buf = Vec::new();
    for (tag, what) in [(TAG_SIGN1, "fuzz COSE_Sign1"), (TAG_MAC0, "fuzz COSE_Mac0")] {
        let Ok(msg) = CoseMessage::parse(&item, tag, what, &limits) else {
            continue;
        };
        check(
            msg.protected.as_ref().is_none_or(|p| p.raw == msg.protected_raw),
            "protected header raw differs from its bstr content",
        )?;
        let _ = msg.protected_alg(what);
        let _ = msg.header(cose::HEADER_X5CHAIN);
        if let Ok(chain) = msg.x5chain(what, &limits) {
            check(
                !chain.is_empty() && chain.len() <= limits.max_certificates,
                "x5chain outside its limits",
            )?;
            for der in chain {
                let _ = ParsedCertificate::from_der(der);
            }
        }
        let payload = msg.payload.unwrap_or_default();
        msg.mac_structure(payload, &mut buf);
        let _ = hmac_sha256_verify(&[0x42; 32], &buf, msg.tag_or_signature);
        if let Ok(alg) = msg.signature_algorithm(what) {
            if let Some(key) = fixed_key(alg.curve()) {
                let _ = cose::verify_sign1(&msg, alg, &key, payload, &mut buf);
            }
        }
        msg.sig_structure(payload, &mut buf);
        check(
            msg.protected_raw.is_empty() || buf.windows(msg.protected_raw.len()).any(|w| w == msg.protected_raw),
            "Sig_structure does not carry the protected header as received",
        )?;
    }
    Ok(())
}

/// A public key on `curve` that no fuzz input can know the private key of
/// (the generator point of the curve is as good as any).
fn fixed_key(curve: crate::Curve) -> Option<PublicKey> {
    let der = match curve {
        crate::Curve::P256 => {
            "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
        }
        crate::Curve::Ed25519 => "5866666666666666666666666666666666666666666666666666666666666666",
        _ => return None,
    };
    let bytes = hex::decode(der).ok()?;
    PublicKey::from_bytes(curve, &bytes)
}

/// `fuzz_targets/mso.rs`: MobileSecurityObject parsing, given either the MSO
/// map or MobileSecurityObjectBytes (`#6.24(bstr)`).
pub fn mso(data: &[u8]) -> Result<(), Violation> {
    let limits = limits();
    let Ok(item) = cbor::decode(data, &limits) else {
        return Ok(());
    };
    let inner;
    let map = match item.tag24_bytes() {
        Some(b) => match cbor::decode(b, &limits) {
            Ok(i) => {
                inner = i;
                &inner
            }
            Err(_) => return Ok(()),
        },
        None => &item,
    };
    if let Ok(m) = Mso::parse(map) {
        let v = m.validity;
        check(
            v.valid_from <= v.valid_until,
            "MSO accepted with validUntil before validFrom",
        )?;
        for (ns, digests) in &m.value_digests {
            for id in digests.keys() {
                let _ = m.key_authorizations.allows(ns, &id.to_string());
            }
        }
        let _ = (m.doc_type, m.digest_algorithm.name(), m.device_key.curve());
        let _ = v.signed.to_rfc3339();
    }
    Ok(())
}

/// Fixed trust for the certificate target: the ISO 18013-5 Annex D IACA.
#[derive(Debug)]
pub struct CertificateScenario {
    trust: TrustStore,
    now: UnixTime,
}

impl CertificateScenario {
    /// A store holding the anchors in `anchors_pem`, checked at `now_rfc3339`.
    pub fn new(anchors_pem: &[u8], now_rfc3339: &str) -> Result<Self, Error> {
        let trust = TrustStore::from_pem_or_der(anchors_pem)?;
        let now = UnixTime::parse_rfc3339(now_rfc3339)
            .ok_or_else(|| Error::new(ErrorCode::StructureInvalid, "fuzz scenario: bad time"))?;
        Ok(CertificateScenario { trust, now })
    }
}

/// `fuzz_targets/x509.rs`: certificate and x5chain handling. The input is
/// tried as a DER certificate (parsed, every accessor read, chained to the
/// fixed anchors, profile and validity checked), as PEM text, and as the
/// value of an `x5chain` header inside a COSE_Sign1 (so chains of any shape
/// reach the same checks the verifier runs).
pub fn x509(scenario: &CertificateScenario, data: &[u8]) -> Result<(), Violation> {
    certificate(scenario, data)?;
    if let Ok(ders) = x509::certificates_from_pem_or_der(data) {
        for der in &ders {
            certificate(scenario, der)?;
        }
    }
    let _ = TrustStore::from_pem_or_der(data);

    // [h'', {33: <data>}, nil, h'']
    let mut sign1 = Vec::with_capacity(data.len() + 8);
    sign1.extend_from_slice(&[0x84, 0x40, 0xa1, 0x18, 0x21]);
    sign1.extend_from_slice(data);
    sign1.extend_from_slice(&[0xf6, 0x40]);
    let limits = limits();
    let Ok(item) = cbor::decode(&sign1, &limits) else {
        return Ok(());
    };
    let Ok(msg) = CoseMessage::parse(&item, TAG_SIGN1, "fuzz x5chain", &limits) else {
        return Ok(());
    };
    match msg.x5chain("fuzz x5chain", &limits) {
        Ok(chain) => {
            check(
                chain.len() <= limits.max_certificates,
                "x5chain longer than max_certificates",
            )?;
            for der in chain {
                check(
                    der.len() <= limits.max_certificate_bytes,
                    "certificate larger than max_certificate_bytes",
                )?;
                certificate(scenario, der)?;
            }
        }
        Err(e) => {
            if e.code() == ErrorCode::LimitExceeded {
                check(
                    e.message().contains("max_certificate"),
                    "x5chain limit error names no limit",
                )?;
            }
        }
    }
    Ok(())
}

fn certificate(scenario: &CertificateScenario, der: &[u8]) -> Result<(), Violation> {
    let Ok(c) = ParsedCertificate::from_der(der) else {
        return Ok(());
    };
    check(c.der() == der, "certificate DER not kept as received")?;
    check(
        der.windows(c.tbs_bytes().len().max(1)).any(|w| w == c.tbs_bytes()),
        "tbsCertificate is not a slice of the received DER",
    )?;
    let _ = (
        c.subject(),
        c.issuer(),
        c.subject_der(),
        c.issuer_der(),
        c.serial_number(),
    );
    let _ = (c.subject_attribute("2.5.4.6"), c.issuer_attribute("2.5.4.3"));
    let _ = (c.subject_key_identifier(), c.authority_key_identifier(), c.is_ca());
    let _ = (c.key_usage(), c.ext_key_usage(), c.basic_constraints(), c.key_curve());
    let _ = c.check_validity(scenario.now, 0, "fuzz");
    for a in scenario.trust.anchors() {
        for p in [CertificateProfile::Interoperable, CertificateProfile::AnnexB] {
            let _ = crate::pki::profile::check_ds(&c, &a.cert, p);
            let _ = crate::pki::profile::check_pinned_signer(&c, p);
        }
    }
    for allow_pinned in [true, false] {
        if let Ok((anchor, path)) =
            scenario
                .trust
                .find_issuer(&c, "org.iso.18013.5.1.mDL", allow_pinned, &crate::DsCache::default())
        {
            check(
                path == trust::TrustPath::PinnedSigner || c.issuer_der() == anchor.certificate().subject_der(),
                "certificate chained to an anchor with a different name",
            )?;
            let _ = trust::check_validity(&c, anchor, scenario.now, 0);
        }
    }
    for a in scenario.trust.anchors() {
        let _ = c.is_signed_by(a.certificate().public_key());
    }
    Ok(())
}

/// `fuzz_targets/device_response.rs`: DeviceResponse structure parsing with
/// an empty trust store (every document is rejected at the latest when its
/// signer is looked up), both full and issuer-only, and the JSON report.
pub fn device_response(data: &[u8]) -> Result<(), Violation> {
    let verifier = Verifier::new(TrustStore::default());
    let now = UnixTime::from_secs(1_609_459_200);
    let full = verifier.verify_device_response(data, DeviceAuthInput::default(), now);
    check(!full.is_valid(), "a response verified against an empty trust store")?;
    report(&full)?;
    let issuer_only = verifier.verify_device_response_issuer_only(data, now);
    check(
        !issuer_only.is_valid(),
        "a response verified against an empty trust store",
    )?;
    report(&issuer_only)?;
    check(
        verifier.verify_issuer_signed(data, None, now).is_err(),
        "IssuerSigned verified against an empty trust store",
    )?;
    check(
        verifier.verify_document_issuer_only(data, now).is_err(),
        "Document verified against an empty trust store",
    )?;
    let _ = SessionTranscript::from_bytes(data);
    let _ = ReaderKey::from_bytes(data);
    Ok(())
}

/// Reads everything a caller can read from a result; checks that validity
/// and the error lists agree.
fn report(v: &crate::Verification) -> Result<(), Violation> {
    let json = v.to_json();
    check(json.starts_with("{\"status\":"), "JSON report malformed")?;
    let codes = v.error_codes();
    check(
        v.is_valid() == codes.is_empty() || v.documents().is_empty(),
        "validity and error codes disagree",
    )?;
    for e in v.errors() {
        check(!e.message().is_empty(), "error without a message")?;
    }
    for d in v.documents() {
        match d {
            Ok(doc) => {
                for ns in doc.namespaces().iter().chain(doc.device_namespaces()) {
                    for (id, value) in &ns.elements {
                        let _ = (id, value.to_json(), value.type_name());
                    }
                }
            }
            Err(r) => check(!r.errors().is_empty(), "rejected document without an error")?,
        }
    }
    Ok(())
}

/// A fixed verification context for the end-to-end target: trust anchor,
/// time, SessionTranscript and (for `deviceMac`) the reader key.
#[derive(Debug)]
pub struct Scenario {
    verifier: Verifier,
    transcript: SessionTranscript,
    reader_key: Option<ReaderKey>,
    now: UnixTime,
}

impl Scenario {
    /// Builds a scenario from PEM anchors, SessionTranscript(Bytes), an
    /// optional reader private P-256 scalar and an RFC 3339 time.
    pub fn new(
        anchors_pem: &[u8],
        transcript: &[u8],
        reader_p256_scalar: Option<&[u8]>,
        now_rfc3339: &str,
    ) -> Result<Self, Error> {
        let bad = || Error::new(ErrorCode::StructureInvalid, "fuzz scenario: bad time");
        // The interoperable profile lets the real EUDI seed (extKeyUsage
        // 1.3.130.2.0.0.1.2) pass every check, so the fuzzer starts deep; both
        // profiles' rules are exercised by the `x509` target.
        let policy = crate::Policy::default().with_certificate_profile(CertificateProfile::Interoperable);
        Ok(Scenario {
            verifier: Verifier::new(TrustStore::from_pem_or_der(anchors_pem)?).with_policy(policy),
            transcript: SessionTranscript::from_bytes(transcript)?,
            reader_key: match reader_p256_scalar {
                Some(d) => Some(ReaderKey::from_scalar(crate::Curve::P256, d)?),
                None => None,
            },
            now: UnixTime::parse_rfc3339(now_rfc3339).ok_or_else(bad)?,
        })
    }

    /// Verifies `data` completely in this scenario.
    pub fn verify(&self, data: &[u8]) -> crate::Verification {
        let auth = DeviceAuthInput {
            session_transcript: Some(&self.transcript),
            reader_key: self.reader_key.as_ref(),
        };
        self.verifier.verify_device_response(data, auth, self.now)
    }
}

/// `fuzz_targets/verify.rs`: full verification end to end in every given
/// scenario (fixed anchor, time, transcript and reader key, so that inputs
/// close to a real response reach the digest and device-authentication
/// checks), plus issuer-only verification.
///
/// Invariant: a valid result has at least one document and no error, every
/// document is verified, and the issuer-only result is valid too.
pub fn verify(scenarios: &[Scenario], data: &[u8]) -> Result<(), Violation> {
    for s in scenarios {
        let full = s.verify(data);
        report(&full)?;
        let issuer_only = s.verifier.verify_device_response_issuer_only(data, s.now);
        report(&issuer_only)?;
        if full.is_valid() {
            check(
                full.errors().is_empty() && !full.documents().is_empty(),
                "valid with errors",
            )?;
            check(issuer_only.is_valid(), "valid in full but not issuer-only")?;
            let docs = full
                .into_verified()
                .map_err(|_| Violation("valid result not convertible"))?;
            for d in &docs {
                check(d.device_auth().is_some(), "fully verified document without device auth")?;
            }
        }
    }
    Ok(())
}

/// Fixed proximity-session context: the ISO 18013-5 Annex D engagement,
/// handover and reader key, the reader-auth trust anchor and time.
#[derive(Debug)]
pub struct SessionScenario {
    engagement: crate::presentation::session::DeviceEngagement,
    handover: crate::presentation::session::Handover,
    reader_key: ReaderKey,
    transcript: SessionTranscript,
    device_request: Vec<u8>,
    reader_anchors: TrustStore,
    now: UnixTime,
}

impl SessionScenario {
    /// From the Annex D NFC Handover Select and Request, the reader's P-256
    /// scalar, the DeviceRequest the reader sends, the reader root (PEM) and
    /// an RFC 3339 time.
    pub fn new(
        handover_select: &[u8],
        handover_request: &[u8],
        reader_p256_scalar: &[u8],
        device_request: &[u8],
        reader_anchors_pem: &[u8],
        now_rfc3339: &str,
    ) -> Result<Self, Error> {
        let (engagement, handover) =
            crate::presentation::session::DeviceEngagement::from_nfc_handover(handover_select, Some(handover_request))?;
        let reader_key = ReaderKey::from_scalar(crate::Curve::P256, reader_p256_scalar)?;
        let transcript = crate::presentation::session::build_session_transcript(
            &engagement,
            &crate::presentation::session::ephemeral_key_bytes(&reader_key),
            &handover,
        )?;
        Ok(SessionScenario {
            engagement,
            handover,
            reader_key,
            transcript,
            device_request: device_request.to_vec(),
            reader_anchors: TrustStore::from_pem_or_der(reader_anchors_pem)?,
            now: UnixTime::parse_rfc3339(now_rfc3339)
                .ok_or_else(|| Error::new(ErrorCode::StructureInvalid, "fuzz scenario: bad time"))?,
        })
    }
}

/// `fuzz_targets/session.rs`: session-layer parsing (ISO 18013-5 §8.2, §9.1.1):
/// the input as DeviceEngagement (bytes and QR text), NFC Handover Select,
/// SessionEstablishment, SessionData received by a live Annex D reader
/// session (decryption and status handling), and a DeviceRequest whose
/// ReaderAuth is verified against the Annex D reader root.
pub fn session(scenario: &SessionScenario, data: &[u8]) -> Result<(), Violation> {
    use crate::presentation::session::{DeviceEngagement, SessionData, SessionEstablishment};
    if let Ok(e) = DeviceEngagement::from_bytes(data) {
        check(e.raw() == data, "DeviceEngagement not kept as received")?;
        let _ = (e.version(), e.e_device_key_bytes(), e.curve(), e.e_device_key_sec1());
        let _ = e.retrieval_methods();
    }
    if let Ok(text) = core::str::from_utf8(data) {
        let _ = DeviceEngagement::from_qr(text);
    }
    let _ = DeviceEngagement::from_nfc_handover(data, None);
    let _ = DeviceEngagement::nfc_ble_carriers(data);
    let _ = SessionEstablishment::parse(data);
    let _ = ReaderKey::from_platform_bytes(data);

    // A live session costs an ECDH per input: only for inputs that parse as
    // SessionData (ReaderSession::receive rejects anything else first).
    if SessionData::parse(data).is_ok() {
        live_session(scenario, data)?;
    }
    if let Ok(checks) = crate::presentation::session::verify_device_request(
        data,
        &scenario.transcript,
        &scenario.reader_anchors,
        scenario.now,
    ) {
        for c in checks {
            let _ = (c.doc_type, c.items_request_bytes, c.reader_auth.map(|r| r.is_ok()));
        }
    }
    Ok(())
}

/// SessionData into a reader session that has just sent the Annex D request.
fn live_session(scenario: &SessionScenario, data: &[u8]) -> Result<(), Violation> {
    use crate::presentation::session::{ReaderSession, SessionEvent};
    let mut session = ReaderSession::with_reader_key(
        scenario.engagement.clone(),
        scenario.handover.clone(),
        scenario.reader_key.clone(),
    )
    .map_err(|_| Violation("the Annex D session no longer starts"))?;
    session
        .establish(&scenario.device_request)
        .map_err(|_| Violation("the Annex D session no longer establishes"))?;
    match session.receive(data) {
        Ok(SessionEvent::Response(r) | SessionEvent::ResponseAndTerminated(r)) => {
            check(!r.is_empty(), "empty decrypted DeviceResponse")?;
        }
        Ok(SessionEvent::Terminated) | Err(_) => {}
    }
    let _ = session.terminate();
    Ok(())
}

/// `fuzz_targets/transport.rs`: NFC and BLE framing (sans I/O): NDEF
/// messages and handover records, BLE OOB data, command APDUs, BLE chunk
/// reassembly, TNEP records, and the response handling of the NFC tag
/// reader and the NFC engagement engine.
pub fn transport(data: &[u8]) -> Result<(), Violation> {
    use crate::presentation::transport::{ble, ndef, nfc, nfc_engagement, tnep};
    if let Ok(records) = ndef::parse_message(data) {
        for r in &records {
            let _ = ndef::BleOob::parse(r.payload);
        }
    }
    for expected in [&b"Hs"[..], b"Hr"] {
        if let Ok(m) = ndef::HandoverMessage::parse(data, expected) {
            let _ = (m.device_engagement(), m.ble_carriers());
        }
    }
    let _ = ndef::BleOob::parse(data);
    if let Ok(apdu) = nfc::CommandApdu::parse(data) {
        check(apdu.data.len() <= data.len(), "APDU data longer than the APDU")?;
    }
    let _ = ble::BleFramer::on_state(data);

    // BLE: the input as a sequence of chunks, each prefixed by a length byte.
    let max_message = 64 * 1024;
    if let Ok(mut framer) = ble::BleFramer::new(185, max_message) {
        let mut rest = data;
        while let Some((&n, tail)) = rest.split_first() {
            let (chunk, next) = tail.split_at(usize::from(n).min(tail.len()));
            if let Ok(Some(message)) = framer.push(chunk) {
                check(message.len() <= max_message, "reassembled message over its cap")?;
            }
            rest = next;
        }
    }
    // TNEP records and the NFC carrier record.
    let _ = (
        tnep::ServiceParameter::parse(data).map(|sp| sp.wait_time()),
        tnep::parse_service_select(data),
        ndef::NfcCarrier::parse(data),
    );
    // NFC engagement (static or negotiated handover): the input as
    // length-prefixed response APDUs to the engine's commands.
    let mut engagement = nfc_engagement::NfcEngagementReader::new(nfc_engagement::EngagementConfig {
        max_message,
        extended_length: data.first().is_some_and(|b| b & 1 == 1),
        handover_request: ndef::handover_request(1, &[]).unwrap_or_default(),
    });
    let _ = engagement.start();
    let mut rest = data;
    while let Some((&n, tail)) = rest.split_first() {
        let (rapdu, next) = tail.split_at(usize::from(n).min(tail.len()));
        match engagement.on_response(rapdu) {
            Ok(nfc_engagement::EngagementEvent::Done(e)) => {
                check(e.handover_select.len() <= max_message, "Handover Select over its cap")?;
                break;
            }
            Err(_) => break,
            Ok(_) => {}
        }
        rest = next;
    }
    Ok(())
}

/// `fuzz_targets/c_abi.rs`: the C ABI with arbitrary bytes. The input goes
/// to every byte-taking constructor (trust store, transcript, reader keys)
/// and, with a verifier, transcript and reader key built through the C ABI
/// from the fixed scenario inputs, to every verify function; the result
/// handle is read through the accessors and freed. Status codes and
/// validity must agree with the Rust API. Needs the `capi` feature.
#[cfg(feature = "capi")]
pub fn c_abi(
    anchors_pem: &[u8],
    transcript: &[u8],
    reader_p256_scalar: &[u8],
    now_unix_secs: i64,
    data: &[u8],
) -> Result<(), Violation> {
    use crate::ffi::*;
    use core::ptr::{null, null_mut};
    let ok = kakunin_status::KAKUNIN_OK;

    let mut store = null_mut();
    let s = kakunin_trust_store_from_pem_or_der(data.as_ptr(), data.len(), &mut store);
    check(
        (s == ok) == TrustStore::from_pem_or_der(data).is_ok(),
        "trust store status differs from Rust",
    )?;
    check(
        (s == ok) != store.is_null(),
        "trust store out-param written on failure or missing on success",
    )?;
    kakunin_trust_store_free(store);
    let mut t = null_mut();
    let s = kakunin_session_transcript_new(data.as_ptr(), data.len(), &mut t);
    check(
        (s == ok) == SessionTranscript::from_bytes(data).is_ok(),
        "transcript status differs from Rust",
    )?;
    kakunin_session_transcript_free(t);
    for f in [kakunin_reader_key_from_bytes, kakunin_reader_key_from_platform_bytes] {
        let mut k = null_mut();
        let s = f(data.as_ptr(), data.len(), &mut k);
        check(
            (s == ok) != k.is_null(),
            "reader key out-param written on failure or missing on success",
        )?;
        kakunin_reader_key_free(k);
    }

    let (mut store, mut verifier, mut t, mut key) = (null_mut(), null_mut(), null_mut(), null_mut());
    let setup = [
        kakunin_trust_store_from_pem_or_der(anchors_pem.as_ptr(), anchors_pem.len(), &mut store),
        kakunin_verifier_new(store, &mut verifier),
        kakunin_session_transcript_new(transcript.as_ptr(), transcript.len(), &mut t),
        kakunin_reader_key_from_scalar(1, reader_p256_scalar.as_ptr(), reader_p256_scalar.len(), &mut key),
    ];
    let result = if setup.iter().all(|s| *s == ok) {
        c_abi_verify(verifier, t, key, now_unix_secs, data)
    } else {
        Err(Violation("the C ABI scenario no longer builds"))
    };
    kakunin_reader_key_free(key);
    kakunin_session_transcript_free(t);
    kakunin_verifier_free(verifier);
    kakunin_trust_store_free(store);
    result?;

    // NULL and empty inputs are refused or handled, never dereferenced.
    let mut v = null_mut();
    let s = kakunin_verifier_verify_device_response(null(), data.as_ptr(), data.len(), null(), null(), 0, &mut v);
    check(s != ok && v.is_null(), "NULL verifier accepted")?;
    Ok(())
}

#[cfg(feature = "capi")]
fn c_abi_verify(
    verifier: *mut crate::ffi::kakunin_verifier,
    transcript: *mut crate::ffi::kakunin_session_transcript,
    key: *mut crate::ffi::kakunin_reader_key,
    now: i64,
    data: &[u8],
) -> Result<(), Violation> {
    use crate::ffi::*;
    use core::ptr::null_mut;
    let ok = kakunin_status::KAKUNIN_OK;
    let (p, n) = (data.as_ptr(), data.len());
    let mut results = [null_mut(); 4];
    let [full, issuer_only, issuer_signed, document] = &mut results;
    let statuses = [
        kakunin_verifier_verify_device_response(verifier, p, n, transcript, key, now, full),
        kakunin_verifier_verify_device_response_issuer_only(verifier, p, n, now, issuer_only),
        kakunin_verifier_verify_issuer_signed(verifier, p, n, core::ptr::null(), now, issuer_signed),
        kakunin_verifier_verify_document_issuer_only(verifier, p, n, now, document),
    ];
    let mut outcome = Ok(());
    for (s, v) in statuses.iter().zip(results) {
        if *s != ok || v.is_null() {
            outcome = Err(Violation("a verify function failed as a call"));
        }
        let _ = kakunin_verification_is_valid(v);
        let mut text = kakunin_str {
            data: core::ptr::null(),
            len: 0,
        };
        let _ = kakunin_verification_json(v, &mut text);
        for i in 0..kakunin_verification_error_count(v) {
            let mut code = 0u32;
            let _ = kakunin_verification_error(v, i, &mut code, &mut text);
        }
        for doc in 0..kakunin_verification_document_count(v) {
            let mut count = 0usize;
            if kakunin_verification_document_element_count(v, doc, &mut count) == ok {
                for i in 0..count {
                    let mut e = core::ptr::null();
                    if kakunin_verification_document_element(v, doc, i, &mut e) == ok {
                        let _ = kakunin_element_json(e, &mut text);
                    }
                }
            }
        }
        kakunin_verification_free(v);
    }
    outcome
}

/// Fixed context for the trust-list target: the VICAL anchor (AAMVA DTS
/// Root CA) and time, and an IACA / Document Signer pair for CRL checks.
#[derive(Debug)]
pub struct TrustListScenario {
    vical_anchors: Vec<ParsedCertificate>,
    iaca: ParsedCertificate,
    ds: ParsedCertificate,
    now: UnixTime,
}

impl TrustListScenario {
    /// From the VICAL anchor (PEM), an IACA and DS certificate (PEM), and an
    /// RFC 3339 time.
    pub fn new(vical_anchor_pem: &[u8], iaca_pem: &[u8], ds_pem: &[u8], now_rfc3339: &str) -> Result<Self, Error> {
        let one = |pem: &[u8]| -> Result<Vec<ParsedCertificate>, Error> {
            x509::certificates_from_pem_or_der(pem)?
                .iter()
                .map(|d| ParsedCertificate::from_der(d))
                .collect()
        };
        let first = |v: Vec<ParsedCertificate>| {
            v.into_iter()
                .next()
                .ok_or_else(|| Error::new(ErrorCode::StructureInvalid, "fuzz scenario: no certificate"))
        };
        Ok(TrustListScenario {
            vical_anchors: one(vical_anchor_pem)?,
            iaca: first(one(iaca_pem)?)?,
            ds: first(one(ds_pem)?)?,
            now: UnixTime::parse_rfc3339(now_rfc3339)
                .ok_or_else(|| Error::new(ErrorCode::StructureInvalid, "fuzz scenario: bad time"))?,
        })
    }
}

/// `fuzz_targets/trust_lists.rs`: trust-list and revocation parsing: the
/// input as a VICAL (verified against the fixed VICAL anchor), a CRL
/// (checked against the fixed IACA and DS), and an IETF token status list,
/// plus the status-list bit lookup on the raw bytes.
pub fn trust_lists(scenario: &TrustListScenario, data: &[u8]) -> Result<(), Violation> {
    use crate::pki::revocation::{Crl, RevocationData, StatusToken};
    use crate::pki::vical::{Vical, VicalPolicy};
    // The AAMVA seed's signer has keyUsage nonRepudiation only: allow it so
    // that inputs close to the seed reach the payload.
    let policy = VicalPolicy::default().with_allow_content_commitment_signer(true);
    if let Ok(v) = Vical::verify(data, &scenario.vical_anchors, scenario.now, &policy) {
        let _ = (v.provider(), v.date(), v.next_update(), v.issue_id(), v.entries().len());
        let _ = v.trust_store();
    }
    if let Ok(crl) = Crl::from_der(data) {
        let _ = (crl.this_update(), crl.next_update());
        if crl.is_issued_by_name(&scenario.iaca) {
            let _ = crl.verify_signature(&scenario.iaca);
        }
        let _ = crl.lists(&scenario.ds);
    }
    let limits = limits();
    if let Ok(t) = StatusToken::from_bytes(data, &limits) {
        let _ = (t.subject(), t.issued_at(), t.fresh_until(), t.sig_structure());
    }
    // The bit lookup with the widths a parsed token can carry (1, 2, 4, 8).
    if let Some((&b, list)) = data.split_first() {
        let bits = [1u8, 2, 4, 8].get(usize::from(b % 4)).copied().unwrap_or(1);
        let entries = u64::try_from(list.len()).unwrap_or(0) * u64::from(8 / bits);
        check(
            StatusToken::status_at(bits, list, entries).is_none(),
            "status list entry past the end",
        )?;
        if entries > 0 {
            check(
                StatusToken::status_at(bits, list, entries - 1).is_some_and(|v| u16::from(v) < 1u16 << bits),
                "status list entry missing or wider than its bits",
            )?;
        }
    }
    let mut r = RevocationData::new();
    let _ = r.add_crl(data);
    let _ = r.add_status_token(data);
    Ok(())
}
