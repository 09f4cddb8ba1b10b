/* The console: a line per case as it ends, details under failures, a summary. */
#include <stdlib.h>
#include <string.h>

#include "evk_causes.h"
#include "evk_report.h"

static const char *colour(evk_verdict v)
{
    switch (v) {
    case EVK_VERDICT_PASS: return "\033[32m";
    case EVK_VERDICT_FAIL: return "\033[1;31m";
    case EVK_VERDICT_NON_STRICT: return "\033[33m";
    case EVK_VERDICT_INFO: return "\033[36m";
    default: return "\033[2m";
    }
}

static const char *label(const evk_case_result *r)
{
    if (r->baseline_listed && r->verdict == EVK_VERDICT_FAIL) return "KNOWN";
    if (r->baseline_listed && r->verdict == EVK_VERDICT_PASS) return "FIXED";
    switch (r->verdict) {
    case EVK_VERDICT_PASS: return "PASS";
    case EVK_VERDICT_FAIL: return "FAIL";
    case EVK_VERDICT_NON_STRICT: return "NON-STRICT";
    case EVK_VERDICT_INFO: return "INFO";
    default: return "SKIP";
    }
}

/* Erase the live line before anything else is printed. */
static void clear_live(const evk_console *c)
{
    if (c->live) fputs("\r\033[K", c->f);
}

void evk_console_progress(const evk_console *c, size_t done, size_t total, size_t running,
                          const char *longest, uint64_t longest_ms)
{
    if (!c->live) return;
    clear_live(c);
    fprintf(c->f, "[%zu/%zu] %zu running", done, total, running);
    if (longest && *longest) fprintf(c->f, ", longest %s %.1f s", longest, (double)longest_ms / 1000.0);
    fflush(c->f);
}

void evk_console_case(const evk_console *c, const evk_case_result *r, size_t done, size_t total)
{
    bool failed = r->verdict == EVK_VERDICT_FAIL && !r->baseline_listed;
    if (c->quiet && !failed) return;
    clear_live(c);
    char obs[600];
    evk_report_sanitize(r->observed, strlen(r->observed), obs, sizeof obs);
    int w = total >= 100 ? 3 : 2;
    fprintf(c->f, "[%*zu/%zu] %s%-10s%s %-30s %s\n", w, done, total, c->color ? colour(r->verdict) : "",
            label(r), c->color ? "\033[0m" : "", r->c->id, obs);
    if (failed || r->verdict == EVK_VERDICT_NON_STRICT) {
        char exp[300];
        evk_report_sanitize(r->expected, strlen(r->expected), exp, sizeof exp);
        fprintf(c->f, "%*s expected: %s\n%*s rule: %s\n", w * 2 + 15, "", exp, w * 2 + 15, "", r->c->spec);
    }
    fflush(c->f);
}

void evk_console_causes(const evk_console *c, const evk_case_result *r, size_t n, const evk_run_info *info)
{
    evk_cause *g = malloc((n ? n : 1) * sizeof *g);
    if (!g) return;
    size_t ng = evk_causes_group(r, n, info, g, n, NULL);
    if (ng) clear_live(c);
    for (size_t k = 0; k < ng; k++) {
        fprintf(c->f, "%s%zu cases failed for one reason:%s %s (first: %s)\n", c->color ? "\033[1;31m" : "",
                g[k].count, c->color ? "\033[0m" : "", g[k].title, r[g[k].first].c->id);
        if (g[k].blocked)
            fprintf(c->f, "    %zu of them never reached their own steps; %zu failed on their own rule\n", g[k].blocked,
                    g[k].count - g[k].blocked);
        fprintf(c->f, "    try: %s\n", g[k].hint);
    }
    free(g);
    fflush(c->f);
}

void evk_console_summary(const evk_console *c, const evk_summary *s, const evk_run_info *info)
{
    clear_live(c);
    fprintf(c->f, "%s%zu passed, %zu failed%s, %zu non-strict, %zu informational, %zu skipped",
            c->color ? (s->fail ? "\033[1;31m" : "\033[1;32m") : "", s->pass, s->fail,
            c->color ? "\033[0m" : "", s->non_strict, s->info, s->skip);
    if (s->known_failures || s->fixed)
        fprintf(c->f, "; baseline: %zu known failure(s), %zu fixed", s->known_failures, s->fixed);
    fprintf(c->f, " (%zu cases, %s %s, profile %s, %.1f s)%s\n", s->total, info->role, info->target,
            info->profile, (double)info->duration_ms / 1000.0, info->interrupted ? " INTERRUPTED" : "");
    fflush(c->f);
}
