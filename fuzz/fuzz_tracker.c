/* fuzz_tracker: evk_tracker against a plain array, operation by operation.
 *
 * Input: 3 header bytes (ack limit, max_unacked, hash seed), then operations
 * (one byte each, plus arguments): send, ack, time passing, expire,
 * set_limit, bulk sends/acks to reach large sizes, raw 16-byte ids,
 * out-of-order clocks. The model is an array in send order with linear
 * search: obviously right, slow, and small (at most MODEL_MAX entries).
 * After every operation: the same result code, count, next deadline and
 * its id, limit, membership of the ids involved, and the id and deadline
 * each expire removes; an empty tracker holds no heap memory, a non-empty
 * one memory proportional to its size (evk_tracker.h).
 *
 * Time, as evk_tracker.h states it: a send's now_ms below an earlier send's
 * counts as that earlier one (deadlines never go backwards); expire
 * compares the deadline with the now_ms it is given.
 */
#include <string.h>

#include "evk_err.h"
#include "evk_tracker.h"
#include "fuzz_util.h"

#define MODEL_MAX 1024
#define MAX_OPS 4096

typedef struct model_entry {
    evk_uuid id;
    uint64_t deadline;
} model_entry;

typedef struct model {
    model_entry e[MODEL_MAX];
    size_t n, max;
    uint64_t limit, last_now;
} model;

static model m; /* static: 24 KiB is too much for every call's stack */

static evk_uuid pool_id(unsigned k)
{
    evk_uuid u;
    memset(u.b, 0x5a, sizeof u.b);
    u.b[0] = (uint8_t)(k >> 8);
    u.b[15] = (uint8_t)k;
    u.b[7] = (uint8_t)(k * 31u);
    return u;
}

static long model_find(const evk_uuid *id)
{
    for (size_t i = 0; i < m.n; i++)
        if (memcmp(m.e[i].id.b, id->b, 16) == 0) return (long)i;
    return -1;
}

static void model_remove(size_t i)
{
    memmove(&m.e[i], &m.e[i + 1], (m.n - i - 1) * sizeof m.e[0]);
    m.n--;
}

static int model_sent(const evk_uuid *id, uint64_t now)
{
    if (model_find(id) >= 0) return EVK_EDUPID;
    if (m.max && m.n >= m.max) return EVK_EFULL;
    if (now < m.last_now) now = m.last_now;
    m.last_now = now;
    m.e[m.n].id = *id;
    m.e[m.n].deadline = now + m.limit < now ? UINT64_MAX : now + m.limit;
    m.n++;
    return 0;
}

static int model_acked(const evk_uuid *id)
{
    long i = model_find(id);
    if (i < 0) return EVK_ENOTFOUND;
    model_remove((size_t)i);
    return 0;
}

/* Both sides of one send; skipped when the model is full and no max_unacked
 * bound would refuse it anyway. */
static void do_sent(evk_tracker *t, const evk_uuid *id, uint64_t now)
{
    if (m.n >= MODEL_MAX && (m.max == 0 || m.max > MODEL_MAX) && model_find(id) < 0) return;
    int want = model_sent(id, now);
    int got = evk_tracker_sent(t, id, now);
    FZ_CHECK(got == want, "sent: %s, model %s", evk_strerror(got), evk_strerror(want));
    FZ_CHECK(evk_tracker_contains(t, id) == (want != EVK_EFULL), "membership after a send: %s",
             evk_strerror(want));
}

static void do_acked(evk_tracker *t, const evk_uuid *id)
{
    int want = model_acked(id);
    int got = evk_tracker_acked(t, id);
    FZ_CHECK(got == want, "acked: %s, model %s", evk_strerror(got), evk_strerror(want));
    FZ_CHECK(!evk_tracker_contains(t, id), "an acked id is still contained");
}

/* One expire call on both; returns whether something expired. */
static int do_expire(evk_tracker *t, uint64_t now)
{
    evk_uuid id;
    uint64_t dl = 0;
    int want = m.n && m.e[0].deadline <= now;
    int got = evk_tracker_expire(t, now, &id, &dl);
    FZ_CHECK(got == want, "expire(%llu): %d, model %d", (unsigned long long)now, got, want);
    if (got) {
        FZ_CHECK(memcmp(id.b, m.e[0].id.b, 16) == 0 && dl == m.e[0].deadline,
                 "expired another Event (deadline %llu, model %llu)", (unsigned long long)dl,
                 (unsigned long long)m.e[0].deadline);
        FZ_CHECK(dl <= now, "expired before its deadline");
        model_remove(0);
        FZ_CHECK(!evk_tracker_contains(t, &id), "an expired id is still contained");
    }
    return got;
}

static void compare(const evk_tracker *t, bool full)
{
    FZ_CHECK(evk_tracker_count(t) == m.n, "count %zu, model %zu", evk_tracker_count(t), m.n);
    FZ_CHECK(evk_tracker_limit(t) == m.limit, "limit");
    uint64_t dl = 0;
    evk_uuid id;
    bool has = evk_tracker_next_deadline(t, &dl, &id);
    FZ_CHECK(has == (m.n > 0), "next_deadline says %d with %zu unacked", has, m.n);
    if (has)
        FZ_CHECK(dl == m.e[0].deadline && memcmp(id.b, m.e[0].id.b, 16) == 0,
                 "next deadline %llu, model %llu", (unsigned long long)dl,
                 (unsigned long long)m.e[0].deadline);
    size_t mem = evk_tracker_memory(t);
    if (m.n == 0) FZ_CHECK(mem == 0, "an empty tracker holds %zu bytes", mem);
    else FZ_CHECK(mem <= 1024 + 512 * m.n, "%zu bytes for %zu Events", mem, m.n);
    if (full)
        for (size_t i = 0; i < m.n; i++)
            FZ_CHECK(evk_tracker_contains(t, &m.e[i].id), "entry %zu of %zu lost", i, m.n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_bytes in = {data, size, 0};
    static const uint64_t limits[] = {0, 1, 1000, UINT64_MAX - 5, UINT64_MAX, 1000000000000000ull};
    static const size_t maxes[] = {0, 1, 2, 3, 5, 17, 33, 100};
    uint8_t b0 = fz_u8(&in), b1 = fz_u8(&in), b2 = fz_u8(&in);
    uint64_t now = b1 & 0x80 ? UINT64_MAX - 3000 : 0; /* near the top: saturation */

    memset(&m, 0, sizeof m);
    m.limit = b0 < 250 ? (uint64_t)b0 * 7 : limits[b0 - 250];
    m.max = maxes[b1 & 7];
    evk_tracker *t = evk_tracker_new(m.limit, m.max, (uint64_t)b2 * 0x9e3779b97f4a7c15ull);
    if (!t) return 0;

    for (int ops = 0; fz_left(&in) && ops < MAX_OPS; ops++) {
        uint8_t op = fz_u8(&in);
        evk_uuid id;
        switch (op & 15) {
        case 0: /* send a small-pool id */
            id = pool_id(fz_u8(&in));
            do_sent(t, &id, now);
            break;
        case 1: /* ack a small-pool id */
            id = pool_id(fz_u8(&in));
            do_acked(t, &id);
            break;
        case 2: { /* a little time */
            uint64_t dt = fz_u8(&in);
            now = now + dt < now ? UINT64_MAX : now + dt;
            break;
        }
        case 3: { /* much time */
            uint64_t dt = (uint64_t)fz_u16(&in) << (op >> 4);
            now = now + dt < now ? UINT64_MAX : now + dt;
            break;
        }
        case 4: /* one expire */
            do_expire(t, now);
            break;
        case 5: /* expire everything overdue */
            while (do_expire(t, now)) {}
            break;
        case 6: { /* expire at another moment, possibly earlier than now */
            int8_t delta = (int8_t)fz_u8(&in);
            uint64_t at = delta < 0 && now < (uint64_t)-delta ? 0 : now + (uint64_t)(int64_t)delta;
            if (delta > 0 && at < now) at = UINT64_MAX;
            do_expire(t, at);
            break;
        }
        case 7: { /* change the limit (refused while Events are unacked) */
            uint8_t k = fz_u8(&in);
            uint64_t lim = k < 250 ? (uint64_t)k * 13 : limits[k - 250];
            int want = m.n ? EVK_ESTATE : 0;
            int got = evk_tracker_set_limit(t, lim);
            FZ_CHECK(got == want, "set_limit: %s, model %s", evk_strerror(got), evk_strerror(want));
            if (got == 0) m.limit = lim;
            break;
        }
        case 8: { /* many sends with wide ids */
            unsigned base = fz_u16(&in), n = fz_u8(&in) % 64 + 1;
            for (unsigned i = 0; i < n; i++) {
                id = pool_id(base + i);
                do_sent(t, &id, now);
            }
            break;
        }
        case 9: { /* many acks, forwards or backwards */
            unsigned base = fz_u16(&in), n = fz_u8(&in) % 64 + 1;
            for (unsigned i = 0; i < n; i++) {
                id = pool_id(op & 0x10 ? base + n - 1 - i : base + i);
                do_acked(t, &id);
            }
            break;
        }
        case 10: /* a raw id */
        case 11: {
            size_t got;
            const uint8_t *raw = fz_take(&in, 16, &got);
            memset(id.b, 0, sizeof id.b);
            memcpy(id.b, raw, got);
            if ((op & 15) == 10) do_sent(t, &id, now);
            else do_acked(t, &id);
            break;
        }
        case 12: { /* a send whose clock reads earlier than a previous one */
            uint8_t back = fz_u8(&in);
            id = pool_id(fz_u8(&in));
            do_sent(t, &id, now < back ? 0 : now - back);
            break;
        }
        case 13: /* ack the k-th unacked Event in send order */
            if (m.n) {
                id = m.e[fz_u8(&in) % m.n].id;
                do_acked(t, &id);
            }
            break;
        case 14: /* ack the newest, or the oldest */
            if (m.n) {
                id = m.e[op & 0x10 ? m.n - 1 : 0].id;
                do_acked(t, &id);
            }
            break;
        default: { /* membership of a pool id */
            id = pool_id(fz_u8(&in));
            FZ_CHECK(evk_tracker_contains(t, &id) == (model_find(&id) >= 0), "contains disagrees");
            break;
        }
        }
        compare(t, (ops & 63) == 0);
    }
    compare(t, true);
    evk_tracker_free(t);
    return 0;
}
