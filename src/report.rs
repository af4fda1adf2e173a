//! The JSON report of a verification (RFC 8259; writing only): the `verify`
//! contract of [`Verification::to_json`], its documents, errors and warnings.
//! Strings and element values are written by [`crate::json`], the one JSON
//! writer the report, [`ElementValue::to_json`](crate::ElementValue::to_json)
//! and the audit record share.

use crate::document::{DocumentResult, Namespace};
use crate::error::Error;
use crate::json::{write_str, write_value, JsonBuf};
use crate::verifier::Verification;

/// The JSON report of a [`Verification`] (the `verify` contract).
pub(crate) fn verification_json(v: &Verification) -> String {
    let mut out = JsonBuf::with_capacity(1024);
    out.push_str("{\"status\":");
    write_str(&mut out, if v.is_valid() { "valid" } else { "invalid" });
    out.push_str(",\"documents\":[");
    for (i, d) in v.documents.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_document_json(d, &mut out);
    }
    out.push_str("],\"errors\":");
    write_errors_json(v.errors(), &mut out);
    out.push_str(",\"warnings\":");
    write_errors_json(v.warnings(), &mut out);
    out.push('}');
    out.into_string()
}

/// A `[{"code","message"}]` array.
pub(crate) fn write_errors_json(errors: &[Error], out: &mut JsonBuf) {
    out.push('[');
    for (i, e) in errors.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"code\":");
        write_str(out, e.code().as_str());
        out.push_str(",\"message\":");
        write_str(out, e.message());
        out.push('}');
    }
    out.push(']');
}

/// One entry of the report's `"documents"` array.
pub(crate) fn write_document_json(d: &DocumentResult, out: &mut JsonBuf) {
    out.push_str("{\"doc_type\":");
    match d {
        Ok(v) => {
            write_str(out, v.doc_type());
            out.push_str(",\"valid\":true,\"device_auth\":");
            match v.device_auth() {
                Some(k) => write_str(out, k.as_str()),
                None => out.push_str("null"),
            }
            out.push_str(",\"elements\":");
            write_elements_json(v.namespaces(), out);
            if !v.device_namespaces().is_empty() {
                out.push_str(",\"device_elements\":");
                write_elements_json(v.device_namespaces(), out);
            }
            out.push_str(",\"errors\":[],\"warnings\":");
            write_errors_json(v.policy_warnings(), out);
        }
        Err(r) => {
            write_str(out, r.claimed_doc_type());
            out.push_str(",\"valid\":false,\"device_auth\":null,\"elements\":{},\"errors\":");
            write_errors_json(r.errors(), out);
            out.push_str(",\"warnings\":[]");
        }
    }
    out.push('}');
}

/// A `{namespace: {identifier: value}}` object.
pub(crate) fn write_elements_json(namespaces: &[Namespace], out: &mut JsonBuf) {
    out.push('{');
    for (i, ns) in namespaces.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, &ns.name);
        out.push_str(":{");
        for (j, (id, v)) in ns.elements.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            write_str(out, id);
            out.push(':');
            write_value(v, out);
        }
        out.push('}');
    }
    out.push('}');
}
