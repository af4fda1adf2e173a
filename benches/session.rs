//! Reader session costs: key generation + transcript + key derivation,
//! SessionEstablishment encryption, SessionData decryption (Annex D sizes).

use criterion::{criterion_group, criterion_main, Criterion};
use kakunin::session::{DeviceEngagement, ReaderSession};

fn annex_d(name: &str) -> Vec<u8> {
    let p = format!("{}/tests/data/iso18013-5-annex-d/{name}", env!("CARGO_MANIFEST_DIR"));
    hex::decode(std::fs::read_to_string(p).unwrap().trim()).unwrap()
}

fn bench(c: &mut Criterion) {
    let hs = annex_d("handover_select.hex");
    let hr = annex_d("handover_request.hex");
    let request = annex_d("device_request.hex");
    let sd = annex_d("session_data_device_response.hex");
    let d = annex_d("e_reader_key.d.hex");
    c.bench_function("session_new_p256 (keygen+transcript+HKDF)", |b| {
        b.iter(|| {
            let (de, h) = DeviceEngagement::from_nfc_handover(&hs, Some(&hr)).unwrap();
            ReaderSession::new(de, h).unwrap()
        })
    });
    c.bench_function("annex_d_establish_and_receive", |b| {
        b.iter(|| {
            let (de, h) = DeviceEngagement::from_nfc_handover(&hs, Some(&hr)).unwrap();
            let key = kakunin::ReaderKey::from_scalar(kakunin::Curve::P256, &d).unwrap();
            let mut s = ReaderSession::with_reader_key(de, h, key).unwrap();
            s.establish(&request).unwrap();
            s.receive(&sd).unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
