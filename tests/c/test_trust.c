/*
 * C tests of the trust and revocation part of include/kakunin.h, through
 * the C ABI: docType-scoped and explicit-role anchors, VICALs, CRLs
 * and status lists, the revocation policy, NULL and free(NULL) cases.
 * Built with `cc -std=c11 -Wall -Wextra -Werror` and run by tests/c_abi/c_api.rs
 * (and under ASan/UBSan and valgrind by .ci/run) from the repository root.
 * Exit status 0 = every check passed.
 *
 * Data: tests/data/aamva-vical (a real AAMVA VICAL) and
 * tests/data/derived/ffi-revocation (minted by the Rust test issuer; see its
 * README), valid at 2024-01-01T00:00:00Z.
 */
#include "common.h"

#define DERIVED "tests/data/derived/ffi-revocation/"
#define VICAL_DIR "tests/data/aamva-vical/"
#define MDL "org.iso.18013.5.1.mDL"
#define MNC "org.iso.23220.1.jp.mnc"
/* 2024-01-01T00:00:00Z, the test issuer's "now". */
#define T_2024 1704067200

/* Whether document 0 of `v` carries error code `code`. */
static int doc_has_error(const kakunin_verification *v, uint32_t code) {
    size_t n = 0;
    if (kakunin_verification_document_error_count(v, 0, &n) != KAKUNIN_OK) return 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = 0;
        kakunin_str msg;
        if (kakunin_verification_document_error(v, 0, i, &c, &msg) == KAKUNIN_OK && c == code) return 1;
    }
    return 0;
}

/* Issuer-only verification of `response` at T_2024; returns the handle (caller frees). */
static kakunin_verification *verify(const kakunin_verifier *verifier, struct blob response) {
    kakunin_verification *v = NULL;
    CHECK_STATUS(kakunin_verifier_verify_device_response_issuer_only(verifier, response.data, response.len, T_2024, &v),
                 KAKUNIN_OK);
    CHECK(v != NULL);
    return v;
}

static kakunin_trust_store *build_store(kakunin_trust_store_builder *b) {
    kakunin_trust_store *store = NULL;
    CHECK_STATUS(kakunin_trust_store_builder_build(b, &store), KAKUNIN_OK);
    CHECK(store != NULL);
    return store;
}

static kakunin_verifier *plain_verifier(const kakunin_trust_store *store) {
    kakunin_verifier *verifier = NULL;
    CHECK_STATUS(kakunin_verifier_new(store, &verifier), KAKUNIN_OK);
    return verifier;
}

/* ---------------------------------------------------------------- anchors */

static void test_scoped_and_role_anchors(void) {
    struct blob iaca = load(DERIVED "iaca.der");
    struct blob ds = load(DERIVED "ds.der");
    struct blob resp = load(DERIVED "response_status0.cbor");
    const char *mnc[] = {MNC};
    const char *mdl[] = {MDL, MNC};

    /* An IACA scoped to the My Number Card must not vouch for an mDL. */
    kakunin_trust_store_builder *b = kakunin_trust_store_builder_new();
    CHECK_STATUS(kakunin_trust_store_builder_add_anchor(b, iaca.data, iaca.len, KAKUNIN_ANCHOR_IACA, mnc, 1), KAKUNIN_OK);
    kakunin_trust_store *store = build_store(b);
    size_t count = 0;
    uint32_t role = 0;
    kakunin_str t;
    CHECK_STATUS(kakunin_trust_store_anchor_role(store, 0, &role), KAKUNIN_OK);
    CHECK(role == KAKUNIN_ANCHOR_IACA);
    CHECK_STATUS(kakunin_trust_store_anchor_doc_type_count(store, 0, &count), KAKUNIN_OK);
    CHECK(count == 1);
    CHECK_STATUS(kakunin_trust_store_anchor_doc_type(store, 0, 0, &t), KAKUNIN_OK);
    CHECK(str_eq(t, MNC));
    CHECK_STATUS(kakunin_trust_store_anchor_doc_type(store, 0, 1, &t), KAKUNIN_OUT_OF_RANGE);
    CHECK_STATUS(kakunin_trust_store_anchor_role(store, 1, &role), KAKUNIN_OUT_OF_RANGE);
    kakunin_verifier *verifier = plain_verifier(store);
    kakunin_verification *v = verify(verifier, resp);
    CHECK(!kakunin_verification_is_valid(v));
    CHECK(doc_has_error(v, 6)); /* issuer_chain_untrusted */
    kakunin_verification_free(v);
    kakunin_verifier_free(verifier);
    kakunin_trust_store_free(store);

    /* The same IACA scoped to mDL and MNC vouches; so does the older _for call. */
    CHECK_STATUS(kakunin_trust_store_builder_add_anchor(b, iaca.data, iaca.len, KAKUNIN_ANCHOR_IACA, mdl, 2), KAKUNIN_OK);
    store = build_store(b);
    verifier = plain_verifier(store);
    v = verify(verifier, resp);
    CHECK(kakunin_verification_is_valid(v));
    kakunin_verification_free(v);
    kakunin_verifier_free(verifier);
    kakunin_trust_store_free(store);
    CHECK_STATUS(kakunin_trust_store_builder_add_pem_or_der_for(b, iaca.data, iaca.len, mnc, 1), KAKUNIN_OK);
    store = build_store(b);
    verifier = plain_verifier(store);
    v = verify(verifier, resp);
    CHECK(doc_has_error(v, 6));
    kakunin_verification_free(v);
    kakunin_verifier_free(verifier);
    kakunin_trust_store_free(store);

    /* Unscoped IACA: doc type count SIZE_MAX. */
    CHECK_STATUS(kakunin_trust_store_builder_add_anchor(b, iaca.data, iaca.len, KAKUNIN_ANCHOR_IACA, NULL, 0), KAKUNIN_OK);
    store = build_store(b);
    CHECK_STATUS(kakunin_trust_store_anchor_doc_type_count(store, 0, &count), KAKUNIN_OK);
    CHECK(count == SIZE_MAX);
    CHECK_STATUS(kakunin_trust_store_anchor_doc_type(store, 0, 0, &t), KAKUNIN_OUT_OF_RANGE);
    kakunin_trust_store_free(store);

    /* A Document Signer certificate is not an IACA; as a pinned signer it is
       trusted for exactly itself, unless the policy forbids pinned signers. */
    CHECK_STATUS(kakunin_trust_store_builder_add_anchor(b, ds.data, ds.len, KAKUNIN_ANCHOR_IACA, NULL, 0),
                 KAKUNIN_CERTIFICATE_PROFILE_INVALID);
    CHECK_STATUS(kakunin_trust_store_builder_add_anchor(b, ds.data, ds.len, 7, NULL, 0), KAKUNIN_INVALID_PARAMETER);
    CHECK_STATUS(kakunin_trust_store_builder_add_anchor(b, ds.data, ds.len, 0, NULL, 0), KAKUNIN_INVALID_PARAMETER);
    CHECK_STATUS(kakunin_trust_store_builder_add_anchor(b, ds.data, ds.len, KAKUNIN_ANCHOR_PINNED_SIGNER, NULL, 0),
                 KAKUNIN_OK);
    store = build_store(b);
    CHECK(kakunin_trust_store_anchor_count(store) == 1); /* the refused calls added nothing */
    CHECK_STATUS(kakunin_trust_store_anchor_role(store, 0, &role), KAKUNIN_OK);
    CHECK(role == KAKUNIN_ANCHOR_PINNED_SIGNER);
    verifier = plain_verifier(store);
    v = verify(verifier, resp);
    CHECK(kakunin_verification_is_valid(v));
    kakunin_verification_free(v);
    kakunin_verifier_free(verifier);
    kakunin_verifier_builder *vb = NULL;
    CHECK_STATUS(kakunin_verifier_builder_new(store, &vb), KAKUNIN_OK);
    CHECK_STATUS(kakunin_verifier_builder_set_allow_anchor_as_signer(vb, false), KAKUNIN_OK);
    CHECK_STATUS(kakunin_verifier_builder_build(vb, &verifier), KAKUNIN_OK);
    v = verify(verifier, resp);
    CHECK(!kakunin_verification_is_valid(v));
    kakunin_verification_free(v);
    kakunin_verifier_free(verifier);
    kakunin_verifier_builder_free(vb);
    kakunin_trust_store_free(store);

    /* Garbage is refused and adds nothing; a non-UTF-8 docType too. */
    uint8_t junk[4] = {1, 2, 3, 4};
    CHECK(kakunin_trust_store_builder_add_anchor(b, junk, sizeof junk, KAKUNIN_ANCHOR_IACA, NULL, 0) != KAKUNIN_OK);
    const char *bad_utf8[] = {"\xff\xfe"};
    CHECK_STATUS(kakunin_trust_store_builder_add_anchor(b, iaca.data, iaca.len, KAKUNIN_ANCHOR_IACA, bad_utf8, 1),
                 KAKUNIN_INVALID_UTF8);
    const char *with_null[] = {MDL, NULL};
    CHECK_STATUS(kakunin_trust_store_builder_add_anchor(b, iaca.data, iaca.len, KAKUNIN_ANCHOR_IACA, with_null, 2),
                 KAKUNIN_NULL_PARAMETER);
    store = build_store(b);
    CHECK(kakunin_trust_store_anchor_count(store) == 0);
    kakunin_trust_store_free(store);

    /* NULLs. */
    CHECK_STATUS(kakunin_trust_store_builder_add_anchor(NULL, iaca.data, iaca.len, 1, NULL, 0), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_trust_store_builder_add_anchor(b, NULL, iaca.len, 1, NULL, 0), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_trust_store_anchor_role(NULL, 0, &role), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_trust_store_anchor_doc_type_count(NULL, 0, &count), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_trust_store_anchor_doc_type(NULL, 0, 0, &t), KAKUNIN_NULL_PARAMETER);
    kakunin_trust_store_builder_free(b);
    free(iaca.data);
    free(ds.data);
    free(resp.data);
}

/* ---------------------------------------------------------------- VICAL */

/* kakunin_vical_verify with the opt-in the AAMVA production VICAL needs. */
static kakunin_status aamva_verify(const uint8_t *list, size_t list_len, const uint8_t *anchors, size_t anchors_len,
                                   int64_t now, int64_t skew, uint64_t max_age, kakunin_vical **out) {
    return kakunin_vical_verify_with_options(list, list_len, anchors, anchors_len, now, skew, max_age, false, 0,
                                             KAKUNIN_VICAL_ALLOW_CONTENT_COMMITMENT_SIGNER, out);
}

static void test_vical(void) {
    struct blob list = load(VICAL_DIR "aamva_vical_2025-11-18.hex");
    struct blob root = load(VICAL_DIR "aamva_dts_root_ca.pem");
    struct blob other = load(DERIVED "iaca.der");
    int64_t fresh = 0, stale = 0;
    CHECK_STATUS(kakunin_parse_rfc3339("2025-11-18T20:00:00Z", &fresh), KAKUNIN_OK);
    CHECK_STATUS(kakunin_parse_rfc3339("2025-11-20T00:00:00Z", &stale), KAKUNIN_OK);

    kakunin_vical *vical = NULL;
    /* The AAMVA signer's keyUsage is nonRepudiation only: refused unless the
       caller opts in with KAKUNIN_VICAL_ALLOW_CONTENT_COMMITMENT_SIGNER. */
    CHECK_STATUS(kakunin_vical_verify(list.data, list.len, root.data, root.len, fresh, 0, 0, &vical),
                 KAKUNIN_TRUST_LIST_INVALID);
    CHECK(vical == NULL);
    /* Rollback protection: an older vicalIssueID than the last accepted one is stale. */
    CHECK_STATUS(kakunin_vical_verify_with_options(list.data, list.len, root.data, root.len, fresh, 0, 0, true,
                                                   227603, KAKUNIN_VICAL_ALLOW_CONTENT_COMMITMENT_SIGNER, &vical),
                 KAKUNIN_TRUST_LIST_STALE);
    CHECK_STATUS(kakunin_vical_verify_with_options(list.data, list.len, root.data, root.len, fresh, 0, 0, true,
                                                   227602, KAKUNIN_VICAL_ALLOW_CONTENT_COMMITMENT_SIGNER, &vical),
                 KAKUNIN_OK);
    kakunin_vical_free(vical);
    vical = NULL;
    CHECK_STATUS(kakunin_vical_verify_with_options(list.data, list.len, root.data, root.len, fresh, 0, 0, false, 0, 2,
                                                   &vical),
                 KAKUNIN_INVALID_PARAMETER);
    CHECK_STATUS(aamva_verify(list.data, list.len, root.data, root.len, fresh, 0, 0, &vical), KAKUNIN_OK);
    CHECK(vical != NULL);
    kakunin_str s;
    CHECK_STATUS(kakunin_vical_provider(vical, &s), KAKUNIN_OK);
    CHECK(str_eq(s, "AAMVA"));
    int64_t when = 0, next = 0;
    uint64_t id = 0;
    CHECK_STATUS(kakunin_vical_date(vical, &when), KAKUNIN_OK);
    CHECK_STATUS(kakunin_vical_next_update(vical, &next), KAKUNIN_OK);
    CHECK(when < fresh && fresh < next && next < stale);
    CHECK_STATUS(kakunin_vical_issue_id(vical, &id), KAKUNIN_OK);
    CHECK(id == 227602);
    CHECK(kakunin_vical_entry_count(vical) == 14);
    CHECK(kakunin_vical_rejected_count(vical) == 0);
    size_t n = 0;
    CHECK_STATUS(kakunin_vical_entry_doc_type_count(vical, 0, &n), KAKUNIN_OK);
    CHECK(n >= 1);
    CHECK_STATUS(kakunin_vical_entry_doc_type(vical, 0, 0, &s), KAKUNIN_OK);
    CHECK(s.len > 0);
    CHECK_STATUS(kakunin_vical_entry_doc_type(vical, 0, n, &s), KAKUNIN_OUT_OF_RANGE);
    kakunin_bytes cert;
    CHECK_STATUS(kakunin_vical_entry_certificate(vical, 13, &cert), KAKUNIN_OK);
    CHECK(cert.len > 100 && cert.data[0] == 0x30);
    CHECK_STATUS(kakunin_vical_entry_certificate(vical, 14, &cert), KAKUNIN_OUT_OF_RANGE);
    uint32_t st = kakunin_vical_entry_issuing_country(vical, 0, &s);
    CHECK(st == KAKUNIN_OK || st == KAKUNIN_NOT_FOUND);
    st = kakunin_vical_entry_issuing_authority(vical, 0, &s);
    CHECK(st == KAKUNIN_OK || st == KAKUNIN_NOT_FOUND);
    size_t entry = 0;
    uint32_t reason = 0;
    CHECK_STATUS(kakunin_vical_rejected(vical, 0, &entry, &reason, &s), KAKUNIN_OUT_OF_RANGE);

    /* Its 14 IACAs load into a builder beside another anchor, scoped. */
    kakunin_trust_store_builder *b = kakunin_trust_store_builder_new();
    CHECK_STATUS(kakunin_trust_store_builder_add_pem_or_der(b, other.data, other.len), KAKUNIN_OK);
    size_t added = 0;
    CHECK_STATUS(kakunin_vical_add_to(vical, b, &added), KAKUNIN_OK);
    CHECK(added == 14);
    CHECK_STATUS(kakunin_vical_add_to(vical, b, NULL), KAKUNIN_OK); /* out_added is optional */
    kakunin_trust_store *store = build_store(b);
    CHECK(kakunin_trust_store_anchor_count(store) == 1 + 2 * 14);
    CHECK_STATUS(kakunin_trust_store_anchor_doc_type_count(store, 1, &n), KAKUNIN_OK);
    CHECK(n >= 1 && n != SIZE_MAX);
    kakunin_trust_store_free(store);
    CHECK_STATUS(kakunin_vical_trust_store(vical, &store), KAKUNIN_OK);
    CHECK(kakunin_trust_store_anchor_count(store) == 14);
    kakunin_trust_store_free(store);
    kakunin_trust_store_builder_free(b);
    kakunin_vical_free(vical);

    /* The same VICAL a day after nextUpdate is stale; with a max age shorter
       than its age it is stale even before. */
    vical = NULL;
    CHECK_STATUS(aamva_verify(list.data, list.len, root.data, root.len, stale, 0, 0, &vical),
                 KAKUNIN_TRUST_LIST_STALE);
    CHECK(vical == NULL);
    CHECK_STATUS(aamva_verify(list.data, list.len, root.data, root.len, fresh, 0, 60, &vical),
                 KAKUNIN_TRUST_LIST_STALE);
    /* A generous skew does not rescue a list 29 h past nextUpdate. */
    CHECK_STATUS(aamva_verify(list.data, list.len, root.data, root.len, stale, 300, 0, &vical),
                 KAKUNIN_TRUST_LIST_STALE);
    /* Another anchor, a flipped signature bit, or a truncated list: invalid. */
    CHECK_STATUS(aamva_verify(list.data, list.len, other.data, other.len, fresh, 0, 0, &vical),
                 KAKUNIN_TRUST_LIST_INVALID);
    list.data[list.len - 5] ^= 0x01;
    CHECK_STATUS(aamva_verify(list.data, list.len, root.data, root.len, fresh, 0, 0, &vical),
                 KAKUNIN_TRUST_LIST_INVALID);
    list.data[list.len - 5] ^= 0x01;
    CHECK_STATUS(aamva_verify(list.data, list.len / 2, root.data, root.len, fresh, 0, 0, &vical),
                 KAKUNIN_TRUST_LIST_INVALID);
    CHECK(vical == NULL);
    /* Unusable anchors and arguments. */
    uint8_t junk[3] = {1, 2, 3};
    CHECK(aamva_verify(list.data, list.len, junk, sizeof junk, fresh, 0, 0, &vical) != KAKUNIN_OK);
    CHECK_STATUS(aamva_verify(list.data, list.len, root.data, root.len, fresh, -1, 0, &vical),
                 KAKUNIN_INVALID_PARAMETER);
    CHECK(vical == NULL);

    /* NULLs. */
    CHECK_STATUS(kakunin_vical_verify(NULL, list.len, root.data, root.len, fresh, 0, 0, &vical), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(aamva_verify(list.data, list.len, NULL, root.len, fresh, 0, 0, &vical), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(aamva_verify(list.data, list.len, root.data, root.len, fresh, 0, 0, NULL),
                 KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_vical_provider(NULL, &s), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_vical_date(NULL, &when), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_vical_next_update(NULL, &when), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_vical_issue_id(NULL, &id), KAKUNIN_NULL_PARAMETER);
    CHECK(kakunin_vical_entry_count(NULL) == 0);
    CHECK(kakunin_vical_rejected_count(NULL) == 0);
    CHECK_STATUS(kakunin_vical_entry_certificate(NULL, 0, &cert), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_vical_entry_doc_type_count(NULL, 0, &n), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_vical_entry_doc_type(NULL, 0, 0, &s), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_vical_entry_issuing_country(NULL, 0, &s), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_vical_entry_issuing_authority(NULL, 0, &s), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_vical_add_to(NULL, NULL, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_vical_trust_store(NULL, &store), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_vical_rejected(NULL, 0, &entry, &reason, &s), KAKUNIN_NULL_PARAMETER);
    kakunin_vical_free(NULL);
    free(list.data);
    free(root.data);
    free(other.data);
}

/* ---------------------------------------------------------------- revocation */

/* A verifier over the test IACA with revocation `mode` and `data` (may be NULL). */
static kakunin_verifier *revocation_verifier(const kakunin_trust_store *store, uint32_t mode,
                                            const kakunin_revocation_data *data) {
    kakunin_verifier_builder *vb = NULL;
    kakunin_verifier *verifier = NULL;
    CHECK_STATUS(kakunin_verifier_builder_new(store, &vb), KAKUNIN_OK);
    CHECK_STATUS(kakunin_verifier_builder_set_revocation_policy(vb, mode, 0), KAKUNIN_OK);
    if (data) CHECK_STATUS(kakunin_verifier_builder_set_revocation_data(vb, data), KAKUNIN_OK);
    CHECK_STATUS(kakunin_verifier_builder_build(vb, &verifier), KAKUNIN_OK);
    kakunin_verifier_builder_free(vb);
    return verifier;
}

static kakunin_revocation_data *data_of(struct blob crl, struct blob token) {
    kakunin_revocation_data *d = kakunin_revocation_data_new();
    CHECK(d != NULL);
    CHECK_STATUS(kakunin_revocation_data_add_crl(d, crl.data, crl.len), KAKUNIN_OK);
    CHECK_STATUS(kakunin_revocation_data_add_status_token(d, token.data, token.len), KAKUNIN_OK);
    CHECK(kakunin_revocation_data_crl_count(d) == 1);
    CHECK(kakunin_revocation_data_status_token_count(d) == 1);
    return d;
}

/* Verifies `resp` under `mode` with `data`; returns 1 when valid, else
   whether document 0 carries `code`, else -1. */
static int outcome(const kakunin_trust_store *store, uint32_t mode, const kakunin_revocation_data *data,
                   struct blob resp, uint32_t code) {
    kakunin_verifier *verifier = revocation_verifier(store, mode, data);
    kakunin_verification *v = verify(verifier, resp);
    int r = kakunin_verification_is_valid(v) ? 1 : (doc_has_error(v, code) ? 0 : -1);
    if (r < 0) {
        kakunin_str json;
        if (kakunin_verification_json(v, &json) == KAKUNIN_OK) fprintf(stderr, "%.*s\n", (int)json.len, json.data);
    }
    kakunin_verification_free(v);
    kakunin_verifier_free(verifier);
    return r;
}

static void test_revocation(void) {
    struct blob iaca = load(DERIVED "iaca.der");
    struct blob ok_resp = load(DERIVED "response_status0.cbor");
    struct blob revoked_resp = load(DERIVED "response_status3.cbor");
    struct blob crl_empty = load(DERIVED "crl_empty.der");
    struct blob crl_revoking = load(DERIVED "crl_revoking_ds.der");
    struct blob token = load(DERIVED "status_list.cwt");
    kakunin_trust_store *store = NULL;
    CHECK_STATUS(kakunin_trust_store_from_pem_or_der(iaca.data, iaca.len, &store), KAKUNIN_OK);

    kakunin_revocation_data *current = data_of(crl_empty, token);
    kakunin_revocation_data *revoking = data_of(crl_revoking, token);

    /* Current CRL and status list, entry 0 valid: passes "required". */
    CHECK(outcome(store, KAKUNIN_REVOCATION_REQUIRED, current, ok_resp, 0) == 1);
    /* A CRL listing the DS serial: certificate_revoked (23), required or best effort. */
    CHECK(outcome(store, KAKUNIN_REVOCATION_REQUIRED, revoking, ok_resp, 23) == 0);
    CHECK(outcome(store, KAKUNIN_REVOCATION_BEST_EFFORT, revoking, ok_resp, 23) == 0);
    /* Revocation off: the same data is not consulted. */
    CHECK(outcome(store, KAKUNIN_REVOCATION_OFF, revoking, ok_resp, 23) == 1);
    /* Status list entry 3 is "invalid": document_revoked (24). */
    CHECK(outcome(store, KAKUNIN_REVOCATION_REQUIRED, current, revoked_resp, 24) == 0);
    CHECK(outcome(store, KAKUNIN_REVOCATION_BEST_EFFORT, current, revoked_resp, 24) == 0);
    /* Required with no data: revocation_unavailable (26); best effort passes. */
    CHECK(outcome(store, KAKUNIN_REVOCATION_REQUIRED, NULL, ok_resp, 26) == 0);
    kakunin_revocation_data *empty = kakunin_revocation_data_new();
    CHECK(outcome(store, KAKUNIN_REVOCATION_REQUIRED, empty, ok_resp, 26) == 0);
    CHECK(outcome(store, KAKUNIN_REVOCATION_BEST_EFFORT, empty, ok_resp, 26) == 1);
    /* ... and says what it let pass: two warnings (no CRL, no status list), code 26. */
    {
        kakunin_verifier *be = revocation_verifier(store, KAKUNIN_REVOCATION_BEST_EFFORT, empty);
        kakunin_verification *v = verify(be, ok_resp);
        CHECK(kakunin_verification_is_valid(v));
        size_t n = 0;
        CHECK_STATUS(kakunin_verification_document_policy_warning_count(v, 0, &n), KAKUNIN_OK);
        CHECK(n == 2);
        for (size_t i = 0; i < n; i++) {
            uint32_t c = 0;
            kakunin_str msg = {0};
            CHECK_STATUS(kakunin_verification_document_policy_warning(v, 0, i, &c, &msg), KAKUNIN_OK);
            CHECK(c == 26);
            CHECK(msg.len > 0);
        }
        uint32_t c = 0;
        kakunin_str msg;
        CHECK_STATUS(kakunin_verification_document_policy_warning(v, 0, 2, &c, &msg), KAKUNIN_OUT_OF_RANGE);
        CHECK_STATUS(kakunin_verification_document_policy_warning_count(v, 1, &n), KAKUNIN_OUT_OF_RANGE);
        CHECK_STATUS(kakunin_verification_document_policy_warning(NULL, 0, 0, &c, &msg), KAKUNIN_NULL_PARAMETER);
        CHECK_STATUS(kakunin_verification_document_policy_warning(v, 0, 0, NULL, &msg), KAKUNIN_NULL_PARAMETER);
        CHECK_STATUS(kakunin_verification_document_policy_warning_count(v, 0, NULL), KAKUNIN_NULL_PARAMETER);
        CHECK(kakunin_verification_warning_count(v) == 0);
        CHECK(kakunin_verification_warning_count(NULL) == 0);
        CHECK_STATUS(kakunin_verification_warning(v, 0, &c, &msg), KAKUNIN_OUT_OF_RANGE);
        kakunin_verification_free(v);
        kakunin_verifier_free(be);
    }
    /* Required with a pinned signer: no silent pass, unless explicitly exempt. */
    {
        struct blob ds = load(DERIVED "ds.der");
        kakunin_trust_store *pinned = NULL;
        CHECK_STATUS(kakunin_trust_store_from_pem_or_der(ds.data, ds.len, &pinned), KAKUNIN_OK);
        CHECK(outcome(pinned, KAKUNIN_REVOCATION_REQUIRED, NULL, ok_resp, 26) == 0);
        kakunin_verifier_builder *pb = NULL;
        kakunin_verifier *pv = NULL;
        CHECK_STATUS(kakunin_verifier_builder_new(pinned, &pb), KAKUNIN_OK);
        CHECK_STATUS(kakunin_verifier_builder_set_revocation_policy(pb, KAKUNIN_REVOCATION_REQUIRED, 0), KAKUNIN_OK);
        CHECK_STATUS(kakunin_verifier_builder_set_revocation_exempt_pinned_signers(pb, true), KAKUNIN_OK);
        CHECK_STATUS(kakunin_verifier_builder_set_revocation_exempt_pinned_signers(NULL, true),
                     KAKUNIN_NULL_PARAMETER);
        CHECK_STATUS(kakunin_verifier_builder_build(pb, &pv), KAKUNIN_OK);
        kakunin_verification *v = verify(pv, ok_resp);
        CHECK(kakunin_verification_is_valid(v));
        kakunin_verification_free(v);
        kakunin_verifier_free(pv);
        kakunin_verifier_builder_free(pb);
        kakunin_trust_store_free(pinned);
        free(ds.data);
    }
    /* A max age shorter than the CRL's age (thisUpdate a day before now): revocation_stale (27). */
    kakunin_verifier_builder *vb = NULL;
    kakunin_verifier *verifier = NULL;
    CHECK_STATUS(kakunin_verifier_builder_new(store, &vb), KAKUNIN_OK);
    CHECK_STATUS(kakunin_verifier_builder_set_revocation_policy(vb, KAKUNIN_REVOCATION_REQUIRED, 3600), KAKUNIN_OK);
    CHECK_STATUS(kakunin_verifier_builder_set_revocation_data(vb, current), KAKUNIN_OK);
    kakunin_revocation_data_free(current); /* the builder holds its own copy */
    current = NULL;
    CHECK_STATUS(kakunin_verifier_builder_build(vb, &verifier), KAKUNIN_OK);
    kakunin_verification *v = verify(verifier, ok_resp);
    CHECK(!kakunin_verification_is_valid(v));
    CHECK(doc_has_error(v, 27));
    kakunin_verification_free(v);
    kakunin_verifier_free(verifier);

    /* Bad arguments leave the builder unchanged. */
    CHECK_STATUS(kakunin_verifier_builder_set_revocation_policy(vb, 0, 0), KAKUNIN_INVALID_PARAMETER);
    CHECK_STATUS(kakunin_verifier_builder_set_revocation_policy(vb, 4, 0), KAKUNIN_INVALID_PARAMETER);
    CHECK_STATUS(kakunin_verifier_builder_set_revocation_policy(NULL, 1, 0), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_verifier_builder_set_revocation_data(vb, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_verifier_builder_set_revocation_data(NULL, empty), KAKUNIN_NULL_PARAMETER);
    kakunin_verifier_builder_free(vb);

    /* Malformed data is refused on load and adds nothing. */
    CHECK(kakunin_revocation_data_add_crl(empty, token.data, token.len) != KAKUNIN_OK);
    CHECK(kakunin_revocation_data_add_status_token(empty, crl_empty.data, crl_empty.len) != KAKUNIN_OK);
    CHECK(kakunin_revocation_data_add_crl(empty, crl_empty.data, crl_empty.len / 2) != KAKUNIN_OK);
    CHECK(kakunin_revocation_data_crl_count(empty) == 0);
    CHECK(kakunin_revocation_data_status_token_count(empty) == 0);

    /* NULLs and free(NULL). */
    CHECK_STATUS(kakunin_revocation_data_add_crl(NULL, crl_empty.data, crl_empty.len), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_revocation_data_add_crl(empty, NULL, 1), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_revocation_data_add_status_token(NULL, token.data, token.len), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_revocation_data_add_status_token(empty, NULL, 1), KAKUNIN_NULL_PARAMETER);
    CHECK(kakunin_revocation_data_crl_count(NULL) == 0);
    CHECK(kakunin_revocation_data_status_token_count(NULL) == 0);
    kakunin_revocation_data_free(NULL);

    kakunin_revocation_data_free(empty);
    kakunin_revocation_data_free(revoking);
    kakunin_trust_store_free(store);
    free(iaca.data);
    free(ok_resp.data);
    free(revoked_resp.data);
    free(crl_empty.data);
    free(crl_revoking.data);
    free(token.data);
}

/* ------------------------------------------ error details, wrong input */

/* A private key given as trust anchor: its own status, and the message the
 * verify tool prints, through kakunin_last_error_message. */
static void test_not_a_certificate(void) {
    struct blob key = load("tests/data/session-reader-pki/reader.key.pem");
    kakunin_trust_store *store = NULL;
    CHECK(kakunin_last_error_message() != NULL);
    CHECK_STATUS(kakunin_trust_store_from_pem_or_der(key.data, key.len, &store), KAKUNIN_NOT_A_CERTIFICATE);
    CHECK(store == NULL);
    CHECK(kakunin_status_error_code(KAKUNIN_NOT_A_CERTIFICATE) == 44);
    CHECK(strcmp(kakunin_error_code_str(44), "not_a_certificate") == 0);
    const char *msg = kakunin_last_error_message();
    CHECK(msg != NULL);
    CHECK(strstr(msg, "not_a_certificate: ") == msg);
    CHECK(strstr(msg, "PRIVATE KEY") != NULL);

    /* Successful calls leave the message alone. */
    CHECK(kakunin_abi_version() >= 4);
    CHECK(strcmp(kakunin_last_error_message(), msg) == 0);

    /* The builder and explicit-role paths say the same. */
    kakunin_trust_store_builder *b = kakunin_trust_store_builder_new();
    CHECK_STATUS(kakunin_trust_store_builder_add_pem_or_der(b, key.data, key.len), KAKUNIN_NOT_A_CERTIFICATE);
    CHECK_STATUS(kakunin_trust_store_builder_add_anchor(b, key.data, key.len, KAKUNIN_ANCHOR_IACA, NULL, 0),
                 KAKUNIN_NOT_A_CERTIFICATE);
    CHECK(strstr(kakunin_last_error_message(), "PRIVATE KEY") != NULL);

    /* A failure without more detail leaves the status description. */
    CHECK_STATUS(kakunin_trust_store_builder_add_pem_or_der(b, NULL, 0), KAKUNIN_NULL_PARAMETER);
    CHECK(strcmp(kakunin_last_error_message(), kakunin_status_str(KAKUNIN_NULL_PARAMETER)) == 0);

    /* A certificate that breaks the IACA profile keeps its own code and says why. */
    struct blob ds = load(DERIVED "ds.der");
    CHECK_STATUS(kakunin_trust_store_builder_add_anchor(b, ds.data, ds.len, KAKUNIN_ANCHOR_IACA, NULL, 0),
                 KAKUNIN_CERTIFICATE_PROFILE_INVALID);
    CHECK(strstr(kakunin_last_error_message(), "certificate_profile_invalid: ") == kakunin_last_error_message());
    kakunin_trust_store_builder_free(b);
    free(ds.data);
    free(key.data);
}

int main(void) {
    CHECK(strcmp(kakunin_status_str(KAKUNIN_TRUST_LIST_STALE), "") != 0);
    CHECK(strcmp(kakunin_error_code_str(29), "trust_list_stale") == 0);
    test_scoped_and_role_anchors();
    test_vical();
    test_revocation();
    test_not_a_certificate();
    if (failures) {
        fprintf(stderr, "test_trust: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_trust: all checks passed\n");
    return 0;
}
