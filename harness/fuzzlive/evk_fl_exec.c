#include "evk_fl_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evk_err.h"
#include "evk_probe.h"
#include "evk_runner.h"

static evk_suite_opts suite_opts(const evk_fl_target *t)
{
    evk_suite_opts so = {.loop = t->loop, .profile = t->profile, .target_role = t->role, .url = t->url,
                         .client_cmd = t->client_cmd, .ack_limit_ms = t->client_limit_ms,
                         .headers = t->headers, .nheaders = t->nheaders, .jobs = t->jobs,
                         .one_connection = t->one_connection, .wait_ms = t->wait_ms,
                         .settle_ms = t->settle_ms, .stop = t->stop, .on_result = t->on_result,
                         .user = t->user};
    return so;
}

int evk_fl_run(const evk_fl_target *t, evk_fl_case *const *cases, size_t n, evk_case_result *results)
{
    const evk_case **list = calloc(n ? n : 1, sizeof *list);
    if (!list) return EVK_ENOMEM;
    for (size_t i = 0; i < n; i++) list[i] = &cases[i]->c;
    evk_suite_opts so = suite_opts(t);
    int rc = evk_suite_run(&so, list, n, results);
    free(list);
    return rc;
}

evk_fl_up evk_fl_probe(const evk_fl_target *t, char *err, size_t errcap)
{
    if (t->role != EVK_ROLE_SERVER) return EVK_FL_UP;
    evk_suite_opts so = suite_opts(t);
    switch (evk_suite_probe(&so, NULL, err, errcap)) {
    case EVK_PROBE_OK: return EVK_FL_UP;
    case EVK_PROBE_HUNG:          /* took the upgrade request, never answered */
    case EVK_PROBE_NO_TCP_ANSWER: return EVK_FL_HUNG; /* its backlog is full */
    default: return EVK_FL_REFUSED;
    }
}

evk_fl_up evk_fl_wait_up(const evk_fl_target *t, uint64_t wait_ms, char *err, size_t errcap)
{
    uint64_t end = evk_clock_ms() + wait_ms;
    for (;;) {
        evk_fl_up up = evk_fl_probe(t, err, errcap);
        if (up == EVK_FL_UP || evk_clock_ms() >= end || (t->stop && *t->stop)) return up;
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

void evk_fl_count_messages(const evk_case_result *r, uint64_t *sent, uint64_t *received)
{
    uint64_t s = 0, in = 0;
    for (size_t i = 0; i < r->tr.n; i++) {
        const evk_tentry *e = &r->tr.e[i];
        if (e->kind != EVK_T_TEXT && e->kind != EVK_T_BINARY) continue;
        if (e->out) s++;
        else in++;
    }
    /* A long session overflows the transcript: what was cut was traffic. */
    s += r->tr.dropped / 2;
    in += r->tr.dropped - r->tr.dropped / 2;
    *sent = s;
    *received = in;
}
