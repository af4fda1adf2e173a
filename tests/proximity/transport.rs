//! Round trips between the reader session engine and a simulated holder
//! (tests/kit/src/issuer/holder.rs) over the NFC and BLE framers.

use crate::support;

use kakunin::session::{DeviceRequestBuilder, ItemsRequest, ReaderSession, SessionEvent, SessionState};
use kakunin::transport::ble::{peripheral_server, BleEvent, BleFramer, BleMode, BleReader};
use kakunin::transport::nfc::{NfcConfig, NfcEvent, NfcReader};
use kakunin::{Curve, ErrorCode, ReaderKey, TrustStore, UnixTime, Verifier};
use support::holder::{BleHolder, Holder, NfcHolder};
use support::{annex_d, data_file as data};

fn annex_d_reader_key() -> ReaderKey {
    ReaderKey::from_scalar(Curve::P256, &annex_d("e_reader_key.d.hex")).unwrap()
}

fn verifier() -> Verifier {
    Verifier::new(TrustStore::from_pem_or_der(&data("iso18013-5-annex-d/iaca_cert.pem")).unwrap())
}

fn at_2021() -> UnixTime {
    UnixTime::parse_rfc3339("2021-01-01T00:00:00Z").unwrap()
}

/// Sends one message over NFC and returns the holder's reply message.
fn nfc_exchange(reader: &mut NfcReader, holder: &mut NfcHolder, msg: &[u8]) -> Result<Vec<u8>, kakunin::Error> {
    let mut apdu = reader.send_message(msg)?;
    for _ in 0..10_000 {
        let r = holder.process(&apdu);
        match reader.on_response(&r)? {
            NfcEvent::Send(next) => apdu = next,
            NfcEvent::Message(m) => return Ok(m),
            other => panic!("unexpected {other:?}"),
        }
    }
    panic!("no end")
}

fn nfc_session(
    config: NfcConfig,
    response_chunk: usize,
    tamper: bool,
) -> (Result<Vec<u8>, kakunin::Error>, ReaderSession, NfcHolder) {
    let mut holder = NfcHolder::new(Holder::annex_d(), response_chunk);
    holder.holder.tamper_next = tamper;
    let mut session = ReaderSession::with_reader_key(
        holder.holder.engagement.clone(),
        holder.holder.handover.clone(),
        annex_d_reader_key(),
    )
    .unwrap();
    let mut reader = NfcReader::new(config);
    let select = reader.select();
    assert_eq!(
        reader.on_response(&holder.process(&select)).unwrap(),
        NfcEvent::Selected
    );
    let se = session.establish(&annex_d("device_request.hex")).unwrap();
    let reply = nfc_exchange(&mut reader, &mut holder, &se).unwrap();
    let r = session.receive(&reply).map(|ev| match ev {
        SessionEvent::Response(r) => r,
        other => panic!("{other:?}"),
    });
    (r, session, holder)
}

#[test]
fn nfc_short_apdus_with_chaining_and_get_response() {
    let cfg = NfcConfig {
        max_command_data: 100,
        ..NfcConfig::default()
    };
    let (r, session, holder) = nfc_session(cfg, 120, false);
    let response = r.unwrap();
    assert_eq!(response, annex_d("device_response.hex"));
    assert!(holder.chained_commands >= 7, "{}", holder.chained_commands);
    assert!(holder.get_responses >= 20, "{}", holder.get_responses);
    assert_eq!(holder.holder.requests, vec![annex_d("device_request.hex")]);
    let v = verifier().verify_device_response(&response, session.device_auth_input(), at_2021());
    assert!(v.is_valid(), "{:?}", v.error_codes());
}

#[test]
fn nfc_extended_length_single_command() {
    let cfg = NfcConfig {
        max_command_data: 65535,
        extended_length: true,
        ..NfcConfig::default()
    };
    let (r, _, holder) = nfc_session(cfg, 65536, false);
    assert_eq!(r.unwrap(), annex_d("device_response.hex"));
    assert_eq!(holder.chained_commands, 0);
    assert_eq!(holder.get_responses, 0);
}

#[test]
fn nfc_tampered_ciphertext_fails() {
    let (r, session, _) = nfc_session(NfcConfig::default(), 255, true);
    assert_eq!(r.unwrap_err().code(), ErrorCode::SessionDecryptionFailed);
    assert_eq!(session.state(), SessionState::Closed);
}

#[test]
fn nfc_oversized_response_hits_the_limit() {
    let cfg = NfcConfig {
        max_message: 1000,
        ..NfcConfig::default()
    };
    let mut holder = NfcHolder::new(Holder::annex_d(), 200);
    let mut session = ReaderSession::with_reader_key(
        holder.holder.engagement.clone(),
        holder.holder.handover.clone(),
        annex_d_reader_key(),
    )
    .unwrap();
    let mut reader = NfcReader::new(cfg);
    let select = reader.select();
    reader.on_response(&holder.process(&select)).unwrap();
    let se = session.establish(b"\xa0").unwrap();
    let e = nfc_exchange(&mut reader, &mut holder, &se).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LimitExceeded);
}

/// Runs a session over BLE: reader writes chunks, holder notifies chunks.
fn ble_round_trip(
    mtu: usize,
    holder: Holder,
    reader_key: Option<ReaderKey>,
    request: &[u8],
) -> (Result<SessionEvent, kakunin::Error>, ReaderSession, BleHolder) {
    let mut holder = BleHolder::new(holder, mtu);
    let engagement = holder.holder.engagement.clone();
    let handover = holder.holder.handover.clone();
    let mut session = match reader_key {
        Some(k) => ReaderSession::with_reader_key(engagement, handover, k).unwrap(),
        None => ReaderSession::new(engagement, handover).unwrap(),
    };
    let mut reader = BleReader::new(BleMode::PeripheralServer, mtu, 1 << 22).unwrap();
    assert_eq!(reader.start().unwrap().value, vec![0x01]);
    let se = session.establish(request).unwrap();
    let mut notifications = Vec::new();
    let writes = reader.send(&se).unwrap();
    assert!(writes.len() > 1 || se.len() < mtu - 4);
    for w in &writes {
        assert_eq!(w.characteristic, peripheral_server::CLIENT2SERVER);
        assert!(w.value.len() <= mtu - 3);
        notifications.extend(holder.on_write(&w.value));
    }
    let mut reply = None;
    for n in &notifications {
        assert!(n.len() <= mtu - 3);
        match reader.on_received(peripheral_server::SERVER2CLIENT, n).unwrap() {
            BleEvent::Message(m) => reply = Some(m),
            BleEvent::Partial => {}
            other => panic!("{other:?}"),
        }
    }
    (session.receive(&reply.unwrap()), session, holder)
}

#[test]
fn ble_round_trip_annex_d_at_minimum_mtu() {
    let (ev, session, holder) = ble_round_trip(
        23,
        Holder::annex_d(),
        Some(annex_d_reader_key()),
        &annex_d("device_request.hex"),
    );
    let SessionEvent::Response(r) = ev.unwrap() else {
        panic!()
    };
    assert_eq!(r, annex_d("device_response.hex"));
    assert_eq!(holder.holder.requests, vec![annex_d("device_request.hex")]);
    let v = verifier().verify_device_response(&r, session.device_auth_input(), at_2021());
    assert!(v.is_valid(), "{:?}", v.error_codes());
}

#[test]
fn ble_round_trip_fresh_keys_on_every_curve() {
    let request = DeviceRequestBuilder::new()
        .add(&ItemsRequest::new("org.iso.18013.5.1.mDL").element("org.iso.18013.5.1", "family_name"))
        .unwrap()
        .build();
    for (curve, mtu) in [(Curve::P256, 185), (Curve::P384, 23), (Curve::P521, 517)] {
        let holder = Holder::fresh(curve, annex_d("device_response.hex"));
        let (ev, mut session, mut holder) = ble_round_trip(mtu, holder, None, &request);
        assert_eq!(session.reader_key().curve(), curve);
        let SessionEvent::Response(r) = ev.unwrap() else {
            panic!()
        };
        assert_eq!(r, annex_d("device_response.hex"));
        assert_eq!(holder.holder.requests, vec![request.clone()]);
        // A second request in the same session uses counter 2 both ways.
        let sd = session.request(&request).unwrap();
        let mut framer = BleFramer::new(mtu, 1 << 22).unwrap();
        let mut reply = None;
        for w in framer.split(&sd) {
            for n in holder.on_write(&w) {
                if let Some(m) = framer.push(&n).unwrap() {
                    reply = Some(m);
                }
            }
        }
        assert!(matches!(
            session.receive(&reply.unwrap()).unwrap(),
            SessionEvent::Response(_)
        ));
        // Termination reaches the holder.
        let term = session.terminate();
        for w in framer.split(&term) {
            assert!(holder.on_write(&w).is_empty());
        }
        assert!(holder.holder.terminated);
    }
}

#[test]
fn ble_tampered_ciphertext_fails() {
    let mut h = Holder::annex_d();
    h.tamper_next = true;
    let (ev, session, _) = ble_round_trip(64, h, Some(annex_d_reader_key()), &annex_d("device_request.hex"));
    assert_eq!(ev.unwrap_err().code(), ErrorCode::SessionDecryptionFailed);
    assert_eq!(session.state(), SessionState::Closed);
}

/// A Type 4 Tag holding the Annex D Handover Select (static handover).
struct Type4Tag {
    cc: Vec<u8>,
    ndef_file: Vec<u8>,
    selected: Option<[u8; 2]>,
    reads: usize,
}

impl Type4Tag {
    fn new(message: &[u8], mle: u16) -> Self {
        let mut cc = vec![0x00, 0x0f, 0x20];
        cc.extend_from_slice(&mle.to_be_bytes());
        cc.extend_from_slice(&[0x00, 0xff, 0x04, 0x06, 0xE1, 0x04, 0x04, 0x00, 0x00, 0xff]);
        let mut ndef_file = u16::try_from(message.len()).unwrap().to_be_bytes().to_vec();
        ndef_file.extend_from_slice(message);
        Type4Tag {
            cc,
            ndef_file,
            selected: None,
            reads: 0,
        }
    }

    fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        use kakunin::transport::nfc::{CommandApdu, INS_READ_BINARY, INS_SELECT, NDEF_TAG_AID};
        let c = CommandApdu::parse(apdu).unwrap();
        match (c.ins, c.p1) {
            (INS_SELECT, 0x04) => {
                assert_eq!(c.data, NDEF_TAG_AID);
                vec![0x90, 0x00]
            }
            (INS_SELECT, 0x00) => {
                self.selected = Some([c.data[0], c.data[1]]);
                vec![0x90, 0x00]
            }
            (INS_READ_BINARY, _) => {
                self.reads += 1;
                let file = match self.selected {
                    Some([0xE1, 0x03]) => &self.cc,
                    Some([0xE1, 0x04]) => &self.ndef_file,
                    _ => return vec![0x69, 0x86],
                };
                let off = usize::from(u16::from_be_bytes([c.p1, c.p2]));
                let end = (off + c.le.unwrap()).min(file.len());
                let mut v = file[off..end].to_vec();
                v.extend_from_slice(&[0x90, 0x00]);
                v
            }
            _ => vec![0x6D, 0x00],
        }
    }
}

#[test]
fn static_handover_read_from_a_type4_tag() {
    use kakunin::session::DeviceEngagement;
    use kakunin::transport::nfc_engagement::{EngagementConfig, EngagementEvent, HandoverKind, NfcEngagementReader};
    let hs = annex_d("handover_select.hex");
    for mle in [0x3b, 0xff, 0x1000] {
        let mut tag = Type4Tag::new(&hs, mle);
        let mut reader = NfcEngagementReader::new(EngagementConfig::default());
        let mut apdu = reader.start();
        let engagement = loop {
            match reader.on_response(&tag.process(&apdu)).unwrap() {
                EngagementEvent::Send(next) => apdu = next,
                EngagementEvent::Done(e) => break e,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(engagement.kind, HandoverKind::Static);
        assert_eq!(engagement.handover_select, hs);
        assert!(tag.reads >= 2 + hs.len().div_ceil(usize::from(mle)));
        let (de, _) = DeviceEngagement::from_nfc_handover(&engagement.handover_select, None).unwrap();
        assert_eq!(de.raw(), annex_d("device_engagement_nfc.hex"));
        assert_eq!(engagement.device_engagement, annex_d("device_engagement_nfc.hex"));
    }
    // A tag whose NDEF file is not readable is refused.
    let mut tag = Type4Tag::new(&hs, 0xff);
    tag.cc[13] = 0xff;
    let mut reader = NfcEngagementReader::new(EngagementConfig::default());
    let mut apdu = reader.start();
    let err = loop {
        match reader.on_response(&tag.process(&apdu)) {
            Ok(EngagementEvent::Send(next)) => apdu = next,
            Ok(other) => panic!("{other:?}"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.code(), ErrorCode::TransportError);
}
