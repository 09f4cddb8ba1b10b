/* What the target sends in a case: the connection's events.
 *
 * Phases: the connection opens (S: wait for the target's handshake Event;
 * C: evk_client_target.c sends ours) -> data arrives in pieces, recorded
 * in the transcript and reassembled up to max_message -> each complete
 * message is judged: S's first one must be its handshake Event (which
 * starts the model and the steps), later ones are Events (acked at once,
 * or held when a step asks) or Acks (matched with the Acks the model
 * expects) -> its close or a drop ends the case. Anything after the
 * predicted close counts as "after the violation".
 * upgrade.second-connection opens a second connection here once the
 * handshake is done.
 */
#include "evk_run_private.h"

#include <stdio.h>
#include <string.h>

#include "evk_err.h"
#include "evk_validate.h"

#define MAX_TARGET_MESSAGES 20000 /* no case asks for more: beyond it, a flood */

/* Something came after the violation reading d's target closes for. */
static void after_violation(evk_reading *d, const char *what)
{
    if (!d->after_violation++) snprintf(d->first_after, sizeof d->first_after, "%s", what);
}

/* ... for every reading that predicted a close by now. */
static void after_violations(evk_case_run *r, const char *what)
{
    for (size_t k = 0; k < evk_cr_model_readings(r); k++)
        if (r->obs.rd[k].close_predicted) after_violation(&r->obs.rd[k], what);
}

static void target_event(evk_case_run *r, const evk_message *m, uint64_t t)
{
    char ids[EVK_UUID_STRLEN + 1], what[80];
    evk_uuid_format(&m->id, ids);
    snprintf(what, sizeof what, "Event %s", ids);
    after_violations(r, what);
    if (!evk_cr_model_open(r)) return;
    if (evk_cr_target_is_client(r) && !r->hs.acked) r->obs.early_events++;
    int rc = evk_cr_model_target_event(r, &m->id, t);
    if (rc == EVK_EDUPID && !r->obs.target_violation[0])
        evk_cr_broke(r, EVK_P_TARGET_INVALID, "Event %s reuses the id of its own unacked Event", ids);
    if (rc == EVK_EFULL) { /* it sends Events far faster than it reads our Acks */
        evk_cr_broke(r, EVK_P_TARGET_INVALID, "flooded: more than %d of its Events unacked because it does not read evack's Acks "
                     "(%zu bytes of them waiting)", EVK_DEFAULT_MAX_UNACKED, evk_conn_pending(r->conn));
        return evk_cr_finish(r);
    }
    evk_cr_held *h = &r->held;
    if (h->holding && h->n < h->want && h->n < EVK_CR_MAX_HELD) {
        h->ev[h->n++] = (evk_held_event){.id = m->id, .t = t};
        return;
    }
    if (r->c->flags & EVK_CF_HOLD_EVENTS) return;
    evk_cr_send_ack_of(r, &m->id, NULL, 0); /* unsolicited: ack it at once, as a peer must */
}

/* An Ack from the target, as each reading sees it: of one of our Events
 * (once or more), of the violating message itself, of something we sent
 * after the violation, or of nothing of ours. */
static void target_ack(evk_case_run *r, const evk_message *m, uint64_t t)
{
    char ids[EVK_UUID_STRLEN + 1];
    evk_uuid_format(&m->id, ids);
    if (evk_uuid_equal(&m->id, &r->x.a)) r->soak.a_unacked = false;
    for (size_t k = 0; k < evk_cr_model_readings(r); k++) {
        evk_reading *d = &r->obs.rd[k];
        evk_ack_expect *a = evk_reading_find_ack(d, &m->id);
        if (a) {
            if (!a->seen++) a->t_first = evk_cr_rel(r, t);
            if (evk_cr_target_is_client(r) && evk_uuid_equal(&m->id, &r->x.hs)) r->hs.acked = true;
        } else if (d->close_predicted && evk_reading_is_violating(d, &m->id)) {
            d->acked_violation++;
        } else if (d->close_predicted && evk_cr_we_sent(r, &m->id)) {
            char what[80];
            snprintf(what, sizeof what, "Ack of %s", ids);
            after_violation(d, what);
        } else if (!d->unknown_acks++) {
            snprintf(d->unknown_ack, sizeof d->unknown_ack, "%s", ids);
        }
    }
}

/* upgrade.second-connection: the second connection's only news is whether
 * it was let in. */
static void on_conn2(evk_conn *c, const evk_net_event *ev, void *user)
{
    evk_case_run *r = user;
    if (ev->kind == EVK_NET_OPEN) {
        r->obs.upgrade_accepted = true;
        evk_cr_note(r, "a second connection with the same token was accepted");
        evk_conn_detach(c);
        r->conn2 = NULL;
        evk_cr_finish(r);
    } else if (ev->kind == EVK_NET_ERROR || ev->kind == EVK_NET_CLOSED) {
        r->conn2 = NULL;
        r->obs.http_status = ev->http_status;
        evk_cr_note(r, "second connection: %s (HTTP %d)", ev->error ? ev->error : "closed", ev->http_status);
        evk_cr_finish(r);
    }
}

static void open_second(evk_case_run *r)
{
    char err[sizeof r->obs.end_error];
    r->conn2 = evk_connect(r->s->o.loop, r->s->o.url, r->s->o.headers, r->s->o.nheaders, on_conn2, r,
                           err, sizeof err);
    if (!r->conn2) {
        snprintf(r->obs.end_error, sizeof r->obs.end_error, "%s", err);
        evk_cr_finish(r);
        return;
    }
    r->ph = EVK_PH_FINAL;
    evk_cr_wait_for(r, evk_cr_now() + r->s->o.wait_ms);
}

/* A profile without a handshake phase ("handshake": null, PROTOCOL.md §6):
 * the messaging phase starts as the connection opens, under its fixed limit. */
static void start_without_handshake(evk_case_run *r, uint64_t t)
{
    uint64_t limit = r->s->o.profile->ack_limit_ms;
    r->limit = limit;
    r->obs.limit_ms = limit;
    r->tol = r->s->o.tolerance_ms ? r->s->o.tolerance_ms : evk_default_tolerance(limit);
    if (evk_cr_model_start(r, EVK_ROLE_SERVER, limit, NULL, t) < 0) {
        evk_cr_broke(r, EVK_P_INTERNAL, "internal: out of memory");
        return evk_cr_finish(r);
    }
    evk_cr_note(r, "no handshake phase (the profile's): ack time limit %llu ms", (unsigned long long)limit);
    if (r->c->upgrade == EVK_UPGRADE_SECOND) return open_second(r);
    r->ph = EVK_PH_STEPS;
    evk_cr_run_steps(r);
}

/* The target's first message (S): its handshake Event. */
static void target_handshake(evk_case_run *r, const char *text, size_t len, bool binary, uint64_t t)
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
    r->hs.seen = true;
    r->hs.t = t;
    if (problem[0]) { /* no case can run on a broken handshake: each fails, naming it */
        evk_cr_broke(r, EVK_P_HANDSHAKE, "invalid handshake Event: %s", problem);
        evk_cr_finish(r);
        return;
    }
    r->limit = limit;
    r->obs.limit_ms = limit;
    r->tol = r->s->o.tolerance_ms ? r->s->o.tolerance_ms : evk_default_tolerance(limit);
    r->x.hs = m.id;
    if (evk_cr_model_start(r, EVK_ROLE_SERVER, limit, &m.id, t) < 0) {
        evk_cr_broke(r, EVK_P_INTERNAL, "internal: out of memory");
        evk_cr_finish(r);
        return;
    }
    evk_cr_note(r, "handshake: ack time limit %llu ms", (unsigned long long)limit);
    if (!(r->c->flags & EVK_CF_HOLD_HANDSHAKE)) evk_cr_send_ack_of(r, &m.id, NULL, 0);
    if (r->c->upgrade == EVK_UPGRADE_SECOND) {
        open_second(r);
        return;
    }
    r->ph = EVK_PH_STEPS;
    evk_cr_run_steps(r);
}

static void target_message(evk_case_run *r, const char *text, size_t len, bool binary, uint64_t t)
{
    if (++r->in.msgs > MAX_TARGET_MESSAGES) {
        if (!r->deaf)
            evk_cr_broke(r, EVK_P_TARGET_INVALID, "flooded: more than %d messages in one case (%zu bytes of evack's frames unsent)",
                         MAX_TARGET_MESSAGES, evk_conn_pending(r->conn));
        r->deaf = true;
        return;
    }
    if (r->ph == EVK_PH_HANDSHAKE && !evk_cr_target_is_client(r)) {
        target_handshake(r, text, len, binary, t);
        return;
    }
    evk_message m;
    evk_validate(r->s->o.profile, text, len, !binary, &m);
    if (m.violation != EVK_V_NONE && m.violation != EVK_V_FATAL_STATUS) {
        if (!evk_cr_model_open(r)) {
            after_violations(r, "an invalid message");
        } else if (!r->obs.target_violation[0]) {
            evk_cr_broke(r, EVK_P_TARGET_INVALID, "%s", m.reason);
        }
        return;
    }
    if (m.kind == EVK_MSG_EVENT) target_event(r, &m, t);
    else target_ack(r, &m, t);
}

/* The transcript of what came: a message's later pieces extend its entry. */
static void record_piece(evk_case_run *r, const evk_net_event *ev)
{
    evk_transcript *tr = &r->r->tr;
    if (ev->flags & EVK_F_FIRST)
        r->in.entry = evk_transcript_add(tr, evk_cr_rel(r, ev->t_ms), false,
                                         (ev->flags & EVK_F_BINARY) ? EVK_T_BINARY : EVK_T_TEXT,
                                         ev->data, ev->len, 0);
    else
        evk_transcript_extend(tr, r->in.entry, ev->len);
}

static void on_piece(evk_case_run *r, const evk_net_event *ev)
{
    evk_cr_in *in = &r->in;
    record_piece(r, ev);
    if (ev->flags & EVK_F_FIRST) {
        evk_msgbuf_reset(&in->buf);
        in->binary = ev->flags & EVK_F_BINARY;
        in->too_big = false;
        in->t_first = ev->t_ms;
    }
    if (in->too_big) return;
    in->partial = !(ev->flags & EVK_F_FINAL);
    in->buf.max = r->s->o.max_message ? r->s->o.max_message : (16u << 20);
    int rc = evk_msgbuf_add(&in->buf, ev->data, ev->len);
    if (rc == EVK_ETOOBIG) {
        in->too_big = true;
        in->partial = false;
        evk_cr_broke(r, EVK_P_TARGET_INVALID, "sent a message larger than %zu bytes (closed with 1009)", in->buf.max);
        evk_conn_close(r->conn, EVK_CLOSE_TOO_BIG, "message too big");
        return;
    }
    if (rc < 0 || !(ev->flags & EVK_F_FINAL)) return;
    /* A message is timed by its first piece: that is when the target sent
     * it (an Ack in three frames is in time if it began in time, and a held
     * Event's limit runs from when the target started sending it). */
    target_message(r, in->buf.data ? in->buf.data : "", in->buf.len, in->binary, in->t_first);
    evk_msgbuf_done(&in->buf);
    in->t_last = ev->t_ms;
    if (r->ph == EVK_PH_HANDSHAKE && evk_cr_target_is_client(r) && r->hs.acked) {
        /* Let the client's opening burst (its own Events) pass before the
         * steps: what it sent before seeing a step is not "after" it. */
        evk_cr_wait_for(r, ev->t_ms + EVK_CR_CLIENT_QUIET_MS);
        return;
    }
    if (r->ph == EVK_PH_STEPS) evk_cr_run_steps(r); /* a step may be waiting for this */
    else if (r->ph == EVK_PH_FINAL) evk_cr_enter_final(r);
}

/* No handshake Event came: no case can run without one, so each fails and
 * says why (nothing at all, part of a message, a close, a drop). */
void evk_cr_no_handshake(evk_case_run *r, const char *what, bool silent)
{
    unsigned long long wait = (unsigned long long)r->s->o.wait_ms;
    if (silent && r->in.buf.len)
        evk_cr_broke(r, EVK_P_HANDSHAKE, "no complete handshake Event within %llu ms (%zu bytes of a message came)",
                     wait, r->in.buf.len);
    else if (silent)
        evk_cr_broke(r, EVK_P_NO_RESPONSE, "no response within %llu ms (no handshake Event)", wait);
    else
        evk_cr_broke(r, EVK_P_HANDSHAKE, "no handshake Event: %s", what);
    evk_cr_finish(r);
}

/* The target closed or dropped the connection, or it never opened. */
static void conn_ended(evk_case_run *r, const evk_net_event *ev)
{
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
            evk_transcript_add(&r->r->tr, evk_cr_rel(r, ev->t_ms), false, EVK_T_DROP, NULL, 0, 0);
        }
        r->obs.t_end = evk_cr_rel(r, ev->t_ms);
    }
    if (!r->finished && r->ph == EVK_PH_HANDSHAKE && !r->hs.seen && !evk_cr_target_is_client(r) &&
        r->obs.end == EVK_END_DROP)
        return evk_cr_no_handshake(r, "the connection dropped first", false);
    if (!r->finished) evk_cr_finish(r);
}

static void peer_close(evk_case_run *r, const evk_net_event *ev)
{
    if (r->obs.end == EVK_END_OPEN) {
        r->obs.end = EVK_END_CLOSE;
        r->obs.end_code = ev->code;
        r->obs.t_end = evk_cr_rel(r, ev->t_ms);
        size_t n = ev->reason_len < sizeof r->obs.end_reason - 1 ? ev->reason_len : sizeof r->obs.end_reason - 1;
        if (n) memcpy(r->obs.end_reason, ev->reason, n);
        r->obs.end_reason[n] = '\0';
    }
    evk_transcript_add(&r->r->tr, evk_cr_rel(r, ev->t_ms), false, EVK_T_CLOSE, ev->reason, ev->reason_len, ev->code);
}

static void on_conn_event(evk_conn *c, const evk_net_event *ev, evk_case_run *r)
{
    if (r->closing) { /* the case is judged; only its close is awaited */
        if (ev->kind == EVK_NET_CLOSED || ev->kind == EVK_NET_ERROR) {
            r->conn = NULL;
            evk_cr_slot_free(r);
        }
        return;
    }
    switch (ev->kind) {
    case EVK_NET_OPEN:
        if (evk_cr_target_is_client(r)) {
            evk_cr_client_open(r, c);
            break;
        }
        if (r->c->upgrade != EVK_UPGRADE_NONE && r->c->upgrade != EVK_UPGRADE_SECOND) {
            r->obs.upgrade_accepted = true;
            return evk_cr_finish(r);
        }
        if (!r->s->o.profile->has_handshake) return start_without_handshake(r, ev->t_ms);
        r->ph = EVK_PH_HANDSHAKE;
        evk_timer_at(r->timer, ev->t_ms + r->s->o.wait_ms);
        break;
    case EVK_NET_SENT:
        evk_cr_on_sent(r, ev);
        if (r->ph == EVK_PH_FINAL) evk_cr_enter_final(r);
        else if (r->ph == EVK_PH_STEPS && r->wait_until && evk_cr_all_left(r) &&
                 evk_cr_steps(r)[r->step].kind == EVK_STEP_WAIT_ACKS)
            evk_cr_run_steps(r);
        break;
    case EVK_NET_DATA:
        on_piece(r, ev);
        break;
    case EVK_NET_PONG:
        /* Any pong answers the pings before it (RFC 6455 5.5.3); a round-trip
         * ping's also measures the path. */
        if (evk_cr_rtt_pong(r, ev) < 0) r->obs.pongs++;
        evk_transcript_add(&r->r->tr, evk_cr_rel(r, ev->t_ms), false, EVK_T_PONG, ev->data, ev->len, 0);
        if (r->obs.pong_owed) {
            r->obs.pong_owed = false;
            if (r->ph == EVK_PH_FINAL) evk_cr_enter_final(r); /* it may have been the last thing awaited */
        }
        break;
    case EVK_NET_PEER_CLOSE:
        peer_close(r, ev);
        break;
    case EVK_NET_CLOSED:
    case EVK_NET_ERROR:
        return conn_ended(r, ev);
    }
    if (r->obs.end == EVK_END_CLOSE && !r->finished) {
        if (r->ph == EVK_PH_HANDSHAKE && !r->hs.seen && !evk_cr_target_is_client(r)) {
            char what[64];
            snprintf(what, sizeof what, "it closed with %d first", r->obs.end_code);
            return evk_cr_no_handshake(r, what, false);
        }
        evk_cr_finish(r);
    }
}

void evk_cr_on_conn(evk_conn *c, const evk_net_event *ev, void *user)
{
    evk_case_run *r = user;
    on_conn_event(c, ev, r);
    if (r->deaf && !r->finished) evk_cr_finish(r);
}

void evk_cr_in_free(evk_case_run *r)
{
    evk_msgbuf_free(&r->in.buf);
}
