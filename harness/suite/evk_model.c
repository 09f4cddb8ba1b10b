/* The model of a correct target: an evk_session in the target's role, fed
 * with exactly what left evack, in order (evk_outbound.c reports each frame
 * as it leaves), and with the target's Events (evk_intake.c).
 *
 * Phases: started at the handshake (S: the target's handshake Event;
 * C: the client connected) -> forked into three readings when evack sends a
 * message with a duplicate key (PROTOCOL.md §2: first wins, last wins,
 * refused; each reading keeps its own predictions in obs.rd[k] and the judge
 * keeps the one the target fits) -> predictions drained after each input:
 * an Ack it would send becomes an expected Ack, a close becomes the
 * predicted close (with the violating message's id) -> deadlines fire on the
 * tick timer (a close at the deadline) -> freed when the case's slot is.
 */
#include "evk_run_private.h"

#include <stdio.h>

size_t evk_cr_model_readings(const evk_case_run *r)
{
    return r->obs.nrd ? r->obs.nrd : 1;
}

/* Reading k's session, when it still runs. */
static evk_session *live(const evk_case_run *r, size_t k)
{
    evk_session *s = r->model.session[k];
    return s && evk_session_state(s) != EVK_S_CLOSED ? s : NULL;
}

bool evk_cr_model_deadline(const evk_case_run *r, uint64_t *at)
{
    bool any = false;
    for (size_t k = 0; k < evk_cr_model_readings(r); k++) {
        uint64_t t;
        if (r->model.session[k] && evk_session_next_deadline(r->model.session[k], &t) && (!any || t < *at)) {
            *at = t;
            any = true;
        }
    }
    return any;
}

/* Arm the tick timer for the models' next deadline, if there is one. */
static void schedule_tick(evk_case_run *r)
{
    uint64_t at;
    if (evk_cr_model_deadline(r, &at)) evk_timer_at(r->model.tick, at);
    else evk_timer_cancel(r->model.tick);
}

/* The ids of the message reading k closes on: its own, or when that reading
 * refused a duplicate key (no id), those the other readings parsed in it. */
static void violating_ids(evk_case_run *r, size_t k)
{
    evk_reading *d = &r->obs.rd[k];
    const evk_message *m = evk_session_last_message(r->model.session[k]);
    d->nviolating_ids = 0;
    if (m->has_id) {
        d->violating_ids[d->nviolating_ids++] = m->id;
        return;
    }
    if (d->dup_keys != EVK_DUPKEYS_REJECT) return;
    for (size_t j = 0; j < evk_cr_model_readings(r) && d->nviolating_ids < 2; j++) {
        /* Only a reading still open has just read this very message. */
        const evk_message *o = j == k || !live(r, j) ? NULL : evk_session_last_message(r->model.session[j]);
        if (o && o->has_id && !evk_reading_is_violating(d, &o->id)) d->violating_ids[d->nviolating_ids++] = o->id;
    }
}

/* Take reading k's predictions: Acks to expect, or the close. */
static void drain(evk_case_run *r, size_t k, uint64_t t, bool deadline)
{
    evk_reading *d = &r->obs.rd[k];
    evk_session *s = r->model.session[k];
    evk_action a;
    while (evk_session_pop(s, &a)) {
        if (a.kind == EVK_A_SEND) {
            if (a.msg == EVK_MSG_ACK) evk_reading_expect_ack(d, &a.id, evk_cr_rel(r, t));
            continue;
        }
        if (d->close_predicted) continue;
        d->close_predicted = true;
        d->close_violation = a.violation;
        d->close_code = a.code;
        d->close_at_deadline = deadline;
        d->t_close = evk_cr_rel(r, t);
        snprintf(d->close_reason, sizeof d->close_reason, "%s", a.reason);
        /* An Ack of the violating message would show it was taken for valid. */
        if (!deadline) violating_ids(r, k);
        if (evk_cr_model_readings(r) > 1)
            evk_cr_note(r, "a correct target reading duplicate keys as '%s' closes now: %s (%s)",
                        evk_dupkeys_name(d->dup_keys), evk_violation_key(a.violation), a.reason);
        else
            evk_cr_note(r, "a correct target closes now: %s (%s)", evk_violation_key(a.violation), a.reason);
    }
}

/* Drop what a model would send now (its handshake, its Acks of the
 * target's Events): only what evack sends is predicted against. */
static void discard(evk_session *s)
{
    evk_action a;
    while (evk_session_pop(s, &a)) {
    }
}

int evk_cr_model_start(evk_case_run *r, evk_role role, uint64_t limit_ms, const evk_uuid *hs_id, uint64_t t)
{
    evk_session_config cfg = {.role = role, .profile = r->s->o.profile, .ack_limit_ms = limit_ms,
                              .seed = evk_random_u64()};
    r->obs.nrd = 1;
    r->obs.rd[0].dup_keys = EVK_DUPKEYS_FIRST;
    r->model.session[0] = evk_session_new(&cfg);
    if (!r->model.session[0] || evk_session_start(r->model.session[0], hs_id, t) < 0) return -1;
    discard(r->model.session[0]);
    schedule_tick(r);
    return 0;
}

int evk_cr_model_fork(evk_case_run *r)
{
    static const evk_dupkeys others[EVK_READINGS_MAX - 1] = {EVK_DUPKEYS_LAST, EVK_DUPKEYS_REJECT};
    if (evk_cr_model_readings(r) > 1 || !r->model.session[0]) return 0;
    for (size_t k = 1; k < EVK_READINGS_MAX; k++) {
        evk_session *s = evk_session_clone(r->model.session[0], others[k - 1]);
        if (!s || evk_reading_copy(&r->obs.rd[k], &r->obs.rd[0]) < 0) {
            evk_session_free(s);
            return -1;
        }
        r->obs.rd[k].dup_keys = others[k - 1];
        r->model.session[k] = s;
        r->obs.nrd = k + 1;
    }
    evk_cr_note(r, "a message with a duplicate key: judged under three readings (first wins, last wins, refused)");
    return 0;
}

int evk_cr_model_target_event(evk_case_run *r, const evk_uuid *id, uint64_t t)
{
    int first = 0;
    bool seen = false;
    for (size_t k = 0; k < evk_cr_model_readings(r); k++) {
        evk_session *s = live(r, k);
        if (!s) continue;
        int rc = evk_session_send_event(s, id, NULL, t);
        discard(s);
        if (!seen) first = rc, seen = true;
    }
    schedule_tick(r);
    return first;
}

/* An Ack of ours for a held target Event has left (at t): keep the one
 * nearest that Event's limit, for the judge (a close at that limit may be a
 * correct target that got the Ack late). */
static void note_held_ack(evk_case_run *r, const evk_message *m, uint64_t t)
{
    if (m->kind != EVK_MSG_ACK || m->violation != EVK_V_NONE || !m->has_id) return;
    for (int i = 0; i < r->held.n; i++) {
        const evk_held_event *e = &r->held.ev[i];
        if (!evk_uuid_equal(&e->id, &m->id)) continue;
        uint64_t limit = evk_cr_rel(r, e->t + r->limit), left = evk_cr_rel(r, t);
        evk_obs *o = &r->obs;
        if (left >= limit) return; /* late: the model itself closes at that limit */
        if (!o->tight_ack || limit - left < o->tight_ack_limit - o->tight_ack_left) {
            o->tight_ack = true;
            o->tight_ack_left = left;
            o->tight_ack_limit = limit;
        }
        return;
    }
}

void evk_cr_model_input(evk_case_run *r, const evk_net_event *ev)
{
    bool noted = false;
    for (size_t k = 0; k < evk_cr_model_readings(r); k++) {
        evk_session *s = live(r, k);
        if (!s) continue;
        evk_session_on_data(s, ev->data, ev->len, ev->flags, ev->t_ms);
        if ((ev->flags & EVK_F_FINAL) && !noted) {
            note_held_ack(r, evk_session_last_message(s), ev->t_ms);
            noted = true;
        }
        drain(r, k, ev->t_ms, false);
    }
    schedule_tick(r);
}

bool evk_cr_model_expire(evk_case_run *r)
{
    uint64_t at;
    if (!evk_cr_model_deadline(r, &at)) return false;
    for (size_t k = 0; k < evk_cr_model_readings(r); k++) {
        uint64_t t;
        evk_session *s = live(r, k);
        if (!s || !evk_session_next_deadline(s, &t) || t > at) continue;
        evk_session_on_tick(s, at);
        drain(r, k, at, true);
    }
    schedule_tick(r);
    return true;
}

bool evk_cr_model_open(const evk_case_run *r)
{
    for (size_t k = 0; k < evk_cr_model_readings(r); k++)
        if (!r->obs.rd[k].close_predicted) return true;
    return false;
}

bool evk_cr_model_acks_in(const evk_case_run *r)
{
    for (size_t k = 0; k < evk_cr_model_readings(r); k++) {
        const evk_reading *d = &r->obs.rd[k];
        if (d->close_predicted) continue;
        bool all = true;
        for (size_t i = 0; i < d->nacks && all; i++) all = d->acks[i].seen > 0;
        if (all) return true; /* the reading the target follows may be this one */
    }
    return !evk_cr_model_open(r);
}

void evk_cr_model_on_tick(evk_timer *t, void *user)
{
    (void)t;
    evk_case_run *r = user;
    if (evk_cr_model_expire(r) && !evk_cr_model_open(r) && r->ph != EVK_PH_DONE) evk_cr_enter_final(r);
}

void evk_cr_model_free(evk_case_run *r)
{
    evk_timer_free(r->model.tick);
    r->model.tick = NULL;
    for (size_t k = 0; k < EVK_READINGS_MAX; k++) {
        evk_session_free(r->model.session[k]);
        r->model.session[k] = NULL;
    }
}
