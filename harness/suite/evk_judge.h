/* evk_judge.h - decide a case's verdict from what the model predicted and
 * what the target did. Pure: no sockets, no clock; unit-tested directly.
 *
 * The runner fills an evk_obs while the case runs (the model's predicted
 * Acks and close, the target's close, its Acks, anything it sent after the
 * violation, any invalid message it sent) and calls evk_judge() at the end.
 * Times are milliseconds since the case started.
 */
#ifndef EVK_JUDGE_H
#define EVK_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_case.h"
#include "evk_result.h"
#include "evk_session.h"
#include "evk_uuid.h"

typedef struct evk_ack_expect {
    evk_uuid id;
    uint64_t t_sent;   /* when our Event left */
    uint64_t t_first;  /* when its first Ack came */
    unsigned seen;     /* how many Acks named it */
} evk_ack_expect;

typedef enum evk_end {
    EVK_END_OPEN = 0, /* still open when the case stopped waiting */
    EVK_END_CLOSE,    /* the target sent a close frame */
    EVK_END_DROP,     /* the connection ended without a close frame */
    EVK_END_ERROR,    /* it never opened */
} evk_end;

typedef struct evk_obs {
    evk_role target_role;
    uint64_t limit_ms;
    /* The model's prediction. */
    bool close_predicted;
    evk_violation close_violation; /* NONE for a close of the model's own (1009) */
    int close_code;
    bool close_at_deadline;
    uint64_t t_close;
    char close_reason[EVK_REASON_MAX];
    evk_ack_expect *acks;
    size_t nacks, capacks;
    /* The target's behaviour. */
    evk_end end;
    int end_code;
    char end_reason[EVK_REASON_MAX];
    uint64_t t_end;
    char end_error[200];
    uint64_t t_last_send;
    unsigned unknown_acks;
    char unknown_ack[128];
    unsigned after_violation; /* data messages after the model closed */
    char first_after[128];
    char target_violation[256];
    evk_problem target_problem; /* its kind, when target_violation is set */
    unsigned pings, pongs;
    bool pong_owed;           /* a ping went out and no pong came after it (RFC 6455 5.5.3:
                                 one pong may answer several back-to-back pings) */
    unsigned early_events;    /* C: Events before the Ack of our handshake */
    int http_status;          /* upgrade cases: the refusal's status (0: none) */
    bool upgrade_accepted;    /* upgrade cases: the target let the connection in */
    bool skip;
    evk_skip_why skip_why;
    char skip_reason[256];
    char note[256];           /* informational detail for the observed text */
} evk_obs;

/* Predicted Acks: add one (0, or EVK_ENOMEM) and find one by id. */
int evk_obs_expect_ack(evk_obs *o, const evk_uuid *id, uint64_t t_sent);
evk_ack_expect *evk_obs_find_ack(evk_obs *o, const evk_uuid *id);
void evk_obs_free(evk_obs *o);

/* tol_ms: deadline tolerance; wait_ms: how long the runner waited for
 * answers (named in "no close within N ms"). Fills verdict, expected and
 * observed of r (and its latency figures from the Acks). */
void evk_judge(const evk_case *c, const evk_profile *p, const evk_obs *o, uint64_t tol_ms,
               uint64_t wait_ms, evk_case_result *r);

/* Deadline tolerance by default: max(150 ms, 10% of the limit). */
uint64_t evk_default_tolerance(uint64_t limit_ms);

#endif
