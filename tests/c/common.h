/*
 * Shared by the C tests under tests/c (one copy instead of one per file):
 * the CHECK macros, a failure counter, and a file reader that decodes `.hex`
 * test vectors. Each test is a single translation unit, so everything here
 * is `static`; functions are `static inline` so an unused one draws no
 * warning under -Wall -Wextra -Werror.
 */
#ifndef KAKUNIN_TEST_COMMON_H
#define KAKUNIN_TEST_COMMON_H

#include "kakunin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                              \
        }                                                                            \
    } while (0)

/* On a mismatch also prints kakunin_last_error_message(). */
#define CHECK_STATUS(expr, want)                                                         \
    do {                                                                                 \
        uint32_t got_ = (expr);                                                          \
        if (got_ != (uint32_t)(want)) {                                                  \
            fprintf(stderr, "%s:%d: %s returned %u (%s), want %u; last error: %s\n",     \
                    __FILE__, __LINE__, #expr, got_, kakunin_status_str(got_),           \
                    (unsigned)(want), kakunin_last_error_message());                     \
            failures++;                                                                  \
        }                                                                                \
    } while (0)

static inline int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads a file; a name ending in ".hex" is decoded (whitespace ignored).
 * Exits with status 2 when the file cannot be read. Caller frees. */
static inline uint8_t *read_input(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            uint8_t *bigger = realloc(buf, cap);
            if (!bigger) free(buf);
            buf = bigger;
        }
    }
    fclose(f);
    if (!buf) exit(2);
    size_t plen = strlen(path);
    if (plen > 4 && strcmp(path + plen - 4, ".hex") == 0) {
        size_t out = 0;
        int hi = -1;
        for (size_t i = 0; i < n; i++) {
            int v = hexval(buf[i]);
            if (v < 0) continue;
            if (hi < 0) { hi = v; } else { buf[out++] = (uint8_t)(hi * 16 + v); hi = -1; }
        }
        n = out;
    }
    *len = n;
    return buf;
}

struct blob {
    uint8_t *data;
    size_t len;
};

static inline struct blob load(const char *path) {
    struct blob b;
    b.data = read_input(path, &b.len);
    return b;
}

static inline int str_eq(kakunin_str s, const char *want) {
    return s.len == strlen(want) && memcmp(s.data, want, s.len) == 0;
}

#endif /* KAKUNIN_TEST_COMMON_H */
