//! The `verify` example's trust and revocation flags, end to end: files
//! minted by the test issuer (CRL, status list) and the AAMVA VICAL.

use crate::support;

use support::examples::TempDir;
use support::revocation::*;
use support::*;

/// `verify` with `args`: exit code, and stdout followed by stderr.
fn run(args: &[&str]) -> (i32, String) {
    let (code, out, err) = crate::verify(args);
    (code, out + &err)
}

const AT: &str = "2024-01-01T00:00:00Z";

#[test]
fn crl_and_status_list_flags() {
    let f = TempDir::new("rev");
    let pki = TestPki::new();
    let anchor = f.put("iaca.der", &pki.iaca_der);
    let doc = f.put(
        "dr.cbor",
        mint(
            &pki,
            &MdocSpec {
                mso_status: Some(status_list_ref(3, STATUS_URI)),
                ..MdocSpec::default()
            },
        ),
    );
    let base = [
        "--device-response",
        &doc,
        "--trust-anchor",
        &anchor,
        "--at",
        AT,
        "--issuer-only",
        "--json",
    ];

    // Without revocation data or flags: unchanged behaviour.
    let (rc, out) = run(&base);
    assert_eq!(rc, 0, "{out}");
    // Required without data.
    let (rc, out) = run(&[&base[..], &["--revocation", "required"]].concat());
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("revocation_unavailable"), "{out}");

    let crl = f.put("iaca.crl", issue_crl(&CrlSpec::of(&pki), &pki.iaca_key));
    let (k, der) = status_signer(&pki);
    let ok_list = f.put(
        "ok.cwt",
        status_token(&TokenSpec::status_list(&der, 1, vec![0; 16]), &k),
    );
    let (rc, out) = run(&[
        &base[..],
        &["--revocation", "required", "--crl", &crl, "--status-list", &ok_list],
    ]
    .concat());
    assert_eq!(rc, 0, "{out}");
    assert!(
        out.contains("\"warnings\":[]}],\"errors\":[],\"warnings\":[]}"),
        "{out}"
    );
    // Best effort without a CRL: valid, and the JSON and the text report say
    // what was not proven.
    let (rc, out) = run(&[&base[..], &["--status-list", &ok_list]].concat());
    assert_eq!(rc, 0, "{out}");
    assert!(
        out.contains("\"errors\":[],\"warnings\":[{\"code\":\"revocation_unavailable\",\"message\":\"no CRL of"),
        "{out}"
    );
    let text: Vec<&str> = base.iter().copied().filter(|a| *a != "--json").collect();
    let (rc, out) = run(&[&text[..], &["--status-list", &ok_list]].concat());
    assert_eq!(rc, 0, "{out}");
    assert!(out.contains("warning:     revocation_unavailable: no CRL of"), "{out}");

    // A revoking status list: rejected by the default best-effort mode that --status-list turns on.
    let revoked = f.put(
        "rev.cwt",
        status_token(&TokenSpec::status_list(&der, 1, vec![0, 0, 0, 1]), &k),
    );
    let (rc, out) = run(&[&base[..], &["--status-list", &revoked]].concat());
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("document_revoked"), "{out}");
    // ... unless revocation is explicitly off.
    let (rc, out) = run(&[&base[..], &["--status-list", &revoked, "--revocation", "off"]].concat());
    assert_eq!(rc, 0, "{out}");

    // A CRL listing the DS.
    let listed = f.put(
        "listed.crl",
        issue_crl(
            &CrlSpec {
                revoked_serials: vec![2],
                ..CrlSpec::of(&pki)
            },
            &pki.iaca_key,
        ),
    );
    let (rc, out) = run(&[&base[..], &["--crl", &listed]].concat());
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("certificate_revoked"), "{out}");

    // Usage errors.
    assert_eq!(run(&[&base[..], &["--revocation", "sometimes"]].concat()).0, 2);
    assert_eq!(run(&[&base[..], &["--crl", &doc]].concat()).0, 2);
}

#[test]
fn vical_flags() {
    let f = TempDir::new("vical");
    let v = VicalPki::new();
    let pki = TestPki::new();
    let list = vical(
        &v,
        vec![v.signer_der.clone(), v.intermediate_der.clone()],
        VICAL_DATE,
        VICAL_NEXT,
        vec![(pki.iaca_der.clone(), vec![MDL])],
    );
    let list = f.put("vical.cbor", &list);
    let root = f.put("root.der", &v.root_der);
    let doc = f.put("dr.cbor", mint(&pki, &MdocSpec::default()));
    let (rc, out) = run(&[
        "--device-response",
        &doc,
        "--vical",
        &list,
        "--vical-anchor",
        &root,
        "--at",
        AT,
        "--issuer-only",
    ]);
    assert_eq!(rc, 0, "{out}");
    // --vical without an anchor is a usage error.
    assert_eq!(run(&["--device-response", &doc, "--vical", &list, "--at", AT]).0, 2);
    // An entry the VICAL lists but kakunin leaves out (a DS certificate, not
    // an IACA) is a top-level warning; the rest of the list still loads.
    let with_bad_entry = vical(
        &v,
        vec![v.signer_der.clone(), v.intermediate_der.clone()],
        VICAL_DATE,
        VICAL_NEXT,
        vec![(pki.ds_der.clone(), vec![MDL]), (pki.iaca_der.clone(), vec![MDL])],
    );
    let with_bad_entry = f.put("vical-bad-entry.cbor", &with_bad_entry);
    let (rc, out) = run(&[
        "--device-response",
        &doc,
        "--vical",
        &with_bad_entry,
        "--vical-anchor",
        &root,
        "--at",
        AT,
        "--issuer-only",
        "--json",
    ]);
    assert_eq!(rc, 0, "{out}");
    assert!(
        out.contains("\"errors\":[],\"warnings\":[{\"code\":\"certificate_profile_invalid\",\"message\":\""),
        "{out}"
    );
    assert!(out.contains("entry 0 not loaded"), "{out}");
    // A VICAL older than the last accepted one is a verdict, not an I/O error.
    let (rc, out) = run(&[
        "--device-response",
        &doc,
        "--vical",
        &list,
        "--vical-anchor",
        &root,
        "--at",
        AT,
        "--issuer-only",
        "--json",
        "--vical-last-issue-id",
        "8",
    ]);
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("\"status\":\"invalid\""), "{out}");
    assert!(out.contains("\"errors\":[{\"code\":\"trust_list_stale\""), "{out}");
    // The real AAMVA VICAL: its signer's keyUsage is nonRepudiation only, so
    // it loads under the interoperable profile; stale, it makes the response
    // invalid (exit 1) with a top-level trust_list_stale.
    let d = "tests/data/aamva-vical";
    let aamva = [
        "--device-response",
        &doc,
        "--issuer-only",
        "--json",
        "--vical",
        &format!("{d}/aamva_vical_2025-11-18.hex"),
        "--vical-anchor",
        &format!("{d}/aamva_dts_root_ca.pem"),
    ];
    let lenient = ["--profile", "interoperable"];
    let (rc, out) = run(&[&aamva[..], &lenient, &["--at", "2025-11-18T20:00:00Z"]].concat());
    assert_eq!(rc, 1, "{out}"); // loads; the test document is simply not from a US issuer
    assert!(out.contains("issuer_chain_untrusted"), "{out}");
    assert!(!out.contains("trust_list"), "{out}");
    let (rc, out) = run(&[&aamva[..], &lenient, &["--at", "2025-11-20T00:00:00Z"]].concat());
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("\"errors\":[{\"code\":\"trust_list_stale\""), "{out}");
    // By default (Annex B) the signer's keyUsage is refused: a verdict too.
    let (rc, out) = run(&[&aamva[..], &["--at", "2025-11-18T20:00:00Z"]].concat());
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("\"errors\":[{\"code\":\"trust_list_invalid\""), "{out}");
    assert!(out.contains("digitalSignature"), "{out}");
    // The text report says the same.
    let text: Vec<&str> = aamva.iter().copied().filter(|a| *a != "--json").collect();
    let (rc, out) = run(&[&text[..], &lenient, &["--at", "2025-11-20T00:00:00Z"]].concat());
    assert_eq!(rc, 1, "{out}");
    assert!(
        out.contains("INVALID") && out.contains("response error trust_list_stale"),
        "{out}"
    );
}
