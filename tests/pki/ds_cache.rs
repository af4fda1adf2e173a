//! The Document Signer cache answers only "does this anchor sign
//! this DS certificate?": everything else is still checked on a cache hit,
//! and another anchor never hits an entry.

use crate::support;

use kakunin::{DeviceAuthInput, DsCache, ErrorCode, ReaderKey, SessionTranscript, TrustStore, UnixTime, Verifier};

fn annex_d(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/iso18013-5-annex-d/{name}", env!("CARGO_MANIFEST_DIR"));
    hex::decode(std::fs::read_to_string(path).unwrap().trim()).unwrap()
}

struct AnnexD {
    response: Vec<u8>,
    transcript: SessionTranscript,
    reader: ReaderKey,
    iaca: Vec<u8>,
}

fn setup() -> AnnexD {
    AnnexD {
        response: annex_d("device_response.hex"),
        transcript: SessionTranscript::from_bytes(&annex_d("session_transcript_bytes.hex")).unwrap(),
        reader: ReaderKey::from_scalar(kakunin::Curve::P256, &annex_d("e_reader_key.d.hex")).unwrap(),
        iaca: annex_d("iaca_cert.der.hex"),
    }
}

fn at(s: &str) -> UnixTime {
    UnixTime::parse_rfc3339(s).unwrap()
}

fn verify(v: &Verifier, d: &AnnexD, response: &[u8], now: UnixTime) -> kakunin::Verification {
    let auth = DeviceAuthInput {
        session_transcript: Some(&d.transcript),
        reader_key: Some(&d.reader),
    };
    v.verify_device_response(response, auth, now)
}

fn verifier(iaca: &[u8], cache: &DsCache) -> Verifier {
    Verifier::new(TrustStore::from_pem_or_der(iaca).unwrap()).with_ds_cache(cache.clone())
}

#[test]
fn repeat_issuer_hits_the_cache() {
    let d = setup();
    let cache = DsCache::default();
    let v = verifier(&d.iaca, &cache);
    let now = at("2021-01-01T00:00:00Z");
    assert!(verify(&v, &d, &d.response, now).is_valid());
    assert_eq!((cache.stats().hits, cache.stats().misses), (0, 1));
    assert!(verify(&v, &d, &d.response, now).is_valid());
    assert_eq!((cache.stats().hits, cache.stats().misses), (1, 1));
    // Clones share the cache.
    assert!(verify(&v.clone(), &d, &d.response, now).is_valid());
    assert_eq!(cache.stats().hits, 2);
}

#[test]
fn cache_hit_still_rejects_an_expired_document_signer() {
    let d = setup();
    let cache = DsCache::default();
    let v = verifier(&d.iaca, &cache);
    assert!(verify(&v, &d, &d.response, at("2021-01-01T00:00:00Z")).is_valid());
    // The DS certificate expired at 2021-10-01T00:00:00Z.
    let r = verify(&v, &d, &d.response, at("2021-10-01T00:00:01Z"));
    assert_eq!(cache.stats().hits, 1, "the chain signature came from the cache");
    assert!(!r.is_valid());
    assert!(
        r.error_codes().contains(&ErrorCode::CertificateExpired),
        "{:?}",
        r.error_codes()
    );
    // Before its notBefore too.
    let r = verify(&v, &d, &d.response, at("2020-09-30T00:00:00Z"));
    assert!(
        r.error_codes().contains(&ErrorCode::CertificateNotYetValid),
        "{:?}",
        r.error_codes()
    );
}

#[test]
fn cache_hit_still_rejects_a_forged_issuer_signature() {
    let d = setup();
    let cache = DsCache::default();
    let v = verifier(&d.iaca, &cache);
    let now = at("2021-01-01T00:00:00Z");
    assert!(verify(&v, &d, &d.response, now).is_valid());
    // Same DS certificate, forged issuerAuth signature (last byte flipped).
    let auth = annex_d("issuer_auth.hex");
    let pos = d
        .response
        .windows(auth.len())
        .position(|w| w == auth.as_slice())
        .unwrap();
    let mut forged = d.response.clone();
    forged[pos + auth.len() - 1] ^= 0x01;
    let r = verify(&v, &d, &forged, now);
    assert_eq!(cache.stats().hits, 1, "the chain signature came from the cache");
    assert_eq!(r.error_codes(), vec![ErrorCode::IssuerSignatureInvalid]);
}

#[test]
fn another_anchor_with_the_same_name_does_not_hit() {
    // Two IACAs with the same subject (and, from the test issuer, the same
    // profile) but different keys: a DS chained to the first, verified by a
    // verifier that trusts only the second, must not be answered by the
    // cache entry the first one left.
    use support::{CertSpec, MdocSpec, TestPki};
    let genuine = TestPki::new();
    let cache = DsCache::default();
    let now = UnixTime::from_secs(support::T2024);
    let response = support::mint(&genuine, &MdocSpec::default());
    let t = support::transcript();
    let auth = DeviceAuthInput {
        session_transcript: Some(&t),
        reader_key: None,
    };
    let v = Verifier::new(genuine.trust_store()).with_ds_cache(cache.clone());
    assert!(v.verify_device_response(&response, auth, now).is_valid());
    assert_eq!(cache.stats().misses, 1);

    let iaca = CertSpec::iaca("Test IACA");
    let impostor_key = support::key(99);
    let impostor = support::issue_cert(&iaca, &impostor_key, &iaca.subject, &impostor_key);
    assert_ne!(impostor, genuine.iaca_der);
    let other = Verifier::new(TrustStore::from_pem_or_der(&impostor).unwrap()).with_ds_cache(cache.clone());
    let r = other.verify_device_response(&response, auth, now);
    assert_eq!(cache.stats().hits, 0, "an entry of another anchor must not answer");
    assert_eq!(r.error_codes(), vec![ErrorCode::IssuerChainUntrusted]);
    // And a verifier with the genuine anchor still hits.
    assert!(v.verify_device_response(&response, auth, now).is_valid());
    assert_eq!(cache.stats().hits, 1);
}

#[test]
fn disabled_cache_verifies_every_time() {
    let d = setup();
    let cache = DsCache::disabled();
    let v = verifier(&d.iaca, &cache);
    let now = at("2021-01-01T00:00:00Z");
    assert!(verify(&v, &d, &d.response, now).is_valid());
    assert!(verify(&v, &d, &d.response, now).is_valid());
    assert_eq!(cache.stats().hits, 0);
    assert_eq!(cache.stats().entries, 0);
}

#[test]
fn verifier_is_shared_across_threads() {
    let d = std::sync::Arc::new(setup());
    let v = verifier(&d.iaca, &DsCache::default());
    let now = at("2021-01-01T00:00:00Z");
    std::thread::scope(|s| {
        for _ in 0..2 {
            let (v, d) = (&v, &d);
            s.spawn(move || assert!(verify(v, d, &d.response, now).is_valid()));
        }
    });
}
