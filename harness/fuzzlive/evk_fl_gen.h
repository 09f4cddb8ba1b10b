/* evk_fl_gen.h - the live fuzzer's generator: one session (an evk_fl_case)
 * from (seed, index), always the same for the same pair.
 *
 * A session is an opening, a prefix of valid traffic, and at most one final
 * unit that either breaks a rule or leaves the target a choice:
 *   opening  the target's handshake Event acked at once (the runner does
 *            it), or held and acked later with variations, late, never, with
 *            a defective Ack, or (strict) after an early Event of ours;
 *   prefix   valid Events (extra fields, upper-case or escaped ids, escapes,
 *            JSON whitespace, reordered members, canonical timestamp
 *            variants, fragmentation), bursts, long runs (> 50 and > 200
 *            messages), pings, pauses, an id reused after its Ack, and the
 *            target's own Events (via the trigger) acked in any order;
 *   final    a structurally mutated Event or Ack (fields dropped, retyped,
 *            corrupted: UUID and timestamp edge cases, enum and case
 *            changes, the fatal status), a byte-level mutation of a valid
 *            message, a binary frame, a text that is not a JSON object, a
 *            duplicate unacked id, a duplicate / unknown / late / missing
 *            Ack, deep nesting, a large message.
 * Messages are written out literally (ids, timestamps), so a session's
 * bytes follow from the seed; only Acks of the target's Events, and the
 * trigger Event, are templates the runner completes. Every defect the
 * final message carries besides the first becomes an accepted alternative
 * (evk_fl_defects.h), as does 1007 for invalid UTF-8 and 1009 for big or
 * deep messages.
 *
 * Waits are fractions of the ack limit. Valid Acks of the target's Events
 * go out well before the limit minus the judge's tolerance (when limit_ms is
 * known; else before 0.6 of it), so that a target closing on them can be
 * told from one closing at the deadline; late ones well after it.
 *
 * Ownership: the result is the caller's (evk_fl_case_free). NULL when out
 * of memory. Time: reads no clock; waits are steps the runner times.
 */
#ifndef EVK_FL_GEN_H
#define EVK_FL_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "evk_fl_case.h"
#include "evk_profile.h"
#include "evk_session.h"

typedef struct evk_fl_gen_opts {
    const evk_profile *profile;
    evk_role target_role;  /* SERVER: the target accepted our connection */
    uint64_t seed;
    bool trigger;          /* the target emits Events: a server when an Event carries the
                            * trigger, a client on its own after the handshake */
    uint64_t limit_ms;     /* the target's ack limit, when known (0: not known) */
} evk_fl_gen_opts;

evk_fl_case *evk_fl_generate(const evk_fl_gen_opts *o, uint64_t index);

#endif
