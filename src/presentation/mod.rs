//! Presentation: how a holder's bytes reach the verifier.
//!
//! Every flow here ends as "DeviceResponse bytes + SessionTranscript" and
//! enters the same [`Verifier`](crate::Verifier): the
//! [`SessionTranscript`](crate::SessionTranscript), the proximity session
//! ([`session`]) over its transports ([`transport`]), the reader's request and
//! its privacy policy ([`request`], [`privacy`]), the online flows
//! ([`online`]), and the audit record of what was asked and released
//! ([`audit`]).

pub mod audit;
pub mod online;
pub mod privacy;
pub mod request;
pub mod session;
pub(crate) mod transcript;
pub mod transport;
