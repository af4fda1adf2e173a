/*
 * verify.c: the `verify` tool of examples/verify.rs, written against the C ABI
 * (include/kakunin.h). Same flags, same report, same JSON, same exit codes:
 *
 *   verify [--device-response FILE] [--trust-anchor FILE]... [--session-transcript FILE]
 *          [--reader-key FILE] [--at RFC3339] [--clock-skew SECONDS] [--json] [--issuer-only] [--audit]
 *
 * Exit 0 = valid, 1 = invalid, 2 = usage or I/O error. Input files may be
 * binary or hex text (whitespace ignored). With no --device-response, run from
 * the repository root, it verifies the bundled ISO 18013-5 Annex D sample.
 * Differences from the Rust tool: only DeviceResponse input (the Rust tool
 * also accepts a bare Document or IssuerSigned; the ABI has
 * kakunin_verifier_verify_document_issuer_only and _verify_issuer_signed for
 * those), and --at is taken to the whole second.
 *
 * Build (see README, "Use from C / Swift / Kotlin"):
 *   cargo build --release
 *   cc -std=c11 -Iinclude examples/c/verify.c target/release/libkakunin.a -lpthread -ldl -lm -o verify
 */
#include "kakunin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SAMPLE_RESPONSE "tests/data/iso18013-5-annex-d/device_response.hex"
#define SAMPLE_IACA "tests/data/iso18013-5-annex-d/iaca_cert.pem"
#define SAMPLE_TRANSCRIPT "tests/data/iso18013-5-annex-d/session_transcript_bytes.hex"
#define SAMPLE_READER_KEY "tests/data/iso18013-5-annex-d/e_reader_key.d.hex"
#define SAMPLE_TIME "2021-01-01T00:00:00Z"
#define MAX_ANCHORS 64
#define JP_MNC_DOCTYPE "org.iso.23220.1.jp.mnc"
#define EM_DASH "\xe2\x80\x94"

struct args {
    const char *device_response;
    const char *anchors[MAX_ANCHORS];
    size_t n_anchors;
    const char *transcript;
    const char *reader_key;
    const char *at;
    long long skew;
    int json;
    int issuer_only;
    int audit;
};

struct buf {
    uint8_t *data;
    size_t len;
};

static int usage(const char *msg) {
    fprintf(stderr, "verify: %s\n", msg);
    fprintf(stderr,
            "usage: verify [--device-response FILE] [--trust-anchor FILE]... [--session-transcript FILE] "
            "[--reader-key FILE] [--at RFC3339] [--clock-skew SECONDS] [--json] [--issuer-only] [--audit]\n");
    return 2;
}

static int fail(const char *path, const char *what) {
    fprintf(stderr, "verify: %s: %s\n", path, what);
    return 2;
}

static int fail_status(const char *path, uint32_t status) {
    uint32_t code = kakunin_status_error_code(status);
    if (code != 0) {
        fprintf(stderr, "verify: %s: %s: %s\n", path, kakunin_error_code_str(code), kakunin_status_str(status));
    } else {
        fprintf(stderr, "verify: %s: %s\n", path, kakunin_status_str(status));
    }
    return 2;
}

/* Reads a whole file. Returns 0 on success. */
static int read_file(const char *path, struct buf *out) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 8192, n = 0, got;
    uint8_t *data = malloc(cap);
    while (data && (got = fread(data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *bigger = realloc(data, cap * 2);
            if (!bigger) { free(data); data = NULL; break; }
            data = bigger;
            cap *= 2;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (!data || err) { free(data); return -1; }
    out->data = data;
    out->len = n;
    return 0;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/* Hex text (whitespace ignored, even number of digits) is decoded in place;
 * anything else is kept as binary. Mirrors decode_hex_or_binary in verify.rs. */
static void decode_hex_or_binary(struct buf *b) {
    size_t digits = 0;
    for (size_t i = 0; i < b->len; i++) {
        if (is_space(b->data[i])) continue;
        if (hexval(b->data[i]) < 0) return;
        digits++;
    }
    if (digits == 0 || digits % 2 != 0) return;
    size_t out = 0;
    int hi = -1;
    for (size_t i = 0; i < b->len; i++) {
        int v = hexval(b->data[i]);
        if (v < 0) continue;
        if (hi < 0) { hi = v; } else { b->data[out++] = (uint8_t)(hi * 16 + v); hi = -1; }
    }
    b->len = out;
}

static int read_input(const char *path, struct buf *out) {
    if (read_file(path, out) != 0) return fail(path, strerror(errno));
    decode_hex_or_binary(out);
    return 0;
}

static int parse_args(int argc, char **argv, struct args *a, const char **err) {
    static char msg[256];
    for (int i = 1; i < argc; i++) {
        char name[64];
        const char *flag = argv[i], *inline_value = NULL;
        const char *eq = strchr(flag, '=');
        if (strncmp(flag, "--", 2) == 0 && eq && (size_t)(eq - flag) < sizeof name) {
            memcpy(name, flag, (size_t)(eq - flag));
            name[eq - flag] = '\0';
            inline_value = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", flag);
        }
        int takes_value = !strcmp(name, "--device-response") || !strcmp(name, "--trust-anchor") ||
                          !strcmp(name, "--session-transcript") || !strcmp(name, "--reader-key") ||
                          !strcmp(name, "--at") || !strcmp(name, "--clock-skew");
        const char *value = NULL;
        if (takes_value) {
            value = inline_value ? inline_value : (i + 1 < argc ? argv[++i] : NULL);
            if (!value) {
                snprintf(msg, sizeof msg, "%s needs a value", name);
                *err = msg;
                return -1;
            }
        }
        if (!strcmp(name, "--device-response")) {
            a->device_response = value;
        } else if (!strcmp(name, "--trust-anchor")) {
            if (a->n_anchors == MAX_ANCHORS) { *err = "too many --trust-anchor"; return -1; }
            a->anchors[a->n_anchors++] = value;
        } else if (!strcmp(name, "--session-transcript")) {
            a->transcript = value;
        } else if (!strcmp(name, "--reader-key")) {
            a->reader_key = value;
        } else if (!strcmp(name, "--at")) {
            a->at = value;
        } else if (!strcmp(name, "--clock-skew")) {
            char *end = NULL;
            errno = 0;
            a->skew = strtoll(value, &end, 10);
            if (errno || !end || *end || end == value) {
                snprintf(msg, sizeof msg, "--clock-skew: not a number of seconds: %s", value);
                *err = msg;
                return -1;
            }
            if (a->skew < 0) { *err = "--clock-skew must not be negative"; return -1; }
        } else if (!strcmp(name, "--json")) {
            a->json = 1;
        } else if (!strcmp(name, "--issuer-only")) {
            a->issuer_only = 1;
        } else if (!strcmp(name, "--audit")) {
            a->audit = 1;
        } else if (!strcmp(name, "-h") || !strcmp(name, "--help")) {
            *err = "help";
            return -1;
        } else {
            snprintf(msg, sizeof msg, "unknown argument %s", flag);
            *err = msg;
            return -1;
        }
    }
    return 0;
}

/* PKCS#8/SEC1 (PEM or DER) or COSE_Key; else hex or binary; a 32-byte
 * value is a P-256 scalar. Mirrors load_reader_key in verify.rs. */
static int load_reader_key(const char *path, kakunin_reader_key **out) {
    struct buf raw;
    if (read_file(path, &raw) != 0) return fail(path, strerror(errno));
    uint32_t st = kakunin_reader_key_from_bytes(raw.data, raw.len, out);
    if (st == KAKUNIN_OK) { free(raw.data); return 0; }
    decode_hex_or_binary(&raw);
    if (raw.len == 32 && kakunin_reader_key_from_scalar(1, raw.data, raw.len, out) == KAKUNIN_OK) {
        free(raw.data);
        return 0;
    }
    st = kakunin_reader_key_from_bytes(raw.data, raw.len, out);
    free(raw.data);
    return st == KAKUNIN_OK ? 0 : fail_status(path, st);
}

static void print_str(kakunin_str s) { printf("%.*s", (int)s.len, s.data); }

static kakunin_str field(const kakunin_verification *v, size_t doc, uint32_t f) {
    kakunin_str s = {"", 0};
    kakunin_verification_document_field(v, doc, f, &s);
    return s;
}

static void print_value(const kakunin_element *e) {
    kakunin_str s;
    kakunin_bytes b;
    switch (kakunin_element_type(e)) {
    case KAKUNIN_VALUE_TEXT:
        if (kakunin_element_text(e, &s) == KAKUNIN_OK) print_str(s);
        break;
    case KAKUNIN_VALUE_BYTES:
        if (kakunin_element_bytes(e, &b) == KAKUNIN_OK) printf("<%zu bytes>", b.len);
        break;
    default:
        if (kakunin_element_json(e, &s) == KAKUNIN_OK) print_str(s);
        break;
    }
}

/* The four basic items of a My Number Card (verify.rs print_basic_four). */
static void print_basic_four(const kakunin_verification *v, size_t i, kakunin_str doc_type) {
    if (doc_type.len != strlen(JP_MNC_DOCTYPE) || memcmp(doc_type.data, JP_MNC_DOCTYPE, doc_type.len) != 0) return;
    static const struct { uint32_t item; const char *label; } rows[] = {
        {KAKUNIN_BASIC_FULL_NAME, "\xe6\xb0\x8f\xe5\x90\x8d (name):         "},
        {KAKUNIN_BASIC_ADDRESS, "\xe4\xbd\x8f\xe6\x89\x80 (address):      "},
        {KAKUNIN_BASIC_BIRTH_DATE, "\xe7\x94\x9f\xe5\xb9\xb4\xe6\x9c\x88\xe6\x97\xa5 (birth):    "},
        {KAKUNIN_BASIC_SEX_TEXT, "\xe6\x80\xa7\xe5\x88\xa5 (sex):          "},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        kakunin_str s;
        printf("  %s", rows[r].label);
        if (kakunin_verification_document_basic_item(v, i, rows[r].item, &s) == KAKUNIN_OK) {
            print_str(s);
        } else {
            printf("(not disclosed)");
        }
        printf("\n");
    }
}

static void print_document(const kakunin_verification *v, size_t i) {
    bool valid = false;
    kakunin_verification_document_is_valid(v, i, &valid);
    kakunin_str doc_type = field(v, i, KAKUNIN_FIELD_DOC_TYPE);
    if (!valid) {
        printf("\nDocument %zu: %.*s " EM_DASH " REJECTED\n", i, (int)doc_type.len, doc_type.data);
        size_t n = 0;
        kakunin_verification_document_error_count(v, i, &n);
        for (size_t j = 0; j < n; j++) {
            uint32_t code;
            kakunin_str msg;
            if (kakunin_verification_document_error(v, i, j, &code, &msg) == KAKUNIN_OK) {
                printf("  %s: %.*s\n", kakunin_error_code_str(code), (int)msg.len, msg.data);
            }
        }
        return;
    }
    printf("\nDocument %zu: %.*s " EM_DASH " verified\n", i, (int)doc_type.len, doc_type.data);
    printf("  issuer:      ");
    print_str(field(v, i, KAKUNIN_FIELD_ISSUER_SUBJECT));
    printf(" (serial ");
    print_str(field(v, i, KAKUNIN_FIELD_ISSUER_SERIAL_HEX));
    printf(")\n  trust anchor: ");
    print_str(field(v, i, KAKUNIN_FIELD_ANCHOR_SUBJECT));
    printf("\n  MSO valid:   ");
    print_str(field(v, i, KAKUNIN_FIELD_MSO_VALID_FROM));
    printf(" .. ");
    print_str(field(v, i, KAKUNIN_FIELD_MSO_VALID_UNTIL));
    printf(" (signed ");
    print_str(field(v, i, KAKUNIN_FIELD_MSO_SIGNED));
    printf(")\n  device auth: ");
    kakunin_str auth;
    if (kakunin_verification_document_field(v, i, KAKUNIN_FIELD_DEVICE_AUTH, &auth) == KAKUNIN_OK) {
        print_str(auth);
    } else {
        printf("not checked (issuer only)");
    }
    printf("\n");
    print_basic_four(v, i, doc_type);
    size_t n = 0;
    kakunin_verification_document_warning_count(v, i, &n);
    for (size_t w = 0; w < n; w++) {
        kakunin_str ns = {"", 0}, id = {"", 0}, expected = {"", 0}, received = {"", 0};
        kakunin_verification_document_warning(v, i, w, KAKUNIN_WARNING_NAMESPACE, &ns);
        kakunin_verification_document_warning(v, i, w, KAKUNIN_WARNING_ELEMENT, &id);
        kakunin_verification_document_warning(v, i, w, KAKUNIN_WARNING_EXPECTED, &expected);
        kakunin_verification_document_warning(v, i, w, KAKUNIN_WARNING_RECEIVED, &received);
        printf("  warning:     %.*s/%.*s is %.*s, expected %.*s\n", (int)ns.len, ns.data, (int)id.len, id.data,
               (int)received.len, received.data, (int)expected.len, expected.data);
    }
    n = 0;
    kakunin_verification_document_element_count(v, i, &n);
    kakunin_str prev_ns = {"", 0};
    int prev_device = -1;
    for (size_t k = 0; k < n; k++) {
        const kakunin_element *e;
        kakunin_str ns, id;
        if (kakunin_verification_document_element(v, i, k, &e) != KAKUNIN_OK ||
            kakunin_element_namespace(e, &ns) != KAKUNIN_OK || kakunin_element_identifier(e, &id) != KAKUNIN_OK) {
            continue;
        }
        int device = kakunin_element_is_device_signed(e);
        if (device != prev_device || ns.len != prev_ns.len || memcmp(ns.data, prev_ns.data, ns.len) != 0) {
            printf("  [%.*s]%s\n", (int)ns.len, ns.data, device ? " (device-signed)" : "");
            prev_ns = ns;
            prev_device = device;
        }
        printf("    %-28.*s ", (int)id.len, id.data);
        print_value(e);
        printf("\n");
    }
}

static void print_report(const kakunin_verification *v) {
    printf("Result: %s\n", kakunin_verification_is_valid(v) ? "VALID" : "INVALID");
    size_t n = kakunin_verification_error_count(v);
    for (size_t j = 0; j < n; j++) {
        uint32_t code;
        kakunin_str msg;
        if (kakunin_verification_error(v, j, &code, &msg) == KAKUNIN_OK) {
            printf("  response error %s: %.*s\n", kakunin_error_code_str(code), (int)msg.len, msg.data);
        }
    }
    size_t docs = kakunin_verification_document_count(v);
    for (size_t i = 0; i < docs; i++) print_document(v, i);
}

/* Returns the exit code: 0 valid, 1 invalid, 2 error. */
static int run(const struct args *a, int sample) {
    int rc = 2;
    kakunin_trust_store_builder *tb = kakunin_trust_store_builder_new();
    kakunin_trust_store *store = NULL;
    kakunin_verifier_builder *vb = NULL;
    kakunin_verifier *verifier = NULL;
    kakunin_session_transcript *transcript = NULL;
    kakunin_reader_key *reader_key = NULL;
    kakunin_verification *result = NULL;
    struct buf response = {NULL, 0};
    uint32_t st;

    if (!tb) goto out;
    for (size_t i = 0; i < a->n_anchors; i++) {
        struct buf pem;
        if (read_file(a->anchors[i], &pem) != 0) { fail(a->anchors[i], strerror(errno)); goto out; }
        st = kakunin_trust_store_builder_add_pem_or_der(tb, pem.data, pem.len);
        free(pem.data);
        if (st != KAKUNIN_OK) { fail_status(a->anchors[i], st); goto out; }
    }
    if (kakunin_trust_store_builder_build(tb, &store) != KAKUNIN_OK) goto out;
    if (kakunin_verifier_builder_new(store, &vb) != KAKUNIN_OK) goto out;
    if (kakunin_verifier_builder_set_clock_skew(vb, (int64_t)a->skew) != KAKUNIN_OK) goto out;
    if (kakunin_verifier_builder_build(vb, &verifier) != KAKUNIN_OK) goto out;

    int64_t now = (int64_t)time(NULL);
    if (a->at && kakunin_parse_rfc3339(a->at, &now) != KAKUNIN_OK) {
        fprintf(stderr, "verify: --at: not an RFC 3339 date-time: %s\n", a->at);
        goto out;
    }
    if (a->transcript) {
        struct buf t;
        if (read_input(a->transcript, &t) != 0) goto out;
        st = kakunin_session_transcript_new(t.data, t.len, &transcript);
        free(t.data);
        if (st != KAKUNIN_OK) { fail_status(a->transcript, st); goto out; }
    }
    if (a->reader_key && load_reader_key(a->reader_key, &reader_key) != 0) goto out;
    if (read_input(a->device_response, &response) != 0) goto out;

    if (a->issuer_only) {
        st = kakunin_verifier_verify_device_response_issuer_only(verifier, response.data, response.len, now, &result);
    } else {
        st = kakunin_verifier_verify_device_response(verifier, response.data, response.len, transcript, reader_key,
                                                     now, &result);
    }
    if (st != KAKUNIN_OK) { fail_status(a->device_response, st); goto out; }

    if (a->json) {
        kakunin_str json;
        if (kakunin_verification_json(result, &json) != KAKUNIN_OK) goto out;
        if (a->audit) {
            /* The report object with one more member: the personal-data-free audit record. */
            kakunin_str audit;
            if (kakunin_verification_audit_json(result, &audit) != KAKUNIN_OK || json.len == 0) goto out;
            printf("%.*s,\"audit\":%.*s}\n", (int)json.len - 1, json.data, (int)audit.len, audit.data);
        } else {
            printf("%.*s\n", (int)json.len, json.data);
        }
    } else {
        if (sample) {
            char when[32];
            size_t len;
            if (kakunin_format_rfc3339(now, when, sizeof when, &len) != KAKUNIN_OK) goto out;
            printf("Verifying the bundled ISO 18013-5 Annex D sample at %s (DeviceMac with the Annex D reader key)\n\n",
                   when);
        }
        print_report(result);
        if (a->audit) {
            kakunin_str audit;
            if (kakunin_verification_audit_json(result, &audit) != KAKUNIN_OK) goto out;
            printf("\nAudit record: %.*s\n", (int)audit.len, audit.data);
        }
    }
    rc = kakunin_verification_is_valid(result) ? 0 : 1;
out:
    kakunin_verification_free(result);
    free(response.data);
    kakunin_reader_key_free(reader_key);
    kakunin_session_transcript_free(transcript);
    kakunin_verifier_free(verifier);
    kakunin_verifier_builder_free(vb);
    kakunin_trust_store_free(store);
    kakunin_trust_store_builder_free(tb);
    return rc;
}

int main(int argc, char **argv) {
    struct args a;
    memset(&a, 0, sizeof a);
    const char *err = NULL;
    if (parse_args(argc, argv, &a, &err) != 0) return usage(err);
    int sample = a.device_response == NULL;
    if (sample) {
        a.device_response = SAMPLE_RESPONSE;
        if (a.n_anchors == 0) a.anchors[a.n_anchors++] = SAMPLE_IACA;
        if (!a.transcript) a.transcript = SAMPLE_TRANSCRIPT;
        if (!a.reader_key) a.reader_key = SAMPLE_READER_KEY;
        if (!a.at) a.at = SAMPLE_TIME;
    }
    return run(&a, sample);
}
