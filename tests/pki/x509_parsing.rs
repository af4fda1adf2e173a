//! Certificates as real issuers make them: a Document Signer whose
//! serialNumber is longer than RFC 5280's 20 octets parses and verifies, and
//! a certificate that cannot be parsed is refused with the real cause.

use crate::support;

use kakunin::ParsedCertificate;
use kakunin::{DeviceAuthInput, ErrorCode, UnixTime, Verifier};
use support::keys::{HashAlg, TestKey, X509Alg};
use support::*;

/// DER length octets for `n`.
fn der_len(n: usize) -> Vec<u8> {
    let [.., hi, lo] = n.to_be_bytes();
    match n {
        0..=0x7f => vec![lo],
        0x80..=0xff => vec![0x81, lo],
        _ => vec![0x82, hi, lo],
    }
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend(der_len(content.len()));
    v.extend_from_slice(content);
    v
}

/// Splits the DER TLV at the start of `b`: (header length, total length).
fn split(b: &[u8]) -> (usize, usize) {
    let (hdr, len) = if b[1] < 0x80 {
        (2, usize::from(b[1]))
    } else {
        let n = usize::from(b[1] & 0x7f);
        (
            2 + n,
            b[2..2 + n].iter().fold(0usize, |a, x| (a << 8) | usize::from(*x)),
        )
    };
    (hdr, hdr + len)
}

/// `cert` re-issued by `issuer` with `serial` (big-endian, positive) as its
/// serialNumber: the tbsCertificate is rebuilt around the new INTEGER and
/// signed again, everything else kept byte for byte.
fn with_serial(cert: &[u8], serial: &[u8], issuer: &TestKey) -> Vec<u8> {
    let (outer_hdr, _) = split(cert);
    let tbs_all = &cert[outer_hdr..];
    let (tbs_hdr, tbs_len) = split(tbs_all);
    let tbs = &tbs_all[tbs_hdr..tbs_len];
    let after_tbs = &tbs_all[tbs_len..]; // signatureAlgorithm, signature
    let (_, alg_len) = split(after_tbs);
    let sig_alg = &after_tbs[..alg_len];
    let (_, version_len) = split(tbs); // [0] version
    let (_, serial_len) = split(&tbs[version_len..]);
    let mut content = tbs[..version_len].to_vec();
    content.extend(tlv(0x02, serial));
    content.extend_from_slice(&tbs[version_len + serial_len..]);
    let new_tbs = tlv(0x30, &content);
    let sig = issuer.sign_x509(X509Alg::Ecdsa(HashAlg::Sha256), &new_tbs);
    let mut bits = vec![0u8];
    bits.extend(sig);
    let mut body = new_tbs;
    body.extend_from_slice(sig_alg);
    body.extend(tlv(0x03, &bits));
    tlv(0x30, &body)
}

#[test]
fn document_signer_with_a_serial_longer_than_20_octets_verifies() {
    let mut pki = TestPki::new();
    let serial: Vec<u8> = (1u8..=24).collect();
    pki.ds_der = with_serial(&pki.ds_der, &serial, &TestKey::P256(pki.iaca_key.clone()));
    let parsed = ParsedCertificate::from_der(&pki.ds_der).expect("a 24-octet serial parses");
    assert_eq!(parsed.serial_number(), serial.as_slice());

    let t = transcript();
    let v = Verifier::new(pki.trust_store()).verify_device_response(
        &mint(&pki, &MdocSpec::default()),
        DeviceAuthInput {
            session_transcript: Some(&t),
            reader_key: None,
        },
        UnixTime::from_secs(T2024),
    );
    assert!(v.is_valid(), "{:?}", v.error_codes());
    let docs = v.into_verified().unwrap();
    assert_eq!(docs[0].issuer().serial_hex, hex::encode(&serial));
}

#[test]
fn parse_errors_name_the_real_cause() {
    // Valid DER, but not a certificate: the message says so, not "malformed".
    let not_a_cert = [0x30, 0x03, 0x02, 0x01, 0x05]; // SEQUENCE { INTEGER 5 }
    let e = ParsedCertificate::from_der(&not_a_cert).unwrap_err();
    assert_eq!(e.code(), ErrorCode::CertificateProfileInvalid);
    assert!(e.message().starts_with("not an X.509 certificate:"), "{}", e.message());
    assert!(!e.message().contains("not valid DER"), "{}", e.message());

    // Really not DER: a certificate cut short.
    let pki = TestPki::new();
    let cut = &pki.ds_der[..pki.ds_der.len() - 10];
    let e = ParsedCertificate::from_der(cut).unwrap_err();
    assert!(
        e.message().starts_with("certificate is not valid DER"),
        "{}",
        e.message()
    );
}
