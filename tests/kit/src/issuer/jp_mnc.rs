//! A test issuer profile for Japan's My Number Card as Apple Wallet presents
//! it (docType `org.iso.23220.1.jp.mnc`): the card's basic four items in
//! Japanese under `org.iso.23220.1.jp` and the ISO/IEC 23220-2 age elements
//! under `org.iso.23220.1`. Names and addresses use a full-width space
//! (U+3000) and a kanji outside the BMP (𠮷, U+20BB7) so that any
//! normalisation or UTF-16 truncation shows up in the tests.

use super::*;

pub const MNC: &str = "org.iso.23220.1.jp.mnc";
pub const JP_NS: &str = "org.iso.23220.1.jp";
pub const ISO_NS: &str = "org.iso.23220.1";

/// One card holder; every field is disclosed when `Some`.
#[derive(Clone, Debug)]
pub struct MncHolder {
    pub full_name: Option<String>,
    pub address: Option<String>,
    pub birth_date_unicode: Option<String>,
    pub sex_unicode: Option<String>,
    pub individual_number: Option<String>,
    pub local_gov_code: Option<String>,
    pub portrait: Option<Vec<u8>>,
    pub sex: Option<u64>,
    pub birth_date: Option<Value>,
    pub age_in_years: Option<u64>,
    pub age_over: Vec<(u8, bool)>,
}

/// The Annex D portrait (a real JPEG).
pub fn portrait_jpeg() -> Vec<u8> {
    hex_file("iso18013-5-annex-d/portrait.jpg.hex")
}

/// 𠮷田　花子, born 1990-04-01 (33 at [`T2024`]).
pub fn hanako() -> MncHolder {
    MncHolder {
        full_name: Some("𠮷田\u{3000}花子".into()),
        address: Some("東京都千代田区霞が関一丁目２番３号\u{3000}𠮷野ハイツ１０１号".into()),
        birth_date_unicode: Some("平成2年4月1日".into()),
        sex_unicode: Some("女".into()),
        individual_number: None,
        local_gov_code: Some("131016".into()),
        portrait: Some(portrait_jpeg()),
        sex: Some(2),
        birth_date: Some(full_date("1990-04-01")),
        age_in_years: Some(33),
        age_over: vec![(18, true), (20, true), (65, false)],
    }
}

/// 髙橋　𠮷郎, born 2004-01-01: 20 on [`T2024`] in Japan, 19 west of UTC.
pub fn kichiro() -> MncHolder {
    MncHolder {
        full_name: Some("髙橋\u{3000}𠮷郎".into()),
        address: Some("大阪府大阪市北区中之島１－３－２０".into()),
        birth_date_unicode: Some("平成16年1月1日".into()),
        sex_unicode: Some("男".into()),
        individual_number: None,
        local_gov_code: Some("271276".into()),
        portrait: None,
        sex: Some(1),
        birth_date: Some(full_date("2004-01-01")),
        age_in_years: None,
        age_over: Vec::new(),
    }
}

impl MncHolder {
    /// The document spec (valid, device-signed) for this holder.
    pub fn spec(&self) -> MdocSpec {
        let mut jp = Vec::new();
        let mut push_text = |id: &str, v: &Option<String>| {
            if let Some(s) = v {
                jp.push((id.to_owned(), text(s)));
            }
        };
        push_text("full_name_unicode", &self.full_name);
        push_text("resident_address_unicode", &self.address);
        push_text("birth_date_unicode", &self.birth_date_unicode);
        push_text("sex_unicode", &self.sex_unicode);
        push_text("individual_number_unicode", &self.individual_number);
        push_text("local_gov_code_unicode", &self.local_gov_code);
        if let Some(p) = &self.portrait {
            jp.push(("portrait".to_owned(), Value::Bytes(p.clone())));
        }
        let mut iso = Vec::new();
        if let Some(s) = self.sex {
            iso.push(("sex".to_owned(), Value::Integer(s.into())));
        }
        if let Some(b) = &self.birth_date {
            iso.push(("birth_date".to_owned(), b.clone()));
        }
        if let Some(a) = self.age_in_years {
            iso.push(("age_in_years".to_owned(), Value::Integer(a.into())));
        }
        for (nn, b) in &self.age_over {
            iso.push((format!("age_over_{nn:02}"), Value::Bool(*b)));
        }
        let mut namespaces = Vec::new();
        if !jp.is_empty() {
            namespaces.push((JP_NS.to_owned(), jp));
        }
        if !iso.is_empty() {
            namespaces.push((ISO_NS.to_owned(), iso));
        }
        MdocSpec {
            doc_type: MNC.into(),
            namespaces,
            ..MdocSpec::default()
        }
    }

    /// A minted one-document DeviceResponse.
    pub fn response(&self, pki: &TestPki) -> Vec<u8> {
        mint(pki, &self.spec())
    }
}
