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

int evk_reading_expect_ack(evk_reading *d, const evk_uuid *id, uint64_t t_sent)
{
    if (d->nacks == d->capacks) {
        size_t cap = d->capacks ? d->capacks * 2 : 8;
        evk_ack_expect *a = realloc(d->acks, cap * sizeof *a);
        if (!a) return EVK_ENOMEM;
        d->acks = a;
        d->capacks = cap;
    }
    d->acks[d->nacks++] = (evk_ack_expect){.id = *id, .t_sent = t_sent};
    return 0;
}

evk_ack_expect *evk_reading_find_ack(evk_reading *d, const evk_uuid *id)
{
    /* Newest first: a reused id belongs to its latest Event. */
    for (size_t i = d->nacks; i-- > 0;)
        if (evk_uuid_equal(&d->acks[i].id, id) && d->acks[i].seen == 0) return &d->acks[i];
    for (size_t i = d->nacks; i-- > 0;)
        if (evk_uuid_equal(&d->acks[i].id, id)) return &d->acks[i];
    return NULL;
}

bool evk_reading_is_violating(const evk_reading *d, const evk_uuid *id)
{
    for (unsigned i = 0; i < d->nviolating_ids; i++)
        if (evk_uuid_equal(&d->violating_ids[i], id)) return true;
    return false;
}

int evk_reading_copy(evk_reading *out, const evk_reading *d)
{
    evk_ack_expect *a = NULL;
    if (d->nacks) {
        a = malloc(d->nacks * sizeof *a);
        if (!a) return EVK_ENOMEM;
        memcpy(a, d->acks, d->nacks * sizeof *a);
    }
    *out = *d;
    out->acks = a;
    out->capacks = d->nacks;
    return 0;
}

void evk_obs_free(evk_obs *o)
{
    for (size_t k = 0; k < EVK_READINGS_MAX; k++) {
        free(o->rd[k].acks);
        o->rd[k].acks = NULL;
        o->rd[k].nacks = o->rd[k].capacks = 0;
    }
}

uint64_t evk_obs_rtt_before(const evk_obs *o, uint64_t t)
{
    const evk_rtt_ping *best = NULL;
    size_t n = o->nrtt < EVK_RTT_MAX ? o->nrtt : EVK_RTT_MAX;
    for (size_t i = 0; i < n; i++) {
        const evk_rtt_ping *q = &o->rtt[i];
        if (q->t_sent <= t && (!best || q->t_sent >= best->t_sent)) best = q;
    }
    return best && best->ponged && best->t_pong >= best->t_sent ? best->t_pong - best->t_sent : 0;
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
static bool accepted(const evk_case *c, const evk_profile *p, const evk_reading *d, int code, bool predicted)
{
    if (in_list(c->also_codes, EVK_COUNTOF(c->also_codes), code)) return true;
    if (c->also != EVK_V_NONE && evk_profile_accepts(p, c->also, code)) return true;
    if (!predicted) return false;
    if (d->close_violation == EVK_V_NONE) return code == d->close_code;
    return evk_profile_accepts(p, d->close_violation, code);
}

static void codes_text(const evk_case *c, const evk_profile *p, const evk_reading *d, bool predicted,
                       char *out, size_t cap)
{
    text t = {out, cap, 0};
    out[0] = '\0';
    char buf[96];
    if (predicted) {
        if (d->close_violation == EVK_V_NONE) snprintf(buf, sizeof buf, "%d", d->close_code);
        else evk_profile_codes_text(p, d->close_violation, buf, sizeof buf);
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

static void latency(const evk_reading *d, evk_latency *l)
{
    memset(l, 0, sizeof *l);
    double *v = malloc((d->nacks ? d->nacks : 1) * sizeof *v);
    if (!v) return;
    unsigned n = 0;
    for (size_t i = 0; i < d->nacks; i++)
        if (d->acks[i].seen) v[n++] = (double)(d->acks[i].t_first - d->acks[i].t_sent);
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

static void end_text(const evk_obs *o, const evk_reading *d, text *t)
{
    switch (o->end) {
    case EVK_END_CLOSE:
        if (d->close_predicted && !d->close_at_deadline && o->t_end >= d->t_close)
            say(t, "close %d after %llu ms", o->end_code, (unsigned long long)(o->t_end - d->t_close));
        else if (d->close_predicted && d->close_at_deadline)
            say(t, "close %d at %llu ms (%+lld ms from the deadline)", o->end_code, (unsigned long long)o->t_end,
                (long long)o->t_end - (long long)d->t_close);
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

/* The Acks of our Events: each at most once, and those whose limit ran out
 * before t_cut (the violation, or an accepted close) exactly once and in time.
 * The others were still within their limit: a lazy peer may drop them. */
static void judge_acks(const evk_obs *o, const evk_reading *d, uint64_t t_cut, uint64_t tol,
                       evk_case_result *r, evk_verdict *v, text *obs)
{
    size_t missing = 0, doubled = 0, late = 0, seen = 0;
    const evk_ack_expect *first_missing = NULL, *first_doubled = NULL, *first_late = NULL;
    for (size_t i = 0; i < d->nacks; i++) {
        const evk_ack_expect *a = &d->acks[i];
        bool required = a->t_sent + o->limit_ms + tol <= t_cut;
        if (a->seen) seen++;
        if (!a->seen && required) missing++, first_missing = first_missing ? first_missing : a;
        else if (a->seen > 1) doubled++, first_doubled = first_doubled ? first_doubled : a;
        if (a->seen && a->t_first > a->t_sent + o->limit_ms + tol)
            late++, first_late = first_late ? first_late : a;
    }
    char ids[EVK_UUID_STRLEN + 1];
    say(obs, "%zu of %zu Ack(s)", seen, d->nacks);
    if (missing) {
        found(r, v, EVK_VERDICT_FAIL, EVK_P_MISSING_ACK);
        evk_uuid_format(&first_missing->id, ids);
        say(obs, "%zu Event(s) never acked (first %s)", missing, ids);
    }
    if (doubled) {
        found(r, v, EVK_VERDICT_FAIL, EVK_P_DOUBLE_ACK);
        evk_uuid_format(&first_doubled->id, ids);
        say(obs, "%zu Event(s) acked more than once (first %s, %u times)", doubled, ids, first_doubled->seen);
    }
    if (late) {
        found(r, v, EVK_VERDICT_FAIL, EVK_P_LATE_ACK);
        say(obs, "%zu Ack(s) later than the limit (first after %llu ms)", late,
            (unsigned long long)(first_late->t_first - first_late->t_sent));
    }
}

/* Acks that must come, of those predicted: all of them without a close;
 * with one, those whose limit had run out by then. */
static size_t required_acks(const evk_obs *o, const evk_reading *d, uint64_t t_cut, uint64_t tol)
{
    size_t n = 0;
    for (size_t i = 0; i < d->nacks; i++)
        if (d->acks[i].t_sent + o->limit_ms + tol <= t_cut) n++;
    return n;
}

/* What no choice of an informational case allows: the connection dropped
 * or never opened, nothing came, the target sent something invalid or Acks
 * of nothing, acked twice or late, stopped answering pings, or left one of
 * our messages neither acked nor refused (it kept the connection open). */
static bool broken_anyway(const evk_obs *o, const evk_case_result *r, const evk_reading *d)
{
    const unsigned hard = EVK_PROBLEM_BIT(EVK_P_DROP) | EVK_PROBLEM_BIT(EVK_P_CONNECT) |
                          EVK_PROBLEM_BIT(EVK_P_NO_RESPONSE) | EVK_PROBLEM_BIT(EVK_P_HANDSHAKE) |
                          EVK_PROBLEM_BIT(EVK_P_TARGET_INVALID) | EVK_PROBLEM_BIT(EVK_P_UNKNOWN_ACK) |
                          EVK_PROBLEM_BIT(EVK_P_DOUBLE_ACK) | EVK_PROBLEM_BIT(EVK_P_LATE_ACK) |
                          EVK_PROBLEM_BIT(EVK_P_NO_PONG) | EVK_PROBLEM_BIT(EVK_P_INTERNAL);
    if (r->problems & hard) return true;
    bool open = o->end == EVK_END_OPEN;
    if (open && (r->problems & EVK_PROBLEM_BIT(EVK_P_MISSING_ACK))) return true;
    return open && (r->problems & EVK_PROBLEM_BIT(EVK_P_NO_CLOSE)) && !d->acked_violation;
}

/* Nothing the target sent so far is wrong by itself: no Event of ours acked
 * twice, no Ack of nothing, no invalid message. A case that could not check
 * its own rule is skipped only then. */
static bool acks_clean(const evk_obs *o, const evk_reading *d)
{
    for (size_t i = 0; i < d->nacks; i++)
        if (d->acks[i].seen > 1) return false;
    return !d->unknown_acks && !o->target_violation[0];
}

/* One reading's verdict. */
static void judge_reading(const evk_case *c, const evk_profile *p, const evk_obs *o, const evk_reading *d,
                          uint64_t tol_ms, uint64_t wait_ms, evk_case_result *r)
{
    text exp = {r->expected, sizeof r->expected, 0}, obs = {r->observed, sizeof r->observed, 0};
    r->expected[0] = r->observed[0] = '\0';
    r->problems = 0;
    r->limit_ms = o->limit_ms;
    r->skipped = EVK_SKIP_NONE;
    r->expected_violation = d->close_predicted ? d->close_violation : EVK_V_NONE;
    r->end_code = o->end == EVK_END_CLOSE ? o->end_code : o->end == EVK_END_DROP ? -1 : 0;
    r->blocked = o->blocked;
    latency(d, &r->latency);
    if (o->skip && !o->target_violation[0]) { /* a violation is never hidden by a skip */
        r->verdict = EVK_VERDICT_SKIP;
        r->skipped = o->skip_why;
        say(&obs, "%s", o->skip_reason);
        return;
    }

    /* A server may close a client that sends too fast with 1008 (PROTOCOL.md
     * §4): exactly-once could not be checked, so the case is skipped; the Acks
     * that came before are still checked for doubles. */
    if ((c->flags & EVK_CF_RATE_LIMIT) && o->target_role == EVK_ROLE_SERVER && o->end == EVK_END_CLOSE &&
        o->end_code == EVK_CLOSE_POLICY && !d->close_predicted) {
        size_t seen = 0;
        for (size_t i = 0; i < d->nacks; i++) seen += d->acks[i].seen > 0;
        if (acks_clean(o, d)) {
            r->verdict = EVK_VERDICT_SKIP;
            r->skipped = EVK_SKIP_RATE_LIMITED;
            say(&exp, "%zu Ack(s) each within %llu ms, no close (or a server's 1008: then skipped)", d->nacks,
                (unsigned long long)o->limit_ms);
            say(&obs, "the target rate-limited the pipeline (close 1008 at %llu ms, after %zu of %zu Ack(s), none twice) "
                      "before exactly-once could be checked", (unsigned long long)o->t_end, seen, d->nacks);
            return;
        }
    }
    /* A close for an ack timeout at the limit of a target Event whose Ack
     * left within the tolerance (plus a round trip) of that limit: the
     * target's clock started when it sent the Event, before evack saw it,
     * and the Ack reached it later than it left (PROTOCOL.md §3), so a
     * correct target that got it late closes just so. The case could not
     * check its rule; a close before that limit still fails below. */
    if (!d->close_predicted && o->tight_ack && o->end == EVK_END_CLOSE &&
        evk_profile_accepts(p, EVK_V_ACK_TIMEOUT, o->end_code)) {
        uint64_t slack = tol_ms + evk_obs_rtt_before(o, o->tight_ack_left);
        if (o->t_end + slack >= o->tight_ack_limit && o->tight_ack_left + slack >= o->tight_ack_limit &&
            acks_clean(o, d)) {
            r->verdict = EVK_VERDICT_SKIP;
            r->skipped = EVK_SKIP_ACK_AT_LIMIT;
            say(&exp, "%zu Ack(s) each within %llu ms, no close", d->nacks, (unsigned long long)o->limit_ms);
            say(&obs, "closed %d at %llu ms for an ack timeout; evack's Ack of the target's Event left at %llu ms, "
                      "%llu ms before that Event's %llu ms limit ran out, within the tolerance plus round trip "
                      "(%llu ms): a correct target may have got it late; a longer limit would tell",
                o->end_code, (unsigned long long)o->t_end, (unsigned long long)o->tight_ack_left,
                (unsigned long long)(o->tight_ack_limit - o->tight_ack_left), (unsigned long long)o->limit_ms,
                (unsigned long long)slack);
            return;
        }
    }
    evk_verdict v = EVK_VERDICT_PASS;
    char codes[160];
    bool alt_close = false;
    /* "At once" (PROTOCOL.md §4): the deadline tolerance after the violating
     * message left, widened by the round trip of the ping just before it. */
    uint64_t rtt = d->close_predicted && !d->close_at_deadline ? evk_obs_rtt_before(o, d->t_close) : 0;
    uint64_t at_once = tol_ms + rtt;

    /* Expected, in words: a case stopped before its steps says what it would have checked. */
    if (o->blocked) {
        say(&exp, "not reached; the case would: %s", c->doing ? c->doing : c->id);
    } else if (d->close_predicted) {
        codes_text(c, p, d, true, codes, sizeof codes);
        if (d->close_at_deadline)
            say(&exp, "close %s at %llu±%llu ms (%s)", codes, (unsigned long long)d->t_close,
                (unsigned long long)tol_ms, evk_violation_text(d->close_violation));
        else
            say(&exp, "close %s within %llu ms (%s)", codes, (unsigned long long)at_once,
                d->close_violation == EVK_V_NONE ? d->close_reason : evk_violation_text(d->close_violation));
        if (d->nacks) {
            size_t req = required_acks(o, d, d->t_close, tol_ms);
            if (req == d->nacks) say(&exp, "first %zu Ack(s)", d->nacks);
            else say(&exp, "first %zu Ack(s), %zu of them optional (their limit still ran)", d->nacks, d->nacks - req);
        }
        if (!d->close_at_deadline && d->nviolating_ids) say(&exp, "no Ack of the violating message");
    } else {
        say(&exp, "%zu Ack(s) each within %llu ms, no close", d->nacks, (unsigned long long)o->limit_ms);
        codes_text(c, p, d, false, codes, sizeof codes);
        if (codes[0]) say(&exp, "or close %s", codes);
    }
    if (o->pings) say(&exp, "a pong");

    /* What happened, and what is wrong with it. */
    end_text(o, d, &obs);
    if (o->end == EVK_END_DROP) r->problems |= EVK_PROBLEM_BIT(EVK_P_DROP);
    if (o->end == EVK_END_ERROR) r->problems |= EVK_PROBLEM_BIT(EVK_P_CONNECT);
    uint64_t t_cut = UINT64_MAX; /* Acks of Events sent this long before it are optional */
    if (d->close_predicted) {
        t_cut = d->t_close;
        if (o->end == EVK_END_CLOSE) {
            if (!accepted(c, p, d, o->end_code, true)) {
                found(r, &v, EVK_VERDICT_FAIL, EVK_P_WRONG_CODE);
                say(&obs, "wrong close code");
            } else if (d->close_at_deadline && o->t_end + tol_ms < d->t_close) {
                found(r, &v, EVK_VERDICT_FAIL, EVK_P_EARLY_CLOSE);
                say(&obs, "closed %llu ms before the deadline", (unsigned long long)(d->t_close - o->t_end));
            } else if (d->close_at_deadline && o->t_end > d->t_close + tol_ms) {
                found(r, &v, EVK_VERDICT_FAIL, EVK_P_LATE_CLOSE);
                say(&obs, "closed %llu ms after the deadline", (unsigned long long)(o->t_end - d->t_close));
            } else if (!d->close_at_deadline && o->t_end > d->t_close + at_once) {
                found(r, &v, EVK_VERDICT_FAIL, EVK_P_LATE_CLOSE);
                say(&obs, "closed %llu ms after the violation, not at once (allowed %llu ms: tolerance %llu + round trip %llu)",
                    (unsigned long long)(o->t_end - d->t_close), (unsigned long long)at_once,
                    (unsigned long long)tol_ms, (unsigned long long)rtt);
            }
        } else if (o->end == EVK_END_OPEN) {
            found(r, &v, EVK_VERDICT_FAIL, EVK_P_NO_CLOSE);
            say(&obs, "no close within %llu ms", (unsigned long long)wait_ms);
        } else { /* dropped or never opened: the bit below says which */
            worse(&v, EVK_VERDICT_FAIL);
        }
    } else if (o->end == EVK_END_CLOSE && accepted(c, p, d, o->end_code, false)) {
        alt_close = true; /* an outcome the protocol leaves open (e.g. 1009) */
        t_cut = o->t_end;
    } else if (o->end == EVK_END_CLOSE || o->end == EVK_END_DROP) {
        found(r, &v, EVK_VERDICT_FAIL, EVK_P_CLOSED_VALID);
        say(&obs, "closed on valid traffic");
    } else if (o->end == EVK_END_ERROR) {
        worse(&v, EVK_VERDICT_FAIL); /* never connected: nothing was closed; the CONNECT bit says it */
    }

    if (d->nacks) judge_acks(o, d, t_cut, tol_ms, r, &v, &obs);
    (void)alt_close;
    if (d->acked_violation) {
        found(r, &v, EVK_VERDICT_FAIL, EVK_P_ACKED_VIOLATION);
        say(&obs, "acked the violating message itself (%u time(s)): it took it for valid", d->acked_violation);
    }
    if (r->latency.samples > 1)
        say(&obs, "Ack latency p50 %.0f ms, p99 %.0f ms, max %.0f ms", r->latency.p50_ms,
            r->latency.p99_ms, r->latency.max_ms);
    if (o->pings) {
        /* A target that closed cannot answer a ping that crossed its close. */
        if (o->pong_owed && o->end == EVK_END_OPEN) {
            found(r, &v, EVK_VERDICT_FAIL, EVK_P_NO_PONG);
            say(&obs, "no pong");
        } else if (!o->pong_owed) {
            say(&obs, "pong received");
        }
    }
    if (d->unknown_acks) {
        found(r, &v, EVK_VERDICT_FAIL, EVK_P_UNKNOWN_ACK);
        say(&obs, "%u Ack(s) for no Event of ours (%s)", d->unknown_acks, d->unknown_ack);
    }
    if (o->target_violation[0]) {
        found(r, &v, EVK_VERDICT_FAIL, o->target_problem);
        say(&obs, "the target broke the protocol: %s", o->target_violation);
    }
    if (d->after_violation) {
        found(r, &v, p->silence_required ? EVK_VERDICT_FAIL : EVK_VERDICT_NON_STRICT, EVK_P_AFTER_VIOLATION);
        say(&obs, "%u message(s) after the violation, not silence (first: %s)", d->after_violation,
            d->first_after);
    }
    if (o->early_events) {
        if (p->early_message_is_violation && !d->close_predicted) {
            found(r, &v, EVK_VERDICT_FAIL, EVK_P_EARLY_EVENTS);
            say(&obs, "%u Event(s) before acking the handshake", o->early_events);
        } else {
            say(&obs, "%u Event(s) before acking the handshake (informational here)", o->early_events);
        }
    }
    if (o->unsent) { /* a pass on messages the model never saw would be no pass at all */
        found(r, &v, EVK_VERDICT_FAIL, EVK_P_INTERNAL);
        say(&obs, "evack could not judge: %lu of its own message(s) had not left when the case ended (was evack starved?)",
            o->unsent);
    }
    if (o->note[0]) say(&obs, "%s", o->note);
    if (!obs.len) say(&obs, "as expected");

    bool informational = c->flags & EVK_CF_INFORMATIONAL;
    bool early_info = (c->flags & EVK_CF_EARLY) && !p->early_message_is_violation;
    r->verdict = v;
    if (informational || early_info) {
        /* Informational about the protocol's choice only: what no choice
         * allows still fails (HARNESS.md). */
        bool broken = informational ? broken_anyway(o, r, d)
                                    : (r->problems & (EVK_PROBLEM_BIT(EVK_P_DROP) | EVK_PROBLEM_BIT(EVK_P_CONNECT))) != 0;
        if (broken && v == EVK_VERDICT_FAIL) say(&obs, "a failure whatever the choice");
        r->verdict = broken && v == EVK_VERDICT_FAIL ? EVK_VERDICT_FAIL : EVK_VERDICT_INFO;
    }
}

/* Better verdicts first: the reading a target fits best decides. */
static int rank(evk_verdict v)
{
    switch (v) {
    case EVK_VERDICT_PASS: return 0;
    case EVK_VERDICT_INFO: return 1;
    case EVK_VERDICT_NON_STRICT: return 2;
    case EVK_VERDICT_SKIP: return 3;
    default: return 4;
    }
}

void evk_judge(const evk_case *c, const evk_profile *p, const evk_obs *o, uint64_t tol_ms,
               uint64_t wait_ms, evk_case_result *r)
{
    if (c->upgrade != EVK_UPGRADE_NONE && !(o->skip && !o->target_violation[0])) {
        text exp = {r->expected, sizeof r->expected, 0}, obs = {r->observed, sizeof r->observed, 0};
        r->expected[0] = r->observed[0] = '\0';
        r->problems = 0;
        r->skipped = EVK_SKIP_NONE;
        r->end_code = 0;
        memset(&r->latency, 0, sizeof r->latency);
        int want = evk_upgrade_status(c->upgrade), also = evk_upgrade_also(c->upgrade);
        if (also) say(&exp, "HTTP %d (or %d)", want, also);
        else say(&exp, "HTTP %d", want);
        if (o->upgrade_accepted) say(&obs, "the upgrade was accepted (101)");
        else if (o->http_status) say(&obs, "refused with HTTP %d", o->http_status);
        else say(&obs, "%s", o->end_error[0] ? o->end_error : "no answer");
        r->verdict = evk_upgrade_accepts(c->upgrade, o->http_status) ? EVK_VERDICT_PASS : EVK_VERDICT_FAIL;
        if (r->verdict == EVK_VERDICT_FAIL) r->problems |= EVK_PROBLEM_BIT(EVK_P_UPGRADE);
        r->expected_violation = EVK_V_NONE;
        return;
    }

    size_t n = o->nrd ? o->nrd : 1;
    judge_reading(c, p, o, &o->rd[0], tol_ms, wait_ms, r);
    if (n == 1) return;
    /* Several readings of a duplicate key: keep the one the target fits best. */
    static const char *const how[EVK_DUPKEYS__COUNT] = {"the first wins", "the last wins", "refused (4002)"};
    size_t best = 0;
    evk_case_result *alt = malloc(sizeof *alt);
    if (!alt) return;
    for (size_t k = 1; k < n; k++) {
        *alt = *r;
        judge_reading(c, p, o, &o->rd[k], tol_ms, wait_ms, alt);
        if (rank(alt->verdict) < rank(r->verdict)) {
            memcpy(r->expected, alt->expected, sizeof r->expected);
            memcpy(r->observed, alt->observed, sizeof r->observed);
            r->verdict = alt->verdict;
            r->problems = alt->problems;
            r->expected_violation = alt->expected_violation;
            r->latency = alt->latency;
            best = k;
        }
    }
    free(alt);
    evk_dupkeys d = o->rd[best].dup_keys;
    size_t used = strlen(r->observed);
    snprintf(r->observed + used, sizeof r->observed - used, "; duplicate key judged as: %s (the reading it fits best)",
             (unsigned)d < EVK_DUPKEYS__COUNT ? how[d] : "?");
}
