/* evk_runner.h - run conformance cases against a target, all at once.
 *
 * Every case gets its own connection; up to `jobs` cases run concurrently
 * in the caller's evk_loop (which may also host the embedded reference
 * server). For each case the runner executes its steps, feeds every frame
 * that actually left into a model of a correct target (an evk_session in the
 * target's role), records every frame both ways, and hands the observations
 * to evk_judge() when the case is over.
 *
 * Whether a server target answers at all before the run: evk_probe.h.
 *
 * Ownership: results[] is caller storage of n entries (evk_result_init is
 * done here); the caller frees them with evk_result_reset().
 */
#ifndef EVK_RUNNER_H
#define EVK_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "evk_case.h"
#include "evk_net.h"
#include "evk_result.h"
#include "evk_session.h"

typedef struct evk_suite_opts {
    evk_loop *loop;
    const evk_profile *profile;
    evk_role target_role;      /* EVK_ROLE_SERVER: evack connects to url;
                                * EVK_ROLE_CLIENT: evack listens, the client connects to
                                * ws://HOST:PORT/case/<case id> */
    const char *url;
    /* Client targets. */
    const char *client_cmd;    /* "cmd ... {url}" started per case; NULL: wait for connections */
    const char *listen_host;   /* default 127.0.0.1 */
    int listen_port;           /* 0: a free port */
    uint64_t ack_limit_ms;     /* the limit evack declares in its handshake; 0: 1000 */
    uint64_t connect_ms;       /* how long a started client has to connect; 0: 5000 */
    void (*on_listen)(const char *host, int port, void *user); /* once listening */
    const char *const *headers;/* "Name: value"; values never reach a report */
    size_t nheaders;
    unsigned jobs;             /* 0: all at once */
    bool one_connection;       /* one connection at a time, each fully closed before the
                                * next (a bearer token allows one open WebSocket) */
    uint64_t tolerance_ms;     /* 0: max(150 ms, 10% of the limit) */
    uint64_t wait_ms;          /* how long to wait for an answer; 0: 2000 */
    uint64_t settle_ms;        /* quiet time after the last expected Ack; 0: 250 */
    uint64_t soak_ms;          /* close.soak duration; 0: 1500 */
    size_t max_message;        /* largest message accepted from the target; 0: 16 MiB */
    /* Set (e.g. by a signal handler) to end the run early: running cases end
     * as "interrupted", the others are not started; clients are still reaped. */
    const volatile int *stop;
    /* Called about every 250 ms while cases run: how many are done, how many
     * run, and the one running longest (for a live progress line). */
    void (*on_progress)(size_t done, size_t total, size_t running, const char *longest, uint64_t longest_ms,
                        void *user);
    /* Called as each case ends (progress, console report). */
    void (*on_result)(const evk_case_result *r, size_t done, size_t total, void *user);
    void *user;
} evk_suite_opts;

/* Run the cases; returns when every case has a result. 0, EVK_ENOMEM, or
 * (client targets) EVK_EIO when evack cannot listen. */
int evk_suite_run(const evk_suite_opts *o, const evk_case *const *cases, size_t n,
                  evk_case_result *results);

#endif
