/* evk_fl_finding.h - a finding as a file: enough to read what went wrong and
 * to replay it (`evack replay FILE TARGET`).
 *
 * One JSON object per file (format in docs/fuzz-live.md): the signature and
 * tags of the problem, target, role, profile, seed and session index, the
 * case's flags and accepted alternatives, the steps with the exact bytes
 * sent (text when it is UTF-8 without NUL, else hex) and their timings
 * (waits in ms or in fractions of the target's ack limit), expected vs
 * observed, and the transcript of the run that found it (both directions,
 * with times). Header values never reach the file.
 *
 * Ownership: evk_fl_finding is caller storage; fc (the steps) is owned by
 * it after evk_fl_finding_read() and freed by evk_fl_finding_reset(); for
 * writing, fc and the result are only borrowed.
 * Errors: 0, or -1 with one line in err ("path: what").
 */
#ifndef EVK_FL_FINDING_H
#define EVK_FL_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_fl_case.h"
#include "evk_fl_verdict.h"
#include "evk_result.h"

typedef struct evk_fl_finding {
    evk_fl_case *fc;
    evk_fl_class cls;
    char target[256];
    char role[16];        /* "server" or "client" */
    char profile[256];    /* as given (a name or a path) */
    char verdict[16];
    char expected[256];
    char observed[512];
    uint64_t duration_ms;
    double found_after_s;
    unsigned times_seen;
    bool minimised;
    char original[128];   /* minimised findings: the file they came from */
    size_t original_steps;
    uint64_t limit_ms;    /* the target's ack limit during that run (0: unknown) */
} evk_fl_finding;

/* File name (no directory) for a finding: <sig>_<seed>_<index>[.min].json */
void evk_fl_finding_name(const evk_fl_class *c, const evk_fl_case *fc, bool minimised, char *out, size_t cap);

/* Write f (and r's transcript, if r) to path, replacing it. */
int evk_fl_finding_write(const char *path, const evk_fl_finding *f, const evk_case_result *r, char *err,
                         size_t errcap);

/* Read a finding; f->fc becomes a runnable case. */
int evk_fl_finding_read(const char *path, evk_fl_finding *f, char *err, size_t errcap);
void evk_fl_finding_reset(evk_fl_finding *f);

#endif
