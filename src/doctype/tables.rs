//! The registry data. Element names and types are taken from the public
//! texts named in each table's `source`; nothing here is copied code.

use super::{DocTypeSpec, ElementRole, ElementSpec, NamespaceSpec, ValueType};

use ElementRole as R;
use ValueType as T;

/// docType of the ISO 18013-5 mobile driving licence.
pub const MDL_DOCTYPE: &str = "org.iso.18013.5.1.mDL";
/// ISO 18013-5 mDL namespace.
pub const MDL_NS: &str = "org.iso.18013.5.1";
/// AAMVA mDL namespace.
pub const AAMVA_NS: &str = "org.iso.18013.5.1.aamva";
/// EUDI person identification data docType (and namespace).
pub const PID_DOCTYPE: &str = "eu.europa.ec.eudi.pid.1";
/// EUDI PID namespace.
pub const PID_NS: &str = "eu.europa.ec.eudi.pid.1";
/// EU age-verification attestation docType (and namespace).
pub const AV_DOCTYPE: &str = "eu.europa.ec.av.1";
/// EU age-verification namespace.
pub const AV_NS: &str = "eu.europa.ec.av.1";
/// ISO/IEC 23220-2 generic docType.
pub const ISO23220_DOCTYPE: &str = "org.iso.23220.1";
/// ISO/IEC 23220-2 core namespace.
pub const ISO23220_NS: &str = "org.iso.23220.1";
/// ISO/IEC 23220 photo ID docType (and namespace).
pub const PHOTOID_DOCTYPE: &str = "org.iso.23220.photoid.1";
/// ISO/IEC 23220 photo ID namespace.
pub const PHOTOID_NS: &str = "org.iso.23220.photoid.1";
/// Japan's My Number Card (マイナンバーカード) docType, as in Apple Wallet.
pub const JP_MNC_DOCTYPE: &str = "org.iso.23220.1.jp.mnc";
/// The Japanese namespace of the My Number Card.
pub const JP_MNC_NS: &str = "org.iso.23220.1.jp";

/// An element some answer uses; security relevance follows from its role.
const fn e(id: &'static str, value_type: ValueType, role: ElementRole) -> ElementSpec {
    ElementSpec {
        id,
        value_type,
        security_relevant: matches!(
            role,
            R::AgeOver | R::AgeInYears | R::AgeBirthYear | R::BirthDate | R::BirthDateText | R::Portrait
        ),
        role: Some(role),
    }
}

/// An element no answer uses.
const fn p(id: &'static str, value_type: ValueType) -> ElementSpec {
    ElementSpec {
        id,
        value_type,
        security_relevant: false,
        role: None,
    }
}

/// ISO/IEC 18013-5:2021 §7.2.1 Table 5 (mDL data elements), with
/// driving_privileges per §7.2.4 and age_over_NN per §7.2.5.
pub(super) static MDL: NamespaceSpec = NamespaceSpec {
    name: MDL_NS,
    elements: &[
        e("family_name", T::Text, R::FamilyName),
        e("given_name", T::Text, R::GivenName),
        e("birth_date", T::FullDate, R::BirthDate),
        p("issue_date", T::Date),
        p("expiry_date", T::Date),
        p("issuing_country", T::Text),
        p("issuing_authority", T::Text),
        p("document_number", T::Text),
        e("portrait", T::Bytes, R::Portrait),
        p("driving_privileges", T::DrivingPrivileges),
        p("un_distinguishing_sign", T::Text),
        p("administrative_number", T::Text),
        e("sex", T::Uint, R::SexCode),
        p("height", T::Uint),
        p("weight", T::Uint),
        p("eye_colour", T::Text),
        p("hair_colour", T::Text),
        p("birth_place", T::Text),
        e("resident_address", T::Text, R::Address),
        p("portrait_capture_date", T::Date),
        e("age_in_years", T::Uint, R::AgeInYears),
        e("age_birth_year", T::Uint, R::AgeBirthYear),
        p("issuing_jurisdiction", T::Text),
        p("nationality", T::Text),
        p("resident_city", T::Text),
        p("resident_state", T::Text),
        p("resident_postal_code", T::Text),
        p("resident_country", T::Text),
        p("family_name_national_character", T::Text),
        p("given_name_national_character", T::Text),
        p("signature_usual_mark", T::Bytes),
    ],
    age_over_nn: true,
    biometric_templates: true,
    source: "ISO/IEC 18013-5:2021 §7.2.1 Table 5, §7.2.4, §7.2.5",
};

/// AAMVA Mobile Driver's License Implementation Guidelines (v1.2+), the
/// `org.iso.18013.5.1.aamva` namespace.
pub(super) static AAMVA: NamespaceSpec = NamespaceSpec {
    name: AAMVA_NS,
    elements: &[
        p("domestic_driving_privileges", T::Array),
        p("name_suffix", T::Text),
        p("organ_donor", T::Uint),
        p("veteran", T::Uint),
        p("family_name_truncation", T::Text),
        p("given_name_truncation", T::Text),
        p("aka_family_name.v2", T::Text),
        p("aka_given_name.v2", T::Text),
        p("aka_suffix", T::Text),
        p("weight_range", T::Uint),
        p("race_ethnicity", T::Text),
        p("sex", T::Uint),
        p("DHS_compliance", T::Text),
        p("DHS_compliance_text", T::Text),
        p("DHS_temporary_lawful_status", T::Uint),
        p("EDL_credential", T::Uint),
        p("resident_county", T::Text),
        p("hazmat_endorsement_expiration_date", T::FullDate),
        p("CDL_indicator", T::Uint),
    ],
    age_over_nn: false,
    biometric_templates: false,
    source: "AAMVA mDL Implementation Guidelines v1.2, §3 (AAMVA namespace)",
};

/// EUDI ARF Annex 3.01 PID Rulebook (v1.0 and the 2025 revision: both
/// `birth_place` and `place_of_birth`, `nationality` as tstr or array).
/// Real PIDs send birth_date as tag 1004 (EUDI reference issuer) or as a
/// plain tstr (SPRIND/Bundesdruckerei); both are accepted when they hold a date.
pub(super) static PID: NamespaceSpec = NamespaceSpec {
    name: PID_NS,
    elements: &[
        e("family_name", T::Text, R::FamilyName),
        e("given_name", T::Text, R::GivenName),
        e("birth_date", T::FullDate, R::BirthDate),
        p("birth_place", T::Text),
        p("place_of_birth", T::Map),
        p("nationality", T::TextOrTextArray),
        e("resident_address", T::Text, R::Address),
        p("resident_country", T::Text),
        p("resident_state", T::Text),
        p("resident_city", T::Text),
        p("resident_postal_code", T::Text),
        p("resident_street", T::Text),
        p("resident_house_number", T::Text),
        p("personal_administrative_number", T::Text),
        e("portrait", T::Bytes, R::Portrait),
        p("family_name_birth", T::Text),
        p("given_name_birth", T::Text),
        p("birth_family_name", T::Text),
        p("birth_given_name", T::Text),
        p("birth_country", T::Text),
        p("birth_state", T::Text),
        p("birth_city", T::Text),
        e("sex", T::Uint, R::SexCode),
        p("gender", T::Uint),
        p("email_address", T::Text),
        p("mobile_phone_number", T::Text),
        p("expiry_date", T::Date),
        p("issuance_date", T::Date),
        p("issuing_authority", T::Text),
        p("issuing_country", T::Text),
        p("issuing_jurisdiction", T::Text),
        p("document_number", T::Text),
        p("trust_anchor", T::Text),
        p("attestation_legal_category", T::Text),
        e("age_in_years", T::Uint, R::AgeInYears),
        e("age_birth_year", T::Uint, R::AgeBirthYear),
    ],
    age_over_nn: true,
    biometric_templates: false,
    source: "EUDI ARF Annex 3.01 PID Rulebook, §2 (ISO/IEC 18013-5 encoding)",
};

/// EU age-verification attestation (the "mini wallet" blueprint): only
/// `age_over_NN` (age_over_18 mandatory).
pub(super) static AV: NamespaceSpec = NamespaceSpec {
    name: AV_NS,
    elements: &[],
    age_over_nn: true,
    biometric_templates: false,
    source: "EU Age Verification Blueprint, technical specification (eu.europa.ec.av.1)",
};

/// ISO/IEC 23220-2 core namespace `org.iso.23220.1`, with both spellings in
/// use: `family_name_unicode`/`_latin1` (23220-2 DIS, walt.id, Multipaz) and
/// `family_name`/`family_name_viz` (later drafts); `birth_date` as a
/// full-date or the nested `{birth_date, approximate_mask}` map.
pub(super) static ISO23220: NamespaceSpec = NamespaceSpec {
    name: ISO23220_NS,
    elements: &[
        e("family_name_unicode", T::Text, R::FamilyName),
        e("given_name_unicode", T::Text, R::GivenName),
        e("family_name_latin1", T::Text, R::FamilyNameLatin),
        e("given_name_latin1", T::Text, R::GivenNameLatin),
        e("family_name", T::Text, R::FamilyName),
        e("given_name", T::Text, R::GivenName),
        e("family_name_viz", T::Text, R::FamilyNameLatin),
        e("given_name_viz", T::Text, R::GivenNameLatin),
        e("birth_date", T::BirthDate, R::BirthDate),
        e("portrait", T::Bytes, R::Portrait),
        p("enrolment_portrait_image", T::Bytes),
        e("sex", T::Uint, R::SexCode),
        p("height", T::Uint),
        p("weight", T::Uint),
        p("eye_colour", T::Text),
        p("hair_colour", T::Text),
        p("birthplace", T::Text),
        p("name_at_birth", T::Text),
        e("resident_address_unicode", T::Text, R::Address),
        e("resident_address", T::Text, R::Address),
        p("resident_city_unicode", T::Text),
        p("resident_city_latin1", T::Text),
        p("resident_city", T::Text),
        p("resident_postal_code", T::Text),
        p("resident_country", T::Text),
        e("age_in_years", T::Uint, R::AgeInYears),
        e("age_birth_year", T::Uint, R::AgeBirthYear),
        p("nationality", T::Text),
        p("issue_date", T::Date),
        p("expiry_date", T::Date),
        p("issuing_authority_unicode", T::Text),
        p("issuing_authority_latin1", T::Text),
        p("issuing_authority", T::Text),
        p("issuing_country", T::Text),
        p("issuing_subdivision", T::Text),
        p("document_number", T::Text),
        p("portrait_capture_date", T::Date),
    ],
    age_over_nn: true,
    biometric_templates: false,
    source: "ISO/IEC 23220-2 (DIS) data elements, namespace org.iso.23220.1",
};

/// ISO/IEC TS 23220-4 photo ID namespace `org.iso.23220.photoid.1`.
pub(super) static PHOTOID: NamespaceSpec = NamespaceSpec {
    name: PHOTOID_NS,
    elements: &[
        p("person_id", T::Text),
        p("birth_country", T::Text),
        p("birth_state", T::Text),
        p("birth_city", T::Text),
        p("administrative_number", T::Text),
        p("resident_street", T::Text),
        p("resident_house_number", T::Text),
        p("travel_document_number", T::Text),
        p("resident_state", T::Text),
    ],
    age_over_nn: false,
    biometric_templates: false,
    source: "ISO/IEC TS 23220-4 Annex C (photo ID), namespace org.iso.23220.photoid.1",
};

/// Japan's My Number Card in Apple Wallet: the `org.iso.23220.1.jp`
/// namespace. The *_unicode texts are the card's 券面事項 (basic four
/// items 氏名・住所・生年月日・性別) as printed, in Japanese; the individual
/// number may only be collected for statutory purposes (番号利用法 §19).
pub(super) static JP_MNC: NamespaceSpec = NamespaceSpec {
    name: JP_MNC_NS,
    elements: &[
        e("full_name_unicode", T::Text, R::FullName),
        e("resident_address_unicode", T::Text, R::Address),
        e("birth_date_unicode", T::Text, R::BirthDateText),
        e("sex_unicode", T::Text, R::SexText),
        e("individual_number_unicode", T::Text, R::IndividualNumber),
        p("local_gov_code_unicode", T::Text),
        e("portrait", T::Bytes, R::Portrait),
    ],
    age_over_nn: false,
    biometric_templates: false,
    source: "Apple Wallet My Number Card (org.iso.23220.1.jp.mnc) element list; ISO/IEC 23220-2 conventions",
};

/// Tables by the namespace identifier they are defined for.
pub(super) static NAMESPACES: &[&NamespaceSpec] = &[&MDL, &AAMVA, &PID, &AV, &ISO23220, &PHOTOID, &JP_MNC];

/// Registered docTypes.
pub(super) static DOC_TYPES: &[DocTypeSpec] = &[
    DocTypeSpec {
        doc_type: MDL_DOCTYPE,
        namespaces: &[(MDL_NS, &MDL), (AAMVA_NS, &AAMVA)],
        source: "ISO/IEC 18013-5:2021 §7.1; AAMVA mDL Implementation Guidelines",
    },
    DocTypeSpec {
        doc_type: PID_DOCTYPE,
        namespaces: &[(PID_NS, &PID)],
        source: "EUDI ARF Annex 3.01 PID Rulebook",
    },
    DocTypeSpec {
        doc_type: AV_DOCTYPE,
        namespaces: &[(AV_NS, &AV)],
        source: "EU Age Verification Blueprint",
    },
    DocTypeSpec {
        doc_type: ISO23220_DOCTYPE,
        namespaces: &[(ISO23220_NS, &ISO23220)],
        source: "ISO/IEC 23220-2",
    },
    DocTypeSpec {
        doc_type: PHOTOID_DOCTYPE,
        // walt.id's photo ID sends the 23220-2 core elements under the
        // 18013-5 namespace identifier: read them with the 23220-2 table.
        namespaces: &[(ISO23220_NS, &ISO23220), (PHOTOID_NS, &PHOTOID), (MDL_NS, &ISO23220)],
        source: "ISO/IEC TS 23220-4 Annex C",
    },
    DocTypeSpec {
        doc_type: JP_MNC_DOCTYPE,
        namespaces: &[(JP_MNC_NS, &JP_MNC), (ISO23220_NS, &ISO23220)],
        source: "Apple Wallet My Number Card; ISO/IEC 23220-2",
    },
];
