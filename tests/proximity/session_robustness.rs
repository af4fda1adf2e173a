//! Mutated session inputs never panic and never yield altered plaintext.
//! (Deterministic mutations of Annex D bytes; a fuzz target can reuse them.)

use crate::support;

use kakunin::session::{DeviceEngagement, ReaderSession, SessionData, SessionEstablishment, SessionEvent};
use kakunin::transport::ble::BleFramer;
use kakunin::transport::ndef;
use kakunin::transport::nfc::{decapsulate, CommandApdu, NfcConfig, NfcReader};
use kakunin::{Curve, ReaderKey};
use support::annex_d;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    match rng.below(4) {
        0 => {
            let i = rng.below(v.len());
            v[i] ^= 1 << rng.below(8);
        }
        1 => {
            let i = rng.below(v.len());
            v[i] = rng.next().to_le_bytes()[0];
        }
        2 => v.truncate(rng.below(v.len())),
        _ => {
            let i = rng.below(v.len() + 1);
            v.insert(i, rng.next().to_le_bytes()[0]);
        }
    }
    v
}

fn annex_d_session() -> ReaderSession {
    let (de, handover) =
        DeviceEngagement::from_nfc_handover(&annex_d("handover_select.hex"), Some(&annex_d("handover_request.hex")))
            .unwrap();
    let key = ReaderKey::from_scalar(Curve::P256, &annex_d("e_reader_key.d.hex")).unwrap();
    ReaderSession::with_reader_key(de, handover, key).unwrap()
}

#[test]
fn mutated_session_data_is_rejected_or_unchanged() {
    let sd = annex_d("session_data_device_response.hex");
    let genuine = annex_d("device_response.hex");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut rejected = 0;
    for _ in 0..400 {
        let m = mutate(&mut rng, &sd);
        let mut s = annex_d_session();
        s.establish(b"\xa0").unwrap();
        match s.receive(&m) {
            Ok(SessionEvent::Response(r)) | Ok(SessionEvent::ResponseAndTerminated(r)) => assert_eq!(r, genuine),
            Ok(SessionEvent::Terminated) => {}
            Ok(other) => panic!("{other:?}"),
            Err(_) => rejected += 1,
        }
    }
    assert!(rejected > 350, "{rejected}");
}

#[test]
fn mutated_engagements_and_handovers_never_panic() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let hs = annex_d("handover_select.hex");
    let hr = annex_d("handover_request.hex");
    let de = annex_d("device_engagement.hex");
    let mut ok = 0;
    for _ in 0..600 {
        let a = mutate(&mut rng, &hs);
        let b = mutate(&mut rng, &hr);
        let c = mutate(&mut rng, &de);
        ok += usize::from(DeviceEngagement::from_nfc_handover(&a, Some(&hr)).is_ok());
        let _ = DeviceEngagement::from_nfc_handover(&hs, Some(&b));
        let _ = ndef::parse_message(&a);
        let _ = ndef::BleOob::parse(&b);
        if let Ok(e) = DeviceEngagement::from_bytes(&c) {
            // Whatever was accepted is kept byte for byte.
            assert_eq!(e.raw(), c.as_slice());
        }
        let _ = SessionEstablishment::parse(&c);
        let _ = SessionData::parse(&c);
    }
    assert!(ok < 600, "some mutations must be rejected");
}

#[test]
fn mutated_transport_frames_never_panic() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let apdu = kakunin::transport::nfc::command_apdu(0, 0xC3, 0, 0, &[0x53, 3, 1, 2, 3], Some(256), false);
    let tlv = kakunin::transport::nfc::encapsulate(&annex_d("session_data_device_response.hex"));
    for _ in 0..500 {
        let _ = CommandApdu::parse(&mutate(&mut rng, &apdu));
        let _ = decapsulate(&mutate(&mut rng, &tlv));
        let mut r = NfcReader::new(NfcConfig::default());
        r.select();
        let _ = r.on_response(&mutate(&mut rng, &[0x90, 0x00]));
        let mut b = BleFramer::new(23, 4096).unwrap();
        let _ = b.push(&mutate(&mut rng, &[0x01, 1, 2, 3]));
    }
    // A well-formed frame still works after the noise.
    assert_eq!(
        decapsulate(&tlv).unwrap(),
        annex_d("session_data_device_response.hex").as_slice()
    );
}
