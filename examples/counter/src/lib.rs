//! kakunin-counter: the reference city-hall counter application on kakunin.
//!
//! One binary, two ways to receive a phone ID, one screen for the clerk:
//! - online, through the browser's Digital Credentials API
//!   (`navigator.credentials.get({digital: …})`) with an ISO/IEC 18013-7
//!   Annex C (`org-iso-mdoc`) request built by kakunin ([`online`]);
//! - in proximity, through a PC/SC NFC reader ([`pcsc`]).
//!
//! Every verification appends one personal-data-free audit record
//! (kakunin's [`kakunin::audit::AuditRecord`]) to an SQLite file
//! ([`audit_db`]). Nothing personal is written to disk; personal data lives
//! only in the HTTP response that the clerk's page renders.
//!
//! The modules are public so that the browser tests can drive the same code
//! (the simulated phone of [`wallet`]); the application entry point is
//! `src/main.rs`.

pub mod audit_db;
pub mod config;
pub mod i18n;
pub mod online;
pub mod page;
pub mod pcsc;
pub mod server;
pub mod verdict;
pub mod wallet;
