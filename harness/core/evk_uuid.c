#include "evk_uuid.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "evk_err.h"

/* Hex digit values; 16 marks "not a hex digit". */
static const unsigned char hexval_table[256] = {
#define S16 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16
    S16, S16, S16,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 16, 16, 16, 16, 16,          /* '0'-'9' */
    16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16, /* 'A'-'F' */
    S16,
    16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16, /* 'a'-'f' */
    S16, S16, S16, S16, S16, S16, S16, S16, S16, /* 0x70-0xff */
#undef S16
};

static int hexval(unsigned char c)
{
    unsigned v = hexval_table[c];
    return v < 16 ? (int)v : -1;
}

/* Offsets of the hyphens in the 36-character form. */
static bool is_hyphen_pos(size_t i)
{
    return i == 8 || i == 13 || i == 18 || i == 23;
}

int evk_uuid_parse(const char *s, size_t len, evk_uuid *out)
{
    if (!s || !out || len != EVK_UUID_STRLEN) return EVK_EINVAL;
    evk_uuid u;
    size_t nib = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_hyphen_pos(i)) {
            if (c != '-') return EVK_EINVAL;
            continue;
        }
        int v = hexval(c);
        if (v < 0) return EVK_EINVAL;
        if (nib % 2 == 0) u.b[nib / 2] = (uint8_t)(v << 4);
        else u.b[nib / 2] |= (uint8_t)v;
        nib++;
    }
    *out = u;
    return 0;
}

void evk_uuid_format(const evk_uuid *u, char out[EVK_UUID_STRLEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[u->b[i] >> 4];
        out[o++] = hex[u->b[i] & 15];
    }
    out[o] = '\0';
}

bool evk_uuid_equal(const evk_uuid *a, const evk_uuid *b)
{
    return memcmp(a->b, b->b, 16) == 0;
}

void evk_uuid_v4_from_bytes(const uint8_t random[16], evk_uuid *out)
{
    memcpy(out->b, random, 16);
    out->b[6] = (uint8_t)((out->b[6] & 0x0f) | 0x40); /* version 4 */
    out->b[8] = (uint8_t)((out->b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
}

/* Fill n bytes from the OS random source. 0 or EVK_ERANDOM. */
static int random_bytes(uint8_t *r, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = getrandom(r + got, n - got, 0);
        if (k < 0) {
            if (errno == EINTR) continue;
            return EVK_ERANDOM;
        }
        got += (size_t)k;
    }
    return 0;
}

int evk_uuid_v4(evk_uuid *out)
{
    uint8_t r[16];
    if (random_bytes(r, sizeof r) < 0) return EVK_ERANDOM;
    evk_uuid_v4_from_bytes(r, out);
    return 0;
}

uint64_t evk_random_u64(void)
{
    uint64_t v = 0;
    if (random_bytes((uint8_t *)&v, sizeof v) < 0) v = 0x9e3779b97f4a7c15ull; /* never fails on Linux >= 3.17 */
    return v;
}
