/* evk_ref_pace.h - when a reference peer sends the Acks it owes: at once,
 * after a fixed delay (--ack-delay), after a random delay (--ack-delay-random),
 * and/or held and sent in batches in reverse order (--ack-batch). All of
 * them are correct behaviours (PROTOCOL.md §3: any time within the limit,
 * in any order) that a judge must accept.
 *
 * A queue of owed Acks with due times. Batches: Acks that are due wait
 * until `batch` of them are due, or until the oldest has waited half the
 * limit (or its own delay, if longer), then all the due ones go, newest
 * first. So an Ack is never later than max(delay, limit / 2) after its Event
 * (delay < limit is checked by evk_pace_check).
 *
 * Ownership: evk_pace_new()/evk_pace_free(); ids are copied in.
 * Time: callers pass now_ms; this module reads no clock (its randomness
 * comes from the seed). Errors: NULL when out of memory.
 */
#ifndef EVK_REF_PACE_H
#define EVK_REF_PACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_uuid.h"

typedef struct evk_pace_opts {
    uint64_t delay_ms;      /* every Ack at least this late */
    uint64_t random_max_ms; /* plus a random delay in [0, random_max_ms] */
    unsigned batch;         /* > 1: Acks go out in batches of this many */
} evk_pace_opts;

/* Does o delay anything (the session must then not ack by itself)? */
bool evk_pace_active(const evk_pace_opts *o);
/* 0 when every Ack stays within limit_ms, else -1 with one line in err
 * (random delays must stay below the limit). */
int evk_pace_check(const evk_pace_opts *o, uint64_t limit_ms, char *err, size_t errcap);

typedef struct evk_pace evk_pace;

evk_pace *evk_pace_new(const evk_pace_opts *o, uint64_t seed);
void evk_pace_free(evk_pace *q); /* NULL is fine */

/* An Event arrived at now_ms: its Ack is owed (limit_ms: the ack limit). */
int evk_pace_owe(evk_pace *q, const evk_uuid *id, uint64_t now_ms, uint64_t limit_ms);
/* The Acks to send at now_ms, in sending order, into out (at most cap;
 * cap >= evk_pace_owed() takes every one that is due); they leave the
 * queue. Returns how many. */
size_t evk_pace_take(evk_pace *q, uint64_t now_ms, evk_uuid *out, size_t cap);
/* When evk_pace_take may have something next, after a take at now_ms
 * (false: nothing owed). */
bool evk_pace_next(const evk_pace *q, uint64_t now_ms, uint64_t *at_ms);
/* Forget everything owed (the connection saw a violation). */
void evk_pace_clear(evk_pace *q);
size_t evk_pace_owed(const evk_pace *q);

#endif
