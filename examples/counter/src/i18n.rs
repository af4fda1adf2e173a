//! The clerk's words: a plain-Japanese (and English) reason for every
//! kakunin error code, keyed by the code's stable string, and the counter's
//! own reasons (an expired request, a reader problem).
//!
//! The clerk reads the reason to the citizen, so it says what happened and,
//! where it helps, what to do — never a technical term alone.

use kakunin::ErrorCode;

/// A reason in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reason {
    /// The stable code (kakunin's `ErrorCode::as_str`, or a counter code).
    pub code: &'static str,
    /// 日本語.
    pub ja: &'static str,
    /// English.
    pub en: &'static str,
}

/// `(code, 日本語, English)` for every kakunin error code.
const ERROR_REASONS: &[(&str, &str, &str)] = &[
    ("cbor_malformed", "スマートフォンから届いたデータの形式が壊れています。", "The data from the phone is malformed."),
    ("structure_invalid", "スマートフォンから届いたデータの構成が規格（ISO/IEC 18013-5）に合っていません。", "The data from the phone does not follow the ISO/IEC 18013-5 structure."),
    ("unsupported_version", "対応していない版式のデータです。", "The data uses a version this counter does not support."),
    ("unsupported_algorithm", "対応していない暗号方式が使われています。", "The data uses a cryptographic algorithm this counter does not support."),
    ("issuer_signature_invalid", "発行元の電子署名が正しくありません（改ざんの可能性があります）。", "The issuer's signature is not valid (the data may have been altered)."),
    ("issuer_chain_untrusted", "発行元が信頼できる発行元として登録されていません。", "The issuer is not one of the trusted issuers."),
    ("certificate_expired", "発行元の証明書が期限切れです。", "The issuer's certificate has expired."),
    ("certificate_not_yet_valid", "発行元の証明書がまだ有効期間前です。", "The issuer's certificate is not valid yet."),
    ("certificate_profile_invalid", "発行元の証明書が規格の要件を満たしていません。", "The issuer's certificate does not meet the required profile."),
    ("mso_doctype_mismatch", "証明書の種類の表示と署名された内容が一致しません。", "The document type does not match what the issuer signed."),
    ("mso_expired", "証明書（スマートフォン上の身分証）の有効期限が切れています。", "The document on the phone has expired."),
    ("mso_not_yet_valid", "証明書（スマートフォン上の身分証）がまだ有効期間前です。", "The document on the phone is not valid yet."),
    ("digest_mismatch", "記載事項が発行時から書き換えられています（改ざんされています）。", "An item was changed after it was issued (the data has been tampered with)."),
    ("digest_missing", "発行元が署名していない記載事項が含まれています。", "An item is not covered by the issuer's signature."),
    ("device_signature_invalid", "スマートフォンの署名が正しくありません（別の端末や別の要求への応答の可能性があります）。", "The phone's signature is not valid (the response may come from another device or answer another request)."),
    ("device_mac_invalid", "スマートフォンの認証コードが正しくありません（別の端末や別の要求への応答の可能性があります）。", "The phone's authentication code is not valid (the response may come from another device or answer another request)."),
    ("device_auth_missing", "スマートフォン本体による認証がありません（コピーされたデータの可能性があります）。", "The phone did not authenticate itself (the data may be a copy)."),
    ("session_transcript_missing", "本人確認のやり取りの記録がなく、スマートフォンの認証を確かめられません。", "The exchange record is missing, so the phone's authentication cannot be checked."),
    ("reader_key_missing", "読み取り側の鍵がなく、スマートフォンの認証を確かめられません。", "The reader key is missing, so the phone's authentication cannot be checked."),
    ("algorithm_key_mismatch", "署名の方式と鍵が一致しません。", "The signature algorithm does not match its key."),
    ("limit_exceeded", "データが大きすぎるか複雑すぎるため、処理を中止しました。", "The data is too large or too complex; processing was stopped."),
    ("element_not_authorized", "スマートフォンが、許されていない記載事項を自分で署名しています。", "The phone signed an item it is not authorised to provide."),
    ("certificate_revoked", "発行元の証明書が失効しています。", "The issuer's certificate has been revoked."),
    ("document_revoked", "この身分証は失効しています。", "This document has been revoked."),
    ("document_suspended", "この身分証は一時停止されています。", "This document is suspended."),
    ("revocation_unavailable", "失効情報を確認できません（失効リストがありません）。", "Revocation cannot be checked (no revocation information)."),
    ("revocation_stale", "失効情報が古いため確認できません。失効リストを更新してください。", "The revocation information is out of date; update the revocation lists."),
    ("trust_list_invalid", "信頼リスト（VICAL）が正しくありません。", "The trust list (VICAL) is not valid."),
    ("trust_list_stale", "信頼リスト（VICAL）が古くなっています。更新してください。", "The trust list (VICAL) is out of date; update it."),
    ("country_mismatch", "発行国の表示が発行元の証明書と一致しません。", "The issuing country does not match the issuer's certificate."),
    ("element_type_invalid", "記載事項の形式が規格と異なります。", "An item does not have the type the standard requires."),
    ("no_documents", "スマートフォンから身分証が提示されませんでした。", "The phone did not present any document."),
    ("session_decryption_failed", "通信の暗号を解けませんでした（通信の乱れ、または改ざん）。", "The session message could not be decrypted (a transmission error, or tampering)."),
    ("session_protocol_error", "スマートフォンとのやり取りの手順に誤りがありました。もう一度かざしてください。", "The exchange with the phone went out of order. Please tap again."),
    ("reader_auth_invalid", "読み取り側の証明書が正しくありません。", "The reader's certificate is not valid."),
    ("transport_error", "カードリーダーとの通信に誤りがありました。もう一度かざしてください。", "A reader communication error occurred. Please tap again."),
    ("request_refused", "この窓口の設定では要求できない項目です（マイナンバーには法令上の利用目的の設定が必要です）。", "The counter's policy refuses this request (the My Number needs a statutory purpose)."),
    ("document_not_requested", "要求していない種類の身分証が提示されました。", "The phone presented a kind of document that was not requested."),
    ("session_terminated", "スマートフォン側で提示が中止されました。", "The holder stopped the presentation on the phone."),
    ("hpke_decrypt_failed", "スマートフォンからの応答を復号できませんでした（改ざん、または別の要求への応答です）。", "The phone's response could not be decrypted (it was tampered with, or answers another request)."),
    ("hpke_key_mismatch", "応答が、この窓口の要求あての暗号鍵で作られていません。", "The response was not encrypted to this counter's request key."),
    ("session_transcript_mismatch", "応答が、この窓口の要求に対するものではありません。", "The response does not belong to this counter's request."),
    ("jwe_decrypt_failed", "スマートフォンからの暗号化された応答を復号できませんでした（改ざん、または別の要求への応答です）。", "The phone's encrypted response could not be decrypted (it was tampered with, or answers another request)."),
    ("not_a_certificate", "証明書であるべきデータが証明書ではありません。", "Data that should be a certificate is not one."),
];

/// The counter's own reasons (no kakunin error code applies).
const COUNTER_REASONS: &[(&str, &str, &str)] = &[
    (
        "request_expired",
        "確認の要求の有効期限が切れたか、すでに使われています。もう一度「確認する」を押してください。",
        "The request expired or was already used. Press “Verify” again.",
    ),
    (
        "response_unreadable",
        "ブラウザから届いた応答を読み取れませんでした。",
        "The browser's answer could not be read.",
    ),
    (
        "protocol_unsupported",
        "この窓口が対応していない方式で提示されました。",
        "The phone answered with a protocol this counter does not support.",
    ),
    (
        "origin_mismatch",
        "このページは窓口に設定されたアドレス（オリジン）で開かれていません。設定のアドレスで開き直してください。",
        "This page was not opened at the counter's configured address (origin). Open it at that address.",
    ),
    (
        "online_unavailable",
        "この窓口ではオンラインでの確認を利用できません。",
        "Online verification is not available at this counter.",
    ),
    (
        "pcsc_no_reader",
        "カードリーダーが見つかりません。接続を確認してください。",
        "No card reader was found. Check its connection.",
    ),
    (
        "pcsc_no_card",
        "スマートフォンが検出されませんでした。カードリーダーにかざしてください。",
        "No phone was detected. Hold it on the card reader.",
    ),
    (
        "pcsc_timeout",
        "スマートフォンからの応答が時間内にありませんでした。もう一度かざしてください。",
        "The phone did not answer in time. Please tap again.",
    ),
    (
        "pcsc_holder_stopped",
        "スマートフォンとの通信が途中で途切れました。もう一度かざしてください。",
        "The phone stopped in the middle of the exchange. Please tap again.",
    ),
    (
        "pcsc_error",
        "カードリーダーでの確認中にエラーが起きました。",
        "An error occurred while checking with the card reader.",
    ),
];

/// The reason for a kakunin error code.
pub fn reason(code: ErrorCode) -> Reason {
    lookup(code.as_str()).unwrap_or(Reason {
        code: "unknown",
        ja: "確認できない理由がありました（詳細は監査記録の理由コードをご覧ください）。",
        en: "The document could not be verified (see the reason code in the audit log).",
    })
}

/// The reason for a code string (kakunin's or the counter's).
pub fn lookup(code: &str) -> Option<Reason> {
    ERROR_REASONS
        .iter()
        .chain(COUNTER_REASONS)
        .find(|(c, _, _)| *c == code)
        .map(|(code, ja, en)| Reason { code, ja, en })
}

/// Japanese labels of the My Number Card's items and of age answers.
pub mod labels {
    /// `(key, 日本語, English)` of the items shown on screen.
    pub const ITEMS: &[(&str, &str, &str)] = &[
        ("full_name", "氏名", "Name"),
        ("address", "住所", "Address"),
        ("birth_date", "生年月日", "Date of birth"),
        ("sex", "性別", "Sex"),
        ("individual_number", "個人番号", "Individual Number"),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_has_a_japanese_and_an_english_reason() {
        for code in ErrorCode::ALL {
            let r = lookup(code.as_str()).unwrap_or_else(|| panic!("no reason for {code}"));
            assert!(!r.ja.trim().is_empty() && !r.en.trim().is_empty(), "{code}");
            assert!(
                r.ja.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)),
                "{code}: not Japanese"
            );
            assert!(r.en.is_ascii() || r.en.contains('“'), "{code}: English?");
            assert_eq!(reason(*code).code, code.as_str());
        }
    }

    #[test]
    fn table_has_no_stray_or_duplicate_codes() {
        let mut seen = std::collections::HashSet::new();
        for (c, _, _) in ERROR_REASONS {
            assert!(ErrorCode::from_str_code(c).is_some(), "{c} is not a kakunin error code");
            assert!(seen.insert(*c), "duplicate {c}");
        }
        for (c, ja, en) in COUNTER_REASONS {
            assert!(ErrorCode::from_str_code(c).is_none(), "{c} shadows a kakunin code");
            assert!(seen.insert(*c), "duplicate {c}");
            assert!(!ja.is_empty() && !en.is_empty());
        }
    }

    #[test]
    fn the_examples_of_the_brief_read_as_expected() {
        assert_eq!(
            reason(ErrorCode::CertificateExpired).ja,
            "発行元の証明書が期限切れです。"
        );
        assert!(reason(ErrorCode::DigestMismatch).ja.contains("改ざん"));
        assert!(reason(ErrorCode::IssuerChainUntrusted).ja.contains("信頼"));
    }
}
