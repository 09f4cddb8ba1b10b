/* The reference peers' Ack pacing (reference/evk_ref_pace.h): fixed and
 * random delays, batches in reverse order, never later than the bound. */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "evk_ref_pace.h"

#define LIMIT 1000

static evk_uuid id_n(unsigned n)
{
    evk_uuid u;
    memset(&u, 0, sizeof u);
    u.b[15] = (uint8_t)n;
    u.b[14] = (uint8_t)(n >> 8);
    return u;
}

static unsigned n_of(const evk_uuid *u)
{
    return (unsigned)u->b[14] << 8 | u->b[15];
}

/* Owe Acks for Events 1..n at the given times, then take at each tick of
 * `at` and write "time:id,id;" into out: the observed schedule. */
static void run(const evk_pace_opts *o, const uint64_t *arrive, unsigned n, const uint64_t *at,
                unsigned nat, char *out, size_t cap)
{
    evk_pace *q = evk_pace_new(o, 42);
    ck_assert_ptr_nonnull(q);
    out[0] = '\0';
    unsigned next = 0;
    for (unsigned k = 0; k < nat; k++) {
        while (next < n && arrive[next] <= at[k]) {
            evk_uuid u = id_n(next + 1);
            ck_assert_int_eq(evk_pace_owe(q, &u, arrive[next], LIMIT), 0);
            next++;
        }
        evk_uuid got[64];
        size_t m = evk_pace_take(q, at[k], got, 64);
        if (!m) continue;
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%llu:", (unsigned long long)at[k]);
        for (size_t i = 0; i < m; i++) {
            len = strlen(out);
            snprintf(out + len, cap - len, "%s%u", i ? "," : "", n_of(&got[i]));
        }
        len = strlen(out);
        snprintf(out + len, cap - len, ";");
    }
    evk_pace_free(q);
}

static const struct {
    const char *what;
    evk_pace_opts o;
    uint64_t arrive[8];
    unsigned n;
    uint64_t at[12];
    unsigned nat;
    const char *want;
} rows[] = {
    {"fixed delay: each Ack 100 ms later, in order", {.delay_ms = 100}, {0, 10, 20}, 3,
     {0, 99, 100, 110, 119, 120}, 6, "100:1;110:2;120:3;"},
    {"batch of 3: held until three are due, then newest first", {.batch = 3}, {0, 10, 20, 30}, 4,
     {0, 10, 20, 30}, 4, "20:3,2,1;"},
    {"batch: a lone Ack goes at half the limit", {.batch = 3}, {0}, 1, {0, 499, 500}, 3, "500:1;"},
    {"batch with a fixed delay longer than half the limit: at the delay", {.delay_ms = 700, .batch = 2}, {0}, 1,
     {500, 699, 700}, 3, "700:1;"},
};

START_TEST(schedule_row)
{
    char got[256];
    run(&rows[_i].o, rows[_i].arrive, rows[_i].n, rows[_i].at, rows[_i].nat, got, sizeof got);
    ck_assert_msg(strcmp(got, rows[_i].want) == 0, "row %d (%s): want %s, got %s", _i, rows[_i].what,
                  rows[_i].want, got);
}
END_TEST

START_TEST(random_delays_stay_in_range_and_vary)
{
    evk_pace_opts o = {.delay_ms = 10, .random_max_ms = 200};
    evk_pace *q = evk_pace_new(&o, 7);
    for (unsigned i = 0; i < 200; i++) {
        evk_uuid u = id_n(i + 1);
        evk_pace_owe(q, &u, 1000, LIMIT);
    }
    unsigned taken = 0, distinct_times = 0;
    for (uint64_t t = 1000; t <= 1300; t++) {
        evk_uuid got[256];
        size_t m = evk_pace_take(q, t, got, 256);
        ck_assert_msg(m == 0 || (t >= 1010 && t <= 1210), "Acks taken at %llu", (unsigned long long)t);
        taken += (unsigned)m;
        distinct_times += m > 0;
    }
    ck_assert_uint_eq(taken, 200);
    ck_assert_uint_gt(distinct_times, 50);
    evk_pace_free(q);
}
END_TEST

START_TEST(next_and_clear)
{
    evk_pace_opts o = {.delay_ms = 50, .batch = 4};
    evk_pace *q = evk_pace_new(&o, 1);
    uint64_t at;
    ck_assert(!evk_pace_next(q, 0, &at));
    evk_uuid u = id_n(1);
    evk_pace_owe(q, &u, 0, LIMIT);
    ck_assert(evk_pace_next(q, 0, &at));
    ck_assert_uint_eq(at, 50); /* due: the batch count may change then */
    evk_uuid got[4];
    ck_assert_uint_eq(evk_pace_take(q, 60, got, 4), 0);
    ck_assert(evk_pace_next(q, 60, &at));
    ck_assert_uint_eq(at, 500); /* the bound: half the limit */
    evk_pace_clear(q);
    ck_assert_uint_eq(evk_pace_owed(q), 0);
    ck_assert(!evk_pace_next(q, 60, &at));
    evk_pace_free(q);
}
END_TEST

START_TEST(check_refuses_random_delays_at_the_limit)
{
    char err[200];
    evk_pace_opts ok = {.random_max_ms = 499}, bad = {.random_max_ms = 500}, sum = {.delay_ms = 300, .random_max_ms = 200};
    ck_assert_int_eq(evk_pace_check(&ok, 500, err, sizeof err), 0);
    ck_assert_int_eq(evk_pace_check(&bad, 500, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "not below the ack limit of 500 ms"));
    ck_assert_ptr_null(strchr(err, '\n'));
    ck_assert_int_eq(evk_pace_check(&sum, 500, err, sizeof err), -1);
    ck_assert(!evk_pace_active(&(evk_pace_opts){.batch = 1}));
    ck_assert(evk_pace_active(&(evk_pace_opts){.batch = 2}));
}
END_TEST

static Suite *pace_suite(void)
{
    Suite *s = suite_create("pace");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, schedule_row, 0, (int)(sizeof rows / sizeof rows[0]));
    tcase_add_test(tc, random_delays_stay_in_range_and_vary);
    tcase_add_test(tc, next_and_clear);
    tcase_add_test(tc, check_refuses_random_delays_at_the_limit);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(pace_suite)
