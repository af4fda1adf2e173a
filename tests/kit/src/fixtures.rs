//! Fixed scenarios shared by the fuzz targets and tests/fuzz/, built from
//! the vectors in tests/data.

use kakunin::internals::fuzz::{CertificateScenario, Scenario};

fn hex(s: &str) -> Vec<u8> {
    (0..s.trim().len() / 2)
        .filter_map(|i| s.get(2 * i..2 * i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

/// ISO 18013-5 Annex D: IACA `utopia iaca`, now 2021-01-01, the Annex D
/// SessionTranscriptBytes and EReaderKey (the response uses deviceMac).
pub fn annex_d() -> Scenario {
    Scenario::new(
        include_bytes!("../../data/iso18013-5-annex-d/iaca_cert.pem"),
        &hex(include_str!(
            "../../data/iso18013-5-annex-d/session_transcript_bytes.hex"
        )),
        Some(&hex(include_str!("../../data/iso18013-5-annex-d/e_reader_key.d.hex"))),
        "2021-01-01T00:00:00Z",
    )
    .expect("Annex D scenario")
}

/// EUDI reference mDL: IACA `PID Issuer CA - UT 02`, the test's fixed clock
/// 2025-12-19T09:19:37Z and its OpenID4VP SessionTranscript (deviceSignature).
pub fn eudi_mdl() -> Scenario {
    Scenario::new(
        include_bytes!("../../data/eudi-verifier-endpoint/pid_issuer_ca_ut_02.pem"),
        &hex(include_str!(
            "../../data/eudi-verifier-endpoint/mdl_session_transcript.hex"
        )),
        None,
        "2025-12-19T09:19:37Z",
    )
    .expect("EUDI mDL scenario")
}

/// Both end-to-end scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![annex_d(), eudi_mdl()]
}

/// Certificate target: the Annex D IACA as the only anchor, at 2021-01-01.
pub fn certificates() -> CertificateScenario {
    CertificateScenario::new(
        include_bytes!("../../data/iso18013-5-annex-d/iaca_cert.pem"),
        "2021-01-01T00:00:00Z",
    )
    .expect("certificate scenario")
}

/// Session target: the Annex D NFC negotiated handover, EReaderKey and
/// DeviceRequest, reader root `CN=reader root` as anchor, at 2021-01-01.
pub fn session() -> kakunin::internals::fuzz::SessionScenario {
    kakunin::internals::fuzz::SessionScenario::new(
        &hex(include_str!("../../data/iso18013-5-annex-d/handover_select.hex")),
        &hex(include_str!("../../data/iso18013-5-annex-d/handover_request.hex")),
        &hex(include_str!("../../data/iso18013-5-annex-d/e_reader_key.d.hex")),
        &hex(include_str!("../../data/iso18013-5-annex-d/device_request.hex")),
        include_bytes!("../../data/iso18013-5-annex-d/reader_root_cert.pem"),
        "2021-01-01T00:00:00Z",
    )
    .expect("session scenario")
}

/// C ABI target: Annex D anchor, SessionTranscriptBytes and EReaderKey,
/// verified at 2021-01-01 (Unix 1609459200).
pub fn c_abi(data: &[u8]) -> Result<(), kakunin::internals::fuzz::Violation> {
    kakunin::internals::fuzz::c_abi(
        include_bytes!("../../data/iso18013-5-annex-d/iaca_cert.pem"),
        &hex(include_str!(
            "../../data/iso18013-5-annex-d/session_transcript_bytes.hex"
        )),
        &hex(include_str!("../../data/iso18013-5-annex-d/e_reader_key.d.hex")),
        1_609_459_200,
        data,
    )
}

/// Trust-list target: AAMVA DTS Root CA as VICAL anchor at
/// 2025-11-18T20:00:00Z (the VICAL verifies then); Annex D IACA and DS for CRLs.
pub fn trust_lists() -> kakunin::internals::fuzz::TrustListScenario {
    kakunin::internals::fuzz::TrustListScenario::new(
        include_bytes!("../../data/aamva-vical/aamva_dts_root_ca.pem"),
        include_bytes!("../../data/iso18013-5-annex-d/iaca_cert.pem"),
        include_bytes!("../../data/iso18013-5-annex-d/ds_cert.pem"),
        "2025-11-18T20:00:00Z",
    )
    .expect("trust list scenario")
}
