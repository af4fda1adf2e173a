//! Answers a counter asks for, computed only from a [`VerifiedDocument`]
//! (so never from unverified data) and only from issuer-signed elements:
//! "is this person at least N?" ([`VerifiedDocument::age_at_least`]), the
//! basic identity items ([`VerifiedDocument::basic_info`]) and the portrait
//! with its image format ([`VerifiedDocument::portrait`]).
//!
//! The caller names the docType it expects (e.g.
//! [`MDL_DOCTYPE`](crate::doctype::MDL_DOCTYPE)); a document of another
//! docType answers nothing. Elements are found through the document-type
//! registry ([`crate::doctype::registered_element`]) and only in the
//! namespaces that docType's registry entry lists, so an issuer trusted for
//! some other docType cannot vouch an `org.iso.18013.5.1/age_over_20`.
//! Security-relevant types were already enforced at verification: an
//! `age_over_NN` here is a bool, a birth date is a valid date.

use crate::doctype::{self, ElementRole};
use crate::document::VerifiedDocument;
use crate::time::FullDate;
use crate::value::ElementValue;

/// The outcome of an age question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AgeVerdict {
    /// The evidence proves the holder is at least N.
    AtLeast,
    /// The evidence proves the holder is under N.
    Under,
    /// The document discloses nothing that decides the question (or, for a
    /// birth date, the answer depends on the local date: see
    /// [`VerifiedDocument::age_at_least_at_offset`]).
    Unknown,
    /// The disclosed age elements contradict each other: do not trust any.
    Contradictory,
}

impl AgeVerdict {
    /// A stable number for the C ABI: 0 unknown, 1 at least, 2 under, 3 contradictory.
    pub fn number(self) -> u32 {
        match self {
            AgeVerdict::Unknown => 0,
            AgeVerdict::AtLeast => 1,
            AgeVerdict::Under => 2,
            AgeVerdict::Contradictory => 3,
        }
    }

    /// `"at_least"`, `"under"`, `"unknown"` or `"contradictory"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AgeVerdict::AtLeast => "at_least",
            AgeVerdict::Under => "under",
            AgeVerdict::Unknown => "unknown",
            AgeVerdict::Contradictory => "contradictory",
        }
    }
}

/// Which verified element an age answer rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AgeEvidence {
    /// No age element was disclosed.
    None,
    /// `age_over_NN` (ISO 18013-5 §7.2.5), with its NN.
    AgeOver(u8),
    /// `age_in_years`.
    AgeInYears,
    /// The birth date, compared with the verification time.
    BirthDate,
}

impl AgeEvidence {
    /// A stable number for the C ABI: 0 none, 1 age_over_NN, 2 age_in_years,
    /// 3 birth date (the NN of age_over_NN is [`AgeEvidence::nn`]).
    pub fn number(self) -> u32 {
        match self {
            AgeEvidence::None => 0,
            AgeEvidence::AgeOver(_) => 1,
            AgeEvidence::AgeInYears => 2,
            AgeEvidence::BirthDate => 3,
        }
    }

    /// NN of [`AgeEvidence::AgeOver`], else 0.
    pub fn nn(self) -> u8 {
        match self {
            AgeEvidence::AgeOver(nn) => nn,
            _ => 0,
        }
    }

    /// The element identifier (`"age_over_20"`, `"age_in_years"`,
    /// `"birth_date"`), or `""` for [`AgeEvidence::None`].
    pub fn element_id(self) -> String {
        match self {
            AgeEvidence::None => String::new(),
            AgeEvidence::AgeOver(nn) => format!("age_over_{nn:02}"),
            AgeEvidence::AgeInYears => "age_in_years".into(),
            AgeEvidence::BirthDate => "birth_date".into(),
        }
    }
}

/// The answer to "is the holder at least N years old?".
///
/// The answers API reads a *verified* document only. The ISO 18013-5 Annex D
/// mDL discloses no age element, so the honest answer is `Unknown`; its
/// portrait is a JPEG:
///
/// ```
/// use kakunin::{AgeVerdict, Curve, DeviceAuthInput, ImageFormat, ReaderKey, SessionTranscript, TrustStore, UnixTime, Verifier};
/// # macro_rules! annex_d { ($f:literal) => { include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/iso18013-5-annex-d/", $f)) } }
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let verifier = Verifier::new(TrustStore::from_pem_or_der(annex_d!("iaca_cert.pem").as_bytes())?);
/// # let transcript = SessionTranscript::from_bytes(&hex::decode(annex_d!("session_transcript_bytes.hex").trim())?)?;
/// # let reader_key = ReaderKey::from_scalar(Curve::P256, &hex::decode(annex_d!("e_reader_key.d.hex").trim())?)?;
/// # let auth = DeviceAuthInput { session_transcript: Some(&transcript), reader_key: Some(&reader_key) };
/// # let response = hex::decode(annex_d!("device_response.hex").trim())?;
/// let at = UnixTime::parse_rfc3339("2021-01-01T00:00:00Z").ok_or("time")?;
/// let documents = verifier.verify_device_response(&response, auth, at).into_verified().map_err(|_| "rejected")?;
/// let mdl = &documents[0];
///
/// let age = mdl.age_at_least("org.iso.18013.5.1.mDL", 18);
/// assert_eq!(age.verdict, AgeVerdict::Unknown);
/// assert!(!age.is_at_least()); // only AtLeast lets a sale through
/// let portrait = mdl.portrait("org.iso.18013.5.1.mDL").ok_or("no portrait")?;
/// assert_eq!(portrait.format, ImageFormat::Jpeg);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgeAnswer {
    /// The threshold asked about.
    pub threshold: u8,
    /// The verdict.
    pub verdict: AgeVerdict,
    /// The evidence the verdict rests on.
    pub evidence: AgeEvidence,
}

impl AgeAnswer {
    /// `true` only for [`AgeVerdict::AtLeast`].
    pub fn is_at_least(&self) -> bool {
        self.verdict == AgeVerdict::AtLeast
    }
}

/// Age facts gathered from the issuer-signed elements.
#[derive(Default)]
struct AgeFacts {
    over: Vec<(u8, bool)>,
    in_years: Vec<i128>,
    birth_years: Vec<i128>,
    birth_date: Vec<FullDate>,
}

/// Seconds each way around UTC that a local calendar date can differ (UTC−12 … UTC+14).
const WEST: i64 = 12 * 3600;
const EAST: i64 = 14 * 3600;

impl VerifiedDocument {
    /// The issuer-signed elements answers may use, with their registry
    /// entries: none unless this document's docType is `doc_type` and that
    /// docType is registered; then only the namespaces its entry lists.
    fn answer_elements(&self, doc_type: &str) -> Vec<(doctype::ElementSpec, &str, &ElementValue)> {
        if self.doc_type != doc_type {
            return Vec::new();
        }
        self.elements()
            .filter_map(|(ns, id, v)| doctype::registered_element(doc_type, ns, id).map(|spec| (spec, id, v)))
            .collect()
    }

    /// Is the holder of this document, expected to be of docType `doc_type`,
    /// at least `n` years old at [`VerifiedDocument::verified_at`]?
    /// [`AgeVerdict::Unknown`] when the document is of another docType or
    /// the docType is not registered: answers read only the namespaces that
    /// docType's registry entry lists ([`crate::doctype::registered_element`]).
    ///
    /// Evidence, in order: `age_over_NN` when disclosed (the nearest applicable
    /// NN: `true` with NN ≥ n proves it, `false` with NN ≤ n disproves it),
    /// else `age_in_years`, else the birth date (ISO 18013-5 §7.2.5). Every
    /// disclosed age element (also `age_birth_year`) is cross-checked against
    /// the answer, allowing for birthdays since the MSO was signed: when one
    /// says "at least n" and another "under n" the verdict is
    /// [`AgeVerdict::Contradictory`].
    ///
    /// A birth date is compared with the verification time in every time zone
    /// (UTC−12 … UTC+14): on a birthday boundary the answer is
    /// [`AgeVerdict::Unknown`]; give the counter's offset with
    /// [`VerifiedDocument::age_at_least_at_offset`] to decide it. An `Under`
    /// from `age_over_NN = false` or `age_in_years` reflects the day the
    /// issuer signed (the safe side for age-restricted sales).
    pub fn age_at_least(&self, doc_type: &str, n: u8) -> AgeAnswer {
        let t = self.verified_at;
        self.age_answer(doc_type, n, FullDate::of(t.offset(-WEST)), FullDate::of(t.offset(EAST)))
    }

    /// As [`VerifiedDocument::age_at_least`], with the local calendar date at
    /// `utc_offset_secs` from UTC (Japan: `9 * 3600`). Japanese law counts a
    /// year of age complete at the end of the day before the birthday
    /// (年齢計算ニ関スル法律), which is the same calendar comparison.
    pub fn age_at_least_at_offset(&self, doc_type: &str, n: u8, utc_offset_secs: i32) -> AgeAnswer {
        let d = FullDate::of(self.verified_at.offset(i64::from(utc_offset_secs)));
        self.age_answer(doc_type, n, d, d)
    }

    fn age_facts(&self, doc_type: &str) -> AgeFacts {
        let mut f = AgeFacts::default();
        for (spec, id, v) in self.answer_elements(doc_type) {
            match (spec.role, v) {
                (Some(ElementRole::AgeOver), ElementValue::Bool(b)) => {
                    if let Some(nn) = doctype::age_over_nn(id) {
                        f.over.push((nn, *b));
                    }
                }
                (Some(ElementRole::AgeInYears), ElementValue::Integer(a)) => f.in_years.push(*a),
                (Some(ElementRole::AgeBirthYear), ElementValue::Integer(y)) => f.birth_years.push(*y),
                (Some(ElementRole::BirthDate), v) => {
                    if let Some(d) = birth_date_of(v) {
                        f.birth_date.push(d);
                    }
                }
                _ => {}
            }
        }
        f
    }

    fn age_answer(&self, doc_type: &str, n: u8, d_lo: FullDate, d_hi: FullDate) -> AgeAnswer {
        let f = self.age_facts(doc_type);
        let answer = |verdict, evidence| AgeAnswer {
            threshold: n,
            verdict,
            evidence,
        };
        let yes = f.over.iter().filter(|(nn, b)| *b && *nn >= n).map(|(nn, _)| *nn).min();
        let no = f.over.iter().filter(|(nn, b)| !*b && *nn <= n).map(|(nn, _)| *nn).max();
        let mut chosen = match (yes, no) {
            (Some(y), Some(_)) => return answer(AgeVerdict::Contradictory, AgeEvidence::AgeOver(y)),
            (Some(y), None) => answer(AgeVerdict::AtLeast, AgeEvidence::AgeOver(y)),
            (None, Some(x)) => answer(AgeVerdict::Under, AgeEvidence::AgeOver(x)),
            (None, None) => answer(AgeVerdict::Unknown, AgeEvidence::None),
        };
        if chosen.verdict == AgeVerdict::Unknown {
            if let Some(a) = f.in_years.first() {
                let v = if *a >= i128::from(n) {
                    AgeVerdict::AtLeast
                } else {
                    AgeVerdict::Under
                };
                chosen = answer(v, AgeEvidence::AgeInYears);
            } else if let Some(b) = f.birth_date.first() {
                let v = if completed_years(*b, d_lo) >= i128::from(n) {
                    AgeVerdict::AtLeast
                } else if completed_years(*b, d_hi) < i128::from(n) {
                    AgeVerdict::Under
                } else {
                    AgeVerdict::Unknown
                };
                chosen = answer(v, AgeEvidence::BirthDate);
            }
        }
        if self.age_facts_disagree(&f, n, chosen.verdict, d_lo, d_hi) {
            chosen.verdict = AgeVerdict::Contradictory;
        }
        chosen
    }

    /// Whether the disclosed facts disagree about "at least `n`", counting
    /// the chosen verdict as one vote. Upper bounds from the issuer's view
    /// (`false`, `age_in_years`) are widened by the birthdays that can have
    /// passed since the MSO was signed, so a stale fact never outvotes a
    /// birth date.
    fn age_facts_disagree(&self, f: &AgeFacts, n: u8, chosen: AgeVerdict, d_lo: FullDate, d_hi: FullDate) -> bool {
        let elapsed = self.verified_at.secs().saturating_sub(self.validity.signed.secs());
        let slack: i128 = if elapsed > 0 {
            i128::from(elapsed / (365 * 86_400)) + 1
        } else {
            0
        };
        let n = i128::from(n);
        let mut yes = chosen == AgeVerdict::AtLeast;
        let mut no = chosen == AgeVerdict::Under;
        let mut vote = |lo: i128, hi: i128| {
            yes |= lo >= n;
            no |= hi < n;
        };
        for (nn, b) in &f.over {
            if *b {
                vote(i128::from(*nn), i128::MAX);
            } else {
                vote(i128::MIN, i128::from(*nn) - 1 + slack);
            }
        }
        for a in &f.in_years {
            vote(*a, a.saturating_add(slack));
        }
        for y in &f.birth_years {
            vote(i128::from(d_lo.year) - y - 1, i128::from(d_hi.year) - y);
        }
        for b in &f.birth_date {
            vote(completed_years(*b, d_lo), completed_years(*b, d_hi));
        }
        yes && no
    }

    /// The basic identity items, exactly as received (no normalisation):
    /// for a My Number Card the basic four items 氏名 (`full_name`), 住所
    /// (`address`), 生年月日 (`birth_date`) and 性別 (`sex_text`); for an mDL,
    /// PID or ISO/IEC 23220 document the name, birth date, address, sex code
    /// and portrait it discloses. Only issuer-signed elements are used, and
    /// nothing when this document is not of docType `doc_type` or that
    /// docType is not registered.
    pub fn basic_info(&self, doc_type: &str) -> BasicInfo<'_> {
        let mut b = BasicInfo::default();
        let mut latin_family = None;
        let mut latin_given = None;
        let mut birth_value: Option<&ElementValue> = None;
        for (spec, _, v) in self.answer_elements(doc_type) {
            let text = v.as_text();
            match spec.role {
                Some(ElementRole::FullName) => set(&mut b.full_name, text),
                Some(ElementRole::FamilyName) => set(&mut b.family_name, text),
                Some(ElementRole::GivenName) => set(&mut b.given_name, text),
                Some(ElementRole::FamilyNameLatin) => set(&mut latin_family, text),
                Some(ElementRole::GivenNameLatin) => set(&mut latin_given, text),
                Some(ElementRole::Address) => set(&mut b.address, text),
                Some(ElementRole::BirthDateText) => set(&mut b.birth_date, text),
                Some(ElementRole::SexText) => set(&mut b.sex_text, text),
                Some(ElementRole::SexCode) if b.sex_code.is_none() => {
                    b.sex_code = match v {
                        ElementValue::Integer(i) => u32::try_from(*i).ok(),
                        _ => None,
                    };
                }
                Some(ElementRole::BirthDate) if birth_value.is_none() => birth_value = Some(v),
                Some(ElementRole::Portrait) if b.portrait.is_none() => b.portrait = v.as_bytes().map(Portrait::new),
                _ => {}
            }
        }
        if b.family_name.is_none() {
            b.family_name = latin_family;
        }
        if b.given_name.is_none() {
            b.given_name = latin_given;
        }
        if let Some(v) = birth_value {
            b.birth_date_value = birth_date_of(v);
            if b.birth_date.is_none() {
                b.birth_date = birth_date_text(v);
            }
        }
        b
    }

    /// The issuer-signed portrait with its detected image format, when this
    /// document is of the registered docType `doc_type`.
    pub fn portrait(&self, doc_type: &str) -> Option<Portrait<'_>> {
        self.basic_info(doc_type).portrait
    }
}

/// Completed years from `birth` to `on` (no overflow for any date).
fn completed_years(birth: FullDate, on: FullDate) -> i128 {
    let years = i128::from(on.year) - i128::from(birth.year);
    if (on.month, on.day) < (birth.month, birth.day) {
        years - 1
    } else {
        years
    }
}

fn set<'a>(slot: &mut Option<&'a str>, v: Option<&'a str>) {
    if slot.is_none() {
        *slot = v;
    }
}

/// The text of a birth date value: a full-date, a date tstr, or the
/// ISO/IEC 23220-2 `{birth_date: …}` map.
fn birth_date_text(v: &ElementValue) -> Option<&str> {
    match v {
        ElementValue::FullDate(s) | ElementValue::Text(s) => Some(s),
        ElementValue::Map(m) => m
            .iter()
            .find(|(k, _)| k.as_text() == Some("birth_date"))
            .and_then(|(_, d)| match d {
                ElementValue::FullDate(s) | ElementValue::Text(s) => Some(s.as_str()),
                _ => None,
            }),
        _ => None,
    }
}

/// The calendar birth date, or `None` when it is approximate (ISO/IEC
/// 23220-2 `approximate_mask`) or not a date.
fn birth_date_of(v: &ElementValue) -> Option<FullDate> {
    if let ElementValue::Map(m) = v {
        if m.iter().any(|(k, _)| k.as_text() == Some("approximate_mask")) {
            return None;
        }
    }
    birth_date_text(v).and_then(FullDate::parse)
}

/// Basic identity items of a verified document, borrowed from it, text
/// exactly as received.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct BasicInfo<'a> {
    /// The full name in one string (My Number Card 氏名, `full_name_unicode`).
    pub full_name: Option<&'a str>,
    /// Family name (Unicode spelling preferred over Latin-1 / VIZ).
    pub family_name: Option<&'a str>,
    /// Given name (Unicode spelling preferred over Latin-1 / VIZ).
    pub given_name: Option<&'a str>,
    /// Resident address (My Number Card 住所, `resident_address_unicode`;
    /// mDL/PID `resident_address`).
    pub address: Option<&'a str>,
    /// Birth date as received: My Number Card 生年月日 (`birth_date_unicode`),
    /// else the text of the `birth_date` element.
    pub birth_date: Option<&'a str>,
    /// The birth date as a calendar date, when disclosed and exact.
    pub birth_date_value: Option<FullDate>,
    /// Sex as text (My Number Card 性別, `sex_unicode`).
    pub sex_text: Option<&'a str>,
    /// Sex as an ISO/IEC 5218 code (0 unknown, 1 male, 2 female, 9 not applicable).
    pub sex_code: Option<u32>,
    /// The portrait.
    pub portrait: Option<Portrait<'a>>,
}

impl BasicInfo<'_> {
    /// Whether any of the four basic items (name, address, birth date, sex) is present.
    pub fn has_basic_items(&self) -> bool {
        (self.full_name.is_some() || self.family_name.is_some() || self.given_name.is_some())
            || self.address.is_some()
            || self.birth_date.is_some()
            || self.sex_text.is_some()
            || self.sex_code.is_some()
    }
}

/// The image format of a portrait (ISO 18013-5 Table 5: JPEG or JPEG 2000).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageFormat {
    /// JPEG (ISO/IEC 10918-1; starts `FF D8 FF`).
    Jpeg,
    /// JPEG 2000, JP2 file (ISO/IEC 15444-1 Annex I signature box) or raw
    /// codestream (`FF 4F FF 51`).
    Jpeg2000,
    /// Neither.
    Unknown,
}

impl ImageFormat {
    /// Detects the format from the magic bytes.
    pub fn detect(bytes: &[u8]) -> Self {
        const JP2: [u8; 12] = [0, 0, 0, 0x0c, b'j', b'P', b' ', b' ', 0x0d, 0x0a, 0x87, 0x0a];
        if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            ImageFormat::Jpeg
        } else if bytes.starts_with(&JP2) || bytes.starts_with(&[0xff, 0x4f, 0xff, 0x51]) {
            ImageFormat::Jpeg2000
        } else {
            ImageFormat::Unknown
        }
    }

    /// A stable number for the C ABI: 0 unknown, 1 JPEG, 2 JPEG 2000.
    pub fn number(self) -> u32 {
        match self {
            ImageFormat::Unknown => 0,
            ImageFormat::Jpeg => 1,
            ImageFormat::Jpeg2000 => 2,
        }
    }

    /// The media type (`image/jpeg`, `image/jp2`), or `application/octet-stream`.
    pub fn media_type(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Jpeg2000 => "image/jp2",
            ImageFormat::Unknown => "application/octet-stream",
        }
    }
}

/// Portrait bytes (as received) and their detected format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Portrait<'a> {
    /// The image bytes.
    pub bytes: &'a [u8],
    /// The detected format.
    pub format: ImageFormat,
}

impl<'a> Portrait<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Portrait {
            bytes,
            format: ImageFormat::detect(bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_magic() {
        assert_eq!(ImageFormat::detect(&[0xff, 0xd8, 0xff, 0xe0, 0]), ImageFormat::Jpeg);
        assert_eq!(ImageFormat::detect(&[0xff, 0x4f, 0xff, 0x51, 0]), ImageFormat::Jpeg2000);
        let jp2 = [0, 0, 0, 0x0c, b'j', b'P', b' ', b' ', 0x0d, 0x0a, 0x87, 0x0a, 0, 0];
        assert_eq!(ImageFormat::detect(&jp2), ImageFormat::Jpeg2000);
        assert_eq!(ImageFormat::detect(b"data:image/jpeg"), ImageFormat::Unknown);
        assert_eq!(ImageFormat::detect(&[]), ImageFormat::Unknown);
    }

    #[test]
    fn birth_date_forms() {
        let nested = ElementValue::Map(vec![(
            ElementValue::Text("birth_date".into()),
            ElementValue::FullDate("2000-02-29".into()),
        )]);
        assert_eq!(birth_date_of(&nested).map(|d| d.to_string()), Some("2000-02-29".into()));
        let approx = ElementValue::Map(vec![
            (
                ElementValue::Text("birth_date".into()),
                ElementValue::FullDate("2000-01-01".into()),
            ),
            (
                ElementValue::Text("approximate_mask".into()),
                ElementValue::Text("00001111".into()),
            ),
        ]);
        assert_eq!(birth_date_of(&approx), None);
        assert_eq!(birth_date_text(&approx), Some("2000-01-01"));
        assert_eq!(birth_date_of(&ElementValue::Integer(20000229)), None);
    }
}
