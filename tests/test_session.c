/* The session state machine, driven by frames and time only. */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "evk_compose.h"
#include "evk_err.h"
#include "evk_session.h"
#include "evk_validate.h"

enum { SEED = 0, STRICT = 1 };
static evk_profile profiles[2];

static void load_profiles(void)
{
    char err[256];
    ck_assert_msg(evk_profile_load(&profiles[SEED], "seed", err, sizeof err) == 0, "%s", err);
    ck_assert_msg(evk_profile_load(&profiles[STRICT], "strict", err, sizeof err) == 0, "%s", err);
}

static evk_uuid id_n(unsigned n)
{
    evk_uuid u;
    memset(&u, 0, sizeof u);
    u.b[0] = 0xab;
    memcpy(u.b + 12, &n, sizeof n);
    u.b[6] = 0x40;
    u.b[8] = 0x80;
    return u;
}

/* The seed profile without a handshake phase: a fixed 800 ms limit. */
static evk_profile nohs_profile(void)
{
    evk_profile p = profiles[SEED];
    p.has_handshake = false;
    p.ack_limit_ms = 800;
    return p;
}

static evk_session *mk(evk_role role, int prof, bool manual, uint64_t limit)
{
    evk_session_config c = {.role = role, .profile = &profiles[prof], .ack_limit_ms = limit,
                            .manual_ack = manual, .wall_base_us = 1767627242000000LL, .seed = 77};
    evk_session *s = evk_session_new(&c);
    ck_assert_ptr_nonnull(s);
    return s;
}

#define MAXA 16
typedef struct { evk_action a[MAXA]; int n; } actions;

static actions *pop_all(evk_session *s, actions *out)
{
    out->n = 0;
    while (out->n < MAXA && evk_session_pop(s, &out->a[out->n])) out->n++;
    return out;
}

static void feed(evk_session *s, const char *text, uint64_t now)
{
    int rc = evk_session_on_data(s, text, strlen(text), EVK_F_WHOLE, now);
    ck_assert_msg(rc == 0, "on_data: %s (last message: %s)", evk_strerror(rc),
                  evk_session_last_message(s)->reason);
}

static const char *event_text(int prof, unsigned n, const char *payload)
{
    static char buf[2][EVK_MAX_OUT];
    static int which;
    evk_uuid u = id_n(n);
    char *b = buf[which ^= 1];
    ck_assert_int_eq(evk_compose_event(&profiles[prof], &u, 0, payload, b, EVK_MAX_OUT, NULL), 0);
    return b;
}

static const char *ack_text(int prof, unsigned n)
{
    static char b[EVK_MAX_OUT];
    evk_uuid u = id_n(n);
    ck_assert_int_eq(evk_compose_ack(&profiles[prof], &u, 0, b, sizeof b, NULL), 0);
    return b;
}

/* A server session that has finished its handshake (hs id = 1000). */
static evk_session *server_ready(int prof, bool manual, uint64_t limit)
{
    evk_session *s = mk(EVK_ROLE_SERVER, prof, manual, limit);
    evk_uuid hs = id_n(1000);
    actions a;
    ck_assert_int_eq(evk_session_start(s, &hs, 0), 0);
    pop_all(s, &a);
    feed(s, ack_text(prof, 1000), 1);
    ck_assert_int_eq(evk_session_state(s), EVK_S_MESSAGING);
    return s;
}

static void assert_close(const actions *a, int code, evk_violation v)
{
    ck_assert_msg(a->n == 1, "want exactly one action (a close), got %d", a->n);
    ck_assert_msg(a->a[0].kind == EVK_A_CLOSE, "want a close, got a send: %s", a->a[0].text);
    ck_assert_msg(a->a[0].code == code, "want close %d, got %d (%s)", code, a->a[0].code, a->a[0].reason);
    ck_assert_int_eq(a->a[0].violation, v);
    ck_assert(strlen(a->a[0].reason) > 0 && strlen(a->a[0].reason) <= 123);
}

static void assert_acks(const actions *a, const unsigned *ids, int n)
{
    ck_assert_msg(a->n == n, "want %d acks, got %d actions", n, a->n);
    for (int i = 0; i < n; i++) {
        evk_uuid want = id_n(ids[i]);
        ck_assert(a->a[i].kind == EVK_A_SEND && a->a[i].msg == EVK_MSG_ACK);
        ck_assert(evk_uuid_equal(&a->a[i].id, &want));
    }
}

START_TEST(server_handshake)
{
    for (int prof = SEED; prof <= STRICT; prof++) {
        evk_session *s = mk(EVK_ROLE_SERVER, prof, false, 1500);
        evk_uuid hs = id_n(1000);
        actions a;
        ck_assert_int_eq(evk_session_start(s, &hs, 0), 0);
        ck_assert_int_eq(evk_session_start(s, &hs, 0), EVK_ESTATE);
        pop_all(s, &a);
        ck_assert_int_eq(a.n, 1);
        ck_assert(a.a[0].kind == EVK_A_SEND && a.a[0].msg == EVK_MSG_EVENT);
        /* The handshake Event is valid and declares 1.5 s. */
        evk_message m;
        uint64_t limit;
        evk_validate(&profiles[prof], a.a[0].text, a.a[0].len, true, &m);
        ck_assert_msg(m.violation == EVK_V_NONE, "%s: %s", a.a[0].text, m.reason);
        ck_assert(m.kind == EVK_MSG_EVENT && evk_uuid_equal(&m.id, &hs));
        ck_assert(m.sent_at_tier == EVK_TS_CANONICAL);
        evk_validate_policy(&profiles[prof], a.a[0].text, a.a[0].len, &limit, &m);
        ck_assert_uint_eq(limit, 1500);
        ck_assert(strstr(a.a[0].text, "\"ack_timeout\":1.5") != NULL);
        ck_assert_int_eq(evk_session_state(s), EVK_S_HANDSHAKE);
        feed(s, ack_text(prof, 1000), 10);
        ck_assert_int_eq(pop_all(s, &a)->n, 0);
        ck_assert_int_eq(evk_session_state(s), EVK_S_MESSAGING);
        evk_session_free(s);
    }
}
END_TEST

START_TEST(client_handshake_and_events)
{
    for (int prof = SEED; prof <= STRICT; prof++) {
        evk_session *srv = mk(EVK_ROLE_SERVER, prof, false, 800);
        evk_session *cli = mk(EVK_ROLE_CLIENT, prof, false, 0);
        evk_uuid hs = id_n(1000), e = id_n(5);
        actions a, b;
        ck_assert_int_eq(evk_session_start(cli, NULL, 0), 0);
        ck_assert_int_eq(evk_session_send_event(cli, &e, NULL, 0), EVK_ESTATE); /* not before the Ack */
        evk_session_start(srv, &hs, 0);
        pop_all(srv, &a);
        feed(cli, a.a[0].text, 2);
        pop_all(cli, &b);
        assert_acks(&b, (unsigned[]){1000}, 1);
        ck_assert_uint_eq(evk_session_limit_ms(cli), 800);
        ck_assert_int_eq(evk_session_state(cli), EVK_S_MESSAGING);
        /* The client's Ack completes the server's handshake. */
        feed(srv, b.a[0].text, 3);
        ck_assert_int_eq(evk_session_state(srv), EVK_S_MESSAGING);
        /* Client Event -> server Ack -> client is satisfied. */
        ck_assert_int_eq(evk_session_send_event(cli, &e, "{\"n\":1}", 4), 0);
        ck_assert_int_eq(evk_session_send_event(cli, &e, NULL, 4), EVK_EDUPID);
        pop_all(cli, &b);
        feed(srv, b.a[0].text, 5);
        pop_all(srv, &a);
        assert_acks(&a, (unsigned[]){5}, 1);
        ck_assert(evk_session_awaits_ack(cli, &e));
        feed(cli, a.a[0].text, 6);
        ck_assert(!evk_session_awaits_ack(cli, &e));
        ck_assert_int_eq(pop_all(cli, &b)->n, 0);
        const evk_session_stats *st = evk_session_stats_get(cli);
        ck_assert_uint_eq(st->events_out, 1);
        ck_assert_uint_eq(st->acks_out, 1);
        ck_assert_uint_eq(st->acks_in, 1);
        evk_session_free(srv);
        evk_session_free(cli);
    }
}
END_TEST

/* Handshake Events with a missing or bad policy, as the client sees them. */
static const struct {
    const char *payload; /* NULL: no payload */
    evk_violation v;
    int strict_code;
} policies[] = {
    {NULL, EVK_V_MISSING_FIELD, 4003},
    {"{}", EVK_V_MISSING_FIELD, 4003},
    {"{\"ack_timeout\":\"1\"}", EVK_V_WRONG_TYPE, 4004},
    {"{\"ack_timeout\":true}", EVK_V_WRONG_TYPE, 4004},
    {"{\"ack_timeout\":0}", EVK_V_INVALID_VALUE, 4005},
    {"{\"ack_timeout\":-0.5}", EVK_V_INVALID_VALUE, 4005},
};

START_TEST(client_refuses_bad_policy)
{
    char text[512];
    const char *u = "0b8f3e52-6a1d-4c7e-9f2a-3d5e7c9b1a20", *ts = "2026-01-05T15:34:02.123456+0000";
    if (policies[_i].payload)
        snprintf(text, sizeof text, "{\"type\":\"event\",\"id\":\"%s\",\"sent_at\":\"%s\",\"status\":\"ok\",\"payload\":%s}",
                 u, ts, policies[_i].payload);
    else /* without a payload the strict schema already fails: test under seed */
        snprintf(text, sizeof text, "{\"type\":\"event\",\"id\":\"%s\",\"sent_at\":\"%s\"}", u, ts);
    for (int prof = SEED; prof <= STRICT; prof++) {
        if (!policies[_i].payload && prof == STRICT) continue;
        evk_session *cli = mk(EVK_ROLE_CLIENT, prof, false, 0);
        actions a;
        evk_session_start(cli, NULL, 0);
        feed(cli, text, 1);
        assert_close(pop_all(cli, &a), prof == STRICT ? policies[_i].strict_code
                                       : evk_profile_send_code(&profiles[SEED], policies[_i].v),
                     policies[_i].v);
        ck_assert_int_eq(evk_session_state(cli), EVK_S_CLOSED);
        evk_session_free(cli);
    }
}
END_TEST

START_TEST(server_may_send_before_the_handshake_ack)
{
    evk_session *srv = mk(EVK_ROLE_SERVER, STRICT, false, 1000);
    evk_session *cli = mk(EVK_ROLE_CLIENT, STRICT, false, 0);
    evk_uuid hs = id_n(1000), e = id_n(7);
    actions a, b;
    evk_session_start(srv, &hs, 0);
    evk_session_start(cli, NULL, 0);
    ck_assert_int_eq(evk_session_send_event(srv, &e, NULL, 1), 0); /* still in the handshake phase */
    ck_assert_int_eq(evk_session_state(srv), EVK_S_HANDSHAKE);
    pop_all(srv, &a);
    ck_assert_int_eq(a.n, 2);
    feed(cli, a.a[0].text, 2);
    feed(cli, a.a[1].text, 2);
    pop_all(cli, &b);
    assert_acks(&b, (unsigned[]){1000, 7}, 2);
    feed(srv, b.a[1].text, 3); /* the Event's Ack first: out of order is fine */
    feed(srv, b.a[0].text, 3);
    ck_assert_int_eq(pop_all(srv, &a)->n, 0);
    ck_assert_int_eq(evk_session_state(srv), EVK_S_MESSAGING);
    ck_assert_uint_eq(evk_session_unacked_out(srv), 0);
    evk_session_free(srv);
    evk_session_free(cli);
}
END_TEST

START_TEST(client_refuses_ack_first)
{
    evk_session *cli = mk(EVK_ROLE_CLIENT, STRICT, false, 0);
    actions a;
    evk_session_start(cli, NULL, 0);
    feed(cli, ack_text(STRICT, 3), 1);
    assert_close(pop_all(cli, &a), 4008, EVK_V_UNKNOWN_ACK);
    evk_session_free(cli);
}
END_TEST

START_TEST(deadline_exactly_at_the_limit)
{
    for (int prof = SEED; prof <= STRICT; prof++) {
        evk_session *s = mk(EVK_ROLE_SERVER, prof, false, 1000);
        evk_uuid hs = id_n(1000);
        actions a;
        uint64_t at;
        evk_session_start(s, &hs, 0);
        pop_all(s, &a);
        ck_assert(evk_session_next_deadline(s, &at));
        ck_assert_uint_eq(at, 1000);
        evk_session_on_tick(s, 999);
        ck_assert_int_eq(pop_all(s, &a)->n, 0);
        evk_session_on_tick(s, 1000);
        /* The same code under both profiles: seed accepts any 4001-4999
         * but sends 4007 itself, strict requires exactly 4007. */
        assert_close(pop_all(s, &a), 4007, EVK_V_ACK_TIMEOUT);
        ck_assert(!evk_session_next_deadline(s, &at));
        evk_session_on_tick(s, 5000); /* nothing after the close */
        ck_assert_int_eq(pop_all(s, &a)->n, 0);
        evk_session_free(s);
    }
}
END_TEST

START_TEST(deadline_respected_just_before)
{
    evk_session *s = server_ready(STRICT, false, 1000); /* handshake acked at t=1 */
    evk_uuid e = id_n(7);
    actions a;
    ck_assert_int_eq(evk_session_send_event(s, &e, NULL, 100), 0);
    pop_all(s, &a);
    ck_assert_int_eq(a.n, 1);
    uint64_t at;
    ck_assert(evk_session_next_deadline(s, &at));
    ck_assert_uint_eq(at, 1100);
    evk_session_on_tick(s, 1099);
    feed(s, ack_text(STRICT, 7), 1099);
    for (uint64_t t = 1100; t < 10000; t += 500) evk_session_on_tick(s, t);
    ck_assert_int_eq(pop_all(s, &a)->n, 0);
    ck_assert_int_eq(evk_session_state(s), EVK_S_MESSAGING);
    evk_session_free(s);
}
END_TEST

START_TEST(client_enforces_deadlines_too)
{
    evk_session *srv = mk(EVK_ROLE_SERVER, SEED, false, 300);
    evk_session *cli = mk(EVK_ROLE_CLIENT, SEED, false, 0);
    evk_uuid hs = id_n(1000), e = id_n(9);
    actions a;
    evk_session_start(srv, &hs, 0);
    evk_session_start(cli, NULL, 0);
    pop_all(srv, &a);
    feed(cli, a.a[0].text, 0);
    pop_all(cli, &a);
    evk_session_send_event(cli, &e, NULL, 50);
    pop_all(cli, &a);
    evk_session_on_tick(cli, 349);
    ck_assert_int_eq(pop_all(cli, &a)->n, 0);
    evk_session_on_tick(cli, 350);
    assert_close(pop_all(cli, &a), 4007, EVK_V_ACK_TIMEOUT);
    evk_session_free(srv);
    evk_session_free(cli);
}
END_TEST

/* Every violation class, fed to a ready server: the close code of each profile. */
static const struct {
    const char *name;
    const char *text; /* NULL: special (binary) */
    evk_violation v;
    int seed_code, strict_code;
} violations[] = {
    {"binary", NULL, EVK_V_NOT_TEXT, 4001, 4001},
    {"not json", "{\"type\":", EVK_V_NOT_JSON, 4002, 4002},
    {"array", "[]", EVK_V_NOT_JSON, 4002, 4002},
    {"missing id", "{\"type\":\"ack\",\"sent_at\":\"2026-01-05T15:34:02.123456+0000\"}", EVK_V_MISSING_FIELD, 4003, 4003},
    {"wrong type", "{\"type\":\"ack\",\"id\":5,\"sent_at\":\"2026-01-05T15:34:02.123456+0000\"}", EVK_V_WRONG_TYPE, 4004, 4004},
    {"invalid", "{\"type\":\"ack\",\"id\":\"x\",\"sent_at\":\"2026-01-05T15:34:02.123456+0000\"}", EVK_V_INVALID_VALUE, 4005, 4005},
    {"unknown ack", "{\"type\":\"ack\",\"id\":\"0b8f3e52-6a1d-4c7e-9f2a-3d5e7c9b1a20\",\"sent_at\":\"2026-01-05T15:34:02.123456+0000\"}", EVK_V_UNKNOWN_ACK, 4008, 4008},
};

START_TEST(every_close_code)
{
    for (int prof = SEED; prof <= STRICT; prof++) {
        evk_session *s = server_ready(prof, false, 1000);
        actions a;
        if (violations[_i].text) feed(s, violations[_i].text, 10);
        else ck_assert_int_eq(evk_session_on_data(s, "{}", 2, EVK_F_WHOLE | EVK_F_BINARY, 10), 0);
        int want = prof == STRICT ? violations[_i].strict_code : violations[_i].seed_code;
        assert_close(pop_all(s, &a), want, violations[_i].v);
        ck_assert(evk_profile_accepts(&profiles[prof], violations[_i].v, a.a[0].code));
        /* Silence: nothing more, whatever comes. */
        ck_assert_int_eq(evk_session_on_data(s, event_text(prof, 3, NULL), strlen(event_text(prof, 3, NULL)),
                                             EVK_F_WHOLE, 11), EVK_ECLOSED);
        evk_session_on_tick(s, 100000);
        evk_uuid e = id_n(4);
        ck_assert_int_eq(evk_session_send_event(s, &e, NULL, 12), EVK_ECLOSED);
        ck_assert_int_eq(pop_all(s, &a)->n, 0);
        evk_session_free(s);
    }
}
END_TEST

START_TEST(duplicate_unacked_and_fatal)
{
    /* manual_ack: the first Event is still unacked when the second arrives. */
    for (int prof = SEED; prof <= STRICT; prof++) {
        evk_session *s = server_ready(prof, true, 1000);
        actions a;
        feed(s, event_text(prof, 3, NULL), 10);
        ck_assert_int_eq(pop_all(s, &a)->n, 0);
        ck_assert(evk_session_owes_ack(s, &(evk_uuid){0}) == false);
        feed(s, event_text(prof, 3, NULL), 11);
        assert_close(pop_all(s, &a), 4006, EVK_V_DUPLICATE_ID);
        evk_session_free(s);
    }
    /* strict: a fatal Event closes with 4009 and is not acked. */
    evk_session *s = server_ready(STRICT, false, 1000);
    actions a;
    const char *fatal = "{\"type\":\"event\",\"id\":\"0b8f3e52-6a1d-4c7e-9f2a-3d5e7c9b1a20\",\"sent_at\":\"2026-01-05T15:34:02.123456+0000\",\"status\":\"fatal\",\"payload\":{}}";
    feed(s, fatal, 10);
    assert_close(pop_all(s, &a), 4009, EVK_V_FATAL_STATUS);
    evk_session_free(s);
    /* seed: the same Event is just an Event. */
    s = server_ready(SEED, false, 1000);
    feed(s, fatal, 10);
    ck_assert_int_eq(pop_all(s, &a)->n, 1);
    ck_assert_int_eq(a.a[0].msg, EVK_MSG_ACK);
    evk_session_free(s);
    /* strict, manual: a fatal Event that is also a duplicate -> the duplicate code (flow first). */
    s = server_ready(STRICT, true, 1000);
    feed(s, fatal, 10);
    /* the first fatal Event already closed: check the order on a fresh one */
    evk_session_free(s);
    s = server_ready(STRICT, true, 1000);
    const char *ok = "{\"type\":\"event\",\"id\":\"0b8f3e52-6a1d-4c7e-9f2a-3d5e7c9b1a20\",\"sent_at\":\"2026-01-05T15:34:02.123456+0000\",\"status\":\"ok\",\"payload\":{}}";
    feed(s, ok, 10);
    feed(s, fatal, 11);
    assert_close(pop_all(s, &a), 4006, EVK_V_DUPLICATE_ID);
    evk_session_free(s);
}
END_TEST

START_TEST(auto_ack_duplicate_is_two_acks)
{
    evk_session *s = server_ready(STRICT, false, 1000);
    actions a;
    feed(s, event_text(STRICT, 3, NULL), 10);
    feed(s, event_text(STRICT, 3, NULL), 10);
    assert_acks(pop_all(s, &a), (unsigned[]){3, 3}, 2);
    evk_session_free(s);
}
END_TEST

START_TEST(early_message)
{
    /* seed: informational, the Event is acked; strict: a violation. */
    for (int prof = SEED; prof <= STRICT; prof++) {
        evk_session *s = mk(EVK_ROLE_SERVER, prof, false, 1000);
        evk_uuid hs = id_n(1000);
        actions a;
        evk_session_start(s, &hs, 0);
        pop_all(s, &a);
        feed(s, event_text(prof, 3, NULL), 5);
        pop_all(s, &a);
        ck_assert_uint_eq(evk_session_stats_get(s)->early_messages, 1);
        if (prof == SEED) {
            assert_acks(&a, (unsigned[]){3}, 1);
            feed(s, ack_text(prof, 1000), 6);
            ck_assert_int_eq(evk_session_state(s), EVK_S_MESSAGING);
        } else {
            ck_assert(a.n == 1 && a.a[0].kind == EVK_A_CLOSE && a.a[0].violation == EVK_V_EARLY_MESSAGE);
            ck_assert(evk_profile_accepts(&profiles[STRICT], EVK_V_EARLY_MESSAGE, a.a[0].code));
        }
        evk_session_free(s);
    }
}
END_TEST

START_TEST(valid_traffic_never_closes)
{
    for (int prof = SEED; prof <= STRICT; prof++) {
        evk_session *s = server_ready(prof, false, 1000);
        actions a;
        char buf[EVK_MAX_OUT];
        /* extra fields */
        feed(s, event_text(prof, 1, "{\"x\":[1,2,{\"y\":null}],\"emit\":0}"), 10);
        /* upper-case UUID */
        snprintf(buf, sizeof buf, "%s", event_text(prof, 2, NULL));
        for (char *c = strstr(buf, "\"id\":\"") + 6; *c != '"'; c++)
            if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 'a' + 'A');
        feed(s, buf, 11);
        /* reuse after ack */
        feed(s, event_text(prof, 1, NULL), 12);
        /* lenient sent_at */
        snprintf(buf, sizeof buf, "%s", event_text(prof, 4, NULL));
        char *ts = strstr(buf, ".000000+0000");
        ck_assert_ptr_nonnull(ts);
        memmove(ts, ts + 7, strlen(ts + 7) + 1); /* drop the fraction */
        feed(s, buf, 13);
        /* three fragments */
        const char *t = event_text(prof, 5, NULL);
        size_t n = strlen(t);
        ck_assert_int_eq(evk_session_on_data(s, t, 10, EVK_F_FIRST, 14), 0);
        ck_assert_int_eq(evk_session_on_data(s, t + 10, 20, 0, 14), 0);
        ck_assert_int_eq(evk_session_on_data(s, t + 30, n - 30, EVK_F_FINAL, 15), 0);
        assert_acks(pop_all(s, &a), (unsigned[]){1, 2, 1, 4, 5}, 5);
        ck_assert_uint_eq(evk_session_stats_get(s)->lenient_timestamps, 1);
        /* Acks out of order, one in upper case. */
        evk_uuid e[3] = {id_n(20), id_n(21), id_n(22)};
        for (int i = 0; i < 3; i++) evk_session_send_event(s, &e[i], NULL, 20);
        pop_all(s, &a);
        ck_assert_int_eq(a.n, 3);
        feed(s, ack_text(prof, 22), 21);
        snprintf(buf, sizeof buf, "%s", ack_text(prof, 20));
        for (char *c = strstr(buf, "\"id\":\"") + 6; *c != '"'; c++)
            if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 'a' + 'A');
        feed(s, buf, 22);
        feed(s, ack_text(prof, 21), 23);
        ck_assert_int_eq(evk_session_unacked_out(s), 0);
        evk_session_on_tick(s, 100000);
        ck_assert_int_eq(pop_all(s, &a)->n, 0);
        ck_assert_int_eq(evk_session_state(s), EVK_S_MESSAGING);
        evk_session_free(s);
    }
}
END_TEST

START_TEST(binary_fragment_closes_at_once)
{
    evk_session *s = server_ready(SEED, false, 1000);
    actions a;
    ck_assert_int_eq(evk_session_on_data(s, "ab", 2, EVK_F_FIRST | EVK_F_BINARY, 5), 0);
    assert_close(pop_all(s, &a), 4001, EVK_V_NOT_TEXT);
    evk_session_free(s);
}
END_TEST

START_TEST(message_size_limit)
{
    evk_session_config c = {.role = EVK_ROLE_SERVER, .profile = &profiles[SEED], .ack_limit_ms = 1000,
                            .max_message = 100};
    evk_session *s = evk_session_new(&c);
    evk_uuid hs = id_n(1);
    actions a;
    evk_session_start(s, &hs, 0);
    pop_all(s, &a);
    char big[150];
    memset(big, ' ', sizeof big);
    ck_assert_int_eq(evk_session_on_data(s, big, 60, EVK_F_FIRST, 1), 0);
    ck_assert_int_eq(pop_all(s, &a)->n, 0);
    ck_assert_int_eq(evk_session_on_data(s, big, 60, EVK_F_FINAL, 1), 0);
    assert_close(pop_all(s, &a), EVK_CLOSE_TOO_BIG, EVK_V_NONE);
    evk_session_free(s);
}
END_TEST

START_TEST(manual_ack_client)
{
    evk_session *srv = mk(EVK_ROLE_SERVER, STRICT, false, 1000);
    evk_session *cli = mk(EVK_ROLE_CLIENT, STRICT, true, 0);
    evk_uuid hs = id_n(1000), other = id_n(1);
    actions a;
    evk_session_start(srv, &hs, 0);
    evk_session_start(cli, NULL, 0);
    pop_all(srv, &a);
    feed(cli, a.a[0].text, 1);
    ck_assert_int_eq(pop_all(cli, &a)->n, 0); /* the application decides */
    ck_assert_int_eq(evk_session_state(cli), EVK_S_HANDSHAKE);
    ck_assert(evk_session_owes_ack(cli, &hs));
    ck_assert_int_eq(evk_session_ack(cli, &other, 2), EVK_ENOTFOUND);
    ck_assert_int_eq(evk_session_ack(cli, &hs, 2), 0);
    assert_acks(pop_all(cli, &a), (unsigned[]){1000}, 1);
    ck_assert_int_eq(evk_session_state(cli), EVK_S_MESSAGING);
    ck_assert_int_eq(evk_session_ack(cli, &hs, 3), EVK_ENOTFOUND); /* exactly once */
    evk_session_free(srv);
    evk_session_free(cli);
}
END_TEST

START_TEST(application_close_and_peer_close)
{
    evk_session *s = server_ready(SEED, false, 1000);
    actions a;
    ck_assert_int_eq(evk_session_close(s, 1000, "done", 5), 0);
    assert_close(pop_all(s, &a), 1000, EVK_V_NONE);
    ck_assert_int_eq(evk_session_close(s, 1000, "again", 6), EVK_ECLOSED);
    evk_session_free(s);
    s = server_ready(SEED, false, 1000);
    evk_session_on_peer_close(s, 1000, 5);
    evk_session_on_tick(s, 100000);
    ck_assert_int_eq(pop_all(s, &a)->n, 0);
    evk_session_free(s);
}
END_TEST

START_TEST(config_is_checked)
{
    evk_session_config c = {.role = EVK_ROLE_SERVER, .profile = &profiles[SEED], .ack_limit_ms = 0};
    ck_assert_ptr_null(evk_session_new(&c));
    c.profile = NULL;
    c.ack_limit_ms = 10;
    ck_assert_ptr_null(evk_session_new(&c));
    evk_session_free(NULL);
}
END_TEST

/* A clock that runs past what a timestamp can say (found by fuzz_session: the
 * wall-clock sum overflowed, undefined behaviour). The sum saturates, and
 * the composer's rule for a time it cannot write applies: sent_at is the
 * epoch. What is sent stays valid. */
static void assert_valid_epoch_event(const evk_action *a)
{
    evk_message m;
    ck_assert(a->kind == EVK_A_SEND && a->msg == EVK_MSG_EVENT);
    ck_assert_int_eq(evk_validate(&profiles[SEED], a->text, a->len, true, &m), 0);
    ck_assert_msg(m.violation == EVK_V_NONE, "%s: %s", m.reason, a->text);
    ck_assert_msg(strstr(a->text, "\"1970-01-01T00:00:00.000000+0000\"") != NULL, "%s", a->text);
}

START_TEST(clock_beyond_the_calendar_is_saturated)
{
    evk_session *s = server_ready(SEED, false, 1000);
    actions a;
    evk_uuid e = id_n(7), f = id_n(8);
    ck_assert_int_eq(evk_session_send_event(s, &e, NULL, UINT64_MAX), 0);
    ck_assert_int_eq(evk_session_send_event(s, &f, NULL, UINT64_MAX / 1000 + 1), 0);
    ck_assert_int_eq(pop_all(s, &a)->n, 2);
    assert_valid_epoch_event(&a.a[0]);
    assert_valid_epoch_event(&a.a[1]);
    evk_session_free(s);

    evk_session_config c = {.role = EVK_ROLE_SERVER, .profile = &profiles[SEED], .ack_limit_ms = 10,
                            .wall_base_us = INT64_MAX - 10, .seed = 1};
    s = evk_session_new(&c);
    ck_assert_ptr_nonnull(s);
    evk_uuid hs = id_n(1000);
    ck_assert_int_eq(evk_session_start(s, &hs, 1000), 0);
    ck_assert_int_eq(pop_all(s, &a)->n, 1);
    assert_valid_epoch_event(&a.a[0]);
    evk_session_free(s);
}
END_TEST

/* "handshake": null: both roles start in the messaging phase under the
 * profile's fixed limit; the server sends no handshake Event. */
START_TEST(no_handshake_phase)
{
    evk_profile p = nohs_profile();
    for (int role = EVK_ROLE_SERVER; role <= EVK_ROLE_CLIENT; role++) {
        evk_session_config c = {.role = (evk_role)role, .profile = &p, .seed = 5};
        evk_session *s = evk_session_new(&c);
        ck_assert_ptr_nonnull(s);
        actions a;
        ck_assert_int_eq(evk_session_start(s, NULL, 0), 0);
        ck_assert_int_eq(pop_all(s, &a)->n, 0); /* no handshake Event */
        ck_assert_int_eq(evk_session_state(s), EVK_S_MESSAGING);
        ck_assert_uint_eq(evk_session_limit_ms(s), 800);
        /* An Event of the peer is acked at once, whatever the role. */
        feed(s, event_text(SEED, 1, NULL), 10);
        unsigned one = 1;
        assert_acks(pop_all(s, &a), &one, 1);
        /* Ours is due at 800 ms. */
        evk_uuid id = id_n(2);
        ck_assert_int_eq(evk_session_send_event(s, &id, NULL, 100), 0);
        pop_all(s, &a);
        uint64_t at;
        ck_assert(evk_session_next_deadline(s, &at));
        ck_assert_uint_eq(at, 900);
        evk_session_on_tick(s, 900);
        assert_close(pop_all(s, &a), 4007, EVK_V_ACK_TIMEOUT);
        evk_session_free(s);
    }
    /* A limit other than the profile's is refused; the same one is fine. */
    evk_session_config bad = {.role = EVK_ROLE_SERVER, .profile = &p, .ack_limit_ms = 1000};
    ck_assert_ptr_null(evk_session_new(&bad));
    bad.ack_limit_ms = 800;
    evk_session *ok = evk_session_new(&bad);
    ck_assert_ptr_nonnull(ok);
    evk_session_free(ok);
}
END_TEST

/* A session reads duplicate keys as configured. */
START_TEST(duplicate_key_reading)
{
    char text[EVK_MAX_OUT];
    const char *ev = event_text(SEED, 3, NULL); /* {"type":"event","id":"<id 3>",... */
    const char *at = strstr(ev, "\"id\":");
    ck_assert_ptr_nonnull(at);
    snprintf(text, sizeof text, "%.*s\"id\":\"x\",%s", (int)(at - ev), ev, at);
    for (int d = 0; d < EVK_DUPKEYS__COUNT; d++) {
        evk_session_config c = {.role = EVK_ROLE_SERVER, .profile = &profiles[SEED], .ack_limit_ms = 1000,
                                .dup_keys = (evk_dupkeys)d, .seed = 9};
        evk_session *s = evk_session_new(&c);
        evk_uuid hs = id_n(1000);
        actions a;
        evk_session_start(s, &hs, 0);
        pop_all(s, &a);
        feed(s, ack_text(SEED, 1000), 1);
        feed(s, text, 2);
        pop_all(s, &a);
        if (d == EVK_DUPKEYS_LAST) { /* the last id, a UUID, counts: acked */
            unsigned three = 3;
            assert_acks(&a, &three, 1);
        } else {
            assert_close(&a, d == EVK_DUPKEYS_FIRST ? 4005 : 4002, d == EVK_DUPKEYS_FIRST ? EVK_V_INVALID_VALUE : EVK_V_NOT_JSON);
        }
        evk_session_free(s);
    }
}
END_TEST

/* A clone carries the state on independently, reading duplicate keys its own way. */
START_TEST(clone_forks_the_reading)
{
    evk_session *s = server_ready(SEED, false, 1000);
    evk_uuid mine = id_n(50);
    actions a;
    ck_assert_int_eq(evk_session_send_event(s, &mine, NULL, 5), 0);
    pop_all(s, &a);
    /* half a message is being reassembled when the fork happens */
    const char *ev = event_text(SEED, 7, NULL);
    ck_assert_int_eq(evk_session_on_data(s, ev, 10, EVK_F_FIRST, 6), 0);
    evk_session *c = evk_session_clone(s, EVK_DUPKEYS_REJECT);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(evk_session_on_data(s, ev + 10, strlen(ev) - 10, EVK_F_FINAL, 7), 0);
    ck_assert_int_eq(evk_session_on_data(c, ev + 10, strlen(ev) - 10, EVK_F_FINAL, 7), 0);
    unsigned seven = 7;
    assert_acks(pop_all(s, &a), &seven, 1);
    assert_acks(pop_all(c, &a), &seven, 1);
    /* both still await our Event 50 with the same deadline */
    uint64_t at1, at2;
    ck_assert(evk_session_next_deadline(s, &at1) && evk_session_next_deadline(c, &at2));
    ck_assert_uint_eq(at1, at2);
    /* an Ack in one does not reach the other */
    feed(s, ack_text(SEED, 50), 8);
    ck_assert(!evk_session_awaits_ack(s, &mine) && evk_session_awaits_ack(c, &mine));
    /* a duplicate key: the original (first wins) acks, the clone refuses */
    char dup[EVK_MAX_OUT];
    const char *e8 = event_text(SEED, 8, NULL);
    snprintf(dup, sizeof dup, "%.*s,\"x\":1,\"x\":2}", (int)strlen(e8) - 1, e8);
    feed(s, dup, 9);
    feed(c, dup, 9);
    unsigned eight = 8;
    assert_acks(pop_all(s, &a), &eight, 1);
    assert_close(pop_all(c, &a), 4002, EVK_V_NOT_JSON);
    evk_session_free(s);
    evk_session_free(c);
    ck_assert_ptr_null(evk_session_clone(NULL, EVK_DUPKEYS_LAST));
}
END_TEST

static Suite *session_suite(void)
{
    Suite *s = suite_create("session");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, load_profiles, NULL);
    tcase_add_test(tc, server_handshake);
    tcase_add_test(tc, client_handshake_and_events);
    tcase_add_loop_test(tc, client_refuses_bad_policy, 0, (int)EVK_COUNTOF(policies));
    tcase_add_test(tc, client_refuses_ack_first);
    tcase_add_test(tc, server_may_send_before_the_handshake_ack);
    tcase_add_test(tc, deadline_exactly_at_the_limit);
    tcase_add_test(tc, deadline_respected_just_before);
    tcase_add_test(tc, client_enforces_deadlines_too);
    tcase_add_loop_test(tc, every_close_code, 0, (int)EVK_COUNTOF(violations));
    tcase_add_test(tc, duplicate_unacked_and_fatal);
    tcase_add_test(tc, auto_ack_duplicate_is_two_acks);
    tcase_add_test(tc, early_message);
    tcase_add_test(tc, valid_traffic_never_closes);
    tcase_add_test(tc, binary_fragment_closes_at_once);
    tcase_add_test(tc, message_size_limit);
    tcase_add_test(tc, manual_ack_client);
    tcase_add_test(tc, application_close_and_peer_close);
    tcase_add_test(tc, config_is_checked);
    tcase_add_test(tc, clock_beyond_the_calendar_is_saturated);
    tcase_add_test(tc, no_handshake_phase);
    tcase_add_test(tc, duplicate_key_reading);
    tcase_add_test(tc, clone_forks_the_reading);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(session_suite)
