//! From a kakunin [`Verification`] to what the clerk's screen shows and
//! what the audit log keeps.
//!
//! Fail closed: attributes are shown only when the whole response verified
//! and every document is of a requested docType; otherwise the screen shows
//! 確認できません and the reasons, and no item at all.

use crate::config::{Config, MNC_JP_NS};
use crate::i18n::{self, Reason};
use base64::Engine;
use kakunin::audit::AuditRecord;
use kakunin::privacy::INDIVIDUAL_NUMBER;
use kakunin::{AgeVerdict, ErrorCode, ImageFormat, Verification, VerifiedDocument};
use serde_json::{json, Value};

/// Japan Standard Time, for age answers that rest on a birth date.
const JST_OFFSET_SECS: i32 = 9 * 3600;

/// What one verification produced: the page's JSON and the audit record.
pub struct Outcome {
    /// Whether the counter accepts the response.
    pub valid: bool,
    /// The JSON the page renders (holds personal data: never log it).
    pub page: Value,
    /// The personal-data-free audit record.
    pub record: AuditRecord,
}

/// Turns `verification` into the screen and the audit record.
pub fn outcome(verification: Verification, config: &Config) -> Outcome {
    let mut record = AuditRecord::new(&verification).with_requests(&config.requests);
    let mut codes = verification.error_codes();
    // A response answers its request: a valid document of a docType the
    // counter did not ask for is refused.
    let unrequested = verification.documents().iter().any(|d| match d {
        Ok(v) => !config.allowed_doc_types().any(|t| t == v.doc_type()),
        Err(_) => false,
    });
    if unrequested {
        record.valid = false;
        record.error_codes.push(ErrorCode::DocumentNotRequested);
        codes.push(ErrorCode::DocumentNotRequested);
    }
    let valid = verification.is_valid() && !unrequested;
    let mut reasons: Vec<Reason> = Vec::new();
    for c in codes {
        let r = i18n::reason(c);
        if !reasons.contains(&r) {
            reasons.push(r);
        }
    }
    let documents: Vec<Value> = match (valid, verification.into_verified()) {
        (true, Ok(docs)) => docs.iter().map(|d| document(d, config)).collect(),
        _ => Vec::new(),
    };
    Outcome {
        valid,
        page: json!({
            "valid": valid,
            "reasons": reasons.iter().map(reason_json).collect::<Vec<_>>(),
            "documents": documents,
        }),
        record,
    }
}

/// A failure the counter itself detected (no verification happened).
pub fn counter_failure(code: &str) -> Value {
    let r = i18n::lookup(code).unwrap_or(Reason {
        code: "unknown",
        ja: "確認できませんでした。",
        en: "The document could not be verified.",
    });
    json!({"valid": false, "reasons": [reason_json(&r)], "documents": []})
}

fn reason_json(r: &Reason) -> Value {
    json!({"code": r.code, "ja": r.ja, "en": r.en})
}

fn document(d: &VerifiedDocument, config: &Config) -> Value {
    // Answers are read for the docType the counter asked for (kakunin reads
    // nothing from a document of another type).
    let expected = config.allowed_doc_types().find(|t| *t == d.doc_type()).unwrap_or("");
    let info = d.basic_info(expected);
    let mut items = Vec::new();
    let name = match (info.full_name, info.family_name, info.given_name) {
        (Some(n), _, _) => Some(n.to_owned()),
        (None, Some(f), Some(g)) => Some(format!("{f} {g}")),
        (None, Some(f), None) => Some(f.to_owned()),
        (None, None, Some(g)) => Some(g.to_owned()),
        _ => None,
    };
    if let Some(n) = name {
        items.push(json!({"key": "full_name", "value": n}));
    }
    if let Some(a) = info.address {
        items.push(json!({"key": "address", "value": a}));
    }
    if let Some(b) = info.birth_date {
        items.push(json!({"key": "birth_date", "value": b}));
    }
    match (info.sex_text, info.sex_code) {
        (Some(s), _) => items.push(json!({"key": "sex", "value": s})),
        (None, Some(c)) => items.push(json!({"key": "sex_code", "value": c})),
        _ => {}
    }
    if config.requests_individual_number() {
        if let Some(n) = d.element(MNC_JP_NS, INDIVIDUAL_NUMBER).and_then(|v| v.as_text()) {
            items.push(json!({"key": "individual_number", "value": n}));
        }
    }
    let portrait = info.portrait.map(|p| match p.format {
        ImageFormat::Jpeg => json!({
            "format": "jpeg",
            "src": format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(p.bytes)),
        }),
        ImageFormat::Jpeg2000 => json!({"format": "jpeg2000"}),
        _ => json!({"format": "unknown"}),
    });
    let ages: Vec<Value> = config
        .age_over
        .iter()
        .map(|n| {
            let a = d.age_at_least_at_offset(expected, *n, JST_OFFSET_SECS);
            json!({
                "threshold": n,
                "verdict": a.verdict.as_str(),
                "evidence": a.evidence.element_id(),
                "trusted": !matches!(a.verdict, AgeVerdict::Contradictory),
            })
        })
        .collect();
    json!({
        "doc_type": d.doc_type(),
        "items": items,
        "portrait": portrait,
        "ages": ages,
    })
}
