/*
 * C test: element lookups keep issuer-signed and device-signed data apart.
 * A document whose device signs `family_name` (authorised by the MSO
 * keyAuthorizations) next to the issuer's `family_name`: the issuer lookup
 * must return the issuer's value, never the holder-controlled one, and the
 * device lookup the device's value only.
 *
 * Run from the repository root (by tests/c_abi/c_api.rs, and under ASan/UBSan and
 * valgrind by .ci/run). Inputs: tests/data/derived/ffi-device-elements,
 * minted by the Rust test issuer (see its README), valid at
 * 2024-01-01T00:00:00Z. Exit status 0 = every check passed.
 */
#include "common.h"

#define NS "org.iso.18013.5.1"
#define DIR "tests/data/derived/ffi-device-elements/"
/* 2024-01-01T00:00:00Z, the test issuer's "now". */
#define T_2024 1704067200


static int text_is(const kakunin_element *e, const char *want) {
    kakunin_str s;
    if (kakunin_element_text(e, &s) != KAKUNIN_OK) return 0;
    return s.len == strlen(want) && memcmp(s.data, want, s.len) == 0;
}

int main(void) {
    size_t len;
    uint8_t *iaca = read_input(DIR "iaca.der", &len);
    kakunin_trust_store_builder *b = kakunin_trust_store_builder_new();
    CHECK_STATUS(kakunin_trust_store_builder_add_pem_or_der(b, iaca, len), KAKUNIN_OK);
    kakunin_trust_store *store = NULL;
    CHECK_STATUS(kakunin_trust_store_builder_build(b, &store), KAKUNIN_OK);
    kakunin_trust_store_builder_free(b);
    free(iaca);
    kakunin_verifier *verifier = NULL;
    CHECK_STATUS(kakunin_verifier_new(store, &verifier), KAKUNIN_OK);
    kakunin_trust_store_free(store);
    uint8_t *st = read_input(DIR "transcript.cbor", &len);
    kakunin_session_transcript *transcript = NULL;
    CHECK_STATUS(kakunin_session_transcript_new(st, len, &transcript), KAKUNIN_OK);
    free(st);
    uint8_t *response = read_input(DIR "response.cbor", &len);
    int64_t now = T_2024;

    kakunin_verification *v = NULL;
    CHECK_STATUS(kakunin_verifier_verify_device_response(verifier, response, len, transcript, NULL, now, &v),
                 KAKUNIN_OK);
    CHECK(kakunin_verification_is_valid(v));

    /* The issuer lookup: the issuer's value, not the device's. */
    const kakunin_element *e = NULL;
    CHECK_STATUS(kakunin_verification_document_find_element(v, 0, NS, "family_name", &e), KAKUNIN_OK);
    CHECK(e != NULL && !kakunin_element_is_device_signed(e) && text_is(e, "Yamada"));
    /* Device-signed only: never an answer to the issuer lookup. */
    e = NULL;
    CHECK_STATUS(kakunin_verification_document_find_element(v, 0, NS, "device_only", &e), KAKUNIN_NOT_FOUND);
    CHECK(e == NULL);

    /* The device lookup: the device's values only. */
    CHECK_STATUS(kakunin_verification_document_find_device_element(v, 0, NS, "family_name", &e), KAKUNIN_OK);
    CHECK(e != NULL && kakunin_element_is_device_signed(e) && text_is(e, "Forged"));
    CHECK_STATUS(kakunin_verification_document_find_device_element(v, 0, NS, "device_only", &e), KAKUNIN_OK);
    CHECK(e != NULL && kakunin_element_is_device_signed(e) && text_is(e, "holder says"));
    e = NULL;
    CHECK_STATUS(kakunin_verification_document_find_device_element(v, 0, NS, "given_name", &e), KAKUNIN_NOT_FOUND);
    CHECK(e == NULL);

    /* Arguments. */
    CHECK_STATUS(kakunin_verification_document_find_device_element(NULL, 0, NS, "family_name", &e),
                 KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_verification_document_find_device_element(v, 0, NULL, "family_name", &e),
                 KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_verification_document_find_device_element(v, 0, NS, "family_name", NULL),
                 KAKUNIN_NULL_PARAMETER);
    CHECK_STATUS(kakunin_verification_document_find_device_element(v, 1, NS, "family_name", &e),
                 KAKUNIN_OUT_OF_RANGE);

    kakunin_verification_free(v);
    free(response);
    kakunin_session_transcript_free(transcript);
    kakunin_verifier_free(verifier);
    if (failures) {
        fprintf(stderr, "test_device_elements: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_device_elements: all checks passed\n");
    return 0;
}
