/* evk_churn - the ceiling the live fuzzer runs under (figure 6 of `make
 * bench`): how many WebSocket connections per second libwebsockets can open
 * (TCP connect + HTTP upgrade) and close on loopback, CONCURRENCY at a time,
 * against a bare listener that accepts every upgrade and says nothing (run
 * in a child process, so both sides have a core), or against URL.
 *   evk_churn [URL] CONCURRENCY SECONDS
 * Prints `churn: <connections/s>` and `failed: <count>`.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "evk_net.h"

typedef struct churn {
    evk_loop *loop;
    const char *url;
    uint64_t done, failed;
    bool measuring, stopping;
    unsigned open;
    uint64_t m0, measure_ms; /* when measuring began, and for how long */
} churn;

static void start_one(churn *g);

static void on_conn(evk_conn *c, const evk_net_event *ev, void *user)
{
    churn *g = user;
    if (ev->kind == EVK_NET_OPEN) {
        evk_conn_close(c, 1000, "churn"); /* the upgrade is done: close at once */
    } else if (ev->kind == EVK_NET_CLOSED || ev->kind == EVK_NET_ERROR) {
        g->open--;
        if (g->measuring) {
            if (ev->kind == EVK_NET_CLOSED) g->done++;
            else g->failed++;
        }
        if (!g->stopping) start_one(g);
        else if (g->open == 0) evk_loop_stop(g->loop);
    }
}

static void start_one(churn *g)
{
    char err[256];
    if (evk_connect(g->loop, g->url, NULL, 0, on_conn, g, err, sizeof err)) g->open++;
    else g->failed++;
}

static void on_timer(evk_timer *t, void *user)
{
    churn *g = user;
    if (!g->measuring) { /* warm-up over: measure from now */
        g->measuring = true;
        g->m0 = evk_clock_ms();
        evk_timer_at(t, g->m0 + g->measure_ms);
        return;
    }
    g->stopping = true;
    evk_loop_stop(g->loop);
}

/* The bare listener: accepts every upgrade, ignores what comes. */
static void bare_conn(evk_conn *c, const evk_net_event *ev, void *user)
{
    (void)c, (void)ev, (void)user;
}

static int bare_accept(const evk_accept_info *info, void *user, evk_conn_cb *cb, void **cuser)
{
    (void)info, (void)user;
    *cb = bare_conn;
    *cuser = NULL;
    return 0;
}

static pid_t serve_bare(int *port)
{
    int fds[2];
    if (pipe(fds) < 0) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        char err[256];
        close(fds[0]);
        evk_loop *l = evk_loop_new(NULL, err, sizeof err);
        int p = 0;
        if (!l || evk_listen(l, "127.0.0.1", 0, bare_accept, NULL, &p, err, sizeof err) < 0) p = -1;
        if (write(fds[1], &p, sizeof p) != (ssize_t)sizeof p || p < 0) _exit(1);
        close(fds[1]);
        evk_loop_run(l); /* until killed */
        _exit(0);
    }
    close(fds[1]);
    ssize_t n = read(fds[0], port, sizeof *port);
    close(fds[0]);
    return n == (ssize_t)sizeof *port && *port > 0 ? pid : -1;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: evk_churn [URL] CONCURRENCY SECONDS\n");
        return 2;
    }
    const char *url = argc == 4 ? argv[1] : NULL;
    unsigned conc = (unsigned)atoi(argv[argc - 2]);
    double secs = atof(argv[argc - 1]);
    if (!conc || secs <= 0) {
        fprintf(stderr, "evk_churn: CONCURRENCY and SECONDS must be > 0\n");
        return 2;
    }
    char bare[64];
    pid_t child = -1;
    if (!url) {
        int port = 0;
        child = serve_bare(&port);
        if (child < 0) {
            fprintf(stderr, "evk_churn: cannot start the bare listener\n");
            return 1;
        }
        snprintf(bare, sizeof bare, "ws://127.0.0.1:%d/", port);
        url = bare;
    }
    char err[256];
    churn g = {.url = url, .measure_ms = (uint64_t)(secs * 1000)};
    g.loop = evk_loop_new(NULL, err, sizeof err);
    if (!g.loop) {
        fprintf(stderr, "evk_churn: %s\n", err);
        return 1;
    }
    evk_timer *t = evk_timer_new(g.loop, on_timer, &g);
    for (unsigned i = 0; i < conc; i++) start_one(&g);
    evk_timer_at(t, evk_clock_ms() + 500); /* half a second of warm-up */
    evk_loop_run(g.loop);
    double elapsed = (double)(evk_clock_ms() - g.m0) / 1000.0;
    printf("churn: %.0f\nfailed: %llu\n", elapsed > 0 ? (double)g.done / elapsed : 0, (unsigned long long)g.failed);
    evk_timer_free(t);
    evk_loop_free(g.loop);
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    return 0;
}
