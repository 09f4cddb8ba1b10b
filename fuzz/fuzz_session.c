/* fuzz_session: one evk_session fed frames, clock ticks and application
 * calls, against a reference model of PROTOCOL.md written here.
 *
 * Input: data[0] picks the role, profile, manual_ack, max_message and
 * max_unacked; data[1] the server's ack limit; then operations: raw bytes as
 * whole or fragmented text/binary frames, valid Event/Ack templates (with
 * ids from a small pool, so Acks can name real Events and Events can repeat
 * ids) whole, fragmented or with one byte edited, handshake Events with
 * good and bad policies (or a real server session's own handshake, for a
 * client), ticks (also exactly at, and just before, the next deadline), the
 * application sending and acking Events, closes from either side.
 *
 * After every operation the actions the session emits must be exactly the
 * ones the model predicts, so in particular:
 *  - every valid Event is acked exactly once (at once, or when the
 *    application acks it) unless the session closed first;
 *  - nothing is emitted after a close, and every later call is refused;
 *  - a violation closes with evk_validate's code for that message, the
 *    handshake-policy code, or the profile's flow-rule code (duplicate id,
 *    unknown Ack, early message, fatal status); ack_timeout for a deadline;
 *    1009 for a message over max_message, 1008 for too many unacked Events;
 *  - a deadline close never comes before the deadline (now >= sent + limit),
 *    and always comes on the first tick at or after it;
 *  - what the session sends is valid under its profile and names the id
 *    it says; its handshake declares its limit;
 * and its accessors (state, limit, next deadline, unacked counts, owed and
 * awaited ids) agree with the model.
 */
#include <stdbool.h>
#include <string.h>

#include "evk_compose.h"
#include "evk_err.h"
#include "evk_session.h"
#include "evk_validate.h"
#include "fuzz_util.h"

#define MAX_OPS 512
#define MAX_IDS (MAX_OPS + 8)
#define POOL 8

static const char *const pool_text[POOL] = {
    "0b8f3e52-6a1d-4c7e-9f2a-3d5e7c9b1a20", "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5",
    "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-4fff-bfff-ffffffffffff",
    "12345678-9abc-4def-8123-456789abcdef", "deadbeef-dead-4eef-9ead-beefdeadbeef",
    "a0a0a0a0-b1b1-4c2c-8d3d-e4e4e4e4e4e4", "7f000001-0000-4000-8000-00000000ffff",
};

/* Message templates: $I the id, $T the timestamp, $P a policy value. */
static const char *const templates[] = {
    "{\"type\":\"event\",\"id\":\"$I\",\"sent_at\":\"$T\"}",
    "{\"type\":\"event\",\"id\":\"$I\",\"sent_at\":\"$T\",\"status\":\"ok\",\"payload\":{}}",
    "{\"type\":\"event\",\"id\":\"$I\",\"sent_at\":\"$T\",\"status\":\"error\",\"payload\":{\"k\":[1,2]},\"reason\":\"r\"}",
    "{\"type\":\"event\",\"id\":\"$I\",\"sent_at\":\"$T\",\"status\":\"fatal\",\"payload\":{}}",
    "{\"type\":\"ack\",\"id\":\"$I\",\"sent_at\":\"$T\"}",
    "{\"type\":\"event\",\"id\":\"$I\",\"sent_at\":\"$T\",\"status\":\"ok\",\"payload\":{\"ack_timeout\":$P}}",
    "{\"sent_at\":\"$T\",\"extra\":[null,{}],\"id\":\"$I\",\"type\":\"ack\"}",
    "{\"type\":\"event\",\"payload\":{\"ack_timeout\":$P,\"emit\":2},\"status\":\"ok\",\"sent_at\":\"$T\",\"id\":\"$I\"}",
    " {\"type\" : \"event\", \"id\" : \"$I\", \"sent_at\" : \"$T\", \"status\" : \"ok\", \"payload\" : {} } ",
    "{\"type\":\"event\",\"id\":\"$I\",\"sent_at\":\"$T\",\"status\":\"ok\",\"payload\":{\"ack_timeout\":$P}}",
};
#define NTEMPLATES (sizeof templates / sizeof templates[0])
static const char *const stamps[] = {
    "2026-01-05T15:34:02.123456+0000", "2026-01-05T15:34:02.1Z", "2026-01-05T15:34:02+01:00",
    "2026-02-30T15:34:02.123456+0000",
};
static const char *const policies[] = {
    "1", "0.25", "0.001", "2.5e1", "0.0001", "1e999", "0", "-1", "\"1\"", "null", "{}", "3",
};
static const char *const payloads[] = {NULL, "{}", "{\"emit\":1}", "[]", "{", "{\"a\":\"\\u00e9\"}"};

typedef struct out_event {
    evk_uuid id;
    uint64_t deadline;
} out_event;

/* The reference model's view of the connection. */
typedef struct model {
    evk_role role;
    const evk_profile *p;
    bool manual;
    size_t max_unacked, max_message;
    evk_state state;
    bool have_hs;
    evk_uuid hs_id;
    uint64_t limit, now;
    out_event out[MAX_IDS]; /* our Events awaiting an Ack, in send order */
    size_t nout;
    evk_uuid owed[MAX_IDS]; /* the peer's Events we must still ack (manual_ack) */
    size_t nowed;
    bool in_msg; /* reassembly, kept here too: the model judges whole messages */
    char *buf;
    size_t len, cap;
    uint64_t events_accepted, acks_sent; /* the exactly-once count */
    uint64_t events_sent;
} model;

/* What the session must do in reaction to one input. */
typedef struct expect {
    enum { X_NONE, X_ACK, X_EVENT, X_CLOSE } kind;
    evk_uuid id;
    int code;
    evk_violation v;
    bool handshake;
} expect;

static model M;

static evk_uuid pool_id(unsigned k)
{
    evk_uuid u;
    if (evk_uuid_parse(pool_text[k % POOL], EVK_UUID_STRLEN, &u) != 0) abort();
    return u;
}

static long find_out(const evk_uuid *id)
{
    for (size_t i = 0; i < M.nout; i++)
        if (evk_uuid_equal(&M.out[i].id, id)) return (long)i;
    return -1;
}

static long find_owed(const evk_uuid *id)
{
    for (size_t i = 0; i < M.nowed; i++)
        if (evk_uuid_equal(&M.owed[i], id)) return (long)i;
    return -1;
}

static void remove_out(size_t i)
{
    memmove(&M.out[i], &M.out[i + 1], (M.nout - i - 1) * sizeof M.out[0]);
    M.nout--;
}

static void remove_owed(size_t i)
{
    memmove(&M.owed[i], &M.owed[i + 1], (M.nowed - i - 1) * sizeof M.owed[0]);
    M.nowed--;
}

static expect close_for(int code, evk_violation v)
{
    M.state = EVK_S_CLOSED;
    M.in_msg = false;
    return (expect){.kind = X_CLOSE, .code = code, .v = v};
}

static expect violation(evk_violation v)
{
    return close_for(evk_profile_send_code(M.p, v), v);
}

static void add_out(const evk_uuid *id)
{
    M.out[M.nout].id = *id;
    M.out[M.nout].deadline = M.now + M.limit < M.now ? UINT64_MAX : M.now + M.limit;
    M.nout++;
    M.events_sent++;
}

/* PROTOCOL.md §3: an Event the peer sent that passed the validator. */
static expect model_event(const evk_message *m, bool fatal)
{
    if (find_owed(&m->id) >= 0) return violation(EVK_V_DUPLICATE_ID);
    if (fatal) return violation(EVK_V_FATAL_STATUS);
    M.events_accepted++;
    if (!M.manual) {
        M.acks_sent++;
        return (expect){.kind = X_ACK, .id = m->id};
    }
    if (M.nowed >= M.max_unacked) {
        M.events_accepted--;
        return close_for(EVK_CLOSE_POLICY, EVK_V_NONE);
    }
    M.owed[M.nowed++] = m->id;
    return (expect){.kind = X_NONE};
}

/* One complete text message, as PROTOCOL.md §1-§3 and decisions.md read it. */
static expect model_message(const char *text, size_t len)
{
    evk_message m;
    FZ_CHECK(evk_validate(M.p, text, len, true, &m) == 0, "evk_validate failed");
    if (m.violation != EVK_V_NONE && m.violation != EVK_V_FATAL_STATUS) {
        expect x = violation(m.violation);
        FZ_CHECK(x.code == m.close_code, "the validator's code %d is not the profile's %d", m.close_code, x.code);
        return x;
    }
    bool fatal = m.violation == EVK_V_FATAL_STATUS;
    if (M.role == EVK_ROLE_CLIENT && M.state == EVK_S_HANDSHAKE && !M.have_hs) {
        /* The server's first message must be its handshake Event. */
        if (m.kind == EVK_MSG_ACK) return violation(EVK_V_UNKNOWN_ACK);
        evk_message pol;
        uint64_t limit = 0;
        memset(&pol, 0, sizeof pol);
        evk_validate_policy(M.p, text, len, &limit, &pol);
        if (pol.violation != EVK_V_NONE) return violation(pol.violation);
        M.limit = limit;
        M.have_hs = true;
        M.hs_id = m.id;
        expect x = model_event(&m, fatal);
        if (M.state != EVK_S_CLOSED && !M.manual) M.state = EVK_S_MESSAGING;
        return x;
    }
    if (M.role == EVK_ROLE_SERVER && M.state == EVK_S_HANDSHAKE && m.kind == EVK_MSG_EVENT &&
        M.p->early_message_is_violation)
        return violation(EVK_V_EARLY_MESSAGE);
    if (m.kind == EVK_MSG_EVENT) return model_event(&m, fatal);
    long i = find_out(&m.id);
    if (i < 0) return violation(EVK_V_UNKNOWN_ACK);
    remove_out((size_t)i);
    if (M.role == EVK_ROLE_SERVER && M.state == EVK_S_HANDSHAKE && evk_uuid_equal(&m.id, &M.hs_id))
        M.state = EVK_S_MESSAGING;
    return (expect){.kind = X_NONE};
}

/* A piece of a message (evk_session.h: binary refused on its first piece,
 * text judged when the final piece arrives, 1009 past max_message). */
static expect model_data(const char *data, size_t len, unsigned flags)
{
    if ((flags & EVK_F_FIRST) || !M.in_msg) {
        M.in_msg = true;
        M.len = 0;
        if (flags & EVK_F_BINARY) return violation(EVK_V_NOT_TEXT);
    }
    if (len > M.max_message - M.len) return close_for(EVK_CLOSE_TOO_BIG, EVK_V_NONE);
    if (M.len + len > M.cap) {
        size_t cap = M.cap ? M.cap : 256;
        while (cap < M.len + len) cap *= 2;
        char *b = realloc(M.buf, cap);
        FZ_CHECK(b != NULL, "out of memory");
        M.buf = b;
        M.cap = cap;
    }
    if (len) memcpy(M.buf + M.len, data, len);
    M.len += len;
    if (!(flags & EVK_F_FINAL)) return (expect){.kind = X_NONE};
    M.in_msg = false;
    return model_message(M.buf, M.len);
}

/* Compares one emitted action with what the model expected. */
static void check_one(const evk_action *a, const expect *x, const char *what)
{
    if (x->kind == X_CLOSE) {
        FZ_CHECK(a->kind == EVK_A_CLOSE, "%s: want close %d (%s), got a send: %s", what, x->code,
                 evk_violation_key(x->v), a->text);
        FZ_CHECK(a->code == x->code && a->violation == x->v, "%s: want close %d (%s), got %d (%s): %s",
                 what, x->code, evk_violation_key(x->v), a->code, evk_violation_key(a->violation),
                 a->reason);
        FZ_CHECK(a->reason[0] && strlen(a->reason) <= 123, "%s: close reason empty or too long", what);
        if (x->v != EVK_V_NONE) FZ_CHECK(evk_profile_accepts(M.p, x->v, a->code), "unaccepted code");
        return;
    }
    bool ack = x->kind == X_ACK;
    FZ_CHECK(a->kind == EVK_A_SEND && a->msg == (ack ? EVK_MSG_ACK : EVK_MSG_EVENT),
             "%s: want %s, got %s %d %s", what, ack ? "an Ack" : "an Event",
             a->kind == EVK_A_CLOSE ? "close" : "send", a->code,
             a->kind == EVK_A_CLOSE ? a->reason : a->text);
    FZ_CHECK(evk_uuid_equal(&a->id, &x->id), "%s: the action names another id", what);
    FZ_CHECK(a->len == strlen(a->text), "%s: length %zu of a %zu-byte text", what, a->len,
             strlen(a->text));
    evk_message m;
    evk_validate(M.p, a->text, a->len, true, &m);
    FZ_CHECK(m.violation == EVK_V_NONE && m.kind == a->msg && evk_uuid_equal(&m.id, &x->id),
             "%s: the session sent an invalid message (%s: %s): %s", what,
             evk_violation_key(m.violation), m.reason, a->text);
    if (x->handshake) {
        uint64_t limit = 0;
        memset(&m, 0, sizeof m);
        evk_validate_policy(M.p, a->text, a->len, &limit, &m);
        FZ_CHECK(m.violation == EVK_V_NONE && limit == M.limit,
                 "the handshake declares %llu ms, the server enforces %llu: %s",
                 (unsigned long long)limit, (unsigned long long)M.limit, a->text);
    }
}

/* Expected actions not yet taken: the caller may let actions queue up
 * (M.hold) and take them later, in order. */
static expect pending[MAX_OPS * 4 + 8];
static size_t npending;
static bool hold;

/* Records what one input should cause; unless holding, takes every queued
 * action and compares them, in order, with everything expected so far. */
static void check_actions(evk_session *s, const expect *x, const char *what)
{
    if (x->kind != X_NONE) pending[npending++] = *x;
    if (hold) return;
    evk_action a;
    size_t n = 0;
    while (evk_session_pop(s, &a)) {
        FZ_CHECK(n < npending, "%s: unexpected action #%zu (%s %d %s)", what, n + 1,
                 a.kind == EVK_A_CLOSE ? "close" : "send", a.code,
                 a.kind == EVK_A_CLOSE ? a.reason : a.text);
        check_one(&a, &pending[n++], what);
    }
    FZ_CHECK(n == npending, "%s: want %s, the session did not do it", what,
             pending[n].kind == X_CLOSE ? "a close" : pending[n].kind == X_ACK ? "an Ack" : "an Event");
    npending = 0;
}

static void check_state(evk_session *s)
{
    FZ_CHECK(evk_session_state(s) == M.state, "state %s, model %s", evk_state_name(evk_session_state(s)),
             evk_state_name(M.state));
    const evk_session_stats *st = evk_session_stats_get(s);
    FZ_CHECK(st->acks_out == M.acks_sent && st->events_out == M.events_sent,
             "stats: %llu Acks and %llu Events out, model %llu and %llu", (unsigned long long)st->acks_out,
             (unsigned long long)st->events_out, (unsigned long long)M.acks_sent,
             (unsigned long long)M.events_sent);
    if (M.state == EVK_S_CLOSED) {
        uint64_t at;
        FZ_CHECK(!evk_session_next_deadline(s, &at), "a closed session has a deadline");
        return;
    }
    FZ_CHECK(evk_session_limit_ms(s) == M.limit, "limit %llu, model %llu",
             (unsigned long long)evk_session_limit_ms(s), (unsigned long long)M.limit);
    FZ_CHECK(evk_session_unacked_out(s) == M.nout, "%zu unacked Events, model %zu",
             evk_session_unacked_out(s), M.nout);
    uint64_t at = 0;
    bool has = evk_session_next_deadline(s, &at);
    FZ_CHECK(has == (M.nout > 0) && (!has || at == M.out[0].deadline), "next deadline %d %llu, model %zu %llu",
             has, (unsigned long long)at, M.nout, M.nout ? (unsigned long long)M.out[0].deadline : 0ull);
    for (unsigned k = 0; k < POOL; k++) {
        evk_uuid id = pool_id(k);
        FZ_CHECK(evk_session_awaits_ack(s, &id) == (find_out(&id) >= 0), "awaits_ack disagrees");
        FZ_CHECK(evk_session_owes_ack(s, &id) == (find_owed(&id) >= 0), "owes_ack disagrees");
    }
    evk_uuid hs;
    bool has_hs = evk_session_handshake_id(s, &hs);
    FZ_CHECK(has_hs == M.have_hs && (!has_hs || evk_uuid_equal(&hs, &M.hs_id)), "handshake id");
}

/* Writes template k with pool id idc (bit 3: upper case) into out. */
static size_t render(char *out, size_t cap, uint8_t k, uint8_t idc)
{
    const char *t = templates[k % NTEMPLATES];
    const char *ts = stamps[(k >> 4) & 3];
    const char *pol = policies[(idc >> 4) % (sizeof policies / sizeof policies[0])];
    size_t o = 0;
    for (; *t; t++) {
        const char *sub = NULL;
        char id[EVK_UUID_STRLEN + 1];
        if (t[0] == '$' && t[1] == 'I') {
            memcpy(id, pool_text[idc % POOL], sizeof id);
            if (idc & 8)
                for (char *c = id; *c; c++)
                    if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 'a' + 'A');
            sub = id;
        } else if (t[0] == '$' && t[1] == 'T') {
            sub = ts;
        } else if (t[0] == '$' && t[1] == 'P') {
            sub = pol;
        }
        if (sub) {
            size_t n = strlen(sub);
            if (o + n < cap) memcpy(out + o, sub, n), o += n;
            t++;
        } else if (o + 1 < cap) {
            out[o++] = *t;
        }
    }
    out[o] = '\0';
    return o;
}

static void feed(evk_session *s, const char *data, size_t len, unsigned flags, const char *what)
{
    bool closed = M.state == EVK_S_CLOSED;
    expect x = closed ? (expect){.kind = X_NONE} : model_data(data, len, flags);
    int rc = evk_session_on_data(s, data, len, flags, M.now);
    FZ_CHECK(rc == (closed ? EVK_ECLOSED : 0), "%s: on_data returned %s", what, evk_strerror(rc));
    check_actions(s, &x, what);
}

static void tick(evk_session *s, uint64_t to)
{
    if (to < M.now) to = M.now; /* one monotonic clock */
    M.now = to;
    expect x = {.kind = X_NONE};
    if (M.state != EVK_S_CLOSED && M.nout && M.out[0].deadline <= M.now) {
        FZ_CHECK(M.now >= M.out[0].deadline, "deadline");
        x = violation(EVK_V_ACK_TIMEOUT);
    }
    FZ_CHECK(evk_session_on_tick(s, M.now) == 0, "on_tick failed");
    check_actions(s, &x, "tick");
}

static void app_send(evk_session *s, const evk_uuid *id, const char *payload)
{
    int want;
    if (M.state == EVK_S_CLOSED) want = EVK_ECLOSED;
    /* A server may send once its handshake Event is out; a client only after
     * it acked the handshake (evk_session.h, PROTOCOL.md §1). */
    else if (M.state != EVK_S_MESSAGING && !(M.role == EVK_ROLE_SERVER && M.state == EVK_S_HANDSHAKE))
        want = EVK_ESTATE;
    else if (find_out(id) >= 0) want = EVK_EDUPID;
    else if (payload && payload[0] != '{') want = EVK_EINVAL;
    else if (payload && strcmp(payload, "{") == 0) want = EVK_EINVAL;
    else if (M.nout >= M.max_unacked) want = EVK_EFULL;
    else want = 0;
    int rc = evk_session_send_event(s, id, payload, M.now);
    FZ_CHECK(rc == want, "send_event: %s, model %s", evk_strerror(rc), evk_strerror(want));
    expect x = {.kind = X_NONE};
    if (rc == 0) {
        add_out(id);
        x = (expect){.kind = X_EVENT, .id = *id};
    }
    check_actions(s, &x, "send_event");
}

static void app_ack(evk_session *s, const evk_uuid *id)
{
    long i = M.state == EVK_S_CLOSED ? -1 : find_owed(id);
    int want = M.state == EVK_S_CLOSED ? EVK_ECLOSED : i < 0 ? EVK_ENOTFOUND : 0;
    int rc = evk_session_ack(s, id, M.now);
    FZ_CHECK(rc == want, "ack: %s, model %s", evk_strerror(rc), evk_strerror(want));
    expect x = {.kind = X_NONE};
    if (rc == 0) {
        remove_owed((size_t)i);
        M.acks_sent++;
        if (M.role == EVK_ROLE_CLIENT && M.state == EVK_S_HANDSHAKE && M.have_hs &&
            evk_uuid_equal(id, &M.hs_id))
            M.state = EVK_S_MESSAGING;
        x = (expect){.kind = X_ACK, .id = *id};
    }
    check_actions(s, &x, "ack");
}

/* A real server session's handshake Event, for a client to read. */
static void peer_handshake(evk_session *s, uint8_t limit_code, uint8_t idc)
{
    evk_session_config pc = {.role = EVK_ROLE_SERVER, .profile = M.p,
                             .ack_limit_ms = 1 + (uint64_t)limit_code * 37, .seed = 3};
    evk_session *peer = evk_session_new(&pc);
    FZ_CHECK(peer != NULL, "out of memory");
    evk_uuid hs = pool_id(idc);
    FZ_CHECK(evk_session_start(peer, &hs, 0) == 0, "peer start");
    evk_action a;
    FZ_CHECK(evk_session_pop(peer, &a) && a.kind == EVK_A_SEND, "the peer has no handshake");
    evk_session_free(peer);
    feed(s, a.text, a.len, EVK_F_WHOLE, "peer handshake");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t max_messages[] = {0, 64, 200, 600};
    static const size_t max_unackeds[] = {0, 1, 2, 4};
    fz_bytes in = {data, size, 0};
    uint8_t c0 = fz_u8(&in), c1 = fz_u8(&in);

    free(M.buf);
    memset(&M, 0, sizeof M);
    npending = 0;
    hold = false;
    M.role = c0 & 1 ? EVK_ROLE_CLIENT : EVK_ROLE_SERVER;
    M.p = fz_profile(c0 >> 1 & 1);
    M.manual = c0 >> 2 & 1;
    size_t max_message = max_messages[c0 >> 3 & 3], max_unacked = max_unackeds[c0 >> 5 & 3];
    M.max_message = max_message ? max_message : 4u << 20;
    M.max_unacked = max_unacked ? max_unacked : 65536;
    evk_session_config cfg = {.role = M.role, .profile = M.p, .manual_ack = M.manual,
                              .ack_limit_ms = 1 + (uint64_t)c1 * 10, .max_unacked = max_unacked,
                              .max_message = max_message, .wall_base_us = 1767627242000000LL,
                              .seed = c1};
    evk_session *s = evk_session_new(&cfg);
    FZ_CHECK(s != NULL, "evk_session_new failed");
    M.state = EVK_S_NEW;
    FZ_CHECK(evk_session_on_data(s, "{}", 2, EVK_F_WHOLE, 0) == EVK_ESTATE, "data before start");

    /* Start: a server sends its handshake Event (id: pool 0). */
    expect x = {.kind = X_NONE};
    if (M.role == EVK_ROLE_SERVER) {
        M.limit = cfg.ack_limit_ms;
        M.hs_id = pool_id(0);
        M.have_hs = true;
        add_out(&M.hs_id);
        x = (expect){.kind = X_EVENT, .id = M.hs_id, .handshake = true};
    }
    FZ_CHECK(evk_session_start(s, M.role == EVK_ROLE_SERVER ? &M.hs_id : NULL, 0) == 0, "start");
    M.state = EVK_S_HANDSHAKE;
    check_actions(s, &x, "start");
    check_state(s);
    FZ_CHECK(evk_session_start(s, &M.hs_id, 0) == EVK_ESTATE, "a second start");

    char text[1024];
    for (int ops = 0; fz_left(&in) && ops < MAX_OPS; ops++) {
        uint8_t op = fz_u8(&in);
        switch (op & 15) {
        case 0: case 1: { /* raw bytes; flags from the op byte */
            size_t n;
            const uint8_t *raw = fz_take(&in, op & 1 ? fz_u16(&in) % 2048 : fz_u8(&in), &n);
            static const unsigned flag_sets[] = {EVK_F_WHOLE, EVK_F_FIRST, 0, EVK_F_FINAL,
                                                 EVK_F_WHOLE | EVK_F_BINARY, EVK_F_FIRST | EVK_F_BINARY,
                                                 EVK_F_FINAL | EVK_F_BINARY, EVK_F_WHOLE};
            feed(s, (const char *)raw, n, flag_sets[op >> 4 & 7], "raw frame");
            break;
        }
        case 2: case 3: case 4: { /* a template, whole */
            uint8_t k = fz_u8(&in), idc = fz_u8(&in);
            size_t n = render(text, sizeof text, k, idc);
            feed(s, text, n, EVK_F_WHOLE, "template");
            break;
        }
        case 5: { /* a template in two or three fragments */
            uint8_t k = fz_u8(&in), idc = fz_u8(&in), c1x = fz_u8(&in), c2x = fz_u8(&in);
            size_t n = render(text, sizeof text, k, idc);
            size_t a = c1x % (n + 1), b = c2x % (n + 1);
            if (a > b) { size_t t = a; a = b; b = t; }
            feed(s, text, a, EVK_F_FIRST, "fragment 1");
            if (op & 0x10) {
                feed(s, text + a, b - a, 0, "fragment 2");
                feed(s, text + b, n - b, EVK_F_FINAL, "fragment 3");
            } else {
                feed(s, text + a, n - a, EVK_F_FINAL, "fragment 2");
            }
            break;
        }
        case 6: { /* a template with one byte replaced, deleted or inserted */
            uint8_t k = fz_u8(&in), idc = fz_u8(&in), at = fz_u8(&in), val = fz_u8(&in);
            size_t n = render(text, sizeof text, k, idc), pos = at % (n + 1);
            if ((op >> 4 & 3) == 0 && pos < n) text[pos] = (char)val;
            else if ((op >> 4 & 3) == 1 && pos < n) memmove(text + pos, text + pos + 1, n - pos), n--;
            else if (n + 1 < sizeof text) memmove(text + pos + 1, text + pos, n - pos + 1), text[pos] = (char)val, n++;
            feed(s, text, n, EVK_F_WHOLE, "edited template");
            break;
        }
        case 7: /* a little time */
            tick(s, M.now + fz_u8(&in));
            break;
        case 8: /* much time; rarely, to the end of the clock (the wall-clock
                 * timestamps saturate there instead of overflowing) */
            if ((op >> 4) == 0xf) tick(s, UINT64_MAX - fz_u16(&in));
            else if ((op >> 4) == 0xe) tick(s, (uint64_t)INT64_MAX - fz_u16(&in));
            else tick(s, M.now + (uint64_t)fz_u16(&in) * 16);
            break;
        case 9: { /* exactly around the next deadline: -1, 0, +1 */
            uint64_t at;
            int delta = (int)(op >> 4 & 3) - 1;
            if (evk_session_next_deadline(s, &at) && at + (uint64_t)(int64_t)delta >= M.now)
                tick(s, at + (uint64_t)(int64_t)delta);
            break;
        }
        case 10: { /* the application sends an Event */
            uint8_t idc = fz_u8(&in);
            evk_uuid id = pool_id(idc);
            app_send(s, &id, payloads[(idc >> 3) % (sizeof payloads / sizeof payloads[0])]);
            break;
        }
        case 11: { /* the application acks (manual_ack), a pool id or an owed one */
            uint8_t idc = fz_u8(&in);
            evk_uuid id = (op & 0x10) && M.nowed ? M.owed[idc % M.nowed] : pool_id(idc);
            app_ack(s, &id);
            break;
        }
        case 12: { /* the peer acks one of our Events (maybe in upper case) */
            uint8_t idc = fz_u8(&in);
            if (!M.nout) break;
            evk_uuid id = M.out[idc % M.nout].id; /* always a pool id */
            unsigned k = 0;
            for (evk_uuid pk = pool_id(k); k < POOL && !evk_uuid_equal(&pk, &id); pk = pool_id(++k)) {}
            size_t n = render(text, sizeof text, 4, (uint8_t)(k | (idc & 8)));
            feed(s, text, n, EVK_F_WHOLE, "peer ack");
            break;
        }
        case 13: /* a client reads a real server's handshake */
            if (M.role == EVK_ROLE_CLIENT) peer_handshake(s, fz_u8(&in), fz_u8(&in));
            break;
        case 14: /* the peer closes, or the application does */
            if (op & 0x10) {
                FZ_CHECK(evk_session_on_peer_close(s, 1000, M.now) == 0, "peer close");
                M.state = EVK_S_CLOSED;
                check_actions(s, &(expect){.kind = X_NONE}, "peer close");
            } else {
                int want = M.state == EVK_S_CLOSED ? EVK_ECLOSED : 0;
                FZ_CHECK(evk_session_close(s, 1000, "done", M.now) == want, "application close");
                expect cx = want ? (expect){.kind = X_NONE} : close_for(1000, EVK_V_NONE);
                check_actions(s, &cx, "application close");
            }
            break;
        default:
            if (op & 0x80) { /* let actions queue up, or take them all now */
                hold = !hold;
                check_actions(s, &(expect){.kind = X_NONE}, "take queued actions");
            } else { /* an empty final piece: ends a fragmented message */
                feed(s, "", 0, EVK_F_FINAL, "empty final piece");
            }
            break;
        }
        check_state(s);
    }

    hold = false;
    check_actions(s, &(expect){.kind = X_NONE}, "take queued actions");
    /* Whatever is still owed gets acked: exactly once each. */
    while (M.state != EVK_S_CLOSED && M.nowed) {
        evk_uuid id = M.owed[0];
        app_ack(s, &id);
    }
    if (M.state != EVK_S_CLOSED)
        FZ_CHECK(M.acks_sent == M.events_accepted, "%llu valid Events, %llu Acks",
                 (unsigned long long)M.events_accepted, (unsigned long long)M.acks_sent);
    /* After a close, nothing more, whatever comes. */
    if (M.state == EVK_S_CLOSED) {
        FZ_CHECK(evk_session_on_data(s, "{}", 2, EVK_F_WHOLE, M.now) == EVK_ECLOSED, "data after close");
        FZ_CHECK(evk_session_on_tick(s, UINT64_MAX / 2) == 0, "tick after close");
        evk_uuid id = pool_id(1);
        FZ_CHECK(evk_session_send_event(s, &id, NULL, M.now) == EVK_ECLOSED, "send after close");
        FZ_CHECK(evk_session_ack(s, &id, M.now) == EVK_ECLOSED, "ack after close");
        check_actions(s, &(expect){.kind = X_NONE}, "after close");
    }
    evk_session_free(s);
    free(M.buf);
    M.buf = NULL;
    return 0;
}
