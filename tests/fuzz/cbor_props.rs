//! Property tests for the CBOR layer.
//!
//! 1. What we decode keeps its received bytes: for generated items written
//!    with arbitrary (often non-minimal) argument sizes and definite or
//!    indefinite lengths, the decoded item's raw bytes are the input, every
//!    container is its head followed by its children's raw bytes, and every
//!    child re-decodes alone to the same bytes and value.
//! 2. Mutations (bit flips, byte insertions, deletions) of a valid signed
//!    response (ISO 18013-5 Annex D with deviceMac, EUDI mDL with
//!    deviceSignature) never verify as valid when they touch signed bytes,
//!    and anywhere else never verify to a different result.
//!
//! Case counts are kept small so `cargo test` stays fast; the fuzz targets
//! explore the same properties at scale.

use crate::fixtures;

use kakunin::internals::cbor::{self, Item, Value};
use kakunin::Limits;
use proptest::prelude::*;
use std::ops::Range;

// ---------------------------------------------------------------- generation

/// How a head's argument is written: 0 = preferred, 1..=4 = at least
/// 1, 2, 4, 8 bytes (when the value fits, else the next size up).
type Width = u8;

#[derive(Clone, Debug)]
enum Node {
    Uint(u64, Width),
    Neg(u64, Width),
    Bytes(Vec<u8>, Width),
    Text(String, Width),
    Array(Vec<Node>, Option<Width>),
    /// Keys are distinct unsigned integers (duplicates are rejected by design).
    Map(Vec<(Width, Node)>, Option<Width>),
    Tag(u64, Width, Box<Node>),
    Simple(u8),
    Float(u64),
}

fn head(out: &mut Vec<u8>, major: u8, n: u64, w: Width) {
    let m = major << 5;
    let min_size = match w {
        0 => 0,
        1 => 1,
        2 => 2,
        3 => 4,
        _ => 8,
    };
    if let Some(b) = u8::try_from(n).ok().filter(|b| *b < 24 && min_size == 0) {
        out.push(m | b);
    } else if let Some(b) = u8::try_from(n).ok().filter(|_| min_size <= 1) {
        out.extend_from_slice(&[m | 24, b]);
    } else if let Some(h) = u16::try_from(n).ok().filter(|_| min_size <= 2) {
        out.push(m | 25);
        out.extend_from_slice(&h.to_be_bytes());
    } else if let Some(w) = u32::try_from(n).ok().filter(|_| min_size <= 4) {
        out.push(m | 26);
        out.extend_from_slice(&w.to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// A length (or index) as a head's argument.
fn len(n: usize) -> u64 {
    u64::try_from(n).unwrap()
}

fn encode(node: &Node, out: &mut Vec<u8>) {
    match node {
        Node::Uint(n, w) => head(out, 0, *n, *w),
        Node::Neg(n, w) => head(out, 1, *n, *w),
        Node::Bytes(b, w) => {
            head(out, 2, len(b.len()), *w);
            out.extend_from_slice(b);
        }
        Node::Text(t, w) => {
            head(out, 3, len(t.len()), *w);
            out.extend_from_slice(t.as_bytes());
        }
        Node::Array(items, w) => {
            match w {
                Some(w) => head(out, 4, len(items.len()), *w),
                None => out.push(0x9f),
            }
            items.iter().for_each(|i| encode(i, out));
            if w.is_none() {
                out.push(0xff);
            }
        }
        Node::Map(entries, w) => {
            match w {
                Some(w) => head(out, 5, len(entries.len()), *w),
                None => out.push(0xbf),
            }
            for (i, (kw, v)) in entries.iter().enumerate() {
                head(out, 0, len(i), *kw);
                encode(v, out);
            }
            if w.is_none() {
                out.push(0xff);
            }
        }
        Node::Tag(t, w, inner) => {
            head(out, 6, *t, *w);
            encode(inner, out);
        }
        Node::Simple(s) => {
            if *s < 20 {
                out.push(0xe0 | s);
            } else {
                out.extend_from_slice(&[0xf8, s.max(&32).to_owned()]);
            }
        }
        Node::Float(bits) => match bits % 3 {
            0 => {
                out.push(0xf9);
                // A half-precision float: the low 16 bits.
                out.extend_from_slice(&bits.to_be_bytes()[6..]);
            }
            1 => {
                out.push(0xfa);
                // A single-precision float: the low 32 bits.
                out.extend_from_slice(&bits.to_be_bytes()[4..]);
            }
            _ => {
                out.push(0xfb);
                out.extend_from_slice(&bits.to_be_bytes());
            }
        },
    }
}

fn width() -> impl Strategy<Value = Width> {
    0u8..=4
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        (any::<u64>(), width()).prop_map(|(n, w)| Node::Uint(n, w)),
        (0u64..1000, width()).prop_map(|(n, w)| Node::Uint(n, w)),
        (any::<u64>(), width()).prop_map(|(n, w)| Node::Neg(n, w)),
        (proptest::collection::vec(any::<u8>(), 0..40), width()).prop_map(|(b, w)| Node::Bytes(b, w)),
        (".{0,12}", width()).prop_map(|(t, w)| Node::Text(t, w)),
        prop_oneof![0u8..20, 32u8..=255].prop_map(Node::Simple),
        any::<u64>().prop_map(Node::Float),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            (
                proptest::collection::vec(inner.clone(), 0..6),
                proptest::option::of(width())
            )
                .prop_map(|(v, w)| Node::Array(v, w)),
            (
                proptest::collection::vec((width(), inner.clone()), 0..6),
                proptest::option::of(width())
            )
                .prop_map(|(v, w)| Node::Map(v, w)),
            (0u64..100_000, width(), inner).prop_map(|(t, w, i)| Node::Tag(t, w, Box::new(i))),
        ]
    })
}

fn children<'a, 'b>(item: &'b Item<'a>) -> Vec<&'b Item<'a>> {
    match &item.value {
        Value::Array(a) => a.iter().collect(),
        Value::Map(m) => m.iter().flat_map(|(k, v)| [k, v]).collect(),
        Value::Tag(_, i) => vec![i.as_ref()],
        _ => Vec::new(),
    }
}

/// Every sub-item decodes alone to exactly its raw bytes and the same value.
fn check_subitems_standalone(item: &Item<'_>) {
    for c in children(item) {
        let alone = cbor::decode(c.raw, &Limits::default()).expect("a sub-item decodes alone");
        assert_eq!(alone.raw, c.raw);
        assert!(alone.value.same_as(&c.value));
        check_subitems_standalone(c);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn decoded_items_keep_their_received_bytes(node in node()) {
        let mut bytes = Vec::new();
        encode(&node, &mut bytes);
        let item = cbor::decode(&bytes, &Limits::default()).expect("generated CBOR decodes");
        prop_assert_eq!(item.raw, bytes.as_slice());
        // Heads + children's raw bytes reassemble every container (the same
        // invariant check the `cbor` fuzz target runs).
        prop_assert_eq!(kakunin::internals::fuzz::cbor(&bytes), Ok(()));
        check_subitems_standalone(&item);
    }

    #[test]
    fn non_minimal_encodings_are_distinct_bytes_but_the_same_value(n in any::<u64>(), w in 1u8..=4) {
        let (mut minimal, mut wide) = (Vec::new(), Vec::new());
        head(&mut minimal, 0, n, 0);
        head(&mut wide, 0, n, w);
        let a = cbor::decode(&minimal, &Limits::default()).unwrap();
        let b = cbor::decode(&wide, &Limits::default()).unwrap();
        prop_assert!(a.value.same_as(&b.value));
        prop_assert_eq!(b.raw, wide.as_slice());
    }
}

// ------------------------------------------------------------------ mutation

#[derive(Clone, Copy, Debug)]
enum Mutation {
    FlipBit(usize, u8),
    Insert(usize, u8),
    Delete(usize),
}

fn apply(data: &[u8], m: Mutation) -> Vec<u8> {
    let mut out = data.to_vec();
    match m {
        Mutation::FlipBit(i, bit) => out[i % data.len()] ^= 1 << (bit % 8),
        Mutation::Insert(i, b) => out.insert(i % (data.len() + 1), b),
        Mutation::Delete(i) => {
            out.remove(i % data.len());
        }
    }
    out
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
    ]
}

fn range_of(data: &[u8], part: &[u8]) -> Range<usize> {
    let start = part.as_ptr().addr() - data.as_ptr().addr();
    start..start + part.len()
}

fn cose_parts<'a, 'b>(item: &'b Item<'a>) -> &'b [Item<'a>] {
    match &item.value {
        Value::Tag(_, inner) => inner.value.as_array().unwrap(),
        v => v.as_array().unwrap(),
    }
}

/// The byte ranges of `response` that a signature, MAC or MSO digest covers:
/// every IssuerSignedItemBytes, issuerAuth's protected header, payload (the
/// MSO) and signature, DeviceNameSpacesBytes, and the device signature's or
/// MAC's protected header and signature/tag.
fn signed_ranges(response: &[u8]) -> Vec<Range<usize>> {
    let item = cbor::decode(response, &Limits::default()).unwrap();
    let mut out = Vec::new();
    for doc in item.get("documents").unwrap().value.as_array().unwrap() {
        let issuer_signed = doc.get("issuerSigned").unwrap();
        for (_, items) in issuer_signed.get("nameSpaces").unwrap().value.as_map().unwrap() {
            for it in items.value.as_array().unwrap() {
                out.push(range_of(response, it.raw));
            }
        }
        let auth = cose_parts(issuer_signed.get("issuerAuth").unwrap());
        for i in [0, 2, 3] {
            out.push(range_of(response, auth[i].raw));
        }
        let device_signed = doc.get("deviceSigned").unwrap();
        out.push(range_of(response, device_signed.get("nameSpaces").unwrap().raw));
        let device_auth = device_signed.get("deviceAuth").unwrap();
        let (_, msg) = &device_auth.value.as_map().unwrap()[0];
        let parts = cose_parts(msg);
        for i in [0, 3] {
            out.push(range_of(response, parts[i].raw));
        }
    }
    out
}

/// Moves a mutation's position into `range` (an insertion goes strictly
/// between two of its bytes).
fn within(m: Mutation, range: &Range<usize>) -> Mutation {
    let pos = |i: usize| range.start + i % range.len();
    match m {
        Mutation::FlipBit(i, b) => Mutation::FlipBit(pos(i), b),
        Mutation::Insert(i, b) if range.len() > 1 => Mutation::Insert(range.start + 1 + i % (range.len() - 1), b),
        Mutation::Insert(i, b) => Mutation::FlipBit(pos(i), b),
        Mutation::Delete(i) => Mutation::Delete(pos(i)),
    }
}

struct Case {
    scenario: kakunin::internals::fuzz::Scenario,
    response: Vec<u8>,
    expected_json: String,
    signed: Vec<Range<usize>>,
}

fn case(scenario: kakunin::internals::fuzz::Scenario, seed: &str) -> Case {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds/verify")
        .join(seed);
    let response = std::fs::read(path).unwrap();
    let v = scenario.verify(&response);
    assert!(v.is_valid(), "{seed}: {:?}", v.error_codes());
    Case {
        expected_json: v.to_json(),
        signed: signed_ranges(&response),
        scenario,
        response,
    }
}

fn check_mutations(c: &Case, anywhere: Mutation, region: usize, in_signed: Mutation) -> Result<(), TestCaseError> {
    // Anywhere: rejected, or (bytes no signature covers, e.g. an unprotected
    // header entry or the optional COSE tag) exactly the original result.
    let mutated = apply(&c.response, anywhere);
    let v = c.scenario.verify(&mutated);
    if v.is_valid() {
        prop_assert_eq!(
            v.to_json(),
            c.expected_json.clone(),
            "{:?} changed a verified result",
            anywhere
        );
    }
    // Inside signed bytes: always rejected.
    let m = within(in_signed, &c.signed[region % c.signed.len()]);
    let v = c.scenario.verify(&apply(&c.response, m));
    prop_assert!(!v.is_valid(), "{:?} of signed bytes still verifies", m);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn mutated_annex_d_response_never_verifies(a in mutation(), r in any::<usize>(), s in mutation()) {
        thread_local!(static CASE: Case = case(fixtures::annex_d(), "annex_d_device_response"));
        CASE.with(|c| check_mutations(c, a, r, s))?;
    }

    #[test]
    fn mutated_eudi_mdl_response_never_verifies(a in mutation(), r in any::<usize>(), s in mutation()) {
        thread_local!(static CASE: Case = case(fixtures::eudi_mdl(), "eudi_mdl_device_response"));
        CASE.with(|c| check_mutations(c, a, r, s))?;
    }
}

/// The signed ranges found above are real: together they cover most of each
/// response, and the regions a mutation is steered into are non-empty.
#[test]
fn signed_ranges_cover_the_responses() {
    for (scenario, seed) in [
        (fixtures::annex_d(), "annex_d_device_response"),
        (fixtures::eudi_mdl(), "eudi_mdl_device_response"),
    ] {
        let c = case(scenario, seed);
        assert!(c.signed.iter().all(|r| !r.is_empty()));
        let covered: usize = c.signed.iter().map(Range::len).sum();
        assert!(
            covered * 10 > c.response.len() * 8,
            "{seed}: {covered} of {}",
            c.response.len()
        );
    }
}
