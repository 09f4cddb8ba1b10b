/* evk_case.h - what a conformance case is: an id, the rule it checks, the
 * frames to send, and only the outcomes the protocol leaves open.
 *
 * A case never states expected close codes: the runner feeds everything it
 * sends into a model of a correct target (an evk_session in the target's
 * role), and the model predicts the Acks and the close; the profile says
 * which codes a close of that violation class may carry. A case only adds
 * what the model cannot know (e.g. "1009 is also fine for a huge message").
 * Cases are const data in conformance/cases_*.c; a few steps are scripted
 * kinds of step rather than separate code.
 */
#ifndef EVK_CASE_H
#define EVK_CASE_H

#include <stdbool.h>
#include <stddef.h>

#include "evk_profile.h"
#include "evk_role.h"
#include "evk_upgrade.h"
#include "evk_validate.h"

typedef enum evk_verdict {
    EVK_VERDICT_PASS = 0,
    EVK_VERDICT_NON_STRICT,
    EVK_VERDICT_FAIL,
    EVK_VERDICT_INFO,
    EVK_VERDICT_SKIP,
} evk_verdict;

const char *evk_verdict_name(evk_verdict v); /* "pass", "non-strict", "fail", "informational", "skip" */


enum {
    EVK_CF_STRICT_ONLY = 1 << 0,    /* runs only when the profile has the fatal status */
    EVK_CF_INFORMATIONAL = 1 << 1,  /* recorded, never judged */
    EVK_CF_EARLY = 1 << 2,          /* judged only where early messages are violations */
    EVK_CF_NEEDS_TOKEN = 1 << 3,    /* runs only with an Authorization: Bearer header */
    EVK_CF_HOLD_HANDSHAKE = 1 << 4, /* S: do not ack the target's handshake Event */
    EVK_CF_HOLD_EVENTS = 1 << 5,    /* do not ack the target's Events (C: its first ones) */
    EVK_CF_OWN_HANDSHAKE = 1 << 6,  /* C: the first step sends our own (bad) handshake */
    EVK_CF_HANDSHAKE = 1 << 7,      /* checks the handshake phase itself: skipped without one */
    EVK_CF_RATE_LIMIT = 1 << 8,     /* a server may close it 1008 (PROTOCOL.md §4): then skipped */
};

/* A message to send. kind EVENT/ACK builds a valid message of the profile
 * and then applies drop/set/extra; kind NONE sends `raw`. In raw text and in
 * `to`, ${id}, ${a}, ${b}, ${A}, ${hs}, ${now} are replaced (see
 * evk_expand.h). */
typedef struct evk_msg_tpl {
    evk_msg_kind kind;
    const char *raw;
    size_t raw_len;      /* when raw holds NUL bytes; 0: strlen */
    const char *id;      /* NULL: a fresh id; "a", "b": ids stable in the case;
                          * "hs": the target's handshake id; "held": the held
                          * target Event the step names; upper case ("A", "HS",
                          * "HELD"): the same id written in upper case */
    const char *drop;    /* a field left out */
    const char *set, *to;/* a field given this raw JSON value instead */
    const char *extra;   /* raw members appended, e.g. ",\"x\":1" */
    const char *payload; /* an Event's payload (raw JSON object) */
    bool spaced;         /* JSON whitespace around every token */
    bool escaped;        /* string values written with \u escapes */
} evk_msg_tpl;

typedef enum evk_step_kind {
    EVK_STEP_END = 0,
    EVK_STEP_SEND,          /* msg as one text message */
    EVK_STEP_SEND_BINARY,   /* msg as one binary message */
    EVK_STEP_SEND_FRAGMENTS,/* msg as n fragments */
    EVK_STEP_PING,          /* a ping: a pong must come back */
    EVK_STEP_WAIT_ACKS,     /* until every Ack the model predicts has come */
    EVK_STEP_WAIT,          /* ms, or frac of the limit */
    EVK_STEP_ACK_HANDSHAKE, /* S: ack the target's handshake Event (msg: the Ack), frac of the limit after it */
    EVK_STEP_HOLD,          /* get n target Events and hold them unacked (S: via the trigger) */
    EVK_STEP_ACK_HELD,      /* ack held Event n (-1: all, newest first), frac of the limit after it came */
    EVK_STEP_EVENTS,        /* n valid Events back to back */
    EVK_STEP_SOAK,          /* mixed valid traffic for ms */
} evk_step_kind;

typedef struct evk_step {
    evk_step_kind kind;
    evk_msg_tpl msg;
    int n;
    double frac;
    unsigned ms;
} evk_step;

typedef struct evk_case {
    const char *id;       /* "group.name": the group is the part before the dot */
    unsigned roles;       /* EVK_ROLES_*: the roles of the target it runs against */
    unsigned flags;       /* EVK_CF_* */
    const char *spec;     /* the rule, quoted or summarised, with its section */
    const char *doing;    /* what the case does, in a few words */
    const evk_step *steps;   /* ended by a step of kind EVK_STEP_END; NULL: none */
    const evk_step *c_steps; /* when set: the steps against a client target, and against a
                              * server without a handshake phase (they use an Event the
                              * target sends instead of its handshake Event) */
    int also_codes[3];    /* close codes also accepted (e.g. 1007, 1009) */
    evk_violation also;   /* a violation class whose close is also accepted */
    evk_upgrade upgrade;  /* upgrade cases: which bad upgrade (NONE: an ordinary case) */
    const char *needs_field; /* runs only when the profile's Events have this field */
} evk_case;

/* The group of a case id: "frame" for "frame.binary" (into out). */
const char *evk_case_group(const evk_case *c, char *out, size_t cap);

#endif
