/* Client targets: evack listens, and each case gets its own client.
 *
 * Phases of one case: start (with --client: spawn the command with {url}
 * replaced by ws://HOST:PORT/case/<id>, in its own process group; without:
 * wait for whoever connects) -> accept its upgrade to /case/<id> (404 for
 * unknown ids, 425 before the case's turn, 409 for a second connection) ->
 * open: the model starts in the client's role and evack sends its own
 * handshake Event declaring the limit -> judged: close, SIGTERM to the
 * group, SIGKILL a second later if it lingers -> reaped: its exit and the
 * tail of its output become notes in the transcript. evk_proc.c is the
 * process primitive; this file decides when to use it.
 */
#include "evk_run_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_compose.h"

#define POLL_MS 50         /* how often the process is polled */
#define EXIT_GRACE_MS 200  /* a client that exited may still have a connection on its way */
#define KILL_AFTER_MS 1000 /* SIGKILL this long after an ignored SIGTERM */

static void on_poll(evk_timer *t, void *user)
{
    evk_case_run *r = user;
    evk_cr_client *cl = &r->client;
    evk_proc_poll(cl->proc);
    if (cl->stopping) {
        if (evk_proc_exited(cl->proc, NULL)) return evk_cr_slot_free(r);
        if (evk_cr_now() >= cl->kill_at) {
            evk_cr_note(r, "the client ignored SIGTERM: killed");
            evk_proc_kill(cl->proc);
            cl->kill_at = UINT64_MAX;
        }
    } else if (r->ph == EVK_PH_CONNECT && evk_proc_exited(cl->proc, NULL)) {
        /* It ended without connecting: fail now rather than at the timeout
         * (after a moment, in case its connection is still on its way). */
        if (!cl->exited_at) cl->exited_at = evk_cr_now();
        else if (evk_cr_now() - cl->exited_at > EXIT_GRACE_MS) evk_cr_on_timer(r->timer, r);
    }
    evk_timer_at(t, evk_cr_now() + POLL_MS);
}

/* The command with every {url} replaced (what does not fit is cut). */
static void command_for(const char *tpl, const char *url, char *cmd, size_t cap)
{
    size_t o = 0;
    for (const char *q = tpl; *q && o + strlen(url) + 1 < cap;) {
        if (strncmp(q, "{url}", 5) == 0) {
            o += (size_t)snprintf(cmd + o, cap - o, "%s", url);
            q += 5;
        } else {
            cmd[o++] = *q++;
        }
    }
    cmd[o] = '\0';
}

void evk_cr_client_start(evk_case_run *r)
{
    evk_suite_state *s = r->s;
    r->ph = EVK_PH_CONNECT;
    r->client.started = true;
    if (!s->o.client_cmd) return; /* waits for whoever connects to its URL */
    char url[256], cmd[8192], err[sizeof r->obs.end_error];
    snprintf(url, sizeof url, "ws://%s:%d/case/%s",
             strcmp(s->o.listen_host, "0.0.0.0") == 0 ? "127.0.0.1" : s->o.listen_host, s->port, r->c->id);
    command_for(s->o.client_cmd, url, cmd, sizeof cmd);
    r->client.proc = evk_proc_spawn(cmd, err, sizeof err);
    if (!r->client.proc) {
        r->obs.end = EVK_END_ERROR;
        snprintf(r->obs.end_error, sizeof r->obs.end_error, "%s", err);
        return evk_cr_finish(r);
    }
    r->client.poll = evk_timer_new(s->o.loop, on_poll, r);
    if (r->client.poll) evk_timer_at(r->client.poll, evk_cr_now() + POLL_MS);
    evk_timer_at(r->timer, r->t0 + s->o.connect_ms);
}

int evk_cr_client_accept(const evk_accept_info *info, void *user, evk_conn_cb *cb, void **cuser)
{
    evk_suite_state *s = user;
    const char *prefix = "/case/";
    if (strncmp(info->path, prefix, strlen(prefix)) != 0) return 404;
    const char *id = info->path + strlen(prefix);
    for (size_t i = 0; i < s->n; i++) {
        evk_case_run *r = &s->runs[i];
        if (strcmp(s->cases[i]->id, id) != 0) continue;
        if (!r->client.started) return 425; /* its turn has not come (--jobs) */
        if (r->ph != EVK_PH_CONNECT || r->client.accepted) return 409; /* that case already has its connection */
        r->client.accepted = true;
        *cb = evk_cr_on_conn;
        *cuser = r;
        return 0;
    }
    return 404;
}

/* A client connected for this case: declare the limit in our handshake Event
 * (unless the case sends its own), then wait for its Ack before the steps. */
void evk_cr_client_open(evk_case_run *r, evk_conn *c)
{
    const evk_profile *p = r->s->o.profile;
    r->conn = c;
    evk_timer_cancel(r->timer);
    /* Without a handshake phase both peers use the profile's fixed limit. */
    r->limit = p->has_handshake ? r->s->o.ack_limit_ms : p->ack_limit_ms;
    r->obs.limit_ms = r->limit;
    r->tol = r->s->o.tolerance_ms ? r->s->o.tolerance_ms : evk_default_tolerance(r->limit);
    if (evk_cr_model_start(r, EVK_ROLE_CLIENT, 0, NULL, evk_cr_now()) < 0) {
        evk_cr_broke(r, EVK_P_INTERNAL, "internal: out of memory");
        return evk_cr_finish(r);
    }
    /* Cases that hold the client's Events hold them from the start: a client
     * sends them as soon as the handshake is done. */
    const evk_step *st = evk_cr_steps(r);
    for (int i = 0; st[i].kind != EVK_STEP_END; i++)
        if (st[i].kind == EVK_STEP_HOLD) {
            r->held.holding = true;
            r->held.want = st[i].n;
            break;
        }
    if (r->c->flags & EVK_CF_OWN_HANDSHAKE) {
        r->ph = EVK_PH_STEPS;
        return evk_cr_run_steps(r);
    }
    if (!p->has_handshake) {
        /* Nothing to ack first: let the client's opening burst pass, then the steps. */
        evk_cr_note(r, "no handshake phase (the profile's): ack time limit %llu ms", (unsigned long long)r->limit);
        r->hs.acked = true;
        r->in.t_last = evk_cr_now();
        r->ph = EVK_PH_HANDSHAKE;
        return evk_cr_wait_for(r, r->in.t_last + EVK_CR_CLIENT_QUIET_MS);
    }
    char hs[EVK_MAX_OUT];
    size_t len;
    evk_uuid_v4(&r->x.hs);
    if (evk_compose_handshake(p, &r->x.hs, evk_wall_us(), r->limit, hs, sizeof hs, &len) < 0) {
        evk_cr_broke(r, EVK_P_INTERNAL, "internal: cannot compose the handshake");
        return evk_cr_finish(r);
    }
    evk_cr_send_bytes(r, hs, len, EVK_F_WHOLE);
    evk_cr_remember_sent(r, hs, len);
    evk_cr_note(r, "our handshake: ack time limit %llu ms", (unsigned long long)r->limit);
    r->ph = EVK_PH_HANDSHAKE;
    evk_cr_wait_for(r, evk_cr_now() + r->limit + r->tol);
}

void evk_cr_client_no_connection(evk_case_run *r)
{
    char how[64] = "";
    if (r->client.proc) {
        evk_proc_poll(r->client.proc);
        evk_proc_describe(r->client.proc, how, sizeof how);
    }
    snprintf(r->obs.end_error, sizeof r->obs.end_error, "client did not connect within %llu s%s%s%s",
             (unsigned long long)(r->s->o.connect_ms / 1000), how[0] ? " (it " : "",
             strcmp(how, "still running") == 0 ? "is still running" : how, how[0] ? ")" : "");
}

void evk_cr_client_stop(evk_case_run *r)
{
    /* Close, then stop the client's whole process group; the slot stays
     * taken until it is gone (SIGKILL after a second). */
    evk_conn *conn = r->conn;
    r->conn = NULL;
    if (conn) {
        evk_conn_close(conn, 1000, "evack: case done");
        evk_conn_detach(conn);
    }
    r->client.stopping = true;
    evk_timer_cancel(r->timer);
    evk_timer_cancel(r->model.tick);
    evk_proc_terminate(r->client.proc);
    r->client.kill_at = evk_cr_now() + KILL_AFTER_MS;
}

/* How the client ended, and the tail of its output, as notes. */
static void output_note(evk_case_run *r)
{
    evk_proc *proc = r->client.proc;
    char out[EVK_PROC_TAIL + 1], how[64];
    size_t total;
    evk_proc_poll(proc);
    evk_proc_describe(proc, how, sizeof how);
    size_t n = evk_proc_output(proc, out, sizeof out, &total);
    evk_cr_note(r, "the client %s", how);
    if (!n) return;
    char head[96];
    snprintf(head, sizeof head, "client output (last %zu of %zu bytes):\n", n, total);
    size_t hl = strlen(head);
    char *both = malloc(hl + n + 1);
    if (!both) return;
    memcpy(both, head, hl);
    memcpy(both + hl, out, n + 1);
    evk_transcript_add(&r->r->tr, evk_cr_rel(r, evk_cr_now()), false, EVK_T_NOTE, both, hl + n, 0);
    free(both);
}

void evk_cr_client_reap(evk_case_run *r)
{
    if (r->client.proc) {
        output_note(r);
        evk_proc_free(r->client.proc); /* kills what is left of its group and reaps it */
        r->client.proc = NULL;
    }
    evk_timer_free(r->client.poll);
    r->client.poll = NULL;
}
