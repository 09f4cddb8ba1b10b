/* evk_causes.h - failed cases grouped by what made them fail, so that one
 * missing feature (no handshake Event, say) reads as one line with a hint at
 * the top of a report, not as 63 identical failures.
 *
 * A cause is a structured key: the problem bits the judge recorded
 * (evk_case_result.problems) and the class of the outcome (the connection
 * stayed open, closed with code C, dropped, never opened). It is never made
 * from the words of a result, which carry timings and ids. Each group knows
 * which of its cases never reached their own steps (evk_case_result.blocked:
 * the cause stopped them before they could check their rule) and which
 * failed on their own.
 *
 * Pure: reads only its arguments; results are caller storage.
 */
#ifndef EVK_CAUSES_H
#define EVK_CAUSES_H

#include <stddef.h>
#include <stdint.h>

#include "evk_report.h"

/* Groups shown: causes shared by at least this many failed cases. */
#define EVK_CAUSE_MIN_CASES 2

typedef struct evk_cause {
    unsigned problems;  /* the key: EVK_PROBLEM_BIT()s */
    int end_code;       /* and the outcome: the close code, 0 open / no connection, -1 dropped */
    size_t count;       /* failed cases with this cause (baseline-listed ones excluded) */
    size_t blocked;     /* of which never reached their own steps */
    size_t first;       /* index (in the results) of the first such case */
    char title[200];    /* "no response within 2000 ms (no handshake Event)" */
    char hint[320];     /* what to try */
} evk_cause;

/* Group the failures of r[0..n). Writes at most cap groups, largest first
 * (ties: the earlier first case first), and returns how many there are.
 * group_of (NULL, or n entries) gets each result's group index, or -1. */
size_t evk_causes_group(const evk_case_result *r, size_t n, const evk_run_info *info, evk_cause *out,
                        size_t cap, int *group_of);

#endif
