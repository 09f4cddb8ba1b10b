/* evk_fl_case.h - a conformance case built at run time: the live fuzzer's
 * unit of work (one generated session), of minimisation and of replay.
 *
 * An evk_fl_case wraps an evk_case (harness/suite/evk_case.h) whose steps
 * and strings it owns, so that evk_suite_run() can run it like a catalogue
 * case. It also carries where it came from (seed and session index) and a
 * short description of what the session does.
 *
 * Ownership: evk_fl_case_new() and evk_fl_case_subset() results are freed
 * with evk_fl_case_free(). evk_fl_case_add() copies the step and every
 * string its template points to (raw bytes by raw_len), so callers may pass
 * stack storage. The evk_case inside (fc->c) points into the evk_fl_case
 * and lives exactly as long as it.
 * Errors: adders return 0 or EVK_ENOMEM (the case is unchanged then).
 */
#ifndef EVK_FL_CASE_H
#define EVK_FL_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_case.h"

typedef struct evk_fl_case {
    evk_case c;          /* what the runner sees: c.steps == steps */
    evk_step *steps;     /* n steps, then one EVK_STEP_END */
    size_t n, cap;
    char **strs;         /* every string a step points to */
    size_t nstrs, capstrs;
    char id[64];         /* "fl.<seed>.<index>" (URL-safe: client targets use it in a path) */
    char doing[512];     /* what the session does, in words */
    uint64_t seed, index;
    uint64_t est_ms;     /* fixed waits in the steps, a hint for scheduling */
    double est_frac;     /* waits in fractions of the limit */
} evk_fl_case;

/* An empty case (no steps) with this id ("" or NULL: "fl.session"). */
evk_fl_case *evk_fl_case_new(const char *id);
void evk_fl_case_free(evk_fl_case *fc); /* NULL is fine */

/* Append a step (copied, with its strings). */
int evk_fl_case_add(evk_fl_case *fc, const evk_step *st);

/* Append words to the description ("; "-separated, cut when full). */
void evk_fl_case_describe(evk_fl_case *fc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A new case with the same id, flags, alternatives and origin, holding the
 * steps i with keep[i] true. NULL when out of memory. keep NULL: all. */
evk_fl_case *evk_fl_case_subset(const evk_fl_case *src, const bool *keep);

/* Give step i the raw message text[0..len) (copied; kind becomes raw). */
int evk_fl_case_set_raw(evk_fl_case *fc, size_t i, const char *text, size_t len);

/* Bytes of the raw texts the steps send as text (what member shrinking cuts). */
size_t evk_fl_case_text_bytes(const evk_fl_case *fc);

/* Messages the steps send (EVENTS counts n, a HOLD its trigger Event). */
size_t evk_fl_case_messages(const evk_fl_case *fc);

/* Short name of a step kind: "send", "send_binary", "send_fragments",
 * "ping", "wait_acks", "wait", "ack_handshake", "hold", "ack_held",
 * "events", "soak"; NULL for END or an unknown kind. */
const char *evk_fl_step_name(evk_step_kind k);
/* The kind named so, or -1. */
int evk_fl_step_kind(const char *name);

#endif
