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

/* Append an entry (data copied, truncated). Returns the entry or NULL when
 * the transcript is full (counted in dropped). */
evk_tentry *evk_transcript_add(evk_transcript *t, uint64_t t_ms, bool out, evk_tkind kind,
                               const void *data, size_t len, int code);
void evk_transcript_free(evk_transcript *t);

typedef struct evk_latency {
    unsigned samples;
    double p50_ms, p99_ms, max_ms;
} evk_latency;

typedef struct evk_case_result {
    const evk_case *c;
    evk_verdict verdict;
    char expected[256];
    char observed[512];
    uint64_t duration_ms;
    evk_transcript tr;
    evk_latency latency;     /* samples > 0 for cases that measure Ack latency */
    bool baseline_listed;    /* BASELINE names this case */
} evk_case_result;

void evk_result_init(evk_case_result *r, const evk_case *c);
void evk_result_reset(evk_case_result *r);

#endif
