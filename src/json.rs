//! The one JSON writer (RFC 8259 §7 strings; writing only, no parsing): string
//! literals and element values, shared by the verification report, the audit
//! record and [`ElementValue::to_json`], so they never disagree on a form.

use crate::value::ElementValue;

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
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An element value as JSON (the form of [`ElementValue::to_json`]).
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
