/* evk_bench - the in-process figures of `make bench`: validator throughput
 * against bare cJSON, tracker throughput and memory. Figures are medians of
 * several repetitions; each line reads `name: value unit (goal ...)`.
 *   evk_bench [validator|tracker|all]
 */
#include <cjson/cJSON.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evk_compose.h"
#include "evk_tracker.h"
#include "evk_validate.h"

#define REPS 5

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return v[n / 2];
}

/* A realistic mix of 100-300-byte Events and Acks of the strict profile. */
typedef struct msg { char text[400]; size_t len; } msg;

static msg *make_mix(const evk_profile *p, size_t n)
{
    msg *m = malloc(n * sizeof *m);
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) {
        uint8_t r[16];
        for (int k = 0; k < 16; k++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, r[k] = (uint8_t)x;
        evk_uuid id;
        evk_uuid_v4_from_bytes(r, &id);
        int64_t wall = 1767627242000000LL + (int64_t)i * 1000;
        if (i % 2) {
            evk_compose_ack(p, &id, wall, m[i].text, sizeof m[i].text, &m[i].len);
        } else {
            char payload[200];
            int extra = (int)(x % 120);
            snprintf(payload, sizeof payload, "{\"seq\":%zu,\"note\":\"%.*s\",\"ok\":true}", i, extra,
                     "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt "
                     "ut labore et dolore magna aliqua");
            evk_compose_event(p, &id, wall, payload, m[i].text, sizeof m[i].text, &m[i].len);
        }
    }
    return m;
}

static void bench_validator(void)
{
    evk_profile p;
    char err[256];
    if (evk_profile_load(&p, "strict", err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    const size_t n = 20000;
    msg *m = make_mix(&p, n);
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += m[i].len;
    double v[REPS], c[REPS];
    unsigned bad = 0;
    for (int r = 0; r < REPS; r++) {
        /* Interleave the two so machine noise hits both alike. */
        double t0 = now_s();
        for (int k = 0; k < 10; k++)
            for (size_t i = 0; i < n; i++) {
                evk_message out;
                evk_validate(&p, m[i].text, m[i].len, true, &out);
                bad += out.violation != EVK_V_NONE;
            }
        double t1 = now_s();
        for (int k = 0; k < 10; k++)
            for (size_t i = 0; i < n; i++) {
                cJSON *j = cJSON_ParseWithLength(m[i].text, m[i].len);
                bad += j == NULL;
                cJSON_Delete(j);
            }
        double t2 = now_s();
        v[r] = 10.0 * (double)n / (t1 - t0);
        c[r] = 10.0 * (double)n / (t2 - t1);
    }
    if (bad) fprintf(stderr, "bench: %u messages of the mix were not valid\n", bad);
    double mv = median(v, REPS), mc = median(c, REPS);
    printf("validator: %.0f messages/s (full validation, mix of %zu-byte average Events and Acks)\n", mv, bytes / n);
    printf("validator_vs_cjson: %.2f ratio (goal >= 0.85; bare cJSON_ParseWithLength+Delete: %.0f messages/s)\n",
           mv / mc, mc);
    free(m);
}

static void bench_tracker(void)
{
    const uint64_t n = 1000000;
    double ops[REPS], per_entry = 0;
    size_t after = 0, base = 0;
    evk_uuid *ids = malloc(n * sizeof *ids);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t r[16];
        for (int k = 0; k < 16; k++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, r[k] = (uint8_t)x;
        evk_uuid_v4_from_bytes(r, &ids[i]);
    }
    for (int r = 0; r < REPS; r++) {
        evk_tracker *t = evk_tracker_new(1000, 0, 42 + (uint64_t)r);
        base = mallinfo2().uordblks;
        /* 1,000,000 unacked, then steady state: one insert and one ack per op. */
        for (uint64_t i = 0; i < n; i++) evk_tracker_sent(t, &ids[i], i / 1000);
        per_entry = (double)evk_tracker_memory(t) / (double)n;
        evk_uuid extra;
        double t0 = now_s();
        for (uint64_t i = 0; i < n; i++) {
            extra = ids[i];
            extra.b[15] ^= 0x5a; /* a fresh id in the same distribution */
            evk_tracker_acked(t, &ids[i]);
            evk_tracker_sent(t, &extra, 1000 + i / 1000);
            ids[i] = extra;
        }
        double t1 = now_s();
        ops[r] = 2.0 * (double)n / (t1 - t0);
        for (uint64_t i = 0; i < n; i++) evk_tracker_acked(t, &ids[i]);
        after = mallinfo2().uordblks;
        if (evk_tracker_count(t) != 0 || evk_tracker_memory(t) != 0) fprintf(stderr, "bench: tracker not empty\n");
        evk_tracker_free(t);
    }
    printf("tracker: %.1f M ops/s (insert+ack with 1,000,000 unacked; goal >= 10 M ops/s)\n", median(ops, REPS) / 1e6);
    printf("tracker_bytes_per_entry: %.1f bytes (goal <= 64)\n", per_entry);
    printf("tracker_after_acking_all: %+ld bytes over the empty tracker's baseline (goal: back to baseline; "
           "allocator caches included)\n", (long)after - (long)base);
    free(ids);
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "all";
    if (!strcmp(what, "validator") || !strcmp(what, "all")) bench_validator();
    if (!strcmp(what, "tracker") || !strcmp(what, "all")) bench_tracker();
    return 0;
}
