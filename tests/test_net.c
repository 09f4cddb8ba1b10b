/* The transport over loopback: both ends are evk_net (client and listener). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "evk_err.h"
#include "evk_net.h"
#include "evk_session.h"

#define MAXEV 64
typedef struct rec {
    evk_net_kind kind[MAXEV];
    unsigned flags[MAXEV];
    size_t len[MAXEV];
    int code[MAXEV];
    char data[MAXEV][64];
    int n;
    size_t total; /* bytes of DATA */
    int http_status;
    char error[160];
    bool peer_closed, we_closed, done;
} rec;

typedef struct world {
    evk_loop *loop;
    rec client, server;
    evk_conn *cc, *sc;
    int refuse;        /* listener answers this status */
    char auth[128];    /* what the listener saw */
    char path[128];
    void (*on_server_open)(struct world *w);
    void (*on_server_data)(struct world *w, const evk_net_event *ev);
    evk_timer *deadline;
} world;

static void record(rec *r, const evk_net_event *ev)
{
    if (r->n < MAXEV) {
        r->kind[r->n] = ev->kind;
        r->flags[r->n] = ev->flags;
        r->len[r->n] = ev->len;
        r->code[r->n] = ev->code;
        size_t n = ev->len < 63 ? ev->len : 63;
        if (ev->data) memcpy(r->data[r->n], ev->data, n);
        r->data[r->n][n] = '\0';
        if (ev->kind == EVK_NET_PEER_CLOSE && ev->reason) {
            n = ev->reason_len < 63 ? ev->reason_len : 63;
            memcpy(r->data[r->n], ev->reason, n);
            r->data[r->n][n] = '\0';
        }
        r->n++;
    }
    if (ev->kind == EVK_NET_DATA) r->total += ev->len;
    if (ev->kind == EVK_NET_ERROR) {
        r->http_status = ev->http_status;
        snprintf(r->error, sizeof r->error, "%s", ev->error ? ev->error : "");
    }
    if (ev->kind == EVK_NET_CLOSED) {
        r->peer_closed = ev->peer_closed;
        r->we_closed = ev->we_closed;
    }
    if (ev->kind == EVK_NET_CLOSED || ev->kind == EVK_NET_ERROR) r->done = true;
}

static void maybe_stop(world *w)
{
    if (w->client.done && (w->server.done || !w->sc)) evk_loop_stop(w->loop);
}

static void on_client(evk_conn *c, const evk_net_event *ev, void *user)
{
    world *w = user;
    (void)c;
    if (ev->kind == EVK_NET_SENT) return;
    record(&w->client, ev);
    if (ev->kind == EVK_NET_CLOSED || ev->kind == EVK_NET_ERROR) {
        w->cc = NULL;
        maybe_stop(w);
    }
}

static void on_server(evk_conn *c, const evk_net_event *ev, void *user)
{
    world *w = user;
    if (ev->kind == EVK_NET_SENT) return;
    record(&w->server, ev);
    if (ev->kind == EVK_NET_OPEN) {
        w->sc = c;
        if (w->on_server_open) w->on_server_open(w);
    }
    if (ev->kind == EVK_NET_DATA && w->on_server_data) w->on_server_data(w, ev);
    if (ev->kind == EVK_NET_CLOSED) {
        w->sc = NULL;
        maybe_stop(w);
    }
}

static int on_accept(const evk_accept_info *info, void *user, evk_conn_cb *cb, void **cuser)
{
    world *w = user;
    snprintf(w->auth, sizeof w->auth, "%s", info->authorization ? info->authorization : "");
    snprintf(w->path, sizeof w->path, "%s", info->path);
    if (w->refuse) return w->refuse;
    w->server.n = 0;
    *cb = on_server;
    *cuser = w;
    w->sc = (evk_conn *)1; /* pending: wait for its CLOSED too */
    return 0;
}

static void on_deadline(evk_timer *t, void *user)
{
    (void)t;
    evk_loop_stop(((world *)user)->loop);
}

static int setup(world *w)
{
    memset(w, 0, sizeof *w);
    char err[200];
    w->loop = evk_loop_new(NULL, err, sizeof err);
    ck_assert_msg(w->loop != NULL, "%s", err);
    int port = 0;
    ck_assert_msg(evk_listen(w->loop, "127.0.0.1", 0, on_accept, w, &port, err, sizeof err) == 0, "%s", err);
    ck_assert_int_gt(port, 0);
    w->deadline = evk_timer_new(w->loop, on_deadline, w);
    evk_timer_at(w->deadline, evk_clock_ms() + 5000);
    return port;
}

static void run(world *w)
{
    uint64_t t0 = evk_clock_ms();
    ck_assert_int_eq(evk_loop_run(w->loop), 0);
    if (getenv("EVK_TEST_TIMING")) fprintf(stderr, "run took %llu ms\n", (unsigned long long)(evk_clock_ms() - t0));
}

static evk_conn *connect_to(world *w, int port, const char *path, const char *const *hdrs, size_t nh)
{
    char url[128], err[200];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d%s", port, path);
    evk_conn *c = evk_connect(w->loop, url, hdrs, nh, on_client, w, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    w->cc = c;
    return c;
}

static void close_4001(world *w, const evk_net_event *ev)
{
    if (ev->flags & EVK_F_FINAL) evk_conn_close(w->sc, 4001, "bad");
}

static void close_on_braces(world *w, const evk_net_event *ev)
{
    if (ev->len == 2 && memcmp(ev->data, "{}", 2) == 0) evk_conn_close(w->sc, 1000, "");
}

START_TEST(messages_fragments_binary_ping)
{
    world w;
    int port = setup(&w);
    const char *hdr[] = {"Authorization: Bearer s3cret", "X-Extra: 1"};
    evk_conn *c = connect_to(&w, port, "/case/x?y=1", hdr, 2);
    evk_conn_send(c, "hello", 5, EVK_F_WHOLE);
    evk_conn_send(c, "ab", 2, EVK_F_FIRST);
    evk_conn_send(c, "cd", 2, 0);
    evk_conn_send(c, "ef", 2, EVK_F_FINAL);
    evk_conn_send(c, "", 0, EVK_F_WHOLE | EVK_F_BINARY);
    evk_conn_ping(c, "p", 1);
    evk_conn_send(c, "{}", 2, EVK_F_WHOLE); /* the server closes on the last message */
    w.on_server_data = close_on_braces;
    run(&w);
    ck_assert_str_eq(w.auth, "Bearer s3cret");
    ck_assert_str_eq(w.path, "/case/x");
    rec *s = &w.server;
    ck_assert_int_eq(s->kind[0], EVK_NET_OPEN);
    ck_assert(s->kind[1] == EVK_NET_DATA && s->flags[1] == EVK_F_WHOLE && strcmp(s->data[1], "hello") == 0);
    ck_assert(s->kind[2] == EVK_NET_DATA && s->flags[2] == EVK_F_FIRST && strcmp(s->data[2], "ab") == 0);
    ck_assert(s->kind[3] == EVK_NET_DATA && s->flags[3] == 0 && strcmp(s->data[3], "cd") == 0);
    ck_assert(s->kind[4] == EVK_NET_DATA && s->flags[4] == EVK_F_FINAL && strcmp(s->data[4], "ef") == 0);
    ck_assert_msg(s->kind[5] == EVK_NET_DATA && s->flags[5] == (EVK_F_WHOLE | EVK_F_BINARY) && s->len[5] == 0,
                  "empty binary: kind %d flags %u", s->kind[5], s->flags[5]);
    ck_assert(s->kind[6] == EVK_NET_DATA && strcmp(s->data[6], "{}") == 0);
    int pongs = 0;
    for (int i = 0; i < w.client.n; i++) pongs += w.client.kind[i] == EVK_NET_PONG;
    ck_assert_int_eq(pongs, 1);
    evk_loop_free(w.loop);
}
END_TEST

START_TEST(close_code_and_reason_reach_the_peer)
{
    world w;
    int port = setup(&w);
    evk_conn *c = connect_to(&w, port, "/", NULL, 0);
    w.on_server_data = close_4001;
    evk_conn_send(c, "x", 1, EVK_F_WHOLE);
    run(&w);
    rec *r = &w.client;
    int at = -1;
    for (int i = 0; i < r->n; i++)
        if (r->kind[i] == EVK_NET_PEER_CLOSE) at = i;
    ck_assert_int_ge(at, 0);
    ck_assert_int_eq(r->code[at], 4001);
    ck_assert_str_eq(r->data[at], "bad");
    ck_assert(r->done && r->peer_closed);
    ck_assert(w.server.done && w.server.we_closed);
    evk_loop_free(w.loop);
}
END_TEST

static void drop_it(world *w, const evk_net_event *ev)
{
    (void)ev;
    evk_conn_drop(w->sc);
}

START_TEST(drop_is_seen_without_close_frame)
{
    world w;
    int port = setup(&w);
    evk_conn *c = connect_to(&w, port, "/", NULL, 0);
    w.on_server_data = drop_it;
    evk_conn_send(c, "x", 1, EVK_F_WHOLE);
    run(&w);
    ck_assert(w.client.done);
    ck_assert_msg(!w.client.peer_closed, "a dropped connection must not look like a close frame");
    for (int i = 0; i < w.client.n; i++) ck_assert_int_ne(w.client.kind[i], EVK_NET_PEER_CLOSE);
    evk_loop_free(w.loop);
}
END_TEST

START_TEST(refused_upgrade_reports_the_status)
{
    world w;
    int port = setup(&w);
    w.refuse = 409;
    connect_to(&w, port, "/", NULL, 0);
    w.sc = NULL;
    run(&w);
    ck_assert(w.client.done);
    ck_assert_int_eq(w.client.kind[0], EVK_NET_ERROR);
    ck_assert_int_eq(w.client.http_status, 409);
    evk_loop_free(w.loop);
}
END_TEST

START_TEST(connection_refused)
{
    world w;
    setup(&w);
    /* A port nobody listens on: bind one, learn it, and never accept. */
    connect_to(&w, 1, "/", NULL, 0);
    w.sc = NULL;
    uint64_t t0 = evk_clock_ms();
    run(&w);
    ck_assert(w.client.done);
    ck_assert_int_eq(w.client.kind[0], EVK_NET_ERROR);
    ck_assert_msg(evk_clock_ms() - t0 < 5000, "took %llu ms", (unsigned long long)(evk_clock_ms() - t0));
    ck_assert(strlen(w.client.error) > 0);
    evk_loop_free(w.loop);
}
END_TEST

START_TEST(large_message_in_fragments)
{
    world w;
    int port = setup(&w);
    evk_conn *c = connect_to(&w, port, "/", NULL, 0);
    size_t n = 300000;
    char *big = malloc(n);
    memset(big, 'a', n);
    evk_conn_send(c, big, n, EVK_F_WHOLE);
    free(big);
    w.on_server_data = close_4001;
    run(&w);
    ck_assert_uint_eq(w.server.total, n);
    int first = 0, final = 0;
    for (int i = 0; i < w.server.n; i++) {
        if (w.server.kind[i] != EVK_NET_DATA) continue;
        first += !!(w.server.flags[i] & EVK_F_FIRST);
        final += !!(w.server.flags[i] & EVK_F_FINAL);
    }
    ck_assert_int_eq(first, 1);
    ck_assert_int_eq(final, 1);
    evk_loop_free(w.loop);
}
END_TEST

START_TEST(bad_urls_and_headers)
{
    world w;
    setup(&w);
    char err[200];
    static const struct { const char *url, *want; } bad[] = {
        {"http://x/", "must start with ws:// or wss://"},
        {"ws://", "no host"},
        {"ws://h:0/", "bad port"},
        {"ws://h:99999/", "bad port"},
        {"ws://h:12x/", "bad port"},
        {"ws://[::1/", "unclosed"},
        {"ws://h/a b", "space"},
    };
    for (size_t i = 0; i < EVK_COUNTOF(bad); i++) {
        ck_assert_ptr_null(evk_connect(w.loop, bad[i].url, NULL, 0, on_client, &w, err, sizeof err));
        ck_assert_msg(strstr(err, bad[i].want) != NULL, "%s: %s", bad[i].url, err);
    }
    const char *hdr[] = {"NoColonHere s3cret"};
    ck_assert_ptr_null(evk_connect(w.loop, "ws://127.0.0.1:1/", hdr, 1, on_client, &w, err, sizeof err));
    ck_assert_msg(strstr(err, "s3cret") == NULL, "a header value leaked into an error: %s", err);
    evk_loop_free(w.loop);
}
END_TEST

static Suite *net_suite(void)
{
    Suite *s = suite_create("net");
    TCase *tc = tcase_create("loopback");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, messages_fragments_binary_ping);
    tcase_add_test(tc, close_code_and_reason_reach_the_peer);
    tcase_add_test(tc, drop_is_seen_without_close_frame);
    tcase_add_test(tc, refused_upgrade_reports_the_status);
    tcase_add_test(tc, connection_refused);
    tcase_add_test(tc, large_message_in_fragments);
    tcase_add_test(tc, bad_urls_and_headers);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(net_suite)
