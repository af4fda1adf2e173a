//! ISO 18013-5 Annex B, one forged certificate per rule: the IACA profile
//! checked when an anchor is loaded (B.1.2) and the Document Signer profile
//! checked against its IACA (B.1.4), in both profile strengths.

use crate::support;

use der::asn1::OctetString;
use der::Encode;
use kakunin::{
    AnchorRole, CertificateProfile, DeviceAuthInput, ErrorCode, Policy, TrustAnchor, TrustStore, UnixTime,
    Verification, Verifier,
};
use support::revocation::{resign, resign_cert};
use support::*;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, KeyUsages};

fn now() -> UnixTime {
    UnixTime::from_secs(T2024)
}

fn strict() -> Policy {
    Policy::default().with_certificate_profile(CertificateProfile::AnnexB)
}

/// The explicit opt-in for issuers that break the letter of Annex B.1.4.
fn lenient() -> Policy {
    Policy::default().with_certificate_profile(CertificateProfile::Interoperable)
}

fn verify_in(store: TrustStore, bytes: &[u8], policy: Policy) -> Verification {
    let t = transcript();
    Verifier::new(store).with_policy(policy).verify_device_response(
        bytes,
        DeviceAuthInput {
            session_transcript: Some(&t),
            reader_key: None,
        },
        now(),
    )
}

fn verify(pki: &TestPki, bytes: &[u8], policy: Policy) -> Verification {
    verify_in(pki.trust_store(), bytes, policy)
}

/// Both profiles reject with `code`, and a message naming `rule`.
#[track_caller]
fn assert_rule(pki: &TestPki, spec: &MdocSpec, code: ErrorCode, rule: &str) {
    let b = mint(pki, spec);
    for p in [lenient(), Policy::default(), strict()] {
        let v = verify(pki, &b, p);
        assert!(!v.is_valid(), "forgery verified as valid ({rule})");
        let doc = v.documents()[0].as_ref().unwrap_err();
        assert!(
            doc.errors()
                .iter()
                .any(|e| e.code() == code && e.message().contains(rule)),
            "expected {code} naming {rule:?}, got {}",
            v.to_json()
        );
    }
}

fn pki_with_ds(ds: CertSpec) -> TestPki {
    TestPki::with_specs(CertSpec::iaca("Test IACA"), ds)
}

// ---- IACA profile on load (B.1.2) ----------------------------------------------

#[track_caller]
fn refused(der: &[u8], rule: &str) {
    let e = TrustAnchor::from_der(der).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertificateProfileInvalid);
    assert!(e.message().contains(rule), "expected {rule:?} in {e}");
    let e = TrustStore::from_pem_or_der(der).unwrap_err();
    assert!(e.message().contains(rule), "{e}");
    assert!(TrustAnchor::iaca(der).is_err());
}

fn self_signed(spec: &CertSpec) -> Vec<u8> {
    issue_cert(spec, &key(1), &spec.subject, &key(1))
}

#[test]
fn iaca_profile_is_checked_on_load() {
    assert_eq!(
        TrustAnchor::from_der(&TestPki::new().iaca_der).unwrap().role(),
        AnchorRole::Iaca
    );
    let base = CertSpec::iaca("Test IACA");
    refused(
        &self_signed(&CertSpec {
            key_usage: Some(vec![KeyUsages::KeyCertSign]),
            ..base.clone()
        }),
        "keyUsage lacks cRLSign",
    );
    refused(
        &self_signed(&CertSpec {
            ski: false,
            ..base.clone()
        }),
        "subjectKeyIdentifier missing",
    );
    refused(
        &self_signed(&CertSpec {
            not_before: T2024,
            not_after: T2024 - DAY,
            ..base.clone()
        }),
        "notAfter precedes notBefore",
    );
    // Claims to be its own issuer but is signed by another key.
    refused(
        &issue_cert(&base, &key(1), &base.subject, &key(7)),
        "self-signature does not verify",
    );
    // A CA issued by another CA: an intermediate, not a root.
    refused(
        &issue_cert(&base, &key(1), "CN=Root,C=JP", &key(7)),
        "not a self-signed root",
    );
}

#[test]
fn non_ca_anchor_is_only_a_pinned_signer() {
    // A DS certificate loaded as an anchor can sign documents itself but can
    // never vouch for another certificate.
    let pki = TestPki::new();
    let a = TrustAnchor::from_der(&pki.iaca_der).unwrap();
    assert_eq!(a.role(), AnchorRole::Iaca);
    let as_pinned = TrustStore::builder()
        .add(TrustAnchor::pinned_signer(&pki.iaca_der).unwrap())
        .build();
    let v = verify_in(as_pinned, &mint(&pki, &MdocSpec::default()), Policy::default());
    assert_eq!(v.error_codes(), vec![ErrorCode::IssuerChainUntrusted]);
    // TrustAnchor::iaca refuses a DS outright.
    assert!(TrustAnchor::iaca(&pki.ds_der).is_err());
    assert_eq!(
        TrustAnchor::from_der(&pki.ds_der).unwrap().role(),
        AnchorRole::PinnedSigner
    );
}

// ---- DS profile (B.1.4), enforced by both profiles -------------------------------

#[test]
fn ds_key_usage_must_be_exactly_digital_signature() {
    let pki = pki_with_ds(CertSpec {
        key_usage: Some(vec![KeyUsages::DigitalSignature, KeyUsages::KeyEncipherment]),
        ..CertSpec::ds("Test DS")
    });
    assert_rule(
        &pki,
        &MdocSpec::default(),
        ErrorCode::CertificateProfileInvalid,
        "keyUsage is not exactly",
    );
}

#[test]
fn ds_authority_key_identifier_missing_or_wrong() {
    let pki = pki_with_ds(CertSpec {
        aki: false,
        ..CertSpec::ds("Test DS")
    });
    assert_rule(
        &pki,
        &MdocSpec::default(),
        ErrorCode::CertificateProfileInvalid,
        "authorityKeyIdentifier missing",
    );

    let mut pki = TestPki::new();
    pki.ds_der = resign(&pki.ds_der, &pki.iaca_key, |tbs| {
        for ext in tbs.extensions.iter_mut().flatten() {
            if ext.extn_id.to_string() == "2.5.29.35" {
                let aki = AuthorityKeyIdentifier {
                    key_identifier: Some(OctetString::new(vec![0x42; 20]).unwrap()),
                    authority_cert_issuer: None,
                    authority_cert_serial_number: None,
                };
                ext.extn_value = OctetString::new(aki.to_der().unwrap()).unwrap();
            }
        }
    });
    assert_rule(
        &pki,
        &MdocSpec::default(),
        ErrorCode::CertificateProfileInvalid,
        "authorityKeyIdentifier differs from the IACA subjectKeyIdentifier",
    );
}

#[test]
fn ds_country_must_match_the_iaca() {
    let pki = pki_with_ds(CertSpec {
        subject: "CN=Test DS,C=US".into(),
        ..CertSpec::ds("Test DS")
    });
    assert_rule(
        &pki,
        &MdocSpec::default(),
        ErrorCode::CertificateProfileInvalid,
        "countryName differs",
    );
    let pki = pki_with_ds(CertSpec {
        subject: "CN=Test DS".into(),
        ..CertSpec::ds("Test DS")
    });
    assert_rule(
        &pki,
        &MdocSpec::default(),
        ErrorCode::CertificateProfileInvalid,
        "subject countryName missing",
    );
}

#[test]
fn iaca_without_country_loads_but_vouches_for_no_ds() {
    let iaca = CertSpec {
        subject: "CN=No Country IACA".into(),
        ..CertSpec::iaca("x")
    };
    let pki = TestPki::with_specs(iaca, CertSpec::ds("Test DS"));
    assert_eq!(TrustAnchor::from_der(&pki.iaca_der).unwrap().role(), AnchorRole::Iaca);
    assert_rule(
        &pki,
        &MdocSpec::default(),
        ErrorCode::CertificateProfileInvalid,
        "IACA subject countryName missing",
    );
}

#[test]
fn ds_state_must_match_the_iaca_state() {
    let iaca = CertSpec {
        subject: "CN=Test IACA,ST=Tokyo,C=JP".into(),
        ..CertSpec::iaca("x")
    };
    let pki = TestPki::with_specs(iaca.clone(), CertSpec::ds("Test DS"));
    assert_rule(
        &pki,
        &MdocSpec::default(),
        ErrorCode::CertificateProfileInvalid,
        "stateOrProvinceName differs",
    );
    let ok = TestPki::with_specs(
        iaca,
        CertSpec {
            subject: "CN=Test DS,ST=Tokyo,C=JP".into(),
            ..CertSpec::ds("x")
        },
    );
    assert!(verify(&ok, &mint(&ok, &MdocSpec::default()), strict()).is_valid());
}

#[test]
fn ds_validity_must_nest_in_the_iaca_validity() {
    let pki = pki_with_ds(CertSpec {
        not_after: T2024 + 11 * YEAR,
        ..CertSpec::ds("Test DS")
    });
    assert_rule(
        &pki,
        &MdocSpec::default(),
        ErrorCode::CertificateProfileInvalid,
        "not inside the IACA validity",
    );
}

#[test]
fn mso_must_be_signed_while_the_ds_is_valid() {
    // The DS is valid from T2024-30d; the MSO claims to be signed 10 days before.
    let pki = TestPki::new();
    let spec = MdocSpec {
        signed: T2024 - 40 * DAY,
        valid_from: T2024 - 40 * DAY,
        ..MdocSpec::default()
    };
    assert_rule(
        &pki,
        &spec,
        ErrorCode::CertificateProfileInvalid,
        "outside the Document Signer validity",
    );
}

#[test]
fn issuing_jurisdiction_must_match_the_ds_state() {
    let iaca = CertSpec {
        subject: "CN=Test IACA,ST=Tokyo,C=JP".into(),
        ..CertSpec::iaca("x")
    };
    let pki = TestPki::with_specs(
        iaca,
        CertSpec {
            subject: "CN=Test DS,ST=Tokyo,C=JP".into(),
            ..CertSpec::ds("x")
        },
    );
    let with = |v: &str| {
        let mut s = MdocSpec::default();
        s.namespaces[0].1.push(("issuing_jurisdiction".into(), text(v)));
        s
    };
    assert_rule(&pki, &with("Osaka"), ErrorCode::CountryMismatch, "issuing_jurisdiction");
    assert!(verify(&pki, &mint(&pki, &with("Tokyo")), strict()).is_valid());
}

// ---- strict-only rules ----------------------------------------------------------

#[test]
fn the_default_profile_is_the_letter_of_annex_b() {
    assert_eq!(Policy::default().certificate_profile, CertificateProfile::AnnexB);
    assert_eq!(CertificateProfile::default(), CertificateProfile::AnnexB);
}

#[test]
fn issuing_country_mismatch_is_strict_only() {
    let pki = TestPki::new();
    let mut spec = MdocSpec::default();
    spec.namespaces[0].1.push(("issuing_country".into(), text("US")));
    let b = mint(&pki, &spec);
    assert!(verify(&pki, &b, lenient()).is_valid());
    for p in [Policy::default(), strict()] {
        let v = verify(&pki, &b, p);
        assert_eq!(v.error_codes(), vec![ErrorCode::CountryMismatch]);
    }
    spec.namespaces[0].1.pop();
    spec.namespaces[0].1.push(("issuing_country".into(), text("JP")));
    assert!(verify(&pki, &mint(&pki, &spec), Policy::default()).is_valid());
}

#[test]
fn issuing_jurisdiction_without_ds_state_is_strict_only() {
    let pki = TestPki::new();
    let mut spec = MdocSpec::default();
    spec.namespaces[0]
        .1
        .push(("issuing_jurisdiction".into(), text("Tokyo")));
    let b = mint(&pki, &spec);
    assert!(verify(&pki, &b, lenient()).is_valid());
    for p in [Policy::default(), strict()] {
        assert_eq!(verify(&pki, &b, p).error_codes(), vec![ErrorCode::CountryMismatch]);
    }
}

#[test]
fn eudi_eku_alias_is_interoperable_only() {
    let pki = pki_with_ds(CertSpec {
        eku: Some(vec!["1.3.130.2.0.0.1.2"]),
        ..CertSpec::ds("Test DS")
    });
    let b = mint(&pki, &MdocSpec::default());
    assert!(verify(&pki, &b, lenient()).is_valid());
    for p in [Policy::default(), strict()] {
        let v = verify(&pki, &b, p);
        assert_eq!(v.error_codes(), vec![ErrorCode::CertificateProfileInvalid]);
        assert!(v.to_json().contains("exactly 1.0.18013.5.1.2"));
    }
}

#[test]
fn ds_with_more_than_the_mdoc_eku_is_interoperable_only() {
    let pki = pki_with_ds(CertSpec {
        eku: Some(vec!["1.0.18013.5.1.2", "1.3.6.1.5.5.7.3.1"]),
        ..CertSpec::ds("Test DS")
    });
    let b = mint(&pki, &MdocSpec::default());
    assert!(verify(&pki, &b, lenient()).is_valid());
    let v = verify(&pki, &b, Policy::default());
    assert_eq!(v.error_codes(), vec![ErrorCode::CertificateProfileInvalid]);
}

// ---- pinned signers ------------------------------------------------------------

fn pinned(pki: &TestPki) -> TrustStore {
    TrustStore::builder()
        .add(TrustAnchor::pinned_signer(&pki.ds_der).unwrap())
        .build()
}

#[test]
fn pinned_signer_with_a_foreign_eku_is_refused_in_every_profile() {
    // An operator pins a status-list signer (or a TLS certificate) as if it
    // were a Document Signer: its extKeyUsage says what it is for.
    for eku in [vec!["1.3.6.1.5.5.7.3.1"], vec!["1.0.18013.5.1.6"]] {
        let pki = pki_with_ds(CertSpec {
            eku: Some(eku.clone()),
            ..CertSpec::ds("Test DS")
        });
        let b = mint(&pki, &MdocSpec::default());
        for p in [lenient(), Policy::default()] {
            let v = verify_in(pinned(&pki), &b, p);
            assert_eq!(v.error_codes(), vec![ErrorCode::CertificateProfileInvalid], "{eku:?}");
            assert!(v.to_json().contains("pinned Document Signer"), "{}", v.to_json());
        }
    }
    // The mdoc DS purpose, or no extKeyUsage at all (the operator's choice of
    // that key), is accepted.
    for eku in [Some(vec!["1.0.18013.5.1.2"]), None] {
        let pki = pki_with_ds(CertSpec {
            eku,
            ..CertSpec::ds("Test DS")
        });
        let b = mint(&pki, &MdocSpec::default());
        assert!(verify_in(pinned(&pki), &b, Policy::default()).is_valid());
    }
    // The EUDI alias only under the interoperable profile.
    let pki = pki_with_ds(CertSpec {
        eku: Some(vec!["1.3.130.2.0.0.1.2"]),
        ..CertSpec::ds("Test DS")
    });
    let b = mint(&pki, &MdocSpec::default());
    assert!(verify_in(pinned(&pki), &b, lenient()).is_valid());
    assert_eq!(
        verify_in(pinned(&pki), &b, Policy::default()).error_codes(),
        vec![ErrorCode::CertificateProfileInvalid]
    );
}

// ---- algorithms and curves --------------------------------------------------------

#[test]
fn anchor_on_an_unsupported_curve_is_refused_on_load() {
    // The test IACA re-labelled as a secp256k1 key.
    let pki = TestPki::new();
    let der = resign(&pki.iaca_der, &pki.iaca_key, |tbs| {
        tbs.subject_public_key_info.algorithm.parameters =
            Some(der::Any::from(der::asn1::ObjectIdentifier::new_unwrap("1.3.132.0.10")));
    });
    let e = TrustAnchor::from_der(&der).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnsupportedAlgorithm);
    assert!(TrustStore::from_pem_or_der(&der).is_err());
}

#[test]
fn ds_signed_with_a_disallowed_algorithm_is_refused() {
    // ecdsa-with-SHA1 is not among the Annex B algorithms.
    let mut pki = TestPki::new();
    let sha1 = x509_cert::spki::AlgorithmIdentifierOwned {
        oid: der::asn1::ObjectIdentifier::new_unwrap("1.2.840.10045.4.1"),
        parameters: None,
    };
    pki.ds_der = resign_cert(&pki.ds_der, &pki.iaca_key, |c| {
        c.tbs_certificate.signature = sha1.clone();
        c.signature_algorithm = sha1.clone();
    });
    let v = verify(&pki, &mint(&pki, &MdocSpec::default()), Policy::default());
    assert_eq!(v.error_codes(), vec![ErrorCode::UnsupportedAlgorithm]);
}
