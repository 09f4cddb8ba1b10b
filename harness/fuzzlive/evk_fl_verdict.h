/* evk_fl_verdict.h - which session results are findings, what went wrong in
 * them, and when a re-run shows "the same" problem.
 *
 * The runner's model and judge (evk_judge.c) decide a verdict and record
 * each problem as a bit (evk_case_result.problems); this module maps those
 * bits to tags (the kinds of wrong behaviour) so that findings can be told
 * apart, counted once per signature, and checked again during minimisation
 * and replay. It never reads the judge's words: they quote the target.
 * What counts (docs/fuzz-live.md):
 *   fail           a finding (a missing or invalid handshake Event fails
 *                  every case);
 *   skip           never (the trigger brought no Events, interrupted);
 *   non-strict     never (the seed allows it; under strict the judge
 *                  already fails what strict forbids);
 *   informational, pass   never.
 * Crashes and hangs (a target unreachable after a session) are decided by
 * the caller with a probe and tagged here with evk_fl_class_set_down().
 *
 * Pure: reads only its arguments. Ownership: all caller storage.
 */
#ifndef EVK_FL_VERDICT_H
#define EVK_FL_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "evk_profile.h"
#include "evk_result.h"

/* Tags, in order of importance: the first present is the primary one. */
#define EVK_FL_TAG_MAP(X)                                                         \
    X(CRASH, "crash", "the target was unreachable after the session (it crashed)") \
    X(HANG, "hang", "the target stopped answering after the session")             \
    X(HANDSHAKE, "handshake", "no valid handshake Event")                        \
    X(NO_RESPONSE, "no-response", "no answer at all")                             \
    X(TARGET_INVALID, "target-invalid", "the target sent something invalid")      \
    X(DROP, "drop", "the connection dropped without a close frame")               \
    X(WRONG_CODE, "wrong-code", "closed with a wrong code")                       \
    X(CLOSED_VALID, "closed-on-valid", "closed on valid traffic")                 \
    X(NO_CLOSE, "no-close", "did not close after a violation")                    \
    X(EARLY_CLOSE, "early-close", "closed before the deadline")                   \
    X(LATE_CLOSE, "late-close", "closed after the deadline")                      \
    X(MISSING_ACK, "missing-ack", "an Event was never acked")                     \
    X(DOUBLE_ACK, "double-ack", "an Event was acked more than once")              \
    X(LATE_ACK, "late-ack", "an Ack came after the limit")                        \
    X(UNKNOWN_ACK, "unknown-ack", "an Ack named no Event of ours")                \
    X(ACKED_VIOLATION, "acked-violation", "acked the violating message itself")  \
    X(UPGRADE, "upgrade", "the HTTP upgrade was answered wrongly")                \
    X(AFTER_VIOLATION, "not-silent", "data after the violation")                  \
    X(NO_PONG, "no-pong", "no pong")                                              \
    X(EARLY_EVENTS, "early-events", "Events before the handshake Ack")            \
    X(CONNECT, "connect", "could not connect")                                    \
    X(OTHER, "other", "another failure")

typedef enum evk_fl_tag {
#define EVK_X(id, name, text) EVK_FL_T_##id,
    EVK_FL_TAG_MAP(EVK_X)
#undef EVK_X
    EVK_FL_T__COUNT
} evk_fl_tag;

const char *evk_fl_tag_name(evk_fl_tag t);  /* "wrong-code" */
const char *evk_fl_tag_text(evk_fl_tag t);  /* "closed with a wrong code" */
int evk_fl_tag_lookup(const char *name);    /* the tag, or -1 */

typedef struct evk_fl_class {
    bool finding;
    bool internal;              /* the harness failed, not the target (never a finding) */
    unsigned tags;              /* 1u << evk_fl_tag */
    evk_fl_tag primary;         /* the first tag present (OTHER when none) */
    evk_violation expected;     /* the violation a correct target closes for (NONE: none) */
    int close_code;             /* the target's close code; 0 none, -1 dropped */
    char sig[96];               /* "wrong-code:1000", "no-close:not_json": one per kind of finding */
} evk_fl_class;

void evk_fl_classify(const evk_case_result *r, evk_fl_class *out);

/* The target was unreachable after the session: crashed (refused) or hung. */
void evk_fl_class_set_down(evk_fl_class *c, bool hung);

/* Does got show the problem want names (its primary tag, with the same
 * violation and close code where they matter)? */
bool evk_fl_reproduces(const evk_fl_class *want, const evk_fl_class *got);

/* Rebuild a class from a saved signature (for replay). 0, or -1 if unknown. */
int evk_fl_class_from_sig(const char *sig, evk_fl_class *out);

#endif
