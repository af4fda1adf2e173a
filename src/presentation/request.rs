//! What a reader asked for, as one model: docType → namespace → element
//! identifiers (ISO 18013-5 §8.3.2.1.2.1 ItemsRequest), and a whole
//! [`Request`] (the ItemsRequests of a DeviceRequest).
//!
//! The same types serve three places: the privacy policy's checked requests
//! ([`crate::presentation::privacy::ElementRequest`] converts into an [`ItemsRequest`]),
//! the session's request builder
//! ([`DeviceRequestBuilder`](crate::presentation::session::DeviceRequestBuilder) encodes
//! [`ItemsRequest`]s and reports the [`Request`] it built), and
//! verification, which binds a response to its request
//! ([`Verifier::verify_device_response_for`], [`Verification::bind`]):
//!
//! - a document whose docType was not requested is rejected with
//!   [`ErrorCode::DocumentNotRequested`] (ISO 18013-5 §8.3.2.1.2.2: a
//!   DeviceResponse answers its DeviceRequest);
//! - an element that was not requested is **dropped**, not returned: it is
//!   not reachable from the [`VerifiedDocument`](crate::VerifiedDocument)
//!   (nor from the JSON report or the C ABI). Its digest was verified like every element received
//!   (an element that fails any check still rejects the document), and its
//!   value is zeroized. Dropping rather than rejecting follows data
//!   minimisation: a reader keeps only what it asked for, and a holder's
//!   wallet that discloses more (e.g. a whole namespace) does not make a
//!   genuine document unusable.

use crate::cbor::{self, Item, Value};
use crate::document::{DocumentResult, Namespace, RejectedDocument};
use crate::error::{err, Error, ErrorCode};
use crate::limits::Limits;
use crate::presentation::privacy::{ElementRequest, INDIVIDUAL_NUMBER};
use crate::time::UnixTime;
use crate::verifier::{DeviceAuthInput, Verification, Verifier};

/// The elements requested for one docType.
///
/// Elements keep the order in which they were added; `intentToRetain`
/// defaults to `false` ([`ItemsRequest::element`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemsRequest {
    doc_type: String,
    namespaces: Vec<(String, Vec<(String, bool)>)>,
    /// The stated purpose under which a [`crate::presentation::privacy::RequestPolicy`]
    /// approved asking for `individual_number_unicode`.
    individual_number_purpose: Option<String>,
}

impl ItemsRequest {
    /// A request for `doc_type` (e.g. `org.iso.18013.5.1.mDL`).
    pub fn new(doc_type: impl Into<String>) -> Self {
        ItemsRequest {
            doc_type: doc_type.into(),
            namespaces: Vec::new(),
            individual_number_purpose: None,
        }
    }

    /// Requests an element without intent to retain.
    pub fn element(self, namespace: &str, identifier: &str) -> Self {
        self.element_with_retention(namespace, identifier, false)
    }

    /// Requests an element, stating whether the reader intends to retain it.
    /// Requesting the same element twice keeps the last answer.
    pub fn element_with_retention(mut self, namespace: &str, identifier: &str, intent_to_retain: bool) -> Self {
        let idx = match self.namespaces.iter().position(|(n, _)| n == namespace) {
            Some(i) => i,
            None => {
                self.namespaces.push((namespace.to_owned(), Vec::new()));
                self.namespaces.len() - 1
            }
        };
        if let Some((_, elems)) = self.namespaces.get_mut(idx) {
            match elems.iter_mut().find(|(id, _)| id == identifier) {
                Some(e) => e.1 = intent_to_retain,
                None => elems.push((identifier.to_owned(), intent_to_retain)),
            }
        }
        self
    }

    /// The requested docType.
    pub fn doc_type(&self) -> &str {
        &self.doc_type
    }

    /// The encoded ItemsRequest map: `{"docType", "nameSpaces"}`.
    pub fn to_cbor(&self) -> Vec<u8> {
        let mut out = Vec::new();
        cbor::write_head(&mut out, 5, 2);
        cbor::write_text(&mut out, "docType");
        cbor::write_text(&mut out, &self.doc_type);
        cbor::write_text(&mut out, "nameSpaces");
        cbor::write_len(&mut out, 5, self.namespaces.len());
        for (ns, elems) in &self.namespaces {
            cbor::write_text(&mut out, ns);
            cbor::write_len(&mut out, 5, elems.len());
            for (id, retain) in elems {
                cbor::write_text(&mut out, id);
                out.push(if *retain { 0xf5 } else { 0xf4 });
            }
        }
        out
    }

    /// Privacy by default: `individual_number_unicode` (Japan's My Number) may
    /// only be requested through a [`crate::presentation::privacy::RequestPolicy`] that
    /// enabled it for a stated purpose.
    pub(crate) fn check_privacy(&self) -> Result<(), Error> {
        let asks_number = self
            .namespaces
            .iter()
            .any(|(_, els)| els.iter().any(|(id, _)| id == INDIVIDUAL_NUMBER));
        if asks_number && self.individual_number_purpose.is_none() {
            return Err(err(
                ErrorCode::RequestRefused,
                "individual_number_unicode may only be requested through privacy::RequestPolicy::allow_individual_number",
            ));
        }
        Ok(())
    }

    /// ItemsRequestBytes: `#6.24(bstr .cbor ItemsRequest)`.
    pub fn to_tagged_bytes(&self) -> Vec<u8> {
        cbor::tag24(&self.to_cbor())
    }

    /// The requested namespaces: `(namespace, [(element, intentToRetain)])`,
    /// in request order.
    pub fn namespaces(&self) -> &[(String, Vec<(String, bool)>)] {
        &self.namespaces
    }

    /// Whether `namespace`/`element` is requested.
    pub fn asks_for(&self, namespace: &str, element: &str) -> bool {
        self.namespaces
            .iter()
            .any(|(n, els)| n == namespace && els.iter().any(|(id, _)| id == element))
    }
}

impl From<&ElementRequest> for ItemsRequest {
    /// An ItemsRequest from a request that a [`crate::presentation::privacy::RequestPolicy`]
    /// already checked (the only way to ask for `individual_number_unicode`).
    fn from(r: &ElementRequest) -> Self {
        let mut items = ItemsRequest::new(r.doc_type());
        for e in r.elements() {
            items = items.element_with_retention(&e.namespace, &e.element, e.intent_to_retain);
        }
        items.individual_number_purpose = r.purpose().map(str::to_owned);
        items
    }
}

/// Everything a DeviceRequest asked for: its ItemsRequests, in request
/// order. Build it from [`ItemsRequest`]s ([`Request::new`],
/// [`Request::with`]), take it from a
/// [`DeviceRequestBuilder`](crate::presentation::session::DeviceRequestBuilder::request),
/// or read it from the encoded DeviceRequest as sent
/// ([`Request::from_device_request`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    items: Vec<ItemsRequest>,
}

fn bad(m: impl core::fmt::Display) -> Error {
    err(ErrorCode::StructureInvalid, format!("DeviceRequest: {m}"))
}

impl Request {
    /// A request for nothing (every document would be `document_not_requested`).
    pub fn new() -> Self {
        Request::default()
    }

    /// Adds the ItemsRequest of one DocRequest.
    pub fn with(mut self, items: ItemsRequest) -> Self {
        self.items.push(items);
        self
    }

    /// Adds the ItemsRequest of one DocRequest.
    pub fn push(&mut self, items: ItemsRequest) {
        self.items.push(items);
    }

    /// The ItemsRequests, in request order.
    pub fn items(&self) -> &[ItemsRequest] {
        &self.items
    }

    /// Whether some DocRequest asks for `doc_type`.
    pub fn asks_for_doc_type(&self, doc_type: &str) -> bool {
        self.items.iter().any(|i| i.doc_type == doc_type)
    }

    /// Whether some DocRequest for `doc_type` asks for `namespace`/`element`
    /// (two DocRequests of one docType ask for the union of their elements).
    pub fn asks_for(&self, doc_type: &str, namespace: &str, element: &str) -> bool {
        self.items
            .iter()
            .any(|i| i.doc_type == doc_type && i.asks_for(namespace, element))
    }

    /// Reads an encoded DeviceRequest (ISO 18013-5 §8.3.2.1.2.1) as sent:
    /// `{"version": "1.x", "docRequests": [+ {"itemsRequest":
    /// #6.24(bstr .cbor ItemsRequest), ? "readerAuth": …}]}`. ReaderAuth is
    /// not checked here (the reader made it). Anything malformed is
    /// `structure_invalid`; sizes are bounded by [`Limits::default`].
    pub fn from_device_request(device_request: &[u8]) -> Result<Self, Error> {
        let limits = Limits::default();
        let item = cbor::decode(device_request, &limits).map_err(|e| Error::from(e).context("DeviceRequest"))?;
        if item.value.as_map().is_none() {
            return Err(bad("not a map"));
        }
        match item.get("version").and_then(|v| v.value.as_text()) {
            Some(v) if v.starts_with("1.") => {}
            Some(v) => {
                return Err(err(
                    ErrorCode::UnsupportedVersion,
                    format!("DeviceRequest version {v:?} is not supported"),
                ))
            }
            None => return Err(bad("version missing")),
        }
        let docs = item
            .get("docRequests")
            .and_then(|d| d.value.as_array())
            .ok_or_else(|| bad("docRequests missing or not an array"))?;
        if docs.len() > limits.max_documents {
            return Err(err(ErrorCode::LimitExceeded, "limit `max_documents` exceeded"));
        }
        let mut request = Request::new();
        for d in docs {
            let items = d
                .get("itemsRequest")
                .ok_or_else(|| bad("DocRequest without itemsRequest"))?;
            let inner = items
                .tag24_bytes()
                .ok_or_else(|| bad("itemsRequest is not #6.24(bstr)"))?;
            let ir = cbor::decode(inner, &limits).map_err(|e| Error::from(e).context("ItemsRequest"))?;
            request.push(parse_items_request(&ir, &limits)?);
        }
        Ok(request)
    }
}

impl FromIterator<ItemsRequest> for Request {
    /// A request from ItemsRequests, e.g. policy-checked ones:
    /// `requests.iter().map(ItemsRequest::from).collect::<Request>()`.
    fn from_iter<I: IntoIterator<Item = ItemsRequest>>(iter: I) -> Self {
        Request {
            items: iter.into_iter().collect(),
        }
    }
}

/// `ItemsRequest = {"docType": tstr, "nameSpaces": {+ tstr => {+ tstr => bool}}, ? "requestInfo": …}`.
fn parse_items_request(ir: &Item<'_>, limits: &Limits) -> Result<ItemsRequest, Error> {
    if ir.value.as_map().is_none() {
        return Err(bad("ItemsRequest is not a map"));
    }
    let doc_type = ir
        .get("docType")
        .and_then(|v| v.value.as_text())
        .ok_or_else(|| bad("ItemsRequest docType missing or not text"))?;
    let ns_map = ir
        .get("nameSpaces")
        .and_then(|v| v.value.as_map())
        .ok_or_else(|| bad("ItemsRequest nameSpaces missing or not a map"))?;
    if ns_map.len() > limits.max_namespaces {
        return Err(err(ErrorCode::LimitExceeded, "limit `max_namespaces` exceeded"));
    }
    let mut out = ItemsRequest::new(doc_type);
    let mut total = 0usize;
    for (ns, els) in ns_map {
        let ns = ns.value.as_text().ok_or_else(|| bad("namespace is not text"))?;
        let els = els
            .value
            .as_map()
            .ok_or_else(|| bad(format!("{ns}: DataElements is not a map")))?;
        total = total.saturating_add(els.len());
        if total > limits.max_elements {
            return Err(err(ErrorCode::LimitExceeded, "limit `max_elements` exceeded"));
        }
        for (id, retain) in els {
            let id = id
                .value
                .as_text()
                .ok_or_else(|| bad(format!("{ns}: element identifier is not text")))?;
            let Value::Bool(retain) = retain.value else {
                return Err(bad(format!("{ns}/{id}: IntentToRetain is not a bool")));
            };
            out = out.element_with_retention(ns, id, retain);
        }
    }
    Ok(out)
}

/// Keeps the requested elements of `namespaces` and zeroizes the others.
fn keep_requested(doc_type: &str, namespaces: &mut Vec<Namespace>, request: &Request) {
    for ns in namespaces.iter_mut() {
        let name = ns.name.as_str();
        let (keep, drop): (Vec<_>, Vec<_>) = core::mem::take(&mut ns.elements)
            .into_iter()
            .partition(|(id, _)| request.asks_for(doc_type, name, id));
        for (_, mut v) in drop {
            v.zeroize();
        }
        ns.elements = keep;
    }
    namespaces.retain(|ns| !ns.elements.is_empty());
}

/// Binds one document outcome to `request` (see the module documentation).
fn bind_document(result: DocumentResult, request: &Request) -> DocumentResult {
    match result {
        Ok(mut doc) => {
            if !request.asks_for_doc_type(&doc.doc_type) {
                return Err(RejectedDocument {
                    claimed_doc_type: doc.doc_type.clone(),
                    errors: vec![not_requested(&doc.doc_type)],
                });
            }
            let dt = doc.doc_type.clone();
            keep_requested(&dt, &mut doc.namespaces, request);
            keep_requested(&dt, &mut doc.device_namespaces, request);
            Ok(doc)
        }
        Err(mut rejected) => {
            if !request.asks_for_doc_type(&rejected.claimed_doc_type) {
                rejected.errors.push(not_requested(&rejected.claimed_doc_type));
            }
            Err(rejected)
        }
    }
}

fn not_requested(doc_type: &str) -> Error {
    err(
        ErrorCode::DocumentNotRequested,
        format!("docType {doc_type:?} was not requested"),
    )
}

impl Verification {
    /// This result bound to `request`: documents of a docType not requested
    /// become `document_not_requested` rejections, and elements that were
    /// not requested are removed (zeroized) from the verified documents.
    /// Use it after any `verify_*` call; see the [module](crate::presentation::request)
    /// documentation for why unrequested elements are dropped, not rejected.
    pub fn bind(mut self, request: &Request) -> Verification {
        self.documents = core::mem::take(&mut self.documents)
            .into_iter()
            .map(|d| bind_document(d, request))
            .collect();
        self
    }
}

impl Verifier {
    /// Verifies a DeviceResponse completely, as
    /// [`Verifier::verify_device_response`], and binds it to the request it
    /// answers ([`Verification::bind`]): a document of a docType not in
    /// `request` is `document_not_requested`, and elements not in `request`
    /// are not returned.
    pub fn verify_device_response_for(
        &self,
        request: &Request,
        device_response: &[u8],
        auth: DeviceAuthInput<'_>,
        now: UnixTime,
    ) -> Verification {
        self.verify_device_response(device_response, auth, now).bind(request)
    }
}
