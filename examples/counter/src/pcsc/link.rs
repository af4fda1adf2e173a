//! The card reader: APDUs to the phone through PC/SC (pcsc-lite on Linux and
//! macOS, WinSCard on Windows) via the `pcsc` crate.
//!
//! PC/SC has no per-command timeout: `SCardTransmit` waits as long as the
//! driver does. The transmit therefore runs on a worker thread that owns the
//! card handle, and the session waits for its answer with a deadline; on
//! timeout the session fails with a clear message and the worker is left to
//! finish (pcscd ends the call when the phone leaves the field).

use std::ffi::CString;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Why a command APDU got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// No response within the deadline.
    Timeout,
    /// The card (phone) left the reader or was reset.
    Removed(String),
    /// Any other reader failure.
    Reader(String),
}

/// Something that carries command APDUs to the phone and back.
pub trait ApduLink {
    /// Sends one command APDU and returns the response APDU (data ‖ SW1 SW2).
    fn transmit(&mut self, apdu: &[u8], timeout: Duration) -> Result<Vec<u8>, LinkError>;
    /// Whether the reader and its driver carry extended length APDUs.
    fn extended_length(&self) -> bool;
}

type Reply = Result<Vec<u8>, pcsc::Error>;

/// A connected PC/SC card (the phone), driven from a worker thread.
pub struct PcscLink {
    requests: Option<mpsc::Sender<Vec<u8>>>,
    replies: mpsc::Receiver<Reply>,
    extended: bool,
    /// The reader's name.
    pub reader: String,
}

/// The names of the readers present (empty when pcscd is not running).
pub fn readers() -> Result<Vec<String>, String> {
    let ctx = pcsc::Context::establish(pcsc::Scope::User).map_err(|e| format!("PC/SC service: {e}"))?;
    list(&ctx)
}

fn list(ctx: &pcsc::Context) -> Result<Vec<String>, String> {
    match ctx.list_readers_owned() {
        Ok(r) => Ok(r.into_iter().map(|c| c.to_string_lossy().into_owned()).collect()),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(format!("listing readers: {e}")),
    }
}

/// Picks the first reader whose name contains `filter` (or the first one).
pub fn pick(names: &[String], filter: Option<&str>) -> Option<String> {
    names.iter().find(|n| filter.is_none_or(|f| n.contains(f))).cloned()
}

/// Why no card could be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    /// No (matching) reader, or no PC/SC service.
    NoReader(String),
    /// No card within the timeout.
    NoCard,
    /// Any other failure.
    Reader(String),
}

impl PcscLink {
    /// Waits up to `timeout` for a card on the reader matching `filter` and
    /// connects to it exclusively.
    pub fn wait_for_card(filter: Option<&str>, timeout: Duration) -> Result<Self, ConnectError> {
        let ctx = pcsc::Context::establish(pcsc::Scope::User)
            .map_err(|e| ConnectError::NoReader(format!("PC/SC service: {e}")))?;
        let names = list(&ctx).map_err(ConnectError::NoReader)?;
        let name = pick(&names, filter).ok_or_else(|| ConnectError::NoReader(format!("no reader among {names:?}")))?;
        let cname = CString::new(name.clone()).map_err(|_| ConnectError::Reader("reader name with NUL".into()))?;
        let deadline = Instant::now() + timeout;
        let mut states = [pcsc::ReaderState::new(cname.clone(), pcsc::State::UNAWARE)];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match ctx.get_status_change(Some(left), &mut states) {
                Ok(()) => {}
                Err(pcsc::Error::Timeout) => return Err(ConnectError::NoCard),
                Err(e) => return Err(ConnectError::Reader(format!("waiting for a card: {e}"))),
            }
            let st = states[0].event_state();
            if st.contains(pcsc::State::PRESENT) && !st.contains(pcsc::State::MUTE) {
                break;
            }
            if left.is_zero() {
                return Err(ConnectError::NoCard);
            }
            states[0].sync_current_state();
        }
        let card = ctx
            .connect(&cname, pcsc::ShareMode::Exclusive, pcsc::Protocols::ANY)
            .map_err(|e| ConnectError::Reader(format!("connecting to the card: {e}")))?;
        let extended = max_input(&card).is_some_and(|n| n >= 65544);
        let (req_tx, req_rx) = mpsc::channel::<Vec<u8>>();
        let (rep_tx, rep_rx) = mpsc::channel::<Reply>();
        thread::Builder::new()
            .name("pcsc-transmit".into())
            .spawn(move || {
                let _ctx = ctx;
                let mut buf = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
                while let Ok(apdu) = req_rx.recv() {
                    let r = card.transmit(&apdu, &mut buf).map(<[u8]>::to_vec);
                    if rep_tx.send(r).is_err() {
                        break;
                    }
                }
                let _ = card.disconnect(pcsc::Disposition::LeaveCard);
            })
            .map_err(|e| ConnectError::Reader(format!("worker thread: {e}")))?;
        let mut link = PcscLink {
            requests: Some(req_tx),
            replies: rep_rx,
            extended,
            reader: name,
        };
        if !link.extended {
            link.extended = link.probe_extended(timeout.min(Duration::from_secs(2)));
        }
        Ok(link)
    }

    /// When the driver does not report its maximum input size, sends the
    /// NDEF application SELECT in extended form once: a reader that cannot
    /// carry extended APDUs fails the transmit or answers 6700.
    fn probe_extended(&mut self, timeout: Duration) -> bool {
        let apdu = kakunin::transport::nfc::command_apdu(
            0x00,
            0xA4,
            0x04,
            0x00,
            &kakunin::transport::nfc::NDEF_TAG_AID,
            Some(65536),
            true,
        );
        matches!(self.transmit(&apdu, timeout), Ok(r) if r.ends_with(&[0x90, 0x00]))
    }
}

fn max_input(card: &pcsc::Card) -> Option<usize> {
    let v = card.get_attribute_owned(pcsc::Attribute::Maxinput).ok()?;
    let b: [u8; 4] = v.get(..4)?.try_into().ok()?;
    usize::try_from(u32::from_le_bytes(b)).ok()
}

impl ApduLink for PcscLink {
    fn transmit(&mut self, apdu: &[u8], timeout: Duration) -> Result<Vec<u8>, LinkError> {
        let tx = self
            .requests
            .as_ref()
            .ok_or_else(|| LinkError::Reader("the reader connection was abandoned".into()))?;
        tx.send(apdu.to_vec())
            .map_err(|_| LinkError::Reader("the reader worker stopped".into()))?;
        match self.replies.recv_timeout(timeout) {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e @ (pcsc::Error::RemovedCard | pcsc::Error::ResetCard | pcsc::Error::NoSmartcard))) => {
                Err(LinkError::Removed(e.to_string()))
            }
            Ok(Err(e)) => Err(LinkError::Reader(e.to_string())),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // The worker is stuck in SCardTransmit: abandon it.
                self.requests = None;
                Err(LinkError::Timeout)
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(LinkError::Reader("the reader worker stopped".into())),
        }
    }

    fn extended_length(&self) -> bool {
        self.extended
    }
}
