//! The JSON reports (RFC 8259; writing only, no parsing): the `verify`
//! contract of [`Verification::to_json`], its documents, errors and element
//! values, and the string escaping the audit record shares.

use crate::document::{DocumentResult, Namespace};
use crate::error::Error;
use crate::value::ElementValue;
use crate::verifier::Verification;

/// Writes `s` as a JSON string literal.
pub(crate) fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The JSON report of a [`Verification`] (the `verify` contract).
pub(crate) fn verification_json(v: &Verification) -> String {
    let mut out = String::with_capacity(1024);
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
    out
}

/// A `[{"code","message"}]` array.
pub(crate) fn write_errors_json(errors: &[Error], out: &mut String) {
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
pub(crate) fn write_document_json(d: &DocumentResult, out: &mut String) {
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
pub(crate) fn write_elements_json(namespaces: &[Namespace], out: &mut String) {
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

/// An element value as JSON (see [`ElementValue::to_json`]).
pub(crate) fn write_value(value: &ElementValue, out: &mut String) {
    match value {
        ElementValue::Text(s) | ElementValue::FullDate(s) | ElementValue::DateTime(s) => write_str(out, s),
        ElementValue::Integer(i) => out.push_str(&i.to_string()),
        ElementValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ElementValue::Bytes(b) => {
            out.push_str("{\"$bytes\":");
            write_str(
                out,
                &base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b),
            );
            out.push('}');
        }
        ElementValue::Array(a) => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(v, out);
            }
            out.push(']');
        }
        ElementValue::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match k {
                    ElementValue::Text(s) => write_str(out, s),
                    other => write_str(out, &other.to_json()),
                }
                out.push(':');
                write_value(v, out);
            }
            out.push('}');
        }
        ElementValue::Null | ElementValue::Undefined => out.push_str("null"),
        ElementValue::Float(f) => {
            if f.is_finite() {
                out.push_str(&format!("{f:?}"));
            } else {
                out.push_str("null");
            }
        }
        ElementValue::Tagged(_, inner) => write_value(inner, out),
        ElementValue::Simple(s) => out.push_str(&s.to_string()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        let mut s = String::new();
        super::write_str(&mut s, "a\"\\\n\u{1}氏名");
        assert_eq!(s, "\"a\\\"\\\\\\n\\u0001氏名\"");
    }
}
