/* evk_fl_exec.h - running generated sessions against the target, and
 * asking whether the target is still there.
 *
 * A thin layer over evk_suite_run(): sessions run concurrently in the
 * caller's loop (one connection each; against a client, one client process
 * each), every frame that leaves is fed to the runner's model, and each
 * session gets an evk_case_result. The probe tells a target that crashed
 * (connections refused) from one that hangs (no upgrade within 5 s).
 *
 * Ownership: results[] is caller storage of n entries, filled here; free
 * each with evk_result_reset(). Cases are borrowed for the call.
 * Time: the runner reads the clock; a session ends by itself (the runner
 * caps each at 60 s), or at once when *stop becomes non-zero (it then ends
 * as a "skip ... interrupted").
 * Errors: 0, EVK_ENOMEM, or EVK_EIO (client targets: cannot listen).
 */
#ifndef EVK_FL_EXEC_H
#define EVK_FL_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_fl_case.h"
#include "evk_net.h"
#include "evk_result.h"
#include "evk_session.h"

typedef struct evk_fl_target {
    evk_loop *loop;
    const evk_profile *profile;
    evk_role role;             /* SERVER: evack connects to url */
    const char *url;
    const char *client_cmd;    /* CLIENT: "cmd ... {url}", started per session */
    uint64_t client_limit_ms;  /* CLIENT: the ack limit evack declares (0: 1000) */
    const char *const *headers;
    size_t nheaders;
    bool one_connection;       /* a bearer token: one connection at a time */
    unsigned jobs;             /* sessions at once */
    uint64_t wait_ms, settle_ms;
    const volatile int *stop;
    void (*on_result)(const evk_case_result *r, size_t done, size_t total, void *user);
    void *user;
} evk_fl_target;

int evk_fl_run(const evk_fl_target *t, evk_fl_case *const *cases, size_t n, evk_case_result *results);

typedef enum evk_fl_up { EVK_FL_UP = 0, EVK_FL_REFUSED, EVK_FL_HUNG } evk_fl_up;

/* Is the target reachable? Client targets always are (each session starts
 * its own client). err gets the probe's one line when it is not. */
evk_fl_up evk_fl_probe(const evk_fl_target *t, char *err, size_t errcap);

/* Probe until the target answers or wait_ms passed (polling every 200 ms;
 * stops early when *stop is set). */
evk_fl_up evk_fl_wait_up(const evk_fl_target *t, uint64_t wait_ms, char *err, size_t errcap);

/* Data messages of a result: sent by evack, and received. */
void evk_fl_count_messages(const evk_case_result *r, uint64_t *sent, uint64_t *received);

#endif
