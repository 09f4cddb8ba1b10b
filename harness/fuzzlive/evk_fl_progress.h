/* evk_fl_progress.h - what a fuzz-live run has done so far, and the lines
 * that say so on stderr (evk_fl_progress.c):
 *   the progress line  every second on a terminal (redrawn in place),
 *                      every 10 s otherwise; elapsed/planned time,
 *                      sessions and messages per second, findings, and
 *                      what the run is doing besides fuzzing;
 *   news               a line above the progress line (evk_fl_say);
 *   the summary        at the end: times, counts, verdicts, every finding
 *                      with its files, then the unconfirmed ones.
 * Rates count time in fuzzing batches only (fuzz_ms, plus the batch that
 * runs since batch_t0), not probes, confirming or minimising.
 *
 * Ownership: the tally is caller storage, zeroed before use; seen[] grows
 * with evk_fl_seen_add() and is the caller's to free().
 * Time: t0, end, batch_t0 and last_print are evk_clock_ms() values; the
 * printing functions read that clock. */
#ifndef EVK_FL_PROGRESS_H
#define EVK_FL_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_fl_options.h"

/* One kind of finding (a signature) and where it was saved. */
typedef struct evk_fl_seen {
    char sig[96];
    unsigned count;
    char file[160], min_file[160]; /* relative to the findings directory */
    size_t steps, min_steps;
    double first_s;
    bool unconfirmed;
} evk_fl_seen;

typedef struct evk_fl_tally {
    uint64_t t0, end; /* the run's start and planned end */
    uint64_t sessions, sent, received, verdicts[5];
    uint64_t rerun_sessions;    /* confirming, triage, minimising: not fuzzing */
    uint64_t fuzz_ms, batch_t0; /* time spent fuzzing; start of the batch running (0: none) */
    unsigned findings, unconfirmed, internal;
    evk_fl_seen *seen;
    size_t nseen, capseen;
    /* The display. */
    bool tty;                   /* stderr is a terminal */
    bool printed_progress;      /* the progress line is on screen, to be overwritten */
    uint64_t last_print;
    const char *activity;       /* "[minimising]" etc., or NULL */
} evk_fl_tally;

double evk_fl_secs(uint64_t ms);

/* The progress line, if its period passed since the last one (or force). */
void evk_fl_progress(evk_fl_tally *t, bool force);
/* A line of news: on a terminal it goes above the progress line. */
void evk_fl_say(evk_fl_tally *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The summary at the end of a run against o's target, under profile_name. */
void evk_fl_summary(evk_fl_tally *t, const evk_fl_opts *o, const char *profile_name, bool interrupted);

/* The kind of finding with this signature, or NULL. */
evk_fl_seen *evk_fl_seen_find(evk_fl_tally *t, const char *sig);
/* A new kind, zeroed but for its signature; NULL when out of memory. */
evk_fl_seen *evk_fl_seen_add(evk_fl_tally *t, const char *sig);

#endif
