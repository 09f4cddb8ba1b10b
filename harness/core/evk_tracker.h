/* evk_tracker.h - one peer's Events sent and not yet acked.
 *
 * All Events of a connection share one ack time limit (PROTOCOL.md §3), so
 * deadlines grow with send time: the tracker keeps Events in send order and
 * the oldest one always has the next deadline. Insert, ack and "next
 * deadline" are O(1) (expected; ids are hashed with a per-tracker key so a
 * hostile peer cannot aim collisions). Acked entries are reused first, and
 * storage is compacted (amortised O(1)) once it is under a quarter full:
 * memory follows the unacked set, and an empty tracker holds no heap memory
 * besides the handle.
 *
 * Ownership: evk_tracker_new() result is freed with evk_tracker_free(); ids
 * are copied in, no pointer passed in is kept.
 * Errors: int results are 0 or a negative EVK_E* code; on error nothing
 * changed.
 * Time: callers pass now_ms (any monotonic millisecond clock); this module
 * reads no clock. A now_ms smaller than an earlier one counts as the earlier
 * one, so deadlines never go backwards.
 */
#ifndef EVK_TRACKER_H
#define EVK_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_uuid.h"

typedef struct evk_tracker evk_tracker;

/* limit_ms: the ack time limit; max_unacked: 0 for no bound; seed: the hash
 * key (any value; callers pass random bytes). NULL when out of memory. */
evk_tracker *evk_tracker_new(uint64_t limit_ms, size_t max_unacked, uint64_t seed);
void evk_tracker_free(evk_tracker *t); /* NULL is fine */

/* An independent copy (same Events, deadlines, limit and hash keys). NULL
 * when out of memory. */
evk_tracker *evk_tracker_clone(const evk_tracker *t);

/* Change the limit for Events sent from now on (e.g. once a client has read
 * the handshake policy). EVK_ESTATE if Events are unacked. */
int evk_tracker_set_limit(evk_tracker *t, uint64_t limit_ms);
uint64_t evk_tracker_limit(const evk_tracker *t);

/* Record an Event sent at now_ms. EVK_EDUPID if id is still unacked,
 * EVK_EFULL at max_unacked, EVK_ENOMEM. */
int evk_tracker_sent(evk_tracker *t, const evk_uuid *id, uint64_t now_ms);

/* Record the Ack of id (the Event is forgotten: its id may be sent again).
 * EVK_ENOTFOUND if no unacked Event has that id. */
int evk_tracker_acked(evk_tracker *t, const evk_uuid *id);

bool evk_tracker_contains(const evk_tracker *t, const evk_uuid *id);
size_t evk_tracker_count(const evk_tracker *t);

/* The oldest unacked Event and its deadline (sent + limit). false if none. */
bool evk_tracker_next_deadline(const evk_tracker *t, uint64_t *deadline_ms, evk_uuid *id);

/* Remove the oldest Event if its deadline is <= now_ms and report it (1), or
 * report nothing (0). Call in a loop to expire every overdue Event. */
int evk_tracker_expire(evk_tracker *t, uint64_t now_ms, evk_uuid *id, uint64_t *deadline_ms);

/* Heap bytes held (arrays only), for benchmarks and memory tests. */
size_t evk_tracker_memory(const evk_tracker *t);

#endif
