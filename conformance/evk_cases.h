/* evk_cases.h - the conformance case catalogue: families of cases (one file
 * each, cases_<family>.c) registered in report order by evk_catalog.c.
 * Rows use the short macros below; a case states the rule it checks and what
 * it sends, never an expected close code (see harness/suite/evk_case.h). */
#ifndef EVK_CASES_H
#define EVK_CASES_H

#include <stddef.h>

#include "evk_case.h"

/* Messages: a valid Event or Ack of the profile, changed as the fields say. */
#define EV(...) {.kind = EVK_MSG_EVENT, __VA_ARGS__}
#define ACK(...) {.kind = EVK_MSG_ACK, __VA_ARGS__}
#define RAW(text) {.kind = EVK_MSG_NONE, .raw = text}
/* A seed-shaped Event as raw text, for the JSON-level cases. */
#define RAW_EVENT_HEAD "{\"type\":\"event\",\"id\":\"${id}\",\"sent_at\":\"${now}\""

/* A list of steps (static storage, ended by EVK_STEP_END). */
#define STEPS(...) ((const evk_step[]){__VA_ARGS__, {.kind = EVK_STEP_END}})

/* Steps. */
#define SEND(m) {.kind = EVK_STEP_SEND, .msg = m}
#define SEND_BINARY(m) {.kind = EVK_STEP_SEND_BINARY, .msg = m}
#define SEND_FRAGMENTS(m, k) {.kind = EVK_STEP_SEND_FRAGMENTS, .msg = m, .n = k}
#define PING {.kind = EVK_STEP_PING}
#define WAIT_ACKS {.kind = EVK_STEP_WAIT_ACKS}
#define WAIT_LIMIT(f) {.kind = EVK_STEP_WAIT, .frac = f}
#define ACK_HANDSHAKE(m, f) {.kind = EVK_STEP_ACK_HANDSHAKE, .msg = m, .frac = f}
#define HOLD(k) {.kind = EVK_STEP_HOLD, .n = k}
#define ACK_HELD(i, f) {.kind = EVK_STEP_ACK_HELD, .n = i, .frac = f}
#define ACK_HELD_WITH(i, f, m) {.kind = EVK_STEP_ACK_HELD, .n = i, .frac = f, .msg = m}
#define EVENTS(k) {.kind = EVK_STEP_EVENTS, .n = k}
#define SOAK {.kind = EVK_STEP_SOAK}

typedef struct evk_family {
    const char *name;
    const evk_case *cases;
    size_t n;
} evk_family;

/* The families, in report order: the one list. Each X(name) is a file
 * cases_<name>.c defining evk_cases_<name>[] and, with EVK_FAMILY_COUNT,
 * evk_ncases_<name>; the catalog (evk_catalog.c) expands the same list. */
#define EVK_FAMILIES(X) \
    X(handshake)        \
    X(frame)            \
    X(json)             \
    X(schema)           \
    X(ack)              \
    X(event)            \
    X(deadline)         \
    X(close)            \
    X(status)           \
    X(upgrade)

#define EVK_FAMILY_DECLARE(name)              \
    extern const evk_case evk_cases_##name[]; \
    extern const size_t evk_ncases_##name;
EVK_FAMILIES(EVK_FAMILY_DECLARE)
#undef EVK_FAMILY_DECLARE

#define EVK_FAMILY_COUNT(name, table) const size_t evk_ncases_##name = sizeof table / sizeof table[0]

#endif
