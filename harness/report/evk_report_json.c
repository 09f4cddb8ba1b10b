/* report.json: the shape HARNESS.md promises (more fields may be added). */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evk_err.h"
#include "evk_causes.h"
#include "evk_report.h"
#include "evk_uuid.h"

#ifndef EVK_VERSION /* CMake's project version (CMakeLists.txt, evk_suite) */
#error "EVK_VERSION is not defined"
#endif

static cJSON *safe_string(const char *data, size_t len)
{
    size_t cap = len * 4 + 1;
    char *buf = malloc(cap);
    if (!buf) return cJSON_CreateString("");
    evk_report_sanitize(data, len, buf, cap);
    cJSON *s = cJSON_CreateString(buf);
    free(buf);
    return s;
}

static cJSON *hex_string(const char *data, size_t len)
{
    char *buf = malloc(len * 2 + 1);
    if (!buf) return cJSON_CreateString("");
    for (size_t i = 0; i < len; i++) snprintf(buf + 2 * i, 3, "%02x", (unsigned char)data[i]);
    buf[2 * len] = '\0';
    cJSON *s = cJSON_CreateString(buf);
    free(buf);
    return s;
}

static cJSON *transcript(const evk_transcript *t)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < t->n; i++) {
        const evk_tentry *e = &t->e[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "t_ms", (double)e->t_ms);
        cJSON_AddStringToObject(o, "dir", e->kind == EVK_T_NOTE ? "note" : e->out ? "out" : "in");
        cJSON_AddStringToObject(o, "kind", evk_tkind_name(e->kind));
        if (e->kind == EVK_T_BINARY) {
            cJSON_AddItemToObject(o, "data", hex_string(e->data, e->data_len));
            cJSON_AddStringToObject(o, "encoding", "hex");
        } else {
            cJSON_AddItemToObject(o, "data", safe_string(e->data, e->data_len));
        }
        if (e->kind == EVK_T_CLOSE) cJSON_AddNumberToObject(o, "code", e->code);
        if (e->kind == EVK_T_TEXT || e->kind == EVK_T_BINARY) {
            cJSON_AddNumberToObject(o, "size", (double)e->size);
            if (e->size > e->data_len) cJSON_AddBoolToObject(o, "truncated", 1);
            if (e->fragments > 1) cJSON_AddNumberToObject(o, "fragments", e->fragments);
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* The UUID in the "id" of a message of this "type", from a transcript
 * entry; false when it is not one (cut off, not JSON, another type). */
static bool entry_id(const evk_tentry *e, const char *type, evk_uuid *id)
{
    if (e->kind != EVK_T_TEXT || e->size > e->data_len) return false;
    cJSON *m = cJSON_ParseWithLength(e->data, e->data_len);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "type");
    const cJSON *i = cJSON_GetObjectItemCaseSensitive(m, "id");
    bool ok = cJSON_IsString(t) && strcmp(t->valuestring, type) == 0 && cJSON_IsString(i) &&
              evk_uuid_parse(i->valuestring, strlen(i->valuestring), id) == 0;
    cJSON_Delete(m);
    return ok;
}

/* "latency_transcript_ms": the latency of each of our Events whose first Ack
 * the kept transcript also holds, in the order the Acks came. The judge's
 * latency_ms covers every Ack; this is the subset a report can chart when
 * the transcript was cut (event.pipelined keeps about 200 of 1,000). */
static cJSON *transcript_latencies(const evk_transcript *t)
{
    cJSON *a = cJSON_CreateArray();
    struct sent { evk_uuid id; uint64_t t_ms; bool acked; } *s = malloc((t->n ? t->n : 1) * sizeof *s);
    if (!a || !s) {
        free(s);
        return a;
    }
    size_t ns = 0;
    for (size_t i = 0; i < t->n; i++) {
        const evk_tentry *e = &t->e[i];
        evk_uuid id;
        if (e->out && entry_id(e, "event", &id)) {
            s[ns++] = (struct sent){.id = id, .t_ms = e->t_ms};
        } else if (!e->out && e->kind == EVK_T_TEXT && entry_id(e, "ack", &id)) {
            for (size_t j = 0; j < ns; j++) /* the oldest unacked Event with this id */
                if (!s[j].acked && evk_uuid_equal(&s[j].id, &id)) {
                    s[j].acked = true;
                    cJSON_AddItemToArray(a, cJSON_CreateNumber((double)(e->t_ms - s[j].t_ms)));
                    break;
                }
        }
    }
    free(s);
    return a;
}

int evk_report_json(FILE *f, const evk_run_info *info, const evk_case_result *r, size_t n)
{
    evk_summary s;
    evk_summarize(r, n, &s);
    cJSON *root = cJSON_CreateObject();
    if (!root) return EVK_ENOMEM;
    cJSON_AddStringToObject(root, "target", info->target ? info->target : "");
    cJSON_AddStringToObject(root, "role", info->role);
    cJSON_AddStringToObject(root, "profile", info->profile);
    cJSON_AddStringToObject(root, "evack", EVK_VERSION);
    cJSON_AddNumberToObject(root, "duration_ms", (double)info->duration_ms);
    cJSON_AddBoolToObject(root, "complete", !info->interrupted);
    if (info->limit_ms) cJSON_AddNumberToObject(root, "ack_limit_ms", (double)info->limit_ms);
    if (info->started_us > 0) { /* when the run started, UTC */
        time_t secs = (time_t)(info->started_us / 1000000);
        struct tm tm;
        char when[32];
        if (gmtime_r(&secs, &tm) && strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm))
            cJSON_AddStringToObject(root, "started_at", when);
    }
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    cJSON_AddNumberToObject(sum, "total", (double)s.total);
    cJSON_AddNumberToObject(sum, "pass", (double)s.pass);
    cJSON_AddNumberToObject(sum, "fail", (double)s.fail);
    cJSON_AddNumberToObject(sum, "non_strict", (double)s.non_strict);
    cJSON_AddNumberToObject(sum, "informational", (double)s.info);
    cJSON_AddNumberToObject(sum, "skip", (double)s.skip);
    cJSON_AddNumberToObject(sum, "known_failures", (double)s.known_failures);
    cJSON_AddNumberToObject(sum, "fixed", (double)s.fixed);
    if (info->profile_description && info->profile_description[0])
        cJSON_AddStringToObject(root, "profile_description", info->profile_description);
    /* Failures that share a cause, largest group first (evk_causes.h). */
    int *group_of = malloc((n ? n : 1) * sizeof *group_of);
    evk_cause *causes = malloc((n ? n : 1) * sizeof *causes);
    size_t ngroups = group_of && causes ? evk_causes_group(r, n, info, causes, n, group_of) : 0;
    cJSON *groups = cJSON_AddArrayToObject(root, "groups");
    for (size_t g = 0; g < ngroups; g++) {
        const evk_cause *k = &causes[g];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "title", k->title);
        cJSON_AddStringToObject(o, "hint", k->hint);
        cJSON *pb = cJSON_AddArrayToObject(o, "problems");
        for (unsigned b = 0; b < 32; b++)
            if (k->problems & (1u << b)) cJSON_AddItemToArray(pb, cJSON_CreateString(evk_problem_name((evk_problem)b)));
        char outcome[32];
        if (k->end_code > 0) snprintf(outcome, sizeof outcome, "close %d", k->end_code);
        else snprintf(outcome, sizeof outcome, "%s", k->end_code < 0 ? "dropped"
                                                   : (k->problems & EVK_PROBLEM_BIT(EVK_P_CONNECT)) ? "no connection" : "open");
        cJSON_AddStringToObject(o, "outcome", outcome);
        cJSON_AddNumberToObject(o, "count", (double)k->count);
        cJSON_AddStringToObject(o, "first", r[k->first].c->id);
        cJSON *blocked = cJSON_AddArrayToObject(o, "blocked"), *own = cJSON_AddArrayToObject(o, "own");
        for (size_t i = 0; i < n; i++)
            if (group_of[i] == (int)g)
                cJSON_AddItemToArray(r[i].blocked ? blocked : own, cJSON_CreateString(r[i].c->id));
        cJSON_AddItemToArray(groups, o);
    }
    cJSON *cases = cJSON_AddArrayToObject(root, "cases");
    for (size_t i = 0; i < n; i++) {
        const evk_case_result *c = &r[i];
        cJSON *o = cJSON_CreateObject();
        char group[32];
        cJSON_AddStringToObject(o, "id", c->c->id);
        cJSON_AddStringToObject(o, "group", evk_case_group(c->c, group, sizeof group));
        cJSON_AddStringToObject(o, "verdict", evk_verdict_name(c->verdict));
        cJSON_AddItemToObject(o, "expected", safe_string(c->expected, strlen(c->expected)));
        cJSON_AddItemToObject(o, "observed", safe_string(c->observed, strlen(c->observed)));
        cJSON_AddStringToObject(o, "spec", c->c->spec);
        cJSON_AddStringToObject(o, "doing", c->c->doing ? c->c->doing : "");
        cJSON_AddNumberToObject(o, "duration_ms", (double)c->duration_ms);
        if (c->baseline_listed)
            cJSON_AddStringToObject(o, "baseline", c->verdict == EVK_VERDICT_FAIL ? "known failure" : "fixed");
        if (group_of && group_of[i] >= 0) cJSON_AddNumberToObject(o, "cause", group_of[i]);
        if (c->blocked) cJSON_AddBoolToObject(o, "blocked", true);
        if (c->problems) {
            cJSON *pb = cJSON_AddArrayToObject(o, "problems");
            for (unsigned b = 0; b < 32; b++)
                if (c->problems & (1u << b)) cJSON_AddItemToArray(pb, cJSON_CreateString(evk_problem_name((evk_problem)b)));
        }
        if (c->latency.samples) {
            cJSON *l = cJSON_AddObjectToObject(o, "latency_ms");
            cJSON_AddNumberToObject(l, "samples", c->latency.samples);
            cJSON_AddNumberToObject(l, "p50", c->latency.p50_ms);
            cJSON_AddNumberToObject(l, "p99", c->latency.p99_ms);
            cJSON_AddNumberToObject(l, "max", c->latency.max_ms);
            cJSON_AddItemToObject(o, "latency_transcript_ms", transcript_latencies(&c->tr));
        }
        cJSON_AddItemToObject(o, "transcript", transcript(&c->tr));
        if (c->tr.dropped) cJSON_AddNumberToObject(o, "transcript_dropped", (double)c->tr.dropped);
        cJSON_AddItemToArray(cases, o);
    }
    free(group_of);
    free(causes);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) return EVK_ENOMEM;
    fputs(text, f);
    fputc('\n', f);
    free(text);
    return ferror(f) ? EVK_EIO : 0;
}
