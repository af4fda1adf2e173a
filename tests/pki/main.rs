//! Trust: the Annex B certificate profiles, real issuers' anchors and
//! certificates, VICALs, revocation (CRLs, status lists) and the Document
//! Signer cache.

#[path = "../support/mod.rs"]
mod support;

mod annex_b;
mod ds_cache;
mod revocation;
mod trust_vectors;
mod vical;
mod x509_parsing;
