#include "evk_causes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The problem that names a cause: the first present, in this order (what
 * stops a case earliest comes first). */
static const evk_problem priority[] = {
    EVK_P_CONNECT,       EVK_P_NO_RESPONSE,  EVK_P_HANDSHAKE,     EVK_P_DROP,
    EVK_P_TARGET_INVALID, EVK_P_WRONG_CODE,  EVK_P_CLOSED_VALID,  EVK_P_NO_CLOSE,
    EVK_P_LATE_CLOSE,    EVK_P_EARLY_CLOSE,  EVK_P_ACKED_VIOLATION, EVK_P_MISSING_ACK,
    EVK_P_DOUBLE_ACK,    EVK_P_LATE_ACK,     EVK_P_UNKNOWN_ACK,   EVK_P_AFTER_VIOLATION,
    EVK_P_NO_PONG,       EVK_P_EARLY_EVENTS, EVK_P_UPGRADE,       EVK_P_INTERNAL,
};

static int primary(unsigned problems)
{
    for (size_t i = 0; i < sizeof priority / sizeof priority[0]; i++)
        if (problems & EVK_PROBLEM_BIT(priority[i])) return (int)priority[i];
    return -1;
}

static const char *const no_handshake_hint =
    "if the implementation has no handshake phase yet, run with a profile that declares none "
    "(\"handshake\": null and \"ack_limit_ms\"; `evack profile show seed` prints one to start from, "
    "docs/profiles.md); if it is only slow to answer, a longer --timeout";

/* Title and hint of a cause, from its key and the run's parameters. */
static void describe(evk_cause *g, const evk_run_info *info)
{
    bool server = info->role && strcmp(info->role, "server") == 0;
    unsigned long long wait = (unsigned long long)info->wait_ms;
    const char *hint = "the first case's transcript (report.html) shows what happened";
    char code[32] = "";
    if (g->end_code > 0) snprintf(code, sizeof code, " %d", g->end_code);
    switch (primary(g->problems)) {
    case EVK_P_CONNECT:
        snprintf(g->title, sizeof g->title, server ? "no WebSocket connection" : "the client did not connect");
        hint = server ? "check the URL and path, and HEADERS (a bearer token?)"
                      : "check that CLIENT starts the client with {url} and that it connects at once";
        break;
    case EVK_P_NO_RESPONSE:
        if (server && wait) snprintf(g->title, sizeof g->title, "no response within %llu ms (no handshake Event)", wait);
        else snprintf(g->title, sizeof g->title, "no response at all");
        hint = server ? no_handshake_hint : "the client said nothing: check that it acks the handshake Event";
        break;
    case EVK_P_HANDSHAKE:
        snprintf(g->title, sizeof g->title, "no valid handshake Event");
        hint = "`evack validate --handshake` on the target's first message names the problem; without a "
               "handshake phase, a profile with \"handshake\": null (docs/profiles.md)";
        break;
    case EVK_P_DROP:
        snprintf(g->title, sizeof g->title, "the connection dropped without a close frame");
        hint = "the target may have crashed (look at its log), or it cuts TCP instead of sending a close frame";
        break;
    case EVK_P_TARGET_INVALID:
        snprintf(g->title, sizeof g->title, "the target sent invalid messages");
        hint = "`evack validate` on a message from the transcript names the problem";
        break;
    case EVK_P_WRONG_CODE:
        snprintf(g->title, sizeof g->title, "closed with%s, a code the profile does not accept there",
                 g->end_code > 0 ? code : " a wrong code");
        hint = "compare with the profile's close codes (`evack profile show NAME`); `--profile latest` or "
               "`seed` accept any 4001-4999 where the document names no code";
        break;
    case EVK_P_CLOSED_VALID:
        if (g->end_code > 0) snprintf(g->title, sizeof g->title, "closed with%s on valid traffic", code);
        else snprintf(g->title, sizeof g->title, "the connection ended on valid traffic");
        hint = "the target refuses something the protocol allows: the first case's rule and transcript say what";
        break;
    case EVK_P_NO_CLOSE:
        snprintf(g->title, sizeof g->title, "no close after a violation");
        hint = "a violation must be closed at once with its code (PROTOCOL.md §4)";
        break;
    case EVK_P_LATE_CLOSE:
        snprintf(g->title, sizeof g->title, "closed late (after a violation, or after the deadline)");
        hint = "a violation is closed at once; an expired deadline at the limit (PROTOCOL.md §3, §4)";
        break;
    case EVK_P_EARLY_CLOSE:
        snprintf(g->title, sizeof g->title, "closed before the deadline");
        hint = "an Event is due at the limit, measured by its sender from the moment it sent it";
        break;
    case EVK_P_ACKED_VIOLATION:
        snprintf(g->title, sizeof g->title, "acked the violating message itself");
        hint = "a message that breaks the protocol is closed, never acked (PROTOCOL.md §4)";
        break;
    case EVK_P_MISSING_ACK:
        snprintf(g->title, sizeof g->title, "Events never acked");
        hint = "each Event is acked exactly once within the limit (PROTOCOL.md §3)";
        break;
    default:
        snprintf(g->title, sizeof g->title, "the same problem: %s",
                 primary(g->problems) >= 0 ? evk_problem_name((evk_problem)primary(g->problems)) : "other");
        break;
    }
    snprintf(g->hint, sizeof g->hint, "%s", hint);
}

static bool same_key(const evk_cause *g, const evk_case_result *r)
{
    return g->problems == r->problems && g->end_code == r->end_code;
}

static int by_size(const void *a, const void *b)
{
    const evk_cause *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

size_t evk_causes_group(const evk_case_result *r, size_t n, const evk_run_info *info, evk_cause *out,
                        size_t cap, int *group_of)
{
    /* Every distinct key of a counted failure, in order of first appearance. */
    evk_cause *all = calloc(n ? n : 1, sizeof *all);
    size_t nall = 0, kept = 0;
    if (group_of)
        for (size_t i = 0; i < n; i++) group_of[i] = -1;
    if (!all) return 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].verdict != EVK_VERDICT_FAIL || r[i].baseline_listed) continue;
        size_t g = 0;
        while (g < nall && !same_key(&all[g], &r[i])) g++;
        if (g == nall) all[nall++] = (evk_cause){.problems = r[i].problems, .end_code = r[i].end_code, .first = i};
        all[g].count++;
        if (r[i].blocked) all[g].blocked++;
    }
    for (size_t g = 0; g < nall; g++)
        if (all[g].count >= EVK_CAUSE_MIN_CASES) all[kept++] = all[g];
    qsort(all, kept, sizeof *all, by_size);
    for (size_t g = 0; g < kept; g++) {
        describe(&all[g], info);
        if (g < cap) out[g] = all[g];
        if (group_of)
            for (size_t i = 0; i < n; i++)
                if (r[i].verdict == EVK_VERDICT_FAIL && !r[i].baseline_listed && same_key(&all[g], &r[i]))
                    group_of[i] = (int)g;
    }
    free(all);
    return kept;
}
