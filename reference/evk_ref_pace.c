#include "evk_ref_pace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct owed {
    evk_uuid id;
    uint64_t due;    /* not before */
    uint64_t latest; /* batches: not after (once due) */
} owed;

struct evk_pace {
    evk_pace_opts o;
    uint64_t rng;
    owed *v; /* in arrival order */
    size_t n, cap;
};

bool evk_pace_active(const evk_pace_opts *o)
{
    return o->delay_ms > 0 || o->random_max_ms > 0 || o->batch > 1;
}

int evk_pace_check(const evk_pace_opts *o, uint64_t limit_ms, char *err, size_t errcap)
{
    if (o->random_max_ms == 0 || o->delay_ms + o->random_max_ms < limit_ms) return 0;
    char plus[48] = "";
    if (o->delay_ms) snprintf(plus, sizeof plus, " plus --ack-delay %llu ms", (unsigned long long)o->delay_ms);
    snprintf(err, errcap, "--ack-delay-random %llu ms%s is not below the ack limit of %llu ms: Acks could come late",
             (unsigned long long)o->random_max_ms, plus, (unsigned long long)limit_ms);
    return -1;
}

evk_pace *evk_pace_new(const evk_pace_opts *o, uint64_t seed)
{
    evk_pace *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    q->o = *o;
    q->rng = seed ? seed : 0x9e3779b97f4a7c15u;
    return q;
}

void evk_pace_free(evk_pace *q)
{
    if (!q) return;
    free(q->v);
    free(q);
}

static uint64_t next_random(evk_pace *q)
{
    /* xorshift64* */
    q->rng ^= q->rng >> 12;
    q->rng ^= q->rng << 25;
    q->rng ^= q->rng >> 27;
    return q->rng * 0x2545f4914f6cdd1du;
}

int evk_pace_owe(evk_pace *q, const evk_uuid *id, uint64_t now_ms, uint64_t limit_ms)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        owed *v = realloc(q->v, cap * sizeof *v);
        if (!v) return -1;
        q->v = v;
        q->cap = cap;
    }
    uint64_t delay = q->o.delay_ms;
    if (q->o.random_max_ms) delay += next_random(q) % (q->o.random_max_ms + 1);
    owed *e = &q->v[q->n++];
    e->id = *id;
    e->due = now_ms + delay;
    e->latest = e->due;
    if (q->o.batch > 1 && now_ms + limit_ms / 2 > e->latest) e->latest = now_ms + limit_ms / 2;
    return 0;
}

/* Move the entries with due <= now into out (newest first when reverse),
 * keeping the others in order. */
static size_t take_due(evk_pace *q, uint64_t now_ms, evk_uuid *out, size_t cap, bool reverse)
{
    size_t k = 0, keep = 0;
    for (size_t i = 0; i < q->n; i++) {
        if (q->v[i].due <= now_ms && k < cap) out[k++] = q->v[i].id;
        else q->v[keep++] = q->v[i];
    }
    q->n = keep;
    for (size_t i = 0; reverse && i < k / 2; i++) {
        evk_uuid t = out[i];
        out[i] = out[k - 1 - i];
        out[k - 1 - i] = t;
    }
    return k;
}

size_t evk_pace_take(evk_pace *q, uint64_t now_ms, evk_uuid *out, size_t cap)
{
    if (q->o.batch <= 1) return take_due(q, now_ms, out, cap, false);
    size_t ready = 0;
    bool overdue = false;
    for (size_t i = 0; i < q->n; i++) {
        if (q->v[i].due <= now_ms) ready++;
        if (q->v[i].latest <= now_ms) overdue = true;
    }
    if (ready < q->o.batch && !overdue) return 0;
    return take_due(q, now_ms, out, cap, true);
}

bool evk_pace_next(const evk_pace *q, uint64_t now_ms, uint64_t *at_ms)
{
    uint64_t at = UINT64_MAX;
    for (size_t i = 0; i < q->n; i++) {
        const owed *e = &q->v[i];
        if (q->o.batch <= 1 || e->due > now_ms) {
            if (e->due < at) at = e->due;
        }
        if (q->o.batch > 1 && e->latest < at) at = e->latest;
    }
    if (at == UINT64_MAX) return false;
    *at_ms = at;
    return true;
}

void evk_pace_clear(evk_pace *q)
{
    q->n = 0;
}

size_t evk_pace_owed(const evk_pace *q)
{
    return q->n;
}
