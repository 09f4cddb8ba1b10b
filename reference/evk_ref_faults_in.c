/* evk_ref_faults_in.c - faults at the `message` hook: what a faulty peer
 * does with a complete text message before its session judges it.
 *
 * Overview, in file order:
 *   1. handlers  one small function per fault: close, ignore, crash, or
 *                write a replacement text (a lenient parser, a sloppy check)
 *   2. the rules one row per fault: when the message concerns it (before
 *                validation, or with a given verdict, kind and field) and
 *                what it does (a handler, a rewrite of the whole text, or a
 *                value the field is set to)
 *   3. the hook  evk_rf_on_message: find the rule, test it, apply it
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_json.h"
#include "evk_ref_faults_int.h"
#include "evk_rewrite.h"
#include "evk_validate.h"

/* What a handler sees: the message (m is NULL before validation) and where
 * to put a replacement text (malloc'd; the caller frees it). */
typedef struct in_ctx {
    evk_rf *f;
    evk_ref_peer *p;
    const evk_message *m;
    const char *t;
    size_t n;
    char *out;
} in_ctx;

typedef evk_rf_in (*in_fn)(in_ctx *c);

/* ---- 1. handlers ---------------------------------------------------- */

/* A parser that "repairs" a text cut off inside an object or array: it
 * keeps everything up to the last complete member or element and closes
 * what is open. NULL when the text is not cut off that way. */
static char *close_truncated(const char *s, size_t len)
{
    enum { DEPTH = 64 };
    char open[DEPTH], at_cut[DEPTH]; /* the brackets open now, and at the cut */
    size_t depth = 0, cut = 0, cut_depth = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (esc) esc = false;
            else if (c == '\\') esc = true;
            else if (c == '"') in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            if (depth == DEPTH) return NULL;
            open[depth++] = c;
            cut = i + 1, cut_depth = depth; /* an empty container is complete */
            memcpy(at_cut, open, depth);
        } else if (c == '}' || c == ']') {
            if (depth == 0) return NULL;
            depth--;
        } else if (c == ',' && depth > 0) {
            cut = i, cut_depth = depth; /* what precedes a comma is complete */
            memcpy(at_cut, open, depth);
        }
    }
    if (depth == 0 || cut == 0) return NULL;
    char *r = malloc(cut + cut_depth + 1);
    if (!r) return NULL;
    memcpy(r, s, cut);
    for (size_t k = 0; k < cut_depth; k++) r[cut + k] = at_cut[cut_depth - 1 - k] == '{' ? '}' : ']';
    r[cut + cut_depth] = '\0';
    return r;
}

/* A parser that skips a comma before } or ]. NULL when there is none. */
static char *drop_trailing_commas(const char *s, size_t len)
{
    char *r = malloc(len + 1);
    size_t n = 0;
    bool in_str = false, esc = false, dropped = false;
    if (!r) return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (esc) esc = false;
            else if (c == '\\') esc = true;
            else if (c == '"') in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == ',') {
            size_t j = i + 1;
            while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r')) j++;
            if (j < len && (s[j] == '}' || s[j] == ']')) {
                dropped = true;
                continue;
            }
        }
        r[n++] = c;
    }
    r[n] = '\0';
    if (!dropped) {
        free(r);
        return NULL;
    }
    return r;
}

static evk_rf_in close_for(in_ctx *c, evk_violation v, const char *reason)
{
    evk_ref_close_for(c->p, v, reason);
    return EVK_RF_CLOSED;
}

static bool get_id(const in_ctx *c, char *v, size_t cap)
{
    return evk_rw_get_string(c->t, c->n, "id", v, cap);
}

static bool id_has_upper(const in_ctx *c)
{
    char v[256];
    if (!get_id(c, v, sizeof v)) return false;
    for (const char *s = v; *s; s++)
        if (*s >= 'A' && *s <= 'F') return true;
    return false;
}

/* Set a string field to v (quoted as it is). */
static void set_string(in_ctx *c, const char *field, const char *v)
{
    char q[300];
    snprintf(q, sizeof q, "\"%s\"", v);
    c->out = evk_rw_set(c->t, c->n, field, q);
}

static evk_rf_in ignore(in_ctx *c)
{
    (void)c;
    return EVK_RF_IGNORE;
}

static evk_rf_in crash_deep(in_ctx *c)
{
    if (evk_rw_depth(c->t, c->n) > 1000) evk_rf_crash(c->p, "nesting deeper than 1000");
    return EVK_RF_PASS;
}

static evk_rf_in crash_dup_key(in_ctx *c)
{
    if (evk_json_has_dup_key(c->t, c->n) == 1) evk_rf_crash(c->p, "a duplicate key");
    return EVK_RF_PASS;
}

static evk_rf_in crash_lone_surrogate(in_ctx *c)
{
    evk_message m;
    evk_validate(evk_ref_profile(c->p), c->t, c->n, true, &m);
    if (m.notes & EVK_NOTE_LONE_SURROGATE) evk_rf_crash(c->p, "a lone surrogate escape");
    return EVK_RF_PASS;
}

static evk_rf_in close_large(in_ctx *c)
{
    return c->n > (256u << 10) ? close_for(c, EVK_V_NOT_JSON, "message too large") : EVK_RF_PASS;
}

static evk_rf_in close_escapes(in_ctx *c)
{
    bool escapes = memmem(c->t, c->n, "\\u", 2) != NULL;
    return escapes ? close_for(c, EVK_V_NOT_JSON, "unicode escapes are not supported") : EVK_RF_PASS;
}

static evk_rf_in close_spaces(in_ctx *c)
{
    return evk_rw_has_whitespace(c->t, c->n) ? close_for(c, EVK_V_NOT_JSON, "unexpected whitespace") : EVK_RF_PASS;
}

static evk_rf_in ignore_empty(in_ctx *c)
{
    return c->n == 0 ? EVK_RF_IGNORE : EVK_RF_PASS;
}

static evk_rf_in close_after_50(in_ctx *c)
{
    return c->f->messages > 50 ? close_for(c, EVK_V_INVALID_VALUE, "too many messages") : EVK_RF_PASS;
}

static evk_rf_in close_fragmented(in_ctx *c)
{
    bool small_fragmented = c->f->pieces > 1 && c->n < (64u << 10);
    return small_fragmented ? close_for(c, EVK_V_NOT_JSON, "fragmented message") : EVK_RF_PASS;
}

static evk_rf_in close_nonobject(in_ctx *c)
{
    evk_jscan sc;
    bool nonobject = evk_json_scan(c->t, c->n, NULL, 0, &sc) == 0 && sc.top != EVK_JT_OBJECT;
    return nonobject ? close_for(c, EVK_V_MISSING_FIELD, "not an object") : EVK_RF_PASS;
}

static evk_rf_in lower_type(in_ctx *c)
{
    const char *d = evk_ref_profile(c->p)->discriminator;
    char v[256];
    if (!evk_rw_get_string(c->t, c->n, d, v, sizeof v)) return EVK_RF_PASS;
    for (char *ch = v; *ch; ch++)
        if (*ch >= 'A' && *ch <= 'Z') *ch = (char)(*ch - 'A' + 'a');
    set_string(c, d, v);
    return EVK_RF_PASS;
}

static evk_rf_in unbrace_id(in_ctx *c)
{
    char v[256];
    if (!get_id(c, v, sizeof v)) return EVK_RF_PASS;
    const char *core = v;
    if (strlen(v) == 38 && v[0] == '{' && v[37] == '}') v[37] = '\0', core = v + 1;
    else if (strncmp(v, "urn:uuid:", 9) == 0) core = v + 9;
    set_string(c, "id", core);
    return EVK_RF_PASS;
}

/* cJSON's reading stops at the NUL: v is what precedes it. */
static evk_rf_in truncate_id(in_ctx *c)
{
    char v[256];
    evk_uuid u;
    if (get_id(c, v, sizeof v) && evk_uuid_parse(v, strlen(v), &u) == 0) set_string(c, "id", v);
    return EVK_RF_PASS;
}

/* "Acks" the string as it came. */
static evk_rf_in ack_any_id(in_ctx *c)
{
    char v[256], ack[600];
    if (!get_id(c, v, sizeof v)) return EVK_RF_PASS;
    int k = snprintf(ack, sizeof ack, "{\"type\":\"ack\",\"id\":\"%s\",\"sent_at\":" EVK_RF_ANY_TS "}", v);
    if (k > 0 && (size_t)k < sizeof ack) evk_ref_send_raw(c->p, ack, (size_t)k);
    return EVK_RF_IGNORE;
}

static evk_rf_in sent_at_shape_only(in_ctx *c)
{
    char v[256];
    if (evk_rw_get_string(c->t, c->n, "sent_at", v, sizeof v) && strlen(v) >= 20 && v[4] == '-' &&
        v[7] == '-' && v[10] == 'T' && v[13] == ':')
        c->out = evk_rw_set(c->t, c->n, "sent_at", EVK_RF_ANY_TS);
    return EVK_RF_PASS;
}

/* Valid Events. */
static evk_rf_in close_on_reason(in_ctx *c)
{
    bool has = evk_rw_has_key(c->t, c->n, "reason");
    return has ? close_for(c, EVK_V_INVALID_VALUE, "unexpected field reason") : EVK_RF_PASS;
}

static evk_rf_in close_on_upper_event(in_ctx *c)
{
    return id_has_upper(c) ? close_for(c, EVK_V_INVALID_VALUE, "id is not a lower-case UUID") : EVK_RF_PASS;
}

static evk_rf_in close_on_extra(in_ctx *c)
{
    static const char *const known[] = {"type", "id", "sent_at", "status", "payload", "reason", NULL};
    bool extra = evk_rw_has_other_keys(c->t, c->n, known) && !memmem(c->t, c->n, "\"emit\"", 6); /* t is not NUL-terminated */
    return extra ? close_for(c, EVK_V_INVALID_VALUE, "unknown field") : EVK_RF_PASS;
}

static evk_rf_in close_on_offset(in_ctx *c)
{
    char v[256];
    if (!evk_rw_get_string(c->t, c->n, "sent_at", v, sizeof v)) return EVK_RF_PASS;
    size_t vl = strlen(v);
    if (vl && (v[vl - 1] == 'Z' || (vl > 3 && v[vl - 3] == ':')))
        return close_for(c, EVK_V_INVALID_VALUE, "sent_at offset must be +hhmm");
    return EVK_RF_PASS;
}

static evk_rf_in close_on_reuse(in_ctx *c)
{
    evk_rf *f = c->f;
    for (size_t i = 0; i < f->nseen; i++)
        if (evk_uuid_equal(&f->seen[i], &c->m->id)) return close_for(c, EVK_V_DUPLICATE_ID, "id already used");
    if (!f->seen) f->seen = malloc(EVK_RF_SEEN_MAX * sizeof *f->seen);
    if (f->seen && f->nseen < EVK_RF_SEEN_MAX) f->seen[f->nseen++] = c->m->id;
    return EVK_RF_PASS;
}

static evk_rf_in drop_repeat(in_ctx *c)
{
    evk_rf *f = c->f;
    if (f->have_prev && evk_uuid_equal(&f->prev_event, &c->m->id)) return EVK_RF_IGNORE;
    f->have_prev = true;
    f->prev_event = c->m->id;
    return EVK_RF_PASS;
}

static evk_rf_in ack_early(in_ctx *c)
{
    if (evk_ref_role(c->p) != EVK_ROLE_SERVER || evk_session_state(evk_ref_session(c->p)) != EVK_S_HANDSHAKE)
        return EVK_RF_PASS;
    evk_rf_send_ack_of(c->p, &c->m->id);
    return EVK_RF_IGNORE;
}

/* A client that carries on with 1 s when the handshake policy is missing
 * (missing-policy-ignored) or not a positive number (bad-policy-ignored). */
static evk_rf_in policy_default(in_ctx *c, bool missing)
{
    if (evk_ref_role(c->p) != EVK_ROLE_CLIENT || evk_session_handshake_id(evk_ref_session(c->p), NULL))
        return EVK_RF_PASS;
    evk_message m;
    uint64_t limit;
    evk_validate_policy(evk_ref_profile(c->p), c->t, c->n, &limit, &m);
    bool is_missing = m.violation == EVK_V_MISSING_FIELD;
    bool is_bad = m.violation == EVK_V_WRONG_TYPE || m.violation == EVK_V_INVALID_VALUE;
    if (missing ? is_missing : is_bad) c->out = evk_rw_set(c->t, c->n, "payload", "{\"ack_timeout\":1}");
    return EVK_RF_PASS;
}

static evk_rf_in policy_missing(in_ctx *c)
{
    return policy_default(c, true);
}

static evk_rf_in policy_bad(in_ctx *c)
{
    return policy_default(c, false);
}

/* Valid Acks. */
static bool awaited(const in_ctx *c)
{
    return evk_session_awaits_ack(evk_ref_session(c->p), &c->m->id);
}

static evk_rf_in ignore_unknown_ack(in_ctx *c)
{
    return awaited(c) ? EVK_RF_PASS : EVK_RF_IGNORE;
}

static evk_rf_in ignore_second_ack(in_ctx *c)
{
    evk_rf *f = c->f;
    if (awaited(c)) {
        f->recent[f->nrecent++ % EVK_RF_RECENT_MAX] = c->m->id;
        return EVK_RF_PASS;
    }
    for (size_t i = 0; i < f->nrecent && i < EVK_RF_RECENT_MAX; i++)
        if (evk_uuid_equal(&f->recent[i], &c->m->id)) return EVK_RF_IGNORE;
    return EVK_RF_PASS;
}

static evk_rf_in close_on_ack_extra(in_ctx *c)
{
    static const char *const known[] = {"type", "id", "sent_at", NULL};
    bool extra = evk_rw_has_other_keys(c->t, c->n, known);
    return extra ? close_for(c, EVK_V_INVALID_VALUE, "unknown field in an Ack") : EVK_RF_PASS;
}

static evk_rf_in close_on_upper_ack(in_ctx *c)
{
    return id_has_upper(c) ? close_for(c, EVK_V_UNKNOWN_ACK, "Ack for an unknown id") : EVK_RF_PASS;
}

static evk_rf_in close_out_of_order(in_ctx *c)
{
    if (!awaited(c)) return EVK_RF_PASS;
    if (c->f->norder && !evk_uuid_equal(&c->f->order[0], &c->m->id))
        return close_for(c, EVK_V_UNKNOWN_ACK, "Acks must come in order");
    evk_rf_forget_sent(c->f, &c->m->id);
    return EVK_RF_PASS;
}

/* ---- 2. the rules --------------------------------------------------- */

enum { AT_RAW = 1, AT_VERDICT };
#define DISC "" /* in_rule.field: the profile's discriminator */

typedef struct in_rule {
    evk_fault fault;
    int at;                 /* AT_RAW: before validation; AT_VERDICT: when */
    evk_violation v;        /*   the message has this verdict (NONE: valid), */
    evk_msg_kind kind;      /*   is of this kind (NONE: any) */
    const char *field;      /*   and the verdict is about this field (NULL: any) */
    in_fn fn;               /* then: a handler, */
    char *(*rw)(const char *s, size_t len); /* or a rewrite of the text, */
    const char *set;        /* or the field set to this JSON value */
} in_rule;

#define RAW(f, h) {f, AT_RAW, .fn = (h)}
#define ON(f, viol, ...) {f, AT_VERDICT, (viol), __VA_ARGS__}
#define EVENT .kind = EVK_MSG_EVENT
#define ACK .kind = EVK_MSG_ACK

static const in_rule rules[] = {
    /* frames, JSON */
    RAW(EVK_FAULT_FRAGMENTS_REJECTED, close_fragmented),
    ON(EVK_FAULT_INVALID_UTF8_ACCEPTED, EVK_V_NOT_JSON, .rw = evk_rw_replace_invalid_utf8),
    ON(EVK_FAULT_JSON_TRAILING, EVK_V_NOT_JSON, .rw = evk_rw_first_value),
    ON(EVK_FAULT_JSON_COMMENTS, EVK_V_NOT_JSON, .rw = evk_rw_strip_comments),
    ON(EVK_FAULT_JSON_SINGLE_QUOTES, EVK_V_NOT_JSON, .rw = evk_rw_single_quotes),
    ON(EVK_FAULT_JSON_NAN, EVK_V_NOT_JSON, .rw = evk_rw_nan_to_null),
    ON(EVK_FAULT_JSON_CJSON_LENIENT, EVK_V_NOT_JSON, .rw = evk_rw_cjson_roundtrip),
    ON(EVK_FAULT_JSON_NONOBJECT_CODE, EVK_V_NOT_JSON, .fn = close_nonobject),
    RAW(EVK_FAULT_JSON_EMPTY_IGNORED, ignore_empty),
    RAW(EVK_FAULT_DEEP_NESTING_CRASH, crash_deep),
    RAW(EVK_FAULT_DUPLICATE_KEY_CRASH, crash_dup_key),
    RAW(EVK_FAULT_LONE_SURROGATE_CRASH, crash_lone_surrogate),
    ON(EVK_FAULT_JSON_TRUNCATED, EVK_V_NOT_JSON, .rw = close_truncated),
    ON(EVK_FAULT_JSON_TRAILING_COMMA, EVK_V_NOT_JSON, .rw = drop_trailing_commas),
    RAW(EVK_FAULT_LARGE_MESSAGE_4002, close_large),
    RAW(EVK_FAULT_UNICODE_ESCAPES_REJECTED, close_escapes),
    RAW(EVK_FAULT_WHITESPACE_REJECTED, close_spaces),
    /* schema */
    ON(EVK_FAULT_MISSING_TYPE_AS_EVENT, EVK_V_MISSING_FIELD, .field = DISC, .set = "\"event\""),
    ON(EVK_FAULT_MISSING_SENT_AT_ACCEPTED, EVK_V_MISSING_FIELD, .field = "sent_at", .set = EVK_RF_ANY_TS),
    ON(EVK_FAULT_TYPE_CASE_INSENSITIVE, EVK_V_INVALID_VALUE, .field = DISC, .fn = lower_type),
    ON(EVK_FAULT_TYPE_UNKNOWN_AS_EVENT, EVK_V_INVALID_VALUE, .field = DISC, .set = "\"event\""),
    ON(EVK_FAULT_ID_ANY_STRING, EVK_V_INVALID_VALUE, EVENT, .field = "id", .fn = ack_any_id),
    ON(EVK_FAULT_ID_BRACES_ACCEPTED, EVK_V_INVALID_VALUE, .field = "id", .fn = unbrace_id),
    ON(EVK_FAULT_UPPERCASE_UUID_REJECTED, EVK_V_NONE, EVENT, .fn = close_on_upper_event),
    ON(EVK_FAULT_SENT_AT_UNCHECKED, EVK_V_INVALID_VALUE, .field = "sent_at", .set = EVK_RF_ANY_TS),
    ON(EVK_FAULT_SENT_AT_NO_RANGE, EVK_V_INVALID_VALUE, .field = "sent_at", .fn = sent_at_shape_only),
    ON(EVK_FAULT_SENT_AT_ONLY_HHMM, EVK_V_NONE, EVENT, .fn = close_on_offset),
    ON(EVK_FAULT_EXTRA_FIELDS_REJECTED, EVK_V_NONE, EVENT, .fn = close_on_extra),
    ON(EVK_FAULT_STATUS_FATAL_IGNORED, EVK_V_FATAL_STATUS, .field = "status", .set = "\"ok\""),
    ON(EVK_FAULT_STATUS_UNCHECKED, EVK_V_INVALID_VALUE, .field = "status", .set = "\"ok\""),
    ON(EVK_FAULT_PAYLOAD_OPTIONAL, EVK_V_MISSING_FIELD, .field = "payload", .set = "{}"),
    ON(EVK_FAULT_STATUS_OPTIONAL, EVK_V_MISSING_FIELD, .field = "status", .set = "\"ok\""),
    ON(EVK_FAULT_ID_NUL_TRUNCATED, EVK_V_INVALID_VALUE, .field = "id", .fn = truncate_id),
    ON(EVK_FAULT_REASON_REJECTED, EVK_V_NONE, EVENT, .fn = close_on_reason),
    ON(EVK_FAULT_REASON_ANY_TYPE, EVK_V_WRONG_TYPE, .field = "reason", .set = "null"),
    /* acking, and receiving Acks */
    ON(EVK_FAULT_REUSE_REJECTED, EVK_V_NONE, EVENT, .fn = close_on_reuse),
    ON(EVK_FAULT_DUPLICATE_ACKED_ONCE, EVK_V_NONE, EVENT, .fn = drop_repeat),
    ON(EVK_FAULT_UNKNOWN_ACK_IGNORED, EVK_V_NONE, ACK, .fn = ignore_unknown_ack),
    ON(EVK_FAULT_DUPLICATE_ACK_IGNORED, EVK_V_NONE, ACK, .fn = ignore_second_ack),
    ON(EVK_FAULT_OUT_OF_ORDER_ACK_REJECTED, EVK_V_NONE, ACK, .fn = close_out_of_order),
    ON(EVK_FAULT_ACK_EXTRA_FIELDS_REJECTED, EVK_V_NONE, ACK, .fn = close_on_ack_extra),
    ON(EVK_FAULT_ACK_UPPERCASE_REJECTED, EVK_V_NONE, ACK, .fn = close_on_upper_ack),
    ON(EVK_FAULT_ACK_ID_UNCHECKED, EVK_V_INVALID_VALUE, ACK, .field = "id", .fn = ignore),
    /* the handshake */
    ON(EVK_FAULT_EARLY_EVENT_ACCEPTED, EVK_V_NONE, EVENT, .fn = ack_early),
    ON(EVK_FAULT_MISSING_POLICY_IGNORED, EVK_V_NONE, EVENT, .fn = policy_missing),
    ON(EVK_FAULT_BAD_POLICY_IGNORED, EVK_V_NONE, EVENT, .fn = policy_bad),
    /* closing */
    RAW(EVK_FAULT_CLOSE_AFTER_50, close_after_50),
};

/* ---- 3. the hook ---------------------------------------------------- */

static bool about_field(const in_rule *r, const evk_profile *pr, const evk_message *m)
{
    return !r->field || strcmp(m->field, r->field[0] ? r->field : pr->discriminator) == 0;
}

evk_rf_in evk_rf_on_message(evk_rf *f, evk_ref_peer *p, const char **text, size_t *len,
                            unsigned pieces, char **owned)
{
    f->messages++;
    f->pieces = pieces;
    const in_rule *r = NULL;
    for (size_t i = 0; f->fault != EVK_FAULT_NONE && i < sizeof rules / sizeof rules[0]; i++)
        if (rules[i].fault == f->fault) r = &rules[i];
    if (!r) return EVK_RF_PASS;
    const evk_profile *pr = evk_ref_profile(p);
    evk_message m;
    in_ctx c = {.f = f, .p = p, .t = *text, .n = *len};
    if (r->at == AT_VERDICT) {
        evk_validate(pr, c.t, c.n, true, &m);
        if (m.violation != r->v || (r->kind && m.kind != r->kind) || !about_field(r, pr, &m)) return EVK_RF_PASS;
        c.m = &m;
    }
    evk_rf_in verdict = EVK_RF_PASS;
    if (r->fn) verdict = r->fn(&c);
    else if (r->rw) c.out = r->rw(c.t, c.n);
    else if (r->set) c.out = evk_rw_set(c.t, c.n, r->field[0] ? r->field : pr->discriminator, r->set);
    if (c.out) {
        *owned = c.out;
        *text = c.out;
        *len = strlen(c.out);
    }
    return verdict;
}
