//! The counter's proximity path against a real PC/SC stack: pcscd with the
//! vsmartcard virtual reader (vpcd). The simulated phone (the library's test
//! holder, tests/kit/src/issuer/t4t.rs) connects to vpcd as a virtual card over its
//! socket protocol and answers as an mdoc over NFC; the counter reaches it
//! only through the PC/SC API.
//!
//! vpcd socket protocol (vsmartcard `vpcd.h`): the card side connects to TCP
//! 127.0.0.1:35963; every message is a 2-byte big-endian length and the
//! bytes. One-byte messages are control codes (0 power off, 1 power on,
//! 2 reset, 4 "send your ATR"); anything longer is a command APDU, answered
//! with a response APDU in the same framing.
//!
//! Skipped (loudly) when pcscd or vpcd is not installed, unless `CI` is set:
//! then they fail.

use kakunin_test_kit as support;

use kakunin::privacy::{RequestBuilder, RequestPolicy};
use kakunin::transport::ndef::NfcCarrier;
use kakunin::{Curve, ErrorCode, Verifier};
use kakunin_counter::pcsc::{self, ProximityErrorKind, ProximityInput};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use support::holder::Holder;
use support::jp_mnc::{self, JP_NS, MNC};
use support::t4t::{Mode, Type4Holder};
use support::TestPki;

const VPCD_PORT: u16 = 35963;
const READER: &str = "Virtual PCD 00 00";
/// vpcd frames carry at most 65535 bytes: 65533 of data and the status word.
const CARRIER: NfcCarrier = NfcCarrier {
    max_command_data: 0xFFFF,
    max_response_data: 0xFF00,
};
/// A contactless card ATR as PC/SC readers build it for ISO 14443-4 cards.
const ATR: [u8; 5] = [0x3B, 0x80, 0x80, 0x01, 0x01];

/// One virtual card at a time: vpcd serves a single connection.
static SERIAL: Mutex<()> = Mutex::new(());

fn installed(bin: &str) -> bool {
    ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]
        .iter()
        .any(|d| Path::new(d).join(bin).exists())
}

/// pcscd running with the vpcd reader listed, starting pcscd if needed.
/// `false`: skip (not installed, not in CI).
fn pcsc_ready() -> bool {
    let vpcd = Path::new("/etc/reader.conf.d/vpcd").exists();
    if !installed("pcscd") || !vpcd {
        if std::env::var_os("CI").is_some() {
            panic!("pcscd / vsmartcard-vpcd are not installed, and CI is set");
        }
        eprintln!("SKIPPED: pcscd or vsmartcard-vpcd not installed (apt-get install pcscd vsmartcard-vpcd)");
        return false;
    }
    let has_reader = || pcsc::link::readers().is_ok_and(|r| r.iter().any(|n| n.contains(READER)));
    if !has_reader() {
        // Not running (or not yet): start the daemon; it forks into the background.
        let _ = Command::new("pcscd")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let t0 = Instant::now();
        while !has_reader() {
            assert!(
                t0.elapsed() < Duration::from_secs(15),
                "pcscd did not list {READER:?}: {:?}",
                pcsc::link::readers()
            );
            thread::sleep(Duration::from_millis(200));
        }
    }
    true
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    Answer,
    /// Stop answering (socket left open) after this many data-retrieval APDUs.
    GoSilentAfter(usize),
}

/// The simulated phone as a vpcd virtual card, on its own thread.
struct VirtualCard {
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<Type4Holder>>,
}

fn read_frame(s: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut len = [0u8; 2];
    s.read_exact(&mut len)?;
    let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
    s.read_exact(&mut msg)?;
    Ok(msg)
}

fn write_frame(s: &mut TcpStream, data: &[u8]) -> std::io::Result<()> {
    let n = u16::try_from(data.len()).expect("vpcd frame over 65535 bytes");
    let mut out = n.to_be_bytes().to_vec();
    out.extend_from_slice(data);
    s.write_all(&out)
}

impl VirtualCard {
    fn insert(mut tag: Type4Holder, behaviour: Behaviour) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let thread = thread::spawn(move || {
            let t0 = Instant::now();
            let mut s = loop {
                match TcpStream::connect(("127.0.0.1", VPCD_PORT)) {
                    Ok(s) => break s,
                    Err(e) if t0.elapsed() > Duration::from_secs(10) => panic!("vpcd not reachable: {e}"),
                    Err(_) => thread::sleep(Duration::from_millis(100)),
                }
            };
            s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
            let mut retrieval_apdus = 0usize;
            let mut in_retrieval = false;
            let mut silent = false;
            while !stop2.load(Ordering::SeqCst) {
                let msg = match read_frame(&mut s) {
                    Ok(m) => m,
                    Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                        continue
                    }
                    Err(_) => break,
                };
                match msg.as_slice() {
                    [4] => write_frame(&mut s, &ATR).unwrap(),
                    [_] => {} // power off / on / reset
                    apdu => {
                        if silent {
                            continue;
                        }
                        // Data retrieval starts with the mdoc AID SELECT.
                        if apdu.get(1) == Some(&0xA4) && apdu.get(5..12) == Some(&kakunin::transport::nfc::MDOC_AID) {
                            in_retrieval = true;
                        }
                        if in_retrieval {
                            retrieval_apdus += 1;
                        }
                        if let Behaviour::GoSilentAfter(n) = behaviour {
                            if in_retrieval && retrieval_apdus > n {
                                silent = true;
                                continue;
                            }
                        }
                        let r = tag.process(apdu);
                        write_frame(&mut s, &r).unwrap();
                    }
                }
            }
            tag
        });
        VirtualCard {
            stop,
            thread: Some(thread),
        }
    }

    /// Takes the phone away and waits until pcscd shows the reader empty,
    /// so that the next test does not see this card.
    fn remove(mut self) -> Type4Holder {
        self.stop.store(true, Ordering::SeqCst);
        let tag = self.thread.take().unwrap().join().unwrap();
        let ctx = ::pcsc::Context::establish(::pcsc::Scope::User).unwrap();
        let name = std::ffi::CString::new(READER).unwrap();
        let mut states = [::pcsc::ReaderState::new(name, ::pcsc::State::UNAWARE)];
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(10) {
            let _ = ctx.get_status_change(Some(Duration::from_millis(500)), &mut states);
            if states[0].event_state().contains(::pcsc::State::EMPTY) {
                break;
            }
            states[0].sync_current_state();
        }
        tag
    }
}

/// Hanako's My Number Card, valid now, signed by `pki`; `tamper` changes the
/// name after its digest was taken.
fn phone(pki: &TestPki, mode: Mode, portrait_len: Option<usize>, tamper: bool) -> Type4Holder {
    let mut card = jp_mnc::hanako();
    if let Some(n) = portrait_len {
        let mut p = jp_mnc::portrait_jpeg();
        p.resize(n, 0x5a);
        card.portrait = Some(p);
    }
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let spec = support::MdocSpec {
        signed: now - support::DAY,
        valid_from: now - support::DAY,
        valid_until: now + support::YEAR,
        tamper_value: tamper.then(|| (JP_NS.to_owned(), "full_name_unicode".to_owned())),
        ..card.spec()
    };
    let (ds_der, ds_key) = (pki.ds_der.clone(), pki.ds_key.clone());
    let mut holder = Holder::fresh_nfc(Curve::P256, Vec::new());
    holder.mint = Some(Box::new(move |t: &[u8]| {
        let spec = support::MdocSpec {
            transcript: Some(t.to_vec()),
            ..spec.clone()
        };
        support::device_response(vec![support::mint_document_by(
            &ds_der,
            &support::keys::TestKey::P256(ds_key.clone()),
            &spec,
        )])
    }));
    Type4Holder::new(holder, mode, Some(CARRIER), None, 0xFF00, 0xFF00)
}

fn requests() -> Vec<kakunin::privacy::ElementRequest> {
    let policy = RequestPolicy::new();
    let mut b = RequestBuilder::new(MNC);
    for e in [
        "full_name_unicode",
        "resident_address_unicode",
        "birth_date_unicode",
        "sex_unicode",
        "portrait",
    ] {
        b = b.element(JP_NS, e);
    }
    vec![b.build(&policy).unwrap()]
}

fn run(
    pki: &TestPki,
    tag: Type4Holder,
    behaviour: Behaviour,
    timeout: Duration,
) -> (
    Result<pcsc::tap::TapReport, pcsc::ProximityError>,
    Duration,
    Type4Holder,
) {
    let card = VirtualCard::insert(tag, behaviour);
    let verifier = Verifier::new(pki.trust_store());
    let requests = requests();
    let input = ProximityInput {
        verifier: &verifier,
        requests: &requests,
        reader: Some(READER),
        timeout,
    };
    let t0 = Instant::now();
    let r = pcsc::verify_proximity_with(&input, None);
    let took = t0.elapsed();
    let tag = card.remove();
    (r, took, tag)
}

#[test]
fn pcsc_full_session_verifies_a_my_number_card() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !pcsc_ready() {
        return;
    }
    let pki = TestPki::new();
    for mode in [
        Mode::Static,
        Mode::Negotiated {
            wt_int: 8,
            n_wait: 3,
            busy_reads: 1,
        },
    ] {
        let (r, took, tag) = run(
            &pki,
            phone(&pki, mode, Some(100 * 1024), false),
            Behaviour::Answer,
            Duration::from_secs(10),
        );
        let report = r.unwrap_or_else(|e| panic!("{mode:?}: {} {}", e.kind.code(), e.detail));
        assert!(
            report.verification.is_valid(),
            "{:?}",
            report.verification.error_codes()
        );
        assert!(report.over_nfc);
        if let Mode::Negotiated { .. } = mode {
            assert_eq!(tag.busy_answers, 2, "one NLEN = 0 read after each write");
        }
        eprintln!(
            "pcsc tap ({mode:?}): {:?} handover, extended length {}, engagement {} APDUs, data retrieval {} APDUs / {} bytes, last APDU to verdict {:?}, whole tap {:?}",
            report.handover,
            report.extended_length,
            report.engagement_apdus,
            report.retrieval_apdus,
            report.retrieval_bytes,
            report.last_apdu_to_verdict,
            took
        );
        if report.extended_length {
            assert!(report.retrieval_apdus <= 4, "{}", report.retrieval_apdus);
        }
    }
}

#[test]
fn pcsc_tampered_response_is_rejected_with_its_code() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !pcsc_ready() {
        return;
    }
    let pki = TestPki::new();
    let (r, _, _) = run(
        &pki,
        phone(&pki, Mode::Static, None, true),
        Behaviour::Answer,
        Duration::from_secs(10),
    );
    let report = r.unwrap_or_else(|e| panic!("{} {}", e.kind.code(), e.detail));
    assert!(!report.verification.is_valid());
    assert!(
        report.verification.error_codes().contains(&ErrorCode::DigestMismatch),
        "{:?}",
        report.verification.error_codes()
    );
}

#[test]
fn pcsc_holder_that_stops_mid_session_times_out() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !pcsc_ready() {
        return;
    }
    let pki = TestPki::new();
    let timeout = Duration::from_secs(3);
    // Answers the mdoc SELECT, then goes silent on the ENVELOPE.
    let (r, took, _) = run(
        &pki,
        phone(&pki, Mode::Static, None, false),
        Behaviour::GoSilentAfter(1),
        timeout,
    );
    let e = r.err().expect("no verdict from a silent phone");
    assert_eq!(e.kind, ProximityErrorKind::Timeout, "{}", e.detail);
    assert!(e.detail.contains("stopped answering"), "{}", e.detail);
    assert!(took < timeout * 3, "took {took:?}");
}

// --- Without hardware: the same tap over an in-process link, and BLE data
// retrieval through the adapter trait with a fake phone. ---

use kakunin::session::Uuid;
use kakunin::transport::ble::peripheral_server;
use kakunin::transport::ndef::BleOob;
use pcsc::ble::BleCentral;
use pcsc::link::{ApduLink, LinkError};
use std::collections::VecDeque;

/// The phone in the same process; `silent_after`: APDUs answered before
/// the link times out.
struct FakeLink {
    tag: Arc<Mutex<Type4Holder>>,
    extended: bool,
    silent_after: Option<usize>,
    sent: usize,
}

impl ApduLink for FakeLink {
    fn transmit(&mut self, apdu: &[u8], _timeout: Duration) -> Result<Vec<u8>, LinkError> {
        self.sent += 1;
        if self.silent_after.is_some_and(|n| self.sent > n) {
            return Err(LinkError::Timeout);
        }
        Ok(self.tag.lock().unwrap().process(apdu))
    }
    fn extended_length(&self) -> bool {
        self.extended
    }
}

/// A BLE central wired to the phone's holder (mdoc peripheral server mode).
struct FakeCentral {
    tag: Arc<Mutex<Type4Holder>>,
    ble: Option<support::holder::BleHolder>,
    notifications: VecDeque<(Uuid, Vec<u8>)>,
    connected_to: Option<Uuid>,
}

impl BleCentral for FakeCentral {
    fn connect(&mut self, service: Uuid, _address: Option<&[u8]>, _timeout: Duration) -> Result<usize, String> {
        self.connected_to = Some(service);
        let mut tag = self.tag.lock().unwrap();
        let holder = std::mem::replace(&mut tag.nfc.holder, Holder::fresh_nfc(Curve::P256, Vec::new()));
        self.ble = Some(support::holder::BleHolder::new(holder, 185));
        Ok(185)
    }
    fn write(&mut self, characteristic: Uuid, value: &[u8]) -> Result<(), String> {
        if characteristic == peripheral_server::CLIENT2SERVER {
            let ble = self.ble.as_mut().ok_or("not connected")?;
            for n in ble.on_write(value) {
                self.notifications.push_back((peripheral_server::SERVER2CLIENT, n));
            }
        }
        Ok(())
    }
    fn next_notification(&mut self, _timeout: Duration) -> Result<(Uuid, Vec<u8>), String> {
        self.notifications.pop_front().ok_or_else(|| "timeout".to_string())
    }
    fn disconnect(&mut self) {}
}

fn fake_input<'a>(verifier: &'a Verifier, requests: &'a [kakunin::privacy::ElementRequest]) -> ProximityInput<'a> {
    ProximityInput {
        verifier,
        requests,
        reader: None,
        timeout: Duration::from_secs(1),
    }
}

#[test]
fn pcsc_tap_logic_over_an_in_process_link() {
    let pki = TestPki::new();
    let verifier = Verifier::new(pki.trust_store());
    let requests = requests();
    for extended in [true, false] {
        let mode = Mode::Negotiated {
            wt_int: 4,
            n_wait: 2,
            busy_reads: 2,
        };
        let tag = Arc::new(Mutex::new(phone(&pki, mode, Some(100 * 1024), false)));
        let mut link = FakeLink {
            tag: tag.clone(),
            extended,
            silent_after: None,
            sent: 0,
        };
        let r = pcsc::tap::run_tap(&mut link, &fake_input(&verifier, &requests), None).unwrap();
        assert!(r.verification.is_valid(), "{:?}", r.verification.error_codes());
        assert_eq!(r.extended_length, extended);
        if extended {
            assert!(r.retrieval_apdus <= 4, "{}", r.retrieval_apdus);
        }
    }
    // A phone that goes quiet mid-session: a timeout with a clear message.
    let tag = Arc::new(Mutex::new(phone(&pki, Mode::Static, None, false)));
    let mut link = FakeLink {
        tag,
        extended: true,
        // Engagement takes 6 APDUs; answer the mdoc SELECT, not the ENVELOPE.
        silent_after: Some(7),
        sent: 0,
    };
    let e = pcsc::tap::run_tap(&mut link, &fake_input(&verifier, &requests), None)
        .err()
        .expect("timeout");
    assert_eq!(e.kind, ProximityErrorKind::Timeout);
    assert!(e.detail.contains("stopped answering"), "{}", e.detail);
}

#[test]
fn pcsc_ble_data_retrieval_through_the_adapter_trait() {
    let pki = TestPki::new();
    let verifier = Verifier::new(pki.trust_store());
    let requests = requests();
    let service = [0x45; 16];
    let ble_only = |pki: &TestPki| {
        let mut t = phone(pki, Mode::Static, None, false);
        let holder = std::mem::replace(&mut t.nfc.holder, Holder::fresh_nfc(Curve::P256, Vec::new()));
        let oob = BleOob {
            le_role: Some(0x00),
            uuids: vec![service],
            ..BleOob::default()
        };
        Type4Holder::new(holder, Mode::Static, None, Some(oob), 0xFF, 0xFF)
    };
    let tag = Arc::new(Mutex::new(ble_only(&pki)));
    let mut link = FakeLink {
        tag: tag.clone(),
        extended: false,
        silent_after: None,
        sent: 0,
    };
    let mut central = FakeCentral {
        tag: tag.clone(),
        ble: None,
        notifications: VecDeque::new(),
        connected_to: None,
    };
    let r = pcsc::tap::run_tap(&mut link, &fake_input(&verifier, &requests), Some(&mut central)).unwrap();
    assert!(!r.over_nfc);
    assert!(r.verification.is_valid(), "{:?}", r.verification.error_codes());
    assert_eq!(central.connected_to, Some(Uuid(service)));

    // Without an adapter the counter says why it cannot continue.
    let tag = Arc::new(Mutex::new(ble_only(&pki)));
    let mut link = FakeLink {
        tag,
        extended: false,
        silent_after: None,
        sent: 0,
    };
    let e = pcsc::tap::run_tap(&mut link, &fake_input(&verifier, &requests), None)
        .err()
        .expect("no BLE");
    assert!(e.detail.contains("BLE"), "{}", e.detail);
}
