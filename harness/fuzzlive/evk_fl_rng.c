#include "evk_fl_rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void evk_fl_rng_init(evk_fl_rng *r, uint64_t seed, uint64_t stream)
{
    /* Mix the stream through splitmix first: seeds n and n+1 must not give
     * overlapping sequences for neighbouring streams. */
    uint64_t x = seed ^ 0x5eed0f1ce5eed0f1ull;
    uint64_t y = splitmix64(&x) ^ (stream * 0xd1342543de82ef95ull);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&y);
}

uint64_t evk_fl_rng_next(evk_fl_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t evk_fl_rng_below(evk_fl_rng *r, uint64_t n)
{
    if (n == 0) return 0;
    /* Rejection keeps it exactly uniform (and so the same everywhere). */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do v = evk_fl_rng_next(r);
    while (v >= limit);
    return v % n;
}

uint64_t evk_fl_rng_range(evk_fl_rng *r, uint64_t lo, uint64_t hi)
{
    return lo + evk_fl_rng_below(r, hi - lo + 1);
}

bool evk_fl_rng_pct(evk_fl_rng *r, unsigned pct)
{
    return evk_fl_rng_below(r, 100) < pct;
}
