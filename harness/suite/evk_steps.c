/* One case's state machine.
 *
 * Phases (evk_phase): CONNECT (the connection, or S: the upgrade's answer)
 * -> HANDSHAKE (S: the target's handshake Event, evk_intake.c; C: the Ack of
 * ours, then the client's opening burst) -> STEPS (the interpreter below
 * runs the case's steps in order; a step that must wait arms the timer and
 * is re-checked whenever a message leaves or arrives) -> FINAL (wait for
 * the predicted close, the last Acks, or a quiet moment) -> DONE: finish()
 * judges the observations, hands the result to the scheduler, and lets the
 * connection (and a client's process) go. A case never outlives
 * EVK_CR_CAP_MS.
 */
#include "evk_run_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SOAK_BURST_MS 20

void evk_cr_note(evk_case_run *r, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    evk_transcript_add(&r->r->tr, evk_cr_rel(r, evk_cr_now()), false, EVK_T_NOTE, buf, strlen(buf), 0);
}

void evk_cr_broke(evk_case_run *r, evk_problem kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->obs.target_violation, sizeof r->obs.target_violation, fmt, ap);
    va_end(ap);
    r->obs.target_problem = kind;
}

void evk_cr_wait_for(evk_case_run *r, uint64_t until)
{
    r->wait_until = until;
    evk_timer_at(r->timer, until);
}

EVK_PRINTF(3, 4) static void skip_case(evk_case_run *r, evk_skip_why why, const char *fmt, ...)
{
    r->obs.skip_why = why;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->obs.skip_reason, sizeof r->obs.skip_reason, fmt, ap);
    va_end(ap);
    r->obs.skip = true;
    evk_cr_finish(r);
}

const evk_step *evk_cr_steps(const evk_case_run *r)
{
    static const evk_step none[] = {{.kind = EVK_STEP_END}};
    /* A client's steps; also a server's without a handshake Event to use. */
    if ((evk_cr_target_is_client(r) || !r->s->o.profile->has_handshake) && r->c->c_steps) return r->c->c_steps;
    return r->c->steps ? r->c->steps : none;
}

/* One burst of mixed valid traffic. */
static void soak_round(evk_case_run *r)
{
    static const evk_msg_tpl kinds[] = {
        {.kind = EVK_MSG_EVENT},
        {.kind = EVK_MSG_EVENT, .extra = ",\"extra\":{\"nested\":[1,2,3]},\"n\":1.5e3"},
        {.kind = EVK_MSG_EVENT, .id = "A"},
        {.kind = EVK_MSG_EVENT, .payload = "{\"text\":\"caf\\u00e9 \\ud83d\\ude00\"}"},
    };
    unsigned k = r->soak.round++;
    switch (k % 6) {
    case 4:
        evk_cr_send_tpl(r, &kinds[0], EVK_F_WHOLE, 3); /* fragmented */
        break;
    case 5:
        if (r->conn) evk_conn_ping(r->conn, "soak", 4), r->obs.pings++, r->obs.pong_owed = true;
        break;
    default: {
        evk_msg_tpl t = kinds[k % 4];
        /* "A" (the case's id a in upper case) may only be reused once its Ack came. */
        if (t.id && r->soak.a_unacked) t.id = NULL;
        if (t.id) r->soak.a_unacked = true;
        evk_cr_send_tpl(r, &t, EVK_F_WHOLE, 1);
    }
    }
}

/* EVK_STEP_HOLD: get n target Events (S: asks for them with the trigger).
 * true when the step is over; false when it waits or the case ended. */
static bool hold_step(evk_case_run *r, const evk_step *st, uint64_t t)
{
    const evk_profile *p = r->s->o.profile;
    evk_cr_held *h = &r->held;
    bool client = evk_cr_target_is_client(r);
    if (!r->wait_until) { /* the step begins */
        h->holding = true;
        h->want = st->n;
        if (!client) {
            if (!p->has_trigger) {
                skip_case(r, EVK_SKIP_NO_TRIGGER, "the profile names no trigger, so the target cannot be asked for Events");
                return false;
            }
            /* K at the profile's trigger pointer, however deep. */
            char buf[1024];
            evk_msg_tpl trig;
            if (evk_trigger_tpl(p, (unsigned)st->n, buf, sizeof buf, &trig) < 0) {
                skip_case(r, EVK_SKIP_NO_TRIGGER, "the profile's trigger pointer %s cannot be written into an Event",
                          p->trigger_pointer);
                return false;
            }
            if (evk_cr_send_tpl(r, &trig, EVK_F_WHOLE, 1) < 0) {
                evk_cr_finish(r);
                return false;
            }
        }
        /* A client sends its Events by itself: wait up to the limit for them. */
        if (h->n < h->want) {
            evk_cr_wait_for(r, t + (client ? r->limit : r->s->o.wait_ms));
            return false;
        }
    } else if (h->n < h->want) {
        if (t < r->wait_until) return false;
        if (client)
            skip_case(r, EVK_SKIP_TOO_FEW_EVENTS, "the client sent %d of the %d Event(s) this case needs within the limit (%llu ms)",
                      h->n, h->want, (unsigned long long)r->limit);
        else
            skip_case(r, EVK_SKIP_TOO_FEW_EVENTS, "asked the target for %d Event(s) with the trigger; %d came within %llu ms",
                      h->want, h->n, (unsigned long long)r->s->o.wait_ms);
        return false;
    }
    h->holding = false;
    return true;
}

/* EVK_STEP_ACK_HELD: ack held Event n (-1: all, newest first), each frac of
 * the limit after it came. true when the step is over. */
static bool ack_held_step(evk_case_run *r, const evk_step *st, uint64_t t)
{
    evk_cr_held *h = &r->held;
    int first = st->n >= 0 ? st->n : h->n - 1, last = st->n >= 0 ? st->n : 0;
    for (int i = first; i >= last && i < h->n; i--) {
        evk_held_event *e = &h->ev[i];
        if (e->acked) continue;
        uint64_t due = e->t + (uint64_t)(st->frac * (double)r->limit);
        if (t < due) {
            evk_cr_wait_for(r, due);
            return false;
        }
        e->acked = true;
        evk_cr_send_ack_of(r, &e->id, &st->msg, EVK_CR_STEP);
    }
    return true;
}

/* EVK_STEP_SOAK: a burst every SOAK_BURST_MS on the soak's own clock (steps
 * are also re-checked when messages leave or arrive). true when over. */
static bool soak_step(evk_case_run *r, uint64_t t)
{
    evk_cr_soak *k = &r->soak;
    if (!k->end) k->end = t + (r->s->o.soak_ms ? r->s->o.soak_ms : 1500);
    if (t >= k->end) return true;
    if (t >= k->next) {
        soak_round(r);
        k->next = t + SOAK_BURST_MS;
    }
    evk_cr_wait_for(r, k->next);
    return false;
}

void evk_cr_run_steps(evk_case_run *r)
{
    while (r->ph == EVK_PH_STEPS && evk_cr_model_open(r) && r->conn) {
        if (r->deaf) return evk_cr_finish(r);
        const evk_step *st = &evk_cr_steps(r)[r->step];
        uint64_t t = evk_cr_now();
        switch (st->kind) {
        case EVK_STEP_END:
            evk_cr_enter_final(r);
            return;
        case EVK_STEP_SEND:
            if (evk_cr_send_tpl(r, &st->msg, EVK_F_WHOLE | EVK_CR_STEP, 1) < 0) return evk_cr_finish(r);
            break;
        case EVK_STEP_SEND_BINARY:
            if (evk_cr_send_tpl(r, &st->msg, EVK_F_WHOLE | EVK_F_BINARY | EVK_CR_STEP, 1) < 0) return evk_cr_finish(r);
            break;
        case EVK_STEP_SEND_FRAGMENTS:
            if (evk_cr_send_tpl(r, &st->msg, EVK_F_WHOLE | EVK_CR_STEP, st->n > 1 ? st->n : 3) < 0) return evk_cr_finish(r);
            break;
        case EVK_STEP_PING:
            evk_conn_ping(r->conn, "evack", 5);
            r->obs.pings++;
            r->obs.pong_owed = true;
            r->obs.t_last_send = evk_cr_rel(r, t);
            break;
        case EVK_STEP_WAIT: {
            uint64_t due = r->wait_until ? r->wait_until
                                         : t + (st->ms ? st->ms : (uint64_t)(st->frac * (double)r->limit));
            if (t < due) return evk_cr_wait_for(r, due);
            break;
        }
        case EVK_STEP_WAIT_ACKS: {
            /* Until what we sent has left and every Ack the model expects came. */
            uint64_t due = r->wait_until ? r->wait_until : t + r->limit + r->tol;
            if ((!evk_cr_all_left(r) || !evk_cr_model_acks_in(r)) && t < due) return evk_cr_wait_for(r, due);
            break;
        }
        case EVK_STEP_ACK_HANDSHAKE: {
            uint64_t due = r->hs.t + (uint64_t)(st->frac * (double)r->limit);
            if (t < due) return evk_cr_wait_for(r, due);
            evk_cr_send_ack_of(r, &r->x.hs, &st->msg, EVK_CR_STEP);
            break;
        }
        case EVK_STEP_HOLD:
            if (!hold_step(r, st, t)) return;
            break;
        case EVK_STEP_ACK_HELD:
            if (!ack_held_step(r, st, t)) return;
            break;
        case EVK_STEP_EVENTS:
            for (int i = 0; i < st->n; i++) {
                evk_msg_tpl ev = {.kind = EVK_MSG_EVENT};
                evk_cr_send_tpl(r, &ev, EVK_F_WHOLE, 1);
            }
            break;
        case EVK_STEP_SOAK:
            if (!soak_step(r, t)) return;
            break;
        }
        r->step++;
        r->wait_until = 0;
    }
}

/* A reading the target has already contradicted: it acked the message that
 * reading calls the violation, or an id that reading never sent. Waiting
 * for that reading's close would only wait out the timeout (a last-wins
 * target acks the second id of a duplicate key: the refusing reading's
 * 4002 never comes). The verdict still weighs every reading. */
static bool reading_refuted(const evk_reading *d)
{
    return d->acked_violation || d->unknown_acks;
}

/* The verdict is due at `until`. A message still arriving then may be the
 * awaited Ack (timed by its first piece) or the violation that decides the
 * case: it is waited for, up to the answer timeout more (a loaded or slow
 * link; a trickle slower than that is judged without it). What evack queued
 * in answer to it (an Ack) is waited for until it has left, so the model
 * sees it. */
void evk_cr_final_wait(evk_case_run *r, uint64_t until)
{
    uint64_t t = evk_cr_now();
    r->wait_until = until;
    if (t < until) {
        evk_timer_at(r->timer, until);
    } else if (r->in.partial && t < until + r->s->o.wait_ms) {
        evk_timer_at(r->timer, until + r->s->o.wait_ms);
    } else if (r->conn && !evk_cr_all_left(r) && t < r->t0 + r->obs.t_last_send + r->s->o.wait_ms) {
        evk_timer_at(r->timer, r->t0 + r->obs.t_last_send + r->s->o.wait_ms); /* evk_cr_on_sent checks sooner */
    } else {
        evk_cr_finish(r);
    }
}

void evk_cr_enter_final(evk_case_run *r)
{
    if (r->ph == EVK_PH_DONE) return;
    r->ph = EVK_PH_FINAL;
    uint64_t t = evk_cr_now(), until = 0;
    bool open = evk_cr_model_open(r);
    if (!open && r->obs.end != EVK_END_OPEN) return evk_cr_finish(r);
    /* Each reading's close (its violation's, or at its deadline), unless the
     * target refuted that reading while another still stands ... */
    size_t nrd = evk_cr_model_readings(r), standing = 0;
    for (size_t k = 0; k < nrd; k++) standing += !reading_refuted(&r->obs.rd[k]);
    for (size_t k = 0; k < nrd; k++) {
        const evk_reading *d = &r->obs.rd[k];
        if (!d->close_predicted || (standing && reading_refuted(d))) continue;
        uint64_t u = r->t0 + d->t_close + (d->close_at_deadline ? r->tol + 50 : r->s->o.wait_ms);
        if (u > until) until = u;
    }
    /* ... and, while one reading expects the connection to go on, its Acks. */
    if (open) {
        uint64_t at, u;
        if (evk_cr_model_deadline(r, &at)) {
            u = at + r->tol + 50; /* the model's tick will predict the close */
        } else if (!evk_cr_all_left(r) || !evk_cr_model_acks_in(r)) {
            u = r->t0 + r->obs.t_last_send + r->limit + r->tol;
        } else {
            u = t + r->s->o.settle_ms;
            if (r->wait_until && r->wait_until > t && r->wait_until < u) u = r->wait_until;
        }
        /* A pong owed is awaited as long as any answer (a loaded target is slow, not deaf). */
        if (r->obs.pong_owed && r->t0 + r->obs.t_last_send + r->s->o.wait_ms > u)
            u = r->t0 + r->obs.t_last_send + r->s->o.wait_ms;
        if (u > until) until = u;
    }
    evk_cr_final_wait(r, until);
}

void evk_cr_on_timer(evk_timer *t, void *user)
{
    (void)t;
    evk_case_run *r = user;
    switch (r->ph) {
    case EVK_PH_CONNECT:
        r->obs.end = EVK_END_ERROR;
        if (evk_cr_target_is_client(r))
            evk_cr_client_no_connection(r);
        else
            snprintf(r->obs.end_error, sizeof r->obs.end_error, "no WebSocket connection within %llu ms",
                     (unsigned long long)r->s->o.wait_ms);
        return evk_cr_finish(r);
    case EVK_PH_HANDSHAKE: {
        if (!evk_cr_target_is_client(r)) return evk_cr_no_handshake(r, "", true);
        /* Quiet since its last message (or no Ack of our handshake at all,
         * which the judge will see): on to the steps. */
        uint64_t t_now = evk_cr_now();
        if (r->hs.acked && t_now < r->in.t_last + EVK_CR_CLIENT_QUIET_MS && t_now < r->t0 + EVK_CR_CAP_MS / 2)
            return evk_cr_wait_for(r, r->in.t_last + EVK_CR_CLIENT_QUIET_MS);
        r->ph = EVK_PH_STEPS;
        r->wait_until = 0;
        return evk_cr_run_steps(r);
    }
    case EVK_PH_STEPS:
        return evk_cr_run_steps(r);
    case EVK_PH_FINAL:
        return evk_cr_final_wait(r, r->wait_until);
    case EVK_PH_DONE:
        return;
    }
}

void evk_cr_on_cap(evk_timer *t, void *user)
{
    (void)t;
    evk_case_run *r = user;
    if (r->closing) return evk_cr_slot_free(r);
    evk_cr_note(r, "the case ran out of time (%d s)", EVK_CR_CAP_MS / 1000);
    evk_cr_finish(r);
}

/* Is evack withholding an Ack on purpose (held Events, the held handshake)? */
static bool holds_an_ack(const evk_case_run *r)
{
    for (int i = 0; i < r->held.n; i++)
        if (!r->held.ev[i].acked) return true;
    return (r->c->flags & EVK_CF_HOLD_HANDSHAKE) && !evk_cr_target_is_client(r) && r->s->o.profile->has_handshake &&
           !r->hs.ack_sent;
}

/* Judged: close the connections; the slot is free once they (and a
 * client's process) are gone. */
static void let_go(evk_case_run *r)
{
    evk_conn *conn = r->conn, *conn2 = r->conn2;
    r->conn2 = NULL;
    if (conn2) {
        evk_conn_close(conn2, 1000, "evack: case done");
        evk_conn_detach(conn2);
    }
    if (r->client.proc) return evk_cr_client_stop(r);
    if (conn && r->s->o.one_connection) {
        /* The next case may only connect once this connection is gone. */
        r->closing = true;
        evk_timer_cancel(r->timer);
        evk_timer_cancel(r->model.tick);
        evk_timer_at(r->cap, evk_cr_now() + 6000);
        evk_conn_close(conn, 1000, "evack: case done");
        return;
    }
    if (conn) {
        r->conn = NULL;
        evk_conn_close(conn, 1000, "evack: case done");
        evk_conn_detach(conn);
    }
    evk_cr_slot_free(r);
}

void evk_cr_finish(evk_case_run *r)
{
    if (r->finished) return;
    r->finished = true;
    /* Stopped before its own steps (no connection, no handshake): the case
     * could not check its own rule, unless its rule is that very phase. */
    r->obs.blocked = (r->ph == EVK_PH_CONNECT || (r->ph == EVK_PH_HANDSHAKE && !evk_cr_target_is_client(r))) &&
                     !(r->c->flags & EVK_CF_HANDSHAKE) && r->c->upgrade == EVK_UPGRADE_NONE;
    r->ph = EVK_PH_DONE;
    /* Frames of ours that never left while the connection stayed open: the
     * model never saw them, so nothing about them can be judged. */
    if (r->obs.end == EVK_END_OPEN && r->out.queued > r->out.left && !r->obs.skip && !r->deaf &&
        !r->obs.target_violation[0])
        r->obs.unsent = r->out.queued - r->out.left;
    /* A connection that ended while evack was deliberately holding an Ack
     * (a deadline case): what the model would have done at that deadline is
     * the expectation. Deadlines of Acks merely in flight do not count. */
    if (evk_cr_model_open(r) && r->obs.end != EVK_END_OPEN && holds_an_ack(r)) evk_cr_model_expire(r);
    evk_judge(r->c, r->s->o.profile, &r->obs, r->tol ? r->tol : evk_default_tolerance(r->limit),
              r->s->o.wait_ms, r->r);
    r->r->duration_ms = evk_cr_now() - r->t0;
    evk_cr_judged(r);
    let_go(r);
}
