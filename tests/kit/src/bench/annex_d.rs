//! Annex D inputs shared by `benches/verify.rs` and
//! `examples/annex_d_loop.rs`: the response, and the inputs of every
//! cryptographic primitive its verification performs.

#![allow(dead_code)]

use kakunin::internals::cbor;
use kakunin::internals::crypto::primitives::{self, EcdhKey, VerifyKey};
use kakunin::{
    Curve, DeviceAuthInput, DsCache, Limits, ReaderKey, SessionTranscript, SignatureAlgorithm, TrustStore, UnixTime,
    Verifier,
};
use std::hint::black_box;

pub fn data(dir: &str, name: &str) -> Vec<u8> {
    let path = format!("{}/../data/{dir}/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    if name.ends_with(".hex") {
        hex::decode(text.trim()).unwrap()
    } else {
        text.into_bytes()
    }
}

fn annex(name: &str) -> Vec<u8> {
    data("iso18013-5-annex-d", name)
}

pub fn at(s: &str) -> UnixTime {
    UnixTime::parse_rfc3339(s).unwrap()
}

/// Annex D inputs, and the inputs of each primitive the verification performs.
pub struct AnnexD {
    pub response: Vec<u8>,
    pub transcript: SessionTranscript,
    pub reader: ReaderKey,
    pub trust: TrustStore,
    pub now: UnixTime,
    // primitives
    pub ds_key: VerifyKey,
    pub iaca_key: VerifyKey,
    pub device_key: VerifyKey,
    pub reader_ecdh: EcdhKey,
    pub sig_structure: Vec<u8>,
    pub issuer_sig: Vec<u8>,
    pub ds_tbs: Vec<u8>,
    pub ds_sig: Vec<u8>,
    pub shared_secret: Vec<u8>,
    pub transcript_tagged: Vec<u8>,
    pub salt: [u8; 32],
    pub mac_structure: Vec<u8>,
    pub mac_tag: Vec<u8>,
    pub items: Vec<Vec<u8>>,
}

fn spki_point(cert: &x509_cert::Certificate) -> Vec<u8> {
    cert.tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes()
        .to_vec()
}

fn issuer_signed_items(response: &[u8]) -> Vec<Vec<u8>> {
    let item = cbor::decode(response, &Limits::default()).unwrap();
    let doc = &item.get("documents").unwrap().value.as_array().unwrap()[0];
    let ns = doc.get("issuerSigned").unwrap().get("nameSpaces").unwrap();
    let mut out = Vec::new();
    for (_, items) in ns.value.as_map().unwrap() {
        for it in items.value.as_array().unwrap() {
            out.push(it.raw.to_vec());
        }
    }
    out
}

impl AnnexD {
    pub fn new() -> Self {
        use der::{Decode, Encode};
        let iaca_der = annex("iaca_cert.der.hex");
        let ds_der = annex("ds_cert.der.hex");
        let iaca = x509_cert::Certificate::from_der(&iaca_der).unwrap();
        let ds = x509_cert::Certificate::from_der(&ds_der).unwrap();
        let issuer_auth = annex("issuer_auth.hex");
        let device_auth = annex("device_auth.hex");
        let mut device_point = vec![4u8];
        device_point.extend(annex("s_device_key.x.hex"));
        device_point.extend(annex("s_device_key.y.hex"));
        let response = annex("device_response.hex");
        let transcript_tagged = annex("session_transcript_bytes.hex");
        let d = AnnexD {
            items: issuer_signed_items(&response),
            response,
            transcript: SessionTranscript::from_bytes(&transcript_tagged).unwrap(),
            reader: ReaderKey::from_scalar(Curve::P256, &annex("e_reader_key.d.hex")).unwrap(),
            trust: TrustStore::from_pem_or_der(&iaca_der).unwrap(),
            now: at("2021-01-01T00:00:00Z"),
            ds_key: VerifyKey::from_sec1(Curve::P256, &spki_point(&ds)).unwrap(),
            iaca_key: VerifyKey::from_sec1(Curve::P256, &spki_point(&iaca)).unwrap(),
            device_key: VerifyKey::from_sec1(Curve::P256, &device_point).unwrap(),
            reader_ecdh: EcdhKey::from_scalar(Curve::P256, &annex("e_reader_key.d.hex")).unwrap(),
            sig_structure: annex("issuer_auth_sig_structure.hex"),
            issuer_sig: issuer_auth[issuer_auth.len() - 64..].to_vec(),
            ds_tbs: ds.tbs_certificate.to_der().unwrap(),
            ds_sig: ds.signature.raw_bytes().to_vec(),
            shared_secret: annex("e_mac_shared_secret.hex"),
            salt: primitives::sha256(&transcript_tagged),
            transcript_tagged,
            mac_structure: annex("mac_structure.hex"),
            mac_tag: device_auth[device_auth.len() - 32..].to_vec(),
        };
        // The primitives must succeed on these inputs, or we time failures.
        assert!(d
            .ds_key
            .verify_cose(SignatureAlgorithm::Es256, &d.sig_structure, &d.issuer_sig));
        assert!(d.iaca_key.verify_x509_ecdsa_sha256(&d.ds_tbs, &d.ds_sig));
        assert!(d.reader_ecdh.ecdh(&d.device_key).is_some());
        assert!(d.mac_ok());
        assert_eq!(d.items.len(), 6);
        d
    }

    pub fn verifier(&self, cache: DsCache) -> Verifier {
        Verifier::new(self.trust.clone()).with_ds_cache(cache)
    }

    pub fn verify(&self, v: &Verifier) -> bool {
        let auth = DeviceAuthInput {
            session_transcript: Some(&self.transcript),
            reader_key: Some(&self.reader),
        };
        v.verify_device_response(black_box(&self.response), auth, self.now)
            .is_valid()
    }

    pub fn mac_ok(&self) -> bool {
        self.hkdf_hmac()
    }

    pub fn ecdsa_cose(&self) -> bool {
        self.ds_key.verify_cose(
            SignatureAlgorithm::Es256,
            black_box(&self.sig_structure),
            &self.issuer_sig,
        )
    }

    pub fn ecdsa_x509(&self) -> bool {
        self.iaca_key
            .verify_x509_ecdsa_sha256(black_box(&self.ds_tbs), &self.ds_sig)
    }

    pub fn ecdh(&self) -> Option<u8> {
        self.reader_ecdh.ecdh(black_box(&self.device_key))
    }

    /// SHA-256 of the 6 disclosed items and of SessionTranscriptBytes (the salt).
    pub fn sha256_all(&self) -> u8 {
        let mut x = primitives::sha256(black_box(&self.transcript_tagged))[0];
        for it in &self.items {
            x ^= primitives::sha256(black_box(it))[0];
        }
        x
    }

    /// HKDF (EMacKey) + HMAC over the MAC_structure.
    pub fn hkdf_hmac(&self) -> bool {
        // The salt hash is counted in `sha256_all`.
        primitives::hkdf_hmac(
            &self.shared_secret,
            &self.salt,
            b"EMacKey",
            black_box(&self.mac_structure),
            &self.mac_tag,
        )
    }
}
