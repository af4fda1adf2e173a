//! Presentation: how a holder's bytes reach the verifier.
//!
//! Every flow here ends as "DeviceResponse bytes + SessionTranscript" and
//! enters the same [`Verifier`](crate::Verifier).

pub mod online;
