/* evk_ref.c - the correct reference peers (evk_ref.h): a server and a
 * client, each a shell around evk_session over evk_net.
 *
 * Phases of one connection, in file order:
 *   output   carry out what the session asks (send, close), through the
 *            fault hooks of evk_ref_hooks.h (the correct peer asks them
 *            "what do I change here?" and obeys; with no fault: nothing)
 *   time     deadline ticks, paced Acks (evk_ref_pace.h: --ack-delay,
 *            --ack-delay-random, --ack-batch), delayed sends, its own pings
 *   input    reassemble frames (checking UTF-8 first with --utf8-first),
 *            hand complete messages to the session, answer a trigger with
 *            Events of its own, a client's Events
 *   peers    per-connection state, the connection callback
 *   server   the HTTP upgrade decision (evk_upgrade.h), listening
 *   client   connecting, reporting how it ended
 * Faults live in evk_ref_faults.c and act only through the services below.
 */
#include "evk_ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_err.h"
#include "evk_json.h"
#include "evk_msgbuf.h"
#include "evk_ref_hooks.h"
#include "evk_ref_pace.h"
#include "evk_session.h"
#include "evk_upgrade.h"
#include "evk_validate.h"

#define MAX_TRIGGER 1000

typedef struct delayed {
    char *text;
    size_t len;
    uint64_t due;
} delayed;

typedef struct evk_ref_peer peer;

struct evk_ref_server {
    evk_loop *loop;
    evk_ref_opts o;
    peer *peers;
    int token_open; /* open connections holding the token */
};

struct evk_ref_client {
    peer *p;
    bool done, keep_loop;
    char how[200];
};

struct evk_ref_peer {
    evk_ref_opts o;
    evk_role role;
    evk_loop *loop;
    evk_conn *conn;
    evk_session *s;
    evk_rf *rf; /* the fault's hooks (no fault: they change nothing) */
    evk_timer *tick, *later, *acker, *closer, *pinger;
    evk_pace_opts pacing;
    evk_pace *pace; /* Acks owed, when the peer paces them */
    bool pace_checked;
    delayed *queue;
    size_t nqueue, capqueue;
    struct { int code; char reason[EVK_REASON_MAX]; } late_close; /* a close a hook delayed */
    /* Reassembly of the message being received. */
    evk_msgbuf in;
    bool binary, too_big, skip_binary;
    unsigned pieces;
    struct { unsigned need; unsigned char lo, hi; } u8; /* --utf8-first, across fragments */
    bool first_send_done, client_events_sent, holds_token;
    /* Owner. */
    evk_ref_server *srv;
    peer *prev, *next;
    evk_ref_client *cli;
};

static const char *log_prefix(const peer *p)
{
    return p->role == EVK_ROLE_SERVER ? "ref server" : "ref client";
}

static uint64_t now_ms(void)
{
    return evk_clock_ms();
}

/* ---- output --------------------------------------------------------- */

/* A text message, in fragment_own fragments when asked (the last ones
 * empty when the text is shorter than that). */
static void send_text(peer *p, const char *text, size_t len)
{
    unsigned k = p->o.fragment_own;
    if (!p->conn) return;
    if (k <= 1) {
        evk_conn_send(p->conn, text, len, EVK_F_WHOLE);
        return;
    }
    for (unsigned i = 0; i < k; i++) {
        size_t from = len * i / k, to = len * (i + 1) / k;
        unsigned flags = (i == 0 ? EVK_F_FIRST : 0) | (i + 1 == k ? EVK_F_FINAL : 0);
        evk_conn_send(p->conn, text + from, to - from, flags);
    }
}

static void close_conn(peer *p, int code, const char *reason)
{
    if (!p->conn) return;
    if (p->o.close_reason) reason = p->o.close_reason;
    if (p->o.verbose) fprintf(stderr, "%s: closing %d %s\n", log_prefix(p), code, reason);
    evk_conn_close(p->conn, code, reason);
}

static void schedule_later(peer *p);

/* Services for the fault hooks (evk_ref_hooks.h). */
evk_session *evk_ref_session(evk_ref_peer *p) { return p->s; }
evk_role evk_ref_role(const evk_ref_peer *p) { return p->role; }
const evk_profile *evk_ref_profile(const evk_ref_peer *p) { return p->o.profile; }
void evk_ref_send_raw(evk_ref_peer *p, const char *text, size_t len) { send_text(p, text, len); }

void evk_ref_send_at(evk_ref_peer *p, const char *text, size_t len, uint64_t due_ms)
{
    if (p->nqueue == p->capqueue) {
        size_t cap = p->capqueue ? p->capqueue * 2 : 8;
        delayed *q = realloc(p->queue, cap * sizeof *q);
        if (!q) return;
        p->queue = q;
        p->capqueue = cap;
    }
    char *t = malloc(len);
    if (!t) return;
    memcpy(t, text, len);
    p->queue[p->nqueue++] = (delayed){t, len, due_ms};
    schedule_later(p);
}

void evk_ref_close_for(evk_ref_peer *p, evk_violation v, const char *reason)
{
    int code = evk_profile_send_code(p->o.profile, v);
    evk_session_close(p->s, code, reason, now_ms());
    evk_action a;
    while (evk_session_pop(p->s, &a)) {
    }
    close_conn(p, code, reason);
}

void evk_ref_drop(evk_ref_peer *p)
{
    if (p->conn) evk_conn_drop(p->conn);
}

void evk_ref_say(const evk_ref_peer *p, bool always, const char *what)
{
    if (always || p->o.verbose) fprintf(stderr, "%s: %s\n", log_prefix(p), what);
}

static void send_ack(peer *p, const evk_action *a)
{
    switch (evk_rf_on_ack(p->rf, p, a)) {
    case EVK_RF_TWICE:
        send_text(p, a->text, a->len);
        /* fall through */
    case EVK_RF_SEND:
        send_text(p, a->text, a->len);
        break;
    case EVK_RF_DONE:
        break;
    }
}

/* The first message of a server: its handshake Event. */
static void send_handshake(peer *p, const evk_action *a)
{
    if (evk_rf_on_handshake(p->rf, p, a) == EVK_RF_SEND) send_text(p, a->text, a->len);
}

static void send_close(peer *p, const evk_action *a)
{
    int code = a->code;
    uint64_t delay = 0;
    if (a->violation != EVK_V_NONE && evk_rf_on_close(p->rf, p, a, &code, &delay) == EVK_RF_DONE) return;
    if (delay == 0) {
        close_conn(p, code, a->reason);
        return;
    }
    p->late_close.code = code;
    snprintf(p->late_close.reason, sizeof p->late_close.reason, "%s", a->reason);
    evk_timer_at(p->closer, now_ms() + delay);
}

static void on_closer(evk_timer *t, void *user)
{
    (void)t;
    peer *p = user;
    close_conn(p, p->late_close.code, p->late_close.reason);
}

static void schedule_tick(peer *p);

/* Carry out what the session asked for. */
static void drain(peer *p)
{
    evk_action a;
    while (evk_session_pop(p->s, &a)) {
        if (a.kind == EVK_A_CLOSE) {
            send_close(p, &a);
            continue;
        }
        if (a.msg == EVK_MSG_ACK) {
            send_ack(p, &a);
        } else {
            evk_rf_on_event_out(p->rf, &a.id);
            if (p->role == EVK_ROLE_SERVER && !p->first_send_done) send_handshake(p, &a);
            else send_text(p, a.text, a.len);
        }
        p->first_send_done = true;
    }
    schedule_tick(p);
}

/* ---- time ----------------------------------------------------------- */

static void on_tick(evk_timer *t, void *user)
{
    (void)t;
    peer *p = user;
    int64_t skew;
    evk_rf_clock(p->rf, evk_session_limit_ms(p->s), &skew);
    int64_t at = (int64_t)now_ms() + skew;
    evk_session_on_tick(p->s, at < 0 ? 0 : (uint64_t)at);
    drain(p);
}

static void schedule_tick(peer *p)
{
    uint64_t at;
    int64_t skew;
    if (!evk_rf_clock(p->rf, evk_session_limit_ms(p->s), &skew) || !evk_session_next_deadline(p->s, &at)) {
        evk_timer_cancel(p->tick);
        return;
    }
    int64_t when = (int64_t)at - skew;
    evk_timer_at(p->tick, when < 0 ? 0 : (uint64_t)when);
}

static void client_send_events(peer *p);

/* Paced Acks: ack what is due, then sleep until the next one. */
static void on_acker(evk_timer *t, void *user)
{
    peer *p = user;
    uint64_t now = now_ms(), at;
    if (evk_session_state(p->s) == EVK_S_CLOSED) evk_pace_clear(p->pace); /* no Acks after a violation */
    size_t n = evk_pace_owed(p->pace);
    evk_uuid *ids = n ? malloc(n * sizeof *ids) : NULL;
    n = ids ? evk_pace_take(p->pace, now, ids, n) : 0;
    for (size_t i = 0; i < n; i++) evk_session_ack(p->s, &ids[i], now); /* ENOTFOUND after a close: fine */
    free(ids);
    drain(p);
    client_send_events(p); /* a client's own Events follow its (late) handshake Ack */
    drain(p);
    if (evk_pace_next(p->pace, now, &at)) evk_timer_at(t, at);
}

/* A valid Event came: its Ack is owed. A client learns the limit from the
 * handshake; pacing that could miss it is refused there (the server
 * refuses it when it starts). */
static void owe_ack(peer *p, const evk_uuid *id)
{
    uint64_t now = now_ms(), limit = evk_session_limit_ms(p->s), at;
    char err[200];
    if (!p->pace_checked) {
        p->pace_checked = true;
        if (evk_pace_check(&p->pacing, limit, err, sizeof err) < 0) {
            evk_ref_say(p, true, err);
            evk_session_close(p->s, EVK_CLOSE_NORMAL, "ack pacing not below the declared limit", now);
            return;
        }
    }
    evk_pace_owe(p->pace, id, now, limit);
    if (evk_pace_next(p->pace, now, &at)) evk_timer_at(p->acker, at);
}

static void on_pinger(evk_timer *t, void *user)
{
    peer *p = user;
    if (!p->conn || evk_session_state(p->s) == EVK_S_CLOSED) return;
    evk_conn_ping(p->conn, "evack-ref", 9);
    evk_timer_at(t, now_ms() + p->o.ping_every_ms);
}

static void on_later(evk_timer *t, void *user)
{
    (void)t;
    peer *p = user;
    uint64_t now = now_ms();
    size_t keep = 0;
    for (size_t i = 0; i < p->nqueue; i++) {
        if (p->queue[i].due <= now) {
            if (evk_session_state(p->s) != EVK_S_CLOSED) send_text(p, p->queue[i].text, p->queue[i].len);
            free(p->queue[i].text);
        } else {
            p->queue[keep++] = p->queue[i];
        }
    }
    p->nqueue = keep;
    schedule_later(p);
}

static void schedule_later(peer *p)
{
    uint64_t first = UINT64_MAX;
    for (size_t i = 0; i < p->nqueue; i++)
        if (p->queue[i].due < first) first = p->queue[i].due;
    if (first != UINT64_MAX) evk_timer_at(p->later, first);
}

/* ---- input ---------------------------------------------------------- */

static void emit_triggered(peer *p, const char *text, size_t len)
{
    uint64_t k;
    const evk_profile *pr = p->o.profile;
    if (!pr->has_trigger || evk_json_uint_at(text, len, pr->trigger_pointer, &k) < 0 || k == 0) return;
    if (k > MAX_TRIGGER) k = MAX_TRIGGER;
    for (uint64_t i = 0; i < k && evk_session_state(p->s) != EVK_S_CLOSED; i++) {
        evk_uuid id;
        char payload[64];
        snprintf(payload, sizeof payload, "{\"seq\":%llu}", (unsigned long long)i);
        if (evk_rf_on_emit(p->rf, p, i, payload)) continue;
        evk_uuid_v4(&id);
        evk_session_send_event(p->s, &id, payload, now_ms());
    }
}

static void client_send_events(peer *p)
{
    if (p->role != EVK_ROLE_CLIENT || p->client_events_sent || evk_session_state(p->s) != EVK_S_MESSAGING)
        return;
    p->client_events_sent = true;
    for (unsigned i = 0; i < p->o.send_events; i++) {
        evk_uuid id;
        char payload[64];
        evk_uuid_v4(&id);
        snprintf(payload, sizeof payload, "{\"seq\":%u}", i);
        evk_session_send_event(p->s, &id, payload, now_ms());
    }
}

/* RFC 3629, a byte at a time across fragments, as a WebSocket layer that
 * validates UTF-8 checks each frame when it arrives. */
static bool utf8_ok(peer *p, const unsigned char *b, size_t n, bool final)
{
    for (size_t i = 0; i < n; i++) {
        unsigned c = b[i];
        if (p->u8.need) {
            if (c < p->u8.lo || c > p->u8.hi) return false;
            p->u8.need--;
            p->u8.lo = 0x80, p->u8.hi = 0xBF;
            continue;
        }
        if (c < 0x80) continue;
        p->u8.lo = 0x80, p->u8.hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) p->u8.need = 1;
        else if (c >= 0xE0 && c <= 0xEF) p->u8.need = 2;
        else if (c >= 0xF0 && c <= 0xF4) p->u8.need = 3;
        else return false;
        if (c == 0xE0) p->u8.lo = 0xA0;       /* no overlong forms */
        else if (c == 0xED) p->u8.hi = 0x9F;  /* no surrogates */
        else if (c == 0xF0) p->u8.lo = 0x90;
        else if (c == 0xF4) p->u8.hi = 0x8F;  /* nothing above U+10FFFF */
    }
    return !final || p->u8.need == 0;
}

/* A complete text message. */
static void on_message(peer *p, const char *text, size_t len)
{
    char *owned = NULL;
    if (evk_rf_on_message(p->rf, p, &text, &len, p->pieces, &owned) == EVK_RF_PASS) {
        evk_session_on_data(p->s, text, len, EVK_F_WHOLE, now_ms());
        const evk_message *m = evk_session_last_message(p->s);
        bool valid_event = m->kind == EVK_MSG_EVENT && m->violation == EVK_V_NONE &&
                           evk_session_state(p->s) != EVK_S_CLOSED;
        if (valid_event && p->pace && evk_session_owes_ack(p->s, &m->id)) owe_ack(p, &m->id);
        drain(p);
        if (valid_event && p->role == EVK_ROLE_SERVER) {
            emit_triggered(p, text, len);
            drain(p);
        }
        client_send_events(p);
        drain(p);
    }
    free(owned);
}

static void on_piece(peer *p, const evk_net_event *ev)
{
    unsigned flags = ev->flags;
    if (flags & EVK_F_FIRST) {
        evk_msgbuf_reset(&p->in);
        p->pieces = 0;
        p->too_big = false;
        p->binary = flags & EVK_F_BINARY;
        p->skip_binary = false;
        if (p->binary) {
            evk_rf_in r = evk_rf_on_binary(p->rf, ev->len, flags);
            p->binary = r != EVK_RF_AS_TEXT;
            p->skip_binary = r == EVK_RF_IGNORE;
        }
    }
    p->pieces++;
    if (evk_session_state(p->s) == EVK_S_CLOSED) return;
    if (p->binary) {
        if (!(flags & EVK_F_FIRST) || p->skip_binary) return;
        evk_session_on_data(p->s, ev->data, ev->len, EVK_F_FIRST | EVK_F_BINARY, now_ms());
        drain(p);
        return;
    }
    if (p->o.utf8_first) {
        if (flags & EVK_F_FIRST) p->u8.need = 0;
        if (!utf8_ok(p, ev->data, ev->len, flags & EVK_F_FINAL)) {
            /* The WebSocket layer refuses it before the application sees
             * anything more: pending Acks are dropped with the session. */
            if (p->pace) evk_pace_clear(p->pace);
            evk_session_close(p->s, 1007, "invalid UTF-8", now_ms());
            drain(p);
            return;
        }
    }
    p->in.max = p->o.max_message ? p->o.max_message : (4u << 20);
    int rc = p->too_big ? EVK_ETOOBIG : evk_msgbuf_add(&p->in, ev->data, ev->len);
    if (rc == EVK_ETOOBIG && !p->too_big) {
        p->too_big = true;
        char reason[80];
        snprintf(reason, sizeof reason, "message larger than %zu bytes", p->in.max);
        evk_session_close(p->s, EVK_CLOSE_TOO_BIG, reason, now_ms());
        drain(p);
        return;
    }
    if (rc < 0 || !(flags & EVK_F_FINAL)) return;
    on_message(p, p->in.data ? p->in.data : "", p->in.len);
    evk_msgbuf_done(&p->in);
}

/* ---- peers ---------------------------------------------------------- */

static void peer_free(peer *p)
{
    if (!p) return;
    evk_session_free(p->s);
    evk_rf_free(p->rf);
    evk_timer_free(p->tick);
    evk_timer_free(p->later);
    evk_timer_free(p->acker);
    evk_timer_free(p->closer);
    evk_timer_free(p->pinger);
    evk_pace_free(p->pace);
    for (size_t i = 0; i < p->nqueue; i++) free(p->queue[i].text);
    free(p->queue);
    evk_msgbuf_free(&p->in);
    free(p);
}

static peer *peer_new(evk_loop *l, const evk_ref_opts *o, evk_role role, uint64_t limit)
{
    peer *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->o = *o;
    p->role = role;
    p->loop = l;
    p->pacing = (evk_pace_opts){.delay_ms = o->ack_delay_ms, .random_max_ms = o->ack_delay_random_ms,
                                .batch = o->ack_batch};
    bool paced = evk_pace_active(&p->pacing);
    evk_session_config c = {.role = role, .profile = o->profile, .ack_limit_ms = limit,
                            .dup_keys = o->dup_keys, .max_message = o->max_message,
                            .seed = evk_random_u64(), .manual_ack = paced,
                            .wall_base_us = evk_wall_us() - (int64_t)now_ms() * 1000};
    p->s = evk_session_new(&c);
    p->rf = evk_rf_new(o->fault);
    p->pace = paced ? evk_pace_new(&p->pacing, evk_random_u64()) : NULL;
    p->tick = evk_timer_new(l, on_tick, p);
    p->later = evk_timer_new(l, on_later, p);
    p->acker = evk_timer_new(l, on_acker, p);
    p->closer = evk_timer_new(l, on_closer, p);
    p->pinger = evk_timer_new(l, on_pinger, p);
    if (!p->s || !p->rf || (paced && !p->pace) || !p->tick || !p->later || !p->acker || !p->closer ||
        !p->pinger) {
        peer_free(p);
        return NULL;
    }
    return p;
}

static void server_unlink(peer *p)
{
    evk_ref_server *s = p->srv;
    if (!s) return;
    if (p->prev) p->prev->next = p->next;
    else if (s->peers == p) s->peers = p->next;
    if (p->next) p->next->prev = p->prev;
    if (p->holds_token) s->token_open--;
}

static void on_conn(evk_conn *c, const evk_net_event *ev, void *user)
{
    peer *p = user;
    switch (ev->kind) {
    case EVK_NET_OPEN:
        p->conn = c;
        if (p->o.verbose) fprintf(stderr, "%s: connected\n", log_prefix(p));
        if (p->role == EVK_ROLE_SERVER) {
            evk_uuid hs;
            evk_uuid_v4(&hs);
            evk_session_start(p->s, &hs, now_ms());
        } else {
            evk_session_start(p->s, NULL, now_ms());
            client_send_events(p); /* without a handshake phase: at once */
        }
        if (!evk_rf_answers_pings(p->rf)) evk_conn_ignore_pings(c);
        if (p->o.ping_every_ms) evk_timer_at(p->pinger, now_ms() + p->o.ping_every_ms);
        drain(p);
        break;
    case EVK_NET_DATA:
        on_piece(p, ev);
        break;
    case EVK_NET_PEER_CLOSE:
        if (p->o.verbose) fprintf(stderr, "%s: peer closed with %d\n", log_prefix(p), ev->code);
        evk_session_on_peer_close(p->s, ev->code, now_ms());
        if (p->cli)
            snprintf(p->cli->how, sizeof p->cli->how, "the server closed with %d %.*s", ev->code,
                     (int)(ev->reason_len > 100 ? 100 : ev->reason_len), ev->reason ? ev->reason : "");
        break;
    case EVK_NET_CLOSED:
    case EVK_NET_ERROR:
        p->conn = NULL;
        if (p->cli) {
            evk_ref_client *cl = p->cli;
            if (ev->kind == EVK_NET_ERROR)
                snprintf(cl->how, sizeof cl->how, "cannot connect: %s", ev->error);
            else if (!cl->how[0])
                snprintf(cl->how, sizeof cl->how, "%s", ev->peer_closed ? "closed" : "the connection dropped");
            cl->done = true;
            if (!cl->keep_loop) evk_loop_stop(p->loop);
        } else {
            server_unlink(p);
            peer_free(p);
        }
        break;
    default:
        break;
    }
}

/* ---- server --------------------------------------------------------- */

/* PROTOCOL.md §5 with a token: 0 to let the upgrade in (*holds: it holds the
 * token), else the HTTP status that refuses it. A fault may let in what a
 * correct server refuses. */
static int upgrade_status(const evk_ref_server *s, const evk_accept_info *info, bool *holds)
{
    const char *a = info->authorization;
    evk_fault f = s->o.fault;
    *holds = false;
    if (!s->o.token) return 0;
    if (!a || strncmp(a, "Bearer ", 7) != 0 || a[7] == '\0')
        return evk_rf_upgrade_lets_in(f, EVK_UPGRADE_NO_TOKEN, info) ? 0 : evk_upgrade_status(EVK_UPGRADE_NO_TOKEN);
    if (strcmp(a + 7, s->o.token) != 0 && !evk_rf_upgrade_lets_in(f, EVK_UPGRADE_BAD_TOKEN, info))
        return evk_upgrade_status(EVK_UPGRADE_BAD_TOKEN);
    if (s->token_open > 0 && !evk_rf_upgrade_lets_in(f, EVK_UPGRADE_SECOND, info))
        return evk_upgrade_status(EVK_UPGRADE_SECOND);
    *holds = true;
    return 0;
}

static int on_accept(const evk_accept_info *info, void *user, evk_conn_cb *cb, void **cuser)
{
    evk_ref_server *s = user;
    bool holds;
    int status = upgrade_status(s, info, &holds);
    if (status) return status;
    peer *p = peer_new(s->loop, &s->o, EVK_ROLE_SERVER, s->o.ack_limit_ms);
    if (!p) return 500;
    p->srv = s;
    p->holds_token = holds;
    if (holds) s->token_open++;
    p->next = s->peers;
    if (s->peers) s->peers->prev = p;
    s->peers = p;
    *cb = on_conn;
    *cuser = p;
    return 0;
}

evk_ref_server *evk_ref_server_new(evk_loop *l, const evk_ref_opts *o, const char *host, int port,
                                   int *bound_port, char *err, size_t errcap)
{
    if (!o->profile || o->ack_limit_ms == 0) {
        snprintf(err, errcap, "the reference server needs a profile and an ack limit > 0");
        return NULL;
    }
    evk_pace_opts pacing = {.delay_ms = o->ack_delay_ms, .random_max_ms = o->ack_delay_random_ms};
    if (evk_pace_check(&pacing, o->ack_limit_ms, err, errcap) < 0) return NULL;
    if (o->close_reason && strlen(o->close_reason) > 123) {
        snprintf(err, errcap, "a close reason is at most 123 bytes (got %zu)", strlen(o->close_reason));
        return NULL;
    }
    evk_ref_server *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->loop = l;
    s->o = *o;
    if (evk_listen(l, host, port, on_accept, s, bound_port, err, errcap) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

void evk_ref_server_free(evk_ref_server *s)
{
    if (!s) return;
    /* Peers of a live loop: detach them; the loop frees their connections. */
    while (s->peers) {
        peer *p = s->peers;
        s->peers = p->next;
        if (p->conn) evk_conn_detach(p->conn);
        peer_free(p);
    }
    free(s);
}

/* ---- client --------------------------------------------------------- */

evk_ref_client *evk_ref_client_new(evk_loop *l, const evk_ref_opts *o, const char *url,
                                   bool keep_loop, char *err, size_t errcap)
{
    evk_ref_client *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->keep_loop = keep_loop;
    c->p = peer_new(l, o, EVK_ROLE_CLIENT, 0);
    if (!c->p) {
        free(c);
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    c->p->cli = c;
    c->p->conn = evk_connect(l, url, NULL, 0, on_conn, c->p, err, errcap);
    if (!c->p->conn) {
        peer_free(c->p);
        free(c);
        return NULL;
    }
    return c;
}

bool evk_ref_client_done(const evk_ref_client *c, char *how, size_t cap)
{
    if (how && cap) snprintf(how, cap, "%s", c->how);
    return c->done;
}

void evk_ref_client_free(evk_ref_client *c)
{
    if (!c) return;
    if (c->p && c->p->conn) evk_conn_detach(c->p->conn);
    peer_free(c->p);
    free(c);
}
