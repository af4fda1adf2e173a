//! The structure of a DeviceResponse as received (ISO 18013-5 §8.3.2.1.2.2):
//! typed views over the decoded CBOR, read before any check runs, so that
//! issuer and device authentication work on named fields rather than on map
//! lookups amid the cryptography. A view borrows the decoded tree, whose
//! items keep their bytes exactly as received; nothing is re-encoded.
//!
//! ```text
//! DeviceResponse = { "version": tstr, ? "documents": [+ Document],
//!                    ? "documentErrors": [+ DocumentError], "status": uint }
//! Document       = { "docType": DocType, "issuerSigned": IssuerSigned,
//!                    ? "deviceSigned": DeviceSigned, ? "errors": Errors }
//! IssuerSigned   = { ? "nameSpaces": IssuerNameSpaces, "issuerAuth": IssuerAuth }
//! DeviceSigned   = { "nameSpaces": DeviceNameSpacesBytes, "deviceAuth": DeviceAuth }
//! DeviceAuth     = { "deviceSignature": DeviceSignature // "deviceMac": DeviceMac }
//! IssuerSignedItem = { "digestID": uint, "random": bstr,
//!                      "elementIdentifier": tstr, "elementValue": any }
//! ```
//!
//! Only the structure is checked here. Whether a value verifies is the
//! business of `issuer_auth` (§9.1.2) and `device_auth` (§9.1.3).

use crate::cbor::Item;
use crate::error::{err, structure, Error, ErrorCode};
use crate::limits::Limits;

/// A DeviceResponse whose version this verifier implements.
pub(crate) struct DeviceResponse<'a> {
    /// `status` (§8.3.2.1.2.3); 0 is "OK".
    pub(crate) status: u64,
    /// `documents` (empty when absent). Each is read by [`Document::read`]
    /// on its own, so that a malformed one rejects only itself.
    pub(crate) documents: &'a [Item<'a>],
}

impl<'a> DeviceResponse<'a> {
    /// Reads the top level: `version` must be "1.0", `status` present,
    /// `documents` (when present) an array within `limits.max_documents`.
    pub(crate) fn read(item: &'a Item<'a>, limits: &Limits) -> Result<Self, Error> {
        if item.value.as_map().is_none() {
            return Err(structure("DeviceResponse is not a map"));
        }
        match item.get("version").and_then(|x| x.value.as_text()) {
            Some("1.0") => {}
            Some(other) => {
                return Err(err(
                    ErrorCode::UnsupportedVersion,
                    format!("DeviceResponse version {other:?} is not supported"),
                ))
            }
            None => return Err(structure("DeviceResponse: version missing")),
        }
        let status = item
            .get("status")
            .and_then(|x| x.value.as_u64())
            .ok_or_else(|| structure("DeviceResponse: status missing"))?;
        let documents = match item.get("documents") {
            None => &[][..],
            Some(d) => d
                .value
                .as_array()
                .ok_or_else(|| structure("DeviceResponse: documents is not an array"))?,
        };
        if documents.len() > limits.max_documents {
            return Err(err(ErrorCode::LimitExceeded, "limit `max_documents` exceeded"));
        }
        Ok(DeviceResponse { status, documents })
    }
}

/// One Document of a DeviceResponse.
pub(crate) struct Document<'a> {
    /// `docType` as the holder claims it (the MSO's signed docType is
    /// compared with it by the issuer check).
    pub(crate) doc_type: &'a str,
    /// `issuerSigned`, read by [`IssuerSigned::read`].
    pub(crate) issuer_signed: &'a Item<'a>,
    /// `deviceSigned`, read by [`DeviceSigned::read`] when device
    /// authentication is asked for (an issuer-only check never reads it).
    pub(crate) device_signed: Option<&'a Item<'a>>,
}

impl<'a> Document<'a> {
    /// The docType a Document claims, read without checking anything (to
    /// label its rejection); empty when there is none.
    pub(crate) fn claimed_doc_type(item: &Item<'_>) -> String {
        item.get("docType")
            .and_then(|d| d.value.as_text())
            .unwrap_or_default()
            .to_owned()
    }

    /// Reads a Document: a map with a text `docType` and an `issuerSigned`.
    pub(crate) fn read(item: &'a Item<'a>) -> Result<Self, Error> {
        if item.value.as_map().is_none() {
            return Err(structure("Document is not a map"));
        }
        let doc_type = item
            .get("docType")
            .and_then(|d| d.value.as_text())
            .ok_or_else(|| structure("Document: docType missing or not text"))?;
        let issuer_signed = item
            .get("issuerSigned")
            .ok_or_else(|| structure("Document: issuerSigned missing"))?;
        Ok(Document {
            doc_type,
            issuer_signed,
            device_signed: item.get("deviceSigned"),
        })
    }
}

/// IssuerSigned: the issuer-signed part of a Document.
pub(crate) struct IssuerSigned<'a> {
    /// `nameSpaces` (IssuerNameSpaces), when anything is disclosed; its
    /// items are read one by one with [`IssuerSignedItem::read`] as their
    /// digests are checked.
    pub(crate) name_spaces: Option<&'a Item<'a>>,
    /// `issuerAuth`, a COSE_Sign1 over MobileSecurityObjectBytes.
    pub(crate) issuer_auth: &'a Item<'a>,
}

impl<'a> IssuerSigned<'a> {
    /// Reads IssuerSigned. It is not signed as a whole, so a key other than
    /// `nameSpaces` and `issuerAuth` (a mangled "nameSpaces", say) is refused
    /// rather than read as "nothing disclosed".
    pub(crate) fn read(item: &'a Item<'a>) -> Result<Self, Error> {
        let map = item
            .value
            .as_map()
            .ok_or_else(|| structure("IssuerSigned is not a map"))?;
        if map
            .iter()
            .any(|(k, _)| !matches!(k.value.as_text(), Some("nameSpaces" | "issuerAuth")))
        {
            return Err(structure("IssuerSigned has a key other than nameSpaces and issuerAuth"));
        }
        let issuer_auth = item
            .get("issuerAuth")
            .ok_or_else(|| structure("IssuerSigned: issuerAuth missing"))?;
        Ok(IssuerSigned {
            name_spaces: item.get("nameSpaces"),
            issuer_auth,
        })
    }
}

/// One IssuerSignedItem, read from the tree decoded out of its
/// IssuerSignedItemBytes (whose bytes as received are what the MSO digests).
pub(crate) struct IssuerSignedItem<'a> {
    /// `digestID`: the key of its digest in the MSO valueDigests.
    pub(crate) digest_id: u64,
    /// `elementIdentifier`.
    pub(crate) element_identifier: &'a str,
    /// `elementValue`.
    pub(crate) element_value: &'a Item<'a>,
}

impl<'a> IssuerSignedItem<'a> {
    /// Reads the decoded IssuerSignedItem `tree` of namespace `ns` (named in
    /// messages). `random` must be present as a byte string: it is what
    /// makes the digest of a guessable value unguessable (§9.1.2.5).
    pub(crate) fn read(tree: &'a Item<'a>, ns: &str) -> Result<Self, Error> {
        if tree.value.as_map().is_none() {
            return Err(structure("IssuerSignedItem is not a map"));
        }
        let digest_id = tree
            .get("digestID")
            .and_then(|d| d.value.as_u64())
            .ok_or_else(|| structure("IssuerSignedItem: digestID missing or not an unsigned integer"))?;
        let element_identifier = tree
            .get("elementIdentifier")
            .and_then(|d| d.value.as_text())
            .ok_or_else(|| structure("IssuerSignedItem: elementIdentifier missing or not text"))?;
        let id = element_identifier;
        tree.get("random")
            .and_then(|d| d.value.as_bytes())
            .ok_or_else(|| structure(format!("{ns}/{id}: random missing or not a byte string")))?;
        let element_value = tree
            .get("elementValue")
            .ok_or_else(|| structure(format!("{ns}/{id}: elementValue missing")))?;
        Ok(IssuerSignedItem {
            digest_id,
            element_identifier,
            element_value,
        })
    }
}

/// DeviceSigned: the part of a Document the mdoc authenticates (§9.1.3).
pub(crate) struct DeviceSigned<'a> {
    /// DeviceNameSpacesBytes (`#6.24(bstr)`) exactly as received: it goes
    /// into DeviceAuthenticationBytes as is.
    pub(crate) name_spaces_bytes: &'a [u8],
    /// The DeviceNameSpaces CBOR inside `name_spaces_bytes`.
    pub(crate) name_spaces: &'a [u8],
    /// `deviceAuth`: exactly one of a signature or a MAC.
    pub(crate) device_auth: DeviceAuth<'a>,
}

/// DeviceAuth: how the mdoc authenticated, by MAC (§9.1.3.5) or signature
/// (§9.1.3.6).
pub(crate) enum DeviceAuth<'a> {
    /// `deviceSignature`, a COSE_Sign1.
    Signature(&'a Item<'a>),
    /// `deviceMac`, a COSE_Mac0.
    Mac(&'a Item<'a>),
}

impl<'a> DeviceSigned<'a> {
    /// Reads a Document's `deviceSigned`. Its absence, or a DeviceAuth
    /// with neither member, is [`ErrorCode::DeviceAuthMissing`]: nothing
    /// authenticates the document.
    pub(crate) fn read(device_signed: Option<&'a Item<'a>>) -> Result<Self, Error> {
        let device_signed =
            device_signed.ok_or_else(|| err(ErrorCode::DeviceAuthMissing, "Document: deviceSigned missing"))?;
        if device_signed.value.as_map().is_none() {
            return Err(structure("DeviceSigned is not a map"));
        }
        let ns_item = device_signed
            .get("nameSpaces")
            .ok_or_else(|| structure("DeviceSigned: nameSpaces missing"))?;
        let name_spaces = ns_item
            .tag24_bytes()
            .ok_or_else(|| structure("DeviceSigned: nameSpaces is not DeviceNameSpacesBytes (#6.24(bstr))"))?;
        let auth = device_signed
            .get("deviceAuth")
            .ok_or_else(|| err(ErrorCode::DeviceAuthMissing, "DeviceSigned: deviceAuth missing"))?;
        let entries = auth
            .value
            .as_map()
            .ok_or_else(|| structure("DeviceAuth is not a map"))?;
        let sig = auth.get("deviceSignature");
        let mac = auth.get("deviceMac");
        if entries.len() != usize::from(sig.is_some()) + usize::from(mac.is_some()) {
            return Err(structure("DeviceAuth has unknown entries"));
        }
        let device_auth = match (sig, mac) {
            (Some(s), None) => DeviceAuth::Signature(s),
            (None, Some(m)) => DeviceAuth::Mac(m),
            (Some(_), Some(_)) => {
                return Err(structure(
                    "DeviceAuth holds both deviceSignature and deviceMac; exactly one is allowed",
                ))
            }
            (None, None) => {
                return Err(err(
                    ErrorCode::DeviceAuthMissing,
                    "DeviceAuth holds neither deviceSignature nor deviceMac",
                ))
            }
        };
        Ok(DeviceSigned {
            name_spaces_bytes: ns_item.raw,
            name_spaces,
            device_auth,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor;

    fn code_of<T>(r: Result<T, Error>) -> ErrorCode {
        match r {
            Ok(_) => panic!("read a malformed structure"),
            Err(e) => e.code(),
        }
    }

    fn with_device_signed(hex_cbor: &str, f: impl FnOnce(Result<DeviceSigned<'_>, Error>)) {
        let bytes = hex::decode(hex_cbor).unwrap();
        let item = cbor::decode(&bytes, &Limits::default()).unwrap();
        f(DeviceSigned::read(Some(&item)));
    }

    #[test]
    fn device_auth_is_exactly_one_known_member() {
        // {"nameSpaces": 24(<<{}>>), "deviceAuth": {"deviceSignature": 0, "deviceMac": 0}}
        with_device_signed(
            "a26a6e616d65537061636573d81841a06a64657669636541757468\
             a26f6465766963655369676e617475726500696465766963654d616300",
            |r| assert_eq!(code_of(r), ErrorCode::StructureInvalid),
        );
        // "deviceAuth": {}
        with_device_signed("a26a6e616d65537061636573d81841a06a64657669636541757468a0", |r| {
            assert_eq!(code_of(r), ErrorCode::DeviceAuthMissing)
        });
        // "deviceAuth": {"deviceMac": 0, "deviceKey": 0}
        with_device_signed(
            "a26a6e616d65537061636573d81841a06a64657669636541757468\
             a2696465766963654d616300696465766963654b657900",
            |r| assert_eq!(code_of(r), ErrorCode::StructureInvalid),
        );
        assert_eq!(code_of(DeviceSigned::read(None)), ErrorCode::DeviceAuthMissing);
    }

    #[test]
    fn device_namespaces_bytes_are_kept_as_received() {
        with_device_signed(
            "a26a6e616d65537061636573d81841a06a64657669636541757468a1696465766963654d616300",
            |r| {
                let ds = r.unwrap();
                // The tag-24 wrapper and all: DeviceAuthenticationBytes embeds it.
                assert_eq!(ds.name_spaces_bytes, [0xd8, 0x18, 0x41, 0xa0]);
                assert_eq!(ds.name_spaces, [0xa0]);
                assert!(matches!(ds.device_auth, DeviceAuth::Mac(_)));
            },
        );
    }

    #[test]
    fn issuer_signed_refuses_a_mangled_key() {
        // {"issuerAuth": 0, "namespaces": {}}: lower-case "namespaces".
        let bytes = hex::decode("a26a69737375657241757468006a6e616d65737061636573a0").unwrap();
        let item = cbor::decode(&bytes, &Limits::default()).unwrap();
        assert_eq!(code_of(IssuerSigned::read(&item)), ErrorCode::StructureInvalid);
    }

    #[test]
    fn device_response_version_must_be_1_0() {
        // {"version": "1.1", "status": 0}
        let bytes = hex::decode("a26776657273696f6e63312e316673746174757300").unwrap();
        let item = cbor::decode(&bytes, &Limits::default()).unwrap();
        assert_eq!(
            code_of(DeviceResponse::read(&item, &Limits::default())),
            ErrorCode::UnsupportedVersion
        );
    }
}
