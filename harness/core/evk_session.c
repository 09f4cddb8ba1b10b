#include "evk_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_compose.h"
#include "evk_err.h"
#include "evk_tracker.h"

struct evk_session {
    evk_session_config cfg;
    evk_state state;
    uint64_t limit;    /* ms; 0 until a client has read the policy */
    evk_tracker *out;  /* our Events awaiting the peer's Ack */
    evk_tracker *in;   /* the peer's Events we still owe an Ack (manual_ack) */
    bool have_hs;
    evk_uuid hs_id;
    /* Reassembly of one text message. */
    char *buf;
    size_t len, cap;
    bool in_msg;
    uint64_t t_first; /* when its first piece came: the message's time */
    /* Actions not yet taken by the caller: q[qhead..qlen). */
    evk_action *q;
    size_t qhead, qlen, qcap;
    evk_message last;
    evk_session_stats st;
};

const char *evk_state_name(evk_state st)
{
    switch (st) {
    case EVK_S_NEW: return "new";
    case EVK_S_HANDSHAKE: return "handshake";
    case EVK_S_MESSAGING: return "messaging";
    default: return "closed";
    }
}

evk_session *evk_session_new(const evk_session_config *cfg)
{
    if (!cfg || !cfg->profile || (unsigned)cfg->dup_keys >= EVK_DUPKEYS__COUNT) return NULL;
    bool fixed = !cfg->profile->has_handshake;
    if (fixed && cfg->ack_limit_ms && cfg->ack_limit_ms != cfg->profile->ack_limit_ms) return NULL;
    if (!fixed && cfg->role == EVK_ROLE_SERVER && cfg->ack_limit_ms == 0) return NULL;
    evk_session *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->cfg = *cfg;
    if (!s->cfg.max_unacked) s->cfg.max_unacked = EVK_DEFAULT_MAX_UNACKED;
    if (!s->cfg.max_message) s->cfg.max_message = 4u << 20;
    s->limit = fixed ? cfg->profile->ack_limit_ms : cfg->role == EVK_ROLE_SERVER ? cfg->ack_limit_ms : 0;
    s->out = evk_tracker_new(s->limit, s->cfg.max_unacked, cfg->seed);
    s->in = evk_tracker_new(s->limit, s->cfg.max_unacked, cfg->seed ^ 0x5bd1e9955bd1e995ull);
    if (!s->out || !s->in) {
        evk_session_free(s);
        return NULL;
    }
    return s;
}

void evk_session_free(evk_session *s)
{
    if (!s) return;
    evk_tracker_free(s->out);
    evk_tracker_free(s->in);
    free(s->buf);
    free(s->q);
    free(s);
}

evk_session *evk_session_clone(const evk_session *s, evk_dupkeys dup_keys)
{
    if (!s || (unsigned)dup_keys >= EVK_DUPKEYS__COUNT) return NULL;
    evk_session *c = malloc(sizeof *c);
    if (!c) return NULL;
    *c = *s;
    c->cfg.dup_keys = dup_keys;
    c->out = evk_tracker_clone(s->out);
    c->in = evk_tracker_clone(s->in);
    c->buf = s->cap ? malloc(s->cap) : NULL;
    c->q = s->qcap ? malloc(s->qcap * sizeof *c->q) : NULL;
    if (!c->out || !c->in || (s->cap && !c->buf) || (s->qcap && !c->q)) {
        evk_session_free(c);
        return NULL;
    }
    if (s->len) memcpy(c->buf, s->buf, s->len);
    if (s->qlen) memcpy(c->q, s->q, s->qlen * sizeof *c->q);
    return c;
}

/* Saturates instead of overflowing (a fuzzer's clock can reach UINT64_MAX):
 * the formatter then refuses the out-of-range time like any other. */
static int64_t wall_us(const evk_session *s, uint64_t now_ms)
{
    int64_t base = s->cfg.wall_base_us;
    if (now_ms > (uint64_t)INT64_MAX / 1000) return INT64_MAX;
    int64_t off = (int64_t)now_ms * 1000;
    if (base > 0 && off > INT64_MAX - base) return INT64_MAX;
    return base + off;
}

/* A fresh slot at the end of the outbox, or NULL when out of memory. */
static evk_action *push(evk_session *s)
{
    if (s->qhead == s->qlen) s->qhead = s->qlen = 0;
    if (s->qlen == s->qcap) {
        size_t cap = s->qcap ? s->qcap * 2 : 4;
        evk_action *q = realloc(s->q, cap * sizeof *q);
        if (!q) return NULL;
        s->q = q;
        s->qcap = cap;
    }
    evk_action *a = &s->q[s->qlen++];
    a->kind = 0;
    a->msg = EVK_MSG_NONE;
    memset(&a->id, 0, sizeof a->id);
    a->text[0] = '\0';
    a->len = 0;
    a->code = 0;
    a->violation = EVK_V_NONE;
    a->reason[0] = '\0';
    return a;
}

/* A close reason must fit a close frame: cut at a UTF-8 character boundary. */
static void copy_reason(char dst[EVK_REASON_MAX], const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n > EVK_REASON_MAX - 1) {
        n = EVK_REASON_MAX - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) n--;
    }
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
}

static int queue_close(evk_session *s, int code, evk_violation v, const char *reason)
{
    evk_action *a = push(s);
    s->state = EVK_S_CLOSED; /* even without memory for the action: say nothing more */
    s->in_msg = false;
    if (!a) return EVK_ENOMEM;
    a->kind = EVK_A_CLOSE;
    a->code = code;
    a->violation = v;
    copy_reason(a->reason, reason);
    return 0;
}

static int violation_close(evk_session *s, evk_violation v, const char *reason)
{
    return queue_close(s, evk_profile_send_code(s->cfg.profile, v), v, reason);
}

static int queue_ack(evk_session *s, const evk_uuid *id, uint64_t now_ms)
{
    evk_action *a = push(s);
    if (!a) return EVK_ENOMEM;
    int rc = evk_compose_ack(s->cfg.profile, id, wall_us(s, now_ms), a->text, sizeof a->text, &a->len);
    if (rc < 0) {
        s->qlen--;
        return rc;
    }
    a->kind = EVK_A_SEND;
    a->msg = EVK_MSG_ACK;
    a->id = *id;
    s->st.acks_out++;
    return 0;
}

int evk_session_start(evk_session *s, const evk_uuid *handshake_id, uint64_t now_ms)
{
    if (!s) return EVK_EINVAL;
    if (s->state != EVK_S_NEW) return EVK_ESTATE;
    if (!s->cfg.profile->has_handshake) { /* no handshake phase: messaging at once */
        s->state = EVK_S_MESSAGING;
        return 0;
    }
    if (s->cfg.role == EVK_ROLE_CLIENT) {
        s->state = EVK_S_HANDSHAKE;
        return 0;
    }
    if (!handshake_id) return EVK_EINVAL;
    evk_action *a = push(s);
    if (!a) return EVK_ENOMEM;
    int rc = evk_compose_handshake(s->cfg.profile, handshake_id, wall_us(s, now_ms), s->limit,
                                   a->text, sizeof a->text, &a->len);
    if (rc == 0) rc = evk_tracker_sent(s->out, handshake_id, now_ms);
    if (rc < 0) {
        s->qlen--;
        return rc;
    }
    a->kind = EVK_A_SEND;
    a->msg = EVK_MSG_EVENT;
    a->id = *handshake_id;
    s->have_hs = true;
    s->hs_id = *handshake_id;
    s->st.events_out++;
    s->state = EVK_S_HANDSHAKE;
    return 0;
}

static void id_text(const evk_uuid *id, char out[EVK_UUID_STRLEN + 1])
{
    evk_uuid_format(id, out);
}

static int on_event(evk_session *s, const evk_message *m, bool fatal, uint64_t now_ms)
{
    char ids[EVK_UUID_STRLEN + 1], reason[EVK_REASON_MAX];
    s->st.events_in++;
    if (evk_tracker_contains(s->in, &m->id)) {
        id_text(&m->id, ids);
        snprintf(reason, sizeof reason, "Event %s reuses the id of an unacked Event", ids);
        return violation_close(s, EVK_V_DUPLICATE_ID, reason);
    }
    if (fatal) return violation_close(s, EVK_V_FATAL_STATUS, m->reason);
    if (!s->cfg.manual_ack) return queue_ack(s, &m->id, now_ms);
    int rc = evk_tracker_sent(s->in, &m->id, now_ms);
    if (rc == EVK_EFULL) return queue_close(s, EVK_CLOSE_POLICY, EVK_V_NONE, "too many unacked Events");
    return rc;
}

static int on_ack(evk_session *s, const evk_message *m)
{
    char ids[EVK_UUID_STRLEN + 1], reason[EVK_REASON_MAX];
    s->st.acks_in++;
    if (evk_tracker_acked(s->out, &m->id) < 0) {
        id_text(&m->id, ids);
        snprintf(reason, sizeof reason, "Ack for %s, which is no unacked Event of ours", ids);
        return violation_close(s, EVK_V_UNKNOWN_ACK, reason);
    }
    if (s->cfg.role == EVK_ROLE_SERVER && s->state == EVK_S_HANDSHAKE &&
        evk_uuid_equal(&m->id, &s->hs_id))
        s->state = EVK_S_MESSAGING;
    return 0;
}

/* The client's first message from the server: the handshake Event. */
static int on_handshake_event(evk_session *s, const void *text, size_t len, bool fatal,
                              uint64_t now_ms)
{
    evk_message pol;
    uint64_t limit;
    memset(&pol, 0, sizeof pol);
    evk_validate_policy_ex(s->cfg.profile, text, len, s->cfg.dup_keys, &limit, &pol);
    if (pol.violation != EVK_V_NONE) {
        s->last.violation = pol.violation;
        s->last.close_code = pol.close_code;
        snprintf(s->last.reason, sizeof s->last.reason, "%s", pol.reason);
        return violation_close(s, pol.violation, pol.reason);
    }
    s->limit = limit;
    evk_tracker_set_limit(s->out, limit);
    evk_tracker_set_limit(s->in, limit);
    s->have_hs = true;
    s->hs_id = s->last.id;
    int rc = on_event(s, &s->last, fatal, now_ms);
    if (rc == 0 && s->state != EVK_S_CLOSED && !s->cfg.manual_ack) s->state = EVK_S_MESSAGING;
    return rc;
}

/* Judge one complete message and react. */
static int process(evk_session *s, const char *text, size_t len, bool is_text, uint64_t now_ms)
{
    evk_message *m = &s->last;
    evk_validate_ex(s->cfg.profile, text, len, is_text, s->cfg.dup_keys, m);
    if (m->violation != EVK_V_NONE && m->violation != EVK_V_FATAL_STATUS)
        return violation_close(s, m->violation, m->reason);
    bool fatal = m->violation == EVK_V_FATAL_STATUS;
    if (m->notes & EVK_NOTE_LENIENT_TS) s->st.lenient_timestamps++;
    if (m->notes & EVK_NOTE_DUP_KEY) s->st.duplicate_keys++;
    if (m->notes & EVK_NOTE_LONE_SURROGATE) s->st.lone_surrogates++;

    if (s->state == EVK_S_HANDSHAKE && s->cfg.role == EVK_ROLE_CLIENT && !s->have_hs) {
        if (m->kind == EVK_MSG_ACK) {
            s->st.acks_in++;
            return violation_close(s, EVK_V_UNKNOWN_ACK,
                                   "an Ack before any Event of ours (the server must start with its handshake Event)");
        }
        return on_handshake_event(s, text, len, fatal, now_ms);
    }
    if (s->state == EVK_S_HANDSHAKE && s->cfg.role == EVK_ROLE_SERVER && m->kind == EVK_MSG_EVENT) {
        /* Acks are judged by the flow rules; an Event now is an early message. */
        s->st.early_messages++;
        if (s->cfg.profile->early_message_is_violation)
            return violation_close(s, EVK_V_EARLY_MESSAGE,
                                   "an Event before the client acked the handshake Event");
    }
    return m->kind == EVK_MSG_EVENT ? on_event(s, m, fatal, now_ms) : on_ack(s, m);
}

int evk_session_on_data(evk_session *s, const void *data, size_t len, unsigned flags,
                        uint64_t now_ms)
{
    if (!s || (!data && len)) return EVK_EINVAL;
    if (s->state == EVK_S_NEW) return EVK_ESTATE;
    if (s->state == EVK_S_CLOSED) return EVK_ECLOSED;
    if ((flags & EVK_F_FIRST) || !s->in_msg) {
        s->in_msg = true;
        s->len = 0;
        s->t_first = now_ms;
        if (flags & EVK_F_BINARY) {
            char reason[EVK_REASON_MAX];
            snprintf(reason, sizeof reason, "binary message: every message must be a text frame");
            memset(&s->last, 0, sizeof s->last);
            s->last.violation = EVK_V_NOT_TEXT;
            s->last.close_code = evk_profile_send_code(s->cfg.profile, EVK_V_NOT_TEXT);
            snprintf(s->last.reason, sizeof s->last.reason, "%s", reason);
            return violation_close(s, EVK_V_NOT_TEXT, reason);
        }
        if (flags & EVK_F_FINAL) { /* a whole message: judge it in place */
            s->in_msg = false;
            if (len > s->cfg.max_message) goto too_big;
            return process(s, data, len, true, now_ms);
        }
    }
    if (len > s->cfg.max_message - s->len) goto too_big;
    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + len) cap *= 2;
        if (cap > s->cfg.max_message) cap = s->cfg.max_message;
        char *b = realloc(s->buf, cap);
        if (!b) return EVK_ENOMEM;
        s->buf = b;
        s->cap = cap;
    }
    if (len) memcpy(s->buf + s->len, data, len);
    s->len += len;
    if (!(flags & EVK_F_FINAL)) return 0;
    s->in_msg = false;
    /* The sender's clock started when it sent the first piece. */
    int rc = process(s, s->buf, s->len, true, s->t_first);
    if (s->cap > (64u << 10)) { /* do not keep a huge buffer for small messages */
        free(s->buf);
        s->buf = NULL;
        s->cap = 0;
    }
    return rc;

too_big:;
    char reason[EVK_REASON_MAX];
    snprintf(reason, sizeof reason, "message larger than %zu bytes", s->cfg.max_message);
    return queue_close(s, EVK_CLOSE_TOO_BIG, EVK_V_NONE, reason);
}

int evk_session_on_tick(evk_session *s, uint64_t now_ms)
{
    if (!s) return EVK_EINVAL;
    if (s->state == EVK_S_CLOSED || s->state == EVK_S_NEW) return 0;
    evk_uuid id;
    uint64_t deadline;
    if (!evk_tracker_expire(s->out, now_ms, &id, &deadline)) return 0;
    char ids[EVK_UUID_STRLEN + 1], reason[EVK_REASON_MAX];
    id_text(&id, ids);
    snprintf(reason, sizeof reason, "Event %s was not acked within %llu ms", ids,
             (unsigned long long)s->limit);
    return violation_close(s, EVK_V_ACK_TIMEOUT, reason);
}

int evk_session_on_peer_close(evk_session *s, int code, uint64_t now_ms)
{
    (void)code;
    (void)now_ms;
    if (!s) return EVK_EINVAL;
    s->state = EVK_S_CLOSED;
    s->in_msg = false;
    return 0;
}

int evk_session_send_event(evk_session *s, const evk_uuid *id, const char *payload_json,
                           uint64_t now_ms)
{
    if (!s || !id) return EVK_EINVAL;
    if (s->state == EVK_S_CLOSED) return EVK_ECLOSED;
    /* A server may send Events right after its handshake Event; a client only
     * once it has acked the handshake (PROTOCOL.md §1). */
    bool allowed = s->state == EVK_S_MESSAGING || (s->cfg.role == EVK_ROLE_SERVER && s->state == EVK_S_HANDSHAKE);
    if (!allowed) return EVK_ESTATE;
    if (evk_tracker_contains(s->out, id)) return EVK_EDUPID;
    evk_action *a = push(s);
    if (!a) return EVK_ENOMEM;
    int rc = evk_compose_event(s->cfg.profile, id, wall_us(s, now_ms), payload_json, a->text,
                               sizeof a->text, &a->len);
    if (rc == 0) rc = evk_tracker_sent(s->out, id, now_ms);
    if (rc < 0) {
        s->qlen--;
        return rc;
    }
    a->kind = EVK_A_SEND;
    a->msg = EVK_MSG_EVENT;
    a->id = *id;
    s->st.events_out++;
    return 0;
}

int evk_session_ack(evk_session *s, const evk_uuid *id, uint64_t now_ms)
{
    if (!s || !id) return EVK_EINVAL;
    if (s->state == EVK_S_CLOSED) return EVK_ECLOSED;
    if (!evk_tracker_contains(s->in, id)) return EVK_ENOTFOUND;
    int rc = queue_ack(s, id, now_ms);
    if (rc < 0) return rc;
    evk_tracker_acked(s->in, id);
    if (s->cfg.role == EVK_ROLE_CLIENT && s->state == EVK_S_HANDSHAKE && s->have_hs &&
        evk_uuid_equal(id, &s->hs_id))
        s->state = EVK_S_MESSAGING;
    return 0;
}

int evk_session_close(evk_session *s, int code, const char *reason, uint64_t now_ms)
{
    (void)now_ms;
    if (!s) return EVK_EINVAL;
    if (s->state == EVK_S_CLOSED) return EVK_ECLOSED;
    return queue_close(s, code, EVK_V_NONE, reason);
}

bool evk_session_pop(evk_session *s, evk_action *out)
{
    if (!s || s->qhead == s->qlen) return false;
    const evk_action *a = &s->q[s->qhead++];
    /* Copy only the used part of the text. */
    memcpy(out, a, offsetof(evk_action, text));
    memcpy(out->text, a->text, a->len);
    out->text[a->len] = '\0';
    out->len = a->len;
    out->code = a->code;
    out->violation = a->violation;
    memcpy(out->reason, a->reason, sizeof out->reason);
    return true;
}

bool evk_session_next_deadline(const evk_session *s, uint64_t *at_ms)
{
    if (!s || s->state == EVK_S_CLOSED) return false;
    return evk_tracker_next_deadline(s->out, at_ms, NULL);
}

evk_state evk_session_state(const evk_session *s)
{
    return s->state;
}

uint64_t evk_session_limit_ms(const evk_session *s)
{
    return s->limit;
}

bool evk_session_awaits_ack(const evk_session *s, const evk_uuid *id)
{
    return evk_tracker_contains(s->out, id);
}

bool evk_session_owes_ack(const evk_session *s, const evk_uuid *id)
{
    return evk_tracker_contains(s->in, id);
}

size_t evk_session_unacked_out(const evk_session *s)
{
    return evk_tracker_count(s->out);
}

bool evk_session_handshake_id(const evk_session *s, evk_uuid *id)
{
    if (!s->have_hs) return false;
    if (id) *id = s->hs_id;
    return true;
}

const evk_session_stats *evk_session_stats_get(const evk_session *s)
{
    return &s->st;
}

const evk_message *evk_session_last_message(const evk_session *s)
{
    return &s->last;
}
