/*
 * C tests of the OpenID4VP 1.0 part of include/kakunin.h: request building
 * (DCQL, encryption key, signed request object), state serialise/restore,
 * vp_token and JWE response verification, NULL and free(NULL) cases.
 * Built with `cc -std=c11 -Wall -Wextra -Werror` and run by tests/c_abi/c_api.rs
 * (and under ASan/UBSan and valgrind by .ci/run) from the repository root.
 * Exit status 0 = every check passed.
 *
 * Data: tests/data/derived/oid4vp (minted by the Rust test wallet, valid at
 * 2024-01-01T00:00:00Z), tests/data/eudi-verifier-endpoint (a real EUDI
 * wallet mDL, valid at 2025-12-19T09:19:37Z) and
 * tests/data/session-reader-pki (a reader key and certificate for signing).
 */
#include "common.h"

#define FIX "tests/data/derived/oid4vp/"
#define EUDI "tests/data/eudi-verifier-endpoint/"
#define MDL "org.iso.18013.5.1.mDL"
#define MDL_NS "org.iso.18013.5.1"
#define T_2024 1704067200
#define T_EUDI 1766135977


/* A verifier for one anchor; `interoperable` opts in to the profile the
 * EUDI reference issuer needs (its DS breaks the letter of Annex B.1.4). */
static kakunin_verifier *verifier_for(const char *anchor_path, int interoperable) {
    size_t len;
    uint8_t *der = read_input(anchor_path, &len);
    kakunin_trust_store *store = NULL;
    kakunin_verifier_builder *b = NULL;
    kakunin_verifier *v = NULL;
    CHECK_STATUS(kakunin_trust_store_from_pem_or_der(der, len, &store), KAKUNIN_OK);
    CHECK_STATUS(kakunin_verifier_builder_new(store, &b), KAKUNIN_OK);
    if (interoperable)
        CHECK_STATUS(kakunin_verifier_builder_set_certificate_profile(b, KAKUNIN_PROFILE_INTEROPERABLE), KAKUNIN_OK);
    CHECK_STATUS(kakunin_verifier_builder_build(b, &v), KAKUNIN_OK);
    kakunin_verifier_builder_free(b);
    kakunin_trust_store_free(store);
    free(der);
    return v;
}

static uint32_t first_error(const kakunin_verification *r) {
    uint32_t code = 0;
    kakunin_str msg;
    if (kakunin_verification_error_count(r) > 0) kakunin_verification_error(r, 0, &code, &msg);
    return code;
}

/* The committed encrypted response and DC API vp_token verify; wrong nonce,
 * wrong flow and a corrupted response do not. */
static void test_verify_fixtures(void) {
    kakunin_verifier *v = verifier_for(FIX "iaca.der", 0);
    size_t rlen, klen, tlen;
    uint8_t *resp = read_input(FIX "response_direct_post_jwt.json", &rlen);
    uint8_t *key = read_input(FIX "verifier_key.jwk", &klen);
    uint8_t *tok = read_input(FIX "vp_token_dc_api.json", &tlen);
    kakunin_verification *r = NULL;

    CHECK_STATUS(kakunin_oid4vp_verify_response(v, resp, rlen, key, klen, "-c-test-nonce", "x509_san_dns:rp.example",
                                                "https://rp.example/post", NULL, T_2024, &r),
                 KAKUNIN_OK);
    CHECK(kakunin_verification_is_valid(r));
    CHECK(kakunin_verification_document_count(r) == 1);
    kakunin_verification_free(r);

    r = NULL;
    CHECK_STATUS(kakunin_oid4vp_verify_response(v, resp, rlen, key, klen, "-other", "x509_san_dns:rp.example",
                                                "https://rp.example/post", NULL, T_2024, &r),
                 KAKUNIN_OK);
    CHECK(!kakunin_verification_is_valid(r));
    CHECK(first_error(r) == 0); /* the error is in the document */
    kakunin_verification_free(r);

    /* A corrupted JWE tag: a verdict with jwe_decrypt_failed. */
    uint8_t *bad = malloc(rlen);
    memcpy(bad, resp, rlen);
    size_t last_dot = 0;
    for (size_t i = 0; i < rlen; i++) if (bad[i] == '.') last_dot = i;
    bad[last_dot + 1] = bad[last_dot + 1] == 'A' ? 'B' : 'A';
    r = NULL;
    CHECK_STATUS(kakunin_oid4vp_verify_response(v, bad, rlen, key, klen, "-c-test-nonce", "x509_san_dns:rp.example",
                                                "https://rp.example/post", NULL, T_2024, &r),
                 KAKUNIN_OK);
    CHECK(!kakunin_verification_is_valid(r));
    CHECK(first_error(r) == 43);
    kakunin_verification_free(r);
    free(bad);

    /* Both flows at once, or neither: the caller's mistake. */
    r = (kakunin_verification *)0x1;
    CHECK_STATUS(kakunin_oid4vp_verify_response(v, resp, rlen, key, klen, "n", "c", "u", "https://o", T_2024, &r),
                 KAKUNIN_INVALID_PARAMETER);
    CHECK(r == (kakunin_verification *)0x1);
    CHECK_STATUS(kakunin_oid4vp_verify_response(v, resp, rlen, key, klen, "n", NULL, NULL, NULL, T_2024, &r),
                 KAKUNIN_INVALID_PARAMETER);
    /* An unreadable key. */
    CHECK_STATUS(kakunin_oid4vp_verify_response(v, resp, rlen, (const uint8_t *)"{}", 2, "n", NULL, NULL,
                                                "https://o", T_2024, &r),
                 KAKUNIN_STRUCTURE_INVALID);

    r = NULL;
    CHECK_STATUS(kakunin_oid4vp_verify_vp_token(v, tok, tlen, "-c-test-nonce", NULL, NULL, "https://rp.example", NULL,
                                                T_2024, &r),
                 KAKUNIN_OK);
    CHECK(kakunin_verification_is_valid(r));
    kakunin_verification_free(r);
    r = NULL;
    CHECK_STATUS(kakunin_oid4vp_verify_vp_token(v, tok, tlen, "-c-test-nonce", NULL, NULL, "https://evil.example",
                                                NULL, T_2024, &r),
                 KAKUNIN_OK);
    CHECK(!kakunin_verification_is_valid(r));
    kakunin_verification_free(r);
    /* Not a vp_token: structure_invalid as a verdict. */
    r = NULL;
    CHECK_STATUS(kakunin_oid4vp_verify_vp_token(v, (const uint8_t *)"[]", 2, "n", NULL, NULL, "https://o", NULL,
                                                T_2024, &r),
                 KAKUNIN_OK);
    CHECK(first_error(r) == 2);
    kakunin_verification_free(r);

    CHECK_STATUS(kakunin_oid4vp_verify_vp_token(NULL, tok, tlen, "n", NULL, NULL, "o", NULL, T_2024, &r),
                 KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_oid4vp_verify_vp_token(v, tok, tlen, NULL, NULL, NULL, "o", NULL, T_2024, &r),
                 KAKUNIN_NULL_PARAMETER);
    free(resp);
    free(key);
    free(tok);
    kakunin_verifier_free(v);
}

/* The real EUDI wallet mDL, with the thumbprint of the EUDI verifier's key. */
static void test_eudi_capture(void) {
    static const uint8_t thumb[32] = {0xd8, 0x7a, 0x4e, 0x60, 0x86, 0xbc, 0x76, 0xe4, 0x6f, 0x10, 0x4f,
                                      0xeb, 0xf4, 0xdd, 0x8a, 0x2b, 0xb5, 0x86, 0x1f, 0xfc, 0xf9, 0xa4,
                                      0xaf, 0x92, 0x8a, 0x1f, 0x9c, 0x5e, 0xad, 0x0e, 0x64, 0x23};
    kakunin_verifier *v = verifier_for(EUDI "pid_issuer_ca_ut_02.pem", 1);
    size_t len;
    uint8_t *dr = read_input(EUDI "mdl_device_response.hex", &len);
    /* vp_token = {"query_0": ["<base64url>"]} */
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t cap = 32 + len * 2;
    char *tok = malloc(cap);
    size_t n = (size_t)snprintf(tok, cap, "{\"query_0\":[\"");
    for (size_t i = 0; i < len; i += 3) {
        uint32_t x = (uint32_t)dr[i] << 16;
        if (i + 1 < len) x |= (uint32_t)dr[i + 1] << 8;
        if (i + 2 < len) x |= dr[i + 2];
        tok[n++] = b64[(x >> 18) & 63];
        tok[n++] = b64[(x >> 12) & 63];
        if (i + 1 < len) tok[n++] = b64[(x >> 6) & 63];
        if (i + 2 < len) tok[n++] = b64[x & 63];
    }
    n += (size_t)snprintf(tok + n, cap - n, "\"]}");
    kakunin_verification *r = NULL;
    CHECK_STATUS(kakunin_oid4vp_verify_vp_token(v, (const uint8_t *)tok, n, "706f6c4d-c92d-4472-9dbf-d814c94f90c2",
                                                "Verifier", "http://localhost:0/wallet/direct_post/1234567890", NULL,
                                                thumb, T_EUDI, &r),
                 KAKUNIN_OK);
    CHECK(kakunin_verification_is_valid(r));
    kakunin_verification_free(r);
    r = NULL;
    CHECK_STATUS(kakunin_oid4vp_verify_vp_token(v, (const uint8_t *)tok, n, "706f6c4d-c92d-4472-9dbf-d814c94f90c2",
                                                "Verifier", "http://localhost:0/wallet/direct_post/1234567890", NULL,
                                                NULL, T_EUDI, &r),
                 KAKUNIN_OK);
    CHECK(!kakunin_verification_is_valid(r)); /* null thumbprint: another transcript */
    kakunin_verification_free(r);
    free(tok);
    free(dr);
    kakunin_verifier_free(v);
}

static int contains(const kakunin_buffer *b, const char *needle) {
    size_t n = strlen(needle), len = kakunin_buffer_len(b);
    const uint8_t *d = kakunin_buffer_data(b);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(d + i, needle, n) == 0) return 1;
    return 0;
}

/* Request building, signing, state round trip, and a wrong response for it. */
static void test_request_and_state(void) {
    kakunin_items_request *items = NULL;
    CHECK_STATUS(kakunin_items_request_new(MDL, &items), KAKUNIN_OK);
    CHECK_STATUS(kakunin_items_request_add_element(items, MDL_NS, "family_name", false), KAKUNIN_OK);

    kakunin_oid4vp_request_builder *b = NULL;
    CHECK_STATUS(kakunin_oid4vp_request_builder_new_dc_api("https://rp.example", true, &b), KAKUNIN_OK);
    CHECK_STATUS(kakunin_oid4vp_request_builder_add_credential(b, "mdl", items), KAKUNIN_OK);
    CHECK_STATUS(kakunin_oid4vp_request_builder_add_credential(b, "bad id", items), KAKUNIN_OK);
    kakunin_buffer *req = NULL;
    kakunin_oid4vp_state *state = NULL;
    /* The bad id is refused at build time. */
    CHECK_STATUS(kakunin_oid4vp_request_builder_build(b, NULL, &req, &state), KAKUNIN_STRUCTURE_INVALID);
    CHECK(req == NULL && state == NULL);
    kakunin_oid4vp_request_builder_free(b);

    b = NULL;
    CHECK_STATUS(kakunin_oid4vp_request_builder_new_dc_api("https://rp.example", true, &b), KAKUNIN_OK);
    CHECK_STATUS(kakunin_oid4vp_request_builder_set_nonce(b, "-x3F"), KAKUNIN_OK);
    CHECK_STATUS(kakunin_oid4vp_request_builder_add_credential(b, "mdl", items), KAKUNIN_OK);
    CHECK_STATUS(kakunin_oid4vp_request_builder_build(b, NULL, &req, &state), KAKUNIN_OK);
    CHECK(contains(req, "\"openid4vp-v1-unsigned\""));
    CHECK(contains(req, "\"dc_api.jwt\""));
    CHECK(contains(req, "\"doctype_value\":\"" MDL "\""));
    CHECK(contains(req, "\"-x3F\""));
    CHECK(!contains(req, "\"d\""));
    kakunin_buffer_free(req);

    kakunin_buffer *ser = NULL;
    CHECK_STATUS(kakunin_oid4vp_state_serialize(state, &ser), KAKUNIN_OK);
    kakunin_oid4vp_state *restored = NULL;
    CHECK_STATUS(kakunin_oid4vp_state_deserialize(kakunin_buffer_data(ser), kakunin_buffer_len(ser), &restored),
                 KAKUNIN_OK);
    kakunin_buffer_free(ser);
    CHECK_STATUS(kakunin_oid4vp_state_deserialize((const uint8_t *)"{}", 2, &restored), KAKUNIN_STRUCTURE_INVALID);

    /* A plain response where an encrypted one was requested: downgrade. */
    kakunin_verifier *v = verifier_for(FIX "iaca.der", 0);
    size_t tlen;
    uint8_t *tok = read_input(FIX "vp_token_dc_api.json", &tlen);
    char *plain = malloc(tlen + 16);
    int pn = snprintf(plain, tlen + 16, "{\"vp_token\":%.*s}", (int)tlen, (const char *)tok);
    kakunin_verification *r = NULL;
    CHECK_STATUS(kakunin_oid4vp_state_verify(restored, v, (const uint8_t *)plain, (size_t)pn, T_2024, &r), KAKUNIN_OK);
    CHECK(!kakunin_verification_is_valid(r));
    CHECK(first_error(r) == 2);
    kakunin_verification_free(r);
    free(plain);
    free(tok);
    kakunin_oid4vp_state_free(restored);
    kakunin_oid4vp_state_free(state);

    /* A signed redirect request: a compact JWS. */
    size_t klen, clen;
    uint8_t *kpem = read_input("tests/data/session-reader-pki/reader.key.pem", &klen);
    uint8_t *cpem = read_input("tests/data/session-reader-pki/reader.pem", &clen);
    kakunin_reader_key *rk = NULL;
    kakunin_reader_auth_key *signer = NULL;
    CHECK_STATUS(kakunin_reader_key_from_bytes(kpem, klen, &rk), KAKUNIN_OK);
    CHECK_STATUS(kakunin_reader_auth_key_new(rk, cpem, clen, &signer), KAKUNIN_OK);
    kakunin_oid4vp_request_builder *rb = NULL;
    CHECK_STATUS(kakunin_oid4vp_request_builder_new_redirect("x509_san_dns:rp.example", "https://rp.example/post",
                                                             true, &rb),
                 KAKUNIN_OK);
    CHECK_STATUS(kakunin_oid4vp_request_builder_add_credential(rb, "mdl", items), KAKUNIN_OK);
    req = NULL;
    state = NULL;
    CHECK_STATUS(kakunin_oid4vp_request_builder_build(rb, signer, &req, &state), KAKUNIN_OK);
    {
        size_t dots = 0, len = kakunin_buffer_len(req);
        const uint8_t *d = kakunin_buffer_data(req);
        for (size_t i = 0; i < len; i++) dots += d[i] == '.';
        CHECK(dots == 2);
        CHECK(len > 3 && memcmp(d, "eyJ", 3) == 0);
    }
    kakunin_buffer_free(req);
    kakunin_oid4vp_state_free(state);
    kakunin_oid4vp_request_builder_free(rb);
    kakunin_reader_auth_key_free(signer);
    kakunin_reader_key_free(rk);
    free(kpem);
    free(cpem);

    /* My Number without a purpose is refused by the privacy policy. */
    kakunin_items_request *mnc = NULL;
    CHECK_STATUS(kakunin_items_request_new("org.iso.23220.1.jp.mnc", &mnc), KAKUNIN_OK);
    CHECK_STATUS(kakunin_items_request_add_element(mnc, "org.iso.23220.1.jp", "individual_number_unicode", false),
                 KAKUNIN_OK);
    CHECK_STATUS(kakunin_oid4vp_request_builder_add_credential(b, "mnc", mnc), KAKUNIN_REQUEST_REFUSED);
    kakunin_items_request_free(mnc);

    kakunin_verifier_free(v);
    kakunin_oid4vp_request_builder_free(b);
    kakunin_items_request_free(items);

    /* NULL handling. */
    CHECK_STATUS(kakunin_oid4vp_request_builder_new_dc_api(NULL, false, &b), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_oid4vp_request_builder_new_dc_api("", false, &b), KAKUNIN_INVALID_PARAMETER);
    CHECK_STATUS(kakunin_oid4vp_state_serialize(NULL, &ser), KAKUNIN_NULL_PARAMETER);
    kakunin_oid4vp_request_builder_free(NULL);
    kakunin_oid4vp_state_free(NULL);
}

int main(void) {
    test_verify_fixtures();
    test_eudi_capture();
    test_request_and_state();
    if (failures) {
        fprintf(stderr, "test_openid4vp: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_openid4vp: all checks passed\n");
    return 0;
}
