//! Resource limits: every [`Limits`] field is enforced where input
//! enters, exceeding one gives `limit_exceeded` naming the field, the
//! defaults pass real credentials (a 100 KB portrait), and maximum-depth
//! input is safe on a kiosk thread's small stack.
//!
//! Over-limit inputs are built from the ISO 18013-5 Annex D response by
//! replacing one received item with a bigger one (outer, unsigned structure),
//! so every check before the limit has passed on real data.

use kakunin::internals::cbor::{self, write_bytes, write_head, write_text, Item};
use kakunin::{
    DeviceAuthInput, ErrorCode, Limits, Policy, ReaderKey, SessionTranscript, TrustStore, UnixTime, Verification,
    Verifier,
};
use p256::ecdsa::signature::Signer;
use sha2::Digest;

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.trim()).unwrap()
}

fn annex_d() -> Vec<u8> {
    hex(include_str!("data/iso18013-5-annex-d/device_response.hex"))
}

fn annex_d_now() -> UnixTime {
    UnixTime::parse_rfc3339("2021-01-01T00:00:00Z").unwrap()
}

fn annex_d_verifier(limits: Limits) -> Verifier {
    let trust = TrustStore::from_pem_or_der(include_bytes!("data/iso18013-5-annex-d/iaca_cert.pem")).unwrap();
    Verifier::new(trust).with_policy(Policy::default().with_limits(limits))
}

fn verify_annex_d(bytes: &[u8], limits: Limits) -> Verification {
    let transcript = SessionTranscript::from_bytes(&hex(include_str!(
        "data/iso18013-5-annex-d/session_transcript_bytes.hex"
    )))
    .unwrap();
    let reader = ReaderKey::from_scalar(
        kakunin::Curve::P256,
        &hex(include_str!("data/iso18013-5-annex-d/e_reader_key.d.hex")),
    )
    .unwrap();
    let auth = DeviceAuthInput {
        session_transcript: Some(&transcript),
        reader_key: Some(&reader),
    };
    annex_d_verifier(limits).verify_device_response(bytes, auth, annex_d_now())
}

/// Asserts that `v` was rejected with exactly one `limit_exceeded` naming `limit`.
fn assert_limit(v: &Verification, limit: &str) {
    assert!(!v.is_valid());
    let mut errors: Vec<_> = v.errors().to_vec();
    for d in v.documents() {
        if let Err(r) = d {
            errors.extend(r.errors().iter().cloned());
        }
    }
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code(), ErrorCode::LimitExceeded, "{errors:?}");
    assert!(
        errors[0].message().contains(&format!("`{limit}`")),
        "{limit} not named in {:?}",
        errors[0].message()
    );
}

/// `data` with the received bytes of `old` (a sub-slice of `data`) replaced by `new`.
fn splice(data: &[u8], old: &[u8], new: &[u8]) -> Vec<u8> {
    let start = old.as_ptr().addr() - data.as_ptr().addr();
    let mut out = data[..start].to_vec();
    out.extend_from_slice(new);
    out.extend_from_slice(&data[start + old.len()..]);
    out
}

/// Annex D with `f(document 0)` choosing the item to replace by `new`.
fn annex_d_with(pick: impl for<'a> Fn(&'a Item<'a>) -> &'a Item<'a>, new: &[u8]) -> Vec<u8> {
    let data = annex_d();
    let item = cbor::decode(&data, &Limits::default()).unwrap();
    let doc = &item.get("documents").unwrap().value.as_array().unwrap()[0];
    splice(&data, pick(doc).raw, new)
}

fn issuer_auth_unprotected<'a>(doc: &'a Item<'a>) -> &'a Item<'a> {
    let auth = doc.get("issuerSigned").unwrap().get("issuerAuth").unwrap();
    let parts = match &auth.value {
        cbor::Value::Tag(18, inner) => inner.value.as_array().unwrap(),
        other => other.as_array().unwrap(),
    };
    &parts[1]
}

#[test]
fn the_unmodified_response_verifies() {
    let v = verify_annex_d(&annex_d(), Limits::default());
    assert!(v.is_valid(), "{:?}", v.error_codes());
}

#[test]
fn max_input_bytes() {
    let mut limits = Limits::default();
    limits.max_input_bytes = annex_d().len() - 1;
    assert_limit(&verify_annex_d(&annex_d(), limits), "max_input_bytes");
    // The default bound applies before any parsing.
    let huge = vec![0u8; Limits::default().max_input_bytes + 1];
    assert_limit(&verify_annex_d(&huge, Limits::default()), "max_input_bytes");
}

#[test]
fn max_depth() {
    let mut deep = vec![0x81; Limits::default().max_depth + 1];
    deep.push(0x00);
    // As the value of an unknown DeviceResponse entry: fails while decoding.
    let data = annex_d();
    let mut v = Vec::new();
    write_head(&mut v, 5, 4);
    v.extend_from_slice(&data[1..]);
    write_text(&mut v, "x");
    v.extend_from_slice(&deep);
    assert_eq!(data[0], 0xa3);
    assert_limit(&verify_annex_d(&v, Limits::default()), "max_depth");
}

#[test]
fn max_string_bytes() {
    // The Annex D portrait (1042 bytes) sits in a longer IssuerSignedItemBytes.
    let mut limits = Limits::default();
    limits.max_string_bytes = 1000;
    assert_limit(&verify_annex_d(&annex_d(), limits), "max_string_bytes");
}

#[test]
fn max_container_len_and_max_items() {
    let mut limits = Limits::default();
    limits.max_container_len = 5; // the Annex D namespace has 6 items
    assert_limit(&verify_annex_d(&annex_d(), limits), "max_container_len");
    let mut limits = Limits::default();
    limits.max_items = 50;
    assert_limit(&verify_annex_d(&annex_d(), limits), "max_items");
}

#[test]
fn max_documents() {
    let data = annex_d();
    let item = cbor::decode(&data, &Limits::default()).unwrap();
    let doc = &item.get("documents").unwrap().value.as_array().unwrap()[0];
    let n = Limits::default().max_documents + 1;
    let mut docs = Vec::new();
    write_head(&mut docs, 4, u64::try_from(n).unwrap());
    for _ in 0..n {
        docs.extend_from_slice(doc.raw);
    }
    let v = verify_annex_d(
        &splice(&data, item.get("documents").unwrap().raw, &docs),
        Limits::default(),
    );
    assert_limit(&v, "max_documents");
    assert!(v.documents().is_empty(), "no document is verified past the limit");
}

#[test]
fn max_namespaces() {
    let n = Limits::default().max_namespaces + 1;
    let mut ns = Vec::new();
    write_head(&mut ns, 5, u64::try_from(n).unwrap());
    for i in 0..n {
        write_text(&mut ns, &format!("org.example.{i}"));
        write_head(&mut ns, 4, 0);
    }
    let data = annex_d_with(|d| d.get("issuerSigned").unwrap().get("nameSpaces").unwrap(), &ns);
    assert_limit(&verify_annex_d(&data, Limits::default()), "max_namespaces");
}

#[test]
fn max_elements() {
    let n = Limits::default().max_elements + 1;
    let mut items = Vec::new();
    write_head(&mut items, 4, u64::try_from(n).unwrap());
    items.extend(std::iter::repeat_n(0x00, n));
    let data = annex_d_with(
        |d| {
            d.get("issuerSigned")
                .unwrap()
                .get("nameSpaces")
                .unwrap()
                .get("org.iso.18013.5.1")
                .unwrap()
        },
        &items,
    );
    assert_limit(&verify_annex_d(&data, Limits::default()), "max_elements");
}

fn ds_der() -> Vec<u8> {
    hex(include_str!("data/iso18013-5-annex-d/ds_cert.der.hex"))
}

#[test]
fn max_certificates() {
    let n = Limits::default().max_certificates + 1;
    let mut u = Vec::new();
    write_head(&mut u, 5, 1);
    write_head(&mut u, 0, 33);
    write_head(&mut u, 4, u64::try_from(n).unwrap());
    for _ in 0..n {
        write_bytes(&mut u, &ds_der());
    }
    let data = annex_d_with(issuer_auth_unprotected, &u);
    assert_limit(&verify_annex_d(&data, Limits::default()), "max_certificates");
    // At the limit it is not a limit error (the chain is just the DS, repeated).
    let mut u = Vec::new();
    write_head(&mut u, 5, 1);
    write_head(&mut u, 0, 33);
    write_head(&mut u, 4, u64::try_from(n - 1).unwrap());
    for _ in 0..n - 1 {
        write_bytes(&mut u, &ds_der());
    }
    let v = verify_annex_d(&annex_d_with(issuer_auth_unprotected, &u), Limits::default());
    assert!(
        !v.error_codes().contains(&ErrorCode::LimitExceeded),
        "{:?}",
        v.error_codes()
    );
}

#[test]
fn max_certificate_bytes() {
    let mut limits = Limits::default();
    limits.max_certificate_bytes = ds_der().len() - 1;
    assert_limit(&verify_annex_d(&annex_d(), limits), "max_certificate_bytes");
    // A 17 KB bstr in x5chain with the defaults.
    let mut u = Vec::new();
    write_head(&mut u, 5, 1);
    write_head(&mut u, 0, 33);
    write_bytes(&mut u, &vec![0x30; 17 * 1024]);
    let data = annex_d_with(issuer_auth_unprotected, &u);
    assert_limit(&verify_annex_d(&data, Limits::default()), "max_certificate_bytes");
}

/// Mints an IssuerSigned-only DeviceResponse under the auth0 test issuer
/// (published private key, pinned as anchor) with one 100 KB portrait.
fn response_with_portrait(portrait: &[u8]) -> Vec<u8> {
    let ns = "org.iso.18013.5.1";
    let mut item = Vec::new();
    write_head(&mut item, 5, 4);
    write_text(&mut item, "digestID");
    write_head(&mut item, 0, 0);
    write_text(&mut item, "random");
    write_bytes(&mut item, &[7u8; 16]);
    write_text(&mut item, "elementIdentifier");
    write_text(&mut item, "portrait");
    write_text(&mut item, "elementValue");
    write_bytes(&mut item, portrait);
    let item_bytes = cbor::tag24(&item);

    let tdate = |out: &mut Vec<u8>, s: &str| {
        write_head(out, 6, 0);
        write_text(out, s);
    };
    let mut mso = Vec::new();
    write_head(&mut mso, 5, 6);
    write_text(&mut mso, "version");
    write_text(&mut mso, "1.0");
    write_text(&mut mso, "digestAlgorithm");
    write_text(&mut mso, "SHA-256");
    write_text(&mut mso, "docType");
    write_text(&mut mso, "org.iso.18013.5.1.mDL");
    write_text(&mut mso, "valueDigests");
    write_head(&mut mso, 5, 1);
    write_text(&mut mso, ns);
    write_head(&mut mso, 5, 1);
    write_head(&mut mso, 0, 0);
    write_bytes(&mut mso, &sha2::Sha256::digest(&item_bytes));
    write_text(&mut mso, "deviceKeyInfo");
    write_head(&mut mso, 5, 1);
    write_text(&mut mso, "deviceKey");
    write_head(&mut mso, 5, 4);
    write_head(&mut mso, 0, 1); // kty: EC2
    write_head(&mut mso, 0, 2);
    write_head(&mut mso, 1, 0); // crv: P-256
    write_head(&mut mso, 0, 1);
    write_head(&mut mso, 1, 1); // x
    write_bytes(&mut mso, &hex(include_str!("data/auth0-mdl-examples/device_key.x.hex")));
    write_head(&mut mso, 1, 2); // y
    write_bytes(&mut mso, &hex(include_str!("data/auth0-mdl-examples/device_key.y.hex")));
    write_text(&mut mso, "validityInfo");
    write_head(&mut mso, 5, 3);
    write_text(&mut mso, "signed");
    tdate(&mut mso, "2024-01-01T00:00:00Z");
    write_text(&mut mso, "validFrom");
    tdate(&mut mso, "2024-01-01T00:00:00Z");
    write_text(&mut mso, "validUntil");
    tdate(&mut mso, "2030-01-01T00:00:00Z");
    let payload = cbor::tag24(&mso);

    let protected = [0xa1, 0x01, 0x26]; // {1: -7}
    let mut tbs = Vec::new();
    write_head(&mut tbs, 4, 4);
    write_text(&mut tbs, "Signature1");
    write_bytes(&mut tbs, &protected);
    write_bytes(&mut tbs, &[]);
    write_bytes(&mut tbs, &payload);
    let key =
        p256::ecdsa::SigningKey::from_slice(&hex(include_str!("data/auth0-mdl-examples/issuer_key.d.hex"))).unwrap();
    let sig: p256::ecdsa::Signature = key.sign(&tbs);
    let cert = pem_der(include_str!("data/auth0-mdl-examples/issuer.pem"));

    let mut out = Vec::new();
    write_head(&mut out, 5, 3);
    write_text(&mut out, "version");
    write_text(&mut out, "1.0");
    write_text(&mut out, "status");
    write_head(&mut out, 0, 0);
    write_text(&mut out, "documents");
    write_head(&mut out, 4, 1);
    write_head(&mut out, 5, 2);
    write_text(&mut out, "docType");
    write_text(&mut out, "org.iso.18013.5.1.mDL");
    write_text(&mut out, "issuerSigned");
    write_head(&mut out, 5, 2);
    write_text(&mut out, "nameSpaces");
    write_head(&mut out, 5, 1);
    write_text(&mut out, ns);
    write_head(&mut out, 4, 1);
    out.extend_from_slice(&item_bytes);
    write_text(&mut out, "issuerAuth");
    write_head(&mut out, 6, 18);
    write_head(&mut out, 4, 4);
    write_bytes(&mut out, &protected);
    write_head(&mut out, 5, 1);
    write_head(&mut out, 0, 33);
    write_bytes(&mut out, &cert);
    write_bytes(&mut out, &payload);
    write_bytes(&mut out, &sig.to_bytes());
    out
}

fn pem_der(pem: &str) -> Vec<u8> {
    use base64::Engine;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).unwrap()
}

#[test]
fn default_limits_pass_a_100_kb_portrait() {
    let portrait: Vec<u8> = (0..100 * 1024).map(|i| u8::try_from(i * 7 % 251).unwrap()).collect();
    let response = response_with_portrait(&portrait);
    let trust = TrustStore::from_pem_or_der(include_bytes!("data/auth0-mdl-examples/issuer.pem")).unwrap();
    let now = UnixTime::parse_rfc3339("2025-01-01T00:00:00Z").unwrap();
    let v = Verifier::new(trust.clone()).verify_device_response_issuer_only(&response, now);
    assert!(v.is_valid(), "{:?}", v.errors());
    let docs = v.into_verified().unwrap();
    assert_eq!(
        docs[0].element("org.iso.18013.5.1", "portrait").unwrap().as_bytes(),
        Some(portrait.as_slice())
    );
    // The same response under a limit just below the portrait: named rejection.
    let mut limits = Limits::default();
    limits.max_string_bytes = 100 * 1024 - 1;
    let v = Verifier::new(trust)
        .with_policy(Policy::default().with_limits(limits))
        .verify_device_response_issuer_only(&response, now);
    assert_limit(&v, "max_string_bytes");
}

/// A small kiosk or FFI thread's stack: 64 KiB in optimised builds (CI runs
/// `cargo test --release --test limits small_stack`). Unoptimised frames are
/// about six times larger (measured: 2.7 KB per CBOR nesting level in debug,
/// 448 B in release), so debug test runs allow 384 KiB.
const SMALL_STACK: usize = if cfg!(debug_assertions) { 384 * 1024 } else { 64 * 1024 };

/// Runs `f` on a thread with a [`SMALL_STACK`] stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .unwrap()
        .join()
        .expect("thread with a small stack panicked")
}

/// Every kind of container nested exactly `max_depth` deep decodes, is
/// compared (`same_as` via duplicate keys) and converted (`ElementValue`),
/// and one level more is refused, all on a small stack.
#[test]
fn max_depth_input_is_safe_on_a_small_stack() {
    let depth = Limits::default().max_depth;
    for opener in [0x81u8, 0x9f, 0xa1, 0xc1, 0xd8] {
        let build = move |depth: usize| {
            let mut v = Vec::new();
            for _ in 0..depth {
                match opener {
                    0xa1 => v.extend_from_slice(&[0xa1, 0x00]), // {0: …}
                    0xd8 => v.extend_from_slice(&[0xd8, 0x18]), // tag 24
                    b => v.push(b),
                }
            }
            v.push(0x00);
            if opener == 0x9f {
                v.extend(std::iter::repeat_n(0xff, depth));
            }
            v
        };
        let ok = build(depth);
        let too_deep = build(depth + 1);
        on_small_stack(move || {
            let limits = Limits::default();
            assert!(kakunin::internals::fuzz::cbor(&ok).is_ok());
            cbor::decode(&ok, &limits).unwrap();
            assert_eq!(
                cbor::decode(&too_deep, &limits).unwrap_err(),
                cbor::DecodeError::Limit("max_depth")
            );
        });
    }
    // Two maximally deep keys in one map: duplicate detection recurses in both.
    on_small_stack(move || {
        let mut v = vec![0xa2];
        for k in 0..2u8 {
            v.extend(std::iter::repeat_n(0x81, depth - 2));
            v.extend_from_slice(&[k, 0x00]);
        }
        cbor::decode(&v, &Limits::default()).unwrap();
    });
}

/// A response whose elementValue is nested to the limit verifies its way to
/// the digest check on a small stack, and the real response verifies there.
#[test]
fn full_verification_of_deep_input_on_a_small_stack() {
    // IssuerSignedItem {digestID, random, elementIdentifier, elementValue:
    // [[…[0]…]]}, containers nested exactly max_depth deep.
    let mut deep = Vec::new();
    write_head(&mut deep, 5, 4);
    write_text(&mut deep, "digestID");
    write_head(&mut deep, 0, 0);
    write_text(&mut deep, "random");
    write_bytes(&mut deep, &[0; 16]);
    write_text(&mut deep, "elementIdentifier");
    write_text(&mut deep, "family_name");
    write_text(&mut deep, "elementValue");
    deep.extend(std::iter::repeat_n(0x81, Limits::default().max_depth - 1));
    deep.push(0x00);
    cbor::decode(&deep, &Limits::default()).unwrap();
    let data = annex_d_with(|d| d.get("issuerSigned").unwrap().get("nameSpaces").unwrap(), &{
        let mut ns = Vec::new();
        write_head(&mut ns, 5, 1);
        write_text(&mut ns, "org.iso.18013.5.1");
        write_head(&mut ns, 4, 1);
        ns.extend_from_slice(&cbor::tag24(&deep));
        ns
    });
    let codes = on_small_stack(move || verify_annex_d(&data, Limits::default()).error_codes());
    assert_eq!(codes, vec![ErrorCode::DigestMismatch]);
    assert!(on_small_stack(
        || verify_annex_d(&annex_d(), Limits::default()).is_valid()
    ));
}

/// `max_depth` cannot be raised past [`Limits::MAX_DEPTH_CEILING`]: a caller
/// who sets it to anything larger still gets a decoder that stops at the
/// ceiling, and input nested exactly that deep is safe on a small stack,
/// through decoding and a whole verification.
#[test]
fn max_depth_ceiling_holds_on_a_small_stack() {
    let ceiling = Limits::MAX_DEPTH_CEILING;
    let mut raised = Limits::default();
    raised.max_depth = usize::MAX;
    let nested = |depth: usize| {
        let mut v = vec![0x81; depth];
        v.push(0x00);
        v
    };
    let (at, over) = (nested(ceiling), nested(ceiling + 1));
    on_small_stack(move || {
        cbor::decode(&at, &raised).unwrap();
        assert_eq!(
            cbor::decode(&over, &raised).unwrap_err(),
            cbor::DecodeError::Limit("max_depth")
        );
    });
    // A whole DeviceResponse with an unknown entry one level too deep.
    let data = annex_d();
    let mut v = Vec::new();
    write_head(&mut v, 5, 4);
    v.extend_from_slice(&data[1..]);
    write_text(&mut v, "x");
    v.extend_from_slice(&nested(ceiling));
    assert_limit(&verify_annex_d(&v, raised), "max_depth");

    // An elementValue nested to the ceiling inside IssuerSignedItemBytes
    // (itself decoded on its own) reaches the digest check on a small stack.
    let mut deep = Vec::new();
    write_head(&mut deep, 5, 4);
    write_text(&mut deep, "digestID");
    write_head(&mut deep, 0, 0);
    write_text(&mut deep, "random");
    write_bytes(&mut deep, &[0; 16]);
    write_text(&mut deep, "elementIdentifier");
    write_text(&mut deep, "family_name");
    write_text(&mut deep, "elementValue");
    deep.extend(std::iter::repeat_n(0x81, ceiling - 1));
    deep.push(0x00);
    cbor::decode(&deep, &raised).unwrap();
    let data = annex_d_with(|d| d.get("issuerSigned").unwrap().get("nameSpaces").unwrap(), &{
        let mut ns = Vec::new();
        write_head(&mut ns, 5, 1);
        write_text(&mut ns, "org.iso.18013.5.1");
        write_head(&mut ns, 4, 1);
        ns.extend_from_slice(&cbor::tag24(&deep));
        ns
    });
    let codes = on_small_stack(move || verify_annex_d(&data, raised).error_codes());
    assert_eq!(codes, vec![ErrorCode::DigestMismatch]);
}
