/* evk_fl_min.h - shrink a finding to the shortest session that still shows
 * it, by re-running candidates against the target.
 *
 * Delta debugging (Zeller's ddmin) over the session's steps: split the steps
 * into n chunks, try each chunk alone and each complement; keep the first
 * candidate that still reproduces (evk_fl_reproduces: the same primary
 * problem, with the same violation and close code where they matter),
 * otherwise split finer, until no single step can go. All candidates of a
 * round run at once in one evk_suite_run. Then counts are shrunk (EVENTS n,
 * HOLD n) by bisection, and the JSON objects the steps send lose, one at a
 * time, every top-level member the finding does not need (evk_jobj_drop_at;
 * not for crash and hang findings, where every candidate costs a restart). The result is kept only if it reproduces `confirm`
 * more times in a row; otherwise the original stands.
 * Crash and hang findings cannot share the target: their candidates run one
 * at a time, each followed by a probe, and the target must come back
 * (a supervisor restarting it) within restart_wait_ms before each test, or
 * minimisation stops where it is.
 *
 * Ownership: the result is a new case (caller frees), never orig itself.
 * Time: runs sessions (each up to a few ack limits); stops at deadline_ms
 * (evk_clock_ms) or when the target's stop flag is set, keeping the best
 * candidate confirmed so far.
 */
#ifndef EVK_FL_MIN_H
#define EVK_FL_MIN_H

#include <stdbool.h>
#include <stdint.h>

#include "evk_fl_case.h"
#include "evk_fl_exec.h"
#include "evk_fl_verdict.h"

typedef struct evk_fl_min_opts {
    const evk_fl_target *target;
    const evk_fl_class *want;
    uint64_t restart_wait_ms;  /* crash/hang findings */
    uint64_t deadline_ms;      /* 0: none */
    unsigned confirm;          /* re-runs the result must pass (0: 2) */
} evk_fl_min_opts;

typedef struct evk_fl_min_stats {
    unsigned rounds;           /* batches run */
    unsigned sessions;         /* sessions run */
    bool shrunk;               /* the result is smaller than the original */
    bool cut_short;            /* time, a stop, or the target gone ended it early */
} evk_fl_min_stats;

/* Does fc show the finding now? Runs it `times` (concurrently unless it is
 * a crash/hang finding) and counts the runs that reproduce; *result, when
 * given, gets the first reproducing run's result (caller resets it). */
unsigned evk_fl_check(const evk_fl_min_opts *o, const evk_fl_case *fc, unsigned times, evk_case_result *result,
                      evk_fl_min_stats *st);

/* NULL when out of memory. */
evk_fl_case *evk_fl_minimise(const evk_fl_min_opts *o, const evk_fl_case *orig, evk_fl_min_stats *st);

#endif
