#include "evk_runner.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "evk_compose.h"
#include "evk_err.h"
#include "evk_expand.h"
#include "evk_judge.h"
#include "evk_msgbuf.h"
#include "evk_proc.h"
#include "evk_validate.h"

#define MAX_HELD 64
#define CASE_CAP_MS 60000 /* no case runs longer than this, whatever the target does */
#define CLIENT_QUIET_MS 100 /* a client target's silence that ends its opening burst */
/* evack's own loop running this late means its timestamps cannot be trusted
 * to a tolerance: a case that fails then is run again, alone, at the end. */
#define STARVED_MS 50
#define MONITOR_MS 10
#define MAX_PENDING (8u << 20) /* bytes queued for a target before we call it deaf */
#define MAX_TARGET_MESSAGES 20000 /* no case asks for more: beyond it, a flood */

typedef struct suite suite;

typedef enum phase { P_CONNECT, P_HANDSHAKE, P_STEPS, P_FINAL, P_DONE } phase;

typedef struct held_event {
    evk_uuid id;
    uint64_t t;  /* when it came (absolute ms) */
    bool acked;
} held_event;

typedef struct crun {
    suite *s;
    const evk_case *c;
    evk_case_result *r;
    evk_conn *conn;
    evk_conn *conn2; /* upgrade.second-connection */
    evk_timer *timer, *mtick, *cap;
    evk_session *model;
    evk_obs obs;
    uint64_t t0, limit, tol;
    phase ph;
    int step;
    uint64_t wait_until; /* the current step's timeout (absolute ms) */
    evk_expand_ctx x;
    bool hs_seen;
    uint64_t t_hs;
    held_event held[MAX_HELD];
    int nheld, want_held;
    bool holding;
    /* The message being received. */
    evk_msgbuf in;
    bool in_binary, in_too_big;
    evk_tentry *in_entry;
    size_t in_entry_idx;
    evk_tentry *out_entry;
    size_t out_entry_idx;
    /* Our Events (ids), to tell an Ack of a bad Event from an unknown one. */
    evk_uuid *sent;
    size_t nsent, capsent;
    /* Soak. */
    uint64_t soak_end, soak_next;
    unsigned soak_round;
    bool finished;
    bool closing; /* one_connection: judged, waiting for the close to complete */
    /* Client targets. */
    evk_proc *proc;      /* the client started for this case */
    evk_timer *ptimer;   /* polls its output and exit */
    bool started;        /* the case is waiting for (or has) its connection */
    bool hs_acked;       /* the client acked our handshake Event */
    bool stopping;       /* judged; waiting for the client process to end */
    bool accepted;       /* its connection was let in */
    uint64_t t_last_in;  /* when the target last sent something */
    uint64_t max_lag;    /* how late evack's own loop ran during this case */
    bool x_hs_known;     /* client targets: our handshake id is in x.hs */
    bool deaf;           /* the target stopped reading (or floods): end the case */
    unsigned long queued, left; /* messages handed to the connection, and those that left */
    bool a_unacked;      /* soak: an Event with the case's id `a` awaits its Ack */
    unsigned long in_msgs; /* messages the target sent in this case */
    bool retry;          /* this run is the second attempt */
    char first[256];     /* the first attempt's observed outcome */
    uint64_t first_lag;  /* and how late evack's loop ran then */
    uint64_t exited_at;  /* when we saw the client end before connecting */
    bool hs_ack_sent;    /* server targets: we acked its handshake Event */
    uint64_t kill_at;    /* when a client ignoring SIGTERM gets SIGKILL */
} crun;

struct suite {
    evk_suite_opts o;
    int port; /* client targets: where evack listens */
    evk_timer *monitor;
    uint64_t monitor_due;
    size_t *retries; /* cases to run again, alone */
    size_t nretries, next_retry;
    bool interrupted;
    uint64_t next_progress;
    const evk_case *const *cases;
    evk_case_result *results;
    size_t n, next, running, done;
    crun *runs;
};

static uint64_t now(void)
{
    return evk_clock_ms();
}

static uint64_t rel(const crun *r, uint64_t t)
{
    return t >= r->t0 ? t - r->t0 : 0;
}

static void fresh_id(evk_uuid *u)
{
    evk_uuid_v4(u);
}

static bool client_target(const crun *r)
{
    return r->s->o.target_role == EVK_ROLE_CLIENT;
}

static void note(crun *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(crun *r, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    evk_transcript_add(&r->r->tr, rel(r, now()), false, EVK_T_NOTE, buf, strlen(buf), 0);
}

static void finish(crun *r);
static void run_steps(crun *r);
static void enter_final(crun *r);
static void wait_for(crun *r, uint64_t until);
static void open_second(crun *r);
static void slot_free(crun *r);
static void start_next(suite *s);

/* ---- the model ------------------------------------------------------ */

static void schedule_mtick(crun *r)
{
    uint64_t at;
    if (r->model && evk_session_next_deadline(r->model, &at)) evk_timer_at(r->mtick, at);
    else evk_timer_cancel(r->mtick);
}

/* Take the model's predictions: Acks to expect, or the close. */
static void drain_model(crun *r, uint64_t t, bool deadline)
{
    evk_action a;
    while (evk_session_pop(r->model, &a)) {
        if (a.kind == EVK_A_SEND) {
            if (a.msg == EVK_MSG_ACK) evk_obs_expect_ack(&r->obs, &a.id, rel(r, t));
            continue;
        }
        if (r->obs.close_predicted) continue;
        r->obs.close_predicted = true;
        r->obs.close_violation = a.violation;
        r->obs.close_code = a.code;
        r->obs.close_at_deadline = deadline;
        r->obs.t_close = rel(r, t);
        snprintf(r->obs.close_reason, sizeof r->obs.close_reason, "%s", a.reason);
        note(r, "a correct target closes now: %s (%s)", evk_violation_key(a.violation), a.reason);
    }
    schedule_mtick(r);
}

static void on_mtick(evk_timer *t, void *user)
{
    (void)t;
    crun *r = user;
    uint64_t at;
    if (!r->model || !evk_session_next_deadline(r->model, &at)) return;
    evk_session_on_tick(r->model, at);
    drain_model(r, at, true);
    if (r->obs.close_predicted && r->ph != P_DONE) enter_final(r);
}

/* The model sees exactly what left, in order. */
static void model_input(crun *r, const evk_net_event *ev)
{
    if (!r->model || evk_session_state(r->model) == EVK_S_CLOSED) return;
    evk_session_on_data(r->model, ev->data, ev->len, ev->flags, ev->t_ms);
    drain_model(r, ev->t_ms, false);
}

/* ---- sending -------------------------------------------------------- */

/* Remember an id we put into a message: an Ack naming it is then an Ack of
 * something we sent (maybe invalid), not of something unknown. */
static void remember_id(crun *r, const evk_uuid *id)
{
    if (r->nsent == r->capsent) {
        size_t cap = r->capsent ? r->capsent * 2 : 16;
        evk_uuid *p = realloc(r->sent, cap * sizeof *p);
        if (!p) return;
        r->sent = p;
        r->capsent = cap;
    }
    r->sent[r->nsent++] = *id;
}

static void remember_sent(crun *r, const char *text, size_t len)
{
    evk_message m;
    if (evk_validate(r->s->o.profile, text, len, true, &m) < 0 || !m.has_id || m.kind != EVK_MSG_EVENT)
        return;
    bool first_event = client_target(r) && !r->x_hs_known;
    remember_id(r, &m.id);
    if (first_event) { /* our handshake Event */
        r->x.hs = m.id;
        r->x_hs_known = true;
    }
}

static bool we_sent(const crun *r, const evk_uuid *id)
{
    for (size_t i = 0; i < r->nsent; i++)
        if (evk_uuid_equal(&r->sent[i], id)) return true;
    return false;
}

/* The target broke the protocol (or evack failed: EVK_P_INTERNAL): the
 * case fails, saying what happened; the kind goes to the judge as a bit. */
static void broke(crun *r, evk_problem kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void broke(crun *r, evk_problem kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->obs.target_violation, sizeof r->obs.target_violation, fmt, ap);
    va_end(ap);
    r->obs.target_problem = kind;
}

static void send_bytes(crun *r, const char *data, size_t len, unsigned flags)
{
    if (!r->conn) return;
    /* A target that never reads would make evack's queue grow without end. */
    if (evk_conn_pending(r->conn) > MAX_PENDING) {
        if (!r->obs.target_violation[0])
            broke(r, EVK_P_TARGET_INVALID, "does not read: %zu bytes of evack's frames waiting", evk_conn_pending(r->conn));
        r->deaf = true; /* the case ends at the next safe point */
        return;
    }
    if (evk_conn_send(r->conn, data, len, flags) == 0 && (flags & EVK_F_FINAL)) r->queued++;
    r->obs.t_last_send = rel(r, now());
}

/* Every message queued has left, so the model has seen it (Acks it expects
 * are known only from then on). */
static bool all_left(const crun *r)
{
    return r->left >= r->queued;
}

static int send_tpl(crun *r, const evk_msg_tpl *t, unsigned how, int fragments)
{
    char *msg;
    size_t len;
    fresh_id(&r->x.fresh);
    r->x.wall_us = evk_wall_us();
    if (evk_expand(t, &r->x, &msg, &len) < 0) {
        broke(r, EVK_P_INTERNAL, "internal: case %s has a bad template", r->c->id);
        return -1;
    }
    if (fragments > 1 && len >= (size_t)fragments) {
        size_t piece = len / (size_t)fragments;
        for (int i = 0; i < fragments; i++) {
            size_t off = (size_t)i * piece, n = i == fragments - 1 ? len - off : piece;
            unsigned f = (i == 0 ? EVK_F_FIRST : 0) | (i == fragments - 1 ? EVK_F_FINAL : 0);
            send_bytes(r, msg + off, n, f);
        }
    } else {
        send_bytes(r, msg, len, how);
    }
    if (!(how & EVK_F_BINARY)) remember_sent(r, msg, len);
    if (t->kind != EVK_MSG_ACK) remember_id(r, evk_expand_id(t, &r->x)); /* valid or not */
    free(msg);
    return 0;
}

static void send_ack_of(crun *r, const evk_uuid *id, const evk_msg_tpl *tpl)
{
    evk_msg_tpl t = {.kind = EVK_MSG_ACK, .id = "held"};
    if (tpl && tpl->kind != EVK_MSG_NONE) {
        t = *tpl;
        if (!t.id) t.id = "held";
    }
    r->x.held = *id;
    if (evk_uuid_equal(id, &r->x.hs)) r->hs_ack_sent = true;
    send_tpl(r, &t, EVK_F_WHOLE, 1);
}

/* ---- transcript of what left --------------------------------------- */

static void record_sent(crun *r, const evk_net_event *ev)
{
    evk_transcript *tr = &r->r->tr;
    uint64_t t = rel(r, ev->t_ms);
    if (ev->is_close) {
        evk_transcript_add(tr, t, true, EVK_T_CLOSE, ev->reason, ev->reason_len, ev->code);
        return;
    }
    if (ev->is_ping) {
        evk_transcript_add(tr, t, true, EVK_T_PING, ev->data, ev->len, 0);
        return;
    }
    if (ev->flags & EVK_F_FIRST) {
        evk_tentry *e = evk_transcript_add(tr, t, true, (ev->flags & EVK_F_BINARY) ? EVK_T_BINARY : EVK_T_TEXT,
                                           ev->data, ev->len, 0);
        r->out_entry = e;
        r->out_entry_idx = e ? (size_t)(e - tr->e) : 0;
    } else if (r->out_entry && r->out_entry_idx < tr->n) {
        evk_tentry *e = &tr->e[r->out_entry_idx];
        e->size += ev->len;
        e->fragments++;
    }
}

/* ---- what the target sends ----------------------------------------- */

static void after_violation(crun *r, const char *what)
{
    if (!r->obs.after_violation++)
        snprintf(r->obs.first_after, sizeof r->obs.first_after, "%s", what);
}

static bool all_acks_in(const crun *r)
{
    for (size_t i = 0; i < r->obs.nacks; i++)
        if (!r->obs.acks[i].seen) return false;
    return true;
}

static void target_event(crun *r, const evk_message *m, uint64_t t)
{
    char ids[EVK_UUID_STRLEN + 1];
    evk_uuid_format(&m->id, ids);
    if (r->obs.close_predicted) {
        char what[80];
        snprintf(what, sizeof what, "Event %s", ids);
        after_violation(r, what);
        return;
    }
    if (client_target(r) && !r->hs_acked) r->obs.early_events++;
    int rc = evk_session_send_event(r->model, &m->id, NULL, t);
    evk_action a;
    while (evk_session_pop(r->model, &a)) {
    }
    schedule_mtick(r);
    if (rc == EVK_EDUPID && !r->obs.target_violation[0])
        broke(r, EVK_P_TARGET_INVALID, "Event %s reuses the id of its own unacked Event", ids);
    if (rc == EVK_EFULL) { /* it sends Events far faster than it reads our Acks */
        broke(r, EVK_P_TARGET_INVALID, "flooded: more than %d of its Events unacked because it does not read evack's Acks "
                 "(%zu bytes of them waiting)", 65536, evk_conn_pending(r->conn));
        return finish(r);
    }
    if (r->holding && r->nheld < r->want_held && r->nheld < MAX_HELD) {
        r->held[r->nheld++] = (held_event){.id = m->id, .t = t};
        return;
    }
    if (r->c->flags & EVK_CF_HOLD_EVENTS) return;
    send_ack_of(r, &m->id, NULL); /* unsolicited: ack it at once, as a peer must */
}

static void target_ack(crun *r, const evk_message *m, uint64_t t)
{
    evk_ack_expect *a = evk_obs_find_ack(&r->obs, &m->id);
    char ids[EVK_UUID_STRLEN + 1];
    evk_uuid_format(&m->id, ids);
    if (evk_uuid_equal(&m->id, &r->x.a)) r->a_unacked = false;
    if (a) {
        if (!a->seen++) a->t_first = rel(r, t);
        if (client_target(r) && evk_uuid_equal(&m->id, &r->x.hs)) r->hs_acked = true;
        return;
    }
    if (we_sent(r, &m->id) && r->obs.close_predicted) {
        char what[80];
        snprintf(what, sizeof what, "Ack of %s", ids);
        after_violation(r, what);
        return;
    }
    if (!r->obs.unknown_acks++) snprintf(r->obs.unknown_ack, sizeof r->obs.unknown_ack, "%s", ids);
}

static void on_conn2(evk_conn *c, const evk_net_event *ev, void *user)
{
    crun *r = user;
    if (ev->kind == EVK_NET_OPEN) {
        r->obs.upgrade_accepted = true;
        note(r, "a second connection with the same token was accepted");
        evk_conn_detach(c);
        r->conn2 = NULL;
        finish(r);
    } else if (ev->kind == EVK_NET_ERROR || ev->kind == EVK_NET_CLOSED) {
        r->conn2 = NULL;
        r->obs.http_status = ev->http_status;
        note(r, "second connection: %s (HTTP %d)", ev->error ? ev->error : "closed", ev->http_status);
        finish(r);
    }
}

static void open_second(crun *r)
{
    char err[sizeof r->obs.end_error];
    r->conn2 = evk_connect(r->s->o.loop, r->s->o.url, r->s->o.headers, r->s->o.nheaders, on_conn2, r,
                           err, sizeof err);
    if (!r->conn2) {
        snprintf(r->obs.end_error, sizeof r->obs.end_error, "%s", err);
        finish(r);
        return;
    }
    r->ph = P_FINAL;
    wait_for(r, now() + r->s->o.wait_ms);
}

/* The target's first message (S): its handshake Event. */
static void target_handshake(crun *r, const char *text, size_t len, bool binary, uint64_t t)
{
    const evk_profile *p = r->s->o.profile;
    evk_message m;
    uint64_t limit = 0;
    char problem[256] = "";
    evk_validate(p, text, len, !binary, &m);
    if (m.violation != EVK_V_NONE) snprintf(problem, sizeof problem, "%s", m.reason);
    else if (m.kind != EVK_MSG_EVENT) snprintf(problem, sizeof problem, "the first message is an Ack, not the handshake Event");
    else {
        evk_validate_policy(p, text, len, &limit, &m);
        if (m.violation != EVK_V_NONE) snprintf(problem, sizeof problem, "%s", m.reason);
    }
    r->hs_seen = true;
    r->t_hs = t;
    if (problem[0]) { /* no case can run on a broken handshake: each fails, naming it */
        broke(r, EVK_P_HANDSHAKE, "invalid handshake Event: %s", problem);
        finish(r);
        return;
    }
    r->limit = limit;
    r->obs.limit_ms = limit;
    r->tol = r->s->o.tolerance_ms ? r->s->o.tolerance_ms : evk_default_tolerance(limit);
    r->x.hs = m.id;
    evk_uuid seedu;
    fresh_id(&seedu);
    uint64_t seed;
    memcpy(&seed, seedu.b, sizeof seed);
    evk_session_config cfg = {.role = EVK_ROLE_SERVER, .profile = p, .ack_limit_ms = limit, .seed = seed};
    r->model = evk_session_new(&cfg);
    if (!r->model || evk_session_start(r->model, &m.id, t) < 0) {
        broke(r, EVK_P_INTERNAL, "internal: out of memory");
        finish(r);
        return;
    }
    evk_action a;
    while (evk_session_pop(r->model, &a)) {
    }
    schedule_mtick(r);
    note(r, "handshake: ack time limit %llu ms", (unsigned long long)limit);
    if (!(r->c->flags & EVK_CF_HOLD_HANDSHAKE)) send_ack_of(r, &m.id, NULL);
    if (r->c->upgrade && strcmp(r->c->upgrade, "second") == 0) {
        open_second(r);
        return;
    }
    r->ph = P_STEPS;
    run_steps(r);
}

static void target_message(crun *r, const char *text, size_t len, bool binary, uint64_t t)
{
    if (++r->in_msgs > MAX_TARGET_MESSAGES) {
        if (!r->deaf)
            broke(r, EVK_P_TARGET_INVALID, "flooded: more than %d messages in one case (%zu bytes of evack's frames unsent)",
                     MAX_TARGET_MESSAGES, evk_conn_pending(r->conn));
        r->deaf = true;
        return;
    }
    if (r->ph == P_HANDSHAKE && !client_target(r)) {
        target_handshake(r, text, len, binary, t);
        return;
    }
    evk_message m;
    evk_validate(r->s->o.profile, text, len, !binary, &m);
    if (m.violation != EVK_V_NONE && m.violation != EVK_V_FATAL_STATUS) {
        if (r->obs.close_predicted) {
            after_violation(r, "an invalid message");
        } else if (!r->obs.target_violation[0]) {
            broke(r, EVK_P_TARGET_INVALID, "%s", m.reason);
        }
        return;
    }
    if (m.kind == EVK_MSG_EVENT) target_event(r, &m, t);
    else target_ack(r, &m, t);
}

static void record_in_piece(crun *r, const evk_net_event *ev)
{
    evk_transcript *tr = &r->r->tr;
    if (ev->flags & EVK_F_FIRST) {
        evk_tentry *e = evk_transcript_add(tr, rel(r, ev->t_ms), false,
                                           (ev->flags & EVK_F_BINARY) ? EVK_T_BINARY : EVK_T_TEXT,
                                           ev->data, ev->len, 0);
        r->in_entry = e;
        r->in_entry_idx = e ? (size_t)(e - tr->e) : 0;
    } else if (r->in_entry && r->in_entry_idx < tr->n) {
        tr->e[r->in_entry_idx].size += ev->len;
        tr->e[r->in_entry_idx].fragments++;
    }
}

static void on_piece(crun *r, const evk_net_event *ev)
{
    record_in_piece(r, ev);
    if (ev->flags & EVK_F_FIRST) {
        evk_msgbuf_reset(&r->in);
        r->in_binary = ev->flags & EVK_F_BINARY;
        r->in_too_big = false;
    }
    if (r->in_too_big) return;
    r->in.max = r->s->o.max_message ? r->s->o.max_message : (16u << 20);
    int rc = evk_msgbuf_add(&r->in, ev->data, ev->len);
    if (rc == EVK_ETOOBIG) {
        r->in_too_big = true;
        broke(r, EVK_P_TARGET_INVALID, "sent a message larger than %zu bytes (closed with 1009)", r->in.max);
        evk_conn_close(r->conn, EVK_CLOSE_TOO_BIG, "message too big");
        return;
    }
    if (rc < 0 || !(ev->flags & EVK_F_FINAL)) return;
    target_message(r, r->in.data ? r->in.data : "", r->in.len, r->in_binary, ev->t_ms);
    evk_msgbuf_done(&r->in);
    r->t_last_in = ev->t_ms;
    if (r->ph == P_HANDSHAKE && client_target(r) && r->hs_acked) {
        /* Let the client's opening burst (its own Events) pass before the
         * steps: what it sent before seeing a step is not "after" it. */
        wait_for(r, ev->t_ms + CLIENT_QUIET_MS);
        return;
    }
    if (r->ph == P_STEPS) run_steps(r); /* a step may be waiting for this */
    else if (r->ph == P_FINAL) enter_final(r);
}

/* ---- steps ---------------------------------------------------------- */

static void wait_for(crun *r, uint64_t until)
{
    r->wait_until = until;
    evk_timer_at(r->timer, until);
}

static void skip_case(crun *r, evk_skip_why why, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void skip_case(crun *r, evk_skip_why why, const char *fmt, ...)
{
    r->obs.skip_why = why;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->obs.skip_reason, sizeof r->obs.skip_reason, fmt, ap);
    va_end(ap);
    r->obs.skip = true;
    finish(r);
}

static void soak_round(crun *r);

/* The steps for this target's role. */
static const evk_step *steps_of(const crun *r)
{
    static const evk_step none[] = {{.kind = EVK_STEP_END}};
    if (client_target(r) && r->c->c_steps) return r->c->c_steps;
    return r->c->steps ? r->c->steps : none;
}

static void run_steps(crun *r)
{
    const evk_profile *p = r->s->o.profile;
    while (r->ph == P_STEPS && !r->obs.close_predicted && r->conn) {
        if (r->deaf) return finish(r);
        const evk_step *st = &steps_of(r)[r->step];
        uint64_t t = now();
        switch (st->kind) {
        case EVK_STEP_END:
            enter_final(r);
            return;
        case EVK_STEP_SEND:
            if (send_tpl(r, &st->msg, EVK_F_WHOLE, 1) < 0) return finish(r);
            break;
        case EVK_STEP_SEND_BINARY:
            if (send_tpl(r, &st->msg, EVK_F_WHOLE | EVK_F_BINARY, 1) < 0) return finish(r);
            break;
        case EVK_STEP_SEND_FRAGMENTS:
            if (send_tpl(r, &st->msg, EVK_F_WHOLE, st->n > 1 ? st->n : 3) < 0) return finish(r);
            break;
        case EVK_STEP_PING:
            evk_conn_ping(r->conn, "evack", 5);
            r->obs.pings++;
            r->obs.pong_owed = true;
            break;
        case EVK_STEP_WAIT: {
            uint64_t due = r->wait_until ? r->wait_until
                                         : t + (st->ms ? st->ms : (uint64_t)(st->frac * (double)r->limit));
            if (t < due) return wait_for(r, due);
            break;
        }
        case EVK_STEP_WAIT_ACKS: {
            /* Until what we sent has left and every Ack the model expects came. */
            uint64_t due = r->wait_until ? r->wait_until : t + r->limit + r->tol;
            if ((!all_left(r) || !all_acks_in(r)) && t < due) return wait_for(r, due);
            break;
        }
        case EVK_STEP_ACK_HANDSHAKE: {
            uint64_t due = r->t_hs + (uint64_t)(st->frac * (double)r->limit);
            if (t < due) return wait_for(r, due);
            send_ack_of(r, &r->x.hs, &st->msg);
            break;
        }
        case EVK_STEP_HOLD:
            if (!r->wait_until) { /* the step begins */
                r->holding = true;
                r->want_held = st->n;
                if (!client_target(r)) {
                    if (!p->has_trigger)
                        return skip_case(r, EVK_SKIP_NO_TRIGGER, "the profile names no trigger, so the target cannot be asked for Events");
                    char payload[64];
                    const char *last = strrchr(p->trigger_pointer, '/');
                    snprintf(payload, sizeof payload, "{\"%s\":%d}", last ? last + 1 : "emit", st->n);
                    evk_msg_tpl trig = {.kind = EVK_MSG_EVENT, .payload = payload};
                    if (send_tpl(r, &trig, EVK_F_WHOLE, 1) < 0) return finish(r);
                }
                /* A client sends its Events by itself: wait up to the limit for them. */
                if (r->nheld < r->want_held)
                    return wait_for(r, t + (client_target(r) ? r->limit : r->s->o.wait_ms));
            } else if (r->nheld < r->want_held) {
                if (t < r->wait_until) return;
                if (client_target(r))
                    return skip_case(r, EVK_SKIP_TOO_FEW_EVENTS, "the client sent %d of the %d Event(s) this case needs within the limit (%llu ms)",
                                     r->nheld, r->want_held, (unsigned long long)r->limit);
                return skip_case(r, EVK_SKIP_TOO_FEW_EVENTS, "asked the target for %d Event(s) with the trigger; %d came within %llu ms",
                                 r->want_held, r->nheld, (unsigned long long)r->s->o.wait_ms);
            }
            r->holding = false;
            break;
        case EVK_STEP_ACK_HELD: {
            int first = st->n >= 0 ? st->n : r->nheld - 1, last = st->n >= 0 ? st->n : 0;
            for (int i = first; i >= last && i < r->nheld; i--) {
                held_event *h = &r->held[i];
                if (h->acked) continue;
                uint64_t due = h->t + (uint64_t)(st->frac * (double)r->limit);
                if (t < due) return wait_for(r, due);
                h->acked = true;
                send_ack_of(r, &h->id, &st->msg);
            }
            break;
        }
        case EVK_STEP_EVENTS:
            for (int i = 0; i < st->n; i++) {
                evk_msg_tpl ev = {.kind = EVK_MSG_EVENT};
                send_tpl(r, &ev, EVK_F_WHOLE, 1);
            }
            break;
        case EVK_STEP_SOAK:
            /* One burst every 20 ms, on the soak's own clock (steps are also
             * re-checked when messages leave or arrive). */
            if (!r->soak_end) r->soak_end = t + (r->s->o.soak_ms ? r->s->o.soak_ms : 1500);
            if (t < r->soak_end) {
                if (t >= r->soak_next) {
                    soak_round(r);
                    r->soak_next = t + 20;
                }
                return wait_for(r, r->soak_next);
            }
            break;
        }
        r->step++;
        r->wait_until = 0;
    }
}

/* One burst of mixed valid traffic. */
static void soak_round(crun *r)
{
    static const evk_msg_tpl kinds[] = {
        {.kind = EVK_MSG_EVENT},
        {.kind = EVK_MSG_EVENT, .extra = ",\"extra\":{\"nested\":[1,2,3]},\"n\":1.5e3"},
        {.kind = EVK_MSG_EVENT, .id = "A"},
        {.kind = EVK_MSG_EVENT, .payload = "{\"text\":\"caf\\u00e9 \\ud83d\\ude00\"}"},
    };
    unsigned k = r->soak_round++;
    switch (k % 6) {
    case 4:
        send_tpl(r, &kinds[0], EVK_F_WHOLE, 3); /* fragmented */
        break;
    case 5:
        if (r->conn) evk_conn_ping(r->conn, "soak", 4), r->obs.pings++, r->obs.pong_owed = true;
        break;
    default: {
        evk_msg_tpl t = kinds[k % 4];
        /* "A" (the case's id a in upper case) may only be reused once its Ack came. */
        if (t.id && r->a_unacked) t.id = NULL;
        if (t.id) r->a_unacked = true;
        send_tpl(r, &t, EVK_F_WHOLE, 1);
    }
    }
}

/* ---- the end of a case --------------------------------------------- */

static void enter_final(crun *r)
{
    if (r->ph == P_DONE) return;
    r->ph = P_FINAL;
    uint64_t t = now(), until;
    if (r->obs.close_predicted) {
        if (r->obs.end != EVK_END_OPEN) return finish(r);
        until = r->t0 + r->obs.t_close + (r->obs.close_at_deadline ? r->tol + 50 : r->s->o.wait_ms);
    } else {
        uint64_t at;
        if (r->model && evk_session_next_deadline(r->model, &at)) {
            until = at + r->tol + 50; /* mtick will predict the close */
        } else if (!all_left(r) || !all_acks_in(r)) {
            until = r->t0 + r->obs.t_last_send + r->limit + r->tol;
        } else {
            until = t + r->s->o.settle_ms;
            if (r->wait_until && r->wait_until > t && r->wait_until < until) until = r->wait_until;
        }
    }
    if (t >= until) return finish(r);
    r->wait_until = until;
    evk_timer_at(r->timer, until);
}

/* No handshake Event came: no case can run without one, so each fails and
 * says why (nothing at all, part of a message, a close, a drop). */
static void no_handshake(crun *r, const char *what, bool silent)
{
    if (silent && r->in.len)
        broke(r, EVK_P_HANDSHAKE, "no complete handshake Event within %llu ms (%zu bytes of a message came)",
                 (unsigned long long)r->s->o.wait_ms, r->in.len);
    else if (silent)
        broke(r, EVK_P_NO_RESPONSE, "no response within %llu ms (no handshake Event)", (unsigned long long)r->s->o.wait_ms);
    else
        broke(r, EVK_P_HANDSHAKE, "no handshake Event: %s", what);
    finish(r);
}

static void on_timer(evk_timer *t, void *user)
{
    (void)t;
    crun *r = user;
    if (r->ph == P_CONNECT) {
        r->obs.end = EVK_END_ERROR;
        if (client_target(r)) {
            char how[64] = "";
            if (r->proc) {
                evk_proc_poll(r->proc);
                evk_proc_describe(r->proc, how, sizeof how);
            }
            snprintf(r->obs.end_error, sizeof r->obs.end_error, "client did not connect within %llu s%s%s%s",
                     (unsigned long long)(r->s->o.connect_ms / 1000), how[0] ? " (it " : "",
                     strcmp(how, "still running") == 0 ? "is still running" : how, how[0] ? ")" : "");
        } else {
            snprintf(r->obs.end_error, sizeof r->obs.end_error, "no WebSocket connection within %llu ms",
                     (unsigned long long)r->s->o.wait_ms);
        }
        return finish(r);
    }
    if (r->ph == P_HANDSHAKE && client_target(r)) {
        /* Quiet since its last message (or no Ack of our handshake at all,
         * which the judge will see): on to the steps. */
        uint64_t t_now = now();
        if (r->hs_acked && t_now < r->t_last_in + CLIENT_QUIET_MS && t_now < r->t0 + CASE_CAP_MS / 2)
            return wait_for(r, r->t_last_in + CLIENT_QUIET_MS);
        r->ph = P_STEPS;
        r->wait_until = 0;
        return run_steps(r);
    }
    if (r->ph == P_HANDSHAKE) {
        return no_handshake(r, "", true);
    }
    if (r->ph == P_STEPS) return run_steps(r);
    if (r->ph == P_FINAL) {
        uint64_t t_now = now();
        if (t_now >= r->wait_until) return finish(r);
        evk_timer_at(r->timer, r->wait_until);
    }
}

static void on_ptimer(evk_timer *t, void *user)
{
    crun *r = user;
    evk_proc_poll(r->proc);
    if (r->stopping) {
        if (evk_proc_exited(r->proc, NULL)) return slot_free(r);
        if (now() >= r->kill_at) {
            note(r, "the client ignored SIGTERM: killed");
            evk_proc_kill(r->proc);
            r->kill_at = UINT64_MAX;
        }
    } else if (r->ph == P_CONNECT && evk_proc_exited(r->proc, NULL)) {
        /* It ended without connecting: fail now rather than at the timeout
         * (after a moment, in case its connection is still on its way). */
        if (!r->exited_at) r->exited_at = now();
        else if (now() - r->exited_at > 200) on_timer(r->timer, r);
    }
    evk_timer_at(t, now() + 50);
}

static void on_cap(evk_timer *t, void *user)
{
    (void)t;
    crun *r = user;
    if (r->closing) return slot_free(r);
    note(r, "the case ran out of time (%d s)", CASE_CAP_MS / 1000);
    finish(r);
}

/* A client connected for this case: declare the limit in our handshake Event
 * (unless the case sends its own), then wait for its Ack before the steps. */
static void client_open(crun *r, evk_conn *c)
{
    const evk_profile *p = r->s->o.profile;
    r->conn = c;
    evk_timer_cancel(r->timer);
    r->limit = r->s->o.ack_limit_ms;
    r->obs.limit_ms = r->limit;
    r->tol = r->s->o.tolerance_ms ? r->s->o.tolerance_ms : evk_default_tolerance(r->limit);
    evk_uuid seedu;
    fresh_id(&seedu);
    uint64_t seed;
    memcpy(&seed, seedu.b, sizeof seed);
    evk_session_config cfg = {.role = EVK_ROLE_CLIENT, .profile = p, .seed = seed};
    r->model = evk_session_new(&cfg);
    if (!r->model || evk_session_start(r->model, NULL, now()) < 0) {
        broke(r, EVK_P_INTERNAL, "internal: out of memory");
        return finish(r);
    }
    /* Cases that hold the client's Events hold them from the start: a client
     * sends them as soon as the handshake is done. */
    const evk_step *st = steps_of(r);
    for (int i = 0; st[i].kind != EVK_STEP_END; i++)
        if (st[i].kind == EVK_STEP_HOLD) {
            r->holding = true;
            r->want_held = st[i].n;
            break;
        }
    if (r->c->flags & EVK_CF_OWN_HANDSHAKE) {
        r->ph = P_STEPS;
        return run_steps(r);
    }
    char hs[EVK_MAX_OUT];
    size_t len;
    fresh_id(&r->x.hs);
    if (evk_compose_handshake(p, &r->x.hs, evk_wall_us(), r->limit, hs, sizeof hs, &len) < 0) {
        broke(r, EVK_P_INTERNAL, "internal: cannot compose the handshake");
        return finish(r);
    }
    send_bytes(r, hs, len, EVK_F_WHOLE);
    remember_sent(r, hs, len);
    note(r, "our handshake: ack time limit %llu ms", (unsigned long long)r->limit);
    r->ph = P_HANDSHAKE;
    wait_for(r, now() + r->limit + r->tol);
}

static void on_conn_event(evk_conn *c, const evk_net_event *ev, crun *r);

static void on_conn(evk_conn *c, const evk_net_event *ev, void *user)
{
    crun *r = user;
    on_conn_event(c, ev, r);
    if (r->deaf && !r->finished) finish(r);
}

static void on_conn_event(evk_conn *c, const evk_net_event *ev, crun *r)
{
    if (r->closing) { /* the case is judged; only its close is awaited */
        if (ev->kind == EVK_NET_CLOSED || ev->kind == EVK_NET_ERROR) {
            r->conn = NULL;
            slot_free(r);
        }
        return;
    }
    switch (ev->kind) {
    case EVK_NET_OPEN:
        if (client_target(r)) {
            client_open(r, c);
            break;
        }
        if (r->c->upgrade && strcmp(r->c->upgrade, "second") != 0) {
            r->obs.upgrade_accepted = true;
            return finish(r);
        }
        r->ph = P_HANDSHAKE;
        evk_timer_at(r->timer, ev->t_ms + r->s->o.wait_ms);
        break;
    case EVK_NET_SENT:
        record_sent(r, ev);
        if (!ev->is_close && !ev->is_ping) {
            if (ev->flags & EVK_F_FINAL) r->left++;
            model_input(r, ev);
        }
        if (r->ph == P_FINAL) enter_final(r);
        else if (r->ph == P_STEPS && r->wait_until && r->left >= r->queued &&
                 steps_of(r)[r->step].kind == EVK_STEP_WAIT_ACKS)
            run_steps(r);
        break;
    case EVK_NET_DATA:
        on_piece(r, ev);
        break;
    case EVK_NET_PONG:
        r->obs.pongs++;
        r->obs.pong_owed = false;
        evk_transcript_add(&r->r->tr, rel(r, ev->t_ms), false, EVK_T_PONG, ev->data, ev->len, 0);
        break;
    case EVK_NET_PEER_CLOSE:
        if (r->obs.end == EVK_END_OPEN) {
            r->obs.end = EVK_END_CLOSE;
            r->obs.end_code = ev->code;
            r->obs.t_end = rel(r, ev->t_ms);
            size_t n = ev->reason_len < sizeof r->obs.end_reason - 1 ? ev->reason_len : sizeof r->obs.end_reason - 1;
            if (n) memcpy(r->obs.end_reason, ev->reason, n);
            r->obs.end_reason[n] = '\0';
        }
        evk_transcript_add(&r->r->tr, rel(r, ev->t_ms), false, EVK_T_CLOSE, ev->reason, ev->reason_len, ev->code);
        break;
    case EVK_NET_CLOSED:
    case EVK_NET_ERROR:
        r->conn = NULL;
        if (r->obs.end == EVK_END_OPEN && !r->finished) {
            if (ev->kind == EVK_NET_ERROR) {
                r->obs.end = EVK_END_ERROR;
                r->obs.http_status = ev->http_status;
                if (ev->http_status)
                    snprintf(r->obs.end_error, sizeof r->obs.end_error, "the upgrade was refused with HTTP %d", ev->http_status);
                else
                    snprintf(r->obs.end_error, sizeof r->obs.end_error, "%s", ev->error ? ev->error : "connection failed");
            } else if (!ev->peer_closed && !ev->we_closed) {
                r->obs.end = EVK_END_DROP;
                evk_transcript_add(&r->r->tr, rel(r, ev->t_ms), false, EVK_T_DROP, NULL, 0, 0);
            }
            r->obs.t_end = rel(r, ev->t_ms);
        }
        if (!r->finished && r->ph == P_HANDSHAKE && !r->hs_seen && !client_target(r) &&
            r->obs.end == EVK_END_DROP)
            return no_handshake(r, "the connection dropped first", false);
        if (!r->finished) finish(r);
        return;
    }
    if (r->obs.end == EVK_END_CLOSE && !r->finished) {
        if (r->ph == P_HANDSHAKE && !r->hs_seen && !client_target(r)) {
            char what[64];
            snprintf(what, sizeof what, "it closed with %d first", r->obs.end_code);
            return no_handshake(r, what, false);
        }
        finish(r);
    }
}

static void release(crun *r)
{
    r->closing = false;
    evk_timer_free(r->ptimer);
    r->ptimer = NULL;
    evk_timer_free(r->timer);
    evk_timer_free(r->mtick);
    evk_timer_free(r->cap);
    r->timer = r->mtick = r->cap = NULL;
    evk_session_free(r->model);
    r->model = NULL;
    evk_msgbuf_free(&r->in);
    free(r->sent);
    r->sent = NULL;
    evk_obs_free(&r->obs);
}

static void start_next(suite *s);

/* Is evack withholding an Ack on purpose (held Events, the held handshake)? */
static bool holds_an_ack(const crun *r)
{
    for (int i = 0; i < r->nheld; i++)
        if (!r->held[i].acked) return true;
    return (r->c->flags & EVK_CF_HOLD_HANDSHAKE) && !client_target(r) && !r->hs_ack_sent;
}

static void finish(crun *r)
{
    if (r->finished) return;
    r->finished = true;
    r->ph = P_DONE;
    /* A connection that ended while evack was deliberately holding an Ack
     * (a deadline case): what the model would have done at that deadline is
     * the expectation. Deadlines of Acks merely in flight do not count. */
    uint64_t at;
    if (r->model && !r->obs.close_predicted && r->obs.end != EVK_END_OPEN && holds_an_ack(r) &&
        evk_session_next_deadline(r->model, &at)) {
        evk_session_on_tick(r->model, at);
        drain_model(r, at, true);
    }
    evk_judge(r->c, r->s->o.profile, &r->obs, r->tol ? r->tol : evk_default_tolerance(r->limit),
              r->s->o.wait_ms, r->r);
    r->r->duration_ms = now() - r->t0;
    suite *s = r->s;
    evk_verdict v = r->r->verdict;
    bool doubtful = v == EVK_VERDICT_FAIL || v == EVK_VERDICT_NON_STRICT || v == EVK_VERDICT_SKIP;
    if (doubtful && r->max_lag > STARVED_MS && !r->retry) {
        /* evack itself was starved: its timing is no evidence. Again, alone. */
        s->retries[s->nretries++] = (size_t)(r - s->runs);
        snprintf(r->first, sizeof r->first, "%.200s", r->r->observed);
        r->first_lag = r->max_lag;
        r->retry = true;
    } else {
        if (r->retry && !s->interrupted) {
            size_t used = strlen(r->r->observed);
            snprintf(r->r->observed + used, sizeof r->r->observed - used,
                     " (run again alone: evack's own loop ran up to %llu ms late during the first attempt, which saw: %.160s)",
                     (unsigned long long)r->first_lag, r->first);
        }
        s->done++;
        if (s->o.on_result) s->o.on_result(r->r, s->done, s->n, s->o.user);
    }

    evk_conn *conns[2] = {r->conn, r->conn2};
    r->conn2 = NULL;
    if (conns[1]) {
        evk_conn_close(conns[1], 1000, "evack: case done");
        evk_conn_detach(conns[1]);
    }
    if (r->proc) {
        /* Close, then stop the client's whole process group; the slot stays
         * taken until it is gone (SIGKILL after a second). */
        r->conn = NULL;
        if (conns[0]) {
            evk_conn_close(conns[0], 1000, "evack: case done");
            evk_conn_detach(conns[0]);
        }
        r->stopping = true;
        evk_timer_cancel(r->timer);
        evk_timer_cancel(r->mtick);
        evk_proc_terminate(r->proc);
        r->kill_at = now() + 1000;
        return;
    }
    if (conns[0] && s->o.one_connection) {
        /* The next case may only connect once this connection is gone. */
        r->closing = true;
        evk_timer_cancel(r->timer);
        evk_timer_cancel(r->mtick);
        evk_timer_at(r->cap, now() + 6000);
        evk_conn_close(conns[0], 1000, "evack: case done");
        return;
    }
    if (conns[0]) {
        r->conn = NULL;
        evk_conn_close(conns[0], 1000, "evack: case done");
        evk_conn_detach(conns[0]);
    }
    slot_free(r);
}

static void client_output_note(crun *r)
{
    char out[EVK_PROC_TAIL + 1], how[64];
    size_t total;
    evk_proc_poll(r->proc);
    evk_proc_describe(r->proc, how, sizeof how);
    size_t n = evk_proc_output(r->proc, out, sizeof out, &total);
    note(r, "the client %s", how);
    if (n) {
        char head[96];
        snprintf(head, sizeof head, "client output (last %zu of %zu bytes):\n", n, total);
        size_t hl = strlen(head);
        char *both = malloc(hl + n + 1);
        if (both) {
            memcpy(both, head, hl);
            memcpy(both + hl, out, n + 1);
            evk_transcript_add(&r->r->tr, rel(r, now()), false, EVK_T_NOTE, both, hl + n, 0);
            free(both);
        }
    }
}

static void slot_free(crun *r)
{
    if (r->conn) { /* the close did not complete in time */
        evk_conn_detach(r->conn);
        r->conn = NULL;
    }
    if (r->proc) {
        client_output_note(r);
        evk_proc_free(r->proc); /* kills what is left of its group and reaps it */
        r->proc = NULL;
    }
    release(r);
    r->s->running--;
    start_next(r->s);
}

/* ---- starting cases ------------------------------------------------- */

static bool header_is_authorization(const char *h)
{
    return strncasecmp(h, "authorization:", 14) == 0;
}

static void start_case(suite *s, size_t i)
{
    crun *r = &s->runs[i];
    bool retry = r->retry;
    uint64_t first_lag = r->first_lag;
    char first[sizeof r->first];
    memcpy(first, r->first, sizeof first);
    memset(r, 0, sizeof *r);
    r->retry = retry;
    r->first_lag = first_lag;
    memcpy(r->first, first, sizeof first);
    if (retry) { /* the first attempt's result makes room for the second's */
        evk_result_reset(&s->results[i]);
        evk_result_init(&s->results[i], s->cases[i]);
    }
    r->s = s;
    r->c = s->cases[i];
    r->r = &s->results[i];
    r->t0 = now();
    r->x.profile = s->o.profile;
    fresh_id(&r->x.a);
    fresh_id(&r->x.b);
    r->obs.target_role = s->o.target_role;
    r->timer = evk_timer_new(s->o.loop, on_timer, r);
    r->mtick = evk_timer_new(s->o.loop, on_mtick, r);
    r->cap = evk_timer_new(s->o.loop, on_cap, r);
    s->running++;
    if (!r->timer || !r->mtick || !r->cap) {
        broke(r, EVK_P_INTERNAL, "internal: out of memory");
        return finish(r);
    }
    evk_timer_at(r->cap, r->t0 + CASE_CAP_MS);

    if (s->o.target_role == EVK_ROLE_CLIENT) {
        r->ph = P_CONNECT;
        r->started = true;
        if (!s->o.client_cmd) return; /* waits for whoever connects to its URL */
        char url[256], cmd[8192], err[sizeof r->obs.end_error];
        snprintf(url, sizeof url, "ws://%s:%d/case/%s",
                 strcmp(s->o.listen_host, "0.0.0.0") == 0 ? "127.0.0.1" : s->o.listen_host, s->port, r->c->id);
        size_t o = 0;
        for (const char *q = s->o.client_cmd; *q && o + strlen(url) + 1 < sizeof cmd;) {
            if (strncmp(q, "{url}", 5) == 0) {
                o += (size_t)snprintf(cmd + o, sizeof cmd - o, "%s", url);
                q += 5;
            } else {
                cmd[o++] = *q++;
            }
        }
        cmd[o] = '\0';
        r->proc = evk_proc_spawn(cmd, err, sizeof err);
        if (!r->proc) {
            r->obs.end = EVK_END_ERROR;
            snprintf(r->obs.end_error, sizeof r->obs.end_error, "%s", err);
            return finish(r);
        }
        r->ptimer = evk_timer_new(s->o.loop, on_ptimer, r);
        if (r->ptimer) evk_timer_at(r->ptimer, now() + 50);
        evk_timer_at(r->timer, r->t0 + s->o.connect_ms);
        return;
    }

    const char *hdrs[16];
    size_t nh = 0;
    bool replace_auth = r->c->upgrade && strcmp(r->c->upgrade, "second") != 0;
    for (size_t k = 0; k < s->o.nheaders && nh < 15; k++)
        if (!(replace_auth && header_is_authorization(s->o.headers[k]))) hdrs[nh++] = s->o.headers[k];
    if (r->c->upgrade && strcmp(r->c->upgrade, "bad-token") == 0)
        hdrs[nh++] = "Authorization: Bearer evack-certainly-not-the-right-token";
    char err[sizeof r->obs.end_error];
    r->conn = evk_connect(s->o.loop, s->o.url, hdrs, nh, on_conn, r, err, sizeof err);
    if (!r->conn) {
        r->obs.end = EVK_END_ERROR;
        snprintf(r->obs.end_error, sizeof r->obs.end_error, "%s", err);
        return finish(r);
    }
    r->ph = P_CONNECT;
    evk_timer_at(r->timer, r->t0 + s->o.wait_ms + 3000);
}

static int on_accept(const evk_accept_info *info, void *user, evk_conn_cb *cb, void **cuser)
{
    suite *s = user;
    const char *prefix = "/case/";
    if (strncmp(info->path, prefix, strlen(prefix)) != 0) return 404;
    const char *id = info->path + strlen(prefix);
    for (size_t i = 0; i < s->n; i++) {
        crun *r = &s->runs[i];
        if (strcmp(s->cases[i]->id, id) != 0) continue;
        if (!r->started) return 425; /* its turn has not come (--jobs) */
        if (r->ph != P_CONNECT || r->accepted) return 409; /* that case already has its connection */
        r->accepted = true;
        *cb = on_conn;
        *cuser = r;
        return 0;
    }
    return 404;
}

static void start_next(suite *s)
{
    unsigned jobs = s->o.one_connection ? 1 : s->o.jobs ? s->o.jobs : (unsigned)s->n;
    while (s->next < s->n && s->running < jobs) start_case(s, s->next++);
    /* Second attempts run one at a time once everything else is over. */
    if (s->next == s->n && s->running == 0 && s->next_retry < s->nretries)
        start_case(s, s->retries[s->next_retry++]);
    if (s->done == s->n && s->running == 0) evk_loop_stop(s->o.loop);
}

/* End the run now: nothing new starts, running cases end as interrupted. */
static void interrupt_all(suite *s)
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
        crun *r = &s->runs[s->retries[s->next_retry]];
        size_t used = strlen(r->r->observed);
        snprintf(r->r->observed + used, sizeof r->r->observed - used, " (not run again: interrupted)");
        s->done++;
    }
    for (size_t i = 0; i < s->n; i++) {
        crun *r = &s->runs[i];
        if (!r->s || r->finished) continue;
        r->obs.skip = true;
        r->obs.skip_why = EVK_SKIP_INTERRUPTED;
        snprintf(r->obs.skip_reason, sizeof r->obs.skip_reason, "interrupted");
        r->obs.target_violation[0] = '\0';
        r->retry = true; /* no second attempt */
        finish(r);
    }
    if (s->done == s->n && s->running == 0) evk_loop_stop(s->o.loop);
}

/* How late does evack's own loop run? Every running case remembers the worst. */
static void on_monitor(evk_timer *t, void *user)
{
    suite *s = user;
    if (s->o.stop && *s->o.stop && !s->interrupted) interrupt_all(s);
    uint64_t t_now = now(), lag = t_now > s->monitor_due ? t_now - s->monitor_due : 0;
    for (size_t i = 0; i < s->n; i++) {
        crun *r = &s->runs[i];
        if (r->timer && !r->finished && lag > r->max_lag) r->max_lag = lag;
    }
    s->monitor_due = t_now + MONITOR_MS;
    evk_timer_at(t, s->monitor_due);
    if (s->o.on_progress && t_now >= s->next_progress) {
        s->next_progress = t_now + 250;
        const crun *oldest = NULL;
        for (size_t i = 0; i < s->n; i++) {
            const crun *r = &s->runs[i];
            if (r->timer && !r->finished && (!oldest || r->t0 < oldest->t0)) oldest = r;
        }
        s->o.on_progress(s->done, s->n, s->running, oldest ? oldest->c->id : "",
                         oldest ? t_now - oldest->t0 : 0, s->o.user);
    }
}

int evk_suite_run(const evk_suite_opts *o, const evk_case *const *cases, size_t n,
                  evk_case_result *results)
{
    suite s = {.o = *o, .cases = cases, .results = results, .n = n};
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
        if (evk_listen(s.o.loop, s.o.listen_host, s.o.listen_port, on_accept, &s, &s.port, err, sizeof err) < 0) {
            free(s.runs);
            free(s.retries);
            return EVK_EIO;
        }
        if (s.o.on_listen) s.o.on_listen(s.o.listen_host, s.port, s.o.user);
    }
    s.monitor = evk_timer_new(s.o.loop, on_monitor, &s);
    s.monitor_due = now() + MONITOR_MS;
    if (s.monitor) evk_timer_at(s.monitor, s.monitor_due);
    start_next(&s);
    if (s.done < s.n || s.running) evk_loop_run(o->loop);
    evk_timer_free(s.monitor);
    free(s.retries);
    free(s.runs);
    return 0;
}

/* ---- the probe ------------------------------------------------------ */

typedef struct probe {
    evk_loop *loop;
    evk_timer *timer;
    evk_conn *conn;
    int status; /* 0 running, 1 opened, -1 failed */
    bool gone;  /* the connection has ended */
    char err[256];
} probe;

static void probe_conn(evk_conn *c, const evk_net_event *ev, void *user)
{
    probe *p = user;
    if (ev->kind == EVK_NET_OPEN) {
        p->status = 1;
        evk_conn_close(c, 1000, "evack: probe"); /* wait for the close: a token may allow one connection */
    } else if (ev->kind == EVK_NET_ERROR || ev->kind == EVK_NET_CLOSED) {
        p->gone = true;
        p->conn = NULL;
        if (p->status == 0) {
            p->status = -1;
            if (ev->http_status)
                snprintf(p->err, sizeof p->err, "the upgrade was refused with HTTP %d", ev->http_status);
            else
                snprintf(p->err, sizeof p->err, "%s", ev->error ? ev->error : "connection closed");
        }
        evk_loop_stop(p->loop);
    }
}

static void probe_timeout(evk_timer *t, void *user)
{
    (void)t;
    probe *p = user;
    if (p->status == 0) {
        p->status = -1;
        snprintf(p->err, sizeof p->err, "no answer within 5 s");
    }
    evk_loop_stop(p->loop);
}

int evk_suite_probe(const evk_suite_opts *o, char *err, size_t errcap)
{
    probe p = {.loop = o->loop};
    char e[256];
    p.conn = evk_connect(o->loop, o->url, o->headers, o->nheaders, probe_conn, &p, e, sizeof e);
    if (!p.conn) {
        char why[256];
        evk_net_diagnose(o->url, 3000, why, sizeof why);
        snprintf(err, errcap, "cannot connect to %s: %s", o->url, strcmp(why, "TCP connects") == 0 ? e : why);
        return EVK_EIO;
    }
    p.timer = evk_timer_new(o->loop, probe_timeout, &p);
    evk_timer_at(p.timer, now() + 5000);
    evk_loop_run(o->loop);
    if (!p.gone && p.status == 1) { /* opened, close not done yet: give it a moment */
        evk_timer_at(p.timer, now() + 2000);
        evk_loop_run(o->loop);
    }
    evk_timer_free(p.timer);
    if (!p.gone) evk_conn_detach(p.conn);
    if (p.status != 1) {
        /* lws says little ("Unable to connect", "read failed"): name the real
         * reason when it is below HTTP. */
        char why[256];
        bool tls = strncmp(o->url, "wss://", 6) == 0;
        if (strncmp(p.err, "the upgrade was refused", 23) == 0 || strncmp(p.err, "no answer", 9) == 0) {
            snprintf(why, sizeof why, "%s", p.err);
        } else if (tls && (strstr(p.err, "SSL") || strstr(p.err, "ssl") || strstr(p.err, "certificate"))) {
            snprintf(why, sizeof why,
                     "TLS handshake failed: the server's certificate is not trusted (self-signed, expired, or "
                     "not for this host); --ca FILE trusts its CA, --insecure accepts any (OpenSSL: %.80s)", p.err);
        } else {
            evk_net_diagnose(o->url, 3000, why, sizeof why);
            if (strcmp(why, "TCP connects") == 0)
                snprintf(why, sizeof why, "the WebSocket upgrade failed (%s)", p.err[0] ? p.err : "no reason given");
        }
        snprintf(err, errcap, "cannot connect to %s: %s", o->url, why);
        return EVK_EIO;
    }
    return 0;
}
