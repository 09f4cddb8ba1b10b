/* The tally of a fuzz-live run and its lines on stderr (evk_fl_progress.h):
 * the progress line, news above it, the summary, and the list of kinds of
 * findings seen. Nothing here decides anything about the run; the campaign
 * (evk_fl_campaign.c) counts into the tally and calls these to print. */
#include "evk_fl_progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_net.h"
#include "evk_result.h"

double evk_fl_secs(uint64_t ms)
{
    return (double)ms / 1000.0;
}

static void clock_text(uint64_t ms, char *out, size_t cap)
{
    uint64_t s = ms / 1000;
    if (s >= 3600) snprintf(out, cap, "%llu:%02llu:%02llu", (unsigned long long)(s / 3600), (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
    else snprintf(out, cap, "%02llu:%02llu", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
}

static uint64_t fuzz_time(const evk_fl_tally *t)
{
    return t->fuzz_ms + (t->batch_t0 ? evk_clock_ms() - t->batch_t0 : 0);
}

void evk_fl_progress(evk_fl_tally *t, bool force)
{
    uint64_t now = evk_clock_ms(), el = now - t->t0;
    if (!force && now - t->last_print < (t->tty ? 1000u : 10000u)) return;
    t->last_print = now;
    char e[32], d[32];
    clock_text(el, e, sizeof e);
    clock_text(t->end > t->t0 ? t->end - t->t0 : 0, d, sizeof d);
    uint64_t fz = fuzz_time(t);
    double s = fz ? evk_fl_secs(fz) : 1;
    char line[320];
    snprintf(line, sizeof line,
             "fuzz-live %s/%s  sessions %llu (%.0f/s)  messages %llu (%.0f/s)  findings %u%s%s",
             e, d, (unsigned long long)t->sessions, (double)t->sessions / s,
             (unsigned long long)(t->sent + t->received), (double)(t->sent + t->received) / s, t->findings,
             t->activity ? "  " : "", t->activity ? t->activity : "");
    if (t->tty) fprintf(stderr, "\r\033[K%s", line);
    else fprintf(stderr, "%s\n", line);
    t->printed_progress = t->tty;
    fflush(stderr);
}

void evk_fl_say(evk_fl_tally *t, const char *fmt, ...)
{
    if (t->printed_progress) fputs("\r\033[K", stderr);
    t->printed_progress = false;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

void evk_fl_summary(evk_fl_tally *t, const evk_fl_opts *o, const char *profile_name, bool interrupted)
{
    uint64_t el = evk_clock_ms() - t->t0, fz = fuzz_time(t);
    double s = fz ? evk_fl_secs(fz) : 1;
    if (t->printed_progress) fputs("\r\033[K", stderr);
    t->printed_progress = false;
    fprintf(stderr, "fuzz-live %s: %s %s, profile %s, seed %llu\n", interrupted ? "interrupted" : "done",
            o->client ? "client" : "server", o->client ? o->client : o->target, profile_name,
            (unsigned long long)o->seed);
    fprintf(stderr, "  %.1f s, %.1f s of it in fuzzing batches (the rest: probes, judging, confirming, minimising)\n",
            evk_fl_secs(el), s);
    fprintf(stderr, "  %llu sessions (%.0f/s), %llu messages sent + %llu received (%.0f/s); %llu re-run session(s)\n",
            (unsigned long long)t->sessions, (double)t->sessions / s, (unsigned long long)t->sent,
            (unsigned long long)t->received, (double)(t->sent + t->received) / s,
            (unsigned long long)t->rerun_sessions);
    fprintf(stderr, "  verdicts: %llu pass, %llu fail, %llu non-strict, %llu informational, %llu skip\n",
            (unsigned long long)t->verdicts[EVK_VERDICT_PASS], (unsigned long long)t->verdicts[EVK_VERDICT_FAIL],
            (unsigned long long)t->verdicts[EVK_VERDICT_NON_STRICT], (unsigned long long)t->verdicts[EVK_VERDICT_INFO],
            (unsigned long long)t->verdicts[EVK_VERDICT_SKIP]);
    if (t->internal) fprintf(stderr, "  %u session(s) failed inside evack itself (not findings)\n", t->internal);
    fprintf(stderr, "  findings: %u%s\n", t->findings,
            t->findings ? "" : t->unconfirmed ? " (nothing confirmed)" : " (nothing found)");
    for (size_t i = 0; i < t->nseen; i++) {
        const evk_fl_seen *sn = &t->seen[i];
        if (sn->unconfirmed) continue;
        fprintf(stderr, "    %-40s seen %u time(s), first after %.1f s: %s/%s", sn->sig, sn->count, sn->first_s,
                o->findings, sn->file[0] ? sn->file : "(not saved)");
        if (sn->min_file[0]) fprintf(stderr, " (minimised %zu -> %zu steps: %s)", sn->steps, sn->min_steps, sn->min_file);
        fputc('\n', stderr);
    }
    if (t->unconfirmed) {
        fprintf(stderr, "  unconfirmed (failed once, not shown again or not re-run; not counted): %u\n", t->unconfirmed);
        for (size_t i = 0; i < t->nseen; i++)
            if (t->seen[i].unconfirmed) fprintf(stderr, "    %-40s %s/%s\n", t->seen[i].sig, o->findings, t->seen[i].file);
    }
}

evk_fl_seen *evk_fl_seen_find(evk_fl_tally *t, const char *sig)
{
    for (size_t i = 0; i < t->nseen; i++)
        if (strcmp(t->seen[i].sig, sig) == 0) return &t->seen[i];
    return NULL;
}

evk_fl_seen *evk_fl_seen_add(evk_fl_tally *t, const char *sig)
{
    if (t->nseen == t->capseen) {
        size_t cap = t->capseen ? t->capseen * 2 : 8;
        evk_fl_seen *p = realloc(t->seen, cap * sizeof *p);
        if (!p) return NULL;
        t->seen = p;
        t->capseen = cap;
    }
    evk_fl_seen *s = &t->seen[t->nseen++];
    memset(s, 0, sizeof *s);
    snprintf(s->sig, sizeof s->sig, "%s", sig);
    return s;
}
