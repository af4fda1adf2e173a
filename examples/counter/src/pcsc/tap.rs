//! One tap, over any [`ApduLink`]: NFC engagement (static or negotiated
//! handover) with kakunin's sans-I/O engine, a DeviceRequest bound to the
//! session's transcript, data retrieval over NFC (ENVELOPE / GET RESPONSE,
//! extended length when both the reader and the phone allow it) or over BLE
//! through a [`BleCentral`], then verification with the session's transcript
//! and reader key.

use super::ble::{self, BleCentral};
use super::link::{ApduLink, LinkError};
use super::{ProximityError, ProximityErrorKind, ProximityInput};
use kakunin::session::{
    DeviceEngagement, DeviceRequestBuilder, ItemsRequest, ReaderSession, RetrievalMethod, SessionEvent,
};
use kakunin::transport::ndef::{handover_request, NdefRecord, NfcCarrier, Tnf, NFC_CARRIER_TYPE};
use kakunin::transport::nfc::{NfcConfig, NfcEvent, NfcReader};
use kakunin::transport::nfc_engagement::{EngagementConfig, EngagementEvent, HandoverKind, NfcEngagementReader};
use kakunin::{UnixTime, Verification};
use std::time::{Duration, Instant};

/// Largest session message accepted (a response with a large portrait is
/// about 100 KB; leave room).
const MAX_MESSAGE: usize = 4 * 1024 * 1024;
/// Bound on APDUs per tap (short APDUs move 256 bytes each).
const MAX_APDUS: usize = MAX_MESSAGE / 256 + 64;

/// What one tap did, besides the verdict.
pub struct TapReport {
    /// The verification of the DeviceResponse.
    pub verification: Verification,
    /// Static or negotiated handover.
    pub handover: HandoverKind,
    /// Whether data came over NFC (else BLE).
    pub over_nfc: bool,
    /// Whether extended length APDUs were used for data retrieval.
    pub extended_length: bool,
    /// Command APDUs of engagement.
    pub engagement_apdus: usize,
    /// Command APDUs of data retrieval (SELECT included).
    pub retrieval_apdus: usize,
    /// Bytes sent and received in data retrieval.
    pub retrieval_bytes: usize,
    /// From the last response APDU (or notification) to the verdict.
    pub last_apdu_to_verdict: Duration,
}

fn fail(kind: ProximityErrorKind, detail: impl Into<String>) -> ProximityError {
    ProximityError {
        kind,
        detail: detail.into(),
    }
}

fn link_error(e: LinkError, what: &str) -> ProximityError {
    match e {
        LinkError::Timeout => fail(
            ProximityErrorKind::Timeout,
            format!("the phone stopped answering during {what}"),
        ),
        LinkError::Removed(d) => fail(
            ProximityErrorKind::HolderStopped,
            format!("the phone left the reader during {what}: {d}"),
        ),
        LinkError::Reader(d) => fail(ProximityErrorKind::Other, format!("reader failure during {what}: {d}")),
    }
}

fn protocol(e: kakunin::Error, what: &str) -> ProximityError {
    fail(
        ProximityErrorKind::Other,
        format!("{what}: {} ({})", e, e.code().as_str()),
    )
}

/// The Handover Request the counter writes in negotiated handover: data
/// retrieval over NFC with the reader's limits.
pub fn reader_handover_request(extended: bool) -> Vec<u8> {
    let carrier = if extended {
        NfcCarrier {
            max_command_data: 0xFFFF,
            max_response_data: 0x10000,
        }
    } else {
        NfcCarrier {
            max_command_data: 255,
            max_response_data: 256,
        }
    };
    let payload = carrier.encode();
    let record = NdefRecord {
        tnf: Tnf::External,
        record_type: NFC_CARRIER_TYPE,
        id: b"nfc",
        payload: &payload,
    };
    let mut random = [0u8; 2];
    let _ = rand_core::RngCore::try_fill_bytes(&mut rand_core::OsRng, &mut random);
    handover_request(u16::from_be_bytes(random), &[record]).unwrap_or_default()
}

/// The DeviceRequest for the configured requests.
pub fn device_request(input: &ProximityInput<'_>) -> Result<Vec<u8>, ProximityError> {
    let mut builder = DeviceRequestBuilder::new();
    for r in input.requests {
        let mut items = ItemsRequest::new(r.doc_type());
        for e in r.elements() {
            items = items.element_with_retention(&e.namespace, &e.element, e.intent_to_retain);
        }
        builder.add(&items).map_err(|e| protocol(e, "building the request"))?;
    }
    Ok(builder.build())
}

struct Counter<'a> {
    link: &'a mut dyn ApduLink,
    timeout: Duration,
    apdus: usize,
    bytes: usize,
}

impl Counter<'_> {
    fn transmit(&mut self, apdu: &[u8], what: &str) -> Result<Vec<u8>, ProximityError> {
        self.apdus += 1;
        if self.apdus > MAX_APDUS {
            return Err(fail(ProximityErrorKind::Other, format!("too many APDUs during {what}")));
        }
        let r = self
            .link
            .transmit(apdu, self.timeout)
            .map_err(|e| link_error(e, what))?;
        self.bytes += apdu.len() + r.len();
        Ok(r)
    }
}

/// Runs one tap on a card already present. `ble` serves phones that ask for
/// BLE data retrieval.
pub fn run_tap(
    link: &mut dyn ApduLink,
    input: &ProximityInput<'_>,
    ble: Option<&mut dyn BleCentral>,
) -> Result<TapReport, ProximityError> {
    let extended_reader = link.extended_length();
    let mut io = Counter {
        link,
        timeout: input.timeout,
        apdus: 0,
        bytes: 0,
    };

    // 1. Engagement.
    let mut engine = NfcEngagementReader::new(EngagementConfig {
        max_message: 64 * 1024,
        extended_length: extended_reader,
        handover_request: reader_handover_request(extended_reader),
    });
    let mut apdu = engine.start();
    let engagement = loop {
        let r = io.transmit(&apdu, "engagement")?;
        match engine.on_response(&r).map_err(|e| protocol(e, "NFC engagement"))? {
            EngagementEvent::Send(next) => apdu = next,
            EngagementEvent::SendAfter { delay, apdu: next } => {
                std::thread::sleep(delay);
                apdu = next;
            }
            EngagementEvent::Done(e) => break e,
            _ => return Err(fail(ProximityErrorKind::Other, "unexpected engagement event")),
        }
    };
    let (engagement_apdus, engagement_bytes) = (io.apdus, io.bytes);
    let (de, handover) =
        DeviceEngagement::from_nfc_handover(&engagement.handover_select, engagement.handover_request.as_deref())
            .map_err(|e| protocol(e, "device engagement"))?;
    let ble_method = de.retrieval_methods().iter().find_map(|m| match m {
        RetrievalMethod::Ble {
            peripheral_server_mode: true,
            peripheral_server_uuid: Some(u),
            device_address,
            ..
        } => Some((*u, device_address.clone())),
        _ => None,
    });
    let mut session = ReaderSession::new(de, handover).map_err(|e| protocol(e, "session keys"))?;
    let request = device_request(input)?;
    let establishment = session
        .establish(&request)
        .map_err(|e| protocol(e, "session establishment"))?;

    // 2. Data retrieval.
    let mut nfc_reader = None;
    let (reply, over_nfc, extended, last) = match (engagement.nfc, ble, ble_method) {
        (Some(carrier), _, _) => {
            let extended = extended_reader && carrier.max_response_data > 256 && carrier.max_command_data > 255;
            let cap = if extended { 0xFFFF } else { 255 };
            let mut reader = NfcReader::new(NfcConfig {
                max_command_data: carrier.max_command_data.min(cap),
                extended_length: extended,
                max_message: MAX_MESSAGE,
            });
            let select = reader.select();
            let r = io.transmit(&select, "data retrieval")?;
            match reader
                .on_response(&r)
                .map_err(|e| protocol(e, "selecting the mdoc application"))?
            {
                NfcEvent::Selected => {}
                _ => return Err(fail(ProximityErrorKind::Other, "mdoc application not selected")),
            }
            let mut apdu = reader
                .send_message(&establishment)
                .map_err(|e| protocol(e, "data retrieval"))?;
            loop {
                let r = io.transmit(&apdu, "data retrieval")?;
                let last = Instant::now();
                match reader.on_response(&r).map_err(|e| protocol(e, "data retrieval"))? {
                    NfcEvent::Send(next) => apdu = next,
                    NfcEvent::Message(m) => {
                        nfc_reader = Some(reader);
                        break (m, true, extended, last);
                    }
                    _ => return Err(fail(ProximityErrorKind::Other, "unexpected NFC event")),
                }
            }
        }
        (None, Some(central), Some((uuid, address))) => {
            let m = ble::exchange(
                central,
                uuid,
                address.as_deref(),
                &establishment,
                input.timeout,
                MAX_MESSAGE,
            )
            .map_err(|e| fail(ProximityErrorKind::HolderStopped, format!("BLE data retrieval: {e}")))?;
            (m, false, false, Instant::now())
        }
        (None, None, Some(_)) => {
            return Err(fail(
                ProximityErrorKind::Other,
                "the phone offers only BLE data retrieval and this counter has no BLE adapter",
            ))
        }
        (None, _, None) => {
            return Err(fail(
                ProximityErrorKind::Other,
                "the phone offers no data retrieval method the counter supports",
            ))
        }
    };
    let retrieval_apdus = io.apdus - engagement_apdus;
    let retrieval_bytes = io.bytes - engagement_bytes;

    // 3. Verdict.
    let response = match session.receive(&reply).map_err(|e| protocol(e, "session data"))? {
        SessionEvent::Response(r) | SessionEvent::ResponseAndTerminated(r) => r,
        SessionEvent::Terminated => {
            return Err(fail(
                ProximityErrorKind::HolderStopped,
                "the phone ended the session without a response",
            ))
        }
        _ => return Err(fail(ProximityErrorKind::Other, "unexpected session event")),
    };
    let verification = input
        .verifier
        .verify_device_response(&response, session.device_auth_input(), UnixTime::now());
    let last_apdu_to_verdict = last.elapsed();
    // End the session (SessionData status 20, §9.1.1.4) once the verdict is
    // known; best effort, the phone may already have left.
    if let Some(mut reader) = nfc_reader {
        io.timeout = io.timeout.min(Duration::from_secs(1));
        if let Ok(mut apdu) = reader.send_message(&session.terminate()) {
            for _ in 0..8 {
                match io.transmit(&apdu, "termination").map(|r| reader.on_response(&r)) {
                    Ok(Ok(NfcEvent::Send(next))) => apdu = next,
                    _ => break,
                }
            }
        }
    }
    Ok(TapReport {
        verification,
        handover: engagement.kind,
        over_nfc,
        extended_length: extended,
        engagement_apdus,
        retrieval_apdus,
        retrieval_bytes,
        last_apdu_to_verdict,
    })
}
