/* evk_result.h - what a case run produced: its verdict, expected and
 * observed outcome in words, and the transcript of every frame.
 *
 * Ownership: evk_result_init() prepares caller storage; evk_result_reset()
 * frees the transcript. Transcripts are bounded (EVK_TRANSCRIPT_MAX entries,
 * EVK_TRANSCRIPT_DATA bytes of each message) so a hostile target cannot make
 * a report grow without bound; what was cut is counted.
 */
#ifndef EVK_RESULT_H
#define EVK_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_case.h"

#define EVK_TRANSCRIPT_MAX 400
#define EVK_TRANSCRIPT_DATA 512

typedef enum evk_tkind {
    EVK_T_TEXT = 0,
    EVK_T_BINARY,
    EVK_T_PING,
    EVK_T_PONG,
    EVK_T_CLOSE,
    EVK_T_DROP,  /* the connection ended without a close frame */
    EVK_T_NOTE,  /* something the harness observed or decided */
} evk_tkind;

const char *evk_tkind_name(evk_tkind k); /* "text", "binary", "ping", "pong", "close", "drop", "note" */

typedef struct evk_tentry {
    uint64_t t_ms;       /* since the case started */
    bool out;            /* sent by evack (else received, or a note) */
    evk_tkind kind;
    int code;            /* close code (0: none) */
    size_t size;         /* the whole message's size in bytes */
    unsigned fragments;  /* frames the message came in */
    char *data;          /* up to EVK_TRANSCRIPT_DATA bytes (raw, may be binary), NUL-terminated */
    size_t data_len;
} evk_tentry;

typedef struct evk_transcript {
    evk_tentry *e;
    size_t n, cap;
    size_t dropped; /* entries not kept */
} evk_transcript;

/* An entry's place in its transcript, to add the later fragments of its
 * message with evk_transcript_extend(); EVK_TREF_NONE when it was not kept. */
typedef size_t evk_tref;
#define EVK_TREF_NONE ((evk_tref)-1)

/* Append an entry of one fragment (data copied, truncated to
 * EVK_TRANSCRIPT_DATA). Returns its place, or EVK_TREF_NONE when the
 * transcript is full or out of memory (counted in dropped). */
evk_tref evk_transcript_add(evk_transcript *t, uint64_t t_ms, bool out, evk_tkind kind,
                            const void *data, size_t len, int code);
/* One more fragment of the message at ref: its size grows by more_bytes
 * (the data shown stays that of the first fragment). Nothing happens for
 * EVK_TREF_NONE or a ref the transcript does not hold. */
void evk_transcript_extend(evk_transcript *t, evk_tref ref, size_t more_bytes);
void evk_transcript_free(evk_transcript *t);

/* What was wrong, as bits of evk_case_result.problems: tools (the live
 * fuzzer, minimiser, replay) read these, never the words, which quote
 * whatever the target sent. */
typedef enum evk_problem {
    EVK_P_NO_RESPONSE,     /* nothing came at all */
    EVK_P_HANDSHAKE,       /* no valid handshake Event */
    EVK_P_TARGET_INVALID,  /* the target sent something invalid, flooded, or did not read */
    EVK_P_DROP,            /* the connection ended without a close frame */
    EVK_P_WRONG_CODE,      /* closed with a code the profile does not accept */
    EVK_P_CLOSED_VALID,    /* closed (or dropped) on valid traffic */
    EVK_P_NO_CLOSE,        /* no close after a violation */
    EVK_P_EARLY_CLOSE,     /* closed before the deadline */
    EVK_P_LATE_CLOSE,      /* closed after the deadline, or not at once after a violation */
    EVK_P_MISSING_ACK,     /* an Event of ours was never acked */
    EVK_P_DOUBLE_ACK,      /* ... acked more than once */
    EVK_P_LATE_ACK,        /* ... acked after the limit */
    EVK_P_UNKNOWN_ACK,     /* an Ack named no Event of ours */
    EVK_P_AFTER_VIOLATION, /* data after the violation instead of silence */
    EVK_P_NO_PONG,         /* no pong after our last ping */
    EVK_P_EARLY_EVENTS,    /* Events before the handshake Ack, where that is a violation */
    EVK_P_CONNECT,         /* the connection never opened */
    EVK_P_INTERNAL,        /* evack itself failed (out of memory, a bad template) */
    EVK_P_ACKED_VIOLATION, /* acked the violating message itself */
    EVK_P_UPGRADE,         /* the HTTP upgrade was answered with the wrong status (or let in) */
} evk_problem;

#define EVK_PROBLEM_BIT(p) (1u << (p))

/* The short name of a problem ("no-response", "wrong-code", ...), as
 * report.json writes it. */
const char *evk_problem_name(evk_problem p);

/* Why a case was skipped (EVK_SKIP_NONE when it ran to a verdict). */
typedef enum evk_skip_why {
    EVK_SKIP_NONE = 0,
    EVK_SKIP_NO_TRIGGER,      /* the profile names no trigger */
    EVK_SKIP_TOO_FEW_EVENTS,  /* the target did not send the Events the case needs */
    EVK_SKIP_INTERRUPTED,     /* the run was interrupted */
    EVK_SKIP_RATE_LIMITED,    /* a server closed 1008 (too fast) before the case could check its rule */
    EVK_SKIP_ACK_AT_LIMIT,    /* it closed at the limit of an Event whose Ack from evack left too near it to tell */
} evk_skip_why;

typedef struct evk_latency {
    unsigned samples;
    double p50_ms, p99_ms, max_ms;
} evk_latency;

typedef struct evk_case_result {
    const evk_case *c;
    evk_verdict verdict;
    char expected[256];
    char observed[512];
    unsigned problems;              /* EVK_PROBLEM_BIT(evk_problem) of each problem seen */
    evk_skip_why skipped;
    evk_violation expected_violation; /* what a correct target closes for (NONE: no close) */
    int end_code;                   /* the target's close code; 0 none, -1 dropped */
    uint64_t limit_ms;              /* the ack limit in force (the target's handshake, or ours); 0 none */
    uint64_t duration_ms;
    evk_transcript tr;
    evk_latency latency;     /* samples > 0 for cases that measure Ack latency */
    bool baseline_listed;    /* BASELINE names this case */
    bool blocked;            /* it failed before its own steps (no connection, no
                              * handshake): it could not check its own rule */
} evk_case_result;

void evk_result_init(evk_case_result *r, const evk_case *c);
void evk_result_reset(evk_case_result *r);

#endif
