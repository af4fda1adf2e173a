/*
 * C tests of the online presentation calls in include/kakunin.h: ISO/IEC
 * 18013-7 Annex C over the Digital Credentials API (request, state storage,
 * response verification) and Apple's in-app APPLE-HPKE-v1 envelope, against
 * the sealed answers committed in tests/data/derived/online (minted by the
 * simulated wallet of tests/kit/src/issuer/online.rs). Built with
 * `cc -std=c11 -Wall -Wextra -Werror` and run by tests/c_abi/c_api.rs (and under
 * ASan/UBSan and valgrind by .ci/run) from the repository root.
 * Exit status 0 = every check passed.
 */
#include "common.h"

#define FIX "tests/data/derived/online/"
#define ORIGIN "https://city.example.jp"
/* 2024-01-01T01:00:00Z */
#define T_FIX 1704070800


static int contains(const char *hay, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0) return 1;
    return 0;
}

/* The name of the first response-level error, or "" when there is none. */
static const char *first_error(const kakunin_verification *v) {
    uint32_t code = 0;
    kakunin_str msg;
    if (kakunin_verification_error(v, 0, &code, &msg) != KAKUNIN_OK) return "";
    return kakunin_error_code_str(code);
}

static kakunin_verifier *fixture_verifier(void) {
    struct blob der = load(FIX "iaca.der");
    kakunin_trust_store *store = NULL;
    CHECK_STATUS(kakunin_trust_store_from_pem_or_der(der.data, der.len, &store), KAKUNIN_OK);
    kakunin_verifier *v = NULL;
    CHECK_STATUS(kakunin_verifier_new(store, &v), KAKUNIN_OK);
    kakunin_trust_store_free(store);
    free(der.data);
    return v;
}

static kakunin_reader_key *fixture_key(void) {
    struct blob pem = load(FIX "hpke.pem");
    kakunin_reader_key *k = NULL;
    CHECK_STATUS(kakunin_reader_key_from_bytes(pem.data, pem.len, &k), KAKUNIN_OK);
    free(pem.data);
    return k;
}

/* Building a request: JSON shape, state storage, the privacy policy. */
static void test_request(void) {
    kakunin_items_request *items = NULL;
    CHECK_STATUS(kakunin_items_request_new("org.iso.18013.5.1.mDL", &items), KAKUNIN_OK);
    CHECK_STATUS(kakunin_items_request_add_element(items, "org.iso.18013.5.1", "age_over_20", false), KAKUNIN_OK);
    const kakunin_items_request *list[1] = {items};
    kakunin_buffer *data = NULL;
    kakunin_annex_c_state *state = NULL;
    CHECK_STATUS(kakunin_annex_c_request_new(list, 1, ORIGIN, NULL, &data, &state), KAKUNIN_OK);
    CHECK(data != NULL && state != NULL);
    if (data) {
        const char *json = (const char *)kakunin_buffer_data(data);
        size_t len = kakunin_buffer_len(data);
        CHECK(len > 40 && json[0] == '{' && json[len - 1] == '}');
        CHECK(contains(json, len, "\"deviceRequest\":\""));
        CHECK(contains(json, len, "\"encryptionInfo\":\""));
        CHECK(memchr(json, '=', len) == NULL);
    }
    kakunin_buffer *stored = NULL;
    CHECK_STATUS(kakunin_annex_c_state_to_bytes(state, &stored), KAKUNIN_OK);
    kakunin_annex_c_state *restored = NULL;
    CHECK_STATUS(kakunin_annex_c_state_from_bytes(kakunin_buffer_data(stored), kakunin_buffer_len(stored), &restored),
                 KAKUNIN_OK);
    CHECK_STATUS(kakunin_annex_c_state_from_bytes((const uint8_t *)"\x80", 1, &restored), KAKUNIN_STRUCTURE_INVALID);

    /* A response to the fixture request opened with this (other) request's
     * state: a relayed request, refused. */
    kakunin_verifier *verifier = fixture_verifier();
    struct blob response = load(FIX "annex_c_response.json");
    kakunin_verification *v = NULL;
    CHECK_STATUS(kakunin_annex_c_verify_response(verifier, restored, response.data, response.len, T_FIX, &v),
                 KAKUNIN_OK);
    CHECK(!kakunin_verification_is_valid(v));
    CHECK(strcmp(first_error(v), "hpke_decrypt_failed") == 0);
    kakunin_verification_free(v);
    free(response.data);
    kakunin_verifier_free(verifier);

    /* My Number without a stated purpose is refused. */
    kakunin_items_request *mnc = NULL;
    CHECK_STATUS(kakunin_items_request_new("org.iso.23220.1.jp.mnc", &mnc), KAKUNIN_OK);
    CHECK_STATUS(kakunin_items_request_add_element(mnc, "org.iso.23220.1.jp", "individual_number_unicode", false),
                 KAKUNIN_OK);
    const kakunin_items_request *mlist[1] = {mnc};
    kakunin_buffer *d2 = NULL;
    kakunin_annex_c_state *s2 = NULL;
    CHECK_STATUS(kakunin_annex_c_request_new(mlist, 1, ORIGIN, NULL, &d2, &s2), KAKUNIN_REQUEST_REFUSED);
    CHECK(d2 == NULL && s2 == NULL);

    /* NULL and empty arguments. */
    CHECK_STATUS(kakunin_annex_c_request_new(NULL, 1, ORIGIN, NULL, &d2, &s2), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_annex_c_request_new(list, 0, ORIGIN, NULL, &d2, &s2), KAKUNIN_INVALID_PARAMETER);
    CHECK_STATUS(kakunin_annex_c_request_new(list, 1, NULL, NULL, &d2, &s2), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_annex_c_request_new(list, 1, ORIGIN, NULL, NULL, &s2), KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_annex_c_state_to_bytes(NULL, &stored), KAKUNIN_NULL_PARAMETER);

    kakunin_items_request_free(mnc);
    kakunin_buffer_free(stored);
    kakunin_annex_c_state_free(restored);
    kakunin_annex_c_state_free(state);
    kakunin_annex_c_state_free(NULL);
    kakunin_buffer_free(data);
    kakunin_items_request_free(items);
}

/* The committed sealed answer, with the request and key the verifier kept. */
static void test_annex_c_response(void) {
    kakunin_verifier *verifier = fixture_verifier();
    kakunin_reader_key *key = fixture_key();
    struct blob request = load(FIX "annex_c_request.json");
    struct blob response = load(FIX "annex_c_response.json");
    kakunin_annex_c_state *state = NULL;
    CHECK_STATUS(kakunin_annex_c_state_from_request(request.data, request.len, ORIGIN, key, &state), KAKUNIN_OK);
    kakunin_verification *v = NULL;
    CHECK_STATUS(kakunin_annex_c_verify_response(verifier, state, response.data, response.len, T_FIX, &v),
                 KAKUNIN_OK);
    CHECK(kakunin_verification_is_valid(v));
    CHECK(kakunin_verification_document_count(v) == 1);
    kakunin_verification_free(v);

    /* Another origin: the transcript differs, HPKE fails. */
    kakunin_annex_c_state *evil = NULL;
    CHECK_STATUS(kakunin_annex_c_state_from_request(request.data, request.len, "https://evil.example", key, &evil),
                 KAKUNIN_OK);
    CHECK_STATUS(kakunin_annex_c_verify_response(verifier, evil, response.data, response.len, T_FIX, &v), KAKUNIN_OK);
    CHECK(!kakunin_verification_is_valid(v));
    CHECK(strcmp(first_error(v), "hpke_decrypt_failed") == 0);
    kakunin_verification_free(v);

    /* A malformed answer from the wallet gets a verdict, not a failed call. */
    const char *junk = "{\"response\":\"!!\"}";
    CHECK_STATUS(kakunin_annex_c_verify_response(verifier, state, (const uint8_t *)junk, strlen(junk), T_FIX, &v),
                 KAKUNIN_OK);
    CHECK(strcmp(first_error(v), "structure_invalid") == 0);
    kakunin_verification_free(v);

    /* Another key than the request's recipient. */
    uint8_t scalar[32];
    memset(scalar, 0x43, sizeof scalar);
    kakunin_reader_key *other = NULL;
    CHECK_STATUS(kakunin_reader_key_from_scalar(1, scalar, sizeof scalar, &other), KAKUNIN_OK);
    kakunin_annex_c_state *wrong = NULL;
    CHECK_STATUS(kakunin_annex_c_state_from_request(request.data, request.len, ORIGIN, other, &wrong), KAKUNIN_OK);
    CHECK_STATUS(kakunin_annex_c_verify_response(verifier, wrong, response.data, response.len, T_FIX, &v), KAKUNIN_OK);
    CHECK(strcmp(first_error(v), "hpke_key_mismatch") == 0);
    kakunin_verification_free(v);

    /* A request that is not one is the verifier's own mistake. */
    kakunin_annex_c_state *none = NULL;
    CHECK_STATUS(kakunin_annex_c_state_from_request((const uint8_t *)"{}", 2, ORIGIN, key, &none),
                 KAKUNIN_STRUCTURE_INVALID);
    CHECK_STATUS(kakunin_annex_c_verify_response(verifier, NULL, response.data, response.len, T_FIX, &v),
                 KAKUNIN_NULL_PARAMETER);

    kakunin_annex_c_state_free(wrong);
    kakunin_reader_key_free(other);
    kakunin_annex_c_state_free(evil);
    kakunin_annex_c_state_free(state);
    free(request.data);
    free(response.data);
    kakunin_reader_key_free(key);
    kakunin_verifier_free(verifier);
}

static void test_apple(void) {
    kakunin_verifier *verifier = fixture_verifier();
    kakunin_reader_key *key = fixture_key();
    struct blob envelope = load(FIX "apple_envelope.cbor");
    uint8_t nonce[32];
    memset(nonce, 0xa7, sizeof nonce);
    const char *merchant = "merchant.jp.example.city";
    kakunin_verification *v = NULL;
    CHECK_STATUS(kakunin_apple_verify_envelope(verifier, key, nonce, sizeof nonce, merchant, "ABCDE12345",
                                               envelope.data, envelope.len, T_FIX, &v),
                 KAKUNIN_OK);
    CHECK(kakunin_verification_is_valid(v));
    kakunin_verification_free(v);

    CHECK_STATUS(kakunin_apple_verify_envelope(verifier, key, nonce, sizeof nonce, merchant, "ZZZZZ99999",
                                               envelope.data, envelope.len, T_FIX, &v),
                 KAKUNIN_OK);
    CHECK(!kakunin_verification_is_valid(v));
    CHECK(strcmp(first_error(v), "session_transcript_mismatch") == 0);
    kakunin_verification_free(v);

    nonce[0] ^= 1;
    CHECK_STATUS(kakunin_apple_verify_envelope(verifier, key, nonce, sizeof nonce, merchant, "ABCDE12345",
                                               envelope.data, envelope.len, T_FIX, &v),
                 KAKUNIN_OK);
    CHECK(strcmp(first_error(v), "session_transcript_mismatch") == 0);
    kakunin_verification_free(v);

    CHECK_STATUS(kakunin_apple_verify_envelope(verifier, key, nonce, sizeof nonce, merchant, "ABCDE12345",
                                               (const uint8_t *)"\xa1", 1, T_FIX, &v),
                 KAKUNIN_OK);
    CHECK(strcmp(first_error(v), "cbor_malformed") == 0);
    kakunin_verification_free(v);

    CHECK_STATUS(kakunin_apple_verify_envelope(verifier, key, nonce, sizeof nonce, NULL, "ABCDE12345",
                                               envelope.data, envelope.len, T_FIX, &v),
                 KAKUNIN_NULL_PARAMETER);
    free(envelope.data);
    kakunin_reader_key_free(key);
    kakunin_verifier_free(verifier);
}

int main(void) {
    test_request();
    test_annex_c_response();
    test_apple();
    if (failures) {
        fprintf(stderr, "test_online: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_online: all checks passed\n");
    return 0;
}
