//! Cost of revocation and trust-list checks on top of issuer verification:
//! one minted mDL verified with revocation off, and with a CRL and a Token
//! Status List required; loading a status list; verifying the AAMVA VICAL.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use kakunin::vical::{Vical, VicalPolicy};
use kakunin::{Policy, RevocationData, RevocationMode, RevocationPolicy, UnixTime, Verifier};
use kakunin_test_kit::revocation::*;
use kakunin_test_kit::*;

fn bench(c: &mut Criterion) {
    let pki = TestPki::new();
    let now = UnixTime::from_secs(T2024);
    let doc = mint(
        &pki,
        &MdocSpec {
            mso_status: Some(status_list_ref(77_777, STATUS_URI)),
            device_auth: DeviceAuthMode::NoDeviceSigned,
            ..MdocSpec::default()
        },
    );
    let crl = issue_crl(
        &CrlSpec {
            revoked_serials: (10..200).collect(),
            ..CrlSpec::of(&pki)
        },
        &pki.iaca_key,
    );
    let (k, der) = status_signer(&pki);
    // 100 000 entries of 1 bit, a few revoked.
    let mut statuses = vec![0u8; 100_000];
    for i in (0..statuses.len()).step_by(97) {
        statuses[i] = 1;
    }
    let token = status_token(&TokenSpec::status_list(&der, 1, statuses), &k);
    let mut data = RevocationData::new();
    data.add_crl(&crl).unwrap();
    data.add_status_token(&token).unwrap();

    let off = Verifier::new(pki.trust_store());
    let required = Verifier::new(pki.trust_store())
        .with_policy(Policy::default().with_revocation(RevocationPolicy::new(RevocationMode::Required)))
        .with_revocation_data(data);
    assert!(off.verify_device_response_issuer_only(&doc, now).is_valid());
    assert!(required.verify_device_response_issuer_only(&doc, now).is_valid());

    let crl_only = Verifier::new(pki.trust_store())
        .with_policy(Policy::default().with_revocation(RevocationPolicy::new(RevocationMode::Required)))
        .with_revocation_data({
            let mut d = RevocationData::new();
            d.add_crl(&crl).unwrap();
            d
        });
    let doc_without_status = mint(
        &pki,
        &MdocSpec {
            device_auth: DeviceAuthMode::NoDeviceSigned,
            ..MdocSpec::default()
        },
    );
    assert!(crl_only
        .verify_device_response_issuer_only(&doc_without_status, now)
        .is_valid());

    let mut g = c.benchmark_group("revocation");
    g.bench_function("issuer_only_crl_required", |b| {
        b.iter(|| crl_only.verify_device_response_issuer_only(black_box(&doc_without_status), now))
    });
    g.bench_function("issuer_only_revocation_off", |b| {
        b.iter(|| off.verify_device_response_issuer_only(black_box(&doc), now))
    });
    g.bench_function("issuer_only_crl_and_status_list_required", |b| {
        b.iter(|| required.verify_device_response_issuer_only(black_box(&doc), now))
    });
    g.bench_function("load_status_list_100k_entries", |b| {
        b.iter(|| RevocationData::new().add_status_token(black_box(&token)).map(|_| ()))
    });
    g.finish();

    let vical = hex_file("aamva-vical/aamva_vical_2025-11-18.hex");
    let root_der = kakunin::certificates_from_pem_or_der(&data_file("aamva-vical/aamva_dts_root_ca.pem"))
        .unwrap()
        .remove(0);
    let root = kakunin::ParsedCertificate::from_der(&root_der).unwrap();
    let at = UnixTime::parse_rfc3339("2025-11-18T20:00:00Z").unwrap();
    c.bench_function("aamva_vical_verify_and_load_14_iacas", |b| {
        b.iter(|| {
            let v = Vical::verify(
                black_box(&vical),
                std::slice::from_ref(&root),
                at,
                &VicalPolicy::default(),
            )
            .unwrap();
            v.trust_store()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
