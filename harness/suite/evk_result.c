#include "evk_result.h"

#include <stdlib.h>
#include <string.h>

const char *evk_verdict_name(evk_verdict v)
{
    switch (v) {
    case EVK_VERDICT_PASS: return "pass";
    case EVK_VERDICT_NON_STRICT: return "non-strict";
    case EVK_VERDICT_FAIL: return "fail";
    case EVK_VERDICT_INFO: return "informational";
    default: return "skip";
    }
}

const char *evk_problem_name(evk_problem p)
{
    static const char *const names[] = {
        [EVK_P_NO_RESPONSE] = "no-response",
        [EVK_P_HANDSHAKE] = "handshake",
        [EVK_P_TARGET_INVALID] = "target-invalid",
        [EVK_P_DROP] = "drop",
        [EVK_P_WRONG_CODE] = "wrong-code",
        [EVK_P_CLOSED_VALID] = "closed-on-valid",
        [EVK_P_NO_CLOSE] = "no-close",
        [EVK_P_EARLY_CLOSE] = "early-close",
        [EVK_P_LATE_CLOSE] = "late-close",
        [EVK_P_MISSING_ACK] = "missing-ack",
        [EVK_P_DOUBLE_ACK] = "double-ack",
        [EVK_P_LATE_ACK] = "late-ack",
        [EVK_P_UNKNOWN_ACK] = "unknown-ack",
        [EVK_P_AFTER_VIOLATION] = "not-silent",
        [EVK_P_NO_PONG] = "no-pong",
        [EVK_P_EARLY_EVENTS] = "early-events",
        [EVK_P_CONNECT] = "connect",
        [EVK_P_INTERNAL] = "internal",
        [EVK_P_ACKED_VIOLATION] = "acked-violation",
        [EVK_P_UPGRADE] = "upgrade",
    };
    return (unsigned)p < sizeof names / sizeof names[0] && names[p] ? names[p] : "unknown";
}

const char *evk_tkind_name(evk_tkind k)
{
    static const char *const names[] = {"text", "binary", "ping", "pong", "close", "drop", "note"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "note";
}

const char *evk_case_group(const evk_case *c, char *out, size_t cap)
{
    const char *dot = strchr(c->id, '.');
    size_t n = dot ? (size_t)(dot - c->id) : strlen(c->id);
    if (n >= cap) n = cap - 1;
    memcpy(out, c->id, n);
    out[n] = '\0';
    return out;
}

evk_tref evk_transcript_add(evk_transcript *t, uint64_t t_ms, bool out, evk_tkind kind,
                            const void *data, size_t len, int code)
{
    if (t->n == EVK_TRANSCRIPT_MAX) {
        t->dropped++;
        return EVK_TREF_NONE;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        evk_tentry *e = realloc(t->e, cap * sizeof *e);
        if (!e) {
            t->dropped++;
            return EVK_TREF_NONE;
        }
        t->e = e;
        t->cap = cap;
    }
    size_t keep = len < EVK_TRANSCRIPT_DATA ? len : EVK_TRANSCRIPT_DATA;
    char *copy = malloc(keep + 1);
    if (!copy) {
        t->dropped++;
        return EVK_TREF_NONE;
    }
    if (keep) memcpy(copy, data, keep);
    copy[keep] = '\0';
    t->e[t->n] = (evk_tentry){.t_ms = t_ms, .out = out, .kind = kind, .code = code, .size = len,
                              .fragments = 1, .data = copy, .data_len = keep};
    return t->n++;
}

void evk_transcript_extend(evk_transcript *t, evk_tref ref, size_t more_bytes)
{
    if (ref == EVK_TREF_NONE || ref >= t->n) return;
    t->e[ref].size += more_bytes;
    t->e[ref].fragments++;
}

void evk_transcript_free(evk_transcript *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->e[i].data);
    free(t->e);
    memset(t, 0, sizeof *t);
}

void evk_result_init(evk_case_result *r, const evk_case *c)
{
    memset(r, 0, sizeof *r);
    r->c = c;
    r->verdict = EVK_VERDICT_SKIP;
}

void evk_result_reset(evk_case_result *r)
{
    evk_transcript_free(&r->tr);
}
