//! VICALs minted by the test issuer: a valid list loads its IACAs with
//! their docType scopes; every forged list is refused with its own code.

use crate::support;

use kakunin::vical::{Vical, VicalPolicy};
use kakunin::ParsedCertificate;
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
        &p.with_clock_skew_secs(60)
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

/// A VICAL signed by a signer minted from `spec` under the test VICAL
/// intermediate (whose key is the fixed test key 41).
fn signed_by(v: &VicalPki, spec: CertSpec) -> Vec<u8> {
    let int = CertSpec {
        serial: 2,
        ..CertSpec::iaca("Test VICAL Intermediate")
    };
    let signer = issue_cert(&spec, &v.signer_key, &int.subject, &key(41));
    let pki = TestPki::new();
    vical(
        v,
        vec![signer, v.intermediate_der.clone()],
        VICAL_DATE,
        VICAL_NEXT,
        vec![(pki.iaca_der.clone(), vec![MDL])],
    )
}

fn signer_spec() -> CertSpec {
    CertSpec {
        serial: 3,
        eku: Some(vec!["1.0.18013.5.1.8"]),
        ..CertSpec::ds("Test VICAL Signer")
    }
}

#[test]
fn vical_signer_needs_the_vical_eku_and_digital_signature() {
    let v = VicalPki::new();
    let p = VicalPolicy::default();
    let verify = |b: &[u8], p: &VicalPolicy| Vical::verify(b, &root(&v), now(), p);
    assert!(verify(&signed_by(&v, signer_spec()), &p).is_ok());
    // A Document Signer of the same PKI (the mdoc DS EKU), or no EKU at all.
    for eku in [Some(vec!["1.0.18013.5.1.2"]), None] {
        let e = verify(&signed_by(&v, CertSpec { eku, ..signer_spec() }), &p).unwrap_err();
        assert_eq!(e.code(), ErrorCode::TrustListInvalid);
        assert!(e.message().contains("1.0.18013.5.1.8"), "{e}");
    }
    // keyUsage without digitalSignature, or absent.
    let ka = CertSpec {
        key_usage: Some(vec![x509_cert::ext::pkix::KeyUsages::KeyAgreement]),
        ..signer_spec()
    };
    let none = CertSpec {
        key_usage: None,
        ..signer_spec()
    };
    for spec in [ka, none] {
        let e = verify(&signed_by(&v, spec), &p).unwrap_err();
        assert_eq!(e.code(), ErrorCode::TrustListInvalid);
        assert!(e.message().contains("digitalSignature"), "{e}");
    }
    // nonRepudiation (contentCommitment) only: refused unless the policy
    // allows it (the AAMVA production signer).
    let nr = signed_by(
        &v,
        CertSpec {
            key_usage: Some(vec![x509_cert::ext::pkix::KeyUsages::NonRepudiation]),
            ..signer_spec()
        },
    );
    assert_eq!(verify(&nr, &p).unwrap_err().code(), ErrorCode::TrustListInvalid);
    assert!(verify(&nr, &p.with_allow_content_commitment_signer(true)).is_ok());
}

#[test]
fn vical_path_length_constraints_are_honoured() {
    let v = VicalPki::new();
    let pki = TestPki::new();
    let entries = || vec![(pki.iaca_der.clone(), vec![MDL])];
    // A second intermediate under the first, whose pathLenConstraint is 0.
    let int2_key = key(44);
    let int2 = CertSpec {
        serial: 4,
        ..CertSpec::iaca("Test VICAL Sub-Intermediate")
    };
    let int2_der = issue_cert(&int2, &int2_key, "CN=Test VICAL Intermediate,C=JP", &key(41));
    let signer = issue_cert(&signer_spec(), &v.signer_key, &int2.subject, &int2_key);
    let bytes = vical(
        &v,
        vec![signer, int2_der, v.intermediate_der.clone()],
        VICAL_DATE,
        VICAL_NEXT,
        entries(),
    );
    let e = Vical::verify(&bytes, &root(&v), now(), &VicalPolicy::default()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TrustListInvalid);
    assert!(e.message().contains("pathLenConstraint"), "{e}");
    // The anchor's own constraint counts too: a root with pathLenConstraint 0
    // may not have the intermediate below it.
    let root0_key = key(40);
    let root0 = CertSpec::iaca("Test VICAL Root");
    let root0_der = issue_cert(&root0, &root0_key, &root0.subject, &root0_key);
    let anchors = vec![ParsedCertificate::from_der(&root0_der).unwrap()];
    let good = vical(&v, full_chain(&v), VICAL_DATE, VICAL_NEXT, entries());
    let e = Vical::verify(&good, &anchors, now(), &VicalPolicy::default()).unwrap_err();
    assert!(e.message().contains("pathLenConstraint"), "{e}");
    assert!(Vical::verify(&good, &root(&v), now(), &VicalPolicy::default()).is_ok());
}

#[test]
fn vical_rollback_is_refused_when_the_last_issue_id_is_given() {
    // The minted VICAL has vicalIssueID 7.
    let v = VicalPki::new();
    let pki = TestPki::new();
    let good = vical(
        &v,
        full_chain(&v),
        VICAL_DATE,
        VICAL_NEXT,
        vec![(pki.iaca_der.clone(), vec![MDL])],
    );
    let p = VicalPolicy::default();
    for last in [0, 6, 7] {
        let list = Vical::verify(&good, &root(&v), now(), &p.with_last_issue_id(last)).unwrap();
        assert_eq!(list.issue_id(), Some(7));
    }
    let e = Vical::verify(&good, &root(&v), now(), &p.with_last_issue_id(8)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::TrustListStale);
    assert!(e.message().contains("older than the last accepted 8"), "{e}");
}
