/* evk_fl_rng.h - the live fuzzer's random numbers: a small, fast generator
 * whose whole output follows from a 64-bit seed (splitmix64 to seed,
 * xoshiro256** to draw), so that `--seed N` makes every session the same on
 * every machine.
 *
 * Ownership: an evk_fl_rng is plain caller storage (copyable with '=').
 * Errors: none. Time: reads no clock and no OS randomness.
 */
#ifndef EVK_FL_RNG_H
#define EVK_FL_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct evk_fl_rng {
    uint64_t s[4];
} evk_fl_rng;

/* Seed from two numbers (e.g. the run's seed and a session's index): the
 * streams of different pairs are independent. */
void evk_fl_rng_init(evk_fl_rng *r, uint64_t seed, uint64_t stream);
uint64_t evk_fl_rng_next(evk_fl_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint64_t evk_fl_rng_below(evk_fl_rng *r, uint64_t n);
/* Uniform in [lo, hi] (lo <= hi). */
uint64_t evk_fl_rng_range(evk_fl_rng *r, uint64_t lo, uint64_t hi);
/* True with probability pct/100. */
bool evk_fl_rng_pct(evk_fl_rng *r, unsigned pct);
/* One of n elements, picked uniformly: evk_fl_pick(r, array). */
#define evk_fl_pick(r, a) ((a)[evk_fl_rng_below((r), sizeof(a) / sizeof((a)[0]))])

#endif
