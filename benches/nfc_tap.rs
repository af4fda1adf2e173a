//! Tap-to-verdict over NFC with the sans-I/O engines and a simulated phone
//! (tests/kit/src/issuer/t4t.rs): no hardware. Prints the APDU round trips and bytes
//! of engagement and of data retrieval for a My Number Card response with a
//! 100 KB portrait, with extended length APDUs and with short APDUs; then
//! measures the time from the last response APDU to the verdict (NFC
//! reassembly, session decryption, verification).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use kakunin::session::{DeviceEngagement, DeviceRequestBuilder, ItemsRequest, ReaderSession};
use kakunin::transport::ndef::{handover_request, NdefRecord, NfcCarrier, Tnf, NFC_CARRIER_TYPE};
use kakunin::transport::nfc::{NfcConfig, NfcEvent, NfcReader};
use kakunin::transport::nfc_engagement::{EngagementConfig, EngagementEvent, NfcEngagementReader};
use kakunin::{Curve, UnixTime, Verifier};

use kakunin_test_kit as support;

use support::holder::Holder;
use support::jp_mnc::{self, JP_NS, MNC};
use support::t4t::{Mode, Type4Holder};
use support::{TestPki, T2024};

const PORTRAIT: usize = 100 * 1024;

fn phone(pki: &TestPki, mode: Mode, carrier: NfcCarrier) -> Type4Holder {
    let mut card = jp_mnc::hanako();
    let mut p = jp_mnc::portrait_jpeg();
    p.resize(PORTRAIT, 0x5a);
    card.portrait = Some(p);
    let spec = card.spec();
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
    Type4Holder::new(holder, mode, Some(carrier), None, 0xFFFF, 0xFFFF)
}

fn carrier(extended: bool) -> NfcCarrier {
    if extended {
        NfcCarrier {
            max_command_data: 0xFFFF,
            max_response_data: 0x10000,
        }
    } else {
        NfcCarrier {
            max_command_data: 255,
            max_response_data: 256,
        }
    }
}

fn request() -> Vec<u8> {
    let mut items = ItemsRequest::new(MNC);
    for e in [
        "full_name_unicode",
        "resident_address_unicode",
        "birth_date_unicode",
        "sex_unicode",
        "portrait",
    ] {
        items = items.element(JP_NS, e);
    }
    DeviceRequestBuilder::new().add(&items).unwrap().build()
}

/// A tap stopped just before the last response APDU reaches the reader.
struct Pending {
    reader: NfcReader,
    session: ReaderSession,
    last: Vec<u8>,
    engagement_apdus: usize,
    engagement_bytes: usize,
    retrieval_apdus: usize,
    retrieval_bytes: usize,
}

fn until_last_apdu(pki: &TestPki, mode: Mode, extended: bool) -> Pending {
    let c = carrier(extended);
    let mut tag = phone(pki, mode, c);
    let payload = c.encode();
    let hr = handover_request(
        7,
        &[NdefRecord {
            tnf: Tnf::External,
            record_type: NFC_CARRIER_TYPE,
            id: b"nfc",
            payload: &payload,
        }],
    )
    .unwrap();
    let mut eng = NfcEngagementReader::new(EngagementConfig {
        extended_length: extended,
        handover_request: hr,
        ..EngagementConfig::default()
    });
    let mut apdu = eng.start();
    let e = loop {
        match eng.on_response(&tag.process(&apdu)).unwrap() {
            EngagementEvent::Send(n) | EngagementEvent::SendAfter { apdu: n, .. } => apdu = n,
            EngagementEvent::Done(e) => break e,
            other => panic!("{other:?}"),
        }
    };
    let (engagement_apdus, engagement_bytes) = (tag.apdus, tag.bytes_in + tag.bytes_out);
    let (de, h) = DeviceEngagement::from_nfc_handover(&e.handover_select, e.handover_request.as_deref()).unwrap();
    let mut session = ReaderSession::new(de, h).unwrap();
    let mut reader = NfcReader::new(NfcConfig {
        max_command_data: c.max_command_data,
        extended_length: extended,
        ..NfcConfig::default()
    });
    let select = reader.select();
    reader.on_response(&tag.process(&select)).unwrap();
    let mut apdu = reader.send_message(&session.establish(&request()).unwrap()).unwrap();
    loop {
        let r = tag.process(&apdu);
        // The last response: data and 9000 (chained ENVELOPEs get a bare 9000).
        if r.len() > 2 && r.ends_with(&[0x90, 0x00]) {
            return Pending {
                reader,
                session,
                last: r,
                engagement_apdus,
                engagement_bytes,
                retrieval_apdus: tag.apdus - engagement_apdus,
                retrieval_bytes: tag.bytes_in + tag.bytes_out - engagement_bytes,
            };
        }
        match reader.on_response(&r).unwrap() {
            NfcEvent::Send(n) => apdu = n,
            other => panic!("{other:?}"),
        }
    }
}

fn verdict(p: Pending, verifier: &Verifier) -> bool {
    let mut p = p;
    let NfcEvent::Message(m) = p.reader.on_response(&p.last).unwrap() else {
        panic!("no message")
    };
    let kakunin::session::SessionEvent::Response(r) = p.session.receive(&m).unwrap() else {
        panic!("no response")
    };
    verifier
        .verify_device_response(&r, p.session.device_auth_input(), UnixTime::from_secs(T2024))
        .is_valid()
}

fn bench(c: &mut Criterion) {
    let pki = TestPki::new();
    let verifier = Verifier::new(pki.trust_store());
    let negotiated = Mode::Negotiated {
        wt_int: 0,
        n_wait: 2,
        busy_reads: 0,
    };
    println!("NFC tap, My Number Card with a {PORTRAIT}-byte portrait (round trips = command APDUs):");
    for (name, mode, extended) in [
        ("static, extended length", Mode::Static, true),
        ("negotiated, extended length", negotiated, true),
        ("static, short APDUs", Mode::Static, false),
    ] {
        let p = until_last_apdu(&pki, mode, extended);
        println!(
            "  {name:28} engagement {:3} round trips {:6} bytes | data retrieval {:4} round trips {:7} bytes",
            p.engagement_apdus, p.engagement_bytes, p.retrieval_apdus, p.retrieval_bytes
        );
        assert!(verdict(p, &verifier));
    }
    let mut g = c.benchmark_group("nfc_tap");
    g.sample_size(10);
    for (name, extended) in [
        ("last_apdu_to_verdict_100kb_extended", true),
        ("last_apdu_to_verdict_100kb_short", false),
    ] {
        g.bench_function(name, |b| {
            b.iter_batched(
                || until_last_apdu(&pki, Mode::Static, extended),
                |p| assert!(verdict(p, &verifier)),
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
