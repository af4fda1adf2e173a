//! Issuer data authentication (ISO 18013-5 §9.1.2, §9.3.1): the
//! `issuerAuth` COSE_Sign1, the Document Signer chain to a trust anchor and
//! its certificate profile (Annex B), revocation, the MSO and the value
//! digests of every disclosed IssuerSignedItem, hashed as received.

use crate::cbor::{self, Item};
use crate::cose::{self, CoseMessage, TAG_SIGN1};
use crate::document::{DeviceAuthKind, IssuerSummary, Namespace, VerifiedDocument};
use crate::error::{err, structure, Error, ErrorCode};
use crate::limits::Limits;
use crate::mso::Mso;
use crate::pki::profile;
use crate::pki::revocation;
use crate::pki::trust::{self, TrustPath};
use crate::response::{IssuerSigned, IssuerSignedItem};
use crate::time::UnixTime;
use crate::value::ElementValue;
use crate::verifier::Verifier;
use std::collections::BTreeSet;

impl Verifier {
    /// Issuer data authentication (ISO 18013-5 §9.1.2, §9.3.1). Returns the
    /// verified part, or `None` when a check could not even be attempted;
    /// every failure is pushed to `errors`.
    pub(crate) fn verify_issuer_part<'a>(
        &self,
        issuer_signed: &'a Item<'a>,
        doc_type: Option<&str>,
        now: UnixTime,
        errors: &mut Vec<Error>,
    ) -> Option<IssuerPart<'a>> {
        let limits = &self.policy.limits;
        let skew = self.policy.clock_skew_secs;
        macro_rules! fatal {
            ($e:expr) => {{
                errors.push($e);
                return None;
            }};
        }
        let issuer_signed = match IssuerSigned::read(issuer_signed) {
            Ok(i) => i,
            Err(e) => fatal!(e),
        };
        let auth_item = issuer_signed.issuer_auth;
        let auth = match CoseMessage::parse(auth_item, TAG_SIGN1, "issuerAuth", limits) {
            Ok(a) => a,
            Err(e) => fatal!(e),
        };
        // issuerAuth processing reads alg and x5chain only.
        if let Err(e) = auth.check_crit("issuerAuth", &[cose::HEADER_ALG, cose::HEADER_X5CHAIN]) {
            fatal!(e);
        }
        let alg = match auth.signature_algorithm("issuerAuth") {
            Ok(a) => a,
            Err(e) => fatal!(e),
        };
        let chain = match auth.x5chain("issuerAuth", limits) {
            Ok(c) => c,
            Err(e) => fatal!(e),
        };
        let Some(ds_der) = chain.first() else {
            fatal!(structure("issuerAuth: x5chain is empty"));
        };
        let ds = match self.ds_cache.parse_ds(ds_der) {
            Ok(c) => c,
            Err(e) => fatal!(e.context("Document Signer certificate")),
        };
        let Some(payload) = auth.payload else {
            fatal!(structure("issuerAuth: payload (MobileSecurityObjectBytes) is detached"));
        };
        // Read the MSO docType before trust so that anchors scoped to docTypes
        // are matched against the signed docType, never the claimed one alone.
        let mso_item = match cbor::decode(payload, limits) {
            Ok(i) => i,
            Err(e) => fatal!(Error::from(e).context("MobileSecurityObjectBytes")),
        };
        let Some(mso_bytes) = mso_item.tag24_bytes() else {
            fatal!(structure(
                "issuerAuth payload is not MobileSecurityObjectBytes (#6.24(bstr))"
            ));
        };
        let mso_tree = match cbor::decode(mso_bytes, limits) {
            Ok(i) => i,
            Err(e) => fatal!(Error::from(e).context("MobileSecurityObject")),
        };
        let mso_doc_type = mso_tree
            .get("docType")
            .and_then(|d| d.value.as_text())
            .unwrap_or_default()
            .to_owned();
        let scope_doc_type = doc_type.unwrap_or(&mso_doc_type);

        let (anchor, path) =
            match self
                .trust
                .find_issuer(&ds, scope_doc_type, self.policy.allow_anchor_as_signer, &self.ds_cache)
            {
                Ok(x) => x,
                Err(e) => fatal!(e),
            };
        if alg.curve() != ds.key_curve() {
            fatal!(err(
                ErrorCode::AlgorithmKeyMismatch,
                format!(
                    "issuerAuth: {} with a {} Document Signer key",
                    alg.name(),
                    ds.key_curve().name()
                )
            ));
        }
        let mut buf = Vec::new();
        match cose::verify_sign1(&auth, alg, ds.public_key(), payload, &mut buf) {
            Ok(true) => {}
            Ok(false) => fatal!(err(
                ErrorCode::IssuerSignatureInvalid,
                "issuerAuth signature does not verify with the Document Signer key"
            )),
            Err(e) => fatal!(e),
        }
        errors.extend(trust::check_validity(&ds, anchor, now, skew));
        let cert_profile = self.policy.certificate_profile;
        errors.extend(match path {
            TrustPath::IssuedByAnchor => profile::check_ds(&ds, &anchor.cert, cert_profile),
            TrustPath::PinnedSigner => profile::check_pinned_signer(&ds, cert_profile).into_iter().collect(),
        });

        // The MSO is authentic from here on.
        let mso = match Mso::parse(&mso_tree) {
            Ok(m) => m,
            Err(e) => fatal!(e),
        };
        if let Some(dt) = doc_type {
            if mso.doc_type != dt {
                errors.push(err(
                    ErrorCode::MsoDoctypeMismatch,
                    format!("MSO docType {:?} differs from the document's {:?}", mso.doc_type, dt),
                ));
            }
        }
        if let Err(e) = profile::check_signed_within(&ds, mso.validity.signed) {
            errors.push(e);
        }
        let revocation = revocation::check(
            &self.revocation,
            &self.policy.revocation,
            &revocation::Subject {
                ds: &ds,
                anchor,
                path,
                mso_status: mso.status,
                profile: self.policy.certificate_profile,
                trust: &self.trust,
            },
            now,
            skew,
            limits,
        );
        errors.extend(revocation.errors);
        let v = mso.validity;
        if now.offset(skew) < v.valid_from {
            errors.push(err(
                ErrorCode::MsoNotYetValid,
                format!("MSO is valid from {}", v.valid_from),
            ));
        } else if now.offset(skew) < v.signed {
            errors.push(err(
                ErrorCode::MsoNotYetValid,
                format!("MSO is signed in the future ({})", v.signed),
            ));
        }
        if now.offset(-skew) > v.valid_until {
            errors.push(err(ErrorCode::MsoExpired, format!("MSO expired at {}", v.valid_until)));
        }

        let namespaces = match self.check_digests(&issuer_signed, &mso) {
            Ok(n) => n,
            Err(e) => fatal!(e),
        };
        let disclosed = namespaces
            .iter()
            .flat_map(|n| n.elements.iter().map(move |(id, v)| (n.name.as_str(), id.as_str(), v)));
        errors.extend(profile::check_issuing_country(
            &ds,
            disclosed,
            self.policy.certificate_profile,
        ));
        let issuer = IssuerSummary {
            subject: ds.subject(),
            issuer: ds.issuer(),
            serial_hex: hex::encode(ds.serial_number()),
            not_before: ds.not_before(),
            not_after: ds.not_after(),
            anchor_subject: anchor.certificate().subject(),
            anchor_key_id_hex: anchor
                .certificate()
                .subject_key_identifier()
                .map(hex::encode)
                .unwrap_or_default(),
            trust_path: path,
            signature_algorithm: alg,
            certificate_der: ds.der().to_vec(),
        };
        Some(IssuerPart {
            warnings: revocation.warnings,
            doc_type: mso_doc_type,
            mso,
            issuer,
            namespaces,
        })
    }

    /// Hashes every disclosed IssuerSignedItemBytes as received and compares
    /// it with the MSO valueDigests (ISO 18013-5 §9.3.1 steps 6–7).
    fn check_digests(&self, issuer_signed: &IssuerSigned<'_>, mso: &Mso<'_>) -> Result<Vec<Namespace>, Error> {
        let limits = &self.policy.limits;
        let mut out = Vec::new();
        let Some(ns_item) = issuer_signed.name_spaces else {
            return Ok(out);
        };
        let ns_map = ns_item
            .value
            .as_map()
            .ok_or_else(|| structure("IssuerNameSpaces is not a map"))?;
        if ns_map.len() > limits.max_namespaces {
            return Err(err(ErrorCode::LimitExceeded, "limit `max_namespaces` exceeded"));
        }
        let mut total = 0usize;
        for (ns_key, items) in ns_map {
            let ns = ns_key
                .value
                .as_text()
                .ok_or_else(|| structure("namespace is not text"))?;
            let digests = mso.value_digests.get(ns).ok_or_else(|| {
                err(
                    ErrorCode::DigestMissing,
                    format!("namespace {ns:?} has no digests in the MSO"),
                )
            })?;
            let items = items
                .value
                .as_array()
                .ok_or_else(|| structure(format!("namespace {ns:?}: items are not an array")))?;
            total += items.len();
            if total > limits.max_elements {
                return Err(err(ErrorCode::LimitExceeded, "limit `max_elements` exceeded"));
            }
            let mut seen_ids = BTreeSet::new();
            // Collected into a Namespace from the start: if a later item fails,
            // the values already copied out are zeroized when it drops.
            let mut namespace = Namespace {
                name: ns.to_owned(),
                elements: Vec::with_capacity(items.len()),
            };
            for it in items {
                let inner = it.tag24_bytes().ok_or_else(|| {
                    structure(format!(
                        "namespace {ns:?}: item is not IssuerSignedItemBytes (#6.24(bstr))"
                    ))
                })?;
                let tree = cbor::decode(inner, limits).map_err(|e| Error::from(e).context("IssuerSignedItem"))?;
                let IssuerSignedItem {
                    digest_id,
                    element_identifier: id,
                    element_value: value,
                } = IssuerSignedItem::read(&tree, ns)?;
                // A repeated digestID is a malformed IssuerNameSpaces (each
                // IssuerSignedItem is disclosed once, ISO 18013-5 §8.3.2.1.2.2),
                // not a missing digest: the digest exists.
                if !seen_ids.insert(digest_id) {
                    return Err(structure(format!("{ns}/{id}: digestID {digest_id} disclosed twice")));
                }
                let expected = digests.get(&digest_id).ok_or_else(|| {
                    err(
                        ErrorCode::DigestMissing,
                        format!("{ns}/{id}: digestID {digest_id} is not in the MSO"),
                    )
                })?;
                let actual = mso.digest_algorithm.digest(it.raw);
                if actual.as_bytes() != *expected {
                    return Err(err(
                        ErrorCode::DigestMismatch,
                        format!("digest of {ns}/{id} does not match the MSO"),
                    ));
                }
                if namespace.elements.iter().any(|(k, _)| k == id) {
                    return Err(structure(format!("{ns}/{id} disclosed twice")));
                }
                namespace.elements.push((id.to_owned(), ElementValue::from_cbor(value)));
            }
            out.push(namespace);
        }
        Ok(out)
    }
}

/// The docType an IssuerSigned's MSO claims, read without verifying anything
/// (used only to label a rejection).
pub(crate) fn claimed_mso_doc_type(issuer_signed: &Item<'_>, limits: &Limits) -> Option<String> {
    let auth = issuer_signed.get("issuerAuth")?;
    let msg = CoseMessage::parse(auth, TAG_SIGN1, "issuerAuth", limits).ok()?;
    let payload = cbor::decode(msg.payload?, limits).ok()?;
    let mso = cbor::decode(payload.tag24_bytes()?, limits).ok()?;
    mso.get("docType")?.value.as_text().map(str::to_owned)
}

/// The verified issuer side of a document.
pub(crate) struct IssuerPart<'a> {
    pub(crate) doc_type: String,
    pub(crate) mso: Mso<'a>,
    issuer: IssuerSummary,
    namespaces: Vec<Namespace>,
    /// Problems the policy tolerated (best-effort revocation).
    warnings: Vec<Error>,
}

impl IssuerPart<'_> {
    pub(crate) fn into_document(
        self,
        device_auth: Option<DeviceAuthKind>,
        device_namespaces: Vec<Namespace>,
        now: UnixTime,
    ) -> VerifiedDocument {
        VerifiedDocument {
            doc_type: self.doc_type,
            issuer: self.issuer,
            validity: self.mso.validity,
            digest_algorithm: self.mso.digest_algorithm,
            device_auth,
            namespaces: self.namespaces,
            device_namespaces,
            verified_at: now,
            warnings: Vec::new(),
            policy_warnings: self.warnings,
        }
    }
}
