//! `verify --audit` and the My Number Card report of the `verify` example,
//! on a minted My Number Card response written to a temporary directory.

use crate::support;

use support::examples::unique_dir;
use support::jp_mnc;
use support::*;

fn verify(args: &[&str]) -> (i32, String) {
    let (code, out, _) = crate::verify(args);
    (code, out)
}

/// Writes a minted My Number Card response, its IACA and transcript.
fn mnc_files(tag: &str) -> (String, String, String) {
    let dir = unique_dir(&format!("mnc-{tag}"));
    let pki = TestPki::new();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_string_lossy().into_owned()
    };
    (
        write("response.cbor", &jp_mnc::hanako().response(&pki)),
        write("iaca.der", &pki.iaca_der),
        write("transcript.cbor", &transcript_bytes()),
    )
}

#[test]
fn human_report_shows_the_basic_four_items() {
    let (resp, iaca, tr) = mnc_files("human");
    let args = [
        "--device-response",
        &resp,
        "--trust-anchor",
        &iaca,
        "--session-transcript",
        &tr,
        "--at",
        "2024-01-01T00:00:00Z",
    ];
    let (code, out) = verify(&args);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("氏名 (name):         𠮷田\u{3000}花子\n"), "{out}");
    assert!(
        out.contains("住所 (address):      東京都千代田区霞が関一丁目２番３号\u{3000}𠮷野ハイツ１０１号\n"),
        "{out}"
    );
    assert!(out.contains("生年月日 (birth):    平成2年4月1日\n"), "{out}");
    assert!(out.contains("性別 (sex):          女\n"), "{out}");
    assert!(!out.contains("Audit record"));
    let mut with_audit = args.to_vec();
    with_audit.push("--audit");
    let (code, out) = verify(&with_audit);
    assert_eq!(code, 0);
    let line = out.lines().find(|l| l.starts_with("Audit record: ")).unwrap();
    assert!(line.contains("\"doc_type\":\"org.iso.23220.1.jp.mnc\""), "{line}");
    assert!(!line.contains("花子"), "{line}");
}

#[test]
fn json_audit_adds_one_member_and_changes_nothing_else() {
    let (resp, iaca, tr) = mnc_files("json");
    let base = [
        "--device-response",
        &resp,
        "--trust-anchor",
        &iaca,
        "--session-transcript",
        &tr,
        "--at",
        "2024-01-01T00:00:00Z",
        "--json",
    ];
    let (code, plain) = verify(&base);
    assert_eq!(code, 0);
    let mut args = base.to_vec();
    args.push("--audit");
    let (code, audited) = verify(&args);
    assert_eq!(code, 0);
    let plain = plain.trim();
    let audited = audited.trim();
    let prefix = plain.strip_suffix('}').unwrap();
    assert!(audited.starts_with(prefix), "{audited}");
    let audit = audited[prefix.len()..]
        .strip_prefix(",\"audit\":")
        .unwrap()
        .strip_suffix('}')
        .unwrap();
    assert!(
        audit.starts_with("{\"time\":\"2024-01-01T00:00:00Z\",\"verdict\":\"valid\""),
        "{audit}"
    );
    assert!(
        audit.contains("\"org.iso.23220.1.jp\":[\"full_name_unicode\",\"resident_address_unicode\""),
        "{audit}"
    );
    // The report carries the values; the audit member none of them.
    assert!(plain.contains("𠮷田\u{3000}花子"));
    for v in ["花子", "東京都", "平成2年", "\"女\"", "1990-04-01", "131016"] {
        assert!(!audit.contains(v), "{v} in {audit}");
    }
}

#[test]
fn json_audit_of_an_invalid_response_keeps_exit_code_1() {
    let (code, out) = verify(&["--json", "--audit", "--at", "2030-01-01T00:00:00Z"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.trim().ends_with("]}}"), "{out}");
    assert!(
        out.contains(",\"audit\":{\"time\":\"2030-01-01T00:00:00Z\",\"verdict\":\"invalid\""),
        "{out}"
    );
}
