/* evk_loadgen - evack as a load generator against a server (figure 4 of
 * `make bench`): N connections each keep a window of Events in flight,
 * every Ack (validated like the suite does) releases the next Event.
 *   evk_loadgen URL CONNECTIONS SECONDS [WINDOW]
 * Prints `acked: <events/s>` and `cpu_per_million: <evack CPU seconds>`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "evk_compose.h"
#include "evk_net.h"
#include "evk_session.h"
#include "evk_validate.h"

typedef struct conn_state {
    struct gen *g;
    evk_conn *c;
    bool ready;
    char *buf;
    size_t len, cap;
} conn_state;

typedef struct gen {
    evk_loop *loop;
    evk_profile p;
    unsigned window;
    uint64_t acked, sent, errors;
    bool measuring;
    conn_state *cs;
    unsigned n, open;
} gen;

static void send_event(conn_state *s)
{
    char text[EVK_MAX_OUT];
    size_t len;
    evk_uuid id;
    evk_uuid_v4(&id);
    if (evk_compose_event(&s->g->p, &id, evk_wall_us(), NULL, text, sizeof text, &len) == 0) {
        evk_conn_send(s->c, text, len, EVK_F_WHOLE);
        s->g->sent++;
    }
}

static void on_message(conn_state *s, const char *text, size_t len)
{
    evk_message m;
    evk_validate(&s->g->p, text, len, true, &m);
    if (m.violation != EVK_V_NONE) {
        s->g->errors++;
        return;
    }
    if (m.kind == EVK_MSG_EVENT) { /* the handshake (or any Event): ack it */
        char ack[EVK_MAX_OUT];
        size_t al;
        evk_compose_ack(&s->g->p, &m.id, evk_wall_us(), ack, sizeof ack, &al);
        evk_conn_send(s->c, ack, al, EVK_F_WHOLE);
        if (!s->ready) {
            s->ready = true;
            for (unsigned i = 0; i < s->g->window; i++) send_event(s);
        }
        return;
    }
    if (s->g->measuring) s->g->acked++;
    send_event(s);
}

static void on_conn(evk_conn *c, const evk_net_event *ev, void *user)
{
    conn_state *s = user;
    (void)c;
    if (ev->kind == EVK_NET_DATA) {
        if (ev->flags & EVK_F_FIRST) s->len = 0;
        if (s->len + ev->len > s->cap) {
            s->cap = (s->len + ev->len) * 2;
            s->buf = realloc(s->buf, s->cap);
        }
        memcpy(s->buf + s->len, ev->data, ev->len);
        s->len += ev->len;
        if (ev->flags & EVK_F_FINAL) on_message(s, s->buf, s->len);
    } else if (ev->kind == EVK_NET_CLOSED || ev->kind == EVK_NET_ERROR) {
        s->c = NULL;
        s->g->errors++;
        if (--s->g->open == 0) evk_loop_stop(s->g->loop);
    }
}

static void on_timer(evk_timer *t, void *user)
{
    (void)t;
    evk_loop_stop(((gen *)user)->loop);
}

static double cpu_s(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
           (double)u.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: evk_loadgen URL CONNECTIONS SECONDS [WINDOW]\n");
        return 2;
    }
    gen g = {.n = (unsigned)atoi(argv[2]), .window = argc > 4 ? (unsigned)atoi(argv[4]) : 32};
    double seconds = atof(argv[3]);
    char err[256];
    if (evk_profile_load(&g.p, "seed", err, sizeof err) < 0 || !(g.loop = evk_loop_new(NULL, err, sizeof err))) {
        fprintf(stderr, "evk_loadgen: %s\n", err);
        return 2;
    }
    g.cs = calloc(g.n, sizeof *g.cs);
    for (unsigned i = 0; i < g.n; i++) {
        g.cs[i].g = &g;
        g.cs[i].c = evk_connect(g.loop, argv[1], NULL, 0, on_conn, &g.cs[i], err, sizeof err);
        if (!g.cs[i].c) {
            fprintf(stderr, "evk_loadgen: %s\n", err);
            return 2;
        }
        g.open++;
    }
    evk_timer *t = evk_timer_new(g.loop, on_timer, &g);
    evk_timer_at(t, evk_clock_ms() + 300); /* warm-up: connections and handshakes */
    evk_loop_run(g.loop);
    g.measuring = true;
    double c0 = cpu_s();
    uint64_t t0 = evk_clock_ms();
    evk_timer_at(t, t0 + (uint64_t)(seconds * 1000));
    evk_loop_run(g.loop);
    double elapsed = (double)(evk_clock_ms() - t0) / 1000.0, cpu = cpu_s() - c0;
    printf("acked: %.0f\n", (double)g.acked / elapsed);
    printf("cpu_per_million: %.2f\n", g.acked ? cpu / ((double)g.acked / 1e6) : 0.0);
    printf("errors: %llu\n", (unsigned long long)g.errors);
    evk_timer_free(t);
    for (unsigned i = 0; i < g.n; i++) free(g.cs[i].buf);
    free(g.cs);
    evk_loop_free(g.loop);
    return 0;
}
