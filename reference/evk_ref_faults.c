/* evk_ref_faults.c - the faults of the reference peers at every hook of
 * evk_ref_hooks.h except `message` (evk_ref_faults_in.c has that one).
 *
 * Overview, in file order:
 *   1. state     a fault's memory of one connection (evk_ref_faults_int.h),
 *                helpers
 *   2. handlers  small functions, one per fault and hook, each answering
 *                "what do I change here?": an outgoing Ack, the handshake
 *                Event, a triggered Event, a close, the HTTP upgrade
 *   3. the table one row per fault: which hooks it uses, with a handler or
 *                with data (a handshake payload, the close code to use
 *                instead, a clock skew, binary read as text)
 *   4. hooks     the entry points: find the active fault's row, apply it
 * A fault is one row here (and one rule in evk_ref_faults_in.c when it
 * concerns incoming messages); nothing else in the peer knows its name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_compose.h"
#include "evk_ref_faults_int.h"
#include "evk_rewrite.h"

/* ---- 1. state ------------------------------------------------------- */

typedef struct evk_rf_row fault_row;

void evk_rf_crash(const evk_ref_peer *p, const char *why)
{
    char line[160];
    snprintf(line, sizeof line, "%s: crashing (injected fault)", why);
    evk_ref_say(p, true, line);
    abort();
}

void evk_rf_send_ack_of(evk_ref_peer *p, const evk_uuid *id)
{
    char t[EVK_MAX_OUT];
    size_t n;
    if (evk_compose_ack(evk_ref_profile(p), id, evk_wall_us(), t, sizeof t, &n) == 0)
        evk_ref_send_raw(p, t, n);
}

static void send_owned(evk_ref_peer *p, char *t)
{
    if (t) evk_ref_send_raw(p, t, strlen(t));
    free(t);
}

void evk_rf_forget_sent(evk_rf *f, const evk_uuid *id)
{
    for (size_t i = 0; i < f->norder; i++)
        if (evk_uuid_equal(&f->order[i], id)) {
            memmove(&f->order[i], &f->order[i + 1], (f->norder - i - 1) * sizeof *f->order);
            f->norder--;
            return;
        }
}

/* ---- 2. handlers ---------------------------------------------------- */

/* An outgoing Ack (f->acks_out counts it, f->first_ack tells the first). */
typedef evk_rf_out (*out_fn)(evk_rf *f, evk_ref_peer *p, const evk_action *a);

static bool handshake_ack(const evk_rf *f, const evk_ref_peer *p)
{
    return f->first_ack && evk_ref_role(p) == EVK_ROLE_CLIENT;
}

static uint64_t limit_times_1_5(evk_ref_peer *p)
{
    return evk_clock_ms() + evk_session_limit_ms(evk_ref_session(p)) * 3 / 2;
}

static evk_rf_out no_handshake_ack(evk_rf *f, evk_ref_peer *p, const evk_action *a)
{
    (void)a;
    return handshake_ack(f, p) ? EVK_RF_DONE : EVK_RF_SEND;
}

/* An Event of its own before its handshake Ack; the session tracks it (it
 * is past the handshake already), so the server's Ack of it is expected. */
static evk_rf_out event_before_ack(evk_rf *f, evk_ref_peer *p, const evk_action *a)
{
    (void)a;
    if (!handshake_ack(f, p)) return EVK_RF_SEND;
    evk_session *s = evk_ref_session(p);
    evk_uuid id;
    evk_action ev;
    evk_uuid_v4(&id);
    if (evk_session_send_event(s, &id, NULL, evk_clock_ms()) == 0 && evk_session_pop(s, &ev)) {
        evk_rf_on_event_out(f, &ev.id);
        evk_ref_send_raw(p, ev.text, ev.len);
    }
    return EVK_RF_SEND;
}

static evk_rf_out late_handshake_ack(evk_rf *f, evk_ref_peer *p, const evk_action *a)
{
    if (!handshake_ack(f, p)) return EVK_RF_SEND;
    evk_ref_send_at(p, a->text, a->len, limit_times_1_5(p));
    return EVK_RF_DONE;
}

static evk_rf_out skip_third(evk_rf *f, evk_ref_peer *p, const evk_action *a)
{
    (void)a;
    return f->acks_out % 3 == 0 && !handshake_ack(f, p) ? EVK_RF_DONE : EVK_RF_SEND;
}

static evk_rf_out stop_after_200(evk_rf *f, evk_ref_peer *p, const evk_action *a)
{
    (void)p, (void)a;
    return f->acks_out > 200 ? EVK_RF_DONE : EVK_RF_SEND;
}

static evk_rf_out ack_late(evk_rf *f, evk_ref_peer *p, const evk_action *a)
{
    (void)f;
    evk_ref_send_at(p, a->text, a->len, limit_times_1_5(p));
    return EVK_RF_DONE;
}

static evk_rf_out ack_wrong_id(evk_rf *f, evk_ref_peer *p, const evk_action *a)
{
    (void)f, (void)a;
    evk_uuid other;
    evk_uuid_v4(&other);
    evk_rf_send_ack_of(p, &other);
    return EVK_RF_DONE;
}

static evk_rf_out ack_malformed(evk_rf *f, evk_ref_peer *p, const evk_action *a)
{
    (void)f;
    send_owned(p, evk_rw_del(a->text, a->len, "sent_at"));
    return EVK_RF_DONE;
}

static evk_rf_out ack_twice(evk_rf *f, evk_ref_peer *p, const evk_action *a)
{
    (void)f, (void)p, (void)a;
    return EVK_RF_TWICE;
}

/* The server's handshake Event. */
static evk_rf_out handshake_silent(evk_rf *f, evk_ref_peer *p, const evk_action *a)
{
    (void)f, (void)p, (void)a;
    return EVK_RF_DONE;
}

static evk_rf_out handshake_ack_first(evk_rf *f, evk_ref_peer *p, const evk_action *a)
{
    (void)f, (void)a;
    evk_uuid any;
    evk_uuid_v4(&any);
    evk_rf_send_ack_of(p, &any);
    return EVK_RF_SEND;
}

/* A triggered Event, sent outside the session. */
typedef bool (*emit_fn)(evk_rf *f, evk_ref_peer *p, uint64_t i, const char *payload);

static bool emit_raw(evk_ref_peer *p, const evk_uuid *id, const char *payload, bool drop_sent_at)
{
    char ev[EVK_MAX_OUT];
    size_t n;
    if (evk_compose_event(evk_ref_profile(p), id, evk_wall_us(), payload, ev, sizeof ev, &n) != 0) return true;
    char *t = drop_sent_at ? evk_rw_del(ev, n, "sent_at") : NULL;
    if (t) send_owned(p, t);
    else evk_ref_send_raw(p, ev, n);
    return true;
}

static bool emit_shared_id(evk_rf *f, evk_ref_peer *p, uint64_t i, const char *payload)
{
    if (i == 0) evk_uuid_v4(&f->shared);
    return emit_raw(p, &f->shared, payload, false);
}

static bool emit_no_sent_at(evk_rf *f, evk_ref_peer *p, uint64_t i, const char *payload)
{
    (void)f, (void)i;
    evk_uuid id;
    evk_uuid_v4(&id);
    return emit_raw(p, &id, payload, true);
}

/* A close after a violation. */
typedef evk_rf_out (*close_fn)(evk_rf *f, evk_ref_peer *p, const evk_action *a, int *code, uint64_t *delay_ms);

static evk_rf_out ack_offender(evk_rf *f, evk_ref_peer *p, const evk_action *a, int *code, uint64_t *delay_ms)
{
    (void)f, (void)code, (void)delay_ms;
    const evk_message *m = evk_session_last_message(evk_ref_session(p));
    if (m->kind == EVK_MSG_EVENT && m->has_id && a->violation != EVK_V_ACK_TIMEOUT) evk_rf_send_ack_of(p, &m->id);
    return EVK_RF_SEND;
}

static evk_rf_out drop_connection(evk_rf *f, evk_ref_peer *p, const evk_action *a, int *code, uint64_t *delay_ms)
{
    (void)f, (void)code, (void)delay_ms;
    char line[200];
    snprintf(line, sizeof line, "dropping the connection (%s)", a->reason);
    evk_ref_say(p, false, line);
    evk_ref_drop(p);
    return EVK_RF_DONE;
}

static evk_rf_out close_late(evk_rf *f, evk_ref_peer *p, const evk_action *a, int *code, uint64_t *delay_ms)
{
    (void)f, (void)p, (void)a, (void)code;
    *delay_ms = 600;
    return EVK_RF_SEND;
}

static evk_rf_out close_1000(evk_rf *f, evk_ref_peer *p, const evk_action *a, int *code, uint64_t *delay_ms)
{
    (void)f, (void)p, (void)a, (void)delay_ms;
    *code = 1000;
    return EVK_RF_SEND;
}

/* The HTTP upgrade: does the fault let in what the server would refuse? */
typedef bool (*upgrade_fn)(evk_upgrade refused, const evk_accept_info *info);

static bool lets_in_no_header(evk_upgrade refused, const evk_accept_info *info)
{
    return refused == EVK_UPGRADE_NO_TOKEN && (!info->authorization || !*info->authorization);
}

static bool lets_in_any_token(evk_upgrade refused, const evk_accept_info *info)
{
    (void)info;
    return refused == EVK_UPGRADE_BAD_TOKEN;
}

static bool lets_in_second(evk_upgrade refused, const evk_accept_info *info)
{
    (void)info;
    return refused == EVK_UPGRADE_SECOND;
}

/* ---- 3. the table --------------------------------------------------- */

enum { CLOCK_AS_DECLARED = 0, CLOCK_NEVER, CLOCK_HALF, CLOCK_DOUBLE };

struct evk_rf_row {
    evk_fault fault;
    evk_rf_in binary;       /* binary: AS_TEXT, or IGNORE (empty ones) */
    upgrade_fn upgrade;
    out_fn ack;
    out_fn handshake;
    const char *policy;     /* handshake: payload replaced by this (default policy location) */
    emit_fn emit;
    close_fn close;
    struct { evk_violation from, to; } recode; /* close: to's code for from */
    int clock;              /* CLOCK_* */
    bool tracks_order;      /* event_out: remember the order of our Events */
    bool no_pongs;          /* pings: never answered */
};

static const fault_row rows[] = {
    /* frames */
    {EVK_FAULT_BINARY_AS_TEXT, .binary = EVK_RF_AS_TEXT},
    {EVK_FAULT_BINARY_WRONG_CODE, .recode = {EVK_V_NOT_TEXT, EVK_V_NOT_JSON}},
    {EVK_FAULT_EMPTY_BINARY_IGNORED, .binary = EVK_RF_IGNORE},
    {EVK_FAULT_PINGS_IGNORED, .no_pongs = true},
    /* close codes */
    {EVK_FAULT_WRONG_TYPE_CODE, .recode = {EVK_V_WRONG_TYPE, EVK_V_MISSING_FIELD}},
    {EVK_FAULT_MISSING_FIELD_CODE, .recode = {EVK_V_MISSING_FIELD, EVK_V_INVALID_VALUE}},
    /* acking */
    {EVK_FAULT_ACK_SKIP_THIRD, .ack = skip_third},
    {EVK_FAULT_ACK_TWICE, .ack = ack_twice},
    {EVK_FAULT_ACK_WRONG_ID, .ack = ack_wrong_id},
    {EVK_FAULT_ACK_LATE, .ack = ack_late},
    {EVK_FAULT_ACK_MALFORMED, .ack = ack_malformed},
    {EVK_FAULT_ACK_STOPS_AFTER_200, .ack = stop_after_200},
    /* the flow rules, as a receiver of Acks (evk_ref_faults_in.c judges them) */
    {EVK_FAULT_OUT_OF_ORDER_ACK_REJECTED, .tracks_order = true},
    /* deadlines */
    {EVK_FAULT_DEADLINE_NEVER, .clock = CLOCK_NEVER},
    {EVK_FAULT_DEADLINE_EARLY, .clock = CLOCK_HALF},
    {EVK_FAULT_DEADLINE_LATE, .clock = CLOCK_DOUBLE},
    {EVK_FAULT_DEADLINE_WRONG_CODE, .recode = {EVK_V_ACK_TIMEOUT, EVK_V_UNKNOWN_ACK}},
    /* the handshake */
    {EVK_FAULT_HANDSHAKE_NO_POLICY, .policy = "{}"},
    {EVK_FAULT_HANDSHAKE_POLICY_STRING, .policy = "{\"ack_timeout\":\"1\"}"},
    {EVK_FAULT_HANDSHAKE_POLICY_ZERO, .policy = "{\"ack_timeout\":0}"},
    {EVK_FAULT_HANDSHAKE_ACK_FIRST, .handshake = handshake_ack_first},
    {EVK_FAULT_HANDSHAKE_SILENT, .handshake = handshake_silent},
    {EVK_FAULT_NO_HANDSHAKE_ACK, .ack = no_handshake_ack},
    {EVK_FAULT_LATE_HANDSHAKE_ACK, .ack = late_handshake_ack},
    {EVK_FAULT_EARLY_EVENT, .ack = event_before_ack},
    /* closing */
    {EVK_FAULT_ACK_AFTER_VIOLATION, .close = ack_offender},
    {EVK_FAULT_DROP_INSTEAD_OF_CLOSE, .close = drop_connection},
    {EVK_FAULT_CLOSE_1000, .close = close_1000},
    {EVK_FAULT_CLOSE_LATE_600, .close = close_late},
    /* its own Events */
    {EVK_FAULT_EMIT_DUPLICATE_IDS, .emit = emit_shared_id},
    {EVK_FAULT_EMIT_WITHOUT_SENT_AT, .emit = emit_no_sent_at},
    /* the HTTP upgrade */
    {EVK_FAULT_TOKEN_UNCHECKED, .upgrade = lets_in_any_token},
    {EVK_FAULT_TOKEN_OPTIONAL, .upgrade = lets_in_no_header},
    {EVK_FAULT_SECOND_CONNECTION_ALLOWED, .upgrade = lets_in_second},
};

static const fault_row *row_of(evk_fault f)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (rows[i].fault == f) return &rows[i];
    return NULL;
}

/* ---- 4. hooks ------------------------------------------------------- */

evk_rf *evk_rf_new(evk_fault f)
{
    evk_rf *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->fault = f;
    r->row = row_of(f);
    return r;
}

void evk_rf_free(evk_rf *f)
{
    if (!f) return;
    free(f->seen);
    free(f->order);
    free(f);
}

bool evk_rf_upgrade_lets_in(evk_fault f, evk_upgrade refused, const evk_accept_info *info)
{
    const fault_row *r = row_of(f);
    return r && r->upgrade && r->upgrade(refused, info);
}

evk_rf_in evk_rf_on_binary(evk_rf *f, size_t len, unsigned flags)
{
    const fault_row *r = f->row;
    if (!r || r->binary == EVK_RF_PASS) return EVK_RF_PASS;
    if (r->binary == EVK_RF_IGNORE) return len == 0 && (flags & EVK_F_FINAL) ? EVK_RF_IGNORE : EVK_RF_PASS;
    return r->binary;
}

evk_rf_out evk_rf_on_ack(evk_rf *f, evk_ref_peer *p, const evk_action *a)
{
    f->acks_out++;
    f->first_ack = !f->acked_before;
    f->acked_before = true;
    return f->row && f->row->ack ? f->row->ack(f, p, a) : EVK_RF_SEND;
}

evk_rf_out evk_rf_on_handshake(evk_rf *f, evk_ref_peer *p, const evk_action *a)
{
    const fault_row *r = f->row;
    if (!r) return EVK_RF_SEND;
    if (r->handshake) return r->handshake(f, p, a);
    /* Only the default policy location is rewritten (the shipped profiles use it). */
    if (r->policy && strcmp(evk_ref_profile(p)->policy_pointer, "/payload/ack_timeout") == 0) {
        char *t = evk_rw_set(a->text, a->len, "payload", r->policy);
        if (t) return send_owned(p, t), EVK_RF_DONE;
    }
    return EVK_RF_SEND;
}

void evk_rf_on_event_out(evk_rf *f, const evk_uuid *id)
{
    if (!f->row || !f->row->tracks_order) return;
    if (f->norder == f->caporder) {
        size_t cap = f->caporder ? f->caporder * 2 : 16;
        evk_uuid *o = realloc(f->order, cap * sizeof *o);
        if (!o) return;
        f->order = o;
        f->caporder = cap;
    }
    f->order[f->norder++] = *id;
}

bool evk_rf_on_emit(evk_rf *f, evk_ref_peer *p, uint64_t i, const char *payload)
{
    return f->row && f->row->emit && f->row->emit(f, p, i, payload);
}

evk_rf_out evk_rf_on_close(evk_rf *f, evk_ref_peer *p, const evk_action *a, int *code, uint64_t *delay_ms)
{
    const fault_row *r = f->row;
    if (!r) return EVK_RF_SEND;
    if (r->recode.from != EVK_V_NONE && a->violation == r->recode.from)
        *code = evk_profile_send_code(evk_ref_profile(p), r->recode.to);
    return r->close ? r->close(f, p, a, code, delay_ms) : EVK_RF_SEND;
}

bool evk_rf_clock(const evk_rf *f, uint64_t limit_ms, int64_t *skew_ms)
{
    int clock = f->row ? f->row->clock : CLOCK_AS_DECLARED;
    *skew_ms = clock == CLOCK_HALF ? (int64_t)limit_ms / 2 : clock == CLOCK_DOUBLE ? -(int64_t)limit_ms : 0;
    return clock != CLOCK_NEVER;
}

bool evk_rf_answers_pings(const evk_rf *f)
{
    return !f->row || !f->row->no_pongs;
}
