#include "evk_judge.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_err.h"

uint64_t evk_default_tolerance(uint64_t limit_ms)
{
    uint64_t tenth = limit_ms / 10;
    return tenth > 150 ? tenth : 150;
}

int evk_obs_expect_ack(evk_obs *o, const evk_uuid *id, uint64_t t_sent)
{
    if (o->nacks == o->capacks) {
        size_t cap = o->capacks ? o->capacks * 2 : 8;
        evk_ack_expect *a = realloc(o->acks, cap * sizeof *a);
        if (!a) return EVK_ENOMEM;
        o->acks = a;
        o->capacks = cap;
    }
    o->acks[o->nacks++] = (evk_ack_expect){.id = *id, .t_sent = t_sent};
    return 0;
}

evk_ack_expect *evk_obs_find_ack(evk_obs *o, const evk_uuid *id)
{
    /* Newest first: a reused id belongs to its latest Event. */
    for (size_t i = o->nacks; i-- > 0;)
        if (evk_uuid_equal(&o->acks[i].id, id) && o->acks[i].seen == 0) return &o->acks[i];
    for (size_t i = o->nacks; i-- > 0;)
        if (evk_uuid_equal(&o->acks[i].id, id)) return &o->acks[i];
    return NULL;
}

void evk_obs_free(evk_obs *o)
{
    free(o->acks);
    o->acks = NULL;
    o->nacks = o->capacks = 0;
}

/* Appends "; "-separated phrases to a fixed buffer. */
typedef struct text {
    char *p;
    size_t cap, len;
} text;

EVK_PRINTF(2, 3) static void say(text *t, const char *fmt, ...)
{
    if (t->len + 3 >= t->cap) return;
    if (t->len) {
        memcpy(t->p + t->len, "; ", 2);
        t->len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n > 0) t->len += (size_t)n < t->cap - t->len ? (size_t)n : t->cap - t->len - 1;
}

static bool in_list(const int *codes, size_t n, int code)
{
    for (size_t i = 0; i < n; i++)
        if (codes[i] && codes[i] == code) return true;
    return false;
}

/* Is code an acceptable close for the predicted close or the case's alternatives? */
static bool accepted(const evk_case *c, const evk_profile *p, const evk_obs *o, int code, bool predicted)
{
    if (in_list(c->also_codes, EVK_COUNTOF(c->also_codes), code)) return true;
    if (c->also != EVK_V_NONE && evk_profile_accepts(p, c->also, code)) return true;
    if (!predicted) return false;
    if (o->close_violation == EVK_V_NONE) return code == o->close_code;
    return evk_profile_accepts(p, o->close_violation, code);
}

static void codes_text(const evk_case *c, const evk_profile *p, const evk_obs *o, bool predicted,
                       char *out, size_t cap)
{
    text t = {out, cap, 0};
    out[0] = '\0';
    char buf[96];
    if (predicted) {
        if (o->close_violation == EVK_V_NONE) snprintf(buf, sizeof buf, "%d", o->close_code);
        else evk_profile_codes_text(p, o->close_violation, buf, sizeof buf);
        say(&t, "%s", buf);
    }
    if (c->also != EVK_V_NONE) say(&t, "%s", evk_profile_codes_text(p, c->also, buf, sizeof buf));
    for (size_t i = 0; i < EVK_COUNTOF(c->also_codes); i++)
        if (c->also_codes[i]) say(&t, "%d", c->also_codes[i]);
    for (char *s = strstr(out, "; "); s; s = strstr(s, "; ")) memcpy(s, " |", 2);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void latency(const evk_obs *o, evk_latency *l)
{
    memset(l, 0, sizeof *l);
    double *v = malloc((o->nacks ? o->nacks : 1) * sizeof *v);
    if (!v) return;
    unsigned n = 0;
    for (size_t i = 0; i < o->nacks; i++)
        if (o->acks[i].seen) v[n++] = (double)(o->acks[i].t_first - o->acks[i].t_sent);
    if (n) {
        qsort(v, n, sizeof *v, cmp_double);
        l->samples = n;
        l->p50_ms = v[(n - 1) / 2];
        l->p99_ms = v[(size_t)((n - 1) * 0.99 + 0.5)];
        l->max_ms = v[n - 1];
    }
    free(v);
}

static void worse(evk_verdict *v, evk_verdict w)
{
    if (w > *v) *v = w;
}

/* A problem makes the verdict at least w and is recorded as a bit. */
static void found(evk_case_result *r, evk_verdict *v, evk_verdict w, evk_problem p)
{
    worse(v, w);
    r->problems |= EVK_PROBLEM_BIT(p);
}

static void end_text(const evk_obs *o, text *t)
{
    switch (o->end) {
    case EVK_END_CLOSE:
        if (o->close_predicted && !o->close_at_deadline && o->t_end >= o->t_close)
            say(t, "close %d after %llu ms", o->end_code, (unsigned long long)(o->t_end - o->t_close));
        else if (o->close_predicted && o->close_at_deadline)
            say(t, "close %d at %llu ms (%+lld ms from the deadline)", o->end_code, (unsigned long long)o->t_end,
                (long long)o->t_end - (long long)o->t_close);
        else
            say(t, "close %d at %llu ms", o->end_code, (unsigned long long)o->t_end);
        if (o->end_reason[0]) {
            /* the reason is the target's text: quote it, printable ASCII only */
            char r[EVK_REASON_MAX];
            size_t k = 0;
            for (const char *s = o->end_reason; *s && k + 1 < sizeof r; s++)
                r[k++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
            r[k] = '\0';
            say(t, "reason \"%s\"", r);
        }
        break;
    case EVK_END_DROP:
        say(t, "connection dropped without a close frame at %llu ms", (unsigned long long)o->t_end);
        break;
    case EVK_END_ERROR:
        say(t, "could not connect: %s", o->end_error);
        break;
    default:
        break;
    }
}

void evk_judge(const evk_case *c, const evk_profile *p, const evk_obs *o, uint64_t tol_ms,
               uint64_t wait_ms, evk_case_result *r)
{
    text exp = {r->expected, sizeof r->expected, 0}, obs = {r->observed, sizeof r->observed, 0};
    r->expected[0] = r->observed[0] = '\0';
    r->problems = 0;
    r->limit_ms = o->limit_ms;
    r->skipped = EVK_SKIP_NONE;
    r->expected_violation = o->close_predicted ? o->close_violation : EVK_V_NONE;
    r->end_code = o->end == EVK_END_CLOSE ? o->end_code : o->end == EVK_END_DROP ? -1 : 0;
    latency(o, &r->latency);
    if (o->skip && !o->target_violation[0]) { /* a violation is never hidden by a skip */
        r->verdict = EVK_VERDICT_SKIP;
        r->skipped = o->skip_why;
        say(&obs, "%s", o->skip_reason);
        return;
    }

    if (c->upgrade != EVK_UPGRADE_NONE) {
        int want = evk_upgrade_status(c->upgrade), also = evk_upgrade_also(c->upgrade);
        if (also) say(&exp, "HTTP %d (or %d)", want, also);
        else say(&exp, "HTTP %d", want);
        if (o->upgrade_accepted) say(&obs, "the upgrade was accepted (101)");
        else if (o->http_status) say(&obs, "refused with HTTP %d", o->http_status);
        else say(&obs, "%s", o->end_error[0] ? o->end_error : "no answer");
        r->verdict = evk_upgrade_accepts(c->upgrade, o->http_status) ? EVK_VERDICT_PASS : EVK_VERDICT_FAIL;
        return;
    }

    evk_verdict v = EVK_VERDICT_PASS;
    char codes[160];
    bool alt_close = false;

    /* Expected, in words. */
    if (o->close_predicted) {
        codes_text(c, p, o, true, codes, sizeof codes);
        if (o->close_at_deadline)
            say(&exp, "close %s at %llu±%llu ms (%s)", codes, (unsigned long long)o->t_close,
                (unsigned long long)tol_ms, evk_violation_text(o->close_violation));
        else
            say(&exp, "close %s (%s)", codes,
                o->close_violation == EVK_V_NONE ? o->close_reason : evk_violation_text(o->close_violation));
        if (o->nacks) say(&exp, "first %zu Ack(s)", o->nacks);
    } else {
        say(&exp, "%zu Ack(s) each within %llu ms, no close", o->nacks, (unsigned long long)o->limit_ms);
        codes_text(c, p, o, false, codes, sizeof codes);
        if (codes[0]) say(&exp, "or close %s", codes);
    }
    if (o->pings) say(&exp, "a pong");

    /* What happened, and what is wrong with it. */
    end_text(o, &obs);
    if (o->end == EVK_END_DROP) r->problems |= EVK_PROBLEM_BIT(EVK_P_DROP);
    if (o->end == EVK_END_ERROR) r->problems |= EVK_PROBLEM_BIT(EVK_P_CONNECT);
    if (o->close_predicted) {
        if (o->end == EVK_END_CLOSE) {
            if (!accepted(c, p, o, o->end_code, true)) {
                found(r, &v, EVK_VERDICT_FAIL, EVK_P_WRONG_CODE);
                say(&obs, "wrong close code");
            } else if (o->close_at_deadline && o->t_end + tol_ms < o->t_close) {
                found(r, &v, EVK_VERDICT_FAIL, EVK_P_EARLY_CLOSE);
                say(&obs, "closed %llu ms before the deadline", (unsigned long long)(o->t_close - o->t_end));
            } else if (o->close_at_deadline && o->t_end > o->t_close + tol_ms) {
                found(r, &v, EVK_VERDICT_FAIL, EVK_P_LATE_CLOSE);
                say(&obs, "closed %llu ms after the deadline", (unsigned long long)(o->t_end - o->t_close));
            }
        } else if (o->end == EVK_END_OPEN) {
            found(r, &v, EVK_VERDICT_FAIL, EVK_P_NO_CLOSE);
            say(&obs, "no close within %llu ms", (unsigned long long)wait_ms);
        } else { /* dropped or never opened: the bit below says which */
            worse(&v, EVK_VERDICT_FAIL);
        }
    } else if (o->end == EVK_END_CLOSE && accepted(c, p, o, o->end_code, false)) {
        alt_close = true; /* an outcome the protocol leaves open (e.g. 1009) */
    } else if (o->end == EVK_END_CLOSE || o->end == EVK_END_DROP) {
        found(r, &v, EVK_VERDICT_FAIL, EVK_P_CLOSED_VALID);
        say(&obs, "closed on valid traffic");
    } else if (o->end == EVK_END_ERROR) {
        worse(&v, EVK_VERDICT_FAIL); /* never connected: nothing was closed; the CONNECT bit says it */
    }

    if (!alt_close && o->nacks) {
        size_t missing = 0, doubled = 0, late = 0;
        const evk_ack_expect *first_missing = NULL, *first_doubled = NULL, *first_late = NULL;
        for (size_t i = 0; i < o->nacks; i++) {
            const evk_ack_expect *a = &o->acks[i];
            if (!a->seen) missing++, first_missing = first_missing ? first_missing : a;
            else if (a->seen > 1) doubled++, first_doubled = first_doubled ? first_doubled : a;
            if (a->seen && a->t_first > a->t_sent + o->limit_ms + tol_ms)
                late++, first_late = first_late ? first_late : a;
        }
        char ids[EVK_UUID_STRLEN + 1];
        say(&obs, "%zu of %zu Ack(s)", o->nacks - missing, o->nacks);
        if (missing) {
            found(r, &v, EVK_VERDICT_FAIL, EVK_P_MISSING_ACK);
            evk_uuid_format(&first_missing->id, ids);
            say(&obs, "%zu Event(s) never acked (first %s)", missing, ids);
        }
        if (doubled) {
            found(r, &v, EVK_VERDICT_FAIL, EVK_P_DOUBLE_ACK);
            evk_uuid_format(&first_doubled->id, ids);
            say(&obs, "%zu Event(s) acked more than once (first %s, %u times)", doubled, ids, first_doubled->seen);
        }
        if (late) {
            found(r, &v, EVK_VERDICT_FAIL, EVK_P_LATE_ACK);
            say(&obs, "%zu Ack(s) later than the limit (first after %llu ms)", late,
                (unsigned long long)(first_late->t_first - first_late->t_sent));
        }
    }
    if (r->latency.samples > 1)
        say(&obs, "Ack latency p50 %.0f ms, p99 %.0f ms, max %.0f ms", r->latency.p50_ms,
            r->latency.p99_ms, r->latency.max_ms);
    if (o->pings) {
        if (o->pong_owed) {
            found(r, &v, EVK_VERDICT_FAIL, EVK_P_NO_PONG);
            say(&obs, "no pong");
        } else {
            say(&obs, "pong received");
        }
    }
    if (o->unknown_acks) {
        found(r, &v, EVK_VERDICT_FAIL, EVK_P_UNKNOWN_ACK);
        say(&obs, "%u Ack(s) for no Event of ours (%s)", o->unknown_acks, o->unknown_ack);
    }
    if (o->target_violation[0]) {
        found(r, &v, EVK_VERDICT_FAIL, o->target_problem);
        say(&obs, "the target broke the protocol: %s", o->target_violation);
    }
    if (o->after_violation) {
        found(r, &v, p->silence_required ? EVK_VERDICT_FAIL : EVK_VERDICT_NON_STRICT, EVK_P_AFTER_VIOLATION);
        say(&obs, "%u message(s) after the violation, not silence (first: %s)", o->after_violation,
            o->first_after);
    }
    if (o->early_events) {
        if (p->early_message_is_violation && !o->close_predicted) {
            found(r, &v, EVK_VERDICT_FAIL, EVK_P_EARLY_EVENTS);
            say(&obs, "%u Event(s) before acking the handshake", o->early_events);
        } else {
            say(&obs, "%u Event(s) before acking the handshake (informational here)", o->early_events);
        }
    }
    if (o->note[0]) say(&obs, "%s", o->note);
    if (!obs.len) say(&obs, "as expected");

    bool info = (c->flags & EVK_CF_INFORMATIONAL) ||
                ((c->flags & EVK_CF_EARLY) && !p->early_message_is_violation);
    r->verdict = info ? EVK_VERDICT_INFO : v;
}
