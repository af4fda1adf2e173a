/*
 * C tests of the reader session in include/kakunin.h (ISO 18013-5 §9.1.1):
 * a full replay of the ISO 18013-5 Annex D NFC session through the C ABI,
 * tampered input, misuse order, NULL arguments and the request privacy
 * policy. Built with `cc -std=c11 -Wall -Wextra -Werror` and run by
 * tests/c_abi/c_api.rs (and under ASan/UBSan and valgrind by .ci/run) from the
 * repository root. Exit status 0 = every check passed.
 */
#include "common.h"

#define DATA "tests/data/iso18013-5-annex-d/"
#define PKI "tests/data/session-reader-pki/"
/* 2021-01-01T00:00:00Z */
#define T_2021 1609459200
#define T_2024 1704067200 /* 2024-01-01T00:00:00Z */

static int buffer_equals(const kakunin_buffer *buf, struct blob want) {
    return buf != NULL && kakunin_buffer_len(buf) == want.len &&
           memcmp(kakunin_buffer_data(buf), want.data, want.len) == 0;
}

static int bytes_equal(kakunin_bytes b, struct blob want) {
    return b.data != NULL && b.len == want.len && memcmp(b.data, want.data, want.len) == 0;
}

static kakunin_verifier *annex_d_verifier(void) {
    struct blob pem = load(DATA "iaca_cert.pem");
    kakunin_trust_store *store = NULL;
    CHECK_STATUS(kakunin_trust_store_from_pem_or_der(pem.data, pem.len, &store), KAKUNIN_OK);
    kakunin_verifier *v = NULL;
    CHECK_STATUS(kakunin_verifier_new(store, &v), KAKUNIN_OK);
    kakunin_trust_store_free(store);
    free(pem.data);
    return v;
}

static kakunin_reader_key *annex_d_reader_key(void) {
    struct blob d = load(DATA "e_reader_key.d.hex");
    kakunin_reader_key *key = NULL;
    CHECK_STATUS(kakunin_reader_key_from_scalar(1, d.data, d.len, &key), KAKUNIN_OK);
    free(d.data);
    return key;
}

static kakunin_device_engagement *annex_d_engagement(void) {
    struct blob hs = load(DATA "handover_select.hex");
    struct blob hr = load(DATA "handover_request.hex");
    kakunin_device_engagement *e = NULL;
    CHECK_STATUS(kakunin_device_engagement_from_nfc_handover(hs.data, hs.len, hr.data, hr.len, &e), KAKUNIN_OK);
    free(hs.data);
    free(hr.data);
    return e;
}

static kakunin_reader_session *annex_d_session(void) {
    kakunin_device_engagement *e = annex_d_engagement();
    kakunin_reader_key *key = annex_d_reader_key();
    kakunin_reader_session *s = NULL;
    CHECK_STATUS(kakunin_reader_session_new(e, key, &s), KAKUNIN_OK);
    /* The session keeps its own copies. */
    kakunin_device_engagement_free(e);
    kakunin_reader_key_free(key);
    return s;
}

/* The whole Annex D session: engagement by NFC negotiated handover, the
 * recorded EReaderKey, DeviceRequest → SessionEstablishment, SessionData →
 * DeviceResponse → verified with DeviceMac at 2021-01-01, termination. */
static void test_annex_d_replay(void) {
    kakunin_device_engagement *e = annex_d_engagement();
    struct blob de = load(DATA "device_engagement_nfc.hex");
    kakunin_bytes b = {0};
    CHECK_STATUS(kakunin_device_engagement_bytes(e, &b), KAKUNIN_OK);
    CHECK(bytes_equal(b, de));
    free(de.data);
    CHECK(kakunin_device_engagement_curve(e) == 1);
    /* Annex D offers BLE through the handover's carrier configuration record. */
    size_t methods = kakunin_device_engagement_method_count(e);
    CHECK(methods >= 1);
    int saw_ble = 0;
    for (size_t i = 0; i < methods; i++) {
        uint32_t type = 0;
        CHECK_STATUS(kakunin_device_engagement_method_type(e, i, &type), KAKUNIN_OK);
        if (type == KAKUNIN_RETRIEVAL_BLE) {
            kakunin_ble_options ble;
            memset(&ble, 0xAA, sizeof ble);
            CHECK_STATUS(kakunin_device_engagement_ble_options(e, i, &ble), KAKUNIN_OK);
            CHECK(ble.has_peripheral_server_uuid || ble.has_central_client_uuid);
            CHECK(ble.peripheral_server_mode || ble.central_client_mode);
            CHECK(ble.device_address.data != NULL);
            uint64_t c = 7, r = 7;
            CHECK_STATUS(kakunin_device_engagement_nfc_options(e, i, &c, &r), KAKUNIN_WRONG_TYPE);
            CHECK(c == 7 && r == 7);
            saw_ble = 1;
        }
    }
    CHECK(saw_ble);
    uint32_t type = 99;
    CHECK_STATUS(kakunin_device_engagement_method_type(e, methods, &type), KAKUNIN_OUT_OF_RANGE);
    CHECK(type == 99);
    kakunin_device_engagement_free(e);

    kakunin_reader_session *s = annex_d_session();
    CHECK(kakunin_reader_session_state(s) == KAKUNIN_SESSION_READY);
    struct blob erk = load(DATA "e_reader_key_bytes.hex");
    CHECK_STATUS(kakunin_reader_session_e_reader_key_bytes(s, &b), KAKUNIN_OK);
    CHECK(bytes_equal(b, erk));
    free(erk.data);
    struct blob stb = load(DATA "session_transcript_bytes.hex");
    CHECK_STATUS(kakunin_reader_session_transcript_bytes(s, &b), KAKUNIN_OK);
    CHECK(bytes_equal(b, stb));
    /* The transcript bytes also work with the plain verify call. */
    kakunin_session_transcript *t = NULL;
    CHECK_STATUS(kakunin_session_transcript_new(b.data, b.len, &t), KAKUNIN_OK);
    free(stb.data);

    struct blob req = load(DATA "device_request.hex");
    struct blob want_se = load(DATA "session_establishment.hex");
    kakunin_buffer *se = NULL;
    CHECK_STATUS(kakunin_reader_session_establish(s, req.data, req.len, &se), KAKUNIN_OK);
    CHECK(buffer_equals(se, want_se));
    CHECK(kakunin_reader_session_state(s) == KAKUNIN_SESSION_AWAITING_RESPONSE);
    kakunin_buffer_free(se);
    free(want_se.data);

    struct blob sd = load(DATA "session_data_device_response.hex");
    struct blob want_resp = load(DATA "device_response.hex");
    uint32_t event = 0;
    kakunin_buffer *resp = NULL;
    CHECK_STATUS(kakunin_reader_session_receive(s, sd.data, sd.len, &event, &resp), KAKUNIN_OK);
    CHECK(event == KAKUNIN_SESSION_EVENT_RESPONSE);
    CHECK(buffer_equals(resp, want_resp));
    CHECK(kakunin_reader_session_state(s) == KAKUNIN_SESSION_IDLE);

    kakunin_verifier *verifier = annex_d_verifier();
    kakunin_verification *v = NULL;
    CHECK_STATUS(kakunin_reader_session_verify_device_response(s, verifier, kakunin_buffer_data(resp),
                                                               kakunin_buffer_len(resp), T_2021, &v),
                 KAKUNIN_OK);
    CHECK(kakunin_verification_is_valid(v));
    CHECK(kakunin_verification_document_count(v) == 1);
    uint32_t auth = 0;
    CHECK_STATUS(kakunin_verification_document_device_auth(v, 0, &auth), KAKUNIN_OK);
    CHECK(auth == KAKUNIN_DEVICE_AUTH_MAC);
    kakunin_verification_free(v);

    /* Without the session's reader key the DeviceMac cannot be checked. */
    v = NULL;
    CHECK_STATUS(kakunin_verifier_verify_device_response(verifier, kakunin_buffer_data(resp),
                                                         kakunin_buffer_len(resp), t, NULL, T_2021, &v),
                 KAKUNIN_OK);
    CHECK(!kakunin_verification_is_valid(v));
    kakunin_verification_free(v);
    kakunin_buffer_free(resp);
    free(want_resp.data);

    /* A SessionData for a request never sent is a protocol error. */
    kakunin_buffer *again = NULL;
    event = 0;
    CHECK_STATUS(kakunin_reader_session_receive(s, sd.data, sd.len, &event, &again),
                 KAKUNIN_SESSION_PROTOCOL_ERROR);
    CHECK(event == 0 && again == NULL);
    CHECK(kakunin_reader_session_state(s) == KAKUNIN_SESSION_CLOSED);
    free(sd.data);

    /* Termination message. */
    kakunin_reader_session *s2 = annex_d_session();
    kakunin_buffer *se2 = NULL;
    CHECK_STATUS(kakunin_reader_session_establish(s2, req.data, req.len, &se2), KAKUNIN_OK);
    kakunin_buffer *term = NULL;
    CHECK_STATUS(kakunin_reader_session_terminate(s2, &term), KAKUNIN_OK);
    struct blob want_term = load(DATA "session_termination.hex");
    CHECK(buffer_equals(term, want_term));
    CHECK(kakunin_reader_session_state(s2) == KAKUNIN_SESSION_CLOSED);
    /* Nothing more after termination. */
    kakunin_buffer *late = NULL;
    CHECK_STATUS(kakunin_reader_session_request(s2, req.data, req.len, &late), KAKUNIN_SESSION_PROTOCOL_ERROR);
    CHECK(late == NULL);
    free(want_term.data);
    kakunin_buffer_free(term);
    kakunin_buffer_free(se2);
    kakunin_reader_session_free(s2);

    free(req.data);
    kakunin_session_transcript_free(t);
    kakunin_verifier_free(verifier);
    kakunin_reader_session_free(s);
}

/* One flipped bit in the ciphertext (or the GCM tag) of the SessionData:
 * decryption fails, nothing is written, the session closes. */
static void test_tampered_session_data(void) {
    struct blob req = load(DATA "device_request.hex");
    struct blob sd = load(DATA "session_data_device_response.hex");
    size_t positions[2] = {sd.len - 1, sd.len - 40};
    for (int i = 0; i < 2; i++) {
        kakunin_reader_session *s = annex_d_session();
        kakunin_buffer *se = NULL;
        CHECK_STATUS(kakunin_reader_session_establish(s, req.data, req.len, &se), KAKUNIN_OK);
        kakunin_buffer_free(se);
        sd.data[positions[i]] ^= 0x01;
        uint32_t event = 0;
        kakunin_buffer *resp = NULL;
        CHECK_STATUS(kakunin_reader_session_receive(s, sd.data, sd.len, &event, &resp),
                     KAKUNIN_SESSION_DECRYPTION_FAILED);
        CHECK(event == 0 && resp == NULL);
        CHECK(kakunin_reader_session_state(s) == KAKUNIN_SESSION_CLOSED);
        sd.data[positions[i]] ^= 0x01;
        /* A closed session stays closed, even for the genuine message. */
        CHECK_STATUS(kakunin_reader_session_receive(s, sd.data, sd.len, &event, &resp),
                     KAKUNIN_SESSION_PROTOCOL_ERROR);
        CHECK(resp == NULL);
        kakunin_reader_session_free(s);
    }
    /* Garbage instead of SessionData. */
    kakunin_reader_session *s = annex_d_session();
    kakunin_buffer *se = NULL;
    CHECK_STATUS(kakunin_reader_session_establish(s, req.data, req.len, &se), KAKUNIN_OK);
    kakunin_buffer_free(se);
    uint32_t event = 0;
    kakunin_buffer *resp = NULL;
    const uint8_t junk[3] = {0xa1, 0x00, 0xff};
    CHECK(kakunin_reader_session_receive(s, junk, sizeof junk, &event, &resp) != KAKUNIN_OK);
    CHECK(resp == NULL);
    kakunin_reader_session_free(s);
    free(sd.data);
    free(req.data);
}

static void test_misuse_order(void) {
    struct blob req = load(DATA "device_request.hex");
    struct blob sd = load(DATA "session_data_device_response.hex");
    /* SessionData before the SessionEstablishment. */
    kakunin_reader_session *s = annex_d_session();
    uint32_t event = 0;
    kakunin_buffer *out = NULL;
    CHECK_STATUS(kakunin_reader_session_receive(s, sd.data, sd.len, &event, &out), KAKUNIN_SESSION_PROTOCOL_ERROR);
    CHECK(out == NULL);
    kakunin_reader_session_free(s);
    /* A further request before a response; establishing twice. */
    s = annex_d_session();
    CHECK_STATUS(kakunin_reader_session_request(s, req.data, req.len, &out), KAKUNIN_SESSION_PROTOCOL_ERROR);
    CHECK(out == NULL);
    kakunin_reader_session_free(s);
    s = annex_d_session();
    CHECK_STATUS(kakunin_reader_session_establish(s, req.data, req.len, &out), KAKUNIN_OK);
    kakunin_buffer_free(out);
    out = NULL;
    CHECK_STATUS(kakunin_reader_session_establish(s, req.data, req.len, &out), KAKUNIN_SESSION_PROTOCOL_ERROR);
    CHECK(out == NULL);
    kakunin_reader_session_free(s);

    /* A reader key on another curve than the holder's. */
    uint8_t one48[48] = {0};
    one48[47] = 1;
    kakunin_reader_key *p384 = NULL;
    CHECK_STATUS(kakunin_reader_key_from_scalar(2, one48, sizeof one48, &p384), KAKUNIN_OK);
    kakunin_device_engagement *e = annex_d_engagement();
    kakunin_reader_session *bad = NULL;
    CHECK_STATUS(kakunin_reader_session_new(e, p384, &bad), KAKUNIN_ALGORITHM_KEY_MISMATCH);
    CHECK(bad == NULL);
    kakunin_reader_key_free(p384);

    /* A generated key: a different EReaderKey and SessionEstablishment, and
     * the recorded holder answer cannot be decrypted. */
    kakunin_reader_session *fresh = NULL;
    CHECK_STATUS(kakunin_reader_session_new(e, NULL, &fresh), KAKUNIN_OK);
    struct blob erk = load(DATA "e_reader_key_bytes.hex");
    kakunin_bytes b;
    CHECK_STATUS(kakunin_reader_session_e_reader_key_bytes(fresh, &b), KAKUNIN_OK);
    CHECK(b.len == erk.len && memcmp(b.data, erk.data, erk.len) != 0);
    free(erk.data);
    CHECK_STATUS(kakunin_reader_session_establish(fresh, req.data, req.len, &out), KAKUNIN_OK);
    struct blob want_se = load(DATA "session_establishment.hex");
    CHECK(!buffer_equals(out, want_se));
    free(want_se.data);
    kakunin_buffer_free(out);
    kakunin_buffer *resp = NULL;
    CHECK_STATUS(kakunin_reader_session_receive(fresh, sd.data, sd.len, &event, &resp),
                 KAKUNIN_SESSION_DECRYPTION_FAILED);
    CHECK(resp == NULL);
    kakunin_reader_session_free(fresh);
    kakunin_device_engagement_free(e);
    free(sd.data);
    free(req.data);
}

/* "mdoc:" + base64url without padding (ISO 18013-5 §8.2.2.3). */
static char *qr_text(const uint8_t *d, size_t n) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *s = malloc(5 + (n * 4) / 3 + 4);
    if (!s) exit(2);
    strcpy(s, "mdoc:");
    size_t o = 5;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16;
        if (i + 1 < n) v |= (uint32_t)d[i + 1] << 8;
        if (i + 2 < n) v |= d[i + 2];
        s[o++] = abc[(v >> 18) & 63];
        s[o++] = abc[(v >> 12) & 63];
        if (i + 1 < n) s[o++] = abc[(v >> 6) & 63];
        if (i + 2 < n) s[o++] = abc[v & 63];
    }
    s[o] = 0;
    return s;
}

static void test_qr_engagement(void) {
    struct blob de = load(DATA "device_engagement.hex");
    char *qr = qr_text(de.data, de.len);
    kakunin_device_engagement *e = NULL;
    CHECK_STATUS(kakunin_device_engagement_from_qr(qr, &e), KAKUNIN_OK);
    kakunin_bytes b;
    CHECK_STATUS(kakunin_device_engagement_bytes(e, &b), KAKUNIN_OK);
    CHECK(bytes_equal(b, de));
    CHECK(kakunin_device_engagement_curve(e) == 1);
    /* Annex D's QR engagement offers BLE in its DeviceRetrievalMethods. */
    CHECK(kakunin_device_engagement_method_count(e) >= 1);
    kakunin_reader_session *s = NULL;
    CHECK_STATUS(kakunin_reader_session_new(e, NULL, &s), KAKUNIN_OK);
    CHECK(kakunin_reader_session_state(s) == KAKUNIN_SESSION_READY);
    kakunin_reader_session_free(s);
    kakunin_device_engagement_free(e);
    free(qr);
    free(de.data);

    kakunin_device_engagement *bad = NULL;
    CHECK(kakunin_device_engagement_from_qr("mdoc:!!!", &bad) != KAKUNIN_OK);
    CHECK(kakunin_device_engagement_from_qr("https://example.com", &bad) != KAKUNIN_OK);
    CHECK(bad == NULL);
    /* A Handover Request where the Select belongs is refused. */
    struct blob hr = load(DATA "handover_request.hex");
    CHECK(kakunin_device_engagement_from_nfc_handover(hr.data, hr.len, NULL, 0, &bad) != KAKUNIN_OK);
    CHECK(bad == NULL);
    free(hr.data);
}

static kakunin_buffer *build_request(kakunin_items_request *items, const kakunin_reader_session *s,
                                     const kakunin_reader_auth_key *key, uint32_t want) {
    kakunin_device_request_builder *b = kakunin_device_request_builder_new();
    CHECK(b != NULL);
    CHECK_STATUS(kakunin_device_request_builder_add(b, items, s, key), want);
    kakunin_buffer *out = NULL;
    if (want == KAKUNIN_OK) CHECK_STATUS(kakunin_device_request_builder_build(b, &out), KAKUNIN_OK);
    kakunin_device_request_builder_free(b);
    return out;
}

static int has_doc_error(const kakunin_verification *v, size_t doc, uint32_t want) {
    size_t n = 0;
    if (kakunin_verification_document_error_count(v, doc, &n) != KAKUNIN_OK) return 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t code = 0;
        kakunin_str msg;
        if (kakunin_verification_document_error(v, doc, i, &code, &msg) == KAKUNIN_OK && code == want) return 1;
    }
    return 0;
}

static kakunin_buffer *one_element_request(const char *doc_type, const char *ns, const char *id) {
    kakunin_items_request *items = NULL;
    CHECK_STATUS(kakunin_items_request_new(doc_type, &items), KAKUNIN_OK);
    CHECK_STATUS(kakunin_items_request_add_element(items, ns, id, false), KAKUNIN_OK);
    kakunin_buffer *out = build_request(items, NULL, NULL, KAKUNIN_OK);
    kakunin_items_request_free(items);
    return out;
}

/* Responses bound to their request (document_not_requested = 38; elements
 * not requested are not returned) and answers bound to the expected docType,
 * through the verifier and through the reader session. */
static void test_request_binding(void) {
    const char *mdl = "org.iso.18013.5.1.mDL", *mdl_ns = "org.iso.18013.5.1";
    const char *pid = "eu.europa.ec.eudi.pid.1", *mnc = "org.iso.23220.1.jp.mnc";
    kakunin_verifier *verifier = annex_d_verifier();
    kakunin_reader_key *key = annex_d_reader_key();
    struct blob stb = load(DATA "session_transcript_bytes.hex");
    kakunin_session_transcript *t = NULL;
    CHECK_STATUS(kakunin_session_transcript_new(stb.data, stb.len, &t), KAKUNIN_OK);
    struct blob resp = load(DATA "device_response.hex");
    kakunin_buffer *pid_req = one_element_request(pid, pid, "age_over_18");
    kakunin_buffer *name_req = one_element_request(mdl, mdl_ns, "family_name");

    /* A docType not requested. */
    kakunin_verification *v = NULL;
    CHECK_STATUS(kakunin_verifier_verify_device_response_for_request(
                     verifier, resp.data, resp.len, kakunin_buffer_data(pid_req), kakunin_buffer_len(pid_req), t,
                     key, T_2021, &v),
                 KAKUNIN_OK);
    CHECK(!kakunin_verification_is_valid(v));
    CHECK(has_doc_error(v, 0, 38));
    size_t n = 99;
    CHECK_STATUS(kakunin_verification_document_element_count(v, 0, &n), KAKUNIN_DOCUMENT_REJECTED);
    kakunin_verification_free(v);

    /* Only the requested element is returned; answers need the right docType. */
    v = NULL;
    CHECK_STATUS(kakunin_verifier_verify_device_response_for_request(
                     verifier, resp.data, resp.len, kakunin_buffer_data(name_req), kakunin_buffer_len(name_req), t,
                     key, T_2021, &v),
                 KAKUNIN_OK);
    CHECK(kakunin_verification_is_valid(v));
    CHECK_STATUS(kakunin_verification_document_element_count(v, 0, &n), KAKUNIN_OK);
    CHECK(n == 1);
    const kakunin_element *e = NULL;
    CHECK_STATUS(kakunin_verification_document_find_element(v, 0, mdl_ns, "family_name", &e), KAKUNIN_OK);
    CHECK_STATUS(kakunin_verification_document_find_element(v, 0, mdl_ns, "document_number", &e),
                 KAKUNIN_NOT_FOUND);
    kakunin_str s;
    CHECK_STATUS(kakunin_verification_document_basic_item_for_doc_type(v, 0, mdl, KAKUNIN_BASIC_FAMILY_NAME, &s),
                 KAKUNIN_OK);
    CHECK(s.len == 3 && memcmp(s.data, "Doe", 3) == 0);
    CHECK_STATUS(kakunin_verification_document_basic_item_for_doc_type(v, 0, mnc, KAKUNIN_BASIC_FAMILY_NAME, &s),
                 KAKUNIN_NOT_FOUND);
    CHECK_STATUS(kakunin_verification_document_basic_item_for_doc_type(v, 0, NULL, KAKUNIN_BASIC_FAMILY_NAME, &s),
                 KAKUNIN_NULL_PARAMETER);
    kakunin_bytes img;
    uint32_t fmt = 0, verdict = 9, evidence = 9, nn = 9, sex = 0;
    CHECK_STATUS(kakunin_verification_document_portrait_for_doc_type(v, 0, mdl, &img, &fmt), KAKUNIN_NOT_FOUND);
    CHECK_STATUS(kakunin_verification_document_sex_code_for_doc_type(v, 0, mdl, &sex), KAKUNIN_NOT_FOUND);
    CHECK_STATUS(kakunin_verification_document_age_at_least_for_doc_type(v, 0, mnc, 18, &verdict, &evidence, &nn),
                 KAKUNIN_OK);
    CHECK(verdict == KAKUNIN_AGE_UNKNOWN && evidence == KAKUNIN_AGE_EVIDENCE_NONE && nn == 0);
    CHECK_STATUS(kakunin_verification_document_age_at_least_at_offset_for_doc_type(v, 0, pid, 18, 32400, &verdict,
                                                                                   &evidence, &nn),
                 KAKUNIN_OK);
    CHECK(verdict == KAKUNIN_AGE_UNKNOWN);
    kakunin_verification_free(v);

    /* A DeviceRequest that cannot be read gives no result. */
    const uint8_t junk[] = {0xa0};
    v = NULL;
    CHECK_STATUS(kakunin_verifier_verify_device_response_for_request(verifier, resp.data, resp.len, junk,
                                                                     sizeof junk, t, key, T_2021, &v),
                 KAKUNIN_STRUCTURE_INVALID);
    CHECK(v == NULL);
    CHECK_STATUS(kakunin_verifier_verify_device_response_for_request(verifier, resp.data, resp.len, NULL, 0, t, key,
                                                                     T_2021, &v),
                 KAKUNIN_NULL_PARAMETER);

    /* The reader session binds to the request it sent. */
    kakunin_reader_session *session = annex_d_session();
    kakunin_buffer *se = NULL;
    CHECK_STATUS(kakunin_reader_session_establish(session, kakunin_buffer_data(pid_req), kakunin_buffer_len(pid_req),
                                                  &se),
                 KAKUNIN_OK);
    kakunin_buffer_free(se);
    struct blob sd = load(DATA "session_data_device_response.hex");
    uint32_t event = 0;
    kakunin_buffer *r = NULL;
    CHECK_STATUS(kakunin_reader_session_receive(session, sd.data, sd.len, &event, &r), KAKUNIN_OK);
    v = NULL;
    CHECK_STATUS(kakunin_reader_session_verify_device_response(session, verifier, kakunin_buffer_data(r),
                                                               kakunin_buffer_len(r), T_2021, &v),
                 KAKUNIN_OK);
    CHECK(!kakunin_verification_is_valid(v));
    CHECK(has_doc_error(v, 0, 38));
    kakunin_verification_free(v);
    kakunin_buffer_free(r);
    kakunin_reader_session_free(session);

    free(sd.data);
    kakunin_buffer_free(pid_req);
    kakunin_buffer_free(name_req);
    free(resp.data);
    free(stb.data);
    kakunin_session_transcript_free(t);
    kakunin_reader_key_free(key);
    kakunin_verifier_free(verifier);
}

/* An IACA trusted only for a loyalty-card docType signs a "loyalty card"
 * carrying org.iso.18013.5.1/age_over_20 (minted by tests/c_abi/c_api.rs into
 * `dir`). It verifies, but answers no age or identity question: not through
 * the document's own docType, nor through an expected one. */
static void test_loyalty_card_answers(const char *dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s/iaca.der", dir);
    struct blob iaca = load(path);
    snprintf(path, sizeof path, "%s/response.cbor", dir);
    struct blob resp = load(path);
    snprintf(path, sizeof path, "%s/transcript.cbor", dir);
    struct blob tb = load(path);
    const char *loyalty = "com.example.loyalty.1";
    kakunin_trust_store_builder *b = kakunin_trust_store_builder_new();
    CHECK_STATUS(kakunin_trust_store_builder_add_pem_or_der_for(b, iaca.data, iaca.len, &loyalty, 1), KAKUNIN_OK);
    kakunin_trust_store *store = NULL;
    CHECK_STATUS(kakunin_trust_store_builder_build(b, &store), KAKUNIN_OK);
    kakunin_verifier *verifier = NULL;
    CHECK_STATUS(kakunin_verifier_new(store, &verifier), KAKUNIN_OK);
    kakunin_session_transcript *t = NULL;
    CHECK_STATUS(kakunin_session_transcript_new(tb.data, tb.len, &t), KAKUNIN_OK);
    kakunin_verification *v = NULL;
    CHECK_STATUS(kakunin_verifier_verify_device_response(verifier, resp.data, resp.len, t, NULL, T_2024, &v),
                 KAKUNIN_OK);
    CHECK(kakunin_verification_is_valid(v));
    const kakunin_element *e = NULL;
    CHECK_STATUS(kakunin_verification_document_find_element(v, 0, "org.iso.18013.5.1", "age_over_20", &e),
                 KAKUNIN_OK);
    uint32_t verdict = 9, evidence = 9, nn = 9;
    CHECK_STATUS(kakunin_verification_document_age_at_least(v, 0, 20, &verdict, &evidence, &nn), KAKUNIN_OK);
    CHECK(verdict == KAKUNIN_AGE_UNKNOWN && evidence == KAKUNIN_AGE_EVIDENCE_NONE);
    CHECK_STATUS(kakunin_verification_document_age_at_least_for_doc_type(v, 0, "org.iso.18013.5.1.mDL", 20,
                                                                         &verdict, &evidence, &nn),
                 KAKUNIN_OK);
    CHECK(verdict == KAKUNIN_AGE_UNKNOWN);
    CHECK_STATUS(kakunin_verification_document_age_at_least_for_doc_type(v, 0, loyalty, 20, &verdict, &evidence,
                                                                         &nn),
                 KAKUNIN_OK);
    CHECK(verdict == KAKUNIN_AGE_UNKNOWN);
    kakunin_str s;
    CHECK_STATUS(kakunin_verification_document_basic_item(v, 0, KAKUNIN_BASIC_FAMILY_NAME, &s), KAKUNIN_NOT_FOUND);
    kakunin_verification_free(v);
    kakunin_session_transcript_free(t);
    kakunin_verifier_free(verifier);
    kakunin_trust_store_free(store);
    kakunin_trust_store_builder_free(b);
    free(iaca.data);
    free(resp.data);
    free(tb.data);
}

static void test_device_request(void) {
    const char *mdl = "org.iso.18013.5.1.mDL";
    const char *ns = "org.iso.18013.5.1";
    kakunin_items_request *items = NULL;
    CHECK_STATUS(kakunin_items_request_new(mdl, &items), KAKUNIN_OK);
    CHECK_STATUS(kakunin_items_request_add_element(items, ns, "family_name", true), KAKUNIN_OK);
    CHECK_STATUS(kakunin_items_request_add_element(items, ns, "age_over_21", false), KAKUNIN_OK);
    kakunin_buffer *plain = build_request(items, NULL, NULL, KAKUNIN_OK);
    CHECK(plain != NULL && kakunin_buffer_len(plain) > 40);

    /* Sent in a session with a generated key. */
    kakunin_device_engagement *e = annex_d_engagement();
    kakunin_reader_session *s = NULL;
    CHECK_STATUS(kakunin_reader_session_new(e, NULL, &s), KAKUNIN_OK);
    kakunin_buffer *se = NULL;
    CHECK_STATUS(kakunin_reader_session_establish(s, kakunin_buffer_data(plain), kakunin_buffer_len(plain), &se),
                 KAKUNIN_OK);
    CHECK(se != NULL && kakunin_buffer_len(se) > kakunin_buffer_len(plain));
    kakunin_buffer_free(se);

    /* With reader authentication over this session's transcript. */
    struct blob kpem = load(PKI "reader.key.pem");
    struct blob chain = load(PKI "reader.pem");
    struct blob wrong = load(PKI "reader_root.key.pem");
    kakunin_reader_key *k = NULL, *wk = NULL;
    CHECK_STATUS(kakunin_reader_key_from_bytes(kpem.data, kpem.len, &k), KAKUNIN_OK);
    CHECK_STATUS(kakunin_reader_key_from_bytes(wrong.data, wrong.len, &wk), KAKUNIN_OK);
    kakunin_reader_auth_key *rak = NULL, *bad = NULL;
    CHECK_STATUS(kakunin_reader_auth_key_new(k, chain.data, chain.len, &rak), KAKUNIN_OK);
    CHECK_STATUS(kakunin_reader_auth_key_new(wk, chain.data, chain.len, &bad), KAKUNIN_ALGORITHM_KEY_MISMATCH);
    CHECK(bad == NULL);
    kakunin_buffer *signed_req = build_request(items, s, rak, KAKUNIN_OK);
    CHECK(signed_req != NULL && kakunin_buffer_len(signed_req) > kakunin_buffer_len(plain) + 64);
    /* ReaderAuth needs the session (its transcript). */
    build_request(items, NULL, rak, KAKUNIN_NULL_PARAMETER);
    kakunin_buffer_free(signed_req);
    kakunin_buffer_free(plain);

    /* Privacy: individual_number_unicode only through an explicit purpose. */
    kakunin_items_request *my_number = NULL;
    CHECK_STATUS(kakunin_items_request_new("org.iso.23220.1.jp.mnc", &my_number), KAKUNIN_OK);
    CHECK_STATUS(kakunin_items_request_add_element(my_number, "org.iso.23220.1.jp", "individual_number_unicode", false),
                 KAKUNIN_OK);
    CHECK(build_request(my_number, NULL, NULL, KAKUNIN_REQUEST_REFUSED) == NULL);
    CHECK(build_request(my_number, s, rak, KAKUNIN_REQUEST_REFUSED) == NULL);
    CHECK_STATUS(kakunin_items_request_set_individual_number_purpose(my_number, "  "), KAKUNIN_INVALID_PARAMETER);
    CHECK(build_request(my_number, NULL, NULL, KAKUNIN_REQUEST_REFUSED) == NULL);
    CHECK_STATUS(kakunin_items_request_set_individual_number_purpose(my_number, "tax filing (My Number Act art. 9)"),
                 KAKUNIN_OK);
    kakunin_buffer *mn = build_request(my_number, NULL, NULL, KAKUNIN_OK);
    CHECK(mn != NULL);
    kakunin_buffer_free(mn);
    kakunin_items_request_free(my_number);

    /* Empty and duplicate requests are refused. */
    kakunin_items_request *empty = NULL;
    CHECK_STATUS(kakunin_items_request_new(mdl, &empty), KAKUNIN_OK);
    CHECK(build_request(empty, NULL, NULL, KAKUNIN_REQUEST_REFUSED) == NULL);
    CHECK_STATUS(kakunin_items_request_add_element(empty, ns, "portrait", false), KAKUNIN_OK);
    CHECK_STATUS(kakunin_items_request_add_element(empty, ns, "portrait", true), KAKUNIN_OK);
    CHECK(build_request(empty, NULL, NULL, KAKUNIN_REQUEST_REFUSED) == NULL);
    kakunin_items_request_free(empty);
    kakunin_items_request *none = NULL;
    CHECK_STATUS(kakunin_items_request_new("", &none), KAKUNIN_INVALID_PARAMETER);
    CHECK(none == NULL);

    kakunin_reader_auth_key_free(rak);
    kakunin_reader_key_free(k);
    kakunin_reader_key_free(wk);
    free(kpem.data);
    free(chain.data);
    free(wrong.data);
    kakunin_reader_session_free(s);
    kakunin_device_engagement_free(e);
    kakunin_items_request_free(items);
}

static void test_null_arguments(void) {
    uint8_t byte = 0;
    kakunin_device_engagement *e = NULL;
    CHECK_STATUS(kakunin_device_engagement_from_qr(NULL, &e), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_device_engagement_from_qr("mdoc:", NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_device_engagement_from_nfc_handover(NULL, 0, NULL, 0, &e), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_device_engagement_from_nfc_handover(&byte, 1, NULL, 0, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK(e == NULL);
    kakunin_bytes b;
    uint32_t u = 0;
    uint64_t c, r;
    kakunin_ble_options ble;
    CHECK_STATUS(kakunin_device_engagement_bytes(NULL, &b), KAKUNIN_NULL_PARAMETER);
    CHECK(kakunin_device_engagement_curve(NULL) == 0);
    CHECK(kakunin_device_engagement_method_count(NULL) == 0);
    CHECK_STATUS(kakunin_device_engagement_method_type(NULL, 0, &u), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_device_engagement_ble_options(NULL, 0, &ble), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_device_engagement_nfc_options(NULL, 0, &c, &r), KAKUNIN_NULL_PARAMETER);

    e = annex_d_engagement();
    CHECK_STATUS(kakunin_device_engagement_bytes(e, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_device_engagement_method_type(e, 0, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_device_engagement_ble_options(e, 0, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_device_engagement_nfc_options(e, 0, NULL, &r), KAKUNIN_NULL_PARAMETER);
    kakunin_reader_session *s = NULL;
    CHECK_STATUS(kakunin_reader_session_new(NULL, NULL, &s), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_new(e, NULL, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK(s == NULL);
    CHECK_STATUS(kakunin_reader_session_new(e, NULL, &s), KAKUNIN_OK);

    kakunin_buffer *out = NULL;
    CHECK_STATUS(kakunin_reader_session_establish(NULL, &byte, 1, &out), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_establish(s, NULL, 0, &out), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_establish(s, &byte, 1, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_request(NULL, &byte, 1, &out), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_receive(NULL, &byte, 1, &u, &out), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_receive(s, NULL, 0, &u, &out), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_receive(s, &byte, 1, NULL, &out), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_receive(s, &byte, 1, &u, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_terminate(NULL, &out), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_terminate(s, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_transcript_bytes(NULL, &b), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_transcript_bytes(s, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_e_reader_key_bytes(NULL, &b), KAKUNIN_NULL_PARAMETER);
    CHECK(kakunin_reader_session_state(NULL) == 0);
    kakunin_verification *v = NULL;
    kakunin_verifier *verifier = annex_d_verifier();
    CHECK_STATUS(kakunin_reader_session_verify_device_response(NULL, verifier, &byte, 1, T_2021, &v),
                 KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_verify_device_response(s, NULL, &byte, 1, T_2021, &v), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_verify_device_response(s, verifier, NULL, 0, T_2021, &v),
                 KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_reader_session_verify_device_response(s, verifier, &byte, 1, T_2021, NULL),
                 KAKUNIN_NULL_PARAMETER);
    CHECK(v == NULL && out == NULL);
    /* None of that moved the session on. */
    CHECK(kakunin_reader_session_state(s) == KAKUNIN_SESSION_READY);

    kakunin_items_request *items = NULL;
    CHECK_STATUS(kakunin_items_request_new(NULL, &items), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_items_request_new("x", NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_items_request_add_element(NULL, "a", "b", false), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_items_request_new("x", &items), KAKUNIN_OK);
    CHECK_STATUS(kakunin_items_request_add_element(items, NULL, "b", false), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_items_request_add_element(items, "a", NULL, false), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_items_request_add_element(items, "a", "", false), KAKUNIN_INVALID_PARAMETER);
    const char bad_utf8[] = {'a', (char)0xff, 0};
    CHECK_STATUS(kakunin_items_request_add_element(items, bad_utf8, "b", false), KAKUNIN_INVALID_UTF8);
    CHECK_STATUS(kakunin_items_request_set_individual_number_purpose(items, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_items_request_set_individual_number_purpose(NULL, "p"), KAKUNIN_NULL_PARAMETER);
    kakunin_device_request_builder *builder = kakunin_device_request_builder_new();
    CHECK_STATUS(kakunin_device_request_builder_add(NULL, items, NULL, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_device_request_builder_add(builder, NULL, NULL, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_device_request_builder_build(NULL, &out), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_device_request_builder_build(builder, NULL), KAKUNIN_NULL_PARAMETER);
    kakunin_reader_auth_key *rak = NULL;
    CHECK_STATUS(kakunin_reader_auth_key_new(NULL, &byte, 1, &rak), KAKUNIN_NULL_PARAMETER);
    CHECK(rak == NULL && out == NULL);
    CHECK(kakunin_buffer_data(NULL) == NULL);
    CHECK(kakunin_buffer_len(NULL) == 0);

    kakunin_device_request_builder_free(builder);
    kakunin_items_request_free(items);
    kakunin_verifier_free(verifier);
    kakunin_reader_session_free(s);
    kakunin_device_engagement_free(e);
}

static void test_free_null(void) {
    kakunin_buffer_free(NULL);
    kakunin_device_engagement_free(NULL);
    kakunin_reader_session_free(NULL);
    kakunin_items_request_free(NULL);
    kakunin_reader_auth_key_free(NULL);
    kakunin_device_request_builder_free(NULL);
}

/* NFC framing (ISO 18013-5 §8.3.3.1.2) against a scripted mdoc: SELECT,
 * ENVELOPE command chaining, a response split with 61xx / GET RESPONSE. */
static void test_nfc_framing(void) {
    struct blob se = load(DATA "session_establishment.hex");
    struct blob sd = load(DATA "session_data_device_response.hex");
    const uint8_t ok[2] = {0x90, 0x00};
    kakunin_nfc_reader *r = NULL;
    CHECK_STATUS(kakunin_nfc_reader_new(50, false, 0, &r), KAKUNIN_INVALID_PARAMETER);
    CHECK_STATUS(kakunin_nfc_reader_new(50, false, 1 << 20, &r), KAKUNIN_OK);
    kakunin_buffer *apdu = NULL;
    /* Nothing can be sent before the SELECT. */
    CHECK_STATUS(kakunin_nfc_reader_send_message(r, se.data, se.len, &apdu), KAKUNIN_TRANSPORT_ERROR);
    CHECK(apdu == NULL);
    CHECK_STATUS(kakunin_nfc_reader_select(r, &apdu), KAKUNIN_OK);
    const uint8_t select_head[4] = {0x00, 0xA4, 0x04, 0x0C};
    CHECK(kakunin_buffer_len(apdu) > 4 && memcmp(kakunin_buffer_data(apdu), select_head, 4) == 0);
    kakunin_buffer_free(apdu);
    uint32_t ev = 0;
    kakunin_buffer *bytes = (kakunin_buffer *)&ev; /* must be overwritten with NULL */
    CHECK_STATUS(kakunin_nfc_reader_on_response(r, ok, 2, &ev, &bytes), KAKUNIN_OK);
    CHECK(ev == KAKUNIN_NFC_EVENT_SELECTED && bytes == NULL);

    /* Send the SessionEstablishment; collect the ENVELOPE data fields. */
    CHECK_STATUS(kakunin_nfc_reader_send_message(r, se.data, se.len, &apdu), KAKUNIN_OK);
    uint8_t *sent = malloc(se.len + 16);
    size_t sent_len = 0;
    int apdus = 0;
    for (;;) {
        const uint8_t *a = kakunin_buffer_data(apdu);
        size_t n = kakunin_buffer_len(apdu);
        CHECK(n >= 5 && a[1] == 0xC3);
        size_t lc = a[4];
        CHECK(lc <= 50 && 5 + lc <= n);
        memcpy(sent + sent_len, a + 5, lc);
        sent_len += lc;
        apdus++;
        int last = a[0] == 0x00;
        kakunin_buffer_free(apdu);
        apdu = NULL;
        if (last) break;
        CHECK_STATUS(kakunin_nfc_reader_on_response(r, ok, 2, &ev, &apdu), KAKUNIN_OK);
        CHECK(ev == KAKUNIN_NFC_EVENT_SEND);
        if (apdu == NULL || apdus > 100) break;
    }
    CHECK(apdus > 1);
    /* The data is the message in a BER-TLV 53 object. */
    CHECK(sent_len > se.len && sent[0] == 0x53 && memcmp(sent + sent_len - se.len, se.data, se.len) == 0);
    free(sent);

    /* The mdoc answers in two parts: 61 00 then 90 00. */
    uint8_t *tlv = malloc(sd.len + 8);
    size_t t = 0;
    tlv[t++] = 0x53;
    if (sd.len < 0x80) { tlv[t++] = (uint8_t)sd.len; }
    else if (sd.len <= 0xff) { tlv[t++] = 0x81; tlv[t++] = (uint8_t)sd.len; }
    else { tlv[t++] = 0x82; tlv[t++] = (uint8_t)(sd.len >> 8); tlv[t++] = (uint8_t)sd.len; }
    memcpy(tlv + t, sd.data, sd.len);
    t += sd.len;
    size_t half = t / 2;
    uint8_t *part = malloc(t + 2);
    memcpy(part, tlv, half);
    part[half] = 0x61;
    part[half + 1] = 0x00;
    CHECK_STATUS(kakunin_nfc_reader_on_response(r, part, half + 2, &ev, &apdu), KAKUNIN_OK);
    const uint8_t get_response[5] = {0x00, 0xC0, 0x00, 0x00, 0x00};
    CHECK(ev == KAKUNIN_NFC_EVENT_SEND && kakunin_buffer_len(apdu) == 5 &&
          memcmp(kakunin_buffer_data(apdu), get_response, 5) == 0);
    kakunin_buffer_free(apdu);
    memcpy(part, tlv + half, t - half);
    part[t - half] = 0x90;
    part[t - half + 1] = 0x00;
    CHECK_STATUS(kakunin_nfc_reader_on_response(r, part, t - half + 2, &ev, &apdu), KAKUNIN_OK);
    CHECK(ev == KAKUNIN_NFC_EVENT_MESSAGE && buffer_equals(apdu, sd));
    kakunin_buffer_free(apdu);

    /* An error status word fails closed and writes nothing. */
    CHECK_STATUS(kakunin_nfc_reader_send_message(r, se.data, 10, &apdu), KAKUNIN_OK);
    kakunin_buffer_free(apdu);
    apdu = NULL;
    ev = 0;
    const uint8_t refused[2] = {0x6A, 0x82};
    CHECK_STATUS(kakunin_nfc_reader_on_response(r, refused, 2, &ev, &apdu), KAKUNIN_TRANSPORT_ERROR);
    CHECK(ev == 0 && apdu == NULL);
    /* A truncated TLV is refused too. */
    kakunin_nfc_reader *r2 = NULL;
    CHECK_STATUS(kakunin_nfc_reader_new(255, false, 1 << 20, &r2), KAKUNIN_OK);
    CHECK_STATUS(kakunin_nfc_reader_select(r2, &apdu), KAKUNIN_OK);
    kakunin_buffer_free(apdu);
    CHECK_STATUS(kakunin_nfc_reader_on_response(r2, ok, 2, &ev, &apdu), KAKUNIN_OK);
    CHECK_STATUS(kakunin_nfc_reader_send_message(r2, se.data, se.len, &apdu), KAKUNIN_OK);
    kakunin_buffer_free(apdu);
    apdu = NULL;
    memcpy(part, tlv, t - 3);
    part[t - 3] = 0x90;
    part[t - 2] = 0x00;
    CHECK_STATUS(kakunin_nfc_reader_on_response(r2, part, t - 1, &ev, &apdu), KAKUNIN_TRANSPORT_ERROR);
    CHECK(apdu == NULL);

    CHECK_STATUS(kakunin_nfc_reader_new(50, false, 1, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_nfc_reader_select(NULL, &apdu), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_nfc_reader_select(r, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_nfc_reader_send_message(r, NULL, 0, &apdu), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_nfc_reader_on_response(NULL, ok, 2, &ev, &apdu), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_nfc_reader_on_response(r, ok, 2, NULL, &apdu), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_nfc_reader_on_response(r, ok, 2, &ev, NULL), KAKUNIN_NULL_PARAMETER);
    kakunin_nfc_reader_free(r2);
    kakunin_nfc_reader_free(r);
    kakunin_nfc_reader_free(NULL);
    free(part);
    free(tlv);
    free(se.data);
    free(sd.data);
}

/* BLE framing (ISO 18013-5 §8.3.3.1.1): start, chunks of ATT_MTU - 3 with
 * the more/last prefix, reassembly, wrong characteristic, end. */
static void test_ble_framing(void) {
    struct blob sd = load(DATA "session_data_device_response.hex");
    kakunin_ble_reader *r = NULL;
    CHECK_STATUS(kakunin_ble_reader_new(7, 23, 1 << 20, &r), KAKUNIN_INVALID_PARAMETER);
    CHECK(r == NULL);
    CHECK_STATUS(kakunin_ble_reader_new(KAKUNIN_BLE_PERIPHERAL_SERVER, 23, 1 << 20, &r), KAKUNIN_OK);
    uint8_t state[16], c2s[16], s2c[16], u[16];
    CHECK_STATUS(kakunin_ble_reader_characteristic(r, KAKUNIN_BLE_STATE, &state), KAKUNIN_OK);
    CHECK_STATUS(kakunin_ble_reader_characteristic(r, KAKUNIN_BLE_CLIENT2SERVER, &c2s), KAKUNIN_OK);
    CHECK_STATUS(kakunin_ble_reader_characteristic(r, KAKUNIN_BLE_SERVER2CLIENT, &s2c), KAKUNIN_OK);
    CHECK_STATUS(kakunin_ble_reader_characteristic(r, 9, &u), KAKUNIN_INVALID_PARAMETER);
    CHECK(memcmp(state, c2s, 16) != 0 && memcmp(c2s, s2c, 16) != 0);

    kakunin_gatt_ops *ops = NULL;
    /* Sending before the start is refused. */
    CHECK_STATUS(kakunin_ble_reader_send(r, sd.data, sd.len, &ops), KAKUNIN_TRANSPORT_ERROR);
    CHECK(ops == NULL);
    CHECK_STATUS(kakunin_ble_reader_start(r, &ops), KAKUNIN_OK);
    kakunin_bytes v;
    CHECK(kakunin_gatt_ops_count(ops) == 1);
    CHECK_STATUS(kakunin_gatt_ops_get(ops, 0, &u, &v), KAKUNIN_OK);
    CHECK(memcmp(u, state, 16) == 0 && v.len == 1 && v.data[0] == 0x01);
    CHECK_STATUS(kakunin_gatt_ops_get(ops, 1, &u, &v), KAKUNIN_OUT_OF_RANGE);
    kakunin_gatt_ops_free(ops);

    CHECK_STATUS(kakunin_ble_reader_send(r, sd.data, sd.len, &ops), KAKUNIN_OK);
    size_t n = kakunin_gatt_ops_count(ops);
    CHECK(n == (sd.len + 18) / 19); /* 20 bytes per value: 1 prefix + 19 data */
    /* Feed the same chunks back as the mdoc's Server2Client notifications. */
    kakunin_buffer *msg = NULL;
    for (size_t i = 0; i < n; i++) {
        CHECK_STATUS(kakunin_gatt_ops_get(ops, i, &u, &v), KAKUNIN_OK);
        CHECK(memcmp(u, c2s, 16) == 0 && v.len <= 20 && v.len >= 1);
        CHECK(v.data[0] == (i + 1 < n ? 0x01 : 0x00));
        uint32_t ev = 0;
        CHECK_STATUS(kakunin_ble_reader_on_received(r, &s2c, v.data, v.len, &ev, &msg), KAKUNIN_OK);
        CHECK(ev == (i + 1 < n ? KAKUNIN_BLE_EVENT_PARTIAL : KAKUNIN_BLE_EVENT_MESSAGE));
        if (i + 1 < n) CHECK(msg == NULL);
    }
    CHECK(buffer_equals(msg, sd));
    kakunin_buffer_free(msg);
    msg = NULL;
    uint32_t ev = 0;
    /* Data on the reader's own outgoing characteristic is refused. */
    CHECK_STATUS(kakunin_gatt_ops_get(ops, 0, &u, &v), KAKUNIN_OK);
    CHECK_STATUS(kakunin_ble_reader_on_received(r, &c2s, v.data, v.len, &ev, &msg), KAKUNIN_TRANSPORT_ERROR);
    CHECK(ev == 0 && msg == NULL);
    kakunin_gatt_ops_free(ops);
    /* The mdoc ends the session. */
    const uint8_t end[1] = {0x02};
    CHECK_STATUS(kakunin_ble_reader_on_received(r, &state, end, 1, &ev, &msg), KAKUNIN_OK);
    CHECK(ev == KAKUNIN_BLE_EVENT_ENDED && msg == NULL);
    CHECK_STATUS(kakunin_ble_reader_on_received(r, &s2c, end, 1, &ev, &msg), KAKUNIN_TRANSPORT_ERROR);
    CHECK_STATUS(kakunin_ble_reader_end(r, &ops), KAKUNIN_OK);
    CHECK_STATUS(kakunin_gatt_ops_get(ops, 0, &u, &v), KAKUNIN_OK);
    CHECK(memcmp(u, state, 16) == 0 && v.len == 1 && v.data[0] == 0x02);
    kakunin_gatt_ops_free(ops);
    kakunin_ble_reader_free(r);

    /* Central client mode: the mdoc starts. */
    CHECK_STATUS(kakunin_ble_reader_new(KAKUNIN_BLE_CENTRAL_CLIENT, 185, 1 << 20, &r), KAKUNIN_OK);
    CHECK_STATUS(kakunin_ble_reader_characteristic(r, KAKUNIN_BLE_STATE, &state), KAKUNIN_OK);
    CHECK_STATUS(kakunin_ble_reader_start(r, &ops), KAKUNIN_TRANSPORT_ERROR);
    const uint8_t start[1] = {0x01};
    CHECK_STATUS(kakunin_ble_reader_on_received(r, &state, start, 1, &ev, &msg), KAKUNIN_OK);
    CHECK(ev == KAKUNIN_BLE_EVENT_STARTED && msg == NULL);

    CHECK_STATUS(kakunin_ble_reader_new(1, 23, 1, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_ble_reader_characteristic(NULL, 1, &u), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_ble_reader_characteristic(r, 1, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_ble_reader_on_received(r, NULL, start, 1, &ev, &msg), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_ble_reader_send(NULL, start, 1, &ops), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_ble_reader_end(r, NULL), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_gatt_ops_get(NULL, 0, &u, &v), KAKUNIN_NULL_PARAMETER);
    CHECK(kakunin_gatt_ops_count(NULL) == 0);
    kakunin_ble_reader_free(r);
    kakunin_ble_reader_free(NULL);
    kakunin_gatt_ops_free(NULL);
    free(sd.data);
}

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "--loyalty") == 0) {
        test_loyalty_card_answers(argv[2]);
        if (failures) {
            fprintf(stderr, "test_session --loyalty: %d check(s) failed\n", failures);
            return 1;
        }
        printf("test_session --loyalty: all checks passed\n");
        return 0;
    }
    test_annex_d_replay();
    test_tampered_session_data();
    test_misuse_order();
    test_qr_engagement();
    test_device_request();
    test_request_binding();
    test_null_arguments();
    test_free_null();
    test_nfc_framing();
    test_ble_framing();
    if (failures) {
        fprintf(stderr, "test_session: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_session: all checks passed\n");
    return 0;
}
