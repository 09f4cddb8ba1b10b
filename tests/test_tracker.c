/* The tracker of unacked Events: flow rules, deadlines, memory. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "evk_err.h"
#include "evk_tracker.h"

/* Deterministic ids: splitmix64 of a counter. */
static evk_uuid id_n(uint64_t n)
{
    evk_uuid u;
    for (int half = 0; half < 2; half++) {
        uint64_t z = n * 2 + (uint64_t)half + 0x9e3779b97f4a7c15ull;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        memcpy(u.b + 8 * half, &z, 8);
    }
    return u;
}

START_TEST(flow_rules)
{
    evk_tracker *t = evk_tracker_new(1000, 0, 42);
    evk_uuid a = id_n(1), b = id_n(2);
    ck_assert_int_eq(evk_tracker_sent(t, &a, 0), 0);
    ck_assert_int_eq(evk_tracker_sent(t, &a, 5), EVK_EDUPID); /* duplicate unacked */
    ck_assert_uint_eq(evk_tracker_count(t), 1);
    ck_assert_int_eq(evk_tracker_acked(t, &b), EVK_ENOTFOUND); /* unknown */
    ck_assert_int_eq(evk_tracker_acked(t, &a), 0);
    ck_assert_int_eq(evk_tracker_acked(t, &a), EVK_ENOTFOUND); /* already acked */
    ck_assert(!evk_tracker_contains(t, &a));
    ck_assert_int_eq(evk_tracker_sent(t, &a, 10), 0); /* reuse after ack */
    ck_assert(evk_tracker_contains(t, &a));
    uint64_t d;
    ck_assert(evk_tracker_next_deadline(t, &d, NULL));
    ck_assert_uint_eq(d, 1010); /* the new Event's own deadline */
    evk_tracker_free(t);
}
END_TEST

/* A clone is independent: same Events and deadlines, its own changes. */
START_TEST(clone_is_independent)
{
    evk_tracker *t = evk_tracker_new(1000, 0, 42);
    for (uint64_t i = 0; i < 300; i++) {
        evk_uuid u = id_n(i);
        ck_assert_int_eq(evk_tracker_sent(t, &u, i), 0);
    }
    for (uint64_t i = 0; i < 100; i++) {
        evk_uuid u = id_n(i * 3);
        ck_assert_int_eq(evk_tracker_acked(t, &u), 0);
    }
    evk_tracker *c = evk_tracker_clone(t);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(evk_tracker_count(c), 200);
    uint64_t d1, d2;
    evk_uuid o1, o2;
    ck_assert(evk_tracker_next_deadline(t, &d1, &o1) && evk_tracker_next_deadline(c, &d2, &o2));
    ck_assert_uint_eq(d1, d2);
    ck_assert(evk_uuid_equal(&o1, &o2));
    evk_uuid one = id_n(1);
    ck_assert_int_eq(evk_tracker_acked(c, &one), 0);
    ck_assert(evk_tracker_contains(t, &one) && !evk_tracker_contains(c, &one));
    evk_uuid fresh = id_n(1000);
    ck_assert_int_eq(evk_tracker_sent(t, &fresh, 500), 0);
    ck_assert(!evk_tracker_contains(c, &fresh));
    ck_assert_uint_eq(evk_tracker_count(t), 201);
    ck_assert_uint_eq(evk_tracker_count(c), 199);
    evk_tracker_free(t);
    evk_tracker_free(c);
}
END_TEST

START_TEST(deadlines_in_send_order)
{
    evk_tracker *t = evk_tracker_new(100, 0, 7);
    evk_uuid a = id_n(1), b = id_n(2), c = id_n(3), got;
    uint64_t d;
    evk_tracker_sent(t, &a, 0);
    evk_tracker_sent(t, &b, 10);
    evk_tracker_sent(t, &c, 20);
    ck_assert(evk_tracker_next_deadline(t, &d, &got));
    ck_assert_uint_eq(d, 100);
    ck_assert(evk_uuid_equal(&got, &a));
    ck_assert_int_eq(evk_tracker_acked(t, &a), 0); /* out of order is fine too */
    ck_assert(evk_tracker_next_deadline(t, &d, &got));
    ck_assert_uint_eq(d, 110);
    ck_assert_int_eq(evk_tracker_expire(t, 109, &got, &d), 0); /* one ms early: nothing */
    ck_assert_int_eq(evk_tracker_expire(t, 110, &got, &d), 1); /* exactly at the limit */
    ck_assert(evk_uuid_equal(&got, &b));
    ck_assert_uint_eq(d, 110);
    ck_assert_int_eq(evk_tracker_expire(t, 500, &got, &d), 1);
    ck_assert(evk_uuid_equal(&got, &c));
    ck_assert_int_eq(evk_tracker_expire(t, 10000, &got, &d), 0);
    ck_assert(!evk_tracker_next_deadline(t, &d, &got));
    evk_tracker_free(t);
}
END_TEST

START_TEST(ack_in_the_middle_keeps_order)
{
    evk_tracker *t = evk_tracker_new(100, 0, 9);
    for (uint64_t i = 0; i < 10; i++) {
        evk_uuid u = id_n(i);
        evk_tracker_sent(t, &u, i);
    }
    for (uint64_t i = 1; i < 10; i += 2) {
        evk_uuid u = id_n(i);
        ck_assert_int_eq(evk_tracker_acked(t, &u), 0);
    }
    for (uint64_t i = 0; i < 10; i += 2) {
        evk_uuid got, want = id_n(i);
        uint64_t d;
        ck_assert_int_eq(evk_tracker_expire(t, 1000, &got, &d), 1);
        ck_assert(evk_uuid_equal(&got, &want));
        ck_assert_uint_eq(d, 100 + i);
    }
    ck_assert_uint_eq(evk_tracker_count(t), 0);
    evk_tracker_free(t);
}
END_TEST

START_TEST(time_never_goes_backwards)
{
    evk_tracker *t = evk_tracker_new(100, 0, 1);
    evk_uuid a = id_n(1), b = id_n(2), got;
    uint64_t d;
    evk_tracker_sent(t, &a, 500);
    evk_tracker_sent(t, &b, 100); /* an earlier now counts as 500 */
    evk_tracker_acked(t, &a);
    ck_assert(evk_tracker_next_deadline(t, &d, &got));
    ck_assert_uint_eq(d, 600);
    evk_tracker_free(t);
}
END_TEST

START_TEST(bounded_and_limit_changes)
{
    evk_tracker *t = evk_tracker_new(100, 3, 1);
    evk_uuid u[4] = {id_n(1), id_n(2), id_n(3), id_n(4)};
    for (int i = 0; i < 3; i++) ck_assert_int_eq(evk_tracker_sent(t, &u[i], 0), 0);
    ck_assert_int_eq(evk_tracker_sent(t, &u[3], 0), EVK_EFULL);
    ck_assert_int_eq(evk_tracker_set_limit(t, 5), EVK_ESTATE);
    for (int i = 0; i < 3; i++) evk_tracker_acked(t, &u[i]);
    ck_assert_int_eq(evk_tracker_set_limit(t, 5), 0);
    ck_assert_uint_eq(evk_tracker_limit(t), 5);
    evk_tracker_free(t);
    evk_tracker_free(NULL);
}
END_TEST

START_TEST(million_entries_memory_returns)
{
    enum { N = 1000000 };
    evk_tracker *t = evk_tracker_new(1000, 0, 12345);
    size_t base = mallinfo2().uordblks; /* no Check call until `after`: it allocates */
    int bad = 0;
    for (uint64_t i = 0; i < N; i++) {
        evk_uuid u = id_n(i);
        bad += evk_tracker_sent(t, &u, i / 1000) != 0;
    }
    size_t peak_count = evk_tracker_count(t), per_entry = evk_tracker_memory(t) / N;
    /* Ack in a scattered order: odd ones first, then even ones backwards. */
    for (uint64_t i = 1; i < N; i += 2) {
        evk_uuid u = id_n(i);
        bad += evk_tracker_acked(t, &u) != 0;
    }
    for (uint64_t i = N; i-- > 0;) {
        if (i % 2) continue;
        evk_uuid u = id_n(i);
        bad += evk_tracker_acked(t, &u) != 0;
    }
    size_t after = mallinfo2().uordblks;
    ck_assert_int_eq(bad, 0);
    ck_assert_uint_eq(peak_count, N);
    ck_assert_msg(per_entry <= 64, "%zu bytes per unacked Event", per_entry);
    ck_assert_uint_eq(evk_tracker_count(t), 0);
    ck_assert_uint_eq(evk_tracker_memory(t), 0);
    /* glibc counts chunks parked in its thread cache as in use, so a few KiB
     * stay visible; 64 KiB against a 40 MB peak still proves the return. */
    ck_assert_msg(after <= base + 65536, "heap grew by %zu bytes", after - base);
    evk_tracker_free(t);
}
END_TEST

/* Compare with a plain array model over random operations. */
START_TEST(matches_array_model)
{
    enum { OPS = 200000, IDS = 64 };
    struct { evk_uuid id; uint64_t deadline; uint64_t seq; } model[IDS];
    size_t n = 0;
    uint64_t now = 0, seq = 0, rng = 88172645463325252ull;
    evk_tracker *t = evk_tracker_new(50, 0, 3);
    int mismatches = 0;
    for (int op = 0; op < OPS; op++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        evk_uuid u = id_n(rng % IDS);
        size_t at = n;
        for (size_t i = 0; i < n; i++)
            if (evk_uuid_equal(&model[i].id, &u)) at = i;
        switch ((rng >> 20) % 4) {
        case 0: { /* send */
            int rc = evk_tracker_sent(t, &u, now);
            if (at < n) mismatches += rc != EVK_EDUPID;
            else {
                mismatches += rc != 0;
                model[n].id = u, model[n].deadline = now + 50, model[n].seq = seq++, n++;
            }
            break;
        }
        case 1: { /* ack */
            int rc = evk_tracker_acked(t, &u);
            if (at < n) {
                mismatches += rc != 0;
                memmove(&model[at], &model[at + 1], (n - at - 1) * sizeof model[0]);
                n--;
            } else {
                mismatches += rc != EVK_ENOTFOUND;
            }
            break;
        }
        case 2: now += (rng >> 40) % 20; break;
        default: { /* expire: the oldest (smallest seq) overdue one */
            evk_uuid got;
            uint64_t d;
            int r = evk_tracker_expire(t, now, &got, &d);
            size_t old = n;
            for (size_t i = 0; i < n; i++)
                if (old == n || model[i].seq < model[old].seq) old = i;
            if (old < n && model[old].deadline <= now) {
                mismatches += r != 1 || !evk_uuid_equal(&got, &model[old].id) || d != model[old].deadline;
                memmove(&model[old], &model[old + 1], (n - old - 1) * sizeof model[0]);
                n--;
            } else {
                mismatches += r != 0;
            }
        }
        }
        mismatches += evk_tracker_count(t) != n;
    }
    ck_assert_int_eq(mismatches, 0);
    evk_tracker_free(t);
}
END_TEST

START_TEST(error_texts)
{
    /* Every code has its own text; unknown codes get a fallback, never NULL. */
    ck_assert_str_eq(evk_strerror(EVK_OK), "success");
    ck_assert_str_eq(evk_strerror(EVK_EDUPID), "id is already among the unacked Events");
    ck_assert_str_eq(evk_strerror(EVK_ENOTFOUND), "no unacked Event has that id");
    ck_assert_str_eq(evk_strerror(12345), "unknown error");
    ck_assert(EVK_ENOMEM < 0 && EVK_EIO < 0 && EVK_ENOMEM != EVK_EIO);
}
END_TEST

static Suite *tracker_suite(void)
{
    Suite *s = suite_create("tracker");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, flow_rules);
    tcase_add_test(tc, clone_is_independent);
    tcase_add_test(tc, deadlines_in_send_order);
    tcase_add_test(tc, ack_in_the_middle_keeps_order);
    tcase_add_test(tc, time_never_goes_backwards);
    tcase_add_test(tc, bounded_and_limit_changes);
    tcase_add_test(tc, million_entries_memory_returns);
    tcase_add_test(tc, matches_array_model);
    tcase_add_test(tc, error_texts);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(tracker_suite)
