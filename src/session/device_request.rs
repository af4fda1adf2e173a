//! DeviceRequest and ItemsRequest (ISO 18013-5 §8.3.2.1.2.1).

use crate::cbor;
use crate::device_auth::SessionTranscript;
use crate::error::{err, Error, ErrorCode};
use crate::privacy::{ElementRequest, INDIVIDUAL_NUMBER};
use crate::session::reader_auth::{sign_reader_auth, ReaderAuthSigner};

/// The elements requested for one docType.
///
/// Elements keep the order in which they were added; `intentToRetain`
/// defaults to `false` ([`ItemsRequest::element`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemsRequest {
    doc_type: String,
    namespaces: Vec<(String, Vec<(String, bool)>)>,
    /// The stated purpose under which a [`crate::privacy::RequestPolicy`]
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
        cbor::write_head(&mut out, 5, self.namespaces.len() as u64);
        for (ns, elems) in &self.namespaces {
            cbor::write_text(&mut out, ns);
            cbor::write_head(&mut out, 5, elems.len() as u64);
            for (id, retain) in elems {
                cbor::write_text(&mut out, id);
                out.push(if *retain { 0xf5 } else { 0xf4 });
            }
        }
        out
    }

    /// Privacy by default: `individual_number_unicode` (Japan's My Number) may
    /// only be requested through a [`crate::privacy::RequestPolicy`] that
    /// enabled it for a stated purpose.
    fn check_privacy(&self) -> Result<(), Error> {
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
}

impl From<&ElementRequest> for ItemsRequest {
    /// An ItemsRequest from a request that a [`crate::privacy::RequestPolicy`]
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

/// Builds a DeviceRequest (version "1.0") from ItemsRequests, each
/// optionally signed with ReaderAuth.
#[derive(Clone, Debug, Default)]
pub struct DeviceRequestBuilder {
    doc_requests: Vec<Vec<u8>>,
}

impl DeviceRequestBuilder {
    /// An empty request.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a DocRequest without reader authentication. Refuses
    /// (`request_refused`) what the privacy policy does not allow.
    pub fn add(&mut self, items: &ItemsRequest) -> Result<&mut Self, Error> {
        items.check_privacy()?;
        let mut out = Vec::new();
        cbor::write_head(&mut out, 5, 1);
        cbor::write_text(&mut out, "itemsRequest");
        out.extend_from_slice(&items.to_tagged_bytes());
        self.doc_requests.push(out);
        Ok(self)
    }

    /// Adds a DocRequest with a ReaderAuth over this session's transcript
    /// (ISO 18013-5 §9.1.4), signed by `signer` (a key or an HSM callback).
    pub fn add_with_reader_auth(
        &mut self,
        items: &ItemsRequest,
        transcript: &SessionTranscript,
        signer: &dyn ReaderAuthSigner,
    ) -> Result<&mut Self, Error> {
        items.check_privacy()?;
        let items_bytes = items.to_tagged_bytes();
        let reader_auth = sign_reader_auth(&items_bytes, transcript, signer)?;
        let mut out = Vec::with_capacity(items_bytes.len() + reader_auth.len() + 32);
        cbor::write_head(&mut out, 5, 2);
        cbor::write_text(&mut out, "itemsRequest");
        out.extend_from_slice(&items_bytes);
        cbor::write_text(&mut out, "readerAuth");
        out.extend_from_slice(&reader_auth);
        self.doc_requests.push(out);
        Ok(self)
    }

    /// The encoded DeviceRequest `{"version": "1.0", "docRequests": [...]}`.
    pub fn build(&self) -> Vec<u8> {
        let mut out = Vec::new();
        cbor::write_head(&mut out, 5, 2);
        cbor::write_text(&mut out, "version");
        cbor::write_text(&mut out, "1.0");
        cbor::write_text(&mut out, "docRequests");
        cbor::write_head(&mut out, 4, self.doc_requests.len() as u64);
        for d in &self.doc_requests {
            out.extend_from_slice(d);
        }
        out
    }
}
