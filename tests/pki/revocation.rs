//! Revocation, sans I/O: CRLs and MSO status lists minted by the test
//! issuer, each forged input rejected with its own code under the policy.

// Lists of minted byte strings read best as `&[x.clone()]`.
#![allow(clippy::cloned_ref_to_slice_refs)]

use crate::support;

use kakunin::{
    DeviceAuthInput, ErrorCode, Policy, RevocationData, RevocationMode, RevocationPolicy, UnixTime, Verification,
    Verifier,
};
use support::revocation::*;
use support::*;

fn now() -> UnixTime {
    UnixTime::from_secs(T2024)
}

fn policy(mode: RevocationMode) -> Policy {
    Policy::default().with_revocation(RevocationPolicy::new(mode))
}

fn run(pki: &TestPki, bytes: &[u8], policy: Policy, data: RevocationData, at: UnixTime) -> Verification {
    let t = transcript();
    Verifier::new(pki.trust_store())
        .with_policy(policy)
        .with_revocation_data(data)
        .verify_device_response(
            bytes,
            DeviceAuthInput {
                session_transcript: Some(&t),
                reader_key: None,
            },
            at,
        )
}

fn data(crls: &[Vec<u8>], tokens: &[Vec<u8>]) -> RevocationData {
    let mut d = RevocationData::new();
    for c in crls {
        d.add_crl(c).unwrap();
    }
    for t in tokens {
        d.add_status_token(t).unwrap();
    }
    d
}

#[track_caller]
fn assert_valid(v: &Verification) {
    assert!(v.is_valid(), "{}", v.to_json());
}

#[track_caller]
fn assert_codes(v: &Verification, code: ErrorCode) {
    assert!(!v.is_valid(), "forgery verified as valid");
    assert_eq!(v.error_codes(), vec![code], "{}", v.to_json());
}

fn crl(pki: &TestPki, f: impl FnOnce(&mut CrlSpec)) -> Vec<u8> {
    let mut s = CrlSpec::of(pki);
    f(&mut s);
    issue_crl(&s, &pki.iaca_key)
}

// ---- CRL -------------------------------------------------------------------

#[test]
fn crl_current_and_not_listing_the_ds_passes_required() {
    let pki = TestPki::new();
    let b = mint(&pki, &MdocSpec::default());
    assert_valid(&run(
        &pki,
        &b,
        policy(RevocationMode::Required),
        data(&[crl(&pki, |_| {})], &[]),
        now(),
    ));
}

#[test]
fn crl_listing_the_ds_serial_revokes_in_every_mode_but_off() {
    let pki = TestPki::new();
    let b = mint(&pki, &MdocSpec::default());
    let listed = crl(&pki, |s| s.revoked_serials = vec![9, 2]);
    for mode in [RevocationMode::Required, RevocationMode::BestEffort] {
        assert_codes(
            &run(&pki, &b, policy(mode), data(&[listed.clone()], &[]), now()),
            ErrorCode::CertificateRevoked,
        );
    }
    // Even a stale CRL proves a revocation.
    let stale = crl(&pki, |s| {
        s.revoked_serials = vec![2];
        s.next_update = Some(T2024 - 60);
    });
    assert_codes(
        &run(&pki, &b, policy(RevocationMode::BestEffort), data(&[stale], &[]), now()),
        ErrorCode::CertificateRevoked,
    );
    assert_valid(&run(&pki, &b, policy(RevocationMode::Off), data(&[listed], &[]), now()));
}

#[test]
fn crl_missing_when_required_is_unavailable() {
    let pki = TestPki::new();
    let b = mint(&pki, &MdocSpec::default());
    assert_codes(
        &run(&pki, &b, policy(RevocationMode::Required), data(&[], &[]), now()),
        ErrorCode::RevocationUnavailable,
    );
    assert_valid(&run(
        &pki,
        &b,
        policy(RevocationMode::BestEffort),
        data(&[], &[]),
        now(),
    ));
    // A CRL of another IACA does not count.
    let other = TestPki::with_specs(CertSpec::iaca("Other IACA"), CertSpec::ds("Other DS"));
    let foreign = crl(&other, |_| {});
    assert_codes(
        &run(&pki, &b, policy(RevocationMode::Required), data(&[foreign], &[]), now()),
        ErrorCode::RevocationUnavailable,
    );
}

#[test]
fn crl_past_next_update_or_too_old_is_stale() {
    let pki = TestPki::new();
    let b = mint(&pki, &MdocSpec::default());
    let stale = crl(&pki, |s| s.next_update = Some(T2024 - 60));
    assert_codes(
        &run(
            &pki,
            &b,
            policy(RevocationMode::Required),
            data(&[stale.clone()], &[]),
            now(),
        ),
        ErrorCode::RevocationStale,
    );
    assert_valid(&run(
        &pki,
        &b,
        policy(RevocationMode::BestEffort),
        data(&[stale], &[]),
        now(),
    ));
    let no_next = crl(&pki, |s| s.next_update = None);
    assert_codes(
        &run(&pki, &b, policy(RevocationMode::Required), data(&[no_next], &[]), now()),
        ErrorCode::RevocationStale,
    );
    let p = Policy::default().with_revocation(RevocationPolicy::new(RevocationMode::Required).with_max_age_secs(3600));
    assert_codes(
        &run(&pki, &b, p, data(&[crl(&pki, |_| {})], &[]), now()),
        ErrorCode::RevocationStale,
    );
}

#[test]
fn crl_with_forged_signature_or_from_the_future_is_unusable() {
    let pki = TestPki::new();
    let b = mint(&pki, &MdocSpec::default());
    // Same issuer name, another key: neither a proof of revocation nor of its absence.
    let forged = issue_crl(
        &CrlSpec {
            revoked_serials: vec![2],
            ..CrlSpec::of(&pki)
        },
        &key(66),
    );
    assert_codes(
        &run(
            &pki,
            &b,
            policy(RevocationMode::Required),
            data(&[forged.clone()], &[]),
            now(),
        ),
        ErrorCode::RevocationUnavailable,
    );
    assert_valid(&run(
        &pki,
        &b,
        policy(RevocationMode::BestEffort),
        data(&[forged], &[]),
        now(),
    ));
    let future = crl(&pki, |s| s.this_update = T2024 + 3600);
    assert_codes(
        &run(&pki, &b, policy(RevocationMode::Required), data(&[future], &[]), now()),
        ErrorCode::RevocationUnavailable,
    );
    // A current CRL next to the forged one satisfies the requirement.
    let forged = issue_crl(&CrlSpec::of(&pki), &key(66));
    assert_valid(&run(
        &pki,
        &b,
        policy(RevocationMode::Required),
        data(&[forged, crl(&pki, |_| {})], &[]),
        now(),
    ));
}

#[test]
fn crl_extensions_kakunin_cannot_honour_are_refused_on_load() {
    let pki = TestPki::new();
    let load = |ext: (&'static str, bool)| {
        let der = crl(&pki, |s| s.extensions = vec![ext]);
        RevocationData::new().add_crl(&der).map(|_| ())
    };
    // A critical issuingDistributionPoint may partition the CRL: it cannot
    // prove that the DS is absent. Delta CRLs are not supported.
    let e = load(("2.5.29.28", true)).unwrap_err();
    assert_eq!(e.code(), ErrorCode::RevocationUnavailable);
    assert!(e.message().contains("unsupported critical extension 2.5.29.28"), "{e}");
    let e = load(("2.5.29.27", false)).unwrap_err();
    assert!(e.message().contains("delta CRLs"), "{e}");
    // Non-critical unknown extensions are ignored.
    assert!(load(("1.2.3.4", false)).is_ok());
}

#[test]
fn malformed_crl_is_refused_on_load() {
    let pki = TestPki::new();
    let mut bytes = crl(&pki, |_| {});
    bytes.truncate(bytes.len() - 3);
    let e = RevocationData::new().add_crl(&bytes).map(|_| ()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::RevocationUnavailable);
}

// ---- MSO status ----------------------------------------------------------------

fn with_status(idx: u64) -> MdocSpec {
    MdocSpec {
        mso_status: Some(status_list_ref(idx, STATUS_URI)),
        ..MdocSpec::default()
    }
}

fn token(pki: &TestPki, f: impl FnOnce(&mut TokenSpec)) -> Vec<u8> {
    let (k, der) = status_signer(pki);
    let mut s = TokenSpec::status_list(&der, 2, vec![0, 0, 0, 1, 2, 0, 3]);
    f(&mut s);
    status_token(&s, &k)
}

fn required_with(pki: &TestPki, bytes: &[u8], tokens: &[Vec<u8>]) -> Verification {
    run(
        pki,
        bytes,
        policy(RevocationMode::Required),
        data(&[crl(pki, |_| {})], tokens),
        now(),
    )
}

#[test]
fn status_list_valid_revoked_suspended() {
    let pki = TestPki::new();
    let t = token(&pki, |_| {});
    assert_valid(&required_with(&pki, &mint(&pki, &with_status(0)), &[t.clone()]));
    assert_codes(
        &required_with(&pki, &mint(&pki, &with_status(3)), &[t.clone()]),
        ErrorCode::DocumentRevoked,
    );
    assert_codes(
        &required_with(&pki, &mint(&pki, &with_status(4)), &[t.clone()]),
        ErrorCode::DocumentSuspended,
    );
    // 3 is application-specific: not a "valid" answer.
    assert_codes(
        &required_with(&pki, &mint(&pki, &with_status(6)), &[t]),
        ErrorCode::RevocationUnavailable,
    );
}

#[test]
fn status_list_every_bit_width() {
    let pki = TestPki::new();
    for bits in [1u8, 2, 4, 8] {
        let mut statuses = vec![0u8; 20];
        statuses[13] = 1;
        let t = token(&pki, |s| {
            s.bits = bits;
            s.statuses = statuses.clone();
        });
        assert_valid(&required_with(&pki, &mint(&pki, &with_status(12)), &[t.clone()]));
        assert_codes(
            &required_with(&pki, &mint(&pki, &with_status(13)), &[t]),
            ErrorCode::DocumentRevoked,
        );
    }
}

#[test]
fn status_list_index_out_of_bounds_is_unavailable() {
    let pki = TestPki::new();
    // 7 entries of 2 bits = 2 bytes = 8 entries; index 8 is past the end.
    let t = token(&pki, |_| {});
    assert_codes(
        &required_with(&pki, &mint(&pki, &with_status(8)), &[t]),
        ErrorCode::RevocationUnavailable,
    );
}

#[test]
fn status_list_missing_or_for_another_uri_is_unavailable() {
    let pki = TestPki::new();
    let b = mint(&pki, &with_status(0));
    assert_codes(&required_with(&pki, &b, &[]), ErrorCode::RevocationUnavailable);
    let t = token(&pki, |s| s.sub = "https://issuer.example/status/2".into());
    assert_codes(&required_with(&pki, &b, &[t]), ErrorCode::RevocationUnavailable);
    // Best effort: no list, no rejection.
    assert_valid(&run(
        &pki,
        &b,
        policy(RevocationMode::BestEffort),
        data(&[], &[]),
        now(),
    ));
}

#[test]
fn status_list_signed_by_the_ds_or_a_foreign_signer_is_unusable() {
    let pki = TestPki::new();
    let b = mint(&pki, &with_status(3));
    // The DS certificate may not sign status lists (its EKU is for MSOs).
    let mut s = TokenSpec::status_list(&pki.ds_der, 2, vec![0, 0, 0, 1]);
    let by_ds = status_token(&s, &pki.ds_key);
    assert_codes(
        &required_with(&pki, &b, &[by_ds.clone()]),
        ErrorCode::RevocationUnavailable,
    );
    // An unauthentic token proves nothing, not even a revocation.
    assert_valid(&run(
        &pki,
        &b,
        policy(RevocationMode::BestEffort),
        data(&[], &[by_ds]),
        now(),
    ));
    // A signer issued by another IACA.
    let other = TestPki::with_specs(CertSpec::iaca("Other IACA"), CertSpec::ds("Other DS"));
    let (k, der) = status_signer(&other);
    s.x5chain = vec![der];
    assert_codes(
        &required_with(&pki, &b, &[status_token(&s, &k)]),
        ErrorCode::RevocationUnavailable,
    );
    // A signer certificate carrying the DS EKU.
    let k = key(6);
    let der = issue_cert(
        &CertSpec {
            serial: 6,
            ..CertSpec::ds("EKU DS-like")
        },
        &k,
        &pki.iaca_name,
        &pki.iaca_key,
    );
    s.x5chain = vec![der];
    assert_codes(
        &required_with(&pki, &b, &[status_token(&s, &k)]),
        ErrorCode::RevocationUnavailable,
    );
    // A broken signature.
    let t = token(&pki, |s| s.break_signature = true);
    assert_codes(&required_with(&pki, &b, &[t]), ErrorCode::RevocationUnavailable);
    // The wrong typ is refused on load.
    let t = token(&pki, |s| s.typ = Some("application/cwt".into()));
    assert_eq!(
        RevocationData::new()
            .add_status_token(&t)
            .map(|_| ())
            .unwrap_err()
            .code(),
        ErrorCode::RevocationUnavailable
    );
}

#[test]
fn status_list_time_claims() {
    let pki = TestPki::new();
    let revoked = mint(&pki, &with_status(3));
    let suspended = mint(&pki, &with_status(4));
    let valid = mint(&pki, &with_status(0));
    let expired = token(&pki, |s| s.exp = Some(T2024 - 60));
    assert_codes(
        &required_with(&pki, &valid, &[expired.clone()]),
        ErrorCode::RevocationStale,
    );
    let ttl_over = token(&pki, |s| s.ttl = Some(600));
    assert_codes(&required_with(&pki, &valid, &[ttl_over]), ErrorCode::RevocationStale);
    let future = token(&pki, |s| s.iat = T2024 + 600);
    assert_codes(
        &required_with(&pki, &valid, &[future]),
        ErrorCode::RevocationUnavailable,
    );
    let p = Policy::default().with_revocation(RevocationPolicy::new(RevocationMode::Required).with_max_age_secs(60));
    let fresh_crl = issue_crl(
        &CrlSpec {
            this_update: T2024 - 30,
            ..CrlSpec::of(&pki)
        },
        &pki.iaca_key,
    );
    assert_codes(
        &run(&pki, &valid, p, data(&[fresh_crl], &[token(&pki, |_| {})]), now()),
        ErrorCode::RevocationStale,
    );
    // Best effort with an expired list: a revocation and a suspension both
    // still count (only "valid" needs current data).
    let be = |b: &[u8]| {
        run(
            &pki,
            b,
            policy(RevocationMode::BestEffort),
            data(&[], &[expired.clone()]),
            now(),
        )
    };
    assert_codes(&be(&revoked), ErrorCode::DocumentRevoked);
    assert_codes(&be(&suspended), ErrorCode::DocumentSuspended);
}

#[test]
fn status_token_without_exp_or_ttl_is_never_current_when_required() {
    // A token that never expires could be replayed forever.
    let pki = TestPki::new();
    let forever = token(&pki, |s| {
        s.exp = None;
        s.ttl = None;
    });
    let valid = mint(&pki, &with_status(0));
    let v = required_with(&pki, &valid, &[forever.clone()]);
    assert_codes(&v, ErrorCode::RevocationStale);
    assert!(v.to_json().contains("no next update time"), "{}", v.to_json());
    // Best effort tolerates it, and says so.
    let v = run(
        &pki,
        &valid,
        policy(RevocationMode::BestEffort),
        data(&[crl(&pki, |_| {})], &[forever.clone()]),
        now(),
    );
    assert_valid(&v);
    let w = v.documents()[0].as_ref().unwrap().policy_warnings();
    assert_eq!(
        w.iter().map(|e| e.code()).collect::<Vec<_>>(),
        vec![ErrorCode::RevocationStale]
    );
    // What it says about revocation still counts.
    assert_codes(
        &required_with(&pki, &mint(&pki, &with_status(3)), &[forever]),
        ErrorCode::DocumentRevoked,
    );
    // exp alone or ttl alone is enough.
    for (exp, ttl) in [(Some(T2024 + DAY), None), (None, Some(43_200))] {
        let t = token(&pki, |s| {
            s.exp = exp;
            s.ttl = ttl;
        });
        assert_valid(&required_with(&pki, &valid, &[t]));
    }
}

/// A status signer of the test IACA valid from `nb` to `na`.
fn signer_valid(pki: &TestPki, nb: i64, na: i64) -> (p256::ecdsa::SigningKey, Vec<u8>) {
    let k = key(5);
    let spec = CertSpec {
        serial: 5,
        eku: None,
        not_before: nb,
        not_after: na,
        ..CertSpec::ds("Test Status Signer")
    };
    let der = issue_cert(&spec, &k, &pki.iaca_name, &pki.iaca_key);
    (k, der)
}

#[test]
fn status_signer_is_judged_at_the_token_iat() {
    let pki = TestPki::new();
    // The signer expired a minute ago; it signed an hour ago, while valid.
    let (k, der) = signer_valid(&pki, T2024 - 30 * DAY, T2024 - 60);
    let statuses = vec![0, 0, 0, 1, 2];
    let t = status_token(&TokenSpec::status_list(&der, 2, statuses.clone()), &k);
    for mode in [RevocationMode::BestEffort, RevocationMode::Required] {
        let r = |b: &[u8]| run(&pki, b, policy(mode), data(&[crl(&pki, |_| {})], &[t.clone()]), now());
        assert_codes(&r(&mint(&pki, &with_status(3))), ErrorCode::DocumentRevoked);
        assert_codes(&r(&mint(&pki, &with_status(4))), ErrorCode::DocumentSuspended);
        assert_valid(&r(&mint(&pki, &with_status(0))));
    }
    // A revocation from a token that is itself long expired, signed by a
    // signer that has expired since: final all the same.
    let mut old = TokenSpec::status_list(&der, 2, statuses.clone());
    old.iat = T2024 - 2 * DAY;
    old.exp = Some(T2024 - DAY);
    let old = status_token(&old, &k);
    let be = run(
        &pki,
        &mint(&pki, &with_status(3)),
        policy(RevocationMode::BestEffort),
        data(&[], &[old]),
        now(),
    );
    assert_codes(&be, ErrorCode::DocumentRevoked);
    // A token signed after its signer expired (or before it was valid)
    // proves nothing, not even a revocation.
    let mut late = TokenSpec::status_list(&der, 2, statuses.clone());
    late.iat = T2024 - 30;
    let late = status_token(&late, &k);
    let v = run(
        &pki,
        &mint(&pki, &with_status(3)),
        policy(RevocationMode::Required),
        data(&[crl(&pki, |_| {})], &[late.clone()]),
        now(),
    );
    assert_codes(&v, ErrorCode::RevocationUnavailable);
    assert!(v.to_json().contains("at the token's iat"), "{}", v.to_json());
    let (k2, future_signer) = signer_valid(&pki, T2024 - 600, T2024 + DAY);
    let early = status_token(&TokenSpec::status_list(&future_signer, 2, statuses), &k2);
    assert_codes(
        &required_with(&pki, &mint(&pki, &with_status(3)), &[early]),
        ErrorCode::RevocationUnavailable,
    );
}

#[test]
fn a_suspension_is_lifted_only_by_a_newer_current_token() {
    let pki = TestPki::new();
    let b = mint(&pki, &with_status(4));
    let suspended_old = token(&pki, |s| s.iat = T2024 - 7200);
    let lifted = token(&pki, |s| s.statuses = vec![0; 8]);
    assert_valid(&required_with(&pki, &b, &[suspended_old.clone(), lifted.clone()]));
    assert_valid(&required_with(&pki, &b, &[lifted.clone(), suspended_old]));
    // An older "valid" does not lift a newer suspension.
    let valid_old = token(&pki, |s| {
        s.iat = T2024 - 7200;
        s.statuses = vec![0; 8];
    });
    assert_codes(
        &required_with(&pki, &b, &[valid_old, token(&pki, |_| {})]),
        ErrorCode::DocumentSuspended,
    );
}

#[test]
fn best_effort_reports_what_it_tolerated() {
    let pki = TestPki::new();
    let b = mint(&pki, &with_status(0));
    let be = |d: RevocationData| run(&pki, &b, policy(RevocationMode::BestEffort), d, now());
    let codes = |v: &Verification| {
        v.documents()[0]
            .as_ref()
            .unwrap()
            .policy_warnings()
            .iter()
            .map(|e| e.code())
            .collect::<Vec<_>>()
    };
    // Nothing given: both mechanisms unproven.
    let v = be(data(&[], &[]));
    assert_valid(&v);
    assert_eq!(
        codes(&v),
        vec![ErrorCode::RevocationUnavailable, ErrorCode::RevocationUnavailable]
    );
    let json = v.to_json();
    assert!(
        json.contains("\"errors\":[],\"warnings\":[{\"code\":\"revocation_unavailable\",\"message\":\"no CRL of"),
        "{json}"
    );
    assert!(json.ends_with("\"errors\":[],\"warnings\":[]}"), "{json}");
    // A stale CRL and an expired token: stale.
    let stale_crl = crl(&pki, |s| s.next_update = Some(T2024 - 60));
    let expired = token(&pki, |s| s.exp = Some(T2024 - 60));
    let v = be(data(&[stale_crl], &[expired]));
    assert_valid(&v);
    assert_eq!(codes(&v), vec![ErrorCode::RevocationStale, ErrorCode::RevocationStale]);
    // Everything current: no warning.
    let v = be(data(&[crl(&pki, |_| {})], &[token(&pki, |_| {})]));
    assert_valid(&v);
    assert!(codes(&v).is_empty());
    assert!(v.warnings().is_empty());
    // Off checks nothing and reports nothing.
    let v = run(&pki, &b, policy(RevocationMode::Off), data(&[], &[]), now());
    assert!(codes(&v).is_empty());
}

#[test]
fn status_signer_keeps_to_its_role() {
    let pki = TestPki::new();
    let b = mint(&pki, &with_status(3));
    let revoking = token(&pki, |_| {});
    let lenient = || {
        Policy::default()
            .with_certificate_profile(kakunin::CertificateProfile::Interoperable)
            .with_revocation(RevocationPolicy::new(RevocationMode::Required))
    };
    // Under the interoperable profile a certificate without extKeyUsage may
    // sign MSOs, so it may not also sign status lists.
    let v = run(
        &pki,
        &b,
        lenient(),
        data(&[crl(&pki, |_| {})], &[revoking.clone()]),
        now(),
    );
    assert_codes(&v, ErrorCode::RevocationUnavailable);
    assert!(v.to_json().contains("one certificate, one role"), "{}", v.to_json());
    // With an extKeyUsage of its own it may.
    let k = key(7);
    let der = issue_cert(
        &CertSpec {
            serial: 7,
            eku: Some(vec!["1.3.6.1.4.1.99999.1"]),
            ..CertSpec::ds("Test Status Signer")
        },
        &k,
        &pki.iaca_name,
        &pki.iaca_key,
    );
    let t = status_token(&TokenSpec::status_list(&der, 2, vec![0, 0, 0, 1]), &k);
    assert_codes(
        &run(&pki, &b, lenient(), data(&[crl(&pki, |_| {})], &[t]), now()),
        ErrorCode::DocumentRevoked,
    );
    // A certificate the operator pinned as a Document Signer never signs
    // status lists, even when its IACA issued it.
    let (_, signer_der) = status_signer(&pki);
    let mut store = kakunin::TrustStore::builder();
    store.add_pem_or_der(&pki.iaca_der).unwrap();
    store.add(kakunin::TrustAnchor::pinned_signer(&signer_der).unwrap());
    let t = transcript();
    let v = Verifier::new(store.build())
        .with_policy(policy(RevocationMode::Required))
        .with_revocation_data(data(&[crl(&pki, |_| {})], &[revoking]))
        .verify_device_response(
            &b,
            DeviceAuthInput {
                session_transcript: Some(&t),
                reader_key: None,
            },
            now(),
        );
    assert_codes(&v, ErrorCode::RevocationUnavailable);
    assert!(v.to_json().contains("pinned Document Signer"), "{}", v.to_json());
}

#[test]
fn status_signer_named_in_the_mso_is_used() {
    let pki = TestPki::new();
    let (k, der) = status_signer(&pki);
    let status = ciborium::Value::Map(vec![(
        text("status_list"),
        ciborium::Value::Map(vec![
            (text("idx"), ciborium::Value::Integer(3.into())),
            (text("uri"), text(STATUS_URI)),
            (text("certificate"), ciborium::Value::Bytes(der.clone())),
        ]),
    )]);
    let b = mint(
        &pki,
        &MdocSpec {
            mso_status: Some(status),
            ..MdocSpec::default()
        },
    );
    let mut s = TokenSpec::status_list(&der, 2, vec![0, 0, 0, 1]);
    s.x5chain.clear();
    assert_codes(
        &required_with(&pki, &b, &[status_token(&s, &k)]),
        ErrorCode::DocumentRevoked,
    );
}

#[test]
fn identifier_list_listed_is_revoked() {
    let pki = TestPki::new();
    let (k, der) = status_signer(&pki);
    let t = status_token(&TokenSpec::identifier_list(&der, vec![vec![1, 2, 3], vec![9]]), &k);
    let listed = mint(
        &pki,
        &MdocSpec {
            mso_status: Some(identifier_list_ref(&[9], STATUS_URI)),
            ..MdocSpec::default()
        },
    );
    let unlisted = mint(
        &pki,
        &MdocSpec {
            mso_status: Some(identifier_list_ref(&[4], STATUS_URI)),
            ..MdocSpec::default()
        },
    );
    assert_codes(&required_with(&pki, &listed, &[t.clone()]), ErrorCode::DocumentRevoked);
    assert_valid(&required_with(&pki, &unlisted, &[t.clone()]));
    // A status-list reference answered by an identifier list is not an answer.
    assert_codes(
        &required_with(&pki, &mint(&pki, &with_status(0)), &[t]),
        ErrorCode::RevocationUnavailable,
    );
}

#[test]
fn pinned_signer_needs_revocation_data_unless_exempt() {
    // A pinned DS has no IACA in the store: no CRL or status-list signer can
    // vouch for it, so `required` rejects it rather than passing silently,
    // unless the operator exempts pinned signers explicitly.
    let pki = TestPki::new();
    let store = kakunin::TrustStore::from_pem_or_der(&pki.ds_der).unwrap();
    let t = transcript();
    let auth = DeviceAuthInput {
        session_transcript: Some(&t),
        reader_key: None,
    };
    let plain = mint(&pki, &MdocSpec::default());
    let with_ref = mint(&pki, &with_status(0));
    let tokens = data(&[], &[token(&pki, |_| {})]);
    let v = Verifier::new(store.clone())
        .with_policy(policy(RevocationMode::Required))
        .with_revocation_data(tokens.clone());
    for b in [&plain, &with_ref] {
        let r = v.verify_device_response(b, auth, now());
        assert_codes(&r, ErrorCode::RevocationUnavailable);
        assert!(r.to_json().contains("pinned signer"), "{}", r.to_json());
    }
    // Best effort: valid, with a warning saying nothing was checked.
    let be = Verifier::new(store.clone()).with_policy(policy(RevocationMode::BestEffort));
    let r = be.verify_device_response(&plain, auth, now());
    assert_valid(&r);
    assert_eq!(
        r.documents()[0].as_ref().unwrap().policy_warnings()[0].code(),
        ErrorCode::RevocationUnavailable
    );
    // The explicit exemption.
    let exempt = Policy::default()
        .with_revocation(RevocationPolicy::new(RevocationMode::Required).with_exempt_pinned_signers(true));
    let v = Verifier::new(store).with_policy(exempt).with_revocation_data(tokens);
    for b in [&plain, &with_ref] {
        let r = v.verify_device_response(b, auth, now());
        assert_valid(&r);
        assert!(r.documents()[0].as_ref().unwrap().policy_warnings().is_empty());
    }
}

#[test]
fn remembered_verifications_are_bound_to_the_issuer() {
    // CRL and status-token signatures are verified once and remembered; the
    // memory must not vouch for them under another IACA of the same name.
    let pki = TestPki::new();
    let real_crl = crl(&pki, |_| {});
    let real_token = token(&pki, |_| {});
    let shared = data(&[real_crl], &[real_token]);
    let iaca = CertSpec::iaca("Test IACA");
    let evil_key = key(66);
    let evil_iaca = issue_cert(&iaca, &evil_key, &iaca.subject, &evil_key);
    let evil_ds_key = key(67);
    let evil_ds = issue_cert(&CertSpec::ds("Test DS"), &evil_ds_key, &iaca.subject, &evil_key);
    let evil = TestPki {
        iaca_key: evil_key,
        iaca_der: evil_iaca,
        iaca_name: iaca.subject,
        ds_key: evil_ds_key,
        ds_der: evil_ds,
    };
    let p = || policy(RevocationMode::Required);
    for _ in 0..2 {
        assert_valid(&run(&pki, &mint(&pki, &with_status(0)), p(), shared.clone(), now()));
        // The impostor's own documents: the real CRL and token do not verify under its IACA.
        let v = run(&evil, &mint(&evil, &with_status(0)), p(), shared.clone(), now());
        assert_eq!(
            v.error_codes(),
            vec![ErrorCode::RevocationUnavailable, ErrorCode::RevocationUnavailable]
        );
        assert!(
            v.to_json().contains("CRL: signature does not verify"),
            "{}",
            v.to_json()
        );
    }
}
