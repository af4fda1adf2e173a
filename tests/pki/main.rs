//! Trust: the Annex B certificate profiles, real issuers' anchors and
//! certificates, VICALs, revocation (CRLs, status lists) and the Document
//! Signer cache.

use kakunin_test_kit as support;

mod annex_b;
mod ds_cache;
mod revocation;
mod trust_vectors;
mod vical;
mod x509_parsing;
