//! DeviceRequest and ItemsRequest (ISO 18013-5 §8.3.2.1.2.1).

use crate::cbor;
use crate::error::Error;
use crate::presentation::request::{ItemsRequest, Request};
use crate::presentation::session::reader_auth::{sign_reader_auth, ReaderAuthSigner};
use crate::presentation::transcript::SessionTranscript;

/// Builds a DeviceRequest (version "1.0") from ItemsRequests, each
/// optionally signed with ReaderAuth.
#[derive(Clone, Debug, Default)]
pub struct DeviceRequestBuilder {
    doc_requests: Vec<Vec<u8>>,
    /// What the DocRequests ask for, to bind the response to.
    requested: Request,
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
        self.requested.push(items.clone());
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
        self.requested.push(items.clone());
        Ok(self)
    }

    /// What the DeviceRequest built so far asks for: pass it to
    /// [`Verifier::verify_device_response_for`](crate::Verifier::verify_device_response_for)
    /// to bind the response to it.
    pub fn request(&self) -> &Request {
        &self.requested
    }

    /// The encoded DeviceRequest `{"version": "1.0", "docRequests": [...]}`.
    pub fn build(&self) -> Vec<u8> {
        let mut out = Vec::new();
        cbor::write_head(&mut out, 5, 2);
        cbor::write_text(&mut out, "version");
        cbor::write_text(&mut out, "1.0");
        cbor::write_text(&mut out, "docRequests");
        cbor::write_len(&mut out, 4, self.doc_requests.len());
        for d in &self.doc_requests {
            out.extend_from_slice(d);
        }
        out
    }
}
