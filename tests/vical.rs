//! VICALs minted by the test issuer: a valid list loads its IACAs with
//! their docType scopes; every forged list is refused with its own code.

mod support;

use kakunin::vical::{Vical, VicalPolicy};
use kakunin::x509::ParsedCertificate;
use kakunin::{DeviceAuthInput, ErrorCode, UnixTime, Verifier};
use support::revocation::*;
use support::*;

fn now() -> UnixTime {
    UnixTime::from_secs(T2024)
}

fn root(v: &VicalPki) -> Vec<ParsedCertificate> {
    vec![ParsedCertificate::from_der(&v.root_der).unwrap()]
}

fn full_chain(v: &VicalPki) -> Vec<Vec<u8>> {
    vec![v.signer_der.clone(), v.intermediate_der.clone()]
}

#[test]
fn vical_loads_scoped_iacas_that_verify_documents() {
    let v = VicalPki::new();
    let pki = TestPki::new();
    let other = TestPki::with_specs(CertSpec::iaca("MNC IACA"), CertSpec::ds("MNC DS"));
    let bytes = vical(
        &v,
        full_chain(&v),
        VICAL_DATE,
        VICAL_NEXT,
        vec![
            (pki.iaca_der.clone(), vec![MDL]),
            (other.iaca_der.clone(), vec!["org.iso.23220.1.jp.mnc"]),
        ],
    );
    let list = Vical::verify(&bytes, &root(&v), now(), &VicalPolicy::default()).unwrap();
    assert_eq!(list.provider(), "Test DTS");
    assert_eq!(list.next_update(), Some(UnixTime::from_secs(VICAL_NEXT)));
    let (store, rejected) = list.trust_store();
    assert!(rejected.is_empty());
    let t = transcript();
    let auth = DeviceAuthInput {
        session_transcript: Some(&t),
        reader_key: None,
    };
    let verifier = Verifier::new(store);
    assert!(verifier
        .verify_device_response(&mint(&pki, &MdocSpec::default()), auth, now())
        .is_valid());
    // The MNC IACA is listed for the My Number Card only, not for mDLs.
    let r = verifier.verify_device_response(&mint(&other, &MdocSpec::default()), auth, now());
    assert_eq!(r.error_codes(), vec![ErrorCode::IssuerChainUntrusted]);
}

#[test]
fn vical_chain_may_include_the_root_itself() {
    let v = VicalPki::new();
    let pki = TestPki::new();
    let chain = vec![v.signer_der.clone(), v.intermediate_der.clone(), v.root_der.clone()];
    let bytes = vical(
        &v,
        chain,
        VICAL_DATE,
        VICAL_NEXT,
        vec![(pki.iaca_der.clone(), vec![MDL])],
    );
    assert!(Vical::verify(&bytes, &root(&v), now(), &VicalPolicy::default()).is_ok());
}

#[test]
fn vical_forgeries_are_refused() {
    let v = VicalPki::new();
    let pki = TestPki::new();
    let entries = || vec![(pki.iaca_der.clone(), vec![MDL])];
    let p = VicalPolicy::default();
    let code = |bytes: &[u8], at: UnixTime, p: &VicalPolicy| Vical::verify(bytes, &root(&v), at, p).unwrap_err().code();

    let good = vical(&v, full_chain(&v), VICAL_DATE, VICAL_NEXT, entries());
    assert_eq!(
        code(&good, UnixTime::from_secs(VICAL_NEXT + 1), &p),
        ErrorCode::TrustListStale
    );
    assert_eq!(
        code(&good, now(), &p.with_max_age_secs(3600)),
        ErrorCode::TrustListStale
    );
    assert_eq!(
        code(&good, UnixTime::from_secs(VICAL_DATE - 1), &p),
        ErrorCode::TrustListInvalid
    );
    // Skew tolerates a slightly late clock.
    assert!(Vical::verify(
        &good,
        &root(&v),
        UnixTime::from_secs(VICAL_NEXT + 30),
        &p.with_clock_skew(60)
    )
    .is_ok());

    // The intermediate left out: the signer does not chain to the root.
    let short = vical(&v, vec![v.signer_der.clone()], VICAL_DATE, VICAL_NEXT, entries());
    assert_eq!(code(&short, now(), &p), ErrorCode::TrustListInvalid);

    // A tampered payload byte.
    let mut bad = good.clone();
    let n = bad.len();
    bad[n - 80] ^= 0x01;
    assert_eq!(code(&bad, now(), &p), ErrorCode::TrustListInvalid);

    // A signer issued by an impostor intermediate with the real one's name.
    let fake_int_key = key(43);
    let int_spec = CertSpec {
        serial: 2,
        ..CertSpec::iaca("Test VICAL Intermediate")
    };
    let fake_int = issue_cert(&int_spec, &fake_int_key, &int_spec.subject, &fake_int_key);
    let signer_spec = CertSpec {
        serial: 3,
        ..CertSpec::ds("Test VICAL Signer")
    };
    let fake_signer = issue_cert(&signer_spec, &v.signer_key, &int_spec.subject, &fake_int_key);
    let forged = vical(&v, vec![fake_signer, fake_int], VICAL_DATE, VICAL_NEXT, entries());
    assert_eq!(code(&forged, now(), &p), ErrorCode::TrustListInvalid);

    // Not CBOR at all.
    assert_eq!(code(b"not a vical", now(), &p), ErrorCode::TrustListInvalid);
}

#[test]
fn vical_entries_that_are_not_iacas_or_lack_a_doctype_are_left_out() {
    let v = VicalPki::new();
    let pki = TestPki::new();
    let bytes = vical(
        &v,
        full_chain(&v),
        VICAL_DATE,
        VICAL_NEXT,
        vec![
            (pki.ds_der.clone(), vec![MDL]),
            (pki.iaca_der.clone(), vec![]),
            (pki.iaca_der.clone(), vec![MDL]),
        ],
    );
    let list = Vical::verify(&bytes, &root(&v), now(), &VicalPolicy::default()).unwrap();
    let (store, rejected) = list.trust_store();
    assert_eq!(store.anchors().len(), 1);
    let idx: Vec<usize> = rejected.iter().map(|(i, _)| *i).collect();
    assert_eq!(idx, vec![0, 1]);
    assert_eq!(rejected[0].1.code(), ErrorCode::CertificateProfileInvalid);
    assert_eq!(rejected[1].1.code(), ErrorCode::TrustListInvalid);
}
