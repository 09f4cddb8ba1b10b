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
#include "evk_validate.h"

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

/* A ping sent just before a message that may violate the protocol: its
 * round trip measures load and network (the pong comes from the target's
 * WebSocket layer), which widens "closes at once" (PROTOCOL.md §4). */
typedef struct evk_rtt_ping {
    uint32_t seq;            /* its number in the case ("rtt:<seq>" is its payload) */
    uint64_t t_sent, t_pong; /* ms since the case started (t_sent UINT64_MAX: not left yet) */
    bool ponged;
} evk_rtt_ping;

#define EVK_RTT_MAX 16 /* the last ones are kept */

/* What one model of a correct target predicts, and how the target's answers
 * matched it. A case has one reading, or three once evack sent a message
 * with a duplicate key (first wins, last wins, refused: PROTOCOL.md §2);
 * the judge then keeps the reading that the target's behaviour fits best. */
typedef struct evk_reading {
    evk_dupkeys dup_keys;          /* how this model reads duplicate keys */
    bool close_predicted;
    evk_violation close_violation; /* NONE for a close of the model's own (1009) */
    int close_code;
    bool close_at_deadline;
    uint64_t t_close;              /* when the violation happened (its message left) */
    char close_reason[EVK_REASON_MAX];
    /* The violating message's own ids: its id, or under the refusing reading
     * of a duplicate key the ids the other readings found in it (an Ack of
     * one shows the target did not refuse it). */
    unsigned nviolating_ids;
    evk_uuid violating_ids[2];
    evk_ack_expect *acks;          /* our Events, in send order */
    size_t nacks, capacks;
    unsigned unknown_acks;
    char unknown_ack[128];
    unsigned acked_violation;      /* Acks naming the violating message itself */
    unsigned after_violation;      /* data messages after the model closed */
    char first_after[128];
} evk_reading;

#define EVK_READINGS_MAX 3

typedef struct evk_obs {
    evk_role target_role;
    uint64_t limit_ms;
    /* The model's predictions (rd[0] always; more after a duplicate key). */
    evk_reading rd[EVK_READINGS_MAX];
    size_t nrd;                    /* 0 counts as 1 */
    /* The target's behaviour. */
    evk_end end;
    int end_code;
    char end_reason[EVK_REASON_MAX];
    uint64_t t_end;
    char end_error[200];
    uint64_t t_last_send;
    char target_violation[256];
    evk_problem target_problem; /* its kind, when target_violation is set */
    unsigned pings, pongs;      /* the case's own pings (not the round-trip ones) */
    bool pong_owed;           /* a ping went out and no pong came after it (RFC 6455 5.5.3:
                                 one pong may answer several back-to-back pings) */
    evk_rtt_ping rtt[EVK_RTT_MAX]; /* a ring: entry i % EVK_RTT_MAX */
    size_t nrtt;
    /* The Ack of ours that left closest to the limit of the target Event it
     * named (times since the case started; the limit counted from that
     * Event's first piece): a close at that limit may be a correct target
     * that got the Ack late. */
    bool tight_ack;
    uint64_t tight_ack_left, tight_ack_limit;
    unsigned early_events;    /* C: Events before the Ack of our handshake */
    int http_status;          /* upgrade cases: the refusal's status (0: none) */
    bool upgrade_accepted;    /* upgrade cases: the target let the connection in */
    bool blocked;             /* it ended before its own steps (no connection, no handshake) */
    unsigned long unsent;     /* evack's messages still queued when the case ended, the
                                 connection open: the model never saw them */
    bool skip;
    evk_skip_why skip_why;
    char skip_reason[256];
    char note[256];           /* informational detail for the observed text */
} evk_obs;

/* Predicted Acks of one reading: add one (0, or EVK_ENOMEM) and find one by id. */
int evk_reading_expect_ack(evk_reading *d, const evk_uuid *id, uint64_t t_sent);
evk_ack_expect *evk_reading_find_ack(evk_reading *d, const evk_uuid *id);
/* Is id one of the violating message's ids under this reading? */
bool evk_reading_is_violating(const evk_reading *d, const evk_uuid *id);
/* A copy of d with its own Acks (0, or EVK_ENOMEM with *out untouched). */
int evk_reading_copy(evk_reading *out, const evk_reading *d);
void evk_obs_free(evk_obs *o); /* frees every reading's Acks */

/* The round trip of the last round-trip ping sent at or before t (0 when
 * none, or when its pong never came). */
uint64_t evk_obs_rtt_before(const evk_obs *o, uint64_t t);

/* tol_ms: deadline tolerance; wait_ms: how long the runner waited for
 * answers (named in "no close within N ms"). Fills verdict, expected and
 * observed of r (and its latency figures from the Acks), from the reading
 * that the target's behaviour fits best (PROTOCOL.md §2, §4):
 *  - a violation's close must come at once: within tol_ms of the violating
 *    message, plus the round trip of the ping sent just before it;
 *  - the violating message itself must never be acked;
 *  - Events sent before the violation whose limit still ran then may stay
 *    unacked (a lazy peer drops its pending Acks), never be acked twice;
 *  - a close for an ack timeout at the limit of a target Event whose Ack
 *    left within tol_ms (plus the round trip of the ping before it) of
 *    that limit cannot be told from a correct target that got the Ack
 *    late: the case is skipped, saying so;
 *  - informational cases fail only on what no choice allows: a dropped
 *    connection, a message neither acked nor refused, invalid output. */
void evk_judge(const evk_case *c, const evk_profile *p, const evk_obs *o, uint64_t tol_ms,
               uint64_t wait_ms, evk_case_result *r);

/* Deadline tolerance by default: max(150 ms, 10% of the limit). */
uint64_t evk_default_tolerance(uint64_t limit_ms);

#endif
