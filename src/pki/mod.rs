//! Public-key infrastructure: certificates, trust anchors, the certificate
//! profiles of ISO/IEC 18013-5 Annex B, VICAL lists and revocation.
//!
//! Everything here is about who signed what; nothing here knows about mdoc
//! documents, sessions or presentation flows.

pub(crate) mod ds_cache;
pub(crate) mod profile;
pub mod revocation;
pub(crate) mod trust;
pub mod vical;
pub(crate) mod x509;
pub(crate) mod x509_name;
