#include "evk_fl_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evk_err.h"
#include "evk_fl_defects.h"
#include "evk_fl_msg.h"
#include "evk_json.h"
#include "evk_validate.h"

#define PICK(r, a) evk_fl_pick(r, a)
#define BIT(v) (1u << (unsigned)(v))
#define MAX_IDS 32

typedef struct gen {
    const evk_fl_gen_opts *o;
    const evk_profile *p;
    evk_fl_rng r;
    evk_fl_case *fc;
    bool server;        /* the target is a server */
    char ids[MAX_IDS][37]; /* ids of our Events, to reuse or to ack wrongly */
    int nids;
    int rc;             /* the first error */
    bool held;          /* a HOLD step is in: the runner counts held Events per case */
    bool pinged;        /* a ping is in: a peer may answer back-to-back pings with one pong */
    char text[EVK_FL_TEXT_MAX];
} gen;

/* ---- steps ---------------------------------------------------------- */

static void add(gen *g, const evk_step *st)
{
    if (!g->rc) g->rc = evk_fl_case_add(g->fc, st);
}

static void send_raw(gen *g, evk_step_kind kind, const char *text, size_t len, int fragments)
{
    evk_step st = {.kind = kind, .n = kind == EVK_STEP_SEND_FRAGMENTS ? fragments : 0,
                   .msg = {.kind = EVK_MSG_NONE, .raw = text, .raw_len = len}};
    add(g, &st);
}

static void simple(gen *g, evk_step_kind kind, int n, double frac, unsigned ms)
{
    evk_step st = {.kind = kind, .n = n, .frac = frac, .ms = ms};
    add(g, &st);
}

static void ack_step(gen *g, evk_step_kind kind, int n, double frac, const evk_msg_tpl *t)
{
    evk_step st = {.kind = kind, .n = n, .frac = frac};
    if (t) st.msg = *t;
    add(g, &st);
}

static const char *fresh_id(gen *g)
{
    int k = g->nids < MAX_IDS ? g->nids++ : (int)evk_fl_rng_below(&g->r, MAX_IDS);
    evk_fl_uuid_text(&g->r, g->ids[k]);
    return g->ids[k];
}

static void shuffle(gen *g, evk_fl_msg *m)
{
    for (size_t i = m->n; i > 1; i--) {
        size_t j = (size_t)evk_fl_rng_below(&g->r, i);
        evk_fl_member t = m->m[i - 1];
        m->m[i - 1] = m->m[j];
        m->m[j] = t;
    }
}

/* Changes that keep a message valid. */
static void valid_noise(gen *g, evk_fl_msg *m, bool event)
{
    char k[EVK_FL_KEY_MAX], v[EVK_FL_VAL_MAX];
    if (evk_fl_rng_pct(&g->r, 25)) {
        int n = (int)evk_fl_rng_range(&g->r, 1, 3);
        for (int i = 0; i < n; i++) {
            evk_fl_extra_key(&g->r, k, sizeof k);
            evk_fl_value_any(&g->r, 3, v, sizeof v);
            evk_fl_msg_add(m, k, v);
        }
    }
    int id = evk_fl_msg_find(m, "id");
    if (id >= 0 && evk_fl_rng_pct(&g->r, 10)) {
        char plain[64];
        snprintf(plain, sizeof plain, "%.36s", m->m[id].val + 1);
        if (strlen(plain) == 36) evk_fl_uuid_valid_variant(&g->r, plain, m->m[id].val, sizeof m->m[id].val);
    }
    int ty = evk_fl_msg_find(m, g->p->discriminator);
    if (ty >= 0 && evk_fl_rng_pct(&g->r, 8))
        evk_fl_escape_string(&g->r, event ? g->p->event.type_value : g->p->ack.type_value, m->m[ty].val,
                             sizeof m->m[ty].val);
    if (evk_fl_rng_pct(&g->r, 15)) m->ws = 1;
    if (evk_fl_rng_pct(&g->r, 15)) shuffle(g, m);
}

/* When a valid Ack of a target's Event goes out, as a fraction of the limit:
 * mostly at once (sessions stay short), sometimes late in the allowed time
 * (a target enforcing a shorter limit shows), never near the limit itself
 * (the latency between the two clocks would decide). */
static double valid_frac(gen *g)
{
    double hi = 0.6; /* below the limit minus the judge's tolerance, by 50 ms */
    uint64_t limit = g->o->limit_ms;
    if (limit) {
        uint64_t tol = limit / 10 > 150 ? limit / 10 : 150;
        double room = (double)limit - (double)tol - 50.0;
        if (room / (double)limit < hi) hi = room > 0 ? room / (double)limit : 0;
    }
    unsigned top = (unsigned)(hi * 100.0); /* in hundredths */
    if (top <= 10 || evk_fl_rng_pct(&g->r, 70))
        return (double)evk_fl_rng_below(&g->r, top < 10 ? top + 1 : 10) / 100.0;
    return (double)evk_fl_rng_range(&g->r, 10, top) / 100.0;
}

/* Is text a valid message of kind with nothing a judge only reports? */
static bool clean_valid(gen *g, const char *text, size_t len, evk_msg_kind kind)
{
    evk_message m;
    evk_validate(g->p, text, len, true, &m);
    return m.violation == EVK_V_NONE && m.kind == kind && m.notes == 0;
}

/* ---- the prefix: valid traffic ------------------------------------- */

/* Wait until everything sent has left and every Ack so far came. */
static void wait_for_acks(gen *g)
{
    simple(g, EVK_STEP_WAIT_ACKS, 0, 0, 0);
}

/* n valid Events in bursts of 25, waiting for the Acks in between: the
 * transport writes one frame per loop turn, and a short queue keeps the
 * Acks' timing (measured from when a message left) close to the target's. */
static void long_run(gen *g, int n)
{
    for (int done = 0; done < n && !g->rc;) {
        int k = n - done < 25 ? n - done : 25;
        simple(g, EVK_STEP_EVENTS, k, 0, 0);
        done += k;
        if (done < n) wait_for_acks(g);
    }
    evk_fl_case_describe(g->fc, "%d valid Events in bursts of 25", n);
}

/* One valid Event of ours (id NULL: a fresh one). */
static void valid_event(gen *g, const char *id, bool may_fragment)
{
    evk_fl_msg m;
    if (!id) id = fresh_id(g);
    evk_fl_msg_base(&m, g->p, EVK_MSG_EVENT, id, &g->r);
    valid_noise(g, &m, true);
    size_t n = evk_fl_msg_write(&m, &g->r, g->text, sizeof g->text);
    if (!n || !clean_valid(g, g->text, n, EVK_MSG_EVENT)) {
        evk_fl_msg_base(&m, g->p, EVK_MSG_EVENT, id, &g->r);
        n = evk_fl_msg_write(&m, NULL, g->text, sizeof g->text);
    }
    if (may_fragment && evk_fl_rng_pct(&g->r, 20))
        send_raw(g, EVK_STEP_SEND_FRAGMENTS, g->text, n, (int)evk_fl_rng_range(&g->r, 2, 6));
    else
        send_raw(g, EVK_STEP_SEND, g->text, n, 0);
}

/* A valid Ack template for one of the target's Events (the runner fills the id). */
static evk_msg_tpl valid_ack_tpl(gen *g, const char *which)
{
    static const char *const extras[] = {",\"note\":\"hi\"", ",\"n\":[1,{}]", ",\"x\":null,\"y\":\"\\u00e9\""};
    evk_msg_tpl t = {.kind = EVK_MSG_ACK, .id = which};
    unsigned k = (unsigned)evk_fl_rng_below(&g->r, 10);
    if (k == 0) t.id = strcmp(which, "hs") == 0 ? "HS" : "HELD";
    else if (k == 1) t.extra = PICK(&g->r, extras);
    else if (k == 2) t.spaced = true;
    else if (k == 3) t.escaped = true;
    return t;
}

/* Get k Events of the target's and ack them all in time, in any order. */
static void hold_and_ack(gen *g)
{
    int k = (int)evk_fl_rng_range(&g->r, 1, 3);
    int order[3] = {0, 1, 2};
    for (int i = k; i > 1; i--) {
        int j = (int)evk_fl_rng_below(&g->r, (uint64_t)i), t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    simple(g, EVK_STEP_HOLD, k, 0, 0);
    for (int i = 0; i < k; i++) {
        evk_msg_tpl t = valid_ack_tpl(g, "held");
        /* well inside the limit: a target's clock and ours differ by the latency */
        ack_step(g, EVK_STEP_ACK_HELD, order[i], valid_frac(g), &t);
    }
    evk_fl_case_describe(g->fc, "got %d target Event(s), acked them in time%s", k, k > 1 ? " in a shuffled order" : "");
}

static void prefix_unit(gen *g)
{
    unsigned u = (unsigned)evk_fl_rng_below(&g->r, 100);
    bool trig = g->o->trigger;
    if (u < 40) {
        valid_event(g, NULL, true);
        evk_fl_case_describe(g->fc, "a valid Event");
    } else if (u < 55) {
        int n = (int)evk_fl_rng_range(&g->r, 2, 8);
        for (int i = 0; i < n; i++) valid_event(g, NULL, true);
        evk_fl_case_describe(g->fc, "%d valid Events", n);
    } else if (u < 62 && !g->pinged) {
        /* One per session: RFC 6455 §5.5.3 lets a peer answer only the latest of several pings. */
        g->pinged = true;
        simple(g, EVK_STEP_PING, 0, 0, 0);
        evk_fl_case_describe(g->fc, "a ping");
    } else if (u < 70) {
        unsigned ms = (unsigned)evk_fl_rng_range(&g->r, 1, 30);
        simple(g, EVK_STEP_WAIT, 0, 0, ms);
        evk_fl_case_describe(g->fc, "a pause of %u ms", ms);
    } else if (u < 76) {
        char id[37];
        snprintf(id, sizeof id, "%s", fresh_id(g));
        valid_event(g, id, true);
        wait_for_acks(g);
        valid_event(g, id, true);
        evk_fl_case_describe(g->fc, "an Event, its Ack, the same id again");
    } else if (u < 90 && trig && !g->held) {
        g->held = true;
        hold_and_ack(g);
    } else if (u < 95) {
        wait_for_acks(g);
        evk_fl_case_describe(g->fc, "waited for the Acks");
    } else {
        valid_event(g, NULL, true);
        evk_fl_case_describe(g->fc, "a valid Event");
    }
}

/* ---- the final unit: a violation, or a choice left to the target --- */

/* One structure-aware change of a schema field; what it did goes to what. */
static void struct_mutation(gen *g, evk_fl_msg *m, evk_msg_kind kind, char *what, size_t wcap)
{
    const evk_profile *p = g->p;
    const evk_schema *s = kind == EVK_MSG_EVENT ? &p->event : &p->ack;
    /* A field: the discriminator or one of the schema's. */
    size_t nf = s->n_fields + 1, pickf = (size_t)evk_fl_rng_below(&g->r, nf);
    const char *name = pickf == s->n_fields ? p->discriminator : s->fields[pickf].name;
    const evk_field *f = pickf == s->n_fields ? NULL : &s->fields[pickf];
    unsigned types = f ? f->types : EVK_JT_STRING;
    char v[EVK_FL_VAL_MAX];
    int i = evk_fl_msg_find(m, name);
    unsigned op = (unsigned)evk_fl_rng_below(&g->r, 10);
    if (op < 2) {
        evk_fl_msg_drop(m, name);
        snprintf(what, wcap, "\"%s\" dropped", name);
        return;
    }
    if (op < 4) {
        evk_fl_value_not_of(&g->r, types, v, sizeof v);
        evk_fl_msg_set(m, name, v);
        snprintf(what, wcap, "\"%s\" retyped to %.40s", name, v);
        return;
    }
    /* corrupt the value */
    if (!f) {
        static const char *const kinds[] = {"\"Event\"", "\"EVENT\"", "\"evnt\"", "\"\"", "\"event \"",
                                            "\"ACK\"", "\"Ack\"", "\"message\"", "\"e\\u0076ent\"", "\"ack\""};
        const char *k = PICK(&g->r, kinds);
        evk_fl_msg_set(m, name, k);
        snprintf(what, wcap, "\"%s\" set to %s", name, k);
        return;
    }
    if (f->format == EVK_FMT_UUID) {
        char plain[64] = "";
        if (i >= 0) snprintf(plain, sizeof plain, "%.36s", m->m[i].val + 1);
        if (strlen(plain) != 36) evk_fl_uuid_text(&g->r, plain);
        evk_fl_uuid_invalid(&g->r, plain, v, sizeof v);
    } else if (f->format == EVK_FMT_ISO8601) {
        evk_fl_ts_invalid(&g->r, v, sizeof v);
    } else if (f->n_enum) {
        char e[EVK_NAME_MAX + 8];
        snprintf(e, sizeof e, "%s", f->enums[evk_fl_rng_below(&g->r, f->n_enum)]);
        unsigned how = (unsigned)evk_fl_rng_below(&g->r, 5);
        if (how == 0 && e[0] >= 'a' && e[0] <= 'z') e[0] = (char)(e[0] - 'a' + 'A');
        else if (how == 1) snprintf(e, sizeof e, "unknown");
        else if (how == 2) e[0] = '\0';
        else if (how == 3 && p->has_fatal && strcmp(f->name, p->fatal_field) == 0) snprintf(e, sizeof e, "%s", p->fatal_value);
        snprintf(v, sizeof v, "\"%s\"", e);
    } else if (f->types & EVK_JT_OBJECT) {
        evk_fl_value_not_of(&g->r, f->types, v, sizeof v);
    } else {
        evk_fl_value_not_of(&g->r, f->types, v, sizeof v);
    }
    evk_fl_msg_set(m, name, v);
    snprintf(what, wcap, "\"%s\" set to %.60s", name, v);
}

/* Decide how the final message travels and add it with its alternatives.
 * extra: classes also acceptable beyond the ones the text itself carries. */
static bool send_final(gen *g, const char *text, size_t len, unsigned extra, const int *codes_in, bool may_frame)
{
    evk_violation first;
    unsigned how = may_frame ? (unsigned)evk_fl_rng_below(&g->r, 100) : 0;
    bool binary = how >= 94, frag = how >= 80 && !binary;
    unsigned bits = evk_fl_defects(g->p, text, len, !binary, &first);
    if (first == EVK_V_NONE) {
        /* Still valid: fine, unless it is the sort the spec leaves open. */
        evk_message m;
        evk_validate(g->p, text, len, true, &m);
        if (m.notes) return false;
        extra = 0;
    }
    int codes[4] = {0};
    size_t nc = 0;
    if (codes_in)
        for (; *codes_in && nc < 3; codes_in++) codes[nc++] = *codes_in;
    if (!binary && !evk_utf8_valid(text, len) && nc < 3) codes[nc++] = 1007;
    evk_case probe = g->fc->c;
    if (!evk_fl_add_alternatives(&probe, g->p, (bits | extra) & ~BIT(first), codes)) return false;
    g->fc->c.also = probe.also;
    memcpy(g->fc->c.also_codes, probe.also_codes, sizeof probe.also_codes);
    if (binary) send_raw(g, EVK_STEP_SEND_BINARY, text, len, 0);
    else if (frag) send_raw(g, EVK_STEP_SEND_FRAGMENTS, text, len, (int)evk_fl_rng_range(&g->r, 2, 8));
    else send_raw(g, EVK_STEP_SEND, text, len, 0);
    if (binary) evk_fl_case_describe(g->fc, "(sent as a binary frame)");
    else if (frag) evk_fl_case_describe(g->fc, "(sent in fragments)");
    return true;
}

static bool final_struct_event(gen *g)
{
    evk_fl_msg m;
    char what[3][160], all[520] = "";
    evk_fl_msg_base(&m, g->p, EVK_MSG_EVENT, fresh_id(g), &g->r);
    int n = evk_fl_rng_pct(&g->r, 80) ? 1 : evk_fl_rng_pct(&g->r, 75) ? 2 : 3;
    for (int i = 0; i < n; i++) {
        struct_mutation(g, &m, EVK_MSG_EVENT, what[i], sizeof what[i]);
        size_t used = strlen(all);
        snprintf(all + used, sizeof all - used, "%s%s", i ? ", " : "", what[i]);
    }
    if (evk_fl_rng_pct(&g->r, 30)) valid_noise(g, &m, true);
    size_t len = evk_fl_msg_write(&m, &g->r, g->text, sizeof g->text);
    if (!len) return false;
    evk_fl_case_describe(g->fc, "then an Event with %s", all);
    return send_final(g, g->text, len, 0, NULL, true);
}

/* An Ack written by us: of an unknown id, of one of our own Events, or of
 * the target's handshake Event (already acked: a duplicate). */
static bool final_raw_ack(gen *g, bool mutate)
{
    const char *id;
    const char *whose;
    char buf[37];
    unsigned k = (unsigned)evk_fl_rng_below(&g->r, 10);
    if (k < 4 || (k < 7 && !g->nids) || (k >= 7 && (!g->server || !g->p->has_handshake))) {
        evk_fl_uuid_text(&g->r, buf);
        id = buf;
        whose = "an unknown id";
    } else if (k < 7) {
        id = g->ids[evk_fl_rng_below(&g->r, (uint64_t)g->nids)];
        whose = "the id of one of our own Events";
    } else {
        id = "${hs}";
        whose = "the target's handshake Event again";
    }
    evk_fl_msg m;
    char what[160] = "";
    evk_fl_msg_base(&m, g->p, EVK_MSG_ACK, id, &g->r);
    if (mutate) struct_mutation(g, &m, EVK_MSG_ACK, what, sizeof what);
    if (evk_fl_rng_pct(&g->r, 30)) valid_noise(g, &m, false);
    size_t len = evk_fl_msg_write(&m, &g->r, g->text, sizeof g->text);
    if (!len) return false;
    evk_fl_case_describe(g->fc, "then an Ack naming %s%s%s", whose, what[0] ? ", with " : "", what);
    /* A peer may look the id up before it checks the other fields. */
    return send_final(g, g->text, len, BIT(EVK_V_UNKNOWN_ACK), NULL, true);
}

static bool final_bytes(gen *g)
{
    evk_fl_msg m;
    bool ack = evk_fl_rng_pct(&g->r, 25);
    char buf[37];
    evk_fl_uuid_text(&g->r, buf);
    evk_fl_msg_base(&m, g->p, ack ? EVK_MSG_ACK : EVK_MSG_EVENT, ack ? buf : fresh_id(g), &g->r);
    if (evk_fl_rng_pct(&g->r, 40)) valid_noise(g, &m, !ack);
    size_t len0 = evk_fl_msg_write(&m, &g->r, g->text, sizeof g->text);
    if (!len0) return false;
    char keep[EVK_FL_TEXT_MAX];
    memcpy(keep, g->text, len0 + 1);
    for (int tries = 0; tries < 4; tries++) {
        size_t len = len0;
        memcpy(g->text, keep, len0 + 1);
        evk_fl_mutate_bytes(&g->r, g->text, &len, sizeof g->text - 1);
        evk_fl_case_describe(g->fc, tries ? "again" : "then %s with byte-level mutations", ack ? "an Ack of an unknown id" : "an Event");
        if (send_final(g, g->text, len, ack ? BIT(EVK_V_UNKNOWN_ACK) : 0, NULL, true)) return true;
    }
    return false;
}

static bool final_not_json(gen *g)
{
#define T(s) {s, sizeof(s) - 1}
    static const struct { const char *text; size_t len; } texts[] = {
        T(""), T(" "), T("this is not JSON"), T("{"), T("}"), T("[]"), T("[{}]"), T("\"event\""), T("42"),
        T("-0"), T("null"), T("true"), T("{\"type\":\"event\",}"), T("{'type':'event'}"),
        T("{type:\"event\"}"), T("{\"type\":\"event\"}}"), T("{\"type\":\"event\",\"id\":NaN}"),
        T("{\"a\":Infinity}"), T("/**/{}"), T("{}//"), T("\xef\xbb\xbf{}"), T("{\"x\":01}"), T("{\"x\":1.}"),
        T("{\"x\":.5}"), T("{\"x\":\"\t\"}"), T("{\"x\":\"\\x\"}"), T("{\"x\":\"\\u12\"}"), T("{\"x\":\"\xff\"}"),
        T("{\"x\":\"\xc0\xaf\"}"), T("{\"x\":\"\xed\xa0\x80\"}"), T("{\f}"), T("{\"x\"}"), T("{1:2}"),
        T("{\"x\":[1,]}"), T("{\"x\":tru}"), T("{\"x\":nul}"), T("\0"), T("{\"x\":\"a\0b\"}"), T("{} {}"),
        T("{\"x\":\"\\uD800\\u\"}"), T("{\"x\":-}"), T("{\"x\":1e}"), T("{\"\":}"),
    };
#undef T
    if (evk_fl_rng_pct(&g->r, 50)) {
        size_t i = (size_t)evk_fl_rng_below(&g->r, EVK_COUNTOF(texts));
        evk_fl_case_describe(g->fc, "then a text that is not a JSON object");
        return send_final(g, texts[i].text, texts[i].len, 0, NULL, true);
    }
    /* A valid message and something after it: parsers that stop at the end
     * of the first value accept it. */
    static const char *const tails[] = {"}", " x", "{}", ",", "]", "\"", " //c", "\n{\"a\":1}", "0", "/* */", "\t}"};
    evk_fl_msg m;
    evk_fl_msg_base(&m, g->p, EVK_MSG_EVENT, fresh_id(g), &g->r);
    size_t len = evk_fl_msg_write(&m, &g->r, g->text, sizeof g->text);
    const char *tail = PICK(&g->r, tails);
    if (!len || len + strlen(tail) + 1 > sizeof g->text) return false;
    memcpy(g->text + len, tail, strlen(tail) + 1);
    evk_fl_case_describe(g->fc, "then a valid Event followed by \"%s\"", tail);
    return send_final(g, g->text, len + strlen(tail), 0, NULL, true);
}

static bool final_binary(gen *g)
{
    evk_fl_msg m;
    unsigned k = (unsigned)evk_fl_rng_below(&g->r, 3);
    size_t len = 0;
    if (k == 0) {
        evk_fl_msg_base(&m, g->p, EVK_MSG_EVENT, fresh_id(g), &g->r);
        len = evk_fl_msg_write(&m, NULL, g->text, sizeof g->text);
    } else if (k == 1) {
        len = (size_t)evk_fl_rng_range(&g->r, 1, 64);
        for (size_t i = 0; i < len; i++) g->text[i] = (char)evk_fl_rng_below(&g->r, 256);
        for (size_t i = 0; i + 1 < len; i++)
            if (g->text[i] == '$' && g->text[i + 1] == '{') g->text[i + 1] = '(';
    }
    g->text[len] = '\0';
    evk_fl_case_describe(g->fc, "then a binary message (%s)", k == 0 ? "a valid Event" : k == 1 ? "random bytes" : "empty");
    send_raw(g, EVK_STEP_SEND_BINARY, g->text, len, 0);
    return true;
}

static bool final_duplicate_id(gen *g)
{
    char id[37];
    snprintf(id, sizeof id, "%s", fresh_id(g));
    valid_event(g, id, false);
    valid_event(g, id, false);
    /* A target that acks at once never sees both unacked: two Acks are right too. */
    g->fc->c.also = EVK_V_DUPLICATE_ID;
    evk_fl_case_describe(g->fc, "then two Events with the same id back to back");
    return true;
}

static bool final_big(gen *g, bool deep)
{
    evk_fl_msg m;
    evk_fl_msg_base(&m, g->p, EVK_MSG_EVENT, fresh_id(g), &g->r);
    size_t n;
    char v[64];
    if (deep) {
        n = evk_fl_rng_pct(&g->r, 50) ? (size_t)evk_fl_rng_range(&g->r, 2, 1000) : (size_t)evk_fl_rng_range(&g->r, 1001, 10000);
        snprintf(v, sizeof v, "${deep:%zu}", n);
    } else {
        static const size_t sizes[] = {1024, 16384, 70000, 70000, 300000, 600000};
        n = PICK(&g->r, sizes) + (size_t)evk_fl_rng_below(&g->r, 1000);
        snprintf(v, sizeof v, "\"${pad:%zu}\"", n);
    }
    evk_fl_msg_add(&m, "\"x\"", v);
    size_t len = evk_fl_msg_write(&m, NULL, g->text, sizeof g->text);
    if (!len) return false;
    /* RFC 8259 §9 lets a parser limit nesting (4002); any peer may refuse a big message (1009). */
    g->fc->c.also = deep ? EVK_V_NOT_JSON : EVK_V_NONE;
    g->fc->c.also_codes[0] = 1009;
    if (deep) evk_fl_case_describe(g->fc, "then a valid Event with %zu nested arrays", n);
    else evk_fl_case_describe(g->fc, "then a valid Event of about %zu bytes", n);
    send_raw(g, evk_fl_rng_pct(&g->r, 20) ? EVK_STEP_SEND_FRAGMENTS : EVK_STEP_SEND, g->text, len,
             (int)evk_fl_rng_range(&g->r, 2, 5));
    return true;
}

/* Target Events acked wrongly: twice, late, never, or with a bad Ack. */
static bool final_held(gen *g)
{
    int k = (int)evk_fl_rng_range(&g->r, 1, 3);
    int bad = (int)evk_fl_rng_below(&g->r, (uint64_t)k);
    unsigned how = (unsigned)evk_fl_rng_below(&g->r, 4);
    simple(g, EVK_STEP_HOLD, k, 0, 0);
    for (int i = 0; i < k; i++) {
        if (i != bad) {
            evk_msg_tpl t = valid_ack_tpl(g, "held");
            ack_step(g, EVK_STEP_ACK_HELD, i, valid_frac(g), &t);
        }
    }
    if (how == 0) { /* twice */
        evk_msg_tpl t = {.kind = EVK_MSG_ACK, .id = "held"};
        ack_step(g, EVK_STEP_ACK_HELD, bad, valid_frac(g), &t);
        evk_msg_tpl again = {.kind = EVK_MSG_ACK, .id = evk_fl_rng_pct(&g->r, 30) ? "HELD" : "held"};
        evk_step st = {.kind = EVK_STEP_SEND, .msg = again};
        add(g, &st);
        evk_fl_case_describe(g->fc, "then got %d target Event(s) and acked one twice", k);
    } else if (how == 1) { /* late: well past the limit and its tolerance */
        double f = 1.4 + (double)evk_fl_rng_below(&g->r, 40) / 100.0;
        evk_msg_tpl t = {.kind = EVK_MSG_ACK, .id = "held"};
        ack_step(g, EVK_STEP_ACK_HELD, bad, f, &t);
        evk_fl_case_describe(g->fc, "then got %d target Event(s) and acked one at %.2f of the limit", k, f);
    } else if (how == 2) {
        evk_fl_case_describe(g->fc, "then got %d target Event(s) and never acked one", k);
    } else { /* a defective Ack of a real Event */
        static const struct { const char *drop, *set, *to; } bads[] = {
            {"sent_at", NULL, NULL}, {"type", NULL, NULL}, {"id", NULL, NULL},
            {NULL, "sent_at", "\"yesterday\""}, {NULL, "sent_at", "42"}, {NULL, "type", "\"Ack\""},
            {NULL, "sent_at", "\"2026-02-30T00:00:00.000000+0000\""}, {NULL, "id", "null"},
            {NULL, "type", "\"event\""},
        };
        size_t b = (size_t)evk_fl_rng_below(&g->r, EVK_COUNTOF(bads));
        evk_msg_tpl t = {.kind = EVK_MSG_ACK, .id = "held", .drop = bads[b].drop, .set = bads[b].set, .to = bads[b].to};
        ack_step(g, EVK_STEP_ACK_HELD, bad, valid_frac(g), &t);
        if (bads[b].drop) evk_fl_case_describe(g->fc, "then got %d target Event(s) and acked one without \"%s\"", k, bads[b].drop);
        else evk_fl_case_describe(g->fc, "then got %d target Event(s) and acked one with \"%s\":%s", k, bads[b].set, bads[b].to);
        /* Which field a peer checks first is open; the id is a known one. */
        evk_case probe = g->fc->c;
        if (!evk_fl_add_alternatives(&probe, g->p, BIT(EVK_V_MISSING_FIELD) | BIT(EVK_V_WRONG_TYPE) | BIT(EVK_V_INVALID_VALUE) | BIT(EVK_V_UNKNOWN_ACK), NULL))
            return true;
        g->fc->c.also = probe.also;
        memcpy(g->fc->c.also_codes, probe.also_codes, sizeof probe.also_codes);
    }
    return true;
}

static bool final_unit(gen *g)
{
    unsigned u = (unsigned)evk_fl_rng_below(&g->r, 100);
    bool trig = g->o->trigger;
    if (u < 24) return final_struct_event(g);
    if (u < 34) return final_raw_ack(g, evk_fl_rng_pct(&g->r, 50));
    if (u < 56) return final_bytes(g);
    if (u < 61) return final_binary(g);
    if (u < 68) return final_not_json(g);
    if (u < 73) return final_duplicate_id(g);
    if (u < 76) return final_big(g, true);
    if (u < 79) return final_big(g, false);
    if (u < 94 && trig && !g->held) {
        g->held = true;
        return final_held(g);
    }
    return final_struct_event(g);
}

/* ---- the opening ---------------------------------------------------- */

/* Client targets: now and then our own handshake Event, its policy valid or
 * not (the profile's pointer under /payload/ only); the session ends there. */
static bool own_handshake(gen *g)
{
    const char *ptr = g->p->policy_pointer;
    if (strncmp(ptr, "/payload/", 9) != 0 || strchr(ptr + 9, '/') || strchr(ptr + 9, '~') || !evk_fl_rng_pct(&g->r, 12))
        return true;
    static const struct { const char *value; bool valid; } values[] = {
        {NULL, false}, {"\"1\"", false}, {"null", false}, {"[]", false}, {"true", false}, {"{}", false},
        {"0", false}, {"-1", false}, {"0.0", false}, {"-0.5", false}, {"1e400", false},
        {"0.5", true}, {"1", true}, {"2.5", true}, {"1e0", true},
    };
    size_t k = (size_t)evk_fl_rng_below(&g->r, EVK_COUNTOF(values));
    char payload[160];
    if (values[k].value) snprintf(payload, sizeof payload, "{\"%s\":%s}", ptr + 9, values[k].value);
    else snprintf(payload, sizeof payload, "{\"note\":\"no policy here\"}");
    g->fc->c.flags |= EVK_CF_OWN_HANDSHAKE;
    evk_step st = {.kind = EVK_STEP_SEND, .msg = {.kind = EVK_MSG_EVENT, .payload = payload}};
    if (evk_fl_rng_pct(&g->r, 20)) st.msg.spaced = true;
    add(g, &st);
    if (values[k].valid) wait_for_acks(g);
    evk_fl_case_describe(g->fc, "our handshake Event with %s", values[k].value ? payload : "no policy");
    return false;
}

/* Returns false when the opening already ends the session (no more steps). */
static bool opening(gen *g)
{
    if (!g->p->has_handshake) return true; /* no handshake phase to play with */
    if (!g->server) return own_handshake(g);
    unsigned u = (unsigned)evk_fl_rng_below(&g->r, 100);
    if (u < 86) return true; /* the runner acks the handshake at once */
    g->fc->c.flags |= EVK_CF_HOLD_HANDSHAKE;
    if (u < 92) {
        evk_msg_tpl t = valid_ack_tpl(g, "hs");
        double f = valid_frac(g);
        ack_step(g, EVK_STEP_ACK_HANDSHAKE, 0, f, &t);
        evk_fl_case_describe(g->fc, "acked the handshake at %.2f of the limit", f);
        return true;
    }
    if (u < 94) {
        evk_fl_case_describe(g->fc, "never acked the handshake Event");
        return false;
    }
    if (u < 96) {
        double f = 1.4 + (double)evk_fl_rng_below(&g->r, 40) / 100.0;
        evk_msg_tpl t = {.kind = EVK_MSG_ACK, .id = "hs"};
        ack_step(g, EVK_STEP_ACK_HANDSHAKE, 0, f, &t);
        evk_fl_case_describe(g->fc, "acked the handshake at %.2f of the limit", f);
        return false;
    }
    if (u < 98 || !g->p->early_message_is_violation) {
        /* A defective Ack of the handshake Event. */
        evk_fl_msg m;
        char what[160];
        evk_fl_msg_base(&m, g->p, EVK_MSG_ACK, "${hs}", &g->r);
        struct_mutation(g, &m, EVK_MSG_ACK, what, sizeof what);
        size_t len = evk_fl_msg_write(&m, &g->r, g->text, sizeof g->text);
        if (!len) return false;
        if (send_final(g, g->text, len, 0, NULL, false)) evk_fl_case_describe(g->fc, "acked the handshake with %s", what);
        else evk_fl_case_describe(g->fc, "never acked the handshake Event");
        return false;
    }
    /* An Event before the handshake Ack (a violation where the profile says so). */
    valid_event(g, NULL, false);
    evk_msg_tpl t = {.kind = EVK_MSG_ACK, .id = "hs"};
    ack_step(g, EVK_STEP_ACK_HANDSHAKE, 0, 0.1, &t);
    evk_fl_case_describe(g->fc, "sent an Event before acking the handshake");
    return false;
}

/* ---- a session ------------------------------------------------------ */

evk_fl_case *evk_fl_generate(const evk_fl_gen_opts *o, uint64_t index)
{
    char id[64];
    snprintf(id, sizeof id, "fl.%llu.%llu", (unsigned long long)o->seed, (unsigned long long)index);
    gen *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->o = o;
    g->p = o->profile;
    g->server = o->target_role == EVK_ROLE_SERVER;
    evk_fl_rng_init(&g->r, o->seed, index);
    g->fc = evk_fl_case_new(id);
    if (!g->fc) {
        free(g);
        return NULL;
    }
    g->fc->seed = o->seed;
    g->fc->index = index;

    if (opening(g)) {
        unsigned len = (unsigned)evk_fl_rng_below(&g->r, 100);
        int units = len < 20 ? 0 : len < 60 ? 1 : len < 80 ? 2 : len < 95 ? (int)evk_fl_rng_range(&g->r, 3, 6)
                                                                       : (int)evk_fl_rng_range(&g->r, 6, 12);
        for (int i = 0; i < units && !g->rc; i++) prefix_unit(g);
        /* Now and then a long run: some targets break after 50 or 200 messages. */
        if (evk_fl_rng_pct(&g->r, 4)) {
            int n = evk_fl_rng_pct(&g->r, 70) ? (int)evk_fl_rng_range(&g->r, 51, 120) : (int)evk_fl_rng_range(&g->r, 201, 260);
            long_run(g, n);
        }
        if (evk_fl_rng_pct(&g->r, 60)) {
            bool done = false;
            for (int tries = 0; tries < 3 && !done && !g->rc; tries++) {
                size_t before = g->fc->n;
                evk_case saved = g->fc->c;
                done = final_unit(g);
                if (!done) { /* roll back what the attempt added */
                    while (g->fc->n > before) g->fc->n--;
                    memset(&g->fc->steps[g->fc->n], 0, sizeof g->fc->steps[0]);
                    g->fc->c.also = saved.also;
                    memcpy(g->fc->c.also_codes, saved.also_codes, sizeof saved.also_codes);
                }
            }
        }
    }
    if (!g->fc->n && !(g->fc->c.flags & EVK_CF_HOLD_HANDSHAKE)) evk_fl_case_describe(g->fc, "connected, acked the handshake, nothing else");
    evk_fl_case *fc = g->fc;
    int rc = g->rc;
    free(g);
    if (rc) {
        evk_fl_case_free(fc);
        return NULL;
    }
    return fc;
}
