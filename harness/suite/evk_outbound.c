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

#include <stdlib.h>

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

void evk_cr_remember_sent(evk_case_run *r, const char *text, size_t len)
{
    evk_message m;
    if (evk_validate(r->s->o.profile, text, len, true, &m) < 0 || !m.has_id || m.kind != EVK_MSG_EVENT)
        return;
    bool first_event = evk_cr_target_is_client(r) && !r->hs.ours_known;
    remember_id(r, &m.id);
    if (first_event) { /* our handshake Event */
        r->x.hs = m.id;
        r->hs.ours_known = true;
    }
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
    if (!(how & EVK_F_BINARY)) evk_cr_remember_sent(r, msg, len);
    if (t->kind != EVK_MSG_ACK) remember_id(r, evk_expand_id(t, &r->x)); /* valid or not */
    free(msg);
    return 0;
}

void evk_cr_send_ack_of(evk_case_run *r, const evk_uuid *id, const evk_msg_tpl *tpl)
{
    evk_msg_tpl t = {.kind = EVK_MSG_ACK, .id = "held"};
    if (tpl && tpl->kind != EVK_MSG_NONE) {
        t = *tpl;
        if (!t.id) t.id = "held";
    }
    r->x.held = *id;
    if (evk_uuid_equal(id, &r->x.hs)) r->hs.ack_sent = true;
    evk_cr_send_tpl(r, &t, EVK_F_WHOLE, 1);
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
}

void evk_cr_out_free(evk_case_run *r)
{
    free(r->out.ids);
    r->out.ids = NULL;
    r->out.nids = r->out.capids = 0;
}
