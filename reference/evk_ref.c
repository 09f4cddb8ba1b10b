#include "evk_ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_compose.h"
#include "evk_err.h"
#include "evk_json.h"
#include "evk_msgbuf.h"
#include "evk_rewrite.h"
#include "evk_session.h"
#include "evk_validate.h"

#define MAX_TRIGGER 1000
#define SEEN_MAX 4096 /* ids remembered by the reuse-after-ack-rejected fault */
#define RECENT_MAX 64

typedef struct delayed {
    char *text;
    size_t len;
    uint64_t due;
} delayed;

typedef struct peer peer;

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

struct peer {
    evk_ref_opts o;
    evk_role role;
    evk_loop *loop;
    evk_conn *conn;
    evk_session *s;
    evk_timer *tick, *later, *acker;
    struct { evk_uuid id; uint64_t due; } *owed; /* ack_delay_ms: Events to ack, oldest first */
    size_t nowed, capowed;
    delayed *queue;
    size_t nqueue, capqueue;
    /* Reassembly of the message being received. */
    evk_msgbuf in;
    bool binary, too_big;
    unsigned pieces;
    /* What some faults need to remember. */
    uint64_t messages, events_in, acks_out, events_out;
    bool have_prev;
    evk_uuid prev_event;
    evk_uuid *seen;
    size_t nseen;
    evk_uuid recent_acked[RECENT_MAX];
    size_t nrecent;
    evk_uuid *order; /* our unacked Events, oldest first */
    size_t norder, caporder;
    bool first_send_done, first_ack_done, client_events_sent, holds_token;
    /* Owner. */
    evk_ref_server *srv;
    peer *prev, *next;
    evk_ref_client *cli;
};

static const char *log_prefix(const peer *p)
{
    return p->role == EVK_ROLE_SERVER ? "ref server" : "ref client";
}

static bool has(const peer *p, evk_fault f)
{
    return p->o.fault == f;
}

static uint64_t now_ms(void)
{
    return evk_clock_ms();
}

/* ---- output --------------------------------------------------------- */

static void send_text(peer *p, const char *text, size_t len)
{
    if (p->conn) evk_conn_send(p->conn, text, len, EVK_F_WHOLE);
}

static void close_conn(peer *p, int code, const char *reason)
{
    if (!p->conn) return;
    if (p->o.verbose) fprintf(stderr, "%s: closing %d %s\n", log_prefix(p), code, reason);
    evk_conn_close(p->conn, code, reason);
}

/* Close on the peer's behalf (a fault decided it) and stop the session. */
static void fault_close(peer *p, evk_violation v, const char *reason)
{
    int code = evk_profile_send_code(p->o.profile, v);
    evk_session_close(p->s, code, reason, now_ms());
    evk_action a;
    while (evk_session_pop(p->s, &a)) {
    }
    close_conn(p, code, reason);
}

static void schedule_later(peer *p);

static void send_later(peer *p, const char *text, size_t len, uint64_t due)
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
    p->queue[p->nqueue++] = (delayed){t, len, due};
    schedule_later(p);
}

static void remember_sent(peer *p, const evk_uuid *id)
{
    if (p->norder == p->caporder) {
        size_t cap = p->caporder ? p->caporder * 2 : 16;
        evk_uuid *o = realloc(p->order, cap * sizeof *o);
        if (!o) return;
        p->order = o;
        p->caporder = cap;
    }
    p->order[p->norder++] = *id;
}

static void forget_sent(peer *p, const evk_uuid *id)
{
    for (size_t i = 0; i < p->norder; i++)
        if (evk_uuid_equal(&p->order[i], id)) {
            memmove(&p->order[i], &p->order[i + 1], (p->norder - i - 1) * sizeof *p->order);
            p->norder--;
            return;
        }
}

/* The server's first message, as a faulty server would write it. */
static void send_handshake(peer *p, const evk_action *a)
{
    const char *ptr = p->o.profile->policy_pointer;
    char *t = NULL;
    if (has(p, EVK_FAULT_HANDSHAKE_SILENT)) return;
    if (has(p, EVK_FAULT_HANDSHAKE_ACK_FIRST)) {
        char ack[EVK_MAX_OUT];
        size_t n;
        evk_uuid any;
        evk_uuid_v4(&any);
        if (evk_compose_ack(p->o.profile, &any, evk_wall_us(), ack, sizeof ack, &n) == 0) send_text(p, ack, n);
    }
    /* Only the default policy location is rewritten (the shipped profiles use it). */
    if (strcmp(ptr, "/payload/ack_timeout") == 0) {
        if (has(p, EVK_FAULT_HANDSHAKE_NO_POLICY)) t = evk_rw_set(a->text, a->len, "payload", "{}");
        else if (has(p, EVK_FAULT_HANDSHAKE_POLICY_STRING)) t = evk_rw_set(a->text, a->len, "payload", "{\"ack_timeout\":\"1\"}");
        else if (has(p, EVK_FAULT_HANDSHAKE_POLICY_ZERO)) t = evk_rw_set(a->text, a->len, "payload", "{\"ack_timeout\":0}");
    }
    if (t) {
        send_text(p, t, strlen(t));
        free(t);
    } else {
        send_text(p, a->text, a->len);
    }
}

static void send_ack(peer *p, const evk_action *a)
{
    uint64_t n = ++p->acks_out;
    bool first = !p->first_ack_done;
    p->first_ack_done = true;
    if (p->role == EVK_ROLE_CLIENT && first) {
        if (has(p, EVK_FAULT_NO_HANDSHAKE_ACK)) return;
        if (has(p, EVK_FAULT_EARLY_EVENT)) {
            /* An Event of its own goes out before this Ack; the session
             * tracks it (it is past the handshake already), so the server's
             * Ack of it is expected. */
            evk_uuid id;
            evk_action ev;
            evk_uuid_v4(&id);
            if (evk_session_send_event(p->s, &id, NULL, now_ms()) == 0 && evk_session_pop(p->s, &ev)) {
                p->events_out++;
                remember_sent(p, &ev.id);
                send_text(p, ev.text, ev.len);
            }
        }
        if (has(p, EVK_FAULT_LATE_HANDSHAKE_ACK)) {
            send_later(p, a->text, a->len, now_ms() + evk_session_limit_ms(p->s) * 3 / 2);
            return;
        }
    }
    if (has(p, EVK_FAULT_ACK_SKIP_THIRD) && n % 3 == 0 && !(p->role == EVK_ROLE_CLIENT && first)) return;
    if (has(p, EVK_FAULT_ACK_STOPS_AFTER_200) && n > 200) return;
    if (has(p, EVK_FAULT_ACK_LATE)) {
        send_later(p, a->text, a->len, now_ms() + evk_session_limit_ms(p->s) * 3 / 2);
        return;
    }
    if (has(p, EVK_FAULT_ACK_WRONG_ID)) {
        char t[EVK_MAX_OUT];
        size_t len;
        evk_uuid other;
        evk_uuid_v4(&other);
        if (evk_compose_ack(p->o.profile, &other, evk_wall_us(), t, sizeof t, &len) == 0) send_text(p, t, len);
        return;
    }
    if (has(p, EVK_FAULT_ACK_MALFORMED)) {
        char *t = evk_rw_del(a->text, a->len, "sent_at");
        if (t) send_text(p, t, strlen(t));
        free(t);
        return;
    }
    send_text(p, a->text, a->len);
    if (has(p, EVK_FAULT_ACK_TWICE)) send_text(p, a->text, a->len);
}

static void send_close(peer *p, const evk_action *a)
{
    int code = a->code;
    if (a->violation != EVK_V_NONE) {
        const evk_message *m = evk_session_last_message(p->s);
        if (has(p, EVK_FAULT_ACK_AFTER_VIOLATION) && m->kind == EVK_MSG_EVENT && m->has_id &&
            a->violation != EVK_V_ACK_TIMEOUT) {
            char t[EVK_MAX_OUT];
            size_t len;
            if (evk_compose_ack(p->o.profile, &m->id, evk_wall_us(), t, sizeof t, &len) == 0) send_text(p, t, len);
        }
        if (has(p, EVK_FAULT_DROP_INSTEAD_OF_CLOSE)) {
            if (p->o.verbose) fprintf(stderr, "%s: dropping the connection (%s)\n", log_prefix(p), a->reason);
            if (p->conn) evk_conn_drop(p->conn);
            return;
        }
        if (has(p, EVK_FAULT_CLOSE_1000)) code = 1000;
        if (has(p, EVK_FAULT_BINARY_WRONG_CODE) && a->violation == EVK_V_NOT_TEXT)
            code = evk_profile_send_code(p->o.profile, EVK_V_NOT_JSON);
        if (has(p, EVK_FAULT_WRONG_TYPE_CODE) && a->violation == EVK_V_WRONG_TYPE)
            code = evk_profile_send_code(p->o.profile, EVK_V_MISSING_FIELD);
        if (has(p, EVK_FAULT_MISSING_FIELD_CODE) && a->violation == EVK_V_MISSING_FIELD)
            code = evk_profile_send_code(p->o.profile, EVK_V_INVALID_VALUE);
        if (has(p, EVK_FAULT_DEADLINE_WRONG_CODE) && a->violation == EVK_V_ACK_TIMEOUT)
            code = evk_profile_send_code(p->o.profile, EVK_V_UNKNOWN_ACK);
    }
    close_conn(p, code, a->reason);
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
            p->events_out++;
            remember_sent(p, &a.id);
            if (p->role == EVK_ROLE_SERVER && !p->first_send_done) send_handshake(p, &a);
            else send_text(p, a.text, a.len);
        }
        p->first_send_done = true;
    }
    schedule_tick(p);
}

/* ---- time ----------------------------------------------------------- */

/* The deadline faults skew the clock the session sees. */
static int64_t skew(const peer *p)
{
    int64_t limit = (int64_t)evk_session_limit_ms(p->s);
    if (has(p, EVK_FAULT_DEADLINE_EARLY)) return limit / 2;
    if (has(p, EVK_FAULT_DEADLINE_LATE)) return -limit;
    return 0;
}

static void on_tick(evk_timer *t, void *user)
{
    (void)t;
    peer *p = user;
    int64_t at = (int64_t)now_ms() + skew(p);
    evk_session_on_tick(p->s, at < 0 ? 0 : (uint64_t)at);
    drain(p);
}

static void schedule_tick(peer *p)
{
    uint64_t at;
    if (has(p, EVK_FAULT_DEADLINE_NEVER) || !evk_session_next_deadline(p->s, &at)) {
        evk_timer_cancel(p->tick);
        return;
    }
    int64_t when = (int64_t)at - skew(p);
    evk_timer_at(p->tick, when < 0 ? 0 : (uint64_t)when);
}

static void client_send_events(peer *p);

/* ack_delay_ms: ack what is due, then sleep until the next one. */
static void on_acker(evk_timer *t, void *user)
{
    peer *p = user;
    uint64_t now = now_ms();
    size_t k = 0;
    while (k < p->nowed && p->owed[k].due <= now) {
        evk_session_ack(p->s, &p->owed[k].id, now); /* ENOTFOUND after a close: fine */
        k++;
    }
    memmove(p->owed, p->owed + k, (p->nowed - k) * sizeof *p->owed);
    p->nowed -= k;
    drain(p);
    client_send_events(p); /* a client's own Events follow its (late) handshake Ack */
    drain(p);
    if (p->nowed) evk_timer_at(t, p->owed[0].due);
}

static void owe_ack(peer *p, const evk_uuid *id)
{
    if (p->nowed == p->capowed) {
        size_t cap = p->capowed ? p->capowed * 2 : 16;
        void *o = realloc(p->owed, cap * sizeof *p->owed);
        if (!o) return;
        p->owed = o;
        p->capowed = cap;
    }
    p->owed[p->nowed].id = *id;
    p->owed[p->nowed].due = now_ms() + p->o.ack_delay_ms;
    if (p->nowed++ == 0) evk_timer_at(p->acker, p->owed[0].due);
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
    evk_uuid shared;
    evk_uuid_v4(&shared);
    for (uint64_t i = 0; i < k && evk_session_state(p->s) != EVK_S_CLOSED; i++) {
        evk_uuid id;
        char payload[64];
        snprintf(payload, sizeof payload, "{\"seq\":%llu}", (unsigned long long)i);
        if (has(p, EVK_FAULT_EMIT_DUPLICATE_IDS) || has(p, EVK_FAULT_EMIT_WITHOUT_SENT_AT)) {
            char ev[EVK_MAX_OUT];
            size_t n;
            if (has(p, EVK_FAULT_EMIT_DUPLICATE_IDS)) id = shared;
            else evk_uuid_v4(&id);
            if (evk_compose_event(pr, &id, evk_wall_us(), payload, ev, sizeof ev, &n) != 0) continue;
            char *t = has(p, EVK_FAULT_EMIT_WITHOUT_SENT_AT) ? evk_rw_del(ev, n, "sent_at") : NULL;
            if (t) send_text(p, t, strlen(t));
            else send_text(p, ev, n);
            free(t);
            continue;
        }
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

static bool uuid_text_has_upper(const char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'F') return true;
    return false;
}

static bool seen_before(peer *p, const evk_uuid *id)
{
    for (size_t i = 0; i < p->nseen; i++)
        if (evk_uuid_equal(&p->seen[i], id)) return true;
    if (!p->seen) p->seen = malloc(SEEN_MAX * sizeof *p->seen);
    if (p->seen && p->nseen < SEEN_MAX) p->seen[p->nseen++] = *id;
    return false;
}

static bool recently_acked(const peer *p, const evk_uuid *id)
{
    for (size_t i = 0; i < p->nrecent && i < RECENT_MAX; i++)
        if (evk_uuid_equal(&p->recent_acked[i], id)) return true;
    return false;
}

/* Message-level faults: may replace the text (*owned), drop the message
 * (return 1), or close (return 2). 0: carry on with *text. */
static int message_faults(peer *p, const char **text, size_t *len, char **owned)
{
    const evk_profile *pr = p->o.profile;
    const char *t = *text;
    size_t n = *len;
    char *r = NULL;
    evk_message m;

    if (has(p, EVK_FAULT_DEEP_NESTING_CRASH) && evk_rw_depth(t, n) > 1000) {
        fprintf(stderr, "%s: nesting deeper than 1000: crashing (injected fault)\n", log_prefix(p));
        abort();
    }
    if (has(p, EVK_FAULT_LARGE_MESSAGE_4002) && n > (256u << 10))
        return fault_close(p, EVK_V_NOT_JSON, "message too large"), 2;
    if (has(p, EVK_FAULT_UNICODE_ESCAPES_REJECTED) && memmem(t, n, "\\u", 2))
        return fault_close(p, EVK_V_NOT_JSON, "unicode escapes are not supported"), 2;
    if (has(p, EVK_FAULT_WHITESPACE_REJECTED) && evk_rw_has_whitespace(t, n))
        return fault_close(p, EVK_V_NOT_JSON, "unexpected whitespace"), 2;
    if (has(p, EVK_FAULT_JSON_EMPTY_IGNORED) && n == 0) return 1;
    if (has(p, EVK_FAULT_CLOSE_AFTER_50) && p->messages > 50)
        return fault_close(p, EVK_V_INVALID_VALUE, "too many messages"), 2;

    evk_validate(pr, t, n, true, &m);
    if (m.violation == EVK_V_NOT_JSON) {
        if (has(p, EVK_FAULT_JSON_CJSON_LENIENT)) r = evk_rw_cjson_roundtrip(t, n);
        else if (has(p, EVK_FAULT_JSON_TRAILING)) r = evk_rw_first_value(t, n);
        else if (has(p, EVK_FAULT_JSON_COMMENTS)) r = evk_rw_strip_comments(t, n);
        else if (has(p, EVK_FAULT_JSON_SINGLE_QUOTES)) r = evk_rw_single_quotes(t, n);
        else if (has(p, EVK_FAULT_JSON_NAN)) r = evk_rw_nan_to_null(t, n);
        else if (has(p, EVK_FAULT_INVALID_UTF8_ACCEPTED)) r = evk_rw_replace_invalid_utf8(t, n);
        else if (has(p, EVK_FAULT_JSON_NONOBJECT_CODE) && strstr(m.reason, "not a JSON object"))
            return fault_close(p, EVK_V_MISSING_FIELD, "not an object"), 2;
    } else if (m.violation == EVK_V_MISSING_FIELD) {
        if (has(p, EVK_FAULT_MISSING_TYPE_AS_EVENT) && strcmp(m.field, pr->discriminator) == 0)
            r = evk_rw_set(t, n, pr->discriminator, "\"event\"");
        else if (has(p, EVK_FAULT_MISSING_SENT_AT_ACCEPTED) && strcmp(m.field, "sent_at") == 0)
            r = evk_rw_set(t, n, "sent_at", "\"2026-01-01T00:00:00.000000+0000\"");
        else if (has(p, EVK_FAULT_PAYLOAD_OPTIONAL) && strcmp(m.field, "payload") == 0)
            r = evk_rw_set(t, n, "payload", "{}");
    } else if (m.violation == EVK_V_INVALID_VALUE) {
        char v[256];
        if (has(p, EVK_FAULT_TYPE_CASE_INSENSITIVE) && strcmp(m.field, pr->discriminator) == 0 &&
            evk_rw_get_string(t, n, pr->discriminator, v, sizeof v)) {
            for (char *c = v; *c; c++)
                if (*c >= 'A' && *c <= 'Z') *c = (char)(*c - 'A' + 'a');
            char q[300];
            snprintf(q, sizeof q, "\"%s\"", v);
            r = evk_rw_set(t, n, pr->discriminator, q);
        } else if (has(p, EVK_FAULT_ACK_ID_UNCHECKED) && m.kind == EVK_MSG_ACK && strcmp(m.field, "id") == 0) {
            return 1;
        } else if (strcmp(m.field, "id") == 0 && evk_rw_get_string(t, n, "id", v, sizeof v)) {
            if (has(p, EVK_FAULT_ID_BRACES_ACCEPTED)) {
                char q[300];
                size_t vl = strlen(v);
                const char *core = v;
                if (vl == 38 && v[0] == '{' && v[37] == '}') v[37] = '\0', core = v + 1;
                else if (strncmp(v, "urn:uuid:", 9) == 0) core = v + 9;
                snprintf(q, sizeof q, "\"%s\"", core);
                r = evk_rw_set(t, n, "id", q);
            } else if (has(p, EVK_FAULT_ID_NUL_TRUNCATED)) {
                /* cJSON's reading stops at the NUL: v is what precedes it */
                evk_uuid u;
                char q[300];
                snprintf(q, sizeof q, "\"%s\"", v);
                if (evk_uuid_parse(v, strlen(v), &u) == 0) r = evk_rw_set(t, n, "id", q);
            } else if (has(p, EVK_FAULT_ID_ANY_STRING) && m.kind == EVK_MSG_EVENT) {
                /* "acks" the string as it came */
                char ack[600];
                int k = snprintf(ack, sizeof ack, "{\"type\":\"ack\",\"id\":\"%s\",\"sent_at\":\"2026-01-01T00:00:00.000000+0000\"}", v);
                if (k > 0 && (size_t)k < sizeof ack) send_text(p, ack, (size_t)k);
                return 1;
            }
        } else if (strcmp(m.field, "sent_at") == 0) {
            bool shape = evk_rw_get_string(t, n, "sent_at", v, sizeof v) && strlen(v) >= 20 &&
                         v[4] == '-' && v[7] == '-' && v[10] == 'T' && v[13] == ':';
            if (has(p, EVK_FAULT_SENT_AT_UNCHECKED) || (has(p, EVK_FAULT_SENT_AT_NO_RANGE) && shape))
                r = evk_rw_set(t, n, "sent_at", "\"2026-01-01T00:00:00.000000+0000\"");
        } else if (has(p, EVK_FAULT_STATUS_UNCHECKED) && strcmp(m.field, "status") == 0) {
            r = evk_rw_set(t, n, "status", "\"ok\"");
        }
    } else if (m.violation == EVK_V_WRONG_TYPE) {
        if (has(p, EVK_FAULT_REASON_ANY_TYPE) && strcmp(m.field, "reason") == 0)
            r = evk_rw_set(t, n, "reason", "null");
    } else if (m.violation == EVK_V_FATAL_STATUS && has(p, EVK_FAULT_STATUS_FATAL_IGNORED)) {
        r = evk_rw_set(t, n, "status", "\"ok\"");
    } else if (m.violation == EVK_V_NONE) {
        char v[256];
        bool upper = evk_rw_get_string(t, n, "id", v, sizeof v) && uuid_text_has_upper(v);
        if (m.kind == EVK_MSG_EVENT) {
            static const char *const known[] = {"type", "id", "sent_at", "status", "payload", "reason", NULL};
            if (has(p, EVK_FAULT_REASON_REJECTED) && evk_rw_has_key(t, n, "reason"))
                return fault_close(p, EVK_V_INVALID_VALUE, "unexpected field reason"), 2;
            if (has(p, EVK_FAULT_UPPERCASE_UUID_REJECTED) && upper)
                return fault_close(p, EVK_V_INVALID_VALUE, "id is not a lower-case UUID"), 2;
            if (has(p, EVK_FAULT_EXTRA_FIELDS_REJECTED) && evk_rw_has_other_keys(t, n, known) &&
                !strstr(t, "\"emit\""))
                return fault_close(p, EVK_V_INVALID_VALUE, "unknown field"), 2;
            if (has(p, EVK_FAULT_SENT_AT_ONLY_HHMM) && evk_rw_get_string(t, n, "sent_at", v, sizeof v)) {
                size_t vl = strlen(v);
                if (vl && (v[vl - 1] == 'Z' || (vl > 3 && v[vl - 3] == ':')))
                    return fault_close(p, EVK_V_INVALID_VALUE, "sent_at offset must be +hhmm"), 2;
            }
            if (has(p, EVK_FAULT_REUSE_REJECTED) && seen_before(p, &m.id))
                return fault_close(p, EVK_V_DUPLICATE_ID, "id already used"), 2;
            if (has(p, EVK_FAULT_DUPLICATE_ACKED_ONCE) && p->have_prev && evk_uuid_equal(&p->prev_event, &m.id))
                return 1;
            if (has(p, EVK_FAULT_EARLY_EVENT_ACCEPTED) && evk_session_state(p->s) == EVK_S_HANDSHAKE &&
                p->role == EVK_ROLE_SERVER) {
                char ack[EVK_MAX_OUT];
                size_t al;
                if (evk_compose_ack(pr, &m.id, evk_wall_us(), ack, sizeof ack, &al) == 0) send_text(p, ack, al);
                return 1;
            }
            p->have_prev = true;
            p->prev_event = m.id;
        } else if (m.kind == EVK_MSG_ACK) {
            static const char *const known[] = {"type", "id", "sent_at", NULL};
            bool awaited = evk_session_awaits_ack(p->s, &m.id);
            if (has(p, EVK_FAULT_UNKNOWN_ACK_IGNORED) && !awaited) return 1;
            if (has(p, EVK_FAULT_DUPLICATE_ACK_IGNORED) && !awaited && recently_acked(p, &m.id)) return 1;
            if (has(p, EVK_FAULT_ACK_EXTRA_FIELDS_REJECTED) && evk_rw_has_other_keys(t, n, known))
                return fault_close(p, EVK_V_INVALID_VALUE, "unknown field in an Ack"), 2;
            if (has(p, EVK_FAULT_ACK_UPPERCASE_REJECTED) && upper)
                return fault_close(p, EVK_V_UNKNOWN_ACK, "Ack for an unknown id"), 2;
            if (has(p, EVK_FAULT_OUT_OF_ORDER_ACK_REJECTED) && awaited && p->norder &&
                !evk_uuid_equal(&p->order[0], &m.id))
                return fault_close(p, EVK_V_UNKNOWN_ACK, "Acks must come in order"), 2;
            if (awaited) {
                p->recent_acked[p->nrecent++ % RECENT_MAX] = m.id;
                forget_sent(p, &m.id);
            }
        }
    }
    if (r) {
        *owned = r;
        *text = r;
        *len = strlen(r);
    }
    return 0;
}

/* The client's view of the handshake policy, for the two client faults. */
static char *policy_faults(peer *p, const char *t, size_t n)
{
    if (p->role != EVK_ROLE_CLIENT || evk_session_handshake_id(p->s, NULL)) return NULL;
    if (!has(p, EVK_FAULT_MISSING_POLICY_IGNORED) && !has(p, EVK_FAULT_BAD_POLICY_IGNORED)) return NULL;
    evk_message m;
    uint64_t limit;
    evk_validate(p->o.profile, t, n, true, &m);
    if (m.violation != EVK_V_NONE || m.kind != EVK_MSG_EVENT) return NULL;
    evk_validate_policy(p->o.profile, t, n, &limit, &m);
    bool missing = m.violation == EVK_V_MISSING_FIELD;
    bool bad = m.violation == EVK_V_WRONG_TYPE || m.violation == EVK_V_INVALID_VALUE;
    if ((missing && has(p, EVK_FAULT_MISSING_POLICY_IGNORED)) || (bad && has(p, EVK_FAULT_BAD_POLICY_IGNORED)))
        return evk_rw_set(t, n, "payload", "{\"ack_timeout\":1}");
    return NULL;
}

static void on_message(peer *p, const char *text, size_t len)
{
    char *owned = NULL;
    p->messages++;
    char *pol = policy_faults(p, text, len);
    if (pol) {
        owned = pol;
        text = pol;
        len = strlen(pol);
    }
    char *owned2 = NULL;
    int verdict = message_faults(p, &text, &len, &owned2);
    if (verdict == 0) {
        evk_session_on_data(p->s, text, len, EVK_F_WHOLE, now_ms());
        const evk_message *m = evk_session_last_message(p->s);
        bool valid_event = m->kind == EVK_MSG_EVENT && m->violation == EVK_V_NONE &&
                           evk_session_state(p->s) != EVK_S_CLOSED;
        if (valid_event && p->o.ack_delay_ms && evk_session_owes_ack(p->s, &m->id)) owe_ack(p, &m->id);
        drain(p);
        if (valid_event && p->role == EVK_ROLE_SERVER) {
            emit_triggered(p, text, len);
            drain(p);
        }
        client_send_events(p);
        drain(p);
    }
    free(owned2);
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
        if (has(p, EVK_FAULT_BINARY_AS_TEXT)) p->binary = false;
    }
    p->pieces++;
    if (evk_session_state(p->s) == EVK_S_CLOSED) return;
    if (p->binary) {
        if (!(flags & EVK_F_FIRST)) return;
        if (has(p, EVK_FAULT_EMPTY_BINARY_IGNORED) && ev->len == 0 && (flags & EVK_F_FINAL)) return;
        evk_session_on_data(p->s, ev->data, ev->len, EVK_F_FIRST | EVK_F_BINARY, now_ms());
        drain(p);
        return;
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
    if (has(p, EVK_FAULT_FRAGMENTS_REJECTED) && p->pieces > 1 && p->in.len < (64u << 10)) {
        fault_close(p, EVK_V_NOT_JSON, "fragmented message");
        return;
    }
    on_message(p, p->in.data ? p->in.data : "", p->in.len);
    evk_msgbuf_done(&p->in);
}

/* ---- peers ---------------------------------------------------------- */

static void peer_free(peer *p)
{
    if (!p) return;
    evk_session_free(p->s);
    evk_timer_free(p->tick);
    evk_timer_free(p->later);
    evk_timer_free(p->acker);
    free(p->owed);
    for (size_t i = 0; i < p->nqueue; i++) free(p->queue[i].text);
    free(p->queue);
    evk_msgbuf_free(&p->in);
    free(p->seen);
    free(p->order);
    free(p);
}

static peer *peer_new(evk_loop *l, const evk_ref_opts *o, evk_role role, uint64_t limit)
{
    peer *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->o = *o;
    p->role = role;
    p->loop = l;
    uint64_t seed;
    evk_uuid r;
    evk_uuid_v4(&r);
    memcpy(&seed, r.b, sizeof seed);
    evk_session_config c = {.role = role, .profile = o->profile, .ack_limit_ms = limit,
                            .max_message = o->max_message, .seed = seed, .manual_ack = o->ack_delay_ms > 0,
                            .wall_base_us = evk_wall_us() - (int64_t)now_ms() * 1000};
    p->s = evk_session_new(&c);
    p->tick = evk_timer_new(l, on_tick, p);
    p->later = evk_timer_new(l, on_later, p);
    p->acker = evk_timer_new(l, on_acker, p);
    if (!p->s || !p->tick || !p->later || !p->acker) {
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

static int on_accept(const evk_accept_info *info, void *user, evk_conn_cb *cb, void **cuser)
{
    evk_ref_server *s = user;
    bool holds = false;
    if (s->o.token) {
        const char *a = info->authorization;
        if ((!a || !*a) && s->o.fault == EVK_FAULT_TOKEN_OPTIONAL) goto accept;
        if (!a || strncmp(a, "Bearer ", 7) != 0 || a[7] == '\0') return 400;
        if (strcmp(a + 7, s->o.token) != 0 && s->o.fault != EVK_FAULT_TOKEN_UNCHECKED) return 401;
        if (s->token_open > 0 && s->o.fault != EVK_FAULT_SECOND_CONNECTION_ALLOWED) return 409;
        holds = true;
    }
accept:;
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
