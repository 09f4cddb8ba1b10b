#include "evk_fl_min.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_err.h"
#include "evk_jobj.h"
#include "evk_json.h"

static bool down_kind(const evk_fl_class *c)
{
    return c->primary == EVK_FL_T_CRASH || c->primary == EVK_FL_T_HANG;
}

static bool out_of_time(const evk_fl_min_opts *o)
{
    const volatile int *stop = o->target->stop;
    return (stop && *stop) || (o->deadline_ms && evk_clock_ms() >= o->deadline_ms);
}

/* Run candidates; ok[i]: candidate i reproduced. Returns -1 when the run
 * could not be made or was cut short (ok[] is then not to be trusted). */
static int test(const evk_fl_min_opts *o, evk_fl_case *const *cands, size_t n, bool *ok, evk_case_result *first,
                evk_fl_min_stats *st)
{
    evk_case_result *res = calloc(n ? n : 1, sizeof *res);
    if (!res) return -1;
    int rc = 0;
    memset(ok, 0, n * sizeof *ok);
    st->rounds++;
    if (!down_kind(o->want)) {
        rc = evk_fl_run(o->target, cands, n, res) < 0 ? -1 : 0;
        st->sessions += (unsigned)n;
        for (size_t i = 0; i < n && rc == 0; i++) {
            evk_fl_class c;
            evk_fl_classify(&res[i], &c);
            ok[i] = evk_fl_reproduces(o->want, &c);
        }
    } else {
        /* One at a time: a crash takes every other session with it. */
        for (size_t i = 0; i < n && rc == 0; i++) {
            char err[256];
            if (evk_fl_wait_up(o->target, o->restart_wait_ms, err, sizeof err) != EVK_FL_UP) {
                rc = -1;
                break;
            }
            if (evk_fl_run(o->target, &cands[i], 1, &res[i]) < 0) {
                rc = -1;
                break;
            }
            st->sessions++;
            evk_fl_class c;
            evk_fl_classify(&res[i], &c);
            evk_fl_up up = evk_fl_probe(o->target, err, sizeof err);
            if (up != EVK_FL_UP) evk_fl_class_set_down(&c, up == EVK_FL_HUNG);
            ok[i] = evk_fl_reproduces(o->want, &c);
        }
    }
    if (out_of_time(o)) rc = -1;
    for (size_t i = 0; i < n; i++) {
        if (first && ok[i] && rc == 0) {
            *first = res[i]; /* handed over: the caller resets it */
            first = NULL;
            continue;
        }
        evk_result_reset(&res[i]);
    }
    free(res);
    return rc;
}

/* A copy of c whose id is unique in a batch (client targets route by id). */
static evk_fl_case *variant(const evk_fl_case *c, const bool *keep, unsigned k)
{
    evk_fl_case *v = evk_fl_case_subset(c, keep);
    if (v) {
        char id[sizeof v->id];
        snprintf(id, sizeof id, "%.40s.m%u", c->id, k);
        snprintf(v->id, sizeof v->id, "%s", id);
    }
    return v;
}

unsigned evk_fl_check(const evk_fl_min_opts *o, const evk_fl_case *fc, unsigned times, evk_case_result *result,
                      evk_fl_min_stats *st)
{
    evk_fl_case **c = calloc(times ? times : 1, sizeof *c);
    bool *ok = calloc(times ? times : 1, sizeof *ok);
    unsigned n = 0, good = 0;
    if (c && ok) {
        for (; n < times; n++)
            if (!(c[n] = variant(fc, NULL, n))) break;
        if (n == times && test(o, c, n, ok, result, st) == 0)
            for (unsigned i = 0; i < n; i++) good += ok[i];
    }
    for (unsigned i = 0; i < n; i++) evk_fl_case_free(c[i]);
    free(c);
    free(ok);
    return good;
}

/* ddmin over the steps of cur; returns the smaller case (or cur). */
static evk_fl_case *ddmin(const evk_fl_min_opts *o, evk_fl_case *cur, evk_fl_min_stats *st)
{
    size_t gran = 2;
    unsigned serial = 100;
    while (cur->n >= 1 && !out_of_time(o)) {
        size_t len = cur->n;
        if (gran > len) gran = len;
        /* Candidates: each chunk alone (when more than one), then each complement. */
        size_t ncand = (gran > 1 ? gran : 0) + gran;
        evk_fl_case **cand = calloc(ncand, sizeof *cand);
        bool *ok = calloc(ncand, sizeof *ok), *keep = calloc(len, sizeof *keep);
        size_t made = 0;
        if (!cand || !ok || !keep) {
            free(cand), free(ok), free(keep);
            break;
        }
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 0 && gran == 1) continue;
            for (size_t c = 0; c < gran; c++) {
                size_t lo = c * len / gran, hi = (c + 1) * len / gran;
                for (size_t i = 0; i < len; i++) keep[i] = ((i >= lo && i < hi) == (pass == 0));
                cand[made] = variant(cur, keep, serial++);
                if (!cand[made]) break;
                made++;
            }
        }
        int rc = made == ncand ? test(o, cand, made, ok, NULL, st) : -1;
        evk_fl_case *next = NULL;
        size_t next_gran = gran;
        for (size_t i = 0; rc == 0 && i < made; i++) {
            if (!ok[i]) continue;
            next = cand[i];
            cand[i] = NULL;
            bool subset = gran > 1 && i < gran;
            next_gran = subset ? 2 : (gran > 2 ? gran - 1 : 2);
            break;
        }
        for (size_t i = 0; i < made; i++) evk_fl_case_free(cand[i]);
        free(cand), free(ok), free(keep);
        if (rc < 0) {
            st->cut_short = true;
            break;
        }
        if (next) {
            evk_fl_case_free(cur);
            cur = next;
            gran = next_gran;
            continue;
        }
        if (gran >= len) break; /* every single step is needed */
        gran = gran * 2 < len ? gran * 2 : len;
    }
    return cur;
}

/* Shrink the count of step i (EVENTS or HOLD) by bisection. */
static evk_fl_case *shrink_count(const evk_fl_min_opts *o, evk_fl_case *cur, size_t i, evk_fl_min_stats *st)
{
    int lo = 0, hi = cur->steps[i].n; /* hi reproduces; lo is known not to (or 0) */
    for (int round = 0; round < 4 && hi - lo > 1 && !out_of_time(o); round++) {
        enum { K = 6 };
        int vals[K], nv = 0;
        for (int k = 1; k <= K; k++) {
            int v = lo + (int)((long long)(hi - lo) * k / (K + 1));
            if (v > lo && v < hi && (nv == 0 || vals[nv - 1] != v)) vals[nv++] = v;
        }
        if (!nv) break;
        evk_fl_case *cand[K] = {0};
        bool ok[K] = {0};
        int made = 0;
        for (; made < nv; made++) {
            cand[made] = variant(cur, NULL, 900u + (unsigned)made);
            if (!cand[made]) break;
            cand[made]->steps[i].n = vals[made];
        }
        int rc = made == nv ? test(o, cand, (size_t)made, ok, NULL, st) : -1;
        int best = -1;
        for (int k = 0; rc == 0 && k < nv; k++) {
            if (ok[k]) {
                best = k;
                break;
            }
            lo = vals[k];
        }
        if (best >= 0) {
            hi = vals[best];
            evk_fl_case_free(cur);
            cur = cand[best];
            cand[best] = NULL;
        }
        for (int k = 0; k < made; k++) evk_fl_case_free(cand[k]);
        if (rc < 0) {
            st->cut_short = true;
            break;
        }
    }
    return cur;
}

/* ---- members of the messages: a JSON object loses the members the
 * finding does not need (extra fields, mostly). ---- */

enum { MEMBERS_MAX = 64 }; /* candidates per message and round, at the most */

static bool json_step(const evk_step *s)
{
    return (s->kind == EVK_STEP_SEND || s->kind == EVK_STEP_SEND_FRAGMENTS) && s->msg.kind == EVK_MSG_NONE &&
           s->msg.raw;
}

static size_t raw_len(const evk_step *s)
{
    return s->msg.raw_len ? s->msg.raw_len : strlen(s->msg.raw);
}

/* Drops one member at a time from the JSON objects the case sends, as long
 * as the finding still reproduces: every (message, member) pair is a
 * candidate, all of a round run at once, the first that reproduces wins. */
static evk_fl_case *shrink_members(const evk_fl_min_opts *o, evk_fl_case *cur, evk_fl_min_stats *st)
{
    unsigned serial = 2000;
    for (int round = 0; round < 48 && !out_of_time(o); round++) {
        size_t ncand = 0, cap = 0;
        evk_fl_case **cand = NULL;
        bool failed = false;
        for (size_t i = 0; i < cur->n && !failed; i++) {
            if (!json_step(&cur->steps[i])) continue;
            const char *t = cur->steps[i].msg.raw;
            size_t n = raw_len(&cur->steps[i]), k;
            if (evk_json_members(t, n, NULL, 0, &k, NULL) < 0) k = 0; /* not an object: left alone */
            for (size_t m = 0; m < k && m < MEMBERS_MAX && !failed; m++) {
                size_t len = 0;
                char *text = evk_jobj_drop_at(t, n, m, &len);
                evk_fl_case *v = text ? variant(cur, NULL, serial++) : NULL;
                if (ncand == cap) {
                    size_t nc = cap ? cap * 2 : 16;
                    evk_fl_case **p = realloc(cand, nc * sizeof *p);
                    if (p) cand = p, cap = nc;
                }
                if (!v || ncand == cap) {
                    evk_fl_case_free(v);
                    free(text);
                    failed = true;
                    break;
                }
                if (evk_fl_case_set_raw(v, i, text, len) < 0) failed = true;
                free(text);
                cand[ncand++] = v;
            }
        }
        bool *ok = ncand ? calloc(ncand, sizeof *ok) : NULL;
        int rc = !failed && ok ? test(o, cand, ncand, ok, NULL, st) : -1;
        evk_fl_case *next = NULL;
        for (size_t i = 0; rc == 0 && i < ncand && !next; i++)
            if (ok[i]) next = cand[i], cand[i] = NULL;
        for (size_t i = 0; i < ncand; i++) evk_fl_case_free(cand[i]);
        free(cand);
        free(ok);
        if (ncand && rc < 0) st->cut_short = true;
        if (!next) break;
        evk_fl_case_free(cur);
        cur = next;
    }
    return cur;
}

evk_fl_case *evk_fl_minimise(const evk_fl_min_opts *o, const evk_fl_case *orig, evk_fl_min_stats *st)
{
    memset(st, 0, sizeof *st);
    evk_fl_case *cur = evk_fl_case_subset(orig, NULL);
    if (!cur) return NULL;
    cur = ddmin(o, cur, st);
    for (size_t i = 0; i < cur->n && !out_of_time(o); i++)
        if ((cur->steps[i].kind == EVK_STEP_EVENTS || cur->steps[i].kind == EVK_STEP_HOLD) && cur->steps[i].n > 1)
            cur = shrink_count(o, cur, i, st);
    /* Not for crashes and hangs: each candidate would cost a restart. */
    if (!down_kind(o->want)) cur = shrink_members(o, cur, st);
    bool smaller = cur->n < orig->n || evk_fl_case_text_bytes(cur) < evk_fl_case_text_bytes(orig);
    for (size_t i = 0; !smaller && i < cur->n; i++) smaller = cur->steps[i].n < orig->steps[i].n;
    if (smaller) {
        unsigned need = o->confirm ? o->confirm : 2;
        if (down_kind(o->want)) need = 1;
        if (out_of_time(o) || evk_fl_check(o, cur, need, NULL, st) < need) {
            /* Not reproducible enough (timing?): the original stands. */
            evk_fl_case_free(cur);
            cur = evk_fl_case_subset(orig, NULL);
            smaller = false;
        }
    }
    if (cur) snprintf(cur->id, sizeof cur->id, "%s", orig->id);
    st->shrunk = smaller;
    return cur;
}
