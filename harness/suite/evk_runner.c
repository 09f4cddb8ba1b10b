/* Scheduling the cases of a run (the contract is in evk_runner.h; the
 * runner's other files are listed in evk_run_private.h).
 *
 * Phases of a run: client targets first get a listener -> cases start in
 * catalog order, up to --jobs at once (one at a time when a bearer token
 * allows one connection, each fully closed before the next) -> as each is
 * judged it either stands (reported through on_result) or, when it failed
 * while evack's own loop was starved, is queued for a second attempt ->
 * second attempts run alone, one at a time, once everything else is over
 * -> the loop stops when every case has its result. A lag monitor, every
 * MONITOR_MS, records how late the loop runs, notices an interrupt, and
 * drives the live progress line.
 */
#include "evk_run_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_err.h"

/* evack's own loop running this late means its timestamps cannot be trusted
 * to a tolerance: a case that fails then is run again, alone, at the end. */
#define STARVED_MS 50
#define MONITOR_MS 10
#define PROGRESS_MS 250
#define BAD_TOKEN "Authorization: Bearer evack-certainly-not-the-right-token"

static void start_next(evk_suite_state *s);

void evk_cr_judged(evk_case_run *r)
{
    evk_suite_state *s = r->s;
    evk_cr_retry *rt = &r->retry;
    evk_verdict v = r->r->verdict;
    bool doubtful = v == EVK_VERDICT_FAIL || v == EVK_VERDICT_NON_STRICT || v == EVK_VERDICT_SKIP;
    /* Its own messages had not all left: evack was too slow, whatever the lag monitor saw. */
    if (doubtful && (rt->max_lag > STARVED_MS || r->obs.unsent) && !rt->second) {
        /* evack itself was starved: its timing is no evidence. Again, alone. */
        s->retries[s->nretries++] = (size_t)(r - s->runs);
        snprintf(rt->first, sizeof rt->first, "%.200s", r->r->observed);
        rt->first_lag = rt->max_lag;
        rt->second = true;
        return;
    }
    if (rt->second && !s->interrupted) {
        size_t used = strlen(r->r->observed);
        snprintf(r->r->observed + used, sizeof r->r->observed - used,
                 " (run again alone: evack's own loop ran up to %llu ms late during the first attempt, which saw: %.160s)",
                 (unsigned long long)rt->first_lag, rt->first);
    }
    s->done++;
    if (s->o.on_result) s->o.on_result(r->r, s->done, s->n, s->o.user);
}

/* Everything a case run holds, except its result. */
static void release(evk_case_run *r)
{
    r->closing = false;
    evk_timer_free(r->timer);
    evk_timer_free(r->cap);
    r->timer = r->cap = NULL;
    evk_cr_model_free(r);
    evk_cr_in_free(r);
    evk_cr_out_free(r);
    evk_obs_free(&r->obs);
}

void evk_cr_slot_free(evk_case_run *r)
{
    if (r->conn) { /* the close did not complete in time */
        evk_conn_detach(r->conn);
        r->conn = NULL;
    }
    evk_cr_client_reap(r);
    release(r);
    r->s->running--;
    start_next(r->s);
}

/* Server targets: connect, with the upgrade the case asks for (no token,
 * or a wrong one, instead of the user's Authorization header). */
static void connect_server(evk_case_run *r)
{
    evk_suite_state *s = r->s;
    const char *hdrs[16];
    size_t nh = 0;
    bool replace_auth = r->c->upgrade == EVK_UPGRADE_NO_TOKEN || r->c->upgrade == EVK_UPGRADE_BAD_TOKEN;
    for (size_t k = 0; k < s->o.nheaders && nh < 15; k++)
        if (!(replace_auth && evk_header_authorization(s->o.headers[k]))) hdrs[nh++] = s->o.headers[k];
    if (r->c->upgrade == EVK_UPGRADE_BAD_TOKEN) hdrs[nh++] = BAD_TOKEN;
    char err[sizeof r->obs.end_error];
    r->conn = evk_connect(s->o.loop, s->o.url, hdrs, nh, evk_cr_on_conn, r, err, sizeof err);
    if (!r->conn) {
        r->obs.end = EVK_END_ERROR;
        snprintf(r->obs.end_error, sizeof r->obs.end_error, "%s", err);
        return evk_cr_finish(r);
    }
    r->ph = EVK_PH_CONNECT;
    evk_timer_at(r->timer, r->t0 + s->o.wait_ms + 3000);
}

static void start_case(evk_suite_state *s, size_t i)
{
    evk_case_run *r = &s->runs[i];
    evk_cr_retry retry = r->retry; /* a second attempt knows the first */
    retry.max_lag = 0;
    memset(r, 0, sizeof *r);
    r->retry = retry;
    if (retry.second) { /* the first attempt's result makes room for the second's */
        evk_result_reset(&s->results[i]);
        evk_result_init(&s->results[i], s->cases[i]);
    }
    r->s = s;
    r->c = s->cases[i];
    r->r = &s->results[i];
    r->t0 = evk_cr_now();
    r->x.profile = s->o.profile;
    evk_uuid_v4(&r->x.a);
    evk_uuid_v4(&r->x.b);
    r->in.entry = r->out.entry = EVK_TREF_NONE;
    r->obs.target_role = s->o.target_role;
    r->timer = evk_timer_new(s->o.loop, evk_cr_on_timer, r);
    r->model.tick = evk_timer_new(s->o.loop, evk_cr_model_on_tick, r);
    r->cap = evk_timer_new(s->o.loop, evk_cr_on_cap, r);
    s->running++;
    if (!r->timer || !r->model.tick || !r->cap) {
        evk_cr_broke(r, EVK_P_INTERNAL, "internal: out of memory");
        return evk_cr_finish(r);
    }
    evk_timer_at(r->cap, r->t0 + EVK_CR_CAP_MS);
    if (s->o.target_role == EVK_ROLE_CLIENT) evk_cr_client_start(r);
    else connect_server(r);
}

static void start_next(evk_suite_state *s)
{
    unsigned jobs = s->o.one_connection ? 1 : s->o.jobs ? s->o.jobs : (unsigned)s->n;
    while (s->next < s->n && s->running < jobs) start_case(s, s->next++);
    /* Second attempts run one at a time once everything else is over. */
    if (s->next == s->n && s->running == 0 && s->next_retry < s->nretries)
        start_case(s, s->retries[s->next_retry++]);
    if (s->done == s->n && s->running == 0) evk_loop_stop(s->o.loop);
}

/* End the run now: nothing new starts, running cases end as interrupted. */
static void interrupt_all(evk_suite_state *s)
{
    s->interrupted = true;
    for (; s->next < s->n; s->next++) {
        evk_case_result *res = &s->results[s->next];
        res->verdict = EVK_VERDICT_SKIP;
        res->skipped = EVK_SKIP_INTERRUPTED;
        snprintf(res->observed, sizeof res->observed, "interrupted before it ran");
        s->done++;
    }
    for (; s->next_retry < s->nretries; s->next_retry++) { /* the first attempt stands */
        evk_case_run *r = &s->runs[s->retries[s->next_retry]];
        size_t used = strlen(r->r->observed);
        snprintf(r->r->observed + used, sizeof r->r->observed - used, " (not run again: interrupted)");
        s->done++;
    }
    for (size_t i = 0; i < s->n; i++) {
        evk_case_run *r = &s->runs[i];
        if (!r->s || r->finished) continue;
        r->obs.skip = true;
        r->obs.skip_why = EVK_SKIP_INTERRUPTED;
        snprintf(r->obs.skip_reason, sizeof r->obs.skip_reason, "interrupted");
        r->obs.target_violation[0] = '\0';
        r->retry.second = true; /* no second attempt */
        evk_cr_finish(r);
    }
    if (s->done == s->n && s->running == 0) evk_loop_stop(s->o.loop);
}

/* How late does evack's own loop run? Every running case remembers the worst. */
static void on_monitor(evk_timer *t, void *user)
{
    evk_suite_state *s = user;
    if (s->o.stop && *s->o.stop && !s->interrupted) interrupt_all(s);
    uint64_t t_now = evk_cr_now(), lag = t_now > s->monitor_due ? t_now - s->monitor_due : 0;
    for (size_t i = 0; i < s->n; i++) {
        evk_case_run *r = &s->runs[i];
        if (r->timer && !r->finished && lag > r->retry.max_lag) r->retry.max_lag = lag;
    }
    s->monitor_due = t_now + MONITOR_MS;
    evk_timer_at(t, s->monitor_due);
    if (s->o.on_progress && t_now >= s->next_progress) {
        s->next_progress = t_now + PROGRESS_MS;
        const evk_case_run *oldest = NULL;
        for (size_t i = 0; i < s->n; i++) {
            const evk_case_run *r = &s->runs[i];
            if (r->timer && !r->finished && (!oldest || r->t0 < oldest->t0)) oldest = r;
        }
        s->o.on_progress(s->done, s->n, s->running, oldest ? oldest->c->id : "",
                         oldest ? t_now - oldest->t0 : 0, s->o.user);
    }
}

int evk_suite_run(const evk_suite_opts *o, const evk_case *const *cases, size_t n,
                  evk_case_result *results)
{
    evk_suite_state s = {.o = *o, .cases = cases, .results = results, .n = n};
    if (!s.o.wait_ms) s.o.wait_ms = 2000;
    if (!s.o.settle_ms) s.o.settle_ms = 250;
    for (size_t i = 0; i < n; i++) evk_result_init(&results[i], cases[i]);
    if (n == 0) return 0;
    s.runs = calloc(n, sizeof *s.runs);
    s.retries = calloc(n, sizeof *s.retries);
    if (!s.runs || !s.retries) {
        free(s.runs);
        free(s.retries);
        return EVK_ENOMEM;
    }
    if (s.o.target_role == EVK_ROLE_CLIENT) {
        char err[256];
        if (!s.o.listen_host) s.o.listen_host = "127.0.0.1";
        if (!s.o.ack_limit_ms) s.o.ack_limit_ms = 1000;
        if (!s.o.connect_ms) s.o.connect_ms = 5000;
        if (!s.o.client_cmd) s.o.jobs = 0; /* every case waits for its connection */
        if (evk_listen(s.o.loop, s.o.listen_host, s.o.listen_port, evk_cr_client_accept, &s, &s.port, err,
                       sizeof err) < 0) {
            free(s.runs);
            free(s.retries);
            return EVK_EIO;
        }
        if (s.o.on_listen) s.o.on_listen(s.o.listen_host, s.port, s.o.user);
    }
    s.monitor = evk_timer_new(s.o.loop, on_monitor, &s);
    s.monitor_due = evk_cr_now() + MONITOR_MS;
    if (s.monitor) evk_timer_at(s.monitor, s.monitor_due);
    start_next(&s);
    if (s.done < s.n || s.running) evk_loop_run(o->loop);
    evk_timer_free(s.monitor);
    free(s.retries);
    free(s.runs);
    return 0;
}
