/* What evack sends in a case, and what of it left.
 *
 * Phases of a message: a step (or an Ack of the target's Event) expands a
 * template -> its ids are remembered (an Ack naming one is an Ack of ours,
 * valid or not) -> it is queued on the connection, unless the target has
 * stopped reading (then the case is deaf and ends) -> each frame is
 * reported as it leaves: into the transcript, and data into the model
 * (which only then expects the Acks of it).
 */
#include "evk_run_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_json.h"
#include "evk_validate.h"

#define MAX_PENDING (8u << 20) /* bytes queued for a target before we call it deaf */

/* Remember an id we put into a message. */
static void remember_id(evk_case_run *r, const evk_uuid *id)
{
    evk_cr_out *o = &r->out;
    if (o->nids == o->capids) {
        size_t cap = o->capids ? o->capids * 2 : 16;
        evk_uuid *p = realloc(o->ids, cap * sizeof *p);
        if (!p) return;
        o->ids = p;
        o->capids = cap;
    }
    o->ids[o->nids++] = *id;
}

/* Remember the id of an Event we sent (m: its judgement). */
static void remember_event(evk_case_run *r, const evk_message *m)
{
    if (!m->has_id || m->kind != EVK_MSG_EVENT) return;
    bool first_event = evk_cr_target_is_client(r) && !r->hs.ours_known;
    remember_id(r, &m->id);
    if (first_event) { /* our handshake Event */
        r->x.hs = m->id;
        r->hs.ours_known = true;
    }
}

void evk_cr_remember_sent(evk_case_run *r, const char *text, size_t len)
{
    evk_message m;
    if (evk_validate(r->s->o.profile, text, len, true, &m) == 0) remember_event(r, &m);
}

bool evk_cr_we_sent(const evk_case_run *r, const evk_uuid *id)
{
    for (size_t i = 0; i < r->out.nids; i++)
        if (evk_uuid_equal(&r->out.ids[i], id)) return true;
    return false;
}

void evk_cr_send_bytes(evk_case_run *r, const char *data, size_t len, unsigned flags)
{
    if (!r->conn) return;
    /* A target that never reads would make evack's queue grow without end. */
    if (evk_conn_pending(r->conn) > MAX_PENDING) {
        if (!r->obs.target_violation[0])
            evk_cr_broke(r, EVK_P_TARGET_INVALID, "does not read: %zu bytes of evack's frames waiting",
                         evk_conn_pending(r->conn));
        r->deaf = true; /* the case ends at the next safe point */
        return;
    }
    if (evk_conn_send(r->conn, data, len, flags) == 0 && (flags & EVK_F_FINAL)) r->out.queued++;
    r->obs.t_last_send = evk_cr_rel(r, evk_cr_now());
}

/* Every message queued has left, so the model has seen it (Acks it expects
 * are known only from then on). */
bool evk_cr_all_left(const evk_case_run *r)
{
    return r->out.left >= r->out.queued;
}

/* A ping just before a message that may violate the protocol: its round
 * trip tells the judge how loaded the path is (PROTOCOL.md §4). */
static void rtt_ping(evk_case_run *r)
{
    char payload[24];
    uint32_t seq = r->out.rtt_seq++;
    int n = snprintf(payload, sizeof payload, "rtt:%u", seq);
    if (!r->conn || evk_conn_ping(r->conn, payload, (size_t)n) < 0) return;
    r->obs.rtt[seq % EVK_RTT_MAX] = (evk_rtt_ping){.seq = seq, .t_sent = UINT64_MAX};
    r->obs.nrtt = (size_t)seq + 1;
}

/* The ring entry of a round-trip ping's payload, or NULL. */
static evk_rtt_ping *rtt_entry(evk_case_run *r, const void *data, size_t len)
{
    char buf[24];
    unsigned seq;
    char tail;
    if (len < 5 || len >= sizeof buf || memcmp(data, "rtt:", 4) != 0) return NULL;
    memcpy(buf, data, len);
    buf[len] = '\0';
    if (sscanf(buf + 4, "%u%c", &seq, &tail) != 1 || !r->obs.nrtt) return NULL;
    evk_rtt_ping *q = &r->obs.rtt[seq % EVK_RTT_MAX];
    return q->seq == seq && (size_t)seq < r->obs.nrtt ? q : NULL;
}

int evk_cr_rtt_pong(evk_case_run *r, const evk_net_event *ev)
{
    evk_rtt_ping *q = rtt_entry(r, ev->data, ev->len);
    if (!q) return -1;
    if (!q->ponged && q->t_sent != UINT64_MAX) {
        q->t_pong = evk_cr_rel(r, ev->t_ms);
        q->ponged = true;
    }
    return 0;
}

/* May this message break the protocol? Everything but a valid Event with a
 * fresh id may (an Ack may be unknown or a second one, an id reused). */
static bool may_violate(const evk_case_run *r, const evk_msg_tpl *t, const evk_message *m, unsigned how,
                        bool dup_keys)
{
    if ((how & EVK_F_BINARY) || dup_keys || m->violation != EVK_V_NONE || m->kind != EVK_MSG_EVENT) return true;
    return !evk_uuid_equal(evk_expand_id(t, &r->x), &r->x.fresh);
}

int evk_cr_send_tpl(evk_case_run *r, const evk_msg_tpl *t, unsigned how, int fragments)
{
    char *msg;
    size_t len;
    evk_uuid_v4(&r->x.fresh);
    r->x.wall_us = evk_wall_us();
    if (evk_expand(t, &r->x, &msg, &len) < 0) {
        evk_cr_broke(r, EVK_P_INTERNAL, "internal: case %s has a bad template", r->c->id);
        return -1;
    }
    bool text = !(how & EVK_F_BINARY);
    evk_message m;
    evk_validate(r->s->o.profile, msg, len, text, &m);
    /* A duplicate key: every reading of it is judged from here on. */
    bool dup = text && evk_json_has_dup_key(msg, len) == 1;
    if (dup) evk_cr_model_fork(r);
    if ((how & EVK_CR_STEP) && may_violate(r, t, &m, how, dup)) rtt_ping(r);
    how &= ~EVK_CR_STEP;
    if (fragments > 1 && len >= (size_t)fragments) {
        size_t piece = len / (size_t)fragments;
        for (int i = 0; i < fragments; i++) {
            size_t off = (size_t)i * piece, n = i == fragments - 1 ? len - off : piece;
            unsigned f = (i == 0 ? EVK_F_FIRST : 0) | (i == fragments - 1 ? EVK_F_FINAL : 0);
            evk_cr_send_bytes(r, msg + off, n, f);
        }
    } else {
        evk_cr_send_bytes(r, msg, len, how);
    }
    if (text && m.violation != EVK_V_NOT_TEXT) remember_event(r, &m);
    if (t->kind != EVK_MSG_ACK) remember_id(r, evk_expand_id(t, &r->x)); /* valid or not */
    free(msg);
    return 0;
}

void evk_cr_send_ack_of(evk_case_run *r, const evk_uuid *id, const evk_msg_tpl *tpl, unsigned how)
{
    evk_msg_tpl t = {.kind = EVK_MSG_ACK, .id = "held"};
    if (tpl && tpl->kind != EVK_MSG_NONE) {
        t = *tpl;
        if (!t.id) t.id = "held";
    }
    r->x.held = *id;
    if (evk_uuid_equal(id, &r->x.hs)) r->hs.ack_sent = true;
    evk_cr_send_tpl(r, &t, EVK_F_WHOLE | how, 1);
}

/* The transcript of what left: a message's later fragments extend its entry. */
static void record_sent(evk_case_run *r, const evk_net_event *ev)
{
    evk_transcript *tr = &r->r->tr;
    uint64_t t = evk_cr_rel(r, ev->t_ms);
    if (ev->is_close) {
        evk_transcript_add(tr, t, true, EVK_T_CLOSE, ev->reason, ev->reason_len, ev->code);
        return;
    }
    if (ev->is_ping) {
        evk_transcript_add(tr, t, true, EVK_T_PING, ev->data, ev->len, 0);
        evk_rtt_ping *q = rtt_entry(r, ev->data, ev->len);
        if (q && q->t_sent == UINT64_MAX) q->t_sent = t;
        return;
    }
    if (ev->flags & EVK_F_FIRST)
        r->out.entry = evk_transcript_add(tr, t, true, (ev->flags & EVK_F_BINARY) ? EVK_T_BINARY : EVK_T_TEXT,
                                          ev->data, ev->len, 0);
    else
        evk_transcript_extend(tr, r->out.entry, ev->len);
}

void evk_cr_on_sent(evk_case_run *r, const evk_net_event *ev)
{
    record_sent(r, ev);
    if (ev->is_close || ev->is_ping) return;
    if (ev->flags & EVK_F_FINAL) r->out.left++;
    evk_cr_model_input(r, ev);
    if (r->ph == EVK_PH_FINAL && evk_cr_all_left(r)) evk_cr_final_wait(r, r->wait_until);
}

void evk_cr_out_free(evk_case_run *r)
{
    free(r->out.ids);
    r->out.ids = NULL;
    r->out.nids = r->out.capids = 0;
}
