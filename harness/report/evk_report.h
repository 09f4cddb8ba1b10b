/* evk_report.h - the run's results, written for people and for CI.
 *
 * Console: one line per case as it ends (colour only on a terminal), the
 * expected/observed pair under every failure, then a summary line.
 * Files (REPORT=dir): report.json (the fields HARNESS.md promises),
 * junit.xml, report.html, summary.md. Failures that share a cause are
 * grouped (evk_causes.h) in the console, report.json, report.html and
 * summary.md. Each file is written to a temporary name and
 * renamed, so a reader never sees half a report, even after an interrupt.
 * Transcript data is the target's raw bytes: writers escape what their
 * format cannot hold (invalid UTF-8, NUL, control characters).
 */
#ifndef EVK_REPORT_H
#define EVK_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "evk_result.h"

typedef struct evk_run_info {
    const char *target;      /* URL, or the client command (never with header values) */
    const char *role;        /* the target's role: "server" or "client" */
    const char *profile;     /* the profile's name */
    int64_t started_us;      /* wall clock */
    uint64_t duration_ms;
    bool interrupted;        /* the run was stopped before every case ended */
    uint64_t limit_ms;       /* the ack time limit in force (0: the target's) */
    uint64_t wait_ms;        /* how long a case waits for an answer (--timeout) */
    const char *profile_description; /* the profile's own description ("" or NULL: none) */
} evk_run_info;

typedef struct evk_summary {
    size_t total, pass, fail, non_strict, info, skip;
    size_t known_failures;   /* failures the baseline lists: not counted in fail */
    size_t fixed;            /* baseline cases that now pass */
} evk_summary;

void evk_summarize(const evk_case_result *r, size_t n, evk_summary *s);

/* Exit status of a finished run: 0 (no unlisted failure) or 1. */
int evk_run_status(const evk_summary *s);

/* Read a baseline (one case id per line, '#' comments) and mark the
 * results it names. 0, or EVK_EIO with one line in err. Ids that known_id()
 * rejects are an error: a typo would otherwise hide a real failure. */
int evk_baseline_apply(const char *path, evk_case_result *r, size_t n,
                       bool (*known_id)(const char *id), char *err, size_t errcap);

typedef struct evk_console {
    FILE *f;
    bool color;
    bool quiet;   /* only failures and the summary */
    bool live;    /* a terminal: keep one progress line at the bottom */
} evk_console;

void evk_console_case(const evk_console *c, const evk_case_result *r, size_t done, size_t total);
/* The live line (terminals only): "[12/72] 5 running, longest deadline.expired 0.9 s". */
void evk_console_progress(const evk_console *c, size_t done, size_t total, size_t running,
                          const char *longest, uint64_t longest_ms);
void evk_console_summary(const evk_console *c, const evk_summary *s, const evk_run_info *info);
/* Before the summary: the causes that several failures share (evk_causes.h),
 * one paragraph each with a hint. Prints nothing when there are none. */
void evk_console_causes(const evk_console *c, const evk_case_result *r, size_t n, const evk_run_info *info);

/* Write report.json, junit.xml, report.html and summary.md into dir (created
 * if needed). 0, or EVK_EIO with one line in err. */
int evk_report_write_all(const char *dir, const evk_run_info *info, const evk_case_result *r,
                         size_t n, char *err, size_t errcap);

int evk_report_json(FILE *f, const evk_run_info *info, const evk_case_result *r, size_t n);
int evk_report_junit(FILE *f, const evk_run_info *info, const evk_case_result *r, size_t n);
int evk_report_html(FILE *f, const evk_run_info *info, const evk_case_result *r, size_t n);
/* summary.md: a few Markdown lines for a CI page: the verdict counts, the
 * shared causes with their hints, and a table of the failed cases. */
int evk_report_summary_md(FILE *f, const evk_run_info *info, const evk_case_result *r, size_t n);

/* Text safe for any report: valid UTF-8 kept, other bytes (and NUL and
 * control characters but \t \n) as \xNN. Writes at most cap-1 bytes. */
size_t evk_report_sanitize(const char *data, size_t len, char *out, size_t cap);

#endif
