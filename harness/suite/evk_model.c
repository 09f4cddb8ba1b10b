/* The model of a correct target: an evk_session in the target's role, fed
 * with exactly what left evack, in order (evk_outbound.c reports each frame
 * as it leaves), and with the target's Events (evk_intake.c).
 *
 * Phases: started at the handshake (S: the target's handshake Event;
 * C: the client connected) -> predictions drained after each input: an Ack
 * it would send becomes an expected Ack in obs, a close becomes the
 * predicted close -> its deadlines fire on the tick timer (a close at the
 * deadline) -> freed when the case's slot is.
 */
#include "evk_run_private.h"

#include <stdio.h>

/* Arm the tick timer for the model's next deadline, if it has one. */
static void schedule_tick(evk_case_run *r)
{
    uint64_t at;
    if (evk_cr_model_deadline(r, &at)) evk_timer_at(r->model.tick, at);
    else evk_timer_cancel(r->model.tick);
}

/* Take the model's predictions: Acks to expect, or the close. */
static void drain(evk_case_run *r, uint64_t t, bool deadline)
{
    evk_action a;
    while (evk_session_pop(r->model.session, &a)) {
        if (a.kind == EVK_A_SEND) {
            if (a.msg == EVK_MSG_ACK) evk_obs_expect_ack(&r->obs, &a.id, evk_cr_rel(r, t));
            continue;
        }
        if (r->obs.close_predicted) continue;
        r->obs.close_predicted = true;
        r->obs.close_violation = a.violation;
        r->obs.close_code = a.code;
        r->obs.close_at_deadline = deadline;
        r->obs.t_close = evk_cr_rel(r, t);
        snprintf(r->obs.close_reason, sizeof r->obs.close_reason, "%s", a.reason);
        evk_cr_note(r, "a correct target closes now: %s (%s)", evk_violation_key(a.violation), a.reason);
    }
    schedule_tick(r);
}

/* Drop what the model would send now (its handshake, its Acks of the
 * target's Events): only what evack sends is predicted against. */
static void discard(evk_case_run *r)
{
    evk_action a;
    while (evk_session_pop(r->model.session, &a)) {
    }
    schedule_tick(r);
}

int evk_cr_model_start(evk_case_run *r, evk_role role, uint64_t limit_ms, const evk_uuid *hs_id, uint64_t t)
{
    evk_session_config cfg = {.role = role, .profile = r->s->o.profile, .ack_limit_ms = limit_ms,
                              .seed = evk_random_u64()};
    r->model.session = evk_session_new(&cfg);
    if (!r->model.session || evk_session_start(r->model.session, hs_id, t) < 0) return -1;
    discard(r);
    return 0;
}

int evk_cr_model_target_event(evk_case_run *r, const evk_uuid *id, uint64_t t)
{
    int rc = evk_session_send_event(r->model.session, id, NULL, t);
    discard(r);
    return rc;
}

void evk_cr_model_input(evk_case_run *r, const evk_net_event *ev)
{
    if (!r->model.session || evk_session_state(r->model.session) == EVK_S_CLOSED) return;
    evk_session_on_data(r->model.session, ev->data, ev->len, ev->flags, ev->t_ms);
    drain(r, ev->t_ms, false);
}

bool evk_cr_model_deadline(const evk_case_run *r, uint64_t *at)
{
    return r->model.session && evk_session_next_deadline(r->model.session, at);
}

bool evk_cr_model_expire(evk_case_run *r)
{
    uint64_t at;
    if (!evk_cr_model_deadline(r, &at)) return false;
    evk_session_on_tick(r->model.session, at);
    drain(r, at, true);
    return true;
}

void evk_cr_model_on_tick(evk_timer *t, void *user)
{
    (void)t;
    evk_case_run *r = user;
    if (evk_cr_model_expire(r) && r->obs.close_predicted && r->ph != EVK_PH_DONE) evk_cr_enter_final(r);
}

void evk_cr_model_free(evk_case_run *r)
{
    evk_timer_free(r->model.tick);
    r->model.tick = NULL;
    evk_session_free(r->model.session);
    r->model.session = NULL;
}
