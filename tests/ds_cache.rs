//! The Document Signer cache (issue 7) answers only "does this anchor sign
//! this DS certificate?": everything else is still checked on a cache hit,
//! and another anchor never hits an entry.

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
    let d = setup();
    let cache = DsCache::default();
    let now = at("2021-01-01T00:00:00Z");
    assert!(verify(&verifier(&d.iaca, &cache), &d, &d.response, now).is_valid());
    // A look-alike anchor: the IACA with its key replaced by another valid
    // P-256 point (same subject, same SKI, different bytes and key).
    let mut point = vec![4u8];
    point.extend(annex_d("e_reader_key.x.hex"));
    point.extend(annex_d("e_reader_key.y.hex"));
    let iaca_key = iaca_point(&d.iaca);
    assert_ne!(point, iaca_key);
    let pos = d.iaca.windows(65).position(|w| w == iaca_key.as_slice()).unwrap();
    let mut lookalike = d.iaca.clone();
    lookalike[pos..pos + 65].copy_from_slice(&point);
    let other = verifier(&lookalike, &cache);
    let r = verify(&other, &d, &d.response, now);
    assert_eq!(cache.stats().hits, 0, "an entry of another anchor must not answer");
    assert_eq!(r.error_codes(), vec![ErrorCode::IssuerChainUntrusted]);
    // And a verifier with the genuine anchor still hits.
    assert!(verify(&verifier(&d.iaca, &cache), &d, &d.response, now).is_valid());
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

/// The uncompressed P-256 point of a certificate's SubjectPublicKeyInfo.
fn iaca_point(der: &[u8]) -> Vec<u8> {
    // BIT STRING (0x03 0x42 0x00) followed by the 65-byte point 04‖x‖y.
    let pos = der.windows(4).position(|w| w == [0x03, 0x42, 0x00, 0x04]).unwrap();
    der[pos + 3..pos + 3 + 65].to_vec()
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
