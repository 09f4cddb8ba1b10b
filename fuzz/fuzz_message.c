/* fuzz_message: bytes -> evk_validate under both shipped profiles.
 *
 * data[0] holds options (bit 0: the message arrived as a binary frame); the
 * rest is the message. Invariants, all checked on every input:
 *  - the strict scanner (evk_json_scan) and the independent recursive-descent
 *    checker in ref_json.c agree: valid or not, the top-level type, the
 *    first occurrence (type, span) and count of every field name the
 *    profiles use, and the lone-surrogate note;
 *  - evk_json_unescape decodes those members' string values as the
 *    reference does (pairs joined, lone surrogates as U+FFFD, \u0000 kept);
 *  - the member spans (evk_json_members) and the member surgery built on
 *    them (evk_jobj) agree with the reference: the same first member and
 *    count for each name, and every edit leaves a valid object with one
 *    member less (a drop) or the member's new value (a set);
 *  - the validator is a function of its input: the same verdict twice;
 *  - "not JSON" exactly when the text is not RFC 8259 JSON or not an object;
 *  - on a JSON object, the verdict and kind are the ones PROTOCOL.md §2's
 *    order of checks gives when applied to the reference's members;
 *  - a verdict is coherent: the profile's code, a one-line reason, an id on
 *    every valid message;
 *  - a valid message parsed by cJSON and printed again is still valid, the
 *    same kind, id and timestamp tier (skipped where cJSON is known to
 *    change the text: it refuses lone surrogates and nesting over 1000, and
 *    cuts strings at \u0000; docs/json-leniency.md);
 *  - the handshake-policy reader and the trigger reader keep their contracts.
 */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "evk_err.h"
#include "evk_jobj.h"
#include "evk_json.h"
#include "evk_ts.h"
#include "evk_uuid.h"
#include "evk_validate.h"
#include "fuzz_util.h"
#include "ref_json.h"

/* The names the two profiles look up, and a few tricky ones. */
static const struct {
    const char *name;
    size_t len;
} names[] = {
    {"type", 4},    {"id", 2},     {"sent_at", 7}, {"status", 6},      {"payload", 7},
    {"reason", 6},  {"", 0},       {"a\0b", 3},    {"\xc3\xa9", 2},    {"\xf0\x9f\x98\x80", 4},
    {"\xef\xbf\xbd", 3}, /* U+FFFD: what a lone surrogate in a key decodes to */
};
#define NNAMES (sizeof names / sizeof names[0])

static evk_jtype from_ref(ref_jtype t)
{
    switch (t) {
    case REF_OBJECT: return EVK_JT_OBJECT;
    case REF_ARRAY: return EVK_JT_ARRAY;
    case REF_STRING: return EVK_JT_STRING;
    case REF_NUMBER: return EVK_JT_NUMBER;
    case REF_BOOL: return EVK_JT_BOOL;
    case REF_NULL: return EVK_JT_NULL;
    default: return EVK_JT_NONE;
    }
}

/* The reference's view of the top-level members, for the checks below. */
static ref_key keys[NNAMES];

/* The differential check of the scanner (and of evk_json_unescape on the
 * members' string values). Returns the reference's verdict. */
static ref_result check_scanner(const char *text, size_t len)
{
    evk_jmember want[NNAMES];
    for (size_t i = 0; i < NNAMES; i++) {
        want[i] = (evk_jmember){.key = names[i].name, .key_len = names[i].len};
        keys[i] = (ref_key){.key = names[i].name, .key_len = names[i].len};
    }
    evk_jscan sc;
    ref_result ref;
    int rc = evk_json_scan(text, len, want, NNAMES, &sc);
    ref_json_check(text, len, EVK_JSON_MAX_DEPTH, keys, NNAMES, &ref);
    FZ_CHECK((rc == 0) == ref.valid, "evk_json_scan says %s (%s at byte %zu), the RFC 8259 reference says %s",
             rc == 0 ? "valid" : "invalid", sc.error ? sc.error : "-", sc.error_off,
             ref.valid ? "valid" : "invalid");
    if (rc != 0) {
        FZ_CHECK(sc.error && *sc.error && sc.error_off <= len, "a refusal without a reason or a position");
        return ref;
    }
    FZ_CHECK(sc.top == from_ref(ref.top), "top-level type %s, reference %s", evk_jtype_name(sc.top),
             evk_jtype_name(from_ref(ref.top)));
    FZ_CHECK(!!(sc.notes & EVK_JNOTE_LONE_SURROGATE) == ref.lone_surrogate,
             "lone-surrogate note %d, reference %d", !!(sc.notes & EVK_JNOTE_LONE_SURROGATE),
             ref.lone_surrogate);
    if (sc.top != EVK_JT_OBJECT) return ref;
    bool dup = false;
    for (size_t i = 0; i < NNAMES; i++) {
        const char *n = names[i].name;
        FZ_CHECK(want[i].count == keys[i].count, "member \"%s\": count %u, reference %u", n,
                 want[i].count, keys[i].count);
        FZ_CHECK(want[i].type == from_ref(keys[i].type), "member \"%s\": type %s, reference %s", n,
                 evk_jtype_name(want[i].type), evk_jtype_name(from_ref(keys[i].type)));
        if (keys[i].count)
            FZ_CHECK(want[i].off == keys[i].off && want[i].len == keys[i].len,
                     "member \"%s\": span %zu+%zu, reference %zu+%zu", n, want[i].off, want[i].len,
                     keys[i].off, keys[i].len);
        if (keys[i].count > 1) dup = true;
        if (keys[i].type == REF_STRING)
            FZ_CHECK(want[i].escaped == (memchr(text + keys[i].off, '\\', keys[i].len) != NULL),
                     "member \"%s\": escaped flag %d", n, want[i].escaped);
        if (keys[i].type == REF_STRING && !keys[i].value_long) {
            char buf[REF_VALUE_MAX + 1];
            size_t blen = 0;
            FZ_CHECK(evk_json_unescape(text + want[i].off, want[i].len, buf, sizeof buf, &blen) == 0 &&
                         blen == keys[i].value_len && memcmp(buf, keys[i].value, blen) == 0,
                     "member \"%s\": unescaped to %zu bytes, the reference decodes %zu", n, blen,
                     keys[i].value_len);
        }
    }
    FZ_CHECK(!!(sc.notes & EVK_JNOTE_DUP_KEY) == dup, "duplicate-key note %d, reference %d",
             !!(sc.notes & EVK_JNOTE_DUP_KEY), dup);
    return ref;
}

/* The members as evk_json_members and evk_jobj see them, against the
 * reference's view (keys[], filled by check_scanner). */
static void check_members(const char *text, size_t len, const ref_result *ref)
{
    enum { MAX = 64 };
    evk_jspan sp[MAX];
    size_t n;
    int rc = evk_json_members(text, len, sp, MAX, &n, NULL);
    bool object = ref->valid && ref->top == REF_OBJECT;
    FZ_CHECK((rc == 0) == object, "evk_json_members says %d on a text the reference calls %s", rc,
             object ? "an object" : "no object");
    if (!object) return;
    for (size_t i = 0; i < NNAMES; i++) {
        if (strlen(names[i].name) != names[i].len) continue; /* a NUL inside: not a C string */
        unsigned count = 0;
        for (size_t m = 0; m < n && m < MAX; m++)
            count += evk_json_literal_is(text + sp[m].key_off, sp[m].key_end - sp[m].key_off, names[i].name);
        if (n <= MAX)
            FZ_CHECK(count == keys[i].count, "member \"%s\": %u spans, reference %u", names[i].name, count,
                     keys[i].count);
        evk_jspan s;
        int at = evk_jobj_find(text, len, names[i].name, &s);
        FZ_CHECK((at >= 0) == (keys[i].count > 0), "evk_jobj_find \"%s\": %d, reference count %u", names[i].name,
                 at, keys[i].count);
        if (at < 0) continue;
        bool str = keys[i].type == REF_STRING;
        FZ_CHECK(s.value_off + str == keys[i].off && s.value_end - str == keys[i].off + keys[i].len,
                 "member \"%s\": value %zu-%zu, reference %zu+%zu", names[i].name, s.value_off, s.value_end,
                 keys[i].off, keys[i].len);
    }
    /* Edits: a drop (of the first few members) and a set of "id". */
    for (size_t m = 0; m < n && m < 4; m++) {
        size_t ol = 0, left = 0;
        char *o = evk_jobj_drop_at(text, len, m, &ol);
        FZ_CHECK(o && evk_json_members(o, ol, NULL, 0, &left, NULL) == 0 && left == n - 1,
                 "dropping member %zu of %zu left %s", m, n, o ? "a text with another count" : "nothing");
        free(o);
    }
    size_t ol = 0;
    char *o = evk_jobj_set(text, len, "id", "[1]", &ol);
    evk_jspan s;
    FZ_CHECK(o && evk_jobj_find(o, ol, "id", &s) >= 0 && s.value_end - s.value_off == 3 &&
                 memcmp(o + s.value_off, "[1]", 3) == 0,
             "setting \"id\" did not leave it [1]");
    free(o);
}

static const ref_key *key_named(const char *name)
{
    for (size_t i = 0; i < NNAMES; i++)
        if (strlen(name) == names[i].len && memcmp(names[i].name, name, names[i].len) == 0) return &keys[i];
    FZ_CHECK(0, "the target does not look up \"%s\": add it to names[]", name);
    return NULL;
}

static bool value_is(const ref_key *k, const char *s)
{
    return !k->value_long && k->value_len == strlen(s) && memcmp(k->value, s, k->value_len) == 0;
}

/* PROTOCOL.md §2, read again from the reference's members: the discriminator
 * (missing -> wrong type -> not a kind), then the kind's fields: any missing,
 * then any of the wrong type, then any value outside its enumeration or
 * format, then the fatal status. One limit of the validator is taken as
 * given: a value with escapes that decodes to more than 255 bytes is "too
 * long" (only timestamps could be valid that long: lenient ones with a huge
 * fraction, which peers do not escape). Returns false when it cannot tell
 * (a value longer than REF_VALUE_MAX). */
static bool ref_verdict(const evk_profile *p, const char *text, evk_violation *out, evk_msg_kind *kind)
{
    static const unsigned type_bit[] = {[REF_OBJECT] = EVK_JT_OBJECT, [REF_ARRAY] = EVK_JT_ARRAY,
                                        [REF_STRING] = EVK_JT_STRING, [REF_NUMBER] = EVK_JT_NUMBER,
                                        [REF_BOOL] = EVK_JT_BOOL,     [REF_NULL] = EVK_JT_NULL};
    const ref_key *d = key_named(p->discriminator);
    *kind = EVK_MSG_NONE;
    if (!d->count) return *out = EVK_V_MISSING_FIELD, true;
    if (d->type != REF_STRING) return *out = EVK_V_WRONG_TYPE, true;
    if (value_is(d, p->event.type_value)) *kind = EVK_MSG_EVENT;
    else if (value_is(d, p->ack.type_value)) *kind = EVK_MSG_ACK;
    else return *out = EVK_V_INVALID_VALUE, true;
    const evk_schema *s = *kind == EVK_MSG_EVENT ? &p->event : &p->ack;
    for (size_t i = 0; i < s->n_fields; i++)
        if (s->fields[i].required && !key_named(s->fields[i].name)->count)
            return *out = EVK_V_MISSING_FIELD, true;
    for (size_t i = 0; i < s->n_fields; i++) {
        const ref_key *k = key_named(s->fields[i].name);
        if (k->count && !(type_bit[k->type] & s->fields[i].types))
            return *out = EVK_V_WRONG_TYPE, true;
    }
    for (size_t i = 0; i < s->n_fields; i++) {
        const evk_field *f = &s->fields[i];
        const ref_key *k = key_named(f->name);
        if (!k->count || k->type != REF_STRING || (f->format == EVK_FMT_NONE && !f->n_enum)) continue;
        if (k->value_long) return false;
        if (k->value_len > 255 && memchr(text + k->off, '\\', k->len))
            return *out = EVK_V_INVALID_VALUE, true;
        evk_uuid u;
        if (f->format == EVK_FMT_UUID && evk_uuid_parse(k->value, k->value_len, &u) != 0)
            return *out = EVK_V_INVALID_VALUE, true;
        if (f->format == EVK_FMT_ISO8601 && evk_ts_classify(k->value, k->value_len) == EVK_TS_INVALID)
            return *out = EVK_V_INVALID_VALUE, true;
        bool listed = f->n_enum == 0;
        for (size_t e = 0; e < f->n_enum; e++) listed = listed || value_is(k, f->enums[e]);
        if (!listed) return *out = EVK_V_INVALID_VALUE, true;
    }
    if (*kind == EVK_MSG_EVENT && p->has_fatal) {
        const ref_key *k = key_named(p->fatal_field);
        if (k->count && k->type == REF_STRING && value_is(k, p->fatal_value))
            return *out = EVK_V_FATAL_STATUS, true;
    }
    *out = EVK_V_NONE;
    return true;
}

static bool same_verdict(const evk_message *a, const evk_message *b)
{
    return a->kind == b->kind && a->violation == b->violation && a->close_code == b->close_code &&
           strcmp(a->field, b->field) == 0 && strcmp(a->reason, b->reason) == 0 &&
           a->has_id == b->has_id && (!a->has_id || evk_uuid_equal(&a->id, &b->id)) &&
           a->sent_at_tier == b->sent_at_tier && a->notes == b->notes;
}

static void check_coherent(const evk_profile *p, const evk_message *m, bool is_text)
{
    FZ_CHECK(m->close_code == evk_profile_send_code(p, m->violation), "%s: %s closes with %d",
             p->name, evk_violation_key(m->violation), m->close_code);
    FZ_CHECK(memchr(m->reason, '\0', sizeof m->reason) && !strchr(m->reason, '\n'),
             "reason is not one line: %s", m->reason);
    FZ_CHECK(is_text || m->violation == EVK_V_NOT_TEXT, "a binary frame judged %s",
             evk_violation_key(m->violation));
    if (m->violation == EVK_V_NONE) {
        FZ_CHECK(m->reason[0] == '\0' && m->field[0] == '\0', "a valid message with a reason: %s", m->reason);
        FZ_CHECK(m->kind != EVK_MSG_NONE && m->has_id, "%s: a valid message without kind or id", p->name);
        FZ_CHECK(m->sent_at_tier != EVK_TS_INVALID, "a valid message with an invalid sent_at");
    } else {
        FZ_CHECK(m->reason[0] != '\0', "%s: %s without a reason", p->name, evk_violation_key(m->violation));
        FZ_CHECK(m->violation != EVK_V_DUPLICATE_ID && m->violation != EVK_V_UNKNOWN_ACK &&
                     m->violation != EVK_V_ACK_TIMEOUT && m->violation != EVK_V_EARLY_MESSAGE,
                 "the validator judged a flow rule (%s) without the connection's state",
                 evk_violation_key(m->violation));
        FZ_CHECK(m->violation != EVK_V_FATAL_STATUS || p->has_fatal, "fatal status under %s", p->name);
    }
}

/* A valid message, printed again by cJSON, must stay valid and the same. */
static void check_round_trip(const evk_profile *p, const char *text, size_t len, const evk_message *m)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root) return; /* cJSON refuses it: lone surrogate, nesting over 1000 */
    char *again = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    FZ_CHECK(again != NULL, "cJSON could not print what it parsed");
    evk_message m2;
    FZ_CHECK(evk_validate(p, again, strlen(again), true, &m2) == 0, "evk_validate failed");
    FZ_CHECK(m2.violation == EVK_V_NONE, "%s: valid, but after cJSON's round trip %s: %s\n  now: %s",
             p->name, evk_violation_key(m2.violation), m2.reason, again);
    FZ_CHECK(m2.kind == m->kind && evk_uuid_equal(&m2.id, &m->id) && m2.sent_at_tier == m->sent_at_tier,
             "%s: the round trip changed kind, id or timestamp tier: %s", p->name, again);
    cJSON_free(again);
}

static void check_policy(const evk_profile *p, const char *text, size_t len)
{
    evk_message pm;
    uint64_t ms = 12345;
    memset(&pm, 0, sizeof pm);
    FZ_CHECK(evk_validate_policy(p, text, len, &ms, &pm) == 0, "evk_validate_policy failed");
    evk_violation v = pm.violation;
    FZ_CHECK(v == EVK_V_NONE || v == EVK_V_MISSING_FIELD || v == EVK_V_WRONG_TYPE ||
                 v == EVK_V_INVALID_VALUE,
             "policy verdict %s", evk_violation_key(v));
    FZ_CHECK(v == EVK_V_NONE ? ms >= 1 : ms == 0, "policy %s with limit %llu", evk_violation_key(v),
             (unsigned long long)ms);
    if (v != EVK_V_NONE)
        FZ_CHECK(pm.close_code == evk_profile_send_code(p, v) && pm.reason[0] && !strchr(pm.reason, '\n'),
                 "policy verdict without its code or reason");
    uint64_t k = 777;
    if (p->has_trigger && evk_json_uint_at(text, len, p->trigger_pointer, &k) == 0)
        FZ_CHECK(k <= 1000000000000000ull, "trigger count %llu", (unsigned long long)k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    bool is_text = !(data[0] & 1);
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    ref_result ref = check_scanner(text, len);
    if (is_text) check_members(text, len, &ref);
    for (int which = FZ_SEED; which <= FZ_STRICT; which++) {
        const evk_profile *p = fz_profile(which);
        evk_message a, b;
        FZ_CHECK(evk_validate(p, text, len, is_text, &a) == 0, "evk_validate failed");
        FZ_CHECK(evk_validate(p, text, len, is_text, &b) == 0, "evk_validate failed");
        FZ_CHECK(same_verdict(&a, &b), "%s: two verdicts for one input: %s / %s", p->name, a.reason, b.reason);
        check_coherent(p, &a, is_text);
        if (!is_text) continue;
        bool not_json = !ref.valid || ref.top != REF_OBJECT;
        FZ_CHECK((a.violation == EVK_V_NOT_JSON) == not_json,
                 "%s: verdict %s (%s), but the reference says %s", p->name,
                 evk_violation_key(a.violation), a.reason,
                 !ref.valid ? "not JSON" : ref.top != REF_OBJECT ? "not an object" : "a JSON object");
        if (!not_json) {
            evk_msg_kind kind;
            evk_violation v;
            if (ref_verdict(p, text, &v, &kind))
                FZ_CHECK(a.violation == v && a.kind == kind,
                         "%s: verdict %s (%s) on a %s, the reference says %s on a %s", p->name,
                         evk_violation_key(a.violation), a.reason, evk_msg_kind_name(a.kind),
                         evk_violation_key(v), evk_msg_kind_name(kind));
        }
        if (a.violation != EVK_V_NONE) continue;
        if (!ref.nul_escape) check_round_trip(p, text, len, &a);
        if (a.kind == EVK_MSG_EVENT) check_policy(p, text, len);
    }
    return 0;
}
