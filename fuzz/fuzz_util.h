/* fuzz_util.h - what every fuzz target shares: the invariant check and the
 * shipped profiles. Header-only so that each target stays one .c file.
 *
 * A broken invariant prints one line naming it and aborts: libFuzzer then
 * saves the input as a crash, and the replay driver exits non-zero.
 */
#ifndef EVK_FUZZ_UTIL_H
#define EVK_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "evk_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond, ...)                                                         \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: invariant broken: %s\n  ", __FILE__, __LINE__,  \
                    #cond);                                                         \
            fprintf(stderr, __VA_ARGS__);                                           \
            fputc('\n', stderr);                                                    \
            abort();                                                                \
        }                                                                           \
    } while (0)

enum { FZ_SEED = 0, FZ_STRICT = 1 };

/* The shipped profiles, loaded once (they are plain data: safe to share). */
static inline const evk_profile *fz_profile(int which)
{
    static evk_profile profiles[2];
    static int loaded;
    if (!loaded) {
        char err[256];
        if (evk_profile_load(&profiles[FZ_SEED], "seed", err, sizeof err) != 0 ||
            evk_profile_load(&profiles[FZ_STRICT], "strict", err, sizeof err) != 0) {
            fprintf(stderr, "cannot load the shipped profiles: %s\n", err);
            abort();
        }
        loaded = 1;
    }
    return &profiles[which ? FZ_STRICT : FZ_SEED];
}

/* A reader over the fuzzer's bytes: past the end it yields zeros, so every
 * input decodes to something. */
typedef struct fz_bytes {
    const uint8_t *p;
    size_t n, pos;
} fz_bytes;

static inline int fz_left(const fz_bytes *b)
{
    return b->pos < b->n;
}

static inline uint8_t fz_u8(fz_bytes *b)
{
    return b->pos < b->n ? b->p[b->pos++] : 0;
}

static inline uint16_t fz_u16(fz_bytes *b)
{
    uint16_t hi = fz_u8(b);
    return (uint16_t)(hi << 8 | fz_u8(b));
}

/* Up to want bytes taken as they are (fewer at the end of the input). */
static inline const uint8_t *fz_take(fz_bytes *b, size_t want, size_t *got)
{
    size_t k = b->n - b->pos < want ? b->n - b->pos : want;
    const uint8_t *at = b->p + b->pos;
    b->pos += k;
    *got = k;
    return at;
}

#endif
