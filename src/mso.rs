//! The Mobile Security Object (ISO 18013-5 §9.1.2.4): digests, device key,
//! key authorisations and validity, signed by the Document Signer.

use crate::cbor::{Item, Value};
use crate::cose;
use crate::crypto::{DigestAlgorithm, PublicKey};
use crate::error::{err, Error, ErrorCode};
use crate::time::UnixTime;
use std::collections::BTreeMap;

/// The validity information of an MSO (ISO 18013-5 §9.1.2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidityInfo {
    /// When the MSO was signed.
    pub signed: UnixTime,
    /// Start of validity.
    pub valid_from: UnixTime,
    /// End of validity.
    pub valid_until: UnixTime,
    /// When the issuer expects to re-issue, if stated.
    pub expected_update: Option<UnixTime>,
}

/// What the MSO authorises the device to sign (ISO 18013-5 §9.1.2.4 KeyAuthorizations).
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyAuthorizations<'a> {
    namespaces: Vec<&'a str>,
    data_elements: Vec<(&'a str, Vec<&'a str>)>,
}

impl KeyAuthorizations<'_> {
    pub(crate) fn allows(&self, ns: &str, id: &str) -> bool {
        self.namespaces.contains(&ns) || self.data_elements.iter().any(|(n, ids)| *n == ns && ids.contains(&id))
    }
}

/// A parsed MSO, borrowing from the received bytes.
#[derive(Debug)]
pub(crate) struct Mso<'a> {
    pub digest_algorithm: DigestAlgorithm,
    pub value_digests: BTreeMap<&'a str, BTreeMap<u64, &'a [u8]>>,
    pub device_key: PublicKey,
    pub key_authorizations: KeyAuthorizations<'a>,
    pub doc_type: &'a str,
    pub validity: ValidityInfo,
    /// Second-edition `status` (revocation reference), its received bytes.
    pub status: Option<&'a [u8]>,
}

fn structure(m: impl Into<String>) -> Error {
    err(ErrorCode::StructureInvalid, format!("MSO: {}", m.into()))
}

fn text<'a>(item: &Item<'a>, key: &str) -> Result<&'a str, Error> {
    item.get(key)
        .and_then(|v| v.value.as_text())
        .ok_or_else(|| structure(format!("{key} missing or not text")))
}

/// Reads a `tdate` (`#6.0(tstr)`).
pub(crate) fn tdate(item: &Item<'_>, what: &str) -> Result<UnixTime, Error> {
    match &item.value {
        Value::Tag(0, inner) => inner
            .value
            .as_text()
            .and_then(UnixTime::parse_rfc3339)
            .ok_or_else(|| structure(format!("{what} is not an RFC 3339 date-time"))),
        _ => Err(structure(format!("{what} is not a tdate (tag 0)"))),
    }
}

impl<'a> Mso<'a> {
    /// Parses the MSO map (the content of MobileSecurityObjectBytes).
    pub(crate) fn parse(item: &Item<'a>) -> Result<Mso<'a>, Error> {
        if item.value.as_map().is_none() {
            return Err(structure("not a map"));
        }
        let version = text(item, "version")?;
        if version != "1.0" {
            return Err(err(
                ErrorCode::UnsupportedVersion,
                format!("MSO version {version:?} is not supported"),
            ));
        }
        let alg_name = text(item, "digestAlgorithm")?;
        let digest_algorithm = DigestAlgorithm::from_mso_name(alg_name).ok_or_else(|| {
            err(
                ErrorCode::UnsupportedAlgorithm,
                format!("MSO digestAlgorithm {alg_name:?} is not supported"),
            )
        })?;
        let doc_type = text(item, "docType")?;

        let vd = item
            .get("valueDigests")
            .and_then(|v| v.value.as_map())
            .ok_or_else(|| structure("valueDigests missing"))?;
        let mut value_digests = BTreeMap::new();
        for (ns, digests) in vd {
            let ns = ns
                .value
                .as_text()
                .ok_or_else(|| structure("valueDigests key is not text"))?;
            let entries = digests
                .value
                .as_map()
                .ok_or_else(|| structure("DigestIDs is not a map"))?;
            let mut m = BTreeMap::new();
            for (id, d) in entries {
                let id = id
                    .value
                    .as_u64()
                    .ok_or_else(|| structure("DigestID is not an unsigned integer"))?;
                let d = d
                    .value
                    .as_bytes()
                    .ok_or_else(|| structure("digest is not a byte string"))?;
                m.insert(id, d);
            }
            value_digests.insert(ns, m);
        }

        let dki = item
            .get("deviceKeyInfo")
            .ok_or_else(|| structure("deviceKeyInfo missing"))?;
        let dk = dki.get("deviceKey").ok_or_else(|| structure("deviceKey missing"))?;
        let device_key = cose::public_key_from_cose(dk).map_err(|e| e.context("MSO deviceKey"))?;
        let mut key_authorizations = KeyAuthorizations::default();
        if let Some(ka) = dki.get("keyAuthorizations") {
            if ka.value.as_map().is_none() {
                return Err(structure("keyAuthorizations is not a map"));
            }
            if let Some(n) = ka.get("nameSpaces") {
                let arr = n
                    .value
                    .as_array()
                    .ok_or_else(|| structure("keyAuthorizations.nameSpaces is not an array"))?;
                for ns in arr {
                    key_authorizations.namespaces.push(
                        ns.value
                            .as_text()
                            .ok_or_else(|| structure("authorised namespace is not text"))?,
                    );
                }
            }
            if let Some(d) = ka.get("dataElements") {
                let m = d
                    .value
                    .as_map()
                    .ok_or_else(|| structure("keyAuthorizations.dataElements is not a map"))?;
                for (ns, ids) in m {
                    let ns = ns
                        .value
                        .as_text()
                        .ok_or_else(|| structure("authorised namespace is not text"))?;
                    let ids = ids
                        .value
                        .as_array()
                        .ok_or_else(|| structure("DataElementsArray is not an array"))?;
                    let mut v = Vec::with_capacity(ids.len());
                    for id in ids {
                        v.push(
                            id.value
                                .as_text()
                                .ok_or_else(|| structure("authorised element is not text"))?,
                        );
                    }
                    key_authorizations.data_elements.push((ns, v));
                }
            }
        }

        let vi = item
            .get("validityInfo")
            .ok_or_else(|| structure("validityInfo missing"))?;
        let field = |k: &str| vi.get(k).ok_or_else(|| structure(format!("validityInfo.{k} missing")));
        let validity = ValidityInfo {
            signed: tdate(field("signed")?, "signed")?,
            valid_from: tdate(field("validFrom")?, "validFrom")?,
            valid_until: tdate(field("validUntil")?, "validUntil")?,
            expected_update: match vi.get("expectedUpdate") {
                Some(e) => Some(tdate(e, "expectedUpdate")?),
                None => None,
            },
        };
        if validity.valid_until < validity.valid_from {
            return Err(structure("validUntil precedes validFrom"));
        }
        Ok(Mso {
            digest_algorithm,
            value_digests,
            device_key,
            key_authorizations,
            doc_type,
            validity,
            status: item.get("status").map(|s| s.raw),
        })
    }
}
