//! The clerk's page (embedded in the binary: no build step, no CDN) and
//! the audit log page.

use crate::audit_db::Row;

/// The page.
pub const INDEX_HTML: &str = include_str!("../assets/index.html");
/// Its script.
pub const APP_JS: &str = include_str!("../assets/app.js");
/// Its style sheet.
pub const APP_CSS: &str = include_str!("../assets/app.css");

/// The audit log as a page (newest first).
pub fn audit_html(rows: &[Row], demo: bool) -> String {
    let mut o = String::with_capacity(4096 + rows.len() * 512);
    o.push_str(
        "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\">\
         <title>監査記録 / Audit log — kakunin counter</title>\
         <link rel=\"stylesheet\" href=\"/app.css\"></head><body><header><h1>監査記録 <small lang=\"en\">Audit log</small></h1>",
    );
    if demo {
        o.push_str("<span class=\"demo-badge\">デモ</span>");
    }
    o.push_str(
        "<nav><a href=\"/\">窓口画面へ</a><a href=\"/audit.csv\" download>CSV</a></nav></header><main>\
         <p>確認1件ごとの記録です。氏名・住所などの記載事項の値は記録していません（項目名と理由コードのみ）。\
         <br><span lang=\"en\">One record per verification. No element value is kept: identifiers and error codes only.</span></p>\
         <table class=\"audit\"><thead><tr><th>#</th><th>日時 <small>Time (UTC)</small></th><th>経路 <small>Channel</small></th>\
         <th>結果 <small>Verdict</small></th><th>種類 <small>docType</small></th><th>理由コード <small>Codes</small></th>\
         <th>記録 <small>Record</small></th></tr></thead><tbody>",
    );
    for r in rows {
        let (class, word) = if r.verdict == "valid" {
            ("valid", "確認できました / valid")
        } else {
            ("invalid", "確認できません / invalid")
        };
        o.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{word}</td><td>{}</td><td>{}</td>\
             <td><details><summary>JSON</summary><code>{}</code></details></td></tr>",
            r.id,
            esc(&r.time),
            esc(&r.channel),
            esc(&r.doc_types),
            esc(&r.error_codes),
            esc(&r.record)
        ));
    }
    if rows.is_empty() {
        o.push_str("<tr><td colspan=\"7\">記録はまだありません / No record yet</td></tr>");
    }
    o.push_str("</tbody></table></main></body></html>");
    o
}

/// HTML text escaping.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}
