//! RFC 4514 strings of X.509 Names, byte-for-byte what `x509-cert`'s
//! `Display` prints, without its per-attribute linear search of the whole OID
//! database (about 40 k instructions per Name, the largest non-cryptographic
//! cost of a verification).
//!
//! The short names of the common attribute types are looked up in that same
//! database once, so the output cannot drift from `x509-cert`; any other
//! attribute (or a value that is not a string) is printed by `x509-cert`
//! itself.

use core::fmt::Write;
use der::asn1::{Ia5StringRef, ObjectIdentifier as Oid, PrintableStringRef, TeletexStringRef, Utf8StringRef};
use der::{Tag, Tagged};
use std::sync::OnceLock;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::Name;

/// Attribute types seen in IACA / DS / reader certificates (RFC 4519, RFC 5280).
const COMMON: &[Oid] = &[
    Oid::new_unwrap("2.5.4.3"),                    // commonName
    Oid::new_unwrap("2.5.4.6"),                    // countryName
    Oid::new_unwrap("2.5.4.10"),                   // organizationName
    Oid::new_unwrap("2.5.4.11"),                   // organizationalUnitName
    Oid::new_unwrap("2.5.4.8"),                    // stateOrProvinceName
    Oid::new_unwrap("2.5.4.7"),                    // localityName
    Oid::new_unwrap("2.5.4.5"),                    // serialNumber
    Oid::new_unwrap("2.5.4.9"),                    // street
    Oid::new_unwrap("2.5.4.97"),                   // organizationIdentifier
    Oid::new_unwrap("2.5.4.4"),                    // surname
    Oid::new_unwrap("2.5.4.42"),                   // givenName
    Oid::new_unwrap("0.9.2342.19200300.100.1.25"), // domainComponent
    Oid::new_unwrap("1.2.840.113549.1.9.1"),       // emailAddress
];

/// (type, upper-cased shortest database name), resolved once.
fn short_names() -> &'static [(Oid, String)] {
    static NAMES: OnceLock<Vec<(Oid, String)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        COMMON
            .iter()
            .filter_map(|o| shortest_name(o).map(|n| (*o, n.to_ascii_uppercase())))
            .collect()
    })
}

/// The first of the shortest database names of `oid`: the rule x509-cert's
/// `Display` applies.
fn shortest_name(oid: &Oid) -> Option<&'static str> {
    let mut best: Option<&'static str> = None;
    for m in der::oid::db::DB.find_names_for_oid(*oid) {
        if best.is_none_or(|b| m.len() < b.len()) {
            best = Some(m);
        }
    }
    best
}

fn string_value(atv: &AttributeTypeAndValue) -> Option<&str> {
    let v = &atv.value;
    match v.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(v).ok().map(|s| s.as_str()),
        Tag::Utf8String => Utf8StringRef::try_from(v).ok().map(|s| s.as_str()),
        Tag::Ia5String => Ia5StringRef::try_from(v).ok().map(|s| s.as_str()),
        Tag::TeletexString => TeletexStringRef::try_from(v).ok().map(|s| s.as_str()),
        _ => None,
    }
}

fn write_atv(out: &mut String, atv: &AttributeTypeAndValue) {
    let key = short_names().iter().find(|(o, _)| *o == atv.oid).map(|(_, n)| n);
    let (Some(key), Some(val)) = (key, string_value(atv)) else {
        // Rare attribute or non-string value: x509-cert prints it.
        let _ = write!(out, "{atv}");
        return;
    };
    out.push_str(key);
    out.push('=');
    // RFC 4514 §2.4 escaping, as x509-cert applies it.
    let mut iter = val.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        match c {
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || iter.peek().is_none() => out.push_str("\\ "),
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\x00'..='\x1f' | '\x7f' => {
                let _ = write!(out, "\\{:02x}", u32::from(c));
            }
            _ => out.push(c),
        }
    }
}

/// The RFC 4514 string of `name` (RDNs last to first, `,` between RDNs,
/// `+` between the attributes of one RDN).
pub(crate) fn to_rfc4514(name: &Name) -> String {
    let mut out = String::with_capacity(64);
    for (i, rdn) in name.0.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.0.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            write_atv(&mut out, atv);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;
    use std::str::FromStr;

    fn all_test_certificates() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
        for dir in std::fs::read_dir(root).unwrap() {
            let dir = dir.unwrap().path();
            if !dir.is_dir() {
                continue;
            }
            for f in std::fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                if !f.is_file() {
                    continue;
                }
                let name = f.file_name().unwrap().to_string_lossy().into_owned();
                let bytes = std::fs::read(&f).unwrap();
                if name.ends_with(".pem") && bytes.windows(17).any(|w| w == b"BEGIN CERTIFICATE") {
                    out.extend(crate::pki::x509::certificates_from_pem_or_der(&bytes).unwrap());
                } else if name.ends_with(".der.hex") {
                    out.push(hex::decode(String::from_utf8(bytes).unwrap().trim()).unwrap());
                }
            }
        }
        out
    }

    #[test]
    fn matches_x509_cert_display_on_every_test_certificate() {
        let certs = all_test_certificates();
        assert!(certs.len() >= 10, "found only {} certificates", certs.len());
        for der in certs {
            let c = x509_cert::Certificate::from_der(&der).unwrap();
            for name in [&c.tbs_certificate.subject, &c.tbs_certificate.issuer] {
                assert_eq!(to_rfc4514(name), name.to_string());
            }
        }
    }

    #[test]
    fn matches_x509_cert_display_on_escapes_and_rare_attributes() {
        for s in [
            "CN=\\#hash\\, comma\\+plus,O=\\ lead and trail\\ ,C=UT",
            "CN=a\\;b\\<c\\>d\\\"e\\\\f+OU=multi,DC=example,DC=org",
            "UID=rare,SERIALNUMBER=123,L=Tokyo,ST=Tokyo,STREET=1-1",
            "CN=",
        ] {
            let name = Name::from_str(s).unwrap();
            assert_eq!(to_rfc4514(&name), name.to_string(), "{s}");
        }
        // A non-string value (an INTEGER) falls back to x509-cert's `#hex`.
        let atv = AttributeTypeAndValue {
            oid: Oid::new_unwrap("2.5.4.3"),
            value: der::Any::from_der(&[0x02, 0x01, 0x05]).unwrap(),
        };
        let rdn = x509_cert::name::RelativeDistinguishedName::try_from(vec![atv]).unwrap();
        let name = x509_cert::name::RdnSequence(vec![rdn]);
        assert_eq!(to_rfc4514(&name), name.to_string());
    }
}
