//! Shared inputs: kakunin vs isomdl 0.2.0 on the same ISO 18013-5 Annex D DeviceResponse,
//! paired in one run.
//!
//! isomdl does less work, and the ratio must be read with that in mind:
//! - it does not check the MSO value digests of the disclosed elements;
//! - it does not verify a `deviceMac` (Annex D uses one): it returns
//!   "unsupported" without ECDH, HKDF or HMAC;
//! - it checks certificate validity against the system clock only, so the
//!   Annex D Document Signer (expired 2021-10-01) makes its
//!   `validate_response` skip issuer authentication altogether. To time the
//!   work it does on a valid response, the steps of `validate_response` are
//!   called here directly: CBOR decoding, `reader::parse` (x5chain, element
//!   values), the x509 `Mdl` ruleset (DS and IACA profile, IACA signature on
//!   the DS), `issuer_authentication` (issuerAuth signature) and
//!   `device_authentication` (MSO and device key parsing; MAC unsupported).
//!
//! kakunin does all of these plus the digests, ECDH + HKDF + HMAC of the
//! deviceMac, validity at an injected time, and the trust-store lookup.

#![allow(missing_docs)]

use isomdl::definitions::x509::trust_anchor::{PemTrustAnchor, TrustAnchorRegistry, TrustPurpose};
use isomdl::definitions::x509::validation::ValidationRuleset;
use isomdl::definitions::{DeviceResponse, SessionTranscript180135};
use isomdl::presentation::authentication::mdoc::{device_authentication, issuer_authentication};
use kakunin::{Curve, DeviceAuthInput, DsCache, ReaderKey, SessionTranscript, TrustStore, UnixTime, Verifier};
use std::hint::black_box;

pub fn annex(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../tests/data/iso18013-5-annex-d/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    if name.ends_with(".hex") {
        hex::decode(text.trim()).unwrap()
    } else {
        text.into_bytes()
    }
}

pub struct Inputs {
    pub response: Vec<u8>,
    // kakunin
    pub transcript: SessionTranscript,
    pub reader: ReaderKey,
    pub now: UnixTime,
    pub miss: Verifier,
    pub hit: Verifier,
    // isomdl
    pub registry: TrustAnchorRegistry,
    pub iso_transcript: SessionTranscript180135,
}

impl Inputs {
    pub fn new() -> Self {
        let trust = TrustStore::from_pem_or_der(&annex("iaca_cert.pem")).unwrap();
        let transcript_bytes = annex("session_transcript_bytes.hex");
        let transcript = SessionTranscript::from_bytes(&transcript_bytes).unwrap();
        let iso_transcript: SessionTranscript180135 =
            isomdl::cbor::from_slice(transcript.as_array_bytes()).expect("isomdl reads the Annex D transcript");
        let registry = TrustAnchorRegistry::from_pem_certificates(vec![PemTrustAnchor {
            certificate_pem: String::from_utf8(annex("iaca_cert.pem")).unwrap(),
            purpose: TrustPurpose::Iaca,
        }])
        .unwrap();
        Inputs {
            response: annex("device_response.hex"),
            transcript,
            reader: ReaderKey::from_scalar(Curve::P256, &annex("e_reader_key.d.hex")).unwrap(),
            now: UnixTime::parse_rfc3339("2021-01-01T00:00:00Z").unwrap(),
            miss: Verifier::new(trust.clone()).with_ds_cache(DsCache::disabled()),
            hit: Verifier::new(trust),
            registry,
            iso_transcript,
        }
    }

    pub fn kakunin(&self, v: &Verifier) -> bool {
        let auth = DeviceAuthInput {
            session_transcript: Some(&self.transcript),
            reader_key: Some(&self.reader),
        };
        v.verify_device_response(black_box(&self.response), auth, self.now)
            .is_valid()
    }

    /// isomdl's `validate_response` steps, without its clock short-cut.
    /// Returns whether the issuer signature verified.
    pub fn isomdl(&self) -> bool {
        let response: DeviceResponse = isomdl::cbor::from_slice(black_box(&self.response)).unwrap();
        let (document, x5chain, namespaces) = isomdl::presentation::reader::parse(&response).unwrap();
        let outcome = ValidationRuleset::Mdl.validate(&x5chain, &self.registry);
        let issuer_ok = issuer_authentication(x5chain, &document.issuer_signed).is_ok();
        let device = device_authentication(document, self.iso_transcript.clone());
        black_box((outcome, namespaces, device.is_ok()));
        issuer_ok
    }
}
